/*
 * page_alloc.c - physical pages: a buddy allocator over the model's
 * mem_map, the zero pages, and freeing (mm/page_alloc.c, mm/swap.c:
 * __folio_put, free_pages_prepare / free_page_is_bad).
 *
 * Models: allocation of naturally aligned 2^order blocks by splitting
 * larger ones, freeing with buddy merging, the "bad page" checks done at
 * free, and poisoning of freed pages (page_poisoning) so that a use after
 * free is visible.  Leaves out: zones, watermarks, per-CPU lists, reclaim
 * on allocation failure (an allocation fails only when memory is gone).
 *
 * Free lists are LIFO and the first block of memory is reserved (pfn 0 is
 * never a page; pfn 1 is the zero page; the second PMD-size block is the
 * huge zero folio), so the allocation sequence - and every pfn in a trace -
 * is the same in every run.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "mm/swap.h"

#define POISON_FREE 0x6b

static struct page *pg(struct mm_kernel *k, unsigned long pfn)
{
	return &k->mem_map[pfn];
}

/* struct page @pfn is about to differ from its boot state. */
static inline void dirty(struct mm_kernel *k, unsigned long pfn)
{
	if (pfn >= k->mem_map_dirty)
		k->mem_map_dirty = pfn + 1;
}

static void list_push(struct mm_kernel *k, unsigned order, unsigned long pfn)
{
	struct page *p = pg(k, pfn);

	dirty(k, pfn);
	if (k->free_head[order])
		dirty(k, k->free_head[order]);

	p->lru_prev = 0;
	p->lru_next = k->free_head[order];
	if (p->lru_next)
		pg(k, p->lru_next)->lru_prev = (uint32_t)pfn;
	k->free_head[order] = (uint32_t)pfn;
	p->flags = (1UL << PG_buddy) | (1UL << PG_poisoned);
	p->order = order;
	p->head = (uint32_t)pfn;
}

static void list_del(struct mm_kernel *k, unsigned order, unsigned long pfn)
{
	struct page *p = pg(k, pfn);

	dirty(k, pfn);
	if (p->lru_prev)
		dirty(k, p->lru_prev);
	if (p->lru_next)
		dirty(k, p->lru_next);

	if (p->lru_prev)
		pg(k, p->lru_prev)->lru_next = p->lru_next;
	else
		k->free_head[order] = p->lru_next;
	if (p->lru_next)
		pg(k, p->lru_next)->lru_prev = p->lru_prev;
	p->lru_next = p->lru_prev = 0;
}

static void free_block(struct mm_kernel *k, unsigned long pfn, unsigned order)
{
	k->nr_free += 1UL << order;
	while (order < MAX_ORDER - 1) {
		unsigned long buddy = pfn ^ (1UL << order);
		struct page *b;

		if (buddy + (1UL << order) > k->nr_pages || buddy == 0)
			break;
		b = pg(k, buddy);
		if (!(b->flags & (1UL << PG_buddy)) || b->order != order || b->head != buddy)
			break;
		list_del(k, order, buddy);
		b->flags = 1UL << PG_poisoned;
		pfn &= ~(1UL << order);
		order++;
	}
	list_push(k, order, pfn);
}

static void reserve(struct mm_kernel *k, unsigned long pfn, unsigned order)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = pg(k, pfn + i);

		p->flags = 1UL << PG_reserved;
		p->head = (uint32_t)pfn;
		p->_mapcount.counter = -1;
	}
	pg(k, pfn)->order = order;
	pg(k, pfn)->_refcount.counter = 1;
	if (order) {
		pg(k, pfn)->flags |= 1UL << PG_head;
		pg(k, pfn + 1)->_large_mapcount.counter = -1;
		pg(k, pfn + 1)->_entire_mapcount.counter = -1;
	}
}

void mm_page_alloc_init(struct mm_kernel *k)
{
	k->mem_map_dirty = 2 * HPAGE_PMD_NR;	/* the reserved block: always restored */
	k->zero_pfn = 1;
	k->huge_zero_pfn = HPAGE_PMD_NR;
	if (k->boot_map) {
		/* kernel_reset() copied the boot state back. */
		memcpy(k->free_head, k->boot_free_head, sizeof(k->free_head));
		k->nr_free = k->nr_free_initial = k->boot_nr_free;
		return;
	}
	for (unsigned long pfn = 0; pfn < k->nr_pages; pfn++)
		pg(k, pfn)->flags = 1UL << PG_poisoned;
	reserve(k, 0, 0);		/* pfn 0: never a page */
	reserve(k, k->zero_pfn, 0);
	reserve(k, k->huge_zero_pfn, HPAGE_PMD_ORDER);
	/* Free the rest, highest blocks first so that low pfns come out first. */
	for (unsigned long pfn = k->nr_pages; pfn > 2 * HPAGE_PMD_NR;) {
		pfn -= HPAGE_PMD_NR;
		free_block(k, pfn, HPAGE_PMD_ORDER);
	}
	for (unsigned long pfn = HPAGE_PMD_NR; pfn > 2; pfn--)
		free_block(k, pfn - 1, 0);
	k->nr_free_initial = k->nr_free;
	k->mem_map_dirty = 2 * HPAGE_PMD_NR;
	/* Keep the boot state for the next executions. */
	k->boot_map = malloc(k->nr_pages * sizeof(struct page));
	if (k->boot_map) {
		memcpy(k->boot_map, k->mem_map, k->nr_pages * sizeof(struct page));
		memcpy(k->boot_free_head, k->free_head, sizeof(k->free_head));
		k->boot_nr_free = k->nr_free;
	}
}

static void prep_new_folio(struct mm_kernel *k, unsigned long pfn, unsigned order)
{
	unsigned long nr = 1UL << order;

	dirty(k, pfn + nr - 1);

	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = pg(k, pfn + i);

		memset(p, 0, sizeof(*p));
		p->head = (uint32_t)pfn;
		p->_mapcount.counter = -1;
		if (order)
			p->flags = 1UL << (i ? PG_tail : PG_head);
	}
	pg(k, pfn)->order = order;
	pg(k, pfn)->_refcount.counter = 1;
	if (order) {
		struct page *second = pg(k, pfn + 1);

		second->_large_mapcount.counter = -1;
		second->_entire_mapcount.counter = -1;
	}
}

struct folio *folio_alloc(unsigned order)
{
	struct mm_kernel *k = mmk();
	unsigned long pfn = 0;
	unsigned o;

	if (order >= MAX_ORDER)
		return NULL;
	sim_hostlock_lock(&k->zone_lock);
	for (o = order; o < MAX_ORDER && !k->free_head[o]; o++)
		;
	if (o < MAX_ORDER) {
		pfn = k->free_head[o];
		list_del(k, o, pfn);
		while (o > order) {
			o--;
			list_push(k, o, pfn + (1UL << o));
		}
		k->nr_free -= 1UL << order;
		prep_new_folio(k, pfn, order);
	}
	sim_hostlock_unlock(&k->zone_lock);
	return pfn ? (struct folio *)pg(k, pfn) : NULL;
}

struct folio *folio_alloc_zeroed(unsigned order)
{
	struct folio *f = folio_alloc(order);

	if (f)
		memset(folio_address(f), 0, (size_t)folio_nr_pages(f) * PAGE_SIZE);
	return f;
}

/* free_page_is_bad(): what must be true of a folio that is freed. */
static void check_free(struct folio *f)
{
	unsigned long bad = (1UL << PG_locked) | (1UL << PG_writeback) | (1UL << PG_swapcache) |
			    (1UL << PG_reserved) | (1UL << PG_lru) | (1UL << PG_mlocked) |
			    (1UL << PG_buddy);

	VM_BUG_ON_FOLIO(f->flags & bad, f);
	VM_BUG_ON_FOLIO(f->_mapcount.counter != -1, f);
	if (folio_test_large(f)) {
		VM_BUG_ON_FOLIO(folio_second(f)->_large_mapcount.counter != -1, f);
		VM_BUG_ON_FOLIO(folio_second(f)->_entire_mapcount.counter != -1, f);
		VM_BUG_ON_FOLIO(folio_second(f)->_pincount.counter != 0, f);
		for (long i = 1; i < folio_nr_pages(f); i++)
			VM_BUG_ON_PAGE(folio_page(f, i)->_mapcount.counter != -1, folio_page(f, i));
	}
}

/* __folio_put(): the last reference is gone; give the pages back. */
void __folio_put(struct folio *f)
{
	struct mm_kernel *k = mmk();
	unsigned long pfn = folio_pfn(f);
	unsigned order = folio_order(f);

	lru_remove_freed(f);
	check_free(f);
	memset(folio_address(f), POISON_FREE, (size_t)folio_nr_pages(f) * PAGE_SIZE);
	sim_hostlock_lock(&k->zone_lock);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = pg(k, pfn + i);

		memset(p, 0, sizeof(*p));
		p->flags = 1UL << PG_poisoned;
		p->head = (uint32_t)pfn;
		p->_mapcount.counter = -1;
	}
	free_block(k, pfn, order);
	sim_hostlock_unlock(&k->zone_lock);
}
