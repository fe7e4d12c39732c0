# config/: the Configuration Client's codecs: every Configuration message
# both ways, status codes named, Composition Data page 0; pure.
noinst_LIBRARIES += src/config/libmp_config.a
src_config_libmp_config_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_config_libmp_config_a_SOURCES = \
	src/config/msg.c include/config/msg.h \
	src/config/comp.c include/config/comp.h \
	src/config/client.c src/config/req.c include/config/client.h

CONFIG_TEST_LIBS = src/config/libmp_config.a src/access/libmp_access.a $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_config_msg
TESTS += tests/unit/test_config_msg
tests_unit_test_config_msg_SOURCES = tests/unit/test_config_msg.c
tests_unit_test_config_msg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_config_msg_LDADD = $(CONFIG_TEST_LIBS)

# The status decoders and Composition Data page 0, fuzzed; the corpus is
# replayed (truncations, bit flips) in make check.
check_PROGRAMS += tests/fuzz/fuzz_config_msg
TESTS += tests/fuzz/fuzz_config_msg
tests_fuzz_fuzz_config_msg_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_config_msg_SOURCES = tests/fuzz/fuzz_config_msg.c tests/fuzz/replay.c
tests_fuzz_fuzz_config_msg_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"config_msg"'
tests_fuzz_fuzz_config_msg_LDADD = src/config/libmp_config.a src/access/libmp_access.a \
	src/core/libmp_core.a

# The Configuration Client's request machine against several simulated
# nodes' Configuration Servers (sim/, written apart) over a lossy fake link.
check_PROGRAMS += tests/unit/test_cfg_client
TESTS += tests/unit/test_cfg_client
tests_unit_test_cfg_client_SOURCES = tests/unit/test_cfg_client.c
tests_unit_test_cfg_client_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cfg_client_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cfg_client_LDADD = src/config/libmp_config.a src/access/libmp_access.a \
	$(MP_SIM_LIBS) $(TEST_LIBS) $(CRYPTO_LIBS)
