/*
 * mm_types.h - the model kernel's core structures (include/linux/mm_types.h,
 * include/linux/rmap.h, include/linux/mm.h in part).
 *
 * Field comments say what protects each field, as in the kernel.  Fields
 * read or written by more than one CPU without a common lock are accessed
 * through sim.h primitives; fields always under one lock use plain accesses
 * (a preemption between them is equivalent to one at the lock).
 */
#ifndef MMT_MM_MM_TYPES_H
#define MMT_MM_MM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/pgtable.h"
#include "sim/sim.h"

struct mm_kernel;
struct mm_struct;
struct vm_area_struct;
struct anon_vma;
struct address_space;

/* ---- pages and folios ----------------------------------------------------- */

enum pageflags {
	PG_locked,		/* the folio lock (a sleeping lock bit) */
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,		/* first page of a large folio */
	PG_tail,		/* model: any other page of a large folio */
	PG_active,
	PG_swapcache,		/* the kernel's PG_owner_priv_1 for anon folios */
	PG_swapbacked,
	PG_reserved,		/* the zero pages */
	PG_mlocked,
	PG_anon_exclusive,	/* per page: PageAnonExclusive */
	PG_buddy,		/* free, in the page allocator */
	PG_poisoned,		/* model: freed and poisoned; any use is a use-after-free */
	PG_ksm,			/* model stand-in: never exclusive */
	__NR_PAGEFLAGS
};

/*
 * The body shared by struct page and struct folio (the kernel overlays them
 * the same way).  A large folio keeps its extra counters in its second page.
 */
#define MMT_PAGE_BODY                                                           \
	unsigned long flags;		/* PG_*: atomic bit operations */            \
	union {                                                                 \
		struct {	/* an order-0 folio or the head of a large one */    \
			unsigned long mapping;	/* anon_vma | PAGE_MAPPING_ANON */   \
			unsigned long index;	/* page offset of the first page */  \
			union {                                                 \
				unsigned long private;                          \
				swp_entry_t swap;	/* valid with PG_swapcache */ \
			};                                                      \
			uint32_t lru_next, lru_prev;	/* pfns: LRU or free list */ \
		};                                                              \
		struct {	/* the second page of a large folio */               \
			atomic_t _large_mapcount;	/* all mappings - 1 */       \
			atomic_t _entire_mapcount;	/* PMD mappings - 1 */       \
			atomic_t _nr_pages_mapped;	/* pages mapped by PTEs */   \
			atomic_t _pincount;		/* FOLL_PIN pins */          \
		};                                                              \
	};                                                                      \
	atomic_t _mapcount;		/* this page's PTE mappings - 1 */           \
	atomic_t _refcount;		/* head / order-0 only */                    \
	uint32_t head;			/* pfn of the folio's first page */          \
	uint32_t order			/* head / order-0: folio order */

struct page {
	MMT_PAGE_BODY;
};

struct folio {
	MMT_PAGE_BODY;
};

_Static_assert(sizeof(struct page) <= 64, "struct page must stay within 64 bytes");
_Static_assert(sizeof(struct folio) == sizeof(struct page), "folio overlays page");

#define PAGE_MAPPING_ANON 0x1UL
#define GUP_PIN_COUNTING_BIAS 1024

/* ---- page tables -------------------------------------------------------- */

/* A PTE table: one page of 512 PTEs and its split PTL. */
struct ptdesc {
	pte_t ptes[PTRS_PER_PTE];	/* PTL, or READ_ONCE for lockless walkers */
	spinlock_t ptl;
	unsigned id;			/* encoded in the PMD that points here */
	bool freed;			/* model: a use of a freed table is a finding */
};

/* A PMD table (covers 1 GiB) with its split PMD lock and the page tables
 * deposited under huge PMDs (pgtable_trans_huge_deposit). */
struct pmd_page {
	pmd_t pmds[PTRS_PER_PMD];	/* PMD lock, or pmdp_get_lockless */
	spinlock_t ptl;
	struct ptdesc *deposit[PTRS_PER_PMD];	/* PMD lock */
};

/* ---- reverse mapping ---------------------------------------------------- */

struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
};

struct anon_vma {
	struct anon_vma *root;		/* root of this anon_vma tree */
	struct anon_vma *parent;
	struct rw_semaphore rwsem;	/* the root's is used */
	atomic_t refcount;
	unsigned long num_children;	/* root's rwsem */
	unsigned long num_active_vmas;	/* root's rwsem */
	struct anon_vma_chain **chains;	/* the VMAs that may map our folios; root's rwsem */
	int nr_chains, cap_chains;
	int id;
	bool freed;
};

/* ---- address spaces -------------------------------------------------------- */

/* vm_flags */
#define VM_READ 0x1UL
#define VM_WRITE 0x2UL
#define VM_EXEC 0x4UL
#define VM_SHARED 0x8UL
#define VM_MAYREAD 0x10UL
#define VM_MAYWRITE 0x20UL
#define VM_MAYEXEC 0x40UL
#define VM_MAYSHARE 0x80UL
#define VM_UFFD_MISSING 0x200UL
#define VM_UFFD_WP 0x1000UL
#define VM_LOCKED 0x2000UL
#define VM_DONTCOPY 0x20000UL
#define VM_NORESERVE 0x200000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_WIPEONFORK 0x2000000UL
#define VM_MIXEDMAP 0x10000000UL

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

struct vm_area_struct {
	unsigned long vm_start, vm_end;	/* mmap_lock (write) + vma write lock */
	unsigned long vm_pgoff;
	unsigned long vm_flags;
	struct mm_struct *vm_mm;
	struct anon_vma *anon_vma;	/* set once under the mm's page_table_lock */
	struct anon_vma_chain **avcs;	/* the anon_vma_chain list; mmap_lock */
	int nr_avcs, cap_avcs;
	struct address_space *vm_file;	/* shared/file stand-in; NULL for anonymous */
	struct rw_semaphore vm_lock;	/* the per-VMA lock */
	unsigned long vm_lock_seq;	/* == mm->mm_lock_seq: write-locked */
	bool detached;			/* removed from the mm; readers must back off */
	void *vm_userfaultfd_ctx;	/* userfaultfd (later) */
	int id;
};

/* The VMAs of an mm, sorted; replaced whole on every change so that RCU
 * readers (lock_vma_under_rcu) always see a consistent array. */
struct vma_array {
	int nr;
	struct vm_area_struct *v[];
};

#define MMF_HAS_PINNED 0

struct mm_struct {
	int id;
	struct mm_kernel *k;
	struct rw_semaphore mmap_lock;
	unsigned long mm_lock_seq;	/* mmap_lock (write): bumped at write unlock */
	spinlock_t page_table_lock;	/* upper levels, anon_vma assignment */
	struct pmd_page *pud[PTRS_PER_PUD];	/* populated under page_table_lock */
	uint64_t pud_populated[PTRS_PER_PUD / 64];	/* which pud[] are set (walkers) */
	struct vma_array *vmas;		/* mmap_lock (write); RCU readers */
	atomic_long_t rss_stat[NR_MM_COUNTERS];
	atomic_t mm_users;
	unsigned long flags;		/* MMF_* bits */
	bool dead;			/* exit_mmap() ran */
	bool exited;			/* mmt_exit(): the process dropped its mm_users */
};

/* A shared (MAP_SHARED|MAP_ANONYMOUS) or file mapping's backing object: the
 * stand-in for shmem and the page cache - one folio per offset. */
struct address_space {
	int id;
	bool shmem;
	spinlock_t i_lock;		/* pages[] */
	unsigned long nr_pages;
	unsigned long *pages;		/* pfn per page offset, 0 = none */
	atomic_t refcount;
};

#endif
