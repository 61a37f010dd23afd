/*
 * swapfile.c - swap entries in page tables (mm/swapfile.c).
 *
 * Today only the parts every page-table walk needs: zapping a non-present
 * PTE.  Swap devices arrive with issue 4; until then no swap entry can
 * exist, and reaching a swap path is a bug in the model (BUG()).
 */
#include "mm/swap.h"

vm_fault_t do_swap_page_swapin(struct vm_fault *vmf)
{
	(void)vmf;
	BUG();
}

int swap_duplicate(swp_entry_t entry)
{
	(void)entry;
	BUG();
}

void free_swap_and_cache(swp_entry_t entry)
{
	(void)entry;
	BUG();
}

/* No swap device exists yet. */
bool mm_swap_entry_valid(swp_entry_t e)
{
	(void)e;
	return false;
}

/* No folio is in the swap cache yet: nothing to free. */
bool folio_free_swap(struct folio *folio)
{
	(void)folio;
	return false;
}

void swap_cache_split(struct folio *folio, long nr)
{
	(void)folio;
	(void)nr;
	BUG();
}

/*
 * zap_nonpresent_pte(): models the non-present branch of zap_pte_range().
 * A migration entry stands for a mapping that try_to_migrate() already
 * removed from the rmap: only the RSS counter goes.  Markers just vanish.
 */
void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, pte_t ptent,
			long *rss)
{
	swp_entry_t entry = pte_to_swp_entry(ptent);

	if (!non_swap_entry(entry)) {
		free_swap_and_cache(entry);
		rss[MM_SWAPENTS]--;
	} else if (is_migration_entry(entry)) {
		struct folio *folio = pfn_folio(swp_offset_pfn(entry));

		rss[folio_test_anon(folio) ? MM_ANONPAGES : MM_SHMEMPAGES]--;
	}
	pte_clear(vma->vm_mm, addr, pte);
}
