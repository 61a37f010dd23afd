/*
 * kernel.h - one instance of the model kernel: its physical memory, its
 * settings (THP sizes, fix toggles), its objects and their ids.
 *
 * An execution owns one instance (sim_exec.world), created by the program's
 * create() and destroyed by its destroy(); model code reaches it with mmk().
 * Nothing survives from one execution to the next, so every execution starts
 * from the same state.
 */
#ifndef MMT_MM_KERNEL_H
#define MMT_MM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mm_types.h"

#define MAX_ORDER 10		/* orders 0..9: up to a PMD-size folio */
#define MAX_MMS 16
#define MAX_UFFDS 16
#define MAX_SWAPFILES_MODEL 4
#define MM_MAX_REGION_NAMES 64

/* The model's settings, the part of sysfs and the boot command line it has. */
struct mm_config {
	unsigned long nr_pages;		/* physical memory, in 4 KiB pages */
	/* THP: per order, enabled always / only with MADV_HUGEPAGE / inherit the
	 * PMD setting (the hugepages-<size>kB/enabled files); bit n = order n. */
	unsigned long thp_always;
	unsigned long thp_madvise;
	bool thp_use_zero_page;		/* transparent_hugepage/use_zero_page */
	unsigned long fixes_reverted;	/* bit n: fix n of fixes.h is reverted */
	/* Linux 6.18's UFFDIO_MOVE of present pages in batches under one pair
	 * of PTLs (move_present_ptes(), "userfaultfd: opportunistic TLB-flush
	 * batching for present pages in MOVE"); off: v6.17, one PTE per step. */
	bool uffd_move_batch;
};

void mm_config_default(struct mm_config *c);

struct arena_chunk;
struct oracle;

struct userfaultfd_ctx;

struct mm_kernel {
	struct sim_exec *x;
	struct mm_config cfg;

	/* physical memory (page_alloc.c) */
	unsigned long nr_pages;
	struct page *mem_map;		/* nr_pages entries; pfn 0 is never used */
	uint8_t *phys;			/* the contents, nr_pages * PAGE_SIZE */
	struct sim_hostlock zone_lock;
	struct sim_hostlock uaccess_lock;	/* a user access's one step, on real threads */
	uint32_t free_head[MAX_ORDER];	/* buddy free lists: head pfns, 0 = empty */
	unsigned long nr_free;
	unsigned long nr_free_initial;	/* after boot: what a leak-free teardown returns to */
	unsigned long zero_pfn;		/* the shared zero page */
	unsigned long huge_zero_pfn;	/* the huge zero folio (PMD order) */
	/* The boot state of mem_map and the free lists, kept from the first
	 * boot: a reset copies back only mem_map[0, mem_map_dirty), the pages
	 * the allocator handed out or relinked since (page_alloc.c). */
	struct page *boot_map;
	uint32_t boot_free_head[MAX_ORDER];
	unsigned long boot_nr_free;
	unsigned long mem_map_dirty;

	/* objects (slab.c) */
	struct arena_chunk *arena;
	struct sim_hostlock id_lock;
	int next_id;
	struct ptdesc **ptables;	/* PTE tables by id */
	unsigned nr_ptables, cap_ptables;
	struct mm_struct *mms[MAX_MMS];
	int nr_mms;
	struct address_space **mappings;	/* every shared/file object, for checkers */
	struct userfaultfd_ctx *uffds[MAX_UFFDS];	/* every userfaultfd context */
	int nr_uffds;
	int nr_mappings, cap_mappings;

	/* counters for reports and leak checks */
	unsigned long nr_anon_folios;

	/* the data-integrity shadow (check/oracle.h) */
	struct oracle *oracle;

	/* swap (swap.h) */
	struct swap_info_struct *swap_info[MAX_SWAPFILES_MODEL];
	int nr_swapfiles;
	long nr_swap_pages;		/* free slots, all devices */
	long total_swap_pages;
	struct wait_queue_head swapcache_wq;
	/* the LRU of anonymous folios (swap.c): pfns, lru_lock */
	struct sim_hostlock lru_lock;
	uint32_t lru_head, lru_tail;
	unsigned long nr_lru;

	/* per task - a simulated CPU, slot 0 being the sequential code:
	 * fail-nth countdowns (lib/fault-inject.c) and SIGKILL pending
	 * (kernel/signal.c) */
	int fail_nth[SIM_MAX_CPUS + 1];
	int sigkill[SIM_MAX_CPUS + 1];

	/* model-only, for reports (describe.c): the names the program gave to
	 * its mappings and processes */
	struct mm_region_name {
		const struct mm_struct *mm;
		unsigned long start, len;
		const char *name;
	} region_names[MM_MAX_REGION_NAMES];
	int nr_region_names;
	struct mm_name {
		const struct mm_struct *mm;
		const char *name;
	} mm_names[MAX_MMS];
	int nr_mm_names;
};

/* The model kernel of the running execution. */
static inline struct mm_kernel *mmk(void)
{
	return (struct mm_kernel *)sim_current_exec()->world;
}

/* Create and destroy an instance; @x->world is set to it. */
struct mm_kernel *mm_kernel_create(struct sim_exec *x, const struct mm_config *cfg);
void mm_kernel_destroy(struct mm_kernel *k);

/* kmalloc/kfree stand-ins: objects live until the instance is destroyed;
 * kfree() poisons them so a later use shows.  Never fail. */
void *kzalloc(size_t size);
void *kzalloc_aligned(size_t size, size_t align);
/* Not zeroed: for memory nothing reads before writing it (swap slot data). */
void *kmalloc_aligned(size_t size, size_t align);
void kfree(void *p, size_t size);
int mm_new_id(struct mm_kernel *k);

/* Model-only, for reports: name a range of an address space, or an
 * address space, as the program calls it (@name must outlive the
 * execution); describe the recorded events of the running execution
 * (describe.c, through sim_describe()). */
void mm_name_region(struct mm_struct *mm, unsigned long start, unsigned long len,
		    const char *name);
void mm_name_mm(struct mm_struct *mm, const char *name);
void mm_describe_trace(struct mm_kernel *k, struct sim_exec *x);

#endif
