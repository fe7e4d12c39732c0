# transport/: the lower transport (MshPRT v1.1 3.5.2) and the upper
# transport's access PDUs (3.6) as pure codecs for now: the four Lower
# Transport PDU formats, the Segment Acknowledgment, AES-CCM with the
# device or an application key. Segmentation, reassembly and the SAR
# timers come next.
noinst_LIBRARIES += src/transport/libmp_transport.a
src_transport_libmp_transport_a_SOURCES = \
	src/transport/lower.c include/transport/lower.h \
	src/transport/upper.c include/transport/upper.h
src_transport_libmp_transport_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

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

# Every 8.3 access message's Upper Transport PDU both ways, and the bad ones.
check_PROGRAMS += tests/unit/test_upper
TESTS += tests/unit/test_upper
tests_unit_test_upper_SOURCES = tests/unit/test_upper.c tests/unit/net_tu.h
tests_unit_test_upper_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_upper_LDADD = src/transport/libmp_transport.a src/crypto/libmp_crypto.a \
	$(TEST_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_upper
TESTS += tests/fuzz/fuzz_upper
tests_fuzz_fuzz_upper_SOURCES = tests/fuzz/fuzz_upper.c tests/fuzz/replay.c
tests_fuzz_fuzz_upper_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"upper"'
tests_fuzz_fuzz_upper_LDADD = src/transport/libmp_transport.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

EXTRA_DIST += tests/fuzz/corpus/upper
