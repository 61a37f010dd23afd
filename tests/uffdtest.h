/*
 * uffdtest.h - helpers for the userfaultfd tests (test_uffd*.c): a one-CPU
 * program that runs a case's body on CPU0, the usual layout (a source area
 * holding data, a destination area registered MISSING with a context that
 * has done the handshake), ioctl wrappers that fill the argument structures
 * and hand back the output field, and looks at what a page is now.
 *
 * A case body runs inside an execution: it must use MT_* expectations,
 * never cmocka asserts.  A body that touched a registered, missing page
 * with nobody to resolve it would sleep forever: the explorer reports that
 * as a deadlock finding, so a wrong test fails instead of hanging.
 */
#ifndef MMT_TESTS_UFFDTEST_H
#define MMT_TESTS_UFFDTEST_H

#include "mmlook.h"

#include "mm/fixes.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

#define SRC 0x10000000UL	/* PMD aligned, like every area below */
#define DST 0x20000000UL
#define SRC2 0x12000000UL
#define DST2 0x22000000UL
#define FAR 0x4000000000UL	/* 256 GiB: a PUD nothing else uses */
#define PG PAGE_SIZE
#define HP PMD_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

/* An output field the kernel did not write keeps this. */
#define SENT ((int64_t)0x5a5a5a5a)

/* What source page @i holds at word 0 and word 1 (two words, so a move
 * that kept only one would show). */
#define VAL(i) (100 + (uint64_t)(i))
#define VAL1(i) (0x1000 + (uint64_t)(i))

struct ut_case;

/* The user state of a one-CPU case. */
struct ut {
	struct mm_struct *mm, *mm2;
	struct userfaultfd_ctx *ctx, *ctx2;
	struct address_space *file;
	const struct ut_case *c;
};

typedef void (*ut_fn)(struct ut *u);

struct ut_case {
	const char *name;
	ut_fn run;
	const struct mm_config *cfg;	/* NULL: mm_config_default() */
	uint64_t p[4];			/* parameters of a shared body */
	bool fast;			/* skip the CHECK_STEP invariants before every step */
	enum sim_finding_kind want_kind;	/* SIM_FIND_NONE: must pass */
	const char *want_id, *want_msg;
};

/* ---- the one-CPU program ----------------------------------------------------------- */

static const struct ut_case *ut_cur;
static struct mm_config ut_cfg;
/* Run the cases with Linux 6.18's batched move of present pages. */
static bool ut_batch;

static void ut_run_cpu(struct mm_kernel *k, void *st, int cpu)
{
	struct ut *u = st;

	(void)k;
	(void)cpu;
	u->c = ut_cur;
	ut_cur->run(u);
}

MM_PROGRAM_CFG(ut_program, "userfaultfd unit test", 1, struct ut, NULL, ut_run_cpu, NULL,
	       &ut_cfg);

static inline void ut_test(void **state)
{
	const struct ut_case *c = *state;
	struct explore_opts o;
	struct explore_result r;

	ut_cur = c;
	if (c->cfg)
		ut_cfg = *c->cfg;
	else
		mm_config_default(&ut_cfg);
	ut_cfg.uffd_move_batch |= ut_batch;
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.max_steps = 20000000;
	o.cfg.check_every_step = !c->fast;
	assert_int_equal(explore_run(&ut_program, &o, &r), 0);
	if (r.error)
		fail_msg("%s: %s", c->name, r.errmsg);
	if (!c->want_kind) {
		t_assert_clean(&ut_program, &r);
	} else {
		if (!r.found)
			fail_msg("%s: expected a %s finding, got none", c->name,
				 sim_finding_kind_name(c->want_kind));
		if (r.finding.kind != c->want_kind || strcmp(r.finding.id, c->want_id) ||
		    (c->want_msg && !strstr(r.finding.msg, c->want_msg)))
			fail_msg("%s: expected %s %s, got %s %s: %s", c->name,
				 sim_finding_kind_name(c->want_kind), c->want_id,
				 sim_finding_kind_name(r.finding.kind), r.finding.id,
				 r.finding.msg);
	}
	explore_result_free(&r);
}

/* A row of a cmocka table: UT_CASE(name, .run = fn, ...). */
#define UT_CASE(ident, ...)                                                                    \
	{ #ident, ut_test, NULL, NULL,                                                         \
	  (void *)&(const struct ut_case){ .name = #ident, __VA_ARGS__ } }

/* ---- building state ------------------------------------------------------------------- */

static inline void ut_map(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot,
			  int flags)
{
	MT_EQ(mmt_mmap(mm, addr, len, prot, flags | MAP_FIXED, NULL, 0), addr);
}

/* A context of @mm that has done the handshake with @features. */
static inline struct userfaultfd_ctx *ut_ctx(struct mm_struct *mm, uint64_t features)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, features, 0 };
	struct userfaultfd_ctx *ctx = NULL;

	MT_EQ(mmt_userfaultfd(mm, 0, &ctx), 0);
	MT_EQ(mmt_uffd_api(ctx, &api), 0);
	return ctx;
}

static inline void ut_register(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
			       uint64_t mode)
{
	struct mmt_uffdio_register reg = { { start, len }, mode, 0 };

	MT_EQ(mmt_uffd_register(ctx, &reg), 0);
}

/* Page @i of [@base, +@pages) holds VAL(i), VAL1(i). */
static inline void ut_fill(struct mm_struct *mm, unsigned long base, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		MT_WRITE(mm, base + i * PG, VAL(i));
		MT_WRITE(mm, base + i * PG + 8, VAL1(i));
	}
}

/*
 * The layout of most cases: SRC (@pages, order-0 pages holding VAL/VAL1),
 * DST (@pages, untouched, registered MISSING with u->ctx, which asked for
 * @features).
 */
static inline void ut_layout(struct ut *u, unsigned long pages, uint64_t features)
{
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, pages * PG, RW, ANON);
	ut_map(u->mm, DST, pages * PG, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, pages * PG, MADV_NOHUGEPAGE), 0);
	ut_fill(u->mm, SRC, pages);
	u->ctx = ut_ctx(u->mm, features);
	ut_register(u->ctx, DST, pages * PG, MMT_UFFDIO_REGISTER_MODE_MISSING);
}

/* ---- the ioctls, with the output field handed back ----------------------------------- */

static inline int ut_move(struct mm_struct *mm, struct userfaultfd_ctx *ctx, unsigned long dst,
			  unsigned long src, unsigned long len, uint64_t mode, int64_t *out)
{
	struct mmt_uffdio_move mv = { dst, src, len, mode, SENT };
	int rc = mmt_uffd_move(mm, ctx, &mv);

	*out = mv.move;
	return rc;
}

static inline int ut_copy(struct mm_struct *mm, struct userfaultfd_ctx *ctx, unsigned long dst,
			  unsigned long src, unsigned long len, uint64_t mode, int64_t *out)
{
	struct mmt_uffdio_copy cp = { dst, src, len, mode, SENT };
	int rc = mmt_uffd_copy(mm, ctx, &cp);

	*out = cp.copy;
	return rc;
}

static inline int ut_zeropage(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
			      uint64_t mode, int64_t *out)
{
	struct mmt_uffdio_zeropage zp = { { start, len }, mode, SENT };
	int rc = mmt_uffd_zeropage(ctx, &zp);

	*out = zp.zeropage;
	return rc;
}

/* An ioctl returned @rc with @field in its output field. */
#define UT_RET(call, rc, field)                                                                \
	do {                                                                                   \
		int64_t __out = SENT;                                                          \
		int __rc = (call);                                                             \
		MT_EQ(__rc, (rc));                                                             \
		MT_EQ(__out, (field));                                                         \
	} while (0)

/* The three range ioctls, asserting the return and the output field. */
#define UT_MOVE(mm, ctx, dst, src, len, mode, rc, field)                                       \
	UT_RET(ut_move((mm), (ctx), (dst), (src), (len), (mode), &__out), (rc), (field))
#define UT_COPY(mm, ctx, dst, src, len, mode, rc, field)                                       \
	UT_RET(ut_copy((mm), (ctx), (dst), (src), (len), (mode), &__out), (rc), (field))
#define UT_ZERO(ctx, start, len, mode, rc, field)                                              \
	UT_RET(ut_zeropage((ctx), (start), (len), (mode), &__out), (rc), (field))

/* pin_user_pages() as the kernel accounts it (white box: GUP is not in the
 * model yet): a small folio gains GUP_PIN_COUNTING_BIAS references, a large
 * one a reference and a pincount.  @n pins, negative to unpin. */
static inline void t_pin(unsigned long pfn, int n)
{
	struct folio *f = pfn_folio(t_head(pfn));

	if (folio_test_large(f)) {
		atomic_add(n, &folio_second(f)->_pincount);
		atomic_add(n, &f->_refcount);
	} else {
		atomic_add(n * GUP_PIN_COUNTING_BIAS, &f->_refcount);
	}
}

/* ---- what a page is now (no scheduling points) ------------------------------------------ */

/* Nothing at all maps @addr: no huge PMD, and a none PTE (or no table). */
static inline bool ut_none(struct mm_struct *mm, unsigned long addr)
{
	return !pmd_trans_huge(mt_pmd(mm, addr)) && pte_none(mt_pte(mm, addr));
}

/* A present PTE maps an anonymous page at @addr (not the zero page). */
static inline bool ut_present(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = mt_pte(mm, addr);

	return pte_present(pte) && pte_pfn(pte) != mm->k->zero_pfn && t_anon(pte_pfn(pte));
}

/* A real swap entry (not a migration entry or marker) at @addr. */
static inline bool ut_swapped(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = mt_pte(mm, addr);

	return is_swap_pte(pte) && !non_swap_entry(pte_to_swp_entry(pte));
}

/* Page @i of SRC was moved to @dst: the page (same pfn) is mapped there,
 * exclusive and writable, holds its data, and SRC has nothing. */
static inline void ut_check_moved(struct mm_struct *mm, unsigned long dst, unsigned long src,
				  unsigned long i, unsigned long pfn)
{
	MT_TRUE(ut_none(mm, src));
	MT_TRUE(ut_present(mm, dst));
	if (pfn)
		MT_EQ(mt_pfn(mm, dst), pfn);
	MT_TRUE(mt_exclusive(mt_pfn(mm, dst)));
	MT_TRUE(t_writable(mm, dst));
	MT_READ(mm, dst, VAL(i));
	MT_READ(mm, dst + 8, VAL1(i));
}

/* Page @i of SRC was not touched by a failed move. */
static inline void ut_check_kept(struct mm_struct *mm, unsigned long src, unsigned long i,
				 unsigned long pfn)
{
	MT_TRUE(ut_present(mm, src));
	if (pfn)
		MT_EQ(mt_pfn(mm, src), pfn);
	MT_READ(mm, src, VAL(i));
	MT_READ(mm, src + 8, VAL1(i));
}

#endif
