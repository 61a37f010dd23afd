/*
 * parse.c - a scenario file as a whole: its lines, the header then the
 * blocks (setup:, cpu N [in P]:, final:) and the statements in them (the
 * header is header.c, a statement statement.c, names names.c), the checks
 * at its end, and the normalised text a schedule token's hash covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/internal.h"

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

void scenario_set_path(struct scenario *sc, const char *path)
{
	free(sc->path);
	if (!(sc->path = strdup(path)))
		abort();
	for (int i = 0; i < sc->nops; i++) {
		free(sc->ops[i].during);
		sc->ops[i].during = op_during(path, &sc->ops[i]);
	}
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	for (int i = 0; i < sc->nops; i++) {
		free(sc->ops[i].text);
		free(sc->ops[i].during);
	}
	free(sc->ops);
	free(sc->summary);
	free(sc->path);
	free(sc->text);
	free(sc->identity);
	free(sc);
}
