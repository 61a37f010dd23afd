/*
 * signal.c - SIGKILL as the model knows it (see signal.h): a flag per task,
 * raised by mmt_kill() and read by fatal_signal_pending().  Omits: every
 * other signal, and waking a task that sleeps killable (a killed task in
 * the model runs on until its next check).
 */
#include "mm/signal.h"

#include "mm/api.h"
#include "mm/kernel.h"
#include "sim/sim.h"

int current_task_slot(void)
{
	struct sim_cpu *c = sim_cur_cpu;

	return c && !c->seq ? c->id + 1 : 0;
}

bool fatal_signal_pending(void)
{
	return __atomic_load_n(&mmk()->sigkill[current_task_slot()], __ATOMIC_RELAXED);
}

void mmt_kill(int cpu)
{
	struct mm_kernel *k = mmk();

	if (cpu < -1 || cpu >= SIM_MAX_CPUS)
		return;
	WRITE_ONCE(k->sigkill[cpu + 1], 1);
}
