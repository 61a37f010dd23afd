/*
 * lockdep.h - lockdep-lite: lock classes, held-lock stacks, the acquisition
 * order graph and its checks.
 *
 * Every lock object belongs to a class (one per init call site, as in the
 * kernel).  Each CPU keeps a stack of the locks it holds.  Taking lock B
 * while holding A records the edge A -> B in the execution's graph; if B
 * already reaches A, the two classes have been taken in both orders and a
 * lock-order finding is made with both chains.  Nested acquisitions of one
 * class must say so with a subclass (spin_lock_nested), as in the kernel.
 * Trylocks are recorded as held but add no edge for themselves (they cannot
 * wait), matching lockdep.
 *
 * The graph lives in the execution and is reset with it, so a report always
 * replays from its own schedule token.  Order checks run in explore mode and
 * on the pseudo-CPU; stress mode keeps held-lock stacks only.
 */
#ifndef MMT_SIM_LOCKDEP_H
#define MMT_SIM_LOCKDEP_H

#include <stdbool.h>

#include "sim/exec.h"

#define LOCKDEP_SUBCLASSES 4
#ifndef SINGLE_DEPTH_NESTING
#define SINGLE_DEPTH_NESTING 1
#endif

struct lockdep_state *lockdep_new(void);
void lockdep_free(struct lockdep_state *ld);
void lockdep_reset(struct lockdep_state *ld);

/* Before waiting for @m: order and recursion checks (may make a finding and leave). */
void lockdep_check(struct sim_cpu *c, const struct lockdep_map *m, int subclass, bool read,
		   const struct sim_site *site);
/* After getting @m: push it on @c's held stack. */
void lockdep_push(struct sim_cpu *c, const struct lockdep_map *m, int subclass, bool read,
		  bool trylock, bool atomic, const struct sim_site *site);
/* Before releasing @m: pop it (a finding if @c does not hold it). */
void lockdep_release(struct sim_cpu *c, const struct lockdep_map *m, const struct sim_site *site);

/* The held entry of @m on @c, or NULL. */
const struct sim_held *lockdep_find_held(const struct sim_cpu *c, const struct lockdep_map *m);

/* Append to @buf who holds @m (for deadlock reports). */
void lockdep_describe_holders(const struct sim_exec *x, const struct lockdep_map *m, char *buf,
			      size_t n);

/* The class name of @m. */
const char *lockdep_class_name(const struct lockdep_map *m);

#endif
