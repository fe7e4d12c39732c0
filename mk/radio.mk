# radio/: the radio interface under the engine (include/radio/radio.h), and
# its implementation on a real controller over hci/ (raw HCI for scanning
# and advertising, kernel L2CAP sockets for PB-GATT connections). The
# simulated radio implements the same interface in sim/.
noinst_LIBRARIES += src/radio/libmp_radio.a
src_radio_libmp_radio_a_CFLAGS = $(AM_CFLAGS) $(MP_SWITCH_CFLAGS)
src_radio_libmp_radio_a_SOURCES = \
	include/radio/radio.h \
	src/radio/hci_radio.c include/radio/hci_radio.h
