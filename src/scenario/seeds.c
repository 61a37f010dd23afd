/*
 * seeds.c - the founding races (../shared/seeds/), each as a bundled program
 * run with its upstream fix reverted: exploring it must show the race, and
 * the same program with the fix applied (listed as a clean program) must
 * not.  `mmtwin explore --all` runs both sides.
 */
#include "scenario/builtin.h"

extern const struct sim_program swapin_skip_swapcache_race;
extern const struct sim_program uffd_move_swapcache, uffd_move_swap_missed, uffd_move_swap_wrong;
extern const struct sim_program uffd_move_pmd_migration, uffd_move_pmd_split_migration;

const struct seed_variant builtin_seed_variants[] = {
	/* 002: the lost write of the unpinned SWP_SYNCHRONOUS_IO bypass (INV-1). */
	{ &swapin_skip_swapcache_race, "13ddaf26be32", SIM_FIND_INVARIANT, SIM_FIND_NONE, 0, false },
	/* 001: the swap-in at dst trips __page_check_anon_rmap. */
	{ &uffd_move_swapcache, "c50f8e6053b0", SIM_FIND_BUG, SIM_FIND_NONE, 0, false },
	/* 000 race B: a folio missed, the same BUG at dst. */
	{ &uffd_move_swap_missed, "0ea148a79919.hascache", SIM_FIND_BUG, SIM_FIND_NONE, 0, false },
	/* 000 race A: the wrong folio re-homed (needs two preemptions of the
	 * mover, each in a window of a few steps: bounded search finds it;
	 * bounding delays rather than preemptions gets there in a seventh of
	 * the executions). */
	{ &uffd_move_swap_wrong, "0ea148a79919.folio", SIM_FIND_BUG, SIM_FIND_INVARIANT, 2, true },
	/* 004: v1's BUG_ON on a PMD migration entry, and the split path's crash. */
	{ &uffd_move_pmd_migration, "adef440691ba.pmd", SIM_FIND_BUG, SIM_FIND_NONE, 0, false },
	{ &uffd_move_pmd_split_migration, "aba6faec0103", SIM_FIND_BUG, SIM_FIND_NONE, 0, false },
};

const size_t builtin_seed_nvariants =
	sizeof(builtin_seed_variants) / sizeof(builtin_seed_variants[0]);
