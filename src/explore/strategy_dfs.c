/*
 * strategy_dfs.c - bounded exhaustive search, depth first.
 *
 * The search tree has one node per decision.  The first execution takes the
 * default choice everywhere (keep running the current CPU; see
 * sim_choice_default); each later one replays a prefix of the previous
 * execution and changes the deepest decision that still has an untried
 * alternative within the bound.  When none is left, every schedule within
 * the bound has run, and describe_exhausted() says so.
 *
 * Bounds (Musuvathi & Qadeer, PLDI 2007; Emmi, Qadeer & Rakamaric, POPL 2011):
 *   preemptions - switching away from a CPU that could have continued costs
 *                 one; switching at a block or an exit is free, while
 *                 at a yield (or when a timed wait just began) only the
 *                 default, the next CPU in round-robin order, is free and
 *                 any other choice costs one, as under the delay bound -
 *                 else a spin or polling loop could go round forever within
 *                 any bound (staying on the spinner, or two spinners
 *                 handing the CPU to each other);
 *   delays      - choosing the j-th CPU after the default, in round-robin
 *                 order, costs j.
 * Data choices (sim_choose) are explored in full and cost nothing under the
 * preemption bound; under the delay bound value v costs v.
 *
 * Executions must be deterministic: a replayed prefix that meets different
 * options than recorded is reported as nondeterminism (a bug in the program
 * or in mmtwin), never silently explored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/strategy.h"

struct dfs_node {
	struct sim_choice ch;	/* the options as first met */
	uint64_t tried;
	int chosen;
	uint32_t cost_before;	/* bound spent by the decisions above */
};

struct dfs_strategy {
	struct strategy base;
	enum dfs_bound_kind kind;
	int bound;
	struct dfs_node *nodes;
	size_t size, cap, pos;
	bool started, done;
	uint64_t executions;
	size_t longest;
	char err[256];
};

/* Position of @alt in round-robin order starting at the default choice. */
static uint32_t delay_cost(const struct sim_choice *ch, int alt)
{
	int dflt = sim_choice_default(ch), n = ch->ncpus;
	uint32_t k = 0;

	if (ch->kind == SIM_CHOICE_DATA)
		return (uint32_t)alt;
	for (int step = 0; step < n; step++) {
		int i = (dflt + step) % n;

		if (i == alt)
			return k;
		if (ch->enabled & (1ULL << i))
			k++;
	}
	return k;
}

static uint32_t cost(const struct dfs_strategy *d, const struct sim_choice *ch, int alt)
{
	if (d->kind == DFS_DELAYS)
		return delay_cost(ch, alt);
	if (ch->kind == SIM_CHOICE_DATA || ch->current < 0 || !ch->current_enabled)
		return 0;
	if (ch->yielded || (ch->timed & (1ULL << ch->current)))
		return alt != sim_choice_default(ch);	/* it offered the CPU (or slept) */
	return alt != ch->current;
}

static bool dfs_next_alternative(struct dfs_strategy *d, struct dfs_node *n)
{
	for (uint64_t b = n->ch.enabled & ~n->tried; b; b &= b - 1) {
		int alt = __builtin_ctzll(b);

		if (n->cost_before + cost(d, &n->ch, alt) <= (uint32_t)d->bound) {
			n->chosen = alt;
			n->tried |= 1ULL << alt;
			return true;
		}
	}
	return false;
}

static bool dfs_begin(struct strategy *s)
{
	struct dfs_strategy *d = (struct dfs_strategy *)s;

	d->pos = 0;
	if (!d->started) {
		d->started = true;
		return true;
	}
	while (d->size > 0) {
		if (dfs_next_alternative(d, &d->nodes[d->size - 1]))
			return true;
		d->size--;
	}
	d->done = true;
	return false;
}

static bool same_options(const struct sim_choice *a, const struct sim_choice *b)
{
	return a->kind == b->kind && a->enabled == b->enabled && a->current == b->current &&
	       a->current_enabled == b->current_enabled && a->yielded == b->yielded &&
	       a->timed == b->timed;
}

static int dfs_pick(struct strategy *s, const struct sim_choice *ch)
{
	struct dfs_strategy *d = (struct dfs_strategy *)s;
	struct dfs_node *n;
	uint32_t spent = 0;

	if (d->pos < d->size) {
		n = &d->nodes[d->pos];
		if (!same_options(&n->ch, ch)) {
			snprintf(d->err, sizeof(d->err),
				 "nondeterminism: decision %zu offered options 0x%llx the first time"
				 " and 0x%llx now; executions must be deterministic",
				 d->pos, (unsigned long long)n->ch.enabled,
				 (unsigned long long)ch->enabled);
			return -1;
		}
		d->pos++;
		return n->chosen;
	}
	if (d->size == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct dfs_node *nn = realloc(d->nodes, cap * sizeof(*nn));

		if (!nn) {
			snprintf(d->err, sizeof(d->err), "out of memory for the search stack");
			return -1;
		}
		d->nodes = nn;
		d->cap = cap;
	}
	if (d->size) {
		const struct dfs_node *p = &d->nodes[d->size - 1];

		spent = p->cost_before + cost(d, &p->ch, p->chosen);
	}
	n = &d->nodes[d->size++];
	n->ch = *ch;
	n->chosen = sim_choice_default(ch);
	n->tried = 1ULL << n->chosen;
	n->cost_before = spent;
	d->pos++;
	return n->chosen;
}

static void dfs_end(struct strategy *s, const struct sim_exec *x)
{
	struct dfs_strategy *d = (struct dfs_strategy *)s;

	(void)x;
	d->executions++;
	if (d->size > d->longest)
		d->longest = d->size;
	/* A deterministic execution reaches every decision of the prefix it
	 * replays (a finding can only come after the last one). */
	if (d->pos < d->size && !d->err[0])
		snprintf(d->err, sizeof(d->err),
			 "nondeterminism: the execution ended after %zu decisions, before reaching"
			 " decision %zu that it replays; executions must be deterministic",
			 d->pos, d->size - 1);
	d->size = d->pos;
}

static void dfs_describe(const struct strategy *s, char *buf, size_t n)
{
	const struct dfs_strategy *d = (const struct dfs_strategy *)s;

	snprintf(buf, n, "dfs(%s<=%d)", d->kind == DFS_DELAYS ? "delays" : "preemptions",
		 d->bound);
}

static void dfs_exhausted(const struct strategy *s, char *buf, size_t n)
{
	const struct dfs_strategy *d = (const struct dfs_strategy *)s;

	if (!d->done) {
		snprintf(buf, n, "not exhausted: the search stopped before covering every schedule"
			 " with at most %d %s", d->bound,
			 d->kind == DFS_DELAYS ? "delays" : "preemptions");
		return;
	}
	snprintf(buf, n,
		 "exhausted: every schedule with at most %d %s ran (%llu executions, longest %zu"
		 " decisions)",
		 d->bound, d->kind == DFS_DELAYS ? "delays" : "preemptions",
		 (unsigned long long)d->executions, d->longest);
}

static const char *dfs_error(const struct strategy *s)
{
	const struct dfs_strategy *d = (const struct dfs_strategy *)s;

	return d->err[0] ? d->err : NULL;
}

static void dfs_destroy(struct strategy *s)
{
	struct dfs_strategy *d = (struct dfs_strategy *)s;

	free(d->nodes);
	free(d);
}

static const struct strategy_ops dfs_ops = {
	.name = "dfs",
	.begin = dfs_begin,
	.pick = dfs_pick,
	.end = dfs_end,
	.describe = dfs_describe,
	.exhausted = dfs_exhausted,
	.error = dfs_error,
	.destroy = dfs_destroy,
};

struct strategy *strategy_dfs_new(enum dfs_bound_kind kind, int bound)
{
	struct dfs_strategy *d;

	if (bound < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->base.ops = &dfs_ops;
	d->kind = kind;
	d->bound = bound;
	return &d->base;
}
