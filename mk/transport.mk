# transport/: the lower transport (MshPRT v1.1 3.5.2) and the upper
# transport's access PDUs (3.6): the four Lower Transport PDU formats, the
# Segment Acknowledgment, AES-CCM with the device or an application key,
# and the Mesh 1.1 SAR transmitter and receiver (3.5.3) with their timers.
noinst_LIBRARIES += src/transport/libmp_transport.a
src_transport_libmp_transport_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_transport_libmp_transport_a_SOURCES = \
	src/transport/lower.c include/transport/lower.h \
	src/transport/upper.c include/transport/upper.h \
	src/transport/sar_tx.c src/transport/sar_rx.c include/transport/sar.h
src_transport_libmp_transport_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

# Every 8.3 sample's lower transport PDU both ways, and the malformed ones.
check_PROGRAMS += tests/unit/test_lower
TESTS += tests/unit/test_lower
tests_unit_test_lower_SOURCES = tests/unit/test_lower.c tests/unit/net_tu.h
tests_unit_test_lower_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_lower_LDADD = src/transport/libmp_transport.a $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_lower
TESTS += tests/fuzz/fuzz_lower
tests_fuzz_fuzz_lower_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_lower_SOURCES = tests/fuzz/fuzz_lower.c tests/fuzz/replay.c
tests_fuzz_fuzz_lower_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"lower"'
tests_fuzz_fuzz_lower_LDADD = src/transport/libmp_transport.a src/core/libmp_core.a

EXTRA_DIST += tests/fuzz/corpus/lower

# Every 8.3 access message's Upper Transport PDU both ways, and the bad ones.
check_PROGRAMS += tests/unit/test_upper
TESTS += tests/unit/test_upper
tests_unit_test_upper_SOURCES = tests/unit/test_upper.c tests/unit/net_tu.h
tests_unit_test_upper_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_upper_LDADD = src/transport/libmp_transport.a src/crypto/libmp_crypto.a \
	$(TEST_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_upper
TESTS += tests/fuzz/fuzz_upper
tests_fuzz_fuzz_upper_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_upper_SOURCES = tests/fuzz/fuzz_upper.c tests/fuzz/replay.c
tests_fuzz_fuzz_upper_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"upper"'
tests_fuzz_fuzz_upper_LDADD = src/transport/libmp_transport.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

EXTRA_DIST += tests/fuzz/corpus/upper

# The SAR transmitter and receiver: back to back through a lossy channel on a
# fake clock, each timer alone, and the 8.3.6/8.3.7/8.3.9 samples.
check_PROGRAMS += tests/unit/test_sar
TESTS += tests/unit/test_sar
tests_unit_test_sar_SOURCES = tests/unit/test_sar.c tests/unit/sar_tu.h tests/unit/net_tu.h
tests_unit_test_sar_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sar_LDADD = src/transport/libmp_transport.a $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_sar_rx
TESTS += tests/fuzz/fuzz_sar_rx
tests_fuzz_fuzz_sar_rx_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_sar_rx_SOURCES = tests/fuzz/fuzz_sar_rx.c tests/fuzz/replay.c
tests_fuzz_fuzz_sar_rx_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"sar_rx"'
tests_fuzz_fuzz_sar_rx_LDADD = src/transport/libmp_transport.a src/core/libmp_core.a

EXTRA_DIST += tests/fuzz/corpus/sar_rx

# PDUs and fake-clock time of a 380-octet access message end to end.
MP_BENCHES += bench/bench_sar
bench_bench_sar_SOURCES = bench/bench_sar.c tests/unit/sar_tu.h
bench_bench_sar_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_sar_LDADD = src/transport/libmp_transport.a src/core/libmp_core.a
