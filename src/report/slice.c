/*
 * slice.c - which events of a described trace a report shows by default:
 * the user operations, the accesses to the objects the story is about
 * (the folios and swap entries the world named, the PTEs of the program's
 * mappings, the swap map and swap cache), the waits, and the failing step;
 * the rest is folded into "... (N events)" by the columns.  A slice
 * longer than a screen folds more of the other CPUs' events, least telling
 * first (fold_tier()).
 *
 * An approximation of a dependency slice that needs no dependency
 * tracking: the objects that carry an anon-memory race are few and named,
 * and the plumbing around them (locks of other objects, RCU, seqcounts,
 * page-table walks, refcounts) is what folds away.
 */
#include <string.h>

#include "report/report.h"
#include "sim/site.h"

/* The names of the legend ("S1 = swap 0:1, folio A = pfn 2, ...") that
 * @s mentions. */
static bool mentions_legend(const char *s, const char *legend)
{
	const char *p = legend;

	while (*p) {
		const char *eq = strstr(p, " = "), *next;
		char name[32];
		size_t n;

		if (!eq)
			break;
		n = (size_t)(eq - p);
		if (n < sizeof(name)) {
			const char *hit;

			memcpy(name, p, n);
			name[n] = 0;
			/* "folio A" must not match "folio AB" nor "S1" "S12". */
			for (hit = strstr(s, name); hit; hit = strstr(hit + 1, name)) {
				char after = hit[n];

				if (!((after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9')))
					return true;
			}
		}
		next = strstr(eq, ", ");
		while (next && !(next[2] == 'S' || !strncmp(next + 2, "folio", 5) ||
				 !strncmp(next + 2, "huge", 4) || !strncmp(next + 2, "zero", 4)))
			next = strstr(next + 2, ", ");
		if (!next)
			break;
		p = next + 2;
	}
	return false;
}

/* Plumbing on a story object: refcounts and flag tests that decide
 * nothing the story turns on. */
static bool plumbing(const struct sim_event *e, const char *obj)
{
	const char *api = e->site && e->site->api ? e->site->api : "";

	if (strstr(api, "ref") || strstr(obj, "_refcount") || strstr(api, "_get") ||
	    strstr(api, "_put"))
		return true;
	if (strstr(obj, "pmd_ptl"))
		return true;
	if (!strncmp(api, "folio_test_", 11) && !strstr(api, "swapcache"))
		return true;
	if (strstr(obj, "->mapping") && sim_op_class((enum sim_op)e->op) == 'R')
		return true;
	if (strstr(api, "AnonExclusive") || strstr(api, "dirty") || strstr(api, "writeback") ||
	    strstr(api, "pinned") || strstr(api, "mapcount"))
		return true;
	if (strstr(obj, "users") || strstr(obj, "mapcount"))
		return true;
	return false;
}

/* What the failing CPU read, and what any CPU wrote: the values the failing
 * check was computed from, and where they came from. */
static bool wanted(const struct report_trace *t, size_t i, const char *legend, int failing)
{
	const struct sim_event *e = &t->ev[i];
	const struct sim_desc *d = &t->desc[i];
	const char *obj = d->obj ? t->pool + d->obj : "";
	const char *val = d->val ? t->pool + d->val : "";
	char cls = sim_op_class((enum sim_op)e->op);
	bool reader = failing < 0 || e->cpu == failing;

	switch (e->op) {
	case SIM_OP_NOTE:
		return d->obj != 0;	/* a user operation begins */
	case SIM_OP_CPU_EXIT:
	case SIM_OP_BLOCK:
		return true;
	case SIM_OP_USER_READ:
	case SIM_OP_USER_WRITE:
		return reader;
	}
	if (!d->obj)
		return false;
	if (!reader && cls != 'W' && cls != 'X' && cls != 'C')
		return false;
	/* A walk down to a table, and the PMD locks: not the story. */
	if (strstr(obj, "_pmd") && (!strcmp(val, "table") || strstr(obj, "pmd_ptl")))
		return false;
	if (strstr(obj, "swap_map[") && sim_op_class((enum sim_op)e->op) == 'R')
		return false;	/* the counts that changed show where they change */
	if (strstr(obj, "_pte[") || strstr(obj, "swap_map[") || strstr(obj, "swap_cache["))
		return true;
	if (strstr(obj, "_pmd") && sim_op_class((enum sim_op)e->op) != 'R')
		return true;
	if (!mentions_legend(obj, legend) && !mentions_legend(val, legend))
		return false;
	return !plumbing(e, obj);
}

/* A read of an object this CPU already read, unchanged since, in the same
 * user operation: it adds nothing to the story. */
static bool reread(const struct report_trace *t, size_t i, const bool *keep)
{
	const struct sim_event *e = &t->ev[i];
	const struct sim_desc *d = &t->desc[i];

	if (sim_op_class((enum sim_op)e->op) != 'R' || !d->obj)
		return false;
	for (size_t j = i; j-- > 0;) {
		const struct sim_event *p = &t->ev[j];
		const struct sim_desc *q = &t->desc[j];

		if (p->op == SIM_OP_NOTE && q->obj && p->cpu == e->cpu)
			return false;	/* another operation of this CPU */
		if (!keep[j] || !q->obj || strcmp(t->pool + q->obj, t->pool + d->obj))
			continue;
		if (sim_op_class((enum sim_op)p->op) != 'R')
			return false;	/* written since: the read shows the change */
		if (p->cpu == e->cpu && q->val == d->val)
			return true;
		if (p->cpu == e->cpu && q->val && d->val &&
		    !strcmp(t->pool + q->val, t->pool + d->val))
			return true;
	}
	return false;
}

/* How many events a slice aims at: with the header, the story and the
 * column headings, a report of one screen (60 lines). */
#define SLICE_BUDGET 32

/* Events other CPUs did that fold first when a slice is over its budget,
 * least telling first: tier 1 the swap counts (the cache and the PTEs tell
 * where the entry went), tier 2 the swap-cache flag of a folio (the cache
 * store next to it says the same), tier 3 the objects the failing CPU never
 * touched (a PTE of another mapping: the entry and folio names carry what
 * it did), tier 4 where another CPU finished ("<done>"). */
static bool touched_by(const struct report_trace *t, const char *obj, int cpu)
{
	for (size_t j = 0; j < t->n; j++)
		if (t->ev[j].cpu == cpu && t->desc[j].obj && !strcmp(t->pool + t->desc[j].obj, obj))
			return true;
	return false;
}

static int fold_tier(const struct report_trace *t, size_t i, int failing)
{
	const struct sim_event *e = &t->ev[i];
	const struct sim_desc *d = &t->desc[i];
	const char *obj = d->obj ? t->pool + d->obj : "";
	const char *val = d->val ? t->pool + d->val : "";

	if (e->cpu == failing || failing < 0)
		return 0;
	if (e->op == SIM_OP_CPU_EXIT)
		return 4;
	if (!*obj || e->op == SIM_OP_NOTE)
		return 0;
	if (strstr(obj, "swap_map["))
		return 1;
	if (!strcmp(val, "+swapcache") || !strcmp(val, "-swapcache"))
		return 2;
	if (!touched_by(t, obj, failing))
		return 3;
	return 0;
}

size_t report_slice(const struct report_trace *t, const struct sim_finding *f,
		    const char *legend, bool *keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < t->n; i++) {
		keep[i] = t->desc && wanted(t, i, legend ? legend : "", f ? f->cpu : -1) &&
			  !reread(t, i, keep);
		kept += keep[i];
	}
	/* The failing step: the last event of the CPU that failed. */
	if (f && f->cpu >= 0)
		for (size_t i = t->n; i-- > 0;)
			if (t->ev[i].cpu == f->cpu) {
				kept += !keep[i];
				keep[i] = true;
				break;
			}
	for (int tier = 1; tier <= 4 && kept > SLICE_BUDGET; tier++)
		for (size_t i = 0; i < t->n; i++)
			if (keep[i] && fold_tier(t, i, f ? f->cpu : -1) == tier) {
				keep[i] = false;
				kept--;
			}
	return kept;
}
