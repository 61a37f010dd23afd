/*
 * swap.h - the swap side of the model kernel, v6.17 (mm/swap.h,
 * include/linux/swap.h): swap devices and their swap_map (swapfile.c), the
 * swap cache (swap_state.c), device I/O (page_io.c), the LRU and reclaim
 * (swap.c, vmscan.c); do_swap_page() is in memory.c.
 *
 * swap_map: one byte per slot, the kernel's encoding - a count of page-table
 * references in the low six bits and SWAP_HAS_CACHE (0x40): a folio is, or
 * is about to be, in the swap cache for the slot, or a SWP_SYNCHRONOUS_IO
 * swap-in pinned it.  A slot is free iff the byte is 0; slot 0, the
 * header, is SWAP_MAP_BAD.  Count continuations (more than 62 references)
 * are left out: the count saturates and swap_duplicate() fails with -ENOMEM
 * there.
 *
 * Which free slot an allocation gets is the device's policy: v6.17's
 * cluster allocator (kernel-like, the per-CPU clusters make reuse depend
 * on who frees and who allocates), or the lowest free slot, or the most
 * recently freed one, for races that need a slot reused at once.
 *
 * Lock order: the swap cache lock and the device lock are leaves (taken
 * alone, or inside a PTL / the folio lock), see docs/LOCKING.md.
 */
#ifndef MMT_MM_SWAP_H
#define MMT_MM_SWAP_H

#include "mm/internal.h"

#define SWAP_HAS_CACHE 0x40
#define SWAP_MAP_MAX 0x3e
#define SWAP_COUNT_MASK 0x3f

/* swap_info_struct.flags */
#define SWP_USED 0x01
#define SWP_WRITEOK 0x02
#define SWP_SYNCHRONOUS_IO 0x04	/* zram-like: I/O completes in the caller */

#define SWAP_MAP_BAD 0x3f		/* slot 0, the header: never allocated */

/* Which free slot the allocator hands out (DESIGN: reuse must be steerable). */
enum swap_alloc_policy {
	/* kernel-like, v6.17: 512-slot clusters tagged with an order, the
	 * free / nonfull / frag / full lists, and a per-CPU next offset per
	 * order (swapfile.c: folio_alloc_swap) */
	SWAP_ALLOC_CLUSTER,
	SWAP_ALLOC_LOWEST,	/* the lowest free slot(s) */
	SWAP_ALLOC_LIFO,	/* the most recently freed slot (order 0) */
};

/* SWAP_ALLOC_CLUSTER: slots are grouped in clusters of one PMD's worth
 * (CONFIG_THP_SWAP); a folio of order 0..HPAGE_PMD_ORDER fits in one. */
#define SWAPFILE_CLUSTER HPAGE_PMD_NR
#define SWAP_NR_ORDERS (HPAGE_PMD_ORDER + 1)

/* swap_cluster_info.flags: which list the cluster is on (kept in sync with
 * the list, as the kernel does); CLUSTER_FLAG_NONE: off every list,
 * isolated by an allocation.  Clusters up to CLUSTER_FLAG_USABLE may be
 * allocated from through a per-CPU offset.  (No discard list.) */
enum swap_cluster_flags {
	CLUSTER_FLAG_NONE,
	CLUSTER_FLAG_FREE,
	CLUSTER_FLAG_NONFULL,
	CLUSTER_FLAG_FRAG,
	CLUSTER_FLAG_USABLE = CLUSTER_FLAG_FRAG,
	CLUSTER_FLAG_FULL,
};

#define SWAP_CLUSTER_NIL 0xffffffffu	/* no cluster: an end of a list */

/* A list of clusters, linked through their indices. */
struct swap_cluster_list {
	unsigned int first, last;
};

/* One cluster (the kernel's struct swap_cluster_info; its lock is si->lock). */
struct swap_cluster_info {
	unsigned int list_prev, list_next;	/* on the list its flags name */
	unsigned short count;	/* slots in use, with the header and the slots past max */
	unsigned char flags;	/* enum swap_cluster_flags */
	unsigned char order;	/* the order it serves; set by its first allocation */
};

/* Model bookkeeping of a slot's data, for INV-5 and the data oracle. */
enum slot_data { SLOT_EMPTY, SLOT_DATA, SLOT_DISCARDED };

struct swap_info_struct {
	unsigned long flags;
	int type;
	unsigned long max;		/* slots; slot 0 is the header, never used */
	unsigned char *swap_map;	/* lock; lockless readers use READ_ONCE */
	spinlock_t lock;		/* swap_map changes, clusters (cluster locks, si->lock) */
	atomic_t users;			/* get_swap_device() references */
	unsigned long inuse_pages;	/* lock */
	enum swap_alloc_policy policy;
	/* SWAP_ALLOC_CLUSTER, all under lock (the kernel's cluster locks and
	 * si->lock); cluster_info is NULL for the other policies */
	struct swap_cluster_info *cluster_info;
	unsigned int nr_clusters;
	struct swap_cluster_list free_clusters;
	struct swap_cluster_list nonfull_clusters[SWAP_NR_ORDERS];
	struct swap_cluster_list frag_clusters[SWAP_NR_ORDERS];
	struct swap_cluster_list full_clusters;
	unsigned long frag_cluster_nr[SWAP_NR_ORDERS];
	/* The kernel's per-CPU percpu_swap_cluster.offset[order] (with .si,
	 * the device it belongs to, modelled by being non-zero on at most
	 * one device for a CPU and order): the slot where this CPU's next
	 * allocation of that order starts scanning, 0: none.  Indexed by
	 * (CPU id + 1) * SWAP_NR_ORDERS + order; index 0 is the pseudo-CPU
	 * of setup and checks.  Only its own CPU reads or writes an entry. */
	unsigned int *percpu_next;
	int nr_percpu;
	unsigned long *lifo;		/* SWAP_ALLOC_LIFO: freed slots, most recent last */
	unsigned long nr_lifo;
	/* the swap cache of this device (the kernel's swap address_space) */
	unsigned long *cache;		/* pfn of the page cached per slot, 0: none */
	spinlock_t cache_lock;		/* cache[] changes; lockless lookups READ_ONCE */
	/* the device's contents */
	uint8_t *data;			/* max * PAGE_SIZE */
	unsigned char *state;		/* enum slot_data per slot */
	/* asynchronous devices: folios whose writeback has not completed */
	unsigned long *pending;		/* pfns, lock */
	unsigned long nr_pending;
};

/* ---- devices and the swap map (swapfile.c) -------------------------------- */

/* swapon(2) of a model device: @nr_slots usable slots; returns its type or
 * -errno.  @sync: SWP_SYNCHRONOUS_IO (zram-like), else a block device whose
 * writeback completes only when mmt_swap_io_complete() runs. */
int mmt_swapon(unsigned long nr_slots, bool sync, enum swap_alloc_policy policy);
/* Complete every pending writeback of every asynchronous device (the
 * block layer's completion interrupts); returns how many completed. */
int mmt_swap_io_complete(void);

struct swap_info_struct *swp_swap_info(swp_entry_t entry);
struct swap_info_struct *get_swap_device(swp_entry_t entry);
void put_swap_device(struct swap_info_struct *si);
bool mm_swap_entry_valid(swp_entry_t e);

int __swap_count(swp_entry_t entry);
bool swap_entry_swapped(struct swap_info_struct *si, swp_entry_t entry);
int swap_duplicate(swp_entry_t entry);
int swapcache_prepare(swp_entry_t entry, int nr);
void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr);
void swap_free_nr(swp_entry_t entry, int nr);
void put_swap_folio(struct folio *folio, swp_entry_t entry);
void free_swap_and_cache_nr(swp_entry_t entry, int nr);
#define free_swap_and_cache(entry) free_swap_and_cache_nr((entry), 1)
bool folio_free_swap(struct folio *folio);
swp_entry_t folio_alloc_swap(struct folio *folio);
bool vm_swap_full(void);

/* zap_pte_range()'s non-present case: swap, migration and marker entries. */
void zap_nonpresent_pte(struct vm_area_struct *vma, pte_t *pte, unsigned long addr, pte_t ptent,
			long *rss);

/* ---- the swap cache (swap_state.c) -------------------------------------- */

int add_to_swap_cache(struct folio *folio, swp_entry_t entry);
void __delete_from_swap_cache(struct folio *folio, swp_entry_t entry);
void delete_from_swap_cache(struct folio *folio);
struct folio *swap_cache_get_folio(swp_entry_t entry);
struct folio *swapin_readahead(swp_entry_t entry, struct vm_fault *vmf);
bool add_to_swap(struct folio *folio);
void free_swap_cache(struct folio *folio);
void swap_cache_split(struct folio *folio, long nr);
/* The wait queue of SWP_SYNCHRONOUS_IO swap-ins that lost the race to pin an
 * entry (swapcache_wq). */
#define swapcache_wq (&mmk()->swapcache_wq)

/* ---- I/O (page_io.c) ------------------------------------------------------ */

void swap_read_folio(struct folio *folio);
void swap_writeout(struct folio *folio);
/* The data of one slot, for checkers: NULL if the slot holds none. */
const uint8_t *swap_slot_data(swp_entry_t entry);

/* ---- the LRU and reclaim (swap.c, vmscan.c) ----------------------------- */

void folio_add_lru(struct folio *folio);
bool folio_isolate_lru(struct folio *folio);
void folio_putback_lru(struct folio *folio);
void lru_remove_freed(struct folio *folio);
unsigned long reclaim_pages(struct folio **list, int nr);
/* The reclaim operation (kswapd): try to reclaim up to @nr folios from the
 * cold end of the LRU; returns how many were freed. */
unsigned long mmt_reclaim(unsigned long nr);

/* ---- swap-in (memory.c) ------------------------------------------------- */

vm_fault_t do_swap_page_swapin(struct vm_fault *vmf);

#endif
