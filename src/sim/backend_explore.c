/*
 * backend_explore.c - the explore backend: CPUs as coroutines, every
 * scheduling point decided by a chooser (the explorer's strategy).
 *
 * Only one CPU runs at a time, so every primitive is atomic and the memory
 * model is sequential consistency.  At a point, the set of CPUs that may run
 * is computed; if it has one member that CPU simply continues (no decision
 * is recorded), otherwise the chooser picks one and the pick is appended to
 * x->dec, which is exactly what a schedule token replays.
 *
 * A CPU that must wait (a lock held, a sleep) leaves the runnable set until
 * a wake-up on the object it waits for; waking is always followed by the
 * waiter re-checking its condition, so spurious wake-ups are harmless.  A
 * timed wait stays runnable: being chosen while still waiting means the
 * timeout fired.  No runnable CPU while some wait is a deadlock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/lockdep.h"
#include "sim/sim.h"

static void explore_schedule(struct sim_exec *x, struct sim_cpu *c);

static void dec_push(struct sim_exec *x, int v)
{
	if (x->ndec == x->dec_cap) {
		size_t cap = x->dec_cap ? x->dec_cap * 2 : 256;
		uint16_t *d = realloc(x->dec, cap * sizeof(*d));

		if (!d) {
			fprintf(stderr, "mmtwin: out of memory for decisions\n");
			exit(3);
		}
		x->dec = d;
		x->dec_cap = cap;
	}
	x->dec[x->ndec++] = (uint16_t)v;
}

int sim_explore_decide(struct sim_exec *x, struct sim_choice *ch)
{
	int v;

	ch->index = x->ndec;
	ch->step = x->steps;
	v = x->chooser.pick(x->chooser.ctx, ch);
	if (v < 0 || v >= 64 || !(ch->enabled & (1ULL << v)))
		return -1;
	dec_push(x, v);
	return v;
}

int sim_choice_default(const struct sim_choice *ch)
{
	uint64_t cand = ch->enabled, pref;
	int cur = ch->current, n = ch->ncpus;

	if (ch->kind == SIM_CHOICE_DATA)
		return __builtin_ctzll(ch->enabled);
	if (cur >= 0 && ch->current_enabled && !ch->yielded && !(ch->timed & (1ULL << cur)))
		return cur;
	if (cur >= 0 && ch->yielded && (cand & ~(1ULL << cur)))
		cand &= ~(1ULL << cur);
	pref = cand & ~ch->timed;
	if (!pref)
		pref = cand;
	/* Round robin: the first candidate after the current CPU. */
	for (int k = 1; k <= n; k++) {
		int i = ((cur < 0 ? -1 : cur) + k) % n;

		if (i >= 0 && (pref & (1ULL << i)))
			return i;
	}
	return __builtin_ctzll(pref);
}

static void switch_to(struct sim_exec *x, struct sim_cpu *from, struct sim_cpu *to)
{
	x->cur = to;
	sim_cur_cpu = to;
	if (!from)
		coro_switch(&x->main_co, &to->co);
	else if (from->state == SIM_CPU_DONE)
		coro_switch_final(&from->co, &to->co);
	else
		coro_switch(&from->co, &to->co);
}

/* Leave the CPUs for the main context; the execution is over. */
static void __attribute__((noreturn)) to_main(struct sim_exec *x, struct sim_cpu *c)
{
	x->cur = NULL;
	sim_cur_cpu = NULL;
	coro_switch_final(&c->co, &x->main_co);
	abort();
}

static void report_deadlock(struct sim_exec *x)
{
	char msg[1400], where[160];
	size_t at;

	at = (size_t)snprintf(msg, sizeof(msg), "no CPU can run:");
	for (int i = 0; i < x->ncpus && at < sizeof(msg); i++) {
		const struct sim_cpu *w = &x->cpus[i];

		if (w->state == SIM_CPU_DONE)
			continue;
		at += (size_t)snprintf(msg + at, sizeof(msg) - at, "\n  CPU%d waits in %s(%s) in %s",
				       i, w->wait_site ? w->wait_site->api : "?",
				       w->wait_site && w->wait_site->expr ? w->wait_site->expr : "",
				       sim_site_str(w->wait_site, where, sizeof(where)));
		if (at >= sizeof(msg))
			break;
		if (w->wait_map) {
			at += (size_t)snprintf(msg + at, sizeof(msg) - at, ": %s is ", w->wait_map->name);
			if (at < sizeof(msg))
				lockdep_describe_holders(x, w->wait_map, msg, sizeof(msg));
			at = strlen(msg);
		} else {
			at += (size_t)snprintf(msg + at, sizeof(msg) - at,
					       ": asleep, and no running CPU is left to wake it");
		}
	}
	sim_set_findingf(x, NULL, SIM_FIND_DEADLOCK, "deadlock", "%s", msg);
}

static void end_or_deadlock(struct sim_exec *x, struct sim_cpu *c)
{
	for (int i = 0; i < x->ncpus; i++) {
		if (x->cpus[i].state != SIM_CPU_DONE) {
			report_deadlock(x);
			break;
		}
	}
	to_main(x, c);
}

static void explore_schedule(struct sim_exec *x, struct sim_cpu *c)
{
	uint64_t en = x->runnable;
	struct sim_cpu *n;
	int next;

	if (!en)
		end_or_deadlock(x, c);
	if (!(en & (en - 1))) {
		next = __builtin_ctzll(en);
	} else {
		struct sim_choice ch = {
			.kind = SIM_CHOICE_SCHED,
			.enabled = en,
			.timed = x->timed & en,
			.ncpus = x->ncpus,
			.current = c ? c->id : -1,
			.current_enabled = c && (en & (1ULL << c->id)),
			.yielded = c && c->yielded,
			.spinning = c && c->spinning,
		};

		next = sim_explore_decide(x, &ch);
		if (next < 0) {
			x->diverged = true;
			if (!c)
				return;
			to_main(x, c);
		}
	}
	n = &x->cpus[next];
	if (n->state == SIM_CPU_TIMED) {
		/* Chosen while still waiting: its timeout fires now. */
		n->state = SIM_CPU_RUNNABLE;
		n->timed_out = true;
		n->wait_obj = NULL;
		n->wait_map = NULL;
		x->timed &= ~(1ULL << next);
		x->nblocked--;
		x->jiffies++;
	}
	if (n != c)
		switch_to(x, c, n);
}

static void run_check_step(struct sim_exec *x, struct sim_cpu *c)
{
	jmp_buf jb;

	sim_cur_cpu = &x->seq;
	x->seq.abort_jb = &jb;
	if (setjmp(jb) == 0)
		x->prog->check_step(x, x->state);
	x->seq.abort_jb = NULL;
	sim_cur_cpu = c;
	if (x->failed)
		to_main(x, c);
}

static void explore_point(struct sim_cpu *c, const struct sim_site *site)
{
	struct sim_exec *x = c->x;

	if (++x->steps > x->cfg.max_steps) {
		char where[160];

		sim_set_findingf(x, c, SIM_FIND_STEP_LIMIT, "step-limit",
				 "the execution exceeded %llu steps at %s in %s (often caused by a"
				 " spin loop waiting for something that cannot happen; raise"
				 " --max-steps if the program is just long)",
				 (unsigned long long)x->cfg.max_steps, site->api,
				 sim_site_str(site, where, sizeof(where)));
		to_main(x, c);
	}
	if (x->cfg.check_every_step && x->prog->check_step)
		run_check_step(x, c);
	explore_schedule(x, c);
}

static void explore_block(struct sim_cpu *c, const void *obj, const struct sim_site *site,
			  enum sim_op op, long ticks)
{
	struct sim_exec *x = c->x;
	uint64_t bit = 1ULL << c->id;
	bool timed = ticks > 0;

	sim_record(c, SIM_OP_BLOCK, site, c->wait_map ? c->wait_map->id : 0, 0, op);
	c->state = timed ? SIM_CPU_TIMED : SIM_CPU_BLOCKED;
	c->wait_obj = obj;
	c->wait_site = site;
	c->wait_op = (uint16_t)op;
	c->timed_out = false;
	if (timed)
		x->timed |= bit;
	else
		x->runnable &= ~bit;
	x->nblocked++;
	explore_schedule(x, c);
}

static void explore_wake(struct sim_exec *x, const void *obj)
{
	if (!x->nblocked)
		return;
	for (int i = 0; i < x->ncpus; i++) {
		struct sim_cpu *w = &x->cpus[i];

		if ((w->state != SIM_CPU_BLOCKED && w->state != SIM_CPU_TIMED) || w->wait_obj != obj)
			continue;
		w->state = SIM_CPU_RUNNABLE;
		w->wait_obj = NULL;
		w->wait_map = NULL;
		x->runnable |= 1ULL << i;
		x->timed &= ~(1ULL << i);
		x->nblocked--;
	}
}

static void __attribute__((noreturn)) explore_leave(struct sim_cpu *c)
{
	to_main(c->x, c);
}

const struct sim_backend sim_explore_backend = {
	.name = "explore",
	.point = explore_point,
	.block = explore_block,
	.wake = explore_wake,
	.leave = explore_leave,
};

/* Entry of every CPU coroutine. */
static void cpu_main(void *arg)
{
	static const struct sim_site exit_site = { "<cpu>", __FILE__, __LINE__, "<done>", NULL };
	struct sim_cpu *c = arg;
	struct sim_exec *x = c->x;
	char where[160];

	coro_started();
	x->prog->run(x, x->state, c->id);
	sim_record(c, SIM_OP_CPU_EXIT, &exit_site, 0, 0, 0);
	if (c->nheld) {
		sim_set_findingf(x, c, SIM_FIND_LOCK_MISUSE, "lock-held-at-exit",
				 "CPU%d finished while holding %s (taken in %s)", c->id,
				 c->held[c->nheld - 1].map.name,
				 sim_site_str(c->held[c->nheld - 1].site, where, sizeof(where)));
		to_main(x, c);
	}
	if (c->rcu_nesting) {
		sim_set_findingf(x, c, SIM_FIND_LOCK_MISUSE, "rcu-held-at-exit",
				 "CPU%d finished inside an RCU read-side critical section", c->id);
		to_main(x, c);
	}
	c->state = SIM_CPU_DONE;
	x->runnable &= ~(1ULL << c->id);
	explore_schedule(x, c);
	abort();
}

static bool ensure_stacks(struct sim_exec *x)
{
	for (int i = 0; i < x->ncpus; i++)
		if (!x->cpus[i].co.stack &&
		    coro_stack_alloc(&x->cpus[i].co, x->cfg.stack_size) != 0)
			return false;
	return true;
}

enum sim_outcome sim_explore_once(struct sim_exec *x, struct sim_chooser ch)
{
	struct sim_cpu *saved = sim_cur_cpu;

	if (!ensure_stacks(x)) {
		fprintf(stderr, "mmtwin: cannot allocate CPU stacks\n");
		exit(3);
	}
	sim_exec_reset(x, &sim_explore_backend);
	x->chooser = ch;
	x->state = x->prog->create ? x->prog->create(x, x->prog->arg) : NULL;
	if (sim_exec_run_seq(x, x->prog->setup)) {
		for (int i = 0; i < x->ncpus; i++)
			coro_prepare(&x->cpus[i].co, cpu_main, &x->cpus[i]);
		explore_schedule(x, NULL);
		sim_cur_cpu = saved;
		if (!x->failed && !x->diverged)
			sim_exec_run_seq(x, x->prog->check);
	}
	/* An execution to be shown: its world names what the events touched. */
	if (x->cfg.trace && x->prog->describe && (x->failed || x->want_desc) && !x->diverged)
		sim_exec_run_seq(x, x->prog->describe);
	if (x->prog->destroy)
		x->prog->destroy(x, x->state);
	x->state = NULL;
	sim_cur_cpu = saved;
	if (x->diverged)
		return SIM_RUN_DIVERGED;
	return x->failed ? SIM_RUN_FINDING : SIM_RUN_OK;
}
