/*
 * swap_state.c - the swap cache (mm/swap_state.c, v6.17: add_to_swap_cache,
 * __delete_from_swap_cache, delete_from_swap_cache, swap_cache_get_folio,
 * __read_swap_cache_async, swapin_readahead, add_to_swap).
 *
 * Per device, cache[offset] holds the pfn of the page cached for that slot
 * (a large folio fills several slots with its pages), changed under the
 * cache lock.  A folio in the cache has PG_swapcache, folio->swap set to its
 * first slot, and one reference per page.
 *
 * The lookup is lockless and takes a reference the way filemap_get_entry()
 * does: read the slot, try to get the folio, re-read the slot.  So the folio
 * it returns was in the cache for that slot at some moment - and may have
 * left it since, or may be a different page's folio if the slot was freed
 * and handed out again.  Only the folio lock, with PG_swapcache and
 * folio->swap re-checked, makes it stable (seeds 000 and 002).
 *
 * Leaves out: readahead (swapin_readahead reads the one entry), workingset
 * shadows, the memcg charge, zswap.
 */
#include "mm/swap.h"

static unsigned long *cache_slot(swp_entry_t entry)
{
	return &swp_swap_info(entry)->cache[swp_offset(entry)];
}

/* add_to_swap_cache(): insert a locked folio under @entry (its slots
 * already carry SWAP_HAS_CACHE).  -EEXIST if a slot is taken. */
int add_to_swap_cache(struct folio *folio, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);
	long nr = folio_nr_pages(folio);
	int err = 0;

	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	folio_ref_add(folio, (int)nr);
	folio_set_swapcache(folio);
	folio->swap = entry;
	spin_lock(&si->cache_lock);
	for (long i = 0; i < nr && !err; i++)
		if (si->cache[swp_offset(entry) + (unsigned long)i])
			err = -EEXIST;
	for (long i = 0; i < nr && !err; i++)
		WRITE_ONCE(si->cache[swp_offset(entry) + (unsigned long)i],
			   folio_pfn(folio) + (unsigned long)i);
	spin_unlock(&si->cache_lock);
	if (err) {
		folio_clear_swapcache(folio);
		folio->swap.val = 0;
		folio_ref_sub(folio, (int)nr);
	}
	return err;
}

/* __delete_from_swap_cache(): remove the folio (cache lock held); the
 * caller drops the cache's references and the slots' SWAP_HAS_CACHE. */
void __delete_from_swap_cache(struct folio *folio, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	lockdep_assert_held(&si->cache_lock);
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	for (long i = 0; i < folio_nr_pages(folio); i++)
		WRITE_ONCE(si->cache[swp_offset(entry) + (unsigned long)i], 0UL);
	folio->swap.val = 0;
	folio_clear_swapcache(folio);
}

void delete_from_swap_cache(struct folio *folio)
{
	swp_entry_t entry = folio->swap;
	struct swap_info_struct *si = swp_swap_info(entry);

	spin_lock(&si->cache_lock);
	__delete_from_swap_cache(folio, entry);
	spin_unlock(&si->cache_lock);
	put_swap_folio(folio, entry);
	folio_ref_sub(folio, (int)folio_nr_pages(folio));
}

/* swap_cache_get_folio(): lockless lookup (see the top of this file). */
struct folio *swap_cache_get_folio(swp_entry_t entry)
{
	unsigned long *slot = cache_slot(entry), pfn;
	struct folio *folio;

	rcu_read_lock();
	sim_retry_reset("swap_cache_get_folio: slot changed");
	for (;;) {
		pfn = READ_ONCE(*slot);
		if (!pfn) {
			folio = NULL;
			break;
		}
		folio = pfn_folio(pfn);
		if (folio_try_get(folio)) {
			if (READ_ONCE(*slot) == pfn)
				break;
			folio_put(folio);
		}
		/* Another CPU is freeing or replacing the folio: let it go on. */
		cpu_relax();
		sim_retry("swap_cache_get_folio: slot changed");
	}
	rcu_read_unlock();
	return folio;
}

/*
 * __read_swap_cache_async(): the folio for @entry in the swap cache, or a
 * new one added there (locked, to be read by the caller: *new set); NULL if
 * the entry was freed meanwhile.  A slot pinned by someone who has not
 * inserted a folio yet (SWAP_HAS_CACHE without a cache entry) is waited for,
 * one tick at a time.
 */
static struct folio *__read_swap_cache_async(swp_entry_t entry, bool *new)
{
	struct swap_info_struct *si = swp_swap_info(entry);
	struct folio *folio;
	int err;

	*new = false;
	sim_retry_reset("__read_swap_cache_async: EEXIST");
	for (;;) {
		folio = swap_cache_get_folio(entry);
		if (folio)
			return folio;
		if (!swap_entry_swapped(si, entry))
			return NULL;
		folio = folio_alloc(0);
		if (!folio)
			return NULL;
		err = swapcache_prepare(entry, 1);
		if (!err)
			break;
		folio_put(folio);
		if (err != -EEXIST)
			return NULL;
		/* Another swap-in holds the pin; give it a tick. */
		schedule_timeout_uninterruptible(1);
		sim_retry("__read_swap_cache_async: EEXIST");
	}
	__folio_set_flag(folio, PG_locked);
	__folio_set_flag(folio, PG_swapbacked);
	if (add_to_swap_cache(folio, entry)) {
		put_swap_folio(folio, entry);
		folio_unlock_new(folio);
		folio_put(folio);
		return NULL;
	}
	folio_add_lru(folio);
	*new = true;
	return folio;
}

/* swapin_readahead(): no readahead in the model: read the one entry. */
struct folio *swapin_readahead(swp_entry_t entry, struct vm_fault *vmf)
{
	bool new;
	struct folio *folio = __read_swap_cache_async(entry, &new);

	(void)vmf;
	if (folio && new)
		swap_read_folio(folio);
	return folio;
}

/*
 * add_to_swap(): give a locked anon folio swap slots and put it in the swap
 * cache, dirty (its data must be written).  False if no slot is free.
 */
bool add_to_swap(struct folio *folio)
{
	swp_entry_t entry;

	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	entry = folio_alloc_swap(folio);
	if (!entry.val)
		return false;
	if (add_to_swap_cache(folio, entry)) {
		put_swap_folio(folio, entry);
		return false;
	}
	folio_mark_dirty(folio);
	return true;
}

/* free_swap_cache(): a folio whose last mapping went may drop its swap
 * copy too (free_pages_and_swap_cache, wp_page_copy). */
void free_swap_cache(struct folio *folio)
{
	if (folio_test_swapcache(folio) && !folio_mapped(folio) && folio_trylock(folio)) {
		folio_free_swap(folio);
		folio_unlock(folio);
	}
}

/* After split_folio(): the cache already holds each page's own pfn; the
 * split gave every new folio its slot and reference. */
void swap_cache_split(struct folio *folio, long nr)
{
	(void)folio;
	(void)nr;
}
