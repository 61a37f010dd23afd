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
};

/* A program the command can run, with what exploring it should produce. */
struct catalog_entry {
	const struct sim_program *prog;
	const char *name;	/* prog->name, or "prog~fix" for a seed variant */
	const char *revert;	/* the fix a seed variant runs without, or NULL */
	const char *group;
	bool expect_finding;
	enum sim_finding_kind expect, also;
	int pct_depth;		/* the PCT depth that suits it */
	int dfs_bound;		/* buggy: the preemption bound that exposes it; clean: the
				 * bound of its exhaustive check */
	bool find_with_dfs;	/* buggy: --all looks for it with dfs, not pct */
	bool dfs_delays;	/* buggy, found with dfs: the bound counts delays */
};

size_t catalog_size(void);
const struct catalog_entry *catalog_at(size_t i);
const struct catalog_entry *catalog_find(const char *name);

int cmd_explore(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_fixes(int argc, char **argv);

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

/* Save @token as DIR/PROGRAM.token (written whole, then renamed into place);
 * returns the path (static buffer) or NULL with a warning printed. */
const char *cli_save_token(const char *dir, const char *program, const char *token);

/* The command that replays @token (inline, or from @path when very long). */
char *cli_replay_command(const char *token, const char *path);

#endif
