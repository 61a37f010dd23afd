/*
 * atomicity3.c - an atomicity violation that needs three preemptions.
 *
 * A writer moves a record through three states (1: claimed, 2: filled,
 * 3: published) that are meant to look like one update.  A reader samples
 * the state twice.  Seeing "claimed" and then "filled" proves that the
 * update was not atomic; it needs the reader to run between the first and
 * second write and again between the second and third, i.e. three
 * preemptions (writer, reader, writer):
 *
 *   CPU0 (writer)              CPU1 (reader)
 *   WRITE_ONCE(state, 1)
 *                              READ_ONCE(state)  // 1
 *   WRITE_ONCE(state, 2)
 *                              READ_ONCE(state)  // 2
 *   WRITE_ONCE(state, 3)
 *
 * A search bounded to two preemptions must not find it; to three, it must.
 * Fixed: the writer's three steps and the reader's two reads each run
 * under one spinlock.
 */
#include <stdlib.h>

#include "classic/classic.h"
#include "sim/sim.h"

struct a3_state {
	spinlock_t lock;
	int state;
	bool locked;
};

static void *a3_create(struct sim_exec *x, void *arg)
{
	struct a3_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->locked = arg != NULL;
	return s;
}

static void a3_setup(struct sim_exec *x, void *state)
{
	struct a3_state *s = state;

	(void)x;
	spin_lock_init(&s->lock);
}

static void writer(struct a3_state *s)
{
	if (s->locked)
		spin_lock(&s->lock);
	WRITE_ONCE(s->state, 1);
	WRITE_ONCE(s->state, 2);
	WRITE_ONCE(s->state, 3);
	if (s->locked)
		spin_unlock(&s->lock);
}

static void reader(struct a3_state *s)
{
	int first, second;

	if (s->locked)
		spin_lock(&s->lock);
	first = READ_ONCE(s->state);
	second = READ_ONCE(s->state);
	if (s->locked)
		spin_unlock(&s->lock);
	if (first == 1 && second == 2)
		sim_fail(SIM_FIND_INVARIANT, "torn-update",
			 "the reader saw the record claimed (1) and then filled (2): the"
			 " three-step update is not atomic");
}

static void a3_run(struct sim_exec *x, void *state, int cpu)
{
	(void)x;
	if (cpu == 0)
		writer(state);
	else
		reader(state);
}

static void a3_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

const struct sim_program classic_atomicity3 = {
	.name = "atomicity3",
	.summary = "a three-step update seen half-done twice (needs 3 preemptions)",
	.ncpus = 2,
	.create = a3_create,
	.setup = a3_setup,
	.run = a3_run,
	.destroy = a3_destroy,
};

const struct sim_program classic_atomicity3_fixed = {
	.name = "atomicity3_fixed",
	.summary = "the update and the reads each under one spinlock",
	.ncpus = 2,
	.arg = (void *)1,
	.create = a3_create,
	.setup = a3_setup,
	.run = a3_run,
	.destroy = a3_destroy,
};
