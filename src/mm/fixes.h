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

enum mm_fix {
	/* do_swap_page(): pin the entry with swapcache_prepare() for the whole
	 * SWP_SYNCHRONOUS_IO bypass, and back off if it is taken (seed 002). */
	FIX_SWAPIN_SKIP_SWAPCACHE_RACE,
	MM_NR_FIXES
};

struct mm_fix_info {
	enum mm_fix fix;
	const char *id;		/* short upstream commit id */
	const char *subject;	/* upstream subject line */
	const char *seed;	/* the seed document it closes, or NULL */
};

extern const struct mm_fix_info mm_fixes[MM_NR_FIXES];

/* The fix with @id (a prefix of at least 7 hex digits), or NULL. */
const struct mm_fix_info *mm_fix_find(const char *id);

/* Is @fix applied in the running model kernel? */
bool mm_fix_enabled(enum mm_fix fix);

#endif
