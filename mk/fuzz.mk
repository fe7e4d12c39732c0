# Fuzz targets: each layer adds its own in its fragment, as
#   check_PROGRAMS += tests/fuzz/fuzz_NAME
#   TESTS += tests/fuzz/fuzz_NAME
#   tests_fuzz_fuzz_NAME_SOURCES = tests/fuzz/fuzz_NAME.c tests/fuzz/replay.c
#   tests_fuzz_fuzz_NAME_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"NAME"'
#   tests_fuzz_fuzz_NAME_LDADD = <layer libraries> $(CRYPTO_LIBS)
# with a seed corpus in tests/fuzz/corpus/NAME/. make check replays the corpus
# with truncations and bit flips (tests/fuzz/replay.c); tools/fuzz NAME runs
# libFuzzer.
EXTRA_DIST += tools/fuzz
# The corpora no layer fragment lists yet, the seed writer of the
# provisioner's corpus, and what the targets are (tests/fuzz/README.md).
EXTRA_DIST += tests/fuzz/corpus/config_msg tests/fuzz/corpus/device \
	tests/fuzz/corpus/prov_pdu tests/fuzz/corpus/provisioner \
	tests/fuzz/gen-provisioner-seeds.py tests/fuzz/README.md
