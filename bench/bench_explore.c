/*
 * bench_explore.c - speed of the explore runtime: scheduling decisions per
 * second and executions per second for small programs, on one core.
 *
 * Budget (DESIGN.md section 7): at least 1,000,000 scheduling decisions per
 * second per core in explore mode.  The process exits non-zero when a budget
 * is not met.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "classic/classic.h"
#include "explore/explorer.h"
#include "sim/sim.h"

#define DECISION_BUDGET 1e6

struct pp_state {
	int x;
	long iters;
};

static void *pp_create(struct sim_exec *x, void *arg)
{
	struct pp_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->iters = (long)(intptr_t)arg;
	return s;
}

/* Every READ_ONCE is a scheduling point with every CPU runnable: a decision. */
static void pp_run(struct sim_exec *x, void *state, int cpu)
{
	struct pp_state *s = state;
	int sum = 0;

	(void)x;
	(void)cpu;
	for (long i = 0; i < s->iters; i++)
		sum += READ_ONCE(s->x);
	(void)sum;
}

static void pp_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_decisions(const char *label, int ncpus, enum explore_kind kind, bool trace)
{
	long iters = 2000000 / ncpus;
	struct sim_program p = {
		.name = "bench_pingpong", .ncpus = ncpus, .arg = (void *)(intptr_t)iters,
		.create = pp_create, .run = pp_run, .destroy = pp_destroy,
	};
	struct explore_opts o;
	struct explore_result r;
	double rate;

	explore_opts_default(&o);
	o.kind = kind;
	o.max_executions = 3;
	o.cfg.max_steps = (uint64_t)iters * (uint64_t)ncpus + 1000;
	o.cfg.trace = trace;
	if (explore_run(&p, &o, &r) || r.found) {
		fprintf(stderr, "bench: pingpong failed: %s\n", r.errmsg);
		return -1;
	}
	rate = (double)r.decisions / r.seconds;
	printf("  %-46s %8.2f M decisions/s  %s\n", label, rate / 1e6,
	       rate >= DECISION_BUDGET ? "(budget >= 1 M/s: met)" : "(budget >= 1 M/s: NOT MET)");
	explore_result_free(&r);
	return rate >= DECISION_BUDGET ? 0 : 1;
}

static void bench_executions(const struct sim_program *p, enum explore_kind kind, uint64_t n)
{
	struct explore_opts o;
	struct explore_result r;

	explore_opts_default(&o);
	o.kind = kind;
	o.max_executions = n;
	if (explore_run(p, &o, &r) || r.found) {
		fprintf(stderr, "bench: %s failed\n", p->name);
		exit(1);
	}
	printf("  %-22s %-8s %10.0f executions/s %8.2f M steps/s  %6.1f steps/execution\n",
	       p->name, explore_kind_name(kind), (double)r.executions / r.seconds,
	       (double)r.steps / r.seconds / 1e6, (double)r.steps / (double)r.executions);
	explore_result_free(&r);
}

int main(void)
{
	int bad = 0;
	double t0 = now_s();

	printf("mmtwin bench: the explore runtime (one core, one OS thread)\n");
	printf("scheduling decisions per second (a decision = a point where 2+ CPUs may run)\n");
	bad |= bench_decisions("random, 2 CPUs, trace recorded", 2, EXPLORE_RANDOM, true);
	bad |= bench_decisions("random, 2 CPUs, no trace", 2, EXPLORE_RANDOM, false);
	bad |= bench_decisions("pct depth 3, 2 CPUs, trace recorded", 2, EXPLORE_PCT, true);
	bad |= bench_decisions("random, 8 CPUs, trace recorded", 8, EXPLORE_RANDOM, true);
	printf("executions per second (each from create+setup to the final check)\n");
	bench_executions(&classic_lost_update_fixed, EXPLORE_RANDOM, 200000);
	bench_executions(&classic_aba_stack_fixed, EXPLORE_RANDOM, 200000);
	bench_executions(&classic_missed_wakeup_fixed, EXPLORE_PCT, 200000);
	bench_executions(&classic_atomicity3_fixed, EXPLORE_PCT, 200000);
	printf("(%.1f s)\n", now_s() - t0);
	return bad;
}
