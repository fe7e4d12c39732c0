# profile/: profiles, the wanted configuration of a building as a file
# (meshprov-profile(5)): the parser and the pure reconciler that turns a
# node's state read back into Configuration requests; no I/O.
noinst_LIBRARIES += src/profile/libmp_profile.a
src_profile_libmp_profile_a_SOURCES = \
	src/profile/parse.c include/profile/profile.h \
	src/profile/reconcile.c \
	src/profile/state.c \
	src/profile/run.c include/profile/run.h \
	src/profile/profile_int.h
src_profile_libmp_profile_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_profile_libmp_profile_a_CPPFLAGS = $(AM_CPPFLAGS) $(JSONC_CFLAGS)

PROFILE_LIBS = src/profile/libmp_profile.a src/config/libmp_config.a src/access/libmp_access.a
PROFILE_TEST_LIBS = $(PROFILE_LIBS) $(TEST_LIBS) $(JSONC_LIBS)

# The parser (every error named by file:line:col or JSON path, the examples)
# and the reconciler (order, idempotence, differences, selection).
PROFILE_TEST_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMP_EXAMPLES_DIR='"$(abs_top_srcdir)/examples"'
check_PROGRAMS += tests/unit/test_profile_parse
TESTS += tests/unit/test_profile_parse
tests_unit_test_profile_parse_SOURCES = tests/unit/test_profile_parse.c tests/unit/profile_tu.h
tests_unit_test_profile_parse_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS)
tests_unit_test_profile_parse_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_profile_parse_LDADD = $(PROFILE_TEST_LIBS)
EXTRA_DIST += examples/rooms.json examples/rooms.csv examples/one-appkey.json
check_PROGRAMS += tests/unit/test_profile_reconcile
TESTS += tests/unit/test_profile_reconcile
tests_unit_test_profile_reconcile_SOURCES = tests/unit/test_profile_reconcile.c \
	tests/unit/profile_tu.h
tests_unit_test_profile_reconcile_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS)
tests_unit_test_profile_reconcile_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_profile_reconcile_LDADD = $(PROFILE_TEST_LIBS)

# Fuzz target: the parser, and the reconciler on what parses (every request
# encodable, the plan converging); the corpus is replayed in make check.
check_PROGRAMS += tests/fuzz/fuzz_profile
TESTS += tests/fuzz/fuzz_profile
FUZZ_TARGETS += profile
tests_fuzz_fuzz_profile_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_profile_SOURCES = tests/fuzz/fuzz_profile.c tests/fuzz/replay.c
tests_fuzz_fuzz_profile_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"profile"'
tests_fuzz_fuzz_profile_LDADD = $(PROFILE_LIBS) src/core/libmp_core.a $(JSONC_LIBS)
EXTRA_DIST += tests/fuzz/corpus/profile

# The runner: a profile applied to several simulated nodes' Configuration
# Servers (sim/, written apart) through the Configuration Client, on a fake
# clock over a lossy fake link.
check_PROGRAMS += tests/unit/test_profile_run
TESTS += tests/unit/test_profile_run
tests_unit_test_profile_run_SOURCES = tests/unit/test_profile_run.c
tests_unit_test_profile_run_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_profile_run_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_profile_run_LDADD = $(PROFILE_LIBS) $(MP_SIM_LIBS) $(TEST_LIBS) $(JSONC_LIBS) \
	$(CRYPTO_LIBS)
