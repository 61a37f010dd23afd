/*
 * test_uffd.c - the userfaultfd descriptor and its fill operations as user
 * space meets them: the UFFDIO_API handshake, UFFDIO_REGISTER and
 * UNREGISTER, a closed descriptor, UFFDIO_COPY and UFFDIO_ZEROPAGE (success,
 * EEXIST, partial progress, modes, their source and destination checks);
 * then, on two CPUs under the explorer, the fault / resolve protocol
 * (DONTWAKE and UFFDIO_WAKE, unregister and close waking a sleeping fault)
 * and the kernel selftests' UFFDIO_MOVE cases (KERNEL-SPEC §F: move,
 * move-pmd, move-pmd-split) re-expressed.  UFFDIO_MOVE's error table is in
 * test_uffd_errors.c, its races in test_uffd_races.c.
 */
#include "uffdtest.h"

#define F_MOVE MMT_UFFD_FEATURE_MOVE
#define MISSING MMT_UFFDIO_REGISTER_MODE_MISSING
#define WPMODE MMT_UFFDIO_REGISTER_MODE_WP
#define HOLES MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES

/* The ioctls UFFDIO_API reports: REGISTER, UNREGISTER, API. */
#define API_IOCTLS ((1ULL << 0) | (1ULL << 1) | (1ULL << 63))
/* What UFFDIO_REGISTER reports for a MISSING range (WAKE, COPY, ZEROPAGE,
 * MOVE, POISON) and what WP adds (WRITEPROTECT). */
#define REG_IOCTLS 0x13cULL
#define REG_IOCTLS_WP (REG_IOCTLS | (1ULL << 6))

static int register_ret(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
			uint64_t mode, uint64_t *ioctls)
{
	struct mmt_uffdio_register reg = { { start, len }, mode, SENT };
	int rc = mmt_uffd_register(ctx, &reg);

	*ioctls = reg.ioctls;
	return rc;
}

static int unregister_ret(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len)
{
	return mmt_uffd_unregister(ctx, &(struct mmt_uffdio_range){ start, len });
}

static unsigned long vma_uffd_flags(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	return vma ? vma->vm_flags & __VM_UFFD_FLAGS : ~0UL;
}

/* ==== UFFDIO_API ====================================================================== */

/* The handshake reports every feature and the three descriptor ioctls; the
 * context keeps the features asked for (WP_ASYNC brings WP_UNPOPULATED). */
static void api_handshake(struct ut *u)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, 0, 0 };
	uint64_t want = F_MOVE | MMT_UFFD_FEATURE_EVENT_REMOVE | MMT_UFFD_FEATURE_WP_ASYNC;

	u->mm = mmt_mm_create();
	MT_EQ(mmt_userfaultfd(u->mm, 0, &u->ctx), 0);
	MT_EQ(mmt_uffd_api(u->ctx, &api), 0);
	MT_EQ(api.api, MMT_UFFD_API);
	MT_EQ(api.features, MMT_UFFD_API_FEATURES);
	MT_EQ(api.ioctls, API_IOCTLS);
	MT_EQ(u->ctx->features, UFFD_FEATURE_INITIALIZED);
	MT_EQ(mmt_userfaultfd(u->mm, UFFD_USER_MODE_ONLY | UFFD_O_NONBLOCK | UFFD_O_CLOEXEC,
			      &u->ctx2), 0);
	api = (struct mmt_uffdio_api){ MMT_UFFD_API, want, 0 };
	MT_EQ(mmt_uffd_api(u->ctx2, &api), 0);
	MT_EQ(api.features, MMT_UFFD_API_FEATURES);
	MT_EQ(u->ctx2->features,
	      want | MMT_UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_INITIALIZED);
}

/* userfaultfd(2) itself: unknown flags, and nowhere to put the result. */
static void api_userfaultfd_flags(struct ut *u)
{
	u->mm = mmt_mm_create();
	MT_EQ(mmt_userfaultfd(u->mm, 0x10, &u->ctx), -EINVAL);
	MT_TRUE(!u->ctx);
	MT_EQ(mmt_userfaultfd(u->mm, 0, NULL), -EFAULT);
}

/* The features can be set once: a second UFFDIO_API (even the same
 * request) fails with EINVAL and zeroes the whole structure; the context
 * keeps its first features. */
static void api_second_einval(struct ut *u)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, F_MOVE, 0 };

	u->mm = mmt_mm_create();
	MT_EQ(mmt_userfaultfd(u->mm, 0, &u->ctx), 0);
	MT_EQ(mmt_uffd_api(u->ctx, &api), 0);
	api = (struct mmt_uffdio_api){ MMT_UFFD_API, F_MOVE, 0x77 };
	MT_EQ(mmt_uffd_api(u->ctx, &api), -EINVAL);
	MT_EQ(api.api, 0);
	MT_EQ(api.features, 0);
	MT_EQ(api.ioctls, 0);
	api = (struct mmt_uffdio_api){ MMT_UFFD_API, 0, 0x77 };
	MT_EQ(mmt_uffd_api(u->ctx, &api), -EINVAL);
	MT_EQ(api.ioctls, 0);
	MT_EQ(u->ctx->features, F_MOVE | UFFD_FEATURE_INITIALIZED);
}

/* A wrong api number or a feature the kernel does not have: EINVAL, the
 * structure zeroed, and the context still waits for its handshake. */
static void api_rejected(struct ut *u)
{
	const uint64_t p0 = u->c->p[0], p1 = u->c->p[1];
	struct mmt_uffdio_api api = { p0, p1, 0x77 };
	int64_t __out;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, PG, RW, ANON);
	MT_EQ(mmt_userfaultfd(u->mm, 0, &u->ctx), 0);
	MT_EQ(mmt_uffd_api(u->ctx, &api), -EINVAL);
	MT_EQ(api.api, 0);
	MT_EQ(api.features, 0);
	MT_EQ(api.ioctls, 0);
	MT_EQ(ut_zeropage(u->ctx, SRC, PG, 0, &__out), -EINVAL);
	api = (struct mmt_uffdio_api){ MMT_UFFD_API, F_MOVE, 0 };
	MT_EQ(mmt_uffd_api(u->ctx, &api), 0);
	MT_EQ(api.ioctls, API_IOCTLS);
}

/* ==== UFFDIO_REGISTER / UNREGISTER ====================================================== */

/* The ioctls reported for a range: 0x13c for MISSING; WP adds
 * WRITEPROTECT (bit 6); the VMA carries the modes. */
static void register_ioctls(struct ut *u)
{
	uint64_t ioctls;

	u->mm = mmt_mm_create();
	ut_map(u->mm, DST, PG, RW, ANON);
	ut_map(u->mm, DST2, PG, RW, ANON);
	ut_map(u->mm, SRC2, PG, PROT_READ, ANON);	/* read-only: VM_MAYWRITE is enough */
	u->ctx = ut_ctx(u->mm, F_MOVE);
	MT_EQ(register_ret(u->ctx, DST, PG, MISSING, &ioctls), 0);
	MT_EQ(ioctls, REG_IOCTLS);
	MT_EQ(vma_uffd_flags(u->mm, DST), VM_UFFD_MISSING);
	MT_EQ(register_ret(u->ctx, DST2, PG, WPMODE, &ioctls), 0);
	MT_EQ(ioctls, REG_IOCTLS_WP);
	MT_EQ(vma_uffd_flags(u->mm, DST2), VM_UFFD_WP);
	MT_EQ(register_ret(u->ctx, SRC2, PG, MISSING | WPMODE, &ioctls), 0);
	MT_EQ(ioctls, REG_IOCTLS_WP);
	MT_EQ(vma_uffd_flags(u->mm, SRC2), VM_UFFD_MISSING | VM_UFFD_WP);
	MT_TRUE(vma_uffd_ctx(vma_lookup(u->mm, SRC2)) == u->ctx);
	/* Again with this context: fine. */
	MT_EQ(register_ret(u->ctx, DST, PG, MISSING, &ioctls), 0);
}

/* Bad requests: mode 0, an unknown mode bit, MINOR (anonymous memory has
 * no minor faults), a bad range, a range with no VMA: EINVAL, `ioctls` not
 * written, nothing registered. */
static void register_einval(struct ut *u)
{
	uint64_t ioctls;

	u->mm = mmt_mm_create();
	ut_map(u->mm, DST, 2 * PG, RW, ANON);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	MT_EQ(register_ret(u->ctx, DST, PG, 0, &ioctls), -EINVAL);
	MT_EQ(ioctls, SENT);
	MT_EQ(register_ret(u->ctx, DST, PG, 1ULL << 3, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST, PG, MISSING | (1ULL << 3), &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST, PG, MMT_UFFDIO_REGISTER_MODE_MINOR, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST + 8, PG, MISSING, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST, 0, MISSING, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST, PG + 1, MISSING, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, 4096, PG, MISSING, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST2, PG, MISSING, &ioctls), -EINVAL);
	MT_EQ(ioctls, SENT);
	MT_EQ(vma_uffd_flags(u->mm, DST), 0);
	MT_EQ(mt_nr_vmas(u->mm), 1);
}

/* A file mapping (private or shared) cannot be registered in the model's
 * kernel (not anonymous, not shmem). */
static void register_file(struct ut *u)
{
	uint64_t ioctls;

	u->mm = mmt_mm_create();
	u->file = mmt_file_create(2 * PG);
	MT_EQ(mmt_mmap(u->mm, DST, PG, RW, MAP_PRIVATE | MAP_FIXED, u->file, 0), DST);
	MT_EQ(mmt_mmap(u->mm, DST2, PG, RW, MAP_SHARED | MAP_FIXED, u->file, PG), DST2);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	MT_EQ(register_ret(u->ctx, DST, PG, MISSING, &ioctls), -EINVAL);
	MT_EQ(register_ret(u->ctx, DST2, PG, MISSING, &ioctls), -EINVAL);
	MT_EQ(ioctls, SENT);
	MT_EQ(vma_uffd_flags(u->mm, DST), 0);
}

/* A VMA registered with another context: EBUSY (also when the request
 * only partly covers it); the owner can re-register it. */
static void register_ebusy(struct ut *u)
{
	uint64_t ioctls;

	u->mm = mmt_mm_create();
	ut_map(u->mm, DST, 2 * PG, RW, ANON);
	ut_map(u->mm, DST + 2 * PG, PG, PROT_READ, ANON);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	u->ctx2 = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, 2 * PG, MISSING);
	MT_EQ(register_ret(u->ctx2, DST, 2 * PG, MISSING, &ioctls), -EBUSY);
	MT_EQ(register_ret(u->ctx2, DST + PG, 2 * PG, MISSING, &ioctls), -EBUSY);
	MT_EQ(ioctls, SENT);
	MT_TRUE(vma_uffd_ctx(vma_lookup(u->mm, DST)) == u->ctx);
	MT_EQ(vma_uffd_flags(u->mm, DST + 2 * PG), 0);
	MT_EQ(register_ret(u->ctx, DST, 3 * PG, MISSING | WPMODE, &ioctls), 0);
	MT_EQ(ioctls, REG_IOCTLS_WP);
}

/* Registering part of a VMA splits it. */
static void register_splits(struct ut *u)
{
	u->mm = mmt_mm_create();
	ut_map(u->mm, DST, 3 * PG, RW, ANON);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST + PG, PG, MISSING);
	MT_EQ(mt_nr_vmas(u->mm), 3);
	MT_EQ(vma_uffd_flags(u->mm, DST), 0);
	MT_EQ(vma_uffd_flags(u->mm, DST + PG), VM_UFFD_MISSING);
	MT_EQ(vma_uffd_flags(u->mm, DST + 2 * PG), 0);
	MT_READ(u->mm, DST, 0);			/* no userfault outside it */
	MT_READ(u->mm, DST + 2 * PG, 0);
}

/*
 * UNREGISTER: only through the context it was registered with (EINVAL
 * otherwise); a range with no VMA is EINVAL, one with no registration is
 * fine; afterwards faults are ordinary and MOVE refuses the range.
 */
static void unregister(struct ut *u)
{
	int64_t __out;

	ut_layout(u, 2, F_MOVE);
	u->ctx2 = ut_ctx(u->mm, F_MOVE);
	MT_EQ(unregister_ret(u->ctx2, DST, 2 * PG), -EINVAL);
	MT_EQ(unregister_ret(u->ctx, DST2, PG), -EINVAL);
	MT_EQ(unregister_ret(u->ctx, DST + 8, PG), -EINVAL);
	MT_EQ(unregister_ret(u->ctx, SRC, 2 * PG), 0);
	MT_EQ(vma_uffd_flags(u->mm, DST), VM_UFFD_MISSING);
	MT_EQ(unregister_ret(u->ctx, DST, PG), 0);
	MT_EQ(vma_uffd_flags(u->mm, DST), 0);
	MT_TRUE(!vma_uffd_ctx(vma_lookup(u->mm, DST)));
	MT_EQ(vma_uffd_flags(u->mm, DST + PG), VM_UFFD_MISSING);
	MT_EQ(ut_move(u->mm, u->ctx, DST, SRC, PG, 0, &__out), -EINVAL);
	MT_EQ(__out, -EINVAL);
	MT_READ(u->mm, DST, 0);
	UT_MOVE(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, 0, PG);
	ut_check_moved(u->mm, DST + PG, SRC + PG, 1, 0);
}

/* A closed descriptor: EBADF for everything, and its ranges are no longer
 * registered. */
static void closed(struct ut *u)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, 0, 0 };
	struct mmt_uffdio_range range = { DST, PG };
	struct mmt_uffdio_writeprotect wp = { { DST, PG }, 0 };
	struct mmt_uffd_msg msg;
	uint64_t ioctls;

	ut_layout(u, 1, F_MOVE);
	MT_EQ(mmt_uffd_close(u->ctx), 0);
	MT_EQ(mmt_uffd_close(u->ctx), -EBADF);
	UT_MOVE(u->mm, u->ctx, DST, SRC, PG, 0, -EBADF, SENT);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, 0, -EBADF, SENT);
	UT_ZERO(u->ctx, DST, PG, 0, -EBADF, SENT);
	MT_EQ(mmt_uffd_api(u->ctx, &api), -EBADF);
	MT_EQ(register_ret(u->ctx, DST, PG, MISSING, &ioctls), -EBADF);
	MT_EQ(mmt_uffd_unregister(u->ctx, &range), -EBADF);
	MT_EQ(mmt_uffd_wake(u->ctx, &range), -EBADF);
	MT_EQ(mmt_uffd_writeprotect(u->ctx, &wp), -EBADF);
	MT_EQ(mmt_uffd_read(u->ctx, &msg), -EBADF);
	MT_EQ(vma_uffd_flags(u->mm, DST), 0);
	MT_READ(u->mm, DST, 0);
	ut_check_kept(u->mm, SRC, 0, 0);
	/* A new descriptor can take the range. */
	u->ctx2 = ut_ctx(u->mm, F_MOVE);
	MT_EQ(register_ret(u->ctx2, DST, PG, MISSING, &ioctls), 0);
	MT_EQ(ioctls, REG_IOCTLS);
	MT_EQ(mmt_uffd_read(u->ctx2, NULL), -EFAULT);
}

/* ==== UFFDIO_COPY ========================================================================= */

/* Two pages copied: new pages at dst (writable, dirty, exclusive) with the
 * source's words; the source is untouched. */
static void copy_success(struct ut *u)
{
	unsigned long spfn;

	ut_layout(u, 2, 0);
	spfn = mt_pfn(u->mm, SRC);
	UT_COPY(u->mm, u->ctx, DST, SRC, 2 * PG, 0, 0, 2 * PG);
	for (unsigned long i = 0; i < 2; i++) {
		unsigned long d = DST + i * PG;
		pte_t pte = mt_pte(u->mm, d);

		MT_TRUE(ut_present(u->mm, d));
		MT_TRUE(pte_write(pte) && pte_dirty(pte));
		MT_FALSE(pte_uffd_wp(pte));
		MT_TRUE(mt_exclusive(pte_pfn(pte)));
		MT_EQ(t_mapcount(pte_pfn(pte)), 1);
		MT_READ(u->mm, d, VAL(i));
		MT_READ(u->mm, d + 8, VAL1(i));
		ut_check_kept(u->mm, SRC + i * PG, i, 0);
	}
	MT_NE(mt_pfn(u->mm, DST), spfn);
	MT_EQ(mt_rss(u->mm, MM_ANONPAGES), 4);
	MT_WRITE(u->mm, DST, 5);
	MT_READ(u->mm, SRC, VAL(0));
}

/* A populated destination: EEXIST, `copy` = -EEXIST; a populated third
 * page after two copied ones: a short copy (EAGAIN, `copy` = 2 pages). */
static void copy_eexist_and_partial(struct ut *u)
{
	ut_layout(u, 3, 0);
	UT_ZERO(u->ctx, DST + 2 * PG, PG, 0, 0, PG);
	UT_COPY(u->mm, u->ctx, DST + 2 * PG, SRC, PG, 0, -EEXIST, -EEXIST);
	UT_COPY(u->mm, u->ctx, DST, SRC, 3 * PG, 0, -EAGAIN, 2 * PG);
	MT_READ(u->mm, DST, VAL(0));
	MT_READ(u->mm, DST + PG + 8, VAL1(1));
	MT_EQ(pte_pfn(mt_pte(u->mm, DST + 2 * PG)), u->mm->k->zero_pfn);
	MT_READ(u->mm, DST + 2 * PG, 0);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
}

/* COPY_MODE_WP needs a WP registration (EINVAL in `copy` otherwise); with
 * one, the new PTE is uffd-wp protected, read-only. */
static void copy_mode_wp(struct ut *u)
{
	pte_t pte;

	ut_layout(u, 2, 0);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, MMT_UFFDIO_COPY_MODE_WP, -EINVAL, -EINVAL);
	MT_TRUE(ut_none(u->mm, DST));
	ut_register(u->ctx, DST, 2 * PG, MISSING | WPMODE);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, MMT_UFFDIO_COPY_MODE_WP, 0, PG);
	pte = mt_pte(u->mm, DST);
	MT_TRUE(pte_present(pte) && pte_uffd_wp(pte) && !pte_write(pte));
	MT_READ(u->mm, DST, VAL(0));
	UT_COPY(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, 0, PG);
	pte = mt_pte(u->mm, DST + PG);
	MT_TRUE(!pte_uffd_wp(pte) && pte_write(pte));
}

/* Requests refused before the copy: validate the source (it may be
 * unaligned), then the destination, then the mode; `copy` not written. */
static void copy_einval(struct ut *u)
{
	ut_layout(u, 1, 0);
	UT_COPY(u->mm, u->ctx, DST + 8, SRC, PG, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, SRC, 0, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG - 8, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, 4096, PG, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, TASK_SIZE, PG, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, TASK_SIZE - PG, SRC, 2 * PG, 0, -EINVAL, SENT);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, 1ULL << 2, -EINVAL, SENT);
	MT_TRUE(ut_none(u->mm, DST));
}

/* An unaligned source: the page at dst is the PAGE_SIZE bytes from there,
 * across the source's page boundary. */
static void copy_src_unaligned(struct ut *u)
{
	ut_layout(u, 2, 0);
	UT_COPY(u->mm, u->ctx, DST, SRC + 8, PG, 0, 0, PG);
	MT_READ(u->mm, DST, VAL1(0));
	MT_READ(u->mm, DST + PG - 8, VAL(1));
	MT_READ(u->mm, DST + 8, 0);
}

/* A source that is not mapped: the copy outside the locks faults and
 * fails (EFAULT in `copy`); after a copied page, a short copy. */
static void copy_src_unmapped(struct ut *u)
{
	ut_layout(u, 2, 0);
	UT_COPY(u->mm, u->ctx, DST, SRC2, PG, 0, -EFAULT, -EFAULT);
	MT_TRUE(ut_none(u->mm, DST));
	MT_EQ(mmt_munmap(u->mm, SRC + PG, PG), 0);
	UT_COPY(u->mm, u->ctx, DST, SRC, 2 * PG, 0, -EAGAIN, PG);
	MT_READ(u->mm, DST, VAL(0));
	MT_TRUE(ut_none(u->mm, DST + PG));
	/* A source that is mapped but never touched reads as zeros. */
	ut_map(u->mm, SRC + PG, PG, RW, ANON);
	UT_COPY(u->mm, u->ctx, DST + PG, SRC + PG, PG, 0, 0, PG);
	MT_READ(u->mm, DST + PG, 0);
	MT_TRUE(ut_present(u->mm, DST + PG));
}

/* The source is read in the caller's address space: a monitor process
 * copies its own memory into the registered process. */
static void copy_from_monitor(struct ut *u)
{
	ut_layout(u, 1, 0);
	u->mm2 = mmt_mm_create();
	ut_map(u->mm2, SRC, PG, RW, ANON);
	MT_WRITE(u->mm2, SRC, 0x77);
	UT_COPY(u->mm2, u->ctx, DST, SRC, PG, 0, 0, PG);
	MT_READ(u->mm, DST, 0x77);
	MT_READ(u->mm, DST + 8, 0);
	ut_check_kept(u->mm, SRC, 0, 0);
}

/*
 * Where the destination may be: inside one VMA registered with some
 * context (ENOENT for no VMA, no registration, or a range past the VMA);
 * the kernel does not check it is this context.  A THP there: EEXIST.
 */
static void copy_dst(struct ut *u)
{
	ut_layout(u, 2, 0);
	ut_map(u->mm, DST2, PG, RW, ANON);
	UT_COPY(u->mm, u->ctx, DST2, SRC, PG, 0, -ENOENT, -ENOENT);
	UT_COPY(u->mm, u->ctx, DST2 + HP, SRC, PG, 0, -ENOENT, -ENOENT);
	MT_EQ(mmt_uffd_unregister(u->ctx, &(struct mmt_uffdio_range){ DST + PG, PG }), 0);
	UT_COPY(u->mm, u->ctx, DST, SRC, 2 * PG, 0, -ENOENT, -ENOENT);
	MT_TRUE(ut_none(u->mm, DST));
	u->ctx2 = ut_ctx(u->mm, 0);
	ut_register(u->ctx2, DST2, PG, MISSING);
	UT_COPY(u->mm, u->ctx, DST2, SRC, PG, 0, 0, PG);
	MT_READ(u->mm, DST2, VAL(0));
}

static const struct mm_config thp_cfg = {
	.nr_pages = 4096, .thp_madvise = 1UL << HPAGE_PMD_ORDER, .thp_use_zero_page = true,
};

static void copy_dst_thp(struct ut *u)
{
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, PG, RW, ANON);
	ut_fill(u->mm, SRC, 1);
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_HUGEPAGE), 0);
	MT_WRITE(u->mm, DST + PG, 3);
	MT_TRUE(t_huge(u->mm, DST));
	u->ctx = ut_ctx(u->mm, 0);
	ut_register(u->ctx, DST, HP, MISSING);
	UT_COPY(u->mm, u->ctx, DST, SRC, PG, 0, -EEXIST, -EEXIST);
	UT_ZERO(u->ctx, DST + 2 * PG, PG, 0, -EEXIST, -EEXIST);
	MT_TRUE(t_huge(u->mm, DST));
	MT_READ(u->mm, DST + PG, 3);
}

/* ==== UFFDIO_ZEROPAGE ===================================================================== */

/* The zero page, read-only, mapped at dst; a write copies it. */
static void zeropage_success(struct ut *u)
{
	ut_layout(u, 2, 0);
	UT_ZERO(u->ctx, DST, 2 * PG, 0, 0, 2 * PG);
	for (unsigned long i = 0; i < 2; i++) {
		pte_t pte = mt_pte(u->mm, DST + i * PG);

		MT_TRUE(pte_present(pte) && !pte_write(pte));
		MT_EQ(pte_pfn(pte), u->mm->k->zero_pfn);
		MT_READ(u->mm, DST + i * PG + 64, 0);
	}
	MT_EQ(mt_rss(u->mm, MM_ANONPAGES), 2);	/* the source's */
	MT_WRITE(u->mm, DST + PG, 9);
	MT_TRUE(ut_present(u->mm, DST + PG));
	MT_READ(u->mm, DST + PG, 9);
	MT_EQ(pte_pfn(mt_pte(u->mm, DST)), u->mm->k->zero_pfn);
}

/* EEXIST, partial progress in `zeropage`, and the request checks. */
static void zeropage_errors(struct ut *u)
{
	ut_layout(u, 3, 0);
	UT_COPY(u->mm, u->ctx, DST + 2 * PG, SRC, PG, 0, 0, PG);
	UT_ZERO(u->ctx, DST + 2 * PG, PG, 0, -EEXIST, -EEXIST);
	UT_ZERO(u->ctx, DST, 3 * PG, 0, -EAGAIN, 2 * PG);
	MT_EQ(pte_pfn(mt_pte(u->mm, DST + PG)), u->mm->k->zero_pfn);
	MT_READ(u->mm, DST + 2 * PG, VAL(0));
	UT_ZERO(u->ctx, DST + 8, PG, 0, -EINVAL, SENT);
	UT_ZERO(u->ctx, DST, 0, 0, -EINVAL, SENT);
	UT_ZERO(u->ctx, DST, PG, 1ULL << 1, -EINVAL, SENT);
	UT_ZERO(u->ctx, SRC, PG, 0, -ENOENT, -ENOENT);
	UT_ZERO(u->ctx, DST2, PG, 0, -ENOENT, -ENOENT);
}

/* UFFDIO_WAKE checks its range; with nobody asleep it does nothing. */
static void wake_range(struct ut *u)
{
	ut_layout(u, 1, 0);
	MT_EQ(mmt_uffd_wake(u->ctx, &(struct mmt_uffdio_range){ DST + 8, PG }), -EINVAL);
	MT_EQ(mmt_uffd_wake(u->ctx, &(struct mmt_uffdio_range){ DST, 0 }), -EINVAL);
	MT_EQ(mmt_uffd_wake(u->ctx, &(struct mmt_uffdio_range){ DST, PG }), 0);
	MT_EQ(mmt_uffd_wake(u->ctx, &(struct mmt_uffdio_range){ SRC2, PG }), 0);
}

static const struct CMUnitTest sequential[] = {
	UT_CASE(api_handshake, .run = api_handshake),
	UT_CASE(api_userfaultfd_flags, .run = api_userfaultfd_flags),
	UT_CASE(api_second_einval, .run = api_second_einval),
	UT_CASE(api_bad_api, .run = api_rejected, .p = { 0xAB, 0 }),
	UT_CASE(api_unknown_feature, .run = api_rejected, .p = { MMT_UFFD_API, 1ULL << 17 }),
	UT_CASE(api_unknown_feature_high, .run = api_rejected,
		.p = { MMT_UFFD_API, F_MOVE | (1ULL << 63) }),
	UT_CASE(register_ioctls, .run = register_ioctls),
	UT_CASE(register_einval, .run = register_einval),
	UT_CASE(register_file, .run = register_file),
	UT_CASE(register_ebusy, .run = register_ebusy),
	UT_CASE(register_splits, .run = register_splits),
	UT_CASE(unregister, .run = unregister),
	UT_CASE(closed, .run = closed),
	UT_CASE(copy_success, .run = copy_success),
	UT_CASE(copy_eexist_and_partial, .run = copy_eexist_and_partial),
	UT_CASE(copy_mode_wp, .run = copy_mode_wp),
	UT_CASE(copy_einval, .run = copy_einval),
	UT_CASE(copy_src_unaligned, .run = copy_src_unaligned),
	UT_CASE(copy_src_unmapped, .run = copy_src_unmapped),
	UT_CASE(copy_from_monitor, .run = copy_from_monitor),
	UT_CASE(copy_dst, .run = copy_dst),
	UT_CASE(copy_dst_thp, .run = copy_dst_thp, .cfg = &thp_cfg),
	UT_CASE(zeropage_success, .run = zeropage_success),
	UT_CASE(zeropage_errors, .run = zeropage_errors),
	UT_CASE(wake_range, .run = wake_range),
};

/* ==== two CPUs: the fault / resolve protocol ================================================ */

/*
 * CPU0 reads a missing page of DST (a userfault: it sleeps until woken);
 * CPU1 is the handler.  Which resolution, and whether the handler wakes,
 * is the program's.  CPU0 always ends up reading what was put there.
 */
struct proto {
	struct ut u;
	int missing_faults;		/* faults the handler resolved itself */
	unsigned long head[2];		/* the source's folios (selftests) */
};

enum resolve { R_COPY, R_ZERO, R_MOVE };

static void proto_setup(struct mm_kernel *k, void *st)
{
	struct proto *s = st;

	(void)k;
	ut_layout(&s->u, 1, F_MOVE);
}

/* Read one fault message: a missing read fault on DST. */
static void read_fault(struct proto *s, unsigned long addr)
{
	struct mmt_uffd_msg msg;

	MT_EQ(mmt_uffd_read(s->u.ctx, &msg), 0);
	MT_EQ(msg.event, MMT_UFFD_EVENT_PAGEFAULT);
	MT_EQ(msg.arg.pagefault.flags, 0);
	MT_EQ(msg.arg.pagefault.address, addr);
}

/* Resolve DST with @how, DONTWAKE. */
static void resolve_dontwake(struct proto *s, enum resolve how)
{
	struct ut *u = &s->u;

	if (how == R_COPY)
		UT_COPY(u->mm, u->ctx, DST, SRC, PG, MMT_UFFDIO_COPY_MODE_DONTWAKE, 0, PG);
	else if (how == R_ZERO)
		UT_ZERO(u->ctx, DST, PG, MMT_UFFDIO_ZEROPAGE_MODE_DONTWAKE, 0, PG);
	else
		UT_MOVE(u->mm, u->ctx, DST, SRC, PG, MMT_UFFDIO_MOVE_MODE_DONTWAKE, 0, PG);
}

static void proto_reader(struct proto *s, enum resolve how)
{
	MT_READ(s->u.mm, DST, how == R_ZERO ? 0 : VAL(0));
	if (how != R_ZERO)
		MT_READ(s->u.mm, DST + 8, VAL1(0));
}

/* DONTWAKE, then UFFDIO_WAKE: the reader always gets the page. */
static void dontwake_wake(struct proto *s, int cpu, enum resolve how)
{
	if (cpu == 0) {
		proto_reader(s, how);
		return;
	}
	read_fault(s, DST);
	resolve_dontwake(s, how);
	MT_EQ(mmt_uffd_wake(s->u.ctx, &(struct mmt_uffdio_range){ DST, PG }), 0);
}

/* DONTWAKE and nothing else: a reader that went to sleep before the page
 * was filled sleeps for ever (a deadlock finding in those schedules). */
static void dontwake_only(struct proto *s, int cpu, enum resolve how)
{
	if (cpu == 0) {
		proto_reader(s, how);
		return;
	}
	read_fault(s, DST);
	resolve_dontwake(s, how);
}

#define PROTO_PROGRAMS(name, how)                                                              \
	static void name##_wake_run(struct mm_kernel *k, void *st, int cpu)                    \
	{                                                                                      \
		(void)k;                                                                       \
		dontwake_wake(st, cpu, how);                                                   \
	}                                                                                      \
	static void name##_nowake_run(struct mm_kernel *k, void *st, int cpu)                  \
	{                                                                                      \
		(void)k;                                                                       \
		dontwake_only(st, cpu, how);                                                   \
	}                                                                                      \
	MM_PROGRAM(uffd_##name##_dontwake_wake, #name " with DONTWAKE, then UFFDIO_WAKE", 2,  \
		   struct proto, proto_setup, name##_wake_run, NULL);                          \
	MM_PROGRAM(uffd_##name##_dontwake_only, #name " with DONTWAKE and no wake", 2,        \
		   struct proto, proto_setup, name##_nowake_run, NULL)

PROTO_PROGRAMS(copy, R_COPY);
PROTO_PROGRAMS(zeropage, R_ZERO);
PROTO_PROGRAMS(move, R_MOVE);

/* UFFDIO_WAKE without filling the page: the fault is raised again (a
 * second message for the same address), then ZEROPAGE resolves it. */
static void wake_refaults_run(struct mm_kernel *k, void *st, int cpu)
{
	struct proto *s = st;

	(void)k;
	if (cpu == 0) {
		MT_READ(s->u.mm, DST, 0);
		return;
	}
	read_fault(s, DST);
	MT_EQ(mmt_uffd_wake(s->u.ctx, &(struct mmt_uffdio_range){ DST, PG }), 0);
	read_fault(s, DST);
	UT_ZERO(s->u.ctx, DST, PG, 0, 0, PG);
}

MM_PROGRAM(uffd_wake_refaults, "UFFDIO_WAKE of an unfilled page: the fault comes again", 2,
	   struct proto, proto_setup, wake_refaults_run, NULL);

/* The handler reads the fault, then unregisters the range instead of
 * resolving it: the unregistration wakes the fault, which then faults in
 * an ordinary zero page. */
static void unregister_wakes_run(struct mm_kernel *k, void *st, int cpu)
{
	struct proto *s = st;

	(void)k;
	if (cpu == 0) {
		MT_READ(s->u.mm, DST, 0);
		return;
	}
	read_fault(s, DST);
	MT_EQ(mmt_uffd_unregister(s->u.ctx, &(struct mmt_uffdio_range){ DST, PG }), 0);
}

/*
 * The same without reading the fault first.  userfaultfd_unregister()
 * (v6.17) wakes the range before it write-locks the VMA: a fault that took
 * the per-VMA lock before the unregistration queued itself after the wake
 * found nobody, released the VMA lock (letting the unregistration finish)
 * and sleeps with nobody left to wake it - until a UFFDIO_WAKE or close.
 * The model follows the kernel's order, so this schedule exists (see
 * test_unregister_race).  Closing the descriptor instead always wakes it:
 * release marks the context released before it clears the VMAs and wakes
 * every fault after.
 */
static void unregister_race_run(struct mm_kernel *k, void *st, int cpu)
{
	struct proto *s = st;

	(void)k;
	if (cpu == 0) {
		MT_READ(s->u.mm, DST, 0);
		return;
	}
	MT_EQ(mmt_uffd_unregister(s->u.ctx, &(struct mmt_uffdio_range){ DST, PG }), 0);
}

static void close_wakes_run(struct mm_kernel *k, void *st, int cpu)
{
	struct proto *s = st;

	(void)k;
	if (cpu == 0) {
		MT_READ(s->u.mm, DST, 0);
		return;
	}
	MT_EQ(mmt_uffd_close(s->u.ctx), 0);
}

MM_PROGRAM(uffd_unregister_wakes, "UFFDIO_UNREGISTER of a range with a fault read", 2,
	   struct proto, proto_setup, unregister_wakes_run, NULL);
MM_PROGRAM(uffd_unregister_race, "UFFDIO_UNREGISTER races a userfault on the range", 2,
	   struct proto, proto_setup, unregister_race_run, NULL);
MM_PROGRAM(uffd_close_wakes, "closing the descriptor races a userfault", 2, struct proto,
	   proto_setup, close_wakes_run, NULL);

/* ==== the kernel selftests' UFFDIO_MOVE cases (KERNEL-SPEC §F.2) ============================= */

/*
 * move_page() of uffd-common.c: UFFDIO_MOVE with ALLOW_SRC_HOLES; EEXIST
 * means another thread resolved it (wake instead); anything else is an
 * error; success must be complete.  Returns 1 if this call moved.
 */
static int move_page(struct proto *s, unsigned long off, unsigned long len)
{
	struct mmt_uffdio_move mv = { DST + off, SRC + off, len, HOLES, 0 };

	if (mmt_uffd_move(s->u.mm, s->u.ctx, &mv)) {
		MT_EQ(mv.move, -EEXIST);
		MT_EQ(mmt_uffd_wake(s->u.ctx, &(struct mmt_uffdio_range){ DST + off, len }), 0);
		return 0;
	}
	MT_EQ(mv.move, len);
	return 1;
}

/* The handler: @n faults, each a read (no WP, MINOR or WRITE flag),
 * resolved by moving the @chunk holding it. */
static void move_handler(struct proto *s, int n, unsigned long chunk)
{
	for (int i = 0; i < n; i++) {
		struct mmt_uffd_msg msg;
		unsigned long off;

		MT_EQ(mmt_uffd_read(s->u.ctx, &msg), 0);
		MT_EQ(msg.event, MMT_UFFD_EVENT_PAGEFAULT);
		MT_EQ(msg.arg.pagefault.flags & (MMT_UFFD_PAGEFAULT_FLAG_WP |
						 MMT_UFFD_PAGEFAULT_FLAG_MINOR |
						 MMT_UFFD_PAGEFAULT_FLAG_WRITE), 0);
		off = (msg.arg.pagefault.address - DST) & ~(chunk - 1);
		s->missing_faults += move_page(s, off, chunk);
	}
}

/* ---- move: order-0 source pages, one fault (one move) per page ---- */

#define SM_PAGES 4

static void selftest_move_setup(struct mm_kernel *k, void *st)
{
	struct proto *s = st;

	(void)k;
	ut_layout(&s->u, SM_PAGES, F_MOVE);	/* MADV_NOHUGEPAGE on SRC before filling */
	MT_EQ(mmt_madvise(s->u.mm, SRC, SM_PAGES * PG, MADV_DONTFORK), 0);
}

static void selftest_move_run(struct mm_kernel *k, void *st, int cpu)
{
	struct proto *s = st;

	(void)k;
	if (cpu == 1) {
		move_handler(s, SM_PAGES, PG);
		return;
	}
	for (unsigned long i = 0; i < SM_PAGES; i++) {
		MT_READ(s->u.mm, SRC + i * PG, VAL(i));
		MT_READ(s->u.mm, DST + i * PG, VAL(i));
		MT_READ(s->u.mm, SRC + i * PG, 0);
	}
}

static void selftest_move_check(struct mm_kernel *k, void *st)
{
	struct proto *s = st;

	(void)k;
	MT_EQ(s->missing_faults, SM_PAGES);
	for (unsigned long i = 0; i < SM_PAGES; i++) {
		MT_TRUE(ut_present(s->u.mm, DST + i * PG));
		MT_READ(s->u.mm, DST + i * PG + 8, VAL1(i));
		MT_EQ(pte_pfn(mt_pte(s->u.mm, SRC + i * PG)), s->u.mm->k->zero_pfn);
	}
}

MM_PROGRAM(uffd_selftest_move, "selftest move: a handler resolves each read fault by"
	   " UFFDIO_MOVE of one page", 2, struct proto, selftest_move_setup, selftest_move_run,
	   selftest_move_check);

/* ---- move-pmd and move-pmd-split: THP sources, PMD-sized chunks ---- */

/* Words written in each THP of the source: pages 0, 3, 511. */
static const unsigned long thp_pages[] = { 0, 3, HPAGE_PMD_NR - 1 };
#define NTHP_PAGES (sizeof(thp_pages) / sizeof(thp_pages[0]))

static void thp_setup(struct proto *s, int nthp, int dst_advice)
{
	struct ut *u = &s->u;

	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, (unsigned long)nthp * HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, (unsigned long)nthp * HP, MADV_HUGEPAGE), 0);
	for (int c = 0; c < nthp; c++) {
		for (size_t j = 0; j < NTHP_PAGES; j++) {
			unsigned long pg = (unsigned long)c * HPAGE_PMD_NR + thp_pages[j];

			MT_WRITE(u->mm, SRC + pg * PG, VAL(pg));
		}
		MT_TRUE(t_huge(u->mm, SRC + (unsigned long)c * HP));
		s->head[c] = mt_pfn(u->mm, SRC + (unsigned long)c * HP);
	}
	ut_map(u->mm, DST, (unsigned long)nthp * HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, (unsigned long)nthp * HP, dst_advice), 0);
	MT_EQ(mmt_madvise(u->mm, SRC, (unsigned long)nthp * HP, MADV_DONTFORK), 0);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, (unsigned long)nthp * HP, MISSING);
}

/* The reader: for each chunk, check the source, read the destination in
 * the middle of the chunk (the fault), check it, and see the source gone. */
static void thp_reader(struct proto *s, int nthp)
{
	for (int c = 0; c < nthp; c++) {
		unsigned long base = (unsigned long)c * HPAGE_PMD_NR;

		MT_READ(s->u.mm, SRC + (base + 3) * PG, VAL(base + 3));
		MT_READ(s->u.mm, DST + (base + 3) * PG, VAL(base + 3));
		for (size_t j = 0; j < NTHP_PAGES; j++)
			MT_READ(s->u.mm, DST + (base + thp_pages[j]) * PG, VAL(base + thp_pages[j]));
		MT_READ(s->u.mm, DST + (base + 1) * PG, 0);
		MT_READ(s->u.mm, SRC + (base + 3) * PG, 0);
	}
}

#define PMD_CHUNKS 2

static void move_pmd_setup(struct mm_kernel *k, void *st)
{
	(void)k;
	thp_setup(st, PMD_CHUNKS, MADV_HUGEPAGE);
}

static void move_pmd_run(struct mm_kernel *k, void *st, int cpu)
{
	(void)k;
	if (cpu == 1)
		move_handler(st, PMD_CHUNKS, HP);
	else
		thp_reader(st, PMD_CHUNKS);
}

/* Each chunk moved whole: the destination maps the source's THP with a
 * huge PMD (move_pages_huge_pmd), exclusive and writable. */
static void move_pmd_check(struct mm_kernel *k, void *st)
{
	struct proto *s = st;

	(void)k;
	MT_EQ(s->missing_faults, PMD_CHUNKS);
	for (int c = 0; c < PMD_CHUNKS; c++) {
		unsigned long d = DST + (unsigned long)c * HP;

		MT_TRUE(t_huge(s->u.mm, d));
		MT_EQ(mt_pfn(s->u.mm, d), s->head[c]);
		MT_EQ(t_order(s->head[c]), HPAGE_PMD_ORDER);
		MT_TRUE(mt_exclusive(s->head[c]));
		MT_TRUE(t_writable(s->u.mm, d));
		/* The reader's last look at the source mapped the huge zero page. */
		MT_EQ(pmd_pfn(mt_pmd(s->u.mm, SRC + (unsigned long)c * HP)),
		      s->u.mm->k->huge_zero_pfn);
	}
	MT_EQ(mt_rss(s->u.mm, MM_ANONPAGES), PMD_CHUNKS * HPAGE_PMD_NR);
}

MM_PROGRAM_CFG(uffd_selftest_move_pmd, "selftest move-pmd: THP source, PMD-sized moves", 2,
	       struct proto, move_pmd_setup, move_pmd_run, move_pmd_check, &thp_cfg);

static void move_pmd_split_setup(struct mm_kernel *k, void *st)
{
	(void)k;
	thp_setup(st, 1, MADV_NOHUGEPAGE);
}

static void move_pmd_split_run(struct mm_kernel *k, void *st, int cpu)
{
	(void)k;
	if (cpu == 1)
		move_handler(st, 1, HP);
	else
		thp_reader(st, 1);
}

/* The destination faulted at PTE level, so a PTE table was there: the
 * source PMD and folio were split and every page moved by itself. */
static void move_pmd_split_check(struct mm_kernel *k, void *st)
{
	struct proto *s = st;

	(void)k;
	MT_EQ(s->missing_faults, 1);
	MT_TRUE(pmd_is_table(mt_pmd(s->u.mm, DST)));
	MT_TRUE(pmd_is_table(mt_pmd(s->u.mm, SRC)));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 73) {
		MT_EQ(mt_pfn(s->u.mm, DST + i * PG), s->head[0] + i);
		MT_EQ(t_order(s->head[0] + i), 0);
		MT_TRUE(mt_exclusive(s->head[0] + i));
		MT_TRUE(ut_none(s->u.mm, SRC + i * PG) || i == 3);
	}
	MT_READ(s->u.mm, DST + (HPAGE_PMD_NR - 1) * PG, VAL(HPAGE_PMD_NR - 1));
	MT_EQ(mt_rss(s->u.mm, MM_ANONPAGES), HPAGE_PMD_NR);
}

MM_PROGRAM_CFG(uffd_selftest_move_pmd_split, "selftest move-pmd-split: THP source, PTE-level"
	       " destination", 2, struct proto, move_pmd_split_setup, move_pmd_split_run,
	       move_pmd_split_check, &thp_cfg);

/* ---- the cmocka side ---- */

#if defined(__SANITIZE_ADDRESS__)
#define BUDGET 100
#else
#define BUDGET 500
#endif

struct explored {
	const struct sim_program *prog;
	int dfs_bound;		/* -1: no DFS (executions too long) */
	uint64_t budget;	/* random and PCT executions; 0: BUDGET */
};

static void run_clean(const struct sim_program *p, enum explore_kind kind, int n, uint64_t execs,
		      struct explore_result *r)
{
	struct explore_opts o;

	explore_opts_default(&o);
	o.kind = kind;
	o.bound = n;
	o.pct_depth = n;
	o.max_executions = execs;
	o.cfg.max_steps = 2000000;
	o.cfg.check_every_step = execs != 0 && execs < 50 ? false : true;
	assert_int_equal(explore_run(p, &o, r), 0);
	t_assert_clean(p, r);
}

/* Random and PCT run their budget, DFS exhausts its bound: nothing found. */
static void test_explored(void **state)
{
	const struct explored *c = *state;
	uint64_t budget = c->budget ? c->budget : BUDGET;
	struct explore_result r;

	if (test_soak())
		budget *= 10;
	run_clean(c->prog, EXPLORE_RANDOM, 0, budget, &r);
	assert_int_equal(r.executions, budget);
	explore_result_free(&r);
	run_clean(c->prog, EXPLORE_PCT, 3, budget, &r);
	assert_int_equal(r.executions, budget);
	explore_result_free(&r);
	if (c->dfs_bound < 0)
		return;
	run_clean(c->prog, EXPLORE_DFS, c->dfs_bound, 0, &r);
	assert_true(r.exhausted);
	assert_int_equal(strncmp(r.coverage, "exhausted", 9), 0);
	assert_true(r.executions > 1);
	explore_result_free(&r);
}

/* DFS bounds: 2 where a whole search takes a few seconds at most. */
static const struct explored clean[] = {
	{ &uffd_copy_dontwake_wake, 2, 0 },
	{ &uffd_zeropage_dontwake_wake, 2, 0 },
	{ &uffd_move_dontwake_wake, 2, 0 },
	{ &uffd_wake_refaults, 2, 0 },
	{ &uffd_unregister_wakes, 2, 0 },
	{ &uffd_close_wakes, 2, 0 },
	{ &uffd_selftest_move, 1, 0 },
	{ &uffd_selftest_move_pmd, 1, 0 },
	{ &uffd_selftest_move_pmd_split, -1, 20 },
};
#define NCLEAN (sizeof(clean) / sizeof(clean[0]))

/* Without a wake, the reader that slept before the fill sleeps for ever:
 * every strategy finds that deadlock, and the schedule replays to it. */
static void test_dontwake_needs_wake(void **state)
{
	static const struct sim_program *progs[] = {
		&uffd_copy_dontwake_only, &uffd_zeropage_dontwake_only, &uffd_move_dontwake_only,
	};
	static const enum explore_kind kinds[] = { EXPLORE_DFS, EXPLORE_PCT, EXPLORE_RANDOM };

	(void)state;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
			struct explore_opts o;
			struct explore_result r, again;

			explore_opts_default(&o);
			o.kind = kinds[j];
			o.bound = 1;
			o.max_executions = 1000;
			assert_int_equal(explore_run(progs[i], &o, &r), 0);
			if (!r.found)
				fail_msg("%s: %s found no deadlock", progs[i]->name, r.strategy);
			assert_int_equal(r.finding.kind, SIM_FIND_DEADLOCK);
			assert_int_equal(explore_replay(progs[i], r.token, &o.cfg, &again), 0);
			assert_true(again.found);
			assert_int_equal(again.finding.kind, SIM_FIND_DEADLOCK);
			test_assert_same_trace(&r, &again);
			explore_result_free(&again);
			explore_result_free(&r);
		}
	}
}

/* UFFDIO_UNREGISTER racing a fault on the range: in some schedules the
 * fault sleeps for ever (see unregister_race_run); a bounded search finds
 * one and its token replays to it. */
static void test_unregister_race(void **state)
{
	struct explore_opts o;
	struct explore_result r, again;

	(void)state;
	explore_opts_default(&o);
	o.kind = EXPLORE_DFS;
	o.bound = 2;
	o.max_executions = 0;
	assert_int_equal(explore_run(&uffd_unregister_race, &o, &r), 0);
	if (!r.found)
		fail_msg("no schedule left the fault asleep (%s)", r.coverage);
	assert_int_equal(r.finding.kind, SIM_FIND_DEADLOCK);
	assert_non_null(strstr(r.finding.msg, "handle_userfault"));
	assert_int_equal(explore_replay(&uffd_unregister_race, r.token, &o.cfg, &again), 0);
	assert_true(again.found);
	test_assert_same_trace(&r, &again);
	explore_result_free(&again);
	explore_result_free(&r);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[NCLEAN + 2];
	size_t n = 0;
	int fails;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	for (size_t i = 0; i < NCLEAN; i++)
		tests[n++] = (struct CMUnitTest){ .name = clean[i].prog->name,
						  .test_func = test_explored,
						  .initial_state = (void *)&clean[i] };
	tests[n++] = (struct CMUnitTest){ .name = "dontwake_needs_wake",
					  .test_func = test_dontwake_needs_wake };
	tests[n++] = (struct CMUnitTest){ .name = "unregister_race",
					  .test_func = test_unregister_race };
	fails = cmocka_run_group_tests_name("uffd: descriptor, COPY, ZEROPAGE", sequential, NULL,
					    NULL);
	return fails | _cmocka_run_group_tests("uffd: two CPUs (protocol, selftests)", tests, n,
					       NULL, NULL);
}
