# hci/: raw HCI transport (commands, LE scan, PB-ADV advertising bursts),
# advertising data and mesh beacon decoders, the scan table.
noinst_LIBRARIES += src/hci/libmp_hci.a
src_hci_libmp_hci_a_SOURCES = \
	src/hci/hci.c src/hci/hci_le.c src/hci/hci_event.c src/hci/hci_err.c \
	src/hci/hci_open.c src/hci/hci_internal.h include/hci/hci.h \
	src/hci/adv.c include/hci/adv.h \
	src/hci/scan_table.c include/hci/scan_table.h
src_hci_libmp_hci_a_CFLAGS = $(AM_CFLAGS) $(BLUEZ_CFLAGS)

HCI_TEST_LIBS = src/hci/libmp_hci.a src/core/libmp_core.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_hci
TESTS += tests/unit/test_hci
tests_unit_test_hci_SOURCES = tests/unit/test_hci.c tests/unit/fake_hci.c tests/unit/fake_hci.h
tests_unit_test_hci_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hci_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/unit/test_hci_adv
TESTS += tests/unit/test_hci_adv
tests_unit_test_hci_adv_SOURCES = tests/unit/test_hci_adv.c tests/unit/fake_hci.c \
	tests/unit/fake_hci.h
tests_unit_test_hci_adv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hci_adv_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/unit/test_hci_event
TESTS += tests/unit/test_hci_event
tests_unit_test_hci_event_SOURCES = tests/unit/test_hci_event.c
tests_unit_test_hci_event_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hci_event_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/unit/test_adv
TESTS += tests/unit/test_adv
tests_unit_test_adv_SOURCES = tests/unit/test_adv.c
tests_unit_test_adv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_adv_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/unit/test_scan_table
TESTS += tests/unit/test_scan_table
tests_unit_test_scan_table_SOURCES = tests/unit/test_scan_table.c
tests_unit_test_scan_table_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_scan_table_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_hci_event
TESTS += tests/fuzz/fuzz_hci_event
tests_fuzz_fuzz_hci_event_SOURCES = tests/fuzz/fuzz_hci_event.c tests/fuzz/replay.c
tests_fuzz_fuzz_hci_event_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"hci_event"'
tests_fuzz_fuzz_hci_event_LDADD = src/hci/libmp_hci.a src/core/libmp_core.a

check_PROGRAMS += tests/fuzz/fuzz_adv
TESTS += tests/fuzz/fuzz_adv
tests_fuzz_fuzz_adv_SOURCES = tests/fuzz/fuzz_adv.c tests/fuzz/replay.c
tests_fuzz_fuzz_adv_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"adv"'
tests_fuzz_fuzz_adv_LDADD = src/hci/libmp_hci.a src/core/libmp_core.a
EXTRA_DIST += tests/fuzz/corpus/hci_event tests/fuzz/corpus/adv

# An LE ATT channel over a kernel L2CAP socket (PB-GATT's transport), unit
# tested on socketpairs.
src_hci_libmp_hci_a_SOURCES += src/hci/l2cap.c include/hci/l2cap.h

check_PROGRAMS += tests/unit/test_l2cap
TESTS += tests/unit/test_l2cap
tests_unit_test_l2cap_SOURCES = tests/unit/test_l2cap.c
tests_unit_test_l2cap_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_l2cap_LDADD = $(HCI_TEST_LIBS)
