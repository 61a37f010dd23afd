/*
 * missed_wakeup.c - a consumer checks its condition before queueing itself
 * to sleep, so the producer's wake-up can fall between the two:
 *
 *   CPU0 (consumer)                 CPU1 (producer)
 *   READ_ONCE(ready)  // 0
 *                                   WRITE_ONCE(ready, 1)
 *                                   wake_up(&wq)   // nobody queued yet
 *   prepare_to_wait(&wq)
 *   schedule()        // sleeps forever
 *
 * Fixed: wait_event(), which queues the task (prepare_to_wait) before it
 * checks the condition, so a later wake-up always finds it.
 */
#include <stdlib.h>

#include "classic/classic.h"
#include "sim/sim.h"

struct mw_state {
	struct wait_queue_head wq;
	int ready;
	int consumed;
	bool correct;
};

static void *mw_create(struct sim_exec *x, void *arg)
{
	struct mw_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->correct = arg != NULL;
	return s;
}

static void mw_setup(struct sim_exec *x, void *state)
{
	struct mw_state *s = state;

	(void)x;
	init_waitqueue_head(&s->wq);
}

static void consumer(struct mw_state *s)
{
	if (s->correct) {
		wait_event(&s->wq, READ_ONCE(s->ready));
	} else if (!READ_ONCE(s->ready)) {
		prepare_to_wait(&s->wq);
		schedule();
		finish_wait(&s->wq);
	}
	WRITE_ONCE(s->consumed, 1);
}

static void producer(struct mw_state *s)
{
	WRITE_ONCE(s->ready, 1);
	wake_up(&s->wq);
}

static void mw_run(struct sim_exec *x, void *state, int cpu)
{
	(void)x;
	if (cpu == 0)
		consumer(state);
	else
		producer(state);
}

static void mw_check(struct sim_exec *x, void *state)
{
	struct mw_state *s = state;

	(void)x;
	if (!READ_ONCE(s->consumed))
		sim_fail(SIM_FIND_INVARIANT, "not-consumed", "the consumer never ran to the end");
}

static void mw_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

const struct sim_program classic_missed_wakeup = {
	.name = "missed_wakeup",
	.summary = "a consumer tests its condition before queueing to sleep",
	.ncpus = 2,
	.create = mw_create,
	.setup = mw_setup,
	.run = mw_run,
	.check = mw_check,
	.destroy = mw_destroy,
};

const struct sim_program classic_missed_wakeup_fixed = {
	.name = "missed_wakeup_fixed",
	.summary = "the consumer uses wait_event()",
	.ncpus = 2,
	.arg = (void *)1,
	.create = mw_create,
	.setup = mw_setup,
	.run = mw_run,
	.check = mw_check,
	.destroy = mw_destroy,
};
