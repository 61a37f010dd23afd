/*
 * page_vma_mapped.c - find the PTEs of one VMA that map a folio, or hold
 * migration entries to it (mm/page_vma_mapped.c: page_vma_mapped_walk,
 * reduced to a callback per PTE, each visited under its PTL).
 *
 * PMD mappings are the caller's business (try_to_migrate and
 * remove_migration_ptes look at the PMD first).
 */
#include "mm/huge_mm.h"

static bool pte_matches(pte_t val, unsigned long pfn, bool migration)
{
	if (!migration)
		return pte_present(val) && pte_pfn(val) == pfn;
	if (!is_swap_pte(val))
		return false;
	return is_migration_entry(pte_to_swp_entry(val)) &&
	       swp_offset_pfn(pte_to_swp_entry(val)) == pfn;
}

bool folio_walk_ptes(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
		     bool migration, pvmw_fn fn, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	long nr = folio_nr_pages(folio);

	(void)address;
	for (long i = 0; i < nr; i++) {
		unsigned long pgoff = folio->index + (unsigned long)i, addr;
		spinlock_t *ptl;
		pmd_t *pmd;
		pte_t *pte, val;
		bool more;

		if (pgoff < vma->vm_pgoff)
			continue;
		addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (addr >= vma->vm_end)
			break;
		pmd = mm_find_pmd(mm, addr);
		if (!pmd || !pmd_is_table(pmdp_get_lockless(pmd)))
			continue;
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
		if (!pte)
			continue;
		val = ptep_get(pte);
		if (!pte_matches(val, folio_pfn(folio) + (unsigned long)i, migration)) {
			pte_unmap_unlock(pte, ptl);
			continue;
		}
		more = fn(folio, vma, addr, pte, val, arg);
		pte_unmap_unlock(pte, ptl);
		if (!more)
			return false;
	}
	return true;
}
