/*
 * test_explorer.c - the explorer finds every classic bug, is silent on the fixes, is deterministic.
 */
#include <stdio.h>

#include "testlib.h"

#include "classic/classic.h"

static const enum explore_kind kinds[] = { EXPLORE_RANDOM, EXPLORE_PCT, EXPLORE_DFS };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Budgets far above what any classic bug needs (PCT finds atomicity3, the
 * hardest, within about a thousand executions), so a miss is a real miss. */
#define FIND_BUDGET 100000
#define FIXED_BUDGET 2000
#define SEED 1

static void assert_contains_at(const char *hay, const char *needle, const char *file, int line)
{
	if (!strstr(hay, needle)) {
		print_error("\"%s\" does not contain \"%s\"\n", hay, needle);
		_fail(file, line);
	}
}

#define assert_contains(hay, needle) assert_contains_at((hay), (needle), __FILE__, __LINE__)

static void opts_for(struct explore_opts *o, enum explore_kind kind, int depth_or_bound,
		     uint64_t max_exec)
{
	explore_opts_default(o);
	o->kind = kind;
	o->seed = SEED;
	o->pct_depth = depth_or_bound;
	o->bound = depth_or_bound;
	o->max_executions = max_exec;
}

/* The options that must expose @e: pct depth = preemptions + 1, dfs bound =
 * preemptions (run to exhaustion), random with a fixed seed. */
static void opts_buggy(struct explore_opts *o, const struct classic_entry *e,
		       enum explore_kind kind)
{
	opts_for(o, kind, kind == EXPLORE_PCT ? e->preemptions + 1 : e->preemptions,
		 kind == EXPLORE_DFS ? 0 : FIND_BUDGET);
}

static void check_found(const struct sim_program *p, const struct explore_opts *o,
			const struct explore_result *r, enum sim_finding_kind expect,
			enum sim_finding_kind also)
{
	char head[160];

	if (!r->found)
		fail_msg("%s: %s found nothing in %llu executions (%s)", p->name, r->strategy,
			 (unsigned long long)r->executions, r->coverage);
	if (r->finding.kind != expect && (also == SIM_FIND_NONE || r->finding.kind != also))
		fail_msg("%s: %s found a %s (%s), expected a %s", p->name, r->strategy,
			 sim_finding_kind_name(r->finding.kind), r->finding.msg,
			 sim_finding_kind_name(expect));
	assert_false(r->error);
	assert_true(r->finding.id[0] != 0);
	assert_true(r->finding.msg[0] != 0);
	assert_int_equal(r->failing_execution, r->executions);
	assert_true(r->executions >= 1);
	if (o->max_executions)
		assert_true(r->executions <= o->max_executions);
	assert_false(r->exhausted);
	assert_int_equal(r->ncpus, p->ncpus);
	assert_non_null(r->trace);
	assert_true(r->ntrace > 0);
	assert_true(r->finding.event <= r->ntrace);
	assert_non_null(r->token);
	snprintf(head, sizeof(head), "mmt1:%s:", p->name);
	assert_int_equal(strncmp(r->token, head, strlen(head)), 0);
}

static void check_buggy_with(enum explore_kind kind)
{
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		struct explore_opts o;
		struct explore_result r;

		if (!e->buggy)
			continue;
		opts_buggy(&o, e, kind);
		assert_int_equal(explore_run(e->prog, &o, &r), 0);
		check_found(e->prog, &o, &r, e->expect, e->also);
		explore_result_free(&r);
	}
}

static void test_buggy_random(void **state)
{
	(void)state;
	check_buggy_with(EXPLORE_RANDOM);
}

static void test_buggy_pct(void **state)
{
	(void)state;
	check_buggy_with(EXPLORE_PCT);
}

static void test_buggy_dfs(void **state)
{
	(void)state;
	check_buggy_with(EXPLORE_DFS);
}

/* With two CPUs a preemption costs one delay and the first schedule starts on
 * CPU0 for free, so the delay bound exposes each bug at its preemption count;
 * with n CPUs a switch (the first one included) costs at most n-1 delays. */
static void test_buggy_dfs_delays(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		int n = e->prog->ncpus;
		struct explore_opts o;
		struct explore_result r;
		char want[64];

		if (!e->buggy)
			continue;
		opts_buggy(&o, e, EXPLORE_DFS);
		o.bound_kind = DFS_DELAYS;
		o.bound = n == 2 ? e->preemptions : (e->preemptions + 1) * (n - 1);
		assert_int_equal(explore_run(e->prog, &o, &r), 0);
		check_found(e->prog, &o, &r, e->expect, e->also);
		snprintf(want, sizeof(want), "dfs(delays<=%d)", o.bound);
		assert_string_equal(r.strategy, want);
		explore_result_free(&r);
	}
}

/* Without lockdep's order check only the deadlock itself can be found. */
static void test_abba_without_lockdep_is_a_deadlock(void **state)
{
	const struct classic_entry *e = classic_find("abba_deadlock");

	(void)state;
	assert_non_null(e);
	assert_ptr_equal(e->prog, &classic_abba);
	for (size_t k = 0; k < NKINDS; k++) {
		struct explore_opts o;
		struct explore_result r;

		opts_buggy(&o, e, kinds[k]);
		o.cfg.lockdep = false;
		assert_int_equal(explore_run(e->prog, &o, &r), 0);
		check_found(e->prog, &o, &r, SIM_FIND_DEADLOCK, SIM_FIND_NONE);
		assert_contains(r.finding.msg, "no CPU can run");
		assert_contains(r.finding.msg, "CPU0 waits in spin_lock");
		assert_contains(r.finding.msg, "CPU1 waits in spin_lock");
		assert_int_equal(r.finding.cpu, -1);
		explore_result_free(&r);
	}
}

static void test_fixed_dfs_exhausts(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		struct explore_opts o;
		struct explore_result r;

		if (e->buggy)
			continue;
		opts_for(&o, EXPLORE_DFS, 3, 0);
		assert_int_equal(explore_run(e->prog, &o, &r), 0);
		if (r.found)
			fail_msg("%s: %s: %s", e->prog->name, sim_finding_kind_name(r.finding.kind),
				 r.finding.msg);
		assert_false(r.error);
		assert_true(r.exhausted);
		assert_int_equal(strncmp(r.coverage, "exhausted", 9), 0);
		assert_contains(r.coverage, "at most 3 preemptions");
		assert_true(r.executions > 1);
		assert_null(r.token);
		assert_null(r.trace);
		explore_result_free(&r);
	}
}

static void test_fixed_random_pct_silent(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];

		for (size_t k = 0; k < 2; k++) {
			struct explore_opts o;
			struct explore_result r;

			if (e->buggy)
				continue;
			opts_for(&o, kinds[k], 3, FIXED_BUDGET);
			assert_int_equal(explore_run(e->prog, &o, &r), 0);
			if (r.found)
				fail_msg("%s: %s: %s", e->prog->name, r.strategy, r.finding.msg);
			assert_int_equal(r.executions, FIXED_BUDGET);
			assert_false(r.exhausted);
			assert_null(r.token);
			explore_result_free(&r);
		}
	}
}

/* atomicity3 needs three preemptions (or delays): a bound of two covers its
 * whole space without a finding, a bound of three finds it. */
static void test_atomicity3_bound_is_meaningful(void **state)
{
	static const enum dfs_bound_kind bk[] = { DFS_PREEMPTIONS, DFS_DELAYS };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct explore_opts o;
		struct explore_result r;

		opts_for(&o, EXPLORE_DFS, 2, 0);
		o.bound_kind = bk[i];
		assert_int_equal(explore_run(&classic_atomicity3, &o, &r), 0);
		assert_false(r.found);
		assert_true(r.exhausted);
		assert_int_equal(strncmp(r.coverage, "exhausted", 9), 0);
		assert_contains(r.coverage, bk[i] == DFS_DELAYS ? "at most 2 delays"
								: "at most 2 preemptions");
		explore_result_free(&r);

		o.bound = 3;
		assert_int_equal(explore_run(&classic_atomicity3, &o, &r), 0);
		check_found(&classic_atomicity3, &o, &r, SIM_FIND_INVARIANT, SIM_FIND_NONE);
		assert_string_equal(r.finding.id, "torn-update");
		explore_result_free(&r);
	}
}

/* PCT with too small a depth cannot reorder enough: depth 3 gives two change
 * points, atomicity3 needs three. */
static void test_atomicity3_pct_depth_is_meaningful(void **state)
{
	struct explore_result r;

	(void)state;
	assert_int_equal(test_explore(&classic_atomicity3, EXPLORE_PCT, SEED, 3, 5000, &r), 0);
	assert_false(r.found);
	assert_int_equal(r.executions, 5000);
	explore_result_free(&r);
}

static void assert_same_result(const struct explore_result *a, const struct explore_result *b)
{
	assert_int_equal(a->found, b->found);
	assert_int_equal(a->executions, b->executions);
	assert_int_equal(a->steps, b->steps);
	assert_int_equal(a->decisions, b->decisions);
	assert_int_equal(a->exhausted, b->exhausted);
	assert_string_equal(a->strategy, b->strategy);
	assert_string_equal(a->coverage, b->coverage);
	if (!a->found)
		return;
	assert_string_equal(a->token, b->token);
	assert_int_equal(a->failing_execution, b->failing_execution);
	assert_int_equal(a->finding.kind, b->finding.kind);
	assert_string_equal(a->finding.id, b->finding.id);
	assert_string_equal(a->finding.msg, b->finding.msg);
	test_assert_same_trace(a, b);
}

/* The same options twice give the same executions, the same token, the same trace. */
static void test_exploration_is_deterministic(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];

		for (size_t k = 0; k < NKINDS; k++) {
			struct explore_opts o;
			struct explore_result a, b;

			if (e->buggy)
				opts_buggy(&o, e, kinds[k]);
			else
				opts_for(&o, kinds[k], 3, kinds[k] == EXPLORE_DFS ? 0 : 300);
			assert_int_equal(explore_run(e->prog, &o, &a), 0);
			assert_int_equal(explore_run(e->prog, &o, &b), 0);
			assert_int_equal(a.found, e->buggy);
			assert_same_result(&a, &b);
			explore_result_free(&a);
			explore_result_free(&b);
		}
	}
}

/* The seed is used: different seeds do not all explore alike. */
static void test_seed_changes_the_exploration(void **state)
{
	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct explore_result first, r;
		bool differs = false;

		assert_int_equal(test_explore(&classic_atomicity3, kinds[k], 1, 4, FIND_BUDGET,
					      &first), 0);
		assert_true(first.found);
		for (uint64_t seed = 2; seed <= 8; seed++) {
			assert_int_equal(test_explore(&classic_atomicity3, kinds[k], seed, 4,
						      FIND_BUDGET, &r), 0);
			assert_true(r.found);
			if (r.failing_execution != first.failing_execution ||
			    strcmp(r.token, first.token))
				differs = true;
			explore_result_free(&r);
		}
		assert_true(differs);
		explore_result_free(&first);
	}
}

static void test_max_executions_respected(void **state)
{
	static const uint64_t budgets[] = { 1, 2, 37, 200 };

	(void)state;
	for (size_t k = 0; k < NKINDS; k++) {
		for (size_t j = 0; j < sizeof(budgets) / sizeof(budgets[0]); j++) {
			struct explore_opts o;
			struct explore_result r;

			/* aba_stack_fixed has over 200 schedules within 3 preemptions. */
			opts_for(&o, kinds[k], 3, budgets[j]);
			assert_int_equal(explore_run(&classic_aba_stack_fixed, &o, &r), 0);
			assert_false(r.found);
			assert_int_equal(r.executions, budgets[j]);
			assert_false(r.exhausted);
			if (kinds[k] == EXPLORE_DFS)
				assert_int_equal(strncmp(r.coverage, "not exhausted", 13), 0);
			explore_result_free(&r);
		}
	}
}

/* A budget too small for the bug ends the search without a finding. */
static void test_max_executions_stops_before_the_bug(void **state)
{
	struct explore_result full, r;

	(void)state;
	assert_int_equal(test_explore(&classic_atomicity3, EXPLORE_PCT, SEED, 4, FIND_BUDGET,
				      &full), 0);
	assert_true(full.found);
	assert_true(full.failing_execution > 1);
	assert_int_equal(test_explore(&classic_atomicity3, EXPLORE_PCT, SEED, 4,
				      full.failing_execution - 1, &r), 0);
	assert_false(r.found);
	assert_int_equal(r.executions, full.failing_execution - 1);
	explore_result_free(&r);
	/* Exactly enough reaches it. */
	assert_int_equal(test_explore(&classic_atomicity3, EXPLORE_PCT, SEED, 4,
				      full.failing_execution, &r), 0);
	assert_true(r.found);
	assert_string_equal(r.token, full.token);
	explore_result_free(&r);
	explore_result_free(&full);
}

static void test_strategy_names(void **state)
{
	static const struct {
		enum explore_kind kind;
		enum dfs_bound_kind bk;
		int n;
		uint64_t seed;
		const char *want;
	} cases[] = {
		{ EXPLORE_RANDOM, DFS_PREEMPTIONS, 0, 7, "random(seed=7)" },
		{ EXPLORE_PCT, DFS_PREEMPTIONS, 3, 1, "pct(depth=3, seed=1)" },
		{ EXPLORE_DFS, DFS_PREEMPTIONS, 2, 1, "dfs(preemptions<=2)" },
		{ EXPLORE_DFS, DFS_DELAYS, 4, 1, "dfs(delays<=4)" },
	};

	(void)state;
	assert_string_equal(explore_kind_name(EXPLORE_RANDOM), "random");
	assert_string_equal(explore_kind_name(EXPLORE_PCT), "pct");
	assert_string_equal(explore_kind_name(EXPLORE_DFS), "dfs");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct explore_opts o;
		struct explore_result r;

		opts_for(&o, cases[i].kind, cases[i].n, 1);
		o.seed = cases[i].seed;
		o.bound_kind = cases[i].bk;
		assert_int_equal(explore_run(&classic_lost_update_fixed, &o, &r), 0);
		assert_string_equal(r.strategy, cases[i].want);
		explore_result_free(&r);
	}
}

static void test_invalid_options_refused(void **state)
{
	static const struct {
		enum explore_kind kind;
		int n;
	} cases[] = {
		{ EXPLORE_PCT, 0 }, { EXPLORE_PCT, -1 }, { EXPLORE_PCT, 17 }, { EXPLORE_DFS, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct explore_opts o;
		struct explore_result r;

		opts_for(&o, cases[i].kind, cases[i].n, 10);
		assert_int_equal(explore_run(&classic_lost_update, &o, &r), -1);
		assert_true(r.error);
		assert_contains(r.errmsg, "lost_update");
		assert_int_equal(r.executions, 0);
		assert_false(r.found);
		explore_result_free(&r);
	}
}

/* ---- strategies on their own ------------------------------------------ */

/* A mask of up to three CPUs (or values), usable in static initialisers. */
#define CPU_BIT(i) ((i) >= 0 ? 1ULL << ((i) & 63) : 0)
#define CPUS_(a, b, c, ...) (CPU_BIT(a) | CPU_BIT(b) | CPU_BIT(c))
#define CPUS(...) CPUS_(__VA_ARGS__, -1, -1, -1)

struct default_case {
	struct sim_choice ch;
	int want;
};

static const struct default_case default_cases[] = {
	/* The current CPU keeps running while it can. */
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, 0, true, false, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, 1, true, false, false, 0, 0 }, 1 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1, 2), 0, 3, 2, true, false, false, 0, 0 }, 2 },
	/* At the start: the lowest CPU. */
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, -1, false, false, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_SCHED, CPUS(1, 2), 0, 3, -1, false, false, false, 0, 0 }, 1 },
	/* Blocked or exited: the next CPU after it, round robin. */
	{ { SIM_CHOICE_SCHED, CPUS(1, 2), 0, 3, 0, false, false, false, 0, 0 }, 1 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 2), 0, 3, 1, false, false, false, 0, 0 }, 2 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 3, 2, false, false, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 62), 0, 64, 63, false, false, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_SCHED, CPUS(5, 62), 0, 64, 10, false, false, false, 0, 0 }, 62 },
	/* Yielded: anyone else first, itself if alone. */
	{ { SIM_CHOICE_SCHED, CPUS(0, 1, 2), 0, 3, 1, true, true, false, 0, 0 }, 2 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1, 2), 0, 3, 2, true, true, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, 0, true, true, false, 0, 0 }, 1 },
	/* Timed waiters come after the others, but are better than nobody. */
	{ { SIM_CHOICE_SCHED, CPUS(0, 1), CPUS(0), 2, 0, true, false, false, 0, 0 }, 1 },
	{ { SIM_CHOICE_SCHED, CPUS(1, 2), CPUS(1), 3, 0, false, false, false, 0, 0 }, 2 },
	{ { SIM_CHOICE_SCHED, CPUS(1, 2), CPUS(1, 2), 3, 0, false, false, false, 0, 0 }, 1 },
	{ { SIM_CHOICE_SCHED, CPUS(0, 1, 2), CPUS(1), 3, 0, false, true, false, 0, 0 }, 2 },
	/* Data: the smallest value. */
	{ { SIM_CHOICE_DATA, CPUS(0, 1, 2), 0, 3, 0, true, false, false, 0, 0 }, 0 },
	{ { SIM_CHOICE_DATA, CPUS(2, 3), 0, 4, 1, true, false, false, 0, 0 }, 2 },
};

#define NDEFAULT (sizeof(default_cases) / sizeof(default_cases[0]))

static void test_choice_default(void **state)
{
	(void)state;
	for (size_t i = 0; i < NDEFAULT; i++) {
		int got = sim_choice_default(&default_cases[i].ch);

		if (got != default_cases[i].want)
			fail_msg("case %zu: default %d, want %d", i, got, default_cases[i].want);
	}
}

/* DFS takes the default at every decision it meets for the first time. */
static void test_dfs_first_pick_is_default(void **state)
{
	(void)state;
	for (size_t i = 0; i < NDEFAULT; i++) {
		struct strategy *s = strategy_dfs_new(DFS_PREEMPTIONS, 2);

		assert_non_null(s);
		assert_true(s->ops->begin(s));
		assert_int_equal(s->ops->pick(s, &default_cases[i].ch), default_cases[i].want);
		s->ops->destroy(s);
	}
}

/* Random and PCT only ever pick an option offered; random reaches every one. */
static void test_random_pct_pick_offered(void **state)
{
	(void)state;
	for (size_t i = 0; i < NDEFAULT; i++) {
		const struct sim_choice *ch = &default_cases[i].ch;
		struct strategy *st[2] = { strategy_random_new(3), strategy_pct_new(3, 3) };

		for (int k = 0; k < 2; k++) {
			uint64_t seen = 0;

			assert_non_null(st[k]);
			for (int n = 0; n < 400; n++) {
				int v;

				assert_true(st[k]->ops->begin(st[k]));
				v = st[k]->ops->pick(st[k], ch);
				assert_in_range(v, 0, 63);
				assert_true(ch->enabled & (1ULL << v));
				seen |= 1ULL << v;
				st[k]->ops->end(st[k], NULL);
			}
			if (k == 0)
				assert_int_equal(seen, ch->enabled);
			st[k]->ops->destroy(st[k]);
		}
	}
}

/* PCT passes over a CPU that yields and prefers CPUs not waiting for a timeout. */
static void test_pct_yield_and_timeout(void **state)
{
	const struct sim_choice yield = { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, 0, true, true, false, 0, 0 };
	const struct sim_choice timed = { SIM_CHOICE_SCHED, CPUS(0, 1, 2), CPUS(0, 2), 3, 0, true,
					  false, false, 0, 0 };
	struct strategy *s = strategy_pct_new(9, 4);

	(void)state;
	assert_non_null(s);
	for (int n = 0; n < 200; n++) {
		assert_true(s->ops->begin(s));
		assert_int_equal(s->ops->pick(s, n & 1 ? &yield : &timed), 1);
		s->ops->end(s, NULL);
	}
	s->ops->destroy(s);
}

static void test_replay_strategy(void **state)
{
	static const uint16_t dec[] = { 1, 0, 2 };
	const struct sim_choice two = { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, 0, true, false, false, 0, 0 };
	const struct sim_choice three = { SIM_CHOICE_DATA, CPUS(0, 1, 2), 0, 3, 0, true, false, false, 0,
					  0 };
	struct strategy *s = strategy_replay_new(dec, 3);
	char desc[64];

	(void)state;
	assert_non_null(s);
	s->ops->describe(s, desc, sizeof(desc));
	assert_string_equal(desc, "replay(3 decisions)");
	assert_int_equal(strategy_replay_left(s), 3);
	assert_true(s->ops->begin(s));
	assert_int_equal(s->ops->pick(s, &two), 1);
	assert_int_equal(s->ops->pick(s, &two), 0);
	assert_int_equal(strategy_replay_left(s), 1);
	/* CPU2 is not offered: the replay stops and says where. */
	assert_int_equal(s->ops->pick(s, &two), -1);
	assert_non_null(s->ops->error(s));
	assert_contains(s->ops->error(s), "decision 2");
	assert_contains(s->ops->error(s), "CPU2");
	assert_contains(s->ops->error(s), "CPU0,CPU1");
	assert_int_equal(strategy_replay_left(s), 1);
	s->ops->end(s, NULL);
	assert_false(s->ops->begin(s));	/* one execution only */
	s->ops->destroy(s);

	s = strategy_replay_new(dec, 3);
	assert_true(s->ops->begin(s));
	assert_null(s->ops->error(s));
	assert_int_equal(s->ops->pick(s, &two), 1);
	assert_int_equal(s->ops->pick(s, &two), 0);
	assert_int_equal(s->ops->pick(s, &three), 2);
	assert_int_equal(strategy_replay_left(s), 0);
	assert_int_equal(s->ops->pick(s, &three), -1);
	assert_contains(s->ops->error(s), "ends after 3 decisions");
	s->ops->destroy(s);
}

/*
 * DFS on a synthetic tree: D binary decisions in a row, each offering CPU0
 * and CPU1 with the previous pick as the current CPU (none at the first).
 * Changing CPU costs one preemption, so with bound B there are
 * 2 * sum(j <= B) C(D-1, j) schedules, each of which must be visited once.
 */
static uint64_t binom(int n, int k)
{
	uint64_t r = 1;

	if (k < 0 || k > n)
		return 0;
	for (int i = 1; i <= k; i++)
		r = r * (uint64_t)(n - k + i) / (uint64_t)i;
	return r;
}

static void test_dfs_synthetic_tree(void **state)
{
	enum { D = 6 };

	(void)state;
	for (int bound = 0; bound <= D; bound++) {
		struct strategy *s = strategy_dfs_new(DFS_PREEMPTIONS, bound);
		uint64_t want = 0, runs = 0;
		bool seen[1 << D] = { false };
		char cov[256];

		for (int j = 0; j <= bound; j++)
			want += 2 * binom(D - 1, j);
		assert_non_null(s);
		while (s->ops->begin(s)) {
			int prev = -1, path = 0, switches = 0;

			for (int d = 0; d < D; d++) {
				struct sim_choice ch = { SIM_CHOICE_SCHED, CPUS(0, 1), 0, 2, prev,
							 prev >= 0, false, false, 0, (size_t)d };
				int v = s->ops->pick(s, &ch);

				assert_in_range(v, 0, 1);
				switches += prev >= 0 && v != prev;
				prev = v;
				path = path << 1 | v;
			}
			s->ops->end(s, NULL);
			assert_true(switches <= bound);
			assert_false(seen[path]);
			seen[path] = true;
			runs++;
			assert_true(runs <= want);
		}
		assert_int_equal(runs, want);
		s->ops->exhausted(s, cov, sizeof(cov));
		assert_int_equal(strncmp(cov, "exhausted", 9), 0);
		s->ops->destroy(s);
	}
}

/* ---- DFS on real programs: exactly the schedules within the bound --------- */

/*
 * "writers": CPU i does ops[i] WRITE_ONCEs and nothing else.  An independent
 * model of the runtime enumerates the decision sequences such a program can
 * take and prices each by the documented bounds; the DFS must run exactly
 * that many executions, never the same decision sequence twice.
 */
#define WR_MAX_CPUS 3
#define WR_MAX_RUNS 4096
#define WR_MAX_DEC 16

struct wr_cfg {
	int ncpus;
	int ops[WR_MAX_CPUS];
};

struct wr_state {
	const struct wr_cfg *cfg;
	int slot[WR_MAX_CPUS];
};

static uint16_t wr_seen[WR_MAX_RUNS][WR_MAX_DEC + 1];	/* [0] = length */
static size_t wr_nseen;
static bool wr_overflow;

static void *wr_create(struct sim_exec *x, void *arg)
{
	struct wr_state *s = calloc(1, sizeof(*s));

	(void)x;
	if (s)
		s->cfg = arg;
	return s;
}

static void wr_run(struct sim_exec *x, void *state, int cpu)
{
	struct wr_state *s = state;

	(void)x;
	for (int i = 0; i < s->cfg->ops[cpu]; i++)
		WRITE_ONCE(s->slot[cpu], i + 1);
}

/* Remember the decisions of every execution (they do not influence it). */
static void wr_check(struct sim_exec *x, void *state)
{
	(void)state;
	if (wr_nseen >= WR_MAX_RUNS || x->ndec > WR_MAX_DEC) {
		wr_overflow = true;
		return;
	}
	memset(wr_seen[wr_nseen], 0, sizeof(wr_seen[0]));
	wr_seen[wr_nseen][0] = (uint16_t)x->ndec;
	memcpy(&wr_seen[wr_nseen][1], x->dec, x->ndec * sizeof(x->dec[0]));
	wr_nseen++;
}

static void wr_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

struct wr_model {
	int ncpus;
	int ops[WR_MAX_CPUS], done[WR_MAX_CPUS];
	bool started[WR_MAX_CPUS], finished[WR_MAX_CPUS];
};

/* The documented costs: a preemption is leaving a CPU that could go on; a
 * delay is skipping an enabled CPU, round robin from the default choice. */
static int model_cost(const struct wr_model *m, enum dfs_bound_kind bk, int cur, bool cur_en,
		      uint64_t en, int alt)
{
	int dflt = -1, k = 0;

	if (bk == DFS_PREEMPTIONS)
		return cur >= 0 && cur_en && alt != cur;
	if (cur >= 0 && cur_en)
		dflt = cur;
	for (int step = 1; dflt < 0 && step <= m->ncpus; step++) {
		int i = (cur + step + m->ncpus) % m->ncpus;

		if (en & (1ULL << i))
			dflt = i;
	}
	for (int step = 0; step < m->ncpus; step++) {
		int i = (dflt + step) % m->ncpus;

		if (i == alt)
			return k;
		k += !!(en & (1ULL << i));
	}
	return k;
}

static uint64_t model_count(struct wr_model m, enum dfs_bound_kind bk, int bound, int cur,
			    bool cur_en, int spent);

/* Run @alt until its next scheduling point (or its end) and count from there. */
static uint64_t model_step(struct wr_model m, enum dfs_bound_kind bk, int bound, int alt,
			   int spent)
{
	if (!m.started[alt])
		m.started[alt] = true;	/* it runs to its first point */
	else
		m.done[alt]++;		/* it does the operation it was stopped before */
	if (m.done[alt] == m.ops[alt])
		m.finished[alt] = true;
	return model_count(m, bk, bound, alt, !m.finished[alt], spent);
}

static uint64_t model_count(struct wr_model m, enum dfs_bound_kind bk, int bound, int cur,
			    bool cur_en, int spent)
{
	uint64_t en = 0, n = 0;

	for (int i = 0; i < m.ncpus; i++)
		if (!m.finished[i])
			en |= 1ULL << i;
	if (!en)
		return 1;
	if (!(en & (en - 1)))
		return model_step(m, bk, bound, __builtin_ctzll(en), spent);
	for (int alt = 0; alt < m.ncpus; alt++) {
		int c;

		if (!(en & (1ULL << alt)))
			continue;
		c = model_cost(&m, bk, cur, cur_en, en, alt);
		if (spent + c <= bound)
			n += model_step(m, bk, bound, alt, spent + c);
	}
	return n;
}

static uint64_t model_schedules(const struct wr_cfg *cfg, enum dfs_bound_kind bk, int bound)
{
	struct wr_model m = { .ncpus = cfg->ncpus };

	for (int i = 0; i < cfg->ncpus; i++)
		m.ops[i] = cfg->ops[i];
	return model_count(m, bk, bound, -1, false, 0);
}

static int cmp_dec(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(wr_seen[0]));
}

struct dfs_count_case {
	struct wr_cfg cfg;
	enum dfs_bound_kind bk;
	int bound;
	uint64_t want;		/* worked out by hand; 0: the model's count only */
};

static const struct dfs_count_case dfs_count_cases[] = {
	/* One write each.  Decision sequences (first pick at the start, then one
	 * before each write of the running CPU): 00, 011, 010, 11, 100, 101 with
	 * 0, 1, 2, 0, 1, 2 preemptions; as delays (CPU1 first costs one) 0, 1, 2,
	 * 1, 2, 3. */
	{ { 2, { 1, 1 } }, DFS_PREEMPTIONS, 0, 2 },
	{ { 2, { 1, 1 } }, DFS_PREEMPTIONS, 1, 4 },
	{ { 2, { 1, 1 } }, DFS_PREEMPTIONS, 2, 6 },
	{ { 2, { 1, 1 } }, DFS_PREEMPTIONS, 9, 6 },
	{ { 2, { 1, 1 } }, DFS_DELAYS, 0, 1 },
	{ { 2, { 1, 1 } }, DFS_DELAYS, 1, 3 },
	{ { 2, { 1, 1 } }, DFS_DELAYS, 2, 5 },
	{ { 2, { 1, 1 } }, DFS_DELAYS, 3, 6 },
	{ { 2, { 2, 2 } }, DFS_PREEMPTIONS, 0, 0 },
	{ { 2, { 2, 2 } }, DFS_PREEMPTIONS, 1, 0 },
	{ { 2, { 2, 2 } }, DFS_PREEMPTIONS, 2, 0 },
	{ { 2, { 3, 3 } }, DFS_PREEMPTIONS, 2, 0 },
	{ { 2, { 3, 3 } }, DFS_PREEMPTIONS, 20, 0 },
	{ { 2, { 3, 2 } }, DFS_DELAYS, 2, 0 },
	{ { 2, { 3, 3 } }, DFS_DELAYS, 20, 0 },
	{ { 3, { 1, 1, 1 } }, DFS_PREEMPTIONS, 0, 0 },
	{ { 3, { 2, 1, 1 } }, DFS_PREEMPTIONS, 1, 0 },
	{ { 3, { 2, 2, 1 } }, DFS_PREEMPTIONS, 2, 0 },
	{ { 3, { 2, 2, 1 } }, DFS_PREEMPTIONS, 20, 0 },
	{ { 3, { 1, 1, 1 } }, DFS_DELAYS, 1, 0 },
	{ { 3, { 2, 1, 1 } }, DFS_DELAYS, 2, 0 },
	{ { 3, { 2, 2, 1 } }, DFS_DELAYS, 20, 0 },
};

static void test_dfs_runs_each_schedule_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dfs_count_cases) / sizeof(dfs_count_cases[0]); i++) {
		const struct dfs_count_case *c = &dfs_count_cases[i];
		const struct sim_program p = {
			.name = "writers", .ncpus = c->cfg.ncpus, .arg = (void *)&c->cfg,
			.create = wr_create, .run = wr_run, .check = wr_check,
			.destroy = wr_destroy,
		};
		uint64_t want = model_schedules(&c->cfg, c->bk, c->bound);
		struct explore_opts o;
		struct explore_result r;

		if (c->want && c->want != want)
			fail_msg("case %zu: the model counts %llu, by hand %llu", i,
				 (unsigned long long)want, (unsigned long long)c->want);
		assert_true(want <= WR_MAX_RUNS);
		wr_nseen = 0;
		wr_overflow = false;
		opts_for(&o, EXPLORE_DFS, c->bound, 0);
		o.bound_kind = c->bk;
		assert_int_equal(explore_run(&p, &o, &r), 0);
		assert_false(r.found);
		assert_true(r.exhausted);
		if (r.executions != want)
			fail_msg("case %zu (%s, %d CPUs): %llu executions, want %llu", i,
				 r.strategy, c->cfg.ncpus, (unsigned long long)r.executions,
				 (unsigned long long)want);
		assert_false(wr_overflow);
		assert_int_equal(wr_nseen, want);
		qsort(wr_seen, wr_nseen, sizeof(wr_seen[0]), cmp_dec);
		for (size_t j = 1; j < wr_nseen; j++)
			if (!cmp_dec(wr_seen[j - 1], wr_seen[j]))
				fail_msg("case %zu: a decision sequence ran twice", i);
		explore_result_free(&r);
	}
}

/* ---- waiting loops: correct programs that spin or poll --------------------- */

struct spin_state {
	int flag;
	struct wait_queue_head wq;
};

static void *spin_create(struct sim_exec *x, void *arg)
{
	(void)x;
	(void)arg;
	return calloc(1, sizeof(struct spin_state));
}

static void spin_setup(struct sim_exec *x, void *state)
{
	struct spin_state *s = state;

	(void)x;
	init_waitqueue_head(&s->wq);
}

static void spin_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

/* CPU0 waits for CPU1's flag by spinning with cpu_relax(). */
static void spin_relax_run(struct sim_exec *x, void *state, int cpu)
{
	struct spin_state *s = state;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag))
		cpu_relax();
}

/* The same with cond_resched(). */
static void spin_resched_run(struct sim_exec *x, void *state, int cpu)
{
	struct spin_state *s = state;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag))
		cond_resched();
}

/* CPU0 polls CPU1's flag with a one-tick timed wait (CPU1 never wakes it). */
static void spin_timed_run(struct sim_exec *x, void *state, int cpu)
{
	struct spin_state *s = state;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag))
		wait_event_timeout(&s->wq, READ_ONCE(s->flag), 1);
}

/* CPU0 and CPU1 both spin until CPU2 sets the flag: they must not be able to
 * hand the CPU to each other forever for free. */
static void two_spinners_run(struct sim_exec *x, void *state, int cpu)
{
	struct spin_state *s = state;

	(void)x;
	if (cpu == 2) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag))
		cpu_relax();
}

/* A bug in the third round of a spin: each round after the first needs CPU0
 * to run again before CPU1 writes, which costs one preemption (or delay). */
static void spin_count_run(struct sim_exec *x, void *state, int cpu)
{
	struct spin_state *s = state;
	int rounds = 0;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag)) {
		if (++rounds == 3)
			sim_fail(SIM_FIND_INVARIANT, "third-round", "CPU0 spun a third time");
		cpu_relax();
	}
}

static const struct sim_program spin_progs[] = {
	{ .name = "spin_cpu_relax", .ncpus = 2, .create = spin_create, .setup = spin_setup,
	  .run = spin_relax_run, .destroy = spin_destroy },
	{ .name = "spin_cond_resched", .ncpus = 2, .create = spin_create, .setup = spin_setup,
	  .run = spin_resched_run, .destroy = spin_destroy },
	{ .name = "poll_timed_wait", .ncpus = 2, .create = spin_create, .setup = spin_setup,
	  .run = spin_timed_run, .destroy = spin_destroy },
	{ .name = "two_spinners", .ncpus = 3, .create = spin_create, .setup = spin_setup,
	  .run = two_spinners_run, .destroy = spin_destroy },
};

/*
 * These programs are correct and every execution ends once the writer has
 * run, so a bounded search must cover them: going on with a spinner that
 * yields (or whose timed wait expires) while the writer could run must not be
 * free, or the bounded space is infinite and the search ends in a false
 * step-limit finding.
 */
static void test_dfs_exhausts_waiting_loops(void **state)
{
	static const enum dfs_bound_kind bk[] = { DFS_PREEMPTIONS, DFS_DELAYS };

	(void)state;
	for (size_t i = 0; i < sizeof(spin_progs) / sizeof(spin_progs[0]); i++) {
		for (size_t k = 0; k < 2; k++) {
			for (int bound = 0; bound <= 3; bound++) {
				struct explore_opts o;
				struct explore_result r;

				opts_for(&o, EXPLORE_DFS, bound, 5000);
				o.bound_kind = bk[k];
				o.cfg.max_steps = 2000;
				assert_int_equal(explore_run(&spin_progs[i], &o, &r), 0);
				if (r.found || !r.exhausted)
					fail_msg("%s, %s: %s after %llu executions (%s)",
						 spin_progs[i].name, r.strategy,
						 r.found ? r.finding.msg : "not exhausted",
						 (unsigned long long)r.executions, r.coverage);
				explore_result_free(&r);
			}
		}
	}
}

static void test_dfs_reaches_spin_rounds(void **state)
{
	static const struct sim_program p = {
		.name = "spin_count", .ncpus = 2, .create = spin_create, .setup = spin_setup,
		.run = spin_count_run, .destroy = spin_destroy,
	};
	static const enum dfs_bound_kind bk[] = { DFS_PREEMPTIONS, DFS_DELAYS };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct explore_opts o;
		struct explore_result r;

		opts_for(&o, EXPLORE_DFS, 1, 0);
		o.bound_kind = bk[k];
		assert_int_equal(explore_run(&p, &o, &r), 0);
		assert_false(r.found);
		assert_true(r.exhausted);
		explore_result_free(&r);
		o.bound = 2;
		assert_int_equal(explore_run(&p, &o, &r), 0);
		check_found(&p, &o, &r, SIM_FIND_INVARIANT, SIM_FIND_NONE);
		assert_string_equal(r.finding.id, "third-round");
		explore_result_free(&r);
	}
}

static void test_random_pct_waiting_loops(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spin_progs) / sizeof(spin_progs[0]); i++) {
		for (size_t k = 0; k < 2; k++) {
			struct explore_opts o;
			struct explore_result r;

			opts_for(&o, kinds[k], 3, 500);
			o.cfg.max_steps = 20000;
			assert_int_equal(explore_run(&spin_progs[i], &o, &r), 0);
			if (r.found)
				fail_msg("%s, %s: %s", spin_progs[i].name, r.strategy,
					 r.finding.msg);
			assert_int_equal(r.executions, 500);
			explore_result_free(&r);
		}
	}
}

/* ---- nondeterminism ------------------------------------------------------ */

static int nd_execs;

static void *nd_create(struct sim_exec *x, void *arg)
{
	(void)x;
	(void)arg;
	nd_execs++;
	return calloc(1, sizeof(int));
}

static void nd_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

/* From the second execution on, CPU0 offers three values instead of two. */
static void nd_options_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state;

	(void)x;
	if (cpu == 0)
		WRITE_ONCE(*v, sim_choose(nd_execs == 1 ? 2 : 3, "value"));
	else
		WRITE_ONCE(*v, 7);
}

/* From the second execution on, CPU0 stops after one write instead of three. */
static void nd_shorter_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state, n = cpu == 0 && nd_execs == 1 ? 3 : 1;

	(void)x;
	for (int i = 0; i < n; i++)
		WRITE_ONCE(*v, i);
}

/* Three CPUs; from the second execution on, CPU0 exits after one write instead
 * of two, so the CPUs offered at the third decision change. */
static void nd_exit_early_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state, n = cpu == 0 && nd_execs == 1 ? 2 : 1;

	(void)x;
	for (int i = 0; i < n; i++)
		WRITE_ONCE(*v, i);
}

static void test_dfs_detects_nondeterminism(void **state)
{
	static const struct sim_program progs[] = {
		{ .name = "nd_options", .ncpus = 2, .create = nd_create, .run = nd_options_run,
		  .destroy = nd_destroy },
		{ .name = "nd_shorter", .ncpus = 2, .create = nd_create, .run = nd_shorter_run,
		  .destroy = nd_destroy },
		{ .name = "nd_exit_early", .ncpus = 3, .create = nd_create,
		  .run = nd_exit_early_run, .destroy = nd_destroy },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct explore_opts o;
		struct explore_result r;
		int rc;

		nd_execs = 0;
		opts_for(&o, EXPLORE_DFS, 2, 0);
		rc = explore_run(&progs[i], &o, &r);
		if (rc != -1)
			fail_msg("%s: explore_run returned %d after %llu executions (found %d)",
				 progs[i].name, rc, (unsigned long long)r.executions, r.found);
		assert_true(r.error);
		assert_contains(r.errmsg, progs[i].name);
		assert_contains(r.errmsg, "nondeterminism");
		assert_int_equal(r.executions, 2);
		assert_false(r.found);
		assert_false(r.exhausted);
		explore_result_free(&r);
	}
}

/* A deterministic program using the same kinds of decisions is explored fine. */
static void det_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state;

	(void)x;
	if (cpu == 0)
		WRITE_ONCE(*v, sim_choose(3, "value"));
	WRITE_ONCE(*v, cpu);
}

static void test_dfs_explores_data_choices(void **state)
{
	static const struct sim_program p = {
		.name = "det", .ncpus = 2, .create = nd_create, .run = det_run,
		.destroy = nd_destroy,
	};
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	nd_execs = 0;
	opts_for(&o, EXPLORE_DFS, 0, 0);
	assert_int_equal(explore_run(&p, &o, &r), 0);
	assert_false(r.error);
	assert_true(r.exhausted);
	/* Without preemptions: CPU0 or CPU1 first, times 3 values. */
	assert_int_equal(r.executions, 6);
	assert_int_equal(nd_execs, 6);
	explore_result_free(&r);
}

/* ---- soak (make check-full) ---------------------------------------------- */

/* The fixes stay silent under deep bounds and long random runs. */
static void test_soak_fixed_deep(void **state)
{
	static const enum dfs_bound_kind bk[] = { DFS_PREEMPTIONS, DFS_DELAYS };

	(void)state;
	if (!test_soak())
		return;	/* cmocka's TAP prints a skip as "not ok" */
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		struct explore_opts o;
		struct explore_result r;

		if (e->buggy)
			continue;
		for (size_t k = 0; k < 2; k++) {
			opts_for(&o, EXPLORE_DFS, 10, 0);
			o.bound_kind = bk[k];
			assert_int_equal(explore_run(e->prog, &o, &r), 0);
			assert_false(r.found);
			assert_true(r.exhausted);
			explore_result_free(&r);
		}
		for (size_t k = 0; k < 2; k++) {
			opts_for(&o, kinds[k], 5, 200000);
			o.seed = 12345;
			assert_int_equal(explore_run(e->prog, &o, &r), 0);
			if (r.found)
				fail_msg("%s: %s: %s", e->prog->name, r.strategy, r.finding.msg);
			explore_result_free(&r);
		}
	}
}

/* Every seed finds every bug, with the expected kind. */
static void test_soak_buggy_many_seeds(void **state)
{
	(void)state;
	if (!test_soak())
		return;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];

		for (uint64_t seed = 1; e->buggy && seed <= 200; seed++) {
			for (size_t k = 0; k < 2; k++) {
				struct explore_opts o;
				struct explore_result r;

				opts_buggy(&o, e, kinds[k]);
				o.seed = seed;
				assert_int_equal(explore_run(e->prog, &o, &r), 0);
				check_found(e->prog, &o, &r, e->expect, e->also);
				explore_result_free(&r);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buggy_random),
		cmocka_unit_test(test_buggy_pct),
		cmocka_unit_test(test_buggy_dfs),
		cmocka_unit_test(test_buggy_dfs_delays),
		cmocka_unit_test(test_abba_without_lockdep_is_a_deadlock),
		cmocka_unit_test(test_fixed_dfs_exhausts),
		cmocka_unit_test(test_fixed_random_pct_silent),
		cmocka_unit_test(test_atomicity3_bound_is_meaningful),
		cmocka_unit_test(test_atomicity3_pct_depth_is_meaningful),
		cmocka_unit_test(test_exploration_is_deterministic),
		cmocka_unit_test(test_seed_changes_the_exploration),
		cmocka_unit_test(test_max_executions_respected),
		cmocka_unit_test(test_max_executions_stops_before_the_bug),
		cmocka_unit_test(test_strategy_names),
		cmocka_unit_test(test_invalid_options_refused),
		cmocka_unit_test(test_choice_default),
		cmocka_unit_test(test_dfs_first_pick_is_default),
		cmocka_unit_test(test_random_pct_pick_offered),
		cmocka_unit_test(test_pct_yield_and_timeout),
		cmocka_unit_test(test_replay_strategy),
		cmocka_unit_test(test_dfs_synthetic_tree),
		cmocka_unit_test(test_dfs_runs_each_schedule_once),
		cmocka_unit_test(test_dfs_exhausts_waiting_loops),
		cmocka_unit_test(test_dfs_reaches_spin_rounds),
		cmocka_unit_test(test_random_pct_waiting_loops),
		cmocka_unit_test(test_dfs_detects_nondeterminism),
		cmocka_unit_test(test_dfs_explores_data_choices),
		cmocka_unit_test(test_soak_fixed_deep),
		cmocka_unit_test(test_soak_buggy_many_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
