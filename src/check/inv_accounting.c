/*
 * inv_accounting.c - INV-4, accounting: the counters the kernel keeps equal
 * what the page tables and caches hold (checked at the end of an execution,
 * when no reference is in transit):
 *
 *   - each page's _mapcount counts the PTEs mapping it; a large folio's
 *     _entire_mapcount counts its PMD mappings and _large_mapcount all of
 *     them, _nr_pages_mapped the pages mapped by a PTE;
 *   - a folio's refcount is one per PTE or PMD mapping, plus one per page
 *     held by a shared/file object or by the swap cache, plus one for a
 *     writeback in flight (plus pins, with GUP);
 *     more is a leaked reference, less a use-after-free in waiting;
 *   - an allocated folio that nothing references is leaked;
 *   - each mm's RSS counters (MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS) count
 *     its mapped pages and swap entries.
 *
 * check_no_leaks(): after teardown, every page is free again.
 */
#include "check/check.h"
#include "mm/internal.h"
#include "mm/swap.h"

struct acct {
	uint16_t *pte_maps;	/* per pfn */
	uint16_t *pmd_maps;	/* per head pfn */
	int32_t *refs;		/* per head pfn */
	long rss[MAX_MMS][NR_MM_COUNTERS];
	int mm_index;
};

static int mm_slot(struct check_walk *w)
{
	for (int i = 0; i < w->k->nr_mms; i++)
		if (w->k->mms[i] == w->mm)
			return i;
	return 0;
}

static void acct_pte(struct check_walk *w, unsigned long addr, pte_t pte)
{
	struct acct *a = w->arg;
	long *rss = a->rss[mm_slot(w)];

	(void)addr;
	if (pte_present(pte)) {
		unsigned long pfn = pte_pfn(pte), head;

		if (pte_special(pte))
			return;
		head = w->k->mem_map[pfn].head;
		a->pte_maps[pfn]++;
		a->refs[head]++;
		rss[(w->k->mem_map[head].mapping & PAGE_MAPPING_ANON) ? MM_ANONPAGES : MM_SHMEMPAGES]++;
	} else if (!non_swap_entry(pte_to_swp_entry(pte))) {
		rss[MM_SWAPENTS]++;
	}
}

static void acct_pmd(struct check_walk *w, unsigned long addr, pmd_t pmd)
{
	struct acct *a = w->arg;
	unsigned long pfn = pmd_pfn(pmd);

	(void)addr;
	if (!pmd_trans_huge(pmd) || pfn == w->k->huge_zero_pfn)
		return;
	a->pmd_maps[pfn]++;
	a->refs[pfn]++;
	a->rss[mm_slot(w)][MM_ANONPAGES] += HPAGE_PMD_NR;
}

#define ACCT_FAIL(...) sim_fail(SIM_FIND_INVARIANT, "INV-4", "accounting: " __VA_ARGS__)

static void check_folio(struct mm_kernel *k, struct acct *a, unsigned long pfn)
{
	struct folio *f = (struct folio *)&k->mem_map[pfn];
	long nr = 1L << f->order, ptes = 0, mapped_pages = 0;

	for (long i = 0; i < nr; i++) {
		int mc = k->mem_map[pfn + (unsigned long)i]._mapcount.counter + 1;

		if (mc != a->pte_maps[pfn + (unsigned long)i])
			ACCT_FAIL("pfn %lu has mapcount %d, but %u PTEs map it", pfn + (unsigned long)i,
				  mc, a->pte_maps[pfn + (unsigned long)i]);
		ptes += a->pte_maps[pfn + (unsigned long)i];
		mapped_pages += a->pte_maps[pfn + (unsigned long)i] > 0;
	}
	if (f->order) {
		struct page *second = &k->mem_map[pfn + 1];

		if (second->_entire_mapcount.counter + 1 != a->pmd_maps[pfn])
			ACCT_FAIL("folio pfn %lu has entire mapcount %d, but %u PMDs map it", pfn,
				  second->_entire_mapcount.counter + 1, a->pmd_maps[pfn]);
		if (second->_large_mapcount.counter + 1 != ptes + a->pmd_maps[pfn])
			ACCT_FAIL("folio pfn %lu has large mapcount %d, but it is mapped %ld times",
				  pfn, second->_large_mapcount.counter + 1, ptes + a->pmd_maps[pfn]);
		if (second->_nr_pages_mapped.counter != mapped_pages)
			ACCT_FAIL("folio pfn %lu says %d pages are mapped by PTEs, but %ld are", pfn,
				  second->_nr_pages_mapped.counter, mapped_pages);
	}
	if (f->_refcount.counter != a->refs[pfn])
		ACCT_FAIL("folio pfn %lu (order %u, %s) has refcount %d, but %d references are"
			  " accounted for (%s)",
			  pfn, f->order, (f->mapping & PAGE_MAPPING_ANON) ? "anon" : "file",
			  f->_refcount.counter, a->refs[pfn],
			  f->_refcount.counter > a->refs[pfn] ? "a reference leaked"
							     : "a reference is missing");
}

void check_accounting(struct mm_kernel *k)
{
	struct acct *a = kzalloc(sizeof(*a));
	struct check_walk w = { .k = k, .arg = a, .pmd = acct_pmd, .pte = acct_pte };
	static const char *const names[NR_MM_COUNTERS] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
	};

	a->pte_maps = kzalloc(k->nr_pages * sizeof(uint16_t));
	a->pmd_maps = kzalloc(k->nr_pages * sizeof(uint16_t));
	a->refs = kzalloc(k->nr_pages * sizeof(int32_t));
	check_walk_all(&w);
	/* The swap cache holds one reference per page; writeback in flight one. */
	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];

		for (unsigned long off = 1; off < si->max; off++)
			if (si->cache[off])
				a->refs[k->mem_map[si->cache[off]].head]++;
		for (unsigned long i = 0; i < si->nr_pending; i++)
			a->refs[si->pending[i]]++;
	}
	for (int i = 0; i < k->nr_mappings; i++) {
		struct address_space *m = k->mappings[i];

		for (unsigned long j = 0; m->refcount.counter > 0 && j < m->nr_pages; j++)
			if (m->pages[j])
				a->refs[m->pages[j]]++;
	}
	for (unsigned long pfn = 0; pfn < check_pfn_end(k);) {
		struct page *p = &k->mem_map[pfn];
		unsigned long nr = 1UL << p->order;

		if (p->head != pfn || (p->flags & ((1UL << PG_buddy) | (1UL << PG_poisoned) |
						   (1UL << PG_reserved)))) {
			pfn += p->head == pfn ? nr : 1;
			continue;
		}
		check_folio(k, a, pfn);
		pfn += nr;
	}
	for (int i = 0; i < k->nr_mms; i++) {
		struct mm_struct *mm = k->mms[i];

		for (int c = 0; c < NR_MM_COUNTERS && !mm->dead; c++)
			if (mm->rss_stat[c].counter != a->rss[i][c])
				ACCT_FAIL("mm %d %s is %ld, but its page tables hold %ld", mm->id,
					  names[c], mm->rss_stat[c].counter, a->rss[i][c]);
	}
}

void check_no_leaks(struct mm_kernel *k)
{
	if (k->nr_free == k->nr_free_initial)
		return;
	for (unsigned long pfn = 0; pfn < check_pfn_end(k); pfn++) {
		struct page *p = &k->mem_map[pfn];

		if (p->head == pfn && !(p->flags & ((1UL << PG_buddy) | (1UL << PG_poisoned) |
						    (1UL << PG_reserved))))
			ACCT_FAIL("leak: %lu pages are still allocated after every address space"
				  " exited; the first is folio pfn %lu (order %u, refcount %d,"
				  " mapcount %d, mapping %#lx)",
				  k->nr_free_initial - k->nr_free, pfn, p->order,
				  p->_refcount.counter, p->_mapcount.counter + 1, p->mapping);
	}
	ACCT_FAIL("leak: %lu pages missing from the free lists", k->nr_free_initial - k->nr_free);
}
