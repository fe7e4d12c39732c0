/* The parsed form of a profile, shared by the parser and the reconciler. */
#ifndef MP_PROFILE_INT_H
#define MP_PROFILE_INT_H

#include "profile/profile.h"

#define PR_PATH_MAX 160

/* An address as the profile writes it. */
enum pr_addr_kind {
	PR_ADDR,	/* a literal address (unassigned: publication off) */
	PR_LABEL,	/* a Label UUID: a virtual address */
	PR_GROUP,	/* a group name, maybe with ${column} */
};

struct pr_addr {
	enum pr_addr_kind kind;
	uint16_t addr;
	uint8_t label[16];
	char *name;			/* PR_GROUP: as written */
	char path[PR_PATH_MAX];		/* for the reconciler's messages */
};

struct pr_pub {
	bool set;			/* the rule says something of publication */
	struct pr_addr addr;		/* PR_ADDR 0: off */
	struct mp_profile_key key;
	bool cred;
	uint8_t ttl, period, retransmit;
};

struct pr_model {
	struct mp_model_id id;
	int elem;			/* element index, or -1: every element */
	bool has_bind;
	struct mp_profile_key *binds;
	size_t n_binds;
	struct pr_pub pub;
	bool has_sub;
	struct pr_addr *subs;
	size_t n_subs;
};

/* A setting of a rule: -1 when the rule does not say. */
struct pr_settings {
	int ttl, relay, relay_xmit, proxy, friend, beacon, net_xmit;
};

struct pr_column {
	char *name, *glob;
};

struct pr_rule {
	char *name;
	/* match: every criterion given must hold */
	int cid, pid, vid;		/* -1: any */
	struct mp_model_id *models;
	size_t n_models;
	uint8_t (*uuids)[16];
	size_t n_uuids;
	char *name_glob;
	struct pr_column *cols;
	size_t n_cols;
	/* what the node gets */
	struct pr_settings set;
	struct mp_profile_key *keys;
	size_t n_keys;
	struct pr_model *mods;
	size_t n_mods;
};

struct mp_profile {
	struct pr_rule *rules;
	size_t n_rules;
	char **groups;			/* the "groups" list, as written */
	size_t n_groups;
};

/* Model identifiers compared field by field (never memcmp: the struct has
 * padding), a SIG model's cid ignored. */
static inline bool pr_model_eq(const struct mp_model_id *a, const struct mp_model_id *b)
{
	return a->vendor == b->vendor && a->id == b->id && (!a->vendor || a->cid == b->cid);
}

/** True when @rule of @p matches @node (whose comp is known). */
bool pr_rule_matches(const struct pr_rule *rule, const struct mp_profile_node *node);

#endif
