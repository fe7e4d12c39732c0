/* Profiles: what nodes should look like, as a file, and the pure reconciler
 * that turns "what a node has" into the Configuration messages that make it
 * "what the profile says". meshprov-profile(5) is the user's description of
 * the format; this comment is the programmer's.
 *
 * The format (JSON, one object; every object refuses keys it does not know):
 *
 *   { "meshprov-profile": 1,                      format version, required
 *     "description": "...",                       ignored
 *     "groups": ["room-${room}", "all-lights"],   groups the run may create
 *     "rules": [ {                                in order; every rule that
 *         "name": "lights",                       matches a node applies
 *         "match": { "cid": "0059", "pid": 1, "vid": "0002",
 *                    "models": ["1000", "0059:abcd"],   the node has each
 *                    "uuid": UUID or [UUID...], "name": "hall-*" (glob),
 *                    "column": { "room": "*" } },       batch columns (globs)
 *         "settings": { "defaultTTL": 0 or 2-127, "relay": bool,
 *                       "relayRetransmit": {"count": 1-8, "interval": 10-320}
 *                                          (only with "relay": true),
 *                       "proxy": bool, "friend": bool, "secureNetworkBeacon": bool,
 *                       "networkTransmit": {"count": 1-8, "interval": 10-320} },
 *         "appKeys": ["lights", 0],               by name or by index
 *         "models": { "1000": {                   SIG: 4 hex digits; vendor:
 *             "bind": ["lights"],                 "CCCC:MMMM" or "CCCCMMMM"
 *             "publish": { "address": "room-${room}", "appKey": "lights",
 *                          "ttl": 0-127 or "default", "period": ms,
 *                          "retransmit": {"count": 0-7, "interval": 50-1600},
 *                          "credentials": "flooding" | "friendship" }
 *                        or null (publication off),
 *             "subscribe": ["room-${room}", "c001", LABEL-UUID] } },
 *         "elements": { "1": { "models": { "1000": {...} } } } } ] }
 *                                                 one element's (index)
 *
 * Addresses in "publish" and "subscribe": exactly 4 hex digits are an
 * address, a UUID (32 hex digits or 8-4-4-4-12) is a virtual Label UUID,
 * anything else is a group name. ${COLUMN} in a group name is replaced by
 * that column of the node's batch row. A group name must be known to the
 * caller (lookup) or listed in "groups" (created on first use: the
 * reconciler reports the names to create); a name with ${...} must be
 * listed in "groups".
 *
 * Merging: the rules that match a node apply in file order; a later rule's
 * setting or publication replaces an earlier one's; AppKeys, bindings and
 * subscriptions accumulate. A model entry under "models" applies to every
 * element of the node that has the model (a model no element has is
 * skipped); one under "elements" to that element only, after the rule's
 * (so its publication replaces the rule's). "bind" and
 * "subscribe" are the complete lists: a binding or subscription the node
 * has beyond them is removed. AppKeys are only added, never deleted (an
 * AppKey Delete unbinds the key everywhere, and a key may serve what the
 * profile does not describe). The AppKeys a binding or a publication uses
 * are added too.
 *
 * Pure: text in, structures out; no descriptors, clock or globals. What is
 * outside the file (AppKey names, groups, virtual address hashes) comes
 * through the caller's struct mp_profile_lookup.
 */
#ifndef MP_PROFILE_PROFILE_H
#define MP_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/comp.h"
#include "config/msg.h"

#define MP_PROFILE_VERSION 1

/* What is outside the profile file, from the caller (the keyring). Any
 * callback may be NULL: then no AppKey name and no group is known, an
 * AppKey index is taken as it is (on NetKey 0), and a Label UUID cannot be
 * used (its virtual address is unknown). */
struct mp_profile_lookup {
	/* The AppKey called @name, or (name NULL) the one of index @index:
	 * its index and its NetKey's. 0, or -ENOENT when there is none. */
	int (*appkey)(void *user, const char *name, int index, uint16_t *app_idx,
		      uint16_t *net_idx);
	/* The group called @name: its address and, for a virtual one, its
	 * Label UUID (@virt set). 0, or -ENOENT. */
	int (*group)(void *user, const char *name, uint16_t *addr, uint8_t label[16], bool *virt);
	/* The virtual address (hash) of @label: MshPRT v1.1 3.4.2.3. 0 or -errno. */
	int (*virt_addr)(void *user, const uint8_t label[16], uint16_t *addr);
	void *user;
};

/* A parse error: the message names the file, then the line and column
 * (not JSON) or the field's JSON path (rules[2].models["1000"].subscribe[0]). */
struct mp_profile_error {
	unsigned int line, col;	/* 1-based; 0 when the error is a field's */
	char path[160];		/* the field's JSON path; "" for a syntax error */
	char msg[512];		/* "FILE:LINE:COL: ..." or "FILE: PATH: ..." */
};

struct mp_profile;

/**
 * Parse the profile @text (@len bytes; no NUL needed) read from @file (a
 * name for messages only) into *@out, checking AppKey and group names
 * through @lk (may be NULL). Returns 0; -EBADMSG (not JSON, or not text),
 * -EINVAL (an unknown key, a value of the wrong type or form, out of
 * range), -ENOENT (an AppKey or group the lookup does not know),
 * -ENOMEM. On error @err (may be NULL) says where and why and *@out is
 * NULL. The profile keeps no pointer to @text, @file or @lk.
 */
int mp_profile_parse(const char *text, size_t len, const char *file,
		     const struct mp_profile_lookup *lk, struct mp_profile **out,
		     struct mp_profile_error *err);

/** Free a profile (NULL is fine). */
void mp_profile_free(struct mp_profile *p);

/** The number of rules of @p. */
size_t mp_profile_rule_count(const struct mp_profile *p);

/** Rule @i's "name", or "rules[I]" when it has none. NULL beyond the rules. */
const char *mp_profile_rule_name(const struct mp_profile *p, size_t i);

/* ---- nodes and their state ---------------------------------------------------- */

/** A column of the node's batch file row: its header word and value. */
struct mp_profile_column {
	const char *name;
	const char *value;
};

/** The node as the reconciler sees it; every pointer is the caller's. */
struct mp_profile_node {
	const struct mp_comp0 *comp;	/* Composition Data page 0; NULL: not read yet */
	uint16_t addr;			/* the primary element's unicast address */
	bool has_uuid;
	uint8_t uuid[16];
	const char *name;		/* NULL or "" if none */
	const struct mp_profile_column *columns;
	size_t n_columns;
};

/** A one-octet state read back (Default TTL, Relay, GATT Proxy, ...). */
struct mp_profile_setting {
	bool known;
	uint8_t value;		/* as in the Status (MP_CFG_NOT_SUPPORTED included) */
	uint8_t retransmit;	/* Relay: Relay Retransmit, MP_CFG_XMIT() */
};

/** An AppKey the node has: AppKey List says the index, Add says the NetKey too. */
struct mp_profile_key {
	uint16_t app_idx;
	uint16_t net_idx;
};

/** One model instance's state; a list or publication not known is not used. */
struct mp_profile_model_state {
	uint16_t elem_addr;
	struct mp_model_id model;
	bool binds_known;
	uint16_t n_binds;
	uint16_t binds[MP_CFG_LIST_MAX];	/* AppKey indexes */
	bool pub_known;
	struct mp_cfg_pub pub;			/* addr: the hash of a virtual one */
	bool subs_known;
	uint16_t n_subs;
	uint16_t subs[MP_CFG_LIST_MAX];		/* virtual ones as their hash */
};

/* A node's configuration as read back. Parts not known (never read) are
 * flagged so; the reconciler then sends what is safe without knowing
 * (Add, Bind, Overwrite, Set) and lists the Gets that would tell. */
struct mp_profile_state {
	struct mp_profile_setting ttl, relay, proxy, friend, beacon, net_transmit;
	bool keys_known;
	uint16_t n_keys;
	struct mp_profile_key keys[MP_CFG_LIST_MAX];
	size_t n_models, cap_models;
	struct mp_profile_model_state *models;	/* allocated */
};

/** A state where nothing is known. */
void mp_profile_state_init(struct mp_profile_state *st);

/** Free what @st holds; it is then as after mp_profile_state_init(). */
void mp_profile_state_clear(struct mp_profile_state *st);

/**
 * The state of a node just provisioned (MshPRT v1.1 5.4.2.5): no AppKey, and
 * for each model of @comp at @addr nothing bound, no publication, no
 * subscription, all known. Its settings stay unknown (a node's defaults
 * are its own). 0 or -ENOMEM.
 */
int mp_profile_state_fresh(struct mp_profile_state *st, const struct mp_comp0 *comp,
			   uint16_t addr);

/**
 * The record of @model at @elem_addr in @st; with @create, a new one
 * (nothing known) when there is none. NULL when absent (or -ENOMEM).
 */
struct mp_profile_model_state *mp_profile_state_model(struct mp_profile_state *st,
						      uint16_t elem_addr,
						      const struct mp_model_id *model, bool create);

/**
 * Learn from @m: a request the node has answered with Success (AppKey Add,
 * Model App Bind/Unbind, Publication Set, Subscription Add/Delete/
 * Overwrite/Delete All and their virtual forms, the settings' Sets), or a
 * Status or List that carries a whole state (AppKey List, Model App List,
 * Subscription List, Publication Status, Default TTL/Relay/GATT Proxy/
 * Friend/Beacon/Network Transmit Status; one with a failed status code
 * teaches nothing). @virt is the virtual address (hash) of a Virtual
 * Address request's Label UUID (struct mp_profile_op's virt). Returns 0,
 * -ENOMEM, or -ENOMSG for a message that says nothing of these states.
 */
int mp_profile_state_apply(struct mp_profile_state *st, const struct mp_cfg_msg *m,
			   uint16_t virt);

/* ---- the reconciler --------------------------------------------------------- */

/** One Configuration request of a plan. */
struct mp_profile_op {
	struct mp_cfg_msg msg;	/* as config/msg.h encodes it; AppKey Add's key is
				 * zero: the caller fills it from the keyring */
	uint16_t virt;		/* Virtual Address requests: the Label UUID's hash */
	const char *group;	/* the group the address came from (the plan's), or NULL */
	bool unresolved;	/* that group does not exist yet: the address is 0
				 * until it is created (see mp_profile_plan.groups) */
};

/** What one node needs. */
struct mp_profile_plan {
	struct mp_profile_op *ops;	/* in the order to send them */
	size_t n_ops;
	struct mp_cfg_msg *gets;	/* the Gets that would tell the unknown parts */
	size_t n_gets;
	char **groups;			/* names of groups to create before sending */
	size_t n_groups;
	bool *matched;			/* per rule: did it match this node */
	size_t n_rules, n_matched;
	char error[256];		/* why reconciling failed */
	char **pool;			/* the group names the ops point to */
	size_t n_pool;
};

/**
 * Reconcile @node, whose configuration as read back is @st (NULL: nothing
 * known), with the profile @p, using @lk for group names (after ${column}
 * substitution) and virtual addresses. Fills @plan (cleared first) with:
 * which rules match the node; the requests that bring the node to the
 * profile, in this order:
 *   1. AppKey Add (a key must be on the node before anything uses it);
 *   2. Model App Bind (before a Publication Set with that key: a
 *      Configuration Server may refuse to publish with a key the model is
 *      not bound to);
 *   3. Model Publication Set / Virtual Address Set;
 *   4. Model Subscription Delete/Add, or Overwrite then Add, or Delete All:
 *      per model whichever takes fewer messages (a tie keeps Add/Delete,
 *      which never leave the model briefly without a subscription it keeps);
 *      when the list is unknown, Overwrite (it removes what the profile
 *      does not list without knowing it);
 *   5. Model App Unbind (after no publication uses the key any more);
 *   6. the settings: Default TTL, Network Transmit, Relay, Secure Network
 *      Beacon, GATT Proxy, Friend (last: a change of relaying or proxying
 *      must not cut the path the other requests travel);
 * the Gets that would make the unknown parts known; and the groups to
 * create. A state equal to the profile gives no request: run the plan,
 * apply it to @st (mp_profile_state_apply()), reconcile again: nothing.
 * A setting for a feature the composition says the node lacks, or that the
 * node reported Not Supported, is left alone. A node whose composition is
 * not known (node->comp NULL) matches nothing and needs one Get:
 * Composition Data Get page 0.
 * Returns 0; -ENOENT (a ${column} the node's row lacks, a Label UUID with
 * no lookup for its hash: @plan->error says which field), -ENOMEM.
 */
int mp_profile_reconcile(const struct mp_profile *p, const struct mp_profile_node *node,
			 const struct mp_profile_state *st, const struct mp_profile_lookup *lk,
			 struct mp_profile_plan *plan);

/** Free what @plan holds; it is then empty. */
void mp_profile_plan_clear(struct mp_profile_plan *plan);

/**
 * Describe @op in words for --check ("element 0102 model 1000: bind AppKey
 * 0"), into @buf. Returns what snprintf returns.
 */
int mp_profile_op_text(const struct mp_profile_op *op, char *buf, size_t n);

#endif
