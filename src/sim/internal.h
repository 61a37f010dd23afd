/*
 * internal.h - what the runtime's own files share; model code uses sim.h.
 */
#ifndef MMT_SIM_INTERNAL_H
#define MMT_SIM_INTERNAL_H

#include <stdarg.h>

#include "sim/exec.h"

void sim_exec_reset(struct sim_exec *x, const struct sim_backend *be);
bool sim_exec_run_seq(struct sim_exec *x, void (*fn)(struct sim_exec *, void *));

bool sim_set_finding(struct sim_exec *x, struct sim_cpu *c, enum sim_finding_kind kind,
		     const char *id, const char *fmt, va_list ap);
void sim_set_findingf(struct sim_exec *x, struct sim_cpu *c, enum sim_finding_kind kind,
		      const char *id, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sim_leave(struct sim_cpu *c) __attribute__((noreturn));

/* Wait on @obj once (see struct sim_backend.block); @ticks > 0 makes the wait
 * end by timeout too (c->timed_out).  A wait on the pseudo-CPU can never be
 * satisfied and is reported as a deadlock. */
void sim_block_on(struct sim_cpu *c, const void *obj, const struct lockdep_map *map,
		  const struct sim_site *site, enum sim_op op, long ticks);
void sim_wake_obj(struct sim_cpu *c, const void *obj);

/* Ask the explore chooser and record the decision; -1 means the execution is
 * abandoned (a replay diverged). */
int sim_explore_decide(struct sim_exec *x, struct sim_choice *ch);

static inline bool sim_exploring(const struct sim_exec *x)
{
	return x->be == &sim_explore_backend;
}

/* "CPU1", or "the sequential code" for the pseudo-CPU (id -1), for messages;
 * a few rotating per-thread buffers, so one message may use several. */
const char *sim_cpu_label(int id);

/* "fn (file:line)" of a site, for messages. */
const char *sim_site_str(const struct sim_site *s, char *buf, size_t n);

#endif
