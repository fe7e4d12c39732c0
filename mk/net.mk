# net/: the network layer (MshPRT v1.1 3.4) and the mesh beacons (3.10) as
# pure codecs: subnet keys, Network PDU encode/decode with NID lookup over
# the subnets, the network message cache, Secure Network and Mesh Private
# beacons. No fd, no clock, no global (DESIGN.md).
noinst_LIBRARIES += src/net/libmp_net.a
src_net_libmp_net_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_net_libmp_net_a_SOURCES = \
	src/net/net.c include/net/net.h \
	src/net/beacon.c include/net/beacon.h \
	src/net/iv.c include/net/iv.h \
	src/net/beacon_io.c include/net/beacon_io.h \
	src/net/proxy_cfg.c include/net/proxy_cfg.h \
	src/net/proxy_adv.c include/net/proxy_adv.h
src_net_libmp_net_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

NET_TEST_LIBS = src/net/libmp_net.a src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)

# Every 8.3 sample's Network PDU both ways, and the bad ones.
check_PROGRAMS += tests/unit/test_net
TESTS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c tests/unit/net_tu.h
tests_unit_test_net_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_net_LDADD = $(NET_TEST_LIBS)

# The 8.4.3-8.4.6 beacons both ways, and the bad ones.
check_PROGRAMS += tests/unit/test_beacon
TESTS += tests/unit/test_beacon
tests_unit_test_beacon_SOURCES = tests/unit/test_beacon.c tests/unit/net_tu.h
tests_unit_test_beacon_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_beacon_LDADD = $(NET_TEST_LIBS)

# The IV Update procedure and IV Index Recovery on a fake clock.
check_PROGRAMS += tests/unit/test_iv
TESTS += tests/unit/test_iv
tests_unit_test_iv_SOURCES = tests/unit/test_iv.c
tests_unit_test_iv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_iv_LDADD = $(NET_TEST_LIBS)

# The 8.4.3-8.4.5 beacons through the glue into the IV machine and back out
# of the sender; bad authentication values dropped and counted.
check_PROGRAMS += tests/unit/test_beacon_io
TESTS += tests/unit/test_beacon_io
tests_unit_test_beacon_io_SOURCES = tests/unit/test_beacon_io.c
tests_unit_test_beacon_io_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_beacon_io_LDADD = $(NET_TEST_LIBS)

# 8.6.1-8.6.4 (Mesh Proxy service data) and 8.9.1-8.9.3 (proxy configuration
# messages) both ways, a node told by its Node Identity, and the bad ones.
check_PROGRAMS += tests/unit/test_proxy_cfg
TESTS += tests/unit/test_proxy_cfg
tests_unit_test_proxy_cfg_SOURCES = tests/unit/test_proxy_cfg.c tests/unit/net_tu.h
tests_unit_test_proxy_cfg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proxy_cfg_LDADD = src/bearer/libmp_bearer.a $(NET_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_net tests/fuzz/fuzz_beacon
TESTS += tests/fuzz/fuzz_net tests/fuzz/fuzz_beacon
tests_fuzz_fuzz_net_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_net_SOURCES = tests/fuzz/fuzz_net.c tests/fuzz/replay.c
tests_fuzz_fuzz_net_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"net"'
tests_fuzz_fuzz_net_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)
tests_fuzz_fuzz_beacon_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_beacon_SOURCES = tests/fuzz/fuzz_beacon.c tests/fuzz/replay.c
tests_fuzz_fuzz_beacon_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"beacon"'
tests_fuzz_fuzz_beacon_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_proxy_cfg
TESTS += tests/fuzz/fuzz_proxy_cfg
tests_fuzz_fuzz_proxy_cfg_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_proxy_cfg_SOURCES = tests/fuzz/fuzz_proxy_cfg.c tests/fuzz/replay.c
tests_fuzz_fuzz_proxy_cfg_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"proxy_cfg"'
tests_fuzz_fuzz_proxy_cfg_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

# The IV machine driven by a script of beacons, ticks, holds and SEQ alarms.
check_PROGRAMS += tests/fuzz/fuzz_iv
TESTS += tests/fuzz/fuzz_iv
tests_fuzz_fuzz_iv_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_iv_SOURCES = tests/fuzz/fuzz_iv.c tests/fuzz/replay.c
tests_fuzz_fuzz_iv_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"iv"'
tests_fuzz_fuzz_iv_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

EXTRA_DIST += tests/fuzz/corpus/net tests/fuzz/corpus/beacon tests/fuzz/corpus/iv \
	tests/fuzz/corpus/proxy_cfg

# CPU per Network PDU (encode; decode with 1 and 16 subnets) and per beacon.
MP_BENCHES += bench/bench_net
bench_bench_net_SOURCES = bench/bench_net.c
bench_bench_net_LDADD = src/net/libmp_net.a src/crypto/libmp_crypto.a src/core/libmp_core.a \
	$(CRYPTO_LIBS)
