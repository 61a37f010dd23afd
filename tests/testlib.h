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

#endif
