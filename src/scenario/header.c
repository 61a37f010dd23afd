/*
 * header.c - a scenario's header: scenario, summary, cpus, memory, swap,
 * thp, uffd_move, revert and expect lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explorer.h"
#include "mm/fixes.h"
#include "mm/huge_mm.h"
#include "mm/swap.h"
#include "scenario/internal.h"

/* ---- the header ----------------------------------------------------------------- */

void header_once(struct parser *p, int h, const struct scen_tok *t)
{
	char what[32];

	if (p->header_line[h]) {
		snprintf(what, sizeof(what), "%s%.*s", h == H_EXPECT_CLEAN ? "expect " : "",
			 (int)t->len, t->s);
		perr(p, t, E_DUP_HEADER, what, p->header_line[h]);
	}
	p->header_line[h] = p->lineno;
}

void parse_scenario_name(struct parser *p)
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

bool parse_header_directive(struct parser *p, const struct scen_tok *t)
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

bool is_header_word(const struct scen_tok *t)
{
	static const char *const words[] = { "scenario", "summary", "cpus", "memory", "swap",
					     "thp", "uffd_move", "revert", "expect", NULL };

	for (int i = 0; words[i]; i++)
		if (tok_is(t, words[i]))
			return true;
	return false;
}

/* `summary TEXT`: the rest of the line, as written (up to a '#'). */
bool parse_summary(struct parser *p)
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
