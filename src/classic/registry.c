/*
 * registry.c - the list of classic programs and what each must produce.
 */
#include <string.h>

#include "classic/classic.h"

const struct classic_entry classic_programs[] = {
	{ &classic_lost_update, true, SIM_FIND_INVARIANT, SIM_FIND_NONE, 1 },
	{ &classic_lost_update_fixed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &classic_aba_stack, true, SIM_FIND_INVARIANT, SIM_FIND_NONE, 1 },
	{ &classic_aba_stack_fixed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &classic_abba, true, SIM_FIND_DEADLOCK, SIM_FIND_LOCK_ORDER, 1 },
	{ &classic_abba_fixed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &classic_missed_wakeup, true, SIM_FIND_DEADLOCK, SIM_FIND_NONE, 1 },
	{ &classic_missed_wakeup_fixed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &classic_atomicity3, true, SIM_FIND_INVARIANT, SIM_FIND_NONE, 3 },
	{ &classic_atomicity3_fixed, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
};

const size_t classic_nprograms = sizeof(classic_programs) / sizeof(classic_programs[0]);

const struct classic_entry *classic_find(const char *name)
{
	for (size_t i = 0; i < classic_nprograms; i++)
		if (!strcmp(classic_programs[i].prog->name, name))
			return &classic_programs[i];
	return NULL;
}
