# vm: end-to-end tests on a real kernel under QEMU (tests/vm/)
