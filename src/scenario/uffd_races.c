/*
 * uffd_races.c - bundled programs over the model kernel's userfaultfd
 * paths: the fault/resolve protocol, and the UFFDIO_MOVE races of seeds
 * 000, 001 and 004 with their fixes.
 */
#include "check/mmprog.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"
#include "scenario/builtin.h"

#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			sim_fail(SIM_FIND_INVARIANT, "scenario", __VA_ARGS__);  \
	} while (0)

#define SRC 0x10000000UL
#define DST 0x20000000UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

struct uffd_prog {
	struct mm_struct *mm;
	struct userfaultfd_ctx *ctx;
};

/* An mm with SRC and DST (@pages each), DST registered MISSING with a
 * context that has done the handshake; SRC pages hold 100 + i. */
static void uffd_setup_common(struct uffd_prog *s, unsigned long pages, uint64_t features)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, features, 0 };
	struct mmt_uffdio_register reg = {
		{ DST, pages * PAGE_SIZE }, MMT_UFFDIO_REGISTER_MODE_MISSING, 0
	};

	s->mm = mmt_mm_create();
	EXPECT(mmt_mmap(s->mm, SRC, pages * PAGE_SIZE, RW, ANON, NULL, 0) == (long)SRC, "mmap src");
	EXPECT(mmt_mmap(s->mm, DST, pages * PAGE_SIZE, RW, ANON, NULL, 0) == (long)DST, "mmap dst");
	EXPECT(!mmt_madvise(s->mm, SRC, pages * PAGE_SIZE, MADV_NOHUGEPAGE), "nohugepage");
	for (unsigned long i = 0; i < pages; i++)
		EXPECT(!mmt_write(s->mm, SRC + i * PAGE_SIZE, 100 + i), "fill src");
	EXPECT(!mmt_userfaultfd(s->mm, 0, &s->ctx), "userfaultfd");
	EXPECT(!mmt_uffd_api(s->ctx, &api), "UFFDIO_API");
	EXPECT(!mmt_uffd_register(s->ctx, &reg), "UFFDIO_REGISTER");
}

/* ---- the fault / resolve protocol ------------------------------------------------ */

/*
 * uffd_fault_move: the kernel selftest "move" in miniature.  CPU0 reads two
 * destination pages (each read is a MISSING userfault); CPU1, the handler,
 * reads each fault message and resolves it with UFFDIO_MOVE of the page
 * (ALLOW_SRC_HOLES, waking the faulting thread).  CPU0 must then see the
 * source's data at the destination and zero at the source.
 */
#define FM_PAGES 2

static void fault_move_setup(struct mm_kernel *k, void *st)
{
	(void)k;
	uffd_setup_common(st, FM_PAGES, MMT_UFFD_FEATURE_MOVE);
}

static void fault_move_run(struct mm_kernel *k, void *st, int cpu)
{
	struct uffd_prog *s = st;
	uint64_t v;

	(void)k;
	if (cpu == 0) {
		for (unsigned long i = 0; i < FM_PAGES; i++) {
			EXPECT(!mmt_read(s->mm, DST + i * PAGE_SIZE, &v), "read dst");
			EXPECT(v == 100 + i, "dst page %lu reads %#llx, not %#lx", i,
			       (unsigned long long)v, 100 + i);
			EXPECT(!mmt_read(s->mm, SRC + i * PAGE_SIZE, &v) && v == 0,
			       "src page %lu reads %#llx after the move, not 0", i,
			       (unsigned long long)v);
		}
		return;
	}
	for (int n = 0; n < FM_PAGES; n++) {
		struct mmt_uffd_msg msg;
		struct mmt_uffdio_move mv;
		unsigned long off;

		EXPECT(!mmt_uffd_read(s->ctx, &msg), "read(uffd)");
		EXPECT(msg.event == MMT_UFFD_EVENT_PAGEFAULT, "event %u", msg.event);
		EXPECT(!(msg.arg.pagefault.flags & (MMT_UFFD_PAGEFAULT_FLAG_WP |
						   MMT_UFFD_PAGEFAULT_FLAG_WRITE)),
		       "fault flags %#llx", (unsigned long long)msg.arg.pagefault.flags);
		off = (msg.arg.pagefault.address - DST) & PAGE_MASK;
		mv = (struct mmt_uffdio_move){ DST + off, SRC + off, PAGE_SIZE,
					       MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, 0 };
		if (mmt_uffd_move(s->mm, s->ctx, &mv)) {
			struct mmt_uffdio_range r = { DST + off, PAGE_SIZE };

			/* Someone else resolved it: just wake (uffd-common.c). */
			EXPECT(mv.move == -EEXIST, "UFFDIO_MOVE: move = %lld", (long long)mv.move);
			EXPECT(!mmt_uffd_wake(s->ctx, &r), "UFFDIO_WAKE");
		} else {
			EXPECT(mv.move == PAGE_SIZE, "UFFDIO_MOVE moved %lld", (long long)mv.move);
		}
	}
}

MM_PROGRAM(uffd_fault_move,
	   "a thread reads two userfaultfd-missing pages; the handler resolves each with"
	   " UFFDIO_MOVE",
	   2, struct uffd_prog, fault_move_setup, fault_move_run, NULL);

/* ---- seed 001: MOVE of a swap PTE whose folio is in the swap cache ---------------- */

/*
 * uffd_move_swapcache (seed 001, fix c50f8e6053b0): CPU0 swaps the source
 * page out to an asynchronous device (the folio stays in the swap cache
 * while the write is in flight) and moves it; CPU1 reads the destination.
 * Before the fix MOVE moved only the swap PTE: the swap-in at dst finds the
 * cached folio still claiming the source's anon_vma and index.
 *
 *   CPU0                                  CPU1
 *   MADV_PAGEOUT(src)  // A in swap cache
 *   UFFDIO_MOVE src -> dst
 *     move_swap_pte(): the PTE only
 *                                         read dst
 *                                           do_swap_page: A from the cache
 *                                           __page_check_anon_rmap: BUG
 */
static void move_swapcache_setup(struct mm_kernel *k, void *st)
{
	(void)k;
	EXPECT(!mmt_swapon(4, false, SWAP_ALLOC_LOWEST), "swapon");
	uffd_setup_common(st, 1, MMT_UFFD_FEATURE_MOVE);
}

static void move_swapcache_run(struct mm_kernel *k, void *st, int cpu)
{
	struct uffd_prog *s = st;
	struct mmt_uffdio_move mv = { DST, SRC, PAGE_SIZE, 0, 0 };
	uint64_t v;

	(void)k;
	if (cpu == 0) {
		EXPECT(!mmt_madvise(s->mm, SRC, PAGE_SIZE, MADV_PAGEOUT), "pageout");
		EXPECT(!mmt_uffd_move(s->mm, s->ctx, &mv), "UFFDIO_MOVE: move = %lld",
		       (long long)mv.move);
		return;
	}
	EXPECT(!mmt_read(s->mm, DST, &v) && v == 100, "dst reads %#llx, not 0x64",
	       (unsigned long long)v);
}

MM_PROGRAM(uffd_move_swapcache,
	   "seed 001: UFFDIO_MOVE of a swapped-out page whose folio is still in the swap cache",
	   2, struct uffd_prog, move_swapcache_setup, move_swapcache_run, NULL);

/* ---- seed 000: MOVE against a swap slot freed and reused ------------------------------ */

/*
 * Seed 000 (fix 0ea148a79919).  The source page P sits in slot S1 of a
 * one-slot asynchronous device, out of the swap cache.  UFFDIO_MOVE looks
 * S1 up in the swap cache without a lock and, under the PTLs, compares only
 * the swap PTE - which is swap(S1) again if the slot was freed and handed
 * out again meanwhile (ABA).
 *
 * uffd_move_swap_missed (race B, check .hascache): CPU1 swaps P in by
 * writing it (S1 freed) and out again (S1 reused, P's folio A in the swap
 * cache under write-back).  MOVE found no folio and moves the PTE alone; the
 * swap-in at dst finds A still claiming src.
 *
 *   CPU0                                  CPU1
 *   UFFDIO_MOVE
 *     src PTE = swap(S1)
 *     lookup(S1) = NULL
 *                                         write P      // swap-in, S1 freed
 *                                         pageout P    // S1 again, A cached
 *     PTLs; src PTE == swap(S1): ok
 *     move the PTE only
 *   read dst
 *     do_swap_page: A from the cache
 *     __page_check_anon_rmap: BUG
 *
 * uffd_move_swap_wrong (race A, check .folio): S1 is reused twice, first by
 * an unrelated page Q.  MOVE's lookup returns Q's folio B; by the time MOVE
 * has locked B, B has left the swap cache and P is back in S1: MOVE re-homes
 * B (mapped by Q) to dst.
 *
 *   CPU0                    CPU1                     CPU2
 *   UFFDIO_MOVE
 *     src PTE = swap(S1)
 *                           write P   // S1 freed
 *                           pageout Q // S1 = B
 *                           (write-back completes)
 *     lookup(S1) = B
 *                                                    write Q   // S1 freed
 *                                                    pageout P // S1 = A
 *     lock B; src PTE == swap(S1): ok
 *     B re-homed to dst, PTE moved
 *
 * With both checks of the fix, the locked folio must still be S1's (check
 * A) and, with no folio, SWAP_HAS_CACHE must be clear under the PTL (check
 * B); either failing repeats the step, which then finds A.
 */
#define QQQ 0x30000000UL

static void move_swap_setup(struct mm_kernel *k, void *st)
{
	struct uffd_prog *s = st;

	(void)k;
	EXPECT(!mmt_swapon(1, false, SWAP_ALLOC_LOWEST), "swapon");
	uffd_setup_common(s, 1, MMT_UFFD_FEATURE_MOVE);
	EXPECT(mmt_mmap(s->mm, QQQ, PAGE_SIZE, RW, ANON, NULL, 0) == (long)QQQ, "mmap q");
	EXPECT(!mmt_write(s->mm, QQQ, 200), "write q");
	EXPECT(!mmt_madvise(s->mm, SRC, PAGE_SIZE, MADV_PAGEOUT), "pageout");
	mmt_swap_io_complete();
	mmt_reclaim(16);	/* written back: drop it from the swap cache */
}

/* CPU0 of both: move P to dst, then read it there. */
static void move_swap_mover(struct uffd_prog *s)
{
	struct mmt_uffdio_move mv = { DST, SRC, PAGE_SIZE, 0, 0 };
	uint64_t v;

	EXPECT(!mmt_uffd_move(s->mm, s->ctx, &mv), "UFFDIO_MOVE: move = %lld",
	       (long long)mv.move);
	EXPECT(!mmt_read(s->mm, DST, &v) && (v == 100 || v == 7), "dst reads %#llx, not 0x64 or 7",
	       (unsigned long long)v);
}

static void move_swap_missed_run(struct mm_kernel *k, void *st, int cpu)
{
	struct uffd_prog *s = st;

	(void)k;
	if (cpu == 0) {
		move_swap_mover(s);
		return;
	}
	EXPECT(!mmt_write(s->mm, SRC, 7), "write p");
	mmt_madvise(s->mm, SRC, PAGE_SIZE, MADV_PAGEOUT);
}

MM_PROGRAM(uffd_move_swap_missed,
	   "seed 000 (race B): UFFDIO_MOVE misses a folio that entered the swap cache under a"
	   " reused slot",
	   2, struct uffd_prog, move_swap_setup, move_swap_missed_run, NULL);

static void move_swap_wrong_run(struct mm_kernel *k, void *st, int cpu)
{
	struct uffd_prog *s = st;

	(void)k;
	if (cpu == 0) {
		move_swap_mover(s);
	} else if (cpu == 1) {
		EXPECT(!mmt_write(s->mm, SRC, 7), "write p");
		mmt_madvise(s->mm, QQQ, PAGE_SIZE, MADV_PAGEOUT);
		mmt_swap_io_complete();	/* Q's write-back completes */
	} else {
		EXPECT(!mmt_write(s->mm, QQQ, 8), "write q");
		mmt_madvise(s->mm, SRC, PAGE_SIZE, MADV_PAGEOUT);
	}
}

MM_PROGRAM(uffd_move_swap_wrong,
	   "seed 000 (race A): UFFDIO_MOVE takes another page's folio from a twice-reused swap"
	   " slot",
	   3, struct uffd_prog, move_swap_setup, move_swap_wrong_run, NULL);

/* ---- seed 004: the huge-PMD move meets a PMD migration entry --------------------------- */

/*
 * Seed 004.  The source is a THP; CPU0 moves it while CPU1 migrates it, so
 * for a while its PMD is a migration entry - and pmd_trans_huge_lock()
 * returns locked for that too.
 *
 * uffd_move_pmd_migration (fix adef440691ba.pmd): CPU0 moves the whole
 * PMD.  move_pages_huge_pmd() must wait for the migration and retry; v1 of
 * the series asserted a present THP there (Jann Horn's review).
 *
 *   CPU0                                   CPU1
 *                                          migrate THP: PMD = migration entry
 *   UFFDIO_MOVE (2 MiB)
 *     pmd_trans_huge_lock(): locked
 *     move_pages_huge_pmd()
 *       BUG_ON(!pmd_trans_huge(src_pmdval))
 *
 * uffd_move_pmd_split_migration (fix aba6faec0103): CPU0 moves two pages of
 * the THP, so the PMD must be split first; before the fix that path took
 * the migration entry for a folio (a crash syzbot found).
 */
#define HP (2UL << 20)

static void move_pmd_setup(struct mm_kernel *k, void *st)
{
	struct uffd_prog *s = st;
	struct mmt_uffdio_api api = { MMT_UFFD_API, MMT_UFFD_FEATURE_MOVE, 0 };
	struct mmt_uffdio_register reg = { { DST, HP }, MMT_UFFDIO_REGISTER_MODE_MISSING, 0 };

	(void)k;
	s->mm = mmt_mm_create();
	EXPECT(mmt_mmap(s->mm, SRC, HP, RW, ANON, NULL, 0) == (long)SRC, "mmap src");
	EXPECT(mmt_mmap(s->mm, DST, HP, RW, ANON, NULL, 0) == (long)DST, "mmap dst");
	EXPECT(!mmt_madvise(s->mm, SRC, HP, MADV_HUGEPAGE), "hugepage");
	EXPECT(!mmt_write(s->mm, SRC, 100), "fill src");
	EXPECT(!mmt_write(s->mm, SRC + PAGE_SIZE, 101), "fill src");
	EXPECT(!mmt_userfaultfd(s->mm, 0, &s->ctx), "userfaultfd");
	EXPECT(!mmt_uffd_api(s->ctx, &api), "UFFDIO_API");
	EXPECT(!mmt_uffd_register(s->ctx, &reg), "UFFDIO_REGISTER");
}

static void move_pmd_run_len(struct uffd_prog *s, int cpu, unsigned long len)
{
	struct mmt_uffdio_move mv = { DST, SRC, len, 0, 0 };
	uint64_t v;

	if (cpu == 1) {
		mmt_migrate(s->mm, SRC);
		return;
	}
	EXPECT(!mmt_uffd_move(s->mm, s->ctx, &mv), "UFFDIO_MOVE: move = %lld", (long long)mv.move);
	EXPECT(!mmt_read(s->mm, DST, &v) && v == 100, "dst reads %#llx", (unsigned long long)v);
	EXPECT(!mmt_read(s->mm, DST + PAGE_SIZE, &v) && v == 101, "dst+1 reads %#llx",
	       (unsigned long long)v);
}

static void move_pmd_whole_run(struct mm_kernel *k, void *st, int cpu)
{
	(void)k;
	move_pmd_run_len(st, cpu, HP);
}

static void move_pmd_split_run(struct mm_kernel *k, void *st, int cpu)
{
	(void)k;
	move_pmd_run_len(st, cpu, 2 * PAGE_SIZE);
}

MM_PROGRAM(uffd_move_pmd_migration,
	   "seed 004: UFFDIO_MOVE of a whole THP while it is being migrated", 2,
	   struct uffd_prog, move_pmd_setup, move_pmd_whole_run, NULL);

MM_PROGRAM(uffd_move_pmd_split_migration,
	   "seed 004: UFFDIO_MOVE of part of a THP (PMD split) while it is being migrated", 2,
	   struct uffd_prog, move_pmd_setup, move_pmd_split_run, NULL);

const struct classic_entry builtin_uffd_programs[] = {
	{ &uffd_fault_move, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &uffd_move_swapcache, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &uffd_move_swap_missed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &uffd_move_swap_wrong, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	/* THP programs run ~1000 steps each: exhaustive at one preemption. */
	{ &uffd_move_pmd_migration, false, SIM_FIND_NONE, SIM_FIND_NONE, 1 },
	{ &uffd_move_pmd_split_migration, false, SIM_FIND_NONE, SIM_FIND_NONE, 1 },
};

const size_t builtin_uffd_nprograms =
	sizeof(builtin_uffd_programs) / sizeof(builtin_uffd_programs[0]);
