/* The engine harness (engine_harness.h) seen through a narrow window, for
 * the simulated node's tests: the harness's header brings store/keyring.h,
 * whose enum mp_kr_phase clashes with net/net.h's (mesh/stack.h), so the
 * tests that drive a mesh stack reach the harness only through this file.
 */
#ifndef MP_TEST_SIM_NODE_WORLD_H
#define MP_TEST_SIM_NODE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "engine/engine.h"
#include "sim/device.h"
#include "sim/radio.h"

struct snw;

/** One simulated device provisioned by the engine over PB-ADV on a lossless
 *  radio (@seed), then the radio's loss set to @loss_pct. 0, or -errno. */
int snw_new(struct snw **out, uint64_t seed, unsigned int loss_pct);
void snw_free(struct snw *w);
struct mp_loop *snw_loop(struct snw *w);
struct mp_engine *snw_engine(struct snw *w);
struct mp_sim_radio *snw_radio(struct snw *w);
/** What the device ended its provisioning with (keys included). */
const struct mp_sim_prov_result *snw_result(struct snw *w);
/** Run until @until(@user) or @max_ms of simulated time: 0 or -ETIMEDOUT/-EDEADLK. */
int snw_run(struct snw *w, bool (*until)(void *user), void *user, uint64_t max_ms);
/** Run for @ms of simulated time. */
void snw_run_for(struct snw *w, uint64_t ms);

#endif
