# bearer/: Generic Provisioning (segmentation, reassembly, FCS) and PB-ADV
# links for both roles; pure objects (no fd, no clock), see DESIGN.md.
noinst_LIBRARIES += src/bearer/libmp_bearer.a
src_bearer_libmp_bearer_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_bearer_libmp_bearer_a_SOURCES = \
	src/bearer/gprov.c include/bearer/gprov.h \
	src/bearer/pbadv.c include/bearer/pbadv.h \
	src/bearer/sendq.c include/bearer/sendq.h \
	include/bearer/bearer.h

check_PROGRAMS += tests/unit/test_gprov
TESTS += tests/unit/test_gprov
tests_unit_test_gprov_SOURCES = tests/unit/test_gprov.c
tests_unit_test_gprov_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_gprov_LDADD = src/bearer/libmp_bearer.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_sendq
TESTS += tests/unit/test_sendq
tests_unit_test_sendq_SOURCES = tests/unit/test_sendq.c
tests_unit_test_sendq_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sendq_LDADD = src/bearer/libmp_bearer.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_pbadv
TESTS += tests/unit/test_pbadv
tests_unit_test_pbadv_SOURCES = tests/unit/test_pbadv.c
tests_unit_test_pbadv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_pbadv_LDADD = src/bearer/libmp_bearer.a $(TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_gprov
TESTS += tests/fuzz/fuzz_gprov
tests_fuzz_fuzz_gprov_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_gprov_SOURCES = tests/fuzz/fuzz_gprov.c tests/fuzz/replay.c
tests_fuzz_fuzz_gprov_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"gprov"'
tests_fuzz_fuzz_gprov_LDADD = src/bearer/libmp_bearer.a src/core/libmp_core.a

check_PROGRAMS += tests/fuzz/fuzz_pbadv
TESTS += tests/fuzz/fuzz_pbadv
tests_fuzz_fuzz_pbadv_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_pbadv_SOURCES = tests/fuzz/fuzz_pbadv.c tests/fuzz/replay.c
tests_fuzz_fuzz_pbadv_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"pbadv"'
tests_fuzz_fuzz_pbadv_LDADD = src/bearer/libmp_bearer.a src/core/libmp_core.a

EXTRA_DIST += tests/fuzz/corpus/gprov tests/fuzz/corpus/pbadv

MP_BENCHES += bench/bench_pbadv
bench_bench_pbadv_SOURCES = bench/bench_pbadv.c
bench_bench_pbadv_LDADD = src/bearer/libmp_bearer.a src/core/libmp_core.a

# PB-GATT: Proxy PDU segmentation and reassembly, and the PB-GATT link over
# an ATT channel (MshPRT v1.1 5.2.2, 6.3); pure like PB-ADV.
src_bearer_libmp_bearer_a_SOURCES += \
	src/bearer/proxy.c include/bearer/proxy.h \
	src/bearer/pbgatt.c include/bearer/pbgatt.h

check_PROGRAMS += tests/unit/test_proxy
TESTS += tests/unit/test_proxy
tests_unit_test_proxy_SOURCES = tests/unit/test_proxy.c
tests_unit_test_proxy_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proxy_LDADD = src/bearer/libmp_bearer.a $(TEST_LIBS)

# Two PB-GATT ends back to back, and a whole provisioning (the provisioner
# against the simulated device) carried over them.
check_PROGRAMS += tests/unit/test_pbgatt
TESTS += tests/unit/test_pbgatt
tests_unit_test_pbgatt_SOURCES = tests/unit/test_pbgatt.c
tests_unit_test_pbgatt_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_pbgatt_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_pbgatt_LDADD = tests/unit/libmp_provharness.a src/sim/libmp_sim.a \
	src/bearer/libmp_bearer.a src/prov/libmp_prov.a src/crypto/libmp_crypto.a \
	$(TEST_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_proxy
TESTS += tests/fuzz/fuzz_proxy
tests_fuzz_fuzz_proxy_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_proxy_SOURCES = tests/fuzz/fuzz_proxy.c tests/fuzz/replay.c
tests_fuzz_fuzz_proxy_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"proxy"'
tests_fuzz_fuzz_proxy_LDADD = src/bearer/libmp_bearer.a src/core/libmp_core.a

EXTRA_DIST += tests/fuzz/corpus/proxy

MP_BENCHES += bench/bench_pbgatt
bench_bench_pbgatt_SOURCES = bench/bench_pbgatt.c
bench_bench_pbgatt_LDADD = src/bearer/libmp_bearer.a src/core/libmp_core.a
