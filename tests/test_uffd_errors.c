/*
 * test_uffd_errors.c - UFFDIO_MOVE's error table (KERNEL-SPEC §A.6) row by
 * row, as user space meets it: each case asserts what ioctl(2) returns, what
 * the kernel wrote into `move` (SENT: nothing), and what the pages are
 * afterwards (moved, kept, swapped, empty); most then remove the cause and
 * show the same request succeed, so the error is known to come from it.
 *
 * ENOMEM comes from the model's fail-nth (mmt_fail_nth), EINTR from a
 * pending SIGKILL (mmt_kill).  Not reachable in the model, so not here: the
 * internal EINVAL sanity checks (a PMD turning none or huge
 * between allocation and the PTE walk; the WARNs of move_pages_huge_pmd)
 * need a kernel bug or khugepaged, which the model does not have;
 * PFNMAP/IO/HUGETLB/MIXEDMAP/SHADOW_STACK VMAs cannot be created through
 * the model's mmap.  EFAULT for a PTE marker at the source is reached here
 * only by planting a uffd-wp marker (white box): the kernel creates one for
 * anonymous memory only with UFFD_FEATURE_WP_UNPOPULATED, which the model
 * accepts but does not implement (change_protection_uffd leaves empty PTEs
 * alone).
 */
#include "uffdtest.h"

#define F_MOVE MMT_UFFD_FEATURE_MOVE
#define MISSING MMT_UFFDIO_REGISTER_MODE_MISSING
#define HOLES MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES

/* ut_layout() with DST page i written (0xd0 + i) before registration for
 * every bit i of @dst_mask. */
static void layout_dst(struct ut *u, unsigned long pages, unsigned long dst_mask)
{
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, pages * PG, RW, ANON);
	ut_map(u->mm, DST, pages * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, pages * PG, MADV_NOHUGEPAGE), 0);
	MT_EQ(mmt_madvise(u->mm, DST, pages * PG, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm, SRC, pages);
	for (unsigned long i = 0; i < pages; i++)
		if (dst_mask & (1UL << i))
			MT_WRITE(u->mm, DST + i * PG, 0xd0 + i);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, pages * PG, MISSING);
}

/* The first page moves once the cause is gone. */
static void move_one_ok(struct ut *u, unsigned long dst, unsigned long src, unsigned long pfn)
{
	UT_MOVE(u->mm, u->ctx, dst, src, PG, 0, 0, PG);
	ut_check_moved(u->mm, dst, src, 0, pfn);
}

/* ==== EINVAL ========================================================================= */

/* No UFFDIO_API yet: every ioctl but UFFDIO_API (and read) is refused by
 * the dispatcher before its argument is read; nothing is written. */
static void einval_no_handshake(struct ut *u)
{
	struct mmt_uffdio_register reg = { { DST, PG }, MISSING, 0x77 };
	struct mmt_uffdio_range range = { DST, PG };
	struct mmt_uffdio_writeprotect wp = { { DST, PG }, 0 };
	struct mmt_uffdio_api api = { MMT_UFFD_API, F_MOVE, 0 };
	struct mmt_uffd_msg msg;
	unsigned long pfn;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, PG, RW, ANON);
	ut_map(u->mm, DST, PG, RW, ANON);
	ut_fill(u->mm, SRC, 1);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_userfaultfd(u->mm, 0, &u->ctx), 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, 0, -EINVAL, SENT);
	UT_ZERO(u->ctx, DST, PG, 0, -EINVAL, SENT);
	MT_EQ(mmt_uffd_register(u->ctx, &reg), -EINVAL);
	MT_EQ(reg.ioctls, 0x77);
	MT_EQ(mmt_uffd_unregister(u->ctx, &range), -EINVAL);
	MT_EQ(mmt_uffd_wake(u->ctx, &range), -EINVAL);
	MT_EQ(mmt_uffd_writeprotect(u->ctx, &wp), -EINVAL);
	MT_EQ(mmt_uffd_read(u->ctx, &msg), -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	/* After the handshake the same requests go through. */
	MT_EQ(mmt_uffd_api(u->ctx, &api), 0);
	MT_EQ(mmt_uffd_register(u->ctx, &reg), 0);
	move_one_ok(u, DST, SRC, pfn);
}

/* The caller must be a thread of the context's mm (no cross-process
 * moves, e.g. from a monitor); `move` is not written. */
static void einval_cross_mm(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	u->mm2 = mmt_mm_create();
	ut_map(u->mm2, SRC, PG, RW, ANON);
	ut_map(u->mm2, DST, PG, RW, ANON);
	MT_WRITE(u->mm2, SRC, 0xee);
	UT_MOVE(u->mm2, u->ctx, DST, SRC, PG, 0, -EINVAL, SENT);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_READ(u->mm2, SRC, 0xee);
	move_one_ok(u, DST, SRC, pfn);
}

/*
 * validate_range() of dst, then src, then the mode bits: p = { dst, src,
 * len, mode }.  All are refused before move_pages() runs: `move` is not
 * written and nothing moves.  (The kernel's own wrap test, start + len <=
 * start, cannot fire after `len > TASK_SIZE - start`; a wrapping request
 * is refused by the latter.)
 */
static void einval_request(struct ut *u)
{
	const uint64_t *p = u->c->p;
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	UT_MOVE(u->mm, u->ctx, p[0], p[1], p[2], p[3], -EINVAL, SENT);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	move_one_ok(u, DST, SRC, pfn);
}

/* A shared source (MAP_SHARED|MAP_ANONYMOUS: shmem) is refused inside
 * move_pages(), so `move` says -EINVAL. */
static void einval_shared_src(struct ut *u)
{
	ut_layout(u, 1, F_MOVE);
	ut_map(u->mm, SRC2, PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	MT_WRITE(u->mm, SRC2, 7);
	UT_MOVE(u->mm, u->ctx, DST, SRC2, PG, 0, -EINVAL, -EINVAL);
	MT_READ(u->mm, SRC2, 7);
	MT_TRUE(ut_none(u->mm, DST));
}

/* A shared destination: refused by the same check (before the
 * registration check, which it would fail too in the model, where shmem
 * cannot be registered). */
static void einval_shared_dst(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST2, PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	UT_MOVE(u->mm, u->ctx, DST2, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_READ(u->mm, DST2, 0);
}

/* The source range runs past the end of its VMA (into a hole): refused as
 * a whole, even the pages inside it stay. */
static void einval_src_past_vma(struct ut *u)
{
	layout_dst(u, 2, 0);
	ut_map(u->mm, DST2, 3 * PG, RW, ANON);
	ut_register(u->ctx, DST2, 3 * PG, MISSING);
	UT_MOVE(u->mm, u->ctx, DST2, SRC, 3 * PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, 0);
	ut_check_kept(u->mm, SRC + PG, 1, 0);
	MT_TRUE(ut_none(u->mm, DST2));
	UT_MOVE(u->mm, u->ctx, DST2, SRC, 2 * PG, 0, 0, 2 * PG);
	ut_check_moved(u->mm, DST2 + PG, SRC + PG, 1, 0);
}

/* The destination range runs into the next VMA (another one, not merged:
 * its protection differs): refused. */
static void einval_dst_past_vma(struct ut *u)
{
	layout_dst(u, 3, 0);
	MT_EQ(mmt_uffd_unregister(u->ctx, &(struct mmt_uffdio_range){ DST, 3 * PG }), 0);
	MT_EQ(mmt_munmap(u->mm, DST + 2 * PG, PG), 0);
	ut_map(u->mm, DST + 2 * PG, PG, PROT_READ, ANON);
	ut_register(u->ctx, DST, 3 * PG, MISSING);
	MT_EQ(mt_nr_vmas(u->mm), 3);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 3 * PG, 0, -EINVAL, -EINVAL);
	for (unsigned long i = 0; i < 3; i++) {
		ut_check_kept(u->mm, SRC + i * PG, i, 0);
		MT_TRUE(ut_none(u->mm, DST + i * PG));
	}
	UT_MOVE(u->mm, u->ctx, DST, SRC, 2 * PG, 0, 0, 2 * PG);
	ut_check_moved(u->mm, DST, SRC, 0, 0);
}

/* Different access rights (src also executable): refused; the same after
 * mprotect: moved. */
static void einval_prot_mismatch(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_mprotect(u->mm, SRC, PG, RW | PROT_EXEC), 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_EQ(mmt_mprotect(u->mm, SRC, PG, RW), 0);
	move_one_ok(u, DST, SRC, pfn);
}

/* VM_LOCKED on one side only: refused; munlock: moved. */
static void einval_mlock_mismatch(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_mlock(u->mm, SRC, PG), 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_EQ(mmt_munlock(u->mm, SRC, PG), 0);
	move_one_ok(u, DST, SRC, pfn);
}

/* Both sides read-only (equal rights, but not writable): refused. */
static void einval_not_writable(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_mprotect(u->mm, SRC, PG, PROT_READ), 0);
	MT_EQ(mmt_mprotect(u->mm, DST, PG, PROT_READ), 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_EQ(mmt_mprotect(u->mm, SRC, PG, RW), 0);
	MT_EQ(mmt_mprotect(u->mm, DST, PG, RW), 0);
	move_one_ok(u, DST, SRC, pfn);
}

/* The destination is not registered: refused (the source never needs to
 * be). */
static void einval_dst_unregistered(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST2, PG, RW, ANON);
	UT_MOVE(u->mm, u->ctx, DST2, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_READ(u->mm, DST2, 0);
	move_one_ok(u, DST, SRC, pfn);
}

/* The destination is registered with another context of the same mm:
 * refused through this one, moved through that one; and the other way. */
static void einval_dst_other_ctx(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST2, PG, RW, ANON);
	u->ctx2 = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx2, DST2, PG, MISSING);
	UT_MOVE(u->mm, u->ctx, DST2, SRC, PG, 0, -EINVAL, -EINVAL);
	UT_MOVE(u->mm, u->ctx2, DST, SRC, PG, 0, -EINVAL, -EINVAL);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_TRUE(ut_none(u->mm, DST2));
	UT_MOVE(u->mm, u->ctx2, DST2, SRC, PG, 0, 0, PG);
	ut_check_moved(u->mm, DST2, SRC, 0, pfn);
}

/* A private file mapping is not anonymous, even where a write made an
 * anonymous copy of the page: refused. */
static void einval_file_src(struct ut *u)
{
	ut_layout(u, 1, F_MOVE);
	u->file = mmt_file_create(PG);
	MT_EQ(mmt_mmap(u->mm, SRC2, PG, RW, MAP_PRIVATE | MAP_FIXED, u->file, 0), SRC2);
	MT_WRITE(u->mm, SRC2, 9);
	MT_TRUE(ut_present(u->mm, SRC2));
	UT_MOVE(u->mm, u->ctx, DST, SRC2, PG, 0, -EINVAL, -EINVAL);
	MT_READ(u->mm, SRC2, 9);
	MT_TRUE(ut_none(u->mm, DST));
}

/* ==== ENOENT ========================================================================= */

/* No VMA at dst / at src: the lookup fails. */
static void enoent_no_dst_vma(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	UT_MOVE(u->mm, u->ctx, DST2, SRC, PG, 0, -ENOENT, -ENOENT);
	ut_check_kept(u->mm, SRC, 0, pfn);
	/* mmap_min_addr itself is a valid start: the lookup decides there. */
	UT_MOVE(u->mm, u->ctx, 65536, SRC, PG, 0, -ENOENT, -ENOENT);
	ut_check_kept(u->mm, SRC, 0, pfn);
}

static void enoent_no_src_vma(struct ut *u)
{
	ut_layout(u, 1, F_MOVE);
	UT_MOVE(u->mm, u->ctx, DST, SRC2, PG, 0, -ENOENT, -ENOENT);
	UT_MOVE(u->mm, u->ctx, DST, SRC2, PG, HOLES, -ENOENT, -ENOENT);
	MT_TRUE(ut_none(u->mm, DST));
}

/*
 * A source hole without ALLOW_SRC_HOLES: ENOENT; with it, the hole counts
 * as moved (and the destination stays empty).  p[0] says which hole:
 * 0: no PMD (nothing of the source's PUD was ever touched), 1: a none PMD
 * (a neighbouring PMD was), 2: a none PTE (a neighbouring page was).
 */
static void enoent_src_hole(struct ut *u)
{
	unsigned long kind = u->c->p[0], src = FAR;
	pmd_t *pmd;

	ut_layout(u, 1, F_MOVE);
	ut_map(u->mm, FAR, 2 * HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, FAR, 2 * HP, MADV_NOHUGEPAGE), 0);
	if (kind == 1)
		MT_WRITE(u->mm, FAR + HP, 5);
	if (kind == 2)
		MT_WRITE(u->mm, FAR + PG, 5);
	pmd = mm_find_pmd(u->mm, src);
	if (kind == 0)
		MT_TRUE(!pmd);
	else
		MT_TRUE(pmd && (kind == 1 ? pmd_none(*pmd) : pmd_is_table(*pmd)));
	MT_TRUE(ut_none(u->mm, src));
	UT_MOVE(u->mm, u->ctx, DST, src, PG, 0, -ENOENT, -ENOENT);
	MT_TRUE(ut_none(u->mm, DST));
	UT_MOVE(u->mm, u->ctx, DST, src, PG, HOLES, 0, PG);
	MT_TRUE(ut_none(u->mm, DST));
	MT_TRUE(ut_none(u->mm, src));
	/* The walk allocated the source's tables on its way. */
	pmd = mm_find_pmd(u->mm, src);
	MT_TRUE(pmd && pmd_is_table(*pmd));
	if (kind)
		MT_READ(u->mm, kind == 1 ? FAR + HP : FAR + PG, 5);
	/* The destination is still missing: a real page can still go there. */
	move_one_ok(u, DST, SRC, 0);
}

/* Holes inside a range: with ALLOW_SRC_HOLES the whole range counts as
 * moved; without, the pages before the hole move and the call reports a
 * short move (EAGAIN, `move` = the bytes done). */
static void enoent_hole_in_range(struct ut *u)
{
	layout_dst(u, 3, 0);
	MT_EQ(mmt_madvise(u->mm, SRC + PG, PG, MADV_DONTNEED), 0);
	MT_TRUE(ut_none(u->mm, SRC + PG));
	UT_MOVE(u->mm, u->ctx, DST, SRC, 3 * PG, 0, -EAGAIN, PG);
	ut_check_moved(u->mm, DST, SRC, 0, 0);
	MT_TRUE(ut_none(u->mm, DST + PG));
	ut_check_kept(u->mm, SRC + 2 * PG, 2, 0);
	/* Resuming where it stopped learns why. */
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, 2 * PG, 0, -ENOENT, -ENOENT);
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, 2 * PG, HOLES, 0, 2 * PG);
	MT_TRUE(ut_none(u->mm, DST + PG));
	ut_check_moved(u->mm, DST + 2 * PG, SRC + 2 * PG, 2, 0);
}

/* ==== EEXIST ========================================================================= */

/* A present destination page (a real page, or the zero page). */
static void eexist_dst_present(struct ut *u)
{
	unsigned long pfn;

	layout_dst(u, 2, 1UL << 0);
	pfn = mt_pfn(u->mm, SRC);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_READ(u->mm, DST, 0xd0);
	UT_ZERO(u->ctx, DST + PG, PG, 0, 0, PG);
	MT_EQ(pte_pfn(mt_pte(u->mm, DST + PG)), u->mm->k->zero_pfn);
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, -EEXIST, -EEXIST);
	ut_check_kept(u->mm, SRC + PG, 1, 0);
	MT_READ(u->mm, DST + PG, 0);
}

/* A swap PTE at the destination: EEXIST, and it stays (its data with it). */
static void eexist_dst_swap(struct ut *u)
{
	unsigned long pfn;

	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	layout_dst(u, 1, 1UL << 0);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_madvise(u->mm, DST, PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm, DST));
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, HOLES, -EEXIST, -EEXIST);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_swapped(u->mm, DST));
	MT_READ(u->mm, DST, 0xd0);
}

static const struct mm_config thp_cfg = {
	.nr_pages = 4096, .thp_madvise = 1UL << HPAGE_PMD_ORDER, .thp_use_zero_page = true,
};

/* A THP at the destination (checked before anything else of the step). */
static void eexist_dst_thp(struct ut *u)
{
	unsigned long pfn;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, PG, RW, ANON);
	ut_fill(u->mm, SRC, 1);
	pfn = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_HUGEPAGE), 0);
	MT_WRITE(u->mm, DST + 3 * PG, 0xd3);
	MT_TRUE(t_huge(u->mm, DST));
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, HP, MISSING);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC, PG, HOLES, -EEXIST, -EEXIST);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(t_huge(u->mm, DST));
	MT_READ(u->mm, DST + 3 * PG, 0xd3);
}

/*
 * A THP source moved as a whole PMD onto a destination that has a PTE
 * table (page 5 present): the src PMD is split and the pages go one by one
 * (each splitting the folio first) until page 5, which ends the walk with
 * EEXIST: a short move of 5 pages.
 */
static void eexist_pmd_path(struct ut *u)
{
	unsigned long head;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, HP, MADV_HUGEPAGE), 0);
	ut_fill(u->mm, SRC, 8);
	MT_TRUE(t_huge(u->mm, SRC));
	head = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_NOHUGEPAGE), 0);
	MT_WRITE(u->mm, DST + 5 * PG, 0xd5);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, HP, MISSING);
	UT_MOVE(u->mm, u->ctx, DST, SRC, HP, 0, -EAGAIN, 5 * PG);
	MT_TRUE(pmd_is_table(mt_pmd(u->mm, SRC)));
	for (unsigned long i = 0; i < 5; i++) {
		ut_check_moved(u->mm, DST + i * PG, SRC + i * PG, i, head + i);
		MT_EQ(t_order(head + i), 0);
	}
	MT_READ(u->mm, DST + 5 * PG, 0xd5);
	ut_check_kept(u->mm, SRC + 5 * PG, 5, head + 5);
	UT_MOVE(u->mm, u->ctx, DST + 5 * PG, SRC + 5 * PG, HP - 5 * PG, 0, -EEXIST, -EEXIST);
	/* Beyond the populated page, the rest moves. */
	UT_MOVE(u->mm, u->ctx, DST + 6 * PG, SRC + 6 * PG, HP - 6 * PG, 0, 0, HP - 6 * PG);
	ut_check_moved(u->mm, DST + 7 * PG, SRC + 7 * PG, 7, head + 7);
	MT_READ(u->mm, DST + 300 * PG, 0);
}

/* ==== EBUSY ========================================================================== */

/* Shared with a child after fork (not PageAnonExclusive): EBUSY, even
 * after the child is gone; a write fault makes it exclusive again. */
static void ebusy_fork(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	MT_FALSE(mt_exclusive(pfn));
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, HOLES, -EBUSY, -EBUSY);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	MT_READ(u->mm2, SRC, VAL(0));
	MT_EQ(mt_pfn(u->mm2, SRC), pfn);
	mmt_exit(u->mm2);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	MT_WRITE(u->mm, SRC + 16, 1);		/* reuses the page: exclusive */
	MT_EQ(mt_pfn(u->mm, SRC), pfn);
	move_one_ok(u, DST, SRC, pfn);
}

/* MADV_DONTFORK on the source (what the man page advises): the child
 * gets no copy, so the page stays exclusive and moves. */
static void ebusy_avoided_by_dontfork(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_madvise(u->mm, SRC, PG, MADV_DONTFORK), 0);
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	MT_TRUE(mt_exclusive(pfn));
	MT_TRUE(!vma_lookup(u->mm2, SRC));
	move_one_ok(u, DST, SRC, pfn);
}

/* A short move ended by EBUSY: page 0 was made exclusive again by a
 * write (a copy), page 1 is still shared with the child. */
static void ebusy_short(struct ut *u)
{
	unsigned long pfn1;

	layout_dst(u, 2, 0);
	pfn1 = mt_pfn(u->mm, SRC + PG);
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	MT_WRITE(u->mm, SRC + 16, 1);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 2 * PG, 0, -EAGAIN, PG);
	ut_check_moved(u->mm, DST, SRC, 0, 0);
	ut_check_kept(u->mm, SRC + PG, 1, pfn1);
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, -EBUSY, -EBUSY);
	MT_READ(u->mm2, SRC, VAL(0));
	MT_READ(u->mm2, SRC + 16, 0);
}

/* A swap PTE without the exclusive bit (fork after swap-out): EBUSY. */
static void ebusy_swap_shared(struct ut *u)
{
	swp_entry_t e;

	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	ut_layout(u, 1, F_MOVE);
	MT_EQ(mmt_madvise(u->mm, SRC, PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm, SRC));
	MT_TRUE(pte_swp_exclusive(mt_pte(u->mm, SRC)));
	e = pte_to_swp_entry(mt_pte(u->mm, SRC));
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	MT_FALSE(pte_swp_exclusive(mt_pte(u->mm, SRC)));
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	MT_TRUE(ut_swapped(u->mm, SRC));
	MT_EQ(pte_to_swp_entry(mt_pte(u->mm, SRC)).val, e.val);
	MT_TRUE(ut_none(u->mm, DST));
	MT_READ(u->mm2, SRC, VAL(0));
	MT_READ(u->mm, SRC, VAL(0));
}

/* The exclusive swap PTE is moved as it is when no folio is cached. */
static void swap_pte_moves(struct ut *u)
{
	swp_entry_t e;

	MT_EQ(mmt_swapon(8, true, SWAP_ALLOC_LOWEST), 0);
	ut_layout(u, 1, F_MOVE);
	MT_EQ(mmt_madvise(u->mm, SRC, PG, MADV_PAGEOUT), 0);
	e = pte_to_swp_entry(mt_pte(u->mm, SRC));
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, 0, PG);
	MT_TRUE(ut_none(u->mm, SRC));
	MT_TRUE(ut_swapped(u->mm, DST));
	MT_EQ(pte_to_swp_entry(mt_pte(u->mm, DST)).val, e.val);
	MT_TRUE(pte_swp_exclusive(mt_pte(u->mm, DST)));
	MT_READ(u->mm, DST, VAL(0));
	MT_READ(u->mm, DST + 8, VAL1(0));
	MT_READ(u->mm, SRC, 0);
}

static const struct mm_config mthp_cfg = {
	.nr_pages = 4096, .thp_always = 1UL << 4, .thp_use_zero_page = true,
};

/*
 * A large (order-4) folio swapped out to an asynchronous device stays in
 * the swap cache under writeback: MOVE cannot split an unmapped folio, so
 * EBUSY.  Once written back and reclaimed, the swap PTE moves.
 */
static void ebusy_large_swapcache(struct ut *u)
{
	struct swap_info_struct *si;
	unsigned long head;
	swp_entry_t e;

	MT_EQ(mmt_swapon(64, false, SWAP_ALLOC_LOWEST), 0);
	si = mmk()->swap_info[0];
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, 16 * PG, RW, ANON);
	ut_map(u->mm, DST, 16 * PG, RW, ANON);
	ut_fill(u->mm, SRC, 16);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 16 * PG, MISSING);
	head = mt_pfn(u->mm, SRC);
	MT_EQ(t_order(head), 4);
	MT_EQ(mmt_madvise(u->mm, SRC, 16 * PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm, SRC));
	MT_TRUE(pte_swp_exclusive(mt_pte(u->mm, SRC)));
	e = pte_to_swp_entry(mt_pte(u->mm, SRC));
	MT_EQ(si->cache[swp_offset(e)], head);
	MT_EQ(t_order(head), 4);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	UT_MOVE(u->mm, u->ctx, DST + 5 * PG, SRC + 5 * PG, PG, 0, -EBUSY, -EBUSY);
	MT_EQ(pte_to_swp_entry(mt_pte(u->mm, SRC)).val, e.val);
	MT_TRUE(ut_none(u->mm, DST));
	MT_EQ(mmt_swap_io_complete(), 1);
	MT_EQ(mmt_reclaim(16), 1);
	MT_EQ(si->cache[swp_offset(e)], 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 2 * PG, 0, 0, 2 * PG);
	MT_EQ(pte_to_swp_entry(mt_pte(u->mm, DST)).val, e.val);
	MT_READ(u->mm, DST, VAL(0));
	MT_READ(u->mm, DST + PG + 8, VAL1(1));
	MT_READ(u->mm, SRC + 15 * PG, VAL(15));
}

/* A large folio under writeback that is mapped again (read faults on pages
 * 3 and 0 find it in the swap cache and map those pages): MOVE of page 3
 * must split it, and split_folio() refuses a folio under writeback: EBUSY.
 * Once written back, the split succeeds and the page moves.  (With page 3
 * alone mapped, MOVE says EBUSY for another reason: like the kernel, it
 * checks PageAnonExclusive on the folio's head page, which is not mapped.) */
static void ebusy_split_writeback(struct ut *u)
{
	unsigned long head;
	uint64_t v;

	MT_EQ(mmt_swapon(64, false, SWAP_ALLOC_LOWEST), 0);
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, 16 * PG, RW, ANON);
	ut_map(u->mm, DST, 16 * PG, RW, ANON);
	ut_fill(u->mm, SRC, 16);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 16 * PG, MISSING);
	head = mt_pfn(u->mm, SRC);
	MT_EQ(t_order(head), 4);
	MT_EQ(mmt_madvise(u->mm, SRC, 16 * PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(u->mm, SRC + 3 * PG));
	MT_EQ(mmt_read(u->mm, SRC + 3 * PG, &v), 0);
	MT_EQ(v, VAL(3));
	MT_TRUE(ut_present(u->mm, SRC + 3 * PG));
	MT_EQ(mt_pfn(u->mm, SRC + 3 * PG), head + 3);
	MT_EQ(t_order(head), 4);
	UT_MOVE(u->mm, u->ctx, DST + 3 * PG, SRC + 3 * PG, PG, 0, -EBUSY, -EBUSY);
	MT_FALSE(mt_exclusive(head));
	MT_EQ(mmt_read(u->mm, SRC, &v), 0);
	MT_EQ(v, VAL(0));
	MT_EQ(mt_pfn(u->mm, SRC), head);
	MT_TRUE(mt_exclusive(head));
	MT_TRUE(folio_test_writeback(pfn_folio(head)));
	UT_MOVE(u->mm, u->ctx, DST + 3 * PG, SRC + 3 * PG, PG, 0, -EBUSY, -EBUSY);
	MT_EQ(t_order(head), 4);
	MT_TRUE(ut_present(u->mm, SRC + 3 * PG));
	MT_TRUE(ut_none(u->mm, DST + 3 * PG));
	MT_EQ(mmt_swap_io_complete(), 1);
	UT_MOVE(u->mm, u->ctx, DST + 3 * PG, SRC + 3 * PG, PG, 0, 0, PG);
	MT_EQ(t_order(head), 0);
	MT_READ(u->mm, DST + 3 * PG, VAL(3));
	MT_READ(u->mm, DST + 3 * PG + 8, VAL1(3));
	MT_READ(u->mm, SRC + 4 * PG, VAL(4));
}

/* A THP shared with a child: the whole-PMD move and the split path both
 * refuse it (the head page is not exclusive). */
static void ebusy_thp_shared(struct ut *u)
{
	unsigned long head;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, HP, MADV_HUGEPAGE), 0);
	ut_fill(u->mm, SRC, 2);
	head = mt_pfn(u->mm, SRC);
	MT_TRUE(t_huge(u->mm, SRC));
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_HUGEPAGE), 0);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, HP, MISSING);
	MT_EQ(mmt_fork(u->mm, &u->mm2), 0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, HP, 0, -EBUSY, -EBUSY);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	MT_TRUE(t_huge(u->mm, SRC));
	MT_EQ(mt_pfn(u->mm, SRC), head);
	MT_TRUE(ut_none(u->mm, DST));
	MT_READ(u->mm, SRC + PG, VAL(1));
	MT_READ(u->mm2, SRC + PG, VAL(1));
}

/* A small folio that may be DMA-pinned: EBUSY (checked under both PTLs),
 * with or without ALLOW_SRC_HOLES; the page stays.  Unpinned, it moves. */
static void ebusy_pinned(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	t_pin(pfn, 1);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBUSY, -EBUSY);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, HOLES, -EBUSY, -EBUSY);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	t_pin(pfn, -1);
	move_one_ok(u, DST, SRC, pfn);
}

/* A pinned THP: the whole-PMD move refuses it.  Unpinned, a PTE-sized
 * move splits the PMD and the folio, and the page moves. */
static void ebusy_thp_pinned(struct ut *u)
{
	unsigned long head;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, HP, MADV_HUGEPAGE), 0);
	ut_fill(u->mm, SRC, 2);
	head = mt_pfn(u->mm, SRC);
	MT_TRUE(t_huge(u->mm, SRC));
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_HUGEPAGE), 0);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, HP, MISSING);
	t_pin(head, 1);
	UT_MOVE(u->mm, u->ctx, DST, SRC, HP, 0, -EBUSY, -EBUSY);
	MT_TRUE(t_huge(u->mm, SRC));
	MT_EQ(mt_pfn(u->mm, SRC), head);
	MT_TRUE(ut_none(u->mm, DST));
	if (u->c->p[0]) {
		/*
		 * Still pinned, a PTE-sized move: the PMD is split (a pin does
		 * not stop that), then move_pages_pte() calls split_folio(),
		 * which fails with -EAGAIN on the extra reference, and
		 * move_pages() retries -EAGAIN at the same address: the kernel
		 * spins until a fatal signal (EINTR).  The model reports the
		 * retry loop as a livelock (the case expects it).
		 */
		if (u->c->p[0] == 2) {
			/* ... until killed: -EINTR, the PMD split, nothing moved. */
			mmt_kill(0);
			UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EINTR, -EINTR);
			MT_FALSE(t_huge(u->mm, SRC));
			MT_EQ(t_order(head), HPAGE_PMD_ORDER);
			MT_TRUE(ut_none(u->mm, DST));
			MT_READ(u->mm, SRC + PG, VAL(1));
			t_pin(head, -1);
			return;
		}
		ut_move(u->mm, u->ctx, DST, SRC, PG, 0, NULL);
		return;
	}
	t_pin(head, -1);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, 0, PG);
	MT_FALSE(t_huge(u->mm, SRC));
	MT_EQ(t_order(head), 0);
	ut_check_moved(u->mm, DST, SRC, 0, head);
	MT_READ(u->mm, SRC + PG, VAL(1));
}

/* ==== EAGAIN: a short move ===================================================== */

/* Three pages, the third destination page populated: two move, then
 * EEXIST ends the walk: EAGAIN with `move` = 2 pages. */
static void eagain_short_move(struct ut *u)
{
	unsigned long pfn[3];

	layout_dst(u, 3, 1UL << 2);
	for (int i = 0; i < 3; i++)
		pfn[i] = mt_pfn(u->mm, SRC + (unsigned long)i * PG);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 3 * PG, 0, -EAGAIN, 2 * PG);
	ut_check_moved(u->mm, DST, SRC, 0, pfn[0]);
	ut_check_moved(u->mm, DST + PG, SRC + PG, 1, pfn[1]);
	ut_check_kept(u->mm, SRC + 2 * PG, 2, pfn[2]);
	MT_READ(u->mm, DST + 2 * PG, 0xd2);
	MT_EQ(mt_rss(u->mm, MM_ANONPAGES), 4);
	/* User space resumes at +move and learns the error. */
	UT_MOVE(u->mm, u->ctx, DST + 2 * PG, SRC + 2 * PG, PG, 0, -EEXIST, -EEXIST);
}

/* ==== ENOMEM (fail-nth) =============================================================== */

/*
 * An allocation fails (mmt_fail_nth, the model's /proc/thread-self/fail-nth).
 * p[0] = n: 1 fails the destination VMA's anon_vma (uffd_move_lock ->
 * anon_vma_prepare, before anything moved), 2 the destination PTE table.
 * Nothing moves; `move` says -ENOMEM; disarmed, the same request works.
 */
static void enomem_dst(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	mmt_fail_nth((int)u->c->p[0]);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -ENOMEM, -ENOMEM);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	/* White box: which allocation it was. */
	MT_EQ(vma_lookup(u->mm, DST)->anon_vma != NULL, u->c->p[0] == 2);
	MT_TRUE(pmd_none(pmdp_get_lockless(mm_find_pmd(u->mm, DST))));
	mmt_fail_nth(0);
	move_one_ok(u, DST, SRC, pfn);
}

/* Holes mode over a source gigabyte nothing ever touched: the source's PMD
 * page must be allocated, and that fails. */
#define SRC_FAR 0x40000000UL	/* another PUD than SRC and DST */
static void enomem_src_hole_table(struct ut *u)
{
	ut_layout(u, 1, F_MOVE);
	ut_map(u->mm, SRC_FAR, PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC_FAR, PG, MADV_NOHUGEPAGE), 0);
	mmt_fail_nth(1);
	UT_MOVE(u->mm, u->ctx, DST, SRC_FAR, PG, HOLES, -ENOMEM, -ENOMEM);
	MT_TRUE(mm_find_pmd(u->mm, SRC_FAR) == NULL);
	mmt_fail_nth(0);
	UT_MOVE(u->mm, u->ctx, DST, SRC_FAR, PG, HOLES, 0, PG);
	MT_TRUE(ut_none(u->mm, DST));
}

/* A short move: the first page's destination table exists, the next
 * page's (across a PMD boundary) cannot be allocated: EAGAIN, `move` = one
 * page. */
static void enomem_short(struct ut *u)
{
	unsigned long s0 = SRC + HP - PG, d0 = DST + HP - PG, pfn[2];

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, 2 * HP, RW, ANON);
	ut_map(u->mm, DST, 2 * HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, 2 * HP, MADV_NOHUGEPAGE), 0);
	MT_EQ(mmt_madvise(u->mm, DST, 2 * HP, MADV_NOHUGEPAGE), 0);
	MT_WRITE(u->mm, s0, VAL(0));
	MT_WRITE(u->mm, s0 + 8, VAL1(0));
	MT_WRITE(u->mm, s0 + PG, VAL(1));
	MT_WRITE(u->mm, s0 + PG + 8, VAL1(1));
	MT_WRITE(u->mm, d0 - PG, 0xd0);		/* dst's first table exists */
	pfn[0] = mt_pfn(u->mm, s0);
	pfn[1] = mt_pfn(u->mm, s0 + PG);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 2 * HP, MISSING);
	mmt_fail_nth(1);
	UT_MOVE(u->mm, u->ctx, d0, s0, 2 * PG, 0, -EAGAIN, PG);
	ut_check_moved(u->mm, d0, s0, 0, pfn[0]);
	ut_check_kept(u->mm, s0 + PG, 1, pfn[1]);
	MT_TRUE(ut_none(u->mm, d0 + PG));
}

/* ==== EINTR ========================================================================= */

/*
 * SIGKILL pending (mmt_kill on the caller's own CPU: the same as a kill that
 * arrived just before the call, which the kernel does not check on entry).
 * move_pages() checks after each step and does not count the step it just
 * did: two pages asked, the first step done, then -EINTR with `move` =
 * -EINTR although a page moved.  In 6.18 the first step is a batch of both
 * pages, so both moved.
 */
static void eintr_move(struct ut *u)
{
	unsigned long pfn[2];

	ut_layout(u, 2, F_MOVE);
	pfn[0] = mt_pfn(u->mm, SRC);
	pfn[1] = mt_pfn(u->mm, SRC + PG);
	mmt_kill(0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, 2 * PG, 0, -EINTR, -EINTR);
	ut_check_moved(u->mm, DST, SRC, 0, pfn[0]);
	if (ut_cfg.uffd_move_batch) {
		ut_check_moved(u->mm, DST + PG, SRC + PG, 1, pfn[1]);
	} else {
		ut_check_kept(u->mm, SRC + PG, 1, pfn[1]);
		MT_TRUE(ut_none(u->mm, DST + PG));
	}
}

/* The error of the step is kept over -EINTR: EEXIST stays EEXIST. */
static void eintr_keeps_error(struct ut *u)
{
	layout_dst(u, 1, 1UL << 0);
	mmt_kill(0);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
}

/* UFFDIO_COPY counts the page it copied before seeing the signal: a short
 * copy (EAGAIN, `copy` = one page). */
static void eintr_copy(struct ut *u)
{
	ut_layout(u, 2, F_MOVE);
	mmt_kill(0);
	UT_COPY(u->mm, u->ctx, DST, SRC, 2 * PG, 0, -EAGAIN, PG);
	MT_READ(u->mm, DST, VAL(0));
	MT_TRUE(ut_none(u->mm, DST + PG));
}

/* ==== EFAULT ====================================================================== */

/* An argument the kernel cannot read (NULL): EFAULT, before anything. */
static void efault_null_arg(struct ut *u)
{
	unsigned long pfn;

	ut_layout(u, 1, F_MOVE);
	pfn = mt_pfn(u->mm, SRC);
	MT_EQ(mmt_uffd_move(u->mm, u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_copy(u->mm, u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_zeropage(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_api(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_register(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_unregister(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_wake(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_writeprotect(u->ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_read(u->ctx, NULL), -EFAULT);
	ut_check_kept(u->mm, SRC, 0, pfn);
	MT_TRUE(ut_none(u->mm, DST));
	move_one_ok(u, DST, SRC, pfn);
}

/*
 * White box: a uffd-wp PTE marker at the source (the kernel makes one for
 * an empty anonymous PTE under UFFD_FEATURE_WP_UNPOPULATED, which the model
 * does not implement, so it is planted here under the PTL).  A marker is
 * neither a hole nor swap: EFAULT, with or without ALLOW_SRC_HOLES.
 */
static void efault_src_marker(struct ut *u)
{
	spinlock_t *ptl;
	pte_t *pte;

	layout_dst(u, 2, 0);
	ut_register(u->ctx, SRC, 2 * PG, MMT_UFFDIO_REGISTER_MODE_WP);
	MT_EQ(mmt_madvise(u->mm, SRC, PG, MADV_DONTNEED), 0);
	pte = pte_offset_map_lock(u->mm, mm_find_pmd(u->mm, SRC), SRC, &ptl);
	MT_TRUE(pte && pte_none(ptep_get(pte)));
	set_pte_at(u->mm, SRC, pte, make_pte_marker(PTE_MARKER_UFFD_WP));
	pte_unmap_unlock(pte, ptl);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EFAULT, -EFAULT);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, HOLES, -EFAULT, -EFAULT);
	MT_TRUE(pte_marker_uffd_wp(mt_pte(u->mm, SRC)));
	MT_TRUE(ut_none(u->mm, DST));
	/* Behind the marker: a short move. */
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, 0, PG);
	ut_check_moved(u->mm, DST + PG, SRC + PG, 1, 0);
}

/* ==== ESRCH ======================================================================= */

/*
 * The context's process has exited (mm_users is 0): COPY from a monitor in
 * another process, ZEROPAGE, and MOVE (by a thread of the exiting mm) fail
 * with ESRCH and leave their output fields alone.  (UFFDIO_REGISTER on it
 * returns ENOMEM, as userfaultfd_register() does when mmget_not_zero()
 * fails.)
 */
static void esrch_exited(struct ut *u)
{
	struct mmt_uffdio_register reg = { { DST, PG }, MISSING, 0x77 };

	ut_layout(u, 1, F_MOVE);
	u->mm2 = mmt_mm_create();
	ut_map(u->mm2, SRC2, PG, RW, ANON);
	MT_WRITE(u->mm2, SRC2, 0x42);
	mmt_exit(u->mm);
	UT_COPY(u->mm2, u->ctx, DST, SRC2, PG, 0, -ESRCH, SENT);
	UT_ZERO(u->ctx, DST, PG, 0, -ESRCH, SENT);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -ESRCH, SENT);
	MT_EQ(mmt_uffd_register(u->ctx, &reg), -ENOMEM);
	MT_EQ(reg.ioctls, 0x77);
	/* Invalid requests are still refused as such first. */
	UT_COPY(u->mm2, u->ctx, DST, SRC2, 0, 0, -EINVAL, SENT);
	MT_TRUE(u->mm->dead);
	MT_READ(u->mm2, SRC2, 0x42);
}

/* ==== EAGAIN: mmap_changing (two CPUs) ============================================ */

/*
 * A non-cooperative event in flight (the selftest "mmap-changing"): the
 * context asked for UFFD_EVENT_REMOVE, and CPU1's MADV_DONTNEED of the
 * registered range raises mmap_changing and sleeps until the monitor has
 * read the event.  Meanwhile CPU0 (the monitor) sees every range ioctl fail
 * with EAGAIN and -EAGAIN in its output field, before the request is even
 * looked at: invalid requests (bad alignment, zero length, unknown modes,
 * another process's mm) get EAGAIN too.  Only an argument the kernel cannot
 * write to gets EFAULT.  Once the event is read and the DONTNEED is done,
 * the same MOVE succeeds.
 */
struct changing {
	struct ut u;
	int dontneed_rc;
	int done;		/* CPU1's MADV_DONTNEED returned */
};

static void changing_setup(struct mm_kernel *k, void *st)
{
	struct changing *s = st;

	(void)k;
	ut_layout(&s->u, 2, F_MOVE | MMT_UFFD_FEATURE_EVENT_REMOVE);
	s->u.mm2 = mmt_mm_create();
}

static void changing_monitor(struct changing *s)
{
	struct mm_struct *mm = s->u.mm;
	struct userfaultfd_ctx *ctx = s->u.ctx;
	struct mmt_uffdio_writeprotect wp = { { DST, PG }, 0 };
	struct mmt_uffd_msg msg;

	/* Poll until the event is pending (white box: the counter itself). */
	while (!atomic_read(&ctx->mmap_changing))
		cpu_relax();
	UT_COPY(mm, ctx, DST, SRC, PG, 0, -EAGAIN, -EAGAIN);
	UT_COPY(mm, ctx, DST + 1, SRC, 0, 1ULL << 9, -EAGAIN, -EAGAIN);
	UT_ZERO(ctx, DST, PG, 0, -EAGAIN, -EAGAIN);
	UT_ZERO(ctx, DST + 8, PG, ~0ULL, -EAGAIN, -EAGAIN);
	UT_MOVE(mm, ctx, DST, SRC, PG, 0, -EAGAIN, -EAGAIN);
	UT_MOVE(mm, ctx, DST + 8, SRC, 3, 1ULL << 5, -EAGAIN, -EAGAIN);
	UT_MOVE(s->u.mm2, ctx, DST, SRC, PG, 0, -EAGAIN, -EAGAIN);
	MT_EQ(mmt_uffd_writeprotect(ctx, &wp), -EAGAIN);
	MT_EQ(mmt_uffd_move(mm, ctx, NULL), -EFAULT);
	MT_EQ(mmt_uffd_copy(mm, ctx, NULL), -EFAULT);
	ut_check_kept(mm, SRC, 0, 0);
	MT_TRUE(ut_none(mm, DST));
	MT_EQ(mmt_uffd_read(ctx, &msg), 0);
	MT_EQ(msg.event, MMT_UFFD_EVENT_REMOVE);
	MT_EQ(msg.arg.remove.start, DST);
	MT_EQ(msg.arg.remove.end, DST + 2 * PG);
	while (!READ_ONCE(s->done))
		cpu_relax();
	MT_EQ(s->dontneed_rc, 0);
	MT_EQ(atomic_read(&ctx->mmap_changing), 0);
	UT_MOVE(mm, ctx, DST, SRC, PG, 0, 0, PG);
	ut_check_moved(mm, DST, SRC, 0, 0);
}

static void changing_run(struct mm_kernel *k, void *st, int cpu)
{
	struct changing *s = st;

	(void)k;
	if (cpu == 0) {
		changing_monitor(s);
		return;
	}
	s->dontneed_rc = mmt_madvise(s->u.mm, DST, 2 * PG, MADV_DONTNEED);
	WRITE_ONCE(s->done, 1);
}

MM_PROGRAM(uffd_mmap_changing, "range ioctls while a UFFD_EVENT_REMOVE is pending", 2,
	   struct changing, changing_setup, changing_run, NULL);

#if defined(__SANITIZE_ADDRESS__)
#define BUDGET 200
#else
#define BUDGET 1000
#endif

/* Every schedule within two preemptions (DFS, exhausted), then random and
 * PCT budgets: nothing found. */
static void test_mmap_changing(void **state)
{
	static const enum explore_kind kinds[] = { EXPLORE_DFS, EXPLORE_RANDOM, EXPLORE_PCT };

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct explore_opts o;
		struct explore_result r;

		explore_opts_default(&o);
		o.kind = kinds[i];
		o.bound = 2;
		o.pct_depth = 3;
		o.max_executions = kinds[i] == EXPLORE_DFS ? 0 : BUDGET;
		o.cfg.check_every_step = true;
		assert_int_equal(explore_run(&uffd_mmap_changing, &o, &r), 0);
		t_assert_clean(&uffd_mmap_changing, &r);
		if (kinds[i] == EXPLORE_DFS) {
			assert_true(r.exhausted);
			assert_true(r.executions > 1);
		} else {
			assert_int_equal(r.executions, BUDGET);
		}
		explore_result_free(&r);
	}
}

/* ==== the table ===================================================================== */

#define REQ(ident, d, s, l, m) UT_CASE(ident, .run = einval_request, .p = { (d), (s), (l), (m) })

static const struct CMUnitTest sequential[] = {
	UT_CASE(einval_no_handshake, .run = einval_no_handshake),
	UT_CASE(einval_cross_mm, .run = einval_cross_mm),
	REQ(einval_dst_unaligned, DST + 8, SRC, PG, 0),
	REQ(einval_src_unaligned, DST, SRC + 8, PG, 0),
	REQ(einval_len_unaligned, DST, SRC, PG + 8, 0),
	REQ(einval_len_zero, DST, SRC, 0, 0),
	REQ(einval_dst_at_task_size, TASK_SIZE, SRC, PG, 0),
	REQ(einval_dst_past_task_size, TASK_SIZE - PG, SRC, 2 * PG, 0),
	REQ(einval_src_at_task_size, DST, TASK_SIZE, PG, 0),
	REQ(einval_dst_below_mmap_min_addr, 65536 - PG, SRC, PG, 0),
	REQ(einval_dst_zero, 0, SRC, PG, 0),
	REQ(einval_src_below_mmap_min_addr, DST, 4096, PG, 0),
	REQ(einval_len_wraps, DST, SRC, 0 - DST, 0),
	REQ(einval_mode_bit2, DST, SRC, PG, 1ULL << 2),
	REQ(einval_mode_bit63, DST, SRC, PG, 1ULL << 63),
	UT_CASE(einval_shared_src, .run = einval_shared_src),
	UT_CASE(einval_shared_dst, .run = einval_shared_dst),
	UT_CASE(einval_src_past_vma, .run = einval_src_past_vma),
	UT_CASE(einval_dst_past_vma, .run = einval_dst_past_vma),
	UT_CASE(einval_prot_mismatch, .run = einval_prot_mismatch),
	UT_CASE(einval_mlock_mismatch, .run = einval_mlock_mismatch),
	UT_CASE(einval_not_writable, .run = einval_not_writable),
	UT_CASE(einval_dst_unregistered, .run = einval_dst_unregistered),
	UT_CASE(einval_dst_other_ctx, .run = einval_dst_other_ctx),
	UT_CASE(einval_file_src, .run = einval_file_src),
	UT_CASE(enoent_no_dst_vma, .run = enoent_no_dst_vma),
	UT_CASE(enoent_no_src_vma, .run = enoent_no_src_vma),
	UT_CASE(enoent_src_no_pmd, .run = enoent_src_hole, .p = { 0 }),
	UT_CASE(enoent_src_pmd_none, .run = enoent_src_hole, .p = { 1 }),
	UT_CASE(enoent_src_pte_none, .run = enoent_src_hole, .p = { 2 }),
	UT_CASE(enoent_hole_in_range, .run = enoent_hole_in_range),
	UT_CASE(eexist_dst_present, .run = eexist_dst_present),
	UT_CASE(eexist_dst_swap, .run = eexist_dst_swap),
	UT_CASE(eexist_dst_thp, .run = eexist_dst_thp, .cfg = &thp_cfg),
	UT_CASE(eexist_pmd_path, .run = eexist_pmd_path, .cfg = &thp_cfg),
	UT_CASE(ebusy_fork, .run = ebusy_fork),
	UT_CASE(ebusy_avoided_by_dontfork, .run = ebusy_avoided_by_dontfork),
	UT_CASE(ebusy_short, .run = ebusy_short),
	UT_CASE(ebusy_swap_shared, .run = ebusy_swap_shared),
	UT_CASE(swap_pte_moves, .run = swap_pte_moves),
	UT_CASE(ebusy_large_swapcache, .run = ebusy_large_swapcache, .cfg = &mthp_cfg),
	UT_CASE(ebusy_split_writeback, .run = ebusy_split_writeback, .cfg = &mthp_cfg),
	UT_CASE(ebusy_thp_shared, .run = ebusy_thp_shared, .cfg = &thp_cfg),
	UT_CASE(ebusy_pinned, .run = ebusy_pinned),
	UT_CASE(ebusy_thp_pinned, .run = ebusy_thp_pinned, .cfg = &thp_cfg),
	UT_CASE(thp_pinned_pte_move_spins, .run = ebusy_thp_pinned, .cfg = &thp_cfg, .p = { 1 },
		.want_kind = SIM_FIND_LIVELOCK, .want_id = "livelock",
		.want_msg = "move_pages: -EAGAIN"),
	UT_CASE(thp_pinned_pte_move_killed, .run = ebusy_thp_pinned, .cfg = &thp_cfg, .p = { 2 }),
	UT_CASE(eagain_short_move, .run = eagain_short_move),
	UT_CASE(enomem_dst_anon_vma, .run = enomem_dst, .p = { 1 }),
	UT_CASE(enomem_dst_pte_table, .run = enomem_dst, .p = { 2 }),
	UT_CASE(enomem_src_hole_table, .run = enomem_src_hole_table),
	UT_CASE(enomem_short, .run = enomem_short),
	UT_CASE(eintr_move, .run = eintr_move),
	UT_CASE(eintr_keeps_error, .run = eintr_keeps_error),
	UT_CASE(eintr_copy, .run = eintr_copy),
	UT_CASE(efault_null_arg, .run = efault_null_arg),
	UT_CASE(efault_src_marker, .run = efault_src_marker),
	UT_CASE(esrch_exited, .run = esrch_exited),
};

int main(int argc, char **argv)
{
	static const struct CMUnitTest explored[] = {
		cmocka_unit_test(test_mmap_changing),
	};
	int fails;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	fails = cmocka_run_group_tests_name("uffd_errors: UFFDIO_MOVE, KERNEL-SPEC A.6",
					    sequential, NULL, NULL);
	/* The same table against Linux 6.18's batched move of present pages:
	 * what user space sees must not change. */
	ut_batch = true;
	fails |= cmocka_run_group_tests_name("uffd_errors: the same, 6.18 batched move",
					     sequential, NULL, NULL);
	ut_batch = false;
	return fails | cmocka_run_group_tests_name("uffd_errors: mmap_changing", explored, NULL,
						   NULL);
}
