/*
 * strategy_replay.c - replay the decisions of a schedule token, checking at
 * every step that the decision is still possible.  Any mismatch stops the
 * execution with a message saying where the program and the token part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/strategy.h"

struct replay_strategy {
	struct strategy base;
	uint16_t *dec;
	size_t n, pos;
	bool ran;
	char err[320];
};

static bool replay_begin(struct strategy *s)
{
	struct replay_strategy *r = (struct replay_strategy *)s;

	if (r->ran)
		return false;
	r->ran = true;
	r->pos = 0;
	return true;
}

static void mask_str(uint64_t m, bool cpus, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	for (uint64_t b = m; b && at < n; b &= b - 1)
		at += (size_t)snprintf(buf + at, n - at, "%s%s%d", at ? "," : "",
				       cpus ? "CPU" : "", __builtin_ctzll(b));
}

static int replay_pick(struct strategy *s, const struct sim_choice *ch)
{
	struct replay_strategy *r = (struct replay_strategy *)s;
	bool cpus = ch->kind == SIM_CHOICE_SCHED;
	char opts[128];
	int v;

	if (r->pos >= r->n) {
		snprintf(r->err, sizeof(r->err),
			 "the token ends after %zu decisions, but the program asks for more", r->n);
		return -1;
	}
	v = r->dec[r->pos];
	if (v >= 64 || !(ch->enabled & (1ULL << v))) {
		mask_str(ch->enabled, cpus, opts, sizeof(opts));
		snprintf(r->err, sizeof(r->err),
			 "decision %zu of the token picks %s%d, but the program offers only %s here",
			 r->pos, cpus ? "CPU" : "value ", v, opts);
		return -1;
	}
	r->pos++;
	return v;
}

static void replay_end(struct strategy *s, const struct sim_exec *x)
{
	(void)s;
	(void)x;
}

static void replay_describe(const struct strategy *s, char *buf, size_t n)
{
	snprintf(buf, n, "replay(%zu decisions)", ((const struct replay_strategy *)s)->n);
}

static const char *replay_error(const struct strategy *s)
{
	const struct replay_strategy *r = (const struct replay_strategy *)s;

	return r->err[0] ? r->err : NULL;
}

static void replay_destroy(struct strategy *s)
{
	struct replay_strategy *r = (struct replay_strategy *)s;

	free(r->dec);
	free(r);
}

static const struct strategy_ops replay_ops = {
	.name = "replay",
	.begin = replay_begin,
	.pick = replay_pick,
	.end = replay_end,
	.describe = replay_describe,
	.error = replay_error,
	.destroy = replay_destroy,
};

struct strategy *strategy_replay_new(const uint16_t *dec, size_t n)
{
	struct replay_strategy *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->dec = malloc((n ? n : 1) * sizeof(*dec));
	if (!r->dec) {
		free(r);
		return NULL;
	}
	if (n)
		memcpy(r->dec, dec, n * sizeof(*dec));
	r->n = n;
	r->base.ops = &replay_ops;
	return &r->base;
}

size_t strategy_replay_left(const struct strategy *s)
{
	const struct replay_strategy *r = (const struct replay_strategy *)s;

	return r->n - r->pos;
}
