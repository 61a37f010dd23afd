/*
 * bench_mm.c - speed and memory of the model kernel without exploration:
 * anonymous page faults per second (write, read of the zero page, COW after
 * fork, PMD THP), the same faults on the real kernel of this machine in the
 * same run, and the model's metadata per 4 KiB page.  The model's memory is
 * warm (touched once before timing), as it is in an exploration after its
 * first execution; the kernel's is fresh, as the kernel keeps free pages
 * ready.
 *
 * Budgets (DESIGN.md section 7): faults within 3x of the real kernel's time;
 * at most 64 bytes of metadata per page beyond its contents.  The process
 * exits non-zero when a budget is missed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>

#include "check/mmprog.h"
#include "explore/explorer.h"
#include "mm/internal.h"
#include "mm/swap.h"

#define NR_FAULTS 65536UL

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum kind { K_WRITE, K_READ, K_COW, K_THP };

struct fb {
	enum kind kind;
	double seconds;		/* time of the faults alone */
	unsigned long faults;
};

static struct fb *current_bench;

static void fb_run(struct mm_kernel *k, void *st, int cpu)
{
	struct fb *b = current_bench;
	struct mm_struct *mm = mmt_mm_create(), *child = NULL;
	unsigned long len = NR_FAULTS * PAGE_SIZE;
	long a;
	uint64_t v;
	double t0;

	(void)st;
	(void)cpu;
	/* Warm memory, as in any exploration after its first execution: the
	 * host's first-touch zeroing is not the model's cost. */
	memset(k->phys + 2 * HPAGE_PMD_NR * PAGE_SIZE, 0x5a, (k->nr_pages - 2 * HPAGE_PMD_NR) * PAGE_SIZE);
	if (b->kind == K_THP)
		mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	a = mmt_mmap(mm, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (b->kind == K_COW) {
		for (unsigned long i = 0; i < NR_FAULTS; i++)
			mmt_write(mm, (unsigned long)a + i * PAGE_SIZE, i);
		mmt_fork(mm, &child);
	}
	t0 = now_s();
	for (unsigned long i = 0; i < NR_FAULTS; i += b->kind == K_THP ? HPAGE_PMD_NR : 1) {
		if (b->kind == K_READ)
			mmt_read(mm, (unsigned long)a + i * PAGE_SIZE, &v);
		else
			mmt_write(mm, (unsigned long)a + i * PAGE_SIZE, i + 1);
		b->faults++;
	}
	b->seconds = now_s() - t0;
}

static const struct mm_config big = {
	.nr_pages = 3 * NR_FAULTS,
	.thp_madvise = 1UL << HPAGE_PMD_ORDER,
	.thp_use_zero_page = true,
};

MM_PROGRAM_CFG(bench_faults, "fault benchmark", 1, int, NULL, fb_run, NULL, &big);

static double model_rate(enum kind kind, unsigned long *faults)
{
	struct fb b = { .kind = kind };
	struct explore_opts o;
	struct explore_result r;

	current_bench = &b;
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.max_steps = ~0ULL;
	o.cfg.trace = false;
	if (explore_run(&bench_faults, &o, &r) || r.found) {
		fprintf(stderr, "bench: model run failed: %s %s\n", r.errmsg, r.finding.msg);
		exit(1);
	}
	explore_result_free(&r);
	*faults = b.faults;
	return (double)b.faults / b.seconds;
}

/* The same faults on the real kernel: a fresh mapping touched page by page. */
static double kernel_rate(enum kind kind)
{
	size_t len = NR_FAULTS * PAGE_SIZE;
	char *p = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	volatile char *a;
	unsigned long step = kind == K_THP ? HPAGE_PMD_NR : 1, n = 0;
	double t0, t;
	pid_t pid = 0;

	if (p == MAP_FAILED)
		return 0;
	a = (volatile char *)ALIGN((uintptr_t)p, PMD_SIZE);
	madvise((void *)a, len, kind == K_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (kind == K_COW) {
		for (unsigned long i = 0; i < NR_FAULTS; i++)
			a[i * PAGE_SIZE] = 1;
		pid = fork();
		if (pid == 0) {
			struct timespec ts = { 5, 0 };

			nanosleep(&ts, NULL);
			_exit(0);
		}
	}
	t0 = now_s();
	for (unsigned long i = 0; i < NR_FAULTS; i += step, n++) {
		if (kind == K_READ)
			(void)a[i * PAGE_SIZE];
		else
			a[i * PAGE_SIZE] = 2;
	}
	t = now_s() - t0;
	munmap(p, len + PMD_SIZE);
	if (pid > 0)
		kill(pid, 9);
	return (double)n / t;
}

/* Swap-out (MADV_PAGEOUT) and swap-in (reads) of NR_FAULTS pages on a
 * zram-like device, with warm memory; pages per second for each. */
struct sb {
	double out_s, in_s;
	unsigned long pages;
};

static struct sb *current_swap;

static void sb_run(struct mm_kernel *k, void *st, int cpu)
{
	struct sb *b = current_swap;
	struct mm_struct *mm = mmt_mm_create();
	unsigned long len = NR_FAULTS * PAGE_SIZE;
	long a;
	uint64_t v;
	double t0;

	(void)st;
	(void)cpu;
	memset(k->phys + 2 * HPAGE_PMD_NR * PAGE_SIZE, 0x5a, (k->nr_pages - 2 * HPAGE_PMD_NR) * PAGE_SIZE);
	mmt_swapon(NR_FAULTS, true, SWAP_ALLOC_CLUSTER);
	a = mmt_mmap(mm, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	for (unsigned long i = 0; i < NR_FAULTS; i++)
		mmt_write(mm, (unsigned long)a + i * PAGE_SIZE, i + 1);
	t0 = now_s();
	mmt_madvise(mm, (unsigned long)a, len, MADV_PAGEOUT);
	b->out_s = now_s() - t0;
	t0 = now_s();
	for (unsigned long i = 0; i < NR_FAULTS; i++)
		mmt_read(mm, (unsigned long)a + i * PAGE_SIZE, &v);
	b->in_s = now_s() - t0;
	b->pages = NR_FAULTS;
}

MM_PROGRAM_CFG(bench_swap, "swap benchmark", 1, int, NULL, sb_run, NULL, &big);

static void swap_bench(void)
{
	struct sb b = { 0 };
	struct explore_opts o;
	struct explore_result r;

	current_swap = &b;
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.max_steps = ~0ULL;
	o.cfg.trace = false;
	if (explore_run(&bench_swap, &o, &r) || r.found) {
		fprintf(stderr, "bench: swap run failed: %s %s\n", r.errmsg, r.finding.msg);
		exit(1);
	}
	explore_result_free(&r);
	printf("  %-30s %14.0f pages/s\n", "swap-out (MADV_PAGEOUT, zram)", (double)b.pages / b.out_s);
	printf("  %-30s %14.0f pages/s\n", "swap-in (read faults, zram)", (double)b.pages / b.in_s);
}

int main(void)
{
	static const char *const names[] = { "write fault (new page)", "read fault (zero page)",
					     "write fault after fork (COW)", "write fault, PMD THP" };
	size_t table = sizeof(struct ptdesc) / PTRS_PER_PTE;
	int bad = 0;

	printf("mmtwin bench: the model kernel (no exploration), %lu pages per run\n", NR_FAULTS);
	printf("  %-30s %14s %14s %8s\n", "fault", "model/s", "kernel/s", "ratio");
	for (int k = K_WRITE; k <= K_THP; k++) {
		unsigned long faults;
		double m = model_rate(k, &faults), r = kernel_rate(k), ratio = r / m;

		printf("  %-30s %14.0f %14.0f %7.2fx %s\n", names[k], m, r, ratio,
		       ratio <= 3.0 ? "(budget <= 3x: met)" : "(budget <= 3x: NOT MET)");
		bad |= ratio > 3.0;
	}
	swap_bench();
	printf("metadata per 4 KiB page: struct page %zu bytes (budget 64: %s); with its PTE and"
	       " a share of the PTE table's descriptor: %zu bytes\n",
	       sizeof(struct page), sizeof(struct page) <= 64 ? "met" : "NOT MET",
	       sizeof(struct page) + table);
	bad |= sizeof(struct page) > 64;
	return bad;
}
