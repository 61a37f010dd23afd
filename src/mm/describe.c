/*
 * describe.c - model-only: the objects a trace touched, named for reports
 * (DESIGN §5).  At the end of an execution that is to be shown, every
 * event's address is looked up among the model's objects - PTEs and PMDs
 * (named after the program's mappings: src_pte[0], dst_pmd), page-table
 * locks (src_ptl), struct page fields (folio A, named in order of first
 * mention), swap_map and swap-cache slots (swap_map[S1]), mm and VMA locks -
 * and its values are decoded by type: swp(S1), present(folio A, rw),
 * 1|SWAP_HAS_CACHE, +swapcache.  The report layer prints what this says
 * (sim_describe()) and never looks inside the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

enum span_kind {
	SP_PTES,	/* a PTE table's entries: obj = ptdesc */
	SP_PTL,		/* its lock */
	SP_PMDS,	/* a PMD table's entries: obj = pmd_page, mm and va base */
	SP_PMD_PTL,
	SP_MEM_MAP,
	SP_SWAP_MAP,	/* obj = swap_info_struct */
	SP_SWAP_CACHE,
	SP_SWAP_LOCK,
	SP_SWAP_CACHE_LOCK,
	SP_SWAP_INFO,	/* the rest of the swap_info_struct */
	SP_MM,		/* obj = mm_struct */
	SP_VMA,		/* obj = vm_area_struct */
	SP_ANON_VMA,	/* obj = anon_vma */
	SP_UFFD,	/* obj = userfaultfd_ctx */
};

struct span {
	uintptr_t start, end;
	enum span_kind kind;
	const void *obj;
	const struct mm_struct *mm;	/* SP_PTES/PTL/PMDS/PMD_PTL: the mm */
	unsigned long va;		/* ... and the first address it maps */
};

#define NAMER_MAX 64

struct namer {
	struct mm_kernel *k;
	struct span *spans;
	size_t nspans, cap;
	unsigned long folio[NAMER_MAX];	/* head pfns, in order of first mention */
	int nfolio;
	uint64_t swp[NAMER_MAX];	/* swap entry values, likewise */
	int nswp;
	char legend[1024];
	size_t legend_len;
};

/* ---- names ------------------------------------------------------------------- */

static void legend_add(struct namer *n, const char *fmt, unsigned long a, unsigned long b,
		       const char *name)
{
	if (n->legend_len < sizeof(n->legend))
		n->legend_len += (size_t)snprintf(n->legend + n->legend_len,
						  sizeof(n->legend) - n->legend_len, fmt,
						  n->legend_len ? ", " : "", name, a, b);
}

static void letters(int i, char *buf, size_t len)
{
	if (i < 26)
		snprintf(buf, len, "%c", 'A' + i);
	else
		snprintf(buf, len, "%c%c", 'A' + i / 26 - 1, 'A' + i % 26);
}

/* "folio A" for the folio holding @pfn; "folio A[3]" for its fourth page. */
static void folio_name(struct namer *n, unsigned long pfn, bool page, char *buf, size_t len)
{
	struct mm_kernel *k = n->k;
	unsigned long head;
	char l[8];
	int i;

	if (!pfn || pfn >= k->nr_pages) {
		snprintf(buf, len, "pfn %lu", pfn);
		return;
	}
	if (pfn == k->zero_pfn) {
		snprintf(buf, len, "zero page");
		return;
	}
	head = k->mem_map[pfn].head;
	if (head >= k->nr_pages)
		head = pfn;
	if (head == k->huge_zero_pfn) {
		snprintf(buf, len, "huge zero folio");
		return;
	}
	for (i = 0; i < n->nfolio && n->folio[i] != head; i++)
		;
	if (i == n->nfolio && i < NAMER_MAX) {
		n->folio[n->nfolio++] = head;
		letters(i, l, sizeof(l));
		{
			char name[16];

			snprintf(name, sizeof(name), "folio %s", l);
			legend_add(n, "%s%s = pfn %lu, order %lu", head, k->mem_map[head].order, name);
		}
	}
	letters(i, l, sizeof(l));
	if (page && pfn != head)
		snprintf(buf, len, "folio %s[%lu]", l, pfn - head);
	else
		snprintf(buf, len, "folio %s", l);
}

/* "S1" for a swap entry. */
static void swp_name(struct namer *n, swp_entry_t e, char *buf, size_t len)
{
	int i;

	for (i = 0; i < n->nswp && n->swp[i] != e.val; i++)
		;
	if (i == n->nswp && i < NAMER_MAX) {
		char name[16];

		n->swp[n->nswp++] = e.val;
		snprintf(name, sizeof(name), "S%d", i + 1);
		legend_add(n, "%s%s = swap %lu:%lu", swp_type(e), swp_offset(e), name);
	}
	snprintf(buf, len, "S%d", i + 1);
}

static const char *mm_label(const struct mm_kernel *k, const struct mm_struct *mm)
{
	for (int i = 0; i < k->nr_mm_names; i++)
		if (k->mm_names[i].mm == mm)
			return k->mm_names[i].name;
	return NULL;
}

/* The program's name for @va in @mm (any mm if none there): "src+0x1000". */
static const struct mm_region_name *region_of(const struct mm_kernel *k,
					      const struct mm_struct *mm, unsigned long va)
{
	const struct mm_region_name *any = NULL;

	for (int i = 0; i < k->nr_region_names; i++) {
		const struct mm_region_name *r = &k->region_names[i];

		if (va < r->start || va - r->start >= r->len)
			continue;
		if (r->mm == mm)
			return r;
		if (!any)
			any = r;
	}
	return any;
}

/* "child:" before names of another process than the first one named. */
static const char *mm_prefix(const struct mm_kernel *k, const struct mm_struct *mm, char *buf,
			     size_t len)
{
	const char *name = mm ? mm_label(k, mm) : NULL;

	buf[0] = 0;
	if (name && k->nr_mm_names && k->mm_names[0].mm != mm)
		snprintf(buf, len, "%s:", name);
	return buf;
}

/* ---- the objects: spans of host memory --------------------------------------- */

static void span_add(struct namer *n, const void *start, size_t size, enum span_kind kind,
		     const void *obj, const struct mm_struct *mm, unsigned long va)
{
	if (n->nspans == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 256;
		if (!(n->spans = realloc(n->spans, n->cap * sizeof(*n->spans))))
			abort();
	}
	n->spans[n->nspans++] = (struct span){ (uintptr_t)start, (uintptr_t)start + size, kind,
					       obj, mm, va };
}

static void spans_of_mm(struct namer *n, struct mm_struct *mm)
{
	struct vma_array *vmas = mm->vmas;

	span_add(n, mm, sizeof(*mm), SP_MM, mm, mm, 0);
	if (mm->dead)	/* exit_mmap() freed its tables and VMAs */
		return;
	for (int i = 0; vmas && i < vmas->nr; i++) {
		struct vm_area_struct *vma = vmas->v[i];
		struct userfaultfd_ctx *ctx = vma->vm_userfaultfd_ctx;

		span_add(n, vma, sizeof(*vma), SP_VMA, vma, mm, 0);
		/* its anon_vmas up to the root (the root's rwsem is the lock) */
		for (struct anon_vma *av = vma->anon_vma; av && !av->freed; av = av->parent) {
			span_add(n, av, sizeof(*av), SP_ANON_VMA, av, mm, 0);
			if (av == av->root)
				break;
		}
		if (ctx)
			span_add(n, ctx, sizeof(*ctx), SP_UFFD, ctx, mm, 0);
	}
	for (unsigned p = 0; p < PTRS_PER_PUD; p++) {
		struct pmd_page *pp = mm->pud[p];
		unsigned long base = (unsigned long)p << PUD_SHIFT;

		if (!pp)
			continue;
		span_add(n, pp->pmds, sizeof(pp->pmds), SP_PMDS, pp, mm, base);
		span_add(n, &pp->ptl, sizeof(pp->ptl), SP_PMD_PTL, pp, mm, base);
		for (unsigned i = 0; i < PTRS_PER_PMD; i++) {
			pmd_t v = pp->pmds[i];
			unsigned long va = base + ((unsigned long)i << PMD_SHIFT);
			struct ptdesc *pt = NULL;

			/* Only tables the instance knows: a PMD being torn down may
			 * hold anything. */
			if (pmd_is_table(v) && pmd_table_id(v) &&
			    pmd_table_id(v) <= n->k->nr_ptables)
				pt = n->k->ptables[pmd_table_id(v)];
			else if (!pmd_is_table(v))
				pt = pp->deposit[i];
			if (!pt || pt->freed)
				continue;
			span_add(n, pt->ptes, sizeof(pt->ptes), SP_PTES, pt, mm, va);
			span_add(n, &pt->ptl, sizeof(pt->ptl), SP_PTL, pt, mm, va);
		}
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void spans_build(struct namer *n)
{
	struct mm_kernel *k = n->k;

	span_add(n, k->mem_map, k->nr_pages * sizeof(struct page), SP_MEM_MAP, NULL, NULL, 0);
	for (int i = 0; i < k->nr_mms; i++)
		spans_of_mm(n, k->mms[i]);
	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];

		span_add(n, si->swap_map, si->max, SP_SWAP_MAP, si, NULL, 0);
		span_add(n, si->cache, si->max * sizeof(*si->cache), SP_SWAP_CACHE, si, NULL, 0);
		span_add(n, &si->lock, sizeof(si->lock), SP_SWAP_LOCK, si, NULL, 0);
		span_add(n, &si->cache_lock, sizeof(si->cache_lock), SP_SWAP_CACHE_LOCK, si, NULL, 0);
		span_add(n, si, sizeof(*si), SP_SWAP_INFO, si, NULL, 0);
	}
	qsort(n->spans, n->nspans, sizeof(*n->spans), span_cmp);
}

/* The smallest span holding @a (spans do not overlap but for a few). */
static const struct span *span_find(const struct namer *n, uintptr_t a)
{
	const struct span *best = NULL;
	size_t lo = 0, hi = n->nspans;

	if (!a)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (n->spans[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, seen = 0; i-- > 0 && seen < 8; seen++) {
		const struct span *s = &n->spans[i];

		if (a < s->end && (!best || s->end - s->start < best->end - best->start))
			best = s;
	}
	return best;
}

/* ---- values ------------------------------------------------------------------- */

static void pte_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	pte_t p = __pte(v);
	char f[24];

	if (pte_none(p)) {
		snprintf(buf, len, "none");
	} else if (pte_present(p)) {
		folio_name(n, pte_pfn(p), true, f, sizeof(f));
		snprintf(buf, len, "present(%s%s)", f, pte_write(p) ? ", rw" : "");
	} else {
		swp_entry_t e = pte_to_swp_entry(p);

		if (is_migration_entry(e)) {
			folio_name(n, swp_offset_pfn(e), true, f, sizeof(f));
			snprintf(buf, len, "migration(%s)", f);
		} else if (is_pte_marker_entry(e)) {
			snprintf(buf, len, "marker(%#lx)", pte_marker_get(e));
		} else {
			swp_name(n, e, f, sizeof(f));
			snprintf(buf, len, "swp(%s)", f);
		}
	}
}

static void pmd_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	pmd_t p = __pmd(v);
	char f[24];

	if (pmd_none(p)) {
		snprintf(buf, len, "none");
	} else if (pmd_is_table(p)) {
		snprintf(buf, len, "table");
	} else if (pmd_protnone(p) && (v & _PAGE_PSE)) {
		/* pmdp_invalidate(): still huge to pmd_trans_huge(), not present */
		folio_name(n, pmd_pfn(p), false, f, sizeof(f));
		snprintf(buf, len, "invalidated(%s)", f);
	} else if (pmd_trans_huge(p)) {
		folio_name(n, pmd_pfn(p), false, f, sizeof(f));
		snprintf(buf, len, "huge(%s%s)", f, pmd_write(p) ? ", rw" : "");
	} else {
		swp_entry_t e = pmd_to_swp_entry(p);

		if (is_migration_entry(e)) {
			folio_name(n, swp_offset_pfn(e), false, f, sizeof(f));
			snprintf(buf, len, "migration(%s)", f);
		} else {
			swp_name(n, e, f, sizeof(f));
			snprintf(buf, len, "swp(%s)", f);
		}
	}
}

static void count_text(uint64_t v, char *buf, size_t len)
{
	unsigned c = (unsigned)v & SWAP_COUNT_MASK;

	if (v & SWAP_HAS_CACHE)
		snprintf(buf, len, c ? "%u|SWAP_HAS_CACHE" : "SWAP_HAS_CACHE", c);
	else
		snprintf(buf, len, "%u", c);
}

static void cache_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "empty");
	else
		folio_name(n, (unsigned long)v, false, buf, len);
}

/* folio->mapping as traced (mapping_trace): an anon_vma or a file, by id. */
static void mapping_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	(void)n;
	if (!v)
		snprintf(buf, len, "none");
	else if (v & PAGE_MAPPING_ANON)
		snprintf(buf, len, "anon_vma %llu", (unsigned long long)(v >> 1));
	else
		snprintf(buf, len, "file %llu", (unsigned long long)(v >> 1));
}

/* folio->index of an anonymous folio: the page offset of the address it
 * was mapped at (vm_pgoff is vm_start's page), named after the mapping. */
static void index_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	const struct mm_region_name *r = region_of(n->k, NULL, (unsigned long)v << PAGE_SHIFT);

	if (!r)
		snprintf(buf, len, "%#llx", (unsigned long long)v);
	else if (((unsigned long)v << PAGE_SHIFT) == r->start)
		snprintf(buf, len, "index of %s", r->name);
	else
		snprintf(buf, len, "index of %s+%lup", r->name,
			 (((unsigned long)v << PAGE_SHIFT) - r->start) >> PAGE_SHIFT);
}

/* An atomic_t: a signed 32-bit number (mapcounts start at -1). */
static void int_text(struct namer *n, uint64_t v, char *buf, size_t len)
{
	(void)n;
	snprintf(buf, len, "%d", (int)(int32_t)v);
}

static const char *const flag_names[__NR_PAGEFLAGS] = {
	"locked", "writeback", "referenced", "uptodate", "dirty", "lru", "head", "tail",
	"active", "swapcache", "swapbacked", "reserved", "mlocked", "anon_exclusive", "buddy",
	"poisoned", "ksm",
};

/* The flags that changed: "+swapcache -locked". */
static void flags_diff(uint64_t old, uint64_t new, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (int b = 0; b < __NR_PAGEFLAGS && at < len; b++)
		if (((old ^ new) >> b) & 1)
			at += (size_t)snprintf(buf + at, len - at, "%s%c%s", at ? " " : "",
					       (new >> b) & 1 ? '+' : '-', flag_names[b]);
	if (!at)
		snprintf(buf, len, "unchanged");
}

/* A value of @kind as the event class shows it: one value, or old -> new. */
typedef void (*decode_fn)(struct namer *n, uint64_t v, char *buf, size_t len);

static void values(struct namer *n, const struct sim_event *e, decode_fn dec, char *buf,
		   size_t len)
{
	char a[96], b[96];

	switch (sim_op_class((enum sim_op)e->op)) {
	case 'R':
	case 'W':
		dec(n, e->val, buf, len);
		break;
	case 'X':
		dec(n, e->val, a, sizeof(a));
		dec(n, e->val2, b, sizeof(b));
		snprintf(buf, len, "%s -> %s", a, b);
		break;
	case 'C':
		dec(n, e->val, a, sizeof(a));
		if (e->obj) {
			dec(n, e->val2, b, sizeof(b));
			snprintf(buf, len, "%s -> %s", a, b);
		} else {
			snprintf(buf, len, "%s", a);
		}
		break;
	default:
		buf[0] = 0;
	}
}

static void count_dec(struct namer *n, uint64_t v, char *buf, size_t len)
{
	(void)n;
	count_text(v, buf, len);
}

/* ---- one event ------------------------------------------------------------------ */

/* @expr with its first identifier replaced by @name ("&folio->_refcount" ->
 * "&folio B->_refcount"); just @name if the rest is not a member access. */
static void substitute(const char *expr, const char *name, char *buf, size_t len)
{
	const char *s = expr, *id;

	while (*s == '&' || *s == '*' || *s == '(')
		s++;
	id = s;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
	       *s == '_')
		s++;
	if (s > id && (!strncmp(s, "->", 2) || *s == '.'))
		snprintf(buf, len, "%.*s%s%s", (int)(id - expr), expr, name, s);
	else
		snprintf(buf, len, "%s", name);
}

/* Which PTE of @sp the address is, as "src_pte[2]" (or a range). */
static void pte_label(struct namer *n, const struct span *sp, uintptr_t a, unsigned nr, char *buf,
		      size_t len)
{
	unsigned idx = (unsigned)((a - sp->start) / sizeof(pte_t));
	unsigned long va = sp->va + ((unsigned long)idx << PAGE_SHIFT);
	const struct mm_region_name *r = region_of(n->k, sp->mm, va);
	char pre[32];

	mm_prefix(n->k, sp->mm, pre, sizeof(pre));
	if (!r)
		snprintf(buf, len, "%spte(%#lx)", pre, va);
	else if (nr > 1)
		snprintf(buf, len, "%s%s_pte[%lu..%lu]", pre, r->name, (va - r->start) >> PAGE_SHIFT,
			 ((va - r->start) >> PAGE_SHIFT) + nr - 1);
	else
		snprintf(buf, len, "%s%s_pte[%lu]", pre, r->name, (va - r->start) >> PAGE_SHIFT);
}

/* The mapping a table covering [va, va + span) belongs to: "src". */
static const char *table_owner(struct namer *n, const struct span *sp, unsigned long span)
{
	for (int i = 0; i < n->k->nr_region_names; i++) {
		const struct mm_region_name *r = &n->k->region_names[i];

		if (r->start < sp->va + span && r->start + r->len > sp->va &&
		    (r->mm == sp->mm || !mm_label(n->k, sp->mm)))
			return r->name;
	}
	return NULL;
}

static void pmd_label(struct namer *n, const struct span *sp, uintptr_t a, char *buf, size_t len)
{
	unsigned idx = (unsigned)((a - sp->start) / sizeof(pmd_t));
	struct span one = *sp;
	const char *owner;
	char pre[32];

	one.va = sp->va + ((unsigned long)idx << PMD_SHIFT);
	owner = table_owner(n, &one, PMD_SIZE);
	mm_prefix(n->k, sp->mm, pre, sizeof(pre));
	if (owner)
		snprintf(buf, len, "%s%s_pmd", pre, owner);
	else
		snprintf(buf, len, "%spmd(%#lx)", pre, one.va);
}

static void describe_user(struct namer *n, struct sim_exec *x, size_t i, const struct sim_event *e)
{
	const struct mm_region_name *r = region_of(n->k, NULL, (unsigned long)e->val2);
	char label[96];

	if (!r)
		return;
	if (e->val2 == r->start)
		snprintf(label, sizeof(label), "%s", r->name);
	else
		snprintf(label, sizeof(label), "%s+%#lx", r->name,
			 (unsigned long)e->val2 - r->start);
	sim_describe(x, i, label, NULL);
}

static void describe_page(struct namer *n, struct sim_exec *x, size_t i, const struct sim_event *e,
			  const struct span *sp)
{
	size_t off = (e->addr - sp->start) % sizeof(struct page);
	unsigned long pfn = (e->addr - sp->start) / sizeof(struct page);
	const char *expr = e->site->expr ? e->site->expr : "";
	char name[32], label[128], val[160];
	bool flags = off == offsetof(struct page, flags);

	folio_name(n, pfn, !strstr(expr, "folio"), name, sizeof(name));
	substitute(expr, name, label, sizeof(label));
	val[0] = 0;
	if (flags && sim_op_class((enum sim_op)e->op) == 'X' && e->op != SIM_OP_SET_BIT &&
	    e->op != SIM_OP_CLEAR_BIT)
		flags_diff(e->val, e->val2, val, sizeof(val));
	else if (flags && (e->op == SIM_OP_SET_BIT || e->op == SIM_OP_CLEAR_BIT) &&
		 e->val2 != 0)
		flags_diff(e->val, e->val2, val, sizeof(val));
	else if (off >= offsetof(struct page, _large_mapcount) &&
		 off < offsetof(struct page, _mapcount) && (unsigned)(off & 3) == 0 &&
		 pfn != n->k->mem_map[pfn].head) {
		/* a large folio's counters, in its second page */
		static const char *const tail[] = { "_large_mapcount", "_entire_mapcount",
						    "_nr_pages_mapped", "_pincount" };
		size_t k = (off - offsetof(struct page, _large_mapcount)) / sizeof(atomic_t);

		if (k < sizeof(tail) / sizeof(tail[0]) && !strstr(label, "->"))
			snprintf(label, sizeof(label), "%s->%s", name, tail[k]);
		values(n, e, int_text, val, sizeof(val));
	} else if (off == offsetof(struct page, mapping))
		values(n, e, mapping_text, val, sizeof(val));
	else if (off == offsetof(struct page, index))
		values(n, e, index_text, val, sizeof(val));
	else if (off >= offsetof(struct page, _mapcount) && off < offsetof(struct page, head) &&
		 e->val2 != 0xffffffffffffffffULL)
		values(n, e, int_text, val, sizeof(val));
	sim_describe(x, i, label, val[0] ? val : NULL);
}

static void describe_table(struct namer *n, struct sim_exec *x, size_t i,
			   const struct sim_event *e, const struct span *sp)
{
	const char *api = e->site->api ? e->site->api : "";
	char label[96], val[200], pre[32];
	const char *owner;

	switch (sp->kind) {
	case SP_PTES:
		if (!strcmp(api, "set_ptes") || !strcmp(api, "pte_range_none")) {
			pte_label(n, sp, e->addr, (unsigned)e->val2, label, sizeof(label));
			if (!strcmp(api, "set_ptes"))
				pte_text(n, e->val, val, sizeof(val));
			else
				snprintf(val, sizeof(val), "%s", e->val ? "all none" : "not all none");
		} else if (e->val2 == HPAGE_PMD_NR && e->op == SIM_OP_WRITE_ONCE &&
			   strstr(api, "split")) {
			pte_label(n, sp, e->addr, HPAGE_PMD_NR, label, sizeof(label));
			folio_name(n, (unsigned long)e->val, false, val, sizeof(val));
		} else {
			pte_label(n, sp, e->addr, 1, label, sizeof(label));
			values(n, e, pte_text, val, sizeof(val));
		}
		break;
	case SP_PMDS:
		pmd_label(n, sp, e->addr, label, sizeof(label));
		values(n, e, pmd_text, val, sizeof(val));
		break;
	case SP_PTL:
	case SP_PMD_PTL:
		owner = table_owner(n, sp, sp->kind == SP_PTL ? PMD_SIZE : PUD_SIZE);
		mm_prefix(n->k, sp->mm, pre, sizeof(pre));
		if (owner)
			snprintf(label, sizeof(label), "%s%s_%s", pre, owner,
				 sp->kind == SP_PTL ? "ptl" : "pmd_ptl");
		else
			snprintf(label, sizeof(label), "%s%s(%#lx)", pre,
				 sp->kind == SP_PTL ? "ptl" : "pmd_ptl", sp->va);
		val[0] = 0;
		break;
	default:
		return;
	}
	sim_describe(x, i, label, val[0] ? val : NULL);
}

static void describe_swap(struct namer *n, struct sim_exec *x, size_t i, const struct sim_event *e,
			  const struct span *sp)
{
	const struct swap_info_struct *si = sp->obj;
	char label[64], val[160], s[16];
	unsigned long off;

	switch (sp->kind) {
	case SP_SWAP_MAP:
		off = (unsigned long)(e->addr - sp->start);
		swp_name(n, swp_entry((unsigned)si->type, off), s, sizeof(s));
		snprintf(label, sizeof(label), "swap_map[%s]", s);
		values(n, e, count_dec, val, sizeof(val));
		break;
	case SP_SWAP_CACHE:
		off = (unsigned long)(e->addr - sp->start) / sizeof(*si->cache);
		swp_name(n, swp_entry((unsigned)si->type, off), s, sizeof(s));
		snprintf(label, sizeof(label), "swap_cache[%s]", s);
		values(n, e, cache_text, val, sizeof(val));
		break;
	case SP_SWAP_LOCK:
	case SP_SWAP_CACHE_LOCK:
		snprintf(label, sizeof(label), "swap%d %s", si->type,
			 sp->kind == SP_SWAP_LOCK ? "lock" : "cache_lock");
		val[0] = 0;
		break;
	case SP_SWAP_INFO:
		snprintf(s, sizeof(s), "swap%d", si->type);
		substitute(e->site->expr ? e->site->expr : "", s, label, sizeof(label));
		val[0] = 0;
		break;
	default:
		return;
	}
	sim_describe(x, i, label, val[0] ? val : NULL);
}

static void describe_process(struct namer *n, struct sim_exec *x, size_t i,
			     const struct sim_event *e, const struct span *sp)
{
	const char *expr = e->site->expr ? e->site->expr : "";
	const char *name = mm_label(n->k, sp->mm);
	char who[64], label[128];

	if (sp->kind == SP_VMA) {
		const struct vm_area_struct *vma = sp->obj;
		const struct mm_region_name *r = region_of(n->k, vma->vm_mm, vma->vm_start);
		char pre[32];

		mm_prefix(n->k, vma->vm_mm, pre, sizeof(pre));
		if (!r)
			return;
		snprintf(who, sizeof(who), "%s%s vma", pre, r->name);
	} else if (name) {
		snprintf(who, sizeof(who), "%s mm", name);
	} else {
		return;
	}
	substitute(expr, who, label, sizeof(label));
	sim_describe(x, i, label, NULL);
}

/* An anon_vma ("&anon_vma 3->rwsem") or a userfaultfd context
 * ("&uffd 1->map_changing_lock"), by id, with the field the event touched. */
static void describe_owner(struct namer *n, struct sim_exec *x, size_t i,
			   const struct sim_event *e, const struct span *sp)
{
	const char *expr = e->site->expr ? e->site->expr : "";
	uintptr_t off = e->addr - sp->start;
	const char *field = NULL;
	char who[48], label[128];

	(void)n;
	if (sp->kind == SP_ANON_VMA) {
		const struct anon_vma *av = sp->obj;

		snprintf(who, sizeof(who), "anon_vma %d", av->id);
		if (off >= offsetof(struct anon_vma, rwsem) &&
		    off < offsetof(struct anon_vma, rwsem) + sizeof(av->rwsem))
			field = "rwsem";
	} else {
		const struct userfaultfd_ctx *ctx = sp->obj;

		snprintf(who, sizeof(who), "uffd %d", ctx->id);
		if (off >= offsetof(struct userfaultfd_ctx, map_changing_lock) &&
		    off < offsetof(struct userfaultfd_ctx, map_changing_lock) +
				  sizeof(ctx->map_changing_lock))
			field = "map_changing_lock";
		else if (off >= offsetof(struct userfaultfd_ctx, fault_pending_lock) &&
			 off < offsetof(struct userfaultfd_ctx, fault_pending_lock) +
				       sizeof(ctx->fault_pending_lock))
			field = "fault_pending_lock";
		else if (off >= offsetof(struct userfaultfd_ctx, event_lock) &&
			 off < offsetof(struct userfaultfd_ctx, event_lock) + sizeof(ctx->event_lock))
			field = "event_lock";
	}
	if (field)
		snprintf(label, sizeof(label), "%s%s->%s", *expr == '&' ? "&" : "", who, field);
	else
		substitute(expr, who, label, sizeof(label));
	sim_describe(x, i, label, NULL);
}

static void describe_event(struct namer *n, struct sim_exec *x, size_t i)
{
	const struct sim_event *e = &x->ev[i];
	const struct span *sp;

	if (!e->site)
		return;
	if (e->op == SIM_OP_USER_READ || e->op == SIM_OP_USER_WRITE) {
		describe_user(n, x, i, e);
		return;
	}
	if (!(sp = span_find(n, e->addr)))
		return;
	switch (sp->kind) {
	case SP_MEM_MAP:
		describe_page(n, x, i, e, sp);
		break;
	case SP_PTES:
	case SP_PTL:
	case SP_PMDS:
	case SP_PMD_PTL:
		describe_table(n, x, i, e, sp);
		break;
	case SP_SWAP_MAP:
	case SP_SWAP_CACHE:
	case SP_SWAP_LOCK:
	case SP_SWAP_CACHE_LOCK:
	case SP_SWAP_INFO:
		describe_swap(n, x, i, e, sp);
		break;
	case SP_MM:
	case SP_VMA:
		describe_process(n, x, i, e, sp);
		break;
	case SP_ANON_VMA:
	case SP_UFFD:
		describe_owner(n, x, i, e, sp);
		break;
	}
}

void mm_describe_trace(struct mm_kernel *k, struct sim_exec *x)
{
	struct namer n;

	memset(&n, 0, sizeof(n));
	n.k = k;
	spans_build(&n);
	for (size_t i = 0; i < x->nev; i++)
		describe_event(&n, x, i);
	if (n.legend_len)
		sim_describe_legend(x, n.legend);
	free(n.spans);
}

void mm_name_region(struct mm_struct *mm, unsigned long start, unsigned long len,
		    const char *name)
{
	struct mm_kernel *k = mmk();

	sim_hostlock_lock(&k->id_lock);
	if (k->nr_region_names < MM_MAX_REGION_NAMES)
		k->region_names[k->nr_region_names++] =
			(struct mm_region_name){ mm, start, len, name };
	sim_hostlock_unlock(&k->id_lock);
}

void mm_name_mm(struct mm_struct *mm, const char *name)
{
	struct mm_kernel *k = mmk();

	sim_hostlock_lock(&k->id_lock);
	if (k->nr_mm_names < MAX_MMS)
		k->mm_names[k->nr_mm_names++] = (struct mm_name){ mm, name };
	sim_hostlock_unlock(&k->id_lock);
}
