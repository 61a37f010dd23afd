/*
 * test_primitives.c - unit tests of the sim/ primitives: atomics, bit ops, ONCE accesses, locks,
 * wait queues, RCU, choices, step and retry bounds, traces, determinism and the stress backend.
 */
#include "testlib.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "classic/classic.h"

/* ---- harness ----------------------------------------------------------------------------- */

/* Inside a program: a mismatch is an invariant finding naming the expression and line. */
#define EXPECT_EQ(got, want)                                                                   \
	do {                                                                                   \
		long long __g = (long long)(got), __w = (long long)(want);                     \
		if (__g != __w)                                                                \
			sim_fail(SIM_FIND_INVARIANT, "expect",                                 \
				 "line %d: %s is %lld, expected %lld", __LINE__, #got, __g,    \
				 __w);                                                         \
	} while (0)

#define EXPECT_TRUE(cond)                                                                      \
	do {                                                                                   \
		if (!(cond))                                                                   \
			sim_fail(SIM_FIND_INVARIANT, "expect", "line %d: %s is false",         \
				 __LINE__, #cond);                                             \
	} while (0)

#define EXPECT_PTR(got, want) EXPECT_EQ((uintptr_t)(got), (uintptr_t)(want))

/* What programs observe across executions (explore runs them all on this thread). */
static struct {
	uint64_t seen;		/* bit i: outcome or value i was observed */
	int max_inside;
	int reached_end;
} obs;

struct widths {
	int8_t i8;
	uint8_t u8;
	int16_t i16;
	uint16_t u16;
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	void *ptr;
	const struct widths *self;
	bool b;
};

struct rcu_obj {
	int a, b;
};

/* One state type for every program; each uses what it needs. */
struct ts {
	long variant;		/* the program's arg */
	spinlock_t a, b;
	struct mutex m;
	struct rw_semaphore sem;
	struct wait_queue_head wq;
	struct lockdep_map bit_dep;
	unsigned long bits[2];
	atomic_t at, readers;
	atomic_long_t al;
	struct widths w;
	struct rcu_obj objs[2];
	struct rcu_obj *rcu_ptr;
	int inside, writer, counter, counter2, counter3, flag, done;
};

static struct lock_class test_bit_class = { "test_bit_lock", 0 };

static void *ts_create(struct sim_exec *x, void *arg)
{
	struct ts *s = calloc(1, sizeof(*s));

	(void)x;
	if (!s)
		abort();
	s->variant = (long)(intptr_t)arg;
	s->objs[0] = (struct rcu_obj){ 1, 1 };
	s->objs[1] = (struct rcu_obj){ 2, 2 };
	s->rcu_ptr = &s->objs[0];
	return s;
}

static void ts_setup(struct sim_exec *x, void *st)
{
	struct ts *s = st;

	(void)x;
	spin_lock_init(&s->a);
	spin_lock_init(&s->b);
	mutex_init(&s->m);
	init_rwsem(&s->sem);
	init_waitqueue_head(&s->wq);
	sim_lock_init(&s->bit_dep, &test_bit_class, "PG_test");
}

static void ts_destroy(struct sim_exec *x, void *st)
{
	(void)x;
	free(st);
}

#define PROG_ARG(ident, n, runfn, checkfn, argv)                                               \
	static const struct sim_program ident = {                                              \
		.name = #ident,                                                                \
		.ncpus = (n),                                                                  \
		.arg = (void *)(intptr_t)(argv),                                               \
		.create = ts_create,                                                           \
		.setup = ts_setup,                                                             \
		.run = (runfn),                                                                \
		.check = (checkfn),                                                            \
		.destroy = ts_destroy,                                                         \
	}
#define PROG(ident, n, runfn, checkfn) PROG_ARG(ident, n, runfn, checkfn, 0)

static void reset_obs(void)
{
	memset(&obs, 0, sizeof(obs));
}

static void opts_for(struct explore_opts *o, enum explore_kind kind, int bound, uint64_t max_exec)
{
	explore_opts_default(o);
	o->kind = kind;
	o->seed = 1;
	o->bound = bound;
	if (kind == EXPLORE_PCT)
		o->pct_depth = bound;
	o->max_executions = max_exec;
}

static void explore_with(const struct sim_program *p, const struct explore_opts *o,
			 struct explore_result *r)
{
	int rc = explore_run(p, o, r);

	if (rc)
		print_message("explore_run(%s): %s\n", p->name, r->errmsg);
	assert_int_equal(rc, 0);
	assert_false(r->error);
}

static void explore_kind(const struct sim_program *p, enum explore_kind kind, int bound,
			 uint64_t max_exec, struct explore_result *r)
{
	struct explore_opts o;

	opts_for(&o, kind, bound, max_exec);
	explore_with(p, &o, r);
}

static void assert_no_finding(const struct explore_result *r)
{
	if (r->found)
		print_message("%s: unexpected finding %s in execution %llu: %s\n", r->strategy,
			      r->finding.id, (unsigned long long)r->failing_execution,
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

static void assert_msg_has(const struct sim_finding *f, const char *needle)
{
	if (!strstr(f->msg, needle))
		print_message("\"%s\" not in the message: %s\n", needle, f->msg);
	assert_non_null(strstr(f->msg, needle));
}

/* DFS to exhaustion with @bound: no finding; returns the number of executions. */
static uint64_t dfs_clean(const struct sim_program *p, int bound)
{
	struct explore_result r;
	uint64_t n;

	explore_kind(p, EXPLORE_DFS, bound, 1000000, &r);
	assert_no_finding(&r);
	if (!r.exhausted)
		print_message("%s: %s\n", p->name, r.coverage);
	assert_true(r.exhausted);
	n = r.executions;
	explore_result_free(&r);
	return n;
}

/* Explore @p with @kind for at most @max_exec executions: no finding. */
static void explore_clean(const struct sim_program *p, enum explore_kind kind, int bound,
			  uint64_t max_exec)
{
	struct explore_result r;

	explore_kind(p, kind, bound, max_exec, &r);
	assert_no_finding(&r);
	explore_result_free(&r);
}

/* Run a one-CPU value test once; every EXPECT must hold and the body must reach its end. */
static void run_values(const struct sim_program *p)
{
	reset_obs();
	explore_clean(p, EXPLORE_DFS, 0, 10);
	assert_int_equal(obs.reached_end, 1);
}

static int pick_default(void *ctx, const struct sim_choice *ch)
{
	(void)ctx;
	return sim_choice_default(ch);
}

/* One execution under the default schedule; the caller inspects and frees the exec. */
static struct sim_exec *run_once(const struct sim_program *p, const struct sim_config *cfg,
				 enum sim_outcome *out)
{
	struct sim_exec *x = sim_exec_new(p, cfg);

	assert_non_null(x);
	*out = sim_explore_once(x, (struct sim_chooser){ pick_default, NULL });
	return x;
}

/* ---- the harness itself ------------------------------------------------------------------ */

static void expect_mismatch_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	(void)st;
	(void)cpu;
	EXPECT_EQ(1 + 1, 3);
	obs.reached_end++;
}
PROG(expect_mismatch, 1, expect_mismatch_run, NULL);

static void test_expect_reports_mismatch(void **state)
{
	struct explore_result r;

	(void)state;
	reset_obs();
	explore_kind(&expect_mismatch, EXPLORE_DFS, 0, 10, &r);
	assert_finding(&r, SIM_FIND_INVARIANT, "expect");
	assert_msg_has(&r.finding, "1 + 1 is 2, expected 3");
	assert_int_equal(r.finding.cpu, 0);
	assert_int_equal(obs.reached_end, 0);
	explore_result_free(&r);
}

/* ---- atomic_t ---------------------------------------------------------------------------- */

static void atomic_arith_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_set(&s->at, 5);
	EXPECT_EQ(atomic_read(&s->at), 5);
	atomic_add(3, &s->at);
	EXPECT_EQ(atomic_read(&s->at), 8);
	atomic_sub(10, &s->at);
	EXPECT_EQ(atomic_read(&s->at), -2);
	atomic_inc(&s->at);
	EXPECT_EQ(atomic_read(&s->at), -1);
	atomic_dec(&s->at);
	EXPECT_EQ(atomic_read(&s->at), -2);
	EXPECT_EQ(atomic_add_return(7, &s->at), 5);
	EXPECT_EQ(atomic_sub_return(2, &s->at), 3);
	EXPECT_EQ(atomic_inc_return(&s->at), 4);
	EXPECT_EQ(atomic_dec_return(&s->at), 3);
	EXPECT_EQ(atomic_fetch_add(4, &s->at), 3);
	EXPECT_EQ(atomic_fetch_sub(9, &s->at), 7);
	EXPECT_EQ(atomic_read(&s->at), -2);
	atomic_set(&s->at, 0xf0f);
	atomic_and(0x0ff, &s->at);
	EXPECT_EQ(atomic_read(&s->at), 0x00f);
	atomic_or(0x300, &s->at);
	EXPECT_EQ(atomic_read(&s->at), 0x30f);
	obs.reached_end++;
}
PROG(atomic_arith, 1, atomic_arith_run, NULL);

static void atomic_tests_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_set(&s->at, 2);
	EXPECT_TRUE(!atomic_dec_and_test(&s->at));
	EXPECT_TRUE(atomic_dec_and_test(&s->at));
	EXPECT_TRUE(!atomic_dec_and_test(&s->at));
	EXPECT_EQ(atomic_read(&s->at), -1);
	atomic_set(&s->at, 5);
	EXPECT_TRUE(!atomic_sub_and_test(2, &s->at));
	EXPECT_TRUE(atomic_sub_and_test(3, &s->at));
	EXPECT_TRUE(!atomic_sub_and_test(-1, &s->at));
	EXPECT_EQ(atomic_read(&s->at), 1);
	obs.reached_end++;
}
PROG(atomic_tests, 1, atomic_tests_run, NULL);

static void atomic_unless_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_set(&s->at, 4);
	EXPECT_TRUE(!atomic_add_unless(&s->at, 2, 4));
	EXPECT_EQ(atomic_read(&s->at), 4);
	EXPECT_TRUE(atomic_add_unless(&s->at, 2, 3));
	EXPECT_EQ(atomic_read(&s->at), 6);
	atomic_set(&s->at, -1);
	EXPECT_TRUE(!atomic_add_unless(&s->at, 1, -1));
	EXPECT_EQ(atomic_read(&s->at), -1);
	EXPECT_TRUE(atomic_add_unless(&s->at, -5, 0));
	EXPECT_EQ(atomic_read(&s->at), -6);
	atomic_set(&s->at, 0);
	EXPECT_TRUE(!atomic_inc_not_zero(&s->at));
	EXPECT_EQ(atomic_read(&s->at), 0);
	atomic_set(&s->at, 7);
	EXPECT_TRUE(atomic_inc_not_zero(&s->at));
	EXPECT_EQ(atomic_read(&s->at), 8);
	atomic_set(&s->at, -1);
	EXPECT_TRUE(atomic_inc_not_zero(&s->at));
	EXPECT_EQ(atomic_read(&s->at), 0);
	obs.reached_end++;
}
PROG(atomic_unless, 1, atomic_unless_run, NULL);

static void atomic_cmpxchg_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	int old;

	(void)x;
	(void)cpu;
	atomic_set(&s->at, 10);
	EXPECT_EQ(atomic_cmpxchg(&s->at, 10, 20), 10);
	EXPECT_EQ(atomic_read(&s->at), 20);
	EXPECT_EQ(atomic_cmpxchg(&s->at, 10, 30), 20);
	EXPECT_EQ(atomic_read(&s->at), 20);
	old = 20;
	EXPECT_TRUE(atomic_try_cmpxchg(&s->at, &old, 25));
	EXPECT_EQ(old, 20);
	EXPECT_EQ(atomic_read(&s->at), 25);
	old = 99;
	EXPECT_TRUE(!atomic_try_cmpxchg(&s->at, &old, 30));
	EXPECT_EQ(old, 25);
	EXPECT_EQ(atomic_read(&s->at), 25);
	EXPECT_EQ(atomic_xchg(&s->at, -7), 25);
	EXPECT_EQ(atomic_read(&s->at), -7);
	obs.reached_end++;
}
PROG(atomic_cmpxchg_prog, 1, atomic_cmpxchg_run, NULL);

/* atomic_t wraps like the kernel's (two's complement, no trap). */
static void atomic_wrap_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_set(&s->at, INT_MAX);
	EXPECT_EQ(atomic_inc_return(&s->at), INT_MIN);
	EXPECT_EQ(atomic_fetch_sub(1, &s->at), INT_MIN);
	EXPECT_EQ(atomic_read(&s->at), INT_MAX);
	EXPECT_EQ(atomic_add_return(2, &s->at), INT_MIN + 1);
	obs.reached_end++;
}
PROG(atomic_wrap, 1, atomic_wrap_run, NULL);

static void test_atomic_arith(void **state)
{
	(void)state;
	run_values(&atomic_arith);
}

static void test_atomic_dec_sub_and_test(void **state)
{
	(void)state;
	run_values(&atomic_tests);
}

static void test_atomic_add_unless_inc_not_zero(void **state)
{
	(void)state;
	run_values(&atomic_unless);
}

static void test_atomic_cmpxchg_xchg(void **state)
{
	(void)state;
	run_values(&atomic_cmpxchg_prog);
}

static void test_atomic_wraps(void **state)
{
	(void)state;
	run_values(&atomic_wrap);
}

/* ---- atomic_long_t ----------------------------------------------------------------------- */

#define BIG (1L << 40)

static void atomic_long_arith_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_long_set(&s->al, BIG);
	EXPECT_EQ(atomic_long_read(&s->al), BIG);
	atomic_long_add(5, &s->al);
	EXPECT_EQ(atomic_long_read(&s->al), BIG + 5);
	atomic_long_sub(BIG + 10, &s->al);
	EXPECT_EQ(atomic_long_read(&s->al), -5);
	atomic_long_inc(&s->al);
	EXPECT_EQ(atomic_long_read(&s->al), -4);
	atomic_long_dec(&s->al);
	EXPECT_EQ(atomic_long_read(&s->al), -5);
	EXPECT_EQ(atomic_long_add_return(BIG, &s->al), BIG - 5);
	EXPECT_EQ(atomic_long_inc_return(&s->al), BIG - 4);
	EXPECT_EQ(atomic_long_dec_return(&s->al), BIG - 5);
	atomic_long_set(&s->al, 2);
	EXPECT_TRUE(!atomic_long_dec_and_test(&s->al));
	EXPECT_TRUE(atomic_long_dec_and_test(&s->al));
	EXPECT_EQ(atomic_long_read(&s->al), 0);
	obs.reached_end++;
}
PROG(atomic_long_arith, 1, atomic_long_arith_run, NULL);

static void atomic_long_cond_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	long old;

	(void)x;
	(void)cpu;
	atomic_long_set(&s->al, BIG);
	EXPECT_TRUE(!atomic_long_add_unless(&s->al, 1, BIG));
	EXPECT_TRUE(atomic_long_add_unless(&s->al, 1, 0));
	EXPECT_EQ(atomic_long_read(&s->al), BIG + 1);
	atomic_long_set(&s->al, 0);
	EXPECT_TRUE(!atomic_long_inc_not_zero(&s->al));
	atomic_long_set(&s->al, BIG);
	EXPECT_TRUE(atomic_long_inc_not_zero(&s->al));
	EXPECT_EQ(atomic_long_read(&s->al), BIG + 1);
	/* Same low 32 bits, different high bits: the whole word is compared. */
	atomic_long_set(&s->al, BIG | 7);
	EXPECT_EQ(atomic_long_cmpxchg(&s->al, 7, 9), BIG | 7);
	EXPECT_EQ(atomic_long_cmpxchg(&s->al, BIG | 7, -9), BIG | 7);
	EXPECT_EQ(atomic_long_read(&s->al), -9);
	old = -9;
	EXPECT_TRUE(atomic_long_try_cmpxchg(&s->al, &old, BIG));
	EXPECT_EQ(old, -9);
	old = 0;
	EXPECT_TRUE(!atomic_long_try_cmpxchg(&s->al, &old, 1));
	EXPECT_EQ(old, BIG);
	EXPECT_EQ(atomic_long_xchg(&s->al, LONG_MIN), BIG);
	EXPECT_EQ(atomic_long_read(&s->al), LONG_MIN);
	obs.reached_end++;
}
PROG(atomic_long_cond, 1, atomic_long_cond_run, NULL);

static void atomic_long_wrap_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	atomic_long_set(&s->al, LONG_MAX);
	EXPECT_EQ(atomic_long_inc_return(&s->al), LONG_MIN);
	EXPECT_EQ(atomic_long_dec_return(&s->al), LONG_MAX);
	EXPECT_EQ(atomic_long_add_return(2, &s->al), LONG_MIN + 1);
	obs.reached_end++;
}
PROG(atomic_long_wrap, 1, atomic_long_wrap_run, NULL);

static void test_atomic_long_arith(void **state)
{
	(void)state;
	run_values(&atomic_long_arith);
}

static void test_atomic_long_conditional(void **state)
{
	(void)state;
	run_values(&atomic_long_cond);
}

static void test_atomic_long_wraps(void **state)
{
	(void)state;
	run_values(&atomic_long_wrap);
}

/* ---- bit operations ---------------------------------------------------------------------- */

static void bitops_low_run(struct sim_exec *x, void *st, int cpu)
{
	unsigned long *w = ((struct ts *)st)->bits;

	(void)x;
	(void)cpu;
	set_bit(3, w);
	EXPECT_EQ(READ_ONCE(w[0]), BIT(3));
	EXPECT_EQ(READ_ONCE(w[1]), 0);
	EXPECT_TRUE(test_bit(3, w));
	EXPECT_TRUE(!test_bit(4, w));
	EXPECT_TRUE(test_and_set_bit(3, w));
	EXPECT_TRUE(!test_and_set_bit(5, w));
	EXPECT_EQ(READ_ONCE(w[0]), BIT(3) | BIT(5));
	EXPECT_TRUE(test_and_clear_bit(3, w));
	EXPECT_TRUE(!test_and_clear_bit(3, w));
	clear_bit(5, w);
	EXPECT_EQ(READ_ONCE(w[0]), 0);
	set_bit(63, w);
	EXPECT_TRUE(test_bit(63, w));
	EXPECT_TRUE(test_and_set_bit(63, w));
	EXPECT_TRUE(test_and_clear_bit(63, w));
	EXPECT_TRUE(!test_bit(63, w));
	EXPECT_TRUE(!test_and_set_bit_lock(0, w));
	EXPECT_TRUE(test_and_set_bit_lock(0, w));
	clear_bit_unlock(0, w);
	EXPECT_EQ(READ_ONCE(w[0]), 0);
	EXPECT_EQ(READ_ONCE(w[1]), 0);
	obs.reached_end++;
}
PROG(bitops_low, 1, bitops_low_run, NULL);

static void bitops_high_run(struct sim_exec *x, void *st, int cpu)
{
	unsigned long *w = ((struct ts *)st)->bits;

	(void)x;
	(void)cpu;
	set_bit(64 + 5, w);
	EXPECT_EQ(READ_ONCE(w[0]), 0);
	EXPECT_EQ(READ_ONCE(w[1]), BIT(5));
	EXPECT_TRUE(test_bit(69, w));
	EXPECT_TRUE(!test_bit(5, w));
	EXPECT_TRUE(!test_and_set_bit(70, w));
	EXPECT_EQ(READ_ONCE(w[1]), BIT(5) | BIT(6));
	EXPECT_TRUE(test_and_clear_bit(69, w));
	EXPECT_TRUE(!test_and_clear_bit(69, w));
	EXPECT_EQ(READ_ONCE(w[1]), BIT(6));
	EXPECT_TRUE(!test_and_set_bit_lock(127, w));
	EXPECT_TRUE(test_and_set_bit_lock(127, w));
	EXPECT_TRUE(test_bit(127, w));
	clear_bit_unlock(127, w);
	clear_bit(70, w);
	EXPECT_EQ(READ_ONCE(w[1]), 0);
	EXPECT_EQ(READ_ONCE(w[0]), 0);
	obs.reached_end++;
}
PROG(bitops_high, 1, bitops_high_run, NULL);

static void test_bitops_first_word(void **state)
{
	(void)state;
	run_values(&bitops_low);
}

static void test_bitops_second_word(void **state)
{
	(void)state;
	run_values(&bitops_high);
}

/* ---- READ_ONCE / WRITE_ONCE, acquire / release, plain cmpxchg and xchg ------------------- */

static void once_small_run(struct sim_exec *x, void *st, int cpu)
{
	struct widths *w = &((struct ts *)st)->w;

	(void)x;
	(void)cpu;
	WRITE_ONCE(w->u8, 250);
	WRITE_ONCE(w->i8, -3);
	EXPECT_EQ(READ_ONCE(w->i8), -3);
	EXPECT_EQ(READ_ONCE(w->u8), 250);	/* the neighbouring byte is untouched */
	WRITE_ONCE(w->i8, INT8_MIN);
	EXPECT_EQ(READ_ONCE(w->i8), INT8_MIN);
	EXPECT_EQ(READ_ONCE(w->u8), 250);
	WRITE_ONCE(w->u16, 65000);
	WRITE_ONCE(w->i16, -1234);
	EXPECT_EQ(READ_ONCE(w->i16), -1234);
	EXPECT_EQ(READ_ONCE(w->u16), 65000);
	WRITE_ONCE(w->b, true);
	EXPECT_TRUE(READ_ONCE(w->b));
	obs.reached_end++;
}
PROG(once_small, 1, once_small_run, NULL);

static void once_wide_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	struct widths *w = &s->w;

	(void)x;
	(void)cpu;
	WRITE_ONCE(w->u32, 0xdeadbeefu);
	WRITE_ONCE(w->i32, INT32_MIN);
	EXPECT_EQ(READ_ONCE(w->i32), INT32_MIN);
	EXPECT_EQ(READ_ONCE(w->u32), 0xdeadbeefu);
	WRITE_ONCE(w->i64, -(1LL << 40) - 1);
	EXPECT_EQ(READ_ONCE(w->i64), -(1LL << 40) - 1);
	WRITE_ONCE(w->u64, UINT64_MAX);
	EXPECT_TRUE(READ_ONCE(w->u64) == UINT64_MAX);
	WRITE_ONCE(w->ptr, &s->flag);
	EXPECT_PTR(READ_ONCE(w->ptr), &s->flag);
	WRITE_ONCE(w->self, w);
	EXPECT_PTR(READ_ONCE(w->self), w);
	WRITE_ONCE(w->self, NULL);
	EXPECT_PTR(READ_ONCE(w->self), NULL);
	obs.reached_end++;
}
PROG(once_wide, 1, once_wide_run, NULL);

static void acquire_release_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	struct widths *w = &s->w;

	(void)x;
	(void)cpu;
	smp_store_release(&w->i32, -77);
	EXPECT_EQ(smp_load_acquire(&w->i32), -77);
	smp_store_release(&w->i8, -1);
	EXPECT_EQ(smp_load_acquire(&w->i8), -1);
	smp_store_release(&w->u64, UINT64_MAX - 1);
	EXPECT_TRUE(smp_load_acquire(&w->u64) == UINT64_MAX - 1);
	smp_store_release(&w->self, w);
	EXPECT_PTR(smp_load_acquire(&w->self), w);
	smp_mb();
	smp_rmb();
	smp_wmb();
	smp_mb__before_atomic();
	smp_mb__after_atomic();
	obs.reached_end++;
}
PROG(acquire_release, 1, acquire_release_run, NULL);

static void plain_cmpxchg_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	struct widths *w = &s->w;
	const struct widths *oldp = NULL;
	int16_t old16 = 0;

	(void)x;
	(void)cpu;
	WRITE_ONCE(w->u8, 200);
	EXPECT_EQ(cmpxchg(&w->u8, 200, 201), 200);
	EXPECT_EQ(cmpxchg(&w->u8, 200, 202), 201);
	EXPECT_EQ(READ_ONCE(w->u8), 201);
	WRITE_ONCE(w->i16, -300);
	EXPECT_TRUE(!try_cmpxchg(&w->i16, &old16, 5));
	EXPECT_EQ(old16, -300);
	EXPECT_TRUE(try_cmpxchg(&w->i16, &old16, -301));
	EXPECT_EQ(READ_ONCE(w->i16), -301);
	EXPECT_EQ(xchg(&w->i16, 7), -301);
	EXPECT_TRUE(try_cmpxchg(&w->self, &oldp, w));
	EXPECT_PTR(cmpxchg(&w->self, NULL, NULL), w);
	EXPECT_PTR(xchg(&w->self, NULL), w);
	EXPECT_PTR(READ_ONCE(w->self), NULL);
	EXPECT_EQ(xchg(&w->u64, UINT64_MAX), 0);
	EXPECT_TRUE(xchg(&w->u64, 1) == UINT64_MAX);
	obs.reached_end++;
}
PROG(plain_cmpxchg, 1, plain_cmpxchg_run, NULL);

static void test_once_small_types(void **state)
{
	(void)state;
	run_values(&once_small);
}

static void test_once_wide_types_and_pointers(void **state)
{
	(void)state;
	run_values(&once_wide);
}

static void test_acquire_release_values(void **state)
{
	(void)state;
	run_values(&acquire_release);
}

static void test_plain_cmpxchg_xchg(void **state)
{
	(void)state;
	run_values(&plain_cmpxchg);
}

/* Message passing: CPU0 publishes data then a flag; CPU1 that sees the flag sees the data.
 * Variant 1 publishes the flag first, which the explorer must catch. */
static void message_passing_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 0) {
		if (s->variant)
			smp_store_release(&s->flag, 1);
		WRITE_ONCE(s->counter, 42);
		if (!s->variant)
			smp_store_release(&s->flag, 1);
		return;
	}
	if (smp_load_acquire(&s->flag)) {
		EXPECT_EQ(READ_ONCE(s->counter), 42);
		obs.seen |= 2;
	} else {
		obs.seen |= 1;
	}
}
PROG(message_passing, 2, message_passing_run, NULL);
PROG_ARG(message_passing_flag_first, 2, message_passing_run, NULL, 1);

static void test_message_passing(void **state)
{
	struct explore_result r;

	(void)state;
	reset_obs();
	dfs_clean(&message_passing, 2);
	assert_int_equal(obs.seen, 3);
	explore_kind(&message_passing_flag_first, EXPLORE_DFS, 2, 1000, &r);
	assert_finding(&r, SIM_FIND_INVARIANT, "expect");
	assert_msg_has(&r.finding, "READ_ONCE(s->counter) is 0, expected 42");
	explore_result_free(&r);
}

/* ---- spinlocks --------------------------------------------------------------------------- */

#define ROUNDS 2

/* A critical section with scheduling points inside: any overlap is caught. */
static void critical_section(struct ts *s)
{
	int v;

	EXPECT_EQ(READ_ONCE(s->inside), 0);
	WRITE_ONCE(s->inside, 1);
	v = READ_ONCE(s->counter);
	WRITE_ONCE(s->counter, v + 1);
	EXPECT_EQ(READ_ONCE(s->inside), 1);
	WRITE_ONCE(s->inside, 0);
}

static void rounds_check(struct sim_exec *x, void *st)
{
	EXPECT_EQ(READ_ONCE(((struct ts *)st)->counter), x->ncpus * ROUNDS);
}

static void spin_exclusion_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&s->a);
		critical_section(s);
		spin_unlock(&s->a);
	}
}
PROG(spin_exclusion, 2, spin_exclusion_run, rounds_check);

static void no_lock_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	(void)cpu;
	for (int i = 0; i < ROUNDS; i++)
		critical_section(st);
}
PROG(no_lock_control, 2, no_lock_run, rounds_check);

static void test_spinlock_mutual_exclusion(void **state)
{
	struct explore_result r;

	(void)state;
	assert_true(dfs_clean(&spin_exclusion, 3) > 1);
	/* The same section without the lock is caught: the check can fail. */
	explore_kind(&no_lock_control, EXPLORE_DFS, 3, 100000, &r);
	assert_finding(&r, SIM_FIND_INVARIANT, "expect");
	explore_result_free(&r);
}

static void spin_trylock_seq_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	EXPECT_TRUE(spin_trylock(&s->a));
	EXPECT_TRUE(lockdep_is_held(&s->a));
	EXPECT_EQ(READ_ONCE(s->a.owner), 1);
	EXPECT_TRUE(!spin_trylock(&s->a));
	spin_unlock(&s->a);
	EXPECT_TRUE(!lockdep_is_held(&s->a));
	EXPECT_EQ(READ_ONCE(s->a.owner), 0);
	spin_lock(&s->b);
	EXPECT_TRUE(spin_trylock(&s->a));
	spin_unlock(&s->a);
	spin_unlock(&s->b);
	obs.reached_end++;
}
PROG(spin_trylock_seq, 1, spin_trylock_seq_run, NULL);

static void test_spin_trylock_results(void **state)
{
	(void)state;
	run_values(&spin_trylock_seq);
}

/* CPU0 holds the lock until CPU1 is done, so a failed trylock means CPU0 owns it; CPU1's
 * trylock succeeds when it runs before CPU0 takes the lock.  Both outcomes are reachable. */
static void spin_trylock_race_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 0) {
		spin_lock(&s->a);
		while (!READ_ONCE(s->done))
			cpu_relax();
		spin_unlock(&s->a);
		return;
	}
	if (spin_trylock(&s->a)) {
		EXPECT_EQ(READ_ONCE(s->a.owner), 2);
		spin_unlock(&s->a);
		obs.seen |= 2;
	} else {
		EXPECT_EQ(READ_ONCE(s->a.owner), 1);
		obs.seen |= 1;
	}
	WRITE_ONCE(s->done, 1);
}
PROG(spin_trylock_race, 2, spin_trylock_race_run, NULL);

static void test_spin_trylock_contended(void **state)
{
	(void)state;
	reset_obs();
	dfs_clean(&spin_trylock_race, 2);
	assert_int_equal(obs.seen, 3);
}

/* ---- mutexes and lock bits --------------------------------------------------------------- */

static void mutex_exclusion_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (int i = 0; i < ROUNDS; i++) {
		mutex_lock(&s->m);
		cond_resched();		/* sleeping under a mutex is allowed */
		critical_section(s);
		mutex_unlock(&s->m);
	}
}
PROG(mutex_exclusion, 2, mutex_exclusion_run, rounds_check);

static void mutex_trylock_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	EXPECT_TRUE(mutex_trylock(&s->m));
	EXPECT_TRUE(lockdep_is_held(&s->m));
	EXPECT_EQ(READ_ONCE(s->m.owner), 1);
	EXPECT_TRUE(!mutex_trylock(&s->m));
	mutex_unlock(&s->m);
	EXPECT_TRUE(!lockdep_is_held(&s->m));
	mutex_lock(&s->m);
	mutex_unlock(&s->m);
	EXPECT_TRUE(mutex_trylock(&s->m));
	mutex_unlock(&s->m);
	obs.reached_end++;
}
PROG(mutex_trylock_prog, 1, mutex_trylock_run, NULL);

static void test_mutex_mutual_exclusion(void **state)
{
	(void)state;
	assert_true(dfs_clean(&mutex_exclusion, 3) > 1);
}

static void test_mutex_trylock(void **state)
{
	(void)state;
	run_values(&mutex_trylock_prog);
}

#define PG_TEST (64 + 3)	/* a lock bit in the second word */

static void test_lock_page(struct ts *s)
{
	sim_bit_lock(s->bits, PG_TEST, &s->bit_dep, SIM_SITE("lock_page", "s->bits"));
}

static bool test_trylock_page(struct ts *s)
{
	return sim_bit_trylock(s->bits, PG_TEST, &s->bit_dep, SIM_SITE("trylock_page", "s->bits"));
}

static void test_unlock_page(struct ts *s)
{
	sim_bit_unlock(s->bits, PG_TEST, &s->bit_dep, SIM_SITE("unlock_page", "s->bits"));
}

static void bit_lock_setup(struct sim_exec *x, void *st)
{
	struct ts *s = st;

	ts_setup(x, st);
	set_bit(64, s->bits);	/* a neighbour the lock must preserve */
}

static void bit_lock_check(struct sim_exec *x, void *st)
{
	struct ts *s = st;

	rounds_check(x, st);
	EXPECT_EQ(READ_ONCE(s->bits[1]), BIT(0));
	EXPECT_EQ(READ_ONCE(s->bits[0]), 0);
}

static void bit_lock_exclusion_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (int i = 0; i < ROUNDS; i++) {
		test_lock_page(s);
		EXPECT_TRUE(test_bit(PG_TEST, s->bits));
		EXPECT_TRUE(test_bit(64, s->bits));
		EXPECT_TRUE(sim_lockdep_is_held(&s->bit_dep));
		critical_section(s);
		test_unlock_page(s);
	}
}

static const struct sim_program bit_lock_exclusion = {
	.name = "bit_lock_exclusion",
	.ncpus = 2,
	.create = ts_create,
	.setup = bit_lock_setup,
	.run = bit_lock_exclusion_run,
	.check = bit_lock_check,
	.destroy = ts_destroy,
};

static void bit_trylock_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	EXPECT_TRUE(test_trylock_page(s));
	EXPECT_TRUE(test_bit(PG_TEST, s->bits));
	EXPECT_TRUE(sim_lockdep_is_held(&s->bit_dep));
	EXPECT_TRUE(!test_trylock_page(s));
	test_unlock_page(s);
	EXPECT_TRUE(!test_bit(PG_TEST, s->bits));
	EXPECT_TRUE(!sim_lockdep_is_held(&s->bit_dep));
	test_lock_page(s);
	EXPECT_EQ(READ_ONCE(s->bits[1]), BIT(0) | BIT(3));
	test_unlock_page(s);
	obs.reached_end++;
}

static const struct sim_program bit_trylock = {
	.name = "bit_trylock",
	.ncpus = 1,
	.create = ts_create,
	.setup = bit_lock_setup,
	.run = bit_trylock_run,
	.destroy = ts_destroy,
};

static void test_bit_lock_mutual_exclusion(void **state)
{
	(void)state;
	assert_true(dfs_clean(&bit_lock_exclusion, 3) > 1);
}

static void test_bit_trylock(void **state)
{
	(void)state;
	run_values(&bit_trylock);
}

/* ---- read-write semaphores --------------------------------------------------------------- */

static void rwsem_readers_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	int n;

	(void)x;
	(void)cpu;
	down_read(&s->sem);
	n = atomic_inc_return(&s->readers);
	if (n > obs.max_inside)
		obs.max_inside = n;
	atomic_dec(&s->readers);
	up_read(&s->sem);
}
PROG(rwsem_readers, 2, rwsem_readers_run, NULL);

static void test_rwsem_readers_share(void **state)
{
	(void)state;
	reset_obs();
	dfs_clean(&rwsem_readers, 2);
	assert_int_equal(obs.max_inside, 2);
}

static void rwsem_writer_section(struct ts *s)
{
	down_write(&s->sem);
	EXPECT_EQ(READ_ONCE(s->writer), 0);
	WRITE_ONCE(s->writer, 1);
	EXPECT_EQ(atomic_read(&s->readers), 0);
	WRITE_ONCE(s->writer, 0);
	up_write(&s->sem);
}

static void rwsem_reader_section(struct ts *s)
{
	down_read(&s->sem);
	atomic_inc(&s->readers);
	EXPECT_EQ(READ_ONCE(s->writer), 0);
	atomic_dec(&s->readers);
	up_read(&s->sem);
}

/* CPU0 and CPU2 write, CPU1 reads. */
static void rwsem_writers_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	if (cpu == 1)
		rwsem_reader_section(st);
	else
		rwsem_writer_section(st);
}
PROG(rwsem_writers, 3, rwsem_writers_run, NULL);

static void test_rwsem_writer_excludes_all(void **state)
{
	(void)state;
	assert_true(dfs_clean(&rwsem_writers, 2) > 1);
}

/*
 * CPU0 holds the semaphore for reading until CPU2 has tried it; CPU1 queues a
 * writer behind CPU0; CPU2 arrives while the writer waits: its trylock fails
 * and its down_read gets in only after the writer.
 */
static void rwsem_queue_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 0) {
		down_read(&s->sem);
		WRITE_ONCE(s->flag, 1);
		while (!READ_ONCE(s->done))
			cpu_relax();
		up_read(&s->sem);
	} else if (cpu == 1) {
		while (!READ_ONCE(s->flag))
			cpu_relax();
		down_write(&s->sem);
		WRITE_ONCE(s->writer, 1);
		up_write(&s->sem);
	} else {
		while (!READ_ONCE(s->sem.writers_waiting))
			cpu_relax();
		EXPECT_TRUE(!down_read_trylock(&s->sem));
		WRITE_ONCE(s->done, 1);
		down_read(&s->sem);
		EXPECT_EQ(READ_ONCE(s->writer), 1);
		up_read(&s->sem);
	}
}
PROG(rwsem_queue, 3, rwsem_queue_run, NULL);

static void test_rwsem_waiting_writer_blocks_readers(void **state)
{
	(void)state;
	explore_clean(&rwsem_queue, EXPLORE_RANDOM, 0, 300);
	explore_clean(&rwsem_queue, EXPLORE_PCT, 3, 300);
	dfs_clean(&rwsem_queue, 1);
}

static void rwsem_trylock_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	EXPECT_TRUE(down_read_trylock(&s->sem));
	EXPECT_TRUE(down_read_trylock(&s->sem));
	EXPECT_TRUE(!down_write_trylock(&s->sem));
	up_read(&s->sem);
	EXPECT_TRUE(!down_write_trylock(&s->sem));
	up_read(&s->sem);
	EXPECT_TRUE(down_write_trylock(&s->sem));
	EXPECT_EQ(READ_ONCE(s->sem.owner), 1);
	EXPECT_TRUE(!down_read_trylock(&s->sem));
	EXPECT_TRUE(!down_write_trylock(&s->sem));
	up_write(&s->sem);
	EXPECT_EQ(READ_ONCE(s->sem.owner), 0);
	down_write(&s->sem);
	up_write(&s->sem);
	EXPECT_TRUE(down_read_trylock(&s->sem));
	up_read(&s->sem);
	EXPECT_TRUE(!lockdep_is_held(&s->sem));
	obs.reached_end++;
}
PROG(rwsem_trylock, 1, rwsem_trylock_run, NULL);

static void test_rwsem_trylock(void **state)
{
	(void)state;
	run_values(&rwsem_trylock);
}

/* ---- wait queues ------------------------------------------------------------------------- */

static bool flag_set_noting(struct ts *s)
{
	int f = READ_ONCE(s->flag);

	obs.seen |= f ? 2 : 1;
	return f;
}

static void wait_wake_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 0) {
		wait_event(&s->wq, flag_set_noting(s));
		WRITE_ONCE(s->done, 1);
	} else {
		WRITE_ONCE(s->flag, 1);
		wake_up(&s->wq);
	}
}

static void done_check(struct sim_exec *x, void *st)
{
	(void)x;
	EXPECT_EQ(READ_ONCE(((struct ts *)st)->done), 1);
}
PROG(wait_wake, 2, wait_wake_run, done_check);

static void test_wait_event_woken_always(void **state)
{
	(void)state;
	reset_obs();
	dfs_clean(&wait_wake, 3);
	assert_int_equal(obs.seen, 3);	/* it both slept and found the condition true */
}

static void timeout_alone_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	long left;

	(void)x;
	(void)cpu;
	prepare_to_wait(&s->wq);
	left = schedule_timeout(5);
	finish_wait(&s->wq);
	EXPECT_EQ(left, 0);
	EXPECT_EQ(wait_event_timeout(&s->wq, READ_ONCE(s->flag), 3), 0);
	WRITE_ONCE(s->flag, 1);
	EXPECT_EQ(wait_event_timeout(&s->wq, READ_ONCE(s->flag), 7), 7);
	obs.reached_end++;
}
PROG(timeout_alone, 1, timeout_alone_run, NULL);

static void test_schedule_timeout_alone_times_out(void **state)
{
	(void)state;
	run_values(&timeout_alone);
}

/* CPU0 sleeps with a timeout; it either times out (0) or is woken (5 left). */
static void timeout_race_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	long left = -1;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		wake_up(&s->wq);
		return;
	}
	prepare_to_wait(&s->wq);
	if (!READ_ONCE(s->flag))
		left = schedule_timeout(5);
	finish_wait(&s->wq);
	if (left == 0)
		obs.seen |= 1;
	else if (left == 5)
		obs.seen |= 2;
	else
		obs.seen |= 4;
	EXPECT_TRUE(left == 0 || left == 5 || left == -1);
	if (left == 5)
		EXPECT_EQ(READ_ONCE(s->flag), 1);
}
PROG(timeout_race, 2, timeout_race_run, NULL);

static void test_schedule_timeout_fires_or_wakes(void **state)
{
	(void)state;
	reset_obs();
	dfs_clean(&timeout_race, 2);
	assert_int_equal(obs.seen, 7);
}

/* wait_event_timeout(): a positive result means the condition held. */
static void wet_race_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	long left;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		wake_up(&s->wq);
		return;
	}
	left = wait_event_timeout(&s->wq, READ_ONCE(s->flag), 4);
	obs.seen |= left ? 2 : 1;
	if (left)
		EXPECT_EQ(READ_ONCE(s->flag), 1);
	EXPECT_TRUE(left >= 0 && left <= 4);
}
PROG(wet_race, 2, wet_race_run, NULL);

static void test_wait_event_timeout_race(void **state)
{
	(void)state;
	reset_obs();
	dfs_clean(&wet_race, 2);
	assert_int_equal(obs.seen, 3);
}

/* Polling with a timeout in a loop until a CPU that never wakes anyone sets the flag. */
static void timeout_poll_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!wait_event_timeout(&s->wq, READ_ONCE(s->flag), 1))
		;
	WRITE_ONCE(s->done, 1);
}
PROG(timeout_poll, 2, timeout_poll_run, done_check);

static void test_timeout_poll_loop_terminates(void **state)
{
	(void)state;
	explore_clean(&timeout_poll, EXPLORE_RANDOM, 0, 200);
	explore_clean(&timeout_poll, EXPLORE_PCT, 3, 200);
	dfs_clean(&timeout_poll, 2);
}

/* ---- RCU --------------------------------------------------------------------------------- */

/* The reader reads both fields of the current object; the updater replaces it and then
 * poisons the old one ("frees" it).  Variant 1 skips synchronize_rcu(). */
static void rcu_reader(struct ts *s)
{
	struct rcu_obj *p;
	int a, b;

	rcu_read_lock();
	p = READ_ONCE(s->rcu_ptr);
	a = READ_ONCE(p->a);
	b = READ_ONCE(p->b);
	rcu_read_unlock();
	EXPECT_TRUE(a > 0);
	EXPECT_EQ(a, b);
	obs.seen |= 1ULL << a;
}

static void rcu_updater(struct ts *s)
{
	struct rcu_obj *old = READ_ONCE(s->rcu_ptr);

	WRITE_ONCE(s->rcu_ptr, &s->objs[1]);
	if (!s->variant)
		synchronize_rcu();
	WRITE_ONCE(old->a, -1);
	WRITE_ONCE(old->b, -1);
}

static void rcu_torn_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	if (cpu == 0)
		rcu_reader(st);
	else
		rcu_updater(st);
}
PROG(rcu_sync, 2, rcu_torn_run, NULL);
PROG_ARG(rcu_no_sync, 2, rcu_torn_run, NULL, 1);

static void test_rcu_synchronize_waits_for_readers(void **state)
{
	struct explore_result r;

	(void)state;
	reset_obs();
	dfs_clean(&rcu_sync, 3);
	assert_int_equal(obs.seen, (1 << 1) | (1 << 2));	/* old and new object both read */
	explore_kind(&rcu_no_sync, EXPLORE_DFS, 3, 100000, &r);
	assert_finding(&r, SIM_FIND_INVARIANT, "expect");
	explore_result_free(&r);
}

/* Nested sections: synchronize_rcu() waits for the outermost unlock. */
static void rcu_nested_reader(struct ts *s)
{
	struct rcu_obj *p;
	int a, b;

	rcu_read_lock();
	rcu_read_lock();
	p = READ_ONCE(s->rcu_ptr);
	a = READ_ONCE(p->a);
	rcu_read_unlock();
	b = READ_ONCE(p->b);
	rcu_read_unlock();
	EXPECT_TRUE(a > 0);
	EXPECT_EQ(a, b);
}

static void rcu_nested_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	if (cpu == 0)
		rcu_nested_reader(st);
	else
		rcu_updater(st);
}
PROG(rcu_nested, 2, rcu_nested_run, NULL);

static void test_rcu_nested_sections(void **state)
{
	(void)state;
	dfs_clean(&rcu_nested, 3);
}

/* ---- nondeterministic choices ------------------------------------------------------------ */

static void choose_run(struct sim_exec *x, void *st, int cpu)
{
	int v = sim_choose(5, "five");

	(void)x;
	(void)st;
	(void)cpu;
	EXPECT_TRUE(v >= 0 && v < 5);
	EXPECT_EQ(sim_choose(1, "one"), 0);
	obs.seen |= 1ULL << v;
	obs.reached_end++;
}
PROG(choose_five, 1, choose_run, NULL);

static void choose_pair_run(struct sim_exec *x, void *st, int cpu)
{
	int a = sim_choose(3, "a"), b = sim_choose(4, "b");

	(void)x;
	(void)st;
	(void)cpu;
	obs.seen |= 1ULL << (a * 4 + b);
}
PROG(choose_pair, 1, choose_pair_run, NULL);

static void choose_setup(struct sim_exec *x, void *st)
{
	ts_setup(x, st);
	obs.seen |= 1ULL << sim_choose(3, "in setup");
}

static void nothing_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	(void)st;
	(void)cpu;
}

static const struct sim_program choose_in_setup = {
	.name = "choose_in_setup",
	.ncpus = 1,
	.create = ts_create,
	.setup = choose_setup,
	.run = nothing_run,
	.destroy = ts_destroy,
};

static void test_choose_dfs_covers_all_values(void **state)
{
	(void)state;
	reset_obs();
	assert_int_equal(dfs_clean(&choose_five, 0), 5);
	assert_int_equal(obs.seen, 0x1f);
	assert_int_equal(obs.reached_end, 5);
	reset_obs();
	assert_int_equal(dfs_clean(&choose_pair, 0), 12);
	assert_int_equal(obs.seen, 0xfff);
	reset_obs();
	assert_int_equal(dfs_clean(&choose_in_setup, 0), 3);
	assert_int_equal(obs.seen, 7);
}

static void test_choose_delay_bound_costs_value(void **state)
{
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	reset_obs();
	opts_for(&o, EXPLORE_DFS, 2, 1000);
	o.bound_kind = DFS_DELAYS;
	explore_with(&choose_five, &o, &r);
	assert_no_finding(&r);
	assert_true(r.exhausted);
	assert_int_equal(obs.seen, 7);	/* value v costs v delays */
	explore_result_free(&r);
}

static void test_choose_random_in_range(void **state)
{
	(void)state;
	reset_obs();
	explore_clean(&choose_five, EXPLORE_RANDOM, 0, 200);
	assert_int_equal(obs.seen, 0x1f);
	reset_obs();
	explore_clean(&choose_five, EXPLORE_PCT, 3, 200);
	assert_int_equal(obs.seen, 0x1f);
}

/* ---- spin loops, the step limit and the retry bound -------------------------------------- */

static void spin_wait_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 1) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag)) {
		if (s->variant)
			cond_resched();
		else
			cpu_relax();
	}
	WRITE_ONCE(s->done, 1);
}
PROG(spin_cpu_relax, 2, spin_wait_run, done_check);
PROG_ARG(spin_cond_resched, 2, spin_wait_run, done_check, 1);

/* Two spinners wait for the third CPU, which only runs when they yield to it. */
static void two_spinners_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	if (cpu == 2) {
		WRITE_ONCE(s->flag, 1);
		return;
	}
	while (!READ_ONCE(s->flag))
		cpu_relax();
	atomic_inc(&s->at);
}

static void two_spinners_check(struct sim_exec *x, void *st)
{
	(void)x;
	EXPECT_EQ(atomic_read(&((struct ts *)st)->at), 2);
}
PROG(two_spinners, 3, two_spinners_run, two_spinners_check);

static void check_spin_program(const struct sim_program *p)
{
	explore_clean(p, EXPLORE_RANDOM, 0, 300);
	explore_clean(p, EXPLORE_PCT, 3, 300);
	explore_clean(p, EXPLORE_PCT, 1, 50);
	dfs_clean(p, 0);
	dfs_clean(p, 2);
}

static void test_spin_cpu_relax_terminates(void **state)
{
	(void)state;
	check_spin_program(&spin_cpu_relax);
}

static void test_spin_cond_resched_terminates(void **state)
{
	(void)state;
	check_spin_program(&spin_cond_resched);
}

static void test_two_spinners_terminate(void **state)
{
	(void)state;
	check_spin_program(&two_spinners);
}

static void spin_forever_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	while (!READ_ONCE(s->flag))
		;
}
PROG(spin_forever, 1, spin_forever_run, NULL);

static void test_step_limit(void **state)
{
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	opts_for(&o, EXPLORE_DFS, 0, 10);
	o.cfg.max_steps = 50;
	explore_with(&spin_forever, &o, &r);
	assert_finding(&r, SIM_FIND_STEP_LIMIT, "step-limit");
	assert_msg_has(&r.finding, "exceeded 50 steps");
	assert_msg_has(&r.finding, "READ_ONCE");
	assert_msg_has(&r.finding, "spin_forever_run");
	assert_int_equal(r.finding.cpu, 0);
	explore_result_free(&r);
}

static void relax_forever_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	while (!READ_ONCE(s->flag))
		cpu_relax();
}
PROG(relax_forever, 2, relax_forever_run, NULL);

static void test_step_limit_two_spinners(void **state)
{
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	opts_for(&o, EXPLORE_RANDOM, 0, 10);
	o.cfg.max_steps = 200;
	explore_with(&relax_forever, &o, &r);
	assert_finding(&r, SIM_FIND_STEP_LIMIT, "step-limit");
	assert_int_equal(r.failing_execution, 1);
	explore_result_free(&r);
}

/* Exactly ten scheduling points. */
static void ten_steps_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (int i = 0; i < 10; i++)
		WRITE_ONCE(s->counter, i);
}
PROG(ten_steps, 1, ten_steps_run, NULL);

static void test_step_limit_boundary(void **state)
{
	struct sim_config cfg;
	enum sim_outcome out;
	struct sim_exec *x;

	(void)state;
	sim_config_default(&cfg);
	cfg.max_steps = 10;
	x = run_once(&ten_steps, &cfg, &out);
	assert_int_equal(out, SIM_RUN_OK);
	assert_int_equal(x->steps, 10);
	sim_exec_free(x);
	cfg.max_steps = 9;
	x = run_once(&ten_steps, &cfg, &out);
	assert_int_equal(out, SIM_RUN_FINDING);
	assert_int_equal(x->finding.kind, SIM_FIND_STEP_LIMIT);
	sim_exec_free(x);
}

/* Variant n: retry n times at one site, then once more at another. */
static void retry_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (long i = 0; i < s->variant; i++) {
		sim_retry("wait_for_token");
		WRITE_ONCE(s->counter, (int)i);
	}
	for (long i = 0; i < s->variant; i++)
		sim_retry("other_loop");
	obs.reached_end++;
}
PROG_ARG(retry_ten, 1, retry_run, NULL, 10);
PROG_ARG(retry_eleven, 1, retry_run, NULL, 11);

static void explore_retry(const struct sim_program *p, struct explore_result *r)
{
	struct explore_opts o;

	opts_for(&o, EXPLORE_DFS, 0, 10);
	o.cfg.retry_bound = 10;
	explore_with(p, &o, r);
}

static void test_retry_bound(void **state)
{
	struct explore_result r;

	(void)state;
	reset_obs();
	explore_retry(&retry_ten, &r);
	assert_no_finding(&r);
	assert_int_equal(obs.reached_end, 1);
	explore_result_free(&r);
	explore_retry(&retry_eleven, &r);
	assert_finding(&r, SIM_FIND_LIVELOCK, "livelock");
	assert_msg_has(&r.finding, "\"wait_for_token\"");
	assert_msg_has(&r.finding, "ran 11 times");
	assert_msg_has(&r.finding, "retry_run");
	explore_result_free(&r);
}

/* ---- the trace --------------------------------------------------------------------------- */

static void trace_body(struct ts *s)
{
	SIM_FN();
	WRITE_ONCE(s->flag, 42);
	(void)READ_ONCE(s->flag);
	atomic_set(&s->at, 5);
	(void)atomic_add_return(3, &s->at);
	(void)cmpxchg(&s->flag, 42, 7);
	(void)cmpxchg(&s->flag, 42, 9);
	spin_lock(&s->b);
	smp_mb();
	spin_unlock(&s->b);
	(void)sim_choose(3, "pick");
	sim_note("marker", 99);
}

static void trace_run(struct sim_exec *x, void *st, int cpu)
{
	(void)x;
	if (cpu == 0)
		trace_body(st);
	else
		WRITE_ONCE(((struct ts *)st)->counter, 1);
}
PROG(trace_prog, 2, trace_run, NULL);

struct ev_want {
	enum sim_op op;
	const char *api;
	uint64_t val, val2;
	uint32_t obj;
};

static void assert_event(const struct sim_event *e, const struct ev_want *w, int cpu, int depth)
{
	if (e->op != w->op)
		print_message("event %s, expected %s\n", sim_op_name(e->op), sim_op_name(w->op));
	assert_int_equal(e->op, w->op);
	assert_int_equal(e->cpu, cpu);
	assert_int_equal(e->depth, depth);
	assert_int_equal(e->val, w->val);
	assert_int_equal(e->val2, w->val2);
	assert_int_equal(e->obj, w->obj);
	assert_string_equal(e->site->func, "trace_body");
	assert_string_equal(e->site->api, w->api);
}

static void test_trace_records_events(void **state)
{
	/* Lock ids follow init order in ts_setup: a = 1, b = 2. */
	static const struct ev_want want[] = {
		{ SIM_OP_WRITE_ONCE, "WRITE_ONCE", 42, 0, 0 },
		{ SIM_OP_READ_ONCE, "READ_ONCE", 42, 0, 0 },
		{ SIM_OP_ATOMIC_SET, "atomic_set", 5, 0, 0 },
		{ SIM_OP_ATOMIC_ADD_RETURN, "atomic_add_return", 5, 8, 0 },
		{ SIM_OP_CMPXCHG, "cmpxchg", 42, 7, 1 },
		{ SIM_OP_CMPXCHG, "cmpxchg", 7, 9, 0 },
		{ SIM_OP_SPIN_LOCK, "spin_lock", 0, 0, 2 },
		{ SIM_OP_SMP_MB, "smp_mb", 0, 0, 0 },
		{ SIM_OP_SPIN_UNLOCK, "spin_unlock", 0, 0, 2 },
		{ SIM_OP_CHOOSE, "choose", 0, 3, 0 },	/* value, number of values */
		{ SIM_OP_NOTE, "note", 99, 0, 0 },
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	enum sim_outcome out;
	struct sim_exec *x = run_once(&trace_prog, NULL, &out);

	(void)state;
	assert_int_equal(out, SIM_RUN_OK);
	/* CPU0: enter, the events, exit; then CPU1: a write and its exit. */
	assert_int_equal(x->nev, n + 4);
	assert_int_equal(x->ev[0].op, SIM_OP_FN_ENTER);
	assert_string_equal(x->ev[0].site->func, "trace_body");
	assert_int_equal(x->ev[0].depth, 0);
	for (size_t i = 0; i < n; i++)
		assert_event(&x->ev[1 + i], &want[i], 0, 1);
	assert_string_equal(x->ev[1].site->expr, "s->flag");
	assert_string_equal(x->ev[7].site->expr, "&s->b");
	assert_int_equal(x->ev[n + 1].op, SIM_OP_CPU_EXIT);
	assert_int_equal(x->ev[n + 1].cpu, 0);
	assert_int_equal(x->ev[n + 2].op, SIM_OP_WRITE_ONCE);
	assert_int_equal(x->ev[n + 2].cpu, 1);
	assert_string_equal(x->ev[n + 2].site->func, "trace_run");
	assert_int_equal(x->ev[n + 2].depth, 0);
	assert_int_equal(x->ev[n + 3].op, SIM_OP_CPU_EXIT);
	assert_int_equal(x->ev[n + 3].cpu, 1);
	sim_exec_free(x);
}

static void test_trace_off_records_nothing(void **state)
{
	struct sim_config cfg;
	enum sim_outcome out;
	struct sim_exec *x;

	(void)state;
	sim_config_default(&cfg);
	cfg.trace = false;
	x = run_once(&trace_prog, &cfg, &out);
	assert_int_equal(out, SIM_RUN_OK);
	assert_int_equal(x->nev, 0);
	assert_true(x->steps > 0);
	sim_exec_free(x);
}

/* The trace in a result ends where the finding was made. */
static void trace_fail_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	WRITE_ONCE(s->counter, 3);
	WRITE_ONCE(s->counter, 4);
	if (READ_ONCE(s->counter) == 4)
		sim_fail(SIM_FIND_INVARIANT, "TEST-1", "counter is %d", 4);
	WRITE_ONCE(s->counter, 5);
}
PROG(trace_fail, 1, trace_fail_run, NULL);

static void test_trace_of_failing_execution(void **state)
{
	struct explore_result r;

	(void)state;
	explore_kind(&trace_fail, EXPLORE_DFS, 0, 10, &r);
	assert_finding(&r, SIM_FIND_INVARIANT, "TEST-1");
	assert_string_equal(r.finding.msg, "counter is 4");
	assert_int_equal(r.ntrace, 3);
	assert_int_equal(r.finding.event, 3);
	assert_int_equal(r.trace[0].op, SIM_OP_WRITE_ONCE);
	assert_int_equal(r.trace[0].val, 3);
	assert_int_equal(r.trace[1].val, 4);
	assert_int_equal(r.trace[2].op, SIM_OP_READ_ONCE);
	assert_int_equal(r.trace[2].val, 4);
	assert_string_equal(r.trace[2].site->func, "trace_fail_run");
	assert_non_null(r.token);
	explore_result_free(&r);
}

/* ---- determinism ------------------------------------------------------------------------- */

static void determinism_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;
	int v = sim_choose(4, "v");

	(void)x;
	atomic_add(v + cpu, &s->at);
	spin_lock(&s->a);
	WRITE_ONCE(s->counter, READ_ONCE(s->counter) * 3 + v);
	spin_unlock(&s->a);
	if (cpu == 0 && sim_choose(2, "late"))
		(void)atomic_long_inc_return(&s->al);
	WRITE_ONCE(s->w.i64, (long)atomic_read(&s->at) * 1000 + READ_ONCE(s->counter));
}

/* Fail on every execution whose counter is odd, so a trace is captured. */
static void determinism_check(struct sim_exec *x, void *st)
{
	struct ts *s = st;

	(void)x;
	if (READ_ONCE(s->counter) % 2)
		sim_fail(SIM_FIND_INVARIANT, "odd", "counter %d", READ_ONCE(s->counter));
}
PROG(determinism, 3, determinism_run, determinism_check);

static void assert_same_trace(const struct explore_result *a, const struct explore_result *b)
{
	assert_int_equal(a->failing_execution, b->failing_execution);
	assert_string_equal(a->token, b->token);
	assert_string_equal(a->finding.msg, b->finding.msg);
	test_assert_same_trace(a, b);
}

static void check_determinism(enum explore_kind kind, int depth)
{
	struct explore_result r1, r2;
	struct explore_opts o;

	opts_for(&o, kind, depth, 500);
	o.seed = 7;
	explore_with(&determinism, &o, &r1);
	explore_with(&determinism, &o, &r2);
	assert_finding(&r1, SIM_FIND_INVARIANT, "odd");
	assert_true(r1.ntrace > 10);
	assert_same_trace(&r1, &r2);
	explore_result_free(&r1);
	explore_result_free(&r2);
}

static void test_same_seed_same_trace(void **state)
{
	(void)state;
	check_determinism(EXPLORE_RANDOM, 0);
	check_determinism(EXPLORE_PCT, 3);
	check_determinism(EXPLORE_DFS, 2);
}

/* ---- the stress backend ------------------------------------------------------------------ */

static void stress_config(struct sim_config *cfg)
{
	sim_config_default(cfg);
	cfg->delay_permille = 100;
	cfg->delay_max_us = 20;
}

static void test_stress_fixed_classics_pass(void **state)
{
	struct sim_config cfg;
	int iters = test_soak() ? 2000 : 150;

	(void)state;
	stress_config(&cfg);
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		struct sim_exec *x;

		if (e->buggy)
			continue;
		x = sim_exec_new(e->prog, &cfg);
		assert_non_null(x);
		for (int k = 0; k < iters; k++) {
			if (sim_stress_once(x) != SIM_RUN_OK)
				print_message("%s: %s\n", e->prog->name, x->finding.msg);
			assert_false(x->failed);
		}
		sim_exec_free(x);
	}
}

static void test_stress_finds_lost_update(void **state)
{
	struct sim_config cfg;
	struct sim_exec *x;
	bool found = false;

	(void)state;
	sim_config_default(&cfg);
	cfg.delay_permille = 1000;
	cfg.delay_max_us = 200;
	cfg.delay_at = "lu_increment";
	x = sim_exec_new(&classic_lost_update, &cfg);
	assert_non_null(x);
	for (int k = 0; k < 300 && !found; k++)
		found = sim_stress_once(x) == SIM_RUN_FINDING;
	assert_true(found);
	assert_int_equal(x->finding.kind, SIM_FIND_INVARIANT);
	assert_string_equal(x->finding.id, "lost-update");
	assert_non_null(strstr(x->finding.msg, "an update was lost"));
	sim_exec_free(x);
}

#define STRESS_ROUNDS 300

/* Real threads: every lock kind protects its own counter. */
static void stress_counters_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	for (int i = 0; i < STRESS_ROUNDS; i++) {
		spin_lock(&s->a);
		WRITE_ONCE(s->counter, READ_ONCE(s->counter) + 1);
		spin_unlock(&s->a);
		mutex_lock(&s->m);
		WRITE_ONCE(s->counter2, READ_ONCE(s->counter2) + 1);
		mutex_unlock(&s->m);
		down_write(&s->sem);
		WRITE_ONCE(s->counter3, READ_ONCE(s->counter3) + 1);
		up_write(&s->sem);
		test_lock_page(s);
		WRITE_ONCE(s->inside, READ_ONCE(s->inside) + 1);
		test_unlock_page(s);
		atomic_inc(&s->at);
		atomic_long_add(2, &s->al);
	}
}

static void stress_counters_check(struct sim_exec *x, void *st)
{
	struct ts *s = st;
	int n = x->ncpus * STRESS_ROUNDS;

	EXPECT_EQ(READ_ONCE(s->counter), n);
	EXPECT_EQ(READ_ONCE(s->counter2), n);
	EXPECT_EQ(READ_ONCE(s->counter3), n);
	EXPECT_EQ(READ_ONCE(s->inside), n);
	EXPECT_EQ(atomic_read(&s->at), n);
	EXPECT_EQ(atomic_long_read(&s->al), 2L * n);
}
PROG(stress_counters, 4, stress_counters_run, stress_counters_check);

static void test_stress_locks_and_atomics_on_threads(void **state)
{
	struct sim_config cfg;
	struct sim_exec *x;

	(void)state;
	sim_config_default(&cfg);
	x = sim_exec_new(&stress_counters, &cfg);
	assert_non_null(x);
	for (int k = 0; k < 5; k++) {
		if (sim_stress_once(x) != SIM_RUN_OK)
			print_message("%s\n", x->finding.msg);
		assert_false(x->failed);
	}
	sim_exec_free(x);
}

/* A sleep nobody ends: the stress backend reports the stall. */
static void sleep_forever_run(struct sim_exec *x, void *st, int cpu)
{
	struct ts *s = st;

	(void)x;
	(void)cpu;
	prepare_to_wait(&s->wq);
	schedule();
	finish_wait(&s->wq);
}
PROG(sleep_forever, 1, sleep_forever_run, NULL);

static void test_stress_reports_stall(void **state)
{
	struct sim_config cfg;
	struct sim_exec *x;

	(void)state;
	sim_config_default(&cfg);
	cfg.stall_ms = 20;
	x = sim_exec_new(&sleep_forever, &cfg);
	assert_non_null(x);
	assert_int_equal(sim_stress_once(x), SIM_RUN_FINDING);
	assert_int_equal(x->finding.kind, SIM_FIND_DEADLOCK);
	assert_string_equal(x->finding.id, "stall");
	assert_non_null(strstr(x->finding.msg, "schedule"));
	sim_exec_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect_reports_mismatch),
		cmocka_unit_test(test_atomic_arith),
		cmocka_unit_test(test_atomic_dec_sub_and_test),
		cmocka_unit_test(test_atomic_add_unless_inc_not_zero),
		cmocka_unit_test(test_atomic_cmpxchg_xchg),
		cmocka_unit_test(test_atomic_wraps),
		cmocka_unit_test(test_atomic_long_arith),
		cmocka_unit_test(test_atomic_long_conditional),
		cmocka_unit_test(test_atomic_long_wraps),
		cmocka_unit_test(test_bitops_first_word),
		cmocka_unit_test(test_bitops_second_word),
		cmocka_unit_test(test_once_small_types),
		cmocka_unit_test(test_once_wide_types_and_pointers),
		cmocka_unit_test(test_acquire_release_values),
		cmocka_unit_test(test_plain_cmpxchg_xchg),
		cmocka_unit_test(test_message_passing),
		cmocka_unit_test(test_spinlock_mutual_exclusion),
		cmocka_unit_test(test_spin_trylock_results),
		cmocka_unit_test(test_spin_trylock_contended),
		cmocka_unit_test(test_mutex_mutual_exclusion),
		cmocka_unit_test(test_mutex_trylock),
		cmocka_unit_test(test_bit_lock_mutual_exclusion),
		cmocka_unit_test(test_bit_trylock),
		cmocka_unit_test(test_rwsem_readers_share),
		cmocka_unit_test(test_rwsem_writer_excludes_all),
		cmocka_unit_test(test_rwsem_waiting_writer_blocks_readers),
		cmocka_unit_test(test_rwsem_trylock),
		cmocka_unit_test(test_wait_event_woken_always),
		cmocka_unit_test(test_schedule_timeout_alone_times_out),
		cmocka_unit_test(test_schedule_timeout_fires_or_wakes),
		cmocka_unit_test(test_wait_event_timeout_race),
		cmocka_unit_test(test_timeout_poll_loop_terminates),
		cmocka_unit_test(test_rcu_synchronize_waits_for_readers),
		cmocka_unit_test(test_rcu_nested_sections),
		cmocka_unit_test(test_choose_dfs_covers_all_values),
		cmocka_unit_test(test_choose_delay_bound_costs_value),
		cmocka_unit_test(test_choose_random_in_range),
		cmocka_unit_test(test_spin_cpu_relax_terminates),
		cmocka_unit_test(test_spin_cond_resched_terminates),
		cmocka_unit_test(test_two_spinners_terminate),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_step_limit_two_spinners),
		cmocka_unit_test(test_step_limit_boundary),
		cmocka_unit_test(test_retry_bound),
		cmocka_unit_test(test_trace_records_events),
		cmocka_unit_test(test_trace_off_records_nothing),
		cmocka_unit_test(test_trace_of_failing_execution),
		cmocka_unit_test(test_same_seed_same_trace),
		cmocka_unit_test(test_stress_fixed_classics_pass),
		cmocka_unit_test(test_stress_finds_lost_update),
		cmocka_unit_test(test_stress_locks_and_atomics_on_threads),
		cmocka_unit_test(test_stress_reports_stall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
