/*
 * test_mm_fault.c - unit tests of the model kernel's page faults, copy-on-write, reverse
 * mapping and shared memory (mm/memory.c, mm/rmap.c, mm/shmem.c).
 */
#include "mmtest.h"

#define X 0x20000000UL		/* a PMD-aligned address for MAP_FIXED */
#define P PAGE_SIZE

static unsigned long map_at(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot,
			    int flags)
{
	MT_EQ(mt_map(mm, addr, len, prot, flags | MAP_FIXED), addr);
	return addr;
}

static unsigned long map_file(struct mm_struct *mm, unsigned long addr, unsigned long len,
			      int flags, struct address_space *file, unsigned long pgoff)
{
	MT_EQ(mmt_mmap(mm, addr, len, MT_RW, flags | MAP_FIXED, file, pgoff), addr);
	return addr;
}

static struct anon_vma *anon_vma_at(struct mm_struct *mm, unsigned long addr)
{
	return vma_lookup(mm, addr)->anon_vma;
}

static unsigned long anon_mapping(struct anon_vma *av)
{
	return (unsigned long)av | PAGE_MAPPING_ANON;
}

/* A present, writable, exclusive anonymous order-0 page mapped once. */
static void expect_private_page(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = mt_pte(mm, addr);
	struct folio *f = mt_folio(pte_pfn(pte));

	MT_TRUE(pte_present(pte) && pte_write(pte) && pte_dirty(pte));
	MT_FALSE(pte_special(pte));
	MT_EQ(f->order, 0);
	MT_EQ(mt_ref(f), 1);
	MT_EQ(mt_mapcount(f), 1);
	MT_TRUE(mt_exclusive(pte_pfn(pte)));
	MT_EQ(f->mapping, anon_mapping(anon_vma_at(mm, addr)));
	MT_EQ(f->index, linear_page_index(vma_lookup(mm, addr), addr));
}

/* ==== memory.c: anonymous faults ========================================================= */

/* A read of untouched memory maps the shared zero page, read-only. */
static void read_zero_page_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	pte_t pte;

	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_READ(mm, X + 8, 0);
	pte = mt_pte(mm, X);
	MT_TRUE(pte_present(pte) && pte_special(pte));
	MT_FALSE(pte_write(pte));
	MT_EQ(pte_pfn(pte), k->zero_pfn);
	MT_TRUE(pte_none(mt_pte(mm, X + P)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_TRUE(!anon_vma_at(mm, X));
	MT_EQ(k->nr_free, k->nr_free_initial);
	MT_EQ(mt_ref(mt_folio(k->zero_pfn)), 1);
}

/* A write allocates an exclusive page with the anon rmap set up. */
static void write_allocates_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X + P + 16, 0x1234);
	expect_private_page(mm, X + P);
	f = mt_folio(mt_pfn(mm, X + P));
	MT_TRUE(mt_flag((struct page *)f, PG_swapbacked));
	MT_TRUE(mt_flag((struct page *)f, PG_uptodate));
	MT_TRUE(pte_young(mt_pte(mm, X + P)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	MT_EQ(k->nr_free, k->nr_free_initial - 1);
	MT_EQ(k->nr_anon_folios, 1);
	MT_READ(mm, X + P + 16, 0x1234);
	MT_READ(mm, X + P, 0);
	MT_TRUE(pte_none(mt_pte(mm, X)));
}

/* A write to the zero page allocates a zeroed page in its place. */
static void write_zero_page_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_READ(mm, X, 0);
	MT_READ(mm, X + P, 0);
	MT_WRITE(mm, X + 8, 5);
	MT_NE(mt_pfn(mm, X), k->zero_pfn);
	expect_private_page(mm, X);
	MT_READ(mm, X, 0);
	MT_READ(mm, X + 8, 5);
	MT_EQ(mt_pfn(mm, X + P), k->zero_pfn);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
}

/* Fork shares the page write-protected; each side's write gets its own copy,
 * and the last sharer reuses the page without copying. */
static void cow_after_fork_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create(), *child;
	unsigned long pfn;
	struct folio *f;

	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pfn = mt_pfn(mm, X);
	f = mt_folio(pfn);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	child = t->mm2;
	MT_EQ(mt_pfn(child, X), pfn);
	MT_FALSE(pte_write(mt_pte(mm, X)) || pte_write(mt_pte(child, X)));
	MT_EQ(mt_ref(f), 2);
	MT_EQ(mt_mapcount(f), 2);
	MT_FALSE(mt_exclusive(pfn));
	MT_EQ(mt_rss(child, MM_ANONPAGES), 1);
	MT_WRITE(child, X, 2);
	MT_NE(mt_pfn(child, X), pfn);
	expect_private_page(child, X);
	MT_EQ(mt_ref(f), 1);
	MT_EQ(mt_mapcount(f), 1);
	MT_READ(mm, X, 1);
	MT_READ(child, X, 2);
	t->v[0] = k->nr_free;
	MT_WRITE(mm, X, 3);
	MT_EQ(mt_pfn(mm, X), pfn);
	MT_EQ(k->nr_free, t->v[0]);
	expect_private_page(mm, X);
	MT_READ(child, X, 2);
}

/* The reuse moves the folio to the writer's anon_vma (folio_move_anon_rmap). */
static void cow_reuse_moves_anon_vma_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create(), *child;
	unsigned long pfn;

	(void)k;
	map_at(mm, X, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pfn = mt_pfn(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	child = t->mm2;
	MT_WRITE(mm, X, 2);
	MT_NE(mt_pfn(mm, X), pfn);
	MT_EQ(mt_folio(pfn)->mapping, anon_mapping(anon_vma_at(mm, X)));
	MT_WRITE(child, X, 3);
	MT_EQ(mt_pfn(child, X), pfn);
	MT_EQ(mt_folio(pfn)->mapping, anon_mapping(anon_vma_at(child, X)));
	MT_NE(anon_vma_at(child, X), anon_vma_at(mm, X));
	MT_READ(mm, X, 2);
}

/* After the child exits, the parent's write reuses the page: no allocation. */
static void reuse_after_child_exit_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long pfn, free_before;

	map_at(mm, X, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pfn = mt_pfn(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	mmt_exit(t->mm2);
	MT_TRUE(t->mm2->dead);
	MT_EQ(mt_ref(mt_folio(pfn)), 1);
	MT_FALSE(mt_exclusive(pfn));
	free_before = k->nr_free;
	MT_WRITE(mm, X, 2);
	MT_EQ(mt_pfn(mm, X), pfn);
	MT_EQ(k->nr_free, free_before);
	expect_private_page(mm, X);
}

/* Exiting frees everything; a child survives its parent's exit. */
static void exit_frees_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	map_at(mm, X, 4 * P, MT_RW, MT_ANON);
	for (unsigned long i = 0; i < 4; i++)
		MT_WRITE(mm, X + i * P, i + 1);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_WRITE(t->mm2, X, 9);
	mmt_exit(mm);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_READ(t->mm2, X, 9);
	MT_READ(t->mm2, X + 3 * P, 4);
	MT_EQ(k->nr_free, k->nr_free_initial - 4);
	mmt_exit(t->mm2);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

struct bad_access {
	unsigned long addr;
	bool write;
	int want;
};

/* Accesses that fail: no VMA, no permission, misaligned, beyond the space. */
static const struct bad_access bad_accesses[] = {
	{ X - P, false, -EFAULT },		/* below every VMA */
	{ X + 8 * P, true, -EFAULT },		/* in a hole */
	{ X + 2 * P, true, -EFAULT },		/* PROT_READ */
	{ X + 4 * P, false, -EFAULT },		/* PROT_NONE */
	{ X + 4 * P, true, -EFAULT },
	{ X + 4, false, -EINVAL },		/* misaligned */
	{ X + 4, true, -EINVAL },
	{ TASK_SIZE, false, -EFAULT },
	{ TASK_SIZE + P, true, -EFAULT },
};

static void bad_access_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	map_at(mm, X + 2 * P, 2 * P, PROT_READ, MT_ANON);
	map_at(mm, X + 4 * P, 2 * P, PROT_NONE, MT_ANON);
	map_at(mm, X + 6 * P, P, PROT_WRITE, MT_ANON);
	for (size_t i = 0; i < sizeof(bad_accesses) / sizeof(bad_accesses[0]); i++) {
		const struct bad_access *b = &bad_accesses[i];
		uint64_t v = 0;
		int ret = b->write ? mmt_write(mm, b->addr, 7) : mmt_read(mm, b->addr, &v);

		if (ret != b->want)
			MT_FAIL("access %zu (%s %#lx) returned %d, expected %d", i,
				b->write ? "write" : "read", b->addr, ret, b->want);
	}
	/* Read-only memory reads; write-only memory reads and writes. */
	MT_READ(mm, X + 2 * P, 0);
	MT_WRITE(mm, X + 6 * P, 6);
	MT_READ(mm, X + 6 * P, 6);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
}

/* ---- mTHP ---------------------------------------------------------------------------- */

static void expect_mthp(struct mm_struct *mm, unsigned long base, unsigned order, int refs)
{
	unsigned long nr = 1UL << order, pfn = mt_pfn(mm, base);
	struct folio *f = mt_folio(pfn);

	MT_EQ(f->order, order);
	MT_EQ(folio_pfn(f), pfn);
	MT_EQ(f->index, base >> PAGE_SHIFT);
	MT_EQ(mt_ref(f), refs);
	MT_EQ(mt_mapcount(f), nr);
	MT_EQ(folio_second(f)->_nr_pages_mapped.counter, nr);
	MT_EQ(folio_second(f)->_entire_mapcount.counter, -1);
	for (unsigned long i = 0; i < nr; i++) {
		pte_t pte = mt_pte(mm, base + i * P);

		MT_EQ(pte_pfn(pte), pfn + i);
		MT_TRUE(pte_write(pte) && pte_dirty(pte));
		MT_EQ(mt_page(pfn + i)->_mapcount.counter, 0);
		MT_TRUE(mt_exclusive(pfn + i));
	}
}

/* With 64 KiB mTHP enabled, a write fault maps a 16-page folio, one PTE and
 * one reference per page. */
static void mthp_fault_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	mmt_thp_set(1UL << 4, 0);
	map_at(mm, X, PMD_SIZE, MT_RW, MT_ANON);
	MT_WRITE(mm, X + 5 * P + 8, 0x55);
	expect_mthp(mm, X, 4, 16);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_TRUE(pte_none(mt_pte(mm, X + 16 * P)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 16);
	MT_READ(mm, X + 5 * P + 8, 0x55);
	MT_READ(mm, X + 15 * P, 0);
	/* Another write in the folio needs no fault and no page. */
	MT_WRITE(mm, X + 15 * P, 0x66);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 16);
}

/* A range that is not all empty, or does not fit in the VMA, falls back to
 * a smaller enabled order, then to one page. */
static void mthp_fallback_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	mmt_thp_set((1UL << 4) | (1UL << 2), 0);
	map_at(mm, X, PMD_SIZE, MT_RW, MT_ANON);
	MT_READ(mm, X + 17 * P, 0);
	MT_WRITE(mm, X + 22 * P, 1);
	expect_mthp(mm, X + 20 * P, 2, 4);
	MT_READ(mm, X + 2 * P, 0);
	MT_WRITE(mm, X + 3 * P, 2);
	MT_EQ(mt_folio(mt_pfn(mm, X + 3 * P))->order, 0);
	map_at(mm, X + PMD_SIZE + 4 * P, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X + PMD_SIZE + 4 * P, 3);
	MT_EQ(mt_folio(mt_pfn(mm, X + PMD_SIZE + 4 * P))->order, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 6);
}

/* After fork, a write to a page of an mTHP copies that page only, on both
 * sides: a large folio is never reused by a write fault. */
static void mthp_cow_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	(void)k;
	mmt_thp_set(1UL << 4, 0);
	map_at(mm, X, PMD_SIZE, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	f = mt_folio(mt_pfn(mm, X));
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_EQ(mt_ref(f), 32);
	MT_EQ(mt_mapcount(f), 32);
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), 16);
	MT_WRITE(t->mm2, X + 3 * P, 2);
	MT_EQ(mt_folio(mt_pfn(t->mm2, X + 3 * P))->order, 0);
	MT_EQ(mt_ref(f), 31);
	MT_EQ(mt_mapcount(f), 31);
	MT_EQ(folio_second(f)->_nr_pages_mapped.counter, 16);
	MT_WRITE(mm, X, 3);
	MT_NE(mt_folio(mt_pfn(mm, X)), f);
	MT_EQ(mt_ref(f), 30);
	MT_READ(t->mm2, X, 1);
	MT_READ(mm, X + 3 * P, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 16);
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), 16);
}

/* ==== rmap.c ========================================================================== */

/* Each VMA that maps anonymous pages gets its own anon_vma, its own root. */
static void anon_vma_per_vma_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct anon_vma *a, *b;

	(void)k;
	map_at(mm, X, P, MT_RW, MT_ANON);
	map_at(mm, X + 2 * P, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + 2 * P, 2);
	a = anon_vma_at(mm, X);
	b = anon_vma_at(mm, X + 2 * P);
	MT_TRUE(a && b);
	MT_NE(a, b);
	MT_EQ(a->root, a);
	MT_EQ(a->refcount.counter, 1);
	MT_EQ(a->nr_chains, 1);
	MT_EQ(a->chains[0]->vma, vma_lookup(mm, X));
	MT_EQ(vma_lookup(mm, X)->nr_avcs, 1);
	MT_EQ(mt_folio(mt_pfn(mm, X))->mapping, anon_mapping(a));
	MT_EQ(mt_folio(mt_pfn(mm, X + 2 * P))->mapping, anon_mapping(b));
	MT_EQ(mt_folio(mt_pfn(mm, X + 2 * P))->index, (X + 2 * P) >> PAGE_SHIFT);
}

/* Fork chains: the child VMA is linked to the parent's anon_vma and has its
 * own, whose root and parent are the parent's; a grandchild one more. */
static void fork_chain_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create(), *gc;
	struct anon_vma *pav, *cav, *gav;

	(void)k;
	map_at(mm, X, P, MT_RW, MT_ANON);
	map_at(mm, X + 4 * P, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pav = anon_vma_at(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	cav = anon_vma_at(t->mm2, X);
	MT_NE(cav, pav);
	MT_EQ(cav->root, pav);
	MT_EQ(cav->parent, pav);
	MT_EQ(pav->num_children, 1);
	MT_EQ(pav->refcount.counter, 2);
	MT_EQ(pav->nr_chains, 2);
	MT_EQ(vma_lookup(t->mm2, X)->nr_avcs, 2);
	MT_TRUE(!anon_vma_at(t->mm2, X + 4 * P));
	MT_EQ(vma_lookup(t->mm2, X + 4 * P)->nr_avcs, 0);
	MT_WRITE(t->mm2, X, 2);
	MT_EQ(mt_folio(mt_pfn(t->mm2, X))->mapping, anon_mapping(cav));
	MT_EQ(mmt_fork(t->mm2, &gc), 0);
	gav = anon_vma_at(gc, X);
	MT_EQ(gav->root, pav);
	MT_EQ(gav->parent, cav);
	MT_EQ(vma_lookup(gc, X)->nr_avcs, 3);
	MT_EQ(pav->nr_chains, 3);
	MT_READ(gc, X, 2);
	mmt_exit(gc);
	MT_TRUE(gav->freed);
	MT_EQ(cav->num_children, 0);
	MT_EQ(pav->nr_chains, 2);
	mmt_exit(t->mm2);
	MT_TRUE(cav->freed);
	MT_EQ(pav->refcount.counter, 1);
	MT_EQ(pav->num_children, 0);
	MT_EQ(pav->nr_chains, 1);
	MT_FALSE(pav->freed);
}

/* Fork clears PageAnonExclusive of the shared pages (folio_try_dup_anon_rmap_ptes). */
static void fork_clears_exclusive_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + P, 2);
	t->pfn = mt_pfn(mm, X);
	t->pfn2 = mt_pfn(mm, X + P);
	MT_TRUE(mt_exclusive(t->pfn) && mt_exclusive(t->pfn2));
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_FALSE(mt_exclusive(t->pfn));
	MT_FALSE(mt_exclusive(t->pfn2));
	MT_EQ(mt_page(t->pfn)->_mapcount.counter, 1);
}

/* A page that may be pinned is copied at fork instead of shared: the parent
 * keeps it exclusive and writable, the child gets a copy of the data. */
static void fork_copies_pinned_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	(void)k;
	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + P, 2);
	f = mt_folio(mt_pfn(mm, X));
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);
	mm->flags |= 1UL << MMF_HAS_PINNED;
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	folio_ref_sub(f, GUP_PIN_COUNTING_BIAS);
	MT_NE(mt_pfn(t->mm2, X), folio_pfn(f));
	MT_EQ(mt_pfn(mm, X), folio_pfn(f));
	MT_TRUE(mt_exclusive(folio_pfn(f)));
	MT_TRUE(pte_write(mt_pte(mm, X)));
	expect_private_page(t->mm2, X);
	MT_EQ(mt_pfn(t->mm2, X + P), mt_pfn(mm, X + P));
	MT_FALSE(pte_write(mt_pte(mm, X + P)));
	MT_READ(t->mm2, X, 1);
	MT_WRITE(mm, X, 3);
	MT_READ(t->mm2, X, 1);
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), 2);
}

/* setup: a PMD-mapped THP whose folio->index no longer matches its place. */
static void corrupt_thp_index_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	t->mm = mmt_mm_create();
	map_at(t->mm, X, PMD_SIZE, MT_RW, MT_ANON);
	MT_WRITE(t->mm, X, 1);
	MT_TRUE(pmd_trans_huge(mt_pmd(t->mm, X)));
	t->folio = mt_folio(mt_pfn(t->mm, X));
}

/* Splitting the PMD maps the pages by PTEs again: __page_check_anon_rmap. */
static void split_corrupt_index_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->index += 1;
	mmt_mprotect(t->mm, X, P, PROT_READ);
}

/* Migration remaps the PMD from the rmap walk: __page_check_anon_rmap. */
static void migrate_corrupt_index_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->index = (X >> PAGE_SHIFT) - 1;
	mmt_migrate(t->mm, X);
}

/* A small folio with a wrong index is not found by the rmap walk: migration
 * gives up; the end-of-execution rmap check (INV-3) sees the damage. */
static void migrate_small_corrupt_index_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_at(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	mt_folio(mt_pfn(mm, X))->index++;
	MT_EQ(mmt_migrate(mm, X), -EBUSY);
	MT_READ(mm, X, 1);
}

/* ==== shmem.c =========================================================================== */

/* MAP_SHARED|MAP_ANONYMOUS memory stays shared with a child, both ways; fork
 * copies no PTEs of it (the child faults them in). */
static void shared_anon_fork_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	(void)k;
	map_at(mm, X, 2 * P, MT_RW, MT_SHANON);
	MT_WRITE(mm, X, 1);
	f = mt_folio(mt_pfn(mm, X));
	MT_FALSE(f->mapping & PAGE_MAPPING_ANON);
	MT_EQ(f->mapping, (unsigned long)vma_lookup(mm, X)->vm_file);
	MT_EQ(mt_rss(mm, MM_SHMEMPAGES), 1);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_TRUE(pte_none(mt_pte(t->mm2, X)));
	MT_EQ(vma_lookup(t->mm2, X)->vm_file, vma_lookup(mm, X)->vm_file);
	MT_READ(t->mm2, X, 1);
	MT_EQ(mt_pfn(t->mm2, X), folio_pfn(f));
	MT_WRITE(t->mm2, X, 2);
	MT_READ(mm, X, 2);
	MT_WRITE(t->mm2, X + P, 3);
	MT_READ(mm, X + P, 3);
	MT_EQ(mt_ref(f), 3);
	MT_EQ(mt_mapcount(f), 2);
	MT_EQ(mt_rss(t->mm2, MM_SHMEMPAGES), 2);
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), 0);
}

/* The object's pages go with its last mapping. */
static void shared_anon_freed_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct address_space *m;

	map_at(mm, X, 2 * P, MT_RW, MT_SHANON);
	m = vma_lookup(mm, X)->vm_file;
	MT_TRUE(m->shmem);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + P, 2);
	MT_EQ(mmt_madvise(mm, X, 2 * P, MADV_DONTNEED), 0);
	MT_EQ(k->nr_free, k->nr_free_initial - 2);
	MT_EQ(mmt_munmap(mm, X, 2 * P), 0);
	MT_EQ(m->refcount.counter, 0);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* A file mapped MAP_SHARED in two mms, at different offsets, shares its pages. */
static void file_shared_two_mms_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *a = t->mm = mmt_mm_create(), *b = t->mm2 = mmt_mm_create();

	(void)k;
	t->file = mmt_file_create(4 * P);
	MT_FALSE(t->file->shmem);
	map_file(a, X, 4 * P, MAP_SHARED, t->file, 0);
	map_file(b, X + PMD_SIZE, 2 * P, MAP_SHARED, t->file, 2);
	MT_EQ(t->file->refcount.counter, 3);
	MT_WRITE(a, X + 3 * P + 8, 7);
	MT_READ(b, X + PMD_SIZE + P + 8, 7);
	MT_EQ(mt_pfn(a, X + 3 * P), mt_pfn(b, X + PMD_SIZE + P));
	MT_EQ(mt_pfn(a, X + 3 * P), t->file->pages[3]);
	MT_WRITE(b, X + PMD_SIZE, 8);
	MT_READ(a, X + 2 * P, 8);
	/* The model counts file pages with shmem (shmem.c stands in for both). */
	MT_EQ(mt_rss(a, MM_FILEPAGES) + mt_rss(a, MM_SHMEMPAGES), 2);
	MT_EQ(mt_rss(a, MM_ANONPAGES), 0);
}

/* MAP_PRIVATE of a file: reads see the file until the first write, which
 * copies the page into an anonymous one. */
static void file_private_cow_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *a = t->mm = mmt_mm_create(), *b = t->mm2 = mmt_mm_create();
	unsigned long filepfn;

	(void)k;
	t->file = mmt_file_create(4 * P);
	map_file(a, X, 4 * P, MAP_SHARED, t->file, 0);
	map_file(b, X, 4 * P, MAP_PRIVATE, t->file, 0);
	MT_WRITE(a, X, 5);
	MT_READ(b, X, 5);
	filepfn = mt_pfn(a, X);
	MT_EQ(mt_pfn(b, X), filepfn);
	MT_FALSE(pte_write(mt_pte(b, X)));
	MT_WRITE(b, X, 6);
	MT_NE(mt_pfn(b, X), filepfn);
	expect_private_page(b, X);
	MT_READ(a, X, 5);
	MT_WRITE(a, X, 7);
	MT_READ(b, X, 6);
	/* Not yet copied: the file's changes show. */
	MT_WRITE(a, X + P, 8);
	MT_READ(b, X + P, 8);
	/* A first touch by a write copies at once (do_cow_fault). */
	MT_WRITE(a, X + 2 * P, 9);
	MT_WRITE(b, X + 2 * P + 8, 10);
	MT_READ(b, X + 2 * P, 9);
	MT_READ(a, X + 2 * P + 8, 0);
	expect_private_page(b, X + 2 * P);
	MT_EQ(mt_rss(b, MM_ANONPAGES), 2);
	MT_EQ(mt_rss(b, MM_FILEPAGES) + mt_rss(b, MM_SHMEMPAGES), 1);
}

/* An access beyond the end of the file is SIGBUS: -EFAULT. */
static void file_beyond_eof_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	t->file = mmt_file_create(P);
	map_file(mm, X, 2 * P, MAP_SHARED, t->file, 0);
	MT_WRITE(mm, X, 1);
	MT_READ_FAILS(mm, X + P, -EFAULT);
	MT_WRITE_FAILS(mm, X + P, -EFAULT);
	map_file(mm, X + 4 * P, P, MAP_PRIVATE, t->file, 1);
	MT_READ_FAILS(mm, X + 4 * P, -EFAULT);
	MT_WRITE_FAILS(mm, X + 4 * P, -EFAULT);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT_CASE(read_untouched_maps_zero_page, .run = read_zero_page_run),
		MT_CASE(write_allocates_exclusive_page, .run = write_allocates_run),
		MT_CASE(write_to_zero_page_allocates, .run = write_zero_page_run),
		MT_CASE(cow_after_fork, .run = cow_after_fork_run),
		MT_CASE(cow_reuse_moves_anon_vma, .run = cow_reuse_moves_anon_vma_run),
		MT_CASE(reuse_after_child_exit_no_copy, .run = reuse_after_child_exit_run),
		MT_CASE(exit_frees_everything, .run = exit_frees_run),
		MT_CASE(bad_accesses, .run = bad_access_run),
		MT_CASE(mthp_write_fault_maps_16_pages, .run = mthp_fault_run),
		MT_CASE(mthp_falls_back, .run = mthp_fallback_run),
		MT_CASE(mthp_cow_copies_one_page, .run = mthp_cow_run),
		MT_CASE(anon_vma_per_vma, .run = anon_vma_per_vma_run),
		MT_CASE(anon_vma_fork_chains, .run = fork_chain_run),
		MT_CASE(fork_clears_anon_exclusive, .run = fork_clears_exclusive_run),
		MT_CASE(fork_copies_maybe_pinned_page, .run = fork_copies_pinned_run),
		MT_CASE(page_check_anon_rmap_on_split, .setup = corrupt_thp_index_setup,
			.run = split_corrupt_index_run, .want_kind = SIM_FIND_BUG,
			.want_id = "VM_BUG_ON_PAGE", .want_msg = "in __page_check_anon_rmap"),
		MT_CASE(page_check_anon_rmap_on_migration, .setup = corrupt_thp_index_setup,
			.run = migrate_corrupt_index_run, .want_kind = SIM_FIND_BUG,
			.want_id = "VM_BUG_ON_PAGE", .want_msg = "in __page_check_anon_rmap"),
		MT_CASE(small_folio_bad_index_not_migrated, .run = migrate_small_corrupt_index_run,
			.want_kind = SIM_FIND_INVARIANT, .want_id = "INV-3",
			.want_msg = "but the folio says page offset"),
		MT_CASE(shared_anon_shared_with_child, .run = shared_anon_fork_run),
		MT_CASE(shared_anon_freed_with_last_mapping, .run = shared_anon_freed_run),
		MT_CASE(file_shared_in_two_mms, .run = file_shared_two_mms_run),
		MT_CASE(file_private_copies_on_write, .run = file_private_cow_run),
		MT_CASE(file_beyond_eof_is_efault, .run = file_beyond_eof_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
