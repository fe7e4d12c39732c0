# prov/: provisioning PDUs and the provisioner state machine (pure).
noinst_LIBRARIES += src/prov/libmp_prov.a
src_prov_libmp_prov_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_prov_libmp_prov_a_SOURCES = \
	src/prov/pdu.c include/prov/pdu.h
src_prov_libmp_prov_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
src_prov_libmp_prov_a_SOURCES += \
	src/prov/auth.c include/prov/auth.h \
	src/prov/provisioner.c include/prov/provisioner.h

PROV_TEST_LIBS = src/prov/libmp_prov.a src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)
noinst_LIBRARIES += tests/unit/libmp_provharness.a
tests_unit_libmp_provharness_a_SOURCES = tests/unit/prov_harness.c tests/unit/prov_harness.h
tests_unit_libmp_provharness_a_CFLAGS = $(TEST_CFLAGS)

check_PROGRAMS += tests/unit/test_provisioner tests/unit/test_prov_pdu
TESTS += tests/unit/test_provisioner tests/unit/test_prov_pdu
tests_unit_test_provisioner_SOURCES = tests/unit/test_provisioner.c
tests_unit_test_provisioner_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_provisioner_LDADD = tests/unit/libmp_provharness.a $(PROV_TEST_LIBS)
tests_unit_test_prov_pdu_SOURCES = tests/unit/test_prov_pdu.c
tests_unit_test_prov_pdu_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_prov_pdu_LDADD = $(PROV_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_prov_pdu tests/fuzz/fuzz_provisioner
TESTS += tests/fuzz/fuzz_prov_pdu tests/fuzz/fuzz_provisioner
tests_fuzz_fuzz_prov_pdu_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_prov_pdu_SOURCES = tests/fuzz/fuzz_prov_pdu.c tests/fuzz/replay.c
tests_fuzz_fuzz_prov_pdu_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"prov_pdu"'
tests_fuzz_fuzz_prov_pdu_LDADD = src/prov/libmp_prov.a src/core/libmp_core.a
tests_fuzz_fuzz_provisioner_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_provisioner_SOURCES = tests/fuzz/fuzz_provisioner.c tests/fuzz/replay.c
tests_fuzz_fuzz_provisioner_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"provisioner"'
tests_fuzz_fuzz_provisioner_LDADD = src/prov/libmp_prov.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)

# The provisioner against the simulated device (written apart), back to back.
check_PROGRAMS += tests/unit/test_prov_b2b
TESTS += tests/unit/test_prov_b2b
tests_unit_test_prov_b2b_SOURCES = tests/unit/test_prov_b2b.c
tests_unit_test_prov_b2b_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_prov_b2b_LDADD = tests/unit/libmp_provharness.a src/sim/libmp_sim.a \
	$(PROV_TEST_LIBS)

# CPU per complete back-to-back provisioning, both algorithms.
MP_BENCHES += bench/bench_prov
bench_bench_prov_SOURCES = bench/bench_prov.c
bench_bench_prov_LDADD = src/sim/libmp_sim.a src/prov/libmp_prov.a src/crypto/libmp_crypto.a \
	src/core/libmp_core.a $(CRYPTO_LIBS)
