/*
 * pagemap.c - /proc/PID/pagemap for one page (fs/proc/task_mmu.c,
 * v6.17): pagemap_read() walks the page tables under the mmap_lock in
 * read mode, taking the PMD lock for a huge PMD (pagemap_pmd_range) and
 * the PTE lock otherwise (pte_to_pagemap_entry).  Leaves out the
 * soft-dirty, uffd-wp and file bits, and PFNs are reported to everyone
 * (the kernel hides them from the unprivileged).
 */
#include <string.h>

#include "mm/huge_mm.h"
#include "mm/internal.h"
#include "mm/pagemap.h"

static void pagemap_swap(struct mmt_pagemap *pm, swp_entry_t e)
{
	if (non_swap_entry(e))
		pm->other = true;
	else {
		pm->swapped = true;
		pm->swp = e.val;
	}
}

static void pagemap_page(struct mmt_pagemap *pm, unsigned long pfn)
{
	struct folio *f = page_folio(pfn_to_page(pfn));

	pm->present = true;
	pm->pfn = pfn;
	pm->zero = is_zero_pfn(pfn) || is_huge_zero_folio(f);
	pm->exclusive = !pm->zero && folio_mapcount(f) == 1;
}

void mmt_pagemap(struct mm_struct *mm, unsigned long addr, struct mmt_pagemap *pm)
{
	struct vm_area_struct *vma;
	spinlock_t *ptl;
	pmd_t *pmdp, pmd;
	pte_t *ptep, pte;

	SIM_FN();
	memset(pm, 0, sizeof(*pm));
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma || !(pmdp = mm_find_pmd(mm, addr)))
		goto out;
	ptl = pmd_lock(mm, pmdp);
	pmd = pmdp_get(pmdp);
	if (!pmd_is_table(pmd)) {
		if (pmd_trans_huge(pmd)) {
			pagemap_page(pm, pmd_pfn(pmd) + pte_index(addr));
			pm->huge = true;
		} else if (is_swap_pmd(pmd)) {
			pagemap_swap(pm, pmd_to_swp_entry(pmd));
		}
		spin_unlock(ptl);
		goto out;
	}
	spin_unlock(ptl);
	if (!(ptep = pte_offset_map_lock(mm, pmdp, addr, &ptl)))
		goto out;
	pte = ptep_get(ptep);
	if (pte_present(pte))
		pagemap_page(pm, pte_pfn(pte));
	else if (!pte_none(pte))
		pagemap_swap(pm, pte_to_swp_entry(pte));
	pte_unmap_unlock(ptep, ptl);
out:
	mmap_read_unlock(mm);
}
