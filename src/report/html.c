/*
 * html.c - a finding as a picture: one self-contained HTML file (inline CSS
 * and SVG, no script, nothing fetched) with the story on top and the trace
 * drawn on a time axis below it: one lane per CPU, each user operation a
 * box, the locks a CPU holds as bars under it, every event a mark whose
 * tooltip is its full line, the events of the slice (report_slice) on the
 * story's objects highlighted - reads blue, writes orange - and the step
 * that broke the check marked red.
 *
 * Time is the order of events.  Slice events get SLICE_W units of width,
 * the plumbing between them one unit, so the story is readable and the
 * picture still fits the page (HTML_WIDTH pixels).  The geometry is fixed
 * and written into the page as data- attributes, so a test can find a lane
 * or the marked step in a screenshot.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

#define HTML_WIDTH 1400		/* the picture, in pixels */
#define LABEL_W 70		/* the lane labels */
#define LANE_TOP 30		/* the first lane, from the top of the picture */
#define LANE_H 64		/* a lane */
#define LANE_GAP 12
#define SLICE_W 8		/* units of width of a slice event; others get 1 */
#define MAX_HELD 4		/* lock bars drawn per CPU at once */

static void html_text(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

void report_html_begin(FILE *fp, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", fp);
	html_text(fp, title);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.4 monospace;margin:16px;background:#fff;color:#111}\n"
	      "h2{font-size:16px;margin:18px 0 4px}\n"
	      ".msg{color:#a00000}\n"
	      ".story{background:#f4f4f4;padding:6px 10px;margin:6px 0;white-space:pre-wrap}\n"
	      ".key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;"
	      "vertical-align:middle}\n"
	      "svg text{font:12px monospace}\n"
	      "details pre{font-size:12px}\n"
	      "</style></head><body>\n", fp);
}

void report_html_end(FILE *fp)
{
	fputs("</body></html>\n", fp);
}

/* The lanes' y, for the page and for tests. */
static int lane_y(int cpu)
{
	return LANE_TOP + cpu * (LANE_H + LANE_GAP);
}

/* The story and the text report, captured as the text report prints them. */
static void html_story(FILE *fp, const char *program, const struct explore_result *r,
		       const char *replay_cmd)
{
	struct report_trace t = report_trace_of(r);
	struct report_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem && report_story(mem, &t, &r->finding)) {
		fclose(mem);
		fputs("<div class=\"story\" id=\"story\">", fp);
		html_text(fp, text);
		fputs("</div>\n", fp);
	} else if (mem) {
		fclose(mem);
	}
	free(text);
	if (r->legend[0]) {
		fputs("<div>names: ", fp);
		html_text(fp, r->legend);
		fputs("</div>\n", fp);
	}
	text = NULL;
	len = 0;
	report_opts_default(&o);
	if ((mem = open_memstream(&text, &len))) {
		report_finding(mem, program, r, replay_cmd, &o);
		fclose(mem);
		fputs("<details><summary>the report as text</summary><pre>", fp);
		html_text(fp, text);
		fputs("</pre></details>\n", fp);
	}
	free(text);
}

struct held {
	uint32_t obj;
	double x;
	size_t ev;
};

static void lock_bar(FILE *fp, const struct report_trace *t, const struct held *h, int cpu,
		     int level, double x_end)
{
	const char *name = t->desc && t->desc[h->ev].obj ? t->pool + t->desc[h->ev].obj : "a lock";
	double w = x_end - h->x > 1 ? x_end - h->x : 1;

	fprintf(fp, "<rect class=\"lock\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"3\" "
		    "fill=\"#7a5ea8\"><title>holds ",
		h->x, lane_y(cpu) + LANE_H - 14 + level * 3, w);
	html_text(fp, name);
	fputs("</title></rect>\n", fp);
}

static bool lock_takes(const struct sim_event *e)
{
	switch (e->op) {
	case SIM_OP_SPIN_LOCK: case SIM_OP_MUTEX_LOCK: case SIM_OP_BIT_LOCK:
	case SIM_OP_DOWN_READ: case SIM_OP_DOWN_WRITE:
		return true;
	case SIM_OP_SPIN_TRYLOCK: case SIM_OP_MUTEX_TRYLOCK: case SIM_OP_BIT_TRYLOCK:
	case SIM_OP_DOWN_READ_TRYLOCK: case SIM_OP_DOWN_WRITE_TRYLOCK:
		return e->val != 0;
	}
	return false;
}

static bool lock_drops(const struct sim_event *e)
{
	return e->op == SIM_OP_SPIN_UNLOCK || e->op == SIM_OP_MUTEX_UNLOCK ||
	       e->op == SIM_OP_BIT_UNLOCK || e->op == SIM_OP_UP_READ || e->op == SIM_OP_UP_WRITE;
}

/* The trace on its time axis. */
static void html_lanes(FILE *fp, const struct explore_result *r, const bool *keep, size_t fail)
{
	struct report_trace t = report_trace_of(r);
	int ncpus = r->ncpus > 0 ? r->ncpus : 1, height = lane_y(ncpus) + 10;
	double units = 0, scale, x = LABEL_W;
	double *xs = malloc((r->ntrace + 1) * sizeof(*xs));
	struct held held[SIM_MAX_CPUS][MAX_HELD];
	int nheld[SIM_MAX_CPUS] = { 0 }, op_start[SIM_MAX_CPUS];
	double op_x[SIM_MAX_CPUS];

	if (!xs)
		return;
	for (size_t i = 0; i < r->ntrace; i++)
		units += keep[i] ? SLICE_W : 1;
	scale = (HTML_WIDTH - LABEL_W - 10) / (units > 0 ? units : 1);
	for (size_t i = 0; i < r->ntrace; i++) {
		xs[i] = x;
		x += (keep[i] ? SLICE_W : 1) * scale;
	}
	xs[r->ntrace] = x;

	fprintf(fp, "<svg id=\"lanes\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		    "height=\"%d\" data-lane-top=\"%d\" data-lane-height=\"%d\" "
		    "data-lane-gap=\"%d\" data-cpus=\"%d\">\n",
		HTML_WIDTH, height, LANE_TOP, LANE_H, LANE_GAP, ncpus);
	fprintf(fp, "<text x=\"%d\" y=\"16\">time &#8594; (one mark per event; the story's "
		    "events wide)</text>\n", LABEL_W);
	for (int c = 0; c < ncpus; c++) {
		fprintf(fp, "<rect class=\"lane\" id=\"lane%d\" x=\"0\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" fill=\"#eef3f8\"/>\n",
			c, lane_y(c), HTML_WIDTH, LANE_H);
		fprintf(fp, "<rect x=\"4\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#2f5d8a\"/>"
			    "<text x=\"22\" y=\"%d\">CPU%d</text>\n",
			lane_y(c) + 6, lane_y(c) + 17, c);
		op_start[c] = -1;
		op_x[c] = 0;
	}

	/* user operations: a box from where one begins to where the next does */
	for (size_t i = 0; i <= r->ntrace; i++) {
		const struct sim_event *e = i < r->ntrace ? &r->trace[i] : NULL;
		bool begins = e && e->op == SIM_OP_NOTE && t.desc && t.desc[i].obj;

		for (int c = 0; c < ncpus; c++) {
			bool ends = !e || (e->cpu == c && (begins || e->op == SIM_OP_CPU_EXIT));

			if (op_start[c] < 0 || !ends)
				continue;
			fprintf(fp, "<rect class=\"op\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				    "height=\"22\" fill=\"#cfe0f1\" stroke=\"#2f5d8a\"><title>",
				op_x[c], lane_y(c) + 4, xs[i] - op_x[c] > 1 ? xs[i] - op_x[c] : 1);
			html_text(fp, t.pool + t.desc[op_start[c]].obj);
			/* the label, clipped to its box by a nested viewport */
			fprintf(fp, "</title></rect>\n<svg x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				    "height=\"22\"><text x=\"3\" y=\"15\">",
				op_x[c], lane_y(c) + 4, xs[i] - op_x[c] > 1 ? xs[i] - op_x[c] : 1);
			html_text(fp, t.pool + t.desc[op_start[c]].obj);
			fputs("</text></svg>\n", fp);
			op_start[c] = -1;
		}
		if (begins && e->cpu < ncpus) {
			op_start[e->cpu] = (int)i;
			op_x[e->cpu] = xs[i];
		}
	}

	/* locks held: a bar per lock from taking it to dropping it */
	for (size_t i = 0; i < r->ntrace; i++) {
		const struct sim_event *e = &r->trace[i];
		int c = e->cpu;

		if (c >= ncpus || !e->obj)
			continue;
		if (lock_takes(e) && nheld[c] < MAX_HELD) {
			held[c][nheld[c]++] = (struct held){ e->obj, xs[i], i };
		} else if (lock_drops(e)) {
			for (int k = nheld[c]; k-- > 0;)
				if (held[c][k].obj == e->obj) {
					lock_bar(fp, &t, &held[c][k], c, k, xs[i + 1]);
					memmove(&held[c][k], &held[c][k + 1],
						(size_t)(nheld[c] - k - 1) * sizeof(held[c][0]));
					nheld[c]--;
					break;
				}
		}
	}
	for (int c = 0; c < ncpus; c++)
		for (int k = 0; k < nheld[c]; k++)
			lock_bar(fp, &t, &held[c][k], c, k, xs[r->ntrace]);

	/* the events: every one a mark with its full line as tooltip */
	for (size_t i = 0; i < r->ntrace; i++) {
		const struct sim_event *e = &r->trace[i];
		char line[256];
		char cls = sim_op_class((enum sim_op)e->op);
		const char *fill = "#b8c2cc";
		int y = lane_y(e->cpu) + 28, h = 14;

		if (e->cpu >= ncpus || e->op == SIM_OP_NOTE)
			continue;
		if (keep[i]) {
			fill = cls == 'R' ? "#1f6fd1" : cls == 'W' || cls == 'X' || cls == 'C'
						? "#e07b00" : "#555555";
			y = lane_y(e->cpu) + 26;
			h = 20;
		}
		fprintf(fp, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			    "fill=\"%s\"><title>cpu%d: ",
			keep[i] ? "ev story" : "ev", xs[i], y,
			(xs[i + 1] - xs[i]) * (keep[i] ? 0.7 : 1.0), h, fill, e->cpu);
		html_text(fp, report_event_desc(e, t.desc ? &t.desc[i] : NULL, t.pool, line,
						sizeof(line)));
		if (e->site && e->site->func) {
			fputs(" [", fp);
			html_text(fp, e->site->func);
			fputc(']', fp);
		}
		fputs("</title></rect>\n", fp);
	}

	/* the step that broke the check */
	if (fail < r->ntrace) {
		const struct sim_event *e = &r->trace[fail];
		double mx = (xs[fail] + xs[fail + 1]) / 2;

		fprintf(fp, "<rect id=\"violation\" x=\"%.1f\" y=\"%d\" width=\"10\" height=\"%d\" "
			    "fill=\"#e00000\" data-cpu=\"%d\" data-x=\"%.0f\" data-y=\"%d\"><title>",
			mx - 5, lane_y(e->cpu), LANE_H, e->cpu, mx, lane_y(e->cpu) + LANE_H / 2);
		html_text(fp, r->finding.id);
		fputs(": ", fp);
		html_text(fp, r->finding.msg);
		fputs("</title></rect>\n", fp);
	}
	fputs("</svg>\n", fp);
	free(xs);
}

void report_html(FILE *fp, const char *program, const struct explore_result *r,
		 const char *replay_cmd)
{
	struct report_trace t = report_trace_of(r);
	bool *keep;
	size_t fail = r->ntrace;

	fputs("<section>\n<h2>", fp);
	html_text(fp, program);
	fputs(r->found ? ": FOUND " : ": clean", fp);
	if (r->found) {
		html_text(fp, r->finding.id);
		fprintf(fp, " (%s)", sim_finding_kind_name(r->finding.kind));
	}
	fprintf(fp, "</h2>\n<div>%llu executions, ", (unsigned long long)r->executions);
	html_text(fp, r->strategy);
	fputs("</div>\n", fp);
	if (!r->found || !r->ntrace) {
		fputs("</section>\n", fp);
		return;
	}
	fputs("<div class=\"msg\">", fp);
	html_text(fp, r->finding.msg);
	fputs("</div>\n", fp);
	if (r->finding.during[0]) {
		fputs("<div>during ", fp);
		html_text(fp, r->finding.during);
		fputs("</div>\n", fp);
	}
	html_story(fp, program, r, replay_cmd);
	fputs("<div class=\"key\"><span style=\"background:#1f6fd1\"></span>read"
	      "<span style=\"background:#e07b00\"></span>write"
	      "<span style=\"background:#b8c2cc\"></span>other events"
	      "<span style=\"background:#cfe0f1;border:1px solid #2f5d8a\"></span>user operation"
	      "<span style=\"background:#7a5ea8\"></span>lock held"
	      "<span style=\"background:#e00000\"></span>the failing step</div>\n",
	      fp);
	if (!(keep = calloc(r->ntrace, sizeof(*keep)))) {
		fputs("</section>\n", fp);
		return;
	}
	report_slice(&t, &r->finding, r->legend, keep);
	if (r->finding.cpu >= 0)
		for (size_t i = r->ntrace; i-- > 0;)
			if (r->trace[i].cpu == r->finding.cpu) {
				fail = i;
				break;
			}
	html_lanes(fp, r, keep, fail);
	free(keep);
	if (replay_cmd) {
		fputs("<div>replay: <code>", fp);
		html_text(fp, replay_cmd);
		fputs("</code></div>\n", fp);
	}
	fputs("</section>\n", fp);
}
