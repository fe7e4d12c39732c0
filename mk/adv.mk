# adv/: advertising data, pure: AD structures (the iterator and the writer)
# and the mesh AD types in them (Unprovisioned Device beacons, PB-ADV,
# Mesh Provisioning Service data, OOB Information). Depends on core only.
noinst_LIBRARIES += src/adv/libmp_adv.a
src_adv_libmp_adv_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_adv_libmp_adv_a_SOURCES = \
	src/adv/adv.c include/adv/adv.h

ADV_TEST_LIBS = src/adv/libmp_adv.a $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_adv
TESTS += tests/unit/test_adv
tests_unit_test_adv_SOURCES = tests/unit/test_adv.c
tests_unit_test_adv_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_adv_LDADD = $(ADV_TEST_LIBS)

# The decoders on arbitrary payloads, and the engine's scan table fed what
# they find (only src/engine/scan_table.c is taken from the engine's library).
check_PROGRAMS += tests/fuzz/fuzz_adv
TESTS += tests/fuzz/fuzz_adv
tests_fuzz_fuzz_adv_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_adv_SOURCES = tests/fuzz/fuzz_adv.c tests/fuzz/replay.c
tests_fuzz_fuzz_adv_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"adv"'
tests_fuzz_fuzz_adv_LDADD = src/engine/libmp_engine.a src/adv/libmp_adv.a src/core/libmp_core.a
EXTRA_DIST += tests/fuzz/corpus/adv
