/*
 * swap.c - the LRU list of anonymous folios (mm/swap.c: folio_add_lru,
 * folio_putback_lru, __page_cache_release; mm/vmscan.c: folio_isolate_lru).
 *
 * One list, newest at the head; reclaim takes from the tail.  PG_lru says a
 * folio is on it.  Isolation takes the folio off and holds a reference for
 * the isolator.  Leaves out: per-CPU LRU batches, active/inactive lists,
 * MGLRU, per-memcg lruvecs, file folios.
 *
 * The list is model bookkeeping under a host lock (the kernel's lru_lock is
 * never part of the races the model studies).
 */
#include "mm/swap.h"

static struct page *lru_page(struct mm_kernel *k, uint32_t pfn)
{
	return &k->mem_map[pfn];
}

static void lru_unlink(struct mm_kernel *k, struct folio *folio)
{
	uint32_t pfn = (uint32_t)folio_pfn(folio);
	struct page *p = lru_page(k, pfn);

	if (p->lru_prev)
		lru_page(k, p->lru_prev)->lru_next = p->lru_next;
	else
		k->lru_head = p->lru_next;
	if (p->lru_next)
		lru_page(k, p->lru_next)->lru_prev = p->lru_prev;
	else
		k->lru_tail = p->lru_prev;
	p->lru_next = p->lru_prev = 0;
	k->nr_lru--;
}

void folio_add_lru(struct folio *folio)
{
	struct mm_kernel *k = mmk();
	uint32_t pfn = (uint32_t)folio_pfn(folio);

	sim_hostlock_lock(&k->lru_lock);
	if (!(__atomic_fetch_or(&folio->flags, 1UL << PG_lru, __ATOMIC_SEQ_CST) & (1UL << PG_lru))) {
		folio->lru_prev = 0;
		folio->lru_next = k->lru_head;
		if (k->lru_head)
			lru_page(k, k->lru_head)->lru_prev = pfn;
		else
			k->lru_tail = pfn;
		k->lru_head = pfn;
		k->nr_lru++;
	}
	sim_hostlock_unlock(&k->lru_lock);
}

/* folio_isolate_lru(): take the folio off the LRU, with a reference; the
 * caller already holds one (a mapping under its PTL, or a lookup). */
bool folio_isolate_lru(struct folio *folio)
{
	struct mm_kernel *k = mmk();
	bool ok;

	sim_hostlock_lock(&k->lru_lock);
	ok = __atomic_fetch_and(&folio->flags, ~(1UL << PG_lru), __ATOMIC_SEQ_CST) & (1UL << PG_lru);
	if (ok)
		lru_unlink(k, folio);
	sim_hostlock_unlock(&k->lru_lock);
	if (ok)
		folio_get(folio);
	return ok;
}

void folio_putback_lru(struct folio *folio)
{
	folio_add_lru(folio);
	folio_put(folio);
}

/* __page_cache_release(): a folio being freed leaves the LRU. */
void lru_remove_freed(struct folio *folio)
{
	struct mm_kernel *k = mmk();

	if (!(folio->flags & (1UL << PG_lru)))
		return;
	sim_hostlock_lock(&k->lru_lock);
	if (__atomic_fetch_and(&folio->flags, ~(1UL << PG_lru), __ATOMIC_SEQ_CST) & (1UL << PG_lru))
		lru_unlink(k, folio);
	sim_hostlock_unlock(&k->lru_lock);
}
