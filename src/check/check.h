/*
 * check.h - the invariants of the model kernel, numbered as in
 * docs/INVARIANTS.md (DESIGN.md section 4), one checker each:
 *
 *   INV-1 data integrity       check/oracle.c (every read) + inv_data.c (end)
 *   INV-2 swap-cache coherence  inv_swap.c
 *   INV-3 anon rmap coherence   inv_rmap.c
 *   INV-4 accounting            inv_accounting.c (+ leaks at teardown)
 *   INV-5 swap-slot lifetime    inv_swap.c (+ page_io.c on every swap-in)
 *   INV-6 exclusivity and pins  inv_exclusive.c
 *   INV-7 page-table typing     inv_pgtable.c
 *   INV-8 liveness              the runtime: deadlock, livelock, step bound
 *
 * A violation is a finding (SIM_FIND_INVARIANT, id "INV-n") made with
 * sim_fail(); the checkers run on the pseudo-CPU and change nothing.
 *
 * Modes: CHECK_END runs at the end of an execution, when no operation is in
 * flight, and checks everything.  CHECK_STEP runs before every step (with
 * --check-every-step) and checks only what holds at every moment: entries
 * typed and pointing at live memory, and rmap coherence of entries whose
 * page table and folio are not locked.
 */
#ifndef MMT_CHECK_CHECK_H
#define MMT_CHECK_CHECK_H

#include <stdbool.h>

#include "mm/kernel.h"

enum check_mode { CHECK_STEP, CHECK_END };

void check_pgtable(struct mm_kernel *k, enum check_mode mode);	/* INV-7 */
void check_rmap(struct mm_kernel *k, enum check_mode mode);	/* INV-3 */
void check_accounting(struct mm_kernel *k);			/* INV-4 */
void check_exclusive(struct mm_kernel *k);			/* INV-6 */
void check_data(struct mm_kernel *k);				/* INV-1 */
void check_swap(struct mm_kernel *k);				/* INV-2, INV-5 */

/* All of the above that apply to @mode. */
void check_all(struct mm_kernel *k, enum check_mode mode);

/* INV-4 at teardown: every page allocated during the execution is free again;
 * INV-5 at teardown: every swap slot is free again. */
void check_no_leaks(struct mm_kernel *k);
void check_no_swap_leaks(struct mm_kernel *k);

/* ---- walking page tables (walk.c) ------------------------------------------ */

struct check_walk {
	struct mm_kernel *k;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the VMA covering the entry, or NULL */
	bool table_locked;		/* the entry's page table lock is held */
	void *arg;
	void (*pmd)(struct check_walk *w, unsigned long addr, pmd_t pmd);
	void (*pte)(struct check_walk *w, unsigned long addr, pte_t pte);
};

/* Visit every non-none huge/swap PMD and every non-none PTE of every live mm. */
void check_walk_all(struct check_walk *w);

/* Where the whole-memory loops of the checkers may stop: every struct page
 * from here on is still free and as it was at boot (page_alloc.c). */
static inline unsigned long check_pfn_end(const struct mm_kernel *k)
{
	return k->mem_map_dirty < k->nr_pages ? k->mem_map_dirty : k->nr_pages;
}

#endif
