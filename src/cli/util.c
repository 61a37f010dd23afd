/*
 * util.c - option values, error messages and token files for the command.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "mm/fixes.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmtwin %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_bad_option(const char *cmd, int c, char **argv)
{
	char name[80];
	const char *arg = argv[optind - 1], *eq;

	/* A short option in a cluster (-qZ) is named alone; a long one without
	 * its value. */
	if (optopt > 0 && optopt < 128 && !(arg[0] == '-' && arg[1] == '-'))
		snprintf(name, sizeof(name), "-%c", optopt);
	else if ((eq = strchr(arg, '=')))
		snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	else
		snprintf(name, sizeof(name), "%s", arg);
	cli_error(cmd, c == ':' ? "option %s needs a value" : "unknown option %s", name);
	fprintf(stderr, "Try `mmtwin %s --help`.\n", cmd);
}

int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || !*s || *s == '-') {
		cli_error(cmd, "%s needs a non-negative number, got \"%s\"", opt, s ? s : "");
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max) {
		cli_error(cmd, "%s: \"%s\" is not a number between 0 and %llu", opt, s,
			  (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

const char *cli_argv0 = "mmtwin";

static void on_interrupt(int sig)
{
	explore_stop = 1;
	signal(sig, SIG_DFL);
}

void cli_catch_interrupt(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const char *cli_replay_options(const struct sim_config *cfg)
{
	static char buf[128];
	struct sim_config def;
	size_t at = 0;

	sim_config_default(&def);
	buf[0] = 0;
	if (cfg->max_steps != def.max_steps)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, " --max-steps %llu",
				       (unsigned long long)cfg->max_steps);
	if (cfg->retry_bound != def.retry_bound && at < sizeof(buf))
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, " --retry-bound %u",
				       cfg->retry_bound);
	if (!cfg->lockdep && at < sizeof(buf))
		snprintf(buf + at, sizeof(buf) - at, " --no-lockdep");
	return buf[0] ? buf + 1 : buf;
}

const char *cli_save_token(const char *dir, const char *program, const char *token,
			   const struct sim_config *cfg)
{
	const char *opts = cli_replay_options(cfg);
	static char path[4096];
	char tmp[4200];
	FILE *fp;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "mmtwin: warning: cannot create %s: %s; token not saved\n", dir,
			strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s.token", dir, program);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fp = fopen(tmp, "w");
	if (!fp || fprintf(fp, "%s\n", token) < 0 ||
	    (*opts && fprintf(fp, "options: %s\n", opts) < 0) || fclose(fp)) {
		fprintf(stderr, "mmtwin: warning: cannot write %s: %s; token not saved\n", tmp,
			strerror(errno));
		unlink(tmp);
		return NULL;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "mmtwin: warning: cannot rename %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		return NULL;
	}
	return path;
}

char *cli_replay_command(const char *token, const char *path, const char *scenario,
			 const struct sim_config *cfg)
{
	const char *run = cli_replay_options(cfg);
	size_t n = strlen(token) + (path ? strlen(path) : 0) + (scenario ? strlen(scenario) : 0) +
		   strlen(cli_argv0) + strlen(run) + 64;
	char *cmd = malloc(n), opt[4400] = "";

	if (!cmd)
		return NULL;
	snprintf(opt, sizeof(opt), "%s%s%s%s", run, *run ? " " : "", scenario ? "--scenario " : "",
		 scenario ? scenario : "");
	if (scenario)
		strcat(opt, " ");
	if (strlen(token) <= 1024 || !path)
		snprintf(cmd, n, "%s replay %s%s", cli_argv0, opt, token);
	else
		snprintf(cmd, n, "%s replay %s--file %s", cli_argv0, opt, path);
	return cmd;
}

/* The canonical variant string of a set of reverted fixes. */
static void set_variant(struct sim_config *cfg)
{
	static char buf[MM_NR_FIXES * 24 + 1];
	size_t at = 0;

	buf[0] = 0;
	for (int i = 0; i < MM_NR_FIXES; i++)
		if (cfg->model_flags & (1UL << i))
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "~%s", mm_fixes[i].id);
	cfg->variant = at ? buf : NULL;
}

int cli_revert(const char *cmd, const char *id, struct sim_config *cfg)
{
	unsigned long mask = mm_fix_match(id);

	if (!mask) {
		cli_error(cmd, "--revert: no fix \"%s\" (see `mmtwin fixes`)", id);
		return -1;
	}
	cfg->model_flags |= mask;
	set_variant(cfg);
	return 0;
}

int cli_parse_variant(const char *cmd, const char *program, char *name, size_t n,
		      struct sim_config *cfg)
{
	const char *tilde = strchr(program, '~');
	size_t len = tilde ? (size_t)(tilde - program) : strlen(program);

	snprintf(name, n, "%.*s", (int)len, program);
	while (tilde) {
		const char *next = strchr(tilde + 1, '~');
		char id[64];

		snprintf(id, sizeof(id), "%.*s",
			 (int)(next ? (size_t)(next - tilde - 1) : strlen(tilde + 1)), tilde + 1);
		if (cli_revert(cmd, id, cfg))
			return -1;
		tilde = next;
	}
	return 0;
}

int cli_out_open(const char *cmd, const char *path, struct cli_out *o)
{
	if (!*path || strlen(path) >= sizeof(o->path)) {
		cli_error(cmd, "--html: \"%s\" is not a file name", path);
		return -1;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld", path, (long)getpid());
	if (!(o->fp = fopen(o->tmp, "w"))) {
		cli_error(cmd, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_out_commit(const char *cmd, struct cli_out *o)
{
	int bad = ferror(o->fp);

	if (fclose(o->fp) || bad || rename(o->tmp, o->path)) {
		cli_error(cmd, "cannot write %s: %s", o->path, strerror(errno ? errno : EIO));
		unlink(o->tmp);
		o->fp = NULL;
		return -1;
	}
	o->fp = NULL;
	return 0;
}

void cli_out_abort(struct cli_out *o)
{
	if (o->fp) {
		fclose(o->fp);
		unlink(o->tmp);
		o->fp = NULL;
	}
}
