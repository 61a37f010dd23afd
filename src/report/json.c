/*
 * json.c - the report as JSON, for tools: one object with the summary, the
 * finding, the replay command and every trace event.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void json_event(FILE *fp, const struct sim_event *e, const struct sim_desc *d,
		       const char *pool, const bool *slice)
{
	const char *file = e->site && e->site->file ? strrchr(e->site->file, '/') : NULL;
	char text[256];

	fprintf(fp, "{\"cpu\":%d,\"op\":", e->cpu);
	json_str(fp, sim_op_name((enum sim_op)e->op));
	fputs(",\"api\":", fp);
	json_str(fp, e->site ? e->site->api : "");
	fputs(",\"expr\":", fp);
	json_str(fp, e->site ? e->site->expr : "");
	fputs(",\"func\":", fp);
	json_str(fp, e->site ? e->site->func : "");
	fputs(",\"file\":", fp);
	json_str(fp, file ? file + 1 : (e->site ? e->site->file : ""));
	fprintf(fp, ",\"line\":%d,\"depth\":%d,\"val\":%llu,\"val2\":%llu,\"obj\":%u,\"text\":",
		e->site ? e->site->line : 0, e->depth, (unsigned long long)e->val,
		(unsigned long long)e->val2, e->obj);
	json_str(fp, report_event_desc(e, d, pool, text, sizeof(text)));
	if (d && pool && d->obj) {
		fputs(",\"object\":", fp);
		json_str(fp, pool + d->obj);
	}
	if (d && pool && d->val) {
		fputs(",\"value\":", fp);
		json_str(fp, pool + d->val);
	}
	if (slice)
		fprintf(fp, ",\"slice\":%s", *slice ? "true" : "false");
	fputc('}', fp);
}

/* The legend and the story, as the text report prints them above the
 * columns: "names" one string, "story" one string per operation. */
static void json_story(FILE *fp, const struct explore_result *r)
{
	struct report_trace t = report_trace_of(r);
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	bool first = true;

	fputs(",\"names\":", fp);
	json_str(fp, r->legend);
	fputs(",\"story\":[", fp);
	if (mem) {
		report_story(mem, &t, &r->finding);
		fclose(mem);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			while (*line == ' ')
				line++;
			if (!strcmp(line, "story:"))
				continue;
			if (!first)
				fputc(',', fp);
			json_str(fp, line);
			first = false;
		}
		free(text);
	}
	fputc(']', fp);
}

void report_json(FILE *fp, const char *program, const struct explore_result *r,
		 const char *replay_cmd, const struct report_verdict *verdict)
{
	fprintf(fp, "{\"schema_version\":%d,\"program\":", REPORT_JSON_VERSION);
	json_str(fp, program);
	if (verdict) {
		fputs(",\"expected\":", fp);
		json_str(fp, verdict->expected);
		fprintf(fp, ",\"as_expected\":%s", verdict->as_expected ? "true" : "false");
	}
	fputs(",\"strategy\":", fp);
	json_str(fp, r->strategy);
	fprintf(fp, ",\"executions\":%llu,\"steps\":%llu,\"seconds\":%.6f,\"exhausted\":%s"
		    ",\"interrupted\":%s",
		(unsigned long long)r->executions, (unsigned long long)r->steps, r->seconds,
		r->exhausted ? "true" : "false", r->interrupted ? "true" : "false");
	fputs(",\"coverage\":", fp);
	json_str(fp, r->coverage);
	fprintf(fp, ",\"found\":%s", r->found ? "true" : "false");
	if (r->found) {
		fputs(",\"finding\":{\"kind\":", fp);
		json_str(fp, sim_finding_kind_name(r->finding.kind));
		fputs(",\"id\":", fp);
		json_str(fp, r->finding.id);
		fputs(",\"message\":", fp);
		json_str(fp, r->finding.msg);
		fputs(",\"during\":", fp);
		json_str(fp, r->finding.during);
		fprintf(fp, ",\"cpu\":%d,\"step\":%llu,\"execution\":%llu}", r->finding.cpu,
			(unsigned long long)r->finding.step,
			(unsigned long long)r->failing_execution);
	}
	if (r->token) {
		fputs(",\"token\":", fp);
		json_str(fp, r->token);
	}
	if (replay_cmd) {
		fputs(",\"replay\":", fp);
		json_str(fp, replay_cmd);
	}
	if (r->found && r->desc)
		json_story(fp, r);
	bool *keep = r->found && r->desc && r->ntrace ? calloc(r->ntrace, sizeof(*keep)) : NULL;
	struct report_trace t = report_trace_of(r);

	if (keep)
		report_slice(&t, &r->finding, r->legend, keep);
	fputs(",\"trace\":[", fp);
	for (size_t i = 0; i < r->ntrace; i++) {
		if (i)
			fputc(',', fp);
		json_event(fp, &r->trace[i], r->desc ? &r->desc[i] : NULL, r->descpool,
			   keep ? &keep[i] : NULL);
	}
	fputs("]}\n", fp);
	free(keep);
}
