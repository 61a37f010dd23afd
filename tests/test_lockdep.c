/*
 * test_lockdep.c - unit tests of lockdep-lite and the runtime's lock checks: order inversions,
 * recursion, trylocks, assertions, unlock balance, sleeping in atomic or RCU context, locks held
 * at exit and deadlock reports.
 */
#include "testlib.h"

#include <stdbool.h>
#include <stdio.h>

#include "classic/classic.h"
#include "sim/lockdep.h"

/* ---- harness ----------------------------------------------------------------------------- */

/* What programs observe across executions (explore runs them all on this thread). */
static struct {
	uint64_t seen;
	int reached_end;
} obs;

/* One state type for every program; each uses what it needs. */
struct ls {
	long variant;		/* the program's arg */
	spinlock_t a, b, c;
	spinlock_t pair[2];	/* one class: initialised at one site */
	spinlock_t never_init;
	struct mutex m, m2;
	struct rw_semaphore sem;
	struct wait_queue_head wq;
	struct lockdep_map page_dep;
	unsigned long page_flags;
	int flag, done, shared;
};

static struct lock_class test_page_class = { "test_page_lock", 0 };

static void *ls_create(struct sim_exec *x, void *arg)
{
	struct ls *s = calloc(1, sizeof(*s));

	(void)x;
	if (!s)
		abort();
	s->variant = (long)(intptr_t)arg;
	return s;
}

static void init_pair_lock(spinlock_t *pair_lock)
{
	spin_lock_init(pair_lock);
}

/* Object ids follow this order: a 1, b 2, c 3, pair[0] 4, pair[1] 5, ... */
static void ls_setup(struct sim_exec *x, void *st)
{
	struct ls *s = st;

	(void)x;
	spin_lock_init(&s->a);
	spin_lock_init(&s->b);
	spin_lock_init(&s->c);
	for (int i = 0; i < 2; i++)
		init_pair_lock(&s->pair[i]);
	mutex_init(&s->m);
	mutex_init(&s->m2);
	init_rwsem(&s->sem);
	init_waitqueue_head(&s->wq);
	sim_lock_init(&s->page_dep, &test_page_class, "PG_test");
}

static void ls_destroy(struct sim_exec *x, void *st)
{
	(void)x;
	free(st);
}

#define PROG_FULL(ident, n, setupfn, runfn, argv)                                              \
	static const struct sim_program ident = {                                              \
		.name = #ident,                                                                \
		.ncpus = (n),                                                                  \
		.arg = (void *)(intptr_t)(argv),                                               \
		.create = ls_create,                                                           \
		.setup = (setupfn),                                                            \
		.run = (runfn),                                                                \
		.destroy = ls_destroy,                                                         \
	}
#define PROG_ARG(ident, n, runfn, argv) PROG_FULL(ident, n, ls_setup, runfn, argv)
#define PROG(ident, n, runfn) PROG_ARG(ident, n, runfn, 0)

static void lock_page(struct ls *s)
{
	sim_bit_lock(&s->page_flags, 0, &s->page_dep, SIM_SITE("lock_page", "PG_test"));
}

static void unlock_page(struct ls *s)
{
	sim_bit_unlock(&s->page_flags, 0, &s->page_dep, SIM_SITE("unlock_page", "PG_test"));
}

static void explore_cfg(const struct sim_program *p, enum explore_kind kind, int bound,
			bool lockdep, struct explore_result *r)
{
	struct explore_opts o;
	int rc;

	explore_opts_default(&o);
	o.kind = kind;
	o.bound = bound;
	if (kind == EXPLORE_PCT)
		o.pct_depth = bound;
	o.max_executions = 100000;
	o.cfg.lockdep = lockdep;
	rc = explore_run(p, &o, r);
	if (rc)
		print_message("explore_run(%s): %s\n", p->name, r->errmsg);
	assert_int_equal(rc, 0);
}

/* DFS with @bound, lockdep on. */
static void explore_dfs(const struct sim_program *p, int bound, struct explore_result *r)
{
	explore_cfg(p, EXPLORE_DFS, bound, true, r);
}

static void assert_no_finding(const struct explore_result *r)
{
	if (r->found)
		print_message("%s: unexpected finding %s: %s\n", r->strategy, r->finding.id,
			      r->finding.msg);
	assert_false(r->found);
}

static void assert_finding(const struct explore_result *r, enum sim_finding_kind kind,
			   const char *id)
{
	if (!r->found)
		print_message("no finding in %llu executions\n",
			      (unsigned long long)r->executions);
	assert_true(r->found);
	if (r->finding.kind != kind || strcmp(r->finding.id, id))
		print_message("finding %s (%s): %s\n", r->finding.id,
			      sim_finding_kind_name(r->finding.kind), r->finding.msg);
	assert_int_equal(r->finding.kind, kind);
	assert_string_equal(r->finding.id, id);
}

static void assert_msg_has(const struct explore_result *r, const char *needle)
{
	if (!strstr(r->finding.msg, needle))
		print_message("\"%s\" not in the message: %s\n", needle, r->finding.msg);
	assert_non_null(strstr(r->finding.msg, needle));
}

/* Explore @p with DFS (bound 2) and expect a finding @kind/@id whose message has @needle. */
static void expect_finding(const struct sim_program *p, enum sim_finding_kind kind,
			   const char *id, const char *needle)
{
	struct explore_result r;

	explore_dfs(p, 2, &r);
	assert_finding(&r, kind, id);
	if (needle)
		assert_msg_has(&r, needle);
	explore_result_free(&r);
}

/* Explore @p exhaustively with DFS (bound 2): no finding, and the bodies ran. */
static void expect_clean(const struct sim_program *p)
{
	struct explore_result r;

	obs.reached_end = 0;
	explore_dfs(p, 2, &r);
	assert_no_finding(&r);
	assert_true(r.exhausted);
	assert_true(obs.reached_end > 0);
	explore_result_free(&r);
}

static int pick_default(void *ctx, const struct sim_choice *ch)
{
	(void)ctx;
	return sim_choice_default(ch);
}

/* ---- lock-order inversions --------------------------------------------------------------- */

static void take_two(spinlock_t *first, spinlock_t *second)
{
	spin_lock(first);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

static void abba_one_cpu_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	take_two(&s->a, &s->b);
	take_two(&s->b, &s->a);
	obs.reached_end++;
}
PROG(abba_one_cpu, 1, abba_one_cpu_run);

static void test_inversion_on_one_cpu(void **state)
{
	struct explore_result r;

	(void)state;
	obs.reached_end = 0;
	explore_dfs(&abba_one_cpu, 0, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "lock-order");
	assert_msg_has(&r, "possible circular locking dependency");
	assert_msg_has(&r, "CPU0 takes &s->a in take_two");
	assert_msg_has(&r, "while holding &s->b");
	assert_msg_has(&r, "&s->a -> &s->b: CPU0 held &s->a");
	assert_int_equal(r.finding.cpu, 0);
	assert_int_equal(obs.reached_end, 0);
	explore_result_free(&r);
}

/* With lockdep off, a single CPU taking both orders is simply fine. */
static void test_inversion_ignored_without_lockdep(void **state)
{
	struct explore_result r;

	(void)state;
	obs.reached_end = 0;
	explore_cfg(&abba_one_cpu, EXPLORE_DFS, 0, false, &r);
	assert_no_finding(&r);
	assert_int_equal(obs.reached_end, 1);
	explore_result_free(&r);
}

static void abba_in_setup(struct sim_exec *x, void *st)
{
	struct ls *s = st;

	ls_setup(x, st);
	take_two(&s->a, &s->b);
	take_two(&s->b, &s->a);
}

static void nothing_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	(void)st;
	(void)cpu;
	obs.reached_end++;
}
PROG_FULL(abba_setup, 1, abba_in_setup, nothing_run, 0);

static void test_inversion_in_setup(void **state)
{
	struct explore_result r;

	(void)state;
	obs.reached_end = 0;
	explore_dfs(&abba_setup, 0, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "lock-order");
	assert_msg_has(&r, "takes &s->a");
	assert_msg_has(&r, "while holding &s->b");
	assert_int_equal(r.finding.cpu, -1);
	assert_int_equal(obs.reached_end, 0);
	explore_result_free(&r);
}

static void cycle_one_cpu_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	take_two(&s->a, &s->b);
	take_two(&s->b, &s->c);
	take_two(&s->c, &s->a);
}
PROG(cycle_one_cpu, 1, cycle_one_cpu_run);

static void test_three_lock_cycle(void **state)
{
	struct explore_result r;

	(void)state;
	explore_dfs(&cycle_one_cpu, 0, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "lock-order");
	assert_msg_has(&r, "CPU0 takes &s->a");
	assert_msg_has(&r, "while holding &s->c");
	assert_msg_has(&r, "&s->b -> &s->c: CPU0 held &s->b");
	assert_msg_has(&r, "&s->a -> &s->b: CPU0 held &s->a");
	explore_result_free(&r);
}

/* CPU i takes lock i then lock i+1 (mod 3). */
static void cycle_three_cpus_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;
	spinlock_t *locks[3] = { &s->a, &s->b, &s->c };

	(void)x;
	take_two(locks[cpu], locks[(cpu + 1) % 3]);
}
PROG(cycle_three_cpus, 3, cycle_three_cpus_run);

static void test_three_lock_cycle_across_cpus(void **state)
{
	struct explore_result r;

	(void)state;
	explore_dfs(&cycle_three_cpus, 0, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "lock-order");
	assert_int_equal(r.failing_execution, 1);
	assert_msg_has(&r, "CPU2 takes &s->a");
	assert_msg_has(&r, "&s->b -> &s->c: CPU1 held &s->b");
	assert_msg_has(&r, "&s->a -> &s->b: CPU0 held &s->a");
	explore_result_free(&r);
	/* Without lockdep the explorer finds the three-way deadlock itself. */
	explore_cfg(&cycle_three_cpus, EXPLORE_DFS, 2, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "&s->b is held by CPU1");
	assert_msg_has(&r, "&s->c is held by CPU2");
	assert_msg_has(&r, "&s->a is held by CPU0");
	explore_result_free(&r);
}

/* The graph belongs to one execution: each order alone in its own execution is fine. */
static void order_by_choice_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;
	int v = sim_choose(2, "order");

	(void)x;
	(void)cpu;
	if (v)
		take_two(&s->b, &s->a);
	else
		take_two(&s->a, &s->b);
	obs.seen |= 1ULL << v;
	obs.reached_end++;
}
PROG(order_by_choice, 1, order_by_choice_run);

static void test_graph_reset_between_executions(void **state)
{
	(void)state;
	obs.seen = 0;
	expect_clean(&order_by_choice);
	assert_int_equal(obs.seen, 3);
}

/* ---- recursion and classes --------------------------------------------------------------- */

static void recursive_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	switch (s->variant) {
	case 0:
		spin_lock(&s->a);
		spin_lock(&s->a);
		break;
	case 1:
		mutex_lock(&s->m);
		mutex_lock(&s->m);
		break;
	case 2:
		spin_lock(&s->pair[0]);
		spin_lock(&s->pair[1]);
		break;
	}
}
PROG_ARG(recursive_spin, 1, recursive_run, 0);
PROG_ARG(recursive_mutex, 1, recursive_run, 1);
PROG_ARG(same_class_pair, 1, recursive_run, 2);

static void test_recursive_locking(void **state)
{
	(void)state;
	expect_finding(&recursive_spin, SIM_FIND_LOCK_ORDER, "recursive-locking",
		       "possible recursive locking: CPU0 takes &s->a (class &s->a)");
	expect_finding(&recursive_mutex, SIM_FIND_LOCK_ORDER, "recursive-locking",
		       "CPU0 takes &s->m (class &s->m)");
}

static void test_same_class_without_nesting(void **state)
{
	(void)state;
	expect_finding(&same_class_pair, SIM_FIND_LOCK_ORDER, "recursive-locking",
		       "(class pair_lock)");
}

static void same_class_nested_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	spin_lock(&s->pair[0]);
	spin_lock_nested(&s->pair[1], SINGLE_DEPTH_NESTING);
	spin_unlock(&s->pair[1]);
	spin_unlock(&s->pair[0]);
	obs.reached_end++;
}
PROG(same_class_nested, 1, same_class_nested_run);

static void test_same_class_nested_is_fine(void **state)
{
	(void)state;
	expect_clean(&same_class_nested);
}

/* ---- double_spin_lock -------------------------------------------------------------------- */

static void double_lock_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;
	spinlock_t *first = &s->pair[cpu], *second = &s->pair[1 - cpu];

	(void)x;
	double_spin_lock(first, second);
	WRITE_ONCE(s->shared, READ_ONCE(s->shared) + 1);
	double_spin_unlock(first, second);
	obs.reached_end++;
}
PROG(double_lock_both_orders, 2, double_lock_run);

static void test_double_spin_lock_both_orders(void **state)
{
	(void)state;
	expect_clean(&double_lock_both_orders);
}

/* One CPU: the reversed pair, then one lock passed twice. */
static void double_lock_order_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	double_spin_lock(&s->pair[1], &s->pair[0]);
	double_spin_unlock(&s->pair[1], &s->pair[0]);
	double_spin_lock(&s->pair[0], &s->pair[1]);
	double_spin_unlock(&s->pair[0], &s->pair[1]);
	double_spin_lock(&s->pair[1], &s->pair[1]);
	double_spin_unlock(&s->pair[1], &s->pair[1]);
}
PROG(double_lock_order, 1, double_lock_order_run);

static void test_double_spin_lock_takes_lower_first(void **state)
{
	static const struct {
		enum sim_op op;
		uint32_t obj;
	} want[] = {
		{ SIM_OP_SPIN_LOCK, 4 }, { SIM_OP_SPIN_LOCK, 5 },
		{ SIM_OP_SPIN_UNLOCK, 5 }, { SIM_OP_SPIN_UNLOCK, 4 },
		{ SIM_OP_SPIN_LOCK, 4 }, { SIM_OP_SPIN_LOCK, 5 },
		{ SIM_OP_SPIN_UNLOCK, 4 }, { SIM_OP_SPIN_UNLOCK, 5 },
		{ SIM_OP_SPIN_LOCK, 5 }, { SIM_OP_SPIN_UNLOCK, 5 },
		{ SIM_OP_CPU_EXIT, 0 },
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	struct sim_exec *x = sim_exec_new(&double_lock_order, NULL);

	(void)state;
	assert_non_null(x);
	assert_int_equal(sim_explore_once(x, (struct sim_chooser){ pick_default, NULL }),
			 SIM_RUN_OK);
	assert_int_equal(x->nev, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(x->ev[i].op, want[i].op);
		assert_int_equal(x->ev[i].obj, want[i].obj);
	}
	sim_exec_free(x);
}

/* ---- trylocks ---------------------------------------------------------------------------- */

/* Phase 1 holds one lock and trylocks another; phase 2 takes them the other way round. */
static void trylock_edge_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	if (s->variant == 0) {
		spin_lock(&s->a);
		if (spin_trylock(&s->b))
			spin_unlock(&s->b);
		spin_unlock(&s->a);
		take_two(&s->b, &s->a);
	} else {
		mutex_lock(&s->m);
		if (mutex_trylock(&s->m2))
			mutex_unlock(&s->m2);
		mutex_unlock(&s->m);
		mutex_lock(&s->m2);
		mutex_lock(&s->m);
		mutex_unlock(&s->m);
		mutex_unlock(&s->m2);
	}
	obs.reached_end++;
}
PROG_ARG(spin_trylock_no_edge, 1, trylock_edge_run, 0);
PROG_ARG(mutex_trylock_no_edge, 1, trylock_edge_run, 1);

static void test_trylock_adds_no_edge(void **state)
{
	(void)state;
	expect_clean(&spin_trylock_no_edge);
	expect_clean(&mutex_trylock_no_edge);
}

/* A trylocked lock is held: what is taken under it depends on it. */
static void trylock_held_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	if (!spin_trylock(&s->b))
		return;
	spin_lock(&s->c);
	spin_unlock(&s->c);
	spin_unlock(&s->b);
	take_two(&s->c, &s->b);
}
PROG(trylock_held, 1, trylock_held_run);

static void test_trylocked_lock_orders_later_locks(void **state)
{
	(void)state;
	expect_finding(&trylock_held, SIM_FIND_LOCK_ORDER, "lock-order",
		       "&s->b -> &s->c: CPU0 held &s->b");
}

/* ---- lockdep_assert_held ----------------------------------------------------------------- */

static void assert_held_ok_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	spin_lock(&s->a);
	lockdep_assert_held(&s->a);
	lockdep_assert_not_held(&s->b);
	spin_unlock(&s->a);
	lockdep_assert_not_held(&s->a);
	mutex_lock(&s->m);
	lockdep_assert_held(&s->m);
	mutex_unlock(&s->m);
	down_read(&s->sem);
	lockdep_assert_held(&s->sem);
	up_read(&s->sem);
	lock_page(s);
	sim_lockdep_assert_held(&s->page_dep, SIM_SITE("lockdep_assert_held", "PG_test"));
	unlock_page(s);
	obs.reached_end++;
}
PROG(assert_held_ok, 1, assert_held_ok_run);

static void assert_held_bad_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	if (s->variant == 0) {
		spin_lock(&s->b);
		lockdep_assert_held(&s->a);
	} else {
		mutex_lock(&s->m);
		lockdep_assert_not_held(&s->m);
	}
}
PROG_ARG(assert_held_missing, 1, assert_held_bad_run, 0);
PROG_ARG(assert_not_held_held, 1, assert_held_bad_run, 1);

/* CPU0 holds the lock while CPU1 asserts it: held, but not by CPU1. */
static void assert_held_other_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	if (cpu == 0) {
		spin_lock(&s->a);
		WRITE_ONCE(s->flag, 1);
		while (!READ_ONCE(s->done))
			cpu_relax();
		spin_unlock(&s->a);
		return;
	}
	while (!READ_ONCE(s->flag))
		cpu_relax();
	lockdep_assert_held(&s->a);
	WRITE_ONCE(s->done, 1);
}
PROG(assert_held_other, 2, assert_held_other_run);

static void test_lockdep_assert_held(void **state)
{
	struct explore_result r;

	(void)state;
	expect_clean(&assert_held_ok);
	expect_finding(&assert_held_missing, SIM_FIND_LOCK_MISUSE, "lockdep_assert_held",
		       "lockdep_assert_held(&s->a) failed in assert_held_bad_run");
	expect_finding(&assert_not_held_held, SIM_FIND_LOCK_MISUSE, "lockdep_assert_not_held",
		       "lockdep_assert_not_held(&s->m) failed");
	explore_dfs(&assert_held_other, 1, &r);
	assert_finding(&r, SIM_FIND_LOCK_MISUSE, "lockdep_assert_held");
	assert_msg_has(&r, "CPU1 does not hold it");
	assert_int_equal(r.finding.cpu, 1);
	explore_result_free(&r);
}

/* ---- unlock balance ---------------------------------------------------------------------- */

static void bad_unlock_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	switch (s->variant) {
	case 0:
		spin_unlock(&s->a);
		break;
	case 1:
		spin_lock(&s->a);
		spin_unlock(&s->a);
		spin_unlock(&s->a);
		break;
	case 2:
		mutex_unlock(&s->m);
		break;
	case 3:
		up_read(&s->sem);
		break;
	case 4:
		down_read(&s->sem);
		up_read(&s->sem);
		up_write(&s->sem);
		break;
	case 5:
		unlock_page(s);
		break;
	}
}
PROG_ARG(unlock_unheld_spin, 1, bad_unlock_run, 0);
PROG_ARG(unlock_twice_spin, 1, bad_unlock_run, 1);
PROG_ARG(unlock_unheld_mutex, 1, bad_unlock_run, 2);
PROG_ARG(unlock_unheld_read, 1, bad_unlock_run, 3);
PROG_ARG(unlock_unheld_write, 1, bad_unlock_run, 4);
PROG_ARG(unlock_unheld_page, 1, bad_unlock_run, 5);

static void test_bad_unlock_balance(void **state)
{
	static const struct {
		const struct sim_program *p;
		const char *needle;
	} cases[] = {
		{ &unlock_unheld_spin, "bad unlock balance: spin_unlock(&s->a)" },
		{ &unlock_twice_spin, "spin_unlock(&s->a) in bad_unlock_run" },
		{ &unlock_unheld_mutex, "mutex_unlock(&s->m)" },
		{ &unlock_unheld_read, "up_read(&s->sem)" },
		{ &unlock_unheld_write, "up_write(&s->sem)" },
		{ &unlock_unheld_page, "unlock_page(PG_test)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_finding(cases[i].p, SIM_FIND_LOCK_MISUSE, "bad-unlock-balance",
			       cases[i].needle);
}

/* CPU1 releases the lock CPU0 holds. */
static void unlock_other_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	if (cpu == 0) {
		spin_lock(&s->a);
		WRITE_ONCE(s->flag, 1);
		while (!READ_ONCE(s->done))
			cpu_relax();
		spin_unlock(&s->a);
		return;
	}
	while (!READ_ONCE(s->flag))
		cpu_relax();
	spin_unlock(&s->a);
	WRITE_ONCE(s->done, 1);
}
PROG(unlock_other, 2, unlock_other_run);

static void test_unlock_of_other_cpus_lock(void **state)
{
	struct explore_result r;

	(void)state;
	explore_dfs(&unlock_other, 1, &r);
	assert_finding(&r, SIM_FIND_LOCK_MISUSE, "bad-unlock-balance");
	assert_msg_has(&r, "but CPU1 does not hold it");
	assert_int_equal(r.finding.cpu, 1);
	explore_result_free(&r);
}

/* ---- sleeping in atomic context and in RCU read sections --------------------------------- */

enum sleeper {
	SL_MUTEX, SL_SCHEDULE, SL_TIMEOUT, SL_COND_RESCHED, SL_DOWN_READ, SL_DOWN_WRITE,
	SL_SYNC_RCU, SL_PAGE_LOCK, SL_MIGHT_SLEEP, SL__COUNT
};

static const char *const sleeper_api[SL__COUNT] = {
	"mutex_lock", "schedule", "schedule_timeout", "cond_resched", "down_read",
	"down_write", "synchronize_rcu", "lock_page", "might_sleep",
};

static void do_sleep(struct ls *s, enum sleeper how)
{
	switch (how) {
	case SL_MUTEX: mutex_lock(&s->m); break;
	case SL_SCHEDULE: prepare_to_wait(&s->wq); schedule(); break;
	case SL_TIMEOUT: prepare_to_wait(&s->wq); schedule_timeout(3); break;
	case SL_COND_RESCHED: cond_resched(); break;
	case SL_DOWN_READ: down_read(&s->sem); break;
	case SL_DOWN_WRITE: down_write(&s->sem); break;
	case SL_SYNC_RCU: synchronize_rcu(); break;
	case SL_PAGE_LOCK: lock_page(s); break;
	case SL_MIGHT_SLEEP: might_sleep(); break;
	case SL__COUNT: break;
	}
}

/* variant = sleeper + SL__COUNT * context (0: spinlock, 1: trylocked spinlock under a
 * released nested one, 2: RCU read section). */
static void sleep_bad_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	switch (s->variant / SL__COUNT) {
	case 0:
		spin_lock(&s->a);
		break;
	case 1:
		if (!spin_trylock(&s->a))
			return;
		spin_lock(&s->b);
		spin_unlock(&s->b);
		break;
	case 2:
		rcu_read_lock();
		break;
	}
	do_sleep(s, (enum sleeper)(s->variant % SL__COUNT));
	obs.reached_end++;
}

#define SLEEP_PROG(ctx, how)                                                                   \
	{ .name = "sleep_bad", .ncpus = 1, .arg = (void *)(intptr_t)((ctx) * SL__COUNT + (how)), \
	  .create = ls_create, .setup = ls_setup, .run = sleep_bad_run, .destroy = ls_destroy }
#define SLEEP_PROGS(ctx)                                                                       \
	SLEEP_PROG(ctx, SL_MUTEX), SLEEP_PROG(ctx, SL_SCHEDULE), SLEEP_PROG(ctx, SL_TIMEOUT),  \
	SLEEP_PROG(ctx, SL_COND_RESCHED), SLEEP_PROG(ctx, SL_DOWN_READ),                       \
	SLEEP_PROG(ctx, SL_DOWN_WRITE), SLEEP_PROG(ctx, SL_SYNC_RCU),                          \
	SLEEP_PROG(ctx, SL_PAGE_LOCK), SLEEP_PROG(ctx, SL_MIGHT_SLEEP)

static const struct sim_program sleep_progs[3][SL__COUNT] = {
	{ SLEEP_PROGS(0) }, { SLEEP_PROGS(1) }, { SLEEP_PROGS(2) },
};

static void check_sleepers(int ctx, const char *id, const char *context_needle)
{
	struct explore_result r;
	char needle[96];

	for (int i = 0; i < SL__COUNT; i++) {
		obs.reached_end = 0;
		explore_dfs(&sleep_progs[ctx][i], 0, &r);
		assert_finding(&r, SIM_FIND_LOCK_MISUSE, id);
		snprintf(needle, sizeof(needle), "invalid context: %s in ", sleeper_api[i]);
		assert_msg_has(&r, needle);
		assert_msg_has(&r, context_needle);
		assert_int_equal(obs.reached_end, 0);
		explore_result_free(&r);
	}
}

static void test_sleep_under_spinlock(void **state)
{
	(void)state;
	check_sleepers(0, "sleep-in-atomic", "while CPU0 holds spinlock &s->a (taken in");
}

static void test_sleep_under_trylocked_spinlock(void **state)
{
	(void)state;
	check_sleepers(1, "sleep-in-atomic", "holds spinlock &s->a");
}

static void test_sleep_in_rcu_read_section(void **state)
{
	(void)state;
	check_sleepers(2, "sleep-in-rcu", "inside an RCU read-side critical section on CPU0");
}

/* What may be done in those contexts, and sleeping once they are left. */
static void sleep_ok_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	spin_lock(&s->a);
	cpu_relax();
	spin_lock(&s->b);
	spin_unlock(&s->b);
	spin_unlock(&s->a);
	mutex_lock(&s->m);
	mutex_lock(&s->m2);
	cond_resched();
	mutex_unlock(&s->m2);
	rcu_read_lock();
	spin_lock(&s->c);
	spin_unlock(&s->c);
	rcu_read_unlock();
	mutex_unlock(&s->m);
	synchronize_rcu();
	might_sleep();
	obs.reached_end++;
}
PROG(sleep_ok, 1, sleep_ok_run);

static void test_allowed_contexts(void **state)
{
	(void)state;
	expect_clean(&sleep_ok);
}

/* ---- locks and RCU sections left at exit ------------------------------------------------- */

static void exit_held_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	switch (s->variant) {
	case 0: spin_lock(&s->a); break;
	case 1: mutex_lock(&s->m); break;
	case 2: down_read(&s->sem); break;
	case 3: rcu_read_lock(); break;
	case 4: rcu_read_unlock(); break;
	}
	obs.reached_end++;
}
PROG_ARG(exit_holding_spin, 1, exit_held_run, 0);
PROG_ARG(exit_holding_mutex, 1, exit_held_run, 1);
PROG_ARG(exit_holding_read, 1, exit_held_run, 2);
PROG_ARG(exit_in_rcu, 1, exit_held_run, 3);
PROG_ARG(rcu_unlock_unbalanced, 1, exit_held_run, 4);

static void test_lock_held_at_exit(void **state)
{
	(void)state;
	expect_finding(&exit_holding_spin, SIM_FIND_LOCK_MISUSE, "lock-held-at-exit",
		       "CPU0 finished while holding &s->a (taken in exit_held_run");
	expect_finding(&exit_holding_mutex, SIM_FIND_LOCK_MISUSE, "lock-held-at-exit",
		       "while holding &s->m ");
	expect_finding(&exit_holding_read, SIM_FIND_LOCK_MISUSE, "lock-held-at-exit",
		       "while holding &s->sem ");
}

static void test_rcu_misuse(void **state)
{
	(void)state;
	expect_finding(&exit_in_rcu, SIM_FIND_LOCK_MISUSE, "rcu-held-at-exit",
		       "CPU0 finished inside an RCU read-side critical section");
	expect_finding(&rcu_unlock_unbalanced, SIM_FIND_LOCK_MISUSE, "rcu-unbalanced",
		       "rcu_read_unlock() in exit_held_run (");
	expect_finding(&rcu_unlock_unbalanced, SIM_FIND_LOCK_MISUSE, "rcu-unbalanced",
		       "without rcu_read_lock() on CPU0");
}

static void uninit_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	spin_lock(&s->never_init);
}
PROG(uninit_lock, 1, uninit_run);

static void test_uninitialised_lock(void **state)
{
	(void)state;
	expect_finding(&uninit_lock, SIM_FIND_LOCK_MISUSE, "lock-uninitialised",
		       "spin_lock on a lock that was never initialised, in uninit_run");
}

/* ---- deadlock reports -------------------------------------------------------------------- */

static void abba_spin_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	if (cpu == 0) {
		spin_lock(&s->a);
		spin_lock(&s->b);
		spin_unlock(&s->b);
		spin_unlock(&s->a);
	} else {
		spin_lock(&s->b);
		spin_lock(&s->a);
		spin_unlock(&s->a);
		spin_unlock(&s->b);
	}
}
PROG(abba_spin, 2, abba_spin_run);

static void abba_mutex_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	if (cpu == 0) {
		mutex_lock(&s->m);
		mutex_lock(&s->m2);
		mutex_unlock(&s->m2);
		mutex_unlock(&s->m);
	} else {
		mutex_lock(&s->m2);
		mutex_lock(&s->m);
		mutex_unlock(&s->m);
		mutex_unlock(&s->m2);
	}
}
PROG(abba_mutex, 2, abba_mutex_run);

static void test_deadlock_names_holders(void **state)
{
	struct explore_result r;

	(void)state;
	explore_cfg(&abba_spin, EXPLORE_DFS, 1, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "no CPU can run:");
	assert_msg_has(&r, "CPU0 waits in spin_lock(&s->b) in abba_spin_run");
	assert_msg_has(&r, "&s->b is held by CPU1 (taken in abba_spin_run");
	assert_msg_has(&r, "CPU1 waits in spin_lock(&s->a) in abba_spin_run");
	assert_msg_has(&r, "&s->a is held by CPU0 (taken in abba_spin_run");
	explore_result_free(&r);
	explore_cfg(&abba_mutex, EXPLORE_DFS, 1, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "CPU0 waits in mutex_lock(&s->m2)");
	assert_msg_has(&r, "&s->m2 is held by CPU1");
	assert_msg_has(&r, "CPU1 waits in mutex_lock(&s->m)");
	assert_msg_has(&r, "&s->m is held by CPU0");
	explore_result_free(&r);
}

static void test_deadlock_names_sleepers(void **state)
{
	struct explore_result r;

	(void)state;
	explore_cfg(&classic_missed_wakeup, EXPLORE_DFS, 1, true, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "CPU0 waits in schedule() in consumer");
	assert_msg_has(&r, "asleep, and no running CPU is left to wake it");
	explore_result_free(&r);
}

static void test_classic_abba_deadlock_or_inversion(void **state)
{
	struct explore_result r;

	(void)state;
	explore_cfg(&classic_abba, EXPLORE_DFS, 2, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "is held by CPU1");
	assert_msg_has(&r, "is held by CPU0");
	explore_result_free(&r);
	explore_cfg(&classic_abba, EXPLORE_PCT, 3, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	explore_result_free(&r);
	/* With lockdep the very first execution, which does not deadlock, is reported. */
	explore_cfg(&classic_abba, EXPLORE_DFS, 2, true, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "lock-order");
	assert_int_equal(r.failing_execution, 1);
	assert_msg_has(&r, "CPU1 takes &s->a");
	assert_msg_has(&r, "while holding &s->b");
	explore_result_free(&r);
}

static void rwsem_upgrade_run(struct sim_exec *x, void *st, int cpu)
{
	struct ls *s = st;

	(void)x;
	(void)cpu;
	down_read(&s->sem);
	down_write(&s->sem);
	up_write(&s->sem);
	up_read(&s->sem);
}
PROG(rwsem_upgrade, 1, rwsem_upgrade_run);

static void test_rwsem_upgrade_deadlock(void **state)
{
	struct explore_result r;

	(void)state;
	explore_cfg(&rwsem_upgrade, EXPLORE_DFS, 0, true, &r);
	assert_finding(&r, SIM_FIND_LOCK_ORDER, "recursive-locking");
	assert_msg_has(&r, "CPU0 takes &s->sem (class &s->sem)");
	explore_result_free(&r);
	explore_cfg(&rwsem_upgrade, EXPLORE_DFS, 0, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "CPU0 waits in down_write(&s->sem) in rwsem_upgrade_run");
	assert_msg_has(&r, "&s->sem is held by CPU0 (taken in rwsem_upgrade_run");
	explore_result_free(&r);
}

/* Set-up code is sequential: a wait there can never end. */
static void relock_in_setup(struct sim_exec *x, void *st)
{
	struct ls *s = st;

	ls_setup(x, st);
	spin_lock(&s->a);
	spin_lock(&s->a);
}
PROG_FULL(setup_relock, 1, relock_in_setup, nothing_run, 0);

static void test_deadlock_in_setup(void **state)
{
	struct explore_result r;

	(void)state;
	obs.reached_end = 0;
	explore_cfg(&setup_relock, EXPLORE_DFS, 0, false, &r);
	assert_finding(&r, SIM_FIND_DEADLOCK, "deadlock");
	assert_msg_has(&r, "sequential code waits in spin_lock(&s->a) in relock_in_setup");
	assert_msg_has(&r, "held by the sequential code (taken in relock_in_setup");
	assert_int_equal(r.finding.cpu, -1);
	assert_int_equal(obs.reached_end, 0);
	explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inversion_on_one_cpu),
		cmocka_unit_test(test_inversion_ignored_without_lockdep),
		cmocka_unit_test(test_inversion_in_setup),
		cmocka_unit_test(test_three_lock_cycle),
		cmocka_unit_test(test_three_lock_cycle_across_cpus),
		cmocka_unit_test(test_graph_reset_between_executions),
		cmocka_unit_test(test_recursive_locking),
		cmocka_unit_test(test_same_class_without_nesting),
		cmocka_unit_test(test_same_class_nested_is_fine),
		cmocka_unit_test(test_double_spin_lock_both_orders),
		cmocka_unit_test(test_double_spin_lock_takes_lower_first),
		cmocka_unit_test(test_trylock_adds_no_edge),
		cmocka_unit_test(test_trylocked_lock_orders_later_locks),
		cmocka_unit_test(test_lockdep_assert_held),
		cmocka_unit_test(test_bad_unlock_balance),
		cmocka_unit_test(test_unlock_of_other_cpus_lock),
		cmocka_unit_test(test_sleep_under_spinlock),
		cmocka_unit_test(test_sleep_under_trylocked_spinlock),
		cmocka_unit_test(test_sleep_in_rcu_read_section),
		cmocka_unit_test(test_allowed_contexts),
		cmocka_unit_test(test_lock_held_at_exit),
		cmocka_unit_test(test_rcu_misuse),
		cmocka_unit_test(test_uninitialised_lock),
		cmocka_unit_test(test_deadlock_names_holders),
		cmocka_unit_test(test_deadlock_names_sleepers),
		cmocka_unit_test(test_classic_abba_deadlock_or_inversion),
		cmocka_unit_test(test_rwsem_upgrade_deadlock),
		cmocka_unit_test(test_deadlock_in_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
