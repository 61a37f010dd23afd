/*
 * lost_update.c - two CPUs increment a counter with a separate load and
 * store; one increment is lost when both load before either stores.
 *
 *   CPU0                          CPU1
 *   v = READ_ONCE(counter) // 0
 *                                 v = READ_ONCE(counter) // 0
 *                                 WRITE_ONCE(counter, 1)
 *   WRITE_ONCE(counter, 1)
 *
 * Fixed: the load and store are done under a spinlock.
 */
#include <stdlib.h>

#include "classic/classic.h"
#include "sim/sim.h"

struct lu_state {
	spinlock_t lock;
	int counter;
	bool locked;
};

static void *lu_create(struct sim_exec *x, void *arg)
{
	struct lu_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->locked = arg != NULL;
	return s;
}

static void lu_setup(struct sim_exec *x, void *state)
{
	struct lu_state *s = state;

	(void)x;
	spin_lock_init(&s->lock);
}

static void lu_increment(struct lu_state *s)
{
	int v;

	if (s->locked)
		spin_lock(&s->lock);
	v = READ_ONCE(s->counter);
	WRITE_ONCE(s->counter, v + 1);
	if (s->locked)
		spin_unlock(&s->lock);
}

static void lu_run(struct sim_exec *x, void *state, int cpu)
{
	(void)x;
	(void)cpu;
	lu_increment(state);
}

static void lu_check(struct sim_exec *x, void *state)
{
	struct lu_state *s = state;
	int v = READ_ONCE(s->counter);

	if (v != x->ncpus)
		sim_fail(SIM_FIND_INVARIANT, "lost-update",
			 "counter is %d after %d increments: an update was lost", v, x->ncpus);
}

static void lu_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

const struct sim_program classic_lost_update = {
	.name = "lost_update",
	.summary = "two CPUs increment a counter with a plain load and store",
	.ncpus = 2,
	.create = lu_create,
	.setup = lu_setup,
	.run = lu_run,
	.check = lu_check,
	.destroy = lu_destroy,
};

const struct sim_program classic_lost_update_fixed = {
	.name = "lost_update_fixed",
	.summary = "the same increments under a spinlock",
	.ncpus = 2,
	.arg = (void *)1,
	.create = lu_create,
	.setup = lu_setup,
	.run = lu_run,
	.check = lu_check,
	.destroy = lu_destroy,
};
