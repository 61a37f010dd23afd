/*
 * explorer.c - the exploration loop, failure capture and replay.
 */
#include "explore/explorer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "explore/token.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void explore_opts_default(struct explore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = EXPLORE_PCT;
	o->seed = 1;
	o->pct_depth = 3;
	o->bound_kind = DFS_PREEMPTIONS;
	o->bound = 2;
	o->max_executions = 100000;
	sim_config_default(&o->cfg);
}

const char *explore_kind_name(enum explore_kind k)
{
	switch (k) {
	case EXPLORE_RANDOM: return "random";
	case EXPLORE_PCT: return "pct";
	case EXPLORE_DFS: return "dfs";
	}
	return "?";
}

static struct strategy *make_strategy(const struct explore_opts *o)
{
	switch (o->kind) {
	case EXPLORE_RANDOM: return strategy_random_new(o->seed);
	case EXPLORE_PCT: return strategy_pct_new(o->seed, o->pct_depth);
	case EXPLORE_DFS: return strategy_dfs_new(o->bound_kind, o->bound);
	}
	return NULL;
}

static int pick_adapter(void *ctx, const struct sim_choice *ch)
{
	struct strategy *s = ctx;

	return s->ops->pick(s, ch);
}

volatile sig_atomic_t explore_stop;

static void progress_line(const char *name, const struct explore_result *r, FILE *fp,
			  double elapsed, bool final)
{
	double rate = elapsed > 0 ? (double)r->executions / elapsed : 0;

	fprintf(fp, "\r\033[K  %s, %s: %llu executions, %.0f/s, %.1fs elapsed%s", name,
		r->strategy, (unsigned long long)r->executions, rate, elapsed,
		final ? "\r\033[K" : "");
	fflush(fp);
}

/* The program as a token names it: its name, then the variant (reverted
 * fixes), which the hash covers too. */
static void token_identity(const struct sim_program *p, const struct sim_config *cfg, char *name,
			   size_t n, uint32_t *hash)
{
	snprintf(name, n, "%s%s", p->name, cfg->variant ? cfg->variant : "");
	*hash = explore_program_hash(p, cfg);
}

uint32_t explore_program_hash(const struct sim_program *p, const struct sim_config *cfg)
{
	uint32_t hash = token_program_hash(p);

	for (const char *v = cfg->variant ? cfg->variant : ""; *v; v++)
		hash = (hash ^ (uint8_t)*v) * 16777619u;
	return hash;
}

/* The trace of @x's execution, with what the world said of its events. */
static int capture_trace(struct sim_exec *x, struct explore_result *r)
{
	r->ncpus = x->ncpus;
	r->ntrace = x->nev;
	r->trace = malloc((x->nev ? x->nev : 1) * sizeof(*r->trace));
	if (!r->trace)
		return -1;
	if (x->nev)	/* x->ev is NULL until the first event: memcpy(, NULL, 0) is undefined */
		memcpy(r->trace, x->ev, x->nev * sizeof(*r->trace));
	snprintf(r->legend, sizeof(r->legend), "%s", x->legend);
	if (!x->described || !x->nev)
		return 0;
	r->desc = malloc(x->nev * sizeof(*r->desc));
	r->descpool = malloc(x->descpool_len);
	if (!r->desc || !r->descpool)
		return -1;
	memcpy(r->desc, x->desc, x->nev * sizeof(*r->desc));
	memcpy(r->descpool, x->descpool, x->descpool_len);
	return 0;
}

/* Keep what a report needs from the failing execution. */
static int capture_failure(const struct sim_program *p, struct sim_exec *x,
			   struct explore_result *r)
{
	char name[160];
	uint32_t hash;

	token_identity(p, &x->cfg, name, sizeof(name), &hash);
	r->found = true;
	r->finding = x->finding;
	r->failing_execution = r->executions;
	r->token = token_encode(name, hash, sim_trace_fingerprint(x), x->dec, x->ndec);
	if (!r->token)
		return -1;
	return capture_trace(x, r);
}

static void fail_msg(struct explore_result *r, const char *what, const char *msg)
{
	r->error = true;
	snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", what, msg ? msg : "unknown error");
}

int explore_run(const struct sim_program *p, const struct explore_opts *o,
		struct explore_result *r)
{
	struct strategy *s;
	struct sim_exec *x;
	double t0 = now_s(), last = t0;
	bool tty = o->progress && isatty(fileno(o->progress));
	int rc = 0;

	memset(r, 0, sizeof(*r));
	s = make_strategy(o);
	x = s ? sim_exec_new(p, &o->cfg) : NULL;
	if (!s || !x) {
		fail_msg(r, p->name, "invalid exploration options or program");
		if (s)
			s->ops->destroy(s);
		return -1;
	}
	s->ops->describe(s, r->strategy, sizeof(r->strategy));
	for (;;) {
		enum sim_outcome out;

		if (o->max_executions && r->executions >= o->max_executions)
			break;
		if (explore_stop) {
			r->interrupted = true;
			break;
		}
		if (!s->ops->begin(s)) {
			r->exhausted = true;
			break;
		}
		out = sim_explore_once(x, (struct sim_chooser){ pick_adapter, s });
		s->ops->end(s, x);
		r->executions++;
		r->steps += x->steps;
		r->decisions += x->ndec;
		if (out == SIM_RUN_DIVERGED || (s->ops->error && s->ops->error(s))) {
			fail_msg(r, p->name, s->ops->error ? s->ops->error(s) : NULL);
			rc = -1;
			break;
		}
		if (out == SIM_RUN_FINDING) {
			if (capture_failure(p, x, r)) {
				fail_msg(r, p->name, "out of memory capturing the failure");
				rc = -1;
			}
			break;
		}
		if ((r->executions & 255) == 0 && (o->max_seconds > 0 || tty)) {
			double t = now_s();

			if (o->max_seconds > 0 && t - t0 >= o->max_seconds)
				break;
			if (tty && t - last >= 0.25) {
				progress_line(p->name, r, o->progress, t - t0, false);
				last = t;
			}
		}
	}
	r->seconds = now_s() - t0;
	if (tty && last != t0)
		progress_line(p->name, r, o->progress, r->seconds, true);
	if (r->interrupted)
		snprintf(r->coverage, sizeof(r->coverage), "interrupted after %llu executions",
			 (unsigned long long)r->executions);
	else if (s->ops->exhausted)
		s->ops->exhausted(s, r->coverage, sizeof(r->coverage));
	s->ops->destroy(s);
	sim_exec_free(x);
	return rc;
}

int explore_replay(const struct sim_program *p, const char *token, const struct sim_config *cfg,
		   struct explore_result *r)
{
	struct sched_token t;
	struct strategy *s = NULL;
	struct sim_exec *x = NULL;
	enum sim_outcome out;
	char err[256], name[160];
	uint32_t fp, hash;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (token_decode(token, &t, err, sizeof(err))) {
		fail_msg(r, "bad token", err);
		return -1;
	}
	token_identity(p, cfg, name, sizeof(name), &hash);
	if (strcmp(t.program, name)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "the token is for program \"%s\", not \"%s\"",
			 t.program, name);
		r->error = true;
		goto out;
	}
	if (t.prog_hash != hash) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "the token was made for another version of \"%s\" (program hash %08x, now"
			 " %08x): its scenario, configuration or CPU count changed; explore it again"
			 " to get a new token",
			 p->name, t.prog_hash, hash);
		r->error = true;
		goto out;
	}
	s = strategy_replay_new(t.dec, t.ndec);
	x = s ? sim_exec_new(p, cfg) : NULL;
	if (x)
		x->want_desc = true;	/* a replay is to be shown, finding or not */
	if (!x) {
		fail_msg(r, p->name, "cannot set up the replay");
		goto out;
	}
	s->ops->describe(s, r->strategy, sizeof(r->strategy));
	s->ops->begin(s);
	out = sim_explore_once(x, (struct sim_chooser){ pick_adapter, s });
	r->executions = 1;
	r->steps = x->steps;
	r->decisions = x->ndec;
	fp = sim_trace_fingerprint(x);
	if (out == SIM_RUN_DIVERGED) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "the token no longer fits \"%s\": %s. The model changed since the token was"
			 " made; explore again to get a new one",
			 p->name, s->ops->error(s));
		r->error = true;
		goto out;
	}
	if (strategy_replay_left(s) || fp != t.fingerprint) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "the token no longer fits \"%s\": the execution %s (trace fingerprint %08x,"
			 " token %08x). The model changed since the token was made; explore again to"
			 " get a new one",
			 p->name,
			 strategy_replay_left(s) ? "ended before using every decision"
						 : "took a different path",
			 fp, t.fingerprint);
		r->error = true;
		goto out;
	}
	if (out == SIM_RUN_FINDING && capture_failure(p, x, r)) {
		fail_msg(r, p->name, "out of memory capturing the failure");
		goto out;
	}
	if (!r->found) {
		/* A passing replay still hands back its trace. */
		if (capture_trace(x, r)) {
			fail_msg(r, p->name, "out of memory capturing the trace");
			goto out;
		}
		r->token = strdup(token);
	}
	rc = 0;
out:
	if (s)
		s->ops->destroy(s);
	sim_exec_free(x);
	token_free(&t);
	return rc;
}

void explore_result_free(struct explore_result *r)
{
	free(r->token);
	free(r->trace);
	free(r->desc);
	free(r->descpool);
	r->token = NULL;
	r->trace = NULL;
	r->desc = NULL;
	r->descpool = NULL;
}
