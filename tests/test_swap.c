/*
 * test_swap.c - the swap model: devices, the swap map, the swap cache,
 * reclaim and swap-in, sequentially and under the explorer (seed 002).
 */
#include "mmtest.h"

#include "mm/fixes.h"
#include "mm/swap.h"
#include "scenario/builtin.h"

extern const struct sim_program swapin_skip_swapcache_race;

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
	entry_at(t->mm, t->addr + 300 * PAGE_SIZE);
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

/* The kernel-like policy walks a cursor forward: a slot freed behind it is
 * not handed out again at once. */
static void policies(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_CLUSTER), 0);
	map_pages(t, 3, 1);
	pageout(t, 3);
	/* Device 0 (cluster) hands out 1, 2, 3 in order. */
	for (unsigned long i = 0; i < 3; i++)
		MT_EQ(swp_offset(entry_at(t->mm, t->addr + i * PAGE_SIZE)), 1 + i);
	/* Swapping them in frees 1..3; the cluster cursor moves on to 4. */
	for (unsigned long i = 0; i < 3; i++)
		MT_READ(t->mm, t->addr + i * PAGE_SIZE, 1 + i);
	pageout(t, 1);
	MT_EQ(swp_offset(entry_at(t->mm, t->addr)), 4);
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
	MT_CASE(policy_cluster, .setup = policies),
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

/* ---- seed 002 under the explorer ---------------------------------------------------- */

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
	assert_int_equal(explore_run(&swapin_skip_swapcache_race, &o, r), 0);
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
		assert_int_equal(explore_replay(&swapin_skip_swapcache_race, r.token, &cfg, &rr), 0);
		assert_true(rr.found);
		test_assert_same_trace(&r, &rr);
		explore_result_free(&rr);
		/* Without the revert the token is for another program. */
		sim_config_default(&cfg);
		assert_int_equal(explore_replay(&swapin_skip_swapcache_race, r.token, &cfg, &rr), -1);
		explore_result_free(&rr);
		explore_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest explored[] = {
		cmocka_unit_test(test_seed002_fixed),
		cmocka_unit_test(test_seed002_reverted),
	};
	int fails = cmocka_run_group_tests_name("swap: sequential", sequential, NULL, NULL);

	return fails | cmocka_run_group_tests_name("swap: seed 002 explored", explored, NULL, NULL);
}
