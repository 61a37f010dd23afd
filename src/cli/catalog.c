/*
 * catalog.c - every program the command knows, with its expectation:
 * the classic bugs that guard the explorer, and races over the model
 * kernel (clean ones are shown clean by an exhaustive search: preemption
 * bound 3 for the classic programs, 2 for the longer model-kernel ones).
 */
#include <stdio.h>
#include <string.h>

#include "classic/classic.h"
#include "cli/cli.h"
#include "scenario/builtin.h"

#define CATALOG_MAX 64

static struct catalog_entry entries[CATALOG_MAX];
static char names[CATALOG_MAX][80];
static size_t nentries;

static void add_seeds(void)
{
	for (size_t i = 0; i < builtin_seed_nvariants && nentries < CATALOG_MAX; i++) {
		const struct seed_variant *v = &builtin_seed_variants[i];

		snprintf(names[nentries], sizeof(names[0]), "%s~%s", v->prog->name, v->revert);
		entries[nentries] = (struct catalog_entry){
			.prog = v->prog,
			.name = names[nentries],
			.revert = v->revert,
			.group = "seed",
			.expect_finding = true,
			.expect = v->expect,
			.also = v->also,
			.pct_depth = 3,
			.dfs_bound = v->dfs_bound,
			.find_with_dfs = v->dfs_bound > 0,
			.dfs_delays = v->dfs_delays,
		};
		nentries++;
	}
}

static void add_group(const struct classic_entry *list, size_t n, const char *group, int bound);

static void catalog_init(void)
{
	if (nentries)
		return;
	add_group(classic_programs, classic_nprograms, "classic", 3);
	add_group(builtin_mm_programs, builtin_mm_nprograms, "mm", 2);
	add_group(builtin_swap_programs, builtin_swap_nprograms, "swap", 2);
	add_group(builtin_uffd_programs, builtin_uffd_nprograms, "uffd", 2);
	add_seeds();
}

static void add_group(const struct classic_entry *list, size_t n, const char *group, int bound)
{
	for (size_t i = 0; i < n && nentries < CATALOG_MAX; i++) {
		const struct classic_entry *c = &list[i];

		entries[nentries++] = (struct catalog_entry){
			.prog = c->prog,
			.name = c->prog->name,
			.group = group,
			.expect_finding = c->buggy,
			.expect = c->expect,
			.also = c->also,
			.pct_depth = c->preemptions + 1 > 3 ? c->preemptions + 1 : 3,
			.dfs_bound = c->buggy || c->preemptions ? c->preemptions : bound,
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
		if (!strcmp(entries[i].name, name))
			return &entries[i];
	return NULL;
}
