/*
 * swap.h - the swap side of the model kernel (mm/swap.h, include/linux/swap.h).
 *
 * Swap devices, the swap map, the swap cache, reclaim and swap-in are
 * issue 4 of the project; until they land, nothing creates a swap entry,
 * and the entry points below report a kernel BUG if ever reached.
 */
#ifndef MMT_MM_SWAP_H
#define MMT_MM_SWAP_H

#include "mm/internal.h"

vm_fault_t do_swap_page_swapin(struct vm_fault *vmf);
int swap_duplicate(swp_entry_t entry);
void free_swap_and_cache(swp_entry_t entry);
bool folio_free_swap(struct folio *folio);
void swap_cache_split(struct folio *folio, long nr);
/* Does @e name a slot of an existing swap device? */
bool mm_swap_entry_valid(swp_entry_t e);
/* zap_pte_range()'s non-present case: swap, migration and marker entries. */
void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, pte_t ptent,
			long *rss);

#endif
