# core/: bounded reader/writer, hex, event loop, log.
noinst_LIBRARIES += src/core/libmp_core.a
src_core_libmp_core_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_core_libmp_core_a_SOURCES = \
	src/core/buf.c include/core/buf.h \
	src/core/hex.c include/core/hex.h \
	src/core/loop.c include/core/loop.h \
	src/core/timer_slots.c include/core/timer_slots.h

check_PROGRAMS += tests/unit/test_buf
TESTS += tests/unit/test_buf
tests_unit_test_buf_SOURCES = tests/unit/test_buf.c
tests_unit_test_buf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_buf_LDADD = src/core/libmp_core.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_loop
TESTS += tests/unit/test_loop
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c
tests_unit_test_loop_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_loop_LDADD = src/core/libmp_core.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_timer_slots
TESTS += tests/unit/test_timer_slots
tests_unit_test_timer_slots_SOURCES = tests/unit/test_timer_slots.c
tests_unit_test_timer_slots_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_timer_slots_LDADD = src/core/libmp_core.a $(TEST_LIBS)
