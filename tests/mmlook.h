/*
 * mmlook.h - helpers for the end-to-end and race tests, whose code runs
 * inside a model-kernel execution: expectations reported as findings, and
 * looks at page tables, folios and counters.
 *
 * Everything here except the cmocka-side helpers at the end is meant for a
 * program's setup/run/check functions (the model kernel exists only inside
 * an execution).  A failed expectation is a finding (SIM_FIND_INVARIANT, id
 * "test") that the cmocka side asserts on; cmocka asserts must never be
 * called from inside an execution.
 *
 * The looks (mt_pte, mt_pfn, t_refs, ...) read the model's state with plain
 * loads and are no scheduling points: they are for sequential programs and
 * for end-of-execution checks, when no other CPU runs.
 */
#ifndef MMT_TESTS_MMLOOK_H
#define MMT_TESTS_MMLOOK_H

#include <stdio.h>
#include <string.h>

#include "mmtest.h"

#include "check/check.h"
#include "check/mmprog.h"
#include "mm/api.h"
#include "mm/huge_mm.h"
#include "mm/internal.h"
#include "report/report.h"

/* Expectations and page-table peeks come from mmtest.h (MT_*, mt_*); this
 * file adds the looks the end-to-end stories and race programs need. */

/* The word at @addr, which must be readable. */
static inline uint64_t t_load(struct mm_struct *mm, unsigned long addr)
{
	uint64_t v = ~0ULL;

	MT_EQ(mmt_read(mm, addr, &v), 0);
	return v;
}

/* A present huge PMD maps @addr. */
static inline bool t_huge(struct mm_struct *mm, unsigned long addr)
{
	return pmd_trans_huge(mt_pmd(mm, addr));
}

/* The mapping of @addr lets a store through without a fault. */
static inline bool t_writable(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = mt_pmd(mm, addr);

	if (pmd_trans_huge(pmd))
		return pmd_write(pmd);
	return pte_present(mt_pte(mm, addr)) && pte_write(mt_pte(mm, addr));
}

/* Pages mapped from shared or file objects (the model counts both kinds
 * as MM_SHMEMPAGES; the kernel counts page-cache pages as MM_FILEPAGES). */
static inline long t_rss_file(struct mm_struct *mm)
{
	return mt_rss(mm, MM_FILEPAGES) + mt_rss(mm, MM_SHMEMPAGES);
}

/* ---- looks at pages and folios --------------------------------------------- */

static inline int t_refs(unsigned long pfn)
{
	return mt_folio(pfn)->_refcount.counter;
}

/* Every mapping of the folio holding @pfn (PTEs and PMDs). */
static inline int t_mapcount(unsigned long pfn)
{
	struct folio *f = mt_folio(pfn);

	if (!f->order)
		return f->_mapcount.counter + 1;
	return folio_second(f)->_large_mapcount.counter + 1;
}

/* The PTE mappings of the one page @pfn. */
static inline int t_page_mapcount(unsigned long pfn)
{
	return pfn_to_page(pfn)->_mapcount.counter + 1;
}

static inline int t_entire_mapcount(unsigned long pfn)
{
	struct folio *f = mt_folio(pfn);

	return f->order ? folio_second(f)->_entire_mapcount.counter + 1 : 0;
}

static inline int t_nr_pages_mapped(unsigned long pfn)
{
	struct folio *f = mt_folio(pfn);

	return f->order ? folio_second(f)->_nr_pages_mapped.counter : 0;
}

static inline unsigned t_order(unsigned long pfn)
{
	return mt_folio(pfn)->order;
}

static inline unsigned long t_head(unsigned long pfn)
{
	return pfn_to_page(pfn)->head;
}

static inline bool t_anon(unsigned long pfn)
{
	return mt_folio(pfn)->mapping & PAGE_MAPPING_ANON;
}

/* The page is back in the page allocator (freed, poisoned). */
static inline bool t_page_free(unsigned long pfn)
{
	return __page_test_flag(pfn_to_page(pfn), PG_buddy) ||
	       __page_test_flag(pfn_to_page(pfn), PG_poisoned);
}

/* ---- the cmocka side ------------------------------------------------------- */

/* Print a finding with its interleaving to stderr: the last events, or all
 * of them with MMTWIN_FULL_TRACE=1 in the environment. */
static inline void t_print_finding(const char *name, const struct explore_result *r)
{
	const char *full = getenv("MMTWIN_FULL_TRACE");
	struct report_opts ro;

	report_opts_default(&ro);
	ro.max_events = full && *full && strcmp(full, "0") ? 0 : 80;
	fprintf(stderr, "%s: %s: %s %s: %s\n", name, r->strategy,
		sim_finding_kind_name(r->finding.kind), r->finding.id, r->finding.msg);
	if (r->trace) {
		struct report_trace t = report_trace_of(r);

		report_columns(stderr, &t, &r->finding, &ro);
	}
}

/* Fail the cmocka test if the exploration erred or found something. */
static inline void t_assert_clean(const struct sim_program *p, const struct explore_result *r)
{
	if (r->error)
		fail_msg("%s: %s", p->name, r->errmsg);
	if (r->found) {
		t_print_finding(p->name, r);
		fail_msg("%s: %s found %s %s after %llu executions: %s", p->name, r->strategy,
			 sim_finding_kind_name(r->finding.kind), r->finding.id,
			 (unsigned long long)r->executions, r->finding.msg);
	}
}

/* The options of the explored race tests: @kind with seed 1, PCT depth and
 * DFS bound @n, at most @max_exec executions (0: no limit), the per-step
 * invariants before every step. */
static inline void t_race_opts(struct explore_opts *o, enum explore_kind kind, int n,
			       uint64_t max_exec)
{
	explore_opts_default(o);
	o->kind = kind;
	o->seed = 1;
	o->pct_depth = n;
	o->bound = n;
	o->max_executions = max_exec;
	o->cfg.check_every_step = true;
}

/* @p explored as @o says finds nothing: a random or PCT budget runs in
 * full, a DFS bound is exhausted. */
static inline void t_race_clean(const struct sim_program *p, const struct explore_opts *o)
{
	struct explore_result r;

	assert_int_equal(explore_run(p, o, &r), 0);
	t_assert_clean(p, &r);
	if (o->kind == EXPLORE_DFS) {
		assert_true(r.exhausted);
		assert_int_equal(strncmp(r.coverage, "exhausted", 9), 0);
		assert_true(r.executions > 1);
	} else if (o->max_executions) {
		assert_int_equal(r.executions, o->max_executions);
	}
	explore_result_free(&r);
}

/* Random and PCT (depth 3) run @budget executions, DFS exhausts @bound:
 * nothing found. */
static inline void t_race_all_clean(const struct sim_program *p, uint64_t budget, int bound)
{
	struct explore_opts o;

	t_race_opts(&o, EXPLORE_RANDOM, 0, budget);
	t_race_clean(p, &o);
	t_race_opts(&o, EXPLORE_PCT, 3, budget);
	t_race_clean(p, &o);
	t_race_opts(&o, EXPLORE_DFS, bound, 0);
	t_race_clean(p, &o);
}

#endif
