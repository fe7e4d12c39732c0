/* A fake controller for the HCI transport tests: the test holds one end of a
 * SOCK_SEQPACKET socketpair and plays the controller with recorded bytes, the
 * struct mp_hci under test holds the other; time is a fake clock. */
#ifndef MP_TEST_FAKE_HCI_H
#define MP_TEST_FAKE_HCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "hci/hci.h"

#define FAKE_MAX_REPORTS 16

struct fake_hci {
	struct mp_loop *loop;
	uint64_t now;
	int ctrl;		/* the controller's end */
	struct mp_hci *hci;

	int ready_calls;
	int ready_status;
	int gone_calls;
	int gone_err;
	int nreports;
	struct mp_hci_adv_report reports[FAKE_MAX_REPORTS];
	uint8_t report_data[FAKE_MAX_REPORTS][256];
	bool close_in_ready;	/* mp_hci_close() from the ready callback */
	bool close_in_gone;
};

/** Loop with a fake clock at 1000 ms, socketpair, mp_hci_new_fd(@cfg). */
void fake_setup(struct fake_hci *f, const struct mp_hci_config *cfg);
/** Close what is left. */
void fake_teardown(struct fake_hci *f);

/** Run the loop until nothing more happens (zero timeouts). */
void fake_run(struct fake_hci *f);
/** Move the clock on by @ms and run. */
void fake_advance(struct fake_hci *f, uint64_t ms);

/** Read the next command the host sent: returns its parameter length, or -1 if none. */
int fake_read_cmd(struct fake_hci *f, uint16_t *opcode, uint8_t *params, size_t cap);
/** Assert the next command is @opcode with parameters @hex (spaces ignored). */
#define fake_expect_cmd(f, op, hex) _fake_expect_cmd((f), (op), (hex), __FILE__, __LINE__)
void _fake_expect_cmd(struct fake_hci *f, uint16_t opcode, const char *hex, const char *file,
		      int line);
/** Assert the host sent nothing more. */
#define fake_expect_none(f) _fake_expect_none((f), __FILE__, __LINE__)
void _fake_expect_none(struct fake_hci *f, const char *file, int line);

/** Send a raw packet (hex, indicator first) to the host, then run. */
void fake_send(struct fake_hci *f, const char *hex);
/** Command Complete for @opcode: Num_HCI_Command_Packets 1, @status, then @ret hex. */
void fake_complete(struct fake_hci *f, uint16_t opcode, uint8_t status, const char *ret);
/** Command Status for @opcode. */
void fake_cmd_status(struct fake_hci *f, uint16_t opcode, uint8_t status);

/** Drive the start sequence up to the LE Set Event Mask, with LE features @features. */
void fake_init_common(struct fake_hci *f, uint64_t features);
/** ... and then legacy scanning, successfully. */
void fake_init_legacy(struct fake_hci *f);

#endif
