/*
 * mmtest.h - helpers for unit tests of the model kernel: one program that
 * runs a test case's setup/run/check over a fresh kernel instance (through
 * check/mmprog.h, so every invariant and the leak check run at the end),
 * in-model expectations that report a finding, and page-table peeks.
 *
 * A case is a row in a table of cmocka tests (MT_CASE); it passes when the
 * execution ends without a finding, or, with .want_kind set, when it ends
 * with exactly that finding (kind, id and a substring of the message).
 * Inside setup/run/check only MT_* expectations may fail a test: cmocka
 * asserts must not run on a simulated CPU.
 */
#ifndef MMT_TESTS_MMTEST_H
#define MMT_TESTS_MMTEST_H

#include "testlib.h"

#include <stdio.h>

#include "check/check.h"
#include "check/mmprog.h"
#include "mm/huge_mm.h"
#include "mm/internal.h"

/* The user state every case shares; each uses what it needs. */
struct mt {
	struct mm_struct *mm, *mm2;
	struct address_space *file;
	unsigned long addr, addr2;
	unsigned long pfn, pfn2;
	struct folio *folio;
	struct folio *folios[64];
	uint64_t v[8];
};

typedef void (*mt_fn)(struct mm_kernel *k, struct mt *t);

struct mt_case {
	const char *name;
	mt_fn setup, run, check;
	const struct mm_config *cfg;	/* NULL: mm_config_default() */
	enum sim_finding_kind want_kind;	/* SIM_FIND_NONE: the case must pass */
	const char *want_id;		/* with want_kind: the finding's id */
	const char *want_msg;		/* with want_kind: a substring of its message */
	uint64_t executions;		/* 0: one */
	bool every_step;		/* run the CHECK_STEP invariants before every step */
};

/* ---- the program ------------------------------------------------------------------ */

static const struct mt_case *mt_cur;
static struct mm_config mt_cfg;

static void mt_setup(struct mm_kernel *k, void *st)
{
	if (mt_cur->setup)
		mt_cur->setup(k, st);
}

static void mt_runner(struct mm_kernel *k, void *st, int cpu)
{
	(void)cpu;
	if (mt_cur->run)
		mt_cur->run(k, st);
}

static void mt_check(struct mm_kernel *k, void *st)
{
	if (mt_cur->check)
		mt_cur->check(k, st);
}

MM_PROGRAM_CFG(mt_program, "model kernel unit test", 1, struct mt, mt_setup, mt_runner, mt_check,
	       &mt_cfg);

/* Run @c for @execs executions (random strategy, seed 1). */
static inline int mt_explore(const struct mt_case *c, uint64_t execs, struct explore_result *r)
{
	struct explore_opts o;

	mt_cur = c;
	if (c->cfg)
		mt_cfg = *c->cfg;
	else
		mm_config_default(&mt_cfg);
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.seed = 1;
	o.max_executions = execs ? execs : 1;
	o.cfg.max_steps = 20000000;
	o.cfg.trace = false;
	o.cfg.check_every_step = c->every_step;
	return explore_run(&mt_program, &o, r);
}

/* The cmocka test behind every MT_CASE row. */
static inline void mt_test(void **state)
{
	const struct mt_case *c = *state;
	struct explore_result r;
	struct sim_finding f;
	bool found;
	int rc = mt_explore(c, c->executions, &r);

	if (rc || r.error) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", r.errmsg);
		explore_result_free(&r);
		fail_msg("%s: the exploration failed: %s", c->name, msg);
	}
	found = r.found;
	f = r.finding;
	explore_result_free(&r);
	if (!c->want_kind) {
		if (found)
			fail_msg("%s: unexpected %s finding %s: %s", c->name,
				 sim_finding_kind_name(f.kind), f.id, f.msg);
		return;
	}
	if (!found)
		fail_msg("%s: expected a %s finding %s, got none", c->name,
			 sim_finding_kind_name(c->want_kind), c->want_id);
	if (f.kind != c->want_kind || strcmp(f.id, c->want_id) ||
	    (c->want_msg && !strstr(f.msg, c->want_msg)))
		fail_msg("%s: expected %s %s (\"%s\"), got %s %s: %s", c->name,
			 sim_finding_kind_name(c->want_kind), c->want_id,
			 c->want_msg ? c->want_msg : "", sim_finding_kind_name(f.kind), f.id,
			 f.msg);
}

/* A row of the cmocka table: MT_CASE(name, .run = fn, ...). */
#define MT_CASE(ident, ...)                                                                    \
	{ #ident, mt_test, NULL, NULL,                                                         \
	  (void *)&(const struct mt_case){ .name = #ident, __VA_ARGS__ } }

/* ---- expectations inside an execution ----------------------------------------------- */

#define MT_FAIL(...) sim_fail(SIM_FIND_INVARIANT, "test", __VA_ARGS__)

#define MT_EQ(got, want)                                                                       \
	do {                                                                                   \
		unsigned long long __g = (unsigned long long)(got);                            \
		unsigned long long __w = (unsigned long long)(want);                           \
		if (__g != __w)                                                                \
			MT_FAIL("line %d: %s is %lld (%#llx), expected %s = %lld (%#llx)",     \
				__LINE__, #got, (long long)__g, __g, #want, (long long)__w,    \
				__w);                                                          \
	} while (0)

#define MT_NE(got, other)                                                                      \
	do {                                                                                   \
		unsigned long long __g = (unsigned long long)(got);                            \
		if (__g == (unsigned long long)(other))                                        \
			MT_FAIL("line %d: %s is %lld (%#llx), expected anything but %s",       \
				__LINE__, #got, (long long)__g, __g, #other);                  \
	} while (0)

#define MT_TRUE(cond)                                                                          \
	do {                                                                                   \
		if (!(cond))                                                                   \
			MT_FAIL("line %d: %s is false", __LINE__, #cond);                      \
	} while (0)

#define MT_FALSE(cond) MT_TRUE(!(cond))

/* @got is one of two values (return codes, outcomes of a race). */
#define MT_EITHER(got, a, b)                                                                   \
	do {                                                                                   \
		unsigned long long __g = (unsigned long long)(got);                            \
		if (__g != (unsigned long long)(a) && __g != (unsigned long long)(b))          \
			MT_FAIL("line %d: %s is %lld (%#llx), expected %s or %s", __LINE__,    \
				#got, (long long)__g, __g, #a, #b);                            \
	} while (0)

/* A user store / load that must succeed (and, for MT_READ, see @want). */
#define MT_WRITE(mm, addr, val) MT_EQ(mmt_write((mm), (addr), (val)), 0)
#define MT_READ(mm, addr, want)                                                                \
	do {                                                                                   \
		uint64_t __v = ~0ULL;                                                          \
		MT_EQ(mmt_read((mm), (addr), &__v), 0);                                        \
		MT_EQ(__v, (want));                                                            \
	} while (0)

/* A user load / store that must fail with @err. */
#define MT_READ_FAILS(mm, addr, err)                                                           \
	do {                                                                                   \
		uint64_t __v = 0;                                                              \
		MT_EQ(mmt_read((mm), (addr), &__v), (err));                                    \
	} while (0)
#define MT_WRITE_FAILS(mm, addr, err) MT_EQ(mmt_write((mm), (addr), 0x5a5a), (err))

/* ---- building state ------------------------------------------------------------------- */

#define MT_RW (PROT_READ | PROT_WRITE)
#define MT_ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MT_SHANON (MAP_SHARED | MAP_ANONYMOUS)

/* mmap that must succeed. */
static inline unsigned long mt_map(struct mm_struct *mm, unsigned long addr, unsigned long len,
				   int prot, int flags)
{
	long a = mmt_mmap(mm, addr, len, prot, flags, NULL, 0);

	if (a <= 0)
		MT_FAIL("mmap(%#lx, %#lx, %d, %#x) failed: %ld", addr, len, prot, flags, a);
	return (unsigned long)a;
}

/* ---- peeking at the page tables (no scheduling points) ------------------------------- */

static inline pmd_t mt_pmd(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);

	return pmd ? __pmd(__atomic_load_n(&pmd->pmd, __ATOMIC_RELAXED)) : __pmd(0);
}

static inline pte_t mt_pte(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = mt_pmd(mm, addr);

	if (!pmd_is_table(pmd))
		return __pte(0);
	return __pte(__atomic_load_n(&pmd_ptdesc(pmd)->ptes[pte_index(addr)].pte,
				     __ATOMIC_RELAXED));
}

/* The pfn of the page that maps @addr (PTE or huge PMD), 0 if none. */
static inline unsigned long mt_pfn(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = mt_pmd(mm, addr);
	pte_t pte;

	if (pmd_trans_huge(pmd))
		return pmd_pfn(pmd) + pte_index(addr);
	pte = mt_pte(mm, addr);
	return pte_present(pte) ? pte_pfn(pte) : 0;
}

static inline struct page *mt_page(unsigned long pfn)
{
	return &mmk()->mem_map[pfn];
}

static inline struct folio *mt_folio(unsigned long pfn)
{
	return (struct folio *)&mmk()->mem_map[mmk()->mem_map[pfn].head];
}

static inline int mt_ref(const struct folio *f)
{
	return f->_refcount.counter;
}

/* Every mapping of a folio (folio_mapcount without a scheduling point). */
static inline int mt_mapcount(struct folio *f)
{
	if (!f->order)
		return f->_mapcount.counter + 1;
	return folio_second(f)->_large_mapcount.counter + 1;
}

static inline bool mt_flag(const struct page *p, int nr)
{
	return (p->flags >> nr) & 1;
}

static inline bool mt_exclusive(unsigned long pfn)
{
	return mt_flag(mt_page(pfn), PG_anon_exclusive);
}

static inline long mt_rss(struct mm_struct *mm, int member)
{
	return mm->rss_stat[member].counter;
}

static inline int mt_nr_vmas(struct mm_struct *mm)
{
	return mm->vmas->nr;
}

static inline struct vm_area_struct *mt_vma(struct mm_struct *mm, int i)
{
	return i < mm->vmas->nr ? mm->vmas->v[i] : NULL;
}

#endif
