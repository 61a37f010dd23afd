/*
 * test_uffd_batch.c - Linux 6.18's batched UFFDIO_MOVE of present pages
 * (move_present_ptes() with check_ptes_for_batched_move(), the model's
 * mm_config.uffd_move_batch) against v6.17's one PTE per step.  What user
 * space sees must not change: ioctl(2)'s return, the `move` field, the data
 * and where every page ends up.
 *
 * First, sequential cases, run once in each mode (the same assertions): a
 * 16-page move, ranges whose PTE tables end at different offsets on the two
 * sides (a batch must stop at either table's end), a range mixing present
 * pages with the zero page, a swap PTE and a hole, a page shared with a
 * child (not PageAnonExclusive), pinned, or with its destination populated
 * in the middle of the range (a short move, then the error when resumed
 * there), source and destination in one PTE table (one PTL), and two
 * source pages whose folios belong to different anon_vmas (a child's own
 * and the parent's, kept by a folio swapped back in from the swap cache).
 *
 * Then the count of scheduling steps of one 64-page move in each mode: the
 * batched one must take fewer than half (so batching does happen), with
 * the same outcome.
 *
 * Last, races explored in batch mode: a 4-page MOVE against a write fault
 * on a source page, a userfault on a destination page, MADV_DONTNEED and
 * MADV_PAGEOUT of a source page.  Random and PCT run a budget and DFS
 * exhausts a preemption bound (see race_case); every end state must be a
 * legal one, every invariant hold, and nothing leak.
 */
#include "uffdtest.h"

#define F_MOVE MMT_UFFD_FEATURE_MOVE
#define MISSING MMT_UFFDIO_REGISTER_MODE_MISSING
#define HOLES MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES

/* mm_config_default() with the 6.18 batched move. */
static const struct mm_config batch_cfg = {
	.nr_pages = 4096, .thp_madvise = 1UL << HPAGE_PMD_ORDER, .thp_use_zero_page = true,
	.uffd_move_batch = true,
};

/* ---- looks --------------------------------------------------------------------------- */

/* The folio mapped at @addr belongs to @addr's VMA: its anon_vma and its
 * index are the ones a fault there would have given it (UFFDIO_MOVE must
 * move both with every page of a batch). */
static void check_page_rmap(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct folio *folio = mt_folio(mt_pfn(mm, addr));

	MT_TRUE(vma && vma->anon_vma);
	MT_TRUE(folio_anon_vma(folio) == vma->anon_vma);
	MT_EQ(folio->index, linear_page_index(vma, addr));
}

/* Page @i (VAL(i), VAL1(i)) is at @dst as page @pfn: mapped there alone,
 * exclusive and writable, with its data and its rmap. */
static void check_at_dst(struct mm_struct *mm, unsigned long dst, unsigned long i,
			 unsigned long pfn)
{
	MT_TRUE(ut_present(mm, dst));
	MT_EQ(mt_pfn(mm, dst), pfn);
	MT_TRUE(mt_exclusive(pfn));
	MT_EQ(t_mapcount(pfn), 1);
	MT_TRUE(t_writable(mm, dst));
	MT_READ(mm, dst, VAL(i));
	MT_READ(mm, dst + 8, VAL1(i));
	check_page_rmap(mm, dst);
}

/* Page @i moved from @src to @dst, the same page; nothing is left at @src. */
static void check_moved_page(struct mm_struct *mm, unsigned long dst, unsigned long src,
			     unsigned long i, unsigned long pfn)
{
	MT_TRUE(ut_none(mm, src));
	check_at_dst(mm, dst, i, pfn);
}

/* The pfns of @n pages from @addr. */
static void get_pfns(struct mm_struct *mm, unsigned long addr, unsigned long n,
		     unsigned long *pfn)
{
	for (unsigned long i = 0; i < n; i++) {
		pfn[i] = mt_pfn(mm, addr + i * PG);
		MT_NE(pfn[i], 0);
	}
}

/* The case runs in the mode its group says. */
static void check_mode(void)
{
	MT_EQ(mmk()->cfg.uffd_move_batch, ut_batch);
}

/* ==== sequential cases ================================================================ */

/* 16 order-0 pages in one PTE table: all move (in 6.18 as one batch), the
 * same pages, each with its rmap; nothing is left at the source. */
static void move16(struct ut *u)
{
	unsigned long pfn[16];

	check_mode();
	ut_layout(u, 16, F_MOVE);
	get_pfns(u->mm, SRC, 16, pfn);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 16 * PG, 0, 0, 16 * PG);
	for (unsigned long i = 0; i < 16; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	MT_EQ(mt_rss(u->mm, MM_ANONPAGES), 16);
	/* A read of the source now maps the zero page there. */
	MT_READ(u->mm, SRC + 5 * PG + 8, 0);
	MT_EQ(pte_pfn(mt_pte(u->mm, SRC + 5 * PG)), u->mm->k->zero_pfn);
}

/*
 * 12 pages from 3 pages before a PTE-table (2 MiB) boundary of the source
 * to 5 pages before one of the destination: in 6.18 the batches stop at
 * the source table's end (3 pages), then at the destination's (2), then
 * the rest (7).  Every page lands at its address; the pages just outside
 * the range on either side stay.
 */
static void straddle(struct ut *u)
{
	const unsigned long src = SRC + HP - 3 * PG, dst = DST + HP - 5 * PG, n = 12;
	unsigned long pfn[12], before, after;

	check_mode();
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, 2 * HP, RW, ANON);
	ut_map(u->mm, DST, 2 * HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, 2 * HP, MADV_NOHUGEPAGE), 0);
	MT_EQ(mmt_madvise(u->mm, DST, 2 * HP, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm, src, n);
	MT_WRITE(u->mm, src - PG, 0xbe);
	MT_WRITE(u->mm, src + n * PG, 0xaf);
	before = mt_pfn(u->mm, src - PG);
	after = mt_pfn(u->mm, src + n * PG);
	get_pfns(u->mm, src, n, pfn);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 2 * HP, MISSING);
	UT_MOVE(u->mm, u->ctx, dst, src, n * PG, 0, 0, n * PG);
	for (unsigned long i = 0; i < n; i++)
		check_moved_page(u->mm, dst + i * PG, src + i * PG, i, pfn[i]);
	MT_TRUE(ut_none(u->mm, dst - PG));
	MT_TRUE(ut_none(u->mm, dst + n * PG));
	MT_EQ(mt_pfn(u->mm, src - PG), before);
	MT_EQ(mt_pfn(u->mm, src + n * PG), after);
	MT_READ(u->mm, src - PG, 0xbe);
	MT_READ(u->mm, src + n * PG, 0xaf);
}

/*
 * Eight source pages: present, present, the zero page, present, a swap
 * PTE, present, a hole, present.  A batch stops at anything that is not a
 * present normal page; each such page takes its own step.  With
 * ALLOW_SRC_HOLES (p[0] = 0) all 8 pages count as moved in one call; without
 * (p[0] = 1) the hole ends a short move of 6 pages, and resuming at it with
 * ALLOW_SRC_HOLES moves the last 2.
 */
static void mixed(struct ut *u)
{
	static const unsigned long present[] = { 0, 1, 3, 5, 7 };
	unsigned long pfn[8] = { 0 };
	swp_entry_t e;

	check_mode();
	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, 8 * PG, RW, ANON);
	ut_map(u->mm, DST, 8 * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, 8 * PG, MADV_NOHUGEPAGE), 0);
	for (unsigned long i = 0; i < 8; i++) {
		if (i == 2 || i == 6)
			continue;
		MT_WRITE(u->mm, SRC + i * PG, VAL(i));
		MT_WRITE(u->mm, SRC + i * PG + 8, VAL1(i));
		pfn[i] = mt_pfn(u->mm, SRC + i * PG);
	}
	MT_READ(u->mm, SRC + 2 * PG, 0);
	MT_EQ(pte_pfn(mt_pte(u->mm, SRC + 2 * PG)), u->mm->k->zero_pfn);
	MT_EQ(mmt_madvise(u->mm, SRC + 4 * PG, PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm, SRC + 4 * PG));
	e = pte_to_swp_entry(mt_pte(u->mm, SRC + 4 * PG));
	MT_TRUE(ut_none(u->mm, SRC + 6 * PG));
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 8 * PG, MISSING);

	if (u->c->p[0]) {
		UT_MOVE(u->mm, u->ctx, DST, SRC, 8 * PG, 0, -EAGAIN, 6 * PG);
		MT_TRUE(ut_none(u->mm, DST + 6 * PG));
		ut_check_kept(u->mm, SRC + 7 * PG, 7, pfn[7]);
		UT_MOVE(u->mm, u->ctx, DST + 6 * PG, SRC + 6 * PG, 2 * PG, 0, -ENOENT, -ENOENT);
		UT_MOVE(u->mm, u->ctx, DST + 6 * PG, SRC + 6 * PG, 2 * PG, HOLES, 0, 2 * PG);
	} else {
		UT_MOVE(u->mm, u->ctx, DST, SRC, 8 * PG, HOLES, 0, 8 * PG);
	}
	for (size_t j = 0; j < sizeof(present) / sizeof(present[0]); j++) {
		unsigned long i = present[j];

		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	}
	/* The zero page is mapped at dst as it was at src. */
	MT_TRUE(ut_none(u->mm, SRC + 2 * PG));
	MT_EQ(pte_pfn(mt_pte(u->mm, DST + 2 * PG)), u->mm->k->zero_pfn);
	/* The swap PTE moved as it was, exclusive; its data comes back at dst. */
	MT_TRUE(ut_none(u->mm, SRC + 4 * PG));
	MT_TRUE(ut_swapped(u->mm, DST + 4 * PG));
	MT_EQ(pte_to_swp_entry(mt_pte(u->mm, DST + 4 * PG)).val, e.val);
	MT_TRUE(pte_swp_exclusive(mt_pte(u->mm, DST + 4 * PG)));
	/* The hole stays a hole on both sides (dst still missing). */
	MT_TRUE(ut_none(u->mm, SRC + 6 * PG));
	MT_TRUE(ut_none(u->mm, DST + 6 * PG));
	MT_READ(u->mm, DST + 2 * PG, 0);
	MT_READ(u->mm, DST + 4 * PG, VAL(4));
	MT_READ(u->mm, DST + 4 * PG + 8, VAL1(4));
	check_page_rmap(u->mm, DST + 4 * PG);
	for (unsigned long i = 0; i < 8; i++)
		MT_READ(u->mm, SRC + i * PG + 8, 0);
}

/*
 * Six pages; after fork the child keeps only page 3 (it zaps the others),
 * and the parent's writes make pages 0-2 and 4-5 exclusive again (reused,
 * same pfns).  Page 3 is shared, not PageAnonExclusive: pages 0-2 move
 * (one batch in 6.18, which must stop at page 3), the call reports a short
 * move (EAGAIN, `move` = 3 pages), resuming at page 3 gets EBUSY, and the
 * pages behind it move on their own.
 */
static void shared_page(struct ut *u)
{
	const unsigned long k = 3, n = 6;
	unsigned long pfn[6];

	check_mode();
	ut_layout(u, n, F_MOVE);
	get_pfns(u->mm, SRC, n, pfn);
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	MT_EQ(mmt_madvise(u->mm2, SRC, k * PG, MADV_DONTNEED), 0);
	MT_EQ(mmt_madvise(u->mm2, SRC + (k + 1) * PG, (n - k - 1) * PG, MADV_DONTNEED), 0);
	for (unsigned long i = 0; i < n; i++) {
		MT_FALSE(mt_exclusive(pfn[i]));
		if (i == k)
			continue;
		MT_WRITE(u->mm, SRC + i * PG + 16, 1);
		MT_EQ(mt_pfn(u->mm, SRC + i * PG), pfn[i]);
		MT_TRUE(mt_exclusive(pfn[i]));
	}
	MT_FALSE(mt_exclusive(pfn[k]));
	UT_MOVE(u->mm, u->ctx, DST, SRC, n * PG, 0, -EAGAIN, k * PG);
	for (unsigned long i = 0; i < k; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	for (unsigned long i = k; i < n; i++) {
		ut_check_kept(u->mm, SRC + i * PG, i, pfn[i]);
		MT_TRUE(ut_none(u->mm, DST + i * PG));
	}
	UT_MOVE(u->mm, u->ctx, DST + k * PG, SRC + k * PG, (n - k) * PG, 0, -EBUSY, -EBUSY);
	UT_MOVE(u->mm, u->ctx, DST + k * PG, SRC + k * PG, (n - k) * PG, HOLES, -EBUSY, -EBUSY);
	ut_check_kept(u->mm, SRC + k * PG, k, pfn[k]);
	MT_EQ(mt_pfn(u->mm2, SRC + k * PG), pfn[k]);
	MT_READ(u->mm2, SRC + k * PG + 8, VAL1(k));
	UT_MOVE(u->mm, u->ctx, DST + (k + 1) * PG, SRC + (k + 1) * PG, (n - k - 1) * PG, 0, 0,
		(n - k - 1) * PG);
	for (unsigned long i = k + 1; i < n; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	MT_TRUE(ut_none(u->mm, DST + k * PG));
	MT_READ(u->mm2, SRC, 0);
}

/*
 * Five pages, page 3's folio pinned (white box).  In 6.18 it joins the
 * batch (check_ptes_for_batched_move() does not look at pins), its PTE is
 * cleared, the pin is seen, and the PTE is put back as it was: the batch
 * ends with 3 pages moved.  Either way the call reports a short move of 3
 * pages, page 3 is untouched (its PTE value too), and resuming at it gets
 * EBUSY; unpinned, the rest moves.
 */
static void pinned_page(struct ut *u)
{
	const unsigned long k = 3, n = 5;
	unsigned long pfn[5];
	pte_t pte;

	check_mode();
	ut_layout(u, n, F_MOVE);
	get_pfns(u->mm, SRC, n, pfn);
	pte = mt_pte(u->mm, SRC + k * PG);
	t_pin(pfn[k], 1);
	UT_MOVE(u->mm, u->ctx, DST, SRC, n * PG, 0, -EAGAIN, k * PG);
	for (unsigned long i = 0; i < k; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	MT_EQ(pte_val(mt_pte(u->mm, SRC + k * PG)), pte_val(pte));
	for (unsigned long i = k; i < n; i++) {
		ut_check_kept(u->mm, SRC + i * PG, i, pfn[i]);
		MT_TRUE(ut_none(u->mm, DST + i * PG));
	}
	UT_MOVE(u->mm, u->ctx, DST + k * PG, SRC + k * PG, (n - k) * PG, 0, -EBUSY, -EBUSY);
	ut_check_kept(u->mm, SRC + k * PG, k, pfn[k]);
	MT_TRUE(mt_exclusive(pfn[k]));
	t_pin(pfn[k], -1);
	UT_MOVE(u->mm, u->ctx, DST + k * PG, SRC + k * PG, (n - k) * PG, 0, 0, (n - k) * PG);
	for (unsigned long i = k; i < n; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
}

/*
 * Six pages, destination page 3 populated before registration: a batch
 * takes a pair only while dst is none, so pages 0-2 move and the call
 * reports a short move of 3 pages; the populated page keeps its data,
 * source page 3 stays, resuming there gets EEXIST, and beyond it the rest
 * moves.
 */
static void dst_present(struct ut *u)
{
	const unsigned long k = 3, n = 6;
	unsigned long pfn[6], dpfn;

	check_mode();
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, n * PG, RW, ANON);
	ut_map(u->mm, DST, n * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, n * PG, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm, SRC, n);
	get_pfns(u->mm, SRC, n, pfn);
	MT_WRITE(u->mm, DST + k * PG, 0xd3);
	dpfn = mt_pfn(u->mm, DST + k * PG);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, n * PG, MISSING);
	UT_MOVE(u->mm, u->ctx, DST, SRC, n * PG, 0, -EAGAIN, k * PG);
	for (unsigned long i = 0; i < k; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	MT_EQ(mt_pfn(u->mm, DST + k * PG), dpfn);
	MT_READ(u->mm, DST + k * PG, 0xd3);
	for (unsigned long i = k; i < n; i++)
		ut_check_kept(u->mm, SRC + i * PG, i, pfn[i]);
	UT_MOVE(u->mm, u->ctx, DST + k * PG, SRC + k * PG, (n - k) * PG, 0, -EEXIST, -EEXIST);
	UT_MOVE(u->mm, u->ctx, DST + (k + 1) * PG, SRC + (k + 1) * PG, (n - k - 1) * PG, 0, 0,
		(n - k - 1) * PG);
	for (unsigned long i = k + 1; i < n; i++)
		check_moved_page(u->mm, DST + i * PG, SRC + i * PG, i, pfn[i]);
	ut_check_kept(u->mm, SRC + k * PG, k, pfn[k]);
	MT_READ(u->mm, DST + k * PG, 0xd3);
}

/*
 * Source and destination in one registered VMA and one PTE table: the two
 * PTLs are the same lock.  Eight pages from the start of the VMA to 16
 * pages further: all move, each page takes the index of its new address.
 */
static void same_table(struct ut *u)
{
	const unsigned long n = 8, to = DST + 16 * PG;
	unsigned long pfn[8];

	check_mode();
	u->mm = mmt_mm_create();
	ut_map(u->mm, DST, 32 * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, 32 * PG, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm, DST, n);
	get_pfns(u->mm, DST, n, pfn);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 32 * PG, MISSING);
	MT_EQ(mt_nr_vmas(u->mm), 1);
	UT_MOVE(u->mm, u->ctx, to, DST, n * PG, 0, 0, n * PG);
	for (unsigned long i = 0; i < n; i++)
		check_moved_page(u->mm, to + i * PG, DST + i * PG, i, pfn[i]);
	MT_TRUE(ut_none(u->mm, to + n * PG));
}

/*
 * Two anon_vmas in one source VMA.  The parent swaps page 1 out to an
 * asynchronous device and the write completes: the folio stays in the swap
 * cache, still the parent's (anon_vma A).  After fork the child's VMA has
 * its own anon_vma C (a child of A, the same root lock); the parent exits.
 * The child's writes reuse pages 0, 2 and 3 (folio_move_anon_rmap: C) and
 * swap page 1 back in from the swap cache: exclusive, but still A.  A
 * 4-page move in the child: a batch may only take folios of its first
 * page's anon_vma, so in 6.18 it stops before page 1 and page 2; every page
 * moves and ends in the destination VMA's anon_vma.
 */
static void two_anon_vmas(struct ut *u)
{
	struct vm_area_struct *vma;
	unsigned long pfn[4];
	struct mm_struct *child;

	check_mode();
	MT_EQ(mmt_swapon(8, false, SWAP_ALLOC_LOWEST), 0);
	u->mm2 = mmt_mm_create();
	ut_map(u->mm2, SRC, 4 * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm2, SRC, 4 * PG, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm2, SRC, 4);
	get_pfns(u->mm2, SRC, 4, pfn);
	MT_EQ(mmt_madvise(u->mm2, SRC + PG, PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm2, SRC + PG));
	MT_EQ(mmt_swap_io_complete(), 1);
	MT_EQ(mmt_fork(u->mm2, &u->mm), 0);
	mmt_exit(u->mm2);
	child = u->mm;
	for (unsigned long i = 0; i < 4; i++)
		MT_WRITE(child, SRC + i * PG + 16, 1);
	vma = vma_lookup(child, SRC);
	for (unsigned long i = 0; i < 4; i++) {
		/* Reused, and page 1 the same folio from the swap cache. */
		MT_EQ(mt_pfn(child, SRC + i * PG), pfn[i]);
		MT_TRUE(mt_exclusive(pfn[i]));
		if (i != 1)
			MT_TRUE(folio_anon_vma(mt_folio(pfn[i])) == vma->anon_vma);
	}
	MT_TRUE(folio_anon_vma(mt_folio(pfn[1])) != vma->anon_vma);
	MT_TRUE(folio_anon_vma(mt_folio(pfn[1])) == vma->anon_vma->parent);
	ut_map(child, DST, 4 * PG, RW, ANON);
	u->ctx = ut_ctx(child, F_MOVE);
	ut_register(u->ctx, DST, 4 * PG, MISSING);
	UT_MOVE(child, u->ctx, DST, SRC, 4 * PG, 0, 0, 4 * PG);
	for (unsigned long i = 0; i < 4; i++) {
		check_moved_page(child, DST + i * PG, SRC + i * PG, i, pfn[i]);
		MT_READ(child, DST + i * PG + 16, 1);
	}
}

/* ==== scheduling steps of one 64-page move ============================================ */

#define NSTEP 64

/* What one run saw, kept across the execution to compare the two modes. */
struct step_seen {
	bool done;
	int rc;
	int64_t out;
	unsigned long pfn[NSTEP];
	uint64_t word[NSTEP][2];
};

static struct mm_config step_cfg;
static struct step_seen step_seen;

struct step_st {
	struct ut u;
	unsigned long pfn[NSTEP];
	int rc;
	int64_t out;
};

/* The layout is built sequentially (no steps counted), only the move runs
 * on CPU0. */
static void step_setup(struct mm_kernel *k, void *st)
{
	struct step_st *s = st;

	(void)k;
	ut_layout(&s->u, NSTEP, F_MOVE);
	get_pfns(s->u.mm, SRC, NSTEP, s->pfn);
}

static void step_run(struct mm_kernel *k, void *st, int cpu)
{
	struct step_st *s = st;

	(void)k;
	(void)cpu;
	s->rc = ut_move(s->u.mm, s->u.ctx, DST, SRC, NSTEP * PG, 0, &s->out);
}

static void step_check(struct mm_kernel *k, void *st)
{
	struct step_st *s = st;

	(void)k;
	MT_EQ(s->rc, 0);
	MT_EQ(s->out, NSTEP * PG);
	step_seen.rc = s->rc;
	step_seen.out = s->out;
	for (unsigned long i = 0; i < NSTEP; i++) {
		unsigned long dst = DST + i * PG;

		check_moved_page(s->u.mm, dst, SRC + i * PG, i, s->pfn[i]);
		step_seen.pfn[i] = mt_pfn(s->u.mm, dst);
		step_seen.word[i][0] = t_load(s->u.mm, dst);
		step_seen.word[i][1] = t_load(s->u.mm, dst + 8);
	}
	step_seen.done = true;
}

MM_PROGRAM_CFG(uffd_move_steps, "one 64-page UFFDIO_MOVE", 1, struct step_st, step_setup,
	       step_run, step_check, &step_cfg);

/* One execution of the 64-page move in @batch mode: its steps; what it saw
 * goes to @seen. */
static uint64_t steps_of(bool batch, struct step_seen *seen)
{
	struct explore_opts o;
	struct explore_result r;
	uint64_t steps;

	mm_config_default(&step_cfg);
	step_cfg.uffd_move_batch = batch;
	memset(&step_seen, 0, sizeof(step_seen));
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.max_steps = 20000000;
	o.cfg.check_every_step = false;
	assert_int_equal(explore_run(&uffd_move_steps, &o, &r), 0);
	t_assert_clean(&uffd_move_steps, &r);
	assert_int_equal(r.executions, 1);
	assert_true(step_seen.done);
	*seen = step_seen;
	steps = r.steps;
	explore_result_free(&r);
	return steps;
}

/* The batched move takes fewer than half the steps of v6.17's, and both
 * end the same: same return, `move`, pages and data. */
static void test_batch_steps(void **state)
{
	struct step_seen v617, v618;
	uint64_t one, batched;

	(void)state;
	one = steps_of(false, &v617);
	batched = steps_of(true, &v618);
	assert_true(batched > 0);
	if (2 * batched >= one)
		fail_msg("the batched move took %llu steps, v6.17's %llu: not fewer than half",
			 (unsigned long long)batched, (unsigned long long)one);
	assert_int_equal(v617.rc, v618.rc);
	assert_int_equal(v617.out, v618.out);
	assert_memory_equal(v617.pfn, v618.pfn, sizeof(v617.pfn));
	assert_memory_equal(v617.word, v618.word, sizeof(v617.word));
}

/* ==== races, batch mode =============================================================== */

struct rb {
	struct ut u;
	unsigned long pfn[4];		/* the source pages after setup */
	int rc;				/* CPU0's MOVE */
	int64_t out;
	uint64_t seen;			/* what CPU1 read */
};

static void rb_setup(struct mm_kernel *k, void *st)
{
	struct rb *s = st;

	(void)k;
	ut_layout(&s->u, 4, F_MOVE);
	get_pfns(s->u.mm, SRC, 4, s->pfn);
}

/* An asynchronous swap device: a paged-out folio stays in the swap cache
 * under writeback. */
static void rb_setup_swap(struct mm_kernel *k, void *st)
{
	MT_EQ(mmt_swapon(4, false, SWAP_ALLOC_LOWEST), 0);
	rb_setup(k, st);
}

static void rb_move(struct rb *s)
{
	MT_TRUE(mmk()->cfg.uffd_move_batch);
	s->rc = ut_move(s->u.mm, s->u.ctx, DST, SRC, 4 * PG, 0, &s->out);
}

/* The whole move happened: every page moved but those in @skip. */
static void rb_check_all(struct rb *s, unsigned skip)
{
	MT_EQ(s->rc, 0);
	MT_EQ(s->out, 4 * PG);
	for (unsigned long i = 0; i < 4; i++)
		if (!(skip & (1U << i)))
			check_moved_page(s->u.mm, DST + i * PG, SRC + i * PG, i, s->pfn[i]);
}

/* ---- a write fault on source page 2 -------------------------------------------------- */

/* CPU1 writes a third word of source page 2 and reads it back: the write
 * went into the page before it moved (and moved with it), or, once it
 * had moved, faulted a new zero-filled page in at the source. */
static void src_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rb *s = st;

	(void)k;
	if (cpu == 0) {
		rb_move(s);
		return;
	}
	MT_WRITE(s->u.mm, SRC + 2 * PG + 16, 7);
	s->seen = t_load(s->u.mm, SRC + 2 * PG + 16);
	MT_EITHER(s->seen, 7, 0);
}

static void src_write_check(struct mm_kernel *k, void *st)
{
	struct rb *s = st;
	struct mm_struct *mm = s->u.mm;
	uint64_t moved_with = t_load(mm, DST + 2 * PG + 16);

	(void)k;
	rb_check_all(s, 1U << 2);
	MT_EITHER(moved_with, 7, 0);
	if (s->seen == 0)
		MT_EQ(moved_with, 7);
	check_at_dst(mm, DST + 2 * PG, 2, s->pfn[2]);
	if (moved_with == 7) {
		/* CPU1's read-back may have mapped the zero page there. */
		MT_TRUE(ut_none(mm, SRC + 2 * PG) ||
			pte_pfn(mt_pte(mm, SRC + 2 * PG)) == mm->k->zero_pfn);
		MT_READ(mm, SRC + 2 * PG + 16, 0);
	} else {
		MT_EQ(s->seen, 7);
		MT_TRUE(ut_present(mm, SRC + 2 * PG));
		MT_NE(mt_pfn(mm, SRC + 2 * PG), s->pfn[2]);
		MT_READ(mm, SRC + 2 * PG, 0);
		MT_READ(mm, SRC + 2 * PG + 16, 7);
	}
}

MM_PROGRAM_CFG(batch_move_vs_src_write, "batched UFFDIO_MOVE races a write to source page 2",
	       2, struct rb, rb_setup, src_write_run, src_write_check, &batch_cfg);

/* ---- a userfault on destination page 1 ----------------------------------------------- */

/* CPU1 reads destination page 1: before the batch put it there, the
 * missing page sleeps in handle_userfault until MOVE's wake (nobody reads
 * the descriptor); after, it finds the page. */
static void dst_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rb *s = st;

	(void)k;
	if (cpu == 0)
		rb_move(s);
	else
		MT_READ(s->u.mm, DST + PG + 8, VAL1(1));
}

static void dst_read_check(struct mm_kernel *k, void *st)
{
	(void)k;
	rb_check_all(st, 0);
}

MM_PROGRAM_CFG(batch_move_vs_dst_read, "batched UFFDIO_MOVE races a userfault on destination"
	       " page 1", 2, struct rb, rb_setup, dst_read_run, dst_read_check, &batch_cfg);

/* ---- MADV_DONTNEED of source page 1 -------------------------------------------------- */

/* CPU1 zaps source page 1: after it moved, nothing is there (all moved);
 * before, page 0 moves and page 1's hole ends the walk: a short move of
 * one page, page 1 freed, pages 2 and 3 still at the source. */
static void dontneed_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rb *s = st;

	(void)k;
	if (cpu == 0)
		rb_move(s);
	else
		MT_EQ(mmt_madvise(s->u.mm, SRC + PG, PG, MADV_DONTNEED), 0);
}

static void dontneed_check(struct mm_kernel *k, void *st)
{
	struct rb *s = st;
	struct mm_struct *mm = s->u.mm;

	(void)k;
	MT_EITHER(s->rc, 0, -EAGAIN);
	if (s->rc == 0) {
		rb_check_all(s, 0);
		return;
	}
	MT_EQ(s->out, PG);
	check_moved_page(mm, DST, SRC, 0, s->pfn[0]);
	MT_TRUE(ut_none(mm, SRC + PG));
	MT_TRUE(t_page_free(s->pfn[1]));
	for (unsigned long i = 1; i < 4; i++)
		MT_TRUE(ut_none(mm, DST + i * PG));
	for (unsigned long i = 2; i < 4; i++) {
		ut_check_kept(mm, SRC + i * PG, i, s->pfn[i]);
		MT_TRUE(mt_exclusive(s->pfn[i]));
	}
	MT_READ(mm, SRC + PG, 0);
}

MM_PROGRAM_CFG(batch_move_vs_dontneed, "batched UFFDIO_MOVE races MADV_DONTNEED of source"
	       " page 1", 2, struct rb, rb_setup, dontneed_run, dontneed_check, &batch_cfg);

/* ---- MADV_PAGEOUT of source page 3 --------------------------------------------------- */

/* CPU1 pages source page 3 out: the whole range moves in every order.
 * Page 3 is at dst as the same page, or as a swap PTE (swapped out at
 * src and then moved, or found by reclaim's rmap walk at dst after it
 * moved); its data reads back. */
static void pageout_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rb *s = st;

	(void)k;
	if (cpu == 0)
		rb_move(s);
	else
		MT_EQ(mmt_madvise(s->u.mm, SRC + 3 * PG, PG, MADV_PAGEOUT), 0);
}

static void pageout_check(struct mm_kernel *k, void *st)
{
	struct rb *s = st;
	struct mm_struct *mm = s->u.mm;
	unsigned long dst = DST + 3 * PG;

	(void)k;
	rb_check_all(s, 1U << 3);
	MT_TRUE(ut_none(mm, SRC + 3 * PG));
	if (ut_swapped(mm, dst)) {
		MT_TRUE(pte_swp_exclusive(mt_pte(mm, dst)));
	} else {
		MT_TRUE(ut_present(mm, dst));
		MT_EQ(mt_pfn(mm, dst), s->pfn[3]);
		MT_TRUE(mt_exclusive(s->pfn[3]));
		check_page_rmap(mm, dst);
	}
	MT_READ(mm, dst, VAL(3));
	MT_READ(mm, dst + 8, VAL1(3));
	MT_TRUE(ut_present(mm, dst));
	check_page_rmap(mm, dst);
	MT_READ(mm, SRC + 3 * PG, 0);
}

MM_PROGRAM_CFG(batch_move_vs_pageout, "batched UFFDIO_MOVE races MADV_PAGEOUT of source page"
	       " 3 (async swap)", 2, struct rb, rb_setup_swap, pageout_run, pageout_check,
	       &batch_cfg);

/* ==== the cmocka side ================================================================= */

#if defined(__SANITIZE_ADDRESS__)
#define BUDGET 300
#else
#define BUDGET 1000
#endif

/*
 * Each program: random and PCT budgets and DFS to exhaustion at
 * step_bound preemptions, all with the per-step invariants before every
 * step; then DFS at 2 preemptions (3 with MMTWIN_SOAK=1) checking the
 * outcome and every invariant at the end of each execution only (the
 * per-step checks cost about ten times the execution).  Measured here:
 * with per-step checks at 2 preemptions dst_read takes ~5 s (9290
 * executions) and pageout ~10 s (14878), so they run at 1 in the fast set
 * and at 2 in the soak set; end-only at 3, every program is clean too
 * (pageout: 755631 executions, ~43 s).
 */
struct race_case {
	const struct sim_program *prog;
	int step_bound;
};

static const struct race_case races[] = {
	{ &batch_move_vs_src_write, 2 },
	{ &batch_move_vs_dst_read, 1 },
	{ &batch_move_vs_dontneed, 2 },
	{ &batch_move_vs_pageout, 1 },
};
#define NRACES (sizeof(races) / sizeof(races[0]))

/* DFS to exhaustion of @bound, with or without the per-step invariants. */
static void race_dfs(const struct race_case *c, int bound, bool every_step)
{
	struct explore_opts o;

	t_race_opts(&o, EXPLORE_DFS, bound, 0);
	o.cfg.check_every_step = every_step;
	t_race_clean(c->prog, &o);
}

/* Nothing found by any strategy; DFS covers its whole bound. */
static void test_race(void **state)
{
	const struct race_case *c = *state;

	t_race_all_clean(c->prog, test_soak() ? 10 * BUDGET : BUDGET,
			 test_soak() && c->step_bound < 2 ? 2 : c->step_bound);
	race_dfs(c, test_soak() ? 3 : 2, false);
}

/* ==== the table ======================================================================= */

static const struct CMUnitTest sequential[] = {
	UT_CASE(move16, .run = move16),
	UT_CASE(straddle_pmd, .run = straddle),
	UT_CASE(mixed_holes, .run = mixed, .p = { 0 }),
	UT_CASE(mixed_short_at_hole, .run = mixed, .p = { 1 }),
	UT_CASE(shared_page_short, .run = shared_page),
	UT_CASE(pinned_page_short, .run = pinned_page),
	UT_CASE(dst_present_short, .run = dst_present),
	UT_CASE(same_table, .run = same_table),
	UT_CASE(two_anon_vmas, .run = two_anon_vmas),
};

int main(int argc, char **argv)
{
	static const struct CMUnitTest steps[] = {
		cmocka_unit_test(test_batch_steps),
	};
	struct CMUnitTest explored[NRACES];
	int fails;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	ut_batch = true;
	fails = cmocka_run_group_tests_name("uffd_batch: 6.18 batched move", sequential, NULL,
					    NULL);
	/* The same cases one PTE at a time (v6.17): the same results. */
	ut_batch = false;
	fails |= cmocka_run_group_tests_name("uffd_batch: the same, v6.17", sequential, NULL,
					     NULL);
	fails |= cmocka_run_group_tests_name("uffd_batch: steps", steps, NULL, NULL);
	for (size_t i = 0; i < NRACES; i++)
		explored[i] = (struct CMUnitTest){ .name = races[i].prog->name,
						   .test_func = test_race,
						   .initial_state = (void *)&races[i] };
	return fails | _cmocka_run_group_tests("uffd_batch: races, batch mode", explored, NRACES,
					       NULL, NULL);
}
