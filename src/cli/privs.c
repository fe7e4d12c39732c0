/* The process's capabilities; see src/cli/privs.h. */
#include "cli/privs.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/commands.h"

#define RAW_BIT (1u << CAP_NET_RAW)		/* CAP_NET_RAW is 13: word 0 */
#define ADMIN_BIT (1u << CAP_NET_ADMIN)		/* CAP_NET_ADMIN is 12: word 0 */
#define SETPCAP_BIT (1u << CAP_SETPCAP)

/* _LINUX_CAPABILITY_VERSION_3: two words per set. */
struct caps {
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	memset(c, 0, sizeof(*c));
	return syscall(SYS_capget, &h, c->d) < 0 ? -errno : 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &h, c->d) < 0 ? -errno : 0;
}

/* The permitted set becomes @keep (of word 0) where it had it; the others
 * empty. */
static void caps_only(uint32_t keep)
{
	struct caps c = { 0 };
	struct caps now;

	if (caps_get(&now) == 0)
		c.d[0].permitted = now.d[0].permitted & keep;
	caps_set(&c);
}

static void ambient_clear(void)
{
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

void mp_cli_privs_start(void)
{
	struct caps c;

	if (geteuid() == 0 || caps_get(&c) < 0)
		return;
	ambient_clear();
	c.d[0].effective = c.d[1].effective = 0;
	c.d[0].inheritable = c.d[1].inheritable = 0;
	caps_set(&c);
}

/* Empty the bounding set, which needs CAP_SETPCAP in the effective set:
 * a file capability rarely grants it, hence "where possible". */
static void bounding_drop(void)
{
	struct caps c;
	unsigned long cap;

	if (caps_get(&c) < 0 || !(c.d[0].permitted & SETPCAP_BIT))
		return;
	c.d[0].effective = SETPCAP_BIT;
	c.d[1].effective = 0;
	if (caps_set(&c) < 0)
		return;
	/* up to the kernel's last capability: it says EINVAL past it */
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
			break;
}

static bool opens_radio(const struct mp_cli_app *a, int argc, char **argv)
{
	const struct mp_cli_cmd *cmd;
	int used;

	if (a->o.sim)
		return false;
	if (a->mode != MP_CLI_ONESHOT)
		return true;	/* the shell opens it at once; a script may scan */
	cmd = mp_cli_lookup(argc, argv, &used);
	return cmd && (cmd->flags & MP_CMD_RADIO);
}

void mp_cli_privs_settle(const struct mp_cli_app *a, int argc, char **argv)
{
	if (geteuid() == 0)
		return;
	bounding_drop();
	ambient_clear();
	/* CAP_NET_ADMIN, where given, only to turn the kernel's LE setting
	 * on (cli/le.h), which --no-le-on forgoes */
	caps_only(!opens_radio(a, argc, argv) ? 0 : a->o.no_le_on ? RAW_BIT : RAW_BIT | ADMIN_BIT);
}

static void cap_effective(uint32_t bit, bool on)
{
	struct caps c;

	if (caps_get(&c) < 0 || !(c.d[0].permitted & bit))
		return;
	if (on)
		c.d[0].effective |= bit;
	else
		c.d[0].effective &= ~bit;
	caps_set(&c);
}

static void hci_raise(void *user)
{
	(void)user;
	cap_effective(RAW_BIT, true);
}

static void hci_lower(void *user)
{
	(void)user;
	cap_effective(RAW_BIT, false);
}

static void admin_raise(void *user)
{
	(void)user;
	cap_effective(ADMIN_BIT, true);
}

static void admin_lower(void *user)
{
	(void)user;
	cap_effective(ADMIN_BIT, false);
}

const struct mp_hci_priv *mp_cli_privs_admin(void)
{
	static const struct mp_hci_priv priv = { admin_raise, admin_lower, NULL };

	return geteuid() == 0 ? NULL : &priv;
}

void mp_cli_privs_admin_done(void)
{
	struct caps c;

	if (geteuid() == 0 || caps_get(&c) < 0 || !(c.d[0].permitted & ADMIN_BIT))
		return;
	c.d[0].permitted &= ~ADMIN_BIT;
	c.d[0].effective &= ~ADMIN_BIT;
	caps_set(&c);
}

const struct mp_hci_priv *mp_cli_privs_hci(void)
{
	static const struct mp_hci_priv priv = { hci_raise, hci_lower, NULL };

	return geteuid() == 0 ? NULL : &priv;
}

void mp_cli_privs_drop_all(void)
{
	if (geteuid() == 0)
		return;
	ambient_clear();
	caps_only(0);
}
