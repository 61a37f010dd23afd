/*
 * signal.h - the one piece of kernel/signal.c the model needs: a fatal
 * signal pending on a task, which long-running loops (move_pages,
 * mfill_atomic) check after each step.  A task is a simulated CPU.
 */
#ifndef MMT_MM_SIGNAL_H
#define MMT_MM_SIGNAL_H

#include <stdbool.h>

/* The slot of the running task in the per-task arrays of struct mm_kernel:
 * CPU n is n + 1, the sequential code 0. */
int current_task_slot(void);

/* fatal_signal_pending(current).  Not a scheduling point: the kill is one
 * (mmt_kill), so the explorer can still deliver it between any two steps. */
bool fatal_signal_pending(void);

#endif
