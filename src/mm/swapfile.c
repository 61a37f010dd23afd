/*
 * swapfile.c - swap devices and their swap_map (mm/swapfile.c, v6.17).
 *
 * Models: swapon of a device (synchronous, zram-like, or asynchronous),
 * get_swap_device/put_swap_device, slot allocation with three policies
 * (kernel-like cursor, lowest-free, LIFO), __swap_duplicate in its two uses
 * (swap_duplicate for page-table references, swapcache_prepare for the
 * SWAP_HAS_CACHE pin), swap_free_nr, swapcache_clear, put_swap_folio,
 * free_swap_and_cache_nr with __try_to_reclaim_swap, folio_free_swap, and
 * freeing a slot: its data is discarded at once, as zram does.
 *
 * Leaves out: clusters and their lists (the CLUSTER policy keeps only the
 * per-CPU cursor behaviour that matters for slot reuse), swap count
 * continuations, discards, swapoff, priorities between devices (the first
 * device with room is used), memcg swap accounting, zswap.
 */
#include <string.h>

#include "mm/api.h"
#include "mm/swap.h"

struct swap_info_struct *swp_swap_info(swp_entry_t entry)
{
	unsigned type = swp_type(entry);

	return type < (unsigned)mmk()->nr_swapfiles ? mmk()->swap_info[type] : NULL;
}

bool mm_swap_entry_valid(swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(e);

	return si && swp_offset(e) > 0 && swp_offset(e) < si->max;
}

int mmt_swapon(unsigned long nr_slots, bool sync, enum swap_alloc_policy policy)
{
	struct mm_kernel *k = mmk();
	struct swap_info_struct *si;

	if (k->nr_swapfiles == MAX_SWAPFILES_MODEL)
		return -EPERM;
	if (!nr_slots || nr_slots > (1UL << 20))
		return -EINVAL;
	si = kzalloc(sizeof(*si));
	si->type = k->nr_swapfiles;
	si->max = nr_slots + 1;
	si->flags = SWP_USED | SWP_WRITEOK | (sync ? SWP_SYNCHRONOUS_IO : 0);
	si->policy = policy;
	si->cursor = 1;
	si->swap_map = kzalloc(si->max);
	si->cache = kzalloc(si->max * sizeof(unsigned long));
	si->lifo = kzalloc(si->max * sizeof(unsigned long));
	si->pending = kzalloc(si->max * sizeof(unsigned long));
	si->state = kzalloc(si->max);
	si->data = kzalloc_aligned(si->max * PAGE_SIZE, PAGE_SIZE);
	spin_lock_init(&si->lock);
	spin_lock_init(&si->cache_lock);
	k->swap_info[k->nr_swapfiles++] = si;
	k->nr_swap_pages += (long)nr_slots;
	k->total_swap_pages += (long)nr_slots;
	return si->type;
}

/* get_swap_device(): a reference that keeps the device (and its swap_map)
 * alive; NULL if the entry is not a valid slot of a live device. */
struct swap_info_struct *get_swap_device(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	if (!si || !(si->flags & SWP_WRITEOK) || !swp_offset(entry) || swp_offset(entry) >= si->max)
		return NULL;
	atomic_inc(&si->users);
	return si;
}

void put_swap_device(struct swap_info_struct *si)
{
	atomic_dec(&si->users);
}

/* __swap_count(): the page-table references of a slot (lockless). */
int __swap_count(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	return READ_ONCE(si->swap_map[swp_offset(entry)]) & SWAP_COUNT_MASK;
}

bool swap_entry_swapped(struct swap_info_struct *si, swp_entry_t entry)
{
	return READ_ONCE(si->swap_map[swp_offset(entry)]) & SWAP_COUNT_MASK;
}

bool vm_swap_full(void)
{
	struct mm_kernel *k = mmk();

	return k->nr_swap_pages * 2 < k->total_swap_pages;
}

/* A slot nothing refers to any more: free it (swap_entries_free).  zram
 * frees the compressed data at this moment (swap_slot_free_notify). */
static void swap_slot_free(struct swap_info_struct *si, unsigned long off)
{
	lockdep_assert_held(&si->lock);
	si->swap_map[off] = 0;
	si->state[off] = SLOT_DISCARDED;
	memset(si->data + off * PAGE_SIZE, 0x6b, PAGE_SIZE);
	si->inuse_pages--;
	si->lifo[si->nr_lifo++] = off;
	mmk()->nr_swap_pages++;
}

/* Drop @usage (1 for a count, SWAP_HAS_CACHE for the cache bit) from each slot. */
static void swap_entries_put(struct swap_info_struct *si, unsigned long off, int nr,
			     unsigned char usage)
{
	spin_lock(&si->lock);
	for (int i = 0; i < nr; i++) {
		unsigned char v = si->swap_map[off + (unsigned)i];

		if (usage == SWAP_HAS_CACHE) {
			VM_BUG_ON(!(v & SWAP_HAS_CACHE));
			v &= ~SWAP_HAS_CACHE;
		} else {
			VM_BUG_ON(!(v & SWAP_COUNT_MASK));
			v--;
		}
		WRITE_ONCE(si->swap_map[off + (unsigned)i], v);
		if (!v)
			swap_slot_free(si, off + (unsigned)i);
	}
	spin_unlock(&si->lock);
}

/*
 * __swap_duplicate(): add @usage to @nr slots, all or none.  A free slot is
 * -ENOENT; asking for SWAP_HAS_CACHE while it is set is -EEXIST; a count at
 * its maximum is -ENOMEM (the kernel would need a continuation page).
 */
static int __swap_duplicate(swp_entry_t entry, unsigned char usage, int nr)
{
	struct swap_info_struct *si = swp_swap_info(entry);
	unsigned long off = swp_offset(entry);
	int err = 0;

	if (!si)
		return -EINVAL;
	spin_lock(&si->lock);
	for (int i = 0; i < nr && !err; i++) {
		unsigned char v = si->swap_map[off + (unsigned)i];

		if (!v)
			err = -ENOENT;
		else if (usage == SWAP_HAS_CACHE && (v & SWAP_HAS_CACHE))
			err = -EEXIST;
		else if (usage == SWAP_HAS_CACHE && !(v & SWAP_COUNT_MASK))
			err = -ENOENT;
		else if (usage == 1 && (v & SWAP_COUNT_MASK) >= SWAP_MAP_MAX)
			err = -ENOMEM;
	}
	for (int i = 0; i < nr && !err; i++) {
		unsigned char v = si->swap_map[off + (unsigned)i];

		WRITE_ONCE(si->swap_map[off + (unsigned)i],
			   usage == SWAP_HAS_CACHE ? (unsigned char)(v | SWAP_HAS_CACHE)
						   : (unsigned char)(v + 1));
	}
	spin_unlock(&si->lock);
	return err;
}

int swap_duplicate(swp_entry_t entry)
{
	return __swap_duplicate(entry, 1, 1);
}

/* swapcache_prepare(): pin @nr slots with SWAP_HAS_CACHE (the entry is about
 * to be read into a folio that is or is not added to the swap cache). */
int swapcache_prepare(swp_entry_t entry, int nr)
{
	return __swap_duplicate(entry, SWAP_HAS_CACHE, nr);
}

void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr)
{
	swap_entries_put(si, swp_offset(entry), nr, SWAP_HAS_CACHE);
}

/* swap_free_nr(): a page-table reference to each slot is gone. */
void swap_free_nr(swp_entry_t entry, int nr)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	swap_entries_put(si, swp_offset(entry), nr, 1);
}

/* put_swap_folio(): the folio left the swap cache; drop SWAP_HAS_CACHE. */
void put_swap_folio(struct folio *folio, swp_entry_t entry)
{
	swap_entries_put(swp_swap_info(entry), swp_offset(entry), (int)folio_nr_pages(folio),
			 SWAP_HAS_CACHE);
}

/* ---- allocation --------------------------------------------------------- */

static bool slots_free(struct swap_info_struct *si, unsigned long off, unsigned long nr)
{
	if (off == 0 || off + nr > si->max)
		return false;
	for (unsigned long i = 0; i < nr; i++)
		if (si->swap_map[off + i])
			return false;
	return true;
}

/* The first slot of a free, naturally aligned run of @nr, by policy; 0: none. */
static unsigned long scan_swap_map(struct swap_info_struct *si, unsigned long nr)
{
	unsigned long off;

	if (si->policy == SWAP_ALLOC_LIFO && nr == 1) {
		while (si->nr_lifo) {
			off = si->lifo[--si->nr_lifo];
			if (slots_free(si, off, 1))
				return off;
		}
	}
	if (si->policy == SWAP_ALLOC_CLUSTER) {
		for (unsigned long n = 0; n < si->max; n++) {
			off = ALIGN((si->cursor + n) % si->max, nr);
			if (slots_free(si, off, nr)) {
				si->cursor = off + nr;
				return off;
			}
		}
		return 0;
	}
	for (off = nr; off + nr <= si->max; off += nr)
		if (slots_free(si, off, nr))
			return off;
	return 0;
}

/*
 * folio_alloc_swap(): slots for a folio about to enter the swap cache: one
 * naturally aligned run of its size, born with SWAP_HAS_CACHE and count 0;
 * a zero entry if no device has room (a large folio is then split by
 * reclaim and tried page by page).
 */
swp_entry_t folio_alloc_swap(struct folio *folio)
{
	struct mm_kernel *k = mmk();
	unsigned long nr = (unsigned long)folio_nr_pages(folio);

	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];
		unsigned long off;

		if (!(si->flags & SWP_WRITEOK))
			continue;
		spin_lock(&si->lock);
		off = scan_swap_map(si, nr);
		if (off) {
			for (unsigned long i = 0; i < nr; i++) {
				WRITE_ONCE(si->swap_map[off + i], SWAP_HAS_CACHE);
				si->state[off + i] = SLOT_EMPTY;
			}
			si->inuse_pages += nr;
			k->nr_swap_pages -= (long)nr;
		}
		spin_unlock(&si->lock);
		if (off)
			return swp_entry((unsigned)t, off);
	}
	return (swp_entry_t){ 0 };
}

/* ---- freeing -------------------------------------------------------------- */

/* folio_swapped(): does any slot of the folio still have page-table references? */
static bool folio_swapped(struct folio *folio)
{
	swp_entry_t entry = folio->swap;

	for (long i = 0; i < folio_nr_pages(folio); i++)
		if (__swap_count(swp_entry(swp_type(entry), swp_offset(entry) + (unsigned long)i)))
			return true;
	return false;
}

/*
 * folio_free_swap(): the folio (locked) leaves the swap cache if no page
 * table refers to any of its slots any more and it is not under writeback;
 * its only copy is then in memory, so it is dirtied.
 */
bool folio_free_swap(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	if (!folio_test_swapcache(folio) || folio_test_writeback(folio) || folio_swapped(folio))
		return false;
	delete_from_swap_cache(folio);
	folio_mark_dirty(folio);
	return true;
}

/*
 * __try_to_reclaim_swap(): a slot became cache-only; drop the cached folio
 * too if it is unmapped or swap is full, and nothing else still uses it
 * (TTRS_UNMAPPED | TTRS_FULL).  Trylock only.
 */
static void try_to_reclaim_swap(struct swap_info_struct *si, swp_entry_t entry)
{
	unsigned long off = swp_offset(entry);
	struct folio *folio = swap_cache_get_folio(entry);

	(void)si;
	(void)off;
	if (!folio)
		return;
	if (folio_trylock(folio)) {
		if (folio_test_swapcache(folio) && folio->swap.val == entry.val &&
		    (!folio_mapped(folio) || vm_swap_full()))
			folio_free_swap(folio);
		folio_unlock(folio);
	}
	folio_put(folio);
}

/* free_swap_and_cache_nr(): zap dropped @nr swap PTEs' references. */
void free_swap_and_cache_nr(swp_entry_t entry, int nr)
{
	struct swap_info_struct *si = get_swap_device(entry);

	if (!si)
		return;
	for (int i = 0; i < nr; i++) {
		swp_entry_t e = swp_entry(swp_type(entry), swp_offset(entry) + (unsigned long)i);
		unsigned char v;

		swap_free_nr(e, 1);
		v = READ_ONCE(si->swap_map[swp_offset(e)]);
		if (v == SWAP_HAS_CACHE)
			try_to_reclaim_swap(si, e);
	}
	put_swap_device(si);
}

/*
 * zap_nonpresent_pte(): models the non-present branch of zap_pte_range().
 * A swap entry gives back its reference (and maybe the cache); a migration
 * entry stands for a mapping try_to_migrate() already removed from the rmap,
 * so only the RSS counter goes; markers just vanish.
 */
void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, pte_t ptent,
			long *rss)
{
	swp_entry_t entry = pte_to_swp_entry(ptent);

	if (!non_swap_entry(entry)) {
		rss[MM_SWAPENTS]--;
		free_swap_and_cache(entry);
	} else if (is_migration_entry(entry)) {
		struct folio *folio = pfn_folio(swp_offset_pfn(entry));

		rss[folio_test_anon(folio) ? MM_ANONPAGES : MM_SHMEMPAGES]--;
	}
	pte_clear(vma->vm_mm, addr, pte);
}
