/* The kernel's LE setting of the controller; see src/cli/le.h. */
#include "cli/le.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/privs.h"
#include "hci/mgmt.h"

void mp_cli_le_config(const struct mp_cli_app *a, struct mp_hci_config *cfg,
		      struct mp_hci_le_report *rep)
{
	enum mp_cli_le_need need = a->le_need;

	/* the shell and scripts may provision over PB-GATT later */
	if (a->mode != MP_CLI_ONESHOT && need == MP_CLI_LE_NONE)
		need = MP_CLI_LE_MAY;
	memset(rep, 0, sizeof(*rep));
	cfg->le_report = rep;
	cfg->admin = mp_cli_privs_admin();
	cfg->le_required = need == MP_CLI_LE_MUST;
	cfg->le = need == MP_CLI_LE_NONE ? MP_HCI_LE_LEAVE :
		a->o.no_le_on ? MP_HCI_LE_CHECK : MP_HCI_LE_ENABLE;
}

/* Why LE is still off: the words after "LE is off in the kernel". */
static void why_off(const struct mp_cli_app *a, const struct mp_hci_le_report *r,
		    char *buf, size_t len)
{
	if (a->o.no_le_on)
		snprintf(buf, len, " (--no-le-on: left as it is)");
	else if (r->set_status == MP_MGMT_PERMISSION_DENIED)
		snprintf(buf, len, " and meshprov may not turn it on (that needs CAP_NET_ADMIN)");
	else if (r->set_status)
		snprintf(buf, len, " and the kernel refused to turn it on (%s)",
			 mp_mgmt_strstatus(r->set_status));
	else if (r->set_err)
		snprintf(buf, len, " and turning it on failed (%s)", strerror(-r->set_err));
	else
		buf[0] = '\0';
}

bool mp_cli_le_said(struct mp_cli_app *a, int err, const struct mp_hci_le_report *r)
{
	bool verbose = a->out.verbose > 0;
	char why[128];
	int i = r->index;

	/* the controller is taken (or refused for good): the setting is
	 * read, changed or not; CAP_NET_ADMIN is not needed any more */
	if (err == 0 || err == -ENOPROTOOPT)
		mp_cli_privs_admin_done();
	if (!r->checked)
		return false;
	if (r->err) {
		if (verbose)
			fprintf(stderr, "meshprov: hci%d: cannot read the kernel's LE setting "
				"(management interface: %s); going on without it\n", i,
				r->err == -EPROTO ? mp_mgmt_strstatus(r->status) :
				strerror(-r->err));
		return false;
	}
	if (r->turned_on) {
		mp_out_error(&a->out, "warning: hci%d: LE was off in the kernel; turned it on "
			     "(btmgmt --index %d le on)", i, i);
		return false;
	}
	if (r->le_on)
		return false;
	why_off(a, r, why, sizeof(why));
	if (err == -ENOPROTOOPT) {
		mp_out_error(&a->out, "hci%d: LE is off in the kernel%s, so PB-GATT cannot "
			     "connect; nothing was sent. Turn it on with `sudo btmgmt --index %d "
			     "le on`", i, why, i);
		if (!a->o.no_le_on && r->set_status == MP_MGMT_PERMISSION_DENIED)
			fprintf(stderr, "  To let meshprov turn it on itself: sudo setcap "
				"cap_net_raw,cap_net_admin+p $(command -v meshprov), or run it "
				"as root.\n");
		return true;
	}
	if (verbose)
		fprintf(stderr, "meshprov: hci%d: LE is off in the kernel%s: devices heard only "
			"over PB-GATT will fail (`sudo btmgmt --index %d le on`)\n", i, why, i);
	return false;
}
