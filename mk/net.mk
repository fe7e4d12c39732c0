# net/: the network layer (MshPRT v1.1 3.4) as a pure codec: subnet keys,
# Network PDU encode/decode with NID lookup over the subnets, the network
# message cache. No fd, no clock, no global (DESIGN.md).
noinst_LIBRARIES += src/net/libmp_net.a
src_net_libmp_net_a_SOURCES = \
	src/net/net.c include/net/net.h
src_net_libmp_net_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

NET_TEST_LIBS = src/net/libmp_net.a src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)

# Every 8.3 sample's Network PDU both ways, and the bad ones.
check_PROGRAMS += tests/unit/test_net
TESTS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c tests/unit/net_tu.h
tests_unit_test_net_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_net_LDADD = $(NET_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_net
TESTS += tests/fuzz/fuzz_net
tests_fuzz_fuzz_net_SOURCES = tests/fuzz/fuzz_net.c tests/fuzz/replay.c
tests_fuzz_fuzz_net_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"net"'
tests_fuzz_fuzz_net_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

EXTRA_DIST += tests/fuzz/corpus/net
