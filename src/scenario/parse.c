/*
 * parse.c - a scenario file's structure: the header (scenario, summary,
 * cpus, memory, swap, thp, uffd_move, revert, expect), the blocks (setup:,
 * cpu N [in P]:, final:), the statements in them (`[NAME =] op args [in P]
 * [-> result]`), the names they define and use, and the normalised text a
 * schedule token's hash covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "explore/explorer.h"
#include "mm/fixes.h"
#include "mm/huge_mm.h"
#include "mm/swap.h"
#include "scenario/internal.h"

/* ---- names ------------------------------------------------------------------ */

/* Words of the language that cannot name anything (besides the operations
 * and the words of the keyword tables). */
static const char *const reserved[] = {
	"in", "main", "ok", "any", "setup", "final", "cpu", "TASK_SIZE", "private", "shared",
	"file", "offset", "fixed", "at", "align", "badarg", "features", "slots", "policy",
	"clean", "finding", "without", "by", "pct", "dfs", "random", "depth", "preemptions",
	"delays", "scenario", "summary", "cpus", "memory", "swap", "uffd_move", "revert",
	"expect", NULL
};

static const struct scen_words *const keyword_tables[] = {
	&sw_prot, &sw_advice, &sw_features, &sw_reg_modes, &sw_copy_modes, &sw_zeropage_modes,
	&sw_move_modes, &sw_wp_modes, &sw_uffd_flags, &sw_events, &sw_pf_flags, &sw_states,
	&sw_thp_modes, &sw_swap_kinds, &sw_swap_policies, &sw_finding_kinds, NULL
};

/* A word of one of the keyword tables (prot, advice, modes, ...): where a
 * length may be left out, such a word is read as the keyword. */
bool is_keyword(const struct scen_tok *t)
{
	uint64_t v;

	for (int i = 0; keyword_tables[i]; i++)
		if (word_lookup(keyword_tables[i], t, &v))
			return true;
	return false;
}

static bool is_reserved(const struct scen_tok *t)
{
	for (int r = 0; reserved[r]; r++)
		if (tok_is(t, reserved[r]))
			return true;
	return opdef_find(t) != NULL;
}

const char *kind_name(enum scen_kind k)
{
	static const char *const names[] = { "a process", "a mapping", "a file", "a userfaultfd",
					     "a message" };

	return names[k];
}

static int name_find(const struct scenario *sc, const struct scen_tok *t)
{
	for (int i = 0; i < sc->nnames; i++)
		if (strlen(sc->names[i].name) == t->len && !memcmp(sc->names[i].name, t->s, t->len))
			return i;
	return -1;
}

static bool name_ok(const struct scen_tok *t)
{
	char c = t->s[0];

	if (t->kind != TK_WORD || t->len >= SCEN_NAME_MAX)
		return false;
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
		return false;
	return !memchr(t->s, '.', t->len);
}

static const char *kinds_name(unsigned kinds)
{
	static char buf[128];
	size_t at = 0;
	int n = __builtin_popcount(kinds), i = 0;

	buf[0] = 0;
	for (int k = 0; k <= SK_EVENT; k++)
		if (kinds & (1u << k)) {
			at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
					       kind_name((enum scen_kind)k),
					       ++i == n ? "" : i + 1 == n ? " or " : ", ");
		}
	return buf;
}

int name_use(struct parser *p, const struct scen_tok *t, unsigned kinds)
{
	struct scenario *sc = p->sc;
	char show[96];
	int i;

	if (t->kind != TK_WORD)
		perr(p, t, E_EXPECTED, kinds_name(kinds), tok_show(t));
	i = name_find(sc, t);
	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (i < 0)
		perr(p, t, E_UNDEF_NAME, show);
	if (!(kinds & (1u << sc->names[i].kind)))
		perr(p, t, E_NAME_KIND, show, kind_name(sc->names[i].kind), kinds_name(kinds));
	/* Defined by another CPU: the use waits until it is there. */
	if (sc->names[i].block >= 0 && p->block >= 0 && sc->names[i].block != p->block)
		sc->names[i].shared = true;
	return i;
}

int name_define(struct parser *p, const struct scen_tok *t, enum scen_kind kind)
{
	struct scenario *sc = p->sc;
	struct scen_name *n;
	char show[96];
	int i;

	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (!name_ok(t))
		perr(p, t, E_BAD_NAME, show);
	if (is_reserved(t))
		perr(p, t, E_RESERVED, show);
	if ((i = name_find(sc, t)) >= 0)
		perr(p, t, E_DUP_NAME, show, sc->names[i].line);
	if (sc->nnames >= SCEN_MAX_NAMES)
		perr(p, t, E_LIMIT, "names", SCEN_MAX_NAMES);
	n = &sc->names[sc->nnames];
	snprintf(n->name, sizeof(n->name), "%.*s", (int)t->len, t->s);
	n->kind = kind;
	n->block = p->block;
	n->line = p->lineno;
	return sc->nnames++;
}

/* ---- the normalised text ------------------------------------------------------- */

/* The tokens of every line that changes what runs (not comments, blank
 * lines, `summary` or `expect`), one line each, single-spaced. */
struct ident_buf {
	char *s;
	size_t len, cap;
};

static void ident_add_line(struct parser *p, struct ident_buf *b)
{
	for (int i = 0; i < p->ntok; i++) {
		size_t need = b->len + p->tok[i].len + 2;

		if (need > b->cap) {
			b->cap = need * 2;
			if (!(b->s = realloc(b->s, b->cap)))
				abort();
		}
		memcpy(b->s + b->len, p->tok[i].s, p->tok[i].len);
		b->len += p->tok[i].len;
		b->s[b->len++] = i + 1 < p->ntok ? ' ' : '\n';
	}
}

/* ---- the header ----------------------------------------------------------------- */

enum { H_SCENARIO, H_SUMMARY, H_CPUS, H_MEMORY, H_UFFD_MOVE, H_EXPECT_CLEAN, H__N };

static void header_once(struct parser *p, int h, const struct scen_tok *t)
{
	char what[32];

	if (p->header_line[h]) {
		snprintf(what, sizeof(what), "%s%.*s", h == H_EXPECT_CLEAN ? "expect " : "",
			 (int)t->len, t->s);
		perr(p, t, E_DUP_HEADER, what, p->header_line[h]);
	}
	p->header_line[h] = p->lineno;
}

static void parse_scenario_name(struct parser *p)
{
	const struct scen_tok *t = tok_next(p);

	if (t->kind != TK_WORD)
		perr(p, t, E_EXPECTED, "the scenario's name", tok_show(t));
	if (!name_ok(t))
		perr(p, t, E_BAD_NAME, tok_show(t));
	snprintf(p->sc->name, sizeof(p->sc->name), "%.*s", (int)t->len, t->s);
	tok_expect_end(p);
}

static void parse_swap(struct parser *p)
{
	struct scenario *sc = p->sc;
	struct scen_swap *s;

	if (sc->nswap >= SCEN_MAX_SWAP)
		perr(p, &p->tok[0], E_LIMIT, "swap devices", SCEN_MAX_SWAP);
	s = &sc->swap[sc->nswap++];
	s->sync = word_expect(p, &sw_swap_kinds);
	s->slots = 0;
	s->policy = SWAP_ALLOC_CLUSTER;
	while (tok_peek(p)->kind != TK_END) {
		if (tok_accept(p, "slots")) {
			tok_expect(p, "=", "`=`");
			s->slots = expect_number(p, "a number of slots", 1, 1u << 20);
		} else if (tok_accept(p, "policy")) {
			tok_expect(p, "=", "`=`");
			s->policy = (int)word_expect(p, &sw_swap_policies);
		} else {
			perr(p, tok_peek(p), E_EXPECTED, "slots=N or policy=P", tok_show(tok_peek(p)));
		}
	}
	if (!s->slots)
		perr(p, NULL, E_EXPECTED, "slots=N", "the end of the line");
}

static void parse_revert(struct parser *p)
{
	const struct scen_tok *t = tok_next(p);
	char id[48];
	unsigned long mask;

	if (t->kind != TK_WORD)
		perr(p, t, E_EXPECTED, "a fix id", tok_show(t));
	snprintf(id, sizeof(id), "%.*s", (int)t->len, t->s);
	if (!(mask = mm_fix_match(id)))
		perr(p, t, E_FIX, tok_show(t));
	p->sc->cfg.fixes_reverted |= mask;
	tok_expect_end(p);
}

/* by pct [depth=N] | by dfs preemptions=N | by dfs delays=N | by random */
static void parse_by(struct parser *p, struct scen_verdict *v)
{
	const struct scen_tok *t = tok_next(p);

	if (tok_is(t, "pct")) {
		v->strategy = EXPLORE_PCT;
		if (tok_accept(p, "depth")) {
			tok_expect(p, "=", "`=`");
			v->depth = (int)expect_number(p, "a PCT depth", 1, 16);
		}
	} else if (tok_is(t, "random")) {
		v->strategy = EXPLORE_RANDOM;
	} else if (tok_is(t, "dfs")) {
		v->strategy = EXPLORE_DFS;
		if (tok_accept(p, "delays"))
			v->delays = true;
		else
			tok_expect(p, "preemptions", "preemptions=N or delays=N");
		tok_expect(p, "=", "`=`");
		v->bound = (int)expect_number(p, "a bound", 0, 64);
	} else {
		perr(p, t, E_EXPECTED, "pct, dfs or random", tok_show(t));
	}
}

/* A word of lower-case letters only. */
static bool is_plain_word(const struct scen_tok *t)
{
	if (t->kind != TK_WORD)
		return false;
	for (int i = 0; i < t->len; i++)
		if (t->s[i] < 'a' || t->s[i] > 'z')
			return false;
	return true;
}

/* A finding kind, or an id as written ("INV-1", "general protection fault"). */
static void parse_finding_what(struct parser *p, struct scen_verdict *v)
{
	const struct scen_tok *t = tok_peek(p);
	size_t at = 0;
	char *id;
	uint64_t k;

	if (t->kind != TK_WORD)
		perr(p, t, E_EXPECTED, "a finding kind or id", tok_show(t));
	if (word_lookup(&sw_finding_kinds, t, &k)) {
		tok_next(p);
		v->kinds |= 1u << k;
		return;
	}
	/* Ids have capitals, digits, '-', '_' or spaces (INV-1, BUG_ON,
	 * use-after-free, general protection fault); one lower-case word is a
	 * kind misspelt. */
	if (is_plain_word(t) && (p->tok[p->ti + 1].kind == TK_END || tok_is(&p->tok[p->ti + 1], "|") ||
				 tok_is(&p->tok[p->ti + 1], "without") ||
				 tok_is(&p->tok[p->ti + 1], "by")))
		perr(p, t, E_UNKNOWN_WORD, tok_show(t), "a finding kind",
		     "invariant, bug, deadlock, lock_order, lock_misuse, livelock, step_limit,"
		     " expectation, or an id as findings print it: INV-1, VM_BUG_ON_FOLIO, ...");
	if (v->nids >= 4)
		perr(p, t, E_LIMIT, "finding ids", 4);
	id = v->ids[v->nids++];
	/* As written, with one space wherever the line had some. */
	while (tok_peek(p)->kind != TK_END && !tok_is(tok_peek(p), "|") &&
	       !tok_is(tok_peek(p), "without") && !tok_is(tok_peek(p), "by")) {
		const struct scen_tok *w = tok_next(p);

		at += (size_t)snprintf(id + at, at < 48 ? 48 - at : 0, "%s%.*s",
				       w != t && w->space ? " " : "", (int)w->len, w->s);
		if (at >= 48)
			perr(p, t, E_LIMIT, "characters in a finding id", 47);
	}
}

static void parse_expect(struct parser *p)
{
	struct scenario *sc = p->sc;
	struct scen_verdict *v;
	const struct scen_tok *t = tok_next(p);

	if (sc->nverdicts >= SCEN_MAX_EXPECT)
		perr(p, t, E_LIMIT, "expect lines", SCEN_MAX_EXPECT);
	v = &sc->verdict[sc->nverdicts++];
	memset(v, 0, sizeof(*v));
	v->strategy = -1;
	v->bound = -1;
	v->line = p->lineno;
	if (tok_is(t, "clean")) {
		header_once(p, H_EXPECT_CLEAN, t);
	} else if (tok_is(t, "finding")) {
		v->finding = true;
		do
			parse_finding_what(p, v);
		while (tok_accept(p, "|"));
		if (tok_accept(p, "without")) {
			const struct scen_tok *f = tok_next(p);

			if (f->kind != TK_WORD)
				perr(p, f, E_EXPECTED, "a fix id", tok_show(f));
			snprintf(v->without, sizeof(v->without), "%.*s", (int)f->len, f->s);
			if (!mm_fix_match(v->without))
				perr(p, f, E_FIX, tok_show(f));
		}
	} else {
		perr(p, t, E_EXPECTED, "clean or finding", tok_show(t));
	}
	if (tok_accept(p, "by"))
		parse_by(p, v);
	tok_expect_end(p);
}

/* thp SIZE never|always|madvise */
void parse_thp(struct parser *p, int *order, int *mode)
{
	const struct scen_tok *t = tok_peek(p);
	uint64_t size = expect_number(p, "a THP size (16K to 2M)", 16u << 10, PMD_SIZE);

	if (size & (size - 1))
		perr(p, t, E_NUMBER, tok_show(t), "a THP size (a power of two from 16K to 2M)");
	*order = __builtin_ctzll(size) - PAGE_SHIFT;
	*mode = (int)word_expect(p, &sw_thp_modes);
}

void thp_apply(unsigned long *always, unsigned long *madvise, int order, int mode)
{
	*always &= ~(1UL << order);
	*madvise &= ~(1UL << order);
	if (mode == 1)
		*always |= 1UL << order;
	else if (mode == 2)
		*madvise |= 1UL << order;
}

static bool parse_header_directive(struct parser *p, const struct scen_tok *t)
{
	struct scenario *sc = p->sc;

	if (tok_is(t, "cpus")) {
		header_once(p, H_CPUS, t);
		p->cpus = (int)expect_number(p, "a number of CPUs", 1, SCEN_MAX_CPUS);
		p->cpus_line = p->lineno;
		p->cpus_col = t->col;
	} else if (tok_is(t, "memory")) {
		header_once(p, H_MEMORY, t);
		sc->cfg.nr_pages = expect_number(p, "a memory size", 4u << 20, 1u << 30) / PAGE_SIZE;
	} else if (tok_is(t, "swap")) {
		parse_swap(p);
	} else if (tok_is(t, "thp")) {
		int order, mode;

		parse_thp(p, &order, &mode);
		thp_apply(&sc->cfg.thp_always, &sc->cfg.thp_madvise, order, mode);
	} else if (tok_is(t, "uffd_move")) {
		header_once(p, H_UFFD_MOVE, t);
		if (tok_accept(p, "v6.18"))
			sc->cfg.uffd_move_batch = true;
		else
			tok_expect(p, "v6.17", "v6.17 or v6.18");
	} else if (tok_is(t, "revert")) {
		parse_revert(p);
		return true;
	} else if (tok_is(t, "expect")) {
		parse_expect(p);
		return false;
	} else {
		return false;
	}
	tok_expect_end(p);
	return true;
}

static bool is_header_word(const struct scen_tok *t)
{
	static const char *const words[] = { "scenario", "summary", "cpus", "memory", "swap",
					     "thp", "uffd_move", "revert", "expect", NULL };

	for (int i = 0; words[i]; i++)
		if (tok_is(t, words[i]))
			return true;
	return false;
}

/* ---- blocks ------------------------------------------------------------------- */

static bool is_block_header(struct parser *p)
{
	const struct scen_tok *t = &p->tok[0];

	if (tok_is(&p->tok[1], "="))
		return false;	/* a statement: `cpu = ...` is refused as a name */
	return tok_is(t, "setup") || tok_is(t, "final") || tok_is(t, "cpu");
}

static void parse_block_header(struct parser *p)
{
	struct scenario *sc = p->sc;
	const struct scen_tok *t = tok_next(p);

	if (tok_is(t, "setup")) {
		if (p->setup_line)
			perr(p, t, E_SECTION_DUP, "setup:", p->setup_line);
		if (p->ncpu_blocks || p->final_line)
			perr(p, t, E_SECTION_ORDER, "setup:", "before the cpu blocks");
		p->setup_line = p->lineno;
		p->block = SCEN_SETUP;
	} else if (tok_is(t, "final")) {
		if (p->final_line)
			perr(p, t, E_SECTION_DUP, "final:", p->final_line);
		p->final_line = p->lineno;
		p->block = SCEN_FINAL;
	} else {
		const struct scen_tok *n = tok_peek(p);
		uint64_t cpu;
		char show[96];

		snprintf(show, sizeof(show), "%.*s", (int)n->len, n->s);
		if (p->final_line)
			perr(p, t, E_SECTION_ORDER, "a cpu block", "before final:");
		cpu = expect_number(p, "a CPU number", 0, SCEN_MAX_CPUS - 1);
		if ((int)cpu != p->ncpu_blocks)
			perr(p, n, E_CPU_ORDER, p->ncpu_blocks, show);
		p->block = (int)cpu;
		p->ncpu_blocks++;
		sc->cpu_in[cpu] = 0;	/* main */
		if (tok_accept(p, "in"))
			sc->cpu_in[cpu] = (int16_t)name_use(p, tok_next(p), 1u << SK_PROCESS);
	}
	tok_expect(p, ":", "`:`");
	tok_expect_end(p);
	if (!p->in_block)
		p->first_block_line = p->lineno;
	p->in_block = true;
}

/* ---- statements ------------------------------------------------------------------ */

static struct scen_op *op_new(struct parser *p)
{
	struct scenario *sc = p->sc;

	if (sc->nops >= SCEN_MAX_OPS)
		perr(p, &p->tok[0], E_LIMIT, "operations", SCEN_MAX_OPS);
	if (sc->nops == p->opcap) {
		p->opcap = p->opcap ? 2 * p->opcap : 64;
		if (!(sc->ops = realloc(sc->ops, (size_t)p->opcap * sizeof(*sc->ops))))
			abort();
	}
	memset(&sc->ops[sc->nops], 0, sizeof(sc->ops[0]));
	return &sc->ops[sc->nops++];
}

static int field_index(const struct scen_opdef *d, const struct scen_tok *t)
{
	for (int i = 0; i < SCEN_MAX_FIELDS && d->fields[i]; i++)
		if (tok_is(t, d->fields[i]))
			return i;
	return -1;
}

static const char *fields_list(const struct scen_opdef *d)
{
	static char buf[128];
	size_t at = 0;

	buf[0] = 0;
	if (!d->fields[0])
		return "it has none";
	at += (size_t)snprintf(buf, sizeof(buf), "it has");
	for (int i = 0; i < SCEN_MAX_FIELDS && d->fields[i]; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, " %s=", d->fields[i]);
	return buf;
}

static void parse_field(struct parser *p, struct scen_op *op)
{
	const struct scen_opdef *d = op->def;
	const struct scen_tok *t = tok_next(p);
	struct scen_field_expect *f;
	int i = field_index(d, t);
	char show[96];

	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (t->kind != TK_WORD || !tok_is(tok_peek(p), "="))
		perr(p, t, E_EXPECTED, "`|` and another result, an output field (NAME=VALUE) or the"
				       " end of the line", show);
	if (i < 0)
		perr(p, t, E_NO_FIELD, d->name, show, fields_list(d));
	if (op->ex.nfields >= SCEN_MAX_FIELDS)
		perr(p, t, E_LIMIT, "output fields", SCEN_MAX_FIELDS);
	f = &op->ex.f[op->ex.nfields++];
	f->field = (uint8_t)i;
	tok_next(p);	/* the `=` */
	do {
		if (f->nalts >= SCEN_MAX_ALTS)
			perr(p, tok_peek(p), E_LIMIT, "alternatives", SCEN_MAX_ALTS);
		if (d->field_words[i])
			f->v[f->nalts++] = (int64_t)words_expect_set(p, d->field_words[i]);
		else
			f->v[f->nalts++] = expect_value(p, "a value");
	} while (tok_accept(p, "|"));
}

static const char *results_list(const struct scen_opdef *d)
{
	static char buf[600];

	if (d->results == &sw_states) {
		snprintf(buf, sizeof(buf), "expected any or %s", words_list(d->results));
		return buf;
	}
	snprintf(buf, sizeof(buf), "expected ok, any, an errno%s%s%s",
		 d->flags & OPF_VALUE ? ", a value" : "", d->results ? ", " : "",
		 d->results ? words_list(d->results) : "");
	return buf;
}

static void parse_alt(struct parser *p, struct scen_op *op)
{
	const struct scen_opdef *d = op->def;
	const struct scen_tok *t = tok_peek(p);
	struct scen_alt *a;
	uint64_t w;
	int e;

	if (op->ex.nalts >= SCEN_MAX_ALTS)
		perr(p, t, E_LIMIT, "alternatives", SCEN_MAX_ALTS);
	a = &op->ex.alt[op->ex.nalts++];
	if (d->results == &sw_states && !tok_is(t, "any") && !word_lookup(d->results, t, &w)) {
		char show[96];

		snprintf(show, sizeof(show), "%s", tok_show(t));
		if (t->kind == TK_END)
			perr(p, t, E_EXPECTED, "a page state", show);
		perr(p, t, E_BAD_RESULT, show, d->name, results_list(d));
	}
	if (tok_accept(p, "ok")) {
		a->kind = SR_OK;
	} else if (tok_accept(p, "any")) {
		a->kind = SR_ANY;
	} else if (t->kind == TK_WORD && (e = scen_errno_value(t->s, t->len))) {
		tok_next(p);
		a->kind = SR_ERRNO;
		a->v = e;
	} else if (d->results && word_lookup(d->results, t, &w)) {
		tok_next(p);
		a->kind = d->results == &sw_states ? SR_STATE : SR_EVENT;
		a->v = (int64_t)w;
	} else if ((d->flags & OPF_VALUE) && (tok_is(t, "-") || t->kind == TK_WORD)) {
		a->kind = SR_VALUE;
		a->v = expect_value(p, "a value");
	} else {
		char show[96];

		snprintf(show, sizeof(show), "%s", tok_show(t));
		if (t->kind == TK_END)
			perr(p, t, E_EXPECTED, "a result", show);
		perr(p, t, E_BAD_RESULT, show, d->name, results_list(d));
	}
}

static void parse_result(struct parser *p, struct scen_op *op)
{
	if (tok_peek(p)->kind == TK_END || !tok_is(&p->tok[p->ti + 1], "="))
		do
			parse_alt(p, op);
		while (tok_accept(p, "|"));
	while (tok_peek(p)->kind != TK_END && !tok_is(tok_peek(p), "in"))
		parse_field(p, op);
}

static void check_block(struct parser *p, const struct scen_tok *t, const struct scen_opdef *d)
{
	char show[96];

	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (p->block == SCEN_FINAL && !(d->flags & (OPF_FINAL | OPF_FINAL_ONLY)))
		perr(p, t, E_FINAL_ONLY, show);
	if (p->block != SCEN_FINAL && (d->flags & OPF_FINAL_ONLY))
		perr(p, t, E_NOT_IN_FINAL, show);
}

static char *line_text(struct parser *p)
{
	const struct scen_tok *first = &p->tok[0], *last = &p->tok[p->ntok - 1];
	size_t n = (size_t)(last->s + last->len - first->s);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, first->s, n);
	s[n] = 0;
	return s;
}

static void parse_statement(struct parser *p)
{
	const struct scen_tok *t = tok_next(p), *defname = NULL;
	const struct scen_opdef *d;
	struct scen_op *op;

	if (tok_is(tok_peek(p), "=")) {
		defname = t;
		tok_next(p);
		t = tok_next(p);
	}
	if (!(d = opdef_find(t))) {
		if (t->kind != TK_WORD)
			perr(p, t, E_EXPECTED, "an operation", tok_show(t));
		perr(p, t, E_UNKNOWN_OP, tok_show(t));
	}
	check_block(p, t, d);
	if (!defname && (d->flags & OPF_DEFINES) && !(d->flags & OPF_MAY_DEFINE))
		perr(p, t, E_MUST_DEFINE, d->name, kind_name(d->makes), d->name);
	if (defname && !(d->flags & OPF_DEFINES))
		perr(p, defname, E_CANNOT_DEFINE, d->name);
	op = op_new(p);
	op->def = d;
	op->line = p->lineno;
	op->col = p->tok[0].col;
	op->block = p->block;
	op->defines = op->in = op->obj = -1;
	d->parse(p, op);
	if ((d->flags & OPF_ACTS) && tok_accept(p, "in"))
		op->in = (int16_t)name_use(p, tok_next(p), 1u << SK_PROCESS);
	if (tok_accept(p, "->"))
		parse_result(p, op);
	/* `in P` may also follow the result. */
	if ((d->flags & OPF_ACTS) && op->in < 0 && tok_accept(p, "in"))
		op->in = (int16_t)name_use(p, tok_next(p), 1u << SK_PROCESS);
	tok_expect_end(p);
	if (d->results == &sw_states && !op->ex.nalts)
		perr(p, tok_peek(p), E_EXPECTED, "`->` and the page state", tok_show(tok_peek(p)));
	if (defname)
		op->defines = (int16_t)name_define(p, defname, d->makes);
	op->text = line_text(p);
}

/* ---- lines ------------------------------------------------------------------------ */

static bool next_line(struct parser *p)
{
	const char *nl;

	if (p->pos >= p->len)
		return false;
	p->line = p->text + p->pos;
	nl = memchr(p->line, '\n', p->len - p->pos);
	p->linelen = nl ? (size_t)(nl - p->line) : p->len - p->pos;
	p->pos += p->linelen + (nl ? 1 : 0);
	p->lineno++;
	return true;
}

/* `summary TEXT`: the rest of the line, as written (up to a '#'). */
static bool parse_summary(struct parser *p)
{
	const char *s = p->line, *end = p->line + p->linelen, *hash;
	struct scen_tok t;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) < 7 || memcmp(s, "summary", 7) ||
	    (s + 7 < end && s[7] != ' ' && s[7] != '\t' && s[7] != '\r' && s[7] != '#' &&
	     s[7] != ':'))
		return false;
	t = (struct scen_tok){ TK_WORD, false, 7, (int)(s - p->line) + 1, s };
	if (p->in_block)
		perr(p, &t, E_HEADER_LATE, "`summary`", p->first_block_line);
	if (!p->sc->name[0])
		perr(p, &t, E_NO_SCENARIO, "`summary`");
	header_once(p, H_SUMMARY, &t);
	s += 7;
	if (s < end && *s == ':') {
		t = (struct scen_tok){ TK_PUNCT, false, 1, (int)(s - p->line) + 1, s };
		perr(p, &t, E_EXPECTED, "a space and the text", "`:`");
	}
	if (end > s && (hash = memchr(s, '#', (size_t)(end - s))))
		end = hash;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	free(p->sc->summary);
	if (!(p->sc->summary = strndup(s, (size_t)(end - s))))
		abort();
	return true;
}

static void parse_line(struct parser *p, struct ident_buf *ib)
{
	const struct scen_tok *t;

	if (parse_summary(p))
		return;
	lex_line(p);
	if (!p->ntok)
		return;
	t = &p->tok[0];
	if (!p->sc->name[0]) {
		if (!tok_is(t, "scenario"))
			perr(p, t, E_NO_SCENARIO, tok_show(t));
		tok_next(p);
		header_once(p, H_SCENARIO, t);
		parse_scenario_name(p);
		ident_add_line(p, ib);
		return;
	}
	if (is_block_header(p)) {
		parse_block_header(p);
	} else if (p->in_block && opdef_find(t)) {
		parse_statement(p);
	} else if (is_header_word(t)) {
		char what[32];

		if (p->in_block) {
			snprintf(what, sizeof(what), "%s", tok_show(t));
			perr(p, t, E_HEADER_LATE, what, p->first_block_line);
		}
		if (tok_is(t, "scenario"))
			header_once(p, H_SCENARIO, t);
		tok_next(p);
		if (!parse_header_directive(p, t))
			return;	/* expect lines are not part of the identity */
	} else if (!p->in_block) {
		if (tok_is(&p->tok[1], "=") && p->tok[2].kind == TK_WORD)
			perr(p, t, E_OP_OUTSIDE, tok_show(&p->tok[2]));
		if (opdef_find(t))
			perr(p, t, E_OP_OUTSIDE, tok_show(t));
		perr(p, t, E_UNKNOWN_DIRECTIVE, tok_show(t));
	} else {
		parse_statement(p);
	}
	ident_add_line(p, ib);
}

/* ---- the whole file ------------------------------------------------------------------- */

static void block_ranges(struct scenario *sc)
{
	sc->setup_start = sc->setup_end = 0;
	for (int i = 0; i < sc->ncpus; i++)
		sc->cpu_start[i] = sc->cpu_end[i] = 0;
	sc->final_start = sc->final_end = sc->nops;
	for (int i = sc->nops - 1; i >= 0; i--) {
		const struct scen_op *op = &sc->ops[i];

		if (op->block == SCEN_SETUP) {
			if (!sc->setup_end)
				sc->setup_end = i + 1;
		} else if (op->block == SCEN_FINAL) {
			sc->final_start = i;
		} else {
			if (!sc->cpu_end[op->block])
				sc->cpu_end[op->block] = i + 1;
			sc->cpu_start[op->block] = i;
		}
	}
	/* Empty blocks: an empty range where their neighbours end. */
	for (int i = 0, at = sc->setup_end; i < sc->ncpus; i++) {
		if (!sc->cpu_end[i])
			sc->cpu_start[i] = sc->cpu_end[i] = at;
		at = sc->cpu_end[i];
	}
}

static void finish(struct parser *p)
{
	struct scenario *sc = p->sc;

	if (!sc->name[0]) {
		p->lineno = 1;
		perr(p, &(struct scen_tok){ TK_END, false, 0, 1, "" }, E_NO_SCENARIO,
		     "the end of the file");
	}
	if (!p->ncpu_blocks)
		perr(p, NULL, E_NO_CPU);
	if (p->cpus_line && p->cpus != p->ncpu_blocks) {
		p->lineno = p->cpus_line;
		perr(p, &(struct scen_tok){ TK_WORD, false, 4, p->cpus_col, "cpus" }, E_CPUS_MISMATCH, p->cpus,
		     p->cpus_line, p->ncpu_blocks);
	}
	sc->ncpus = p->ncpu_blocks;
	for (int i = 0; i < sc->nops; i++) {
		const struct scen_op *op = &sc->ops[i];

		if (!strcmp(op->def->name, "kill") && op->value >= sc->ncpus) {
			char v[24];

			p->lineno = op->line;
			snprintf(v, sizeof(v), "`%lld`", (long long)op->value);
			perr(p, &(struct scen_tok){ TK_WORD, false, 1, (int)op->flags2, "" }, E_RANGE,
			     "a CPU number",
			     v, 0ULL, (unsigned long long)sc->ncpus - 1);
		}
	}
	block_ranges(sc);
}

static struct scenario *scenario_new(const char *path, const char *text, size_t len)
{
	struct scenario *sc = calloc(1, sizeof(*sc));

	if (!sc || !(sc->path = strdup(path)) || !(sc->text = malloc(len + 1)))
		abort();
	memcpy(sc->text, text, len);
	sc->text[len] = 0;
	mm_config_default(&sc->cfg);
	snprintf(sc->names[0].name, sizeof(sc->names[0].name), "main");
	sc->names[0].kind = SK_PROCESS;
	sc->names[0].block = SCEN_SETUP;
	sc->nnames = 1;
	return sc;
}

struct scenario *scenario_parse(const char *path, const char *text, size_t len, char *err,
				size_t errlen)
{
	struct parser p;
	struct ident_buf ib = { NULL, 0, 0 };

	if (len > SCEN_MAX_FILE) {
		snprintf(err, errlen, "%s:1:1: ", path);
		snprintf(err + strlen(err), errlen - strlen(err), scen_errors[E_TOO_BIG].fmt,
			 SCEN_MAX_FILE);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.sc = scenario_new(path, text, len);
	p.path = path;
	p.text = p.sc->text;
	p.len = len;
	p.block = SCEN_SETUP;
	p.err = err;
	p.errlen = errlen;
	if (setjmp(p.jb)) {
		free(ib.s);
		scenario_free(p.sc);
		return NULL;
	}
	while (next_line(&p))
		parse_line(&p, &ib);
	finish(&p);
	if (!(p.sc->identity = realloc(ib.s, ib.len + 1)))
		abort();
	p.sc->identity[ib.len] = 0;
	return p.sc;
}

struct scenario *scenario_load(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	struct scenario *sc;
	char *buf;
	size_t n;

	if (!fp) {
		snprintf(err, errlen, "%s: cannot read the file: %m", path);
		return NULL;
	}
	if (!(buf = malloc(SCEN_MAX_FILE + 1)))
		abort();
	n = fread(buf, 1, SCEN_MAX_FILE + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: cannot read the file: %m", path);
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	sc = scenario_parse(path, buf, n, err, errlen);
	free(buf);
	return sc;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (int i = 0; i < sc->nops; i++)
		free(sc->ops[i].text);
	free(sc->ops);
	free(sc->summary);
	free(sc->path);
	free(sc->text);
	free(sc->identity);
	free(sc);
}
