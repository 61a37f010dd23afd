/*
 * test_swap.c - the swap model: devices, the swap map and its allocation
 * policies (v6.17 clusters, lowest-free, LIFO), the swap cache, reclaim and
 * swap-in, sequentially and under the explorer (seed 002; two CPUs
 * allocating from clusters of their own).
 */
#include "mmtest.h"

#include "mm/fixes.h"
#include "mm/swap.h"


/* ---- helpers ------------------------------------------------------------------ */

static struct swap_info_struct *si0(void)
{
	return mmk()->swap_info[0];
}

static unsigned char map_of(unsigned long off)
{
	return si0()->swap_map[off];
}

/* The swap entry a PTE holds (the PTE must be a swap PTE). */
static swp_entry_t entry_at(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = mt_pte(mm, addr);

	if (!is_swap_pte(pte) || non_swap_entry(pte_to_swp_entry(pte)))
		MT_FAIL("PTE for %#lx is %#llx, not a swap PTE", addr, (unsigned long long)pte_val(pte));
	return pte_to_swp_entry(pte);
}

static unsigned long map_pages(struct mt *t, unsigned long n, uint64_t base)
{
	t->mm = mmt_mm_create();
	t->addr = mt_map(t->mm, 0, n * PAGE_SIZE, MT_RW, MT_ANON);
	for (unsigned long i = 0; i < n; i++)
		MT_WRITE(t->mm, t->addr + i * PAGE_SIZE, base + i);
	return t->addr;
}

static void pageout(struct mt *t, unsigned long n)
{
	MT_EQ(mmt_madvise(t->mm, t->addr, n * PAGE_SIZE, MADV_PAGEOUT), 0);
}

/* ---- round trips ------------------------------------------------------------------- */

/* zram-like: swap out four pages, check the swap PTEs, read them back. */
static void roundtrip_sync(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 4, 100);
	pageout(t, 4);
	for (unsigned long i = 0; i < 4; i++) {
		swp_entry_t e = entry_at(t->mm, t->addr + i * PAGE_SIZE);

		MT_TRUE(pte_swp_exclusive(mt_pte(t->mm, t->addr + i * PAGE_SIZE)));
		MT_EQ(swp_type(e), 0);
		MT_EQ(map_of(swp_offset(e)), 1);	/* one reference, not cached */
		MT_EQ(si0()->cache[swp_offset(e)], 0);
	}
	MT_EQ(t->mm->rss_stat[MM_SWAPENTS].counter, 4);
	MT_EQ(t->mm->rss_stat[MM_ANONPAGES].counter, 0);
	MT_EQ(si0()->inuse_pages, 4);
	for (unsigned long i = 0; i < 4; i++) {
		MT_READ(t->mm, t->addr + i * PAGE_SIZE, 100 + i);
		/* An exclusive swap PTE comes back writable, and the slot is free. */
		MT_TRUE(pte_write(mt_pte(t->mm, t->addr + i * PAGE_SIZE)));
	}
	MT_EQ(si0()->inuse_pages, 0);
	MT_EQ(t->mm->rss_stat[MM_SWAPENTS].counter, 0);
	MT_EQ(t->mm->rss_stat[MM_ANONPAGES].counter, 4);
}

/* A block device: pageout leaves the folio in the swap cache under
 * writeback; a swap-in finds it there; after the completion reclaim frees
 * it and a swap-in reads the device. */
static void roundtrip_async(struct mm_kernel *k, struct mt *t)
{
	swp_entry_t e;
	struct folio *f;

	(void)k;
	MT_EQ(mmt_swapon(8, false, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 2, 7);
	t->pfn = mt_pfn(t->mm, t->addr);
	pageout(t, 2);
	e = entry_at(t->mm, t->addr);
	f = mt_folio(t->pfn);
	MT_EQ(si0()->cache[swp_offset(e)], t->pfn);
	MT_TRUE((f->flags >> PG_writeback) & 1);
	MT_TRUE((f->flags >> PG_swapcache) & 1);
	MT_EQ(mt_mapcount(f), 0);
	MT_EQ(map_of(swp_offset(e)), SWAP_HAS_CACHE | 1);
	/* The second page is swapped in from the cache: same pfn, still cached. */
	MT_READ(t->mm, t->addr, 7);
	MT_EQ(mt_pfn(t->mm, t->addr), t->pfn);
	MT_EQ(mmt_swap_io_complete(), 2);
	MT_EQ(mmt_reclaim(16), 2);
	e = entry_at(t->mm, t->addr);
	MT_EQ(map_of(swp_offset(e)), 1);
	MT_EQ(si0()->cache[swp_offset(e)], 0);
	MT_READ(t->mm, t->addr, 7);
	MT_READ(t->mm, t->addr + PAGE_SIZE, 8);
}

/* An mTHP folio goes out whole into 16 aligned slots and comes back. */
static const struct mm_config mthp_cfg = {
	.nr_pages = 4096, .thp_always = 1UL << 4, .thp_use_zero_page = true,
};

static void large_whole(struct mm_kernel *k, struct mt *t)
{
	swp_entry_t e0;

	(void)k;
	MT_EQ(mmt_swapon(64, true, SWAP_ALLOC_LOWEST), 0);
	t->mm = mmt_mm_create();
	t->addr = mt_map(t->mm, 0, 16 * PAGE_SIZE, MT_RW, MT_ANON);
	MT_TRUE(IS_ALIGNED(t->addr, 16 * PAGE_SIZE));
	for (unsigned long i = 0; i < 16; i++)
		MT_WRITE(t->mm, t->addr + i * PAGE_SIZE, 500 + i);
	MT_EQ(mt_folio(mt_pfn(t->mm, t->addr))->order, 4);
	pageout(t, 16);
	e0 = entry_at(t->mm, t->addr);
	MT_TRUE(IS_ALIGNED(swp_offset(e0), 16));
	for (unsigned long i = 0; i < 16; i++)
		MT_EQ(swp_offset(entry_at(t->mm, t->addr + i * PAGE_SIZE)), swp_offset(e0) + i);
	for (unsigned long i = 0; i < 16; i++)
		MT_READ(t->mm, t->addr + i * PAGE_SIZE, 500 + i);
}

/* No 16 aligned free slots: the folio is split and goes out page by page. */
static void large_split(struct mm_kernel *k, struct mt *t)
{
	unsigned long small;

	(void)k;
	MT_EQ(mmt_swapon(20, true, SWAP_ALLOC_LOWEST), 0);
	t->mm2 = mmt_mm_create();
	/* Take slot 16 so that no aligned run of 16 exists among 1..20. */
	mmt_thp_set(0, 0);
	small = mt_map(t->mm2, 0, 16 * PAGE_SIZE, MT_RW, MT_ANON);
	for (unsigned long i = 0; i < 16; i++)
		MT_WRITE(t->mm2, small + i * PAGE_SIZE, 1);
	MT_EQ(mmt_madvise(t->mm2, small, 16 * PAGE_SIZE, MADV_PAGEOUT), 0);
	MT_EQ(mmt_munmap(t->mm2, small, 15 * PAGE_SIZE), 0);	/* frees slots 1..15 */
	mmt_thp_set(1UL << 4, 0);
	t->mm = mmt_mm_create();
	t->addr = mt_map(t->mm, 0, 16 * PAGE_SIZE, MT_RW, MT_ANON);
	for (unsigned long i = 0; i < 16; i++)
		MT_WRITE(t->mm, t->addr + i * PAGE_SIZE, 900 + i);
	MT_EQ(mt_folio(mt_pfn(t->mm, t->addr))->order, 4);
	pageout(t, 16);
	/* The first page went out as an order-0 folio; the rest stay mapped. */
	entry_at(t->mm, t->addr);
	MT_EQ(mt_folio(mt_pfn(t->mm, t->addr + PAGE_SIZE))->order, 0);
	for (unsigned long i = 0; i < 16; i++)
		MT_READ(t->mm, t->addr + i * PAGE_SIZE, 900 + i);
}

/* A PMD THP goes out through the reclaim operation (PMD split first). */
static const struct mm_config thp_cfg = {
	.nr_pages = 4096, .thp_always = 1UL << HPAGE_PMD_ORDER, .thp_use_zero_page = true,
};

static void thp_reclaim(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(1024, true, SWAP_ALLOC_CLUSTER), 0);
	t->mm = mmt_mm_create();
	t->addr = mt_map(t->mm, 0, PMD_SIZE, MT_RW, MT_ANON);
	MT_WRITE(t->mm, t->addr, 41);
	MT_WRITE(t->mm, t->addr + 300 * PAGE_SIZE, 42);
	MT_TRUE(pmd_trans_huge(mt_pmd(t->mm, t->addr)));
	MT_EQ(mmt_reclaim(1), 1);
	MT_TRUE(pmd_is_table(mt_pmd(t->mm, t->addr)));
	/* Order 9 takes the only free cluster, whole. */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 100)
		MT_EQ(swp_offset(entry_at(t->mm, t->addr + i * PAGE_SIZE)), 512 + i);
	MT_EQ(si0()->cluster_info[1].order, HPAGE_PMD_ORDER);
	MT_EQ(si0()->cluster_info[1].flags, CLUSTER_FLAG_FULL);
	MT_EQ(t->mm->rss_stat[MM_SWAPENTS].counter, 512);
	MT_READ(t->mm, t->addr, 41);
	MT_READ(t->mm, t->addr + 300 * PAGE_SIZE, 42);
	MT_READ(t->mm, t->addr + 511 * PAGE_SIZE, 0);
}

/* ---- sharing and freeing -------------------------------------------------------------- */

/* Fork shares the swap entries: count 2, exclusivity gone; the child's
 * swap-in goes through the swap cache and the parent then maps the same
 * folio; a write by the child copies. */
static void fork_shared(struct mm_kernel *k, struct mt *t)
{
	swp_entry_t e;
	unsigned long pfn;

	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 33);
	pageout(t, 1);
	e = entry_at(t->mm, t->addr);
	MT_EQ(mmt_fork(t->mm, &t->mm2), 0);
	MT_EQ(map_of(swp_offset(e)), 2);
	MT_FALSE(pte_swp_exclusive(mt_pte(t->mm, t->addr)));
	MT_FALSE(pte_swp_exclusive(mt_pte(t->mm2, t->addr)));
	MT_EQ(t->mm2->rss_stat[MM_SWAPENTS].counter, 1);
	MT_READ(t->mm2, t->addr, 33);
	pfn = mt_pfn(t->mm2, t->addr);
	MT_EQ(si0()->cache[swp_offset(e)], pfn);	/* count was 2: no bypass */
	MT_EQ(map_of(swp_offset(e)), SWAP_HAS_CACHE | 1);
	MT_FALSE(pte_write(mt_pte(t->mm2, t->addr)));
	MT_READ(t->mm, t->addr, 33);
	MT_EQ(mt_pfn(t->mm, t->addr), pfn);
	MT_EQ(mt_mapcount(mt_folio(pfn)), 2);
	MT_WRITE(t->mm2, t->addr, 34);
	MT_NE(mt_pfn(t->mm2, t->addr), pfn);
	MT_READ(t->mm, t->addr, 33);
}

/* munmap and MADV_DONTNEED give the slots back; DONTNEED'd memory reads 0. */
static void zap_swap(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 4, 10);
	pageout(t, 4);
	MT_EQ(si0()->inuse_pages, 4);
	MT_EQ(mmt_madvise(t->mm, t->addr, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	MT_EQ(si0()->inuse_pages, 2);
	MT_EQ(t->mm->rss_stat[MM_SWAPENTS].counter, 2);
	MT_READ(t->mm, t->addr, 0);
	MT_EQ(mmt_munmap(t->mm, t->addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	MT_EQ(si0()->inuse_pages, 0);
	MT_EQ(t->mm->rss_stat[MM_SWAPENTS].counter, 0);
}

/* An extra reference makes __remove_mapping fail: the folio stays in the
 * swap cache, unmapped, with its old mapping and index. */
static void remove_mapping_fails(struct mm_kernel *k, struct mt *t)
{
	struct folio *f;
	swp_entry_t e;

	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 77);
	t->pfn = mt_pfn(t->mm, t->addr);
	f = mt_folio(t->pfn);
	folio_get(f);
	pageout(t, 1);
	e = entry_at(t->mm, t->addr);
	MT_EQ(si0()->cache[swp_offset(e)], t->pfn);
	MT_EQ(mt_mapcount(f), 0);
	MT_TRUE((f->flags >> PG_swapcache) & 1);
	MT_TRUE(f->mapping & PAGE_MAPPING_ANON);
	MT_EQ(f->index, t->addr >> PAGE_SHIFT);
	MT_EQ(mt_ref(f), 1 + 1);	/* the cache and us */
	folio_put(f);
	/* The swap-in finds it in the cache: the same page comes back. */
	MT_READ(t->mm, t->addr, 77);
	MT_EQ(mt_pfn(t->mm, t->addr), t->pfn);
}

/* ---- the kernel-like allocator: v6.17 clusters ------------------------------------- */

static struct swap_cluster_info *cluster(unsigned long idx)
{
	return &si0()->cluster_info[idx];
}

/* The next offset for @order of CPU @cpu on device 0 (-1: the pseudo-CPU
 * that runs setup). */
static unsigned long pcp_next(int cpu, int order)
{
	return si0()->percpu_next[(cpu + 1) * SWAP_NR_ORDERS + order];
}

static unsigned long slot_at(struct mm_struct *mm, unsigned long addr)
{
	return swp_offset(entry_at(mm, addr));
}

static void pageout_at(struct mm_struct *mm, unsigned long addr, unsigned long pages)
{
	MT_EQ(mmt_madvise(mm, addr, pages * PAGE_SIZE, MADV_PAGEOUT), 0);
}

/* @n pages at @addr, order 0 unless THP says otherwise, page i holding @base + i. */
static void map_at(struct mm_struct *mm, unsigned long addr, unsigned long n, uint64_t base)
{
	MT_EQ(mt_map(mm, addr, n * PAGE_SIZE, MT_RW, MT_ANON), addr);
	for (unsigned long i = 0; i < n; i++)
		MT_WRITE(mm, addr + i * PAGE_SIZE, base + i);
}

/*
 * A tiny device (8 slots, one cluster, which starts on nonfull[0] because
 * the header and the 503 slots past the end count as used).  Order 0 runs
 * forward from the CPU's offset; a slot freed behind it waits until the
 * cluster is used up, then the frag list gives it back; when the cluster is
 * full a free slot moves it to nonfull, where the next allocation finds it.
 */
static void policy_cluster(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_CLUSTER), 0);
	MT_EQ(si0()->nr_clusters, 1);
	MT_EQ(cluster(0)->count, 1 + 503);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_NONFULL);
	map_pages(t, 9, 1);
	pageout(t, 3);
	for (unsigned long i = 0; i < 3; i++)
		MT_EQ(slot_at(t->mm, t->addr + i * PAGE_SIZE), 1 + i);
	MT_EQ(cluster(0)->count, 504 + 3);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_FRAG);	/* a CPU's cluster sits on frag */
	MT_EQ(pcp_next(-1, 0), 4);
	/* Swapping page 1 in frees slot 2, behind the offset. */
	MT_READ(t->mm, t->addr + PAGE_SIZE, 2);
	MT_EQ(map_of(2), 0);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_NONFULL);
	for (unsigned long i = 3; i < 8; i++) {
		pageout_at(t->mm, t->addr + i * PAGE_SIZE, 1);
		MT_EQ(slot_at(t->mm, t->addr + i * PAGE_SIZE), 1 + i);	/* 4..8, not 2 */
	}
	MT_EQ(pcp_next(-1, 0), 0);	/* the run reached the end of the device */
	MT_EQ(cluster(0)->count, 511);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_FRAG);
	/* Used up: the slow path rescans the frag cluster from its start. */
	pageout_at(t->mm, t->addr + PAGE_SIZE, 1);
	MT_EQ(slot_at(t->mm, t->addr + PAGE_SIZE), 2);
	MT_EQ(cluster(0)->count, SWAPFILE_CLUSTER);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_FULL);
	/* The device is full: page 8 stays in memory. */
	pageout_at(t->mm, t->addr + 8 * PAGE_SIZE, 1);
	MT_TRUE(pte_present(mt_pte(t->mm, t->addr + 8 * PAGE_SIZE)));
	/* Freeing slot 6 moves the full cluster to nonfull; page 8 gets slot 6. */
	MT_READ(t->mm, t->addr + 5 * PAGE_SIZE, 6);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_NONFULL);
	pageout_at(t->mm, t->addr + 8 * PAGE_SIZE, 1);
	MT_EQ(slot_at(t->mm, t->addr + 8 * PAGE_SIZE), 6);
	for (unsigned long i = 0; i < 9; i++)
		MT_READ(t->mm, t->addr + i * PAGE_SIZE, 1 + i);
	MT_EQ(si0()->inuse_pages, 0);
	MT_EQ(cluster(0)->count, 504);
}

/* v6.17 takes a free cluster before the nonfull ones: on a 1024-slot device
 * (clusters 0 and 2 partly unusable) the first slot handed out is 512. */
static void cluster_free_first(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(1024, true, SWAP_ALLOC_CLUSTER), 0);
	MT_EQ(si0()->nr_clusters, 3);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_NONFULL);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FREE);
	MT_EQ(cluster(2)->flags, CLUSTER_FLAG_NONFULL);
	MT_EQ(cluster(2)->count, 511);		/* only slot 1024 is usable */
	map_pages(t, 2, 40);
	pageout(t, 2);
	MT_EQ(slot_at(t->mm, t->addr), 512);
	MT_EQ(slot_at(t->mm, t->addr + PAGE_SIZE), 513);
	MT_EQ(cluster(1)->count, 2);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FRAG);
	/* Both freed: the cluster is empty and goes back to the free list. */
	MT_READ(t->mm, t->addr, 40);
	MT_READ(t->mm, t->addr + PAGE_SIZE, 41);
	MT_EQ(cluster(1)->count, 0);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FREE);
	/* The CPU's offset still points into it: an emptied cluster is
	 * scanned from its start again. */
	MT_EQ(pcp_next(-1, 0), 514);
	pageout(t, 1);
	MT_EQ(slot_at(t->mm, t->addr), 512);
	MT_READ(t->mm, t->addr, 40);
}

#define RA 0x30000000UL
#define RB 0x40000000UL
#define RC 0x50000000UL

/*
 * mTHP (order 4) on a 2048-slot device: the first folio takes a free
 * cluster, which becomes an order-4 cluster, and runs on through it in
 * aligned steps of 16; an order-0 page takes another free cluster; slots
 * freed behind the CPU's order-4 offset are not gone back to.
 */
static void cluster_large(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(2048, true, SWAP_ALLOC_CLUSTER), 0);
	t->mm = mmt_mm_create();
	map_at(t->mm, RA, 48, 100);
	MT_EQ(mt_folio(mt_pfn(t->mm, RA))->order, 4);
	pageout_at(t->mm, RA, 32);
	for (unsigned long i = 0; i < 32; i++)
		MT_EQ(slot_at(t->mm, RA + i * PAGE_SIZE), 512 + i);
	MT_EQ(cluster(1)->order, 4);
	MT_EQ(cluster(1)->count, 32);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FRAG);
	MT_EQ(pcp_next(-1, 4), 544);
	MT_EQ(pcp_next(-1, 0), 0);
	/* Order 0 does not share the order-4 cluster. */
	mmt_thp_set(0, 0);
	map_at(t->mm, RB, 1, 7);
	mmt_thp_set(1UL << 4, 0);
	pageout_at(t->mm, RB, 1);
	MT_EQ(slot_at(t->mm, RB), 1024);
	MT_EQ(cluster(2)->order, 0);
	/* The first folio's slots are freed: its cluster goes to nonfull[4],
	 * but the next folio continues at the CPU's offset. */
	MT_EQ(mmt_munmap(t->mm, RA, 16 * PAGE_SIZE), 0);
	MT_EQ(map_of(512), 0);
	MT_EQ(cluster(1)->count, 16);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_NONFULL);
	pageout_at(t->mm, RA + 32 * PAGE_SIZE, 16);
	for (unsigned long i = 32; i < 48; i++)
		MT_EQ(slot_at(t->mm, RA + i * PAGE_SIZE), 512 + i);
	for (unsigned long i = 16; i < 48; i++)
		MT_READ(t->mm, RA + i * PAGE_SIZE, 100 + i);
	MT_READ(t->mm, RB, 7);
}

/*
 * Order 0 steals from an order-4 cluster when its own clusters are full
 * (1023 slots: cluster 0 and a free cluster 1).  The stolen-from cluster
 * keeps its order; order 4 then skips the runs order 0 took.
 */
static void cluster_steal(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(1023, true, SWAP_ALLOC_CLUSTER), 0);
	MT_EQ(si0()->nr_clusters, 2);
	t->mm = mmt_mm_create();
	map_at(t->mm, RA, 16, 1000);
	pageout_at(t->mm, RA, 16);
	MT_EQ(slot_at(t->mm, RA), 512);
	MT_EQ(pcp_next(-1, 4), 528);
	mmt_thp_set(0, 0);
	map_at(t->mm, RB, 513, 2000);
	pageout_at(t->mm, RB, 511);
	for (unsigned long i = 0; i < 511; i++)
		MT_EQ(slot_at(t->mm, RB + i * PAGE_SIZE), 1 + i);
	MT_EQ(cluster(0)->flags, CLUSTER_FLAG_FULL);
	pageout_at(t->mm, RB + 511 * PAGE_SIZE, 1);
	MT_EQ(slot_at(t->mm, RB + 511 * PAGE_SIZE), 528);	/* stolen from frag[4] */
	MT_EQ(cluster(1)->order, 4);
	MT_EQ(pcp_next(-1, 0), 529);
	pageout_at(t->mm, RB + 512 * PAGE_SIZE, 1);
	MT_EQ(slot_at(t->mm, RB + 512 * PAGE_SIZE), 529);	/* the fast path, same cluster */
	mmt_thp_set(1UL << 4, 0);
	map_at(t->mm, RC, 16, 3000);
	pageout_at(t->mm, RC, 16);
	MT_EQ(slot_at(t->mm, RC), 544);			/* 528..543 is no longer free */
	MT_EQ(cluster(1)->count, 16 + 2 + 16);
	MT_READ(t->mm, RA + 5 * PAGE_SIZE, 1005);
	MT_READ(t->mm, RB + 511 * PAGE_SIZE, 2511);
	MT_READ(t->mm, RB + 512 * PAGE_SIZE, 2512);
	MT_READ(t->mm, RC + 15 * PAGE_SIZE, 3015);
}

/*
 * A cluster's order lasts while it has slots in use: an emptied cluster may
 * be taken by another order, and a CPU's offset into it then serves order 0
 * (which may use a cluster of any order) but not another large order.
 */
static void cluster_order(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(1023, true, SWAP_ALLOC_CLUSTER), 0);
	t->mm = mmt_mm_create();
	mmt_thp_set(0, 0);
	map_at(t->mm, RB, 2, 10);
	pageout_at(t->mm, RB, 1);
	MT_EQ(slot_at(t->mm, RB), 512);
	MT_READ(t->mm, RB, 10);				/* cluster 1 empties */
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FREE);
	MT_EQ(pcp_next(-1, 0), 513);
	/* An order-4 folio takes the free cluster 1, which becomes order 4. */
	mmt_thp_set(1UL << 4, 0);
	map_at(t->mm, RA, 16, 100);
	pageout_at(t->mm, RA, 16);
	MT_EQ(slot_at(t->mm, RA), 512);
	MT_EQ(cluster(1)->order, 4);
	/* Order 0 goes on at its offset, inside the order-4 cluster. */
	pageout_at(t->mm, RB + PAGE_SIZE, 1);
	MT_EQ(slot_at(t->mm, RB + PAGE_SIZE), 528);
	MT_EQ(cluster(1)->order, 4);
	/* Order 4 skips the run order 0 took. */
	map_at(t->mm, RC, 16, 200);
	pageout_at(t->mm, RC, 16);
	MT_EQ(slot_at(t->mm, RC), 544);
	MT_EQ(pcp_next(-1, 4), 560);
	/* Empty cluster 1 again; order 0 (offset 529) restarts it at 512, as
	 * an order-0 cluster, so the order-4 offset (560) is no use: with no
	 * free cluster the next order-4 folio is split. */
	MT_EQ(mmt_munmap(t->mm, RA, 16 * PAGE_SIZE), 0);
	MT_EQ(mmt_munmap(t->mm, RC, 16 * PAGE_SIZE), 0);
	MT_EQ(mmt_munmap(t->mm, RB + PAGE_SIZE, PAGE_SIZE), 0);
	MT_EQ(cluster(1)->flags, CLUSTER_FLAG_FREE);
	pageout_at(t->mm, RB, 1);
	MT_EQ(slot_at(t->mm, RB), 512);
	MT_EQ(cluster(1)->order, 0);
	map_at(t->mm, RA, 16, 300);
	pageout_at(t->mm, RA, 16);
	MT_EQ(slot_at(t->mm, RA), 513);
	MT_EQ(mt_folio(mt_pfn(t->mm, RA + PAGE_SIZE))->order, 0);
	MT_EQ(cluster(1)->order, 0);
	MT_READ(t->mm, RB, 10);
	for (unsigned long i = 0; i < 16; i++)
		MT_READ(t->mm, RA + i * PAGE_SIZE, 300 + i);
}

/* A large folio on a device smaller than a cluster: the only cluster holds
 * the header, so it serves order 0 only; the folio is split. */
static void cluster_large_tiny(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(64, true, SWAP_ALLOC_CLUSTER), 0);
	t->mm = mmt_mm_create();
	map_at(t->mm, RA, 16, 50);
	MT_EQ(mt_folio(mt_pfn(t->mm, RA))->order, 4);
	pageout_at(t->mm, RA, 16);
	MT_EQ(slot_at(t->mm, RA), 1);
	MT_EQ(mt_folio(mt_pfn(t->mm, RA + PAGE_SIZE))->order, 0);
	MT_EQ(cluster(0)->order, 0);
	for (unsigned long i = 0; i < 16; i++)
		MT_READ(t->mm, RA + i * PAGE_SIZE, 50 + i);
}

/* LIFO hands out the most recently freed slot first. */
static void policy_lifo(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LIFO), 0);
	map_pages(t, 3, 1);
	pageout(t, 3);
	MT_READ(t->mm, t->addr + 2 * PAGE_SIZE, 3);	/* frees slot 3 */
	MT_READ(t->mm, t->addr + 0 * PAGE_SIZE, 1);	/* frees slot 1, most recent */
	pageout(t, 1);
	MT_EQ(swp_offset(entry_at(t->mm, t->addr)), 1);	/* LIFO: the last freed */
	MT_READ(t->mm, t->addr, 1);
	MT_EQ(mmt_madvise(t->mm, t->addr + 2 * PAGE_SIZE, PAGE_SIZE, MADV_PAGEOUT), 0);
	MT_EQ(swp_offset(entry_at(t->mm, t->addr + 2 * PAGE_SIZE)), 1);
}

/* swapcache_prepare() and swap_duplicate() refuse what the kernel refuses. */
static void swap_map_ops(struct mm_kernel *k, struct mt *t)
{
	swp_entry_t e;

	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 5);
	pageout(t, 1);
	e = entry_at(t->mm, t->addr);
	MT_EQ(swapcache_prepare(e, 1), 0);
	MT_EQ(swapcache_prepare(e, 1), -EEXIST);
	swapcache_clear(si0(), e, 1);
	MT_EQ(swapcache_prepare(swp_entry(0, 5), 1), -ENOENT);	/* a free slot */
	for (int i = 1; i < SWAP_MAP_MAX; i++)
		MT_EQ(swap_duplicate(e), 0);
	MT_EQ(map_of(swp_offset(e)), SWAP_MAP_MAX);
	MT_EQ(swap_duplicate(e), -ENOMEM);
	swap_free_nr(e, 1);
	for (int i = 2; i < SWAP_MAP_MAX; i++)
		swap_free_nr(e, 1);
	MT_EQ(map_of(swp_offset(e)), 1);
	MT_READ(t->mm, t->addr, 5);
}

/* A read swap-in through the swap cache keeps the cache copy (the PTE comes
 * back writable, so a later write does not even fault); a write fault
 * swap-in drops it at once (should_try_to_free_swap). */
static void write_frees_swap(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, false, SWAP_ALLOC_LOWEST), 0);	/* async: no bypass */
	map_pages(t, 2, 3);
	pageout(t, 2);
	MT_EQ(mmt_swap_io_complete(), 2);
	MT_EQ(mmt_reclaim(4), 2);
	MT_READ(t->mm, t->addr, 3);
	MT_EQ(si0()->inuse_pages, 2);
	MT_TRUE(pte_write(mt_pte(t->mm, t->addr)));
	MT_WRITE(t->mm, t->addr, 4);
	MT_EQ(si0()->inuse_pages, 2);
	MT_WRITE(t->mm, t->addr + PAGE_SIZE, 5);	/* a write fault on the swap PTE */
	MT_EQ(si0()->inuse_pages, 1);
	MT_READ(t->mm, t->addr, 4);
	MT_READ(t->mm, t->addr + PAGE_SIZE, 5);
}

/* ---- the checkers can fail ---------------------------------------------------------- */

static void corrupt_cache(struct mm_kernel *k, struct mt *t)
{
	swp_entry_t e;

	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 2, 1);
	t->pfn = mt_pfn(t->mm, t->addr + PAGE_SIZE);
	pageout(t, 1);
	e = entry_at(t->mm, t->addr);
	si0()->cache[swp_offset(e)] = t->pfn;	/* a mapped page that is not cached */
	si0()->swap_map[swp_offset(e)] |= SWAP_HAS_CACHE;
}

static void corrupt_count(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 1);
	pageout(t, 1);
	si0()->swap_map[swp_offset(entry_at(t->mm, t->addr))]++;
}

static void leaked_pin(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 1);
	pageout(t, 1);
	MT_EQ(swapcache_prepare(entry_at(t->mm, t->addr), 1), 0);	/* never cleared */
}

static void discarded_slot(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	map_pages(t, 1, 1);
	pageout(t, 1);
	si0()->state[swp_offset(entry_at(t->mm, t->addr))] = SLOT_EMPTY;
	MT_READ(t->mm, t->addr, 1);
}

static const struct CMUnitTest sequential[] = {
	MT_CASE(roundtrip_sync, .setup = roundtrip_sync),
	MT_CASE(roundtrip_async, .setup = roundtrip_async),
	MT_CASE(large_whole, .setup = large_whole, .cfg = &mthp_cfg),
	MT_CASE(large_split, .setup = large_split, .cfg = &mthp_cfg),
	MT_CASE(thp_reclaim, .setup = thp_reclaim, .cfg = &thp_cfg),
	MT_CASE(fork_shared, .setup = fork_shared),
	MT_CASE(zap_swap, .setup = zap_swap),
	MT_CASE(remove_mapping_fails, .setup = remove_mapping_fails),
	MT_CASE(policy_cluster, .setup = policy_cluster),
	MT_CASE(cluster_free_first, .setup = cluster_free_first),
	MT_CASE(cluster_large, .setup = cluster_large, .cfg = &mthp_cfg),
	MT_CASE(cluster_steal, .setup = cluster_steal, .cfg = &mthp_cfg),
	MT_CASE(cluster_order, .setup = cluster_order, .cfg = &mthp_cfg),
	MT_CASE(cluster_large_tiny, .setup = cluster_large_tiny, .cfg = &mthp_cfg),
	MT_CASE(policy_lifo, .setup = policy_lifo),
	MT_CASE(swap_map_ops, .setup = swap_map_ops),
	MT_CASE(write_frees_swap, .setup = write_frees_swap),
	MT_CASE(checker_inv2_cache, .setup = corrupt_cache, .want_kind = SIM_FIND_INVARIANT,
		.want_id = "INV-2", .want_msg = "not in the swap cache"),
	MT_CASE(checker_inv5_count, .setup = corrupt_count, .want_kind = SIM_FIND_INVARIANT,
		.want_id = "INV-5", .want_msg = "has count 2, but 1 swap PTEs"),
	MT_CASE(checker_inv2_pin, .setup = leaked_pin, .want_kind = SIM_FIND_INVARIANT,
		.want_id = "INV-2", .want_msg = "left open"),
	MT_CASE(checker_inv5_unwritten, .setup = discarded_slot, .want_kind = SIM_FIND_INVARIANT,
		.want_id = "INV-5", .want_msg = "never written"),
};

/* ---- two CPUs, two clusters -------------------------------------------------------- */

/* 513 slots: two clusters, both on nonfull[0] (the header in cluster 0,
 * the end of the device in cluster 1: slots 512 and 513).  Each CPU swaps
 * out two pages of its own mm; whoever comes first takes cluster 0 (slots
 * 1, 2), the other, finding it on no list but frag, takes cluster 1, and
 * each runs on in its own through its per-CPU offset. */
struct two_cpus {
	struct mm_struct *mm[2];
};

static void two_setup(struct mm_kernel *k, void *st)
{
	struct two_cpus *s = st;

	(void)k;
	MT_EQ(mmt_swapon(513, true, SWAP_ALLOC_CLUSTER), 0);
	for (int c = 0; c < 2; c++) {
		s->mm[c] = mmt_mm_create();
		map_at(s->mm[c], RA, 2, 10 * (uint64_t)c + 1);
	}
}

static void two_run(struct mm_kernel *k, void *st, int cpu)
{
	struct two_cpus *s = st;

	(void)k;
	pageout_at(s->mm[cpu], RA, 2);
}

static void two_check(struct mm_kernel *k, void *st)
{
	struct two_cpus *s = st;
	unsigned long first[2];

	(void)k;
	for (int c = 0; c < 2; c++) {
		first[c] = slot_at(s->mm[c], RA);
		MT_EITHER(first[c], 1, 512);
		MT_EQ(slot_at(s->mm[c], RA + PAGE_SIZE), first[c] + 1);
	}
	MT_NE(first[0], first[1]);
	/* The CPU in cluster 0 goes on at 3; the other used cluster 1 up. */
	MT_EQ(pcp_next(first[0] == 1 ? 0 : 1, 0), 3);
	MT_EQ(pcp_next(first[0] == 1 ? 1 : 0, 0), 0);
	MT_EQ(pcp_next(-1, 0), 0);
	MT_EQ(si0()->cluster_info[0].count, 1 + 2);
	MT_EQ(si0()->cluster_info[1].count, SWAPFILE_CLUSTER);
	MT_EQ(si0()->cluster_info[1].flags, CLUSTER_FLAG_FULL);
}

MM_PROGRAM(swap_two_cpus, "two CPUs swap out into clusters of their own", 2, struct two_cpus,
	   two_setup, two_run, two_check);

/* Every schedule within one preemption, then a PCT budget. */
static void test_two_cpus_two_clusters(void **state)
{
	struct explore_result r;
	struct explore_opts o;

	(void)state;
	explore_opts_default(&o);
	o.kind = EXPLORE_DFS;
	o.bound = 1;
	assert_int_equal(explore_run(&swap_two_cpus, &o, &r), 0);
	if (r.found)
		fail_msg("dfs: %s: %s", r.finding.id, r.finding.msg);
	assert_true(r.exhausted);
	explore_result_free(&r);
	explore_opts_default(&o);
	o.kind = EXPLORE_PCT;
	o.seed = 1;
	o.pct_depth = 3;
	o.max_executions = test_soak() ? 20000 : 200;
	assert_int_equal(explore_run(&swap_two_cpus, &o, &r), 0);
	if (r.found)
		fail_msg("pct: %s: %s", r.finding.id, r.finding.msg);
	explore_result_free(&r);
}

/* ---- seed 002 under the explorer ---------------------------------------------------- */

#define SEED002 "scenarios/swap/swapin_skip_swapcache_race.mmt"

static void explore_seed002(enum explore_kind kind, int bound, bool revert, uint64_t execs,
			    struct explore_result *r)
{
	struct explore_opts o;

	explore_opts_default(&o);
	o.kind = kind;
	o.seed = 1;
	o.pct_depth = 3;
	o.bound = bound;
	o.max_executions = execs;
	if (revert) {
		o.cfg.model_flags = 1UL << FIX_SWAPIN_SKIP_SWAPCACHE_RACE;
		o.cfg.variant = "~13ddaf26be32";
	}
	assert_int_equal(explore_run(test_scenario(SEED002), &o, r), 0);
}

/* With the fix: clean under an exhaustive bound and a PCT budget. */
static void test_seed002_fixed(void **state)
{
	struct explore_result r;

	(void)state;
	explore_seed002(EXPLORE_DFS, 2, false, 0, &r);
	if (r.found)
		fail_msg("finding with the fix: %s", r.finding.msg);
	assert_true(r.exhausted);
	assert_true(!strncmp(r.coverage, "exhausted", 9));
	explore_result_free(&r);
	explore_seed002(EXPLORE_PCT, 0, false, test_soak() ? 200000 : 5000, &r);
	assert_false(r.found);
	explore_result_free(&r);
}

/* Reverted: the lost write (INV-1) by PCT and by the bounded search, and the
 * token replays it exactly. */
static void test_seed002_reverted(void **state)
{
	static const struct { enum explore_kind kind; int bound; } how[] = {
		{ EXPLORE_PCT, 0 }, { EXPLORE_DFS, 1 }, { EXPLORE_DFS, 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		struct explore_result r, rr;
		struct sim_config cfg;

		explore_seed002(how[i].kind, how[i].bound, true, 100000, &r);
		if (!r.found)
			fail_msg("%s did not find the lost write", r.strategy);
		assert_int_equal(r.finding.kind, SIM_FIND_INVARIANT);
		assert_string_equal(r.finding.id, "INV-1");
		assert_non_null(strstr(r.finding.msg, "read 0x1"));
		assert_non_null(strstr(r.token, "swapin_skip_swapcache_race~13ddaf26be32:"));
		sim_config_default(&cfg);
		cfg.model_flags = 1UL << FIX_SWAPIN_SKIP_SWAPCACHE_RACE;
		cfg.variant = "~13ddaf26be32";
		assert_int_equal(explore_replay(test_scenario(SEED002), r.token, &cfg, &rr), 0);
		assert_true(rr.found);
		test_assert_same_trace(&r, &rr);
		explore_result_free(&rr);
		/* Without the revert the token is for another program. */
		sim_config_default(&cfg);
		assert_int_equal(explore_replay(test_scenario(SEED002), r.token, &cfg, &rr), -1);
		explore_result_free(&rr);
		explore_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest explored[] = {
		cmocka_unit_test(test_seed002_fixed),
		cmocka_unit_test(test_seed002_reverted),
		cmocka_unit_test(test_two_cpus_two_clusters),
	};
	int fails = cmocka_run_group_tests_name("swap: sequential", sequential, NULL, NULL);

	return fails | cmocka_run_group_tests_name("swap: explored (seed 002, two CPUs)", explored,
						   NULL, NULL);
}
