/*
 * util.c - option values, error messages and token files for the command.
 */
#include <errno.h>
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

const char *cli_save_token(const char *dir, const char *program, const char *token)
{
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
	if (!fp || fprintf(fp, "%s\n", token) < 0 || fclose(fp)) {
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

char *cli_replay_command(const char *token, const char *path, const char *scenario)
{
	size_t n = strlen(token) + (path ? strlen(path) : 0) + (scenario ? strlen(scenario) : 0) + 64;
	char *cmd = malloc(n), opt[4200] = "";

	if (!cmd)
		return NULL;
	if (scenario)
		snprintf(opt, sizeof(opt), "--scenario %s ", scenario);
	if (strlen(token) <= 1024 || !path)
		snprintf(cmd, n, "mmtwin replay %s%s", opt, token);
	else
		snprintf(cmd, n, "mmtwin replay %s--file %s", opt, path);
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
