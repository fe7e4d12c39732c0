# prov/: provisioning PDUs and the provisioner state machine (pure).
noinst_LIBRARIES += src/prov/libmp_prov.a
src_prov_libmp_prov_a_SOURCES = \
	src/prov/pdu.c include/prov/pdu.h
src_prov_libmp_prov_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
