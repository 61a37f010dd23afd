/*
 * aba_stack.c - the ABA problem on a lock-free (Treiber) stack.
 *
 * The stack holds A -> B -> C.  CPU0 pops: it reads head = A and A's next
 * = B, then is preempted.  CPU1 pops A, pops B and pushes A back, so head
 * is A again but A's next is now C.  CPU0's cmpxchg(head, A, B) succeeds -
 * the head "looks" unchanged - and installs B, which CPU1 owns:
 *
 *   CPU0                               CPU1
 *   h = READ_ONCE(head)      // A
 *   n = READ_ONCE(A->next)   // B
 *                                      pop() // A
 *                                      pop() // B
 *                                      push(A)
 *   cmpxchg(&head, A, B)     // ok!
 *
 * Fixed: the head word carries a version tag bumped by every successful
 * cmpxchg, so a recycled A no longer compares equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classic/classic.h"
#include "sim/sim.h"

#define ABA_NODES 3
#define IDX(h) ((int)((h) & 0xffff))
#define TAG(h) ((h) >> 16)

struct aba_state {
	uint64_t head;			/* index | tag << 16; index 0 is NULL */
	uint64_t next[ABA_NODES + 1];
	int owned[2][ABA_NODES + 1];	/* popped and kept, per CPU */
	bool tagged;
};

static const char node_name[] = "-ABC";

static void *aba_create(struct sim_exec *x, void *arg)
{
	struct aba_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->tagged = arg != NULL;
	return s;
}

static void aba_setup(struct sim_exec *x, void *state)
{
	struct aba_state *s = state;

	(void)x;
	WRITE_ONCE(s->head, 1);
	WRITE_ONCE(s->next[1], 2);
	WRITE_ONCE(s->next[2], 3);
	WRITE_ONCE(s->next[3], 0);
}

static uint64_t new_head(const struct aba_state *s, uint64_t old, int idx)
{
	return (uint64_t)idx | (s->tagged ? (TAG(old) + 1) << 16 : 0);
}

static int stack_pop(struct aba_state *s)
{
	sim_retry_reset("stack_pop: head changed");
	for (;;) {
		uint64_t h = READ_ONCE(s->head), n;

		if (!IDX(h))
			return 0;
		n = READ_ONCE(s->next[IDX(h)]);
		if (cmpxchg(&s->head, h, new_head(s, h, IDX(n))) == h)
			return IDX(h);
		sim_retry("stack_pop: head changed");
	}
}

static void stack_push(struct aba_state *s, int i)
{
	sim_retry_reset("stack_push: head changed");
	for (;;) {
		uint64_t h = READ_ONCE(s->head);

		WRITE_ONCE(s->next[i], (uint64_t)IDX(h));
		if (cmpxchg(&s->head, h, new_head(s, h, i)) == h)
			return;
		sim_retry("stack_push: head changed");
	}
}

static void aba_run(struct sim_exec *x, void *state, int cpu)
{
	struct aba_state *s = state;
	int a, b;

	(void)x;
	if (cpu == 0) {
		a = stack_pop(s);
		s->owned[0][a] = 1;
		return;
	}
	a = stack_pop(s);
	b = stack_pop(s);
	s->owned[1][b] = 1;
	stack_push(s, a);
}

static void aba_check(struct sim_exec *x, void *state)
{
	struct aba_state *s = state;
	int seen[ABA_NODES + 1] = { 0 };
	uint64_t h = READ_ONCE(s->head);
	int i = IDX(h);

	(void)x;
	for (int steps = 0; i && steps <= ABA_NODES; steps++) {
		if (seen[i])
			sim_fail(SIM_FIND_INVARIANT, "stack-corrupt",
				 "the stack is a cycle through node %c", node_name[i]);
		seen[i] = 1;
		for (int c = 0; c < 2; c++)
			if (s->owned[c][i])
				sim_fail(SIM_FIND_INVARIANT, "stack-corrupt",
					 "node %c is on the stack although CPU%d popped and owns it",
					 node_name[i], c);
		i = IDX(READ_ONCE(s->next[i]));
	}
	for (i = 1; i <= ABA_NODES; i++)
		if (!seen[i] && !s->owned[0][i] && !s->owned[1][i])
			sim_fail(SIM_FIND_INVARIANT, "stack-corrupt",
				 "node %c was lost: neither on the stack nor owned", node_name[i]);
}

static void aba_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

const struct sim_program classic_aba_stack = {
	.name = "aba_stack",
	.summary = "Treiber stack whose pop is fooled by a recycled head (ABA)",
	.ncpus = 2,
	.create = aba_create,
	.setup = aba_setup,
	.run = aba_run,
	.check = aba_check,
	.destroy = aba_destroy,
};

const struct sim_program classic_aba_stack_fixed = {
	.name = "aba_stack_fixed",
	.summary = "the same stack with a version-tagged head",
	.ncpus = 2,
	.arg = (void *)1,
	.create = aba_create,
	.setup = aba_setup,
	.run = aba_run,
	.check = aba_check,
	.destroy = aba_destroy,
};
