/*
 * scenario.h - the scenario language: a race stated in a small text file
 * (*.mmt), parsed into a program the explorer, the stress runner and the
 * sequential runner all execute (docs/SCENARIOS.md is the user's manual).
 *
 * A file has a header (name, summary, configuration, expectations), a
 * sequential `setup:` block, one `cpu N:` block per simulated CPU and an
 * optional `final:` block of end-of-execution expectations.  Every
 * operation is one line; it runs the model kernel's user API (mm/api.h)
 * on the CPU of its block and may state its expected result after `->`.
 * A wrong result is a finding of kind "expectation" naming file:line.
 *
 * Parsing never runs anything and is bounded: a file larger than
 * SCEN_MAX_FILE, or with more than SCEN_MAX_OPS operations or SCEN_MAX_NAMES
 * names, is refused with an error.  Errors are "file:line:col: message".
 *
 * Files: lex.c (tokens), parse.c (the file's structure), header.c (the
 * header lines), statement.c (an operation line and its result), names.c
 * (names), syntax.c (expressions, keyword tables, numbers), ops.c and
 * ops_uffd.c (the operation table: how each operation parses and runs),
 * run.c (the program the explorer runs: names, expectations, the log of
 * `mmtwin run`), bundle.c (the bundled scenarios directory), errors.c
 * (every error message).
 */
#ifndef MMT_SCENARIO_SCENARIO_H
#define MMT_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check/mmprog.h"
#include "mm/kernel.h"
#include "sim/exec.h"

#define SCEN_MAX_FILE (1u << 20)	/* bytes */
#define SCEN_MAX_OPS 4096
#define SCEN_MAX_NAMES 256
#define SCEN_MAX_CPUS 16
#define SCEN_MAX_TERMS 8		/* terms of one address expression */
#define SCEN_MAX_ALTS 8			/* alternatives of one expected result */
#define SCEN_MAX_FIELDS 4		/* output fields of one operation */
#define SCEN_MAX_SWAP 4			/* swap devices */
#define SCEN_MAX_EXPECT 8		/* expect lines */
#define SCEN_NAME_MAX 64
#define SCEN_MAX_PAGE_CHECK (1UL << 30)	/* bytes one final `page` line may cover */

/* ---- names ------------------------------------------------------------- */

enum scen_kind {
	SK_PROCESS,	/* an address space: `main`, `p = process`, `c = fork` */
	SK_MAPPING,	/* an address with a length: `m = mmap ...` */
	SK_FILE,	/* a file object: `f = file 4p` */
	SK_UFFD,	/* a userfaultfd context: `u = userfaultfd` */
	SK_EVENT,	/* a message read from a userfaultfd: `ev = readmsg u` */
};

#define SCEN_SETUP (-1)		/* block number of setup (and of `main`) */
#define SCEN_FINAL (-2)		/* block number of final */

struct scen_name {
	char name[SCEN_NAME_MAX];
	enum scen_kind kind;
	int block;		/* where it is defined: SCEN_SETUP, a CPU, SCEN_FINAL */
	int line;		/* 0: predefined (`main`) */
	bool shared;		/* used by another CPU than the defining one */
};

/* ---- expressions --------------------------------------------------------- */

/* A sum of terms, each a number or an address-valued name. */
struct scen_expr {
	uint8_t nterms;
	struct {
		int8_t sign;	/* +1 or -1 */
		int16_t name;	/* index in scenario.names, or -1 for a number */
		uint64_t num;
	} t[SCEN_MAX_TERMS];
};

/* What a result or an output field may be. */
enum scen_res_kind {
	SR_OK,		/* succeeded (0, or any non-negative value) */
	SR_ERRNO,	/* failed with this errno (positive) */
	SR_VALUE,	/* succeeded with this value */
	SR_ANY,		/* anything */
	SR_EVENT,	/* readmsg: this message kind (UFFD_EVENT_*) */
	SR_STATE,	/* final `page`: a page state (SPS_*) */
};

struct scen_alt {
	uint8_t kind;	/* enum scen_res_kind */
	int64_t v;
};

/* An output field one alternative requires (`EAGAIN move=1p`). */
struct scen_field_expect {
	uint8_t alt;	/* the alternative it belongs to */
	uint8_t field;	/* index in the operation's field list */
	int64_t v;
};

/* The result a line expects: any one alternative, with its fields. */
struct scen_expect {
	uint8_t nalts;	/* 0: the default, SR_OK */
	uint8_t nfields;
	struct scen_alt alt[SCEN_MAX_ALTS];
	struct scen_field_expect f[SCEN_MAX_ALTS * SCEN_MAX_FIELDS];
};

/* Page states a final `page` line can require (a mask of them). */
enum {
	SPS_NONE = 1 << 0,	/* nothing mapped, nothing swapped */
	SPS_PRESENT = 1 << 1,	/* mapped by a PTE or a huge PMD */
	SPS_SWAPPED = 1 << 2,	/* a swap entry */
	SPS_HUGE = 1 << 3,	/* mapped by a huge PMD */
	SPS_ZERO = 1 << 4,	/* mapped to the (huge) zero page */
	SPS_OTHER = 1 << 5,	/* a migration entry or a marker */
};

/* ---- operations ------------------------------------------------------------ */

struct scen_opdef;

struct scen_op {
	const struct scen_opdef *def;
	int line, col;
	int block;		/* SCEN_SETUP, a CPU number, SCEN_FINAL */
	int16_t defines;	/* the name it defines (`x = ...`), or -1 */
	int16_t in;		/* the process it acts in; -1: its block's */
	int16_t obj;		/* the uffd / file / process / cpu it names, or -1 */
	uint8_t nargs;
	bool has_len;		/* the last expression was given (else: the mapping's length) */
	struct scen_expr arg[3];
	uint64_t flags;		/* op-specific: prot, advice, modes, features */
	uint64_t flags2;	/* op-specific: map flags, access size */
	int64_t value;		/* the value written, a count */
	struct scen_expect ex;
	char *text;		/* the line as written, for logs and findings */
	char *during;		/* "cpu1 `text` (file:line:col)": a finding's context */
};

/* ---- the scenario ------------------------------------------------------------ */

struct scen_swap {
	unsigned long slots;
	bool sync;
	int policy;		/* enum swap_alloc_policy */
};

/* An expectation of `explore --all`: clean, or a finding (of one of
 * @kinds / @ids) with the fix @without reverted (NULL: as written). */
struct scen_verdict {
	bool finding;
	char without[48];
	uint32_t kinds;		/* bit k: enum sim_finding_kind k */
	char ids[4][48];
	int nids;
	int strategy;		/* -1 unset, else enum explore_kind */
	int depth;		/* pct depth; 0 unset */
	int bound;		/* dfs bound; -1 unset */
	bool delays;		/* the dfs bound counts delays */
	int line;
};

struct scenario {
	char name[SCEN_NAME_MAX];
	char *summary;
	char *path;		/* as given, for messages */
	char *text;		/* the file's text */
	char *identity;		/* the normalised text: what a token's hash covers */
	int ncpus;
	struct mm_config cfg;
	int nswap;
	struct scen_swap swap[SCEN_MAX_SWAP];
	int nverdicts;
	struct scen_verdict verdict[SCEN_MAX_EXPECT];

	int nnames;
	struct scen_name names[SCEN_MAX_NAMES];

	int nops;
	struct scen_op *ops;	/* setup, then each CPU's block, then final */
	int setup_start, setup_end;
	int cpu_start[SCEN_MAX_CPUS], cpu_end[SCEN_MAX_CPUS];
	int16_t cpu_in[SCEN_MAX_CPUS];	/* the process each CPU acts in */
	int final_start, final_end;

	/* The program the explorer runs (run.c). */
	struct mm_prog mmprog;
	struct sim_program prog;
	FILE *log;		/* `mmtwin run`: each operation and its result */
};

/* Parse @len bytes of @text (need not be NUL-terminated) read from @path.
 * Returns the scenario, or NULL with "path:line:col: message" in @err. */
struct scenario *scenario_parse(const char *path, const char *text, size_t len, char *err,
				size_t errlen);
/* Read and parse a file; NULL with the error in @err. */
struct scenario *scenario_load(const char *path, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
/* Show @sc as coming from @path (in messages and findings). */
void scenario_set_path(struct scenario *sc, const char *path);

/* The program to explore, run or stress (valid while @sc lives). */
const struct sim_program *scenario_program(struct scenario *sc);
/* The scenario a program made by scenario_program() came from, else NULL. */
struct scenario *scenario_of(const struct sim_program *p);

/* The errno of a name ("EAGAIN"), or 0. */
int scen_errno_value(const char *name, size_t len);
const char *scen_errno_name(int err);

/* What an operation returned: an errno, or a value, and its output fields. */
struct scen_result {
	int err;		/* 0 or a positive errno */
	bool has_value;
	int64_t value;
	int event;		/* readmsg: the message kind */
	int nfields;
	int64_t field[SCEN_MAX_FIELDS];
	uint64_t addr;		/* a name it defines: its address */
	uint64_t len;		/* ... and length */
	void *ptr;		/* ... or object */
};

/* Results, as `mmtwin run` shows and checks them (run.c), for any backend
 * that runs a scenario: the model here, the real kernel in src/kernel/. */
/* Does @res match the line's expectation (any alternative, with its fields)? */
bool scen_result_ok(const struct scen_op *op, const struct scen_result *res);
/* "EAGAIN move=-EAGAIN", "100", "ok ioctls=0x13c"; returns @buf. */
const char *scen_show_result(const struct scen_op *op, const struct scen_result *res, char *buf,
			     size_t n);
/* The log line of `mmtwin run`: block, line, text, result and, for a name
 * it defines, its address and length. */
void scen_log_line(FILE *fp, const struct scenario *sc, const struct scen_op *op,
		   const struct scen_result *res);

/* ---- error messages (errors.c) ---------------------------------------------------- */

/* Every message the parser can give, one entry each (the tests run one
 * malformed file per entry: tests/scenarios/bad/<slug>.mmt). */
struct scen_error_def {
	const char *slug;
	const char *fmt;
};
extern const struct scen_error_def scen_errors[];
extern const size_t scen_nerrors;

#endif
