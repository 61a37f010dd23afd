/*
 * internal.h - what the pieces of the scenario parser share: tokens, the
 * parser state, the error helper and the operation table's interface.
 */
#ifndef MMT_SCENARIO_INTERNAL_H
#define MMT_SCENARIO_INTERNAL_H

#include <setjmp.h>

#include "scenario/scenario.h"

#define SCEN_MAX_TOKS 64	/* tokens on one line */

enum scen_tok_kind {
	TK_END,		/* the end of the line */
	TK_WORD,	/* letters, digits, '_' and '.': names, numbers, sizes, keywords */
	TK_PUNCT,	/* = + - | , : and -> */
};

struct scen_tok {
	uint8_t kind;
	bool space;	/* white space before it */
	uint16_t len;
	int col;
	const char *s;
};

/* Error ids, in the order of scen_errors[] (errors.c). */
enum scen_err {
	E_TOO_BIG,
	E_CHAR,
	E_TOO_MANY_TOKENS,
	E_NO_SCENARIO,
	E_EXPECTED,
	E_UNKNOWN_DIRECTIVE,
	E_UNKNOWN_OP,
	E_UNKNOWN_WORD,
	E_HEADER_LATE,
	E_DUP_HEADER,
	E_OP_OUTSIDE,
	E_SECTION_DUP,
	E_CPU_ORDER,
	E_NO_CPU,
	E_CPUS_MISMATCH,
	E_BAD_NAME,
	E_RESERVED,
	E_DUP_NAME,
	E_UNDEF_NAME,
	E_NAME_KIND,
	E_NUMBER,
	E_RANGE,
	E_LIMIT,
	E_FIX,
	E_ACCESS_WORD,
	E_MUST_DEFINE,
	E_CANNOT_DEFINE,
	E_NO_FIELD,
	E_BAD_RESULT,
	E_FINAL_ONLY,
	E_NOT_IN_FINAL,
	E_NO_LENGTH,
	E_SECTION_ORDER,
	E_CONFLICT,
	E_DUP_FIELD,
	E__COUNT
};

struct parser {
	struct scenario *sc;
	const char *path;
	const char *text;
	size_t len, pos;
	int lineno;
	const char *line;	/* the current line (without its newline) */
	size_t linelen;
	struct scen_tok tok[SCEN_MAX_TOKS + 1];
	int ntok, ti;
	int block;		/* the block being read: SCEN_SETUP, a CPU, SCEN_FINAL; */
	bool in_block;		/* false: still in the header */
	int setup_line, final_line, ncpu_blocks, first_block_line;
	int header_line[8];	/* first line of each single-use header directive (H_*) */
	int cpus_line, cpus, cpus_col;	/* an explicit `cpus N` */
	int opcap;
	char *err;
	size_t errlen;
	jmp_buf jb;
};

/* Report an error at @t (NULL: the end of the line) and leave the parse. */
void perr(struct parser *p, const struct scen_tok *t, enum scen_err e, ...)
	__attribute__((noreturn));

/* ---- tokens (lex.c) ---------------------------------------------------- */

/* Split the current line into tokens (comments dropped). */
void lex_line(struct parser *p);
/* The next token / look at it / is it the word or punctuation @s. */
const struct scen_tok *tok_next(struct parser *p);
const struct scen_tok *tok_peek(struct parser *p);
bool tok_is(const struct scen_tok *t, const char *s);
/* Consume the next token if it is @s. */
bool tok_accept(struct parser *p, const char *s);
void tok_expect(struct parser *p, const char *s, const char *what);
void tok_expect_end(struct parser *p);
/* "`foo`" or "the end of the line", for messages (static buffer). */
const char *tok_show(const struct scen_tok *t);

/* ---- syntax pieces (syntax.c) ---------------------------------------- */

/* A keyword table: words (matched case-insensitively, with an optional
 * prefix such as "MADV_") and their values. */
struct scen_word {
	const char *word;
	uint64_t value;
};

struct scen_words {
	const char *what;	/* "a madvise advice" */
	const char *prefix;	/* also accepted in front of each word, or NULL */
	const struct scen_word *w;
};

extern const struct scen_words sw_prot, sw_advice, sw_features, sw_reg_modes, sw_copy_modes,
	sw_zeropage_modes, sw_move_modes, sw_wp_modes, sw_uffd_flags, sw_events, sw_pf_flags,
	sw_states, sw_thp_modes, sw_swap_kinds, sw_swap_policies, sw_finding_kinds;

bool word_lookup(const struct scen_words *ws, const struct scen_tok *t, uint64_t *out);
/* The next token must be a word of @ws. */
uint64_t word_expect(struct parser *p, const struct scen_words *ws);
/* Words of @ws separated by ',' (a flag set). */
uint64_t words_expect_set(struct parser *p, const struct scen_words *ws);
/* "a, b or c", for messages (static buffer). */
const char *words_list(const struct scen_words *ws);

/* A number with an optional size suffix (p, K, M, G); false if @t is not one. */
bool parse_number(const struct scen_tok *t, uint64_t *out, bool *overflow);
uint64_t expect_number(struct parser *p, const char *what, uint64_t min, uint64_t max);
/* A signed value: a number, or '-' and a number or an errno name. */
int64_t expect_value(struct parser *p, const char *what);

/* An expression (sum of numbers and address names). */
void parse_expr(struct parser *p, struct scen_expr *e, const char *what);
bool expr_is_name(const struct scen_expr *e);
/* The constant value of @e, if it has no names. */
bool expr_const(const struct scen_expr *e, uint64_t *out);

/* ---- names (names.c) ----------------------------------------------------- */

/* Look a name up for use in the current block; its kind must be in @kinds
 * (a mask of 1 << SK_*). */
int name_use(struct parser *p, const struct scen_tok *t, unsigned kinds);
/* Define @t as a new name of @kind in the current block. */
int name_define(struct parser *p, const struct scen_tok *t, enum scen_kind kind);
bool is_keyword(const struct scen_tok *t);
/* A letter or '_', then letters, digits or '_'; shorter than SCEN_NAME_MAX. */
bool name_ok(const struct scen_tok *t);

/* ---- the header (header.c) and a statement (statement.c) ------------------ */

/* The single-use header directives (parser.header_line). */
enum { H_SCENARIO, H_SUMMARY, H_CPUS, H_MEMORY, H_UFFD_MOVE, H_EXPECT_CLEAN, H__N };

/* Refuse a second line of single-use directive @h. */
void header_once(struct parser *p, int h, const struct scen_tok *t);
void parse_scenario_name(struct parser *p);
/* The directive @t (already consumed); false for a line that is not part
 * of the identity (expect). */
bool parse_header_directive(struct parser *p, const struct scen_tok *t);
bool is_header_word(const struct scen_tok *t);
/* A `summary` line, read raw (true), or not one (false). */
bool parse_summary(struct parser *p);
void parse_statement(struct parser *p);
/* "cpu1 `read a+8` (x.mmt:25:5)": what a finding made inside @op names. */
char *op_during(const char *path, const struct scen_op *op);
const char *kind_name(enum scen_kind k);

/* ---- operations (ops.c) ------------------------------------------------ */

struct scen_run;

enum {
	OPF_DEFINES = 1 << 0,	/* `NAME = op`: it makes something */
	OPF_MAY_DEFINE = 1 << 1,	/* the name is optional */
	OPF_ACTS = 1 << 2,	/* acts in a process (`in P` allowed) */
	OPF_FINAL = 1 << 3,	/* allowed in final: */
	OPF_SEQ_ONLY = 1 << 4,	/* only in setup: and final: (no CPU runs beside it) */
	OPF_VALUE = 1 << 5,	/* the result is a value (`-> 7`) */
};

struct scen_opdef {
	const char *name;
	unsigned flags;
	enum scen_kind makes;		/* with OPF_DEFINES */
	const char *fields[SCEN_MAX_FIELDS];	/* output fields, NULL-terminated */
	const struct scen_words *field_words[SCEN_MAX_FIELDS];	/* flag-set fields */
	const struct scen_words *results;	/* words allowed as results (events, states) */
	void (*parse)(struct parser *p, struct scen_op *op);
	void (*exec)(struct scen_run *r, const struct scen_op *op, struct scen_result *res);
};

/* The tables (ops.c, ops_uffd.c), each ending with a NULL name. */
extern const struct scen_opdef scen_mm_opdefs[], scen_uffd_opdefs[];
const struct scen_opdef *opdef_find(const struct scen_tok *t);

/* Argument parsing shared by the tables (ops.c). */
#define BADARG (1ULL << 62)	/* op->flags2: pass an argument the kernel cannot read */
void p_addr(struct parser *p, struct scen_op *op, int slot, const char *what);
/* A length in arg[2]; @optional: may be left out after a bare mapping name. */
void p_len(struct parser *p, struct scen_op *op, bool optional);
void p_range(struct parser *p, struct scen_op *op);
int p_obj(struct parser *p, enum scen_kind k);
/* Mode words of @ws (and `badarg` for an ioctl) up to `in`, `->` or the end. */
void p_modes(struct parser *p, struct scen_op *op, const struct scen_words *ws, bool ioctl);
void p_none(struct parser *p, struct scen_op *op);
/* `thp SIZE MODE`, in the header and as an operation (parse.c): the order
 * and the mode (0 never, 1 always, 2 madvise), and its effect on the masks. */
void parse_thp(struct parser *p, int *order, int *mode);
void thp_apply(unsigned long *always, unsigned long *madvise, int order, int mode);

/* ---- the runtime (run.c), for ops.c ---------------------------------------- */

/* The value of an expression / the process an operation acts in / the
 * object a name holds; a name that is not (yet) there is a finding. */
uint64_t run_expr(struct scen_run *r, const struct scen_op *op, const struct scen_expr *e);
uint64_t run_len(struct scen_run *r, const struct scen_op *op);
struct mm_struct *run_mm(struct scen_run *r, const struct scen_op *op);
void *run_obj(struct scen_run *r, const struct scen_op *op, int name);
void run_fail(struct scen_run *r, const struct scen_op *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* The process @op exits (its object, else the one it acts in): operations
 * in it are refused from now on. */
void run_mark_exited(struct scen_run *r, const struct scen_op *op);

#endif
