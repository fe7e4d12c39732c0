# vm: end-to-end tests on a real kernel under QEMU (tests/vm/). They need
# root (packages, raw HCI in the guest) and several minutes, so they are not
# part of `make check`: `make check-vm` runs the scenarios, `make bench-vm`
# times BlueZ's provisioner against meshprov's.
VM_FILES = \
	tests/vm/README.md \
	tests/vm/run-in-vm tests/vm/check-vm tests/vm/bench-vm tests/vm/lib.sh \
	tests/vm/lib-dev.sh \
	tests/vm/guest/stage1 tests/vm/guest/stage2 \
	tests/vm/guest/mesh-node.py tests/vm/guest/jget.py tests/vm/guest/oob-helper.sh \
	tests/vm/guest/prov-trace.py tests/vm/guest/shell-session.py tests/vm/guest/caps-probe.py \
	tests/vm/tools/hciwatch.c tests/vm/tools/meshd-io-shim.c \
	tests/vm/scenarios/boot.sh tests/vm/scenarios/meshd-beacon.sh \
	tests/vm/scenarios/bluez-reference.sh tests/vm/scenarios/prov-noob.sh \
	tests/vm/scenarios/prov-static.sh tests/vm/scenarios/prov-output-input.sh \
	tests/vm/scenarios/prov-concurrent.sh \
	tests/vm/scenarios/prov-errors.sh tests/vm/scenarios/cdb-export.sh \
	tests/vm/scenarios/prov-own-oob.sh tests/vm/scenarios/gatt-link.sh \
	tests/vm/scenarios/prov-gatt.sh tests/vm/scenarios/prov-gatt-mixed.sh \
	tests/vm/scenarios/prov-gatt-concurrent.sh tests/vm/scenarios/prov-gatt-errors.sh \
	tests/vm/scenarios/prov-gatt-le-off.sh \
	tests/vm/scenarios/shell-scan.sh \
	tests/vm/scenarios/privs-caps.sh tests/vm/scenarios/prov-unprivileged.sh \
	tests/vm/scenarios/stations.sh tests/vm/scenarios/config-meshd.sh \
	tests/vm/scenarios/seq-kill9.sh tests/vm/scenarios/proxy-config.sh \
	tests/vm/scenarios/profile-meshd.sh \
	tests/vm/bench/bluez-sequential.sh tests/vm/bench/meshprov-mpdev.sh \
	tests/vm/bench/bluez-config.sh tests/vm/bench/meshprov-config.sh
EXTRA_DIST += $(VM_FILES)

# mpdev: an unprovisioned device of our own on a real controller (PB-ADV,
# and PB-GATT through a kernel L2CAP socket), for the scenarios meshd cannot
# play. Built by `make check` (not run by it: it needs a controller).
check_PROGRAMS += tests/vm/tools/mpdev
tests_vm_tools_mpdev_SOURCES = tests/vm/tools/mpdev.c tests/vm/tools/mpdev_gatt.c \
	tests/vm/tools/mpdev_prov.c tests/vm/tools/mpdev_node.c tests/vm/tools/mpdev.h
tests_vm_tools_mpdev_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_vm_tools_mpdev_LDADD = src/sim/libmp_sim.a src/mesh/libmp_mesh.a \
	src/transport/libmp_transport.a src/net/libmp_net.a src/prov/libmp_prov.a \
	src/gatt/libmp_gatt.a src/bearer/libmp_bearer.a src/adv/libmp_adv.a src/hci/libmp_hci.a \
	src/crypto/libmp_crypto.a src/core/libmp_core.a $(CRYPTO_LIBS) $(BLUEZ_LIBS)
MPDEV = $(abs_top_builddir)/tests/vm/tools/mpdev

# The scenarios use the meshprov and mpdev built here (skipped while missing).
check-vm: $(bin_PROGRAMS) tests/vm/tools/mpdev
	MESHPROV=$(abs_top_builddir)/meshprov MPDEV=$(MPDEV) $(top_srcdir)/tests/vm/check-vm

bench-vm: $(bin_PROGRAMS)
	MESHPROV=$(abs_top_builddir)/meshprov $(top_srcdir)/tests/vm/bench-vm

.PHONY: check-vm bench-vm
