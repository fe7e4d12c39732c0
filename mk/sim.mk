# sim/: a simulated unprovisioned device (the Provisionee side of the
# provisioning protocol, written apart from the provisioner so that the two
# check each other) for tests, the demo and the virtual radio.
noinst_LIBRARIES += src/sim/libmp_sim.a
src_sim_libmp_sim_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_sim_libmp_sim_a_SOURCES = \
	src/sim/device.c include/sim/device.h \
	src/sim/node_cfg.c src/sim/node_cfg_model.c src/sim/node_cfg_int.h \
	include/sim/node_cfg.h \
	src/sim/node.c include/sim/node.h
src_sim_libmp_sim_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

MP_SIM_LIBS = src/sim/libmp_sim.a src/mesh/libmp_mesh.a src/transport/libmp_transport.a \
	src/net/libmp_net.a src/prov/libmp_prov.a src/crypto/libmp_crypto.a

# The device's unit tests, in two programs sharing tests/unit/device_tu.[ch]:
# the spec's sample runs and the checks against them, then the other flows.
check_PROGRAMS += tests/unit/test_device
TESTS += tests/unit/test_device
tests_unit_test_device_SOURCES = tests/unit/test_device.c \
	tests/unit/device_tu.c tests/unit/device_tu.h
tests_unit_test_device_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_device_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_device_LDADD = $(MP_SIM_LIBS) $(TEST_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test_device_flows
TESTS += tests/unit/test_device_flows
tests_unit_test_device_flows_SOURCES = tests/unit/test_device_flows.c \
	tests/unit/device_tu.c tests/unit/device_tu.h
tests_unit_test_device_flows_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_device_flows_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_device_flows_LDADD = $(MP_SIM_LIBS) $(TEST_LIBS) $(CRYPTO_LIBS)

# The device fed arbitrary sequences of PDUs (length-prefixed chunks).
check_PROGRAMS += tests/fuzz/fuzz_device
TESTS += tests/fuzz/fuzz_device
tests_fuzz_fuzz_device_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_device_SOURCES = tests/fuzz/fuzz_device.c tests/fuzz/replay.c
tests_fuzz_fuzz_device_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) -DFUZZ_NAME='"device"'
tests_fuzz_fuzz_device_LDADD = $(MP_SIM_LIBS) src/core/libmp_core.a $(CRYPTO_LIBS)

# The node's Configuration Server (written apart from the client): every
# message family against hand-written bytes from the spec's layouts.
check_PROGRAMS += tests/unit/test_sim_cfg
TESTS += tests/unit/test_sim_cfg
tests_unit_test_sim_cfg_SOURCES = tests/unit/test_sim_cfg.c
tests_unit_test_sim_cfg_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sim_cfg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_cfg_LDADD = $(MP_SIM_LIBS) $(TEST_LIBS) $(CRYPTO_LIBS)

# The simulated node as a pure object against a provisioner-role mesh
# stack on an in-memory air: Network Transmit, composition, elements, reset.
check_PROGRAMS += tests/unit/test_sim_node_direct
TESTS += tests/unit/test_sim_node_direct
tests_unit_test_sim_node_direct_SOURCES = tests/unit/test_sim_node_direct.c
tests_unit_test_sim_node_direct_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sim_node_direct_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_node_direct_LDADD = $(MP_SIM_LIBS) $(TEST_LIBS) $(CRYPTO_LIBS)

# The Configuration Server fed arbitrary sequences of access messages.
check_PROGRAMS += tests/fuzz/fuzz_sim_cfg
TESTS += tests/fuzz/fuzz_sim_cfg
tests_fuzz_fuzz_sim_cfg_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
tests_fuzz_fuzz_sim_cfg_SOURCES = tests/fuzz/fuzz_sim_cfg.c tests/fuzz/replay.c
tests_fuzz_fuzz_sim_cfg_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) -DFUZZ_NAME='"sim_cfg"'
tests_fuzz_fuzz_sim_cfg_LDADD = $(MP_SIM_LIBS) src/core/libmp_core.a $(CRYPTO_LIBS)
EXTRA_DIST += tests/fuzz/corpus/sim_cfg

# The simulated radio: the devices above behind the radio interface
# (radio/radio.h), over PB-ADV and PB-GATT. Apart from libmp_sim.a, which
# the provisioner's own tests use without any radio.
noinst_LIBRARIES += src/sim/libmp_simradio.a
src_sim_libmp_simradio_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_sim_libmp_simradio_a_SOURCES = src/sim/radio.c src/sim/radio_gatt.c src/sim/radio_proxy.c \
	src/sim/radio_int.h \
	include/sim/radio.h
