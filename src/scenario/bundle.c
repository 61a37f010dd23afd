/*
 * bundle.c - the scenarios that come with mmtwin: the directory they live
 * in (scenarios/ of the source tree, found from the executable), and
 * loading every file of it, one subdirectory per group, in name order.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/bundle.h"

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

const char *scenario_bundle_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], *slash;
	const char *env = getenv("MMTWIN_SCENARIOS");
	ssize_t n;

	if (env && *env)
		return is_dir(env) ? env : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		if ((slash = strrchr(exe, '/')))
			*slash = 0;
		snprintf(dir, sizeof(dir), "%.*s/../scenarios", (int)(sizeof(dir) - 16), exe);
		if (is_dir(dir))
			return dir;
		snprintf(dir, sizeof(dir), "%.*s/scenarios", (int)(sizeof(dir) - 16), exe);
		if (is_dir(dir))
			return dir;
		/* make install: PREFIX/bin/mmtwin, PREFIX/share/mmtwin/scenarios */
		snprintf(dir, sizeof(dir), "%.*s/../share/mmtwin/scenarios", (int)(sizeof(dir) - 32),
			 exe);
		if (is_dir(dir))
			return dir;
	}
#ifdef MMTWIN_SRCDIR
	snprintf(dir, sizeof(dir), "%s/scenarios", MMTWIN_SRCDIR);
	if (is_dir(dir))
		return dir;
#endif
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subdirectories (or the .mmt files) of @dir, sorted; NULL-terminated. */
static char **list_dir(const char *dir, bool want_dirs)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (want_dirs ? !is_dir(path) : (len < 5 || strcmp(de->d_name + len - 4, ".mmt")))
			continue;
		if (n + 2 > cap) {
			cap = cap ? 2 * cap : 16;
			if (!(v = realloc(v, cap * sizeof(*v))))
				abort();
		}
		if (!(v[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	if (!v)
		return calloc(1, sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_names);
	v[n] = NULL;
	return v;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int load_file(struct scenario_bundle *b, const char *dir, const char *group,
		     const char *file, char *err, size_t errlen)
{
	char path[PATH_MAX], shown[PATH_MAX];
	struct scenario *sc;
	size_t len = strlen(file) - 4;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, group, file);
	snprintf(shown, sizeof(shown), "scenarios/%s/%s", group, file);
	if (!(sc = scenario_load(path, err, errlen)))
		return -1;
	scenario_set_path(sc, shown);
	if (strlen(sc->name) != len || strncmp(sc->name, file, len)) {
		snprintf(err, errlen, "%s: the scenario is named %s; a bundled file is named after"
			 " its scenario", shown, sc->name);
		scenario_free(sc);
		return -1;
	}
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->sc[i]->name, sc->name)) {
			snprintf(err, errlen, "%s: a second scenario named %s (%s)", shown, sc->name,
				 b->sc[i]->path);
			scenario_free(sc);
			return -1;
		}
	if (!(b->sc = realloc(b->sc, (b->n + 1) * sizeof(*b->sc))) ||
	    !(b->group = realloc(b->group, (b->n + 1) * sizeof(*b->group))) ||
	    !(b->group[b->n] = strdup(group)))
		abort();
	b->sc[b->n++] = sc;
	return 0;
}

int scenario_bundle_load(struct scenario_bundle *b, const char *dir, char *err, size_t errlen)
{
	char **groups = list_dir(dir, true), sub[PATH_MAX];
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (!groups) {
		snprintf(err, errlen, "%s: cannot read the directory: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t g = 0; groups[g] && !rc; g++) {
		char **files;

		snprintf(sub, sizeof(sub), "%s/%s", dir, groups[g]);
		files = list_dir(sub, false);
		for (size_t i = 0; files && files[i] && !rc; i++)
			rc = load_file(b, dir, groups[g], files[i], err, errlen);
		free_list(files);
	}
	free_list(groups);
	if (rc)
		scenario_bundle_free(b);
	return rc;
}

void scenario_bundle_free(struct scenario_bundle *b)
{
	for (size_t i = 0; i < b->n; i++) {
		scenario_free(b->sc[i]);
		free(b->group[i]);
	}
	free(b->sc);
	free(b->group);
	memset(b, 0, sizeof(*b));
}
