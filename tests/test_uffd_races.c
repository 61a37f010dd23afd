/*
 * test_uffd_races.c - UFFDIO_MOVE (and COPY) racing the rest of the model
 * kernel, explored with every fix applied: a fault on the source page, a
 * userfault on the destination, swap-out by MADV_PAGEOUT and by reclaim,
 * swap-in, fork, migration, a second MOVE to the same destination or from
 * the same source, MADV_DONTNEED of the source, a huge-PMD move.  Each
 * program's run() checks what its CPUs see and its check() the outcome;
 * the harness then runs every invariant (and, here, the per-step ones
 * before every step), exits every mm and checks for leaks.  Random and
 * PCT run a budget and DFS exhausts a preemption bound: nothing may be
 * found.
 *
 * Then the negative controls: the bundled seed programs with their fix
 * reverted are found by PCT within a small budget, and the token replays
 * to the same finding (uffd_move_swap_wrong by DFS bounded by two
 * delays, about 11k executions).
 */
#include "uffdtest.h"

#define F_MOVE MMT_UFFD_FEATURE_MOVE
#define MISSING MMT_UFFDIO_REGISTER_MODE_MISSING

struct rs {
	struct ut u;
	unsigned long pfn0;		/* SRC's page after setup */
	int rc[2];			/* per CPU: what its call returned */
	int64_t out[2];			/* per CPU: the output field */
	uint64_t seen[2];		/* per CPU: a value it read */
};

/* ---- set-ups ------------------------------------------------------------------------ */

static void setup_one(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	ut_layout(&s->u, 1, F_MOVE);
	s->pfn0 = mt_pfn(s->u.mm, SRC);
}

static void setup_two(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	ut_layout(&s->u, 2, F_MOVE);
	s->pfn0 = mt_pfn(s->u.mm, SRC);
}

/* One page and a swap device: asynchronous (the folio stays in the swap
 * cache until written back) or synchronous (zram-like). */
static void setup_async(struct mm_kernel *k, void *st)
{
	MT_EQ(mmt_swapon(4, false, SWAP_ALLOC_LOWEST), 0);
	setup_one(k, st);
}

static void setup_sync(struct mm_kernel *k, void *st)
{
	MT_EQ(mmt_swapon(4, true, SWAP_ALLOC_LOWEST), 0);
	setup_one(k, st);
}

/* The source page already swapped out (and, on an async device, written
 * back and dropped from the swap cache). */
static void setup_swapped_sync(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	setup_sync(k, st);
	MT_EQ(mmt_madvise(s->u.mm, SRC, PG, MADV_PAGEOUT), 0);
	MT_TRUE(ut_swapped(s->u.mm, SRC));
}

static void setup_swapped_async(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	setup_async(k, st);
	MT_EQ(mmt_madvise(s->u.mm, SRC, PG, MADV_PAGEOUT), 0);
	MT_EQ(mmt_swap_io_complete(), 1);
	MT_EQ(mmt_reclaim(4), 1);
	MT_TRUE(ut_swapped(s->u.mm, SRC));
}

/* ---- common pieces ------------------------------------------------------------------- */

static void cpu_move(struct rs *s, int cpu, unsigned long dst, unsigned long src)
{
	s->rc[cpu] = ut_move(s->u.mm, s->u.ctx, dst, src, PG, 0, &s->out[cpu]);
}

/* The move of page 0 succeeded: the data is at DST, exclusively owned
 * there, and SRC reads zero. */
static void check_moved(struct rs *s, int cpu)
{
	unsigned long pfn = mt_pfn(s->u.mm, DST);

	MT_EQ(s->rc[cpu], 0);
	MT_EQ(s->out[cpu], PG);
	MT_READ(s->u.mm, DST, VAL(0));
	MT_READ(s->u.mm, DST + 8, VAL1(0));
	pfn = mt_pfn(s->u.mm, DST);
	MT_TRUE(ut_present(s->u.mm, DST));
	MT_TRUE(mt_exclusive(pfn));
	MT_EQ(t_mapcount(pfn), 1);
	MT_READ(s->u.mm, SRC, 0);
	MT_READ(s->u.mm, SRC + 8, 0);
}

/* CPU0 moves page 0 and then reads it at DST. */
static void mover(struct rs *s)
{
	cpu_move(s, 0, DST, SRC);
	MT_EQ(s->rc[0], 0);
	MT_READ(s->u.mm, DST, VAL(0));
}

static void check_cpu0_moved(struct mm_kernel *k, void *st)
{
	(void)k;
	check_moved(st, 0);
}

/* ---- a fault on the source page ------------------------------------------------------ */

/* CPU1 reads the source page: before the move it sees the data, after it
 * zero (the zero page), never anything else. */
static void vs_src_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0) {
		mover(s);
		return;
	}
	s->seen[1] = t_load(s->u.mm, SRC + 8);
	MT_EITHER(s->seen[1], VAL1(0), 0);
}

static void vs_src_read_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	check_moved(s, 0);
	MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
}

MM_PROGRAM(race_move_vs_src_read, "UFFDIO_MOVE races a read of the source page", 2, struct rs,
	   setup_one, vs_src_read_run, vs_src_read_check);

/* CPU1 writes a third word of the source page: either the write went into
 * the page before it moved (and moved with it), or it faulted a new page
 * in at the source after the move. */
static void vs_src_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0) {
		mover(s);
		return;
	}
	MT_WRITE(s->u.mm, SRC + 16, 7);
	/* The page may have moved away with the write in it since. */
	s->seen[1] = t_load(s->u.mm, SRC + 16);
	MT_EITHER(s->seen[1], 7, 0);
}

static void vs_src_write_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	uint64_t moved_with = t_load(s->u.mm, DST + 16);

	(void)k;
	MT_EQ(s->rc[0], 0);
	MT_EQ(s->out[0], PG);
	MT_EITHER(moved_with, 7, 0);
	MT_READ(s->u.mm, DST, VAL(0));
	MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
	if (s->seen[1] == 0)
		MT_EQ(moved_with, 7);
	if (moved_with == 7) {
		MT_READ(s->u.mm, SRC + 16, 0);
	} else {
		MT_TRUE(ut_present(s->u.mm, SRC));
		MT_READ(s->u.mm, SRC + 16, 7);
		MT_READ(s->u.mm, SRC, 0);
	}
}

MM_PROGRAM(race_move_vs_src_write, "UFFDIO_MOVE races a write to the source page", 2,
	   struct rs, setup_one, vs_src_write_run, vs_src_write_check);

/* ---- a userfault on the destination ---------------------------------------------------- */

/* CPU1 reads (or writes) the missing destination page while CPU0 moves:
 * a fault before the move sleeps in handle_userfault until MOVE's wake;
 * one after finds the page.  Nobody reads the descriptor. */
static void vs_dst_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		cpu_move(s, 0, DST, SRC);
	else
		MT_READ(s->u.mm, DST + 8, VAL1(0));
}

static void vs_dst_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0) {
		cpu_move(s, 0, DST, SRC);
		return;
	}
	MT_WRITE(s->u.mm, DST + 16, 9);
	MT_READ(s->u.mm, DST + 16, 9);
	MT_READ(s->u.mm, DST, VAL(0));
}

static void vs_dst_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	check_moved(s, 0);
	MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
}

MM_PROGRAM(race_move_vs_dst_read, "UFFDIO_MOVE races a userfault (read) on the destination",
	   2, struct rs, setup_one, vs_dst_read_run, vs_dst_check);
MM_PROGRAM(race_move_vs_dst_write, "UFFDIO_MOVE races a userfault (write) on the destination",
	   2, struct rs, setup_one, vs_dst_write_run, vs_dst_check);

/* The same for UFFDIO_COPY: the reader sees the copied words. */
static void copy_vs_dst_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		s->rc[0] = ut_copy(s->u.mm, s->u.ctx, DST, SRC, PG, 0, &s->out[0]);
	else
		MT_READ(s->u.mm, DST + 8, VAL1(0));
}

static void copy_vs_dst_read_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	MT_EQ(s->rc[0], 0);
	MT_EQ(s->out[0], PG);
	MT_READ(s->u.mm, DST, VAL(0));
	MT_TRUE(ut_present(s->u.mm, DST));
	MT_NE(mt_pfn(s->u.mm, DST), s->pfn0);
	ut_check_kept(s->u.mm, SRC, 0, s->pfn0);
}

MM_PROGRAM(race_copy_vs_dst_read, "UFFDIO_COPY races a userfault on the destination", 2,
	   struct rs, setup_one, copy_vs_dst_read_run, copy_vs_dst_read_check);

/* ---- swap ---------------------------------------------------------------------------- */

/* CPU1 swaps the source out (MADV_PAGEOUT to an asynchronous device, so
 * the folio sits in the swap cache under writeback, or reclaim to a
 * synchronous one) while CPU0 moves it and reads it at DST. */
static void vs_pageout_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		mover(s);
	else
		MT_EQ(mmt_madvise(s->u.mm, SRC, PG, MADV_PAGEOUT), 0);
}

static void vs_reclaim_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		mover(s);
	else
		mmt_reclaim(4);
}

MM_PROGRAM(race_move_vs_pageout, "UFFDIO_MOVE races MADV_PAGEOUT of the source (async swap)",
	   2, struct rs, setup_async, vs_pageout_run, check_cpu0_moved);
MM_PROGRAM(race_move_vs_reclaim, "UFFDIO_MOVE races reclaim of the source (sync swap)", 2,
	   struct rs, setup_sync, vs_reclaim_run, check_cpu0_moved);

/* The source is a swap PTE; CPU1 swaps it in by reading it (through the
 * SWP_SYNCHRONOUS_IO bypass, or the swap cache) while CPU0 moves it: the
 * reader sees the data or, once it moved, zero. */
static void vs_swapin_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0) {
		mover(s);
		return;
	}
	s->seen[1] = t_load(s->u.mm, SRC);
	MT_EITHER(s->seen[1], VAL(0), 0);
}

MM_PROGRAM(race_move_vs_swapin_sync, "UFFDIO_MOVE of a swap PTE races its swap-in (bypass)",
	   2, struct rs, setup_swapped_sync, vs_swapin_run, check_cpu0_moved);
MM_PROGRAM(race_move_vs_swapin_async, "UFFDIO_MOVE of a swap PTE races its swap-in (cache)",
	   2, struct rs, setup_swapped_async, vs_swapin_run, check_cpu0_moved);

/* ---- fork ------------------------------------------------------------------------------ */

/*
 * CPU1 forks.  Fork write-locks the VMAs, so it runs wholly before or
 * after the move: after, the move succeeded and the child shares the page
 * at DST (the child's DST is not registered: no EVENT_FORK); before, the
 * page is shared and MOVE fails with EBUSY, nothing moved.
 */
static void vs_fork_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		cpu_move(s, 0, DST, SRC);
	else
		MT_EQ(mmt_fork(s->u.mm, &s->u.mm2), 0);
}

static void vs_fork_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	struct mm_struct *mm = s->u.mm, *child = s->u.mm2;

	(void)k;
	MT_EITHER(s->rc[0], 0, -EBUSY);
	MT_EQ(s->out[0], s->rc[0] ? -EBUSY : (int64_t)PG);
	MT_TRUE(!vma_uffd_ctx(vma_lookup(child, DST)));
	if (s->rc[0] == 0) {
		MT_EQ(mt_pfn(mm, DST), s->pfn0);
		MT_EQ(mt_pfn(child, DST), s->pfn0);
		MT_FALSE(mt_exclusive(s->pfn0));
		MT_TRUE(ut_none(mm, SRC) && ut_none(child, SRC));
		MT_READ(child, DST + 8, VAL1(0));
		MT_READ(mm, DST, VAL(0));
		MT_WRITE(child, DST, 5);
		MT_READ(mm, DST, VAL(0));
	} else {
		MT_TRUE(ut_none(mm, DST));
		MT_EQ(mt_pfn(child, SRC), s->pfn0);
		MT_READ(mm, SRC, VAL(0));
		MT_READ(child, SRC + 8, VAL1(0));
		MT_READ(child, DST, 0);
	}
}

MM_PROGRAM(race_move_vs_fork, "UFFDIO_MOVE races fork", 2, struct rs, setup_one, vs_fork_run,
	   vs_fork_check);

/* CPU1 forks while CPU0 copies into DST: the child (whose DST is not
 * registered) has the copied page or nothing there, as fork copied DST's
 * VMA after or before the copy. */
static void copy_vs_fork_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		s->rc[0] = ut_copy(s->u.mm, s->u.ctx, DST, SRC, PG, 0, &s->out[0]);
	else
		MT_EQ(mmt_fork(s->u.mm, &s->u.mm2), 0);
}

static void copy_vs_fork_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	uint64_t seen;

	(void)k;
	MT_EQ(s->rc[0], 0);
	MT_EQ(s->out[0], PG);
	MT_READ(s->u.mm, DST + 8, VAL1(0));
	seen = t_load(s->u.mm2, DST + 8);
	MT_EITHER(seen, VAL1(0), 0);
	MT_READ(s->u.mm2, DST, seen ? VAL(0) : 0);
	MT_READ(s->u.mm2, SRC, VAL(0));
}

MM_PROGRAM(race_copy_vs_fork, "UFFDIO_COPY races fork", 2, struct rs, setup_one,
	   copy_vs_fork_run, copy_vs_fork_check);

/* ---- migration ------------------------------------------------------------------------ */

/* CPU1 migrates the source page while CPU0 moves it: MOVE waits for a
 * migration entry; migration finds the page at either place (or nothing
 * at SRC any more). */
static void vs_migrate_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		mover(s);
	else
		s->rc[1] = mmt_migrate(s->u.mm, SRC);
}

static void vs_migrate_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	if (s->rc[1] != -ENOENT)
		MT_EITHER(s->rc[1], 0, -EBUSY);
	check_moved(s, 0);
	if (s->rc[1] == 0) {
		MT_NE(mt_pfn(s->u.mm, DST), s->pfn0);
		MT_TRUE(t_page_free(s->pfn0));
	} else {
		MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
	}
}

MM_PROGRAM(race_move_vs_migrate, "UFFDIO_MOVE races migration of the source page", 2,
	   struct rs, setup_one, vs_migrate_run, vs_migrate_check);

/* ---- two moves ------------------------------------------------------------------------ */

/* Two MOVEs into one destination page, from two source pages: one wins,
 * the other gets EEXIST (and -EEXIST in `move`) and keeps its page. */
static void two_dst_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	cpu_move(s, cpu, DST, SRC + (unsigned long)cpu * PG);
}

static void two_dst_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	int win = s->rc[0] == 0 ? 0 : 1, lose = 1 - win;
	unsigned long wsrc = SRC + (unsigned long)win * PG, lsrc = SRC + (unsigned long)lose * PG;

	(void)k;
	MT_EQ(s->rc[win], 0);
	MT_EQ(s->out[win], PG);
	MT_EQ(s->rc[lose], -EEXIST);
	MT_EQ(s->out[lose], -EEXIST);
	MT_TRUE(ut_none(s->u.mm, wsrc));
	MT_READ(s->u.mm, DST, VAL(win));
	MT_READ(s->u.mm, DST + 8, VAL1(win));
	ut_check_kept(s->u.mm, lsrc, (unsigned long)lose, 0);
}

MM_PROGRAM(race_two_moves_same_dst, "two UFFDIO_MOVEs into one destination page", 2,
	   struct rs, setup_two, two_dst_run, two_dst_check);

/* Two MOVEs of one source page to two destinations: one moves it, the
 * other finds a hole (ENOENT) and leaves its destination empty. */
static void two_src_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	cpu_move(s, cpu, DST + (unsigned long)cpu * PG, SRC);
}

static void two_src_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	int win = s->rc[0] == 0 ? 0 : 1, lose = 1 - win;
	unsigned long wdst = DST + (unsigned long)win * PG, ldst = DST + (unsigned long)lose * PG;

	(void)k;
	MT_EQ(s->rc[win], 0);
	MT_EQ(s->out[win], PG);
	MT_EQ(s->rc[lose], -ENOENT);
	MT_EQ(s->out[lose], -ENOENT);
	ut_check_moved(s->u.mm, wdst, SRC, 0, s->pfn0);
	MT_TRUE(ut_none(s->u.mm, ldst));
	ut_check_kept(s->u.mm, SRC + PG, 1, 0);
}

MM_PROGRAM(race_two_moves_same_src, "two UFFDIO_MOVEs of one source page", 2, struct rs,
	   setup_two, two_src_run, two_src_check);

/* ---- MADV_DONTNEED of the source --------------------------------------------------------- */

/* CPU1 zaps the source: the move either took the page first (moved) or
 * found the hole (ENOENT, nothing at DST). */
static void vs_dontneed_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		cpu_move(s, 0, DST, SRC);
	else
		MT_EQ(mmt_madvise(s->u.mm, SRC, PG, MADV_DONTNEED), 0);
}

static void vs_dontneed_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	MT_EITHER(s->rc[0], 0, -ENOENT);
	if (s->rc[0] == 0) {
		check_moved(s, 0);
		MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
	} else {
		MT_EQ(s->out[0], -ENOENT);
		MT_TRUE(ut_none(s->u.mm, DST));
		MT_TRUE(t_page_free(s->pfn0));
		MT_READ(s->u.mm, SRC, 0);
	}
}

MM_PROGRAM(race_move_vs_dontneed, "UFFDIO_MOVE races MADV_DONTNEED of the source", 2,
	   struct rs, setup_one, vs_dontneed_run, vs_dontneed_check);

/* ---- a fatal signal ------------------------------------------------------------------ */

/* CPU1 kills CPU0 while it moves two pages.  move_pages() checks after each
 * step and leaves the step just done uncounted: all moved and counted (0),
 * or page 0 moved and -EINTR, or both moved and a short move of one page. */
static void vs_kill_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		s->rc[0] = ut_move(s->u.mm, s->u.ctx, DST, SRC, 2 * PG, 0, &s->out[0]);
	else
		mmt_kill(0);
}

static void vs_kill_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	ut_check_moved(s->u.mm, DST, SRC, 0, s->pfn0);
	if (s->rc[0] == -EINTR) {
		MT_EQ(s->out[0], -EINTR);
		ut_check_kept(s->u.mm, SRC + PG, 1, 0);
		MT_TRUE(ut_none(s->u.mm, DST + PG));
		return;
	}
	MT_EQ(s->out[0], s->rc[0] == 0 ? 2 * (int64_t)PG : (int64_t)PG);
	MT_EQ(s->rc[0], s->out[0] == PG ? -EAGAIN : 0);
	ut_check_moved(s->u.mm, DST + PG, SRC + PG, 1, 0);
}

MM_PROGRAM(race_move_vs_kill, "UFFDIO_MOVE of two pages races a SIGKILL of the mover", 2,
	   struct rs, setup_two, vs_kill_run, vs_kill_check);

/* ---- a huge PMD -------------------------------------------------------------------------- */

static const struct mm_config thp_cfg = {
	.nr_pages = 4096, .thp_madvise = 1UL << HPAGE_PMD_ORDER, .thp_use_zero_page = true,
};

/* A THP source moved whole (move_pages_huge_pmd) while CPU1 reads the
 * destination in the middle: the reader sees the data. */
static void pmd_setup(struct mm_kernel *k, void *st)
{
	struct rs *s = st;
	struct ut *u = &s->u;

	(void)k;
	u->mm = mmt_mm_create();
	ut_map(u->mm, SRC, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, SRC, HP, MADV_HUGEPAGE), 0);
	ut_fill(u->mm, SRC, 4);
	MT_TRUE(t_huge(u->mm, SRC));
	s->pfn0 = mt_pfn(u->mm, SRC);
	ut_map(u->mm, DST, HP, RW, ANON);
	MT_EQ(mmt_madvise(u->mm, DST, HP, MADV_HUGEPAGE), 0);
	u->ctx = ut_ctx(u->mm, F_MOVE);
	ut_register(u->ctx, DST, HP, MISSING);
}

static void pmd_vs_dst_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct rs *s = st;

	(void)k;
	if (cpu == 0)
		s->rc[0] = ut_move(s->u.mm, s->u.ctx, DST, SRC, HP, 0, &s->out[0]);
	else
		MT_READ(s->u.mm, DST + 3 * PG + 8, VAL1(3));
}

static void pmd_vs_dst_read_check(struct mm_kernel *k, void *st)
{
	struct rs *s = st;

	(void)k;
	MT_EQ(s->rc[0], 0);
	MT_EQ(s->out[0], HP);
	MT_TRUE(t_huge(s->u.mm, DST));
	MT_EQ(mt_pfn(s->u.mm, DST), s->pfn0);
	MT_TRUE(mt_exclusive(s->pfn0));
	MT_READ(s->u.mm, DST + 2 * PG, VAL(2));
	MT_TRUE(ut_none(s->u.mm, SRC));
}

MM_PROGRAM_CFG(race_move_pmd_vs_dst_read, "a huge-PMD UFFDIO_MOVE races a userfault on the"
	       " destination", 2, struct rs, pmd_setup, pmd_vs_dst_read_run,
	       pmd_vs_dst_read_check, &thp_cfg);

/* ==== the cmocka side ================================================================== */

#if defined(__SANITIZE_ADDRESS__)
#define BUDGET 300
#else
#define BUDGET 1000
#endif

struct race_case {
	const struct sim_program *prog;
	int dfs_bound;		/* preemptions; chosen so that each search stays within seconds */
};

/* DFS bound 2 where the whole search takes about 4 s at most, else 1
 * (those take 4-8 s at 2: the soak set runs every program at 2). */
static const struct race_case cases[] = {
	{ &race_move_vs_src_read, 2 },
	{ &race_move_vs_src_write, 2 },
	{ &race_move_vs_dst_read, 2 },
	{ &race_move_vs_dst_write, 1 },
	{ &race_copy_vs_dst_read, 2 },
	{ &race_move_vs_pageout, 1 },
	{ &race_move_vs_reclaim, 1 },
	{ &race_move_vs_swapin_sync, 1 },
	{ &race_move_vs_swapin_async, 1 },
	{ &race_move_vs_fork, 2 },
	{ &race_copy_vs_fork, 2 },
	{ &race_move_vs_migrate, 1 },
	{ &race_two_moves_same_dst, 1 },
	{ &race_two_moves_same_src, 1 },
	{ &race_move_vs_dontneed, 2 },
	{ &race_move_vs_kill, 2 },
	{ &race_move_pmd_vs_dst_read, 2 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_race(void **state)
{
	const struct race_case *c = *state;

	t_race_all_clean(c->prog, test_soak() ? 10 * BUDGET : BUDGET,
			 test_soak() && c->dfs_bound < 2 ? 2 : c->dfs_bound);
}

/* ==== negative controls: the seeds with their fix reverted ================================ */

struct seed_case {
	const char *path;	/* the seed's scenario file */
	enum mm_fix fix;
	const char *variant;
	const char *id;		/* the finding's id */
	const char *msg;	/* a piece of its message */
	uint64_t fixed_budget;	/* PCT executions of the fixed program; 0: BUDGET */
};

#define SEED_FILE(name) "scenarios/uffd/" #name ".mmt"

static const struct seed_case seeds[] = {
	{ SEED_FILE(uffd_move_swapcache), FIX_MOVE_SWAPCACHE, "~c50f8e6053b0", "VM_BUG_ON_FOLIO",
	  "__page_check_anon_rmap", 0 },
	{ SEED_FILE(uffd_move_swap_missed), FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK,
	  "~0ea148a79919.hascache", "VM_BUG_ON_FOLIO", "__page_check_anon_rmap", 0 },
	{ SEED_FILE(uffd_move_pmd_migration), FIX_MOVE_PMD_NONPRESENT, "~adef440691ba.pmd",
	  "BUG_ON", "!pmd_trans_huge(src_pmdval)", 0 },
	{ SEED_FILE(uffd_move_pmd_split_migration), FIX_MOVE_SPLIT_PMD_MIGRATION, "~aba6faec0103",
	  "general protection fault", "a migration entry of pfn 1024, decoded as a folio", 50 },
};
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

static void seed_cfg(struct sim_config *cfg, const struct seed_case *c)
{
	cfg->model_flags = 1UL << c->fix;
	cfg->variant = c->variant;
}

/* Reverted: a kernel BUG, found by PCT within 5000 executions; the token
 * replays to the same finding and trace, and names the reverted fix (the
 * program with the fix applied refuses it). */
static void test_seed_reverted(void **state)
{
	const struct seed_case *c = *state;
	const struct sim_program *prog = test_scenario(c->path);
	struct explore_opts o;
	struct explore_result r, again;
	struct sim_config cfg;

	explore_opts_default(&o);
	o.kind = EXPLORE_PCT;
	o.seed = 1;
	o.pct_depth = 3;
	o.max_executions = 5000;
	seed_cfg(&o.cfg, c);
	assert_int_equal(explore_run(prog, &o, &r), 0);
	if (!r.found)
		fail_msg("%s with %s reverted: nothing found in %llu executions", prog->name,
			 c->variant, (unsigned long long)r.executions);
	assert_int_equal(r.finding.kind, SIM_FIND_BUG);
	assert_string_equal(r.finding.id, c->id);
	assert_non_null(strstr(r.finding.msg, c->msg));
	assert_non_null(strstr(r.token, c->variant));
	sim_config_default(&cfg);
	seed_cfg(&cfg, c);
	assert_int_equal(explore_replay(prog, r.token, &cfg, &again), 0);
	assert_true(again.found);
	assert_int_equal(again.finding.kind, r.finding.kind);
	assert_string_equal(again.finding.id, r.finding.id);
	assert_string_equal(again.finding.msg, r.finding.msg);
	test_assert_same_trace(&r, &again);
	explore_result_free(&again);
	sim_config_default(&cfg);
	assert_int_equal(explore_replay(prog, r.token, &cfg, &again), -1);
	explore_result_free(&again);
	explore_result_free(&r);
}

/* Applied: the same programs come out clean from a PCT budget (smaller
 * for the split program, whose executions run ~20000 steps; there the
 * per-step invariants are left to the end-of-execution check). */
static void test_seed_fixed(void **state)
{
	const struct seed_case *c = *state;
	const struct sim_program *prog = test_scenario(c->path);
	uint64_t budget = c->fixed_budget ? c->fixed_budget : BUDGET;
	struct explore_opts o;
	struct explore_result r;

	t_race_opts(&o, EXPLORE_PCT, 3, test_soak() ? 10 * budget : budget);
	o.cfg.check_every_step = !c->fixed_budget;
	assert_int_equal(explore_run(prog, &o, &r), 0);
	t_assert_clean(prog, &r);
	explore_result_free(&r);
}

/* Seed 000 race A (check .folio) needs two preemptions of the mover in
 * short windows: DFS bounded by two delays finds it (10805 executions;
 * bounded by two preemptions it takes ~73k); the token replays to it. */
static void test_seed_swap_wrong(void **state)
{
	const struct sim_program *prog = test_scenario(SEED_FILE(uffd_move_swap_wrong));
	struct explore_opts o;
	struct explore_result r, again;

	(void)state;
	explore_opts_default(&o);
	o.kind = EXPLORE_DFS;
	o.bound_kind = DFS_DELAYS;
	o.bound = 2;
	o.max_executions = 0;
	o.cfg.model_flags = 1UL << FIX_MOVE_SWAPCACHE_FOLIO_RECHECK;
	o.cfg.variant = "~0ea148a79919.folio";
	assert_int_equal(explore_run(prog, &o, &r), 0);
	if (!r.found)
		fail_msg("nothing found: %s", r.coverage);
	assert_true(r.finding.kind == SIM_FIND_BUG || r.finding.kind == SIM_FIND_INVARIANT);
	assert_int_equal(explore_replay(prog, r.token, &o.cfg, &again), 0);
	assert_true(again.found);
	assert_string_equal(again.finding.msg, r.finding.msg);
	test_assert_same_trace(&r, &again);
	explore_result_free(&again);
	explore_result_free(&r);
}

int main(int argc, char **argv)
{
	struct CMUnitTest tests[NCASES + 2 * NSEEDS + 1];
	size_t n = 0;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	for (size_t i = 0; i < NCASES; i++)
		tests[n++] = (struct CMUnitTest){ .name = cases[i].prog->name,
						  .test_func = test_race,
						  .initial_state = (void *)&cases[i] };
	for (size_t i = 0; i < NSEEDS; i++) {
		tests[n++] = (struct CMUnitTest){ .name = seeds[i].variant + 1,
						  .test_func = test_seed_reverted,
						  .initial_state = (void *)&seeds[i] };
		tests[n++] = (struct CMUnitTest){ .name = seeds[i].path,
						  .test_func = test_seed_fixed,
						  .initial_state = (void *)&seeds[i] };
	}
	tests[n++] = (struct CMUnitTest){ .name = "0ea148a79919.folio",
					  .test_func = test_seed_swap_wrong };
	return _cmocka_run_group_tests("uffd_races", tests, n, NULL, NULL);
}
