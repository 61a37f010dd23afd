/*
 * mmprog.c - programs over the model kernel (see mmprog.h).
 */
#include "check/mmprog.h"

#include <stdlib.h>

#include "check/check.h"
#include "mm/internal.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

struct mm_prog_state {
	const struct mm_prog *p;
	struct mm_kernel *k;
	void *user;
};

void *mm_prog_create(struct sim_exec *x, void *arg)
{
	struct mm_prog_state *s = calloc(1, sizeof(*s));
	const struct mm_prog *p = arg;

	if (!s || !(s->user = calloc(1, p->state_size ? p->state_size : 1)))
		abort();
	s->p = p;
	s->k = mm_kernel_create(x, p->cfg);
	return s;
}

void *mm_prog_user(void *state)
{
	return ((struct mm_prog_state *)state)->user;
}

void mm_prog_setup(struct sim_exec *x, void *state)
{
	struct mm_prog_state *s = state;

	(void)x;
	if (s->p->setup)
		s->p->setup(s->k, s->user);
}

void mm_prog_run(struct sim_exec *x, void *state, int cpu)
{
	struct mm_prog_state *s = state;

	(void)x;
	s->p->run(s->k, s->user, cpu);
}

void mm_prog_check(struct sim_exec *x, void *state)
{
	struct mm_prog_state *s = state;

	(void)x;
	if (s->p->check)
		s->p->check(s->k, s->user);
	/* Let writeback in flight finish: nothing else is in flight now. */
	mmt_swap_io_complete();
	check_all(s->k, CHECK_END);
	/* Process exit closes descriptors, then drops the address spaces. */
	userfaultfd_close_all();
	for (int i = 0; i < s->k->nr_mms; i++)
		mmt_exit(s->k->mms[i]);
	for (int i = 0; i < s->k->nr_mappings; i++)
		while (s->k->mappings[i]->refcount.counter > 0)
			mapping_put(s->k->mappings[i]);
	check_no_leaks(s->k);
	check_no_swap_leaks(s->k);
}

void mm_prog_check_step(struct sim_exec *x, void *state)
{
	struct mm_prog_state *s = state;

	(void)x;
	check_all(s->k, CHECK_STEP);
}

void mm_prog_describe(struct sim_exec *x, void *state)
{
	struct mm_prog_state *s = state;

	mm_describe_trace(s->k, x);
}

void mm_prog_destroy(struct sim_exec *x, void *state)
{
	struct mm_prog_state *s = state;

	(void)x;
	mm_kernel_destroy(s->k);
	free(s->user);
	free(s);
}
