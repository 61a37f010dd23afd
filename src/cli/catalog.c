/*
 * catalog.c - every program the command knows, with its expectation: the
 * classic bugs that guard the explorer (C, src/classic/), and the bundled
 * scenario files (scenarios/GROUP/NAME.mmt), each with the rows its
 * `expect` lines give: the scenario as written (clean, or a finding), and
 * for a founding race `NAME~FIX`, the scenario with the fix reverted, which
 * must show the race.  Clean rows are shown clean by an exhaustive search
 * (preemption bound 3 for the classic programs, 2 for scenarios unless the
 * file gives another).  Also: scenarios given as files on the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classic/classic.h"
#include "cli/cli.h"
#include "scenario/bundle.h"

static struct catalog_entry **entries;	/* each allocated alone: pointers stay valid */
static size_t nentries, cap;
static struct scenario_bundle bundle;
static bool loaded;
static int load_status;

/* Scenarios loaded from files named on the command line. */
static struct scenario **extra;
static size_t nextra;

static struct catalog_entry *add_entry(void)
{
	if (nentries == cap) {
		cap = cap ? 2 * cap : 64;
		if (!(entries = realloc(entries, cap * sizeof(*entries))))
			abort();
	}
	if (!(entries[nentries] = calloc(1, sizeof(**entries))))
		abort();
	return entries[nentries++];
}

static void add_classic(void)
{
	for (size_t i = 0; i < classic_nprograms; i++) {
		const struct classic_entry *c = &classic_programs[i];
		struct catalog_entry *e = add_entry();

		e->prog = c->prog;
		snprintf(e->name, sizeof(e->name), "%s", c->prog->name);
		e->group = "classic";
		e->has_expectation = true;
		e->expect_finding = c->buggy;
		e->kinds = (1u << c->expect) | (c->also ? 1u << c->also : 0);
		e->strategy = -1;
		e->pct_depth = c->preemptions + 1 > 3 ? c->preemptions + 1 : 3;
		e->dfs_bound = c->buggy ? c->preemptions : 3;
	}
}

/* The row of one `expect` line of @sc (group @group). */
static void add_verdict(struct scenario *sc, const char *group, const struct scen_verdict *v)
{
	struct catalog_entry *e = add_entry();

	e->prog = scenario_program(sc);
	e->sc = sc;
	e->group = v->without[0] ? "seed" : group;
	e->revert = v->without[0] ? v->without : NULL;
	snprintf(e->name, sizeof(e->name), "%s%s%s", sc->name, e->revert ? "~" : "",
		 e->revert ? e->revert : "");
	e->has_expectation = true;
	e->expect_finding = v->finding;
	e->kinds = v->kinds;
	e->ids = v->ids;
	e->nids = v->nids;
	e->strategy = v->strategy;
	e->pct_depth = v->depth ? v->depth : 3;
	e->dfs_bound = v->bound >= 0 ? v->bound : v->finding ? 2 : 2;
	e->dfs_delays = v->delays;
}

static void add_scenario(struct scenario *sc, const char *group, bool with_fix_rows)
{
	bool plain = false;

	for (int i = 0; i < sc->nverdicts; i++) {
		if (!sc->verdict[i].without[0] || with_fix_rows)
			add_verdict(sc, group, &sc->verdict[i]);
		plain |= !sc->verdict[i].without[0];
	}
	if (!plain) {	/* no expectation of its own: listed, checked by nothing */
		struct catalog_entry *e = add_entry();

		e->prog = scenario_program(sc);
		e->sc = sc;
		e->group = group;
		snprintf(e->name, sizeof(e->name), "%s", sc->name);
		e->strategy = -1;
		e->pct_depth = 3;
		e->dfs_bound = 2;
	}
}

static void catalog_free(void)
{
	scenario_bundle_free(&bundle);
	for (size_t i = 0; i < nextra; i++)
		scenario_free(extra[i]);
	free(extra);
	for (size_t i = 0; i < nentries; i++)
		free(entries[i]);
	free(entries);
}

/* Load the catalog once; 0, or -1 with the error printed. */
static int catalog_init(void)
{
	const char *dir;
	char err[1024];

	if (loaded)
		return load_status;
	loaded = true;
	atexit(catalog_free);
	add_classic();
	if (!(dir = scenario_bundle_dir())) {
		fprintf(stderr, "mmtwin: warning: the bundled scenarios directory was not found"
				" (set MMTWIN_SCENARIOS); only the classic programs are listed\n");
		return 0;
	}
	if (scenario_bundle_load(&bundle, dir, err, sizeof(err))) {
		fprintf(stderr, "mmtwin: %s\n", err);
		load_status = -1;
		return -1;
	}
	/* The scenarios as written first, then the founding races' rows. */
	for (size_t i = 0; i < bundle.n; i++)
		add_scenario(bundle.sc[i], bundle.group[i], false);
	for (size_t i = 0; i < bundle.n; i++)
		for (int j = 0; j < bundle.sc[i]->nverdicts; j++)
			if (bundle.sc[i]->verdict[j].without[0])
				add_verdict(bundle.sc[i], bundle.group[i], &bundle.sc[i]->verdict[j]);
	return 0;
}

int catalog_load(void)
{
	return catalog_init();
}

size_t catalog_size(void)
{
	catalog_init();
	return nentries;
}

const struct catalog_entry *catalog_at(size_t i)
{
	catalog_init();
	return i < nentries ? entries[i] : NULL;
}

const struct catalog_entry *catalog_find(const char *name)
{
	catalog_init();
	for (size_t i = 0; i < nentries; i++)
		if (!strcmp(entries[i]->name, name))
			return entries[i];
	return NULL;
}

bool catalog_is_file(const char *arg)
{
	size_t n = strlen(arg);

	return strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".mmt"));
}

size_t catalog_file(const char *path, bool with_fix_rows, const struct catalog_entry **rows,
		    size_t max)
{
	struct scenario *sc;
	char err[1024];
	size_t first, n = 0;

	catalog_init();
	if (!(sc = scenario_load(path, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		return 0;
	}
	if (!(extra = realloc(extra, (nextra + 1) * sizeof(*extra))))
		abort();
	extra[nextra++] = sc;
	first = nentries;
	add_scenario(sc, "file", with_fix_rows);
	for (size_t i = first; i < nentries && n < max; i++) {
		entries[i]->path = sc->path;
		rows[n++] = entries[i];
	}
	return n;
}

const struct catalog_entry *catalog_resolve(const char *cmd, const char *arg)
{
	const struct catalog_entry *e;

	if (catalog_is_file(arg))
		return catalog_file(arg, false, &e, 1) ? e : NULL;
	if (catalog_init())
		return NULL;
	if (!(e = catalog_find(arg)))
		cli_error(cmd, "no program named \"%s\" (see `mmtwin list`; a scenario file is"
			       " named by a path with a '/' or ending in .mmt)", arg);
	return e;
}
