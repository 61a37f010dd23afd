/*
 * columns.c - the interleaving as CPU columns, one event per line:
 *
 *   CPU0                                CPU1
 *   ----                                ----
 *   lu_increment
 *     READ_ONCE(s->counter) // got 0
 *     <preempted>
 *                                       lu_increment
 *                                         READ_ONCE(s->counter) // got 0
 *
 * The model function of each event is shown as a heading when it changes,
 * events are indented under it (deeper for SIM_FN nesting), and a CPU that
 * lost the processor while it could still run is marked <preempted>.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

struct line {
	int cpu;
	int indent;
	char text[200];
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static struct line *add(struct lines *ls, int cpu, int indent)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 256;
		struct line *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n] = (struct line){ .cpu = cpu, .indent = indent };
	return &ls->v[ls->n++];
}

void report_opts_default(struct report_opts *o)
{
	o->max_events = 400;
	o->max_width = 60;
	o->with_trace = true;
	o->slice = true;
}

static bool same_func(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Turn events into lines: headings, events and preemption marks. */
/* "... (N events)" for the events of @c folded since its last line. */
static int fold(struct lines *ls, size_t *skipped, int c, int indent)
{
	struct line *l;

	if (!skipped[c])
		return 0;
	if (!(l = add(ls, c, indent)))
		return -1;
	snprintf(l->text, sizeof(l->text), "... (%zu event%s)", skipped[c], skipped[c] > 1 ? "s" : "");
	skipped[c] = 0;
	return 0;
}

static int build_lines(struct lines *ls, const struct report_trace *t, size_t start,
		       const bool *keep)
{
	const struct sim_event *ev = t->ev;
	size_t n = t->n, skipped[SIM_MAX_CPUS] = { 0 };
	int ncpus = t->ncpus;
	const char *func[SIM_MAX_CPUS] = { 0 };
	int depth[SIM_MAX_CPUS], indent[SIM_MAX_CPUS] = { 0 }, prev = -1, prev_indent = 0;
	uint16_t prev_op = 0;
	struct line *l;
	for (int i = 0; i < ncpus; i++)
		depth[i] = -1;
	for (size_t i = start; i < n; i++) {
		const struct sim_event *e = &ev[i];
		int c = e->cpu;

		if (e->op == SIM_OP_FN_ENTER)
			continue;
		/* A preemption shows even where the events around it fold. */
		if (prev >= 0 && c != prev && prev_op != SIM_OP_BLOCK && prev_op != SIM_OP_CPU_EXIT) {
			if (fold(ls, skipped, prev, indent[prev]) || !(l = add(ls, prev, prev_indent)))
				return -1;
			snprintf(l->text, sizeof(l->text), "<preempted>");
		}
		prev_op = e->op;
		prev = c;
		if (keep && !keep[i]) {
			skipped[c]++;
			continue;
		}
		/* Folded events are counted where the CPU stops (a preemption,
		 * the end), not between the kept ones. */
		/* A named mark of the program (a scenario operation begins): at the
		 * left of its column, and the next event gets its heading again. */
		if (e->op == SIM_OP_NOTE && t->desc && t->desc[i].obj) {
			if (!(l = add(ls, c, 0)))
				return -1;
			report_event_desc(e, &t->desc[i], t->pool, l->text, sizeof(l->text));
			func[c] = NULL;
			prev_indent = indent[c] = 0;
			continue;
		}
		/* The model function heads the events under it; a slice shows the
		 * events alone, in their compact form. */
		if (!keep && e->op != SIM_OP_CPU_EXIT &&
		    (!same_func(func[c], e->site->func) || depth[c] != e->depth)) {
			if (!(l = add(ls, c, e->depth * 2)))
				return -1;
			snprintf(l->text, sizeof(l->text), "%s", e->site->func);
			func[c] = e->site->func;
			depth[c] = e->depth;
		}
		if (!(l = add(ls, c, e->op == SIM_OP_CPU_EXIT ? 0 : keep ? 2 : e->depth * 2 + 2)))
			return -1;
		if (keep)
			report_event_short(e, t->desc ? &t->desc[i] : NULL, t->pool, l->text,
					   sizeof(l->text));
		else
			report_event_desc(e, t->desc ? &t->desc[i] : NULL, t->pool, l->text,
					  sizeof(l->text));
		prev_indent = indent[c] = l->indent;
	}
	/* The full view counts what each CPU did after its last line shown; a
	 * slice leaves it out. */
	for (int c = 0; c < ncpus && !keep; c++)
		if (fold(ls, skipped, c, indent[c]))
			return -1;
	return 0;
}

static void print_cell(FILE *fp, int *at, int col, const struct line *l, int width, bool last)
{
	int len = (int)strlen(l->text);

	while (*at < col + l->indent) {
		fputc(' ', fp);
		(*at)++;
	}
	if (!last && l->indent + len > width) {
		int keep = width - l->indent - 1;

		fprintf(fp, "%.*s~", keep > 0 ? keep : 0, l->text);
		*at += (keep > 0 ? keep : 0) + 1;
	} else {
		fputs(l->text, fp);
		*at += len;
	}
}

void report_columns(FILE *fp, const struct report_trace *t, const struct sim_finding *f,
		    const struct report_opts *o)
{
	size_t n = t->n;
	int ncpus = t->ncpus;
	struct lines ls = { 0 };
	int width[SIM_MAX_CPUS], col[SIM_MAX_CPUS + 1];
	size_t start = 0;
	bool *keep = NULL, sliced;
	int at;

	/* The slice: what matters, the rest folded; else the last events. */
	if (o->slice && t->desc && n && (keep = calloc(n, sizeof(*keep)))) {
		report_slice(t, f, t->legend, keep);
	} else if (o->max_events && n > o->max_events) {
		start = n - o->max_events;
		fprintf(fp, "  ... %zu earlier events not shown (--full-trace shows all)\n", start);
	}
	if (build_lines(&ls, t, start, keep)) {
		free(keep);
		fprintf(fp, "  (out of memory formatting the trace)\n");
		free(ls.v);
		return;
	}
	sliced = keep != NULL;
	free(keep);
	for (int c = 0; c < ncpus; c++)
		width[c] = 8;
	for (size_t i = 0; i < ls.n; i++) {
		int w = ls.v[i].indent + (int)strlen(ls.v[i].text);

		if (w > width[ls.v[i].cpu])
			width[ls.v[i].cpu] = w;
	}
	col[0] = 2;
	for (int c = 0; c < ncpus; c++) {
		/* A slice fits 120 columns: each CPU gets its share. */
		int most = sliced && ncpus > 1 ? (118 / ncpus) - 4 : o->max_width;

		if (most > o->max_width)
			most = o->max_width;
		if (width[c] > most)
			width[c] = most;
		col[c + 1] = col[c] + width[c] + 4;
	}
	for (int pass = 0; pass < 2; pass++) {
		at = 0;
		for (int c = 0; c < ncpus; c++) {
			struct line h = { .cpu = c };

			snprintf(h.text, sizeof(h.text), pass ? "----" : "CPU%d", c);
			print_cell(fp, &at, col[c], &h, width[c], c == ncpus - 1);
		}
		fputc('\n', fp);
	}
	for (size_t i = 0; i < ls.n; i++) {
		at = 0;
		/* The last column is cut too in a slice (it fits 120 columns). */
		print_cell(fp, &at, col[ls.v[i].cpu], &ls.v[i], width[ls.v[i].cpu],
			   ls.v[i].cpu == ncpus - 1 && !sliced);
		fputc('\n', fp);
	}
	if (f && f->kind != SIM_FIND_NONE) {
		struct line m = { .cpu = f->cpu < 0 ? 0 : f->cpu, .indent = 0 };

		at = 0;
		if (f->cpu >= 0)
			snprintf(m.text, sizeof(m.text), "^^^ %s", f->id);
		else
			snprintf(m.text, sizeof(m.text), "=== after the last step: %s", f->id);
		print_cell(fp, &at, f->cpu < 0 ? col[0] : col[m.cpu], &m, 200, true);
		fputc('\n', fp);
	}
	free(ls.v);
}
