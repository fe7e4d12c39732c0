# cli/: the meshprov program.
bin_PROGRAMS += meshprov
meshprov_SOURCES = \
	src/cli/main.c \
	src/cli/output.c include/cli/output.h
meshprov_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
meshprov_LDADD = $(MP_STACK_LIBS) $(MP_STACK_EXTLIBS)

# The real binary against simulated devices.
TESTS += tests/integration/cli.sh
EXTRA_DIST += tests/integration/cli.sh
TESTS_ENVIRONMENT = MESHPROV=$(abs_top_builddir)/meshprov; export MESHPROV;
