/*
 * explorer.h - run a program under a strategy until a finding, exhaustion
 * or a budget; capture a failing execution as a schedule token and trace;
 * replay a token.
 *
 * Every execution starts from the program's create()+setup() and is fully
 * determined by the decisions the strategy takes, so the same options and
 * seed always give the same executions and the same result.
 */
#ifndef MMT_EXPLORE_EXPLORER_H
#define MMT_EXPLORE_EXPLORER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "explore/strategy.h"
#include "sim/exec.h"

enum explore_kind { EXPLORE_RANDOM, EXPLORE_PCT, EXPLORE_DFS };

struct explore_opts {
	enum explore_kind kind;
	uint64_t seed;			/* random, pct */
	int pct_depth;			/* pct */
	enum dfs_bound_kind bound_kind;	/* dfs */
	int bound;			/* dfs */
	uint64_t max_executions;	/* 0: no limit (dfs runs until exhausted) */
	double max_seconds;		/* 0: no limit */
	struct sim_config cfg;
	FILE *progress;			/* a progress line goes here; NULL: none */
};

void explore_opts_default(struct explore_opts *o);
const char *explore_kind_name(enum explore_kind k);

struct explore_result {
	uint64_t executions;
	uint64_t steps;			/* over all executions */
	uint64_t decisions;		/* over all executions */
	double seconds;
	char strategy[96];		/* e.g. "pct(depth=3, seed=1)" */
	bool exhausted;			/* the strategy covered its whole space */
	bool interrupted;		/* explore_stop ended it */
	char coverage[256];		/* dfs: the statement of what was covered */

	bool found;
	struct sim_finding finding;
	uint64_t failing_execution;	/* 1-based */
	char *token;			/* malloc'd when found */
	struct sim_event *trace;	/* malloc'd copy of the failing trace */
	size_t ntrace;
	struct sim_desc *desc;		/* ntrace entries: what the world said of them, or NULL */
	char *descpool;			/* their strings */
	char legend[1024];		/* what the names stand for, or "" */
	int ncpus;

	bool error;			/* the exploration itself failed (see errmsg) */
	char errmsg[512];
};

/* Set (by a signal handler) to end the running exploration after its
 * current execution, as a budget would (r->interrupted). */
extern volatile sig_atomic_t explore_stop;

/* Explore @p.  Returns 0 (see r->found) or -1 on an error (r->errmsg). */
int explore_run(const struct sim_program *p, const struct explore_opts *o,
		struct explore_result *r);

/* Replay @token on @p.  Returns 0 when the token ran as recorded (r->found
 * tells whether it failed), -1 when it does not fit the program (r->errmsg). */
int explore_replay(const struct sim_program *p, const char *token, const struct sim_config *cfg,
		   struct explore_result *r);

void explore_result_free(struct explore_result *r);

/* The program hash a token for @p run with @cfg carries (its name, CPUs,
 * identity text and reverted fixes). */
uint32_t explore_program_hash(const struct sim_program *p, const struct sim_config *cfg);

#endif
