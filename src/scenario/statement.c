/*
 * statement.c - one line of a block: `[NAME =] OPERATION ARGUMENTS [in P]
 * [-> RESULT]`, its alternatives and output fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/internal.h"

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

/* NAME=VALUE, one output field of alternative @alt. */
static void parse_field(struct parser *p, struct scen_op *op, int alt)
{
	const struct scen_opdef *d = op->def;
	const struct scen_tok *t = tok_next(p);
	struct scen_field_expect *f;
	int i = field_index(d, t);
	char show[96];

	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (i < 0)
		perr(p, t, E_NO_FIELD, d->name, show, fields_list(d));
	for (int k = 0; k < op->ex.nfields; k++)
		if (op->ex.f[k].alt == alt && op->ex.f[k].field == i)
			perr(p, t, E_DUP_FIELD, d->fields[i]);
	f = &op->ex.f[op->ex.nfields++];
	f->alt = (uint8_t)alt;
	f->field = (uint8_t)i;
	tok_next(p);	/* the `=` */
	if (d->field_words[i])
		f->v = (int64_t)words_expect_set(p, d->field_words[i]);
	else
		f->v = expect_value(p, "a value");
}

static bool at_field(struct parser *p)
{
	return tok_peek(p)->kind == TK_WORD && tok_is(&p->tok[p->ti + 1], "=");
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
	if (at_field(p) && d->fields[0]) {	/* fields alone: the call succeeded */
		a->kind = SR_OK;
		return;
	}
	/* -EAGAIN as a result: the errno, as the output fields write it. */
	if (tok_is(t, "-") && p->tok[p->ti + 1].kind == TK_WORD &&
	    scen_errno_value(p->tok[p->ti + 1].s, p->tok[p->ti + 1].len) && !(d->flags & OPF_VALUE))
		t = &p->tok[++p->ti];
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

/* ALT [| ALT ...], each ALT a result and its output fields (or fields
 * alone), up to `in` or the end of the line. */
static void parse_result(struct parser *p, struct scen_op *op)
{
	do {
		parse_alt(p, op);
		/* At most one of each field per alternative: ex.f has room. */
		while (at_field(p))
			parse_field(p, op, op->ex.nalts - 1);
	} while (tok_accept(p, "|"));
	if (tok_peek(p)->kind != TK_END && !tok_is(tok_peek(p), "in"))
		perr(p, tok_peek(p), E_EXPECTED,
		     "`|` and another result, an output field (NAME=VALUE) or the end of the line",
		     tok_show(tok_peek(p)));
}

static void check_block(struct parser *p, const struct scen_tok *t, const struct scen_opdef *d)
{
	char show[96];

	snprintf(show, sizeof(show), "%s", tok_show(t));
	if (p->block == SCEN_FINAL && !(d->flags & (OPF_FINAL | OPF_SEQ_ONLY)))
		perr(p, t, E_FINAL_ONLY, show);
	if (p->block >= 0 && (d->flags & OPF_SEQ_ONLY))
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

/* "cpu1 `read a+8` (x.mmt:25:5)" */
char *op_during(const char *path, const struct scen_op *op)
{
	char blk[16], *s;
	size_t n = strlen(op->text) + strlen(path) + 64;

	if (op->block >= 0)
		snprintf(blk, sizeof(blk), "cpu%d", op->block);
	else
		snprintf(blk, sizeof(blk), "%s", op->block == SCEN_SETUP ? "setup" : "final");
	if (!(s = malloc(n)))
		abort();
	snprintf(s, n, "%s `%s` (%s:%d:%d)", blk, op->text, path, op->line, op->col);
	return s;
}

void parse_statement(struct parser *p)
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
	op->during = op_during(p->path, op);
}
