/*
 * ops.c - the operation table of the scenario language: for each
 * operation, how its line parses and what it runs on the model kernel (the
 * user API of mm/api.h and the swap calls; the userfaultfd operations are
 * in ops_uffd.c).  The runtime (run.c) checks the result against the
 * line's expectation.
 *
 * Argument slots: arg[0] the (destination) address, arg[1] the source
 * address, arg[2] the length (has_len; else the mapping's own length).
 */
#include <string.h>
#include <sys/mman.h>

#include "mm/api.h"
#include "mm/pagemap.h"
#include "mm/swap.h"
#include "scenario/internal.h"


/* ---- parsing helpers ---------------------------------------------------------- */

void p_addr(struct parser *p, struct scen_op *op, int slot, const char *what)
{
	parse_expr(p, &op->arg[slot], what);
	if (op->nargs < slot + 1)
		op->nargs = (uint8_t)(slot + 1);
}

/* Is the next token the start of an expression (a number or an address name)? */
static bool starts_expr(struct parser *p)
{
	const struct scen_tok *t = tok_peek(p);
	uint64_t v;
	bool ovf;

	if (t->kind != TK_WORD)
		return false;
	if (parse_number(t, &v, &ovf))
		return true;
	if (is_keyword(t))
		return false;
	for (int i = 0; i < p->sc->nnames; i++)
		if (tok_is(t, p->sc->names[i].name))
			return p->sc->names[i].kind == SK_MAPPING || p->sc->names[i].kind == SK_EVENT;
	return false;
}

/* A length; left out, it is the length of the mapping arg[0] names. */
void p_len(struct parser *p, struct scen_op *op, bool optional)
{
	if (starts_expr(p) || !optional) {
		parse_expr(p, &op->arg[2], "a length");
		op->has_len = true;
		return;
	}
	if (!expr_is_name(&op->arg[0]) || p->sc->names[op->arg[0].t[0].name].kind != SK_MAPPING)
		perr(p, tok_peek(p), E_NO_LENGTH);
}

int p_obj(struct parser *p, enum scen_kind k)
{
	return name_use(p, tok_next(p), 1u << k);
}

void p_modes(struct parser *p, struct scen_op *op, const struct scen_words *ws,
		    bool ioctl)
{
	const struct scen_tok *t;

	while ((t = tok_peek(p))->kind == TK_WORD && !tok_is(t, "in")) {
		if (ioctl && tok_accept(p, "badarg"))
			op->flags2 |= BADARG;
		else
			op->flags |= word_expect(p, ws);
		if (tok_accept(p, ",") && tok_peek(p)->kind != TK_WORD)
			perr(p, tok_peek(p), E_EXPECTED, ws->what, tok_show(tok_peek(p)));
	}
}

void p_none(struct parser *p, struct scen_op *op)
{
	(void)p;
	(void)op;
}

/* ---- processes, files, mappings ------------------------------------------------ */

static void x_process(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	(void)op;
	res->ptr = mmt_mm_create();
}

static void p_file(struct parser *p, struct scen_op *op)
{
	op->value = (int64_t)expect_number(p, "a file size", 1, 1ULL << 30);
}

static void x_file(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	res->ptr = mmt_file_create((unsigned long)op->value);
}

/* mmap LEN [PROT] [private|shared] [file F [offset OFF]] [fixed A | at A] [align A] */
static void p_mmap(struct parser *p, struct scen_op *op)
{
	uint64_t v;

	parse_expr(p, &op->arg[2], "a length");
	op->has_len = true;
	op->flags = PROT_READ | PROT_WRITE;
	op->flags2 = MAP_PRIVATE | MAP_ANONYMOUS;
	while (tok_peek(p)->kind == TK_WORD && !tok_is(tok_peek(p), "in")) {
		const struct scen_tok *t = tok_peek(p);

		if (word_lookup(&sw_prot, t, &v)) {
			tok_next(p);
			op->flags = v;
		} else if (tok_accept(p, "private")) {
			op->flags2 = (op->flags2 & ~(uint64_t)MAP_SHARED) | MAP_PRIVATE;
		} else if (tok_accept(p, "shared")) {
			op->flags2 = (op->flags2 & ~(uint64_t)MAP_PRIVATE) | MAP_SHARED;
		} else if (tok_accept(p, "file")) {
			op->obj = (int16_t)p_obj(p, SK_FILE);
			op->flags2 &= ~(uint64_t)MAP_ANONYMOUS;
		} else if (tok_accept(p, "offset")) {
			op->value = (int64_t)expect_number(p, "a file offset", 0, 1ULL << 40);
		} else if (tok_accept(p, "fixed") || tok_accept(p, "at")) {
			const struct scen_tok *kw = &p->tok[p->ti - 1];

			if (tok_is(kw, "fixed"))
				op->flags2 |= MAP_FIXED;
			if (op->nargs)
				perr(p, kw, E_CONFLICT, tok_is(kw, "fixed") ? "fixed" : "at",
				     "a fixed or at given before");
			if ((op->flags2 & MAP_FIXED) && op->arg[1].nterms)
				perr(p, &p->tok[p->ti - 1], E_CONFLICT, "fixed", "align");
			p_addr(p, op, 0, "an address");
		} else if (tok_accept(p, "align")) {
			if (op->flags2 & MAP_FIXED)
				perr(p, &p->tok[p->ti - 1], E_CONFLICT, "align", "fixed");
			parse_expr(p, &op->arg[1], "an alignment");
			if (!expr_const(&op->arg[1], &v) || !v || (v & (v - 1)) || v < PAGE_SIZE ||
			    v > (1ULL << 30))
				perr(p, &p->tok[p->ti - 1], E_NUMBER, tok_show(&p->tok[p->ti - 1]),
				     "an alignment (a power of two from 4K to 1G)");
		} else {
			perr(p, t, E_UNKNOWN_WORD, tok_show(t), "an mmap option",
			     "a protection, private, shared, file F, offset N, fixed A, at A or"
			     " align N");
		}
	}
}

/* mmap with alignment, as user space does it: map @align more, then unmap
 * the ends (@hint is a hint, as without MAP_FIXED). */
static long mmap_aligned(struct mm_struct *mm, unsigned long hint, unsigned long len,
			 unsigned long align, int prot, int flags, struct address_space *f,
			 unsigned long off)
{
	unsigned long start;
	long a;

	if (len + align < len)
		return -ENOMEM;
	a = mmt_mmap(mm, hint, len + align, prot, flags, f, off);
	if (a < 0)
		return a;
	start = ALIGN((unsigned long)a, align);
	if (start > (unsigned long)a)
		mmt_munmap(mm, (unsigned long)a, start - (unsigned long)a);
	if ((unsigned long)a + len + align > start + ALIGN(len, PAGE_SIZE))
		mmt_munmap(mm, start + ALIGN(len, PAGE_SIZE),
			   (unsigned long)a + len + align - start - ALIGN(len, PAGE_SIZE));
	return (long)start;
}

static void x_mmap(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mm_struct *mm = run_mm(r, op);
	struct address_space *f = op->obj >= 0 ? run_obj(r, op, op->obj) : NULL;
	unsigned long len = run_len(r, op), addr = op->nargs ? run_expr(r, op, &op->arg[0]) : 0;
	uint64_t align = 0;
	long ret;

	expr_const(&op->arg[1], &align);
	if (op->value & ~PAGE_MASK)	/* the mmap(2) syscall refuses an unaligned offset */
		ret = -EINVAL;
	else if (align)
		ret = mmap_aligned(mm, addr, len, align, (int)op->flags, (int)op->flags2, f,
				   (unsigned long)op->value / PAGE_SIZE);
	else
		ret = mmt_mmap(mm, addr, len, (int)op->flags, (int)op->flags2, f,
			       (unsigned long)op->value / PAGE_SIZE);
	if (ret < 0) {
		res->err = (int)-ret;
		return;
	}
	res->addr = (uint64_t)ret;
	res->len = len;
}

void p_range(struct parser *p, struct scen_op *op)
{
	p_addr(p, op, 0, "an address");
	p_len(p, op, true);
}

static void x_munmap(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_munmap(run_mm(r, op), run_expr(r, op, &op->arg[0]), run_len(r, op));
}

static void p_mprotect(struct parser *p, struct scen_op *op)
{
	p_range(p, op);
	op->flags = word_expect(p, &sw_prot);
}

static void x_mprotect(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_mprotect(run_mm(r, op), run_expr(r, op, &op->arg[0]), run_len(r, op),
				 (int)op->flags);
}

static void x_mlock(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_mlock(run_mm(r, op), run_expr(r, op, &op->arg[0]), run_len(r, op));
}

static void x_munlock(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_munlock(run_mm(r, op), run_expr(r, op, &op->arg[0]), run_len(r, op));
}

static void p_madvise(struct parser *p, struct scen_op *op)
{
	p_range(p, op);
	op->flags = word_expect(p, &sw_advice);
}

static void x_madvise(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_madvise(run_mm(r, op), run_expr(r, op, &op->arg[0]), run_len(r, op),
				(int)op->flags);
}

/* ---- user loads and stores -------------------------------------------------------- */

/* read/write: 8 bytes; the b, w, l and q forms: 1, 2, 4 and 8. */
static int access_size(const struct scen_tok *t)
{
	char c = t->s[t->len - 1];

	if (tok_is(t, "read") || tok_is(t, "write"))
		return 8;
	return c == 'b' ? 1 : c == 'w' ? 2 : c == 'l' ? 4 : 8;
}

static void p_access_addr(struct parser *p, struct scen_op *op)
{
	const struct scen_tok *at = tok_peek(p);
	int size = access_size(&p->tok[p->ti - 1]);
	uint64_t off = 0;

	op->flags2 = (uint64_t)size;
	p_addr(p, op, 0, "an address");
	/* Every name is page aligned: the constant terms give the offset. */
	for (int i = 0; i < op->arg[0].nterms; i++)
		if (op->arg[0].t[i].name < 0)
			off += op->arg[0].t[i].sign > 0 ? op->arg[0].t[i].num : -op->arg[0].t[i].num;
	if ((off & 7) + (uint64_t)size > 8)
		perr(p, at, E_ACCESS_WORD, size, (unsigned long long)(off & (PAGE_SIZE - 1)));
}

static void p_write(struct parser *p, struct scen_op *op)
{
	const struct scen_tok *t;
	int bits;

	p_access_addr(p, op);
	t = tok_peek(p);
	op->value = expect_value(p, "the value to write");
	/* A narrow store takes values that fit it, signed or not. */
	bits = 8 * (int)op->flags2;
	if (bits < 64 && (op->value >= (1LL << bits) || op->value < -(1LL << (bits - 1))))
		perr(p, t, E_RANGE, "a value of this width", tok_show(t), 0ULL,
		     (1ULL << bits) - 1);
}

static void x_read(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	uint64_t v = 0;
	int ret = mmt_read_size(run_mm(r, op), run_expr(r, op, &op->arg[0]), (int)op->flags2, &v);

	res->err = -ret;
	res->has_value = !ret;
	res->value = (int64_t)v;
}

static void x_write(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_write_size(run_mm(r, op), run_expr(r, op, &op->arg[0]), (int)op->flags2,
				   (uint64_t)op->value);
}

/* ---- processes -------------------------------------------------------------------- */

static void x_fork(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mm_struct *child = NULL;

	res->err = -mmt_fork(run_mm(r, op), &child);
	res->ptr = child;
}

static void p_exit(struct parser *p, struct scen_op *op)
{
	if (tok_peek(p)->kind == TK_WORD && !tok_is(tok_peek(p), "in"))
		op->obj = (int16_t)p_obj(p, SK_PROCESS);
}

static void x_exit(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mm_struct *mm = op->obj >= 0 ? run_obj(r, op, op->obj) : run_mm(r, op);

	(void)res;
	run_mark_exited(r, op);
	mmt_exit(mm);
}

/* ---- migration, splitting, reclaim, writeback ----------------------------------------- */

static void p_addr_only(struct parser *p, struct scen_op *op)
{
	p_addr(p, op, 0, "an address");
}

static void x_migrate(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_migrate(run_mm(r, op), run_expr(r, op, &op->arg[0]));
}

static void x_split(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	unsigned long a = run_expr(r, op, &op->arg[0]);

	res->has_value = true;
	res->value = mmt_split_huge_pages(run_mm(r, op), a, a + run_len(r, op));
}

static void p_count(struct parser *p, struct scen_op *op)
{
	op->value = (int64_t)expect_number(p, "a number of folios", 1, 1u << 20);
}

static void x_reclaim(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	res->has_value = true;
	res->value = (int64_t)mmt_reclaim((unsigned long)op->value);
}

static void x_end_writeback(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	(void)op;
	res->has_value = true;
	res->value = mmt_swap_io_complete();
}

/* ---- signals, fault injection, settings ------------------------------------------------ */

static void p_kill(struct parser *p, struct scen_op *op)
{
	tok_accept(p, "cpu");
	op->flags2 = (uint64_t)tok_peek(p)->col;	/* for the check that the CPU exists */
	op->value = (int64_t)expect_number(p, "a CPU number", 0, SCEN_MAX_CPUS - 1);
}

static void x_kill(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	(void)res;
	mmt_kill((int)op->value);
}

static void p_fail_nth(struct parser *p, struct scen_op *op)
{
	op->value = (int64_t)expect_number(p, "a count (0 disarms)", 0, 1u << 20);
}

static void x_fail_nth(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	(void)r;
	(void)res;
	mmt_fail_nth((int)op->value);
}

/* thp SIZE MODE as an operation: the sysfs file written while running
 * (value: the order, flags: the mode). */
static void p_thp(struct parser *p, struct scen_op *op)
{
	int order, mode;

	parse_thp(p, &order, &mode);
	op->value = order;
	op->flags = (uint64_t)mode;
}

static void x_thp(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	unsigned long always = mmk()->cfg.thp_always, madvise = mmk()->cfg.thp_madvise;

	(void)r;
	(void)res;
	thp_apply(&always, &madvise, (int)op->value, (int)op->flags);
	mmt_thp_set(always, madvise);
}

/* ---- final: page states ------------------------------------------------------------------- */

/* page A [L] [in P] -> STATE (the statement checks that the state is given) */
static void p_page(struct parser *p, struct scen_op *op)
{
	p_range(p, op);
}

static void x_page(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mm_struct *mm = run_mm(r, op);
	unsigned long a = run_expr(r, op, &op->arg[0]), len = run_len(r, op);

	if (len > SCEN_MAX_PAGE_CHECK)
		run_fail(r, op, "a page line checks at most %lu MiB (this one %lu bytes)",
			 SCEN_MAX_PAGE_CHECK >> 20, len);
	for (unsigned long off = 0; off < len; off += PAGE_SIZE) {
		struct mmt_pagemap pm;
		unsigned have;
		bool ok = false;

		mmt_pagemap(mm, a + off, &pm);
		have = (pm.present ? SPS_PRESENT : 0) | (pm.swapped ? SPS_SWAPPED : 0) |
		       (pm.huge ? SPS_HUGE : 0) | (pm.zero ? SPS_ZERO : 0) |
		       (pm.other ? SPS_OTHER : 0);
		if (!have)
			have = SPS_NONE;
		for (int i = 0; i < op->ex.nalts; i++)
			ok |= op->ex.alt[i].kind == SR_ANY ||
			      (op->ex.alt[i].kind == SR_STATE && (have & op->ex.alt[i].v));
		if (!ok) {
			res->has_value = true;
			res->value = (int64_t)have;
			res->addr = a + off;
			res->len = off;		/* where in the range */
			res->err = -1;	/* the runtime names the page */
			return;
		}
	}
}

/* ---- the table ------------------------------------------------------------------------------ */

#define ACTS OPF_ACTS

const struct scen_opdef scen_mm_opdefs[] = {
	{ "process", OPF_DEFINES, SK_PROCESS, { NULL }, { NULL }, NULL, p_none, x_process },
	{ "file", OPF_DEFINES, SK_FILE, { NULL }, { NULL }, NULL, p_file, x_file },
	{ "mmap", OPF_DEFINES | OPF_MAY_DEFINE | ACTS, SK_MAPPING, { NULL }, { NULL }, NULL,
	  p_mmap, x_mmap },
	{ "munmap", ACTS, 0, { NULL }, { NULL }, NULL, p_range, x_munmap },
	{ "mprotect", ACTS, 0, { NULL }, { NULL }, NULL, p_mprotect, x_mprotect },
	{ "mlock", ACTS, 0, { NULL }, { NULL }, NULL, p_range, x_mlock },
	{ "munlock", ACTS, 0, { NULL }, { NULL }, NULL, p_range, x_munlock },
	{ "madvise", ACTS, 0, { NULL }, { NULL }, NULL, p_madvise, x_madvise },
	{ "read", ACTS | OPF_VALUE | OPF_FINAL, 0, { NULL }, { NULL }, NULL, p_access_addr, x_read },
	{ "readb", ACTS | OPF_VALUE | OPF_FINAL, 0, { NULL }, { NULL }, NULL, p_access_addr, x_read },
	{ "readw", ACTS | OPF_VALUE | OPF_FINAL, 0, { NULL }, { NULL }, NULL, p_access_addr, x_read },
	{ "readl", ACTS | OPF_VALUE | OPF_FINAL, 0, { NULL }, { NULL }, NULL, p_access_addr, x_read },
	{ "readq", ACTS | OPF_VALUE | OPF_FINAL, 0, { NULL }, { NULL }, NULL, p_access_addr, x_read },
	{ "write", ACTS, 0, { NULL }, { NULL }, NULL, p_write, x_write },
	{ "writeb", ACTS, 0, { NULL }, { NULL }, NULL, p_write, x_write },
	{ "writew", ACTS, 0, { NULL }, { NULL }, NULL, p_write, x_write },
	{ "writel", ACTS, 0, { NULL }, { NULL }, NULL, p_write, x_write },
	{ "writeq", ACTS, 0, { NULL }, { NULL }, NULL, p_write, x_write },
	{ "fork", OPF_DEFINES | ACTS, SK_PROCESS, { NULL }, { NULL }, NULL, p_none, x_fork },
	{ "exit", ACTS, 0, { NULL }, { NULL }, NULL, p_exit, x_exit },
	{ "migrate", ACTS, 0, { NULL }, { NULL }, NULL, p_addr_only, x_migrate },
	{ "split", ACTS | OPF_VALUE, 0, { NULL }, { NULL }, NULL, p_range, x_split },
	{ "reclaim", OPF_VALUE, 0, { NULL }, { NULL }, NULL, p_count, x_reclaim },
	{ "end_writeback", OPF_VALUE, 0, { NULL }, { NULL }, NULL, p_none, x_end_writeback },
	{ "kill", 0, 0, { NULL }, { NULL }, NULL, p_kill, x_kill },
	{ "fail_nth", 0, 0, { NULL }, { NULL }, NULL, p_fail_nth, x_fail_nth },
	{ "thp", 0, 0, { NULL }, { NULL }, NULL, p_thp, x_thp },
	{ "page", ACTS | OPF_SEQ_ONLY, 0, { NULL }, { NULL }, &sw_states, p_page, x_page },
	{ .name = NULL },
};

const struct scen_opdef *opdef_find(const struct scen_tok *t)
{
	static const struct scen_opdef *const tables[] = { scen_mm_opdefs, scen_uffd_opdefs };

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (const struct scen_opdef *d = tables[i]; d->name; d++)
			if (tok_is(t, d->name))
				return d;
	return NULL;
}
