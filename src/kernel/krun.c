/*
 * krun.c - a scenario on the real kernel (krun.h).
 *
 * The run happens in a child process, so the scenario's mappings (often at
 * fixed addresses such as 256M) live beside nothing of the tool's but what
 * fork copied; a `fixed` mapping that would land on the tool's own memory
 * makes the run stop with the reason instead of replacing it.
 *
 * Loads and stores go through a SIGSEGV/SIGBUS handler that turns a fault
 * into EFAULT, the answer the model gives (mmt_read_size()).
 */
#include "kernel/krun.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/env.h"
#include "scenario/internal.h"

#define KPAGE 4096UL
#define KPMD (2UL << 20)

/* ---- what can run ------------------------------------------------------------ */

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static const char *const k_runs[] = {
	"mmap", "munmap", "mprotect", "mlock", "munlock", "madvise", "read", "readb", "readw",
	"readl", "readq", "write", "writeb", "writew", "writel", "writeq", "page", NULL
};

/* Operations with no user-space equivalent: they reach into the model. */
static const char *const k_model_only[] = {
	"migrate", "split", "reclaim", "end_writeback", "kill", "fail_nth", NULL
};

/* The machine's THP orders, as the model's masks (bit n = order n). */
static void kernel_thp(unsigned long *always, unsigned long *madvise)
{
	char path[256], text[128], top[32] = "never", mode[32];

	*always = *madvise = 0;
	snprintf(path, sizeof(path), "%s/enabled", kenv_sysfs_thp);
	if (!kenv_read_file(path, text, sizeof(text)))
		kenv_selected(text, top, sizeof(top));
	for (int order = 2; order <= 9; order++) {
		snprintf(path, sizeof(path), "%s/hugepages-%lukB/enabled", kenv_sysfs_thp,
			 (KPAGE << order) >> 10);
		if (kenv_read_file(path, text, sizeof(text)) ||
		    !kenv_selected(text, mode, sizeof(mode)))
			snprintf(mode, sizeof(mode), "%s", order == 9 ? "inherit" : "never");
		if (!strcmp(mode, "inherit"))
			snprintf(mode, sizeof(mode), "%s", top);
		if (!strcmp(mode, "always"))
			*always |= 1UL << order;
		else if (!strcmp(mode, "madvise"))
			*madvise |= 1UL << order;
	}
}

/* The kernel-env options that give the machine @sc's THP settings, for
 * the orders where the machine's (@always, @madvise) differ. */
static void thp_options(const struct scenario *sc, unsigned long always, unsigned long madvise,
			char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	for (int order = 2; order <= 9 && at < n; order++) {
		bool a = sc->cfg.thp_always >> order & 1, m = sc->cfg.thp_madvise >> order & 1;
		const char *mode = a ? "always" : m ? "madvise" : "never";

		if (a == (bool)(always >> order & 1) && m == (bool)(madvise >> order & 1))
			continue;
		if (order == 9)
			at += (size_t)snprintf(buf + at, n - at, " --thp %s --mthp 2M=inherit", mode);
		else
			at += (size_t)snprintf(buf + at, n - at, " --mthp %luK=%s",
					       (KPAGE << order) >> 10, mode);
	}
}

static bool machine_has_swap(void)
{
	char text[4096];

	/* the header line, then one line per device */
	return !kenv_read_file("/proc/swaps", text, sizeof(text)) && strchr(text, '\n') &&
	       strchr(text, '\n')[1];
}

bool kernel_runnable(const struct scenario *sc, char *why, size_t n)
{
	unsigned long always, madvise;

	for (int c = 0; c < sc->ncpus; c++)
		if (sc->cpu_in[c] > 0) {
			snprintf(why, n, "cpu %d acts in another process (processes do not run on the"
				 " kernel yet)", c);
			return false;
		}
	for (int i = 0; i < sc->nops; i++) {
		const struct scen_op *op = &sc->ops[i];

		if (in_list(op->def->name, k_model_only)) {
			snprintf(why, n, "line %d: `%s` reaches into the model; user space cannot do it",
				 op->line, op->text);
			return false;
		}
		if (!in_list(op->def->name, k_runs)) {
			snprintf(why, n, "line %d: `%s` does not run on the kernel yet", op->line,
				 op->text);
			return false;
		}
		if (!strcmp(op->def->name, "mmap") && op->obj >= 0) {
			snprintf(why, n, "line %d: `%s`: file mappings do not run on the kernel yet",
				 op->line, op->text);
			return false;
		}
		if (op->in > 0) {
			snprintf(why, n, "line %d: `%s` acts in another process", op->line, op->text);
			return false;
		}
	}
	for (int i = 0; !sc->nswap && i < sc->nops; i++)
		if (!strcmp(sc->ops[i].def->name, "madvise") && sc->ops[i].flags == MADV_PAGEOUT &&
		    machine_has_swap()) {
			snprintf(why, n, "line %d: `%s`: the scenario has no swap and this machine has"
				 " swap on, where MADV_PAGEOUT would swap", sc->ops[i].line,
				 sc->ops[i].text);
			return false;
		}
	if (sc->nswap && !machine_has_swap()) {
		snprintf(why, n, "it swaps, and this machine has no swap on (run it under `mmtwin"
			 " kernel-env --swap`)");
		return false;
	}
	kernel_thp(&always, &madvise);
	if (always != sc->cfg.thp_always || madvise != sc->cfg.thp_madvise) {
		char opts[512];

		thp_options(sc, always, madvise, opts, sizeof(opts));
		snprintf(why, n, "its THP settings are not this machine's (run it under `mmtwin"
			 " kernel-env%s`)", opts);
		return false;
	}
	return true;
}

/* ---- the run (in the child) -------------------------------------------------------- */

struct kname {
	uint64_t addr, len;
	bool made;
};

struct krun {
	const struct scenario *sc;
	FILE *log;
	struct kname *v;
	int bad;		/* results not as expected */
	int pagemap, kpageflags;
	/* what the scenario mapped: a `fixed` mapping may replace only these */
	int nmaps;
	struct { uint64_t start, end; } maps[SCEN_MAX_OPS];
};

static sigjmp_buf fault_jb;
static volatile sig_atomic_t in_access;

static void on_fault(int sig)
{
	if (in_access) {
		in_access = 0;
		siglongjmp(fault_jb, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The run cannot go on (a name that was not made, memory the tool uses). */
static void __attribute__((noreturn, format(printf, 3, 4)))
kstop(struct krun *k, const struct scen_op *op, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(k->log, "%s:%d:%d: `%s`: %s\n", k->sc->path, op->line, op->col, op->text, msg);
	fflush(k->log);
	_exit(1);
}

static uint64_t kexpr(struct krun *k, const struct scen_op *op, const struct scen_expr *e)
{
	uint64_t v = 0;

	for (int i = 0; i < e->nterms; i++) {
		uint64_t t = e->t[i].num;

		if (e->t[i].name >= 0) {
			if (!k->v[e->t[i].name].made)
				kstop(k, op, "%s was not made", k->sc->names[e->t[i].name].name);
			t = k->v[e->t[i].name].addr;
		}
		v += e->t[i].sign > 0 ? t : -t;
	}
	return v;
}

static uint64_t klen(struct krun *k, const struct scen_op *op)
{
	if (op->has_len)
		return kexpr(k, op, &op->arg[2]);
	if (!k->v[op->arg[0].t[0].name].made)
		kstop(k, op, "%s was not made", k->sc->names[op->arg[0].t[0].name].name);
	return k->v[op->arg[0].t[0].name].len;
}

/* Is [a, a+len) inside what the scenario mapped before? */
static bool scenario_owns(const struct krun *k, uint64_t a, uint64_t len)
{
	for (uint64_t p = a; p < a + len; p += KPAGE) {
		bool in = false;

		for (int i = 0; i < k->nmaps && !in; i++)
			in = p >= k->maps[i].start && p < k->maps[i].end;
		if (!in)
			return false;
	}
	return true;
}

static long kmmap(struct krun *k, const struct scen_op *op, uint64_t addr, uint64_t len,
		  int prot, int flags)
{
	void *p;

	if (flags & MAP_FIXED) {
		p = mmap((void *)addr, len, prot, (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED && errno == EEXIST) {
			if (!scenario_owns(k, addr, len))
				kstop(k, op, "%#" PRIx64 "-%#" PRIx64 " holds the tool's own memory;"
				      " move the mapping", addr, addr + len);
			p = mmap((void *)addr, len, prot, flags, -1, 0);
		}
	} else {
		p = mmap((void *)addr, len, prot, flags, -1, 0);
	}
	return p == MAP_FAILED ? -errno : (long)p;
}

static void x_mmap(struct krun *k, const struct scen_op *op, struct scen_result *res)
{
	uint64_t len = klen(k, op), addr = op->nargs ? kexpr(k, op, &op->arg[0]) : 0, align = 0;
	int prot = (int)op->flags, flags = (int)op->flags2;
	long a;

	expr_const(&op->arg[1], &align);
	if (align) {
		/* as user space aligns: map more, unmap the ends */
		a = kmmap(k, op, addr, len + align, prot, flags);
		if (a >= 0) {
			uint64_t start = ((uint64_t)a + align - 1) & ~(align - 1);
			uint64_t end = start + ((len + KPAGE - 1) & ~(KPAGE - 1));

			if (start > (uint64_t)a)
				munmap((void *)a, start - (uint64_t)a);
			if ((uint64_t)a + len + align > end)
				munmap((void *)end, (uint64_t)a + len + align - end);
			a = (long)start;
		}
	} else {
		a = kmmap(k, op, addr, len, prot, flags);
	}
	if (a < 0) {
		res->err = (int)-a;
		return;
	}
	res->addr = (uint64_t)a;
	res->len = len;
	if (k->nmaps < SCEN_MAX_OPS) {
		k->maps[k->nmaps].start = (uint64_t)a;
		k->maps[k->nmaps++].end = (uint64_t)a + ((len + KPAGE - 1) & ~(KPAGE - 1));
	}
}

static int ret_errno(int r)
{
	return r ? errno : 0;
}

static int kaccess(uint64_t a, int size, bool write, uint64_t *v)
{
	if (sigsetjmp(fault_jb, 1))
		return EFAULT;
	in_access = 1;
	switch (size) {
	case 1:
		if (write)
			*(volatile uint8_t *)a = (uint8_t)*v;
		else
			*v = *(volatile uint8_t *)a;
		break;
	case 2:
		if (write)
			*(volatile uint16_t *)a = (uint16_t)*v;
		else
			*v = *(volatile uint16_t *)a;
		break;
	case 4:
		if (write)
			*(volatile uint32_t *)a = (uint32_t)*v;
		else
			*v = *(volatile uint32_t *)a;
		break;
	default:
		if (write)
			*(volatile uint64_t *)a = *v;
		else
			*v = *(volatile uint64_t *)a;
	}
	in_access = 0;
	return 0;
}

static bool pread_u64(int fd, uint64_t index, uint64_t *out)
{
	return fd >= 0 && pread(fd, out, sizeof(*out), (off_t)(index * 8)) == (ssize_t)sizeof(*out);
}

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_PFN ((1ULL << 55) - 1)
#define KPF_THP (1ULL << 22)
#define KPF_ZERO_PAGE (1ULL << 24)

/* Mapped by a huge PMD, as far as user space can tell: a THP page whose
 * aligned 2 MiB are all present on 512 contiguous, aligned frames. */
static bool pmd_mapped(struct krun *k, uint64_t a)
{
	uint64_t base = a & ~(KPMD - 1), e, pfn0 = 0;

	for (uint64_t i = 0; i < KPMD / KPAGE; i++) {
		if (!pread_u64(k->pagemap, base / KPAGE + i, &e) || !(e & PM_PRESENT))
			return false;
		if (!i)
			pfn0 = e & PM_PFN;
		if ((e & PM_PFN) != pfn0 + i || (pfn0 & (KPMD / KPAGE - 1)))
			return false;
	}
	return true;
}

static unsigned page_state(struct krun *k, uint64_t a)
{
	uint64_t e, flags;
	unsigned have = 0;

	if (!pread_u64(k->pagemap, a / KPAGE, &e))
		return SPS_OTHER;
	if (e & PM_PRESENT) {
		have |= SPS_PRESENT;
		if ((e & PM_PFN) && pread_u64(k->kpageflags, e & PM_PFN, &flags)) {
			if (flags & KPF_ZERO_PAGE)
				have |= SPS_ZERO;
			if ((flags & (KPF_THP | KPF_ZERO_PAGE)) && pmd_mapped(k, a))
				have |= SPS_HUGE;
		}
	} else if (e & PM_SWAP) {
		have |= SPS_SWAPPED;
	}
	return have ? have : SPS_NONE;
}

static void x_page(struct krun *k, const struct scen_op *op, struct scen_result *res)
{
	uint64_t a = kexpr(k, op, &op->arg[0]), len = klen(k, op);

	if (len > SCEN_MAX_PAGE_CHECK)
		kstop(k, op, "a page line checks at most %lu MiB", SCEN_MAX_PAGE_CHECK >> 20);
	for (uint64_t off = 0; off < len; off += KPAGE) {
		unsigned have = page_state(k, a + off);
		bool ok = false;

		for (int i = 0; i < op->ex.nalts; i++)
			ok |= op->ex.alt[i].kind == SR_ANY ||
			      (op->ex.alt[i].kind == SR_STATE && (have & op->ex.alt[i].v));
		if (!ok) {
			res->has_value = true;
			res->value = (int64_t)have;
			res->addr = a + off;
			res->len = off;		/* where in the range */
			res->err = -1;
			return;
		}
	}
}

static void kexec(struct krun *k, const struct scen_op *op, struct scen_result *res)
{
	const char *name = op->def->name;

	if (!strcmp(name, "mmap")) {
		x_mmap(k, op, res);
	} else if (!strcmp(name, "munmap")) {
		res->err = ret_errno(munmap((void *)kexpr(k, op, &op->arg[0]), klen(k, op)));
	} else if (!strcmp(name, "mprotect")) {
		res->err = ret_errno(mprotect((void *)kexpr(k, op, &op->arg[0]), klen(k, op),
					      (int)op->flags));
	} else if (!strcmp(name, "mlock")) {
		res->err = ret_errno(mlock((void *)kexpr(k, op, &op->arg[0]), klen(k, op)));
	} else if (!strcmp(name, "munlock")) {
		res->err = ret_errno(munlock((void *)kexpr(k, op, &op->arg[0]), klen(k, op)));
	} else if (!strcmp(name, "madvise")) {
		res->err = ret_errno(madvise((void *)kexpr(k, op, &op->arg[0]), klen(k, op),
					     (int)op->flags));
	} else if (!strncmp(name, "read", 4)) {
		uint64_t v = 0;

		res->err = kaccess(kexpr(k, op, &op->arg[0]), (int)op->flags2, false, &v);
		res->has_value = !res->err;
		res->value = (int64_t)v;
	} else if (!strncmp(name, "write", 5)) {
		uint64_t v = (uint64_t)op->value;

		res->err = kaccess(kexpr(k, op, &op->arg[0]), (int)op->flags2, true, &v);
	} else if (!strcmp(name, "page")) {
		x_page(k, op, res);
	}
}

static const char *states_text(unsigned have, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	for (const struct scen_word *w = sw_states.w; w->word && at < n; w++)
		if (have & w->value)
			at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? "," : "", w->word);
	return buf;
}

static void krun_ops(struct krun *k, int start, int end)
{
	for (int i = start; i < end; i++) {
		const struct scen_op *op = &k->sc->ops[i];
		struct scen_result res;
		char text[160];

		memset(&res, 0, sizeof(res));
		kexec(k, op, &res);
		scen_log_line(k->log, k->sc, op, &res);
		if (op->defines >= 0 && !res.err) {
			k->v[op->defines].addr = res.addr;
			k->v[op->defines].len = res.len;
			k->v[op->defines].made = true;
		}
		if (op->def->results == &sw_states) {
			if (res.err) {
				fprintf(k->log, "%s:%d:%d: the page at %#" PRIx64 " is %s\n", k->sc->path,
					op->line, op->col, res.addr,
					states_text((unsigned)res.value, text, sizeof(text)));
				k->bad++;
			}
		} else if (!scen_result_ok(op, &res)) {
			fprintf(k->log, "%s:%d:%d: got %s, not what the line expects\n", k->sc->path,
				op->line, op->col, scen_show_result(op, &res, text, sizeof(text)));
			k->bad++;
		}
		fflush(k->log);
	}
}

static void __attribute__((noreturn)) krun_child(const struct scenario *sc, FILE *log)
{
	static struct krun k;
	struct sigaction sa;

	k.sc = sc;
	k.log = log;
	k.v = calloc((size_t)sc->nnames + 1, sizeof(*k.v));
	if (!k.v)
		_exit(3);
	k.v[0].made = true;	/* main: this process */
	k.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	k.kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	krun_ops(&k, sc->setup_start, sc->setup_end);
	for (int c = 0; c < sc->ncpus; c++)
		krun_ops(&k, sc->cpu_start[c], sc->cpu_end[c]);
	krun_ops(&k, sc->final_start, sc->final_end);
	fflush(log);
	_exit(k.bad ? 1 : 0);
}

int kernel_run(const struct scenario *sc, FILE *log, char *why, size_t n)
{
	pid_t pid;
	int status;

	fflush(log);
	pid = fork();
	if (pid < 0) {
		snprintf(why, n, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		krun_child(sc, log);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, n, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1)
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		snprintf(why, n, "the run died of signal %d", WTERMSIG(status));
	else
		snprintf(why, n, "the run failed (status %d)", WEXITSTATUS(status));
	return -1;
}
