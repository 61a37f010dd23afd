/*
 * test_mm_e2e.c - sequential end-to-end stories over the model kernel
 * (fork/COW, THP, mTHP, migration, mixed mappings), checking values, pfns
 * and counters at every stage.
 *
 * Each story is one single-CPU program run once.  Its run() performs the
 * story and checks, after every stage, what user space reads, which pfns
 * the page tables hold, the folios' reference and map counts and the mms'
 * RSS counters; it also runs every invariant (check_all CHECK_END) between
 * stages, which is valid because nothing else runs.  The program's check
 * phase then exits every mm and checks that nothing leaked.
 */
#include "mmlook.h"

/* Run @p once; any finding fails the test. */
static void run_story(const struct sim_program *p)
{
	struct explore_opts o;
	struct explore_result r;

	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	o.cfg.check_every_step = true;
	o.cfg.max_steps = 2000000;
	assert_int_equal(explore_run(p, &o, &r), 0);
	t_assert_clean(p, &r);
	assert_int_equal(r.executions, 1);
	explore_result_free(&r);
}

/* Every invariant, now (only valid when no other CPU runs). */
static void stage_done(struct mm_kernel *k)
{
	check_all(k, CHECK_END);
}

/* After every mm exited: every page is free again. */
static void all_exited(struct mm_kernel *k)
{
	check_no_leaks(k);
	MT_EQ(k->nr_free, k->nr_free_initial);
}

/* ==== fork and copy-on-write ============================================== */

#define FS_BASE 0x10000000UL
#define FS_PAGES 8

enum { FS_P, FS_C1, FS_G, FS_C2, FS_NMM };

struct fork_story {
	struct mm_struct *mm[FS_NMM];
	bool live[FS_NMM];
	uint64_t want[FS_NMM][FS_PAGES];
};

/* One word per page, at a different offset in each page. */
static unsigned long fs_addr(int page)
{
	return FS_BASE + (unsigned long)page * PAGE_SIZE + 8UL * (unsigned long)page;
}

static unsigned long fs_pfn(struct fork_story *s, int who, int page)
{
	return mt_pfn(s->mm[who], fs_addr(page));
}

static void fs_write(struct fork_story *s, int who, int page, int gen)
{
	uint64_t v = ((uint64_t)(who + 1) << 32) | ((uint64_t)page << 16) | (uint64_t)gen;

	MT_WRITE(s->mm[who], fs_addr(page), v);
	s->want[who][page] = v;
}

static void fs_fork(struct fork_story *s, int parent, int child)
{
	MT_EQ(mmt_fork(s->mm[parent], &s->mm[child]), 0);
	s->live[child] = true;
	memcpy(s->want[child], s->want[parent], sizeof(s->want[child]));
}

/* How many live mms map @pfn at @page. */
static int fs_sharers(struct fork_story *s, int page, unsigned long pfn)
{
	int n = 0;

	for (int i = 0; i < FS_NMM; i++)
		n += s->live[i] && fs_pfn(s, i, page) == pfn;
	return n;
}

/*
 * Every page is mapped, its folio counted once per mm mapping it, and only a
 * page mapped by one mm can be exclusive; a writable mapping is exclusive.
 */
static void fs_check_sharing(struct fork_story *s)
{
	for (int who = 0; who < FS_NMM; who++) {
		if (!s->live[who])
			continue;
		MT_EQ(mt_rss(s->mm[who], MM_ANONPAGES), FS_PAGES);
		for (int page = 0; page < FS_PAGES; page++) {
			unsigned long pfn = fs_pfn(s, who, page);
			int n = fs_sharers(s, page, pfn);

			MT_NE(pfn, 0);
			MT_EQ(t_order(pfn), 0);
			MT_EQ(t_mapcount(pfn), n);
			MT_EQ(t_refs(pfn), n);
			if (n > 1) {
				MT_TRUE(!mt_exclusive(pfn));
				MT_TRUE(!t_writable(s->mm[who], fs_addr(page)));
			}
			if (t_writable(s->mm[who], fs_addr(page)))
				MT_TRUE(mt_exclusive(pfn));
		}
	}
}

/* Every live mm reads exactly its own view; then every invariant. */
static void fs_verify(struct mm_kernel *k, struct fork_story *s)
{
	for (int who = 0; who < FS_NMM; who++)
		for (int page = 0; s->live[who] && page < FS_PAGES; page++)
			MT_READ(s->mm[who], fs_addr(page), s->want[who][page]);
	fs_check_sharing(s);
	stage_done(k);
}

/* Stage 1: the parent fills its pages; each is its own, exclusive. */
static void fs_stage_fill(struct mm_kernel *k, struct fork_story *s)
{
	s->mm[FS_P] = mmt_mm_create();
	s->live[FS_P] = true;
	MT_EQ(mmt_mmap(s->mm[FS_P], FS_BASE, FS_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), FS_BASE);
	for (int page = 0; page < FS_PAGES; page++)
		fs_write(s, FS_P, page, 1);
	for (int page = 0; page < FS_PAGES; page++) {
		MT_TRUE(mt_exclusive(fs_pfn(s, FS_P, page)));
		MT_TRUE(t_writable(s->mm[FS_P], fs_addr(page)));
		for (int other = 0; other < page; other++)
			MT_NE(fs_pfn(s, FS_P, page), fs_pfn(s, FS_P, other));
	}
	fs_verify(k, s);
}

/* Stage 2: fork shares every page, write-protected in both. */
static void fs_stage_first_fork(struct mm_kernel *k, struct fork_story *s)
{
	unsigned long before[FS_PAGES];

	for (int page = 0; page < FS_PAGES; page++)
		before[page] = fs_pfn(s, FS_P, page);
	fs_fork(s, FS_P, FS_C1);
	for (int page = 0; page < FS_PAGES; page++) {
		MT_EQ(fs_pfn(s, FS_P, page), before[page]);
		MT_EQ(fs_pfn(s, FS_C1, page), before[page]);
		MT_EQ(t_mapcount(before[page]), 2);
		MT_TRUE(!t_writable(s->mm[FS_P], fs_addr(page)));
		MT_TRUE(!t_writable(s->mm[FS_C1], fs_addr(page)));
	}
	fs_verify(k, s);
}

/*
 * Stage 3: writes break COW - the writer gets a copy, the other keeps the
 * old page; once the other side's copy exists, the old page has one mapping
 * left and a write to it reuses it (wp_can_reuse_anon_folio).
 */
static void fs_stage_cow(struct mm_kernel *k, struct fork_story *s)
{
	unsigned long old0 = fs_pfn(s, FS_P, 0), old2 = fs_pfn(s, FS_P, 2);

	fs_write(s, FS_C1, 0, 2);
	fs_write(s, FS_C1, 1, 2);
	fs_write(s, FS_P, 2, 2);
	MT_NE(fs_pfn(s, FS_C1, 0), old0);
	MT_EQ(fs_pfn(s, FS_P, 0), old0);
	MT_TRUE(mt_exclusive(fs_pfn(s, FS_C1, 0)));
	MT_TRUE(!mt_exclusive(old0));
	MT_EQ(fs_pfn(s, FS_C1, 2), old2);
	MT_NE(fs_pfn(s, FS_P, 2), old2);
	fs_verify(k, s);

	fs_write(s, FS_P, 0, 3);
	MT_EQ(fs_pfn(s, FS_P, 0), old0);
	MT_TRUE(mt_exclusive(old0));
	MT_TRUE(t_writable(s->mm[FS_P], fs_addr(0)));
	fs_verify(k, s);
}

/* Stage 4: a grandchild and a second child; then everyone writes a page. */
static void fs_stage_more_forks(struct mm_kernel *k, struct fork_story *s)
{
	unsigned long shared = fs_pfn(s, FS_P, 7);

	fs_fork(s, FS_C1, FS_G);
	fs_fork(s, FS_P, FS_C2);
	MT_EQ(t_mapcount(shared), 4);
	/* Pages 0 and 1 of C1 are shared with its child G only. */
	MT_EQ(fs_pfn(s, FS_G, 0), fs_pfn(s, FS_C1, 0));
	MT_EQ(t_mapcount(fs_pfn(s, FS_G, 1)), 2);
	fs_verify(k, s);

	fs_write(s, FS_G, 3, 4);
	fs_write(s, FS_C2, 4, 4);
	fs_write(s, FS_C1, 5, 4);
	fs_write(s, FS_P, 6, 4);
	/* Never written since the first fork: one page, four mappings. */
	for (int who = 0; who < FS_NMM; who++)
		MT_EQ(fs_pfn(s, who, 7), shared);
	MT_EQ(t_mapcount(shared), 4);
	MT_EQ(t_refs(shared), 4);
	fs_verify(k, s);
}

/* Exit in @order; the last survivor's write then reuses page 7 in place. */
static void fs_stage_exits(struct mm_kernel *k, struct fork_story *s, const int order[FS_NMM])
{
	unsigned long shared = fs_pfn(s, FS_P, 7);

	for (int i = 0; i < FS_NMM; i++) {
		int who = order[i], left = FS_NMM - i - 1;

		if (i == FS_NMM - 1) {
			MT_EQ(t_mapcount(shared), 1);
			fs_write(s, who, 7, 5);
			MT_EQ(fs_pfn(s, who, 7), shared);
			MT_TRUE(mt_exclusive(shared));
			fs_verify(k, s);
		}
		mmt_exit(s->mm[who]);
		s->live[who] = false;
		if (left) {
			MT_EQ(t_mapcount(shared), left);
			fs_verify(k, s);
		}
	}
	all_exited(k);
}

static void fork_story(struct mm_kernel *k, struct fork_story *s, const int order[FS_NMM])
{
	fs_stage_fill(k, s);
	fs_stage_first_fork(k, s);
	fs_stage_cow(k, s);
	fs_stage_more_forks(k, s);
	fs_stage_exits(k, s, order);
}

static void fork_parent_first_run(struct mm_kernel *k, void *st, int cpu)
{
	static const int order[FS_NMM] = { FS_P, FS_C1, FS_G, FS_C2 };

	(void)cpu;
	fork_story(k, st, order);
}

static void fork_child_first_run(struct mm_kernel *k, void *st, int cpu)
{
	static const int order[FS_NMM] = { FS_G, FS_C2, FS_C1, FS_P };

	(void)cpu;
	fork_story(k, st, order);
}

MM_PROGRAM(e2e_fork_parent_first, "fork/COW story, parent exits first", 1, struct fork_story,
	   NULL, fork_parent_first_run, NULL);
MM_PROGRAM(e2e_fork_child_first, "fork/COW story, children exit first", 1, struct fork_story,
	   NULL, fork_child_first_run, NULL);

static void test_fork_cow_parent_exits_first(void **state)
{
	(void)state;
	run_story(&e2e_fork_parent_first);
}

static void test_fork_cow_children_exit_first(void **state)
{
	(void)state;
	run_story(&e2e_fork_child_first);
}

/* ==== transparent huge pages (PMD size) ==================================== */

#define THP_BASE 0x40000000UL	/* PMD aligned */
#define THP_NR ((int)HPAGE_PMD_NR)

static const int thp_pages[] = { 0, 1, 5, 100, 255, 256, 511 };
#define THP_NPAGES ((int)(sizeof(thp_pages) / sizeof(thp_pages[0])))

struct thp_story {
	struct mm_struct *p, *c;
	unsigned long head;		/* the PMD folio's first pfn */
	uint64_t want_p[THP_NR], want_c[THP_NR];
};

static unsigned long thp_addr(int page)
{
	return THP_BASE + (unsigned long)page * PAGE_SIZE + 16;
}

static void thp_write(struct mm_struct *mm, uint64_t *want, int page, uint64_t v)
{
	MT_WRITE(mm, thp_addr(page), v);
	want[page] = v;
}

/* The sample pages read back in both mms (pages unmapped in @mm are skipped). */
static void thp_verify(struct mm_kernel *k, struct thp_story *s)
{
	for (int i = 0; i < THP_NPAGES; i++) {
		int page = thp_pages[i];

		if (s->p && vma_lookup(s->p, thp_addr(page)))
			MT_READ(s->p, thp_addr(page), s->want_p[page]);
		if (s->c)
			MT_READ(s->c, thp_addr(page), s->want_c[page]);
	}
	stage_done(k);
}

/* @mm maps page i of the folio at page i of the range, read-only, except @skip. */
static void thp_check_ptes(struct mm_struct *mm, unsigned long head, int from, int to, int skip)
{
	MT_TRUE(pmd_is_table(mt_pmd(mm, THP_BASE)));
	for (int i = from; i < to; i++) {
		if (i == skip) {
			MT_NE(t_head(mt_pfn(mm, thp_addr(i))), head);
			continue;
		}
		MT_EQ(mt_pfn(mm, thp_addr(i)), head + (unsigned long)i);
		MT_TRUE(!t_writable(mm, thp_addr(i)));
	}
}

/* Stage 1: a write fault maps one PMD-size folio, exclusive and writable. */
static void thp_stage_fault(struct mm_kernel *k, struct thp_story *s)
{
	s->p = mmt_mm_create();
	MT_EQ(mmt_mmap(s->p, THP_BASE, PMD_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), THP_BASE);
	thp_write(s->p, s->want_p, 0, 0xa0);
	MT_TRUE(t_huge(s->p, THP_BASE));
	s->head = mt_pfn(s->p, THP_BASE);
	MT_EQ(t_head(s->head), s->head);
	MT_EQ(t_order(s->head), HPAGE_PMD_ORDER);
	MT_EQ(t_refs(s->head), 1);
	MT_EQ(t_entire_mapcount(s->head), 1);
	MT_EQ(t_mapcount(s->head), 1);
	MT_EQ(t_nr_pages_mapped(s->head), 0);
	MT_TRUE(mt_exclusive(s->head));
	MT_TRUE(t_writable(s->p, THP_BASE));
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), THP_NR);
	for (int i = 1; i < THP_NPAGES; i++)
		thp_write(s->p, s->want_p, thp_pages[i], 0xa0 + (uint64_t)thp_pages[i]);
	MT_READ(s->p, thp_addr(300), 0);
	MT_EQ(mt_pfn(s->p, thp_addr(300)), s->head + 300);
	thp_verify(k, s);
}

/* Stage 2: fork shares the PMD, write-protected in both. */
static void thp_stage_fork(struct mm_kernel *k, struct thp_story *s)
{
	MT_EQ(mmt_fork(s->p, &s->c), 0);
	memcpy(s->want_c, s->want_p, sizeof(s->want_c));
	MT_TRUE(t_huge(s->c, THP_BASE));
	MT_EQ(mt_pfn(s->c, THP_BASE), s->head);
	MT_EQ(t_refs(s->head), 2);
	MT_EQ(t_entire_mapcount(s->head), 2);
	MT_EQ(t_mapcount(s->head), 2);
	MT_TRUE(!mt_exclusive(s->head));
	MT_TRUE(!t_writable(s->p, THP_BASE));
	MT_TRUE(!t_writable(s->c, THP_BASE));
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), THP_NR);
	thp_verify(k, s);
}

/* Stage 3: a write in the child splits the child's PMD and copies one page. */
static void thp_stage_child_cow(struct mm_kernel *k, struct thp_story *s)
{
	thp_write(s->c, s->want_c, 5, 0xc5);
	MT_TRUE(t_huge(s->p, THP_BASE));
	thp_check_ptes(s->c, s->head, 0, THP_NR, 5);
	MT_EQ(t_order(mt_pfn(s->c, thp_addr(5))), 0);
	MT_TRUE(mt_exclusive(mt_pfn(s->c, thp_addr(5))));
	MT_EQ(t_refs(s->head), 1 + THP_NR - 1);
	MT_EQ(t_entire_mapcount(s->head), 1);
	MT_EQ(t_mapcount(s->head), 1 + THP_NR - 1);
	MT_EQ(t_nr_pages_mapped(s->head), THP_NR - 1);
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), THP_NR);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), THP_NR);
	thp_verify(k, s);
}

/* Stage 4: mprotect of one page splits the parent's VMA and PMD. */
static void thp_stage_mprotect_split(struct mm_kernel *k, struct thp_story *s)
{
	unsigned long old1;

	MT_EQ(mmt_mprotect(s->p, THP_BASE + 10 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	MT_EQ(mt_nr_vmas(s->p), 3);
	thp_check_ptes(s->p, s->head, 0, THP_NR, -1);
	MT_EQ(t_refs(s->head), 2 * THP_NR - 1);
	MT_EQ(t_entire_mapcount(s->head), 0);
	MT_EQ(t_mapcount(s->head), 2 * THP_NR - 1);
	MT_EQ(t_nr_pages_mapped(s->head), THP_NR);
	MT_EQ(mmt_write(s->p, thp_addr(10), 1), -EFAULT);
	MT_READ(s->p, thp_addr(10), 0);
	thp_verify(k, s);

	/* A write to a page of the shared, PTE-mapped folio copies it. */
	old1 = mt_pfn(s->p, thp_addr(1));
	thp_write(s->p, s->want_p, 1, 0xb1);
	MT_NE(mt_pfn(s->p, thp_addr(1)), old1);
	MT_EQ(mt_pfn(s->c, thp_addr(1)), old1);
	MT_EQ(t_refs(s->head), 2 * THP_NR - 2);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), THP_NR);
	thp_verify(k, s);
}

/* Stage 5: munmap of the parent's upper half. */
static void thp_stage_munmap_half(struct mm_kernel *k, struct thp_story *s)
{
	MT_EQ(mmt_munmap(s->p, THP_BASE + PMD_SIZE / 2, PMD_SIZE / 2), 0);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), THP_NR / 2);
	MT_EQ(t_refs(s->head), THP_NR / 2 - 1 + THP_NR - 1);
	MT_EQ(t_mapcount(s->head), THP_NR / 2 - 1 + THP_NR - 1);
	MT_EQ(mmt_read(s->p, thp_addr(300), &(uint64_t){ 0 }), -EFAULT);
	MT_READ(s->c, thp_addr(300), 0);
	thp_verify(k, s);
}

/* Stage 6: migrating one page moves the whole PMD-size folio, in both mms. */
static void thp_stage_migrate(struct mm_kernel *k, struct thp_story *s)
{
	unsigned long old = s->head, new_head;

	MT_EQ(mmt_migrate(s->p, thp_addr(2)), 0);
	new_head = mt_pfn(s->c, thp_addr(0));
	MT_NE(new_head, old);
	MT_EQ(t_head(new_head), new_head);
	MT_EQ(t_order(new_head), HPAGE_PMD_ORDER);
	MT_TRUE(t_page_free(old));
	s->head = new_head;
	thp_check_ptes(s->c, s->head, 0, THP_NR, 5);
	thp_check_ptes(s->p, s->head, 0, THP_NR / 2, 1);
	MT_EQ(t_refs(s->head), THP_NR / 2 - 1 + THP_NR - 1);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), THP_NR / 2);
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), THP_NR);
	thp_verify(k, s);
}

static void thp_run(struct mm_kernel *k, void *st, int cpu)
{
	struct thp_story *s = st;

	(void)cpu;
	mmt_thp_set(1UL << HPAGE_PMD_ORDER, 0);
	thp_stage_fault(k, s);
	thp_stage_fork(k, s);
	thp_stage_child_cow(k, s);
	thp_stage_mprotect_split(k, s);
	thp_stage_munmap_half(k, s);
	thp_stage_migrate(k, s);
	mmt_exit(s->c);
	s->c = NULL;
	MT_EQ(t_refs(s->head), THP_NR / 2 - 1);
	thp_verify(k, s);
	mmt_exit(s->p);
	all_exited(k);
}

MM_PROGRAM(e2e_thp, "THP story: fault, fork, COW, split, munmap, migrate", 1, struct thp_story,
	   NULL, thp_run, NULL);

static void test_thp_story(void **state)
{
	(void)state;
	run_story(&e2e_thp);
}

/* ==== mTHP (order 4, 64 KiB) ================================================ */

#define MT_BASE 0x50000000UL	/* 64 KiB aligned */
#define MT_ORDER 4
#define MT_NR (1 << MT_ORDER)
#define MT_PAGES (2 * MT_NR)

struct mthp_story {
	struct mm_struct *p, *c;
	unsigned long a, b;	/* head pfns of the two folios */
	uint64_t want_p[MT_PAGES], want_c[MT_PAGES];
	bool gone_p[MT_PAGES], gone_c[MT_PAGES];
};

static unsigned long mt_addr(int page)
{
	return MT_BASE + (unsigned long)page * PAGE_SIZE + 24;
}

static void mt_write(struct mm_struct *mm, uint64_t *want, int page, uint64_t v)
{
	MT_WRITE(mm, mt_addr(page), v);
	want[page] = v;
}

static void mt_verify(struct mm_kernel *k, struct mthp_story *s)
{
	for (int page = 0; page < MT_PAGES; page++) {
		if (s->p && !s->gone_p[page])
			MT_READ(s->p, mt_addr(page), s->want_p[page]);
		if (s->c && !s->gone_c[page])
			MT_READ(s->c, mt_addr(page), s->want_c[page]);
	}
	stage_done(k);
}

/* Pages [from, to) of @mm map the folio at @head (page i at head + i - from),
 * except those in @skip (a bit mask of pages), which map another folio. */
static void mt_check_folio_map(struct mm_struct *mm, unsigned long head, int from, int to,
			       unsigned long skip)
{
	for (int page = from; page < to; page++) {
		unsigned long pfn = mt_pfn(mm, mt_addr(page));

		if (skip & (1UL << page))
			MT_NE(t_head(pfn), head);
		else
			MT_EQ(pfn, head + (unsigned long)(page - from));
	}
}

/* Stage 1: a write fault maps a whole order-4 folio by 16 PTEs. */
static void mt_stage_fault(struct mm_kernel *k, struct mthp_story *s)
{
	s->p = mmt_mm_create();
	MT_EQ(mmt_mmap(s->p, MT_BASE, MT_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), MT_BASE);
	mt_write(s->p, s->want_p, 3, 0x3);
	s->a = mt_pfn(s->p, mt_addr(0));
	MT_EQ(t_head(s->a), s->a);
	MT_EQ(t_order(s->a), MT_ORDER);
	MT_EQ(t_refs(s->a), MT_NR);
	MT_EQ(t_mapcount(s->a), MT_NR);
	MT_EQ(t_nr_pages_mapped(s->a), MT_NR);
	MT_EQ(t_entire_mapcount(s->a), 0);
	for (int page = 0; page < MT_NR; page++) {
		MT_EQ(t_page_mapcount(s->a + (unsigned long)page), 1);
		MT_TRUE(mt_exclusive(s->a + (unsigned long)page));
		MT_TRUE(t_writable(s->p, mt_addr(page)));
	}
	mt_check_folio_map(s->p, s->a, 0, MT_NR, 0);
	MT_EQ(mt_pfn(s->p, mt_addr(MT_NR)), 0);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), MT_NR);
	for (int page = 0; page < MT_NR; page += 5)
		mt_write(s->p, s->want_p, page, 0x100 + (uint64_t)page);
	mt_write(s->p, s->want_p, MT_NR + 4, 0x200);
	s->b = mt_pfn(s->p, mt_addr(MT_NR));
	MT_EQ(t_order(s->b), MT_ORDER);
	mt_check_folio_map(s->p, s->b, MT_NR, MT_PAGES, 0);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), MT_PAGES);
	mt_verify(k, s);
}

/* Stage 2: fork maps both folios into the child; then each side writes a
 * page of the first folio, which copies that page only. */
static void mt_stage_fork_cow(struct mm_kernel *k, struct mthp_story *s)
{
	MT_EQ(mmt_fork(s->p, &s->c), 0);
	memcpy(s->want_c, s->want_p, sizeof(s->want_c));
	MT_EQ(t_refs(s->a), 2 * MT_NR);
	MT_EQ(t_mapcount(s->a), 2 * MT_NR);
	MT_EQ(t_page_mapcount(s->a + 3), 2);
	MT_TRUE(!mt_exclusive(s->a + 3));
	MT_TRUE(!t_writable(s->p, mt_addr(3)));
	mt_check_folio_map(s->c, s->a, 0, MT_NR, 0);
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), MT_PAGES);
	mt_verify(k, s);

	mt_write(s->c, s->want_c, 3, 0xc3);
	mt_write(s->p, s->want_p, 5, 0xb5);
	mt_check_folio_map(s->c, s->a, 0, MT_NR, 1UL << 3);
	mt_check_folio_map(s->p, s->a, 0, MT_NR, 1UL << 5);
	MT_EQ(t_order(mt_pfn(s->c, mt_addr(3))), 0);
	MT_EQ(t_refs(s->a), 2 * MT_NR - 2);
	MT_EQ(t_mapcount(s->a), 2 * MT_NR - 2);
	MT_EQ(t_nr_pages_mapped(s->a), MT_NR);
	MT_EQ(t_page_mapcount(s->a + 3), 1);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), MT_PAGES);
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), MT_PAGES);
	mt_verify(k, s);
}

/* Stage 3: migrating one page moves the whole large folio, in both mms. */
static void mt_stage_migrate(struct mm_kernel *k, struct mthp_story *s)
{
	unsigned long old = s->a;

	MT_EQ(mmt_migrate(s->p, mt_addr(7)), 0);
	s->a = mt_pfn(s->p, mt_addr(0));
	MT_NE(s->a, old);
	MT_EQ(t_head(s->a), s->a);
	MT_EQ(t_order(s->a), MT_ORDER);
	MT_TRUE(t_page_free(old));
	mt_check_folio_map(s->c, s->a, 0, MT_NR, 1UL << 3);
	mt_check_folio_map(s->p, s->a, 0, MT_NR, 1UL << 5);
	MT_EQ(t_refs(s->a), 2 * MT_NR - 2);
	MT_EQ(t_page_mapcount(s->a + 3), 1);
	MT_TRUE(!mt_exclusive(s->a + 7));
	/* The second folio did not move. */
	mt_check_folio_map(s->p, s->b, MT_NR, MT_PAGES, 0);
	mt_verify(k, s);
}

/* Stage 4: munmap of parts of the folio, in each mm. */
static void mt_stage_munmap(struct mm_kernel *k, struct mthp_story *s)
{
	MT_EQ(mmt_munmap(s->p, MT_BASE + 8 * PAGE_SIZE, 4 * PAGE_SIZE), 0);
	for (int page = 8; page < 12; page++)
		s->gone_p[page] = true;
	MT_EQ(mt_nr_vmas(s->p), 2);
	MT_EQ(t_refs(s->a), 2 * MT_NR - 2 - 4);
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), MT_PAGES - 4);
	MT_EQ(mmt_write(s->p, mt_addr(9), 1), -EFAULT);
	mt_verify(k, s);

	MT_EQ(mmt_munmap(s->c, MT_BASE, MT_NR * PAGE_SIZE), 0);
	for (int page = 0; page < MT_NR; page++)
		s->gone_c[page] = true;
	/* The child's private copy of page 3 is freed, its 15 PTEs of the folio go. */
	MT_EQ(t_refs(s->a), MT_NR - 1 - 4);
	MT_EQ(t_mapcount(s->a), MT_NR - 1 - 4);
	MT_EQ(t_nr_pages_mapped(s->a), MT_NR - 1 - 4);
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), MT_NR);
	mt_verify(k, s);
}

static void mthp_run(struct mm_kernel *k, void *st, int cpu)
{
	struct mthp_story *s = st;

	(void)cpu;
	mmt_thp_set(1UL << MT_ORDER, 0);
	mt_stage_fault(k, s);
	mt_stage_fork_cow(k, s);
	mt_stage_migrate(k, s);
	mt_stage_munmap(k, s);
	mmt_exit(s->p);
	s->p = NULL;
	MT_EQ(t_refs(s->b), MT_NR);
	mt_verify(k, s);
	mmt_exit(s->c);
	all_exited(k);
}

MM_PROGRAM(e2e_mthp, "mTHP story: order-4 fault, fork, COW, migrate, munmap", 1,
	   struct mthp_story, NULL, mthp_run, NULL);

static void test_mthp_story(void **state)
{
	(void)state;
	run_story(&e2e_mthp);
}

/* ==== migration ============================================================= */

#define MG_BASE 0x60000000UL
#define MG_PAGES 4

struct migrate_story {
	struct mm_struct *p, *c;
	uint64_t want[MG_PAGES];
};

static unsigned long mg_addr(int page)
{
	return MG_BASE + (unsigned long)page * PAGE_SIZE + 32;
}

static void mg_verify(struct mm_kernel *k, struct migrate_story *s, struct mm_struct *mm)
{
	for (int page = 0; page < MG_PAGES; page++)
		MT_READ(mm, mg_addr(page), s->want[page]);
	MT_EQ(mt_rss(mm, MM_ANONPAGES), MG_PAGES);
	stage_done(k);
}

/* One migration of an exclusive page: new pfn, same data, same rights. */
static void mg_once(struct mm_kernel *k, struct migrate_story *s, int page)
{
	unsigned long old = mt_pfn(s->p, mg_addr(page)), new;

	MT_EQ(mmt_migrate(s->p, mg_addr(page)), 0);
	new = mt_pfn(s->p, mg_addr(page));
	MT_NE(new, 0);
	MT_NE(new, old);
	MT_TRUE(t_page_free(old));
	MT_TRUE(t_anon(new));
	MT_TRUE(mt_exclusive(new));
	MT_TRUE(t_writable(s->p, mg_addr(page)));
	MT_EQ(t_refs(new), 1);
	MT_EQ(t_mapcount(new), 1);
	mg_verify(k, s, s->p);
}

/* Ten migrations of one page, with reads and a write between them. */
static void mg_stage_repeat(struct mm_kernel *k, struct migrate_story *s)
{
	s->p = mmt_mm_create();
	MT_EQ(mmt_mmap(s->p, MG_BASE, MG_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), MG_BASE);
	for (int page = 0; page < MG_PAGES; page++) {
		MT_WRITE(s->p, mg_addr(page), 0x700 + (uint64_t)page);
		s->want[page] = 0x700 + (uint64_t)page;
	}
	for (int i = 0; i < 10; i++) {
		mg_once(k, s, 0);
		if (i == 4) {
			/* Still writable without a fault: the PTE kept its write bit. */
			MT_WRITE(s->p, mg_addr(0), 0x7ff);
			s->want[0] = 0x7ff;
		}
	}
}

/* What move_pages reports for places with nothing to move: no VMA or the
 * zero page -EFAULT, nothing mapped -ENOENT (add_page_for_migration). */
static void mg_stage_errors(struct mm_kernel *k, struct migrate_story *s)
{
	unsigned long extra = MG_BASE + 2 * MG_PAGES * PAGE_SIZE;

	MT_EQ(mmt_migrate(s->p, MG_BASE - PAGE_SIZE), -EFAULT);
	MT_EQ(mmt_mmap(s->p, extra, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), extra);
	MT_EQ(mmt_migrate(s->p, extra), -ENOENT);
	MT_READ(s->p, extra + PAGE_SIZE, 0);
	MT_EQ(mt_pfn(s->p, extra + PAGE_SIZE), k->zero_pfn);
	MT_EQ(mmt_migrate(s->p, extra + PAGE_SIZE), -EFAULT);
	MT_EQ(mmt_munmap(s->p, extra, 2 * PAGE_SIZE), 0);
	stage_done(k);
}

/* A page shared by parent and child migrates once and is remapped in both;
 * it stays shared, then COW works on the new page as on the old. */
static void mg_stage_shared(struct mm_kernel *k, struct migrate_story *s)
{
	unsigned long old, new;

	MT_EQ(mmt_fork(s->p, &s->c), 0);
	old = mt_pfn(s->p, mg_addr(1));
	MT_EQ(mt_pfn(s->c, mg_addr(1)), old);
	MT_EQ(mmt_migrate(s->c, mg_addr(1)), 0);
	new = mt_pfn(s->p, mg_addr(1));
	MT_NE(new, old);
	MT_EQ(mt_pfn(s->c, mg_addr(1)), new);
	MT_TRUE(t_page_free(old));
	MT_EQ(t_refs(new), 2);
	MT_EQ(t_mapcount(new), 2);
	MT_TRUE(!mt_exclusive(new));
	MT_TRUE(!t_writable(s->p, mg_addr(1)));
	MT_TRUE(!t_writable(s->c, mg_addr(1)));
	mg_verify(k, s, s->p);
	mg_verify(k, s, s->c);

	MT_WRITE(s->c, mg_addr(1), 0xc1);
	MT_NE(mt_pfn(s->c, mg_addr(1)), new);
	MT_EQ(t_refs(new), 1);
	MT_WRITE(s->p, mg_addr(1), 0xb1);
	MT_EQ(mt_pfn(s->p, mg_addr(1)), new);
	MT_TRUE(mt_exclusive(new));
	MT_READ(s->c, mg_addr(1), 0xc1);
	s->want[1] = 0xb1;
	mg_verify(k, s, s->p);
}

static void migrate_run(struct mm_kernel *k, void *st, int cpu)
{
	struct migrate_story *s = st;

	(void)cpu;
	mg_stage_repeat(k, s);
	mg_stage_errors(k, s);
	mg_stage_shared(k, s);
	mmt_exit(s->p);
	mmt_exit(s->c);
	all_exited(k);
}

MM_PROGRAM(e2e_migrate, "migration story: repeated, errors, shared page", 1,
	   struct migrate_story, NULL, migrate_run, NULL);

static void test_migrate_story(void **state)
{
	(void)state;
	run_story(&e2e_migrate);
}

/* ==== mixed mappings ======================================================== */

#define MX_PAGES 4
#define MX_LEN (MX_PAGES * PAGE_SIZE)
#define MX_S 0x20000000UL	/* MAP_SHARED | MAP_ANONYMOUS */
#define MX_A 0x20100000UL	/* MAP_PRIVATE | MAP_ANONYMOUS */
#define MX_FP 0x20200000UL	/* MAP_PRIVATE of the file */
#define MX_FS 0x20300000UL	/* MAP_SHARED of the same file */
#define MX_RW (PROT_READ | PROT_WRITE)

struct mixed_story {
	struct mm_struct *p, *c, *c2;
	struct address_space *file;
};

static unsigned long mx(unsigned long base, int page)
{
	return base + (unsigned long)page * PAGE_SIZE + 40;
}

static void mx_map_all(struct mixed_story *s)
{
	struct mm_struct *mm = s->p;

	MT_EQ(mmt_mmap(mm, MX_S, MX_LEN, MX_RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0), MX_S);
	MT_EQ(mmt_mmap(mm, MX_A, MX_LEN, MX_RW, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0), MX_A);
	MT_EQ(mmt_mmap(mm, MX_FP, MX_LEN, MX_RW, MAP_PRIVATE, s->file, 0), MX_FP);
	MT_EQ(mmt_mmap(mm, MX_FS, MX_LEN, MX_RW, MAP_SHARED, s->file, 0), MX_FS);
}

/*
 * Stage 1: fill.  Shared pages belong to their object (one reference for
 * it, one per mapping); a private write to a file page copies it into an
 * anonymous page; a private read of a file page maps the file's page, and
 * sees what a shared mapping of the file wrote.
 */
static void mx_stage_fill(struct mm_kernel *k, struct mixed_story *s)
{
	unsigned long f0;

	s->p = mmt_mm_create();
	s->file = mmt_file_create(MX_LEN);
	mx_map_all(s);
	for (int i = 0; i < MX_PAGES; i++) {
		MT_WRITE(s->p, mx(MX_S, i), 0x5100 + (uint64_t)i);
		MT_WRITE(s->p, mx(MX_A, i), 0xa100 + (uint64_t)i);
	}
	MT_WRITE(s->p, mx(MX_FS, 0), 0xf0);
	MT_WRITE(s->p, mx(MX_FP, 1), 0xe1);
	MT_READ(s->p, mx(MX_FP, 0), 0xf0);
	MT_READ(s->p, mx(MX_FP, 2), 0);
	MT_READ(s->p, mx(MX_FS, 1), 0);
	for (int i = 0; i < MX_PAGES; i++) {
		unsigned long pfn = mt_pfn(s->p, mx(MX_S, i));

		MT_TRUE(!t_anon(pfn));
		MT_EQ(t_refs(pfn), 2);
		MT_EQ(t_mapcount(pfn), 1);
		MT_TRUE(t_writable(s->p, mx(MX_S, i)));
		MT_TRUE(mt_exclusive(mt_pfn(s->p, mx(MX_A, i))));
	}
	f0 = mt_pfn(s->p, mx(MX_FS, 0));
	MT_EQ(mt_pfn(s->p, mx(MX_FP, 0)), f0);
	MT_EQ(t_refs(f0), 3);
	MT_EQ(t_mapcount(f0), 2);
	MT_TRUE(!t_writable(s->p, mx(MX_FP, 0)));
	MT_TRUE(t_anon(mt_pfn(s->p, mx(MX_FP, 1))));
	MT_TRUE(mt_exclusive(mt_pfn(s->p, mx(MX_FP, 1))));
	MT_EQ(mt_pfn(s->p, mx(MX_FS, 1)), mt_folio(s->file->pages[1])->head);
	MT_NE(mt_pfn(s->p, mx(MX_FP, 1)), mt_pfn(s->p, mx(MX_FS, 1)));
	MT_EQ(mt_rss(s->p, MM_ANONPAGES), MX_PAGES + 1);
	MT_EQ(t_rss_file(s->p), MX_PAGES + 4);
	stage_done(k);
}

/*
 * Stage 2: fork.  Page tables of mappings without anonymous pages are not
 * copied (the child faults them in from the object); private anonymous
 * pages, and file pages in a mapping that has anonymous ones, are shared.
 */
static void mx_stage_fork(struct mm_kernel *k, struct mixed_story *s)
{
	unsigned long fp1 = mt_pfn(s->p, mx(MX_FP, 1));

	MT_EQ(mmt_fork(s->p, &s->c), 0);
	MT_EQ(mt_pfn(s->c, mx(MX_S, 0)), 0);
	MT_EQ(mt_pfn(s->c, mx(MX_FS, 0)), 0);
	MT_EQ(mt_pfn(s->c, mx(MX_FP, 1)), fp1);
	MT_EQ(t_mapcount(fp1), 2);
	MT_EQ(mt_pfn(s->c, mx(MX_FP, 0)), mt_pfn(s->p, mx(MX_FS, 0)));
	MT_EQ(mt_pfn(s->c, mx(MX_A, 2)), mt_pfn(s->p, mx(MX_A, 2)));
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), MX_PAGES + 1);
	MT_EQ(t_rss_file(s->c), 2);
	for (int i = 0; i < MX_PAGES; i++)
		MT_READ(s->c, mx(MX_S, i), 0x5100 + (uint64_t)i);
	MT_EQ(mt_pfn(s->c, mx(MX_S, 3)), mt_pfn(s->p, mx(MX_S, 3)));
	MT_READ(s->c, mx(MX_FP, 1), 0xe1);
	MT_READ(s->c, mx(MX_FS, 0), 0xf0);
	stage_done(k);
}

/* Stage 3: who sees whose writes after the fork. */
static void mx_stage_writes(struct mm_kernel *k, struct mixed_story *s)
{
	MT_WRITE(s->c, mx(MX_S, 1), 0x5c01);
	MT_READ(s->p, mx(MX_S, 1), 0x5c01);
	MT_WRITE(s->c, mx(MX_A, 0), 0xac00);
	MT_READ(s->p, mx(MX_A, 0), 0xa100);
	MT_WRITE(s->c, mx(MX_FP, 1), 0xec1);
	MT_READ(s->p, mx(MX_FP, 1), 0xe1);
	MT_READ(s->c, mx(MX_FP, 1), 0xec1);
	/* Pages of the private mapping never written follow the file. */
	MT_WRITE(s->p, mx(MX_FS, 2), 0xf2);
	MT_READ(s->p, mx(MX_FP, 2), 0xf2);
	MT_READ(s->c, mx(MX_FP, 2), 0xf2);
	MT_WRITE(s->c, mx(MX_FP, 3), 0xec3);
	MT_READ(s->p, mx(MX_FP, 3), 0);
	MT_READ(s->p, mx(MX_FS, 3), 0);
	/* A copied page keeps the file's words from the time of the copy. */
	MT_WRITE(s->p, mx(MX_FS, 1) + 8, 0xf1);
	MT_READ(s->p, mx(MX_FP, 1) + 8, 0);
	MT_READ(s->c, mx(MX_FP, 1) + 8, 0);
	MT_WRITE(s->p, mx(MX_FS, 3) + 8, 0xf3);
	MT_READ(s->p, mx(MX_FP, 3) + 8, 0xf3);
	MT_READ(s->c, mx(MX_FP, 3) + 8, 0);
	stage_done(k);
}

/*
 * Stage 4: MADV_DONTNEED in the child on each mapping: shared and file
 * memory keeps its data, private anonymous memory reads as zero, a private
 * file mapping shows the file again.
 */
static void mx_stage_dontneed(struct mm_kernel *k, struct mixed_story *s)
{
	static const unsigned long bases[] = { MX_S, MX_A, MX_FP, MX_FS };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		MT_EQ(mmt_madvise(s->c, bases[i], MX_LEN, MADV_DONTNEED), 0);
		for (int page = 0; page < MX_PAGES; page++)
			MT_EQ(mt_pfn(s->c, mx(bases[i], page)), 0);
	}
	MT_EQ(mt_rss(s->c, MM_ANONPAGES), 0);
	MT_EQ(t_rss_file(s->c), 0);
	MT_READ(s->c, mx(MX_S, 1), 0x5c01);
	MT_READ(s->c, mx(MX_A, 0), 0);
	MT_READ(s->c, mx(MX_A, 1), 0);
	MT_READ(s->c, mx(MX_FP, 1), 0);
	MT_READ(s->c, mx(MX_FP, 1) + 8, 0xf1);
	MT_READ(s->c, mx(MX_FP, 2), 0xf2);
	MT_READ(s->c, mx(MX_FP, 3), 0);
	MT_READ(s->c, mx(MX_FP, 3) + 8, 0xf3);
	MT_READ(s->c, mx(MX_FS, 0), 0xf0);
	MT_READ(s->p, mx(MX_A, 0), 0xa100);
	MT_READ(s->p, mx(MX_FP, 1), 0xe1);
	stage_done(k);
}

/*
 * Stage 5: mprotect.  Read-only refuses writes; making it writable again
 * maps at once only what could be written without a fault: dirty shared
 * pages, exclusive anonymous pages (the parent's were shared at fork).
 */
static void mx_stage_mprotect(struct mm_kernel *k, struct mixed_story *s)
{
	unsigned long a0 = mt_pfn(s->p, mx(MX_A, 0));

	MT_EQ(mmt_mprotect(s->p, MX_A, MX_LEN, PROT_READ), 0);
	MT_EQ(mmt_mprotect(s->p, MX_S, MX_LEN, PROT_READ), 0);
	MT_EQ(mmt_write(s->p, mx(MX_A, 0), 1), -EFAULT);
	MT_EQ(mmt_write(s->p, mx(MX_S, 0), 1), -EFAULT);
	MT_READ(s->p, mx(MX_A, 0), 0xa100);
	MT_READ(s->p, mx(MX_S, 0), 0x5100);
	MT_TRUE(!t_writable(s->p, mx(MX_S, 0)));
	MT_EQ(mmt_mprotect(s->p, MX_A, MX_LEN, MX_RW), 0);
	MT_EQ(mmt_mprotect(s->p, MX_S, MX_LEN, MX_RW), 0);
	MT_TRUE(t_writable(s->p, mx(MX_S, 0)));
	MT_TRUE(!t_writable(s->p, mx(MX_A, 0)));
	MT_WRITE(s->p, mx(MX_A, 0), 0xa200);
	MT_EQ(mt_pfn(s->p, mx(MX_A, 0)), a0);
	MT_TRUE(mt_exclusive(a0));
	MT_READ(s->c, mx(MX_S, 0), 0x5100);
	stage_done(k);
}

/*
 * Stage 6: mlock populates writable private pages and refuses
 * MADV_DONTNEED; a child forked now is not locked; munlock lifts it.
 */
static void mx_stage_mlock(struct mm_kernel *k, struct mixed_story *s)
{
	MT_EQ(mmt_mlock(s->p, MX_A, MX_LEN), 0);
	MT_TRUE(vma_lookup(s->p, MX_A)->vm_flags & VM_LOCKED);
	for (int i = 0; i < MX_PAGES; i++)
		MT_TRUE(t_writable(s->p, mx(MX_A, i)));
	MT_EQ(mmt_madvise(s->p, MX_A, MX_LEN, MADV_DONTNEED), -EINVAL);
	MT_READ(s->p, mx(MX_A, 1), 0xa101);
	MT_EQ(mmt_fork(s->p, &s->c2), 0);
	MT_TRUE(!(vma_lookup(s->c2, MX_A)->vm_flags & VM_LOCKED));
	MT_EQ(mmt_madvise(s->c2, MX_A, MX_LEN, MADV_DONTNEED), 0);
	MT_READ(s->c2, mx(MX_A, 1), 0);
	MT_READ(s->p, mx(MX_A, 1), 0xa101);
	MT_READ(s->c2, mx(MX_S, 1), 0x5c01);
	MT_EQ(mmt_munlock(s->p, MX_A, MX_LEN), 0);
	MT_EQ(mmt_madvise(s->p, MX_A, MX_LEN, MADV_DONTNEED), 0);
	MT_READ(s->p, mx(MX_A, 1), 0);
	stage_done(k);
}

/* Stage 7: the mms exit; the file keeps its data until its last reference. */
static void mx_stage_exit(struct mm_kernel *k, struct mixed_story *s)
{
	unsigned long f2 = s->file->pages[2];

	mmt_exit(s->c);
	mmt_exit(s->p);
	MT_READ(s->c2, mx(MX_FS, 2), 0xf2);
	mmt_exit(s->c2);
	MT_EQ(s->file->refcount.counter, 1);
	MT_EQ(t_refs(f2), 1);
	MT_EQ(*(uint64_t *)((uint8_t *)page_address(pfn_to_page(f2)) + 40), 0xf2);
	mapping_put(s->file);
	MT_TRUE(t_page_free(f2));
	all_exited(k);
}

static void mixed_run(struct mm_kernel *k, void *st, int cpu)
{
	struct mixed_story *s = st;

	(void)cpu;
	mx_stage_fill(k, s);
	mx_stage_fork(k, s);
	mx_stage_writes(k, s);
	mx_stage_dontneed(k, s);
	mx_stage_mprotect(k, s);
	mx_stage_mlock(k, s);
	mx_stage_exit(k, s);
}

MM_PROGRAM(e2e_mixed, "shared, private and file mappings across fork", 1, struct mixed_story,
	   NULL, mixed_run, NULL);

static void test_mixed_story(void **state)
{
	(void)state;
	run_story(&e2e_mixed);
}

/* ==== the harness itself ==================================================== */

/* A story whose expectation is wrong: the run must end in a "test" finding. */
static void wrong_expectation_run(struct mm_kernel *k, void *st, int cpu)
{
	struct mm_struct *mm = mmt_mm_create();

	(void)k;
	(void)st;
	(void)cpu;
	MT_EQ(mmt_mmap(mm, FS_BASE, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      NULL, 0), FS_BASE);
	MT_WRITE(mm, FS_BASE, 1);
	MT_READ(mm, FS_BASE, 2);
}

MM_PROGRAM(e2e_wrong_expectation, "a story expecting the wrong value", 1, int, NULL,
	   wrong_expectation_run, NULL);

static void test_wrong_expectation_is_found(void **state)
{
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	explore_opts_default(&o);
	o.kind = EXPLORE_RANDOM;
	o.max_executions = 1;
	assert_int_equal(explore_run(&e2e_wrong_expectation, &o, &r), 0);
	assert_true(r.found);
	assert_int_equal(r.finding.kind, SIM_FIND_INVARIANT);
	assert_string_equal(r.finding.id, "test");
	assert_non_null(strstr(r.finding.msg, "is 1 (0x1), expected (2) = 2 (0x2)"));
	explore_result_free(&r);
}

/* An optional argument selects tests by name (a cmocka filter pattern). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_cow_parent_exits_first),
		cmocka_unit_test(test_fork_cow_children_exit_first),
		cmocka_unit_test(test_thp_story),
		cmocka_unit_test(test_mthp_story),
		cmocka_unit_test(test_migrate_story),
		cmocka_unit_test(test_mixed_story),
		cmocka_unit_test(test_wrong_expectation_is_found),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
