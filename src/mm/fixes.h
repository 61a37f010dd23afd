/*
 * fixes.h - known upstream fixes as named toggles.
 *
 * Each fix is on by default; reverting one makes the model run the exact
 * code path from before the fix, so the historical race can be reproduced
 * (and shown closed when the fix is applied again).  `mmtwin fixes` lists
 * them; `--revert ID` (explore, stress) turns one off.  A reverted fix is
 * part of a program's identity: its schedule tokens name it.
 */
#ifndef MMT_MM_FIXES_H
#define MMT_MM_FIXES_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/kernel.h"

enum mm_fix {
	/* do_swap_page(): pin the entry with swapcache_prepare() for the whole
	 * SWP_SYNCHRONOUS_IO bypass, and back off if it is taken (seed 002). */
	FIX_SWAPIN_SKIP_SWAPCACHE_RACE,
	/* move_pages_pte(): look a swap PTE's entry up in the swap cache and
	 * move the cached folio's anon rmap and index with the PTE (seed 001). */
	FIX_MOVE_SWAPCACHE,
	/* move_swap_pte(): once locked, the cached folio must still be in the
	 * swap cache under this entry (seed 000, race A). */
	FIX_MOVE_SWAPCACHE_FOLIO_RECHECK,
	/* move_swap_pte(): with no cached folio, SWAP_HAS_CACHE must be clear
	 * under the PTL (seed 000, race B). */
	FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK,
	/* move_pages_huge_pmd(): re-check the PMD kind after
	 * pmd_trans_huge_lock() instead of asserting a THP (seed 004). */
	FIX_MOVE_PMD_NONPRESENT,
	/* move_pages(): on the split path, a PMD migration entry is not a
	 * folio (seed 004's sequel). */
	FIX_MOVE_SPLIT_PMD_MIGRATION,
	MM_NR_FIXES
};

struct mm_fix_info {
	enum mm_fix fix;
	const char *id;		/* short upstream commit id */
	const char *subject;	/* upstream subject line */
	const char *seed;	/* the seed document it closes, or NULL */
};

extern const struct mm_fix_info mm_fixes[MM_NR_FIXES];

/* The set of fixes @id names, as a mask of (1 << fix): an exact id, or a
 * prefix of at least 7 characters (so "0ea148a79919" names both of its
 * checks); 0 if none. */
unsigned long mm_fix_match(const char *id);

/* Is @fix applied in the running model kernel? */
static inline bool mm_fix_enabled(enum mm_fix fix)
{
	return !(mmk()->cfg.fixes_reverted & (1UL << fix));
}

#endif
