/*
 * classic.h - classic concurrency bugs written against the sim/ primitives.
 *
 * They guard the explorer: every strategy must find every bug, and the
 * fixed version of each must produce no finding under the exhaustive bound.
 * Each file holds one bug and its fix, sharing all code but the lines that
 * differ.
 */
#ifndef MMT_CLASSIC_CLASSIC_H
#define MMT_CLASSIC_CLASSIC_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/exec.h"

struct classic_entry {
	const struct sim_program *prog;
	bool buggy;			/* a finding is expected */
	enum sim_finding_kind expect;	/* the finding kind (buggy) */
	enum sim_finding_kind also;	/* another acceptable kind, or SIM_FIND_NONE */
	int preemptions;		/* the fewest preemptions that expose it (buggy) */
};

extern const struct sim_program classic_lost_update, classic_lost_update_fixed;
extern const struct sim_program classic_aba_stack, classic_aba_stack_fixed;
extern const struct sim_program classic_abba, classic_abba_fixed;
extern const struct sim_program classic_missed_wakeup, classic_missed_wakeup_fixed;
extern const struct sim_program classic_atomicity3, classic_atomicity3_fixed;

extern const struct classic_entry classic_programs[];
extern const size_t classic_nprograms;

const struct classic_entry *classic_find(const char *name);

#endif
