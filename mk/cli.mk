# cli/: the meshprov program: main (options, exit codes), the command table,
# the shell (readline), scripts and batch files, output (text / JSON lines).
bin_PROGRAMS += meshprov
MP_CLI_SOURCES = \
	src/cli/app.c src/cli/app.h \
	src/cli/batch.c src/cli/batch.h \
	src/cli/batchfile.c src/cli/batchfile.h \
	src/cli/commands.c src/cli/commands.h src/cli/handlers.h \
	src/cli/complete.c src/cli/complete.h \
	src/cli/cmd_config.c \
	src/cli/cmd_configure.c src/cli/configure.h \
	src/cli/cmd_group.c src/cli/group.c src/cli/group.h \
	src/cli/cmd_keyring.c \
	src/cli/cmd_netkey.c src/cli/net.h \
	src/cli/cmd_station.c \
	src/cli/le.c src/cli/le.h \
	src/cli/net_proxy.c src/cli/net_proxy.h \
	src/cli/nodecfg.c src/cli/nodecfg.h \
	src/cli/output.c src/cli/output.h \
	src/cli/parse.c src/cli/parse.h \
	src/cli/passphrase.c src/cli/passphrase.h \
	src/cli/privs.c src/cli/privs.h \
	src/cli/redact.c src/cli/redact.h \
	src/cli/secret.c src/cli/secret.h \
	src/cli/oobprompt.c src/cli/oobprompt.h \
	src/cli/shell.c src/cli/shell.h
meshprov_SOURCES = src/cli/main.c $(MP_CLI_SOURCES)
meshprov_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS) $(JSONC_CFLAGS) $(READLINE_CFLAGS)
meshprov_LDADD = src/profile/libmp_profile.a $(MP_STACK_LIBS) $(MP_STACK_EXTLIBS) $(READLINE_LIBS)

# Unit tests of the pure parsers (words, UUIDs, hex, batch lines; batch
# files against the spreadsheet samples in tests/integration/batch/).
check_PROGRAMS += tests/unit/test_cli_parse tests/unit/test_cli_batch
TESTS += tests/unit/test_cli_parse tests/unit/test_cli_batch
tests_unit_test_cli_parse_SOURCES = tests/unit/test_cli_parse.c src/cli/parse.c \
	src/cli/parse.h src/cli/batchfile.c src/cli/batchfile.h
tests_unit_test_cli_parse_CFLAGS = $(TEST_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_unit_test_cli_parse_LDADD = src/crypto/libmp_crypto.a src/core/libmp_core.a $(TEST_LIBS) \
	$(CRYPTO_LIBS)
tests_unit_test_cli_batch_SOURCES = tests/unit/test_cli_batch.c src/cli/parse.c \
	src/cli/parse.h src/cli/batchfile.c src/cli/batchfile.h
tests_unit_test_cli_batch_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMP_BATCH_SAMPLES='"$(abs_top_srcdir)/tests/integration/batch"'
tests_unit_test_cli_batch_CFLAGS = $(TEST_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_unit_test_cli_batch_LDADD = $(tests_unit_test_cli_parse_LDADD)

# Fuzz target: the batch file reader (tests/fuzz/corpus/batch).
check_PROGRAMS += tests/fuzz/fuzz_batch
TESTS += tests/fuzz/fuzz_batch
tests_fuzz_fuzz_batch_SOURCES = tests/fuzz/fuzz_batch.c tests/fuzz/replay.c src/cli/parse.c \
	src/cli/batchfile.c
tests_fuzz_fuzz_batch_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"batch"'
tests_fuzz_fuzz_batch_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_batch_LDADD = src/crypto/libmp_crypto.a src/core/libmp_core.a $(CRYPTO_LIBS)
EXTRA_DIST += tests/fuzz/corpus/batch tests/integration/batch

# Decoded Configuration messages recorded in the keyring (config -> store).
check_PROGRAMS += tests/unit/test_cli_nodecfg
TESTS += tests/unit/test_cli_nodecfg
tests_unit_test_cli_nodecfg_SOURCES = tests/unit/test_cli_nodecfg.c src/cli/nodecfg.c \
	src/cli/nodecfg.h tests/unit/keyring_tu.h
tests_unit_test_cli_nodecfg_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cli_nodecfg_CFLAGS = $(TEST_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_unit_test_cli_nodecfg_LDADD = src/config/libmp_config.a src/access/libmp_access.a \
	$(STORE_TEST_LIBS)

# A group name wherever an address is accepted (issue #14).
check_PROGRAMS += tests/unit/test_cli_group
TESTS += tests/unit/test_cli_group
tests_unit_test_cli_group_SOURCES = tests/unit/test_cli_group.c src/cli/group.c \
	src/cli/group.h src/cli/parse.c src/cli/parse.h tests/unit/keyring_tu.h
tests_unit_test_cli_group_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cli_group_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_cli_group_LDADD = $(STORE_TEST_LIBS)

# Unit tests of what messages echo: secrets masked, control bytes escaped.
check_PROGRAMS += tests/unit/test_cli_redact
TESTS += tests/unit/test_cli_redact
tests_unit_test_cli_redact_SOURCES = tests/unit/test_cli_redact.c src/cli/redact.c \
	src/cli/redact.h
tests_unit_test_cli_redact_CFLAGS = $(TEST_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_unit_test_cli_redact_LDADD = src/crypto/libmp_crypto.a src/core/libmp_core.a $(TEST_LIBS) \
	$(CRYPTO_LIBS)

# The static OOB value is wiped before the memory that held it is freed
# (issue #12): the CLI's sources without main.c, every free() checked.
check_PROGRAMS += tests/unit/test_cli_wipe
TESTS += tests/unit/test_cli_wipe
tests_unit_test_cli_wipe_SOURCES = tests/unit/test_cli_wipe.c $(MP_CLI_SOURCES)
tests_unit_test_cli_wipe_CFLAGS = $(TEST_CFLAGS) $(MP_SWITCH_CFLAGS) $(READLINE_CFLAGS)
tests_unit_test_cli_wipe_LDFLAGS = -Wl,--wrap=free
tests_unit_test_cli_wipe_LDADD = src/profile/libmp_profile.a $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS) $(READLINE_LIBS)

# The real binary: in batch mode against simulated devices, the shell under
# a pseudo-terminal, and the command table against help, the man page and
# the completions.
TESTS += tests/integration/cli.sh \
	tests/integration/shell.py \
	tests/integration/docs.sh \
	tests/integration/zsh-complete.py \
	tests/integration/stations.sh \
	tests/integration/config.sh \
	tests/integration/groups.sh \
	tests/integration/complete-groups.py \
	tests/integration/complete-config.py \
	tests/integration/keyrefresh.sh \
	tests/integration/proxy.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/cli.sh tests/integration/shell.py tests/integration/docs.sh \
	tests/integration/stations.sh tests/integration/config.sh tests/integration/groups.sh \
	tests/integration/keyrefresh.sh tests/integration/proxy.sh \
	tests/integration/zsh-complete.py tests/integration/ptytest.py tests/integration/faildisk.c \
	tests/integration/complete-groups.py tests/integration/complete-config.py \
	completions/gen-completions.py
# Profiles applied by the real binary to --sim nodes (issue #14).
TESTS += tests/integration/profile.sh
EXTRA_DIST += tests/integration/profile.sh
# Runs cut short (Ctrl-C in the shell, kill -9) and resumed (issue #14).
TESTS += tests/integration/profile-resume.sh
EXTRA_DIST += tests/integration/profile-resume.sh
TESTS_ENVIRONMENT = MESHPROV=$(abs_top_builddir)/meshprov; export MESHPROV; \
	MESHPROV_SRCDIR=$(abs_top_srcdir); export MESHPROV_SRCDIR;

# Documentation and completions, installed by `make install`.
dist_man_MANS = man/meshprov.1 man/meshprov-keyring.5 man/meshprov-profile.5
bashcompletiondir = $(datadir)/bash-completion/completions
zshcompletiondir = $(datadir)/zsh/site-functions
dist_zshcompletion_DATA = completions/_meshprov
EXTRA_DIST += completions/meshprov.bash
# bash-completion finds a command's completion by the command's name.
install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion
install-bash-completion:
	$(MKDIR_P) $(DESTDIR)$(bashcompletiondir)
	$(INSTALL_DATA) $(srcdir)/completions/meshprov.bash $(DESTDIR)$(bashcompletiondir)/meshprov
uninstall-bash-completion:
	rm -f $(DESTDIR)$(bashcompletiondir)/meshprov
.PHONY: install-bash-completion uninstall-bash-completion
