/*
 * story.c - the few lines above the columns that tell a finding as a story:
 * one line per user operation of the slice, in the order they began, with
 * what it read (the failing CPU) and changed (any CPU) of the named objects
 * - "cpu1 `madvise q pageout`: swap_cache[S1] = folio B, q_pte[0] = swp(S1)"
 * - then why the check broke (the finding's message names it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

#define STORY_LINES 8
#define STORY_WIDTH 116

struct story_line {
	int cpu;
	size_t mark;		/* the event that began the operation */
	char text[STORY_WIDTH + 1];
	size_t len;
	bool full;
};

/* Append one step to the line of its operation ("..." once it is full). */
static void step(struct story_line *l, const char *what)
{
	size_t n = strlen(what);

	if (l->full)
		return;
	if (l->len + n + 2 > STORY_WIDTH - 4) {
		snprintf(l->text + l->len, sizeof(l->text) - l->len, ", ...");
		l->len = strlen(l->text);
		l->full = true;
		return;
	}
	snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s%s",
		 l->text[l->len - 1] == ':' ? " " : ", ", what);
	l->len = strlen(l->text);
}

/* The writes that change the state of the story (the PTE, the swap cache,
 * where a folio belongs), and the failing CPU's reads of them. */
static bool story_step(const struct report_trace *t, size_t i, int failing)
{
	const struct sim_event *e = &t->ev[i];
	const char *obj = t->desc[i].obj ? t->pool + t->desc[i].obj : "";
	char cls = sim_op_class((enum sim_op)e->op);

	if (!*obj || !t->desc[i].val)
		return false;
	if (!strstr(obj, "_pte[") && !strstr(obj, "swap_cache[") && !strstr(obj, "->index") &&
	    !strstr(obj, "_pmd"))
		return false;
	return cls != 'R' || e->cpu == failing;
}

/* Why a re-check passed: the failing CPU read a key object twice with the
 * same value, and other CPUs wrote it in between (an ABA: a swap entry
 * freed and reused, a PTE changed and changed back).  The latest such pair
 * before the failure; false if there is none. */
#define WHY_CANDIDATES 200

static bool key_object(const char *obj)
{
	return strstr(obj, "_pte[") || strstr(obj, "_pmd") || strstr(obj, "swap_cache[");
}

static const char *str_of(const struct report_trace *t, uint32_t off)
{
	return off ? t->pool + off : "";
}

static bool story_why(const struct report_trace *t, int failing, char *buf, size_t len)
{
	int tried = 0;

	if (failing < 0)
		return false;
	for (size_t j = t->n; j-- > 0 && tried < WHY_CANDIDATES;) {
		const struct sim_event *e = &t->ev[j];
		const char *obj = str_of(t, t->desc[j].obj), *val = str_of(t, t->desc[j].val);
		bool by[SIM_MAX_CPUS] = { false }, changed = false;
		size_t i;

		if (e->cpu != failing || sim_op_class((enum sim_op)e->op) != 'R' ||
		    !key_object(obj) || !*val)
			continue;
		tried++;
		for (i = j; i-- > 0;) {
			const struct sim_event *p = &t->ev[i];

			if (strcmp(str_of(t, t->desc[i].obj), obj))
				continue;
			if (p->cpu == failing && sim_op_class((enum sim_op)p->op) == 'R')
				break;
			if (p->cpu != failing && sim_op_class((enum sim_op)p->op) != 'R' &&
			    p->cpu < SIM_MAX_CPUS) {
				by[p->cpu] = true;
				changed = true;
			}
		}
		if (i == (size_t)-1 || !changed || strcmp(str_of(t, t->desc[i].val), val))
			continue;
		size_t at = (size_t)snprintf(buf, len, "why: cpu%d read %s == %s before and after ",
					     failing, obj, val);
		const char *sep = "";
		for (int c = 0; c < SIM_MAX_CPUS && at < len; c++)
			if (by[c]) {
				at += (size_t)snprintf(buf + at, len - at, "%scpu%d", sep, c);
				sep = ", ";
			}
		if (at < len)
			snprintf(buf + at, len - at, " changed it: the same value, not the same state");
		return true;
	}
	return false;
}

bool report_story(FILE *fp, const struct report_trace *t, const struct sim_finding *f)
{
	struct story_line lines[STORY_LINES];
	int nlines = 0, cur[SIM_MAX_CPUS];
	bool *keep;

	if (!t->desc || !t->n || !(keep = calloc(t->n, sizeof(*keep))))
		return false;
	report_slice(t, f, t->legend, keep);
	for (int c = 0; c < SIM_MAX_CPUS; c++)
		cur[c] = -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct sim_event *e = &t->ev[i];
		char what[160];

		if (!keep[i])
			continue;
		if (e->op == SIM_OP_NOTE && t->desc[i].obj) {
			if (nlines == STORY_LINES) {
				cur[e->cpu] = -1;
				continue;
			}
			lines[nlines] = (struct story_line){ .cpu = e->cpu, .mark = i };
			snprintf(lines[nlines].text, sizeof(lines[0].text), "cpu%d `%.80s`:", e->cpu,
				 t->pool + t->desc[i].obj);
			lines[nlines].len = strlen(lines[nlines].text);
			cur[e->cpu] = nlines++;
			continue;
		}
		if (cur[e->cpu] < 0 || !story_step(t, i, f ? f->cpu : -1))
			continue;
		report_event_short(e, &t->desc[i], t->pool, what, sizeof(what));
		/* a read the line already tells (a re-check) adds nothing */
		if (sim_op_class((enum sim_op)e->op) == 'R' && strstr(lines[cur[e->cpu]].text, what))
			continue;
		step(&lines[cur[e->cpu]], what);
	}
	free(keep);
	if (!nlines)
		return false;
	char why[STORY_WIDTH * 2];
	bool has_why = story_why(t, f ? f->cpu : -1, why, sizeof(why));

	fputs("  story:\n", fp);
	for (int i = 0; i < nlines; i++)
		if (lines[i].text[lines[i].len - 1] != ':')	/* it changed something */
			fprintf(fp, "    %s\n", lines[i].text);
	if (has_why)
		fprintf(fp, "    %.*s\n", STORY_WIDTH, why);
	return true;
}
