/*
 * run.c - a parsed scenario as the program the explorer, the stress runner
 * and `mmtwin run` execute: swap devices and the first process at the start
 * of setup, each block's operations on its CPU, the final block before the
 * invariants; the names the operations define; every result checked
 * against its line's expectation (a finding of kind "expectation" naming
 * file:line:col otherwise); and the log `mmtwin run` prints.
 *
 * Names defined by one CPU and used by another are the one point of
 * synchronisation the language adds: the user waits (a wait queue of the
 * run) until the name is there, as a thread would wait for its peer.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/swap.h"
#include "scenario/internal.h"
#include "sim/sim.h"

enum { NAME_PENDING, NAME_READY, NAME_FAILED, NAME_EXITED };

/* What a name holds in one execution. */
struct scen_value {
	uint64_t addr, len;
	void *obj;
	int state;		/* NAME_* (host atomics: never a scheduling point) */
	int failed_line;
};

struct scen_run {
	struct scenario *sc;
	struct wait_queue_head wq;	/* names defined by one CPU for another */
	struct scen_value v[];		/* one per name */
};

static int name_state(struct scen_run *r, int i)
{
	return __atomic_load_n(&r->v[i].state, __ATOMIC_ACQUIRE);
}

static const char *block_name(int block, char *buf, size_t n)
{
	if (block == SCEN_SETUP)
		return "setup";
	if (block == SCEN_FINAL)
		return "final";
	snprintf(buf, n, "cpu%d", block);
	return buf;
}

void run_fail(struct scen_run *r, const struct scen_op *op, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sim_current())	/* the message names the line already */
		sim_current()->doing = NULL;
	sim_fail(SIM_FIND_EXPECT, "expectation", "%s:%d:%d: `%s`: %s", r->sc->path, op->line,
		 op->col, op->text, msg);
}

/* Wait for a name another CPU defines; refuse one that is not there. */
static void name_wait(struct scen_run *r, const struct scen_op *op, int i)
{
	const struct scen_name *n = &r->sc->names[i];
	int st;

	if (n->shared && op->block >= 0 && n->block >= 0 && n->block != op->block)
		wait_event(&r->wq, name_state(r, i) != NAME_PENDING);
	st = name_state(r, i);
	if (st == NAME_FAILED)
		run_fail(r, op, "%s was not made: the operation at line %d failed", n->name,
			 r->v[i].failed_line);
	if (st == NAME_PENDING)
		run_fail(r, op, "%s is not there yet", n->name);
}

uint64_t run_expr(struct scen_run *r, const struct scen_op *op, const struct scen_expr *e)
{
	uint64_t v = 0;

	for (int i = 0; i < e->nterms; i++) {
		uint64_t t = e->t[i].num;

		if (e->t[i].name >= 0) {
			name_wait(r, op, e->t[i].name);
			t = r->v[e->t[i].name].addr;
		}
		v += e->t[i].sign > 0 ? t : -t;
	}
	return v;
}

uint64_t run_len(struct scen_run *r, const struct scen_op *op)
{
	if (op->has_len)
		return run_expr(r, op, &op->arg[2]);
	name_wait(r, op, op->arg[0].t[0].name);
	return r->v[op->arg[0].t[0].name].len;
}

void *run_obj(struct scen_run *r, const struct scen_op *op, int name)
{
	name_wait(r, op, name);
	if (r->sc->names[name].kind == SK_PROCESS && name_state(r, name) == NAME_EXITED)
		run_fail(r, op, "%s has exited", r->sc->names[name].name);
	return r->v[name].obj;
}

/* The process an operation acts in: its `in P`, else its block's. */
static int process_of(const struct scen_run *r, const struct scen_op *op)
{
	return op->in >= 0 ? op->in : op->block >= 0 ? r->sc->cpu_in[op->block] : 0;
}

struct mm_struct *run_mm(struct scen_run *r, const struct scen_op *op)
{
	return run_obj(r, op, process_of(r, op));
}

void run_mark_exited(struct scen_run *r, const struct scen_op *op)
{
	int p = op->obj >= 0 ? op->obj : process_of(r, op);

	__atomic_store_n(&r->v[p].state, NAME_EXITED, __ATOMIC_RELEASE);
}

/* ---- results -------------------------------------------------------------------- */

static bool alt_ok(const struct scen_alt *a, const struct scen_result *res)
{
	switch (a->kind) {
	case SR_OK: return !res->err;
	case SR_ANY: return true;
	case SR_ERRNO: return res->err == a->v;
	case SR_VALUE: return !res->err && res->has_value && res->value == a->v;
	case SR_EVENT: return !res->err && res->event == a->v;
	}
	return false;
}

/* Some alternative matches: its result, and every field it names. */
bool scen_result_ok(const struct scen_op *op, const struct scen_result *res)
{
	if (!op->ex.nalts)
		return !res->err;
	for (int a = 0; a < op->ex.nalts; a++) {
		bool ok = alt_ok(&op->ex.alt[a], res);

		for (int i = 0; ok && i < op->ex.nfields; i++)
			if (op->ex.f[i].alt == a)
				ok = res->field[op->ex.f[i].field] == op->ex.f[i].v;
		if (ok)
			return true;
	}
	return false;
}

/* A value as the language writes it: small ones in decimal, others in hex;
 * with @err, a negative errno as -ENAME (the kernel's output fields). */
static size_t show_value(char *buf, size_t n, int64_t v, bool err)
{
	if (err && v < 0 && v >= -133)
		return (size_t)snprintf(buf, n, "-%s", scen_errno_name((int)-v));
	if (v >= 0 && v < (1 << 20))
		return (size_t)snprintf(buf, n, "%" PRId64, v);
	return (size_t)snprintf(buf, n, "%#" PRIx64, (uint64_t)v);
}

static const char *show_states(unsigned have)
{
	static char buf[64];
	size_t at = 0;

	buf[0] = 0;
	for (const struct scen_word *w = sw_states.w; w->word; w++)
		if (have & w->value)
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", at ? "," : "",
					       w->word);
	return buf;
}

/* What an operation gave, as the language writes it ("EAGAIN move=-EAGAIN"). */
const char *scen_show_result(const struct scen_op *op, const struct scen_result *res, char *buf,
			     size_t n)
{
	size_t at;

	if (op->def->results == &sw_states)
		/* the page by its place in the range, the same on every backend */
		at = (size_t)(res->err ? snprintf(buf, n, "not as expected: %s at +%" PRIu64 "p",
						   show_states((unsigned)res->value),
						   res->len / PAGE_SIZE)
				       : snprintf(buf, n, "ok"));
	else if (res->err)
		at = (size_t)snprintf(buf, n, "%s", scen_errno_name(res->err));
	else if (op->def->results == &sw_events) {
		const char *w = "?";

		for (const struct scen_word *e = sw_events.w; e->word; e++)
			if ((int)e->value == res->event)
				w = e->word;
		at = (size_t)snprintf(buf, n, "%s", w);
	} else if (res->has_value) {
		at = show_value(buf, n, res->value, false);
	} else {
		at = (size_t)snprintf(buf, n, "ok");
	}
	for (int i = 0; i < res->nfields && at < n; i++) {
		const char *name = op->def->fields[i];

		at += (size_t)snprintf(buf + at, n - at, " %s=", name);
		/* Bit sets in hex; byte counts and -errno as the kernel writes them. */
		if (at < n && (op->def->field_words[i] || !strcmp(name, "ioctls")))
			at += (size_t)snprintf(buf + at, n - at, "%#" PRIx64, (uint64_t)res->field[i]);
		else if (at < n)
			at += show_value(buf + at, n - at, res->field[i], true);
	}
	return buf;
}

static const char *show_expected(const struct scen_op *op, char *buf, size_t n)
{
	const char *line = strstr(op->text, "->");

	snprintf(buf, n, "%s", line ? line + 2 + strspn(line + 2, " \t") : "ok");
	return buf;
}

static void check_result(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	char got[160], want[160];

	if (op->def->results == &sw_states) {
		if (res->err)
			run_fail(r, op, "the page at %#" PRIx64 " is %s", res->addr,
				 show_states((unsigned)res->value));
		return;
	}
	if (!scen_result_ok(op, res))
		run_fail(r, op, "got %s, expected %s", scen_show_result(op, res, got, sizeof(got)),
			 show_expected(op, want, sizeof(want)));
}

/* ---- running a block ----------------------------------------------------------------- */

static void define_name(struct scen_run *r, const struct scen_op *op, const struct scen_result *res)
{
	int i = op->defines;

	if (i < 0)
		return;
	if (res->err) {
		r->v[i].failed_line = op->line;
		__atomic_store_n(&r->v[i].state, NAME_FAILED, __ATOMIC_RELEASE);
	} else {
		r->v[i].addr = res->addr;
		r->v[i].len = res->len;
		r->v[i].obj = res->ptr;
		__atomic_store_n(&r->v[i].state, NAME_READY, __ATOMIC_RELEASE);
		/* For reports: the model names what it shows after ours. */
		if (r->sc->names[i].kind == SK_MAPPING)
			mm_name_region(r->v[process_of(r, op)].obj, res->addr, res->len,
				       r->sc->names[i].name);
		else if (r->sc->names[i].kind == SK_PROCESS)
			mm_name_mm(res->ptr, r->sc->names[i].name);
	}
	if (r->sc->names[i].shared)
		wake_up_all(&r->wq);
}

void scen_log_line(FILE *fp, const struct scenario *sc, const struct scen_op *op,
		   const struct scen_result *res)
{
	char blk[16], got[160];

	fprintf(fp, "  %-5s %4d  %-52s -> %s", block_name(op->block, blk, sizeof(blk)), op->line,
		op->text, scen_show_result(op, res, got, sizeof(got)));
	if (op->defines >= 0 && !res->err && (res->addr || res->len))
		fprintf(fp, "  (%s = %#" PRIx64 ", %" PRIu64 " bytes)", sc->names[op->defines].name,
			res->addr, res->len);
	fputc('\n', fp);
	fflush(fp);
}

/* The trace marks where each operation of a CPU block starts (not a
 * scheduling point); describe() names it after the line. */
static const struct sim_site scen_op_site = { "scenario", __FILE__, __LINE__, "note", "op" };

static void run_ops(struct scen_run *r, int start, int end)
{
	for (int i = start; i < end; i++) {
		const struct scen_op *op = &r->sc->ops[i];
		struct scen_result res;

		memset(&res, 0, sizeof(res));
		sim_note_site((uint64_t)i, &scen_op_site);
		sim_current()->doing = op->during;
		op->def->exec(r, op, &res);
		sim_current()->doing = NULL;
		if (r->sc->log)
			scen_log_line(r->sc->log, r->sc, op, &res);
		define_name(r, op, &res);
		check_result(r, op, &res);
	}
}

static void scen_setup(struct mm_kernel *k, void *user)
{
	struct scen_run *r = user;
	struct scenario *sc = r->sc;

	(void)k;
	init_waitqueue_head(&r->wq);
	for (int i = 0; i < sc->nswap; i++)
		if (mmt_swapon(sc->swap[i].slots, sc->swap[i].sync,
			       (enum swap_alloc_policy)sc->swap[i].policy) < 0)
			sim_fail(SIM_FIND_EXPECT, "expectation", "%s: swapon of device %d failed",
				 sc->path, i);
	r->v[0].obj = mmt_mm_create();
	r->v[0].state = NAME_READY;
	mm_name_mm(r->v[0].obj, "main");
	run_ops(r, sc->setup_start, sc->setup_end);
}

static void scen_run_cpu(struct mm_kernel *k, void *user, int cpu)
{
	struct scen_run *r = user;

	(void)k;
	run_ops(r, r->sc->cpu_start[cpu], r->sc->cpu_end[cpu]);
}

static void scen_final(struct mm_kernel *k, void *user)
{
	struct scen_run *r = user;

	(void)k;
	run_ops(r, r->sc->final_start, r->sc->final_end);
}

/* ---- the program ------------------------------------------------------------------------- */

/* The model names what the events touched; the operation marks get their
 * lines. */
static void scen_describe(struct sim_exec *x, void *state)
{
	struct scen_run *r = mm_prog_user(state);

	mm_prog_describe(x, state);
	for (size_t i = 0; i < x->nev; i++)
		if (x->ev[i].site == &scen_op_site && x->ev[i].val < (uint64_t)r->sc->nops)
			sim_describe(x, i, r->sc->ops[x->ev[i].val].text, NULL);
}

static void *scen_create(struct sim_exec *x, void *arg)
{
	struct scenario *sc = arg;
	void *state = mm_prog_create(x, &sc->mmprog);
	struct scen_run *r = mm_prog_user(state);

	r->sc = sc;
	return state;
}

const struct sim_program *scenario_program(struct scenario *sc)
{
	if (!sc->prog.name) {
		sc->mmprog = (struct mm_prog){
			sizeof(struct scen_run) + (size_t)sc->nnames * sizeof(struct scen_value),
			scen_setup, scen_run_cpu, scen_final, &sc->cfg
		};
		sc->prog = (struct sim_program){
			.name = sc->name,
			.summary = sc->summary ? sc->summary : "",
			.ncpus = sc->ncpus,
			.identity = sc->identity,
			.arg = sc,
			.create = scen_create,
			.setup = mm_prog_setup,
			.run = mm_prog_run,
			.check = mm_prog_check,
			.check_step = mm_prog_check_step,
			.describe = scen_describe,
			.destroy = mm_prog_destroy,
		};
	}
	return &sc->prog;
}

struct scenario *scenario_of(const struct sim_program *p)
{
	return p && p->create == scen_create ? p->arg : NULL;
}
