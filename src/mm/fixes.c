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
};

const struct mm_fix_info *mm_fix_find(const char *id)
{
	size_t n = strlen(id);

	if (n < 7)
		return NULL;
	for (int i = 0; i < MM_NR_FIXES; i++)
		if (!strncmp(mm_fixes[i].id, id, n))
			return &mm_fixes[i];
	return NULL;
}

bool mm_fix_enabled(enum mm_fix fix)
{
	return !(mmk()->cfg.fixes_reverted & (1UL << fix));
}
