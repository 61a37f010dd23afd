/*
 * mm_races.c - bundled concurrent programs over the model kernel, written
 * in C until the scenario language exists.  Each races two kernel paths on
 * one page; all are correct in v6.17, so exploring them must find nothing:
 * they show the model's locking holds under every interleaving explored.
 */
#include "check/mmprog.h"
#include "classic/classic.h"
#include "mm/internal.h"
#include "scenario/builtin.h"

struct race {
	struct mm_struct *mm, *child;
	unsigned long a;
};

#define EXPECT(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			sim_fail(SIM_FIND_INVARIANT, "scenario", __VA_ARGS__);  \
	} while (0)

static void map_two_pages(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	s->mm = mmt_mm_create();
	s->a = (unsigned long)mmt_mmap(s->mm, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
}

static void map_and_touch(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	map_two_pages(k, st);
	EXPECT(!mmt_write(s->mm, s->a, 1), "set-up write failed");
}

/* Two CPUs take the first write fault on one page, each on its own word. */
static void fault_same_page_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	uint64_t v;

	(void)k;
	EXPECT(!mmt_write(s->mm, s->a + 8 * (unsigned long)cpu, 100 + (uint64_t)cpu), "write");
	EXPECT(!mmt_read(s->mm, s->a + 8 * (unsigned long)cpu, &v), "read");
}

MM_PROGRAM(fault_same_page, "two CPUs take the first write fault on one anonymous page", 2,
	   struct race, map_two_pages, fault_same_page_run, NULL);

/* fork() copies the page tables while the parent's other thread writes. */
static void fork_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0)
		EXPECT(!mmt_fork(s->mm, &s->child), "fork");
	else
		EXPECT(!mmt_write(s->mm, s->a, 2), "write");
}

MM_PROGRAM(fork_vs_write, "fork races a write to the page it is copying", 2, struct race,
	   map_and_touch, fork_vs_write_run, NULL);

/* Migration of a page while another CPU writes and reads it. */
static void migrate_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	uint64_t v;

	(void)k;
	if (cpu == 0) {
		int ret = mmt_migrate(s->mm, s->a);

		EXPECT(!ret || ret == -EBUSY, "migrate returned %d", ret);
		return;
	}
	EXPECT(!mmt_write(s->mm, s->a, 5), "write");
	EXPECT(!mmt_read(s->mm, s->a, &v) && v == 5, "read %llu", (unsigned long long)v);
}

MM_PROGRAM(migrate_vs_write, "page migration races a write and a read of the page", 2,
	   struct race, map_and_touch, migrate_vs_write_run, NULL);

/* Two CPUs take the first fault on one THP-enabled 2 MiB range. */
static void map_thp(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	s->mm = mmt_mm_create();
	s->a = (unsigned long)mmt_mmap(s->mm, 0, PMD_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
}

static void thp_fault_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	EXPECT(!mmt_write(s->mm, s->a + PAGE_SIZE * 7 * (unsigned long)cpu, 9), "write");
}

MM_PROGRAM(thp_fault_race, "two CPUs take the first fault on one huge-page range", 2,
	   struct race, map_thp, thp_fault_run, NULL);

const struct classic_entry builtin_mm_programs[] = {
	{ &fault_same_page, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &fork_vs_write, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &migrate_vs_write, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
	{ &thp_fault_race, false, SIM_FIND_NONE, SIM_FIND_NONE, 0 },
};

const size_t builtin_mm_nprograms = sizeof(builtin_mm_programs) / sizeof(builtin_mm_programs[0]);
