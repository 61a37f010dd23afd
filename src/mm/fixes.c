/*
 * fixes.c - the table of named fix toggles (see fixes.h).
 */
#include "mm/fixes.h"

#include <string.h>

#include "mm/kernel.h"

const struct mm_fix_info mm_fixes[MM_NR_FIXES] = {
	[FIX_SWAPIN_SKIP_SWAPCACHE_RACE] = {
		FIX_SWAPIN_SKIP_SWAPCACHE_RACE, "13ddaf26be32",
		"mm/swap: fix race when skipping swapcache", "seeds/002",
	},
	[FIX_MOVE_SWAPCACHE] = {
		FIX_MOVE_SWAPCACHE, "c50f8e6053b0",
		"mm: Fix kernel BUG when userfaultfd_move encounters swapcache", "seeds/001",
	},
	[FIX_MOVE_SWAPCACHE_FOLIO_RECHECK] = {
		FIX_MOVE_SWAPCACHE_FOLIO_RECHECK, "0ea148a79919.folio",
		"mm: userfaultfd: fix race of userfaultfd_move and swap cache"
		" (check A: the locked folio is still the entry's)", "seeds/000",
	},
	[FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK] = {
		FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK, "0ea148a79919.hascache",
		"mm: userfaultfd: fix race of userfaultfd_move and swap cache"
		" (check B: no SWAP_HAS_CACHE under the PTL)", "seeds/000",
	},
	[FIX_MOVE_PMD_NONPRESENT] = {
		FIX_MOVE_PMD_NONPRESENT, "adef440691ba.pmd",
		"userfaultfd: UFFDIO_MOVE uABI (as merged after review: re-check the PMD"
		" after pmd_trans_huge_lock, v1 asserted a THP)", "seeds/004",
	},
	[FIX_MOVE_SPLIT_PMD_MIGRATION] = {
		FIX_MOVE_SPLIT_PMD_MIGRATION, "aba6faec0103",
		"userfaultfd: fix a crash in UFFDIO_MOVE when PMD is a migration entry", "seeds/004",
	},
};

unsigned long mm_fix_match(const char *id)
{
	size_t n = strlen(id);
	unsigned long mask = 0;

	for (int i = 0; i < MM_NR_FIXES; i++) {
		if (!strcmp(mm_fixes[i].id, id))
			return 1UL << i;
		if (n >= 7 && !strncmp(mm_fixes[i].id, id, n))
			mask |= 1UL << i;
	}
	return mask;
}
