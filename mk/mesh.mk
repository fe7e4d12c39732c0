# mesh/: the mesh stack, net/ and transport/ composed into one object for
# both roles (a provisioner talking to many nodes, and a node): Network PDUs
# and timer expiries in, access and control messages up, Network PDUs out;
# subnets with key refresh, application and device keys, subscriptions,
# replay protection for the whole unicast space. Pure (HACKING.md).
noinst_LIBRARIES += src/mesh/libmp_mesh.a
src_mesh_libmp_mesh_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_mesh_libmp_mesh_a_SOURCES = \
	src/mesh/stack.c include/mesh/stack.h
src_mesh_libmp_mesh_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

MESH_TEST_LIBS = src/mesh/libmp_mesh.a src/transport/libmp_transport.a src/net/libmp_net.a \
	src/crypto/libmp_crypto.a src/core/libmp_core.a $(TEST_LIBS) $(CRYPTO_LIBS)

# Through the whole stack, the 8.3 access samples both ways byte for byte,
# the 8.3.6-8.3.9 acknowledgment exchange, a control message, drops.
check_PROGRAMS += tests/unit/test_mesh
TESTS += tests/unit/test_mesh
tests_unit_test_mesh_SOURCES = tests/unit/test_mesh.c tests/unit/mesh_tu.h tests/unit/net_tu.h
tests_unit_test_mesh_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mesh_LDADD = $(MESH_TEST_LIBS)

# Back to back over a lossy fake radio on a fake clock: transfers both
# ways, drops, two nodes, the replay list for 32,766 sources and seeded.
check_PROGRAMS += tests/unit/test_mesh_b2b
TESTS += tests/unit/test_mesh_b2b
tests_unit_test_mesh_b2b_SOURCES = tests/unit/test_mesh_b2b.c tests/unit/mesh_tu.h
tests_unit_test_mesh_b2b_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mesh_b2b_LDADD = $(MESH_TEST_LIBS)

# PDUs and fake-clock time of a 380-octet access message through two stacks.
MP_BENCHES += bench/bench_mesh
bench_bench_mesh_SOURCES = bench/bench_mesh.c tests/unit/mesh_tu.h
bench_bench_mesh_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_mesh_LDADD = src/mesh/libmp_mesh.a src/transport/libmp_transport.a \
	src/net/libmp_net.a src/crypto/libmp_crypto.a src/core/libmp_core.a $(CRYPTO_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_mesh
TESTS += tests/fuzz/fuzz_mesh
tests_fuzz_fuzz_mesh_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_mesh_SOURCES = tests/fuzz/fuzz_mesh.c tests/fuzz/replay.c
tests_fuzz_fuzz_mesh_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"mesh"'
tests_fuzz_fuzz_mesh_LDADD = src/mesh/libmp_mesh.a src/transport/libmp_transport.a \
	src/net/libmp_net.a src/crypto/libmp_crypto.a src/core/libmp_core.a $(CRYPTO_LIBS)

EXTRA_DIST += tests/fuzz/corpus/mesh
