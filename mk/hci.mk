# hci/: raw HCI transport (commands, events, LE scan, advertising bursts)
# and L2CAP LE connections; nothing of mesh above the AD structures it
# carries (those are adv/'s).
noinst_LIBRARIES += src/hci/libmp_hci.a
src_hci_libmp_hci_a_SOURCES = \
	src/hci/hci.c src/hci/hci_le.c src/hci/hci_event.c src/hci/hci_err.c \
	src/hci/hci_open.c src/hci/hci_internal.h include/hci/hci.h \
	src/hci/mgmt.c include/hci/mgmt.h
src_hci_libmp_hci_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS) $(BLUEZ_CFLAGS)

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

check_PROGRAMS += tests/unit/test_hci_scan
TESTS += tests/unit/test_hci_scan
tests_unit_test_hci_scan_SOURCES = tests/unit/test_hci_scan.c tests/unit/fake_hci.c \
	tests/unit/fake_hci.h
tests_unit_test_hci_scan_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hci_scan_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/unit/test_hci_event
TESTS += tests/unit/test_hci_event
tests_unit_test_hci_event_SOURCES = tests/unit/test_hci_event.c
tests_unit_test_hci_event_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hci_event_LDADD = $(HCI_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_hci_event
TESTS += tests/fuzz/fuzz_hci_event
tests_fuzz_fuzz_hci_event_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_hci_event_SOURCES = tests/fuzz/fuzz_hci_event.c tests/fuzz/replay.c
tests_fuzz_fuzz_hci_event_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"hci_event"'
# the reports it decodes also go through adv/'s payload decoder
tests_fuzz_fuzz_hci_event_LDADD = src/hci/libmp_hci.a src/adv/libmp_adv.a src/core/libmp_core.a
EXTRA_DIST += tests/fuzz/corpus/hci_event

# An LE ATT channel over a kernel L2CAP socket (PB-GATT's transport), unit
# tested on socketpairs.
src_hci_libmp_hci_a_SOURCES += src/hci/l2cap.c include/hci/l2cap.h

check_PROGRAMS += tests/unit/test_l2cap
TESTS += tests/unit/test_l2cap
tests_unit_test_l2cap_SOURCES = tests/unit/test_l2cap.c
tests_unit_test_l2cap_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_l2cap_LDADD = $(HCI_TEST_LIBS)

# The management interface (the kernel's LE setting, issue 16): its codec
# and the synchronous call, on socketpairs.
check_PROGRAMS += tests/unit/test_mgmt
TESTS += tests/unit/test_mgmt
tests_unit_test_mgmt_SOURCES = tests/unit/test_mgmt.c
tests_unit_test_mgmt_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mgmt_LDADD = $(HCI_TEST_LIBS)
