/*
 * inv_pgtable.c - INV-7, page-table typing: every entry is of a kind it may
 * be, and points at live memory of the right shape.
 *
 *   - a present PTE maps an allocated page, or (special) the zero page;
 *   - a present huge PMD maps the head of an allocated PMD-size folio, or
 *     the huge zero folio;
 *   - a non-present PMD is a migration entry (v6.17 has no PMD swap entries)
 *     and is never treated as a huge PMD or a table (that is what the
 *     huge-PMD move of seed 004 got wrong);
 *   - a swap entry names a swap device (none exist before issue 4);
 *   - at the end of an execution: no migration entry, no half-split PMD and
 *     no entry outside a VMA is left.
 */
#include "check/check.h"
#include "mm/internal.h"
#include "mm/swap.h"

#define FAIL(w, addr, ...)                                                     \
	sim_fail(SIM_FIND_INVARIANT, "INV-7", "page-table typing: mm %d at %#lx: " __VA_ARGS__)

static bool page_live(struct mm_kernel *k, unsigned long pfn)
{
	return pfn < k->nr_pages &&
	       !(k->mem_map[pfn].flags & ((1UL << PG_buddy) | (1UL << PG_poisoned)));
}

static void check_pte(struct check_walk *w, unsigned long addr, pte_t pte)
{
	enum check_mode mode = *(enum check_mode *)w->arg;
	struct mm_kernel *k = w->k;

	if (!w->vma && mode == CHECK_END)
		FAIL(w, addr, "PTE %#llx outside any VMA", w->mm->id, addr,
		     (unsigned long long)pte_val(pte));
	if (pte_present(pte)) {
		unsigned long pfn = pte_pfn(pte);

		if (pte_special(pte) && pfn != k->zero_pfn)
			FAIL(w, addr, "special PTE maps pfn %lu, not the zero page", w->mm->id, addr,
			     pfn);
		if (!pte_special(pte) && !page_live(k, pfn))
			FAIL(w, addr, "PTE maps pfn %lu, which is not an allocated page", w->mm->id,
			     addr, pfn);
		return;
	}
	{
		swp_entry_t e = pte_to_swp_entry(pte);

		if (is_migration_entry(e)) {
			if (!page_live(k, swp_offset_pfn(e)))
				FAIL(w, addr, "migration entry to pfn %lu, which is free", w->mm->id,
				     addr, swp_offset_pfn(e));
			if (mode == CHECK_END)
				FAIL(w, addr, "a migration entry outlived its migration", w->mm->id,
				     addr);
		} else if (is_pte_marker_entry(e)) {
			if (!pte_marker_get(e) || pte_marker_get(e) > 7)
				FAIL(w, addr, "marker PTE with bits %#lx", w->mm->id, addr,
				     pte_marker_get(e));
		} else if (!mm_swap_entry_valid(e)) {
			FAIL(w, addr, "swap entry %#lx names no swap device", w->mm->id, addr, e.val);
		}
	}
}

static void check_pmd(struct check_walk *w, unsigned long addr, pmd_t pmd)
{
	enum check_mode mode = *(enum check_mode *)w->arg;
	struct mm_kernel *k = w->k;

	if (mode == CHECK_END &&
	    (!w->vma || w->vma->vm_start > addr || w->vma->vm_end < addr + PMD_SIZE))
		FAIL(w, addr, "huge PMD %#llx not inside one VMA", w->mm->id, addr,
		     (unsigned long long)pmd_val(pmd));
	if (pmd_trans_huge(pmd)) {
		unsigned long pfn = pmd_pfn(pmd);

		if (mode == CHECK_END && pmd_protnone(pmd))
			FAIL(w, addr, "a huge PMD was left invalidated (split not finished)",
			     w->mm->id, addr);
		if (pfn == k->huge_zero_pfn)
			return;
		if (!page_live(k, pfn) || k->mem_map[pfn].head != pfn ||
		    k->mem_map[pfn].order != HPAGE_PMD_ORDER)
			FAIL(w, addr, "huge PMD maps pfn %lu, which is not an allocated PMD-size"
			     " folio", w->mm->id, addr, pfn);
		return;
	}
	if (!is_pmd_migration_entry(pmd))
		FAIL(w, addr, "non-present PMD %#llx is not a migration entry", w->mm->id, addr,
		     (unsigned long long)pmd_val(pmd));
	if (mode == CHECK_END)
		FAIL(w, addr, "a PMD migration entry outlived its migration", w->mm->id, addr);
}

void check_pgtable(struct mm_kernel *k, enum check_mode mode)
{
	struct check_walk w = { .k = k, .arg = &mode, .pmd = check_pmd, .pte = check_pte };

	check_walk_all(&w);
}
