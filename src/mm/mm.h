/*
 * mm.h - pages and folios: conversions, flags, reference and map counts,
 * the folio lock (include/linux/mm.h, page-flags.h, page_ref.h, pagemap.h).
 *
 * Helpers that touch state other CPUs may change without a common lock are
 * macros over sim primitives, so that each is a scheduling point and shows
 * in a trace under its kernel name, in the calling function:
 * "folio_test_swapcache(folio) // got 1".  The __folio_set_*() forms are the
 * kernel's non-atomic ones, for folios nobody else can see yet.
 */
#ifndef MMT_MM_MM_H
#define MMT_MM_MM_H

#include <string.h>

#include "mm/debug.h"
#include "mm/kernel.h"
#include "mm/mm_types.h"

/* ---- conversions ------------------------------------------------------ */

static inline unsigned long page_to_pfn(const struct page *p)
{
	return (unsigned long)(p - mmk()->mem_map);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return &mmk()->mem_map[pfn];
}

static inline struct folio *pfn_folio(unsigned long pfn)
{
	return (struct folio *)&mmk()->mem_map[mmk()->mem_map[pfn].head];
}

static inline struct folio *page_folio(const struct page *p)
{
	return (struct folio *)&mmk()->mem_map[p->head];
}

static inline struct page *folio_page(struct folio *f, unsigned long n)
{
	return (struct page *)f + n;
}

static inline unsigned long folio_pfn(const struct folio *f)
{
	return f->head;
}

static inline unsigned folio_order(const struct folio *f)
{
	return f->order;
}

static inline long folio_nr_pages(const struct folio *f)
{
	return 1L << f->order;
}

static inline bool folio_test_large(const struct folio *f)
{
	return f->order > 0;
}

static inline unsigned long folio_page_idx(const struct folio *f, const struct page *p)
{
	return page_to_pfn(p) - folio_pfn(f);
}

/* The contents of a page, PAGE_SIZE bytes. */
static inline void *page_address(const struct page *p)
{
	return mmk()->phys + page_to_pfn(p) * PAGE_SIZE;
}

static inline void *folio_address(const struct folio *f)
{
	return mmk()->phys + folio_pfn(f) * PAGE_SIZE;
}

static inline bool is_zero_pfn(unsigned long pfn)
{
	return pfn == mmk()->zero_pfn;
}

static inline bool is_huge_zero_pfn(unsigned long pfn)
{
	return pfn == mmk()->huge_zero_pfn;
}

static inline bool is_huge_zero_folio(const struct folio *f)
{
	return folio_pfn(f) == mmk()->huge_zero_pfn;
}

/* ---- flags ---------------------------------------------------------------- */

#define MM_TEST_BIT(nr, addr, api, expr) sim_test_bit((nr), (addr), SIM_SITE(api, expr))
#define MM_SET_BIT(nr, addr, api, expr)                                          \
	((void)sim_rmw((addr), sizeof(unsigned long), SIM_OP_SET_BIT, SIM_AR_OR,  \
		       (int64_t)(1UL << (nr)), 0, SIM_SITE(api, expr)))
#define MM_CLEAR_BIT(nr, addr, api, expr)                                        \
	((void)sim_rmw((addr), sizeof(unsigned long), SIM_OP_CLEAR_BIT, SIM_AR_AND, \
		       (int64_t)~(1UL << (nr)), 0, SIM_SITE(api, expr)))

#define folio_test_locked(f) MM_TEST_BIT(PG_locked, &(f)->flags, "folio_test_locked", #f)
#define folio_test_writeback(f) MM_TEST_BIT(PG_writeback, &(f)->flags, "folio_test_writeback", #f)
#define folio_set_writeback(f) MM_SET_BIT(PG_writeback, &(f)->flags, "folio_set_writeback", #f)
#define folio_clear_writeback(f) MM_CLEAR_BIT(PG_writeback, &(f)->flags, "folio_end_writeback", #f)
#define folio_test_uptodate(f) MM_TEST_BIT(PG_uptodate, &(f)->flags, "folio_test_uptodate", #f)
#define folio_test_dirty(f) MM_TEST_BIT(PG_dirty, &(f)->flags, "folio_test_dirty", #f)
#define folio_mark_dirty(f) MM_SET_BIT(PG_dirty, &(f)->flags, "folio_mark_dirty", #f)
#define folio_clear_dirty(f) MM_CLEAR_BIT(PG_dirty, &(f)->flags, "folio_clear_dirty", #f)
#define folio_test_lru(f) MM_TEST_BIT(PG_lru, &(f)->flags, "folio_test_lru", #f)
#define folio_test_swapcache(f) MM_TEST_BIT(PG_swapcache, &(f)->flags, "folio_test_swapcache", #f)
#define folio_set_swapcache(f) MM_SET_BIT(PG_swapcache, &(f)->flags, "folio_set_swapcache", #f)
#define folio_clear_swapcache(f) MM_CLEAR_BIT(PG_swapcache, &(f)->flags, "folio_clear_swapcache", #f)
#define folio_test_swapbacked(f) MM_TEST_BIT(PG_swapbacked, &(f)->flags, "folio_test_swapbacked", #f)
#define folio_test_mlocked(f) MM_TEST_BIT(PG_mlocked, &(f)->flags, "folio_test_mlocked", #f)
#define folio_test_ksm(f) MM_TEST_BIT(PG_ksm, &(f)->flags, "folio_test_ksm", #f)
#define folio_test_referenced(f) MM_TEST_BIT(PG_referenced, &(f)->flags, "folio_test_referenced", #f)
#define folio_set_referenced(f) MM_SET_BIT(PG_referenced, &(f)->flags, "folio_mark_accessed", #f)

#define PageAnonExclusive(p) MM_TEST_BIT(PG_anon_exclusive, &(p)->flags, "PageAnonExclusive", #p)
#define SetPageAnonExclusive(p) MM_SET_BIT(PG_anon_exclusive, &(p)->flags, "SetPageAnonExclusive", #p)
#define ClearPageAnonExclusive(p) MM_CLEAR_BIT(PG_anon_exclusive, &(p)->flags, "ClearPageAnonExclusive", #p)

static inline void __folio_set_flag(struct folio *f, int nr) { f->flags |= 1UL << nr; }
static inline void __folio_clear_flag(struct folio *f, int nr) { f->flags &= ~(1UL << nr); }
static inline bool __folio_test_flag(const struct folio *f, int nr) { return (f->flags >> nr) & 1; }
static inline bool __page_test_flag(const struct page *p, int nr) { return (p->flags >> nr) & 1; }

/* Contents written, then flagged: the barrier orders them for lockless
 * readers that find the folio through a PTE (paired with the PTE read). */
#define __folio_mark_uptodate(f)                                                \
	do {                                                                   \
		smp_wmb();                                                     \
		__folio_set_flag((f), PG_uptodate);                            \
	} while (0)

/* ---- reference counts ----------------------------------------------------- */

#define MM_AREAD(v, api, expr)                                                 \
	({                                                                     \
		int __mmt_v;                                                   \
		sim_load(&(v)->counter, &__mmt_v, sizeof(int), SIM_OP_ATOMIC_READ, \
			 SIM_SITE(api, expr));                                 \
		__mmt_v;                                                       \
	})
#define MM_ARMW(v, op, ar, a, b, api, expr)                                    \
	((int)sim_rmw(&(v)->counter, sizeof(int), SIM_OP_##op, SIM_AR_##ar,       \
		      (int64_t)(a), (int64_t)(b), SIM_SITE(api, expr)))

#define folio_ref_count(f) MM_AREAD(&(f)->_refcount, "folio_ref_count", #f)
#define folio_ref_add(f, n) ((void)MM_ARMW(&(f)->_refcount, ATOMIC_ADD, ADD, (n), 0, "folio_ref_add", #f))
#define folio_ref_sub(f, n) ((void)MM_ARMW(&(f)->_refcount, ATOMIC_ADD, ADD, -(n), 0, "folio_ref_sub", #f))
/* folio_try_get(): a reference unless the folio is being freed (count 0). */
#define folio_try_get(f) (MM_ARMW(&(f)->_refcount, ATOMIC_ADD_UNLESS, ADD_UNLESS, 1, 0, "folio_try_get", #f) != 0)

/* folio_get(): the caller already holds a reference (or a mapping does). */
#define folio_get(f)                                                           \
	do {                                                                   \
		struct folio *__mmt_f = (f);                                   \
		int __mmt_old = MM_ARMW(&__mmt_f->_refcount, ATOMIC_ADD, ADD, 1, 0, \
					"folio_get", #f);                      \
		VM_BUG_ON_FOLIO(__mmt_old <= 0, __mmt_f);                      \
	} while (0)

void __folio_put(struct folio *f);

/* folio_put_refs(): drop @n references; the last one frees the folio. */
#define folio_put_refs(f, n)                                                   \
	do {                                                                   \
		struct folio *__mmt_f = (f);                                   \
		int __mmt_n = (n);                                             \
		int __mmt_old = MM_ARMW(&__mmt_f->_refcount, ATOMIC_ADD_RETURN, ADD, \
					-__mmt_n, 0, "folio_put", #f);         \
		VM_BUG_ON_FOLIO(__mmt_old < __mmt_n, __mmt_f);                 \
		if (__mmt_old == __mmt_n)                                      \
			__folio_put(__mmt_f);                                  \
	} while (0)
#define folio_put(f) folio_put_refs(f, 1)

/* ---- map counts ------------------------------------------------------------- */

static inline struct page *folio_second(struct folio *f)
{
	return folio_page(f, 1);
}

#define page_mapcount_raw(p) MM_AREAD(&(p)->_mapcount, "page_mapcount", #p)

/* folio_mapcount(): every mapping of the folio, PMD and PTE. */
static inline int folio_mapcount(struct folio *f)
{
	if (!folio_test_large(f))
		return MM_AREAD(&f->_mapcount, "folio_mapcount", "folio") + 1;
	return MM_AREAD(&folio_second(f)->_large_mapcount, "folio_mapcount", "folio") + 1;
}

static inline bool folio_mapped(struct folio *f)
{
	return folio_mapcount(f) > 0;
}

static inline int folio_entire_mapcount(struct folio *f)
{
	if (!folio_test_large(f))
		return 0;
	return MM_AREAD(&folio_second(f)->_entire_mapcount, "folio_entire_mapcount", "folio") + 1;
}

/* folio_maybe_dma_pinned(): may a FOLL_PIN pin exist?  Small folios tell by a
 * refcount bias (so >= 1024 plain references look pinned, as in the kernel);
 * large folios keep an exact count. */
static inline bool folio_maybe_dma_pinned(struct folio *f)
{
	if (folio_test_large(f))
		return MM_AREAD(&folio_second(f)->_pincount, "folio_maybe_dma_pinned", "folio") > 0;
	return MM_AREAD(&f->_refcount, "folio_maybe_dma_pinned", "folio") >= GUP_PIN_COUNTING_BIAS;
}

/* ---- fields holding model objects ------------------------------------------- */

/*
 * folio->mapping and vma->anon_vma hold pointers to model objects (an
 * anon_vma, tagged PAGE_MAPPING_ANON, or an address_space).  They are read
 * and written as by READ_ONCE/WRITE_ONCE - the same step, the same trace
 * line - but the trace shows the object's id shifted left by one (the tag
 * kept), never its host address: traces are the same in every process, as
 * page tables hold table ids rather than pointers.
 */
static inline uint64_t anon_vma_trace(const struct anon_vma *av)
{
	return av ? (uint64_t)av->id << 1 : 0;
}

static inline uint64_t mapping_trace(unsigned long m)
{
	if (m & PAGE_MAPPING_ANON)
		return anon_vma_trace((const struct anon_vma *)(m & ~PAGE_MAPPING_ANON)) |
		       PAGE_MAPPING_ANON;
	return m ? (uint64_t)((const struct address_space *)m)->id << 1 : 0;
}

#define MM_OBJ_READ(x, trace, expr)                                            \
	({                                                                     \
		const struct sim_site *__mmt_s = SIM_SITE("READ_ONCE", expr);  \
		struct sim_cpu *__mmt_c = sim_enter(__mmt_s);                  \
		__typeof__(x) __mmt_v = __atomic_load_n(&(x), __ATOMIC_SEQ_CST); \
		sim_record_at(__mmt_c, SIM_OP_READ_ONCE, __mmt_s, 0, trace(__mmt_v), 0, &(x)); \
		__mmt_v;                                                       \
	})
#define MM_OBJ_WRITE(x, val, trace, expr)                                      \
	do {                                                                   \
		const struct sim_site *__mmt_s = SIM_SITE("WRITE_ONCE", expr); \
		struct sim_cpu *__mmt_c = sim_enter(__mmt_s);                  \
		__typeof__(x) __mmt_v = (val);                                 \
		__atomic_store_n(&(x), __mmt_v, __ATOMIC_SEQ_CST);             \
		sim_record_at(__mmt_c, SIM_OP_WRITE_ONCE, __mmt_s, 0, trace(__mmt_v), 0, &(x)); \
	} while (0)

#define READ_ONCE_MAPPING(f) MM_OBJ_READ((f)->mapping, mapping_trace, #f "->mapping")
#define WRITE_ONCE_MAPPING(f, m) MM_OBJ_WRITE((f)->mapping, (m), mapping_trace, #f "->mapping")
#define READ_ONCE_ANON_VMA(vma) MM_OBJ_READ((vma)->anon_vma, anon_vma_trace, #vma "->anon_vma")
#define WRITE_ONCE_ANON_VMA(vma, av)                                           \
	MM_OBJ_WRITE((vma)->anon_vma, (av), anon_vma_trace, #vma "->anon_vma")

/* ---- anon mapping ------------------------------------------------------------ */

static inline bool folio_test_anon(struct folio *f)
{
	return READ_ONCE_MAPPING(f) & PAGE_MAPPING_ANON;
}

static inline struct anon_vma *folio_anon_vma(struct folio *f)
{
	unsigned long m = READ_ONCE_MAPPING(f);

	if (!(m & PAGE_MAPPING_ANON))
		return NULL;
	return (struct anon_vma *)(m & ~PAGE_MAPPING_ANON);
}

/* ---- the folio lock (mm/filemap.c) ---------------------------------- */

extern struct lock_class folio_lock_class;

static inline struct lockdep_map folio_lock_map(struct folio *f)
{
	return (struct lockdep_map){ &folio_lock_class, "folio", (uint32_t)folio_pfn(f), f };
}

#define folio_lock(f)                                                          \
	do {                                                                   \
		struct folio *__mmt_f = (f);                                   \
		struct lockdep_map __mmt_m = folio_lock_map(__mmt_f);          \
		sim_bit_lock(&__mmt_f->flags, PG_locked, &__mmt_m, SIM_SITE("folio_lock", #f)); \
	} while (0)
#define folio_trylock(f)                                                       \
	({                                                                     \
		struct folio *__mmt_f = (f);                                   \
		struct lockdep_map __mmt_m = folio_lock_map(__mmt_f);          \
		sim_bit_trylock(&__mmt_f->flags, PG_locked, &__mmt_m,          \
				SIM_SITE("folio_trylock", #f));                \
	})
#define folio_unlock(f)                                                        \
	do {                                                                   \
		struct folio *__mmt_f = (f);                                   \
		struct lockdep_map __mmt_m = folio_lock_map(__mmt_f);          \
		sim_bit_unlock(&__mmt_f->flags, PG_locked, &__mmt_m, SIM_SITE("folio_unlock", #f)); \
	} while (0)

/* Unlock a folio that was born locked (split): lockdep never saw it taken. */
#define folio_unlock_new(f)                                                    \
	sim_bit_unlock(&(f)->flags, PG_locked, NULL, SIM_SITE("folio_unlock", #f))

/* folio_wait_locked(): sleep until the folio is unlocked (do not take it). */
#define folio_wait_locked(f)                                                   \
	sim_bit_wait(&(f)->flags, PG_locked, SIM_SITE("folio_wait_locked", #f))

/* The caller holds the folio lock (VM_BUG_ON_FOLIO(!folio_test_locked())). */
static inline bool folio_locked_by_me(struct folio *f)
{
	struct lockdep_map m = folio_lock_map(f);

	return sim_lockdep_is_held(&m);
}

/* ---- page allocation (page_alloc.c) ------------------------------------ */

/* A new folio of 2^order pages, refcount 1, contents unspecified; NULL if
 * memory is exhausted. */
struct folio *folio_alloc(unsigned order);
/* The same, contents zeroed (GFP_ZERO / clear_user_highpage). */
struct folio *folio_alloc_zeroed(unsigned order);

/* Copy the contents of one folio's pages into another's (copy_mc_user_highpage). */
static inline void folio_copy(struct folio *dst, struct folio *src)
{
	memcpy(folio_address(dst), folio_address(src), (size_t)folio_nr_pages(src) * PAGE_SIZE);
}

#endif
