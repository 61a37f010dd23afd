/*
 * builtin.h - the programs bundled with mmtwin beyond the classic bugs:
 * races over the model kernel (mm_races.c, swap_races.c, uffd_races.c),
 * each with what exploring it must produce, and the founding races as
 * those programs with a fix reverted (seeds.c).  A clean entry's
 * `preemptions`, if set, is the bound of its exhaustive check (long
 * executions get 1 instead of their group's bound).
 */
#ifndef MMT_SCENARIO_BUILTIN_H
#define MMT_SCENARIO_BUILTIN_H

#include <stddef.h>

#include "classic/classic.h"

extern const struct classic_entry builtin_mm_programs[];
extern const size_t builtin_mm_nprograms;
extern const struct classic_entry builtin_swap_programs[];
extern const size_t builtin_swap_nprograms;
extern const struct classic_entry builtin_uffd_programs[];
extern const size_t builtin_uffd_nprograms;

/* A founding race: @prog with the fix @revert reverted shows it (a finding
 * of kind @expect or @also); with the fix, @prog is one of the clean
 * programs above. */
struct seed_variant {
	const struct sim_program *prog;
	const char *revert;		/* a fix id, as `--revert` takes it */
	enum sim_finding_kind expect, also;
	int dfs_bound;			/* >0: found by dfs at this bound, not pct */
	bool dfs_delays;		/* the bound counts delays, not preemptions */
};

extern const struct seed_variant builtin_seed_variants[];
extern const size_t builtin_seed_nvariants;

#endif
