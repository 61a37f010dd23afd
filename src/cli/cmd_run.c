/*
 * cmd_run.c - `mmtwin run` (one sequential execution of a scenario,
 * printing each operation and its result) and `mmtwin check` (validate
 * scenario files without running them).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>

#include "cli/cli.h"
#include "kernel/env.h"
#include "kernel/krun.h"
#include "scenario/scenario.h"

static const char run_usage[] =
	"Usage: mmtwin run [options] FILE|SCENARIO\n"
	"\n"
	"Run a scenario once, sequentially: setup, then each CPU's block in order (a\n"
	"CPU that sleeps, or spins waiting for another, lets the next one run, as on\n"
	"one real CPU), then the final block and every invariant.  Each operation is\n"
	"printed with its result when it completes.  To explore interleavings, use\n"
	"`mmtwin explore`.\n"
	"\n"
	"Options:\n"
	"      --kernel           run it on this machine's kernel instead of the model, in\n"
	"                         a child process, with the same log lines; a scenario that\n"
	"                         cannot run there (an operation only the model has, one the\n"
	"                         kernel backend does not run yet, swap or THP settings the\n"
	"                         machine does not have) is skipped with the reason\n"
	"      --revert ID        run with an upstream fix reverted (see `mmtwin fixes`)\n"
	"  -q, --quiet            print only the outcome\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 every result as expected and no invariant violated; 1 a finding\n"
	"(--kernel: a result not as the file expects); 2 bad usage or a malformed\n"
	"scenario; 3 internal error; 77 --kernel: not runnable on this kernel.\n";

static const char check_usage[] =
	"Usage: mmtwin check FILE...\n"
	"\n"
	"Parse each scenario FILE and report the first error as file:line:col: message,\n"
	"without running anything.\n"
	"\n"
	"Exit status: 0 every file is well formed; 2 some file is not (or bad usage).\n";

enum { OPT_REVERT = 256, OPT_KERNEL };

static const struct option run_long[] = {
	{ "revert", required_argument, NULL, OPT_REVERT },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The sequential schedule: the running CPU goes on until it blocks or
 * spins waiting for another CPU (cond_resched() does not give it up). */
static int pick_sequential(void *ctx, const struct sim_choice *ch)
{
	(void)ctx;
	if (ch->kind == SIM_CHOICE_SCHED && ch->current >= 0 && ch->current_enabled &&
	    !ch->spinning && !(ch->timed & (1ULL << ch->current)))
		return ch->current;
	return sim_choice_default(ch);
}

int cli_run_model(const struct catalog_entry *e, struct sim_config *cfg, FILE *log,
		  char *finding, size_t n)
{
	struct scenario *sc = e->sc;
	struct sim_exec *x;
	enum sim_outcome out;

	cfg->trace = false;
	if (!(x = sim_exec_new(e->prog, cfg)))
		return -1;
	sc->log = log;
	out = sim_explore_once(x, (struct sim_chooser){ pick_sequential, NULL });
	sc->log = NULL;
	if (out == SIM_RUN_FINDING)
		snprintf(finding, n, "FOUND %s (%s) in %llu steps\n  %s%s%s", x->finding.id,
			 sim_finding_kind_name(x->finding.kind), (unsigned long long)x->steps,
			 x->finding.msg, x->finding.during[0] ? "\n  during " : "",
			 x->finding.during);
	else
		snprintf(finding, n, "every result as expected, no invariant violated (%llu steps)",
			 (unsigned long long)x->steps);
	sim_exec_free(x);
	return out == SIM_RUN_FINDING;
}

static int run_once(const struct catalog_entry *e, struct sim_config *cfg, bool quiet)
{
	char name[160], outcome[2048];
	int rc;

	snprintf(name, sizeof(name), "%s%s", e->prog->name, cfg->variant ? cfg->variant : "");
	printf("%s (%s): one sequential execution\n", name, e->sc->path);
	fflush(stdout);
	rc = cli_run_model(e, cfg, quiet ? NULL : stdout, outcome, sizeof(outcome));
	if (rc < 0)
		return EXIT_INTERNAL;
	printf("%s: %s\n", name, outcome);
	return rc ? EXIT_FINDING : EXIT_CLEAN;
}

/* The scenario on the real kernel (kernel/krun.c). */
static int run_on_kernel(const struct catalog_entry *e, bool quiet)
{
	struct scenario *sc = e->sc;
	struct utsname u;
	char why[512];
	FILE *log = quiet ? fopen("/dev/null", "w") : stdout;
	int rc;

	if (!kernel_runnable(sc, why, sizeof(why))) {
		printf("%s: skipped: not runnable on the kernel: %s\n", e->name, why);
		if (quiet && log)
			fclose(log);
		return KENV_SKIP;
	}
	if (!log)
		return EXIT_INTERNAL;
	uname(&u);
	printf("%s (%s): one sequential execution on the kernel (Linux %s)\n", e->name, sc->path,
	       u.release);
	fflush(stdout);
	rc = kernel_run(sc, log, why, sizeof(why));
	if (quiet)
		fclose(log);
	if (rc < 0) {
		cli_error("run", "%s", why);
		return EXIT_INTERNAL;
	}
	if (rc)
		printf("%s: some results on the kernel are not what the file expects\n", e->name);
	else
		printf("%s: every result on the kernel as the file expects\n", e->name);
	return rc ? EXIT_FINDING : EXIT_CLEAN;
}

int cmd_run(int argc, char **argv)
{
	bool kernel = false;
	const struct catalog_entry *e;
	struct sim_config cfg;
	bool quiet = false;
	int c;

	sim_config_default(&cfg);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", run_long, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(run_usage, stdout); return EXIT_CLEAN;
		case 'q': quiet = true; break;
		case OPT_KERNEL: kernel = true; break;
		case OPT_REVERT:
			if (cli_revert("run", optarg, &cfg))
				return EXIT_USAGE;
			break;
		default:
			cli_bad_option("run", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("run", "name exactly one scenario (a file, or a bundled scenario)");
		return EXIT_USAGE;
	}
	if (!(e = catalog_resolve("run", argv[optind])))
		return EXIT_USAGE;
	if (!e->sc) {
		cli_error("run", "%s is a C program, not a scenario: explore it instead", e->name);
		return EXIT_USAGE;
	}
	if (kernel) {
		if (cfg.variant || e->revert) {
			cli_error("run", "--kernel runs the kernel as it is: --revert does not apply");
			return EXIT_USAGE;
		}
		return run_on_kernel(e, quiet);
	}
	if (e->revert && cli_revert("run", e->revert, &cfg))
		return EXIT_USAGE;
	return run_once(e, &cfg, quiet);
}

int cmd_check(int argc, char **argv)
{
	int status = EXIT_CLEAN;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(check_usage, stdout);
		return EXIT_CLEAN;
	}
	if (argc < 2) {
		cli_error("check", "name at least one scenario file");
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		char err[1024];
		struct scenario *sc = scenario_load(argv[i], err, sizeof(err));

		if (!sc) {
			fprintf(stderr, "%s\n", err);
			status = EXIT_USAGE;
			continue;
		}
		printf("%s: ok: scenario %s, %d cpus, %d operations\n", argv[i], sc->name, sc->ncpus,
		       sc->nops);
		scenario_free(sc);
	}
	return status;
}
