/*
 * prim_sched.c - sleeping and waking (wait queues, schedule, timeouts),
 * voluntary yields, RCU, and the runtime's own markers: retry-loop bounds,
 * nondeterministic choices, notes and model call nesting.
 *
 * Wait queues follow the kernel protocol exactly, because the missed
 * wake-up bug is a protocol bug: prepare_to_wait() marks the task sleeping
 * *before* the caller checks its condition; wake_up() sets every queued task
 * running; schedule() sleeps only if the task is still marked sleeping.
 * A sleeping CPU waits on its own sim_cpu object, which wake_up() wakes.
 *
 * RCU: rcu_read_lock/unlock keep a per-CPU nesting count and bump a per-CPU
 * generation when the outermost section ends; synchronize_rcu() waits until
 * every CPU that was inside a section when it started has left it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/sim.h"

enum { TASK_RUNNING = 0, TASK_SLEEPING = 1 };

/* ---- wait queues ---------------------------------------------------- */

void sim_init_waitqueue_head(struct wait_queue_head *wq, const char *name)
{
	wq->waiters = 0;
	wq->name = name;
}

void sim_prepare_to_wait(struct wait_queue_head *wq, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!c)
		return;
	__atomic_store_n(&c->task_state, TASK_SLEEPING, __ATOMIC_SEQ_CST);
	if (c->id >= 0)
		__atomic_fetch_or(&wq->waiters, 1ULL << c->id, __ATOMIC_SEQ_CST);
	sim_record(c, SIM_OP_PREPARE_TO_WAIT, site, 0, 0, 0);
}

void sim_set_task_sleeping(const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!c)
		return;
	__atomic_store_n(&c->task_state, TASK_SLEEPING, __ATOMIC_SEQ_CST);
	sim_record(c, SIM_OP_PREPARE_TO_WAIT, site, 0, 0, 0);
}

void sim_finish_wait(struct wait_queue_head *wq, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!c)
		return;
	__atomic_store_n(&c->task_state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	if (c->id >= 0)
		__atomic_fetch_and(&wq->waiters, ~(1ULL << c->id), __ATOMIC_SEQ_CST);
	sim_record(c, SIM_OP_FINISH_WAIT, site, 0, 0, 0);
}

void sim_schedule(const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!c)
		return;
	sim_might_sleep(site);
	sim_record(c, SIM_OP_SCHEDULE, site, 0, 0, 0);
	while (__atomic_load_n(&c->task_state, __ATOMIC_SEQ_CST) != TASK_RUNNING)
		sim_block_on(c, c, NULL, site, SIM_OP_SCHEDULE, 0);
}

long sim_schedule_timeout(long ticks, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	long left = ticks > 0 ? ticks : 1;

	if (!c)
		return left;
	sim_might_sleep(site);
	c->timed_out = false;
	while (__atomic_load_n(&c->task_state, __ATOMIC_SEQ_CST) != TASK_RUNNING) {
		sim_block_on(c, c, NULL, site, SIM_OP_SCHEDULE_TIMEOUT, ticks > 0 ? ticks : 1);
		if (c->timed_out) {
			__atomic_store_n(&c->task_state, TASK_RUNNING, __ATOMIC_SEQ_CST);
			left = 0;
			break;
		}
	}
	c->timed_out = false;
	sim_record(c, SIM_OP_SCHEDULE_TIMEOUT, site, 0, (uint64_t)left, 0);
	return left;
}

void sim_wake_up(struct wait_queue_head *wq, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	struct sim_exec *x = c ? c->x : NULL;
	uint64_t m = __atomic_load_n(&wq->waiters, __ATOMIC_SEQ_CST), woken = 0;

	if (!x)
		return;
	for (uint64_t b = m; b; b &= b - 1) {
		struct sim_cpu *w = &x->cpus[__builtin_ctzll(b)];
		int sleeping = TASK_SLEEPING;

		if (__atomic_compare_exchange_n(&w->task_state, &sleeping, TASK_RUNNING, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			woken |= b & -b;
			sim_wake_obj(c, w);
		}
	}
	/* val: mask of CPUs woken. */
	sim_record(c, SIM_OP_WAKE_UP, site, 0, woken, m);
}

/* ---- voluntary yields ------------------------------------------------ */

static void yield_point(enum sim_op op, const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;

	if (!c)
		return;
	c->yielded = true;
	c->spinning = op == SIM_OP_CPU_RELAX;
	sim_enter(site);
	c->yielded = false;
	c->spinning = false;
	sim_record(c, op, site, 0, 0, 0);
}

void sim_cond_resched(const struct sim_site *site)
{
	sim_might_sleep(site);
	yield_point(SIM_OP_COND_RESCHED, site);
}

void sim_cpu_relax(const struct sim_site *site)
{
	yield_point(SIM_OP_CPU_RELAX, site);
}

/* ---- RCU ---------------------------------------------------------------- */

void sim_rcu_read_lock(const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!c)
		return;
	/* Explored CPUs are coroutines of one host thread: plain accesses.
	 * Stress CPUs are threads that synchronize_rcu() reads from. */
	if (sim_exploring(c->x))
		c->rcu_nesting++;
	else
		__atomic_fetch_add(&c->rcu_nesting, 1, __ATOMIC_SEQ_CST);
	sim_record(c, SIM_OP_RCU_READ_LOCK, site, 0, 0, 0);
}

void sim_rcu_read_unlock(const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	char where[160];

	if (!c)
		return;
	if (c->rcu_nesting <= 0)
		sim_fail(SIM_FIND_LOCK_MISUSE, "rcu-unbalanced",
			 "rcu_read_unlock() in %s without rcu_read_lock() on %s",
			 sim_site_str(site, where, sizeof(where)), sim_cpu_label(c->id));
	if (sim_exploring(c->x)) {
		if (--c->rcu_nesting == 0) {
			c->rcu_gen++;
			sim_wake_obj(c, &c->x->rcu_wq);
		}
	} else if (__atomic_sub_fetch(&c->rcu_nesting, 1, __ATOMIC_SEQ_CST) == 0) {
		__atomic_fetch_add(&c->rcu_gen, 1, __ATOMIC_SEQ_CST);
		sim_wake_obj(c, &c->x->rcu_wq);
	}
	sim_record(c, SIM_OP_RCU_READ_UNLOCK, site, 0, 0, 0);
}

void sim_synchronize_rcu(const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t gen[SIM_MAX_CPUS], readers = 0;
	struct sim_exec *x;

	if (!c)
		return;
	sim_might_sleep(site);
	x = c->x;
	for (int i = 0; i < x->ncpus; i++) {
		struct sim_cpu *o = &x->cpus[i];

		if (o == c || !__atomic_load_n(&o->rcu_nesting, __ATOMIC_SEQ_CST))
			continue;
		readers |= 1ULL << i;
		gen[i] = __atomic_load_n(&o->rcu_gen, __ATOMIC_SEQ_CST);
	}
	sim_record(c, SIM_OP_SYNCHRONIZE_RCU, site, 0, readers, 0);
	for (uint64_t b = readers; b; b &= b - 1) {
		struct sim_cpu *o = &x->cpus[__builtin_ctzll(b)];

		while (__atomic_load_n(&o->rcu_nesting, __ATOMIC_SEQ_CST) &&
		       __atomic_load_n(&o->rcu_gen, __ATOMIC_SEQ_CST) == gen[o->id])
			sim_block_on(c, &x->rcu_wq, NULL, site, SIM_OP_SYNCHRONIZE_RCU, 0);
	}
}

/* ---- markers -------------------------------------------------------------- */

/* The retry[] slot of @site's loop name (one slot per name: several call
 * sites may count passes of one loop), made if new; -1 when the table is
 * full.  A small per-CPU cache keyed by the call site avoids comparing
 * names on every call. */
static int retry_slot(struct sim_cpu *c, const struct sim_site *site)
{
	unsigned h = (unsigned)(((uint64_t)(uintptr_t)site * 0x9e3779b97f4a7c15ULL) >> 58) %
		     SIM_RETRY_CACHE;
	int i;

	if (c->retry_cache_site[h] == site)
		return c->retry_cache_slot[h];
	for (i = 0; i < c->nretry; i++)
		if (c->retry[i].site == site || !strcmp(c->retry[i].site->expr, site->expr))
			break;
	if (i == c->nretry) {
		if (c->nretry == SIM_MAX_RETRY_SITES)
			return -1;
		c->retry[c->nretry++] = (__typeof__(c->retry[0])){ site, 0 };
	}
	c->retry_cache_site[h] = site;
	c->retry_cache_slot[h] = (int8_t)i;
	return i;
}

void sim_retry_site(const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	char where[160];
	int i;

	if (!c || (i = retry_slot(c, site)) < 0)
		return;	/* untracked: the step bound still catches a livelock */
	if (++c->retry[i].count > c->x->cfg.retry_bound)
		sim_fail(SIM_FIND_LIVELOCK, "livelock",
			 "retry loop \"%s\" in %s ran %u times on %s without getting through",
			 site->expr, sim_site_str(site, where, sizeof(where)), c->retry[i].count,
			 sim_cpu_label(c->id));
}

void sim_retry_reset_site(const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	int i;

	if (c && (i = retry_slot(c, site)) >= 0)
		c->retry[i].count = 0;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int sim_choose_site(int n, const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	struct sim_exec *x;
	int v;

	if (n <= 1 || !c)
		return 0;
	if (n > 64) {
		fprintf(stderr, "mmtwin: sim_choose(%d) in %s: at most 64 values\n", n, site->func);
		abort();
	}
	x = c->x;
	if (sim_exploring(x)) {
		struct sim_choice ch = {
			.kind = SIM_CHOICE_DATA,
			.enabled = n == 64 ? ~0ULL : (1ULL << n) - 1,
			.ncpus = n,
			.current = c->id,
			.current_enabled = true,
		};

		v = sim_explore_decide(x, &ch);
		if (v < 0) {
			x->diverged = true;
			if (c->seq && c->abort_jb)
				longjmp(*c->abort_jb, 1);
			x->be->leave(c);
		}
	} else {
		v = (int)(splitmix(&c->rng) % (uint64_t)n);
	}
	sim_record(c, SIM_OP_CHOOSE, site, 0, (uint64_t)v, (uint64_t)n);
	return v;
}

void sim_note_site(uint64_t val, const struct sim_site *site)
{
	sim_record(sim_cur_cpu, SIM_OP_NOTE, site, 0, val, 0);
}

struct sim_fn_scope sim_fn_enter(const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;

	if (c) {
		sim_record(c, SIM_OP_FN_ENTER, site, 0, 0, 0);
		c->depth++;
	}
	return (struct sim_fn_scope){ c };
}

void sim_fn_leave(struct sim_fn_scope *s)
{
	if (s->c && s->c == sim_cur_cpu)
		s->c->depth--;
}
