/*
 * exec.c - the life of one execution: create, set up, run, check, destroy.
 *
 * Shared by both backends.  The sequential parts (setup, end checks) run on
 * the pseudo-CPU x->seq, which takes locks and records nothing in the trace;
 * a finding there leaves through a setjmp armed here.
 */
#include "sim/exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/lockdep.h"
#include "sim/sim.h"

_Thread_local struct sim_cpu *sim_cur_cpu;

void sim_config_default(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_steps = 100000;
	cfg->retry_bound = 1000;
	cfg->lockdep = true;
	cfg->trace = true;
#if defined(__SANITIZE_ADDRESS__)
	cfg->stack_size = 1u << 20;
#else
	cfg->stack_size = 256u << 10;
#endif
	cfg->delay_max_us = 100;
	cfg->stall_ms = 5000;
	cfg->seed = 1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "mmtwin: out of memory\n");
		exit(3);
	}
	return p;
}

struct sim_exec *sim_exec_new(const struct sim_program *prog, const struct sim_config *cfg)
{
	struct sim_exec *x;

	if (prog->ncpus < 1 || prog->ncpus > SIM_MAX_CPUS || !prog->run)
		return NULL;
	x = xcalloc(1, sizeof(*x));
	x->prog = prog;
	if (cfg)
		x->cfg = *cfg;
	else
		sim_config_default(&x->cfg);
	x->ncpus = prog->ncpus;
	x->cpus = xcalloc((size_t)x->ncpus, sizeof(*x->cpus));
	x->ld = lockdep_new();
	return x;
}

void sim_exec_free(struct sim_exec *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->ncpus; i++)
		coro_stack_free(&x->cpus[i].co);
	if (x->world_cache && x->world_cache_free)
		x->world_cache_free(x->world_cache);
	lockdep_free(x->ld);
	free(x->cpus);
	free(x->dec);
	free(x->ev);
	free(x->desc);
	free(x->descpool);
	free(x);
}

static uint32_t desc_string(struct sim_exec *x, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at;

	if (!*s)
		return 0;
	if (x->descpool_len + n > x->descpool_cap) {
		size_t cap = (x->descpool_len + n) * 2;
		char *p = realloc(x->descpool, cap);

		if (!p) {
			fprintf(stderr, "mmtwin: out of memory describing the trace\n");
			exit(3);
		}
		x->descpool = p;
		x->descpool_cap = cap;
	}
	at = (uint32_t)x->descpool_len;
	memcpy(x->descpool + at, s, n);
	x->descpool_len += n;
	return at;
}

void sim_describe_legend(struct sim_exec *x, const char *legend)
{
	snprintf(x->legend, sizeof(x->legend), "%s", legend);
}

void sim_describe(struct sim_exec *x, size_t i, const char *obj, const char *val)
{
	if (!x->described) {
		if (x->nev > x->desc_cap) {
			struct sim_desc *d = realloc(x->desc, x->nev * sizeof(*d));

			if (!d) {
				fprintf(stderr, "mmtwin: out of memory describing the trace\n");
				exit(3);
			}
			x->desc = d;
			x->desc_cap = x->nev;
		}
		memset(x->desc, 0, x->nev * sizeof(*x->desc));
		if (!x->descpool && !(x->descpool = malloc(x->descpool_cap = 4096))) {
			fprintf(stderr, "mmtwin: out of memory describing the trace\n");
			exit(3);
		}
		x->descpool[0] = 0;	/* offset 0: nothing to say */
		x->descpool_len = 1;
		x->described = true;
	}
	if (i >= x->nev)
		return;
	if (obj)
		x->desc[i].obj = desc_string(x, obj);
	if (val)
		x->desc[i].val = desc_string(x, val);
}

static void cpu_reset(struct sim_exec *x, struct sim_cpu *c, int id, bool seq)
{
	struct coro co = c->co;	/* the stack survives executions */

	memset(c, 0, sizeof(*c));
	c->co = co;
	c->x = x;
	c->id = id;
	c->seq = seq;
	c->plain = x->be == &sim_explore_backend;
	c->state = SIM_CPU_RUNNABLE;
	c->rng = x->cfg.seed * 0x9e3779b97f4a7c15ULL + x->iteration * 0xbf58476d1ce4e5b9ULL +
		 (uint64_t)(id + 1) * 0x94d049bb133111ebULL;
}

void sim_exec_reset(struct sim_exec *x, const struct sim_backend *be)
{
	x->be = be;
	x->state = NULL;
	x->world = NULL;
	x->steps = 0;
	x->jiffies = 0;
	x->next_obj_id = 0;
	x->cur = NULL;
	x->runnable = 0;
	x->timed = 0;
	x->nblocked = 0;
	x->ndec = 0;
	x->nev = 0;
	x->described = false;
	x->legend[0] = 0;
	x->failed = false;
	x->diverged = false;
	x->stop = 0;
	x->claimed = 0;
	memset(&x->finding, 0, sizeof(x->finding));
	for (int i = 0; i < x->ncpus; i++) {
		cpu_reset(x, &x->cpus[i], i, false);
		x->runnable |= 1ULL << i;
	}
	cpu_reset(x, &x->seq, -1, true);
	lockdep_reset(x->ld);
	x->solo = be == &sim_explore_backend && x->ncpus == 1 && !x->cfg.check_every_step;
	x->iteration++;
}

/* Run @fn(x, state) on the pseudo-CPU; false if it made a finding. */
bool sim_exec_run_seq(struct sim_exec *x, void (*fn)(struct sim_exec *, void *))
{
	struct sim_cpu *saved = sim_cur_cpu;
	jmp_buf jb;

	if (!fn)
		return !x->failed;
	sim_cur_cpu = &x->seq;
	x->seq.abort_jb = &jb;
	if (setjmp(jb) == 0)
		fn(x, x->state);
	x->seq.abort_jb = NULL;
	sim_cur_cpu = saved;
	return !x->failed;
}

/* ---- findings ------------------------------------------------------ */

static const char *const finding_names[SIM_FIND__COUNT] = {
	[SIM_FIND_NONE] = "none",
	[SIM_FIND_INVARIANT] = "invariant violated",
	[SIM_FIND_BUG] = "kernel BUG",
	[SIM_FIND_DEADLOCK] = "deadlock",
	[SIM_FIND_LOCK_ORDER] = "lock-order inversion",
	[SIM_FIND_LOCK_MISUSE] = "lock misuse",
	[SIM_FIND_LIVELOCK] = "livelock",
	[SIM_FIND_STEP_LIMIT] = "step limit",
	[SIM_FIND_EXPECT] = "expectation not met",
};

const char *sim_finding_kind_name(enum sim_finding_kind k)
{
	return (unsigned)k < SIM_FIND__COUNT ? finding_names[k] : "?";
}

/* Record a finding for @c's execution; the first one wins.  Returns false if
 * another finding was already recorded. */
bool sim_set_finding(struct sim_exec *x, struct sim_cpu *c, enum sim_finding_kind kind,
		     const char *id, const char *fmt, va_list ap)
{
	struct sim_finding *f = &x->finding;

	if (__atomic_exchange_n(&x->claimed, 1, __ATOMIC_ACQ_REL))
		return false;
	f->kind = kind;
	snprintf(f->id, sizeof(f->id), "%s", id ? id : sim_finding_kind_name(kind));
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	f->cpu = c && !c->seq ? c->id : -1;
	snprintf(f->during, sizeof(f->during), "%s", c && c->doing ? c->doing : "");
	f->step = x->steps;
	f->event = x->nev;
	x->failed = true;
	__atomic_store_n(&x->stop, 1, __ATOMIC_RELEASE);
	return true;
}

void sim_set_findingf(struct sim_exec *x, struct sim_cpu *c, enum sim_finding_kind kind,
		      const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_set_finding(x, c, kind, id, fmt, ap);
	va_end(ap);
}

void sim_leave(struct sim_cpu *c)
{
	if (c->seq) {
		if (c->abort_jb)
			longjmp(*c->abort_jb, 1);
		fprintf(stderr, "mmtwin: finding outside a guarded sequential section: %s\n",
			c->x->finding.msg);
		abort();
	}
	c->x->be->leave(c);
}

void sim_fail(enum sim_finding_kind kind, const char *id, const char *fmt, ...)
{
	struct sim_cpu *c = sim_cur_cpu;
	va_list ap;

	va_start(ap, fmt);
	if (!c) {
		fprintf(stderr, "mmtwin: %s outside an execution: ", id ? id : "finding");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		abort();
	}
	sim_set_finding(c->x, c, kind, id, fmt, ap);
	va_end(ap);
	sim_leave(c);
}

/* ---- trace -------------------------------------------------------------- */

void sim_record_event(struct sim_cpu *c, enum sim_op op, const struct sim_site *site,
		      uint32_t obj, uint64_t val, uint64_t val2, const volatile void *addr)
{
	struct sim_exec *x;

	if (!c || c->seq)
		return;
	x = c->x;
	if (!x->cfg.trace || x->be != &sim_explore_backend)
		return;
	if (x->nev == x->ev_cap) {
		size_t cap = x->ev_cap ? x->ev_cap * 2 : 1024;
		struct sim_event *ev = realloc(x->ev, cap * sizeof(*ev));

		if (!ev) {
			fprintf(stderr, "mmtwin: out of memory for the trace\n");
			exit(3);
		}
		x->ev = ev;
		x->ev_cap = cap;
	}
	x->ev[x->nev++] = (struct sim_event){
		.site = site, .val = val, .val2 = val2, .addr = (uintptr_t)addr, .obj = obj,
		.op = (uint16_t)op, .cpu = (uint8_t)c->id, .depth = (uint8_t)c->depth,
	};
}

static uint32_t fnv_str(uint32_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

uint32_t sim_trace_fingerprint(const struct sim_exec *x)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < x->nev; i++) {
		const struct sim_event *e = &x->ev[i];

		h = (h ^ e->cpu) * 16777619u;
		h = (h ^ e->op) * 16777619u;
		h = fnv_str(h, e->site ? e->site->func : "");
	}
	return h;
}
