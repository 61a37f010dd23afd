/*
 * strategy_random.c - random walk: at every decision, uniform among the
 * options.  Execution i uses its own stream derived from (seed, i).
 */
#include <stdio.h>
#include <stdlib.h>

#include "explore/rng.h"
#include "explore/strategy.h"

struct random_strategy {
	struct strategy base;
	uint64_t seed;
	uint64_t exec;
	uint64_t rng;
};

static bool random_begin(struct strategy *s)
{
	struct random_strategy *r = (struct random_strategy *)s;

	r->rng = rng_stream(r->seed, r->exec++);
	return true;
}

static int random_pick(struct strategy *s, const struct sim_choice *ch)
{
	struct random_strategy *r = (struct random_strategy *)s;
	int n = __builtin_popcountll(ch->enabled);

	return rng_nth_bit(ch->enabled, rng_below(&r->rng, (uint32_t)n));
}

static void random_end(struct strategy *s, const struct sim_exec *x)
{
	(void)s;
	(void)x;
}

static void random_describe(const struct strategy *s, char *buf, size_t n)
{
	snprintf(buf, n, "random(seed=%llu)",
		 (unsigned long long)((const struct random_strategy *)s)->seed);
}

static void random_destroy(struct strategy *s)
{
	free(s);
}

static const struct strategy_ops random_ops = {
	.name = "random",
	.begin = random_begin,
	.pick = random_pick,
	.end = random_end,
	.describe = random_describe,
	.destroy = random_destroy,
};

struct strategy *strategy_random_new(uint64_t seed)
{
	struct random_strategy *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->base.ops = &random_ops;
	r->seed = seed;
	return &r->base;
}
