/*
 * test_mm_thp.c - unit tests of the model kernel's transparent huge pages and migration
 * (mm/huge_memory.c, mm/migrate.c).
 */
#include "mmtest.h"

#define X 0x20000000UL		/* a PMD-aligned address for MAP_FIXED */
#define P PAGE_SIZE
#define NR HPAGE_PMD_NR

static const struct mm_config no_huge_zero = {
	.nr_pages = 4096,
	.thp_madvise = 1UL << HPAGE_PMD_ORDER,
	.thp_use_zero_page = false,
};

static unsigned long map_at(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot)
{
	MT_EQ(mt_map(mm, addr, len, prot, MT_ANON | MAP_FIXED), addr);
	return addr;
}

/* A fresh mm with THP "always" and a written 2 MiB THP at X (and 2 MiB
 * more mapped after it). */
static struct mm_struct *thp_mm(struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_at(mm, X, 2 * PMD_SIZE, MT_RW);
	MT_WRITE(mm, X + 8, 1);
	MT_WRITE(mm, X + 5 * P, 5);
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	t->pfn = pmd_pfn(mt_pmd(mm, X));
	t->folio = mt_folio(t->pfn);
	return mm;
}

/* The PTE table deposited under the huge PMD at @addr (for a later split). */
static struct ptdesc *deposited(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);

	return pmd_page_of(pmd)->deposit[pmd - pmd_page_of(pmd)->pmds];
}

/* The counters of a PMD-size folio: PMD maps, PTE-mapped pages, all maps. */
static void expect_thp_counts(struct folio *f, int refs, int pmds, int ptes, int pages)
{
	MT_EQ(f->order, HPAGE_PMD_ORDER);
	MT_EQ(mt_ref(f), refs);
	MT_EQ(folio_second(f)->_entire_mapcount.counter + 1, pmds);
	MT_EQ(folio_second(f)->_large_mapcount.counter + 1, pmds + ptes);
	MT_EQ(folio_second(f)->_nr_pages_mapped.counter, pages);
}

/* ==== huge_memory.c ==================================================================== */

/* THP "always": a write to an aligned 2 MiB range maps one PMD-size folio. */
static void thp_fault_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	pmd_t pmd = mt_pmd(mm, X);

	MT_EQ(t->pfn & (NR - 1), 0);
	MT_TRUE(pmd_write(pmd) && pmd_dirty(pmd) && pmd_young(pmd));
	expect_thp_counts(t->folio, 1, 1, 0, 0);
	MT_TRUE(mt_exclusive(t->pfn));
	MT_EQ(t->folio->index, X >> PAGE_SHIFT);
	MT_EQ(t->folio->mapping, (unsigned long)vma_lookup(mm, X)->anon_vma | PAGE_MAPPING_ANON);
	MT_TRUE(deposited(mm, X));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR);
	MT_EQ(k->nr_free, k->nr_free_initial - NR);
	MT_TRUE(pmd_none(mt_pmd(mm, X + PMD_SIZE)));
	MT_READ(mm, X + 8, 1);
	MT_READ(mm, X + 5 * P, 5);
	MT_READ(mm, X + PMD_SIZE - 8, 0);
	MT_EQ(mt_pfn(mm, X + 5 * P), t->pfn + 5);
}

/* The default setting: THP only with MADV_HUGEPAGE. */
static void thp_madvise_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_at(mm, X, PMD_SIZE, MT_RW);
	map_at(mm, X + 2 * PMD_SIZE, PMD_SIZE, PROT_READ);
	map_at(mm, X + 4 * PMD_SIZE, PMD_SIZE, MT_RW);
	MT_EQ(mmt_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	MT_WRITE(mm, X, 1);
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	MT_WRITE(mm, X + 4 * PMD_SIZE, 2);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X + 4 * PMD_SIZE)));
	MT_EQ(mt_folio(mt_pfn(mm, X + 4 * PMD_SIZE))->order, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR + 1);
}

/* MADV_NOHUGEPAGE wins over "always", and no mTHP either. */
static void thp_nohugepage_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	mmt_thp_set((1UL << HPAGE_PMD_ORDER) | (1UL << 4), 0);
	map_at(mm, X, PMD_SIZE, MT_RW);
	MT_EQ(mmt_madvise(mm, X, PMD_SIZE, MADV_NOHUGEPAGE), 0);
	MT_WRITE(mm, X, 1);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_EQ(mt_folio(mt_pfn(mm, X))->order, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
}

/* A range that does not cover an aligned 2 MiB gets no PMD. */
static void thp_unaligned_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_at(mm, X + P, PMD_SIZE, MT_RW);
	MT_WRITE(mm, X + PMD_SIZE, 1);
	MT_WRITE(mm, X + P, 2);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_TRUE(pmd_is_table(mt_pmd(mm, X + PMD_SIZE)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 2);
}

/* A read first maps the huge zero folio; a write then splits it into zero
 * PTEs and copies one page (the model has no do_huge_zero_wp_pmd). */
static void huge_zero_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	pmd_t pmd;

	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_at(mm, X, PMD_SIZE, MT_RW);
	MT_READ(mm, X + 3 * P, 0);
	pmd = mt_pmd(mm, X);
	MT_TRUE(pmd_trans_huge(pmd));
	MT_EQ(pmd_pfn(pmd), k->huge_zero_pfn);
	MT_FALSE(pmd_write(pmd));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_EQ(k->nr_free, k->nr_free_initial);
	MT_TRUE(deposited(mm, X));
	MT_WRITE(mm, X + 3 * P, 7);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_EQ(mt_pfn(mm, X), k->zero_pfn);
	MT_TRUE(pte_special(mt_pte(mm, X + NR * P - P)));
	MT_NE(mt_pfn(mm, X + 3 * P), k->zero_pfn);
	MT_EQ(mt_folio(mt_pfn(mm, X + 3 * P))->order, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	MT_READ(mm, X + 3 * P, 7);
	MT_READ(mm, X + 4 * P, 0);
}

/* Without the huge zero folio, a read allocates the THP. */
static void no_huge_zero_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_at(mm, X, PMD_SIZE, MT_RW);
	MT_READ(mm, X, 0);
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	MT_NE(pmd_pfn(mt_pmd(mm, X)), k->huge_zero_pfn);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR);
}

/* Fork shares the PMD write-protected in both, and the folio is no longer
 * exclusive. */
static void thp_fork_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	(void)k;
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_TRUE(pmd_trans_huge(mt_pmd(t->mm2, X)));
	MT_EQ(pmd_pfn(mt_pmd(t->mm2, X)), t->pfn);
	MT_FALSE(pmd_write(mt_pmd(mm, X)));
	MT_FALSE(pmd_write(mt_pmd(t->mm2, X)));
	expect_thp_counts(t->folio, 2, 2, 0, 0);
	MT_FALSE(mt_exclusive(t->pfn));
	MT_TRUE(deposited(t->mm2, X));
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), NR);
	MT_READ(t->mm2, X + 5 * P, 5);
}

/* A write after fork splits the writer's PMD and copies one page; the other
 * side keeps its PMD. */
static void thp_cow_split_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	(void)k;
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_WRITE(t->mm2, X + 5 * P, 6);
	MT_TRUE(pmd_is_table(mt_pmd(t->mm2, X)));
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	MT_EQ(pmd_pfn(mt_pmd(mm, X)), t->pfn);
	MT_NE(mt_pfn(t->mm2, X + 5 * P), t->pfn + 5);
	MT_EQ(mt_folio(mt_pfn(t->mm2, X + 5 * P))->order, 0);
	MT_EQ(mt_pfn(t->mm2, X + 4 * P), t->pfn + 4);
	MT_EQ(mt_pfn(t->mm2, X + (NR - 1) * P), t->pfn + NR - 1);
	MT_FALSE(pte_write(mt_pte(t->mm2, X + 4 * P)));
	expect_thp_counts(t->folio, NR, 1, NR - 1, NR - 1);
	MT_EQ(mt_rss(t->mm2, MM_ANONPAGES), NR);
	MT_READ(mm, X + 5 * P, 5);
	MT_READ(t->mm2, X + 5 * P, 6);
	MT_READ(t->mm2, X + 8, 1);
	/* The parent's PMD is shared too: its write splits and copies as well. */
	MT_WRITE(mm, X + 8, 2);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_NE(mt_pfn(mm, X), t->pfn);
	expect_thp_counts(t->folio, 2 * NR - 2, 0, 2 * NR - 2, NR);
	MT_READ(t->mm2, X + 8, 1);
}

/* Once the child is gone the parent's write reuses the whole THP. */
static void thp_reuse_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	unsigned long before;

	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	mmt_exit(t->mm2);
	before = k->nr_free;
	MT_WRITE(mm, X + 8, 2);
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	MT_TRUE(pmd_write(mt_pmd(mm, X)));
	MT_EQ(pmd_pfn(mt_pmd(mm, X)), t->pfn);
	MT_TRUE(mt_exclusive(t->pfn));
	MT_EQ(k->nr_free, before);
	expect_thp_counts(t->folio, 1, 1, 0, 0);
}

/* munmap of one page of a THP splits the PMD; the rest stays mapped. */
static void thp_munmap_part_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	MT_EQ(mmt_munmap(mm, X, P), 0);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_TRUE(pte_none(mt_pte(mm, X)));
	MT_EQ(mt_pfn(mm, X + P), t->pfn + 1);
	MT_TRUE(pte_write(mt_pte(mm, X + P)));
	expect_thp_counts(t->folio, NR - 1, 0, NR - 1, NR - 1);
	for (unsigned long i = 1; i < NR; i++)
		if (!mt_exclusive(t->pfn + i))
			MT_FAIL("page %lu of the split THP is not exclusive", i);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR - 1);
	MT_READ_FAILS(mm, X + 8, -EFAULT);
	MT_READ(mm, X + 5 * P, 5);
	MT_WRITE(mm, X + 6 * P, 6);
	MT_EQ(mt_pfn(mm, X + 6 * P), t->pfn + 6);
	/* The rest of it goes with the rest of the range. */
	MT_EQ(mmt_munmap(mm, X + P, PMD_SIZE - P), 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* munmap of the whole PMD range zaps the huge PMD at once. */
static void thp_munmap_whole_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	MT_EQ(mmt_munmap(mm, X, PMD_SIZE), 0);
	MT_TRUE(pmd_none(mt_pmd(mm, X)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* mprotect of one page splits the PMD; every page stays exclusive and all
 * but that one writable, without a copy. */
static void thp_mprotect_part_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	unsigned long before = k->nr_free;

	MT_EQ(mmt_mprotect(mm, X + P, P, PROT_READ), 0);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_EQ(mt_nr_vmas(mm), 3);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_FALSE(pte_write(mt_pte(mm, X + P)));
	MT_TRUE(pte_write(mt_pte(mm, X + 2 * P)));
	MT_TRUE(mt_exclusive(t->pfn + 1));
	expect_thp_counts(t->folio, NR, 0, NR, NR);
	MT_WRITE(mm, X + 2 * P, 3);
	MT_WRITE_FAILS(mm, X + P, -EFAULT);
	MT_EQ(mt_pfn(mm, X + 2 * P), t->pfn + 2);
	MT_EQ(k->nr_free, before);
	MT_READ(mm, X + 5 * P, 5);
}

/* mprotect of the whole PMD keeps it huge: RW -> R -> RW. */
static void thp_mprotect_whole_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	(void)k;
	MT_EQ(mmt_mprotect(mm, X, PMD_SIZE, PROT_READ), 0);
	MT_TRUE(pmd_trans_huge(mt_pmd(mm, X)));
	MT_FALSE(pmd_write(mt_pmd(mm, X)));
	MT_WRITE_FAILS(mm, X, -EFAULT);
	MT_EQ(mmt_mprotect(mm, X, PMD_SIZE, MT_RW), 0);
	MT_TRUE(pmd_write(mt_pmd(mm, X)));
	MT_EQ(pmd_pfn(mt_pmd(mm, X)), t->pfn);
	/* PROT_NONE: no access, data back afterwards. */
	MT_EQ(mmt_mprotect(mm, X, PMD_SIZE, PROT_NONE), 0);
	MT_READ_FAILS(mm, X + 8, -EFAULT);
	MT_EQ(mmt_mprotect(mm, X, PMD_SIZE, PROT_READ), 0);
	MT_READ(mm, X + 8, 1);
	MT_READ(mm, X + 5 * P, 5);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR);
}

/* MADV_DONTNEED of part of a THP splits it and zeroes that part only. */
static void thp_dontneed_part_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);

	(void)k;
	MT_EQ(mmt_madvise(mm, X + 4 * P, 2 * P, MADV_DONTNEED), 0);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	MT_READ(mm, X + 5 * P, 0);
	MT_READ(mm, X + 8, 1);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR - 2);
	expect_thp_counts(t->folio, NR - 2, 0, NR - 2, NR - 2);
}

/* split_huge_pages: a PMD-mapped THP becomes 512 order-0 folios mapped by
 * PTEs, with the data, exclusivity and writability it had. */
static void split_pmd_folio_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	unsigned long before = k->nr_free;

	MT_EQ(mmt_split_huge_pages(mm, X, X + 2 * PMD_SIZE), 1);
	MT_TRUE(pmd_is_table(mt_pmd(mm, X)));
	for (unsigned long i = 0; i < NR; i++) {
		struct folio *f = mt_folio(t->pfn + i);

		if (mt_pfn(mm, X + i * P) != t->pfn + i || f->order || mt_ref(f) != 1 ||
		    mt_mapcount(f) != 1 || !mt_exclusive(t->pfn + i) ||
		    f->index != (X >> PAGE_SHIFT) + i || !pte_write(mt_pte(mm, X + i * P)))
			MT_FAIL("page %lu after the split: pfn %lu order %u ref %d map %d index"
				" %#lx", i, mt_pfn(mm, X + i * P), f->order, mt_ref(f),
				mt_mapcount(f), f->index);
	}
	MT_EQ(k->nr_free, before);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR);
	MT_READ(mm, X + 8, 1);
	MT_READ(mm, X + 5 * P, 5);
	MT_FALSE(mt_flag(mt_page(t->pfn), PG_locked));
	MT_FALSE(mt_flag(mt_page(t->pfn + 1), PG_locked));
}

/* mTHPs split too, one count per folio; folios shared with a child split
 * in both mms; a folio with an extra reference is skipped. */
static void split_mthp_shared_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long pfn;

	(void)k;
	mmt_thp_set(1UL << 4, 0);
	map_at(mm, X, PMD_SIZE, MT_RW);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + 16 * P, 2);
	MT_WRITE(mm, X + 32 * P, 3);
	pfn = mt_pfn(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	t->folio = mt_folio(mt_pfn(mm, X + 32 * P));
	folio_get(t->folio);
	MT_EQ(mmt_split_huge_pages(mm, X, X + PMD_SIZE), 2);
	MT_EQ(t->folio->order, 4);
	folio_put(t->folio);
	MT_EQ(mt_folio(pfn + 3)->order, 0);
	MT_EQ(mt_ref(mt_folio(pfn + 3)), 2);
	MT_EQ(mt_mapcount(mt_folio(pfn + 3)), 2);
	MT_EQ(mt_pfn(t->mm2, X + 3 * P), pfn + 3);
	MT_FALSE(pte_write(mt_pte(mm, X + 3 * P)));
	MT_READ(t->mm2, X, 1);
	MT_WRITE(t->mm2, X, 4);
	MT_READ(mm, X, 1);
	MT_EQ(mmt_split_huge_pages(mm, X, X + PMD_SIZE), 1);
}

/* ==== migrate.c ======================================================================== */

/* A small folio moves to a new pfn with its data, exclusivity, writability
 * and rmap; the old page is freed. */
static void migrate_small_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long old, new, before;
	struct folio *f;

	map_at(mm, X, 2 * P, MT_RW);
	MT_WRITE(mm, X + 16, 0xabc);
	old = mt_pfn(mm, X);
	before = k->nr_free;
	MT_EQ(mmt_migrate(mm, X + 8), 0);
	new = mt_pfn(mm, X);
	MT_NE(new, old);
	f = mt_folio(new);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_TRUE(mt_exclusive(new));
	MT_EQ(mt_ref(f), 1);
	MT_EQ(mt_mapcount(f), 1);
	MT_EQ(f->index, X >> PAGE_SHIFT);
	MT_EQ(f->mapping, (unsigned long)vma_lookup(mm, X)->anon_vma | PAGE_MAPPING_ANON);
	MT_FALSE(mt_flag((struct page *)f, PG_locked));
	MT_TRUE(mt_flag(mt_page(old), PG_poisoned));
	MT_EQ(k->nr_free, before);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	MT_READ(mm, X + 16, 0xabc);
	MT_WRITE(mm, X + 16, 0xdef);
	MT_EQ(mt_pfn(mm, X), new);
}

/* A PMD-mapped THP moves whole: a new PMD-size folio, still huge-mapped. */
static void migrate_pmd_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	pmd_t pmd;

	MT_EQ(mmt_migrate(mm, X + 100 * P), 0);
	pmd = mt_pmd(mm, X);
	MT_TRUE(pmd_trans_huge(pmd) && pmd_write(pmd));
	MT_NE(pmd_pfn(pmd), t->pfn);
	MT_TRUE(mt_exclusive(pmd_pfn(pmd)));
	expect_thp_counts(mt_folio(pmd_pfn(pmd)), 1, 1, 0, 0);
	MT_TRUE(mt_flag(mt_page(t->pfn), PG_poisoned));
	MT_EQ(k->nr_free, k->nr_free_initial - NR);
	MT_READ(mm, X + 8, 1);
	MT_READ(mm, X + 5 * P, 5);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), NR);
}

/* An mTHP moves whole, every PTE to the same page of the new folio. */
static void migrate_mthp_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long old, new;

	(void)k;
	mmt_thp_set(1UL << 4, 0);
	map_at(mm, X, PMD_SIZE, MT_RW);
	MT_WRITE(mm, X + 7 * P, 7);
	old = mt_pfn(mm, X);
	MT_EQ(mmt_migrate(mm, X + 15 * P), 0);
	new = mt_pfn(mm, X);
	MT_NE(new, old);
	MT_EQ(mt_folio(new)->order, 4);
	MT_EQ(mt_ref(mt_folio(new)), 16);
	for (unsigned long i = 0; i < 16; i++) {
		MT_EQ(mt_pfn(mm, X + i * P), new + i);
		MT_TRUE(mt_exclusive(new + i) && pte_write(mt_pte(mm, X + i * P)));
	}
	MT_READ(mm, X + 7 * P, 7);
}

/* A folio shared after fork is remapped in both mms, still shared. */
static void migrate_shared_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long old, new;

	(void)k;
	map_at(mm, X, P, MT_RW);
	MT_WRITE(mm, X, 1);
	old = mt_pfn(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_EQ(mmt_migrate(t->mm2, X), 0);
	new = mt_pfn(mm, X);
	MT_NE(new, old);
	MT_EQ(mt_pfn(t->mm2, X), new);
	MT_EQ(mt_ref(mt_folio(new)), 2);
	MT_EQ(mt_mapcount(mt_folio(new)), 2);
	MT_FALSE(mt_exclusive(new));
	MT_FALSE(pte_write(mt_pte(mm, X)) || pte_write(mt_pte(t->mm2, X)));
	MT_READ(mm, X, 1);
	MT_READ(t->mm2, X, 1);
	MT_WRITE(t->mm2, X, 2);
	MT_NE(mt_pfn(t->mm2, X), new);
	MT_WRITE(mm, X, 3);
	MT_EQ(mt_pfn(mm, X), new);
}

/* A shared PMD is remapped in both mms by PMD migration entries. */
static void migrate_shared_pmd_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = thp_mm(t);
	unsigned long new;

	(void)k;
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_EQ(mmt_migrate(mm, X), 0);
	new = pmd_pfn(mt_pmd(mm, X));
	MT_NE(new, t->pfn);
	MT_EQ(pmd_pfn(mt_pmd(t->mm2, X)), new);
	MT_TRUE(pmd_trans_huge(mt_pmd(t->mm2, X)));
	expect_thp_counts(mt_folio(new), 2, 2, 0, 0);
	MT_FALSE(mt_exclusive(new));
	MT_READ(t->mm2, X + 5 * P, 5);
}

/* A read-only exclusive page stays exclusive: mprotect back to RW makes it
 * writable at once. */
static void migrate_keeps_exclusive_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long new;

	(void)k;
	map_at(mm, X, P, MT_RW);
	MT_WRITE(mm, X, 1);
	MT_EQ(mmt_mprotect(mm, X, P, PROT_READ), 0);
	MT_EQ(mmt_migrate(mm, X), 0);
	new = mt_pfn(mm, X);
	MT_TRUE(mt_exclusive(new));
	MT_FALSE(pte_write(mt_pte(mm, X)));
	MT_EQ(mmt_mprotect(mm, X, P, MT_RW), 0);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_EQ(mt_pfn(mm, X), new);
}

/* A PROT_NONE page migrates and stays inaccessible. */
static void migrate_prot_none_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long old;

	(void)k;
	map_at(mm, X, P, MT_RW);
	MT_WRITE(mm, X, 1);
	old = mt_pfn(mm, X);
	MT_EQ(mmt_mprotect(mm, X, P, PROT_NONE), 0);
	MT_EQ(mmt_migrate(mm, X), 0);
	MT_NE(mt_pfn(mm, X), old);
	MT_TRUE(pte_protnone(mt_pte(mm, X)));
	MT_READ_FAILS(mm, X, -EFAULT);
	MT_EQ(mmt_mprotect(mm, X, P, PROT_READ), 0);
	MT_READ(mm, X, 1);
}

/* The errors: no VMA, nothing mapped, the zero pages, shared memory, an
 * extra reference or a pin (the mapping is restored), no memory. */
static void migrate_errors_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_at(mm, X, 4 * P, MT_RW);
	MT_EQ(mmt_mmap(mm, X + PMD_SIZE, P, MT_RW, MT_SHANON | MAP_FIXED, NULL, 0), X + PMD_SIZE);
	map_at(mm, X + 2 * PMD_SIZE, PMD_SIZE, MT_RW);
	MT_EQ(mmt_migrate(mm, X - P), -EFAULT);
	MT_EQ(mmt_migrate(mm, X), -ENOENT);
	MT_READ(mm, X, 0);
	MT_EQ(mmt_migrate(mm, X), -EFAULT);
	MT_EQ(mmt_migrate(mm, X + 2 * P), -ENOENT);
	MT_READ(mm, X + 2 * PMD_SIZE, 0);
	MT_EQ(pmd_pfn(mt_pmd(mm, X + 2 * PMD_SIZE)), k->huge_zero_pfn);
	MT_EQ(mmt_migrate(mm, X + 2 * PMD_SIZE), -EFAULT);
	MT_EQ(mmt_migrate(mm, X + 3 * PMD_SIZE), -EFAULT);
	MT_WRITE(mm, X + PMD_SIZE, 1);
	MT_EQ(mmt_migrate(mm, X + PMD_SIZE), -EBUSY);
	MT_WRITE(mm, X + P, 2);
	t->pfn = mt_pfn(mm, X + P);
	f = mt_folio(t->pfn);
	folio_get(f);
	MT_EQ(mmt_migrate(mm, X + P), -EBUSY);
	folio_put(f);
	MT_EQ(mt_pfn(mm, X + P), t->pfn);
	MT_TRUE(pte_write(mt_pte(mm, X + P)) && mt_exclusive(t->pfn));
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);
	MT_EQ(mmt_migrate(mm, X + P), -EBUSY);
	folio_ref_sub(f, GUP_PIN_COUNTING_BIAS);
	MT_EQ(mt_pfn(mm, X + P), t->pfn);
	MT_TRUE(pte_write(mt_pte(mm, X + P)) && mt_exclusive(t->pfn));
	MT_READ(mm, X + P, 2);
}

static struct folio *hog[4096];

/* No memory for the destination: -ENOMEM, nothing changes. */
static void migrate_nomem_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	size_t n = 0;

	map_at(mm, X, P, MT_RW);
	MT_WRITE(mm, X, 1);
	t->pfn = mt_pfn(mm, X);
	while (n < sizeof(hog) / sizeof(hog[0]) && (hog[n] = folio_alloc(0)))
		n++;
	MT_EQ(k->nr_free, 0);
	MT_EQ(mmt_migrate(mm, X), -ENOMEM);
	while (n)
		folio_put(hog[--n]);
	MT_EQ(mt_pfn(mm, X), t->pfn);
	MT_READ(mm, X, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT_CASE(thp_write_fault_maps_pmd, .run = thp_fault_run),
		MT_CASE(thp_madvise_hugepage_default, .run = thp_madvise_run),
		MT_CASE(thp_nohugepage_prevents_thp, .run = thp_nohugepage_run),
		MT_CASE(thp_needs_aligned_range, .run = thp_unaligned_run),
		MT_CASE(thp_read_maps_huge_zero, .run = huge_zero_run),
		MT_CASE(thp_read_without_huge_zero_allocates, .run = no_huge_zero_run,
			.cfg = &no_huge_zero),
		MT_CASE(thp_fork_shares_pmd_readonly, .run = thp_fork_run),
		MT_CASE(thp_cow_splits_writer_only, .run = thp_cow_split_run),
		MT_CASE(thp_reuse_after_child_exit, .run = thp_reuse_run),
		MT_CASE(thp_munmap_part_splits, .run = thp_munmap_part_run),
		MT_CASE(thp_munmap_whole_zaps_pmd, .run = thp_munmap_whole_run),
		MT_CASE(thp_mprotect_part_splits, .run = thp_mprotect_part_run),
		MT_CASE(thp_mprotect_whole_keeps_pmd, .run = thp_mprotect_whole_run),
		MT_CASE(thp_dontneed_part_splits, .run = thp_dontneed_part_run),
		MT_CASE(split_huge_pages_pmd_folio, .run = split_pmd_folio_run),
		MT_CASE(split_huge_pages_mthp_shared, .run = split_mthp_shared_run),
		MT_CASE(migrate_small_folio, .run = migrate_small_run),
		MT_CASE(migrate_pmd_folio, .run = migrate_pmd_run),
		MT_CASE(migrate_mthp_folio, .run = migrate_mthp_run),
		MT_CASE(migrate_shared_after_fork, .run = migrate_shared_run),
		MT_CASE(migrate_shared_pmd_after_fork, .run = migrate_shared_pmd_run),
		MT_CASE(migrate_keeps_readonly_exclusive, .run = migrate_keeps_exclusive_run),
		MT_CASE(migrate_prot_none_stays_inaccessible, .run = migrate_prot_none_run),
		MT_CASE(migrate_errors, .run = migrate_errors_run),
		MT_CASE(migrate_without_memory_enomem, .run = migrate_nomem_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
