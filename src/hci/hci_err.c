/* HCI error codes by name, and what to tell a person whose controller will
 * not work. */
#include "hci/hci.h"
#include "hci_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Core v5.4 Vol 1 Part F 1.3, "List of Error Codes". */
static const char *const hci_errors[] = {
	[0x00] = "Success",
	[0x01] = "Unknown HCI Command",
	[0x02] = "Unknown Connection Identifier",
	[0x03] = "Hardware Failure",
	[0x04] = "Page Timeout",
	[0x05] = "Authentication Failure",
	[0x06] = "PIN or Key Missing",
	[0x07] = "Memory Capacity Exceeded",
	[0x08] = "Connection Timeout",
	[0x09] = "Connection Limit Exceeded",
	[0x0a] = "Synchronous Connection Limit To A Device Exceeded",
	[0x0b] = "Connection Already Exists",
	[0x0c] = "Command Disallowed",
	[0x0d] = "Connection Rejected due to Limited Resources",
	[0x0e] = "Connection Rejected Due To Security Reasons",
	[0x0f] = "Connection Rejected due to Unacceptable BD_ADDR",
	[0x10] = "Connection Accept Timeout Exceeded",
	[0x11] = "Unsupported Feature or Parameter Value",
	[0x12] = "Invalid HCI Command Parameters",
	[0x13] = "Remote User Terminated Connection",
	[0x14] = "Remote Device Terminated Connection due to Low Resources",
	[0x15] = "Remote Device Terminated Connection due to Power Off",
	[0x16] = "Connection Terminated By Local Host",
	[0x17] = "Repeated Attempts",
	[0x18] = "Pairing Not Allowed",
	[0x19] = "Unknown LMP PDU",
	[0x1a] = "Unsupported Remote Feature",
	[0x1b] = "SCO Offset Rejected",
	[0x1c] = "SCO Interval Rejected",
	[0x1d] = "SCO Air Mode Rejected",
	[0x1e] = "Invalid LMP Parameters / Invalid LL Parameters",
	[0x1f] = "Unspecified Error",
	[0x20] = "Unsupported LMP Parameter Value / Unsupported LL Parameter Value",
	[0x21] = "Role Change Not Allowed",
	[0x22] = "LMP Response Timeout / LL Response Timeout",
	[0x23] = "LMP Error Transaction Collision / LL Procedure Collision",
	[0x24] = "LMP PDU Not Allowed",
	[0x25] = "Encryption Mode Not Acceptable",
	[0x26] = "Link Key cannot be Changed",
	[0x27] = "Requested QoS Not Supported",
	[0x28] = "Instant Passed",
	[0x29] = "Pairing With Unit Key Not Supported",
	[0x2a] = "Different Transaction Collision",
	[0x2c] = "QoS Unacceptable Parameter",
	[0x2d] = "QoS Rejected",
	[0x2e] = "Channel Classification Not Supported",
	[0x2f] = "Insufficient Security",
	[0x30] = "Parameter Out Of Mandatory Range",
	[0x32] = "Role Switch Pending",
	[0x34] = "Reserved Slot Violation",
	[0x35] = "Role Switch Failed",
	[0x36] = "Extended Inquiry Response Too Large",
	[0x37] = "Secure Simple Pairing Not Supported By Host",
	[0x38] = "Host Busy - Pairing",
	[0x39] = "Connection Rejected due to No Suitable Channel Found",
	[0x3a] = "Controller Busy",
	[0x3b] = "Unacceptable Connection Parameters",
	[0x3c] = "Advertising Timeout",
	[0x3d] = "Connection Terminated due to MIC Failure",
	[0x3e] = "Connection Failed to be Established / Synchronization Timeout",
	[0x3f] = "Previously used",
	[0x40] = "Coarse Clock Adjustment Rejected but Will Try to Adjust Using Clock Dragging",
	[0x41] = "Type0 Submap Not Defined",
	[0x42] = "Unknown Advertising Identifier",
	[0x43] = "Limit Reached",
	[0x44] = "Operation Cancelled by Host",
	[0x45] = "Packet Too Long",
	[0x46] = "Too Late",
	[0x47] = "Too Early",
	[0x48] = "Insufficient Channels",
};

const char *mp_hci_strerror(uint8_t code)
{
	if (code < sizeof(hci_errors) / sizeof(hci_errors[0]) && hci_errors[code])
		return hci_errors[code];
	return "Reserved HCI error code";
}

char *mp_hci_status_str(int status, char *buf, size_t len)
{
	if (status > 0 && status <= 0xff)
		snprintf(buf, len, "%s (0x%02x)", mp_hci_strerror((uint8_t)status), status);
	else if (status < 0)
		snprintf(buf, len, "%s", strerror(-status));
	else if (status == 0)
		snprintf(buf, len, "Success");
	else
		snprintf(buf, len, "status %d", status);
	return buf;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int mp_hci_find_holders(const char *proc_root, struct mp_hci_holder *out, size_t max)
{
	static const char *const names[] = { "bluetoothd", "bluetooth-meshd" };
	struct dirent *de;
	DIR *dir;
	int found = 0;

	if (!proc_root)
		proc_root = "/proc";
	dir = opendir(proc_root);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char path[4096], comm[64];
		size_t i, n;
		FILE *f;

		if (!all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", proc_root, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;	/* gone meanwhile, or not ours to read */
		n = fread(comm, 1, sizeof(comm) - 1, f);
		fclose(f);
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(comm, names[i]))
				continue;
			if ((size_t)found < max) {
				out[found].pid = atoi(de->d_name);
				snprintf(out[found].name, sizeof(out[found].name), "%s", names[i]);
			}
			found++;
		}
	}
	closedir(dir);
	return found;
}

/* "bluetooth-meshd (pid 42): sudo systemctl stop bluetooth-mesh" lines. */
static int holders_advice(const char *proc_root, char *buf, size_t len)
{
	struct mp_hci_holder h[8];
	size_t off = 0;
	int n = mp_hci_find_holders(proc_root, h, 8), i;

	for (i = 0; i < n && i < 8 && off < len; i++) {
		bool mesh = !strcmp(h[i].name, "bluetooth-meshd");
		int w = snprintf(buf + off, len - off,
				 "\n  %s (pid %d) is running: stop it with `sudo systemctl stop %s`"
				 " (or `sudo kill %d`)",
				 h[i].name, h[i].pid, mesh ? "bluetooth-mesh" : "bluetooth",
				 h[i].pid);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return n;
}

void mp__hci_dev_name(int index, char *buf, size_t len)
{
	if (index >= 0)
		snprintf(buf, len, "hci%d", index);
	else
		snprintf(buf, len, "the controller");
}

char *mp_hci_hint(int status, int index, const char *proc_root, char *buf, size_t len)
{
	char dev[16], st[128];
	size_t off;
	int n;

	if (!len)
		return buf;
	mp__hci_dev_name(index, dev, sizeof(dev));
	mp_hci_status_str(status, st, sizeof(st));

	switch (status) {
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
		snprintf(buf, len, "this kernel has no Bluetooth support: load it with "
			 "`sudo modprobe bluetooth` (and your dongle's driver, e.g. btusb)");
		break;
	case -ENODEV:
		if (index >= 0)
			snprintf(buf, len, "there is no controller hci%d (unplugged?): list them "
				 "with `hciconfig -a` or `btmgmt info`", index);
		else
			snprintf(buf, len, "no Bluetooth controller found: plug in a dongle and "
				 "check `hciconfig -a` or `btmgmt info`");
		break;
	case -ENETDOWN:
		if (index >= 0)
			snprintf(buf, len, "hci%d is down: bring it up with `sudo hciconfig hci%d "
				 "up` or `sudo btmgmt --index %d power on`", index, index, index);
		else
			snprintf(buf, len, "no controller is up: bring one up with `sudo hciconfig "
				 "hci0 up` or `sudo btmgmt power on`");
		break;
	case -EPERM:
	case -EACCES:
		/* CAP_NET_RAW alone, permitted: meshprov raises it into its
		 * effective set only around the calls that need it (cli/privs.h). */
		snprintf(buf, len, "no permission to send HCI commands (CAP_NET_RAW); allow it "
			 "with\n  sudo setcap cap_net_raw+p $(command -v meshprov)\n"
			 "or run as root");
		break;
	case -EOPNOTSUPP:
		snprintf(buf, len, "%s does not support Bluetooth Low Energy", dev);
		break;
	case -ENOPROTOOPT:
		/* the kernel's LE setting (hci/mgmt.h): a dual-mode controller
		 * brought up without bluetoothd has it off */
		if (index >= 0)
			snprintf(buf, len, "LE is off in the kernel for %s, so PB-GATT cannot "
				 "connect: turn it on with `sudo btmgmt --index %d le on`", dev,
				 index);
		else
			snprintf(buf, len, "LE is off in the kernel for the controller, so "
				 "PB-GATT cannot connect: turn it on with `sudo btmgmt le on`");
		break;
	case -ETIMEDOUT:
		snprintf(buf, len, "%s did not answer a command in time: unplug and replug the "
			 "dongle, or power-cycle it with `sudo btmgmt power off` then `power on`",
			 dev);
		break;
	case -EIO:
		snprintf(buf, len, "%s reported a hardware error or an I/O failure: unplug and "
			 "replug the dongle", dev);
		break;
	case -EBUSY:
	case MP_HCI_ERR_DISALLOWED:
		n = snprintf(buf, len, "%s is busy (%s): another program is using it", dev,
			     status == -EBUSY ? "held exclusively" : "Command Disallowed");
		off = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
		if (!holders_advice(proc_root, buf + off, len - off))
			snprintf(buf + off, len - off, "; stop it, or power-cycle the controller "
				 "with `sudo btmgmt power off` then `power on`");
		break;
	default:
		snprintf(buf, len, "%s: %s", dev, st);
		break;
	}
	return buf;
}
