/*
 * test_mm_vma.c - unit tests of the model kernel's address-space layout and range operations
 * (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/mlock.c, mm/madvise.c).
 */
#include "mmtest.h"

#define TOP (TASK_SIZE / 2)	/* mmap.c's MMAP_BASE: mappings go top-down from here */
#define X 0x20000000UL		/* a PMD-aligned address for MAP_FIXED */
#define P PAGE_SIZE

static unsigned long map_fixed(struct mm_struct *mm, unsigned long addr, unsigned long len,
			       int prot, int flags)
{
	unsigned long a = mt_map(mm, addr, len, prot, flags | MAP_FIXED);

	MT_EQ(a, addr);
	return a;
}

/* Write @n words: value base + i to page i of [a, a + n pages). */
static void fill(struct mm_struct *mm, unsigned long a, int n, uint64_t base)
{
	for (int i = 0; i < n; i++)
		MT_WRITE(mm, a + (unsigned long)i * P, base + (uint64_t)i);
}

static void expect_vma(struct mm_struct *mm, int i, unsigned long start, unsigned long end,
		       unsigned long pgoff)
{
	struct vm_area_struct *vma = mt_vma(mm, i);

	MT_TRUE(vma);
	MT_EQ(vma->vm_start, start);
	MT_EQ(vma->vm_end, end);
	MT_EQ(vma->vm_pgoff, pgoff);
}

/* ==== mmap.c ============================================================================ */

/* Top-down from MMAP_BASE; whole-PMD anonymous lengths PMD-aligned, shared
 * ones and odd lengths not; a free, aligned hint is taken as is. */
static void placement_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	MT_EQ(mt_map(mm, 0, P, MT_RW, MT_ANON), TOP - P);
	MT_EQ(mt_map(mm, 0, P, MT_RW, MT_ANON), TOP - 2 * P);
	MT_EQ(mt_nr_vmas(mm), 1);
	MT_EQ(mt_map(mm, 0, PMD_SIZE, MT_RW, MT_ANON), TOP - 2 * PMD_SIZE);
	/* The highest gap that fits: here the one the alignment left. */
	MT_EQ(mt_map(mm, 0, 3 * P, MT_RW, MT_SHANON), TOP - 5 * P);
	MT_EQ(mt_map(mm, 0, PMD_SIZE + P, MT_RW, MT_ANON), TOP - 3 * PMD_SIZE - P);
	MT_EQ(mt_map(mm, 0, PMD_SIZE, MT_RW, MT_SHANON), TOP - 4 * PMD_SIZE - P);
	MT_EQ(mt_map(mm, 0, 2 * PMD_SIZE, MT_RW, MT_ANON), TOP - 7 * PMD_SIZE);
	MT_EQ(mt_map(mm, X, P, MT_RW, MT_ANON), X);
	MT_EQ(mt_map(mm, X + 0x123, P, MT_RW, MT_ANON), TOP - 6 * P);
	/* A hint inside a mapping is not taken. */
	MT_EQ(mt_map(mm, X, P, PROT_READ, MT_ANON), TOP - 7 * P);
	MT_EQ(mt_nr_vmas(mm), 8);
}

/* MAP_FIXED replaces what was there (the data goes); compatible neighbours merge. */
static void fixed_replaces_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 3 * P, MT_RW, MT_ANON);
	fill(mm, X, 3, 1);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 3);
	map_fixed(mm, X + P, P, MT_RW, MT_ANON);
	MT_READ(mm, X, 1);
	MT_READ(mm, X + P, 0);
	MT_READ(mm, X + 2 * P, 3);
	MT_EQ(mt_nr_vmas(mm), 1);
	expect_vma(mm, 0, X, X + 3 * P, X >> PAGE_SHIFT);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 2);
	/* An incompatible replacement stays a VMA of its own. */
	map_fixed(mm, X + P, P, PROT_READ, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 3);
	MT_EQ(mt_vma(mm, 1)->vm_flags & (VM_READ | VM_WRITE), VM_READ);
	MT_WRITE_FAILS(mm, X + P, -EFAULT);
	MT_READ(mm, X + 2 * P, 3);
}

/* MAP_FIXED_NOREPLACE: -EEXIST on any overlap, else exactly there. */
static void fixed_noreplace_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	int nr = MAP_FIXED_NOREPLACE | MT_ANON;

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 5);
	MT_EQ(mmt_mmap(mm, X, P, MT_RW, nr, NULL, 0), -EEXIST);
	MT_EQ(mmt_mmap(mm, X - P, 2 * P, MT_RW, nr, NULL, 0), -EEXIST);
	MT_EQ(mmt_mmap(mm, X + P, 4 * P, MT_RW, nr, NULL, 0), -EEXIST);
	MT_READ(mm, X, 5);
	MT_EQ(mmt_mmap(mm, X + 2 * P, P, PROT_READ, nr, NULL, 0), X + 2 * P);
	MT_EQ(mmt_mmap(mm, X - 4 * P, P, PROT_READ, nr, NULL, 0), X - 4 * P);
	MT_EQ(mt_nr_vmas(mm), 3);
}

struct bad_mmap {
	unsigned long addr, len;
	int prot, flags;
	bool file;
	long want;
};

static const struct bad_mmap bad_mmaps[] = {
	{ 0, 0, MT_RW, MT_ANON, false, -EINVAL },			/* no length */
	{ 0, P, MT_RW, MAP_ANONYMOUS, false, -EINVAL },			/* no mapping type */
	{ X + 8, P, MT_RW, MT_ANON | MAP_FIXED, false, -EINVAL },	/* unaligned fixed */
	{ X + 8, P, MT_RW, MT_ANON | MAP_FIXED_NOREPLACE, false, -EINVAL },
	{ 0, P, MT_RW, MT_ANON, true, -EINVAL },			/* anonymous with a file */
	{ 0, P, MT_RW, MAP_PRIVATE, false, -EBADF },			/* file mapping, no file */
	{ TASK_SIZE - P, 2 * P, MT_RW, MT_ANON | MAP_FIXED, false, -ENOMEM },
	{ TASK_SIZE, P, MT_RW, MT_ANON | MAP_FIXED, false, -ENOMEM },
	{ 0, TASK_SIZE + P, MT_RW, MT_ANON, false, -ENOMEM },		/* longer than the space */
};

static void bad_mmap_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->mm = mmt_mm_create();
	t->file = mmt_file_create(4 * P);
	for (size_t i = 0; i < sizeof(bad_mmaps) / sizeof(bad_mmaps[0]); i++) {
		const struct bad_mmap *b = &bad_mmaps[i];
		long ret = mmt_mmap(t->mm, b->addr, b->len, b->prot, b->flags,
				    b->file ? t->file : NULL, 0);

		if (ret != b->want)
			MT_FAIL("bad mmap %zu returned %ld, expected %ld", i, ret, b->want);
	}
	MT_EQ(mt_nr_vmas(t->mm), 0);
}

/* Filling the gap between two untouched anonymous VMAs makes one VMA. */
static void merge_both_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	map_fixed(mm, X + 2 * P, P, MT_RW, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 2);
	map_fixed(mm, X + P, P, MT_RW, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 1);
	expect_vma(mm, 0, X, X + 3 * P, X >> PAGE_SHIFT);
	fill(mm, X, 3, 10);
	MT_READ(mm, X + 2 * P, 12);
}

/* Neighbours with different anon_vmas cannot both merge: the new range joins
 * the one below; everybody's data stays. */
static void merge_two_anon_vmas_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	map_fixed(mm, X + 2 * P, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_WRITE(mm, X + 2 * P, 3);
	MT_NE(mt_vma(mm, 0)->anon_vma, mt_vma(mm, 1)->anon_vma);
	map_fixed(mm, X + P, P, MT_RW, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 2);
	expect_vma(mm, 0, X, X + 2 * P, X >> PAGE_SHIFT);
	expect_vma(mm, 1, X + 2 * P, X + 3 * P, (X + 2 * P) >> PAGE_SHIFT);
	MT_WRITE(mm, X + P, 2);
	MT_READ(mm, X, 1);
	MT_READ(mm, X + 2 * P, 3);
}

/* Merging with a touched next VMA only: the merged VMA takes its anon_vma,
 * and the folio already there is still found through it (INV-3 at the end). */
static void merge_into_touched_next_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct anon_vma *av;

	(void)k;
	map_fixed(mm, X + P, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X + P, 7);
	av = mt_vma(mm, 0)->anon_vma;
	MT_TRUE(av);
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 1);
	expect_vma(mm, 0, X, X + 2 * P, X >> PAGE_SHIFT);
	MT_EQ(mt_vma(mm, 0)->anon_vma, av);
	MT_READ(mm, X + P, 7);
	MT_EQ(mmt_migrate(mm, X + P), 0);
	MT_READ(mm, X + P, 7);
}

/* No merging across different flags, nor of shared mappings. */
static void no_merge_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	map_fixed(mm, X + P, P, PROT_READ, MT_ANON);
	MT_EQ(mt_nr_vmas(mm), 2);
	map_fixed(mm, X + 4 * P, P, MT_RW, MT_SHANON);
	map_fixed(mm, X + 5 * P, P, MT_RW, MT_SHANON);
	MT_EQ(mt_nr_vmas(mm), 4);
	MT_NE(mt_vma(mm, 2)->vm_file, mt_vma(mm, 3)->vm_file);
	MT_WRITE(mm, X + 4 * P, 4);
	MT_READ(mm, X + 5 * P, 0);
}

/* ==== vma.c ============================================================================ */

/* munmap of the middle leaves two VMAs with their page offsets, and the data
 * on either side. */
static void munmap_middle_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 4 * P, MT_RW, MT_ANON);
	fill(mm, X, 4, 1);
	MT_EQ(mmt_munmap(mm, X + P, 2 * P), 0);
	MT_EQ(mt_nr_vmas(mm), 2);
	expect_vma(mm, 0, X, X + P, X >> PAGE_SHIFT);
	expect_vma(mm, 1, X + 3 * P, X + 4 * P, (X + 3 * P) >> PAGE_SHIFT);
	MT_EQ(mt_vma(mm, 0)->anon_vma, mt_vma(mm, 1)->anon_vma);
	MT_READ(mm, X, 1);
	MT_READ_FAILS(mm, X + P, -EFAULT);
	MT_READ_FAILS(mm, X + 2 * P, -EFAULT);
	MT_READ(mm, X + 3 * P, 4);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 2);
	MT_EQ(k->nr_free, k->nr_free_initial - 2);
}

/* The upper part of a split shared mapping keeps its offset in the object. */
static void munmap_middle_shared_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 4 * P, MT_RW, MT_SHANON);
	fill(mm, X, 4, 1);
	MT_EQ(mmt_munmap(mm, X + P, 2 * P), 0);
	expect_vma(mm, 0, X, X + P, 0);
	expect_vma(mm, 1, X + 3 * P, X + 4 * P, 3);
	MT_EQ(mt_vma(mm, 0)->vm_file, mt_vma(mm, 1)->vm_file);
	MT_EQ(mt_vma(mm, 1)->vm_file->refcount.counter, 2);
	MT_READ(mm, X + 3 * P, 4);
	MT_EQ(mt_rss(mm, MM_SHMEMPAGES), 2);
}

/* munmap across VMAs and holes; of nothing; and its argument checks. */
static void munmap_ranges_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	MT_EQ(mmt_munmap(mm, X, 8 * P), 0);
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	map_fixed(mm, X + 4 * P, 2 * P, PROT_READ, MT_ANON);
	fill(mm, X, 2, 1);
	MT_EQ(mmt_munmap(mm, X + 8, P), -EINVAL);
	MT_EQ(mmt_munmap(mm, X, 0), -EINVAL);
	MT_EQ(mmt_munmap(mm, TASK_SIZE, P), -EINVAL);
	MT_EQ(mmt_munmap(mm, TASK_SIZE - P, 2 * P), -EINVAL);
	MT_EQ(mt_nr_vmas(mm), 2);
	MT_EQ(mmt_munmap(mm, X + P, 4 * P), 0);
	MT_EQ(mt_nr_vmas(mm), 2);
	expect_vma(mm, 0, X, X + P, X >> PAGE_SHIFT);
	expect_vma(mm, 1, X + 5 * P, X + 6 * P, (X + 5 * P) >> PAGE_SHIFT);
	MT_READ(mm, X, 1);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	/* A length that is not a page multiple covers the partial page. */
	MT_EQ(mmt_munmap(mm, X, 8), 0);
	MT_EQ(mt_nr_vmas(mm), 1);
}

/* find_vma: the first VMA ending above; vma_lookup: the one containing. */
static void find_vma_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct vm_area_struct *a, *b;

	(void)k;
	MT_TRUE(!find_vma(mm, 0));
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	map_fixed(mm, X + 3 * P, P, PROT_READ, MT_ANON);
	a = mt_vma(mm, 0);
	b = mt_vma(mm, 1);
	MT_EQ(find_vma(mm, 0), a);
	MT_EQ(find_vma(mm, X + P - 1), a);
	MT_EQ(find_vma(mm, X + P), b);
	MT_EQ(find_vma(mm, X + 4 * P - 1), b);
	MT_TRUE(!find_vma(mm, X + 4 * P));
	MT_TRUE(!vma_lookup(mm, X - 1));
	MT_EQ(vma_lookup(mm, X), a);
	MT_TRUE(!vma_lookup(mm, X + P));
	MT_TRUE(!vma_lookup(mm, X + 3 * P - 1));
	MT_EQ(vma_lookup(mm, X + 3 * P), b);
	MT_TRUE(!vma_lookup(mm, X + 4 * P));
}

/* The VMA lock: write-locked under the mmap_lock until mmap_write_unlock();
 * a detached VMA cannot be read-locked. */
static void vma_lock_seq_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct vm_area_struct *vma;
	unsigned long seq;

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	vma = vma_lookup(mm, X);
	MT_TRUE(vma_start_read(mm, vma));
	MT_EQ(vma->vm_lock.count, 1);
	vma_end_read(vma);
	mmap_write_lock(mm);
	seq = mm->mm_lock_seq;
	vma_start_write(vma);
	MT_EQ(vma->vm_lock_seq, seq);
	vma_start_write(vma);
	MT_FALSE(vma_start_read(mm, vma));
	MT_TRUE(!lock_vma_under_rcu(mm, X));
	mmap_write_unlock(mm);
	MT_EQ(mm->mm_lock_seq, seq + 1);
	MT_TRUE(vma_start_read(mm, vma));
	vma_end_read(vma);
	MT_EQ(lock_vma_under_rcu(mm, X + P), vma);
	MT_EQ(vma->vm_lock.count, 1);
	vma_end_read(vma);
	MT_TRUE(!lock_vma_under_rcu(mm, X + 2 * P));
	MT_EQ(mmt_munmap(mm, X, 2 * P), 0);
	MT_TRUE(vma->detached);
	MT_FALSE(vma_start_read(mm, vma));
	MT_EQ(vma->vm_lock.count, 0);
}

/* ==== mprotect.c ========================================================================= */

struct bad_range {
	unsigned long addr, len;
	int arg;
	int want;
};

/* Argument checks shared by mprotect, mlock and madvise tables. */
static void bad_ranges(struct mm_struct *mm, const struct bad_range *b, size_t n,
		       int (*op)(struct mm_struct *, unsigned long, unsigned long, int),
		       const char *name)
{
	for (size_t i = 0; i < n; i++) {
		int ret = op(mm, b[i].addr, b[i].len, b[i].arg);

		if (ret != b[i].want)
			MT_FAIL("%s case %zu (%#lx, %#lx, %d) returned %d, expected %d", name, i,
				b[i].addr, b[i].len, b[i].arg, ret, b[i].want);
	}
}

static const struct bad_range bad_mprotects[] = {
	{ X + 8, P, PROT_READ, -EINVAL },		/* unaligned */
	{ X, P, 0x100, -EINVAL },			/* unknown prot bit */
	{ X + 16 * P, P, PROT_READ, -ENOMEM },		/* nothing mapped */
	{ X, 0, PROT_READ, 0 },				/* nothing to do */
	{ X, -P, PROT_READ, -ENOMEM },			/* wraps around */
	{ X, 4 * P, PROT_READ, -ENOMEM },		/* runs into a hole: done up to it */
};

static int op_mprotect(struct mm_struct *mm, unsigned long a, unsigned long len, int prot)
{
	return mmt_mprotect(mm, a, len, prot);
}

static void mprotect_errors_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->mm = mmt_mm_create();
	map_fixed(t->mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(t->mm, X, 1);
	bad_ranges(t->mm, bad_mprotects, sizeof(bad_mprotects) / sizeof(bad_mprotects[0]),
		   op_mprotect, "mprotect");
	MT_EQ(mt_vma(t->mm, 0)->vm_flags & (VM_READ | VM_WRITE), VM_READ);
	MT_WRITE_FAILS(t->mm, X + P, -EFAULT);
	MT_READ(t->mm, X, 1);
}

/* RW -> R -> RW: the exclusive page is writable again at once, same pfn. */
static void mprotect_rw_r_rw_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long pfn;

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pfn = mt_pfn(mm, X);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_EQ(mmt_mprotect(mm, X, 2 * P, PROT_READ), 0);
	MT_FALSE(pte_write(mt_pte(mm, X)));
	MT_EQ(mt_pfn(mm, X), pfn);
	MT_WRITE_FAILS(mm, X, -EFAULT);
	MT_READ(mm, X, 1);
	MT_EQ(mt_vma(mm, 0)->vm_flags & (VM_READ | VM_WRITE), VM_READ);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, MT_RW), 0);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_TRUE(mt_exclusive(pfn));
	MT_EQ(mt_pfn(mm, X), pfn);
	MT_WRITE(mm, X, 2);
	MT_EQ(mt_pfn(mm, X), pfn);
	MT_EQ(mt_nr_vmas(mm), 1);
}

/* Pages that are not exclusive stay write-protected: the zero page, and a
 * page shared with a child; the next write copies. */
static void mprotect_shared_stays_ro_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long pfn;

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_READ(mm, X + P, 0);
	pfn = mt_pfn(mm, X);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, PROT_READ), 0);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, MT_RW), 0);
	MT_FALSE(pte_write(mt_pte(mm, X)));
	MT_FALSE(pte_write(mt_pte(mm, X + P)));
	MT_EQ(mt_pfn(mm, X + P), k->zero_pfn);
	MT_WRITE(mm, X, 2);
	MT_NE(mt_pfn(mm, X), pfn);
	MT_READ(t->mm2, X, 1);
	MT_WRITE(mm, X + P, 3);
	MT_NE(mt_pfn(mm, X + P), k->zero_pfn);
}

/* mprotect of one page splits the VMA in three, with the right flags. */
static void mprotect_split_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 3 * P, MT_RW, MT_ANON);
	fill(mm, X, 3, 1);
	MT_EQ(mmt_mprotect(mm, X + P, P, PROT_READ), 0);
	MT_EQ(mt_nr_vmas(mm), 3);
	expect_vma(mm, 1, X + P, X + 2 * P, (X + P) >> PAGE_SHIFT);
	MT_EQ(mt_vma(mm, 0)->vm_flags & (VM_READ | VM_WRITE), VM_READ | VM_WRITE);
	MT_EQ(mt_vma(mm, 1)->vm_flags & (VM_READ | VM_WRITE), VM_READ);
	MT_EQ(mt_vma(mm, 2)->vm_flags & (VM_READ | VM_WRITE), VM_READ | VM_WRITE);
	MT_TRUE(pte_write(mt_pte(mm, X)));
	MT_FALSE(pte_write(mt_pte(mm, X + P)));
	MT_TRUE(pte_write(mt_pte(mm, X + 2 * P)));
	MT_WRITE(mm, X + 2 * P, 9);
	MT_WRITE_FAILS(mm, X + P, -EFAULT);
}

/* PROT_NONE takes every access away, and gives the data back after. */
static void mprotect_none_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_READ(mm, X + P, 0);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, PROT_NONE), 0);
	MT_READ_FAILS(mm, X, -EFAULT);
	MT_READ_FAILS(mm, X + P, -EFAULT);
	MT_WRITE_FAILS(mm, X, -EFAULT);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, PROT_READ), 0);
	MT_READ(mm, X, 1);
	MT_READ(mm, X + P, 0);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, MT_RW), 0);
	MT_WRITE(mm, X + P, 2);
	MT_READ(mm, X, 1);
}

/* PROT_NONE pages are still mapped: fork shares them, and each side gets
 * its access back with its own mprotect (a write then copies). */
static void mprotect_none_fork_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long pfn;

	(void)k;
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	pfn = mt_pfn(mm, X);
	MT_EQ(mmt_mprotect(mm, X, P, PROT_NONE), 0);
	MT_TRUE(pte_protnone(mt_pte(mm, X)));
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_TRUE(pte_protnone(mt_pte(t->mm2, X)));
	MT_EQ(mt_pfn(t->mm2, X), pfn);
	MT_EQ(mt_ref(mt_folio(pfn)), 2);
	MT_EQ(mmt_mprotect(t->mm2, X, P, PROT_READ), 0);
	MT_READ(t->mm2, X, 1);
	MT_READ_FAILS(mm, X, -EFAULT);
	MT_EQ(mmt_mprotect(mm, X, P, MT_RW), 0);
	MT_FALSE(pte_write(mt_pte(mm, X)));
	MT_WRITE(mm, X, 2);
	MT_NE(mt_pfn(mm, X), pfn);
	MT_READ(t->mm2, X, 1);
}

/* ==== mlock.c ============================================================================ */

/* mlock faults every page in; private writable pages for writing (no zero
 * page), and marks the VMA VM_LOCKED. */
static void mlock_populates_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	map_fixed(mm, X, 4 * P, MT_RW, MT_ANON);
	MT_READ(mm, X, 0);
	MT_EQ(mmt_mlock(mm, X, 4 * P), 0);
	MT_TRUE(mt_vma(mm, 0)->vm_flags & VM_LOCKED);
	for (unsigned long i = 0; i < 4; i++) {
		pte_t pte = mt_pte(mm, X + i * P);

		MT_TRUE(pte_present(pte) && pte_write(pte));
		MT_NE(pte_pfn(pte), k->zero_pfn);
		MT_TRUE(mt_exclusive(pte_pfn(pte)));
	}
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 4);
	MT_READ(mm, X, 0);
}

/* Read-only private memory is populated with the zero page; shared memory
 * with its object's pages. */
static void mlock_ro_and_shared_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	map_fixed(mm, X, 2 * P, PROT_READ, MT_ANON);
	map_fixed(mm, X + 4 * P, 2 * P, MT_RW, MT_SHANON);
	MT_EQ(mmt_mlock(mm, X, 6 * P), -ENOMEM);
	MT_EQ(mmt_mlock(mm, X, 2 * P), 0);
	MT_EQ(mt_pfn(mm, X), k->zero_pfn);
	MT_EQ(mt_pfn(mm, X + P), k->zero_pfn);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_EQ(mmt_mlock(mm, X + 4 * P, 2 * P), 0);
	MT_TRUE(pte_present(mt_pte(mm, X + 4 * P)));
	MT_TRUE(pte_present(mt_pte(mm, X + 5 * P)));
	MT_EQ(mt_rss(mm, MM_SHMEMPAGES), 2);
}

/* mlock of part of a VMA splits it; munlock clears the flag and keeps the
 * pages; a child does not inherit VM_LOCKED. */
static void mlock_split_munlock_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 3 * P, MT_RW, MT_ANON);
	MT_EQ(mmt_mlock(mm, X + P, P), 0);
	MT_EQ(mt_nr_vmas(mm), 3);
	MT_FALSE(mt_vma(mm, 0)->vm_flags & VM_LOCKED);
	MT_TRUE(mt_vma(mm, 1)->vm_flags & VM_LOCKED);
	MT_FALSE(mt_vma(mm, 2)->vm_flags & VM_LOCKED);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 1);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_FALSE(mt_vma(t->mm2, 1)->vm_flags & VM_LOCKED);
	MT_EQ(mmt_munlock(mm, X + P, P), 0);
	MT_FALSE(mt_vma(mm, 1)->vm_flags & VM_LOCKED);
	MT_TRUE(pte_present(mt_pte(mm, X + P)));
}

static const struct bad_range bad_mlocks[] = {
	{ X + 16 * P, P, 0, -ENOMEM },		/* nothing mapped */
	{ X, 4 * P, 0, -ENOMEM },		/* runs into a hole */
	{ X, 0, 0, 0 },				/* nothing to do */
	{ X, -P, 0, -EINVAL },			/* wraps around */
};

static int op_mlock(struct mm_struct *mm, unsigned long a, unsigned long len, int arg)
{
	(void)arg;
	return mmt_mlock(mm, a, len);
}

/* Argument checks; an unaligned start is rounded down, as mlock(2) does. */
static void mlock_args_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	bad_ranges(mm, bad_mlocks, sizeof(bad_mlocks) / sizeof(bad_mlocks[0]), op_mlock, "mlock");
	MT_EQ(mmt_mlock(mm, X + P + 8, 8), 0);
	MT_EQ(mt_nr_vmas(mm), 2);
	expect_vma(mm, 1, X + P, X + 2 * P, (X + P) >> PAGE_SHIFT);
	MT_TRUE(mt_vma(mm, 1)->vm_flags & VM_LOCKED);
	MT_TRUE(pte_write(mt_pte(mm, X + P)));
	MT_TRUE(pte_none(mt_pte(mm, X)));
}

/* mlock of PROT_NONE memory succeeds but gives no access. */
static void mlock_prot_none_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 2 * P, PROT_NONE, MT_ANON);
	MT_EQ(mmt_mlock(mm, X, 2 * P), 0);
	MT_READ_FAILS(mm, X, -EFAULT);
	MT_WRITE_FAILS(mm, X + P, -EFAULT);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_EQ(mmt_mprotect(mm, X, 2 * P, MT_RW), 0);
	MT_WRITE(mm, X, 1);
	MT_READ(mm, X + P, 0);
}

/* ==== madvise.c ========================================================================== */

static const struct bad_range bad_madvises[] = {
	{ X + 8, P, MADV_DONTNEED, -EINVAL },		/* unaligned */
	{ X, P, 9999, -EINVAL },			/* unknown advice */
	{ X, 0, MADV_DONTNEED, 0 },			/* nothing to do */
	{ X + 16 * P, P, MADV_DONTNEED, -ENOMEM },	/* nothing mapped */
	{ X + 16 * P, P, MADV_HUGEPAGE, -ENOMEM },
	{ X, -P, MADV_DONTNEED, -EINVAL },		/* wraps around */
};

static void madvise_errors_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	bad_ranges(mm, bad_madvises, sizeof(bad_madvises) / sizeof(bad_madvises[0]), mmt_madvise,
		   "madvise");
	MT_READ(mm, X, 1);
}

/* MADV_DONTNEED: private anonymous memory reads zero again and its pages
 * are freed; a hole in the range is -ENOMEM but the rest is done. */
static void dontneed_private_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	unsigned long before;

	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	map_fixed(mm, X + 3 * P, P, MT_RW, MT_ANON);
	fill(mm, X, 2, 1);
	MT_WRITE(mm, X + 3 * P, 3);
	before = k->nr_free;
	MT_EQ(mmt_madvise(mm, X, 4 * P, MADV_DONTNEED), -ENOMEM);
	MT_EQ(k->nr_free, before + 3);
	MT_TRUE(pte_none(mt_pte(mm, X)));
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
	MT_READ(mm, X, 0);
	MT_EQ(mt_pfn(mm, X), k->zero_pfn);
	MT_READ(mm, X + P, 0);
	MT_READ(mm, X + 3 * P, 0);
	MT_EQ(mt_nr_vmas(mm), 2);
}

/* MADV_DONTNEED keeps the data of shared memory: the next access maps the
 * object's page again. */
static void dontneed_shared_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	map_fixed(mm, X, 2 * P, MT_RW, MT_SHANON);
	fill(mm, X, 2, 1);
	t->pfn = mt_pfn(mm, X);
	MT_EQ(mmt_madvise(mm, X, 2 * P, MADV_DONTNEED), 0);
	MT_TRUE(pte_none(mt_pte(mm, X)));
	MT_EQ(mt_rss(mm, MM_SHMEMPAGES), 0);
	MT_EQ(k->nr_free, k->nr_free_initial - 2);
	MT_READ(mm, X, 1);
	MT_READ(mm, X + P, 2);
	MT_EQ(mt_pfn(mm, X), t->pfn);
}

/* A locked range refuses MADV_DONTNEED; unlocked, it is zapped. */
static void dontneed_locked_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 2 * P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	MT_EQ(mmt_mlock(mm, X, 2 * P), 0);
	MT_EQ(mmt_madvise(mm, X, 2 * P, MADV_DONTNEED), -EINVAL);
	MT_READ(mm, X, 1);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 2);
	MT_EQ(mmt_munlock(mm, X, 2 * P), 0);
	MT_EQ(mmt_madvise(mm, X, 2 * P, MADV_DONTNEED), 0);
	MT_READ(mm, X, 0);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), 0);
}

/* MADV_DONTNEED in a child drops only the child's mapping. */
static void dontneed_after_fork_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();
	struct folio *f;

	(void)k;
	map_fixed(mm, X, P, MT_RW, MT_ANON);
	MT_WRITE(mm, X, 1);
	f = mt_folio(mt_pfn(mm, X));
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_EQ(mt_ref(f), 2);
	MT_EQ(mmt_madvise(t->mm2, X, P, MADV_DONTNEED), 0);
	MT_EQ(mt_ref(f), 1);
	MT_EQ(mt_mapcount(f), 1);
	MT_READ(t->mm2, X, 0);
	MT_READ(mm, X, 1);
	MT_WRITE(mm, X, 2);
	MT_EQ(mt_folio(mt_pfn(mm, X)), f);
}

/* MADV_[NO]HUGEPAGE set the VMA flags, splitting a VMA for part of it. */
static void hugepage_flags_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	map_fixed(mm, X, 4 * P, MT_RW, MT_ANON);
	MT_EQ(mmt_madvise(mm, X, 4 * P, MADV_HUGEPAGE), 0);
	MT_EQ(mt_nr_vmas(mm), 1);
	MT_EQ(mt_vma(mm, 0)->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_HUGEPAGE);
	MT_EQ(mmt_madvise(mm, X + P, P, MADV_NOHUGEPAGE), 0);
	MT_EQ(mt_nr_vmas(mm), 3);
	MT_EQ(mt_vma(mm, 1)->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_NOHUGEPAGE);
	MT_EQ(mt_vma(mm, 2)->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_HUGEPAGE);
	MT_EQ(mmt_madvise(mm, X, 8 * P, MADV_NOHUGEPAGE), -ENOMEM);
	for (int i = 0; i < 3; i++)
		MT_EQ(mt_vma(mm, i)->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE), VM_NOHUGEPAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT_CASE(mmap_placement_topdown_and_pmd_aligned, .run = placement_run),
		MT_CASE(mmap_fixed_replaces, .run = fixed_replaces_run),
		MT_CASE(mmap_fixed_noreplace_eexist, .run = fixed_noreplace_run),
		MT_CASE(mmap_bad_arguments, .run = bad_mmap_run),
		MT_CASE(mmap_merges_untouched_neighbours, .run = merge_both_run),
		MT_CASE(mmap_merge_two_anon_vmas_joins_prev, .run = merge_two_anon_vmas_run),
		MT_CASE(mmap_merge_into_touched_next, .run = merge_into_touched_next_run),
		MT_CASE(mmap_no_merge_incompatible_or_shared, .run = no_merge_run),
		MT_CASE(munmap_middle_splits, .run = munmap_middle_run),
		MT_CASE(munmap_middle_of_shared_keeps_offsets, .run = munmap_middle_shared_run),
		MT_CASE(munmap_ranges_and_errors, .run = munmap_ranges_run),
		MT_CASE(find_vma_and_vma_lookup, .run = find_vma_run),
		MT_CASE(vma_lock_sequence, .run = vma_lock_seq_run),
		MT_CASE(mprotect_errors, .run = mprotect_errors_run),
		MT_CASE(mprotect_rw_r_rw_keeps_exclusive_writable, .run = mprotect_rw_r_rw_run),
		MT_CASE(mprotect_rw_keeps_shared_pages_readonly,
			.run = mprotect_shared_stays_ro_run),
		MT_CASE(mprotect_one_page_splits_vma, .run = mprotect_split_run),
		MT_CASE(mprotect_none_takes_access_away, .run = mprotect_none_run),
		MT_CASE(mprotect_none_pages_survive_fork, .run = mprotect_none_fork_run),
		MT_CASE(mlock_populates_private_writable, .run = mlock_populates_run),
		MT_CASE(mlock_populates_readonly_and_shared, .run = mlock_ro_and_shared_run),
		MT_CASE(mlock_split_munlock_fork, .run = mlock_split_munlock_run),
		MT_CASE(mlock_arguments, .run = mlock_args_run),
		MT_CASE(mlock_prot_none_gives_no_access, .run = mlock_prot_none_run),
		MT_CASE(madvise_errors, .run = madvise_errors_run),
		MT_CASE(madvise_dontneed_private_zeroes, .run = dontneed_private_run),
		MT_CASE(madvise_dontneed_shared_keeps_data, .run = dontneed_shared_run),
		MT_CASE(madvise_dontneed_locked_einval, .run = dontneed_locked_run),
		MT_CASE(madvise_dontneed_child_only, .run = dontneed_after_fork_run),
		MT_CASE(madvise_hugepage_flags, .run = hugepage_flags_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
