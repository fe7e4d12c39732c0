# crypto/: AES-CMAC, HMAC-SHA256, AES-CCM, P-256 ECDH on OpenSSL 3 (EVP only);
# s1 k1..k5 s2; the provisioning key schedule.
noinst_LIBRARIES += src/crypto/libmp_crypto.a
src_crypto_libmp_crypto_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_crypto_libmp_crypto_a_SOURCES = \
	src/crypto/crypto.c include/crypto/crypto.h \
	src/crypto/ecc.c \
	src/crypto/prov_keys.c include/crypto/prov_keys.h \
	src/crypto/mesh_keys.c include/crypto/mesh_keys.h
src_crypto_libmp_crypto_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

check_PROGRAMS += tests/unit/test_crypto tests/unit/test_prov_keys
TESTS += tests/unit/test_crypto tests/unit/test_prov_keys

tests_unit_test_crypto_SOURCES = tests/unit/test_crypto.c
tests_unit_test_crypto_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_crypto_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_crypto_LDADD = src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)

tests_unit_test_prov_keys_SOURCES = tests/unit/test_prov_keys.c
tests_unit_test_prov_keys_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_prov_keys_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_prov_keys_LDADD = src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)

# Per-operation CPU time; compares fetch-per-call with pre-fetched EVP objects.
MP_BENCHES += bench/bench_crypto
bench_bench_crypto_SOURCES = bench/bench_crypto.c
bench_bench_crypto_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
bench_bench_crypto_LDADD = src/crypto/libmp_crypto.a $(CRYPTO_LIBS)

# The keys, nonces and virtual addresses of a provisioned network
# (MshPRT v1.1 3.9.5, 3.9.6, 3.4.2.3) against the 8.2, 8.3, 8.4 and 8.9 samples.
check_PROGRAMS += tests/unit/test_mesh_keys
TESTS += tests/unit/test_mesh_keys
tests_unit_test_mesh_keys_SOURCES = tests/unit/test_mesh_keys.c tests/unit/net_tu.h
tests_unit_test_mesh_keys_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_mesh_keys_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mesh_keys_LDADD = src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)
