/*
 * test_replay.c - a schedule token replays its execution exactly; one that does not fit is refused.
 */
#include <stdio.h>
#include <unistd.h>

#include "testlib.h"

#include "classic/classic.h"
#include "explore/token.h"

#define FIND_BUDGET 100000

static void assert_contains_at(const char *hay, const char *needle, const char *file, int line)
{
	if (!strstr(hay, needle)) {
		print_error("\"%s\" does not contain \"%s\"\n", hay, needle);
		_fail(file, line);
	}
}

#define assert_contains(hay, needle) assert_contains_at((hay), (needle), __FILE__, __LINE__)

/* One way of finding a bug: a strategy and its settings. */
struct finder {
	enum explore_kind kind;
	enum dfs_bound_kind bound_kind;
	bool lockdep;
};

static const struct finder finders[] = {
	{ EXPLORE_RANDOM, DFS_PREEMPTIONS, true },
	{ EXPLORE_PCT, DFS_PREEMPTIONS, true },
	{ EXPLORE_DFS, DFS_PREEMPTIONS, true },
	{ EXPLORE_DFS, DFS_DELAYS, true },
	{ EXPLORE_RANDOM, DFS_PREEMPTIONS, false },
	{ EXPLORE_PCT, DFS_PREEMPTIONS, false },
	{ EXPLORE_DFS, DFS_PREEMPTIONS, false },
};

#define NFINDERS (sizeof(finders) / sizeof(finders[0]))

static void finder_opts(struct explore_opts *o, const struct classic_entry *e,
			const struct finder *f)
{
	explore_opts_default(o);
	o->kind = f->kind;
	o->seed = 1;
	o->pct_depth = e->preemptions + 1;
	o->bound_kind = f->bound_kind;
	o->bound = e->preemptions;
	o->max_executions = f->kind == EXPLORE_DFS ? 0 : FIND_BUDGET;
	o->cfg.lockdep = f->lockdep;
}

/* Explore @e with @f; it must find the bug. */
static void find(const struct classic_entry *e, const struct finder *f, struct explore_opts *o,
		 struct explore_result *r)
{
	finder_opts(o, e, f);
	assert_int_equal(explore_run(e->prog, o, r), 0);
	if (!r->found)
		fail_msg("%s: %s found nothing", e->prog->name, r->strategy);
	assert_non_null(r->token);
	assert_non_null(r->trace);
}

static void assert_same_failure(const struct explore_result *a, const struct explore_result *b)
{
	assert_true(a->found);
	assert_true(b->found);
	assert_int_equal(a->finding.kind, b->finding.kind);
	assert_string_equal(a->finding.id, b->finding.id);
	assert_string_equal(a->finding.msg, b->finding.msg);
	assert_int_equal(a->finding.cpu, b->finding.cpu);
	assert_int_equal(a->finding.step, b->finding.step);
	assert_int_equal(a->finding.event, b->finding.event);
	assert_string_equal(a->token, b->token);
	test_assert_same_trace(a, b);
}

/* Replay @token on @p and expect it to run as recorded. */
static void replay_ok(const struct sim_program *p, const char *token, const struct sim_config *cfg,
		      struct explore_result *r)
{
	if (explore_replay(p, token, cfg, r))
		fail_msg("replaying %s on %s: %s", token, p->name, r->errmsg);
	assert_false(r->error);
	assert_int_equal(r->executions, 1);
	assert_int_equal(strncmp(r->strategy, "replay(", 7), 0);
}

static void test_roundtrip_every_bug_every_strategy(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];

		for (size_t k = 0; k < NFINDERS; k++) {
			struct explore_opts o;
			struct explore_result found, again;
			struct sched_token t;
			char err[256];

			if (!e->buggy)
				continue;
			find(e, &finders[k], &o, &found);
			replay_ok(e->prog, found.token, &o.cfg, &again);
			assert_same_failure(&found, &again);
			assert_int_equal(again.failing_execution, 1);
			assert_int_equal(token_decode(found.token, &t, err, sizeof(err)), 0);
			assert_int_equal(again.decisions, t.ndec);
			token_free(&t);
			explore_result_free(&found);
			explore_result_free(&again);
		}
	}
}

/* A token survives a trip through a file, with the newline a file line has. */
static void test_roundtrip_through_a_file(void **state)
{
	const struct classic_entry *e = classic_find("atomicity3");
	char path[] = "/tmp/mmtwin-token-XXXXXX", line[4096];
	struct explore_opts o;
	struct explore_result found, again;
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(e);
	find(e, &finders[2], &o, &found);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w+");
	assert_non_null(fp);
	assert_true(fprintf(fp, "%s\n", found.token) > 0);
	assert_int_equal(fflush(fp), 0);
	rewind(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	unlink(path);
	assert_int_equal(line[strlen(line) - 1], '\n');
	replay_ok(e->prog, line, &o.cfg, &again);
	assert_same_failure(&found, &again);
	explore_result_free(&found);
	explore_result_free(&again);
}

/* Replaying one token twice gives the same execution twice. */
static void test_replay_is_deterministic(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];
		struct explore_opts o;
		struct explore_result found, a, b;

		if (!e->buggy)
			continue;
		find(e, &finders[1], &o, &found);
		replay_ok(e->prog, found.token, &o.cfg, &a);
		replay_ok(e->prog, found.token, &o.cfg, &b);
		assert_same_failure(&a, &b);
		assert_int_equal(a.steps, b.steps);
		assert_int_equal(a.decisions, b.decisions);
		explore_result_free(&found);
		explore_result_free(&a);
		explore_result_free(&b);
	}
}

/* ---- tokens that do not fit ------------------------------------------- */

/* The token atomicity3 fails with under dfs, decoded. */
static char *a3_token(struct sched_token *t, struct sim_config *cfg)
{
	const struct classic_entry *e = classic_find("atomicity3");
	struct explore_opts o;
	struct explore_result r;
	char err[256], *tok;

	assert_non_null(e);
	find(e, &finders[2], &o, &r);
	*cfg = o.cfg;
	tok = strdup(r.token);
	assert_non_null(tok);
	explore_result_free(&r);
	assert_int_equal(token_decode(tok, t, err, sizeof(err)), 0);
	return tok;
}

/* Replay @token on @p and expect a refusal saying @why. */
static void refused(const struct sim_program *p, const char *token, const struct sim_config *cfg,
		    const char *why)
{
	struct explore_result r;

	if (explore_replay(p, token, cfg, &r) != -1)
		fail_msg("%s on %s was not refused (found %d)", token, p->name, r.found);
	assert_true(r.error);
	assert_false(r.found);
	assert_null(r.token);
	assert_null(r.trace);
	assert_contains(r.errmsg, why);
	explore_result_free(&r);
}

/* Re-encode @t with other decisions, keeping its program, hash and fingerprint. */
static char *with_decisions(const struct sched_token *t, const uint16_t *dec, size_t n)
{
	char *s = token_encode(t->program, t->prog_hash, t->fingerprint, dec, n);

	assert_non_null(s);
	return s;
}

static void test_token_for_another_program(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg);

	(void)state;
	refused(&classic_lost_update, tok, &cfg, "the token is for program \"atomicity3\"");
	refused(&classic_atomicity3_fixed, tok, &cfg, "not \"atomicity3_fixed\"");
	token_free(&t);
	free(tok);
}

/* Edit one 8-digit hex field of a token (2: program hash, 3: fingerprint). */
static char *edit_hex_field(const char *tok, int field)
{
	char *s = strdup(tok), *p = s;

	assert_non_null(s);
	for (int i = 0; i < field; i++) {
		p = strchr(p, ':');
		assert_non_null(p);
		p++;
	}
	p[7] = p[7] == '0' ? '1' : '0';
	return s;
}

static void test_program_hash_changed(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg), *bad = edit_hex_field(tok, 2);

	(void)state;
	refused(&classic_atomicity3, bad, &cfg, "another version of \"atomicity3\"");
	refused(&classic_atomicity3, bad, &cfg, "program hash");
	free(bad);
	token_free(&t);
	free(tok);
}

/* The same program under another identity (e.g. an edited scenario). */
static void test_program_identity_changed(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg);
	struct sim_program p = classic_atomicity3;
	struct explore_result r;

	(void)state;
	p.identity = "atomicity3, version 2";
	refused(&p, tok, &cfg, "another version of \"atomicity3\"");
	p.identity = NULL;
	p.ncpus = 3;
	refused(&p, tok, &cfg, "another version of \"atomicity3\"");
	/* The copy with nothing changed is the same program. */
	p = classic_atomicity3;
	replay_ok(&p, tok, &cfg, &r);
	assert_true(r.found);
	explore_result_free(&r);
	token_free(&t);
	free(tok);
}

static void test_fingerprint_changed(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg), *bad = edit_hex_field(tok, 3);

	(void)state;
	refused(&classic_atomicity3, bad, &cfg, "took a different path");
	refused(&classic_atomicity3, bad, &cfg, "fingerprint");
	free(bad);
	token_free(&t);
	free(tok);
}

/* Every decision in turn changed to a CPU the program does not have. */
static void test_decision_to_a_cpu_that_cannot_run(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg);

	(void)state;
	for (size_t i = 0; i < t.ndec; i++) {
		uint16_t *dec = malloc(t.ndec * sizeof(*dec));
		char why[64], *bad;

		assert_non_null(dec);
		memcpy(dec, t.dec, t.ndec * sizeof(*dec));
		dec[i] = 2;
		bad = with_decisions(&t, dec, t.ndec);
		snprintf(why, sizeof(why), "decision %zu of the token picks CPU2", i);
		refused(&classic_atomicity3, bad, &cfg, why);
		refused(&classic_atomicity3, bad, &cfg, "offers only CPU0,CPU1");
		free(bad);
		free(dec);
	}
	token_free(&t);
	free(tok);
}

static void test_decisions_added_or_removed(void **state)
{
	struct sched_token t;
	struct sim_config cfg;
	char *tok = a3_token(&t, &cfg), *bad;
	uint16_t *dec = calloc(t.ndec + 5, sizeof(*dec));
	char count[32], *p;

	(void)state;
	assert_non_null(dec);
	memcpy(dec, t.dec, t.ndec * sizeof(*dec));
	assert_true(t.ndec >= 2);
	for (size_t extra = 1; extra <= 5; extra++) {
		bad = with_decisions(&t, dec, t.ndec + extra);
		refused(&classic_atomicity3, bad, &cfg, "ended before using every decision");
		free(bad);
	}
	for (size_t n = 0; n < t.ndec; n++) {
		bad = with_decisions(&t, dec, n);
		refused(&classic_atomicity3, bad, &cfg, "asks for more");
		free(bad);
	}
	/* The count field edited, the data left alone. */
	snprintf(count, sizeof(count), ":%zu:", t.ndec);
	p = strstr(tok, count);
	assert_non_null(p);
	bad = malloc(strlen(tok) + 8);
	assert_non_null(bad);
	snprintf(bad, strlen(tok) + 8, "%.*s:%zu:%s", (int)(p - tok), tok, t.ndec + 1,
		 p + strlen(count));
	refused(&classic_atomicity3, bad, &cfg, "bad token");
	refused(&classic_atomicity3, bad, &cfg, "decisions but says");
	free(bad);
	free(dec);
	token_free(&t);
	free(tok);
}

static void test_not_a_token(void **state)
{
	static const char *const junk[] = {
		"", "hello", "mmt1:atomicity3", "mmt9:atomicity3:00000000:00000000:0:",
	};
	struct sim_config cfg;

	(void)state;
	sim_config_default(&cfg);
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		refused(&classic_atomicity3, junk[i], &cfg, "bad token");
}

/* A three-CPU program where a CPU has finished by the second decision. */
static void *three_create(struct sim_exec *x, void *arg)
{
	(void)x;
	(void)arg;
	return calloc(1, sizeof(int));
}

static void three_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state;

	(void)x;
	if (cpu != 0)
		WRITE_ONCE(*v, cpu);
}

static void three_destroy(struct sim_exec *x, void *state)
{
	(void)x;
	free(state);
}

static const struct sim_program three = {
	.name = "three", .ncpus = 3, .create = three_create, .run = three_run,
	.destroy = three_destroy,
};

static int pick_via(void *ctx, const struct sim_choice *ch)
{
	struct strategy *s = ctx;

	return s->ops->pick(s, ch);
}

/* Run @p under @s until an execution passes and return that execution's
 * token (explore_run only makes tokens for failures); @s is destroyed. */
static char *passing_token(const struct sim_program *p, const struct sim_config *cfg,
			   struct strategy *s, struct sim_exec **xp)
{
	struct sim_exec *x = sim_exec_new(p, cfg);
	enum sim_outcome out = SIM_RUN_FINDING;
	char *tok;

	assert_non_null(s);
	assert_non_null(x);
	for (int n = 0; n < 100 && out != SIM_RUN_OK; n++) {
		assert_true(s->ops->begin(s));
		out = sim_explore_once(x, (struct sim_chooser){ pick_via, s });
		s->ops->end(s, x);
	}
	assert_int_equal(out, SIM_RUN_OK);
	tok = token_encode(p->name, token_program_hash(p), sim_trace_fingerprint(x), x->dec,
			   x->ndec);
	assert_non_null(tok);
	s->ops->destroy(s);
	*xp = x;
	return tok;
}

/* Decision 0 starts CPU0, which exits at once: decision 1 offers CPU1 and
 * CPU2 only; picking the finished CPU0 there is refused. */
static void test_decision_to_a_finished_cpu(void **state)
{
	static const uint16_t good[] = { 0, 1, 1 }, bad[] = { 0, 0, 1 };
	struct sim_exec *x;
	struct sched_token t;
	struct explore_result r;
	struct sim_config cfg;
	char err[256], *badtok;
	char *tok;

	(void)state;
	sim_config_default(&cfg);
	tok = passing_token(&three, &cfg, strategy_replay_new(good, 3), &x);
	assert_int_equal(x->ndec, 3);
	sim_exec_free(x);
	replay_ok(&three, tok, &cfg, &r);
	assert_false(r.found);
	explore_result_free(&r);
	assert_int_equal(token_decode(tok, &t, err, sizeof(err)), 0);
	badtok = with_decisions(&t, bad, 3);
	refused(&three, badtok, &cfg, "decision 1 of the token picks CPU0");
	refused(&three, badtok, &cfg, "offers only CPU1,CPU2");
	free(badtok);
	token_free(&t);
	free(tok);
}

/* A schedule that passes replays as a pass, and hands back its trace: the
 * first passing random schedule of every classic program, buggy or not
 * (abba_deadlock without lockdep, which reports its inversion every time). */
static void test_passing_schedule(void **state)
{
	(void)state;
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct sim_program *p = classic_programs[i].prog;
		struct explore_result r;
		struct sim_exec *x;
		struct sim_config cfg;
		char *tok;

		sim_config_default(&cfg);
		cfg.lockdep = p != &classic_abba;
		tok = passing_token(p, &cfg, strategy_random_new(5), &x);
		replay_ok(p, tok, &x->cfg, &r);
		assert_false(r.found);
		assert_int_equal(r.finding.kind, SIM_FIND_NONE);
		assert_string_equal(r.token, tok);
		assert_non_null(r.trace);
		assert_int_equal(r.ncpus, p->ncpus);
		assert_int_equal(r.decisions, x->ndec);
		assert_int_equal(r.ntrace, x->nev);
		for (size_t j = 0; j < x->nev; j++) {
			assert_ptr_equal(r.trace[j].site, x->ev[j].site);
			assert_int_equal(r.trace[j].op, x->ev[j].op);
			assert_int_equal(r.trace[j].cpu, x->ev[j].cpu);
			assert_int_equal(r.trace[j].val, x->ev[j].val);
			assert_int_equal(r.trace[j].obj, x->ev[j].obj);
		}
		explore_result_free(&r);
		sim_exec_free(x);
		free(tok);
	}
}

/* ---- data choices: recorded, replayed and checked like CPUs ----------- */

static void pick_run(struct sim_exec *x, void *state, int cpu)
{
	int *v = state, c;

	(void)x;
	if (cpu != 0)
		return;
	c = sim_choose(3, "which");
	if (c == 2)
		sim_fail(SIM_FIND_BUG, "picked-two", "CPU0 chose %d", c);
	WRITE_ONCE(*v, c);
}

static const struct sim_program picker = {
	.name = "picker", .ncpus = 2, .create = three_create, .run = pick_run,
	.destroy = three_destroy,
};

static void test_data_choices(void **state)
{
	struct explore_opts o;
	struct explore_result found, again;
	struct sched_token t;
	char err[256], *bad;

	(void)state;
	explore_opts_default(&o);
	o.kind = EXPLORE_DFS;
	o.bound = 0;
	o.max_executions = 0;
	assert_int_equal(explore_run(&picker, &o, &found), 0);
	assert_true(found.found);
	assert_string_equal(found.finding.id, "picked-two");
	replay_ok(&picker, found.token, &o.cfg, &again);
	assert_same_failure(&found, &again);
	explore_result_free(&again);
	assert_int_equal(token_decode(found.token, &t, err, sizeof(err)), 0);
	assert_int_equal(t.ndec, 2);	/* start CPU0, value 2 */
	assert_int_equal(t.dec[1], 2);
	t.dec[1] = 5;
	bad = with_decisions(&t, t.dec, t.ndec);
	refused(&picker, bad, &o.cfg, "decision 1 of the token picks value 5");
	refused(&picker, bad, &o.cfg, "offers only 0,1,2");
	free(bad);
	token_free(&t);
	explore_result_free(&found);
}

/* Soak: many random failing schedules of every bug replay exactly. */
static void test_soak_many_tokens(void **state)
{
	(void)state;
	if (!test_soak())
		return;	/* cmocka's TAP prints a skip as "not ok" */
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *e = &classic_programs[i];

		for (uint64_t seed = 1; e->buggy && seed <= 300; seed++) {
			struct explore_result found, again;
			struct sim_config cfg;

			sim_config_default(&cfg);
			assert_int_equal(test_explore(e->prog, seed & 1 ? EXPLORE_RANDOM
								       : EXPLORE_PCT,
						      seed, e->preemptions + 1, FIND_BUDGET,
						      &found), 0);
			assert_true(found.found);
			replay_ok(e->prog, found.token, &cfg, &again);
			assert_same_failure(&found, &again);
			explore_result_free(&found);
			explore_result_free(&again);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_bug_every_strategy),
		cmocka_unit_test(test_roundtrip_through_a_file),
		cmocka_unit_test(test_replay_is_deterministic),
		cmocka_unit_test(test_token_for_another_program),
		cmocka_unit_test(test_program_hash_changed),
		cmocka_unit_test(test_program_identity_changed),
		cmocka_unit_test(test_fingerprint_changed),
		cmocka_unit_test(test_decision_to_a_cpu_that_cannot_run),
		cmocka_unit_test(test_decisions_added_or_removed),
		cmocka_unit_test(test_not_a_token),
		cmocka_unit_test(test_decision_to_a_finished_cpu),
		cmocka_unit_test(test_passing_schedule),
		cmocka_unit_test(test_data_choices),
		cmocka_unit_test(test_soak_many_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
