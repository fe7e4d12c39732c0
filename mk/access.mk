# access/: opcodes, access messages split and dispatched through opcode
# tables, responses matched to their requests; pure (no fd, no clock).
noinst_LIBRARIES += src/access/libmp_access.a
src_access_libmp_access_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_access_libmp_access_a_SOURCES = \
	src/access/msg.c include/access/msg.h \
	src/access/match.c include/access/match.h

check_PROGRAMS += tests/unit/test_access
TESTS += tests/unit/test_access
tests_unit_test_access_SOURCES = tests/unit/test_access.c
tests_unit_test_access_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_access_LDADD = src/access/libmp_access.a $(TEST_LIBS)
