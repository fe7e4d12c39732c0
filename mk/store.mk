# store/: the keyring (locked, atomic, versioned JSON file, optional
# encryption at rest) and Mesh Configuration Database import/export.
noinst_LIBRARIES += src/store/libmp_store.a
src_store_libmp_store_a_SOURCES = \
	src/store/keyring.c include/store/keyring.h \
	src/store/nodes.c include/store/nodes.h \
	src/store/cdb.c include/store/cdb.h \
	src/store/stations.c include/store/stations.h \
	src/store/merge.c include/store/merge.h \
	src/store/node_config.c include/store/node_config.h \
	src/store/kr_nodecfg.c \
	src/store/scenes.c include/store/scenes.h \
	src/store/kr_scenes.c \
	src/store/kr_int.h \
	src/store/kr_util.c \
	src/store/kr_json.c \
	src/store/kr_format.c \
	src/store/kr_records.c \
	src/store/kr_write.c \
	src/store/kr_crypt.c \
	src/store/kr_file.c \
	src/store/seq.c include/store/seq.h \
	src/store/rpl.c include/store/rpl.h
src_store_libmp_store_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
src_store_libmp_store_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)

# The store and what it stands on, in link order (then $(JSONC_LIBS) $(CRYPTO_LIBS)).
STORE_LIBS = src/store/libmp_store.a src/crypto/libmp_crypto.a src/core/libmp_core.a
STORE_TEST_LIBS = $(STORE_LIBS) $(TEST_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test_keyring tests/unit/test_keyring_crash tests/unit/test_cdb \
	tests/unit/test_keyring_files tests/unit/test_keyring_limits tests/unit/test_keyring_seq \
	tests/unit/test_stations tests/unit/test_merge
TESTS += tests/unit/test_keyring tests/unit/test_keyring_crash tests/unit/test_cdb \
	tests/unit/test_keyring_files tests/unit/test_keyring_limits tests/unit/test_keyring_seq \
	tests/unit/test_stations tests/unit/test_merge

tests_unit_test_keyring_SOURCES = tests/unit/test_keyring.c tests/unit/keyring_tu.h
tests_unit_test_keyring_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_keyring_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_keyring_LDADD = $(STORE_TEST_LIBS)

tests_unit_test_keyring_crash_SOURCES = tests/unit/test_keyring_crash.c tests/unit/keyring_tu.h
tests_unit_test_keyring_crash_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_keyring_crash_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_keyring_crash_LDADD = $(STORE_TEST_LIBS)

tests_unit_test_keyring_files_SOURCES = tests/unit/test_keyring_files.c tests/unit/keyring_tu.h
tests_unit_test_keyring_files_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_keyring_files_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_keyring_files_LDADD = $(STORE_TEST_LIBS)

tests_unit_test_keyring_limits_SOURCES = tests/unit/test_keyring_limits.c tests/unit/keyring_tu.h
tests_unit_test_keyring_limits_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_keyring_limits_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_keyring_limits_LDADD = $(STORE_TEST_LIBS)

# SEQ blocks, and 50 kill -9 of a child allocating SEQs: none reported twice.
check_PROGRAMS += tests/unit/test_seq
TESTS += tests/unit/test_seq
tests_unit_test_seq_SOURCES = tests/unit/test_seq.c tests/unit/keyring_tu.h
tests_unit_test_seq_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_seq_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_seq_LDADD = $(STORE_TEST_LIBS)

# The replay list's journal: torn at every offset, compaction, 32,767 sources,
# foreign files and bad permissions refused.
check_PROGRAMS += tests/unit/test_rpl
TESTS += tests/unit/test_rpl
tests_unit_test_rpl_SOURCES = tests/unit/test_rpl.c tests/unit/keyring_tu.h
tests_unit_test_rpl_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_rpl_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_rpl_LDADD = $(STORE_TEST_LIBS)

# The IV machine wired to the keyring, the SEQ allocator and the replay list.
check_PROGRAMS += tests/unit/test_iv_store
TESTS += tests/unit/test_iv_store
tests_unit_test_iv_store_SOURCES = tests/unit/test_iv_store.c tests/unit/keyring_tu.h
tests_unit_test_iv_store_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_iv_store_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_iv_store_LDADD = src/net/libmp_net.a $(STORE_TEST_LIBS)

# A keyring file of format version 1, as meshprov wrote it: migrated on open.
tests_unit_test_keyring_seq_SOURCES = tests/unit/test_keyring_seq.c tests/unit/keyring_tu.h
tests_unit_test_keyring_seq_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) \
	-DMP_KEYRING_V1_PATH='"$(abs_top_srcdir)/tests/vectors/keyring-v1.json"'
tests_unit_test_keyring_seq_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_keyring_seq_LDADD = $(STORE_TEST_LIBS)
EXTRA_DIST += tests/vectors/keyring-v1.json

tests_unit_test_stations_SOURCES = tests/unit/test_stations.c tests/unit/keyring_tu.h
tests_unit_test_stations_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_stations_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_stations_LDADD = $(STORE_TEST_LIBS)

tests_unit_test_merge_SOURCES = tests/unit/test_merge.c tests/unit/keyring_tu.h
tests_unit_test_merge_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_merge_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_merge_LDADD = $(STORE_TEST_LIBS)

# Node configuration and groups, with hand-written CDBs of other tools.
check_PROGRAMS += tests/unit/test_cdb_config
TESTS += tests/unit/test_cdb_config
tests_unit_test_cdb_config_SOURCES = tests/unit/test_cdb_config.c tests/unit/keyring_tu.h
tests_unit_test_cdb_config_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) \
	-DMP_CDB_FIXTURES='"$(abs_top_srcdir)/tests/vectors"'
tests_unit_test_cdb_config_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cdb_config_LDADD = $(STORE_TEST_LIBS)
EXTRA_DIST += tests/vectors/cdb

tests_unit_test_cdb_SOURCES = tests/unit/test_cdb.c tests/unit/keyring_tu.h
tests_unit_test_cdb_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cdb_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cdb_LDADD = $(STORE_TEST_LIBS)

# Fuzz targets: the keyring reader and the CDB importer, from bytes in memory.
check_PROGRAMS += tests/fuzz/fuzz_keyring tests/fuzz/fuzz_cdb
TESTS += tests/fuzz/fuzz_keyring tests/fuzz/fuzz_cdb
FUZZ_TARGETS += keyring cdb
tests_fuzz_fuzz_keyring_SOURCES = tests/fuzz/fuzz_keyring.c tests/fuzz/replay.c
tests_fuzz_fuzz_keyring_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS) \
	-DFUZZ_NAME='"keyring"'
tests_fuzz_fuzz_keyring_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_keyring_LDADD = $(STORE_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)
tests_fuzz_fuzz_cdb_SOURCES = tests/fuzz/fuzz_cdb.c tests/fuzz/replay.c
tests_fuzz_fuzz_cdb_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS) \
	-DFUZZ_NAME='"cdb"'
tests_fuzz_fuzz_cdb_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_cdb_LDADD = $(STORE_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)
EXTRA_DIST += tests/fuzz/corpus/keyring tests/fuzz/corpus/cdb

# Load and save of a keyring with 10,000 nodes.
MP_BENCHES += bench/bench_keyring
bench_bench_keyring_SOURCES = bench/bench_keyring.c
bench_bench_keyring_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
bench_bench_keyring_LDADD = $(STORE_LIBS) $(JSONC_LIBS) $(CRYPTO_LIBS)

# Scenes in the keyring file and the CDB, nRF Mesh's exports of them.
check_PROGRAMS += tests/unit/test_scenes
TESTS += tests/unit/test_scenes
tests_unit_test_scenes_SOURCES = tests/unit/test_scenes.c tests/unit/keyring_tu.h
tests_unit_test_scenes_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JSONC_CFLAGS) \
	-DMP_CDB_FIXTURES='"$(abs_top_srcdir)/tests/vectors"'
tests_unit_test_scenes_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_scenes_LDADD = $(STORE_TEST_LIBS)
