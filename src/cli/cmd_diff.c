/*
 * cmd_diff.c - `mmtwin diff`: a scenario on the model and on this
 * machine's kernel, each in the sequential order of `mmtwin run`,
 * compared operation by operation (result, errno, output fields, page
 * states); the first difference is printed in two columns.
 *
 * Both sides write the log lines of `mmtwin run` (scen_log_line); what
 * is compared is each line's operation and result, without the address a
 * mapping got (each side chooses its own).
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

static const char diff_usage[] =
	"Usage: mmtwin diff [options] FILE|SCENARIO...\n"
	"\n"
	"Run each scenario once on the model and once on this machine's kernel, both in\n"
	"the order of `mmtwin run` (setup, each CPU's block, final), and compare them\n"
	"operation by operation: the result or errno, the output fields and the page\n"
	"states.  The first difference is printed with both sides.  A scenario that\n"
	"cannot run on the kernel (see `mmtwin run --help`, --kernel) is skipped with\n"
	"the reason; `mmtwin kernel-env` sets swap and THP up for one that needs them.\n"
	"\n"
	"Options:\n"
	"  -q, --quiet            print one line per scenario\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 they agree (or were skipped); 1 some scenario differs; 2 bad\n"
	"usage or a malformed scenario; 3 internal error.\n";

static const struct option diff_long[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define DIFF_MAX_LINES 8192

struct side {
	char *text;		/* the whole log */
	char *line[DIFF_MAX_LINES];	/* the operation lines, addresses dropped */
	int n;
};

/* Split a log into its operation lines ("  setup   28  TEXT -> RESULT"),
 * dropping "  (NAME = 0x..., N bytes)" at the end. */
static void split(struct side *s)
{
	char *save = NULL;

	s->n = 0;
	for (char *l = strtok_r(s->text, "\n", &save); l && s->n < DIFF_MAX_LINES;
	     l = strtok_r(NULL, "\n", &save)) {
		char *paren;

		if (strncmp(l, "  setup ", 8) && strncmp(l, "  final ", 8) && strncmp(l, "  cpu", 5))
			continue;
		if ((paren = strstr(l, "  (")) && strstr(paren, " bytes)"))
			*paren = 0;
		s->line[s->n++] = l;
	}
}

/* The result part of an operation line. */
static const char *result_of(const char *line)
{
	const char *r = strstr(line + 8, " -> ");
	const char *last = r;

	while (r) {	/* the text may hold its own "->": the result is after the last */
		last = r;
		r = strstr(r + 4, " -> ");
	}
	return last ? last + 4 : line;
}

static char *read_all(FILE *fp)
{
	long n;
	char *buf;

	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
		return NULL;
	if (!(buf = malloc((size_t)n + 1)))
		return NULL;
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/* Returns 0 agree, 1 differ, KENV_SKIP skipped, EXIT_INTERNAL. */
static int diff_one(const struct catalog_entry *e, bool quiet, const char *release)
{
	struct sim_config cfg;
	struct side model = { 0 }, kernel = { 0 };
	char why[512], outcome[2048];
	FILE *m = tmpfile(), *k = tmpfile();
	int rc = EXIT_INTERNAL, mrc, krc;

	if (!m || !k)
		goto out;
	if (!kernel_runnable(e->sc, why, sizeof(why))) {
		printf("%s: skipped: not runnable on the kernel: %s\n", e->name, why);
		rc = KENV_SKIP;
		goto out;
	}
	sim_config_default(&cfg);
	mrc = cli_run_model(e, &cfg, m, outcome, sizeof(outcome));
	krc = kernel_run(e->sc, k, why, sizeof(why));
	if (mrc < 0 || krc < 0) {
		cli_error("diff", "%s: %s", e->name, krc < 0 ? why : "the model run failed");
		goto out;
	}
	fflush(m);
	fflush(k);
	if (!(model.text = read_all(m)) || !(kernel.text = read_all(k)))
		goto out;
	split(&model);
	split(&kernel);
	for (int i = 0; i < model.n || i < kernel.n; i++) {
		const char *a = i < model.n ? model.line[i] : NULL;
		const char *b = i < kernel.n ? kernel.line[i] : NULL;

		if (a && b && !strcmp(a, b))
			continue;
		printf("%s: the model and the kernel differ at operation %d of %s\n", e->name, i + 1,
		       e->sc->path);
		if (!quiet) {
			printf("  %s\n", a ? a : b);
			printf("    %-38s %s\n", "model:", "kernel:");
			printf("    %-38s %s\n", a ? result_of(a) : "(stopped before it)",
			       b ? result_of(b) : "(stopped before it)");
			if (!b || !a)
				printf("  %s stopped: %s\n", !a ? "the model" : "the kernel",
				       !a ? outcome : "see `mmtwin run --kernel`");
			if (a && b && strncmp(a, b, 60))
				printf("  (not the same operation: %s / %s)\n", a, b);
		}
		rc = EXIT_FINDING;
		goto out;
	}
	printf("%s: the model and the kernel (Linux %s) agree on all %d operations\n", e->name,
	       release, model.n);
	rc = EXIT_CLEAN;
out:
	free(model.text);
	free(kernel.text);
	if (m)
		fclose(m);
	if (k)
		fclose(k);
	return rc;
}

int cmd_diff(int argc, char **argv)
{
	struct utsname u;
	bool quiet = false;
	int c, status = EXIT_CLEAN;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", diff_long, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(diff_usage, stdout); return EXIT_CLEAN;
		case 'q': quiet = true; break;
		default:
			cli_bad_option("diff", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("diff", "name at least one scenario (a file, or a bundled scenario)");
		return EXIT_USAGE;
	}
	uname(&u);
	for (int i = optind; i < argc; i++) {
		const struct catalog_entry *e = catalog_resolve("diff", argv[i]);
		int rc;

		if (!e)
			return EXIT_USAGE;
		if (!e->sc) {
			cli_error("diff", "%s is a C program, not a scenario", e->name);
			return EXIT_USAGE;
		}
		if (e->revert) {
			cli_error("diff", "%s runs without a fix; the kernel runs as it is: name the"
				  " scenario without ~%s", e->name, e->revert);
			return EXIT_USAGE;
		}
		rc = diff_one(e, quiet, u.release);
		fflush(stdout);
		if (rc == EXIT_INTERNAL)
			return EXIT_INTERNAL;
		if (rc == EXIT_FINDING)
			status = EXIT_FINDING;
	}
	return status;
}
