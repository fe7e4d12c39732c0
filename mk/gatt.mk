# gatt/: the Attribute Protocol and the two ends of the Mesh Provisioning
# Service (0x1827) that PB-GATT runs over: a GATT client for the provisioner
# and a minimal GATT server for the device side (simulator, VM provisionee).
noinst_LIBRARIES += src/gatt/libmp_gatt.a
src_gatt_libmp_gatt_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_gatt_libmp_gatt_a_SOURCES = \
	src/gatt/att.c include/gatt/att.h include/gatt/gatt.h \
	src/gatt/client.c include/gatt/client.h \
	src/gatt/server.c include/gatt/server.h

GATT_TEST_LIBS = src/gatt/libmp_gatt.a $(TEST_LIBS)

# ATT PDUs: every encoder and decoder, strictness, names.
check_PROGRAMS += tests/unit/test_att
TESTS += tests/unit/test_att
tests_unit_test_att_SOURCES = tests/unit/test_att.c
tests_unit_test_att_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_att_LDADD = $(GATT_TEST_LIBS)

# The client against scripted servers, byte for byte, and its failures.
check_PROGRAMS += tests/unit/test_gatt_client
TESTS += tests/unit/test_gatt_client
tests_unit_test_gatt_client_SOURCES = tests/unit/test_gatt_client.c
tests_unit_test_gatt_client_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_gatt_client_LDADD = $(GATT_TEST_LIBS)

# The server: every request, errors, bounds.
check_PROGRAMS += tests/unit/test_gatt_server
TESTS += tests/unit/test_gatt_server
tests_unit_test_gatt_server_SOURCES = tests/unit/test_gatt_server.c
tests_unit_test_gatt_server_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_gatt_server_LDADD = $(GATT_TEST_LIBS)

# Client and server back to back at several MTUs.
check_PROGRAMS += tests/unit/test_gatt_b2b
TESTS += tests/unit/test_gatt_b2b
tests_unit_test_gatt_b2b_SOURCES = tests/unit/test_gatt_b2b.c
tests_unit_test_gatt_b2b_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_gatt_b2b_LDADD = $(GATT_TEST_LIBS)

# Arbitrary ATT PDU streams into a started client and into a server.
check_PROGRAMS += tests/fuzz/fuzz_att_client tests/fuzz/fuzz_att_server
TESTS += tests/fuzz/fuzz_att_client tests/fuzz/fuzz_att_server
FUZZ_TARGETS += att_client att_server
tests_fuzz_fuzz_att_client_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_att_client_SOURCES = tests/fuzz/fuzz_att_client.c tests/fuzz/replay.c
tests_fuzz_fuzz_att_client_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"att_client"'
tests_fuzz_fuzz_att_client_LDADD = src/gatt/libmp_gatt.a src/core/libmp_core.a
tests_fuzz_fuzz_att_server_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_att_server_SOURCES = tests/fuzz/fuzz_att_server.c tests/fuzz/replay.c
tests_fuzz_fuzz_att_server_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"att_server"'
tests_fuzz_fuzz_att_server_LDADD = src/gatt/libmp_gatt.a src/core/libmp_core.a
EXTRA_DIST += tests/fuzz/corpus/att_client tests/fuzz/corpus/att_server
