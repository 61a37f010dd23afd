/*
 * story.c - the few lines above the columns that tell a finding as a story:
 * one line per user operation of the slice, in the order they began, with
 * what it read (the failing CPU) and changed (any CPU) of the named objects
 * - "cpu1 `madvise q pageout`: swap_cache[S1] = folio B, q_pte[0] = swp(S1)"
 * - then why the check broke (the finding's message names it).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

#define STORY_LINES 8
#define STORY_WIDTH 118

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
	fputs("  story:\n", fp);
	for (int i = 0; i < nlines; i++)
		if (lines[i].text[lines[i].len - 1] != ':')	/* it changed something */
			fprintf(fp, "    %s\n", lines[i].text);
	return true;
}
