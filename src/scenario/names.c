/*
 * names.c - the names a scenario defines (mappings, processes, files,
 * userfaultfds, messages): which words may be names, their kinds, and the
 * rule that a name is defined once, before it is used.
 */
#include <stdio.h>
#include <string.h>

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

bool name_ok(const struct scen_tok *t)
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
