/*
 * debug.h - the kernel's own consistency checks (include/linux/mmdebug.h),
 * as findings: a VM_BUG_ON that fires is a SIM_FIND_BUG naming the check,
 * the condition and where it sits; the execution stops there.  WARN_ON
 * does the same (the kernel would continue, but a test must not).
 */
#ifndef MMT_MM_DEBUG_H
#define MMT_MM_DEBUG_H

#include "sim/sim.h"

struct folio;
struct page;

void mm_bug(const char *check, const char *cond, const char *func, const char *file, int line,
	    const struct folio *folio, const struct page *page) __attribute__((noreturn));

#define MM_CHECK(check, cond, folio, page)                                      \
	do {                                                                   \
		if (__builtin_expect(!!(cond), 0))                             \
			mm_bug(check, #cond, __func__, __FILE__, __LINE__,     \
			       (folio), (page));                               \
	} while (0)

#define VM_BUG_ON(cond) MM_CHECK("VM_BUG_ON", cond, NULL, NULL)
#define VM_BUG_ON_FOLIO(cond, folio) MM_CHECK("VM_BUG_ON_FOLIO", cond, folio, NULL)
#define VM_BUG_ON_PAGE(cond, page) MM_CHECK("VM_BUG_ON_PAGE", cond, NULL, page)
#define VM_WARN_ON(cond) MM_CHECK("VM_WARN_ON", cond, NULL, NULL)
#define VM_WARN_ON_ONCE(cond) MM_CHECK("VM_WARN_ON_ONCE", cond, NULL, NULL)
#define VM_WARN_ON_FOLIO(cond, folio) MM_CHECK("VM_WARN_ON_FOLIO", cond, folio, NULL)
#define WARN_ON_ONCE(cond) MM_CHECK("WARN_ON_ONCE", cond, NULL, NULL)
#define BUG_ON(cond) MM_CHECK("BUG_ON", cond, NULL, NULL)
#define BUG() mm_bug("BUG", "unreachable", __func__, __FILE__, __LINE__, NULL, NULL)

#endif
