/*
 * bench_uffd.c - speed of UFFDIO_MOVE in the model kernel (no exploration:
 * one execution on one CPU, warm memory, trace off) next to the real kernel
 * of this machine in the same run: 1 GiB of present order-0 pages and 1 GiB
 * of PMD-mapped THPs moved with one ioctl, the same order-0 gigabyte moved
 * one ioctl per page (a fault handler's pattern), and 256 MiB of pages
 * swapped out to a zram-like device moved with one ioctl.
 *
 * Each workload moves its range src -> dst (fresh page tables at dst), then
 * back and forth (PASSES passes, both ranges registered MISSING); the median
 * pass is compared, and the first.  The model runs twice: as explorations
 * run it, with the data oracle (INV-1) shadowing every word, for one pass;
 * and with the oracle off (oracle_set_enabled) for PASSES passes.
 *
 * The real kernel's swapped case needs a swap device: when no swap is
 * active and /sys/block/zram0 is unused, zram0 is made swap for that case
 * and reset afterwards (also at exit and on a fatal signal), leaving the
 * machine as it was found.  Anything the kernel does not allow is reported
 * and only the model's numbers are shown.
 *
 * Budget (DESIGN.md §7, "model speed, no exploration"): the model kernel
 * with the oracle off, median pass, within 3x of the kernel's median time
 * per page; the process exits non-zero when a measured budget is missed.
 * The oracle-on figure is what an exploration pays on top.
 *
 * Profiling: `bench_uffd [--model-only] [--no-oracle] [pte|thp|each|swap]...`
 * runs a part; BENCH_PERF_CTL (see perf_ctl()) limits perf to the MOVEs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "check/mmprog.h"
#include "check/oracle.h"
#include "explore/explorer.h"
#include "mm/internal.h"
#include "mm/swap.h"
#include "mm/userfaultfd_uapi.h"

/* Debian 12's <linux/userfaultfd.h> is Linux 6.1's: no UFFDIO_MOVE (6.8). */
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1ULL << 16)
#endif
#ifndef _UFFDIO_MOVE
#define _UFFDIO_MOVE 0x05
#endif
#ifndef UFFDIO_MOVE
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

#define PRESENT_PAGES (1UL << 18)	/* 1 GiB */
#define SWAP_PAGES (1UL << 16)		/* 256 MiB */
#define BUDGET 3.0

/* Where the model maps its ranges (PMD-aligned, far apart). */
#define M_SRC 0x40000000UL
#define M_DST 0x100000000UL

enum workload { W_PTE, W_THP, W_PTE_EACH, W_SWAP, NR_WORKLOADS };

static const struct wl {
	const char *id;		/* for the command line */
	const char *name;
	unsigned long pages;
	bool thp, swap, each;
} wls[NR_WORKLOADS] = {
	[W_PTE] = { "pte", "1 GiB present 4K, 1 ioctl", PRESENT_PAGES, false, false, false },
	[W_THP] = { "thp", "1 GiB present PMD THP, 1 ioctl", PRESENT_PAGES, true, false, false },
	[W_PTE_EACH] = { "each", "1 GiB present 4K, ioctl/page", PRESENT_PAGES, false, false, true },
	[W_SWAP] = { "swap", "256 MiB swapped 4K, 1 ioctl", SWAP_PAGES, false, true, false },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- passes: the range goes src -> dst, back, and so on -------------------------------- */

#define PASSES 5	/* kernel, and the model with the oracle off */

struct meas {
	double first_ns;	/* per page, first pass (fresh page tables at dst) */
	double median_ns;	/* per page, median pass */
	double steps;		/* model: scheduling points per page moved */
	long swapped;		/* pages swapped out before the first pass */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void meas_fill(struct meas *m, double *secs, int passes, unsigned long pages)
{
	m->first_ns = secs[0] * 1e9 / (double)pages;
	qsort(secs, (size_t)passes, sizeof(*secs), cmp_double);
	m->median_ns = secs[passes / 2] * 1e9 / (double)pages;
}

/* ---- the model ----------------------------------------------------------------- */

struct mb {
	const struct wl *w;
	bool oracle;		/* the data oracle (INV-1) on, as in an exploration */
	int passes;
	double secs[PASSES];	/* the MOVE ioctls alone, per pass */
	uint64_t steps;		/* scheduling points they took, all passes */
	long swapped;		/* swap slots in use before the first pass */
};

static struct mb *current_mb;

/* Profiling the timed section alone: with BENCH_PERF_CTL naming the control
 * FIFO of `perf record --control=fifo:FIFO -D -1`, the model's MOVEs are
 * bracketed with "enable" and "disable". */
static void perf_ctl(const char *cmd)
{
	const char *fifo = getenv("BENCH_PERF_CTL");
	int fd;

	if (!fifo || (fd = open(fifo, O_WRONLY | O_CLOEXEC)) < 0)
		return;
	if (write(fd, cmd, strlen(cmd)) < 0)
		perror("bench_uffd: perf control");
	close(fd);
}

#define MB_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			sim_fail(SIM_FIND_INVARIANT, "bench", __VA_ARGS__);     \
	} while (0)

/* Map src and dst, fill src (page i holds i + 1), swap it out if asked,
 * register both MISSING on a context with UFFD_FEATURE_MOVE (dst of the
 * passes back is src). */
static struct userfaultfd_ctx *mb_prepare(struct mm_kernel *k, struct mm_struct *mm,
					  const struct wl *w, struct mb *b)
{
	unsigned long len = w->pages * PAGE_SIZE;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	struct mmt_uffdio_api api = { MMT_UFFD_API, MMT_UFFD_FEATURE_MOVE, 0 };
	struct mmt_uffdio_register dreg = { { M_DST, len }, MMT_UFFDIO_REGISTER_MODE_MISSING, 0 };
	struct mmt_uffdio_register sreg = { { M_SRC, len }, MMT_UFFDIO_REGISTER_MODE_MISSING, 0 };
	struct userfaultfd_ctx *ctx = NULL;
	int advice = w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;

	if (w->swap)
		MB_CHECK(mmt_swapon(w->pages + HPAGE_PMD_NR, true, SWAP_ALLOC_CLUSTER) >= 0,
			 "swapon");
	MB_CHECK(mmt_mmap(mm, M_SRC, len, prot, flags, NULL, 0) == (long)M_SRC, "mmap src");
	MB_CHECK(mmt_mmap(mm, M_DST, len, prot, flags, NULL, 0) == (long)M_DST, "mmap dst");
	MB_CHECK(!mmt_madvise(mm, M_SRC, len, advice) && !mmt_madvise(mm, M_DST, len, advice),
		 "madvise");
	for (unsigned long i = 0; i < w->pages; i++)
		MB_CHECK(!mmt_write(mm, M_SRC + i * PAGE_SIZE, i + 1), "fill src");
	if (w->swap) {
		MB_CHECK(!mmt_madvise(mm, M_SRC, len, MADV_PAGEOUT), "pageout");
		b->swapped = (long)k->swap_info[0]->inuse_pages;
	}
	MB_CHECK(!mmt_userfaultfd(mm, 0, &ctx), "userfaultfd");
	MB_CHECK(!mmt_uffd_api(ctx, &api), "UFFDIO_API");
	MB_CHECK(!mmt_uffd_register(ctx, &dreg) && !mmt_uffd_register(ctx, &sreg),
		 "UFFDIO_REGISTER");
	return ctx;
}

/* UFFDIO_MOVE of [src, src + len) to dst, continuing after a partial move
 * (-EAGAIN with bytes moved) as a user does. */
static void mb_move(struct mm_struct *mm, struct userfaultfd_ctx *ctx, unsigned long dst,
		    unsigned long src, unsigned long len)
{
	unsigned long done = 0;

	while (done < len) {
		struct mmt_uffdio_move mv = { dst + done, src + done, len - done, 0, 0 };
		int err = mmt_uffd_move(mm, ctx, &mv);

		MB_CHECK(!err || (err == -EAGAIN && mv.move > 0), "UFFDIO_MOVE: %d, move = %lld",
			 err, (long long)mv.move);
		if (mv.move <= 0)
			return;
		done += (unsigned long)mv.move;
	}
}

/* One pass: the whole range in one ioctl, or one ioctl per page. */
static void mb_pass(struct mm_struct *mm, struct userfaultfd_ctx *ctx, const struct wl *w,
		    unsigned long dst, unsigned long src)
{
	unsigned long len = w->pages * PAGE_SIZE;

	if (!w->each) {
		mb_move(mm, ctx, dst, src, len);
		return;
	}
	for (unsigned long off = 0; off < len; off += PAGE_SIZE)
		mb_move(mm, ctx, dst + off, src + off, PAGE_SIZE);
}

static void mb_run(struct mm_kernel *k, void *st, int cpu)
{
	struct mb *b = current_mb;
	const struct wl *w = b->w;
	struct mm_struct *mm = mmt_mm_create();
	struct userfaultfd_ctx *ctx;
	unsigned long at = M_SRC;
	uint64_t v;

	(void)st;
	(void)cpu;
	oracle_set_enabled(k->oracle, b->oracle);
	/* Warm memory, as in any exploration after its first execution. */
	memset(k->phys + 2 * HPAGE_PMD_NR * PAGE_SIZE, 0x5a,
	       (k->nr_pages - 2 * HPAGE_PMD_NR) * PAGE_SIZE);
	ctx = mb_prepare(k, mm, w, b);
	perf_ctl("enable\n");
	b->steps = sim_current_exec()->steps;
	for (int p = 0; p < b->passes; p++) {
		unsigned long to = at == M_SRC ? M_DST : M_SRC;
		double t0 = now_s();

		mb_pass(mm, ctx, w, to, at);
		b->secs[p] = now_s() - t0;
		at = to;
	}
	b->steps = sim_current_exec()->steps - b->steps;
	perf_ctl("disable\n");
	/* Every page arrived (the data oracle, when on, checks each read too). */
	for (unsigned long i = 0; i < w->pages; i++) {
		MB_CHECK(!mmt_read(mm, at + i * PAGE_SIZE, &v) && v == i + 1,
			 "page %lu reads %#llx after the moves", i, (unsigned long long)v);
	}
}

/* 1 GiB of order-0 or PMD folios, the zero pages, slack for alignment;
 * page tables live outside physical memory. */
static struct mm_config big = {
	.nr_pages = PRESENT_PAGES + 8 * HPAGE_PMD_NR,
	.thp_madvise = 1UL << HPAGE_PMD_ORDER,
	.thp_use_zero_page = true,
};

MM_PROGRAM_CFG(bench_uffd_move, "UFFDIO_MOVE benchmark", 1, int, NULL, mb_run, NULL, &big);

/* The model's MOVE of workload @w: one execution of @passes passes, with
 * Linux 6.18's batched move of present pages if @batch, else v6.17's. */
static void model_measure(const struct wl *w, bool oracle, bool batch, int passes,
			  struct meas *m)
{
	struct mb b = { .w = w, .oracle = oracle, .passes = passes };
	struct explore_opts o;
	struct explore_result r;

	current_mb = &b;
	big.uffd_move_batch = batch;
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.max_steps = ~0ULL;
	o.cfg.trace = false;
	if (explore_run(&bench_uffd_move, &o, &r) || r.found) {
		fprintf(stderr, "bench_uffd: model run failed: %s %s\n", r.errmsg, r.finding.msg);
		exit(1);
	}
	explore_result_free(&r);
	meas_fill(m, b.secs, passes, w->pages);
	m->steps = (double)b.steps / (double)(w->pages * (unsigned long)passes);
	m->swapped = b.swapped;
}

/* ---- the real kernel: zram0 as swap, undone on every way out -------------------------- */

#define ZRAM "/sys/block/zram0"
#define ZRAM_DEV "/dev/zram0"

/* 0: untouched; 1: disksize set; 2: swapon done.  Read by the cleanup. */
static volatile sig_atomic_t zram_state;

/* Async-signal-safe: swapoff, then reset zram0 (disksize back to 0). */
static void zram_undo(void)
{
	int fd;

	if (zram_state >= 2 && swapoff(ZRAM_DEV) == 0)
		zram_state = 1;
	if (zram_state == 1) {
		fd = open(ZRAM "/reset", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "1", 1) == 1)
				zram_state = 0;
			close(fd);
		}
	}
}

static void zram_on_signal(int sig)
{
	zram_undo();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void zram_install_cleanup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM,
				    SIGUSR1, SIGUSR2, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	static bool done;
	struct sigaction sa;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = zram_on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	atexit(zram_undo);
}

static int read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -errno;
	buf[got] = 0;
	return 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = (ssize_t)strlen(s), got;

	if (fd < 0)
		return -errno;
	got = write(fd, s, (size_t)len);
	close(fd);
	return got == len ? 0 : got < 0 ? -errno : -EIO;
}

static void why(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* Is swap active?  /proc/swaps has a heading line and one line per device. */
static int swaps_active(void)
{
	char buf[4096];
	int lines = 0;

	if (read_file("/proc/swaps", buf, sizeof(buf)))
		return -1;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	return lines > 1;
}

/* A version-1 swap header on the first page of @fd for @pages pages (the
 * on-disk layout mkswap(8) writes: version, last page, no bad pages, the
 * magic in the last ten bytes of the page). */
static int write_swap_header(int fd, unsigned long pages)
{
	static unsigned char page[4096];
	uint32_t version = 1, last = (uint32_t)(pages - 1);

	memset(page, 0, sizeof(page));
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last, 4);
	memcpy(page + sizeof(page) - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		return -1;
	return fsync(fd);
}

/* Make zram0 swap of @bytes if the machine allows it without disturbing
 * anything; 0, or -1 with @reason. */
static int zram_swap_on(unsigned long bytes, char *reason, size_t n)
{
	char buf[64];
	int fd, act;

	if (geteuid() != 0)
		return why(reason, n, "not root: no swap device can be set up"), -1;
	act = swaps_active();
	if (act)
		return why(reason, n, act < 0 ? "/proc/swaps unreadable"
					      : "swap is already active: left alone"), -1;
	if (read_file(ZRAM "/disksize", buf, sizeof(buf)))
		return why(reason, n, "no zram0 on this machine"), -1;
	if (strtoul(buf, NULL, 10) != 0)
		return why(reason, n, "zram0 is in use (disksize %lu): left alone",
			   strtoul(buf, NULL, 10)), -1;
	zram_install_cleanup();
	snprintf(buf, sizeof(buf), "%lu", bytes);
	zram_state = 1;
	if (write_file(ZRAM "/disksize", buf)) {
		why(reason, n, "cannot set zram0's disksize: %s", strerror(errno));
		goto undo;
	}
	fd = open(ZRAM_DEV, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_swap_header(fd, bytes / 4096)) {
		why(reason, n, "cannot write a swap header to %s: %s", ZRAM_DEV, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto undo;
	}
	close(fd);
	if (swapon(ZRAM_DEV, 0)) {
		why(reason, n, "swapon(%s): %s", ZRAM_DEV, strerror(errno));
		goto undo;
	}
	zram_state = 2;
	return 0;
undo:
	zram_undo();
	return -1;
}

/* ---- the real kernel: UFFDIO_MOVE --------------------------------------------------- */

static int kernel_uffd(char *reason, size_t n)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	if (fd < 0) {
		int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);

		if (dev >= 0) {
			fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | UFFD_USER_MODE_ONLY);
			close(dev);
		}
	}
	if (fd < 0)
		return why(reason, n, "userfaultfd: %s", strerror(errno)), -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		why(reason, n, "UFFDIO_API with UFFD_FEATURE_MOVE: %s (kernel without MOVE?)",
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* @len bytes at a PMD-aligned address (the rest of the mapping trimmed). */
static char *map_aligned(size_t len)
{
	char *p = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)ALIGN((uintptr_t)p, PMD_SIZE);
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + len + PMD_SIZE - (a + len)));
	return a;
}

/* AnonHugePages of the VMA at @a, in kB (/proc/self/smaps), or -1. */
static long anon_huge_kb(const void *a)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	long kb = -1;
	bool in = false;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)a);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = !strncmp(line, want, strlen(want));
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* Pages of [a, a + len) that /proc/self/pagemap shows swapped out (bit 62). */
static long pages_swapped(const char *a, size_t len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e[512];
	long n = 0;

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len; off += sizeof(e) / 8 * PAGE_SIZE) {
		size_t cnt = (len - off) / PAGE_SIZE < 512 ? (len - off) / PAGE_SIZE : 512;
		off_t at = (off_t)((uintptr_t)(a + off) / PAGE_SIZE * 8);

		if (pread(fd, e, cnt * 8, at) != (ssize_t)(cnt * 8)) {
			n = -1;
			break;
		}
		for (size_t i = 0; i < cnt; i++)
			n += (e[i] >> 62 & 3) == 1;
	}
	close(fd);
	return n;
}

static int k_move(int uffd, char *dst, char *src, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct uffdio_move mv = { (uintptr_t)(dst + done), (uintptr_t)(src + done),
					  len - done, 0, 0 };

		if (ioctl(uffd, UFFDIO_MOVE, &mv) && !(errno == EAGAIN && mv.move > 0))
			return -1;
		done += (size_t)mv.move;
	}
	return 0;
}

/* Register [a, a + len) MISSING. */
static int k_register(int uffd, char *a, size_t len)
{
	struct uffdio_register reg = { .range = { (uintptr_t)a, len },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };

	return ioctl(uffd, UFFDIO_REGISTER, &reg);
}

/* Swap [a, a + len) out with MADV_PAGEOUT (a few tries: pages on a per-CPU
 * LRU batch are skipped); the pages pagemap shows swapped. */
static long k_pageout(char *a, size_t len)
{
	long n = 0;

	for (int tries = 0; tries < 4 && (n = pages_swapped(a, len)) < (long)(len / PAGE_SIZE);
	     tries++)
		madvise(a, len, MADV_PAGEOUT);
	return n;
}

/* Fill src (page i holds i + 1), swap it out if asked, register both
 * ranges: 0, or -1 with @reason. */
static int k_prepare(int uffd, const struct wl *w, char *src, char *dst, struct meas *m,
		     char *reason, size_t n)
{
	size_t len = w->pages * PAGE_SIZE;
	int advice = w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;

	madvise(src, len, advice);
	madvise(dst, len, advice);
	for (unsigned long i = 0; i < w->pages; i++)
		*(volatile uint64_t *)(src + i * PAGE_SIZE) = i + 1;
	if (w->thp && anon_huge_kb(src) < (long)(len / 1024))
		return why(reason, n, "only %ld of %zu kB became THPs", anon_huge_kb(src),
			   len / 1024), -1;
	/* Nearly all: a handful may stay behind (isolated elsewhere). */
	if (w->swap && (m->swapped = k_pageout(src, len)) < (long)(w->pages * 99 / 100))
		return why(reason, n, "MADV_PAGEOUT swapped out %ld of %lu pages", m->swapped,
			   w->pages), -1;
	if (k_register(uffd, dst, len) || k_register(uffd, src, len))
		return why(reason, n, "UFFDIO_REGISTER: %s", strerror(errno)), -1;
	return 0;
}

/* PASSES passes src -> dst -> src ..., each timed; then the data is checked
 * where it ended up.  0, or -1 with @reason. */
static int k_passes(int uffd, const struct wl *w, char *src, char *dst, double *secs,
		    char *reason, size_t n)
{
	size_t len = w->pages * PAGE_SIZE, step = w->each ? PAGE_SIZE : len;
	char *at = src;

	for (int p = 0; p < PASSES; p++) {
		char *to = at == src ? dst : src;
		double t0 = now_s();

		for (size_t off = 0; off < len; off += step)
			if (k_move(uffd, to + off, at + off, step))
				return why(reason, n, "UFFDIO_MOVE: %s", strerror(errno)), -1;
		secs[p] = now_s() - t0;
		at = to;
	}
	for (unsigned long i = 0; i < w->pages; i++)
		if (*(volatile uint64_t *)(at + i * PAGE_SIZE) != i + 1)
			return why(reason, n, "the kernel's MOVE lost page %lu", i), -1;
	return 0;
}

/* The real kernel's MOVE of workload @w: 0, or -1 with @reason. */
static int kernel_measure(const struct wl *w, struct meas *m, char *reason, size_t n)
{
	size_t len = w->pages * PAGE_SIZE;
	char *src, *dst;
	double secs[PASSES];
	int uffd = kernel_uffd(reason, n), ret = -1;

	if (uffd < 0)
		return -1;
	src = map_aligned(len);
	dst = map_aligned(len);
	if (!src || !dst)
		why(reason, n, "mmap: %s", strerror(errno));
	else if (!k_prepare(uffd, w, src, dst, m, reason, n) &&
		 !k_passes(uffd, w, src, dst, secs, reason, n))
		ret = 0;
	if (!ret)
		meas_fill(m, secs, PASSES, w->pages);
	if (src)
		munmap(src, len);
	if (dst)
		munmap(dst, len);
	close(uffd);
	return ret;
}

/* Does the running kernel batch present pages in UFFDIO_MOVE (Linux 6.18
 * and later)?  Fills @release with uname's release string. */
static bool kernel_batches(char *release, size_t n)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u)) {
		snprintf(release, n, "unknown");
		return false;
	}
	snprintf(release, n, "%s", u.release);
	if (sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 18);
}

/* ---- the table ---------------------------------------------------------------------- */

/* The command line: workload ids to run (none: all); --model-only skips the
 * real kernel, --no-oracle runs the model only with the oracle off (both for
 * profiling the model); --v6.17 / --v6.18 choose the model's algorithm for
 * present pages (default: the one of the running kernel, see kernel_batches()). */
struct opts {
	bool model_only, no_oracle;
	int batch;		/* -1: by the running kernel; 0: v6.17; 1: 6.18 */
};

static bool wanted(int argc, char **argv, const struct wl *w, struct opts *o)
{
	bool named = false, hit = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--model-only")) {
			o->model_only = true;
		} else if (!strcmp(argv[i], "--no-oracle")) {
			o->no_oracle = true;
		} else if (!strcmp(argv[i], "--v6.17")) {
			o->batch = 0;
		} else if (!strcmp(argv[i], "--v6.18")) {
			o->batch = 1;
		} else {
			named = true;
			hit |= !strcmp(argv[i], w->id);
		}
	}
	return !named || hit;
}

struct row {
	bool ran, kernel_ok;
	struct meas model, bare, kernel;	/* bare: the model with the oracle off */
	struct meas other;			/* bare, the other algorithm (W_PTE) */
	char reason[160];			/* why the kernel was not measured */
};

/* The real kernel's run of @w, with zram0 as swap around the swapped case. */
static void kernel_row(const struct wl *w, struct row *r)
{
	if (w->swap && zram_swap_on((w->pages + 4 * HPAGE_PMD_NR) * PAGE_SIZE, r->reason,
				    sizeof(r->reason)))
		return;
	r->kernel_ok = !kernel_measure(w, &r->kernel, r->reason, sizeof(r->reason));
	if (w->swap) {
		zram_undo();
		if (zram_state)
			fprintf(stderr, "bench_uffd: WARNING: could not undo zram0 (state %d):"
				" run swapoff " ZRAM_DEV "; echo 1 > " ZRAM "/reset\n",
				(int)zram_state);
	}
}

static void print_ns(double ns)
{
	if (ns > 0)
		printf(" %9.1f", ns);
	else
		printf(" %9s", "-");
}

static void print_ratio(double ratio, bool ok)
{
	if (ok && ratio > 0)
		printf(" %8.1fx", ratio);
	else
		printf(" %9s", "-");
}

/* Both ratios, each figure against the same kind of kernel figure (oracle
 * on: first pass; oracle off: median); the budget is the second. */
static void print_row(const struct wl *w, const struct row *r, int *bad)
{
	double on = r->model.first_ns / r->kernel.first_ns;
	double off = r->bare.median_ns / r->kernel.median_ns;

	printf("  %-31s", w->name);
	print_ns(r->model.first_ns);
	print_ns(r->bare.median_ns);
	print_ns(r->kernel_ok ? r->kernel.first_ns : -1);
	print_ns(r->kernel_ok ? r->kernel.median_ns : -1);
	print_ratio(on, r->kernel_ok);
	print_ratio(off, r->kernel_ok);
	if (!r->kernel_ok) {
		printf("  -\n");
		return;
	}
	/* DESIGN.md §7: "model speed (no exploration)" - the model kernel,
	 * without the checkers an exploration adds (the oracle's cost is the
	 * first ratio column). */
	printf("  %s\n", off <= BUDGET ? "met" : "NOT MET");
	*bad |= off > BUDGET;
}

static void print_rates(const struct row *rows)
{
	printf("\n  pages per second, steps (scheduling points) per page in the model:\n");
	printf("  %-31s %10s %10s %10s %10s %10s\n", "", "model", "no oracle", "kernel",
	       "steps/page", "ns/step");
	for (int i = 0; i < NR_WORKLOADS; i++) {
		const struct row *r = &rows[i];

		if (!r->ran)
			continue;
		printf("  %-31s %10.0f %10.0f", wls[i].name,
		       r->model.first_ns > 0 ? 1e9 / r->model.first_ns : 0, 1e9 / r->bare.median_ns);
		if (r->kernel_ok)
			printf(" %10.0f", 1e9 / r->kernel.median_ns);
		else
			printf(" %10s", "-");
		printf(" %10.1f %10.1f\n", r->bare.steps, r->bare.median_ns / r->bare.steps);
	}
	for (int i = 0; i < NR_WORKLOADS; i++)
		if (rows[i].ran && !rows[i].kernel_ok)
			printf("  kernel not measured for \"%s\": %s\n", wls[i].name, rows[i].reason);
}

/* The other algorithm's figure for present 4K pages, for comparison. */
static void print_other(const struct row *r, bool batch)
{
	if (!r->ran || r->other.median_ns <= 0)
		return;
	printf("  %s, the model as %s: %.1f ns/page (%.1f steps/page)",
	       wls[W_PTE].name, batch ? "v6.17 (one PTE per step)" : "6.18 (batched)",
	       r->other.median_ns, r->other.steps);
	if (r->kernel_ok)
		printf(", %.1fx the kernel", r->other.median_ns / r->kernel.median_ns);
	printf("\n");
}

static void print_header(bool batch, const char *release)
{
	printf("mmtwin bench: UFFDIO_MOVE, the model kernel (one execution on one CPU, no"
	       " exploration,\nwarm memory, trace off) and this machine's kernel in the same run."
	       "  Each workload moves\nits range src -> dst (fresh page tables), then back and"
	       " forth: %d passes (the model\nwith its data oracle on: the first pass only)."
	       "  ns per page; ratio = model / kernel.\n", PASSES);
	printf("The model moves present pages as %s%s%s%s.\n",
	       batch ? "Linux 6.18 does (batches under one pair of PTLs)"
		     : "v6.17 does (one PTE per step)",
	       release ? ", like the running kernel (" : " (chosen on the command line)",
	       release ? release : "", release ? ")" : "");
	printf("  %-31s %9s %9s %9s %9s %9s %9s  %s\n", "", "model", "model", "kernel", "kernel",
	       "ratio", "ratio", "budget");
	printf("  %-31s %9s %9s %9s %9s %9s %9s  %s\n", "workload", "pass 1", "no oracle",
	       "pass 1", "median", "pass 1", "median", "<= 3x");
}

int main(int argc, char **argv)
{
	struct row rows[NR_WORKLOADS] = { 0 };
	struct opts o = { .batch = -1 };
	char release[65];
	bool batch;
	int bad = 0;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--", 2) && strcmp(argv[i], "--model-only") &&
		    strcmp(argv[i], "--no-oracle") && strcmp(argv[i], "--v6.17") &&
		    strcmp(argv[i], "--v6.18")) {
			fprintf(stderr, "bench_uffd: unknown option %s\n"
				"usage: bench_uffd [--model-only] [--no-oracle] [--v6.17|--v6.18]"
				" [pte|thp|each|swap]...\n", argv[i]);
			return 2;
		}
	wanted(argc, argv, &wls[0], &o);
	batch = o.batch >= 0 ? o.batch : kernel_batches(release, sizeof(release));

	for (int i = 0; i < NR_WORKLOADS; i++) {
		const struct wl *w = &wls[i];
		struct row *r = &rows[i];

		if (!wanted(argc, argv, w, &o))
			continue;
		r->ran = true;
		if (!o.no_oracle)
			model_measure(w, true, batch, 1, &r->model);
		model_measure(w, false, batch, PASSES, &r->bare);
		if (i == W_PTE && !o.no_oracle)
			model_measure(w, false, !batch, PASSES, &r->other);
		if (o.model_only)
			snprintf(r->reason, sizeof(r->reason), "--model-only");
		else
			kernel_row(w, r);
	}

	print_header(batch, o.batch >= 0 ? NULL : release);
	for (int i = 0; i < NR_WORKLOADS; i++)
		if (rows[i].ran)
			print_row(&wls[i], &rows[i], &bad);
	print_rates(rows);
	print_other(&rows[W_PTE], batch);
	if (rows[W_SWAP].ran) {
		printf("  swapped before the move: model %ld of %lu slots in use",
		       rows[W_SWAP].bare.swapped, SWAP_PAGES);
		if (rows[W_SWAP].kernel_ok)
			printf("; kernel %ld PTEs swapped (pagemap), on zram0, set up and reset by"
			       " this run\n", rows[W_SWAP].kernel.swapped);
		else
			printf("\n");
	}
	return bad;
}
