/*
 * report.h - how a finding is shown to people and tools.
 *
 *   report_finding()  the summary line, the interleaving as CPU columns (the
 *                     way kernel changelogs and lockdep print races) and the
 *                     replay command;
 *   report_columns()  just the columns;
 *   report_event()    one event as a line of kernel-like code;
 *   report_json()     the same content for tools;
 *   report_html()     a picture of it: lanes on a time axis (html.c).
 */
#ifndef MMT_REPORT_REPORT_H
#define MMT_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "explore/explorer.h"
#include "sim/exec.h"

struct report_opts {
	size_t max_events;	/* show at most the last N events; 0: all */
	int max_width;		/* widest column, in characters */
	bool with_trace;	/* print the interleaving */
	bool slice;		/* only the events that matter (report_slice), the rest folded */
};

void report_opts_default(struct report_opts *o);

/* A trace to show: its events and, if the world described them, what
 * each touched and its values decoded (sim_desc). */
struct report_trace {
	const struct sim_event *ev;
	size_t n;
	int ncpus;
	const struct sim_desc *desc;	/* n entries, or NULL */
	const char *pool;
	const char *legend;		/* what the names stand for, or "" */
};

static inline struct report_trace report_trace_of(const struct explore_result *r)
{
	return (struct report_trace){ r->trace, r->ntrace, r->ncpus, r->desc, r->descpool,
				      r->legend };
}

/* Mark in @keep (t->n entries) the events a report shows by default: user
 * operations, accesses to the story's named objects, waits, the failing
 * step (slice.c).  Returns how many. */
size_t report_slice(const struct report_trace *t, const struct sim_finding *f,
		    const char *legend, bool *keep);

/* The story above the columns: one line per user operation of the slice
 * with what it changed of the named objects and what the failing CPU read
 * of them (story.c).  Prints nothing and returns false when the trace has
 * no named operations. */
bool report_story(FILE *fp, const struct report_trace *t, const struct sim_finding *f);

/* A self-contained HTML page (no script, nothing fetched): begin it, add
 * a section per program explored (the picture when it found something),
 * end it. */
void report_html_begin(FILE *fp, const char *title);
void report_html(FILE *fp, const char *program, const struct explore_result *r,
		 const char *replay_cmd);
void report_html_end(FILE *fp);

/* Format @e as one line ("READ_ONCE(s->counter) // got 0"); returns @buf.
 * With @d, the object and values as the world named them
 * ("READ_ONCE(src_pte[0]) // got swp(S1)"). */
const char *report_event(const struct sim_event *e, char *buf, size_t n);
const char *report_event_desc(const struct sim_event *e, const struct sim_desc *d,
			      const char *pool, char *buf, size_t n);

/* The compact form a slice shows: "src_pte[0] == swp(S1)", "swap_map[S1] =
 * SWAP_HAS_CACHE", "folio A +swapcache", "folio_lock(folio B)". */
const char *report_event_short(const struct sim_event *e, const struct sim_desc *d,
			       const char *pool, char *buf, size_t n);

void report_columns(FILE *fp, const struct report_trace *t, const struct sim_finding *f,
		    const struct report_opts *o);

/* @replay_cmd: the ready command that replays the finding (may be NULL). */
void report_finding(FILE *fp, const char *program, const struct explore_result *r,
		    const char *replay_cmd, const struct report_opts *o);

/* The JSON of a report (docs/JSON.md, schema version REPORT_JSON_VERSION).
 * @verdict: with explore --expected/--all, the row's expectation
 * ("clean", "finding" or "none") and whether it held; NULL otherwise. */
#define REPORT_JSON_VERSION 1
struct report_verdict {
	const char *expected;
	bool as_expected;
};
void report_json(FILE *fp, const char *program, const struct explore_result *r,
		 const char *replay_cmd, const struct report_verdict *verdict);

/* "1.2 ms", "3.40 s" */
const char *report_duration(double seconds, char *buf, size_t n);

#endif
