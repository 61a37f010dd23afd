/*
 * inv_swap.c - INV-2, swap-cache coherence, and INV-5, swap-slot lifetime.
 *
 * INV-2: cache[e] == page p  iff  p's folio is in the swap cache
 *        (PG_swapcache) with folio->swap + (p - folio) == e; and every slot
 *        with a cached page has SWAP_HAS_CACHE.  At the end of an execution
 *        SWAP_HAS_CACHE is set only for slots with a cached page (no pin or
 *        transient window is left open).
 * INV-5: a slot's count equals the swap PTEs referring to it; a slot a PTE
 *        refers to holds that page's data (or its folio is in the swap
 *        cache); a free slot is referred to by nothing.  Swap-in of a slot
 *        whose data was discarded is caught where it happens (page_io.c).
 *
 * Both run at the end of an execution.
 */
#include "check/check.h"
#include "mm/swap.h"

struct swap_refs {
	uint16_t *ptes[MAX_SWAPFILES_MODEL];	/* swap PTEs per slot */
};

#define SWAP_FAIL(inv, ...) sim_fail(SIM_FIND_INVARIANT, inv, __VA_ARGS__)

static void count_pte(struct check_walk *w, unsigned long addr, pte_t pte)
{
	struct swap_refs *r = w->arg;
	swp_entry_t e;

	(void)addr;
	if (!is_swap_pte(pte))
		return;
	e = pte_to_swp_entry(pte);
	if (non_swap_entry(e) || !mm_swap_entry_valid(e))
		return;		/* INV-7 reports invalid entries */
	r->ptes[swp_type(e)][swp_offset(e)]++;
}

static void check_cache_slot(struct mm_kernel *k, struct swap_info_struct *si, unsigned long off)
{
	unsigned long pfn = si->cache[off];
	struct page *p;
	struct folio *f;

	if (!pfn) {
		if (si->swap_map[off] & SWAP_HAS_CACHE)
			SWAP_FAIL("INV-2", "swap-cache coherence: slot %d:%lu has SWAP_HAS_CACHE but"
				  " no folio in the swap cache (a pin or a window was left open)",
				  si->type, off);
		return;
	}
	p = &k->mem_map[pfn];
	f = (struct folio *)&k->mem_map[p->head];
	if (p->flags & ((1UL << PG_buddy) | (1UL << PG_poisoned)))
		SWAP_FAIL("INV-2", "swap-cache coherence: slot %d:%lu caches pfn %lu, which is free",
			  si->type, off, pfn);
	if (!(f->flags & (1UL << PG_swapcache)) ||
	    f->swap.val + (pfn - p->head) != swp_entry((unsigned)si->type, off).val)
		SWAP_FAIL("INV-2", "swap-cache coherence: slot %d:%lu caches pfn %lu, but that folio"
			  " is %s", si->type, off, pfn,
			  (f->flags & (1UL << PG_swapcache)) ? "in the cache under another entry"
							    : "not in the swap cache");
	if (!(si->swap_map[off] & SWAP_HAS_CACHE))
		SWAP_FAIL("INV-2", "swap-cache coherence: slot %d:%lu caches pfn %lu without"
			  " SWAP_HAS_CACHE", si->type, off, pfn);
}

static void check_slot_refs(struct swap_info_struct *si, unsigned long off, unsigned refs)
{
	unsigned count = si->swap_map[off] & SWAP_COUNT_MASK;

	if (count != refs)
		SWAP_FAIL("INV-5", "swap-slot lifetime: slot %d:%lu has count %u, but %u swap PTEs"
			  " refer to it", si->type, off, count, refs);
	if (refs && si->state[off] != SLOT_DATA && !si->cache[off])
		SWAP_FAIL("INV-5", "swap-slot lifetime: %u swap PTEs refer to slot %d:%lu, whose"
			  " data %s and which has no folio in the swap cache", refs, si->type, off,
			  si->state[off] == SLOT_DISCARDED ? "was discarded" : "was never written");
}

/* Every folio flagged PG_swapcache is where the cache says. */
static void check_cached_folios(struct mm_kernel *k)
{
	for (unsigned long pfn = 0; pfn < check_pfn_end(k); pfn++) {
		struct folio *f = (struct folio *)&k->mem_map[pfn];
		struct swap_info_struct *si;

		if (f->head != pfn || !(f->flags & (1UL << PG_swapcache)) ||
		    (f->flags & ((1UL << PG_buddy) | (1UL << PG_poisoned))))
			continue;
		si = swp_swap_info(f->swap);
		for (unsigned long i = 0; i < (1UL << f->order); i++)
			if (!si || swp_offset(f->swap) + i >= si->max ||
			    si->cache[swp_offset(f->swap) + i] != pfn + i)
				SWAP_FAIL("INV-2", "swap-cache coherence: folio pfn %lu says it is cached"
					  " under entry %#lx, but the cache does not hold it there",
					  pfn, f->swap.val);
	}
}

void check_swap(struct mm_kernel *k)
{
	struct swap_refs r = { { 0 } };
	struct check_walk w = { .k = k, .arg = &r, .pte = count_pte };

	for (int t = 0; t < k->nr_swapfiles; t++)
		r.ptes[t] = kzalloc(k->swap_info[t]->max * sizeof(uint16_t));
	check_walk_all(&w);
	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];

		for (unsigned long off = 1; off < si->max; off++) {
			check_cache_slot(k, si, off);
			check_slot_refs(si, off, r.ptes[t][off]);
		}
	}
	check_cached_folios(k);
}

void check_no_swap_leaks(struct mm_kernel *k)
{
	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];

		for (unsigned long off = 1; off < si->max; off++)
			if (si->swap_map[off])
				SWAP_FAIL("INV-5", "swap-slot lifetime: leak: slot %d:%lu is still in use"
					  " (map %#x) after every address space exited", si->type, off,
					  si->swap_map[off]);
	}
}
