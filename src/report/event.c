/*
 * event.c - one trace event as one line of kernel-like code.
 */
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

static const char *val_str(uint64_t v, char *buf, size_t n)
{
	int64_t s = (int64_t)v;

	if (s >= -4096 && s <= 65535)
		snprintf(buf, n, "%lld", (long long)s);
	else if ((v >> 32) == 0xffffffffULL && (int32_t)v < 0 && (int32_t)v > -65536)
		snprintf(buf, n, "%d", (int32_t)v);
	else
		snprintf(buf, n, "%#llx", (unsigned long long)v);
	return buf;
}

static void cpu_list(uint64_t m, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	for (uint64_t b = m; b && at < n; b &= b - 1)
		at += (size_t)snprintf(buf + at, n - at, "%sCPU%d", at ? "," : "",
				       __builtin_ctzll(b));
	if (!m)
		snprintf(buf, n, "nobody");
}

static const char *other_op(const struct sim_event *e, const char *api, const char *expr,
			    char *buf, size_t n)
{
	char a[32], b[96];

	switch (e->op) {
	case SIM_OP_BLOCK:
		snprintf(buf, n, "<waits in %s(%s)>", api, expr);
		break;
	case SIM_OP_CPU_EXIT:
		snprintf(buf, n, "<done>");
		break;
	case SIM_OP_NOTE:
		snprintf(buf, n, "// %s = %s", expr, val_str(e->val, a, sizeof(a)));
		break;
	case SIM_OP_WAKE_UP:
		cpu_list(e->val, b, sizeof(b));
		snprintf(buf, n, "%s(%s) // wakes %s", api, expr, b);
		break;
	case SIM_OP_SYNCHRONIZE_RCU:
		cpu_list(e->val, b, sizeof(b));
		snprintf(buf, n, "%s() // waits for readers: %s", api, b);
		break;
	case SIM_OP_CHOOSE:
		snprintf(buf, n, "choose(%s) // %s of %llu", expr, val_str(e->val, a, sizeof(a)),
			 (unsigned long long)e->val2);
		break;
	case SIM_OP_FN_ENTER:
		snprintf(buf, n, "%s()", e->site->func);
		break;
	default:
		snprintf(buf, n, "%s(%s)", api, expr);
	}
	return buf;
}

/* The object and the value part of @e, as described (or the raw ones). */
struct described {
	const char *obj, *val;
};

static const char *event_line(const struct sim_event *e, struct described d, char *buf,
			      size_t n)
{
	/* A program's own mark, named: a user-level operation begins. */
	if (e->op == SIM_OP_NOTE && d.obj) {
		snprintf(buf, n, "[%s]", d.obj);
		return buf;
	}
	const char *api = e->site && e->site->api ? e->site->api : sim_op_name(e->op);
	const char *expr = d.obj ? d.obj : e->site && e->site->expr ? e->site->expr : "";
	char a[32], b[32];

	switch (sim_op_class((enum sim_op)e->op)) {
	case 'R':
		if (e->op == SIM_OP_CHOOSE)
			return other_op(e, api, expr, buf, n);
		snprintf(buf, n, "%s(%s) // got %s", api, expr,
			 d.val ? d.val : val_str(e->val, a, sizeof(a)));
		break;
	case 'W':
		snprintf(buf, n, "%s(%s, %s)", api, expr, d.val ? d.val : val_str(e->val, a, sizeof(a)));
		break;
	case 'X':
		if (d.val)
			snprintf(buf, n, "%s(%s) // %s", api, expr, d.val);
		else
			snprintf(buf, n, "%s(%s) // %s -> %s", api, expr, val_str(e->val, a, sizeof(a)),
				 val_str(e->val2, b, sizeof(b)));
		break;
	case 'C':
		if (d.val)
			snprintf(buf, n, "%s(%s) // %s%s", api, expr, e->obj ? "" : "failed: found ",
				 d.val);
		else if (e->obj)
			snprintf(buf, n, "%s(%s, %s, %s) // ok", api, expr,
				 val_str(e->val, a, sizeof(a)), val_str(e->val2, b, sizeof(b)));
		else
			snprintf(buf, n, "%s(%s, _, %s) // failed: found %s", api, expr,
				 val_str(e->val2, b, sizeof(b)), val_str(e->val, a, sizeof(a)));
		break;
	case 'T':
		if (e->op == SIM_OP_SCHEDULE_TIMEOUT)
			snprintf(buf, n, "%s() // %s", api, e->val ? "woken" : "timed out");
		else
			snprintf(buf, n, "%s(%s) // %s", api, expr, e->val ? "got it" : "failed");
		break;
	case 'L':
		snprintf(buf, n, "%s(%s)", api, expr);
		break;
	default:
		return other_op(e, api, expr, buf, n);
	}
	return buf;
}

const char *report_event_short(const struct sim_event *e, const struct sim_desc *d,
			       const char *pool, char *buf, size_t n)
{
	const char *obj = d && d->obj ? pool + d->obj : NULL;
	const char *val = d && d->val ? pool + d->val : NULL;
	const char *api = e->site && e->site->api ? e->site->api : sim_op_name(e->op);

	if (!obj || e->op == SIM_OP_NOTE)
		return report_event_desc(e, d, pool, buf, n);
	switch (sim_op_class((enum sim_op)e->op)) {
	case 'R':
		if (e->op == SIM_OP_USER_READ)
			return report_event_desc(e, d, pool, buf, n);
		if (!val) {
			char v[32];

			snprintf(buf, n, "%s(%s) == %s", api, obj,
				 (snprintf(v, sizeof(v), "%llu", (unsigned long long)e->val), v));
			return buf;
		}
		snprintf(buf, n, "%s == %s", obj, val);
		return buf;
	case 'W':
		if (e->op == SIM_OP_USER_WRITE || !val)
			return report_event_desc(e, d, pool, buf, n);
		snprintf(buf, n, "%s = %s", obj, val);
		return buf;
	case 'X':
		if (!val)
			return report_event_desc(e, d, pool, buf, n);
		snprintf(buf, n, "%s%s%s", obj, val[0] == '+' || val[0] == '-' ? " " : ": ", val);
		return buf;
	case 'C':
		if (!val)
			return report_event_desc(e, d, pool, buf, n);
		snprintf(buf, n, "%s: %s%s", obj, e->obj ? "" : "not ", val);
		return buf;
	case 'L':
		snprintf(buf, n, "%s(%s)", api, obj);
		return buf;
	case 'T':
		snprintf(buf, n, "%s(%s) %s", api, obj, e->val ? "ok" : "failed");
		return buf;
	}
	return report_event_desc(e, d, pool, buf, n);
}

const char *report_event(const struct sim_event *e, char *buf, size_t n)
{
	return event_line(e, (struct described){ NULL, NULL }, buf, n);
}

const char *report_event_desc(const struct sim_event *e, const struct sim_desc *d,
			      const char *pool, char *buf, size_t n)
{
	struct described w = { NULL, NULL };

	if (d && pool) {
		w.obj = d->obj ? pool + d->obj : NULL;
		w.val = d->val ? pool + d->val : NULL;
	}
	return event_line(e, w, buf, n);
}

const char *report_duration(double s, char *buf, size_t n)
{
	if (s < 1e-3)
		snprintf(buf, n, "%.0f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, n, "%.1f ms", s * 1e3);
	else
		snprintf(buf, n, "%.2f s", s);
	return buf;
}
