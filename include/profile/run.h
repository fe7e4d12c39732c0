/* The profile runner: a profile applied to many nodes through the
 * Configuration Client, each node driven from what is known of it to what
 * the profile says, and every step's outcome reported.
 *
 * Per node (issue #14):
 *   1. when its Composition Data is not known, Config Composition Data Get
 *      page 0 (the rules select by it);
 *   2. reconcile (profile/profile.h); a node no rule matches ends there
 *      ("no-rule"); with MP_PROFILE_RUN_READ, the Gets of the plan are sent
 *      first (read back what is not known: once), then it reconciles again;
 *   3. the groups the plan names that do not exist yet are given to the
 *      caller to create (group()) before any request that uses them is
 *      sent, and the node reconciles again with them known;
 *   4. the plan's requests are submitted in their order, each after the one
 *      it depends on (config/client.h's after: a Model App Bind after the
 *      AppKey Add of its key, a Publication Set after the Bind of its key to
 *      that model, a Model App Unbind after that model's Publication Set), so
 *      that a failed step skips only what needs it and the rest goes on;
 *   5. each answer is learned (mp_profile_state_apply()) and reported
 *      (step()); when every request has ended, the node reconciles again:
 *      nothing left is "configured"; what is left is reported; when every
 *      step succeeded and something is left (a later rule's wish showed up
 *      only now), another pass is made, at most MP_PROFILE_RUN_PASSES in all.
 * With MP_PROFILE_RUN_CHECK nothing but reads is sent (Composition Data
 * Get; with MP_PROFILE_RUN_READ the plan's Gets too), no group is created,
 * and the plan is reported through plan() instead of being sent.
 *
 * The runner owns its Configuration Client: bytes out through send(), its
 * timers through timer() and mp_profile_run_timeout(), answers in through
 * mp_profile_run_rx(). Nodes run in parallel (the client keeps at most
 * max_inflight of them busy at once, one request each).
 *
 * Pure (HACKING.md): no descriptors, clock or globals. Re-entrancy
 * (strategy 1): every call commits its state before calling back, and the
 * callbacks are its last actions; step(), plan() and node_done() may read
 * the runner and add nodes, but not free it. mp_profile_run_add() may
 * report the node (and steps) before it returns. send() and timer() are
 * downward: they must not call back in.
 */
#ifndef MP_PROFILE_RUN_H
#define MP_PROFILE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/client.h"
#include "config/comp.h"
#include "config/msg.h"
#include "profile/profile.h"

/* Reconcile-and-send passes of a node, at most. */
#define MP_PROFILE_RUN_PASSES 3

/* Options (struct mp_profile_run_config's flags). */
#define MP_PROFILE_RUN_CHECK 0x01u	/* send no request that changes a node */
#define MP_PROFILE_RUN_READ 0x02u	/* read back the unknown parts first (the plan's Gets) */

/* How a node ended. */
enum mp_profile_run_result {
	MP_PROFILE_RUN_PENDING = 0,	/* not ended yet */
	MP_PROFILE_RUN_CONFIGURED,	/* the node is as the profile says */
	MP_PROFILE_RUN_PARTLY,		/* some steps failed or are left */
	MP_PROFILE_RUN_FAILED,		/* nothing could be done (no answer, an error) */
	MP_PROFILE_RUN_NO_RULE,		/* no rule of the profile matches the node */
	MP_PROFILE_RUN_DIFFERS,		/* CHECK: requests would be sent */
};

/** "configured", "partly", "failed", "no-rule", "differs", "pending". */
const char *mp_profile_run_result_name(enum mp_profile_run_result r);

/** A node to drive; everything is copied by mp_profile_run_add(). */
struct mp_profile_run_node {
	uint16_t addr;			/* primary element: unicast */
	uint16_t net_idx;		/* the subnet to reach it on */
	bool has_uuid;
	uint8_t uuid[16];
	const char *name;		/* NULL or "" */
	const struct mp_profile_column *columns;	/* batch row, may be NULL */
	size_t n_columns;
	const struct mp_comp0 *comp;	/* Composition Data page 0; NULL: unknown */
	const struct mp_profile_state *state;	/* what is known; NULL: nothing */
	/* The models the state has no record of are as provisioning left
	 * them (nothing bound, no publication, no subscription): true for a
	 * node of which nothing has been recorded since it was provisioned.
	 * Ignored with MP_PROFILE_RUN_READ (nothing is assumed: read back). */
	bool fresh;
	void *ctx;			/* given back in the reports */
};

/* One step ended: a request (read or write) and how it went. */
struct mp_profile_run_step {
	uint16_t node;
	void *ctx;			/* the node's */
	const struct mp_profile_op *op;	/* the request (its msg, virt, group) */
	bool read;			/* a Get (or Composition Data Get) */
	int err;			/* 0 answered; -ETIMEDOUT; -ECANCELED (skipped) */
	const struct mp_cfg_msg *answer;	/* when err is 0: valid during the call */
	bool ok;			/* answered with Success */
	const char *status_name;	/* the status code's name, "timeout", "skipped" */
	unsigned int tries;
};

/* A node's report (node_done()). */
struct mp_profile_run_report {
	uint16_t node;
	void *ctx;
	enum mp_profile_run_result result;
	const bool *matched;		/* per rule of the profile (n_rules); NULL: none known */
	size_t n_rules, n_matched;
	unsigned int reads;		/* Gets answered */
	unsigned int steps_ok;		/* requests answered with Success */
	unsigned int steps_failed;	/* refused, unanswered, skipped */
	size_t left;			/* requests the last reconciliation still wants */
	/* The first step that failed ("" if none): what it was, and why (the
	 * status code's name, "timeout" or "skipped"); and why the node failed
	 * or stopped as a whole ("" if it did not). */
	char first_failure[160];
	char first_status[48];
	char why[256];
	const struct mp_comp0 *comp;	/* NULL when never known */
	const struct mp_profile_state *state;	/* what the run knows of the node now */
};

struct mp_profile_run_cb {
	/** Send @msg to @dst on subnet @net_idx, secured with its device key.
	 *  Required. A negative return counts as a lost transmission. */
	int (*send)(void *user, uint16_t dst, uint16_t net_idx, const uint8_t *msg, size_t len);
	/** Arm timer @id @ms from now (0 cancels); fed back with
	 *  mp_profile_run_timeout(). Required. */
	void (*timer)(void *user, unsigned int id, uint32_t ms);
	/** The AppKey of index @app_idx for an AppKey Add: 0 with @key
	 *  filled, or -ENOENT (the step then fails). Required. */
	int (*appkey)(void *user, uint16_t app_idx, uint8_t key[16]);
	/** Create the group @name (the lookup then knows it): 0 or -errno (the
	 *  node then fails, naming the group). NULL: groups cannot be created. */
	int (*group)(void *user, const char *name);
	/** A step ended. May be NULL. */
	void (*step)(void *user, const struct mp_profile_run_step *s);
	/** CHECK: what would be sent to the node (@plan's ops). May be NULL. */
	void (*plan)(void *user, uint16_t node, void *ctx, const struct mp_profile_plan *plan);
	/** The node ended. May be NULL. */
	void (*node_done)(void *user, const struct mp_profile_run_report *r);
};

struct mp_profile_run_config {
	const struct mp_profile *profile;	/* must outlive the runner */
	const struct mp_profile_lookup *lookup;	/* copied; its user must outlive the runner */
	const struct mp_profile_run_cb *cb;	/* copied */
	void *user;
	unsigned int flags;			/* MP_PROFILE_RUN_* */
	unsigned int max_inflight;		/* nodes at once; 0: the client's default */
	/* The client's timing; NULL: its defaults (config/client.h). */
	const struct mp_cfg_client_timing *timing;
	const struct mp_cfg_client_timing *seg_timing;
};

/* What the runner counted. */
struct mp_profile_run_stats {
	unsigned int nodes, ended;
	unsigned int configured, partly, failed, no_rule, differs;
	unsigned long reads;		/* Gets submitted (Composition Data included) */
	unsigned long writes;		/* requests that change a node, submitted */
	unsigned long steps_ok, steps_failed;
	unsigned long groups_created;
};

struct mp_profile_run;

/**
 * Create a runner. NULL with errno EINVAL (no profile, no cb or a
 * required callback missing) or ENOMEM, or the client's errno.
 */
struct mp_profile_run *mp_profile_run_new(const struct mp_profile_run_config *cfg);

/** Free (the client too: its timers cancelled), without reports. NULL is
 *  fine. Not from a callback. */
void mp_profile_run_free(struct mp_profile_run *r);

/**
 * Add a node and start driving it at once. Returns 0, -EINVAL (NULL, an
 * address that is not unicast), -EEXIST (a node of that address is being
 * driven), -ENOMEM. The node may have ended (node_done()) when it returns.
 */
int mp_profile_run_add(struct mp_profile_run *r, const struct mp_profile_run_node *n);

/** A message from @src (config/client.h's mp_cfg_client_rx(), same returns). */
int mp_profile_run_rx(struct mp_profile_run *r, uint16_t src, bool dev_key, const uint8_t *msg,
		      size_t len);

/** Timer @id expired. */
void mp_profile_run_timeout(struct mp_profile_run *r, unsigned int id);

/** Nodes added and not ended. */
size_t mp_profile_run_pending(const struct mp_profile_run *r);

/** How many nodes rule @i has matched so far (the nodes whose composition
 *  was known). */
unsigned int mp_profile_run_rule_matches(const struct mp_profile_run *r, size_t i);

/**
 * Describe the request @op in words: mp_profile_op_text() for a request
 * that changes the node, the Get's name (and element and model) for a read
 * (@read). Returns what snprintf returns.
 */
int mp_profile_run_step_text(const struct mp_profile_op *op, bool read, char *buf, size_t n);

/** The counters. */
const struct mp_profile_run_stats *mp_profile_run_stats(const struct mp_profile_run *r);

/** The Configuration Client's counters (transmissions, retries, unmatched). */
const struct mp_cfg_client_stats *mp_profile_run_client_stats(const struct mp_profile_run *r);

#endif
