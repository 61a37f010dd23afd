/*
 * cmd_stress.c - `mmtwin stress`: run a program on real threads, with
 * optional injected delays, to see how rare its race is without control.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static const char stress_usage[] =
	"Usage: mmtwin stress [options] PROGRAM|FILE\n"
	"\n"
	"Run PROGRAM (a bundled name) or scenario FILE repeatedly with one OS thread\n"
	"per CPU, running freely - the baseline the explorer is measured against.\n"
	"Delays can be injected at the scheduling points of chosen model functions,\n"
	"as kernel developers do with mdelay().  Stress runs are not replayable.\n"
	"A progress line shows on a terminal; Ctrl-C ends the run and prints the\n"
	"summary of what ran.\n"
	"\n"
	"Options:\n"
	"  -n, --iterations N     executions to run (default 1000)\n"
	"  -t, --time SECONDS     stop after SECONDS seconds\n"
	"      --seed N           seed of the delay injection (default 1)\n"
	"      --delay-permille P chance, in 1/1000, of a delay at an eligible point (default 0)\n"
	"      --delay-us U       longest delay, in microseconds (default 100)\n"
	"      --delay-at F[,F]   only delay in these model functions (default: everywhere)\n"
	"      --stall-ms MS      a wait longer than this is a deadlock (default 5000)\n"
	"      --keep-going       run every iteration instead of stopping at the first\n"
	"                         finding, and count the findings by kind\n"
	"      --revert ID        run with an upstream fix reverted (see `mmtwin fixes`)\n"
	"      --no-progress      no progress line on the terminal\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 no finding; 1 a finding; 2 bad usage; 3 internal error;\n"
	"130 interrupted (after the summary).\n";

enum {
	OPT_SEED = 256, OPT_PERMILLE, OPT_US, OPT_AT, OPT_STALL, OPT_KEEP, OPT_REVERT,
	OPT_NO_PROGRESS
};

static const struct option stress_long[] = {
	{ "iterations", required_argument, NULL, 'n' },
	{ "time", required_argument, NULL, 't' },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "delay-permille", required_argument, NULL, OPT_PERMILLE },
	{ "delay-us", required_argument, NULL, OPT_US },
	{ "delay-at", required_argument, NULL, OPT_AT },
	{ "stall-ms", required_argument, NULL, OPT_STALL },
	{ "keep-going", no_argument, NULL, OPT_KEEP },
	{ "revert", required_argument, NULL, OPT_REVERT },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct stress_cli {
	struct sim_config cfg;
	uint64_t iters;
	double seconds;		/* 0: no limit */
	bool keep, progress;
};

#define STRESS_KINDS 16		/* distinct finding ids counted with --keep-going */

/* What a run found: the first finding, and with --keep-going a count per id. */
struct stress_tally {
	uint64_t fails;
	struct sim_finding first;
	int nkinds;
	struct {
		char id[48];
		enum sim_finding_kind kind;
		uint64_t n;
	} kind[STRESS_KINDS];
	uint64_t other;		/* findings of ids past STRESS_KINDS */
};

static int parse_opt(struct stress_cli *a, int c, const char *arg)
{
	uint64_t v;
	char *end;

	switch (c) {
	case 'n': return cli_u64("stress", "--iterations", arg, UINT64_MAX, &a->iters);
	case 't':
		a->seconds = strtod(arg, &end);
		if (!*arg || *end || !(a->seconds > 0) || a->seconds > 1e7) {
			cli_error("stress", "--time: \"%s\" is not a positive number of seconds", arg);
			return -1;
		}
		return 0;
	case OPT_SEED: return cli_u64("stress", "--seed", arg, UINT64_MAX, &a->cfg.seed);
	case OPT_PERMILLE:
		if (cli_u64("stress", "--delay-permille", arg, 1000, &v))
			return -1;
		a->cfg.delay_permille = (uint32_t)v;
		return 0;
	case OPT_US:
		if (cli_u64("stress", "--delay-us", arg, 1000000, &v))
			return -1;
		a->cfg.delay_max_us = (uint32_t)v;
		return 0;
	case OPT_STALL:
		if (cli_u64("stress", "--stall-ms", arg, 3600000, &v) || !v) {
			if (!v)
				cli_error("stress", "--stall-ms must be at least 1");
			return -1;
		}
		a->cfg.stall_ms = (uint32_t)v;
		return 0;
	case OPT_AT: a->cfg.delay_at = arg; return 0;
	case OPT_KEEP: a->keep = true; return 0;
	case OPT_NO_PROGRESS: a->progress = false; return 0;
	case OPT_REVERT: return cli_revert("stress", arg, &a->cfg);
	}
	return -1;
}

static int parse_args(struct stress_cli *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	sim_config_default(&a->cfg);
	a->iters = 1000;
	a->progress = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:t:h", stress_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(stress_usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			cli_bad_option("stress", c, argv);
			return EXIT_USAGE;
		}
		if (parse_opt(a, c, optarg))
			return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error("stress", "name exactly one program (see `mmtwin list`) or scenario file");
		return EXIT_USAGE;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tally_add(struct stress_tally *t, const struct sim_finding *f)
{
	if (!t->fails++)
		t->first = *f;
	for (int i = 0; i < t->nkinds; i++)
		if (!strcmp(t->kind[i].id, f->id)) {
			t->kind[i].n++;
			return;
		}
	if (t->nkinds == STRESS_KINDS) {
		t->other++;
		return;
	}
	snprintf(t->kind[t->nkinds].id, sizeof(t->kind[0].id), "%s", f->id);
	t->kind[t->nkinds].kind = f->kind;
	t->kind[t->nkinds++].n = 1;
}

static void progress(const char *name, uint64_t done, const struct stress_tally *t, double el,
		     bool final)
{
	fprintf(stderr, "\r\033[K  stress %s: %llu iterations, %llu failed, %.0f/s, %.1fs%s", name,
		(unsigned long long)done, (unsigned long long)t->fails,
		el > 0 ? (double)done / el : 0, el, final ? "\r\033[K" : "");
	fflush(stderr);
}

static void print_summary(const char *name, const struct stress_cli *a, uint64_t done,
			  const struct stress_tally *t, double seconds)
{
	char d[32];

	report_duration(seconds, d, sizeof(d));
	printf("%s: %llu of %llu stress iterations failed (%s, delays %u/1000 up to %u us%s%s)%s\n",
	       name, (unsigned long long)t->fails, (unsigned long long)done, d,
	       a->cfg.delay_permille, a->cfg.delay_max_us, a->cfg.delay_at ? " in " : "",
	       a->cfg.delay_at ? a->cfg.delay_at : "", explore_stop ? ", interrupted" : "");
	if (!t->fails)
		return;
	printf("  first: %s (%s): %s\n", t->first.id, sim_finding_kind_name(t->first.kind),
	       t->first.msg);
	if (t->first.during[0])
		printf("  during %s\n", t->first.during);
	if (a->keep)
		for (int i = 0; i < t->nkinds; i++)
			printf("  %10llu  %s (%s)\n", (unsigned long long)t->kind[i].n, t->kind[i].id,
			       sim_finding_kind_name(t->kind[i].kind));
	if (t->other)
		printf("  %10llu  of other kinds\n", (unsigned long long)t->other);
}

int cmd_stress(int argc, char **argv)
{
	struct stress_cli a;
	struct stress_tally t;
	const struct catalog_entry *e;
	struct sim_exec *x;
	char name[160];
	uint64_t i;
	double t0, last;
	bool tty;
	int rc = parse_args(&a, argc, argv);

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if (!(e = catalog_resolve("stress", argv[optind])))
		return EXIT_USAGE;
	if (e->revert && cli_revert("stress", e->revert, &a.cfg))
		return EXIT_USAGE;
	if (!(x = sim_exec_new(e->prog, &a.cfg)))
		return EXIT_INTERNAL;
	snprintf(name, sizeof(name), "%s%s", e->prog->name, a.cfg.variant ? a.cfg.variant : "");
	memset(&t, 0, sizeof(t));
	tty = a.progress && isatty(STDERR_FILENO);
	cli_catch_interrupt();
	t0 = last = now_s();
	for (i = 0; i < a.iters && !explore_stop; i++) {
		if (sim_stress_once(x) == SIM_RUN_FINDING) {
			tally_add(&t, &x->finding);
			if (!a.keep) {
				i++;
				break;
			}
		}
		if ((i & 63) == 63 && (tty || a.seconds > 0)) {
			double now = now_s();

			if (a.seconds > 0 && now - t0 >= a.seconds) {
				i++;
				break;
			}
			if (tty && now - last >= 0.25) {
				progress(name, i + 1, &t, now - t0, false);
				last = now;
			}
		}
	}
	sim_exec_free(x);
	if (tty && last != t0)
		progress(name, i, &t, now_s() - t0, true);
	print_summary(name, &a, i, &t, now_s() - t0);
	if (explore_stop)
		return EXIT_INTERRUPTED;
	return t.fails ? EXIT_FINDING : EXIT_CLEAN;
}
