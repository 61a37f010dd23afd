/*
 * strategy.h - how the explorer picks at every scheduling decision.
 *
 * One small interface, four interchangeable strategies:
 *   random  - uniform among the CPUs that may run (seeded);
 *   pct     - probabilistic concurrency testing: random priorities and
 *             depth-1 random priority change points (seeded; finds a bug of
 *             depth d with probability at least 1/(n k^(d-1)) per run);
 *   dfs     - bounded exhaustive search: every schedule with at most B
 *             preemptions (or B delays), depth-first, then a statement of
 *             what was exhausted;
 *   replay  - the decisions of a schedule token, checked as they go.
 *
 * The explorer calls begin() before each execution (false: nothing left),
 * pick() at every decision with more than one option, end() after it.
 */
#ifndef MMT_EXPLORE_STRATEGY_H
#define MMT_EXPLORE_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/exec.h"

struct strategy;

struct strategy_ops {
	const char *name;
	bool (*begin)(struct strategy *s);
	int (*pick)(struct strategy *s, const struct sim_choice *ch);
	void (*end)(struct strategy *s, const struct sim_exec *x);
	/* "pct(depth=3, seed=1)" */
	void (*describe)(const struct strategy *s, char *buf, size_t n);
	/* After begin() returned false: what was covered.  NULL if never exhausts. */
	void (*exhausted)(const struct strategy *s, char *buf, size_t n);
	/* A message if the strategy gave up on an execution (pick returned -1)
	 * or found at end() that it cannot go on (e.g. dfs: nondeterminism). */
	const char *(*error)(const struct strategy *s);
	void (*destroy)(struct strategy *s);
};

struct strategy {
	const struct strategy_ops *ops;
};

enum dfs_bound_kind { DFS_PREEMPTIONS, DFS_DELAYS };

struct strategy *strategy_random_new(uint64_t seed);
struct strategy *strategy_pct_new(uint64_t seed, int depth);
struct strategy *strategy_dfs_new(enum dfs_bound_kind kind, int bound);
struct strategy *strategy_replay_new(const uint16_t *dec, size_t n);

/* Replay only: decisions not consumed by the execution. */
size_t strategy_replay_left(const struct strategy *s);

#endif
