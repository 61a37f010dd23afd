/*
 * cmd_explore.c - `mmtwin explore`: explore programs, report findings,
 * save their schedule tokens.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

static const char explore_usage[] =
	"Usage: mmtwin explore [options] PROGRAM|FILE...\n"
	"       mmtwin explore [options] --all\n"
	"\n"
	"Explore the interleavings of each PROGRAM (a bundled name, see `mmtwin list`)\n"
	"or scenario FILE (a path with a '/' or ending in .mmt, see docs/SCENARIOS.md)\n"
	"until a finding, the execution budget, or - for dfs - exhaustion of the bound.\n"
	"A finding is printed as CPU columns with a replay command, and its schedule\n"
	"token is saved.\n"
	"\n"
	"Options:\n"
	"  -s, --strategy NAME    random, pct or dfs (default: pct)\n"
	"      --seed N           seed of random and pct (default 1)\n"
	"  -d, --depth D          pct depth: finds bugs needing D-1 preemptions (default 3)\n"
	"  -p, --preemptions K    dfs: run every schedule with at most K preemptions (default 2)\n"
	"      --delays K         dfs: bound by K delays instead of preemptions\n"
	"  -n, --executions N     stop after N executions (default 100000, 0: no limit;\n"
	"                         --all: no limit for the exhaustive dfs of clean programs)\n"
	"  -t, --time SECONDS     stop after SECONDS seconds\n"
	"      --max-steps N      steps per execution before a step-limit finding (default 100000)\n"
	"      --retry-bound N    passes of one retry loop before a livelock finding (default 1000)\n"
	"      --no-lockdep       do not report lock-order inversions (deadlocks still are)\n"
	"      --check-every-step run the program's step invariants before every step\n"
	"      --revert ID        run with an upstream fix reverted (see `mmtwin fixes`);\n"
	"                         repeatable; the schedule tokens name it\n"
	"      --all              explore every bundled program and check each against its\n"
	"                         expectation (a bug found, a fixed version clean); without\n"
	"                         -s, each uses the strategy its expectation names, else\n"
	"                         pct for bugs and an exhaustive dfs for clean programs\n"
	"      --expected         check the named programs and files against their\n"
	"                         expectations (a file's `expect` lines), as --all does\n"
	"      --json             print JSON (one object per program) instead of text\n"
	"      --html FILE        also write the findings as a picture: one HTML page, CPUs\n"
	"                         as lanes on a time axis, the story on top\n"
	"      --full-trace       print every event of a failing execution (default: last 400)\n"
	"  -q, --quiet            print summaries only, no interleavings\n"
	"  -o, --out DIR          save schedule tokens in DIR (default: mmtwin-out)\n"
	"      --no-save          do not save schedule tokens\n"
	"      --no-progress      no progress line on the terminal\n"
	"  -h, --help             show this help\n"
	"\n"
	"Ctrl-C ends the running exploration and reports what was done.\n"
	"\n"
	"Exit status: 0 no finding (--all: every program as expected); 1 a finding\n"
	"(--all: some program not as expected); 2 bad usage; 3 internal error;\n"
	"130 interrupted.\n";

struct explore_cli {
	struct explore_opts o;
	bool strategy_set, depth_set, bound_set, executions_set, seed_set, all, expected, json,
		quiet, save, progress;
	const char *out;
	const char *html;
	struct cli_out html_out;
	struct report_opts ropts;
};

enum {
	OPT_SEED = 256, OPT_DELAYS, OPT_MAX_STEPS, OPT_RETRY, OPT_NO_LOCKDEP, OPT_CHECK_STEP,
	OPT_ALL, OPT_JSON, OPT_FULL, OPT_NO_SAVE, OPT_NO_PROGRESS, OPT_REVERT, OPT_EXPECTED,
	OPT_HTML,
};

static const struct option explore_long[] = {
	{ "strategy", required_argument, NULL, 's' },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "depth", required_argument, NULL, 'd' },
	{ "preemptions", required_argument, NULL, 'p' },
	{ "delays", required_argument, NULL, OPT_DELAYS },
	{ "executions", required_argument, NULL, 'n' },
	{ "time", required_argument, NULL, 't' },
	{ "max-steps", required_argument, NULL, OPT_MAX_STEPS },
	{ "retry-bound", required_argument, NULL, OPT_RETRY },
	{ "no-lockdep", no_argument, NULL, OPT_NO_LOCKDEP },
	{ "check-every-step", no_argument, NULL, OPT_CHECK_STEP },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "expected", no_argument, NULL, OPT_EXPECTED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "full-trace", no_argument, NULL, OPT_FULL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "out", required_argument, NULL, 'o' },
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "revert", required_argument, NULL, OPT_REVERT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_strategy(const char *s, enum explore_kind *k)
{
	if (!strcmp(s, "random"))
		*k = EXPLORE_RANDOM;
	else if (!strcmp(s, "pct"))
		*k = EXPLORE_PCT;
	else if (!strcmp(s, "dfs"))
		*k = EXPLORE_DFS;
	else
		return -1;
	return 0;
}

static int parse_time(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !(v > 0) || v > 1e7) {
		cli_error("explore", "--time: \"%s\" is not a positive number of seconds", s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Returns 0, or an exit status. */
static int parse_one(struct explore_cli *a, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 's':
		if (parse_strategy(arg, &a->o.kind)) {
			cli_error("explore", "unknown strategy \"%s\" (expected random, pct or dfs)",
				  arg);
			return EXIT_USAGE;
		}
		a->strategy_set = true;
		return 0;
	case OPT_SEED:
		a->seed_set = true;
		return cli_u64("explore", "--seed", arg, UINT64_MAX, &a->o.seed) ? EXIT_USAGE : 0;
	case 'd':
		if (cli_u64("explore", "--depth", arg, 16, &v))
			return EXIT_USAGE;
		if (v < 1) {
			cli_error("explore", "--depth must be between 1 and 16");
			return EXIT_USAGE;
		}
		a->o.pct_depth = (int)v;
		a->depth_set = true;
		return 0;
	case 'p':
	case OPT_DELAYS:
		if (cli_u64("explore", c == 'p' ? "--preemptions" : "--delays", arg, 64, &v))
			return EXIT_USAGE;
		a->o.bound = (int)v;
		a->o.bound_kind = c == 'p' ? DFS_PREEMPTIONS : DFS_DELAYS;
		a->bound_set = true;
		return 0;
	case 'n':
		a->executions_set = true;
		return cli_u64("explore", "--executions", arg, UINT64_MAX, &a->o.max_executions)
			       ? EXIT_USAGE : 0;
	case 't':
		return parse_time(arg, &a->o.max_seconds) ? EXIT_USAGE : 0;
	case OPT_MAX_STEPS:
		if (cli_u64("explore", "--max-steps", arg, UINT64_MAX, &a->o.cfg.max_steps))
			return EXIT_USAGE;
		return 0;
	case OPT_RETRY:
		if (cli_u64("explore", "--retry-bound", arg, UINT32_MAX, &v))
			return EXIT_USAGE;
		a->o.cfg.retry_bound = (uint32_t)v;
		return 0;
	case OPT_NO_LOCKDEP: a->o.cfg.lockdep = false; return 0;
	case OPT_CHECK_STEP: a->o.cfg.check_every_step = true; return 0;
	case OPT_ALL: a->all = true; return 0;
	case OPT_EXPECTED: a->expected = true; return 0;
	case OPT_JSON: a->json = true; return 0;
	case OPT_HTML: a->html = arg; return 0;
	case OPT_FULL:
		a->ropts.max_events = 0;
		a->ropts.slice = false;
		return 0;
	case 'q': a->quiet = true; return 0;
	case 'o': a->out = arg; return 0;
	case OPT_NO_SAVE: a->save = false; return 0;
	case OPT_NO_PROGRESS: a->progress = false; return 0;
	case OPT_REVERT: return cli_revert("explore", arg, &a->o.cfg) ? EXIT_USAGE : 0;
	}
	return EXIT_USAGE;
}

/* An option for another strategy than the one that runs is a mistake, not
 * something to ignore.  (With --all or --expected and no -s, each row has
 * its own strategy: every option may apply to some.) */
static int check_strategy_options(const struct explore_cli *a)
{
	const char *name = explore_kind_name(a->o.kind);

	if (a->expected && !a->strategy_set)
		return 0;
	if (a->depth_set && a->o.kind != EXPLORE_PCT) {
		cli_error("explore", "--depth is for pct, not %s", name);
		return EXIT_USAGE;
	}
	if (a->bound_set && a->o.kind != EXPLORE_DFS) {
		cli_error("explore", "--preemptions and --delays are for dfs, not %s", name);
		return EXIT_USAGE;
	}
	if (a->seed_set && a->o.kind == EXPLORE_DFS) {
		cli_error("explore", "--seed is for random and pct, not dfs (it is deterministic)");
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_args(struct explore_cli *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	explore_opts_default(&a->o);
	report_opts_default(&a->ropts);
	a->save = true;
	a->progress = true;
	a->out = "mmtwin-out";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:d:p:n:t:qo:h", explore_long, NULL)) != -1) {
		int rc;

		if (c == 'h') {
			fputs(explore_usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			cli_bad_option("explore", c, argv);
			return EXIT_USAGE;
		}
		if ((rc = parse_one(a, c, optarg)))
			return rc;
	}
	if (!a->all && optind >= argc) {
		cli_error("explore", "name a program (see `mmtwin list`) or a scenario file, or use"
				     " --all");
		return EXIT_USAGE;
	}
	if (a->all && optind < argc) {
		cli_error("explore", "--all explores every program; do not name programs too");
		return EXIT_USAGE;
	}
	a->ropts.with_trace = !a->quiet;
	a->expected |= a->all;
	return check_strategy_options(a);
}

/* The options for one program: the user's, or what suits the program. */
static struct explore_opts options_for(const struct explore_cli *a, const struct catalog_entry *e)
{
	struct explore_opts o = a->o;

	if (!a->strategy_set && a->expected)
		o.kind = e->strategy >= 0		       ? (enum explore_kind)e->strategy
			 : e->expect_finding && !e->dfs_delays ? EXPLORE_PCT
							       : EXPLORE_DFS;
	if (!a->depth_set)
		o.pct_depth = e->pct_depth;
	if (!a->bound_set && a->expected) {
		o.bound = e->dfs_bound;
		if (e->dfs_delays && o.kind == EXPLORE_DFS)
			o.bound_kind = DFS_DELAYS;
	}
	/* --all shows a clean program exhausted at its bound: no budget. */
	if (a->expected && !a->executions_set && o.kind == EXPLORE_DFS)
		o.max_executions = 0;
	if (o.kind == EXPLORE_DFS && !a->expected && !a->bound_set)
		o.bound = 2;
	o.progress = a->progress && !a->json ? stderr : NULL;
	/* A founding race's row runs without its fix (the name carries it). */
	if (e->revert && cli_revert("explore", e->revert, &o.cfg))
		o.cfg.variant = NULL;
	return o;
}

static bool as_expected(const struct catalog_entry *e, const struct explore_result *r)
{
	/* No expectation of its own: as if clean were expected. */
	if (!e->has_expectation || !e->expect_finding)
		return !r->found;
	if (!r->found)
		return false;
	if (e->kinds & (1u << r->finding.kind))
		return true;
	for (int i = 0; i < e->nids; i++)
		if (!strcmp(e->ids[i], r->finding.id))
			return true;
	return false;
}

struct row {
	char name[160];
	bool has_expect, expect, ok;
	struct explore_result r;
};

static void print_table(struct row *rows, size_t n)
{
	size_t bad = 0;
	char t[32];

	printf("\n%-48s %-9s %-30s %12s %10s\n", "program", "expected", "result", "executions",
	       "time");
	for (size_t i = 0; i < n; i++) {
		char res[64];

		if (rows[i].r.found)
			snprintf(res, sizeof(res), "found %s", rows[i].r.finding.id);
		else
			snprintf(res, sizeof(res), "%s",
				 rows[i].r.interrupted ? "interrupted"
				 : rows[i].r.exhausted ? "clean (exhausted)" : "clean");
		printf("%-48s %-9s %-30s %12llu %10s%s\n", rows[i].name,
		       !rows[i].has_expect ? "-" : rows[i].expect ? "finding" : "clean", res,
		       (unsigned long long)rows[i].r.executions,
		       report_duration(rows[i].r.seconds, t, sizeof(t)),
		       rows[i].ok ? "" : "   <-- NOT AS EXPECTED");
		bad += !rows[i].ok;
	}
	if (bad)
		printf("\n%zu of %zu programs did not behave as expected\n", bad, n);
	else
		printf("\nall %zu programs behaved as expected\n", n);
}

/* The name a row is shown under: with the fixes it runs without. */
static void shown_name(const struct catalog_entry *e, const struct explore_opts *o, char *buf,
		       size_t n)
{
	snprintf(buf, n, "%s%s", e->prog->name, o->cfg.variant ? o->cfg.variant : "");
}

static void report_one(const struct explore_cli *a, const struct catalog_entry *e,
		       const char *name, struct explore_result *r, bool first, bool ok)
{
	struct report_verdict v = {
		!e->has_expectation ? "none" : e->expect_finding ? "finding" : "clean", ok
	};

	const char *path = NULL;
	char *cmd = NULL;

	if (r->found) {
		if (a->save)
			path = cli_save_token(a->out, name, r->token, &a->o.cfg);
		cmd = cli_replay_command(r->token, path, e->path, &a->o.cfg);
	}
	if (a->json) {
		if (!first)
			fputs(",\n", stdout);
		report_json(stdout, name, r, cmd, a->expected ? &v : NULL);
	} else {
		report_finding(stdout, name, r, cmd, &a->ropts);
		if (path)
			printf("  saved:  %s\n", path);
		if (r->found)
			putchar('\n');
	}
	if (a->html)
		report_html(a->html_out.fp, name, r, cmd);
	free(cmd);
}

/* The --html page: kept when the exploration ran (found or not, Ctrl-C
 * included), removed after an internal error. */
static void html_done(struct explore_cli *a, int status)
{
	if (status == EXIT_INTERNAL) {
		cli_out_abort(&a->html_out);
		return;
	}
	report_html_end(a->html_out.fp);
	if (cli_out_commit("explore", &a->html_out))
		a->html = NULL;
}

/* Explore each row.  With --expected (--all) the table comes first and the
 * reports after it; Ctrl-C ends the running row and skips the rest, and
 * what was done is still reported. */
static int explore_list(struct explore_cli *a, const struct catalog_entry **list, size_t n)
{
	struct row *rows = calloc(n, sizeof(*rows));
	bool table = a->expected && !a->json;
	int status = EXIT_CLEAN;
	size_t done = 0;

	if (!rows)
		return EXIT_INTERNAL;
	cli_catch_interrupt();
	if (a->json)
		fputs("[\n", stdout);
	for (; done < n && !explore_stop; done++) {
		struct explore_opts o = options_for(a, list[done]);
		struct row *w = &rows[done];

		shown_name(list[done], &o, w->name, sizeof(w->name));
		w->has_expect = list[done]->has_expectation;
		w->expect = list[done]->expect_finding;
		if (explore_run(list[done]->prog, &o, &w->r)) {
			fprintf(stderr, "mmtwin explore: %s\n", w->r.errmsg);
			status = EXIT_INTERNAL;
			break;
		}
		w->ok = as_expected(list[done], &w->r) && !w->r.interrupted;
		if (!table) {
			report_one(a, list[done], w->name, &w->r, done == 0, w->ok);
			fflush(stdout);
		}
		if (a->expected ? !w->ok : w->r.found)
			if (status == EXIT_CLEAN)
				status = EXIT_FINDING;
	}
	if (a->json)
		fputs("]\n", stdout);
	if (a->html && !table)
		html_done(a, status);
	if (table && status != EXIT_INTERNAL) {
		print_table(rows, done);
		for (size_t i = 0; i < done; i++) {
			putchar('\n');
			report_one(a, list[i], rows[i].name, &rows[i].r, i == 0, rows[i].ok);
		}
	}
	if (a->html && table)
		html_done(a, status);
	if (explore_stop) {
		fprintf(stderr, "mmtwin explore: interrupted: %zu of %zu programs explored\n",
			done, n);
		status = EXIT_INTERRUPTED;
	}
	for (size_t i = 0; i < n; i++)
		explore_result_free(&rows[i].r);
	free(rows);
	return status;
}

/* The rows to explore for the arguments: a bundled name's row, a file's
 * plain row (with --expected, each of its `expect` lines' rows). */
static size_t resolve_args(const struct explore_cli *a, int argc, char **argv,
			   const struct catalog_entry **list, size_t max)
{
	size_t n = 0;

	for (int i = optind; i < argc; i++) {
		size_t got;

		if (catalog_is_file(argv[i]) && a->expected) {
			got = catalog_file(argv[i], true, list + n, max - n);
		} else {
			list[n] = catalog_resolve("explore", argv[i]);
			got = list[n] != NULL;
		}
		if (!got)
			return 0;
		n += got;
	}
	return n;
}

int cmd_explore(int argc, char **argv)
{
	struct explore_cli a;
	const struct catalog_entry **list;
	size_t n = 0, max;
	int rc = parse_args(&a, argc, argv);

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if (catalog_load())
		return EXIT_USAGE;
	max = catalog_size() + (size_t)argc * (SCEN_MAX_EXPECT + 1);
	if (!(list = calloc(max, sizeof(*list))))
		return EXIT_INTERNAL;
	if (a.all) {
		for (size_t i = 0; i < catalog_size(); i++)
			list[n++] = catalog_at(i);
	} else if (!(n = resolve_args(&a, argc, argv, list, max))) {
		free(list);
		return EXIT_USAGE;
	}
	if (a.html) {
		if (cli_out_open("explore", a.html, &a.html_out)) {
			free(list);
			return EXIT_USAGE;
		}
		report_html_begin(a.html_out.fp, n == 1 ? list[0]->name : "mmtwin explore");
	}
	rc = explore_list(&a, list, n);
	free(list);
	return rc;
}
