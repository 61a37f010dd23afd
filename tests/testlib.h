/*
 * testlib.h - what every test file includes: cmocka and small helpers.
 *
 * Test files are cmocka groups (tests/test_<area>.c), one binary each; the
 * runner (tests/run.sh) runs them with TAP output and totals the results.
 * Tests assert behaviour, never timing.
 */
#ifndef MMT_TESTS_TESTLIB_H
#define MMT_TESTS_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "explore/explorer.h"
#include "scenario/scenario.h"
#include "sim/sim.h"

/* True when the long soak set runs (make check-full). */
static inline int test_soak(void)
{
	const char *s = getenv("MMTWIN_SOAK");

	return s && *s && strcmp(s, "0");
}

/* Explore @p with @kind and common settings; the caller frees @r. */
static inline int test_explore(const struct sim_program *p, enum explore_kind kind, uint64_t seed,
			       int depth_or_bound, uint64_t max_exec, struct explore_result *r)
{
	struct explore_opts o;

	explore_opts_default(&o);
	o.kind = kind;
	o.seed = seed;
	if (kind == EXPLORE_PCT)
		o.pct_depth = depth_or_bound;
	else
		o.bound = depth_or_bound;
	o.max_executions = max_exec;
	return explore_run(p, &o, r);
}

/* The program of a scenario file (tests run from the top of the tree, so
 * "scenarios/uffd/x.mmt" names a bundled one).  The scenario lives until
 * the test binary exits; a file that does not parse fails the test. */
static inline void test_scenarios_free(void);
static struct scenario *test_loaded[64];
static int test_nloaded;

static inline void test_scenarios_free(void)
{
	while (test_nloaded)
		scenario_free(test_loaded[--test_nloaded]);
}

static inline const struct sim_program *test_scenario(const char *path)
{
	char err[1024];
	struct scenario *sc = scenario_load(path, err, sizeof(err));

	if (!sc)
		fail_msg("%s", err);
	if (!test_nloaded)
		atexit(test_scenarios_free);
	if (test_nloaded == 64)
		fail_msg("test_scenario: too many scenarios loaded");
	test_loaded[test_nloaded++] = sc;
	return scenario_program(sc);
}

/* Two results carry the same trace, event by event (every field). */
static inline void test_assert_same_trace(const struct explore_result *a, const struct explore_result *b)
{
	assert_int_equal(a->ntrace, b->ntrace);
	assert_int_equal(a->ncpus, b->ncpus);
	for (size_t i = 0; i < a->ntrace; i++) {
		const struct sim_event *x = &a->trace[i], *y = &b->trace[i];

		if (x->site != y->site || x->val != y->val || x->val2 != y->val2 ||
		    x->obj != y->obj || x->op != y->op || x->cpu != y->cpu || x->depth != y->depth)
			fail_msg("event %zu differs: CPU%d %s %s val %llu/%llu vs CPU%d %s %s"
				 " val %llu/%llu", i, x->cpu, sim_op_name(x->op),
				 x->site ? x->site->func : "?", (unsigned long long)x->val,
				 (unsigned long long)x->val2, y->cpu, sim_op_name(y->op),
				 y->site ? y->site->func : "?", (unsigned long long)y->val,
				 (unsigned long long)y->val2);
	}
}

#endif
