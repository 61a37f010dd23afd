/*
 * inv_exclusive.c - INV-6, exclusivity (PageAnonExclusive) and pins:
 *
 *   - a writable PTE or PMD mapping an anonymous page maps an exclusive page;
 *   - an exclusive page is mapped at most once (one PTE, or one PMD for the
 *     whole folio), and a KSM page is never exclusive;
 *   - (with GUP, later: a maybe-pinned anon page in a COW mapping is
 *     exclusive and is never replaced while pinned).
 *
 * Checked at the end of an execution.
 */
#include "check/check.h"
#include "mm/internal.h"

struct excl {
	uint16_t *maps;		/* mappings per pfn (a PMD counts on its head) */
};

static void note(struct check_walk *w, unsigned long addr, unsigned long pfn, bool write)
{
	struct excl *e = w->arg;
	struct page *page = &w->k->mem_map[pfn];
	struct folio *folio = (struct folio *)&w->k->mem_map[page->head];

	if (!(folio->mapping & PAGE_MAPPING_ANON))
		return;
	if (write && !(page->flags & (1UL << PG_anon_exclusive)))
		sim_fail(SIM_FIND_INVARIANT, "INV-6",
			 "exclusivity: mm %d maps pfn %lu writable at %#lx, but the page is not"
			 " PageAnonExclusive", w->mm->id, pfn, addr);
	if ((page->flags & (1UL << PG_anon_exclusive)) && (folio->flags & (1UL << PG_ksm)))
		sim_fail(SIM_FIND_INVARIANT, "INV-6", "exclusivity: KSM pfn %lu is exclusive", pfn);
	e->maps[pfn]++;
}

static void excl_pte(struct check_walk *w, unsigned long addr, pte_t pte)
{
	if (pte_present(pte) && !pte_special(pte))
		note(w, addr, pte_pfn(pte), pte_write(pte));
}

static void excl_pmd(struct check_walk *w, unsigned long addr, pmd_t pmd)
{
	if (pmd_trans_huge(pmd) && pmd_pfn(pmd) != w->k->huge_zero_pfn)
		note(w, addr, pmd_pfn(pmd), pmd_write(pmd));
}

void check_exclusive(struct mm_kernel *k)
{
	struct excl e = { kzalloc(k->nr_pages * sizeof(uint16_t)) };
	struct check_walk w = { .k = k, .arg = &e, .pmd = excl_pmd, .pte = excl_pte };

	check_walk_all(&w);
	for (unsigned long pfn = 0; pfn < check_pfn_end(k); pfn++) {
		if (e.maps[pfn] > 1 && (k->mem_map[pfn].flags & (1UL << PG_anon_exclusive))) {
			sim_fail(SIM_FIND_INVARIANT, "INV-6",
				 "exclusivity: pfn %lu is PageAnonExclusive but mapped %u times", pfn,
				 e.maps[pfn]);
		}
	}
}
