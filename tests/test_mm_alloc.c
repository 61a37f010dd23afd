/*
 * test_mm_alloc.c - unit tests of the model kernel's physical pages and page tables
 * (mm/page_alloc.c, mm/pgtable.c).
 */
#include "mmtest.h"

/* With the default 4096 pages: pfn 0 and 1 reserved, 512-1023 the huge zero
 * folio, 2-511 free as order-1..8 blocks, 1024-4095 as six order-9 blocks. */
#define NR_LOW_FREE 510UL
#define NR_PMD_BLOCKS 6

/* ==== page_alloc.c ======================================================================= */

static void expect_new_folio(struct folio *f, unsigned order)
{
	unsigned long pfn = folio_pfn(f), nr = 1UL << order;

	MT_EQ(pfn & (nr - 1), 0);
	MT_EQ(f->order, order);
	MT_EQ(mt_ref(f), 1);
	MT_EQ(f->mapping, 0);
	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = mt_page(pfn + i);
		unsigned long want = !order ? 0 : i ? 1UL << PG_tail : 1UL << PG_head;

		MT_EQ(p->head, pfn);
		MT_EQ(p->_mapcount.counter, -1);
		MT_EQ(p->flags, want);
	}
	if (order) {
		struct page *second = folio_second(f);

		MT_EQ(second->_large_mapcount.counter, -1);
		MT_EQ(second->_entire_mapcount.counter, -1);
		MT_EQ(second->_nr_pages_mapped.counter, 0);
		MT_EQ(second->_pincount.counter, 0);
	}
}

/* Orders 0..9: aligned, refcount 1, head/tail set up, disjoint, and all of it
 * back on the free lists after folio_put(). */
static void alloc_orders_run(struct mm_kernel *k, struct mt *t)
{
	unsigned long used = 0;

	for (unsigned order = 0; order < MAX_ORDER; order++) {
		struct folio *f = folio_alloc(order);

		MT_TRUE(f);
		expect_new_folio(f, order);
		MT_TRUE(folio_pfn(f) >= 2);
		MT_TRUE(folio_pfn(f) + (1UL << order) <= HPAGE_PMD_NR ||
			folio_pfn(f) >= 2 * HPAGE_PMD_NR);
		for (unsigned j = 0; j < order; j++) {
			unsigned long a = folio_pfn(t->folios[j]), b = folio_pfn(f);

			MT_TRUE(a + (1UL << j) <= b || b + (1UL << order) <= a);
		}
		t->folios[order] = f;
		used += 1UL << order;
		MT_EQ(k->nr_free, k->nr_free_initial - used);
	}
	for (unsigned order = 0; order < MAX_ORDER; order++)
		folio_put(t->folios[order]);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* A freed folio is poisoned: contents 0x6b, every page PG_poisoned, refcount 0. */
static void free_poisons_run(struct mm_kernel *k, struct mt *t)
{
	struct folio *f = folio_alloc(2);
	unsigned long pfn = folio_pfn(f);
	const uint8_t *c = folio_address(f);

	(void)t;
	memset(folio_address(f), 0x11, 4 * PAGE_SIZE);
	folio_put(f);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		if (c[i] != 0x6b)
			MT_FAIL("byte %zu of the freed folio is %#x, not the poison 0x6b", i, c[i]);
	for (unsigned long i = 0; i < 4; i++) {
		MT_TRUE(mt_flag(mt_page(pfn + i), PG_poisoned));
		MT_EQ(mt_page(pfn + i)->_refcount.counter, 0);
		MT_EQ(mt_page(pfn + i)->_mapcount.counter, -1);
	}
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* folio_alloc_zeroed() clears a page that was poisoned: LIFO gives it back. */
static void alloc_zeroed_run(struct mm_kernel *k, struct mt *t)
{
	struct folio *f = folio_alloc(0);
	unsigned long pfn = folio_pfn(f);
	const uint8_t *c;

	(void)k;
	(void)t;
	memset(folio_address(f), 0x5a, PAGE_SIZE);
	folio_put(f);
	f = folio_alloc_zeroed(0);
	MT_EQ(folio_pfn(f), pfn);
	c = folio_address(f);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (c[i])
			MT_FAIL("byte %zu of a zeroed folio is %#x", i, c[i]);
	MT_FALSE(mt_flag(mt_page(pfn), PG_poisoned));
	folio_put(f);
}

/* The boot layout and the sequence: lowest blocks first, split LIFO. */
static void alloc_sequence_run(struct mm_kernel *k, struct mt *t)
{
	static const unsigned long want[] = { 2, 3, 4, 5 };

	(void)t;
	MT_EQ(k->zero_pfn, 1);
	MT_EQ(k->huge_zero_pfn, HPAGE_PMD_NR);
	MT_EQ(k->nr_free_initial, k->nr_pages - 2 * HPAGE_PMD_NR + NR_LOW_FREE);
	MT_TRUE(mt_flag(mt_page(k->zero_pfn), PG_reserved));
	MT_TRUE(mt_flag(mt_page(k->huge_zero_pfn), PG_reserved));
	for (int i = 0; i < 4; i++) {
		t->folios[i] = folio_alloc(0);
		MT_EQ(folio_pfn(t->folios[i]), want[i]);
	}
	t->folios[4] = folio_alloc(HPAGE_PMD_ORDER);
	MT_EQ(folio_pfn(t->folios[4]), 2 * HPAGE_PMD_NR);
	for (int i = 0; i < 5; i++)
		folio_put(t->folios[i]);
}

static struct folio *many[NR_LOW_FREE + 100];

/* Splitting down to single pages and freeing them in another order merges
 * the buddies back: the same order-8 block and six order-9 blocks. */
static void buddies_merge_run(struct mm_kernel *k, struct mt *t)
{
	size_t n = sizeof(many) / sizeof(many[0]);
	int blocks = 0;

	for (size_t i = 0; i < n; i++)
		MT_TRUE((many[i] = folio_alloc(0)));
	MT_EQ(folio_pfn(many[NR_LOW_FREE]), 2 * HPAGE_PMD_NR);
	for (size_t i = 0; i < n; i += 2)
		folio_put(many[i]);
	for (size_t i = n - 1; i < n; i -= 2)
		folio_put(many[i]);
	MT_EQ(k->nr_free, k->nr_free_initial);
	t->folio = folio_alloc(8);
	MT_EQ(folio_pfn(t->folio), 256);
	folio_put(t->folio);
	while ((t->folios[blocks] = folio_alloc(HPAGE_PMD_ORDER)))
		blocks++;
	MT_EQ(blocks, NR_PMD_BLOCKS);
	for (int i = 0; i < blocks; i++)
		folio_put(t->folios[i]);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

static const struct mm_config tiny = { .nr_pages = 1024, .thp_madvise = 1UL << HPAGE_PMD_ORDER };

/* Memory runs out: NULL, nr_free 0; then everything comes back. */
static void exhaustion_run(struct mm_kernel *k, struct mt *t)
{
	size_t n = 0;

	(void)t;
	MT_EQ(k->nr_free_initial, NR_LOW_FREE);
	MT_TRUE(!folio_alloc(HPAGE_PMD_ORDER));
	MT_TRUE(!folio_alloc(MAX_ORDER));
	while (n < NR_LOW_FREE + 1 && (many[n] = folio_alloc(0)))
		n++;
	MT_EQ(n, NR_LOW_FREE);
	MT_EQ(k->nr_free, 0);
	MT_TRUE(!folio_alloc(0));
	MT_TRUE(!folio_alloc_zeroed(0));
	while (n)
		folio_put(many[--n]);
	MT_EQ(k->nr_free, NR_LOW_FREE);
	MT_TRUE((t->folio = folio_alloc(8)));
	folio_put(t->folio);
}

/* A user fault with no memory left is retried (pagefault_out_of_memory()
 * without an OOM kill): with nothing to free memory, that is a livelock. */
static void exhaustion_fault_run(struct mm_kernel *k, struct mt *t)
{
	size_t n = 0;
	unsigned long a;

	t->mm = mmt_mm_create();
	a = mt_map(t->mm, 0, 4 * PAGE_SIZE, MT_RW, MT_ANON);
	MT_WRITE(t->mm, a, 1);
	while (n < NR_LOW_FREE && (many[n] = folio_alloc(0)))
		n++;
	MT_EQ(n, NR_LOW_FREE - 1);
	MT_EQ(k->nr_free, 0);
	/* A read maps the zero page: no memory needed. */
	MT_READ(t->mm, a + PAGE_SIZE, 0);
	MT_EQ(mt_rss(t->mm, MM_ANONPAGES), 1);
	mmt_write(t->mm, a + PAGE_SIZE, 2);
	MT_FAIL("a write with no memory left returned");
}

/* ---- determinism: the same pfns in every execution ------------------------------------ */

#define DET_EXECS 3
#define DET_N 12

static unsigned long det_pfns[DET_EXECS][DET_N];
static int det_exec;

static void det_setup(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	(void)t;
	det_exec++;
}

static void det_run(struct mm_kernel *k, struct mt *t)
{
	unsigned long *rec = det_pfns[(det_exec - 1) % DET_EXECS];
	unsigned long a;
	int n = 0;

	(void)k;
	t->mm = mmt_mm_create();
	a = mt_map(t->mm, 0, 8 * PAGE_SIZE, MT_RW, MT_ANON);
	for (int i = 0; i < 4; i++)
		MT_WRITE(t->mm, a + (unsigned long)i * PAGE_SIZE, (uint64_t)i);
	MT_EQ(mmt_fork(t->mm, &t->mm2), 0);
	MT_WRITE(t->mm2, a, 9);
	MT_WRITE(t->mm, a + PAGE_SIZE, 9);
	for (int i = 0; i < 4; i++) {
		rec[n++] = mt_pfn(t->mm, a + (unsigned long)i * PAGE_SIZE);
		rec[n++] = mt_pfn(t->mm2, a + (unsigned long)i * PAGE_SIZE);
	}
	for (unsigned order = 0; n < DET_N; order += 3) {
		t->folios[n] = folio_alloc(order);
		rec[n] = folio_pfn(t->folios[n]);
		folio_put(t->folios[n]);
		n++;
	}
}

static void test_alloc_deterministic(void **state)
{
	static const struct mt_case c = { .name = "alloc_deterministic", .setup = det_setup,
					  .run = det_run };
	struct explore_result r;

	(void)state;
	det_exec = 0;
	memset(det_pfns, 0, sizeof(det_pfns));
	assert_int_equal(mt_explore(&c, DET_EXECS, &r), 0);
	if (r.found)
		fail_msg("%s: %s", r.finding.id, r.finding.msg);
	assert_int_equal(r.executions, DET_EXECS);
	explore_result_free(&r);
	assert_int_equal(det_exec, DET_EXECS);
	for (int i = 0; i < DET_N; i++) {
		assert_true(det_pfns[0][i] != 0);
		for (int e = 1; e < DET_EXECS; e++)
			assert_int_equal(det_pfns[e][i], det_pfns[0][i]);
	}
	/* COW gave the writers new pages; the others still share. */
	assert_int_not_equal(det_pfns[0][0], det_pfns[0][1]);
	assert_int_not_equal(det_pfns[0][2], det_pfns[0][3]);
	assert_int_equal(det_pfns[0][4], det_pfns[0][5]);
}

/* ---- the checks at free ------------------------------------------------------------- */

static void free_mapped_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio = folio_alloc(0);
	t->folio->_mapcount.counter = 0;
	folio_put(t->folio);
}

static void free_large_mapped_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio = folio_alloc(4);
	folio_page(t->folio, 3)->_mapcount.counter = 0;
	folio_put(t->folio);
}

static void double_put_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio = folio_alloc(0);
	folio_put(t->folio);
	folio_put(t->folio);
}

static void free_locked_run(struct mm_kernel *k, struct mt *t)
{
	(void)k;
	t->folio = folio_alloc(0);
	folio_lock(t->folio);
	folio_put(t->folio);
}

/* ==== pgtable.c ========================================================================= */

#define PT_ADDR (5 * PUD_SIZE + 3 * PMD_SIZE + 7 * PAGE_SIZE)

/* mm_alloc_pmd / mm_find_pmd: the upper levels appear once, per 1 GiB. */
static void pmd_alloc_run(struct mm_kernel *k, struct mt *t)
{
	pmd_t *p, *q;

	(void)k;
	t->mm = mmt_mm_create();
	MT_TRUE(!mm_find_pmd(t->mm, PT_ADDR));
	p = mm_alloc_pmd(t->mm, PT_ADDR);
	MT_TRUE(p);
	MT_EQ(mm_find_pmd(t->mm, PT_ADDR), p);
	MT_EQ(mm_alloc_pmd(t->mm, PT_ADDR), p);
	MT_EQ(p - pmd_page_of(p)->pmds, pmd_index(PT_ADDR));
	MT_TRUE(pmd_none(*p));
	MT_EQ(t->mm->pud_populated[0], 1ULL << 5);
	MT_EQ(mm_find_pmd(t->mm, PT_ADDR + PMD_SIZE), p + 1);
	MT_EQ(pmd_page_of(&pmd_page_of(p)->pmds[PTRS_PER_PMD - 1]), pmd_page_of(p));
	q = mm_alloc_pmd(t->mm, PT_ADDR + PUD_SIZE);
	MT_NE(pmd_page_of(q), pmd_page_of(p));
	MT_EQ(t->mm->pud_populated[0], 3ULL << 5);
	MT_TRUE(!mm_find_pmd(t->mm, TASK_SIZE));
	MT_TRUE(!mm_alloc_pmd(t->mm, TASK_SIZE));
	MT_TRUE(!mm_find_pmd(t->mm, 7 * PUD_SIZE));
}

/* __pte_alloc / pmd_install: a table with an id, found again from the PMD. */
static void pte_alloc_run(struct mm_kernel *k, struct mt *t)
{
	pmd_t *p;
	struct ptdesc *pt, *spare;
	unsigned nr;

	t->mm = mmt_mm_create();
	p = mm_alloc_pmd(t->mm, PT_ADDR);
	MT_EQ(pte_alloc(t->mm, p), 0);
	MT_TRUE(pmd_is_table(*p));
	pt = pmd_ptdesc(*p);
	MT_EQ(pt->id, pmd_table_id(*p));
	MT_EQ(k->ptables[pt->id], pt);
	MT_FALSE(pt->freed);
	MT_TRUE(pte_range_none(pt->ptes, PTRS_PER_PTE));
	MT_EQ(ptdesc_of(&pt->ptes[0]), pt);
	MT_EQ(ptdesc_of(&pt->ptes[PTRS_PER_PTE - 1]), pt);
	nr = k->nr_ptables;
	MT_EQ(pte_alloc(t->mm, p), 0);
	MT_EQ(k->nr_ptables, nr);
	/* Someone else installed a table first: ours comes back to be freed. */
	spare = pte_alloc_one();
	MT_EQ(spare->id, nr + 1);
	pmd_install(t->mm, p, &spare);
	MT_TRUE(spare);
	MT_EQ(pmd_ptdesc(*p), pt);
	pte_free(spare);
	MT_TRUE(spare->freed);
}

/* pte_offset_map_lock: the entry and its locked PTL; NULL for a none PMD. */
static void pte_map_lock_run(struct mm_kernel *k, struct mt *t)
{
	pmd_t *p, val;
	pte_t *pte;
	spinlock_t *ptl = NULL;
	struct ptdesc *pt;

	(void)k;
	t->mm = mmt_mm_create();
	p = mm_alloc_pmd(t->mm, PT_ADDR);
	MT_TRUE(!pte_offset_map_lock(t->mm, p, PT_ADDR, &ptl));
	MT_TRUE(!ptl);
	MT_TRUE(!pte_offset_map(p, PT_ADDR, &val));
	MT_TRUE(pmd_none(val));
	__pte_alloc(t->mm, p);
	pt = pmd_ptdesc(*p);
	pte = pte_offset_map_lock(t->mm, p, PT_ADDR, &ptl);
	MT_EQ(pte, &pt->ptes[pte_index(PT_ADDR)]);
	MT_EQ(pte_index(PT_ADDR), 7);
	MT_EQ(ptl, &pt->ptl);
	MT_EQ(ptl->locked, 1);
	pte_unmap_unlock(pte, ptl);
	MT_EQ(ptl->locked, 0);
	pte = pte_offset_map(p, PT_ADDR + PAGE_SIZE, &val);
	MT_EQ(pte, &pt->ptes[8]);
	MT_EQ(pmd_val(val), pmd_val(*p));
	pte_unmap(pte);
}

/* ... and NULL for a huge PMD. */
static void pte_map_lock_huge_run(struct mm_kernel *k, struct mt *t)
{
	spinlock_t *ptl = NULL;
	pmd_t *p;

	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	t->mm = mmt_mm_create();
	t->addr = mt_map(t->mm, 0, PMD_SIZE, MT_RW, MT_ANON);
	MT_WRITE(t->mm, t->addr, 1);
	p = mm_find_pmd(t->mm, t->addr);
	MT_TRUE(pmd_trans_huge(*p));
	MT_TRUE(!pte_offset_map_lock(t->mm, p, t->addr, &ptl));
	MT_TRUE(!ptl);
	MT_EQ(pmd_lockptr(t->mm, p), &pmd_page_of(p)->ptl);
}

/* A PMD that still points to a freed table is a kernel BUG at the PTL. */
static void pte_map_lock_freed_run(struct mm_kernel *k, struct mt *t)
{
	spinlock_t *ptl;
	pmd_t *p;

	(void)k;
	t->mm = mmt_mm_create();
	p = mm_alloc_pmd(t->mm, PT_ADDR);
	__pte_alloc(t->mm, p);
	pte_free(pmd_ptdesc(*p));
	pte_offset_map_lock(t->mm, p, PT_ADDR, &ptl);
}

static struct ptdesc *table_at(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *p = mm_alloc_pmd(mm, addr);

	__pte_alloc(mm, p);
	return pmd_ptdesc(*p);
}

/* double_pt_lock: one lock given twice is taken once; two are both taken. */
static void double_pt_lock_run(struct mm_kernel *k, struct mt *t)
{
	struct ptdesc *a, *b;

	(void)k;
	t->mm = mmt_mm_create();
	a = table_at(t->mm, PT_ADDR);
	b = table_at(t->mm, PT_ADDR + PMD_SIZE);
	double_pt_lock(&a->ptl, &a->ptl);
	MT_EQ(a->ptl.locked, 1);
	MT_EQ(sim_current()->nheld, 1);
	double_pt_unlock(&a->ptl, &a->ptl);
	MT_EQ(a->ptl.locked, 0);
	MT_EQ(sim_current()->nheld, 0);
	double_pt_lock(&b->ptl, &a->ptl);
	MT_EQ(a->ptl.locked, 1);
	MT_EQ(b->ptl.locked, 1);
	MT_EQ(sim_current()->nheld, 2);
	double_pt_unlock(&b->ptl, &a->ptl);
	MT_EQ(a->ptl.locked + b->ptl.locked, 0);
}

/* free_pgtables frees the tables wholly inside the range, across PUDs too. */
static void free_pgtables_run(struct mm_kernel *k, struct mm_struct *mm, unsigned long base)
{
	struct ptdesc *pt[3];

	(void)k;
	for (int i = 0; i < 3; i++)
		pt[i] = table_at(mm, base + (unsigned long)i * PMD_SIZE);
	free_pgtables(mm, base + PAGE_SIZE, base + 2 * PMD_SIZE + PAGE_SIZE);
	MT_FALSE(pt[0]->freed);
	MT_TRUE(pt[1]->freed);
	MT_FALSE(pt[2]->freed);
	MT_TRUE(pmd_is_table(mt_pmd(mm, base)));
	MT_TRUE(pmd_none(mt_pmd(mm, base + PMD_SIZE)));
	MT_TRUE(pmd_is_table(mt_pmd(mm, base + 2 * PMD_SIZE)));
	free_pgtables(mm, base, base + 3 * PMD_SIZE);
	MT_TRUE(pt[0]->freed && pt[2]->freed);
	MT_TRUE(pmd_none(mt_pmd(mm, base)) && pmd_none(mt_pmd(mm, base + 2 * PMD_SIZE)));
}

static void free_pgtables_whole_run(struct mm_kernel *k, struct mt *t)
{
	t->mm = mmt_mm_create();
	free_pgtables_run(k, t->mm, 2 * PUD_SIZE);
	/* Straddling a PUD boundary. */
	free_pgtables_run(k, t->mm, 3 * PUD_SIZE - PMD_SIZE);
}

/* munmap frees the tables it emptied whole, and only those. */
static void munmap_frees_tables_run(struct mm_kernel *k, struct mt *t)
{
	unsigned long a, n;

	(void)k;
	t->mm = mmt_mm_create();
	a = mt_map(t->mm, 0, 3 * PMD_SIZE, MT_RW, MT_ANON);
	MT_EQ(a & ~PMD_MASK, 0);
	for (n = 0; n < 3; n++)
		MT_WRITE(t->mm, a + n * PMD_SIZE + 2 * PAGE_SIZE, n + 1);
	MT_EQ(mmt_munmap(t->mm, a + PMD_SIZE - PAGE_SIZE, PMD_SIZE + 2 * PAGE_SIZE), 0);
	MT_TRUE(pmd_is_table(mt_pmd(t->mm, a)));
	MT_TRUE(pmd_none(mt_pmd(t->mm, a + PMD_SIZE)));
	MT_TRUE(pmd_is_table(mt_pmd(t->mm, a + 2 * PMD_SIZE)));
	MT_READ(t->mm, a + 2 * PAGE_SIZE, 1);
	MT_READ(t->mm, a + 2 * PMD_SIZE + 2 * PAGE_SIZE, 3);
	MT_EQ(mmt_read(t->mm, a + PMD_SIZE + 2 * PAGE_SIZE, &t->v[0]), -EFAULT);
	MT_EQ(mt_rss(t->mm, MM_ANONPAGES), 2);
}

/* set_ptes maps consecutive pfns; ptep_set_wrprotect clears only RW. */
static void set_ptes_run(struct mm_kernel *k, struct mt *t)
{
	struct ptdesc *pt;
	pte_t e = pte_mkdirty(pte_mkwrite(pfn_pte(100)));

	(void)k;
	t->mm = mmt_mm_create();
	pt = table_at(t->mm, PT_ADDR);
	set_ptes(t->mm, PT_ADDR, &pt->ptes[4], e, 4);
	for (unsigned i = 0; i < 4; i++) {
		MT_EQ(pte_pfn(pt->ptes[4 + i]), 100 + i);
		MT_TRUE(pte_write(pt->ptes[4 + i]) && pte_dirty(pt->ptes[4 + i]));
	}
	MT_TRUE(pte_none(pt->ptes[3]) && pte_none(pt->ptes[8]));
	MT_FALSE(pte_range_none(&pt->ptes[0], 5));
	MT_TRUE(pte_range_none(&pt->ptes[0], 4));
	ptep_set_wrprotect(t->mm, PT_ADDR, &pt->ptes[5]);
	MT_EQ(pte_val(pt->ptes[5]), pte_val(pte_wrprotect(e)) + (1ULL << PAGE_SHIFT));
	MT_EQ(pte_val(ptep_get_and_clear(t->mm, PT_ADDR, &pt->ptes[4])), pte_val(e));
	MT_TRUE(pte_none(pt->ptes[4]));
	for (unsigned i = 4; i < 8; i++)
		pt->ptes[i] = __pte(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MT_CASE(alloc_orders, .run = alloc_orders_run),
		MT_CASE(free_poisons, .run = free_poisons_run),
		MT_CASE(alloc_zeroed_clears_poison, .run = alloc_zeroed_run),
		MT_CASE(alloc_sequence, .run = alloc_sequence_run),
		MT_CASE(buddies_merge, .run = buddies_merge_run),
		MT_CASE(exhaustion, .run = exhaustion_run, .cfg = &tiny),
		MT_CASE(exhaustion_fault_retries, .run = exhaustion_fault_run, .cfg = &tiny,
			.want_kind = SIM_FIND_LIVELOCK, .want_id = "livelock",
			.want_msg = "user access: fault and retry"),
		cmocka_unit_test(test_alloc_deterministic),
		MT_CASE(free_of_mapped_folio_is_bug, .run = free_mapped_run,
			.want_kind = SIM_FIND_BUG, .want_id = "VM_BUG_ON_FOLIO",
			.want_msg = "in check_free"),
		MT_CASE(free_of_large_folio_with_mapped_page_is_bug, .run = free_large_mapped_run,
			.want_kind = SIM_FIND_BUG, .want_id = "VM_BUG_ON_PAGE",
			.want_msg = "in check_free"),
		MT_CASE(double_put_is_bug, .run = double_put_run, .want_kind = SIM_FIND_BUG,
			.want_id = "VM_BUG_ON_FOLIO", .want_msg = "__mmt_old < __mmt_n"),
		MT_CASE(free_of_locked_folio_is_bug, .run = free_locked_run,
			.want_kind = SIM_FIND_BUG, .want_id = "VM_BUG_ON_FOLIO",
			.want_msg = "in check_free"),
		MT_CASE(pmd_alloc_and_find, .run = pmd_alloc_run),
		MT_CASE(pte_alloc_and_install, .run = pte_alloc_run),
		MT_CASE(pte_offset_map_lock_table, .run = pte_map_lock_run),
		MT_CASE(pte_offset_map_lock_huge_is_null, .run = pte_map_lock_huge_run),
		MT_CASE(pte_offset_map_lock_freed_table_is_bug, .run = pte_map_lock_freed_run,
			.want_kind = SIM_FIND_BUG, .want_id = "VM_BUG_ON",
			.want_msg = "ptdesc_of(pte)->freed"),
		MT_CASE(double_pt_lock_same_lock_once, .run = double_pt_lock_run),
		MT_CASE(free_pgtables_whole_tables_only, .run = free_pgtables_whole_run),
		MT_CASE(munmap_frees_emptied_tables, .run = munmap_frees_tables_run),
		MT_CASE(set_ptes_and_wrprotect, .run = set_ptes_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
