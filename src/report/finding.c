/*
 * finding.c - the full human-readable report of one exploration.
 */
#include <string.h>

#include "report/report.h"

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
	fprintf(fp, "%s: FOUND %s (%s) in execution %llu of %llu, %s, %s\n", program,
		r->finding.id, sim_finding_kind_name(r->finding.kind),
		(unsigned long long)r->failing_execution, (unsigned long long)r->executions, t,
		r->strategy);
	fprintf(fp, "  ");
	for (const char *p = r->finding.msg; *p; p++) {
		fputc(*p, fp);
		if (*p == '\n')
			fputs("  ", fp);
	}
	fputc('\n', fp);
	if (r->finding.during[0])
		fprintf(fp, "  during %s\n", r->finding.during);
	if (o->with_trace) {
		if (r->legend[0])
			fprintf(fp, "  names: %s\n", r->legend);
		fputc('\n', fp);
		struct report_trace t = report_trace_of(r);

		report_columns(fp, &t, &r->finding, o);
		fputc('\n', fp);
	}
	if (replay_cmd)
		fprintf(fp, "  replay: %s\n", replay_cmd);
}
