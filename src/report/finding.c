/*
 * finding.c - the full human-readable report of one exploration.
 */
#include <string.h>

#include "report/report.h"

#define REPORT_COLUMNS 120

/* @text after @lead, wrapped at spaces to REPORT_COLUMNS, continuation
 * lines indented by four. */
static void wrapped(FILE *fp, const char *lead, const char *text)
{
	int at = fprintf(fp, "%s", lead);
	bool space = false;

	while (*text) {
		size_t word = strcspn(text, " \n");

		if (at > 4 && at + (int)word + space > REPORT_COLUMNS)
			at = fprintf(fp, "\n    ");
		else if (space)
			at += fprintf(fp, " ");
		at += fprintf(fp, "%.*s", (int)word, text);
		text += word;
		space = *text == ' ';
		if (*text == '\n')
			at = fprintf(fp, "\n  ");
		if (*text)
			text++;
	}
	fputc('\n', fp);
}

void report_finding(FILE *fp, const char *program, const struct explore_result *r,
		    const char *replay_cmd, const struct report_opts *o)
{
	char t[32];

	report_duration(r->seconds, t, sizeof(t));
	if (!r->found) {
		fprintf(fp, "%s: no finding in %llu executions (%s, %s)\n", program,
			(unsigned long long)r->executions, t, r->strategy);
		if (r->coverage[0])
			fprintf(fp, "  %s\n", r->coverage);
		return;
	}
	{
		char head[512];

		snprintf(head, sizeof(head), "%s: FOUND %s (%s) in execution %llu of %llu, %s, %s",
			 program, r->finding.id, sim_finding_kind_name(r->finding.kind),
			 (unsigned long long)r->failing_execution,
			 (unsigned long long)r->executions, t, r->strategy);
		wrapped(fp, "", head);
	}
	wrapped(fp, "  ", r->finding.msg);
	if (r->finding.during[0])
		wrapped(fp, "  during ", r->finding.during);
	if (o->with_trace) {
		if (r->legend[0])
			wrapped(fp, "  names: ", r->legend);
		fputc('\n', fp);
		struct report_trace t = report_trace_of(r);

		if (o->slice && report_story(fp, &t, &r->finding))
			fputc('\n', fp);
		report_columns(fp, &t, &r->finding, o);
		fputc('\n', fp);
	}
	if (replay_cmd)
		fprintf(fp, "  replay: %s\n", replay_cmd);
}
