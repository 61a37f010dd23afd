/*
 * cli.h - the mmtwin command: shared pieces of the subcommands.
 */
#ifndef MMT_CLI_CLI_H
#define MMT_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "explore/explorer.h"
#include "report/report.h"

#define MMTWIN_VERSION "0.1.0"

/* Exit statuses, the same for every subcommand. */
enum {
	EXIT_CLEAN = 0,		/* nothing found / as expected */
	EXIT_FINDING = 1,	/* a finding, or --all: a program not as expected */
	EXIT_USAGE = 2,		/* bad usage or input */
	EXIT_INTERNAL = 3,
	EXIT_INTERRUPTED = 130,	/* SIGINT/SIGTERM: 128 + SIGINT, as shells report it */
};

/* SIGINT and SIGTERM set explore_stop: the running exploration or stress
 * run ends and reports what it did; a second signal kills as usual. */
void cli_catch_interrupt(void);

struct scenario;

/* A program the command can run, with what exploring it should produce. */
struct catalog_entry {
	const struct sim_program *prog;
	char name[128];		/* prog->name, or "prog~fix" for a founding race's row */
	const char *revert;	/* the fix this row runs without, or NULL */
	const char *group;
	struct scenario *sc;	/* a scenario's row: its scenario, else NULL */
	const char *path;	/* a scenario given as a file: its path */
	bool has_expectation;	/* else: listed, but --all has nothing to check */
	bool expect_finding;
	uint32_t kinds;		/* a finding of one of these kinds (bit k: kind k) ... */
	const char (*ids)[48];	/* ... or with one of these ids counts */
	int nids;
	int strategy;		/* --all: enum explore_kind, -1: pct for bugs, dfs for clean */
	int pct_depth;		/* the PCT depth that suits it */
	int dfs_bound;		/* buggy: the bound that exposes it; clean: the bound of its
				 * exhaustive check */
	bool dfs_delays;	/* the dfs bound counts delays */
};

/* Load the catalog (the classic programs and the bundled scenarios);
 * 0, or -1 with the error printed (a bundled file is broken). */
int catalog_load(void);
size_t catalog_size(void);
const struct catalog_entry *catalog_at(size_t i);
const struct catalog_entry *catalog_find(const char *name);
/* Does a program argument name a scenario file (a '/' or ".mmt") rather
 * than a bundled program? */
bool catalog_is_file(const char *arg);
/* Load the scenario file @path and return its rows in @rows (the plain
 * row first; with @with_fix_rows also its `expect ... without` rows).
 * Returns the number of rows, or 0 with the error printed. */
size_t catalog_file(const char *path, bool with_fix_rows, const struct catalog_entry **rows,
		    size_t max);
/* Resolve a program argument (a bundled name or a file) for command @cmd:
 * its plain row, or NULL with the error printed. */
const struct catalog_entry *catalog_resolve(const char *cmd, const char *arg);

int cmd_explore(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_fixes(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_kernel_env(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* --revert ID: set the fix's bit in cfg->model_flags and cfg->variant to the
 * canonical "~id~id" form.  Prints an error and returns -1 for an unknown id. */
int cli_revert(const char *cmd, const char *id, struct sim_config *cfg);
/* Split a token's program field "name~id~id" into the name and the reverted
 * fixes; returns -1 (error printed) for an unknown fix. */
int cli_parse_variant(const char *cmd, const char *program, char *name, size_t n,
		      struct sim_config *cfg);

/* Parse a non-negative integer option value; prints an error and returns -1. */
int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t max, uint64_t *out);
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error for getopt's '?' or ':' (@c) in @argv, and the help hint. */
void cli_bad_option(const char *cmd, int c, char **argv);

/* How the command was invoked (argv[0] if it has a '/', else "mmtwin"):
 * printed commands can be pasted. */
extern const char *cli_argv0;

/* The options a replay of an execution under @cfg needs (--max-steps,
 * --retry-bound, --no-lockdep where not the defaults), "" if none; static. */
const char *cli_replay_options(const struct sim_config *cfg);

/* Save @token as DIR/PROGRAM.token (written whole, then renamed into place),
 * with a second line "options: ..." if the run needs any to replay; returns
 * the path (static buffer) or NULL with a warning printed. */
const char *cli_save_token(const char *dir, const char *program, const char *token,
			   const struct sim_config *cfg);

/* The command that replays @token (inline, or from @path when very long);
 * @scenario: the file a scenario given as a file came from, or NULL. */
char *cli_replay_command(const char *token, const char *path, const char *scenario,
			 const struct sim_config *cfg);

/* One sequential execution of scenario row @e on the model (as `mmtwin
 * run`), each operation logged to @log (NULL: none); the outcome line in
 * @finding.  Returns 0 clean, 1 a finding, -1 internal error. */
int cli_run_model(const struct catalog_entry *e, struct sim_config *cfg, FILE *log,
		  char *finding, size_t n);

/* A file written whole or not at all (--html): opened as PATH.tmp.PID,
 * renamed into place by cli_out_commit(), removed by cli_out_abort(). */
struct cli_out {
	FILE *fp;
	char path[4096], tmp[4200];
};

/* 0, or -1 with the error printed (the directory does not exist, ...). */
int cli_out_open(const char *cmd, const char *path, struct cli_out *o);
/* 0, or -1 with the error printed and nothing left behind. */
int cli_out_commit(const char *cmd, struct cli_out *o);
void cli_out_abort(struct cli_out *o);

#endif
