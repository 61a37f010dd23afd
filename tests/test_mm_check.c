/*
 * test_mm_check.c - unit tests of the invariant checkers and the data oracle (src/check/):
 * each checker passes on clean states and reports the damage done to one.
 */
#include "mmtest.h"

#include "check/oracle.h"

#define X 0x20000000UL		/* a PMD-aligned address for MAP_FIXED */
#define P PAGE_SIZE

static pte_t *pte_ptr(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);

	return &pmd_ptdesc(*pmd)->ptes[pte_index(addr)];
}

/* ---- states to damage ----------------------------------------------------------------- */

/* Four anonymous pages at X, the first two written (1, 2). */
static void simple_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->mm = mmt_mm_create();
	MT_EQ(mt_map(t->mm, X, 4 * P, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(t->mm, X, 1);
	MT_WRITE(t->mm, X + P, 2);
	t->pfn = mt_pfn(t->mm, X);
	t->folio = mt_folio(t->pfn);
}

/* The same, shared with a child. */
static void forked_setup(struct mm_kernel *k, struct mt *t)
{
	simple_setup(k, t);
	MT_EQ(mmt_fork(t->mm, &t->mm2), 0);
}

/* A PMD-mapped THP at X. */
static void thp_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	t->mm = mmt_mm_create();
	MT_EQ(mt_map(t->mm, X, PMD_SIZE, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(t->mm, X, 1);
	t->pfn = mt_pfn(t->mm, X);
	t->folio = mt_folio(t->pfn);
}

/* A 16-page mTHP at X. */
static void mthp_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	mmt_thp_set(1UL << 4, 0);
	t->mm = mmt_mm_create();
	MT_EQ(mt_map(t->mm, X, PMD_SIZE, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(t->mm, X, 1);
	t->pfn = mt_pfn(t->mm, X);
	t->folio = mt_folio(t->pfn);
	MT_EQ(t->folio->order, 4);
}

/* ---- a clean, complex state passes everything ----------------------------------------- */

static void complex_private(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm;

	(void)k;
	mmt_thp_set((1UL << HPAGE_PMD_ORDER) | (1UL << 4), 0);
	MT_EQ(mt_map(mm, X, 2 * PMD_SIZE, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(mm, X, 1);				/* a THP */
	MT_READ(mm, X + PMD_SIZE, 0);			/* the huge zero folio */
	MT_EQ(mt_map(mm, X + 4 * PMD_SIZE, 64 * P, MT_RW, MT_ANON | MAP_FIXED), X + 4 * PMD_SIZE);
	MT_WRITE(mm, X + 4 * PMD_SIZE + 3 * P, 2);	/* an mTHP */
	MT_WRITE(mm, X + 4 * PMD_SIZE + 40 * P, 3);
	MT_READ(mm, X + 4 * PMD_SIZE + 20 * P, 0);	/* the zero page */
}

static void complex_shared(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm;

	(void)k;
	t->file = mmt_file_create(8 * P);
	MT_EQ(mmt_mmap(mm, X + 6 * PMD_SIZE, 4 * P, MT_RW, MT_SHANON | MAP_FIXED, NULL, 0),
	      X + 6 * PMD_SIZE);
	MT_WRITE(mm, X + 6 * PMD_SIZE, 4);
	MT_EQ(mmt_mmap(mm, X + 8 * PMD_SIZE, 8 * P, MT_RW, MAP_SHARED | MAP_FIXED, t->file, 0),
	      X + 8 * PMD_SIZE);
	MT_EQ(mmt_mmap(mm, X + 10 * PMD_SIZE, 8 * P, MT_RW, MAP_PRIVATE | MAP_FIXED, t->file, 0),
	      X + 10 * PMD_SIZE);
	MT_WRITE(mm, X + 8 * PMD_SIZE + P, 5);
	MT_READ(mm, X + 10 * PMD_SIZE + P, 5);
	MT_WRITE(mm, X + 10 * PMD_SIZE + 2 * P, 6);
}

/* Fork, then COW, migration of a folio mapped by a PMD in one mm and PTEs in
 * the other, splits, partial munmap/mprotect/MADV_DONTNEED. */
static void complex_changes(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm, *c;

	(void)k;
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	c = t->mm2;
	MT_WRITE(c, X + 8, 7);
	MT_WRITE(c, X + 4 * PMD_SIZE + 5 * P, 8);
	MT_WRITE(c, X + 6 * PMD_SIZE + P, 9);
	MT_WRITE(mm, X + PMD_SIZE + 2 * P, 10);
	MT_EQ(mmt_migrate(mm, X + 100 * P), 0);
	MT_EQ(mmt_migrate(c, X + 4 * PMD_SIZE + 40 * P), 0);
	MT_EQ(mmt_split_huge_pages(c, X + 4 * PMD_SIZE, X + 5 * PMD_SIZE), 2);
	MT_EQ(mmt_munmap(mm, X + 4 * PMD_SIZE + 8 * P, 4 * P), 0);
	MT_EQ(mmt_mprotect(mm, X + 3 * P, P, PROT_READ), 0);
	MT_EQ(mmt_madvise(c, X + 200 * P, 2 * P, MADV_DONTNEED), 0);
	MT_READ(mm, X, 1);
	MT_READ(c, X, 1);
	MT_READ(c, X + 8, 7);
	MT_READ(mm, X + 4 * PMD_SIZE + 3 * P, 2);
	MT_READ(c, X + 4 * PMD_SIZE + 5 * P, 8);
	MT_READ(mm, X + 6 * PMD_SIZE + P, 9);
	MT_READ(c, X + 10 * PMD_SIZE + 2 * P, 6);
}

static void complex_run(struct mm_kernel *k, struct mt *t)
{
	t->mm = mmt_mm_create();
	complex_private(k, t);
	complex_shared(k, t);
	complex_changes(k, t);
}

static void complex_check(struct mm_kernel *k, struct mt *t)
{
	(void)t;
	check_all(k, CHECK_STEP);
	check_all(k, CHECK_END);
	MT_NE(k->nr_free, k->nr_free_initial);
}

/* ---- INV-4: accounting ---------------------------------------------------------------- */

static void ref_leaked_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->_refcount.counter++;
}

static void ref_missing_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->_refcount.counter--;
}

static void rss_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->mm->rss_stat[MM_ANONPAGES].counter++;
}

static void shmem_rss_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mmt_mmap(t->mm, X + PMD_SIZE, P, MT_RW, MT_SHANON | MAP_FIXED, NULL, 0),
	      X + PMD_SIZE);
	MT_WRITE(t->mm, X + PMD_SIZE, 3);
	t->mm->rss_stat[MM_SHMEMPAGES].counter--;
}

static void mapcount_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	mt_page(t->pfn)->_mapcount.counter++;
}

static void entire_mapcount_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	folio_second(t->folio)->_entire_mapcount.counter++;
}

static void large_mapcount_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	folio_second(t->folio)->_large_mapcount.counter--;
}

static void nr_pages_mapped_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	folio_second(t->folio)->_nr_pages_mapped.counter--;
}

/* A folio allocated and never freed: nothing accounts for its reference. */
static void unreferenced_folio_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio = folio_alloc(2);
}

/* The teardown leak check on its own: after every mm exited. */
static void leak_check(struct mm_kernel *k, struct mt *t)
{
	t->folio = folio_alloc(0);
	mmt_exit(t->mm);
	MT_EQ(k->nr_free, k->nr_free_initial - 1);
	check_no_leaks(k);
	MT_FAIL("check_no_leaks() found nothing");
}

static void free_list_check(struct mm_kernel *k, struct mt *t)
{
	mmt_exit(t->mm);
	check_no_leaks(k);
	k->nr_free--;
	check_no_leaks(k);
	MT_FAIL("check_no_leaks() found nothing");
}

/* ---- INV-6: exclusivity ---------------------------------------------------------------- */

static void writable_not_exclusive_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	mt_page(t->pfn)->flags &= ~(1UL << PG_anon_exclusive);
}

static void exclusive_mapped_twice_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_FALSE(pte_write(mt_pte(t->mm, X)));
	mt_page(t->pfn)->flags |= 1UL << PG_anon_exclusive;
}

static void ksm_exclusive_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->flags |= 1UL << PG_ksm;
}

/* ---- INV-3: rmap ------------------------------------------------------------------------- */

static void index_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->index++;
}

static void thp_index_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio->index += HPAGE_PMD_NR;
}

static void foreign_anon_vma_check(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *other = mmt_mm_create();

	(void)k;
	MT_EQ(mt_map(other, X, P, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(other, X, 9);
	t->folio->mapping = (unsigned long)vma_lookup(other, X)->anon_vma | PAGE_MAPPING_ANON;
}

static void freed_anon_vma_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	vma_lookup(t->mm, X)->anon_vma->freed = true;
}

/* ---- INV-7: page-table typing --------------------------------------------------------- */

static void migration_entry_left_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*pte_ptr(t->mm, X) = swp_entry_to_pte(make_writable_migration_entry(t->pfn));
}

static void pte_to_free_page_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*pte_ptr(t->mm, X + P) = pfn_pte(k->nr_pages - 1);
}

static void special_not_zero_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*pte_ptr(t->mm, X) = pte_mkspecial(pfn_pte(t->pfn));
}

static void pte_outside_vma_check(struct mm_kernel *k, struct mt *t)
{
	*pte_ptr(t->mm, X + 5 * P) = pte_mkspecial(pfn_pte(k->zero_pfn));
}

static void swap_entry_no_device_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*pte_ptr(t->mm, X + 2 * P) = swp_entry_to_pte(swp_entry(0, 3));
}

static void bad_marker_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*pte_ptr(t->mm, X + 2 * P) = make_pte_marker(8);
}

static void pmd_invalidated_check(struct mm_kernel *k, struct mt *t)
{
	pmd_t *pmd = mm_find_pmd(t->mm, X);

	(void)k;
	*pmd = pmd_mkinvalid(*pmd);
}

static void pmd_swap_check(struct mm_kernel *k, struct mt *t)
{
	pmd_t *pmd = mm_find_pmd(t->mm, X);

	(void)k;
	*pmd = swp_entry_to_pmd(swp_entry(1, 5));
}

static void pmd_migration_left_check(struct mm_kernel *k, struct mt *t)
{
	pmd_t *pmd = mm_find_pmd(t->mm, X);

	(void)k;
	*pmd = swp_entry_to_pmd(make_writable_migration_entry(t->pfn));
}

static void pmd_small_folio_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	MT_EQ(mt_map(t->mm, X + PMD_SIZE, PMD_SIZE, MT_RW, MT_ANON | MAP_FIXED), X + PMD_SIZE);
	*mm_alloc_pmd(t->mm, X + PMD_SIZE) = pmd_mkwrite(pfn_pmd(t->pfn));
}

/* The VMA shrunk under a huge PMD without splitting it. */
static void pmd_outside_vma_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	vma_lookup(t->mm, X)->vm_end -= P;
}

static void freed_table_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	pte_free(pmd_ptdesc(mt_pmd(t->mm, X)));
}

/* ---- CHECK_STEP is lenient where an operation may be in flight ------------------------- */

static void step_mode_check(struct mm_kernel *k, struct mt *t)
{
	pte_t *pte = pte_ptr(t->mm, X), saved = *pte;

	*pte = swp_entry_to_pte(make_writable_migration_entry(t->pfn));
	check_pgtable(k, CHECK_STEP);
	check_rmap(k, CHECK_STEP);
	*pte = saved;
	t->folio->index++;
	t->folio->flags |= 1UL << PG_locked;
	check_rmap(k, CHECK_STEP);
	t->folio->flags &= ~(1UL << PG_locked);
	t->folio->index--;
}

/* With check_every_step, damage done in the middle of a run is caught before
 * the next step. */
static void damage_mid_run(struct mm_kernel *k, struct mt *t)
{
	uint64_t v;

	simple_setup(k, t);
	*pte_ptr(t->mm, X + P) = pfn_pte(k->nr_pages - 1);
	mmt_read(t->mm, X, &v);
	MT_FAIL("the run went on");
}

/* ---- INV-1: data -------------------------------------------------------------------------- */

static void data_end_check(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	*(uint64_t *)page_address(mt_page(t->pfn)) = 0xeeee;
}

/* setup writes 42 and then corrupts the page behind the oracle's back. */
static void corrupt_after_write_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->mm = mmt_mm_create();
	MT_EQ(mt_map(t->mm, X, 2 * P, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_WRITE(t->mm, X + 16, 42);
	*(uint64_t *)((char *)page_address(mt_page(mt_pfn(t->mm, X))) + 16) = 43;
}

static void read_corrupt_run(struct mm_kernel *k, struct mt *t)
{
	uint64_t v;

	(void)k;
	MT_READ(t->mm, X + 8, 0);
	mmt_read(t->mm, X + 16, &v);
	MT_FAIL("the read returned %#llx", (unsigned long long)v);
}

/* Round trips through private, shared and forked memory pass the oracle. */
static void oracle_round_trip_run(struct mm_kernel *k, struct mt *t)
{
	struct mm_struct *mm = t->mm = mmt_mm_create();

	(void)k;
	MT_EQ(mt_map(mm, X, 8 * P, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_EQ(mmt_mmap(mm, X + PMD_SIZE, 2 * P, MT_RW, MT_SHANON | MAP_FIXED, NULL, 0),
	      X + PMD_SIZE);
	for (unsigned long i = 0; i < 8; i++)
		MT_WRITE(mm, X + i * P + i * 8, 100 + i);
	MT_WRITE(mm, X + PMD_SIZE + 8, 200);
	MT_EQ(mmt_fork(mm, &t->mm2), 0);
	MT_WRITE(t->mm2, X + 8, 300);
	MT_WRITE(t->mm2, X + PMD_SIZE + 8, 201);
	for (unsigned long i = 0; i < 8; i++)
		MT_READ(mm, X + i * P + i * 8, 100 + i);
	MT_READ(t->mm2, X + 8, 300);
	MT_READ(t->mm2, X + 2 * P + 16, 102);
	MT_READ(mm, X + PMD_SIZE + 8, 201);
	MT_READ(mm, X + 7 * P, 0);
	MT_EQ(mt_map(mm, X, P, MT_RW, MT_ANON | MAP_FIXED), X);
	MT_READ(mm, X, 0);
	MT_READ(t->mm2, X, 100);
}

/* ==== the oracle on its own (host side, no execution) ================================== */

struct oracle_fixture {
	struct mm_struct mm1, mm2;
	struct address_space file;
	struct vm_area_struct anon1, anon2, shared1, shared2, private2;
};

static void oracle_fixture_init(struct oracle_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->mm1.id = 1;
	f->mm2.id = 2;
	f->file.id = 7;
	f->anon1 = (struct vm_area_struct){ .vm_start = X, .vm_end = X + 4 * P, .vm_mm = &f->mm1,
					     .vm_flags = VM_READ | VM_WRITE };
	f->anon2 = f->anon1;
	f->anon2.vm_mm = &f->mm2;
	/* The file: pages 0-3 in mm1 at X + 1 MiB, pages 2-3 in mm2 at X + 2 MiB. */
	f->shared1 = (struct vm_area_struct){ .vm_start = X + 0x100000, .vm_end = X + 0x104000,
					       .vm_mm = &f->mm1, .vm_file = &f->file,
					       .vm_flags = VM_READ | VM_WRITE | VM_SHARED };
	f->shared2 = f->shared1;
	f->shared2.vm_mm = &f->mm2;
	f->shared2.vm_start = X + 0x200000;
	f->shared2.vm_end = X + 0x202000;
	f->shared2.vm_pgoff = 2;
	f->private2 = f->shared2;
	f->private2.vm_start = X + 0x300000;
	f->private2.vm_end = X + 0x302000;
	f->private2.vm_flags = VM_READ | VM_WRITE;
}

static bool load_ok(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		    uint64_t got)
{
	uint64_t want = 0;

	return oracle_load_ok(o, vma, addr, got, &want);
}

static void test_oracle_private_words(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();
	uint64_t want = 1;

	(void)state;
	oracle_fixture_init(&f);
	assert_true(load_ok(o, &f.anon1, X, 0));
	assert_false(oracle_load_ok(o, &f.anon1, X, 5, &want));
	assert_int_equal(want, 0);
	oracle_store(o, &f.anon1, X + 8, 5);
	assert_true(load_ok(o, &f.anon1, X + 8, 5));
	assert_false(oracle_load_ok(o, &f.anon1, X + 8, 6, &want));
	assert_int_equal(want, 5);
	/* Another mm's word at the same address is another word. */
	assert_true(load_ok(o, &f.anon2, X + 8, 0));
	oracle_discard(o, &f.mm1, X, X + P);
	assert_true(load_ok(o, &f.anon1, X + 8, 0));
	assert_false(load_ok(o, &f.anon1, X + 8, 5));
	oracle_store(o, &f.anon1, X + 8, 6);
	assert_true(load_ok(o, &f.anon1, X + 8, 6));
	oracle_reset(o);
	assert_true(load_ok(o, &f.anon1, X + 8, 0));
	oracle_free(o);
}

static void test_oracle_shared_words(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();

	(void)state;
	oracle_fixture_init(&f);
	/* Page 3 of the file: mm1's fourth page, mm2's second. */
	oracle_store(o, &f.shared1, X + 0x103010, 7);
	assert_true(load_ok(o, &f.shared2, X + 0x201010, 7));
	assert_false(load_ok(o, &f.shared2, X + 0x200010, 7));
	oracle_discard(o, &f.mm2, X, X + 0x400000);
	assert_true(load_ok(o, &f.shared2, X + 0x201010, 7));
	oracle_free(o);
}

/* A private file mapping reads the file until its own write. */
static void test_oracle_private_file_words(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();

	(void)state;
	oracle_fixture_init(&f);
	oracle_store(o, &f.shared1, X + 0x102000, 1);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 1));
	assert_false(load_ok(o, &f.private2, X + 0x300000, 0));
	oracle_store(o, &f.private2, X + 0x300000, 2);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 2));
	assert_true(load_ok(o, &f.shared1, X + 0x102000, 1));
	oracle_store(o, &f.shared1, X + 0x102000, 3);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 2));
	/* MADV_DONTNEED drops the private copy: the file shows again. */
	oracle_discard(o, &f.mm2, X + 0x300000, X + 0x301000);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 3));
	assert_false(load_ok(o, &f.private2, X + 0x300000, 0));
	oracle_free(o);
}

/* A copy on write snapshots the file's page: later file writes do not show,
 * words never written read 0, until the copy is dropped again. */
static void test_oracle_cow_page(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();

	(void)state;
	oracle_fixture_init(&f);
	oracle_store(o, &f.shared1, X + 0x102000, 1);
	oracle_store(o, &f.shared1, X + 0x102008, 2);
	oracle_cow_page(o, &f.private2, X + 0x300010);
	oracle_store(o, &f.shared1, X + 0x102000, 3);
	oracle_store(o, &f.shared1, X + 0x102010, 4);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 1));
	assert_true(load_ok(o, &f.private2, X + 0x300008, 2));
	assert_true(load_ok(o, &f.private2, X + 0x300010, 0));
	assert_false(load_ok(o, &f.private2, X + 0x300010, 4));
	/* The next page is still the file's. */
	oracle_store(o, &f.shared1, X + 0x103000, 5);
	assert_true(load_ok(o, &f.private2, X + 0x301000, 5));
	oracle_discard(o, &f.mm2, X + 0x300000, X + 0x301000);
	assert_true(load_ok(o, &f.private2, X + 0x300000, 3));
	assert_true(load_ok(o, &f.private2, X + 0x300010, 4));
	oracle_free(o);
}

/* A write to the parent during fork may or may not reach the child. */
static void test_oracle_fork(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();

	(void)state;
	oracle_fixture_init(&f);
	oracle_store(o, &f.anon1, X, 1);
	oracle_store(o, &f.anon1, X + 8, 2);
	oracle_fork_begin(o, &f.mm1, &f.mm2);
	assert_true(load_ok(o, &f.anon2, X, 1));
	oracle_store(o, &f.anon1, X + 8, 3);
	oracle_store(o, &f.anon1, X + 16, 4);
	oracle_fork_end(o, &f.mm1);
	assert_true(load_ok(o, &f.anon1, X + 8, 3));
	assert_false(load_ok(o, &f.anon1, X + 8, 2));
	/* The child saw the new value: from now on only that one. */
	assert_true(load_ok(o, &f.anon2, X + 8, 3));
	assert_false(load_ok(o, &f.anon2, X + 8, 2));
	/* This one it did not see; the old value (never written: 0) stays. */
	assert_true(load_ok(o, &f.anon2, X + 16, 0));
	assert_false(load_ok(o, &f.anon2, X + 16, 4));
	/* After the fork, writes are the writer's own. */
	oracle_store(o, &f.anon1, X, 5);
	assert_true(load_ok(o, &f.anon2, X, 1));
	oracle_free(o);
}

struct visit {
	unsigned long n, sum;
};

static void visit_word(unsigned long addr, uint64_t val, uint64_t alt, bool has_alt, void *arg)
{
	struct visit *v = arg;

	(void)addr;
	(void)alt;
	(void)has_alt;
	v->n++;
	v->sum += val;
}

/* Thousands of words (the table grows), all found again, one mm at a time. */
static void test_oracle_many_words(void **state)
{
	struct oracle_fixture f;
	struct oracle *o = oracle_new();
	struct visit v = { 0, 0 };

	(void)state;
	oracle_fixture_init(&f);
	f.anon1.vm_end = X + 0x1000000;
	for (unsigned long i = 0; i < 5000; i++)
		oracle_store(o, &f.anon1, X + i * 8, i + 1);
	oracle_store(o, &f.anon2, X, 77);
	for (unsigned long i = 0; i < 5000; i++)
		if (!load_ok(o, &f.anon1, X + i * 8, i + 1))
			fail_msg("word %lu lost", i);
	oracle_for_each(o, &f.mm1, visit_word, &v);
	assert_int_equal(v.n, 5000);
	assert_int_equal(v.sum, 5000UL * 5001 / 2);
	v.n = v.sum = 0;
	oracle_for_each(o, &f.mm2, visit_word, &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.sum, 77);
	oracle_free(o);
}

#define INV(ident, inv, msg, ...)                                                              \
	MT_CASE(ident, .want_kind = SIM_FIND_INVARIANT, .want_id = inv, .want_msg = msg,       \
		__VA_ARGS__)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT_CASE(clean_complex_state_passes, .run = complex_run, .check = complex_check),
		MT_CASE(clean_complex_state_passes_every_step, .run = complex_run,
			.every_step = true),
		INV(inv4_reference_leaked, "INV-4", "a reference leaked", .setup = simple_setup,
		    .check = ref_leaked_check),
		INV(inv4_reference_missing, "INV-4", "a reference is missing",
		    .setup = simple_setup, .check = ref_missing_check),
		INV(inv4_rss_counter, "INV-4", "MM_ANONPAGES is 3, but its page tables hold 2",
		    .setup = simple_setup, .check = rss_check),
		INV(inv4_shmem_rss_counter, "INV-4",
		    "MM_SHMEMPAGES is 0, but its page tables hold 1", .setup = simple_setup,
		    .check = shmem_rss_check),
		INV(inv4_mapcount, "INV-4", "has mapcount 2, but 1 PTEs map it",
		    .setup = simple_setup, .check = mapcount_check),
		INV(inv4_entire_mapcount, "INV-4", "has entire mapcount 2, but 1 PMDs map it",
		    .setup = thp_setup, .check = entire_mapcount_check),
		INV(inv4_large_mapcount, "INV-4",
		    "has large mapcount 15, but it is mapped 16 times", .setup = mthp_setup,
		    .check = large_mapcount_check),
		INV(inv4_nr_pages_mapped, "INV-4", "says 15 pages are mapped by PTEs, but 16 are",
		    .setup = mthp_setup, .check = nr_pages_mapped_check),
		INV(inv4_unreferenced_folio, "INV-4", "a reference leaked",
		    .run = unreferenced_folio_run),
		INV(inv4_leak_after_exit, "INV-4",
		    "1 pages are still allocated after every address", .setup = simple_setup,
		    .check = leak_check),
		INV(inv4_free_list_count, "INV-4", "1 pages missing from the free lists",
		    .setup = simple_setup, .check = free_list_check),
		INV(inv6_writable_not_exclusive, "INV-6", "but the page is not PageAnonExclusive",
		    .setup = simple_setup, .check = writable_not_exclusive_check),
		INV(inv6_exclusive_mapped_twice, "INV-6", "is PageAnonExclusive but mapped 2 times",
		    .setup = forked_setup, .check = exclusive_mapped_twice_check),
		INV(inv6_ksm_exclusive, "INV-6", "KSM pfn", .setup = simple_setup,
		    .check = ksm_exclusive_check),
		INV(inv3_index, "INV-3", "but the folio says page offset", .setup = simple_setup,
		    .check = index_check),
		INV(inv3_thp_index, "INV-3", "(huge PMD)", .setup = thp_setup,
		    .check = thp_index_check),
		INV(inv3_foreign_anon_vma, "INV-3", "is not in the tree", .setup = simple_setup,
		    .check = foreign_anon_vma_check),
		INV(inv3_freed_anon_vma, "INV-3", "is not in the tree", .setup = simple_setup,
		    .check = freed_anon_vma_check),
		INV(inv7_migration_entry_left, "INV-7", "a migration entry outlived its migration",
		    .setup = simple_setup, .check = migration_entry_left_check),
		INV(inv7_pte_maps_free_page, "INV-7", "which is not an allocated page",
		    .setup = simple_setup, .check = pte_to_free_page_check),
		INV(inv7_special_not_zero_page, "INV-7", "special PTE maps pfn",
		    .setup = simple_setup, .check = special_not_zero_check),
		INV(inv7_pte_outside_vma, "INV-7", "outside any VMA", .setup = simple_setup,
		    .check = pte_outside_vma_check),
		INV(inv7_swap_entry_without_device, "INV-7", "names no swap device",
		    .setup = simple_setup, .check = swap_entry_no_device_check),
		INV(inv7_bad_marker, "INV-7", "marker PTE with bits 0x8", .setup = simple_setup,
		    .check = bad_marker_check),
		INV(inv7_pmd_left_invalidated, "INV-7", "left invalidated", .setup = thp_setup,
		    .check = pmd_invalidated_check),
		INV(inv7_pmd_swap_entry, "INV-7", "is not a migration entry", .setup = thp_setup,
		    .check = pmd_swap_check),
		INV(inv7_pmd_migration_left, "INV-7", "a PMD migration entry outlived",
		    .setup = thp_setup, .check = pmd_migration_left_check),
		INV(inv7_pmd_maps_small_folio, "INV-7", "not an allocated PMD-size folio",
		    .setup = simple_setup, .check = pmd_small_folio_check),
		INV(inv7_huge_pmd_outside_vma, "INV-7", "not inside one VMA", .setup = thp_setup,
		    .check = pmd_outside_vma_check),
		INV(inv7_freed_page_table, "INV-7", "points to freed page table",
		    .setup = simple_setup, .check = freed_table_check),
		MT_CASE(check_step_allows_operations_in_flight, .setup = simple_setup,
			.check = step_mode_check),
		INV(check_every_step_catches_damage_mid_run, "INV-7", "not an allocated page",
		    .run = damage_mid_run, .every_step = true),
		INV(inv1_data_at_end, "INV-1", "data integrity: at the end, mm 1 holds 0xeeee",
		    .setup = simple_setup, .check = data_end_check),
		INV(inv1_oracle_on_read, "INV-1", "read 0x2b at 0x20000010, but the last value"
		    " written there is 0x2a", .setup = corrupt_after_write_setup,
		    .run = read_corrupt_run),
		MT_CASE(oracle_round_trip, .run = oracle_round_trip_run),
		cmocka_unit_test(test_oracle_private_words),
		cmocka_unit_test(test_oracle_shared_words),
		cmocka_unit_test(test_oracle_private_file_words),
		cmocka_unit_test(test_oracle_cow_page),
		cmocka_unit_test(test_oracle_fork),
		cmocka_unit_test(test_oracle_many_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
