/*
 * lex.c - the scenario language's tokens: one line at a time, words
 * (letters, digits, '_' and '.'), the punctuation = + - | , : and ->, and
 * '#' comments to the end of the line.
 */
#include <stdio.h>
#include <string.h>

#include "scenario/internal.h"

static bool is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static void add_tok(struct parser *p, uint8_t kind, const char *s, size_t len)
{
	struct scen_tok *t;

	if (p->ntok >= SCEN_MAX_TOKS) {
		struct scen_tok at = { TK_WORD, false, (uint16_t)len, (int)(s - p->line) + 1, s };

		perr(p, &at, E_TOO_MANY_TOKENS, SCEN_MAX_TOKS);
	}
	t = &p->tok[p->ntok++];
	t->kind = kind;
	t->space = s > p->line && (s[-1] == ' ' || s[-1] == '\t');
	t->s = s;
	t->len = (uint16_t)(len > 0xffff ? 0xffff : len);
	t->col = (int)(s - p->line) + 1;
}

void lex_line(struct parser *p)
{
	const char *s = p->line, *end = p->line + p->linelen;

	p->ntok = 0;
	p->ti = 0;
	while (s < end) {
		unsigned char c = (unsigned char)*s;

		if (c == '#')
			break;
		if (c == ' ' || c == '\t' || c == '\r') {
			s++;
		} else if (is_word_char(c)) {
			const char *w = s;

			while (s < end && is_word_char((unsigned char)*s))
				s++;
			add_tok(p, TK_WORD, w, (size_t)(s - w));
		} else if (c == '-' && s + 1 < end && s[1] == '>') {
			add_tok(p, TK_PUNCT, s, 2);
			s += 2;
		} else if (c && strchr("=+-|,:", c)) {
			add_tok(p, TK_PUNCT, s, 1);
			s++;
		} else {
			struct scen_tok at = { TK_WORD, false, 1, (int)(s - p->line) + 1, s };
			char show[16];

			if (c >= 0x21 && c < 0x7f)
				snprintf(show, sizeof(show), "'%c'", c);
			else
				snprintf(show, sizeof(show), "byte 0x%02x", c);
			perr(p, &at, E_CHAR, show);
		}
	}
	/* The end of the line is where a next word would go: after the last one. */
	p->tok[p->ntok] = (struct scen_tok){
		TK_END, true, 0,
		p->ntok ? p->tok[p->ntok - 1].col + p->tok[p->ntok - 1].len : 1, end
	};
}

const struct scen_tok *tok_peek(struct parser *p)
{
	return &p->tok[p->ti];
}

const struct scen_tok *tok_next(struct parser *p)
{
	const struct scen_tok *t = &p->tok[p->ti];

	if (t->kind != TK_END)
		p->ti++;
	return t;
}

bool tok_is(const struct scen_tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->kind != TK_END && t->len == n && !memcmp(t->s, s, n);
}

bool tok_accept(struct parser *p, const char *s)
{
	if (!tok_is(tok_peek(p), s))
		return false;
	p->ti++;
	return true;
}

void tok_expect(struct parser *p, const char *s, const char *what)
{
	if (!tok_accept(p, s))
		perr(p, tok_peek(p), E_EXPECTED, what, tok_show(tok_peek(p)));
}

void tok_expect_end(struct parser *p)
{
	const struct scen_tok *t = tok_peek(p);

	if (t->kind == TK_END)
		return;
	if ((tok_is(t, "+") || tok_is(t, "-")) && t->space)
		perr(p, t, E_EXPECTED,
		     "the end of the line (an expression has no space before its + or -)",
		     tok_show(t));
	perr(p, t, E_EXPECTED, "the end of the line", tok_show(t));
}

const char *tok_show(const struct scen_tok *t)
{
	static char buf[96];

	if (t->kind == TK_END)
		return "the end of the line";
	if (t->len > 60)
		snprintf(buf, sizeof(buf), "`%.57s...`", t->s);
	else
		snprintf(buf, sizeof(buf), "`%.*s`", (int)t->len, t->s);
	return buf;
}
