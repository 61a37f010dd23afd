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
	"Run PROGRAM repeatedly with one OS thread per CPU, running freely - the\n"
	"baseline the explorer is measured against.  Delays can be injected at the\n"
	"scheduling points of chosen model functions, as kernel developers do with\n"
	"mdelay().  Stress runs are not replayable.\n"
	"\n"
	"Options:\n"
	"  -n, --iterations N     executions to run (default 1000)\n"
	"      --seed N           seed of the delay injection (default 1)\n"
	"      --delay-permille P chance, in 1/1000, of a delay at an eligible point (default 0)\n"
	"      --delay-us U       longest delay, in microseconds (default 100)\n"
	"      --delay-at F[,F]   only delay in these model functions (default: everywhere)\n"
	"      --stall-ms MS      a wait longer than this is a deadlock (default 5000)\n"
	"      --keep-going       run every iteration instead of stopping at the first finding\n"
	"      --revert ID        run with an upstream fix reverted (see `mmtwin fixes`)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 no finding; 1 a finding; 2 bad usage; 3 internal error.\n";

enum { OPT_SEED = 256, OPT_PERMILLE, OPT_US, OPT_AT, OPT_STALL, OPT_KEEP, OPT_REVERT };

static const struct option stress_long[] = {
	{ "iterations", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "delay-permille", required_argument, NULL, OPT_PERMILLE },
	{ "delay-us", required_argument, NULL, OPT_US },
	{ "delay-at", required_argument, NULL, OPT_AT },
	{ "stall-ms", required_argument, NULL, OPT_STALL },
	{ "keep-going", no_argument, NULL, OPT_KEEP },
	{ "revert", required_argument, NULL, OPT_REVERT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_opt(int c, const char *arg, struct sim_config *cfg, uint64_t *iters, bool *keep)
{
	uint64_t v;

	switch (c) {
	case 'n': return cli_u64("stress", "--iterations", arg, UINT64_MAX, iters);
	case OPT_SEED: return cli_u64("stress", "--seed", arg, UINT64_MAX, &cfg->seed);
	case OPT_PERMILLE:
		if (cli_u64("stress", "--delay-permille", arg, 1000, &v))
			return -1;
		cfg->delay_permille = (uint32_t)v;
		return 0;
	case OPT_US:
		if (cli_u64("stress", "--delay-us", arg, 1000000, &v))
			return -1;
		cfg->delay_max_us = (uint32_t)v;
		return 0;
	case OPT_STALL:
		if (cli_u64("stress", "--stall-ms", arg, 3600000, &v) || !v) {
			if (!v)
				cli_error("stress", "--stall-ms must be at least 1");
			return -1;
		}
		cfg->stall_ms = (uint32_t)v;
		return 0;
	case OPT_AT: cfg->delay_at = arg; return 0;
	case OPT_KEEP: *keep = true; return 0;
	case OPT_REVERT: return cli_revert("stress", arg, cfg);
	}
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_stress(int argc, char **argv)
{
	struct sim_config cfg;
	const struct catalog_entry *e;
	struct sim_finding first = { 0 };
	struct sim_exec *x;
	uint64_t iters = 1000, fails = 0, i;
	bool keep = false;
	double t0;
	char t[32];
	int c;

	sim_config_default(&cfg);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:h", stress_long, NULL)) != -1) {
		if (c == 'h') {
			fputs(stress_usage, stdout);
			return EXIT_CLEAN;
		}
		if (c == '?' || c == ':') {
			cli_error("stress", c == ':' ? "option %s needs a value" : "unknown option %s",
				  argv[optind - 1]);
			return EXIT_USAGE;
		}
		if (parse_opt(c, optarg, &cfg, &iters, &keep))
			return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cli_error("stress", "name exactly one program (see `mmtwin list`) or scenario file");
		return EXIT_USAGE;
	}
	if (!(e = catalog_resolve("stress", argv[optind])))
		return EXIT_USAGE;
	if (e->revert && cli_revert("stress", e->revert, &cfg))
		return EXIT_USAGE;
	if (!(x = sim_exec_new(e->prog, &cfg)))
		return EXIT_INTERNAL;
	t0 = now_s();
	for (i = 0; i < iters; i++) {
		if (sim_stress_once(x) != SIM_RUN_FINDING)
			continue;
		if (!fails++)
			first = x->finding;
		if (!keep)
			break;
	}
	sim_exec_free(x);
	report_duration(now_s() - t0, t, sizeof(t));
	printf("%s: %llu of %llu stress iterations failed (%s, delays %u/1000 up to %u us%s%s)\n",
	       e->name, (unsigned long long)fails,
	       (unsigned long long)(i < iters ? i + 1 : iters), t, cfg.delay_permille,
	       cfg.delay_max_us, cfg.delay_at ? " in " : "", cfg.delay_at ? cfg.delay_at : "");
	if (fails)
		printf("  first: %s (%s): %s\n", first.id, sim_finding_kind_name(first.kind),
		       first.msg);
	return fails ? EXIT_FINDING : EXIT_CLEAN;
}
