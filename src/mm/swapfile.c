/*
 * swapfile.c - swap devices and their swap_map (mm/swapfile.c, v6.17).
 *
 * Models: swapon of a device (synchronous, zram-like, or asynchronous),
 * get_swap_device/put_swap_device, slot allocation with three policies
 * (kernel-like clusters, lowest-free, LIFO), __swap_duplicate in its two
 * uses (swap_duplicate for page-table references, swapcache_prepare for the
 * SWAP_HAS_CACHE pin), swap_free_nr, swapcache_clear, put_swap_folio,
 * free_swap_and_cache_nr with __try_to_reclaim_swap, folio_free_swap, and
 * freeing a slot: its data is discarded at once, as zram does.
 *
 * The kernel-like policy is v6.17's cluster allocator: 512-slot clusters
 * (slot 0, the header, and the slots past the end of the last cluster count
 * as used), each tagged with the order of its first allocation and kept on
 * one of the lists free, nonfull[order], frag[order] and full; a per-CPU
 * next offset per order for the fast path (swap_alloc_fast), and for the
 * slow path (cluster_alloc_swap_entry) a free cluster first, then the
 * nonfull and frag clusters of the order, then, for order 0, any cluster
 * of another order that has room.  Every model device is a solid-state
 * block device (zram is non-rotational), so large allocations are allowed
 * and each CPU keeps its own clusters.
 *
 * Leaves out: the cluster locks (the device lock stands in for them and
 * for si->lock, so an allocation on one device is atomic), discards and the
 * discard list, reclaiming cache-only slots while scanning a cluster
 * (cluster_reclaim_range) or the full clusters (swap_reclaim_full_clusters)
 * when swap is nearly full, the global cluster of rotating disks, swap
 * count continuations, swapoff, priorities between devices (the first
 * device that is not full is used; the kernel gives devices falling
 * priorities in swapon order, which is the same), memcg swap accounting,
 * zswap.
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

/* ---- clusters and their lists (SWAP_ALLOC_CLUSTER) ------------------------- */

/* How many columns setup_clusters() deals the clusters into: the kernel's
 * SWAP_CLUSTER_COLS, set by the clusters per swap-cache address space
 * (SWAP_ADDRESS_SPACE_PAGES / SWAPFILE_CLUSTER = 16384 / 512). */
#define SWAP_CLUSTER_COLS 32

static inline unsigned int cluster_index(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	return (unsigned int)(ci - si->cluster_info);
}

static inline struct swap_cluster_info *offset_to_cluster(struct swap_info_struct *si,
							  unsigned long offset)
{
	return &si->cluster_info[offset / SWAPFILE_CLUSTER];
}

static inline unsigned long cluster_offset(struct swap_info_struct *si,
					  struct swap_cluster_info *ci)
{
	return (unsigned long)cluster_index(si, ci) * SWAPFILE_CLUSTER;
}

static inline bool cluster_is_empty(struct swap_cluster_info *ci)
{
	return ci->count == 0;
}

/* cluster_is_usable(): may an allocation of @order use @ci?  Not when it is
 * full; order 0 may use a cluster of any order, a larger order only an
 * empty cluster or one of its own order. */
static inline bool cluster_is_usable(struct swap_cluster_info *ci, int order)
{
	if (ci->flags > CLUSTER_FLAG_USABLE)
		return false;
	return !order || cluster_is_empty(ci) || order == ci->order;
}

/* The list @ci is on, as its flags say; NULL when it is off every list. */
static struct swap_cluster_list *cluster_list(struct swap_info_struct *si,
					      struct swap_cluster_info *ci)
{
	switch (ci->flags) {
	case CLUSTER_FLAG_FREE:
		return &si->free_clusters;
	case CLUSTER_FLAG_NONFULL:
		return &si->nonfull_clusters[ci->order];
	case CLUSTER_FLAG_FRAG:
		return &si->frag_clusters[ci->order];
	case CLUSTER_FLAG_FULL:
		return &si->full_clusters;
	}
	return NULL;
}

static void cluster_list_add_tail(struct swap_info_struct *si, struct swap_cluster_list *list,
				  struct swap_cluster_info *ci)
{
	unsigned int idx = cluster_index(si, ci);

	ci->list_prev = list->last;
	ci->list_next = SWAP_CLUSTER_NIL;
	if (list->last == SWAP_CLUSTER_NIL)
		list->first = idx;
	else
		si->cluster_info[list->last].list_next = idx;
	list->last = idx;
}

static void cluster_list_del(struct swap_info_struct *si, struct swap_cluster_list *list,
			     struct swap_cluster_info *ci)
{
	if (ci->list_prev == SWAP_CLUSTER_NIL)
		list->first = ci->list_next;
	else
		si->cluster_info[ci->list_prev].list_next = ci->list_next;
	if (ci->list_next == SWAP_CLUSTER_NIL)
		list->last = ci->list_prev;
	else
		si->cluster_info[ci->list_next].list_prev = ci->list_prev;
	ci->list_prev = ci->list_next = SWAP_CLUSTER_NIL;
}

/* move_cluster(): to the tail of @list, flagged @new_flags. */
static void move_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci,
			 struct swap_cluster_list *list, enum swap_cluster_flags new_flags)
{
	lockdep_assert_held(&si->lock);
	VM_WARN_ON(ci->flags == new_flags);
	if (ci->flags != CLUSTER_FLAG_NONE)
		cluster_list_del(si, cluster_list(si, ci), ci);
	cluster_list_add_tail(si, list, ci);
	if (ci->flags == CLUSTER_FLAG_FRAG)
		si->frag_cluster_nr[ci->order]--;
	else if (new_flags == CLUSTER_FLAG_FRAG)
		si->frag_cluster_nr[ci->order]++;
	ci->flags = (unsigned char)new_flags;
}

/* free_cluster(): @ci has no slot in use any more: back to the free list,
 * no longer tied to an order (__free_cluster; no discard). */
static void free_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	VM_BUG_ON(ci->count != 0);
	VM_BUG_ON(ci->flags == CLUSTER_FLAG_FREE);
	move_cluster(si, ci, &si->free_clusters, CLUSTER_FLAG_FREE);
	ci->order = 0;
}

/* partial_free_cluster(): a slot of @ci was freed and others are in use:
 * it goes to the nonfull list of its order (from full, frag or free). */
static void partial_free_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	VM_BUG_ON(!ci->count || ci->count == SWAPFILE_CLUSTER);
	if (ci->flags != CLUSTER_FLAG_NONFULL)
		move_cluster(si, ci, &si->nonfull_clusters[ci->order], CLUSTER_FLAG_NONFULL);
}

/* relocate_cluster(): after an allocation tried @ci: free if it is empty,
 * full if it is full, else the frag list of its order (a cluster a CPU
 * allocates from sits there). */
static void relocate_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	if (!ci->count) {
		if (ci->flags != CLUSTER_FLAG_FREE)
			free_cluster(si, ci);
	} else if (ci->count != SWAPFILE_CLUSTER) {
		if (ci->flags != CLUSTER_FLAG_FRAG)
			move_cluster(si, ci, &si->frag_clusters[ci->order], CLUSTER_FLAG_FRAG);
	} else if (ci->flags != CLUSTER_FLAG_FULL) {
		move_cluster(si, ci, &si->full_clusters, CLUSTER_FLAG_FULL);
	}
}

/* isolate_lock_cluster(): take the first cluster off @list (its flags
 * become NONE); NULL if the list is empty or the device is going away. */
static struct swap_cluster_info *isolate_lock_cluster(struct swap_info_struct *si,
						      struct swap_cluster_list *list)
{
	struct swap_cluster_info *ci;

	lockdep_assert_held(&si->lock);
	if (!(si->flags & SWP_WRITEOK) || list->first == SWAP_CLUSTER_NIL)
		return NULL;
	ci = &si->cluster_info[list->first];
	VM_BUG_ON(ci->flags == CLUSTER_FLAG_NONE || ci->flags > CLUSTER_FLAG_FULL);
	cluster_list_del(si, list, ci);
	ci->flags = CLUSTER_FLAG_NONE;
	return ci;
}

static void cluster_list_init(struct swap_cluster_list *list)
{
	list->first = list->last = SWAP_CLUSTER_NIL;
}

/*
 * setup_clusters(): the cluster array and lists of a new device.  The
 * header slot and the slots past the end count as used, so the clusters
 * holding them start on nonfull[0]; every other cluster is free.  Clusters
 * join their lists column by column, as the kernel deals them out to
 * spread neighbours apart (in index order on devices of up to 32).
 */
static void setup_clusters(struct swap_info_struct *si)
{
	unsigned long nr = (si->max + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;

	si->cluster_info = kzalloc(nr * sizeof(*si->cluster_info));
	si->nr_clusters = (unsigned int)nr;
	cluster_list_init(&si->free_clusters);
	cluster_list_init(&si->full_clusters);
	for (int o = 0; o < SWAP_NR_ORDERS; o++) {
		cluster_list_init(&si->nonfull_clusters[o]);
		cluster_list_init(&si->frag_clusters[o]);
	}
	si->cluster_info[0].count++;
	si->cluster_info[nr - 1].count += (unsigned short)(nr * SWAPFILE_CLUSTER - si->max);
	for (unsigned long j = 0; j < SWAP_CLUSTER_COLS; j++) {
		for (unsigned long i = j; i < nr; i += SWAP_CLUSTER_COLS) {
			struct swap_cluster_info *ci = &si->cluster_info[i];
			bool used = ci->count;

			ci->flags = used ? CLUSTER_FLAG_NONFULL : CLUSTER_FLAG_FREE;
			cluster_list_add_tail(si, used ? &si->nonfull_clusters[0] : &si->free_clusters, ci);
		}
	}
	/* one row per simulated CPU, and one for the pseudo-CPU of setup */
	si->nr_percpu = sim_current_exec()->ncpus + 1;
	si->percpu_next = kzalloc((size_t)si->nr_percpu * SWAP_NR_ORDERS * sizeof(unsigned int));
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
	si->swap_map = kzalloc(si->max);
	si->swap_map[0] = SWAP_MAP_BAD;		/* the header (setup_swap_map) */
	if (policy == SWAP_ALLOC_CLUSTER)
		setup_clusters(si);
	if (policy == SWAP_ALLOC_LIFO)
		si->lifo = kzalloc(si->max * sizeof(unsigned long));
	si->cache = kzalloc(si->max * sizeof(unsigned long));
	si->pending = kzalloc(si->max * sizeof(unsigned long));
	si->state = kzalloc(si->max);
	/* A slot's data is read only once written (si->state says which). */
	si->data = kmalloc_aligned(si->max * PAGE_SIZE, PAGE_SIZE);
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
	mmk()->nr_swap_pages++;
	if (si->cluster_info) {
		struct swap_cluster_info *ci = offset_to_cluster(si, off);

		VM_BUG_ON(cluster_is_empty(ci));
		ci->count--;
		if (!ci->count)
			free_cluster(si, ci);
		else
			partial_free_cluster(si, ci);
	}
	if (si->lifo)
		si->lifo[si->nr_lifo++] = off;
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

/* ---- allocation: lowest-free and LIFO ------------------------------------ */

static bool slots_free(struct swap_info_struct *si, unsigned long off, unsigned long nr)
{
	if (off == 0 || off + nr > si->max)
		return false;
	for (unsigned long i = 0; i < nr; i++)
		if (si->swap_map[off + i])
			return false;
	return true;
}

/* Slots a LIFO device hands out by the lowest-free scan leave its stack, so
 * that the stack holds each free slot at most once (and never overflows). */
static void lifo_forget(struct swap_info_struct *si, unsigned long off, unsigned long nr)
{
	unsigned long kept = 0;

	for (unsigned long i = 0; i < si->nr_lifo; i++)
		if (si->lifo[i] < off || si->lifo[i] >= off + nr)
			si->lifo[kept++] = si->lifo[i];
	si->nr_lifo = kept;
}

/* The first slot of a free, naturally aligned run of @nr: the most recently
 * freed (LIFO, order 0) or the lowest; 0: none. */
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
	for (off = nr; off + nr <= si->max; off += nr) {
		if (slots_free(si, off, nr)) {
			if (si->lifo)
				lifo_forget(si, off, nr);
			return off;
		}
	}
	return 0;
}

/* swap_range_alloc(): @nr slots from @off are born cache-only (the map
 * bytes become SWAP_HAS_CACHE, count 0), with nothing written yet. */
static void swap_range_alloc(struct swap_info_struct *si, unsigned long off, unsigned long nr)
{
	lockdep_assert_held(&si->lock);
	for (unsigned long i = 0; i < nr; i++) {
		WRITE_ONCE(si->swap_map[off + i], SWAP_HAS_CACHE);
		si->state[off + i] = SLOT_EMPTY;
	}
	si->inuse_pages += nr;
	mmk()->nr_swap_pages -= (long)nr;
}

/* ---- allocation: the cluster allocator ----------------------------------- */

/* This CPU's next offset for @order on @si (percpu_swap_cluster.offset). */
static unsigned int *this_cpu_next(struct swap_info_struct *si, int order)
{
	int cpu = sim_current()->id + 1;	/* the pseudo-CPU is -1 */

	return &si->percpu_next[cpu * SWAP_NR_ORDERS + order];
}

/* Set this CPU's next offset for @order: on @si, and none on every other
 * device (the kernel keeps one device per CPU and order). */
static void this_cpu_set_next(struct swap_info_struct *si, int order, unsigned long next)
{
	struct mm_kernel *k = mmk();

	for (int t = 0; t < k->nr_swapfiles; t++)
		if (k->swap_info[t]->percpu_next)
			*this_cpu_next(k->swap_info[t], order) = 0;
	*this_cpu_next(si, order) = (unsigned int)next;
}

/* cluster_scan_range(): are the @nr slots from @start free?  (A cache-only
 * slot counts as used: the reclaim a full device would try is left out.) */
static bool cluster_scan_range(struct swap_info_struct *si, struct swap_cluster_info *ci,
			       unsigned long start, unsigned long nr)
{
	if (cluster_is_empty(ci))
		return true;
	for (unsigned long off = start; off < start + nr; off++)
		if (si->swap_map[off])
			return false;
	return true;
}

/* cluster_alloc_range(): take @nr slots at @start; the first allocation in
 * an empty cluster ties it to @order. */
static bool cluster_alloc_range(struct swap_info_struct *si, struct swap_cluster_info *ci,
				unsigned long start, int order)
{
	unsigned long nr = 1UL << order;

	if (!(si->flags & SWP_WRITEOK))
		return false;
	if (cluster_is_empty(ci))
		ci->order = (unsigned char)order;
	swap_range_alloc(si, start, nr);
	ci->count = (unsigned short)(ci->count + nr);
	return true;
}

/*
 * alloc_swap_scan_cluster(): the first free aligned run of 2^@order slots
 * in @ci at or after @offset; 0: none.  Then the cluster moves to the list
 * its use says, and this CPU's next offset for the order becomes the slot
 * after the run, or none if the cluster is full or the run ended it.
 */
static unsigned long alloc_swap_scan_cluster(struct swap_info_struct *si,
					     struct swap_cluster_info *ci, unsigned long offset,
					     int order)
{
	unsigned long start = ALIGN_DOWN(offset, SWAPFILE_CLUSTER);
	unsigned long end = start + SWAPFILE_CLUSTER < si->max ? start + SWAPFILE_CLUSTER : si->max;
	unsigned long nr = 1UL << order, found = 0, next = 0;

	lockdep_assert_held(&si->lock);
	if (end >= nr && ci->count + nr <= SWAPFILE_CLUSTER) {
		for (end -= nr; offset <= end; offset += nr) {
			if (!cluster_scan_range(si, ci, offset, nr))
				continue;
			if (!cluster_alloc_range(si, ci, offset, order))
				break;
			found = offset;
			offset += nr;
			if (ci->count < SWAPFILE_CLUSTER && offset <= end)
				next = offset;
			break;
		}
	}
	relocate_cluster(si, ci);
	this_cpu_set_next(si, order, next);
	return found;
}

/* Order 0 with no room in clusters of its own: the frag, then the nonfull
 * clusters of every larger order (which keep their order). */
static unsigned long cluster_steal_order0(struct swap_info_struct *si)
{
	struct swap_cluster_info *ci;
	unsigned long found;

	for (int o = 1; o < SWAP_NR_ORDERS; o++) {
		/* a cluster that is not full cannot fail order 0: one pass */
		for (unsigned long n = si->frag_cluster_nr[o];
		     n && (ci = isolate_lock_cluster(si, &si->frag_clusters[o])); n--) {
			si->frag_cluster_nr[o]--;
			found = alloc_swap_scan_cluster(si, ci, cluster_offset(si, ci), 0);
			if (found)
				return found;
		}
		while ((ci = isolate_lock_cluster(si, &si->nonfull_clusters[o]))) {
			found = alloc_swap_scan_cluster(si, ci, cluster_offset(si, ci), 0);
			if (found)
				return found;
		}
	}
	return 0;
}

/*
 * cluster_alloc_swap_entry(): the slow path on one device: a free cluster
 * first (v6.17; later kernels try the nonfull ones first), then the
 * nonfull clusters of @order (one that fails moves to frag), then the frag
 * clusters of @order that were there before (the list rotates); a PMD-size
 * allocation needs a free cluster.  Order 0 may then steal.  0: none.
 */
static unsigned long cluster_alloc_swap_entry(struct swap_info_struct *si, int order)
{
	struct swap_cluster_info *ci;
	unsigned long found, frags = 0, frags_existing;

	ci = isolate_lock_cluster(si, &si->free_clusters);
	if (ci && (found = alloc_swap_scan_cluster(si, ci, cluster_offset(si, ci), order)))
		return found;
	if (order < HPAGE_PMD_ORDER) {
		while ((ci = isolate_lock_cluster(si, &si->nonfull_clusters[order]))) {
			found = alloc_swap_scan_cluster(si, ci, cluster_offset(si, ci), order);
			if (found)
				return found;
			frags++;
		}
		frags_existing = si->frag_cluster_nr[order];
		while (frags < frags_existing &&
		       (ci = isolate_lock_cluster(si, &si->frag_clusters[order]))) {
			si->frag_cluster_nr[order]--;
			found = alloc_swap_scan_cluster(si, ci, cluster_offset(si, ci), order);
			if (found)
				return found;
			frags++;
		}
	}
	return order ? 0 : cluster_steal_order0(si);
}

/*
 * swap_alloc_fast(): this CPU's cluster for @order, if it has one: scan on
 * from the CPU's next offset (from the cluster's start if it emptied
 * meanwhile), unless the cluster filled up or went to another order.
 */
static unsigned long swap_alloc_fast(struct swap_info_struct **sip, int order)
{
	struct mm_kernel *k = mmk();

	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];
		struct swap_cluster_info *ci;
		unsigned long off, found = 0;

		if (!si->percpu_next || !(off = *this_cpu_next(si, order)))
			continue;
		spin_lock(&si->lock);
		ci = offset_to_cluster(si, off);
		if (cluster_is_usable(ci, order)) {
			if (cluster_is_empty(ci))
				off = cluster_offset(si, ci);
			found = alloc_swap_scan_cluster(si, ci, off, order);
		}
		spin_unlock(&si->lock);
		*sip = si;
		return found;
	}
	return 0;
}

/*
 * swap_alloc_slow(): the devices in swapon order, skipping the full ones
 * (the kernel's avail list); a cluster device that cannot take a large
 * folio ends the walk, as the kernel's does (the folio is then split and
 * tried page by page).  Lowest-free and LIFO devices scan as they always
 * did and never end the walk.
 */
static swp_entry_t swap_alloc_slow(int order)
{
	struct mm_kernel *k = mmk();
	unsigned long nr = 1UL << order;

	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];
		unsigned long off = 0;
		bool tried = true;

		if (!(si->flags & SWP_WRITEOK))
			continue;
		spin_lock(&si->lock);
		if (!si->cluster_info) {
			off = scan_swap_map(si, nr);
			if (off)
				swap_range_alloc(si, off, nr);
			tried = false;
		} else if (si->inuse_pages < si->max - 1) {
			off = cluster_alloc_swap_entry(si, order);
		} else {
			tried = false;
		}
		spin_unlock(&si->lock);
		if (off)
			return swp_entry((unsigned)t, off);
		if (tried && order)
			break;
	}
	return (swp_entry_t){ 0 };
}

/*
 * folio_alloc_swap(): slots for a folio about to enter the swap cache: one
 * naturally aligned run of its size, born with SWAP_HAS_CACHE and count 0;
 * a zero entry if no device has room (a large folio is then split by
 * reclaim and tried page by page).  Cluster devices: this CPU's cluster
 * first (swap_alloc_fast), then the device walk (swap_alloc_slow).
 */
swp_entry_t folio_alloc_swap(struct folio *folio)
{
	int order = (int)folio_order(folio);
	struct swap_info_struct *si = NULL;
	unsigned long off = swap_alloc_fast(&si, order);

	if (off)
		return swp_entry((unsigned)si->type, off);
	return swap_alloc_slow(order);
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
