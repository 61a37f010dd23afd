/*
 * strategy_pct.c - PCT, probabilistic concurrency testing (Burckhardt,
 * Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each execution gives the CPUs random distinct priorities d..d+n-1 and
 * picks d-1 random change points among the first k scheduling decisions;
 * the highest-priority CPU that may run always runs, and at the j-th change
 * point the CPU that was running drops to priority d-1-j.  A bug that needs
 * d ordering constraints is found with probability at least 1/(n k^(d-1))
 * per execution.  k is learnt: the largest number of decisions seen so far.
 *
 * A CPU that yields (cpu_relax, cond_resched) drops below every other
 * priority (below the change-point priorities too), so spinners cannot
 * starve the CPU they wait for - not even two spinners handing the CPU to
 * each other, which merely passing the yielder over would allow.
 * CPUs that would only wake by timeout come after all others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/rng.h"
#include "explore/strategy.h"

#define PCT_MAX_DEPTH 16

struct pct_strategy {
	struct strategy base;
	uint64_t seed;
	int depth;
	uint64_t exec;
	uint64_t rng;
	uint64_t k;			/* estimated decisions per execution */
	uint64_t change[PCT_MAX_DEPTH];	/* change points, decision indices */
	int prio[SIM_MAX_CPUS];
	bool prio_set;
	int lowest;			/* the priority the next yielding CPU gets */
	uint64_t nsched;		/* scheduling decisions in this execution */
};

static bool pct_begin(struct strategy *s)
{
	struct pct_strategy *p = (struct pct_strategy *)s;

	p->rng = rng_stream(p->seed, p->exec++);
	p->prio_set = false;
	p->lowest = 0;
	p->nsched = 0;
	for (int j = 0; j < p->depth - 1; j++)
		p->change[j] = rng_below(&p->rng, (uint32_t)(p->k ? p->k : 1));
	return true;
}

/* Priorities are drawn at the first decision, when the CPU count is known. */
static void pct_assign(struct pct_strategy *p, int ncpus)
{
	int perm[SIM_MAX_CPUS];

	for (int i = 0; i < ncpus; i++)
		perm[i] = i;
	for (int i = ncpus - 1; i > 0; i--) {
		int j = (int)rng_below(&p->rng, (uint32_t)(i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (int i = 0; i < ncpus; i++)
		p->prio[perm[i]] = p->depth + i;
	p->prio_set = true;
}

static int pct_best(const struct pct_strategy *p, uint64_t cand)
{
	int best = -1;

	for (uint64_t b = cand; b; b &= b - 1) {
		int i = __builtin_ctzll(b);

		if (best < 0 || p->prio[i] > p->prio[best])
			best = i;
	}
	return best;
}

static int pct_pick(struct strategy *s, const struct sim_choice *ch)
{
	struct pct_strategy *p = (struct pct_strategy *)s;
	uint64_t cand = ch->enabled, pref;

	if (ch->kind == SIM_CHOICE_DATA)
		return rng_nth_bit(ch->enabled,
				   rng_below(&p->rng, (uint32_t)__builtin_popcountll(ch->enabled)));
	if (!p->prio_set)
		pct_assign(p, ch->ncpus);
	for (int j = 0; j < p->depth - 1; j++)
		if (p->change[j] == p->nsched && ch->current >= 0)
			p->prio[ch->current] = p->depth - 1 - j;
	p->nsched++;
	if (ch->yielded && ch->current >= 0 && (cand & ~(1ULL << ch->current))) {
		cand &= ~(1ULL << ch->current);
		p->prio[ch->current] = p->lowest--;
	}
	pref = cand & ~ch->timed;
	return pct_best(p, pref ? pref : cand);
}

static void pct_end(struct strategy *s, const struct sim_exec *x)
{
	struct pct_strategy *p = (struct pct_strategy *)s;

	(void)x;
	if (p->nsched > p->k)
		p->k = p->nsched;
}

static void pct_describe(const struct strategy *s, char *buf, size_t n)
{
	const struct pct_strategy *p = (const struct pct_strategy *)s;

	snprintf(buf, n, "pct(depth=%d, seed=%llu)", p->depth, (unsigned long long)p->seed);
}

static void pct_destroy(struct strategy *s)
{
	free(s);
}

static const struct strategy_ops pct_ops = {
	.name = "pct",
	.begin = pct_begin,
	.pick = pct_pick,
	.end = pct_end,
	.describe = pct_describe,
	.destroy = pct_destroy,
};

struct strategy *strategy_pct_new(uint64_t seed, int depth)
{
	struct pct_strategy *p;

	if (depth < 1 || depth > PCT_MAX_DEPTH)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->base.ops = &pct_ops;
	p->seed = seed;
	p->depth = depth;
	p->k = 8;
	return &p->base;
}
