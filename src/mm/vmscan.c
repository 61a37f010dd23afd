/*
 * vmscan.c - reclaim of anonymous folios to swap (mm/vmscan.c, v6.17:
 * shrink_folio_list for anon swap-backed folios, pageout, __remove_mapping,
 * reclaim_pages; kswapd reduced to an operation).
 *
 * A folio goes through: lock (trylock), add to the swap cache (allocating
 * slots; a large folio that finds no contiguous slots is split), unmap from
 * every page table (try_to_unmap: swap PTEs carry the exclusive bit),
 * write (pageout), and finally __remove_mapping: only if nobody else holds a
 * reference is it deleted from the swap cache and freed.  Otherwise it
 * stays in the swap cache, unmapped, with its old anon_vma and index - the
 * state the UFFDIO_MOVE races of seeds 000 and 001 live in.
 *
 * Leaves out: the reference check (MADV_PAGEOUT ignores references; the
 * reclaim operation treats every folio as cold), activation, dirty file
 * writeback, lazyfree, demotion, the scan balance.
 */
#include "mm/huge_mm.h"
#include "mm/swap.h"

/* __remove_mapping(): for a swap-cache folio, freeze the references we
 * expect (ours and the cache's), delete it from the cache.  False if
 * someone else holds a reference or it was dirtied again. */
static bool __remove_mapping(struct folio *folio)
{
	swp_entry_t entry = folio->swap;
	struct swap_info_struct *si = swp_swap_info(entry);
	int expected = 1 + (int)folio_nr_pages(folio);

	spin_lock(&si->cache_lock);
	if (atomic_cmpxchg(&folio->_refcount, expected, 0) != expected)
		goto cannot_free;
	if (folio_test_dirty(folio)) {
		atomic_set(&folio->_refcount, expected);
		goto cannot_free;
	}
	__delete_from_swap_cache(folio, entry);
	spin_unlock(&si->cache_lock);
	put_swap_folio(folio, entry);
	return true;
cannot_free:
	spin_unlock(&si->cache_lock);
	return false;
}

enum pageout_t { PAGE_KEEP, PAGE_SUCCESS };

static enum pageout_t pageout(struct folio *folio)
{
	if (!folio_test_swapcache(folio))
		return PAGE_KEEP;
	swap_writeout(folio);
	return PAGE_SUCCESS;
}

/* A split large folio: its other pages go back on the LRU (not reclaimed
 * in this pass; the kernel would reclaim them from its list). */
static void putback_split_tails(struct folio *head, long nr)
{
	for (long i = 1; i < nr; i++)
		folio_add_lru(pfn_folio(folio_pfn(head) + (unsigned long)i));
}

/* One isolated folio (we hold the isolation reference): true if freed. */
static bool shrink_folio(struct folio *folio)
{
	if (!folio_trylock(folio))
		return false;
	if (folio_test_writeback(folio) || !folio_test_anon(folio) || !folio_test_swapbacked(folio))
		goto keep_locked;
	if (!folio_test_swapcache(folio) && !add_to_swap(folio)) {
		long nr = folio_nr_pages(folio);

		if (!folio_test_large(folio) || split_folio(folio))
			goto keep_locked;
		putback_split_tails(folio, nr);
		if (!add_to_swap(folio))
			goto keep_locked;
	}
	if (folio_mapped(folio)) {
		try_to_unmap(folio, TTU_SPLIT_HUGE_PMD);
		if (folio_mapped(folio))
			goto keep_locked;
	}
	if (folio_test_dirty(folio)) {
		if (pageout(folio) == PAGE_KEEP)
			goto keep_locked;
		/* pageout() unlocked the folio; an unfinished write keeps it. */
		if (folio_test_writeback(folio) || folio_test_dirty(folio))
			return false;
		if (!folio_trylock(folio))
			return false;
		if (folio_test_dirty(folio) || folio_test_writeback(folio))
			goto keep_locked;
	}
	if (!__remove_mapping(folio))
		goto keep_locked;
	folio_unlock(folio);
	/* The references were frozen at zero: free it. */
	__folio_put(folio);
	return true;
keep_locked:
	folio_unlock(folio);
	return false;
}

/* reclaim_pages(): reclaim an isolated list; survivors go back to the LRU. */
unsigned long reclaim_pages(struct folio **list, int nr)
{
	unsigned long freed = 0;

	SIM_FN();
	for (int i = 0; i < nr; i++) {
		if (shrink_folio(list[i]))
			freed++;
		else
			folio_putback_lru(list[i]);
	}
	return freed;
}

unsigned long mmt_reclaim(unsigned long nr)
{
	struct mm_kernel *k = mmk();
	struct folio **list = kzalloc((nr ? nr : 1) * sizeof(*list));
	int n = 0;

	SIM_FN();
	while ((unsigned long)n < nr) {
		struct folio *folio = NULL;
		uint32_t pfn;

		sim_hostlock_lock(&k->lru_lock);
		pfn = k->lru_tail;
		sim_hostlock_unlock(&k->lru_lock);
		if (!pfn)
			break;
		folio = pfn_folio(pfn);
		if (!folio_try_get(folio))
			break;
		if (!folio_isolate_lru(folio)) {
			folio_put(folio);
			break;
		}
		folio_put(folio);
		list[n++] = folio;
	}
	return reclaim_pages(list, n);
}
