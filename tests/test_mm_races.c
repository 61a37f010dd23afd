/*
 * test_mm_races.c - explored concurrent programs over the model kernel:
 * every strategy must find nothing in correct v6.17 races, and must find a
 * planted bug.
 *
 * Each program races kernel paths on one page or huge-page range (faults,
 * fork, migration, munmap, MADV_DONTNEED, mprotect, THP faults and splits,
 * copy-on-write of a file page).  Its run() checks
 * what each CPU observes, its check() the outcome (values, pfns, counts);
 * the check phase then runs every invariant, exits every mm and checks for
 * leaks, and with check_every_step the per-step invariants run too.  Random
 * and PCT run a fixed budget; DFS covers every schedule within a preemption
 * bound.  A negative control, a replay and a stress run complete the set.
 */
#include "mmlook.h"

#define RA 0x30000000UL		/* PMD aligned */

struct race {
	struct mm_struct *mm, *child;
	unsigned long pfn0;		/* the pfn of page 0 after setup */
	int rc[3], rc2[3];		/* per CPU: what its operations returned */
	uint64_t seen[3];		/* per CPU: a value it read */
};

static unsigned long pg(int page)
{
	return RA + (unsigned long)page * PAGE_SIZE;
}

/* ---- set-ups ---------------------------------------------------------------- */

static void map_pages(struct race *s, unsigned long len)
{
	s->mm = mmt_mm_create();
	MT_EQ(mmt_mmap(s->mm, RA, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL,
		      0), RA);
}

/* Two untouched pages. */
static void setup_two(struct mm_kernel *k, void *st)
{
	(void)k;
	map_pages(st, 2 * PAGE_SIZE);
}

/* Two pages, page 0 written (1 at word 0). */
static void setup_two_touched(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	map_pages(s, 2 * PAGE_SIZE);
	MT_WRITE(s->mm, pg(0), 1);
	s->pfn0 = mt_pfn(s->mm, pg(0));
}

/* THP on; one PMD-size range, untouched. */
static void setup_thp(struct mm_kernel *k, void *st)
{
	(void)k;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	map_pages(st, PMD_SIZE);
}

/* THP on; one PMD-size folio mapped by a huge PMD, 1 at page 0, 7 at page 7. */
static void setup_thp_touched(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	setup_thp(k, st);
	MT_WRITE(s->mm, pg(0), 1);
	MT_WRITE(s->mm, pg(7), 7);
	MT_TRUE(t_huge(s->mm, RA));
	s->pfn0 = mt_pfn(s->mm, RA);
}

/* ---- common checks -------------------------------------------------------- */

/* @addr maps a private anonymous page of its own, exclusive and writable. */
static void check_own_page(struct mm_struct *mm, unsigned long addr)
{
	unsigned long pfn = mt_pfn(mm, addr);

	MT_NE(pfn, 0);
	MT_NE(pfn, mm->k->zero_pfn);
	MT_TRUE(t_anon(pfn));
	MT_TRUE(mt_exclusive(pfn));
	MT_TRUE(t_writable(mm, addr));
	MT_EQ(t_refs(pfn), 1);
	MT_EQ(t_mapcount(pfn), 1);
}

/* The word reads as one of two values; returns it. */
static uint64_t load_either(struct mm_struct *mm, unsigned long addr, uint64_t a, uint64_t b)
{
	uint64_t v = t_load(mm, addr);

	if (v != a && v != b)
		MT_FAIL("%#lx in mm %d reads %#llx, expected %#llx or %#llx", addr, mm->id,
		       (unsigned long long)v, (unsigned long long)a, (unsigned long long)b);
	return v;
}

/* After a migration that returned @rc: moved (old page freed) or not. */
static void check_migrated(struct race *s, int rc)
{
	unsigned long pfn = mt_pfn(s->mm, pg(0));

	MT_EITHER(rc, 0, -EBUSY);
	if (rc == 0) {
		MT_NE(t_head(pfn), s->pfn0);
		MT_TRUE(t_page_free(s->pfn0));
	}
}

/* ---- first faults ------------------------------------------------------------ */

/* Two CPUs write-fault one untouched page, each its own word: one page ends
 * up holding both values. */
static void fault_same_page_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	MT_WRITE(s->mm, pg(0) + 8UL * (unsigned long)cpu, 0x100 + (uint64_t)cpu);
	MT_READ(s->mm, pg(0) + 8UL * (unsigned long)cpu, 0x100 + (uint64_t)cpu);
}

static void one_page_two_words_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_READ(s->mm, pg(0), 0x100);
	MT_READ(s->mm, pg(0) + 8, 0x101);
	check_own_page(s->mm, pg(0));
	MT_EQ(mt_pfn(s->mm, pg(1)), 0);
	MT_EQ(mt_rss(s->mm, MM_ANONPAGES), 1);
}

MM_PROGRAM(race_fault_same_page, "two CPUs write-fault one untouched page", 2, struct race,
	   setup_two, fault_same_page_run, one_page_two_words_check);

/* Two CPUs read-fault (zero page) then write-fault (COW from it) one page. */
static void read_then_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	unsigned long w = pg(0) + 8UL * (unsigned long)cpu;

	(void)k;
	MT_READ(s->mm, w, 0);
	MT_WRITE(s->mm, w, 0x100 + (uint64_t)cpu);
	MT_READ(s->mm, w, 0x100 + (uint64_t)cpu);
}

MM_PROGRAM(race_read_then_write, "two CPUs read then write-fault one page", 2, struct race,
	   setup_two, read_then_write_run, one_page_two_words_check);

/* ---- fork -------------------------------------------------------------------- */

/* CPU0 forks while CPU1 writes the page fork is copying. */
static void fork_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_fork(s->mm, &s->child), 0);
		return;
	}
	MT_WRITE(s->mm, pg(0), 2);
	MT_READ(s->mm, pg(0), 2);
}

/* The parent has its write, the child either value; COW works afterwards. */
static void fork_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_READ(s->mm, pg(0), 2);
	load_either(s->child, pg(0), 1, 2);
	MT_WRITE(s->child, pg(0), 3);
	MT_READ(s->mm, pg(0), 2);
	MT_WRITE(s->mm, pg(0), 4);
	MT_READ(s->child, pg(0), 3);
	check_own_page(s->mm, pg(0));
	check_own_page(s->child, pg(0));
	MT_EQ(mt_rss(s->child, MM_ANONPAGES), 1);
}

MM_PROGRAM(race_fork_vs_write, "fork races a write to the parent's page", 2, struct race,
	   setup_two_touched, fork_vs_write_run, fork_vs_write_check);

/* A bad variant: it insists the child never gets the racing write, which
 * some schedules legitimately do.  It must be found (and replayed). */
static void fork_vs_write_strict_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	if (t_load(s->child, pg(0)) != 1)
		MT_FAIL("the child saw the parent's write");
}

MM_PROGRAM(race_fork_vs_write_strict, "fork vs write, demanding one outcome", 2, struct race,
	   setup_two_touched, fork_vs_write_run, fork_vs_write_strict_check);

/* CPU0 forks while CPU1 reads a written page and read-faults an untouched one. */
static void fork_vs_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_fork(s->mm, &s->child), 0);
		return;
	}
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->mm, pg(1), 0);
}

static void fork_vs_read_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;
	unsigned long pfn = mt_pfn(s->mm, pg(0));

	(void)k;
	MT_READ(s->child, pg(0), 1);
	MT_READ(s->child, pg(1), 0);
	MT_EQ(mt_pfn(s->child, pg(0)), pfn);
	MT_EQ(t_mapcount(pfn), 2);
	MT_TRUE(!mt_exclusive(pfn));
	MT_TRUE(!t_writable(s->mm, pg(0)));
}

MM_PROGRAM(race_fork_vs_read, "fork races reads of a written and an untouched page", 2,
	   struct race, setup_two_touched, fork_vs_read_run, fork_vs_read_check);

/* ---- migration ---------------------------------------------------------------- */

/* CPU0 migrates the page while CPU1 writes and reads it. */
static void migrate_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		s->rc[0] = mmt_migrate(s->mm, pg(0));
		return;
	}
	MT_WRITE(s->mm, pg(0) + 8, 2);
	MT_READ(s->mm, pg(0) + 8, 2);
	MT_READ(s->mm, pg(0), 1);
}

static void migrate_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_EQ(s->rc[0], 0);
	check_migrated(s, s->rc[0]);
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->mm, pg(0) + 8, 2);
	check_own_page(s->mm, pg(0));
}

MM_PROGRAM(race_migrate_vs_write, "migration races a write to the page", 2, struct race,
	   setup_two_touched, migrate_vs_write_run, migrate_vs_write_check);

/* CPU0 migrates the page while CPU1 reads it twice. */
static void migrate_vs_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		s->rc[0] = mmt_migrate(s->mm, pg(0));
		return;
	}
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->mm, pg(0), 1);
}

static void migrate_vs_read_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_EQ(s->rc[0], 0);
	check_migrated(s, s->rc[0]);
	MT_READ(s->mm, pg(0), 1);
	check_own_page(s->mm, pg(0));
}

MM_PROGRAM(race_migrate_vs_read, "migration races reads of the page", 2, struct race,
	   setup_two_touched, migrate_vs_read_run, migrate_vs_read_check);

/* CPU0 forks while CPU1 migrates the page fork is sharing. */
static void migrate_vs_fork_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0)
		MT_EQ(mmt_fork(s->mm, &s->child), 0);
	else
		s->rc[1] = mmt_migrate(s->mm, pg(0));
}

static void migrate_vs_fork_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;
	unsigned long pfn = mt_pfn(s->mm, pg(0));

	(void)k;
	check_migrated(s, s->rc[1]);
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->child, pg(0), 1);
	MT_EQ(mt_pfn(s->child, pg(0)), pfn);
	MT_EQ(t_mapcount(pfn), 2);
	MT_EQ(t_refs(pfn), 2);
	MT_TRUE(!mt_exclusive(pfn));
	MT_WRITE(s->child, pg(0), 5);
	MT_READ(s->mm, pg(0), 1);
}

MM_PROGRAM(race_migrate_vs_fork, "migration races fork of the page", 2, struct race,
	   setup_two_touched, migrate_vs_fork_run, migrate_vs_fork_check);

/* Both CPUs migrate the same page. */
static void migrate_twice_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	s->rc[cpu] = mmt_migrate(s->mm, pg(0));
}

static void migrate_twice_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	for (int cpu = 0; cpu < 2; cpu++)
		if (s->rc[cpu] != -ENOENT)
			MT_EITHER(s->rc[cpu], 0, -EBUSY);
	/* Moved once: away from the old page; twice: maybe back to it. */
	if (!s->rc[0] != !s->rc[1])
		check_migrated(s, 0);
	MT_READ(s->mm, pg(0), 1);
	check_own_page(s->mm, pg(0));
}

MM_PROGRAM(race_migrate_twice, "two CPUs migrate the same page", 2, struct race,
	   setup_two_touched, migrate_twice_run, migrate_twice_check);

/* ---- unmapping and protection -------------------------------------------------- */

/* CPU0 unmaps the range while CPU1 writes a mapped and an untouched page. */
static void munmap_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_munmap(s->mm, RA, 2 * PAGE_SIZE), 0);
		return;
	}
	s->rc[1] = mmt_write(s->mm, pg(0), 2);
	s->rc2[1] = mmt_write(s->mm, pg(1), 3);
}

static void munmap_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;
	uint64_t v;

	(void)k;
	MT_EITHER(s->rc[1], 0, -EFAULT);
	MT_EITHER(s->rc2[1], 0, -EFAULT);
	if (s->rc[1])
		MT_EQ(s->rc2[1], -EFAULT);
	MT_TRUE(!vma_lookup(s->mm, RA));
	MT_EQ(mt_pfn(s->mm, pg(0)), 0);
	MT_EQ(mt_pfn(s->mm, pg(1)), 0);
	MT_EQ(mt_rss(s->mm, MM_ANONPAGES), 0);
	MT_EQ(mmt_read(s->mm, pg(0), &v), -EFAULT);
}

MM_PROGRAM(race_munmap_vs_write, "munmap races writes to the range", 2, struct race,
	   setup_two_touched, munmap_vs_write_run, munmap_vs_write_check);

/* CPU0 zaps the range with MADV_DONTNEED while CPU1 writes it. */
static void dontneed_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	uint64_t v;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_madvise(s->mm, RA, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
		return;
	}
	MT_WRITE(s->mm, pg(0), 2);
	MT_WRITE(s->mm, pg(1), 3);
	MT_EQ(mmt_read(s->mm, pg(0), &v), 0);
}

static void dontneed_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	load_either(s->mm, pg(0), 0, 2);
	load_either(s->mm, pg(1), 0, 3);
}

MM_PROGRAM(race_dontneed_vs_write, "MADV_DONTNEED races writes to the range", 2, struct race,
	   setup_two_touched, dontneed_vs_write_run, dontneed_vs_write_check);

/* CPU0 makes the range read-only while CPU1 writes a mapped and an untouched page. */
static void mprotect_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_mprotect(s->mm, RA, 2 * PAGE_SIZE, PROT_READ), 0);
		return;
	}
	s->rc[1] = mmt_write(s->mm, pg(0), 2);
	s->rc2[1] = mmt_write(s->mm, pg(1), 3);
}

static void mprotect_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_EITHER(s->rc[1], 0, -EFAULT);
	MT_EITHER(s->rc2[1], 0, -EFAULT);
	if (s->rc[1])
		MT_EQ(s->rc2[1], -EFAULT);
	MT_READ(s->mm, pg(0), s->rc[1] ? 1 : 2);
	MT_READ(s->mm, pg(1), s->rc2[1] ? 0 : 3);
	MT_TRUE(!t_writable(s->mm, pg(0)));
	MT_TRUE(!t_writable(s->mm, pg(1)));
	MT_TRUE(!(vma_lookup(s->mm, RA)->vm_flags & VM_WRITE));
	MT_EQ(mmt_write(s->mm, pg(0), 4), -EFAULT);
}

MM_PROGRAM(race_mprotect_vs_write, "mprotect(PROT_READ) races writes to the range", 2,
	   struct race, setup_two_touched, mprotect_vs_write_run, mprotect_vs_write_check);

/* ---- transparent huge pages ---------------------------------------------------- */

/* Two CPUs take the first write fault on one PMD range, on different pages. */
static void thp_first_touch_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	unsigned long w = pg(cpu ? 300 : 0) + 8;

	(void)k;
	MT_WRITE(s->mm, w, 0x100 + (uint64_t)cpu);
	MT_READ(s->mm, w, 0x100 + (uint64_t)cpu);
}

static void thp_first_touch_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;
	unsigned long head = mt_pfn(s->mm, RA);

	(void)k;
	MT_READ(s->mm, pg(0) + 8, 0x100);
	MT_READ(s->mm, pg(300) + 8, 0x101);
	MT_TRUE(t_huge(s->mm, RA));
	MT_EQ(t_order(head), HPAGE_PMD_ORDER);
	MT_EQ(t_refs(head), 1);
	MT_EQ(t_entire_mapcount(head), 1);
	MT_TRUE(mt_exclusive(head));
	MT_EQ(mt_rss(s->mm, MM_ANONPAGES), HPAGE_PMD_NR);
}

MM_PROGRAM(race_thp_first_touch, "two CPUs first-touch one 2 MiB range", 2, struct race,
	   setup_thp, thp_first_touch_run, thp_first_touch_check);

/* CPU0 reads (huge zero page) then writes page 0 while CPU1 writes page 300. */
static void thp_zero_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;
	unsigned long w = pg(cpu ? 300 : 0) + 8;

	(void)k;
	if (cpu == 0)
		MT_READ(s->mm, w, 0);
	MT_WRITE(s->mm, w, 0x100 + (uint64_t)cpu);
	MT_READ(s->mm, w, 0x100 + (uint64_t)cpu);
}

static void thp_zero_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_READ(s->mm, pg(0) + 8, 0x100);
	MT_READ(s->mm, pg(300) + 8, 0x101);
	MT_READ(s->mm, pg(100), 0);
	if (t_huge(s->mm, RA))
		MT_EQ(t_refs(mt_pfn(s->mm, RA)), 1);
}

MM_PROGRAM(race_thp_zero_vs_write, "a huge zero-page read races a huge write fault", 2,
	   struct race, setup_thp, thp_zero_vs_write_run, thp_zero_vs_write_check);

/* CPU0 forks while CPU1 writes a page of the huge PMD. */
static void thp_write_vs_fork_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_fork(s->mm, &s->child), 0);
		return;
	}
	MT_WRITE(s->mm, pg(3), 2);
	MT_READ(s->mm, pg(3), 2);
}

static void thp_write_vs_fork_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_READ(s->mm, pg(3), 2);
	load_either(s->child, pg(3), 0, 2);
	MT_READ(s->child, pg(0), 1);
	MT_READ(s->child, pg(7), 7);
	MT_EQ(mt_rss(s->child, MM_ANONPAGES), HPAGE_PMD_NR);
	MT_EQ(mt_rss(s->mm, MM_ANONPAGES), HPAGE_PMD_NR);
}

MM_PROGRAM(race_thp_write_vs_fork, "fork races a write fault on a huge PMD", 2, struct race,
	   setup_thp_touched, thp_write_vs_fork_run, thp_write_vs_fork_check);

/* CPU0 splits the PMD (mprotect of one page) while CPU1 writes elsewhere in it. */
static void thp_split_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_mprotect(s->mm, pg(10), PAGE_SIZE, PROT_READ), 0);
		return;
	}
	MT_WRITE(s->mm, pg(100), 2);
	MT_READ(s->mm, pg(100), 2);
	MT_READ(s->mm, pg(7), 7);
}

static void thp_split_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_TRUE(pmd_is_table(mt_pmd(s->mm, RA)));
	MT_EQ(mt_nr_vmas(s->mm), 3);
	MT_EQ(mt_pfn(s->mm, pg(100)), s->pfn0 + 100);
	MT_EQ(t_refs(s->pfn0), HPAGE_PMD_NR);
	MT_TRUE(!t_writable(s->mm, pg(10)));
	MT_TRUE(t_writable(s->mm, pg(100)));
	MT_READ(s->mm, pg(100), 2);
	MT_EQ(mmt_write(s->mm, pg(10), 1), -EFAULT);
}

MM_PROGRAM(race_thp_split_vs_write, "a PMD split races a write elsewhere in the PMD", 2,
	   struct race, setup_thp_touched, thp_split_vs_write_run, thp_split_vs_write_check);

/* CPU0 migrates the PMD-mapped folio while CPU1 reads it. */
static void thp_migrate_vs_read_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		s->rc[0] = mmt_migrate(s->mm, pg(0));
		return;
	}
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->mm, pg(7), 7);
}

static void thp_migrate_vs_read_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;
	unsigned long head = mt_pfn(s->mm, RA);

	(void)k;
	MT_EQ(s->rc[0], 0);
	check_migrated(s, s->rc[0]);
	MT_TRUE(t_huge(s->mm, RA));
	MT_EQ(t_order(head), HPAGE_PMD_ORDER);
	MT_TRUE(mt_exclusive(head));
	MT_TRUE(t_writable(s->mm, RA));
	MT_READ(s->mm, pg(0), 1);
	MT_READ(s->mm, pg(7), 7);
}

MM_PROGRAM(race_thp_migrate_vs_read, "migration of a PMD folio races a read", 2, struct race,
	   setup_thp_touched, thp_migrate_vs_read_run, thp_migrate_vs_read_check);

/* CPU0 zaps the huge PMD with MADV_DONTNEED while CPU1 writes a page of it. */
static void thp_dontneed_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_EQ(mmt_madvise(s->mm, RA, PMD_SIZE, MADV_DONTNEED), 0);
		return;
	}
	MT_WRITE(s->mm, pg(3), 2);
	load_either(s->mm, pg(3), 0, 2);
}

static void thp_dontneed_vs_write_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_READ(s->mm, pg(0), 0);
	MT_READ(s->mm, pg(7), 0);
	load_either(s->mm, pg(3), 0, 2);
	MT_TRUE(t_page_free(s->pfn0) || mt_pfn(s->mm, pg(3)) == s->pfn0 + 3);
}

MM_PROGRAM(race_thp_dontneed_vs_write, "MADV_DONTNEED of a huge PMD races a write to it", 2,
	   struct race, setup_thp_touched, thp_dontneed_vs_write_run, thp_dontneed_vs_write_check);

/* ---- a file mapped private and shared ------------------------------------------ */

#define RF (RA + PMD_SIZE)	/* the shared mapping of the file; RA is the private one */

struct file_race {
	struct race r;
	struct address_space *file;
};

static void setup_file(struct mm_kernel *k, void *st)
{
	struct file_race *s = st;

	(void)k;
	s->r.mm = mmt_mm_create();
	s->file = mmt_file_create(PAGE_SIZE);
	MT_EQ(mmt_mmap(s->r.mm, RA, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, s->file, 0), RA);
	MT_EQ(mmt_mmap(s->r.mm, RF, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->file, 0), RF);
	MT_WRITE(s->r.mm, RF + 16, 5);
}

/* CPU0's private write copies the file page while CPU1 writes the file
 * through the shared mapping: the copy has the file's words of that moment. */
static void file_cow_vs_write_run(struct mm_kernel *k, void *st, int cpu)
{
	struct file_race *s = st;

	(void)k;
	if (cpu == 0) {
		MT_WRITE(s->r.mm, RA, 1);
		MT_READ(s->r.mm, RA + 16, 5);
		s->r.seen[0] = t_load(s->r.mm, RA + 8);
		return;
	}
	MT_WRITE(s->r.mm, RF + 8, 2);
	MT_READ(s->r.mm, RF + 8, 2);
}

static void file_cow_vs_write_check(struct mm_kernel *k, void *st)
{
	struct file_race *s = st;
	uint64_t v;

	(void)k;
	MT_READ(s->r.mm, RA, 1);
	MT_READ(s->r.mm, RF, 0);
	MT_READ(s->r.mm, RF + 8, 2);
	v = load_either(s->r.mm, RA + 8, 0, 2);
	MT_EQ(v, s->r.seen[0]);
	MT_TRUE(t_anon(mt_pfn(s->r.mm, RA)));
	MT_TRUE(!t_anon(mt_pfn(s->r.mm, RF)));
}

MM_PROGRAM(race_file_cow_vs_write, "a private file COW races a shared write to the page", 2,
	   struct file_race, setup_file, file_cow_vs_write_run, file_cow_vs_write_check);

/* ---- three CPUs ------------------------------------------------------------------ */

/* CPU0 forks, CPU1 writes the page, CPU2 migrates it. */
static void fork_write_migrate_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	(void)k;
	if (cpu == 0)
		MT_EQ(mmt_fork(s->mm, &s->child), 0);
	else if (cpu == 1)
		MT_WRITE(s->mm, pg(0), 2);
	else
		s->rc[2] = mmt_migrate(s->mm, pg(0));
}

static void fork_write_migrate_check(struct mm_kernel *k, void *st)
{
	struct race *s = st;

	(void)k;
	MT_EITHER(s->rc[2], 0, -EBUSY);
	MT_READ(s->mm, pg(0), 2);
	load_either(s->child, pg(0), 1, 2);
	MT_TRUE(t_page_free(s->pfn0) || mt_pfn(s->child, pg(0)) == s->pfn0 ||
	       mt_pfn(s->mm, pg(0)) == s->pfn0);
}

MM_PROGRAM(race_fork_write_migrate, "fork, a write and a migration of one page", 3,
	   struct race, setup_two_touched, fork_write_migrate_run, fork_write_migrate_check);

/* ---- the negative control ------------------------------------------------------------- */

/* The first-fault race, then CPU1 takes a folio reference nobody will drop:
 * a leaked reference the end-of-execution accounting (INV-4) must catch. */
static void leak_ref_run(struct mm_kernel *k, void *st, int cpu)
{
	struct race *s = st;

	fault_same_page_run(k, st, cpu);
	if (cpu == 1)
		folio_ref_add(pfn_folio(mt_pfn(s->mm, pg(0))), 1);
}

MM_PROGRAM(race_leak_ref, "negative control: a folio reference leaks", 2, struct race,
	   setup_two, leak_ref_run, NULL);

/* ==== the cmocka side ================================================================ */

/* Random and PCT executions per program (fewer under the sanitizers, which
 * run about twice as slow; the DFS bounds stay the same). */
#if defined(__SANITIZE_ADDRESS__)
#define BUDGET 300
#define STRESS_ITERS 100
#else
#define BUDGET 2000
#define STRESS_ITERS 300
#endif

struct race_case {
	const struct sim_program *prog;
	int dfs_bound;		/* preemptions: keeps each DFS within about 2 s */
	int budget_div;		/* long executions (~1000 steps): BUDGET / this */
};

static const struct race_case cases[] = {
	{ &race_fault_same_page, 2, 1 },
	{ &race_read_then_write, 2, 1 },
	{ &race_fork_vs_write, 2, 1 },
	{ &race_fork_vs_read, 2, 1 },
	{ &race_migrate_vs_write, 2, 1 },
	{ &race_migrate_vs_read, 2, 1 },
	{ &race_migrate_vs_fork, 2, 1 },
	{ &race_migrate_twice, 1, 1 },
	{ &race_munmap_vs_write, 2, 1 },
	{ &race_dontneed_vs_write, 2, 1 },
	{ &race_mprotect_vs_write, 2, 1 },
	{ &race_thp_first_touch, 2, 1 },
	{ &race_thp_zero_vs_write, 2, 1 },
	{ &race_thp_write_vs_fork, 2, 1 },
	{ &race_thp_split_vs_write, 2, 1 },
	{ &race_thp_migrate_vs_read, 1, 4 },
	{ &race_thp_dontneed_vs_write, 2, 1 },
	{ &race_file_cow_vs_write, 2, 1 },
	{ &race_fork_write_migrate, 1, 1 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Random and PCT run their budget, DFS exhausts its bound: nothing found. */
static void test_race(void **state)
{
	const struct race_case *c = *state;

	t_race_all_clean(c->prog, (test_soak() ? 10 * BUDGET : BUDGET) / (uint64_t)c->budget_div,
			 c->dfs_bound + (test_soak() ? 1 : 0));
}

static const enum explore_kind kinds[] = { EXPLORE_RANDOM, EXPLORE_PCT, EXPLORE_DFS };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* The harness can fail: a leaked folio reference, planted after the race,
 * is found by every strategy in the first execution, by the end-of-execution
 * accounting check (INV-4). */
static void test_negative_control_finds_leak(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKINDS; i++) {
		struct explore_opts o;
		struct explore_result r;

		t_race_opts(&o, kinds[i], kinds[i] == EXPLORE_PCT ? 3 : 1,
			  kinds[i] == EXPLORE_DFS ? 0 : 100);
		assert_int_equal(explore_run(&race_leak_ref, &o, &r), 0);
		if (!r.found)
			fail_msg("%s found no leak in %llu executions", r.strategy,
				 (unsigned long long)r.executions);
		assert_int_equal(r.finding.kind, SIM_FIND_INVARIANT);
		assert_string_equal(r.finding.id, "INV-4");
		assert_non_null(strstr(r.finding.msg, "a reference leaked"));
		assert_int_equal(r.finding.cpu, -1);
		assert_int_equal(r.failing_execution, 1);
		explore_result_free(&r);
	}
}

/*
 * A schedule found by DFS (and one found by PCT) replays to the identical
 * trace: the program demanding that the child never sees the racing write
 * fails in some schedule (race_fork_vs_write, which allows both outcomes,
 * is clean in every one).
 */
static void test_replay_fork_race(void **state)
{
	static const enum explore_kind find[] = { EXPLORE_DFS, EXPLORE_PCT };

	(void)state;
	for (size_t i = 0; i < sizeof(find) / sizeof(find[0]); i++) {
		struct explore_opts o;
		struct explore_result r, again;
		int rc;

		t_race_opts(&o, find[i], find[i] == EXPLORE_PCT ? 3 : 1,
			  find[i] == EXPLORE_PCT ? BUDGET : 0);
		assert_int_equal(explore_run(&race_fork_vs_write_strict, &o, &r), 0);
		assert_true(r.found);
		assert_string_equal(r.finding.id, "test");
		assert_non_null(strstr(r.finding.msg, "the child saw the parent's write"));
		assert_non_null(r.token);
		rc = explore_replay(&race_fork_vs_write_strict, r.token, &o.cfg, &again);
		assert_int_equal(rc, 0);
		assert_true(again.found);
		assert_int_equal(again.finding.kind, r.finding.kind);
		assert_string_equal(again.finding.id, r.finding.id);
		assert_string_equal(again.finding.msg, r.finding.msg);
		test_assert_same_trace(&r, &again);
		explore_result_free(&again);
		/* The token names its program: another one refuses it. */
		assert_int_equal(explore_replay(&race_fork_vs_write, r.token, &o.cfg, &again), -1);
		assert_true(again.error);
		explore_result_free(&again);
		explore_result_free(&r);
	}
}

/* Real threads (the stress backend) over two race programs: nothing found. */
static void stress_clean(const struct sim_program *p, int iters)
{
	struct sim_config cfg;
	struct sim_exec *x;

	sim_config_default(&cfg);
	cfg.delay_permille = 100;
	cfg.delay_max_us = 20;
	x = sim_exec_new(p, &cfg);
	assert_non_null(x);
	for (int i = 0; i < iters; i++) {
		if (sim_stress_once(x) != SIM_RUN_OK)
			fail_msg("%s: stress iteration %d: %s %s: %s", p->name, i,
				 sim_finding_kind_name(x->finding.kind), x->finding.id,
				 x->finding.msg);
	}
	sim_exec_free(x);
}

static void test_stress_smoke(void **state)
{
	int iters = test_soak() ? 20 * STRESS_ITERS : STRESS_ITERS;

	(void)state;
	stress_clean(&race_fault_same_page, iters);
	stress_clean(&race_migrate_vs_write, iters);
}

/* An optional argument selects tests by name (a cmocka filter pattern). */
int main(int argc, char **argv)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_negative_control_finds_leak),
		cmocka_unit_test(test_replay_fork_race),
		cmocka_unit_test(test_stress_smoke),
	};
	struct CMUnitTest tests[NCASES + sizeof(extra) / sizeof(extra[0])];
	size_t n = 0;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	for (size_t i = 0; i < NCASES; i++)
		tests[n++] = (struct CMUnitTest){ .name = cases[i].prog->name,
						  .test_func = test_race,
						  .initial_state = (void *)&cases[i] };
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		tests[n++] = extra[i];
	return _cmocka_run_group_tests("mm_races", tests, n, NULL, NULL);
}
