/*
 * fault_inject.c - fail-nth (see fault_inject.h).  The countdown is the
 * task's own (a simulated CPU's), so it is plain host memory, not shared
 * model state.
 */
#include "mm/fault_inject.h"

#include "mm/api.h"
#include "mm/kernel.h"
#include "mm/signal.h"

bool should_fail_alloc(void)
{
	int *n = &mmk()->fail_nth[current_task_slot()];

	return *n > 0 && --*n == 0;
}

void mmt_fail_nth(int n)
{
	mmk()->fail_nth[current_task_slot()] = n > 0 ? n : 0;
}
