/*
 * builtin.h - the programs bundled with mmtwin beyond the classic bugs:
 * races over the model kernel (mm_races.c), each with what exploring it
 * must produce.
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

#endif
