/*
 * mmprog.h - programs over the model kernel: the glue between a
 * struct sim_program and a model-kernel instance.
 *
 * create() builds a kernel instance (physical memory, settings) and a zeroed
 * user state; setup() and run() are the program's own; check() runs the
 * program's extra checks, then every invariant (check_all, CHECK_END), then
 * tears every live address space down and checks that nothing leaked;
 * check_step() runs the CHECK_STEP invariants; destroy() frees everything.
 *
 * Usage:
 *   static void my_setup(struct mm_kernel *k, void *st);
 *   static void my_run(struct mm_kernel *k, void *st, int cpu);
 *   MM_PROGRAM(my_program, "summary", 2, struct my_state, my_setup, my_run, NULL);
 * defines `const struct sim_program my_program`.
 */
#ifndef MMT_CHECK_MMPROG_H
#define MMT_CHECK_MMPROG_H

#include <stddef.h>

#include "mm/api.h"
#include "mm/kernel.h"
#include "sim/exec.h"

struct mm_prog {
	size_t state_size;
	void (*setup)(struct mm_kernel *k, void *st);
	void (*run)(struct mm_kernel *k, void *st, int cpu);
	void (*check)(struct mm_kernel *k, void *st);	/* optional, before the invariants */
	const struct mm_config *cfg;			/* optional; NULL: defaults */
};

void *mm_prog_create(struct sim_exec *x, void *arg);
void mm_prog_setup(struct sim_exec *x, void *state);
void mm_prog_run(struct sim_exec *x, void *state, int cpu);
void mm_prog_check(struct sim_exec *x, void *state);
void mm_prog_check_step(struct sim_exec *x, void *state);
void mm_prog_describe(struct sim_exec *x, void *state);
void mm_prog_destroy(struct sim_exec *x, void *state);

#define MM_PROGRAM_CFG(ident, summ, n, state_type, setupfn, runfn, checkfn, cfgp)  \
	static const struct mm_prog ident##__mm = {                                  \
		sizeof(state_type), (setupfn), (runfn), (checkfn), (cfgp)            \
	};                                                                           \
	const struct sim_program ident = {                                           \
		.name = #ident,                                                      \
		.summary = (summ),                                                   \
		.ncpus = (n),                                                        \
		.arg = (void *)&ident##__mm,                                         \
		.create = mm_prog_create,                                            \
		.setup = mm_prog_setup,                                              \
		.run = mm_prog_run,                                                  \
		.check = mm_prog_check,                                              \
		.check_step = mm_prog_check_step,                                    \
		.describe = mm_prog_describe,                                        \
		.destroy = mm_prog_destroy,                                          \
	}

#define MM_PROGRAM(ident, summ, n, state_type, setupfn, runfn, checkfn)            \
	MM_PROGRAM_CFG(ident, summ, n, state_type, setupfn, runfn, checkfn, NULL)

/* The user state of a program's execution (for tests that inspect it). */
void *mm_prog_user(void *state);

#endif
