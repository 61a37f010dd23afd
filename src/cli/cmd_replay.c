/*
 * cmd_replay.c - `mmtwin replay`: run one schedule token again and show it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "explore/token.h"

static const char replay_usage[] =
	"Usage: mmtwin replay [options] TOKEN\n"
	"       mmtwin replay [options] --file TOKENFILE\n"
	"\n"
	"Run the execution a schedule token describes, exactly as it ran when the token\n"
	"was made, and print it.  A token that no longer fits the program (the program,\n"
	"its scenario or the model changed) is refused with the reason.  A token of a\n"
	"bundled program or scenario finds it by name; one made from a scenario file\n"
	"needs that file (--scenario), and is refused if the file's scenario changed\n"
	"(anything but comments, blank lines, spacing, summary and expect lines).\n"
	"\n"
	"Options:\n"
	"  -f, --file TOKENFILE   read the token from TOKENFILE (as saved by explore)\n"
	"  -s, --scenario FILE    the scenario file the token was made from\n"
	"      --json             print JSON instead of text\n"
	"      --html FILE        also write the execution as a picture (one HTML page)\n"
	"      --full-trace       print every event (default: the last 400)\n"
	"  -q, --quiet            print the summary only, no interleaving\n"
	"      --max-steps N      as for explore (must match the exploring run; a token\n"
	"                         file's \"options:\" line gives them where not given)\n"
	"      --retry-bound N    as for explore (must match the exploring run)\n"
	"      --no-lockdep       as for explore (must match the exploring run)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 the execution ran clean; 1 it reproduced its finding; 2 bad usage\n"
	"or a token that does not fit; 3 internal error.\n";

enum { OPT_JSON = 256, OPT_FULL, OPT_MAX_STEPS, OPT_RETRY, OPT_NO_LOCKDEP, OPT_HTML };

static const struct option replay_long[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "scenario", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "full-trace", no_argument, NULL, OPT_FULL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "max-steps", required_argument, NULL, OPT_MAX_STEPS },
	{ "retry-bound", required_argument, NULL, OPT_RETRY },
	{ "no-lockdep", no_argument, NULL, OPT_NO_LOCKDEP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct replay_cli {
	struct sim_config cfg;
	struct report_opts ropts;
	const char *file, *scenario, *html;
	bool json;
	bool steps_set, retry_set, lockdep_set;	/* given on the command line */
};

/* "options: --max-steps N --retry-bound N --no-lockdep", the second line of a
 * token file: applied where the command line did not say otherwise. */
static int apply_file_options(struct replay_cli *a, const char *path, char *line)
{
	char *save = NULL, *w = strtok_r(line + strlen("options:"), " \t\r\n", &save);
	uint64_t v;

	for (; w; w = strtok_r(NULL, " \t\r\n", &save)) {
		char *arg = NULL;

		if (!strcmp(w, "--no-lockdep")) {
			if (!a->lockdep_set)
				a->cfg.lockdep = false;
			continue;
		}
		if ((strcmp(w, "--max-steps") && strcmp(w, "--retry-bound")) ||
		    !(arg = strtok_r(NULL, " \t\r\n", &save))) {
			cli_error("replay", "%s:2: unknown option %s (expected --max-steps N,"
					    " --retry-bound N or --no-lockdep)", path, w);
			return -1;
		}
		if (!strcmp(w, "--max-steps")) {
			if (cli_u64("replay", "--max-steps", arg, UINT64_MAX, &v))
				return -1;
			if (!a->steps_set)
				a->cfg.max_steps = v;
		} else {
			if (cli_u64("replay", "--retry-bound", arg, UINT32_MAX, &v))
				return -1;
			if (!a->retry_set)
				a->cfg.retry_bound = (uint32_t)v;
		}
	}
	return 0;
}

/* The token of a token file (its first line, malloc'd) and its options;
 * NULL with an error printed.  At most TOKEN_MAX_DATA and a little is read. */
static char *read_token_file(struct replay_cli *a, const char *path)
{
	size_t cap = TOKEN_MAX_DATA + 4096, n;
	char *buf = malloc(cap + 1), *nl, *line2;
	FILE *fp = fopen(path, "r");

	if (!buf || !fp) {
		if (fp)
			fclose(fp);
		free(buf);
		cli_error("replay", "cannot open %s: %m", path);
		return NULL;
	}
	n = fread(buf, 1, cap, fp);
	fclose(fp);
	buf[n] = 0;
	if (n == cap) {
		cli_error("replay", "%s is longer than a token file can be (%zu bytes)", path, cap);
		free(buf);
		return NULL;
	}
	nl = buf + strcspn(buf, "\r\n");
	if (nl == buf) {
		cli_error("replay", "%s:1:1: the file is empty; expected a schedule token", path);
		free(buf);
		return NULL;
	}
	line2 = *nl ? nl + 1 + (nl[0] == '\r' && nl[1] == '\n') : nl;
	*nl = 0;
	if (!strncmp(line2, "options:", 8) && apply_file_options(a, path, line2)) {
		free(buf);
		return NULL;
	}
	return buf;
}



static int parse_args(struct replay_cli *a, int argc, char **argv)
{
	uint64_t v;
	int c;

	sim_config_default(&a->cfg);
	report_opts_default(&a->ropts);
	a->file = NULL;
	a->scenario = NULL;
	a->html = NULL;
	a->json = false;
	a->steps_set = a->retry_set = a->lockdep_set = false;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:s:qh", replay_long, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(replay_usage, stdout);
			return -1;
		case 'f': a->file = optarg; break;
		case 's': a->scenario = optarg; break;
		case 'q': a->ropts.with_trace = false; break;
		case OPT_JSON: a->json = true; break;
		case OPT_HTML: a->html = optarg; break;
		case OPT_FULL:
			a->ropts.max_events = 0;
			a->ropts.slice = false;
			break;
		case OPT_NO_LOCKDEP:
			a->cfg.lockdep = false;
			a->lockdep_set = true;
			break;
		case OPT_MAX_STEPS:
			if (cli_u64("replay", "--max-steps", optarg, UINT64_MAX, &a->cfg.max_steps))
				return EXIT_USAGE;
			a->steps_set = true;
			break;
		case OPT_RETRY:
			if (cli_u64("replay", "--retry-bound", optarg, UINT32_MAX, &v))
				return EXIT_USAGE;
			a->cfg.retry_bound = (uint32_t)v;
			a->retry_set = true;
			break;
		default:
			cli_bad_option("replay", c, argv);
			return EXIT_USAGE;
		}
	}
	if (!!a->file == (optind < argc) || optind + 1 < argc) {
		cli_error("replay", "give exactly one schedule token, or --file FILE");
		return EXIT_USAGE;
	}
	return 0;
}

/* The program the token is for: the --scenario file's (which must be the
 * token's scenario, unchanged), or the bundled one of the token's name. */
static const struct catalog_entry *token_program(const struct replay_cli *a,
						 const struct sched_token *t, const char *name)
{
	const struct catalog_entry *e;

	if (!a->scenario) {
		if (catalog_load())
			return NULL;
		if (!(e = catalog_find(name)))
			cli_error("replay",
				  "the token is for program \"%s\", which this mmtwin does not have"
				  " (a token made from a scenario file needs --scenario FILE)",
				  name);
		return e;
	}
	if (!catalog_file(a->scenario, false, &e, 1))
		return NULL;
	if (strcmp(e->prog->name, name)) {
		cli_error("replay", "the token is for scenario \"%s\", but %s is scenario \"%s\"",
			  name, a->scenario, e->prog->name);
		return NULL;
	}
	if (explore_program_hash(e->prog, &a->cfg) != t->prog_hash) {
		cli_error("replay",
			  "the scenario in %s changed since the token was made (its text hashes to"
			  " %08x, the token's to %08x): explore it again to get a new token",
			  a->scenario, explore_program_hash(e->prog, &a->cfg), t->prog_hash);
		return NULL;
	}
	return e;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cli a;
	struct sched_token t;
	const struct catalog_entry *e;
	struct explore_result r;
	char *token, *cmd, err[256], name[160], shown[160];
	int rc = parse_args(&a, argc, argv);

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	token = a.file ? read_token_file(&a, a.file) : strdup(argv[optind]);
	if (!token)
		return EXIT_USAGE;
	if (token_decode(token, &t, err, sizeof(err))) {
		cli_error("replay", "%s", err);
		free(token);
		return EXIT_USAGE;
	}
	if (cli_parse_variant("replay", t.program, name, sizeof(name), &a.cfg) ||
	    !(e = token_program(&a, &t, name))) {
		token_free(&t);
		free(token);
		return EXIT_USAGE;
	}
	snprintf(shown, sizeof(shown), "%s", t.program);	/* with its reverted fixes */
	token_free(&t);
	if (explore_replay(e->prog, token, &a.cfg, &r)) {
		cli_error("replay", "%s", r.errmsg);
		explore_result_free(&r);
		free(token);
		return EXIT_USAGE;
	}
	cmd = cli_replay_command(token, a.file, a.scenario, &a.cfg);
	if (a.json) {
		report_json(stdout, shown, &r, cmd, NULL);
	} else if (r.found) {
		report_finding(stdout, shown, &r, cmd, &a.ropts);
	} else {
		printf("%s: the execution ran to the end without a finding\n", shown);
		if (a.ropts.with_trace) {
			putchar('\n');
			struct report_trace t = report_trace_of(&r);

			report_columns(stdout, &t, NULL, &a.ropts);
		}
	}
	rc = r.found ? EXIT_FINDING : EXIT_CLEAN;
	if (a.html) {
		struct cli_out out;

		if (cli_out_open("replay", a.html, &out)) {
			rc = EXIT_USAGE;
		} else {
			report_html_begin(out.fp, shown);
			report_html(out.fp, shown, &r, cmd);
			report_html_end(out.fp);
			if (cli_out_commit("replay", &out))
				rc = EXIT_INTERNAL;
		}
	}
	free(cmd);
	free(token);
	explore_result_free(&r);
	return rc;
}
