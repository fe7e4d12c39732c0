# engine/: provisioning sessions over a radio (controller or simulator).
noinst_LIBRARIES += src/engine/libmp_engine.a
src_engine_libmp_engine_a_SOURCES = \
	src/engine/engine.c include/engine/engine.h include/engine/radio.h

# The simulated radio lives in sim/ but needs the engine's radio interface.
noinst_LIBRARIES += src/sim/libmp_simradio.a
src_sim_libmp_simradio_a_SOURCES = src/sim/radio.c include/sim/radio.h

# Everything below the CLI, in link order.
MP_STACK_LIBS = src/engine/libmp_engine.a src/sim/libmp_simradio.a src/sim/libmp_sim.a \
	src/hci/libmp_hci.a src/store/libmp_store.a src/prov/libmp_prov.a \
	src/bearer/libmp_bearer.a src/crypto/libmp_crypto.a src/core/libmp_core.a
MP_STACK_EXTLIBS = $(JSONC_LIBS) $(CRYPTO_LIBS) $(BLUEZ_LIBS)
