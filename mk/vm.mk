# vm: end-to-end tests on a real kernel under QEMU (tests/vm/). They need
# root (packages, raw HCI in the guest) and several minutes, so they are not
# part of `make check`: `make check-vm` runs the scenarios, `make bench-vm`
# times BlueZ's provisioner against meshprov's.
VM_FILES = \
	tests/vm/README.md \
	tests/vm/run-in-vm tests/vm/check-vm tests/vm/bench-vm tests/vm/lib.sh \
	tests/vm/guest/stage1 tests/vm/guest/stage2 \
	tests/vm/guest/mesh-node.py tests/vm/guest/jget.py tests/vm/guest/oob-helper.sh \
	tests/vm/guest/prov-trace.py \
	tests/vm/tools/hciwatch.c tests/vm/tools/meshd-io-shim.c \
	tests/vm/scenarios/boot.sh tests/vm/scenarios/meshd-beacon.sh \
	tests/vm/scenarios/bluez-reference.sh tests/vm/scenarios/prov-noob.sh \
	tests/vm/scenarios/prov-static.sh tests/vm/scenarios/prov-output-input.sh \
	tests/vm/scenarios/prov-concurrent.sh \
	tests/vm/scenarios/prov-errors.sh tests/vm/scenarios/cdb-export.sh
EXTRA_DIST += $(VM_FILES)

# The scenarios use the meshprov built here (skipped while it is missing).
check-vm: $(bin_PROGRAMS)
	MESHPROV=$(abs_top_builddir)/meshprov $(top_srcdir)/tests/vm/check-vm

bench-vm: $(bin_PROGRAMS)
	MESHPROV=$(abs_top_builddir)/meshprov $(top_srcdir)/tests/vm/bench-vm

.PHONY: check-vm bench-vm
