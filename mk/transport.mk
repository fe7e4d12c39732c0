# transport/: the lower transport (MshPRT v1.1 3.5.2) as a pure codec for
# now: the four Lower Transport PDU formats and the Segment
# Acknowledgment. Segmentation, reassembly and the SAR timers come next.
noinst_LIBRARIES += src/transport/libmp_transport.a
src_transport_libmp_transport_a_SOURCES = \
	src/transport/lower.c include/transport/lower.h

# Every 8.3 sample's lower transport PDU both ways, and the malformed ones.
check_PROGRAMS += tests/unit/test_lower
TESTS += tests/unit/test_lower
tests_unit_test_lower_SOURCES = tests/unit/test_lower.c tests/unit/net_tu.h
tests_unit_test_lower_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_lower_LDADD = src/transport/libmp_transport.a $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_lower
TESTS += tests/fuzz/fuzz_lower
tests_fuzz_fuzz_lower_SOURCES = tests/fuzz/fuzz_lower.c tests/fuzz/replay.c
tests_fuzz_fuzz_lower_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"lower"'
tests_fuzz_fuzz_lower_LDADD = src/transport/libmp_transport.a src/core/libmp_core.a

EXTRA_DIST += tests/fuzz/corpus/lower
