# models/: the messages of the models an installer reaches for after
# configuring: Health Attention (which node is it?) and Generic OnOff (does
# the binding work?); codecs and the answers they expect; pure.
noinst_LIBRARIES += src/models/libmp_models.a
src_models_libmp_models_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_models_libmp_models_a_SOURCES = \
	src/models/health.c include/models/health.h \
	src/models/onoff.c include/models/onoff.h

check_PROGRAMS += tests/unit/test_models
TESTS += tests/unit/test_models
tests_unit_test_models_SOURCES = tests/unit/test_models.c
tests_unit_test_models_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_models_LDADD = src/models/libmp_models.a src/access/libmp_access.a $(TEST_LIBS)

# The decoders fed anything: whatever decodes encodes back to the same octets.
check_PROGRAMS += tests/fuzz/fuzz_models
TESTS += tests/fuzz/fuzz_models
tests_fuzz_fuzz_models_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_models_SOURCES = tests/fuzz/fuzz_models.c tests/fuzz/replay.c
tests_fuzz_fuzz_models_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"models"'
tests_fuzz_fuzz_models_LDADD = src/models/libmp_models.a src/access/libmp_access.a \
	src/core/libmp_core.a
EXTRA_DIST += tests/fuzz/corpus/models
