# engine/: provisioning sessions over a radio (controller or simulator).
noinst_LIBRARIES += src/engine/libmp_engine.a
src_engine_libmp_engine_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_engine_libmp_engine_a_SOURCES = \
	src/engine/engine.c include/engine/engine.h \
	src/engine/fail.c \
	src/engine/gatt_link.c src/engine/gatt_link.h \
	src/engine/mesh_link.c include/engine/mesh_link.h \
	src/engine/net_adv.c src/engine/net_adv.h \
	src/engine/proxy_link.c include/engine/proxy_link.h \
	src/engine/scan_table.c include/engine/scan_table.h

# Everything below the CLI, in link order.
MP_STACK_LIBS = src/engine/libmp_engine.a src/radio/libmp_radio.a src/sim/libmp_simradio.a \
	src/sim/libmp_sim.a src/mesh/libmp_mesh.a src/transport/libmp_transport.a \
	src/hci/libmp_hci.a src/store/libmp_store.a src/prov/libmp_prov.a \
	src/gatt/libmp_gatt.a src/bearer/libmp_bearer.a src/adv/libmp_adv.a \
	src/config/libmp_config.a src/models/libmp_models.a src/mesh/libmp_mesh.a \
	src/transport/libmp_transport.a src/access/libmp_access.a src/net/libmp_net.a \
	src/crypto/libmp_crypto.a src/core/libmp_core.a
MP_STACK_EXTLIBS = $(JSONC_LIBS) $(CRYPTO_LIBS) $(BLUEZ_LIBS)

# The engine against simulated devices: the whole stack below the CLI back
# to back in one process, on the real loop with a fake clock.
check_PROGRAMS += tests/unit/test_engine
TESTS += tests/unit/test_engine
tests_unit_test_engine_SOURCES = tests/unit/test_engine.c tests/unit/engine_tu.h \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
tests_unit_test_engine_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_engine_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# Every free() checked for the static OOB value (issue #12).
check_PROGRAMS += tests/unit/test_engine_wipe
TESTS += tests/unit/test_engine_wipe
tests_unit_test_engine_wipe_SOURCES = tests/unit/test_engine_wipe.c tests/unit/engine_tu.h \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
tests_unit_test_engine_wipe_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_engine_wipe_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_wipe_LDFLAGS = -Wl,--wrap=free
tests_unit_test_engine_wipe_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

MP_BENCHES += bench/bench_engine
bench_bench_engine_SOURCES = bench/bench_engine.c \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
bench_bench_engine_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_engine_LDADD = $(MP_STACK_LIBS) src/core/libmp_core.a $(MP_STACK_EXTLIBS)

# The engine over PB-GATT (and PB-ADV beside it) against simulated devices.
check_PROGRAMS += tests/unit/test_engine_gatt
TESTS += tests/unit/test_engine_gatt
tests_unit_test_engine_gatt_SOURCES = tests/unit/test_engine_gatt.c \
	tests/unit/engine_harness.c tests/unit/engine_harness.h tests/unit/engine_tu.h
tests_unit_test_engine_gatt_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_engine_gatt_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_gatt_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# The scan table alone, on a fake clock.
check_PROGRAMS += tests/unit/test_scan_table
TESTS += tests/unit/test_scan_table
tests_unit_test_scan_table_SOURCES = tests/unit/test_scan_table.c
tests_unit_test_scan_table_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_scan_table_LDADD = src/engine/libmp_engine.a src/adv/libmp_adv.a $(TEST_LIBS)

# The failure reasons: one name each, all in the man page.
check_PROGRAMS += tests/unit/test_engine_fail
TESTS += tests/unit/test_engine_fail
tests_unit_test_engine_fail_SOURCES = tests/unit/test_engine_fail.c
tests_unit_test_engine_fail_CPPFLAGS = $(AM_CPPFLAGS) -DMP_MANPAGE='"$(abs_top_srcdir)/man/meshprov.1"'
tests_unit_test_engine_fail_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_fail_LDADD = src/engine/libmp_engine.a src/prov/libmp_prov.a \
	src/crypto/libmp_crypto.a $(TEST_LIBS) $(CRYPTO_LIBS)

# What the engine hears: the sighting rule through the engine, the table of
# AD receivers, the radio's one receiver.
check_PROGRAMS += tests/unit/test_engine_rx
TESTS += tests/unit/test_engine_rx
tests_unit_test_engine_rx_SOURCES = tests/unit/test_engine_rx.c \
	tests/unit/engine_harness.c tests/unit/engine_harness.h tests/unit/engine_tu.h
tests_unit_test_engine_rx_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_engine_rx_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_rx_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# Network PDUs on the advertising bearer: Network Transmit on the fake
# clock, beside a PB-ADV link, and the Mesh Messages heard (issue #13).
check_PROGRAMS += tests/unit/test_engine_net
TESTS += tests/unit/test_engine_net
tests_unit_test_engine_net_SOURCES = tests/unit/test_engine_net.c \
	tests/unit/engine_harness.c tests/unit/engine_harness.h tests/unit/engine_tu.h
tests_unit_test_engine_net_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_engine_net_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_engine_net_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# The GATT Proxy bearer against a fake node (the GATT server with the Mesh
# Proxy Service, a proxy filter written in the test) (issue #13).
check_PROGRAMS += tests/unit/test_proxy_link
TESTS += tests/unit/test_proxy_link
tests_unit_test_proxy_link_SOURCES = tests/unit/test_proxy_link.c
tests_unit_test_proxy_link_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_proxy_link_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_proxy_link_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# The simulated node end to end (sim/node.h): a device provisioned by the
# engine becomes a node on the simulated radio, configured and driven by a
# provisioner-role mesh stack over the engine's Mesh Message bearer.
check_PROGRAMS += tests/unit/test_sim_node
TESTS += tests/unit/test_sim_node
tests_unit_test_sim_node_SOURCES = tests/unit/test_sim_node.c \
	tests/unit/sim_node_world.c tests/unit/sim_node_world.h \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
tests_unit_test_sim_node_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sim_node_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_node_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# The provisioner's network against a node-role mesh stack (issue #13).
check_PROGRAMS += tests/unit/test_mesh_link
TESTS += tests/unit/test_mesh_link
tests_unit_test_mesh_link_SOURCES = tests/unit/test_mesh_link.c tests/unit/engine_tu.h \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
tests_unit_test_mesh_link_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_mesh_link_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mesh_link_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# The simulated radio's air (a latency on every copy) and a building of
# devices of different compositions, provisioned through the engine
# (issue #14: the building benchmark's radio model).
check_PROGRAMS += tests/unit/test_sim_radio
TESTS += tests/unit/test_sim_radio
tests_unit_test_sim_radio_SOURCES = tests/unit/test_sim_radio.c \
	tests/unit/engine_harness.c tests/unit/engine_harness.h tests/unit/engine_tu.h
tests_unit_test_sim_radio_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sim_radio_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_radio_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)

# A building: N simulated devices provisioned and configured with a profile
# through the engine, the network and the Configuration Client, on a fake
# clock (issue #14). Figures printed; the nodes' state checked.
MP_BENCHES += bench/bench_building
bench_bench_building_SOURCES = bench/bench_building.c
bench_bench_building_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS) \
	-DMP_EXAMPLES_DIR='"$(abs_top_srcdir)/examples"'
bench_bench_building_LDADD = src/profile/libmp_profile.a $(MP_STACK_LIBS) \
	src/core/libmp_core.a $(MP_STACK_EXTLIBS)

# The simulated node's GATT Proxy server against the engine's proxy client
# and the provisioner's network, on the harness.
check_PROGRAMS += tests/unit/test_sim_proxy
TESTS += tests/unit/test_sim_proxy
tests_unit_test_sim_proxy_SOURCES = tests/unit/test_sim_proxy.c tests/unit/engine_tu.h \
	tests/unit/engine_harness.c tests/unit/engine_harness.h
tests_unit_test_sim_proxy_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sim_proxy_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_proxy_LDADD = $(MP_STACK_LIBS) $(TEST_LIBS) $(MP_STACK_EXTLIBS)
