/*
 * catalog.c - every program the command knows, with its expectation.
 * Today: the classic bugs that guard the explorer.
 */
#include <string.h>

#include "classic/classic.h"
#include "cli/cli.h"

#define CATALOG_MAX 64

static struct catalog_entry entries[CATALOG_MAX];
static size_t nentries;

static void catalog_init(void)
{
	if (nentries)
		return;
	for (size_t i = 0; i < classic_nprograms && nentries < CATALOG_MAX; i++) {
		const struct classic_entry *c = &classic_programs[i];

		entries[nentries++] = (struct catalog_entry){
			.prog = c->prog,
			.group = "classic",
			.expect_finding = c->buggy,
			.expect = c->expect,
			.also = c->also,
			.pct_depth = c->preemptions + 1 > 3 ? c->preemptions + 1 : 3,
			.dfs_bound = c->buggy ? c->preemptions : 3,
		};
	}
}

size_t catalog_size(void)
{
	catalog_init();
	return nentries;
}

const struct catalog_entry *catalog_at(size_t i)
{
	catalog_init();
	return i < nentries ? &entries[i] : NULL;
}

const struct catalog_entry *catalog_find(const char *name)
{
	catalog_init();
	for (size_t i = 0; i < nentries; i++)
		if (!strcmp(entries[i].prog->name, name))
			return &entries[i];
	return NULL;
}
