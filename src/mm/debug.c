/*
 * debug.c - VM_BUG_ON and friends as findings (mm/debug.c: dump_page).
 */
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"

/* The folio, with its mapping named by object id (never a host address:
 * reports are the same in every process). */
static void describe_folio(const struct folio *f, char *buf, size_t n)
{
	uint64_t m = mapping_trace(f->mapping);
	char map[48];

	if (!f->mapping)
		snprintf(map, sizeof(map), "none");
	else
		snprintf(map, sizeof(map), "%s %llu", (m & PAGE_MAPPING_ANON) ? "anon_vma" : "file",
			 (unsigned long long)(m >> 1));
	snprintf(buf, n, "; folio pfn %lu order %u refcount %d mapcount %d mapping %s index %#lx flags %#lx",
		 (unsigned long)f->head, f->order, f->_refcount.counter, f->_mapcount.counter + 1,
		 map, f->index, f->flags);
}

void mm_bug(const char *check, const char *cond, const char *func, const char *file, int line,
	    const struct folio *folio, const struct page *page)
{
	const char *base = strrchr(file, '/');
	char extra[256] = "";

	if (page && !folio)
		folio = page_folio(page);
	if (folio)
		describe_folio(folio, extra, sizeof(extra));
	sim_fail(SIM_FIND_BUG, check, "%s(%s) in %s (%s:%d)%s", check, cond, func,
		 base ? base + 1 : file, line, extra);
}
