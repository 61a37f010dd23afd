/*
 * abba.c - a lock-order inversion: CPU0 takes A then B, CPU1 takes B then
 * A.  When each gets its first lock the other needs, neither can go on:
 *
 *   CPU0                     CPU1
 *   spin_lock(&a)
 *                            spin_lock(&b)
 *   spin_lock(&b) <waits>
 *                            spin_lock(&a) <waits>
 *
 * lockdep reports the inversion from any execution that takes both orders,
 * even one that did not deadlock; with lockdep's order check off the
 * explorer must find the deadlock itself.  Fixed: both take A then B.
 */
#include <stdlib.h>

#include "classic/classic.h"
#include "sim/sim.h"

struct abba_state {
	spinlock_t a, b;
	int shared;
	bool ordered;
};

static void *abba_create(struct sim_exec *x, void *arg)
{
	struct abba_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->ordered = arg != NULL;
	return s;
}

static void abba_setup(struct sim_exec *x, void *state)
{
	struct abba_state *s = state;

	(void)x;
	spin_lock_init(&s->a);
	spin_lock_init(&s->b);
}

static void abba_run(struct sim_exec *x, void *state, int cpu)
{
	struct abba_state *s = state;
	spinlock_t *first = &s->a, *second = &s->b;

	(void)x;
	if (cpu == 1 && !s->ordered) {
		first = &s->b;
		second = &s->a;
	}
	spin_lock(first);
	spin_lock(second);
	WRITE_ONCE(s->shared, READ_ONCE(s->shared) + 1);
	spin_unlock(second);
	spin_unlock(first);
}

static void abba_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

const struct sim_program classic_abba = {
	.name = "abba_deadlock",
	.summary = "two CPUs take two spinlocks in opposite orders",
	.ncpus = 2,
	.create = abba_create,
	.setup = abba_setup,
	.run = abba_run,
	.destroy = abba_destroy,
};

const struct sim_program classic_abba_fixed = {
	.name = "abba_deadlock_fixed",
	.summary = "both CPUs take the locks in one order",
	.ncpus = 2,
	.arg = (void *)1,
	.create = abba_create,
	.setup = abba_setup,
	.run = abba_run,
	.destroy = abba_destroy,
};
