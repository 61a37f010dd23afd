/*
 * backend_stress.c - the stress backend: one OS thread per simulated CPU,
 * running freely, with optional random delays injected at chosen points.
 *
 * This is what kernel developers do with real hardware and mdelay(): it
 * shows how rare a race is without control, the baseline the explorer is
 * measured against.  Stress runs are not replayable.
 *
 * Waiting spins (spinlocks) or yields the OS thread (sleeping waits) and
 * re-checks; a wait that lasts longer than cfg.stall_ms is reported as a
 * deadlock, after which every CPU leaves at its next point.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/internal.h"
#include "sim/sim.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool delay_here(const struct sim_config *cfg, const struct sim_site *site)
{
	const char *p = cfg->delay_at;
	size_t fl;

	if (!p || !*p)
		return true;
	fl = strlen(site->func);
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == fl && !strncmp(p, site->func, l))
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static void __attribute__((noreturn)) stress_leave(struct sim_cpu *c)
{
	if (!c->abort_jb)
		abort();
	longjmp(*c->abort_jb, 1);
}

static void stress_point(struct sim_cpu *c, const struct sim_site *site)
{
	struct sim_exec *x = c->x;

	if (__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE))
		stress_leave(c);
	c->points++;
	if (x->cfg.delay_permille && rng_next(&c->rng) % 1000 < x->cfg.delay_permille &&
	    delay_here(&x->cfg, site)) {
		uint64_t us = x->cfg.delay_max_us ? rng_next(&c->rng) % x->cfg.delay_max_us + 1 : 1;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(us * 1000) };

		nanosleep(&ts, NULL);
	}
}

static void stress_block(struct sim_cpu *c, const void *obj, const struct sim_site *site,
			 enum sim_op op, long ticks)
{
	struct sim_exec *x = c->x;
	uint64_t now;

	if (__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE))
		stress_leave(c);
	if (c->wait_points != c->points || c->wait_obj != obj) {
		/* A new wait: the CPU passed a scheduling point since the last one. */
		c->wait_points = c->points;
		c->wait_obj = obj;
		c->wait_site = site;
		c->wait_op = (uint16_t)op;
		c->wait_since_ns = now_ns();
		/* One tick is a millisecond (HZ=1000). */
		c->wait_deadline_ns = ticks > 0 ? c->wait_since_ns + (uint64_t)ticks * 1000000ULL : 0;
		c->timed_out = false;
	}
	if (op == SIM_OP_SPIN_LOCK) {
#if defined(__x86_64__) || defined(__i386__)
		for (int i = 0; i < 64; i++)
			__builtin_ia32_pause();
#endif
	} else {
		sched_yield();
	}
	now = now_ns();
	if (c->wait_deadline_ns && now >= c->wait_deadline_ns) {
		c->timed_out = true;
		c->wait_points = ~0ULL;	/* the next wait is a new one */
		return;
	}
	if (now - c->wait_since_ns > (uint64_t)x->cfg.stall_ms * 1000000ULL) {
		char where[160];

		sim_set_findingf(x, c, SIM_FIND_DEADLOCK, "stall",
				 "CPU%d waited more than %u ms in %s(%s) in %s", c->id,
				 x->cfg.stall_ms, site->api, site->expr ? site->expr : "",
				 sim_site_str(site, where, sizeof(where)));
		stress_leave(c);
	}
}

static void stress_wake(struct sim_exec *x, const void *obj)
{
	(void)x;
	(void)obj;	/* waiters poll their condition */
}

const struct sim_backend sim_stress_backend = {
	.name = "stress",
	.point = stress_point,
	.block = stress_block,
	.wake = stress_wake,
	.leave = stress_leave,
};

struct stress_start {
	struct sim_exec *x;
	struct sim_cpu *c;
	pthread_barrier_t *go;
};

static void *stress_thread(void *arg)
{
	struct stress_start *s = arg;
	struct sim_exec *x = s->x;
	struct sim_cpu *c = s->c;
	jmp_buf jb;

	sim_cur_cpu = c;
	c->abort_jb = &jb;
	pthread_barrier_wait(s->go);
	if (setjmp(jb) == 0) {
		x->prog->run(x, x->state, c->id);
		if (c->nheld)
			sim_set_findingf(x, c, SIM_FIND_LOCK_MISUSE, "lock-held-at-exit",
					 "CPU%d finished while holding %s", c->id,
					 c->held[c->nheld - 1].map.name);
	}
	c->abort_jb = NULL;
	sim_cur_cpu = NULL;
	return NULL;
}

enum sim_outcome sim_stress_once(struct sim_exec *x)
{
	struct stress_start starts[SIM_MAX_CPUS];
	pthread_t thr[SIM_MAX_CPUS];
	pthread_barrier_t go;
	struct sim_cpu *saved = sim_cur_cpu;

	sim_exec_reset(x, &sim_stress_backend);
	x->state = x->prog->create ? x->prog->create(x, x->prog->arg) : NULL;
	if (sim_exec_run_seq(x, x->prog->setup)) {
		pthread_barrier_init(&go, NULL, (unsigned)x->ncpus);
		for (int i = 0; i < x->ncpus; i++) {
			starts[i] = (struct stress_start){ x, &x->cpus[i], &go };
			if (pthread_create(&thr[i], NULL, stress_thread, &starts[i])) {
				fprintf(stderr, "mmtwin: cannot start a stress thread\n");
				exit(3);
			}
		}
		for (int i = 0; i < x->ncpus; i++)
			pthread_join(thr[i], NULL);
		pthread_barrier_destroy(&go);
		if (!x->failed)
			sim_exec_run_seq(x, x->prog->check);
	}
	if (x->prog->destroy)
		x->prog->destroy(x, x->state);
	x->state = NULL;
	sim_cur_cpu = saved;
	return x->failed ? SIM_RUN_FINDING : SIM_RUN_OK;
}
