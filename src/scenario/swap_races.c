/*
 * swap_races.c - bundled races over the model kernel's swap paths.
 *
 * swapin_skip_swapcache_race (seed 002): on a SWP_SYNCHRONOUS_IO device
 * (zram), a swap PTE whose slot has one reference is swapped in without the
 * swap cache.  CPU0 faults it in; CPU1 faults it in too, writes, and swaps
 * it out again - onto the same slot, which the allocator hands out first.
 * Without a pin on the entry, CPU0's pte_same() sees the same swap PTE
 * (ABA), frees the slot and maps its stale copy: CPU1's write is lost.
 *
 *   CPU0                                 CPU1
 *   do_swap_page
 *     swap_read_folio(S1)  // old data
 *                                        do_swap_page: bypass, maps S1's page
 *                                        write 2
 *                                        MADV_PAGEOUT -> swap PTE S1 again
 *     pte_same(S1)  // ok!
 *     swap_free(S1); map the stale page
 *   read  // 1, not 2
 *
 * "mm/swap: fix race when skipping swapcache" (13ddaf26be32) pins the entry
 * with swapcache_prepare() for the whole bypass; CPU1 backs off until CPU0
 * is done.  With the fix the program is clean; `--revert 13ddaf26be32`
 * finds the lost write.
 */
#include "check/mmprog.h"
#include "mm/swap.h"
#include "scenario/builtin.h"

struct swapin_race {
	struct mm_struct *mm;
	unsigned long a;
};

#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			sim_fail(SIM_FIND_INVARIANT, "scenario", __VA_ARGS__);  \
	} while (0)

static void swapin_race_setup(struct mm_kernel *k, void *st)
{
	struct swapin_race *s = st;

	(void)k;
	EXPECT(mmt_swapon(4, true, SWAP_ALLOC_LOWEST) == 0, "swapon");
	s->mm = mmt_mm_create();
	s->a = (unsigned long)mmt_mmap(s->mm, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	EXPECT(!mmt_write(s->mm, s->a, 1), "write");
	EXPECT(!mmt_madvise(s->mm, s->a, PAGE_SIZE, MADV_PAGEOUT), "pageout");
}

static void swapin_race_run(struct mm_kernel *k, void *st, int cpu)
{
	struct swapin_race *s = st;
	uint64_t v;

	(void)k;
	if (cpu == 0) {
		EXPECT(!mmt_read(s->mm, s->a, &v), "read");
		return;
	}
	EXPECT(!mmt_write(s->mm, s->a, 2), "write");
	EXPECT(!mmt_madvise(s->mm, s->a, PAGE_SIZE, MADV_PAGEOUT), "pageout");
}

MM_PROGRAM(swapin_skip_swapcache_race,
	   "seed 002: two CPUs swap in one zram page; one writes and swaps it out again", 2,
	   struct swapin_race, swapin_race_setup, swapin_race_run, NULL);

const struct classic_entry builtin_swap_programs[] = {
	{ &swapin_skip_swapcache_race, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
};

const size_t builtin_swap_nprograms =
	sizeof(builtin_swap_programs) / sizeof(builtin_swap_programs[0]);
