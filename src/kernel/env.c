/*
 * env.c - zram swap and THP modes for a kernel run, put back afterwards
 * (env.h).
 *
 * Swap: the zram device is used only if nothing uses it (initstate 0 and
 * not in /proc/swaps) and no other kernel run holds the lock file; it is
 * sized, given a swap header (written here: a page with version 1, the
 * last page and the "SWAPSPACE2" signature at the end) and turned on with
 * swapon(2).  Putting it back is swapoff(2) and a reset of the device.
 *
 * THP: every mode file (enabled, defrag, each hugepages-*kB/enabled) is
 * read first; putting back writes each saved mode that differs.
 */
#include "kernel/env.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

const char *kenv_sysfs_thp = "/sys/kernel/mm/transparent_hugepage";
const char *kenv_zram = "zram0";

#define KENV_LOCK "/run/lock/mmtwin-kernel-env.lock"

int kenv_read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = 0;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = (ssize_t)strlen(text);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, (size_t)n) == n;
	if (close(fd))
		ok = 0;
	return ok ? 0 : -1;
}

bool kenv_selected(const char *text, char *out, size_t n)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || (size_t)(b - a - 1) >= n || b == a + 1)
		return false;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = 0;
	return true;
}

static void zram_path(char *buf, size_t n, const char *file)
{
	snprintf(buf, n, "/sys/block/%s/%s", kenv_zram, file);
}

/* Is the device in /proc/swaps? */
static bool zram_is_swap(void)
{
	char dev[64], line[512];
	FILE *fp = fopen("/proc/swaps", "re");
	bool found = false;

	if (!fp)
		return false;
	snprintf(dev, sizeof(dev), "/dev/%s ", kenv_zram);
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, dev, strlen(dev)))
			found = true;
	fclose(fp);
	return found;
}

static bool zram_initialised(void)
{
	char path[256], text[32];

	zram_path(path, sizeof(path), "initstate");
	return !kenv_read_file(path, text, sizeof(text)) && text[0] == '1';
}

int kenv_check(struct kenv *e)
{
	char path[256];
	struct stat st;

	e->lockfd = -1;
	e->err[0] = 0;
	if (!e->swap && !e->thp && !e->nmthp)
		return 0;
	if (geteuid() != 0) {
		snprintf(e->err, sizeof(e->err), "not root (changing swap or THP needs root)");
		return KENV_SKIP;
	}
	if (!e->swap)
		return 0;
	zram_path(path, sizeof(path), "disksize");
	if (stat(path, &st)) {
		snprintf(e->err, sizeof(e->err), "no zram device (/sys/block/%.64s)", kenv_zram);
		return KENV_SKIP;
	}
	e->lockfd = open(KENV_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->lockfd >= 0 && flock(e->lockfd, LOCK_EX | LOCK_NB)) {
		close(e->lockfd);
		e->lockfd = -1;
		snprintf(e->err, sizeof(e->err), "%s is in use by another kernel run", kenv_zram);
		return KENV_SKIP;
	}
	if (zram_is_swap() || zram_initialised()) {
		snprintf(e->err, sizeof(e->err), "%s is in use (%s)", kenv_zram,
			 zram_is_swap() ? "it is swap already" : "it is initialised");
		return KENV_SKIP;
	}
	return 0;
}

static int save_file(struct kenv *e, const char *path)
{
	char text[256];
	struct kenv_file *f;

	if (e->nfiles == KENV_MAX_FILES || kenv_read_file(path, text, sizeof(text)))
		return 0;	/* a kernel without it: nothing to change, nothing to put back */
	f = &e->files[e->nfiles];
	if (!kenv_selected(text, f->saved, sizeof(f->saved)))
		return 0;
	snprintf(f->path, sizeof(f->path), "%s", path);
	e->nfiles++;
	return 0;
}

int kenv_save(struct kenv *e)
{
	char path[256];
	DIR *d;
	struct dirent *de;

	e->nfiles = 0;
	snprintf(path, sizeof(path), "%s/enabled", kenv_sysfs_thp);
	save_file(e, path);
	snprintf(path, sizeof(path), "%s/defrag", kenv_sysfs_thp);
	save_file(e, path);
	if ((d = opendir(kenv_sysfs_thp))) {
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "hugepages-", 10)) {
				snprintf(path, sizeof(path), "%s/%.64s/enabled", kenv_sysfs_thp,
					 de->d_name);
				save_file(e, path);
			}
		closedir(d);
	}
	e->zram_was_free = e->swap && !zram_is_swap() && !zram_initialised();
	return 0;
}

/* The swap header of a device of @pages pages, written at its start. */
static int write_swap_header(const char *dev, unsigned long pages)
{
	long psz = sysconf(_SC_PAGESIZE);
	unsigned char *page = calloc(1, (size_t)psz);
	uint32_t v[3] = { 1, (uint32_t)(pages - 1), 0 };	/* version, last_page, nr_badpages */
	int fd, ok;

	if (!page)
		return -1;
	memcpy(page + 1024, v, sizeof(v));
	memcpy(page + psz - 10, "SWAPSPACE2", 10);
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, page, (size_t)psz) == psz && !fsync(fd);
	if (fd >= 0 && close(fd))
		ok = 0;
	free(page);
	return ok ? 0 : -1;
}

static int apply_swap(struct kenv *e)
{
	char path[256], size[32], dev[64];
	unsigned long bytes = e->swap_mb << 20;

	zram_path(path, sizeof(path), "disksize");
	snprintf(size, sizeof(size), "%lu", bytes);
	if (write_text(path, size)) {
		snprintf(e->err, sizeof(e->err), "cannot size %s: %s", kenv_zram, strerror(errno));
		return -1;
	}
	snprintf(dev, sizeof(dev), "/dev/%s", kenv_zram);
	if (write_swap_header(dev, bytes / (unsigned long)sysconf(_SC_PAGESIZE))) {
		snprintf(e->err, sizeof(e->err), "cannot write a swap header on %s: %s", dev,
			 strerror(errno));
		return -1;
	}
	if (swapon(dev, 0)) {
		snprintf(e->err, sizeof(e->err), "swapon %s: %s", dev, strerror(errno));
		return -1;
	}
	return 0;
}

int kenv_apply(struct kenv *e)
{
	char path[256];

	if (e->thp) {
		snprintf(path, sizeof(path), "%s/enabled", kenv_sysfs_thp);
		if (write_text(path, e->thp)) {
			snprintf(e->err, sizeof(e->err), "cannot set THP to \"%s\": %s", e->thp,
				 strerror(errno));
			return -1;
		}
	}
	for (int i = 0; i < e->nmthp; i++) {
		snprintf(path, sizeof(path), "%s/hugepages-%skB/enabled", kenv_sysfs_thp,
			 e->mthp[i].size_kb);
		if (write_text(path, e->mthp[i].mode)) {
			snprintf(e->err, sizeof(e->err), "cannot set %skB mTHP to \"%s\": %s",
				 e->mthp[i].size_kb, e->mthp[i].mode, strerror(errno));
			return -1;
		}
	}
	if (e->swap && apply_swap(e))
		return -1;
	return 0;
}

int kenv_restore(struct kenv *e)
{
	char path[256], text[256], now[32], dev[64];
	int rc = 0;

	if (e->swap && e->zram_was_free) {
		snprintf(dev, sizeof(dev), "/dev/%s", kenv_zram);
		if (zram_is_swap() && swapoff(dev)) {
			snprintf(e->err, sizeof(e->err), "swapoff %s: %s", dev, strerror(errno));
			rc = -1;
		}
		zram_path(path, sizeof(path), "reset");
		if (zram_initialised() && write_text(path, "1")) {
			snprintf(e->err, sizeof(e->err), "cannot reset %s: %s", kenv_zram,
				 strerror(errno));
			rc = -1;
		}
	}
	for (int i = 0; i < e->nfiles; i++) {
		const struct kenv_file *f = &e->files[i];

		if (!kenv_read_file(f->path, text, sizeof(text)) &&
		    kenv_selected(text, now, sizeof(now)) && !strcmp(now, f->saved))
			continue;
		if (write_text(f->path, f->saved)) {
			snprintf(e->err, sizeof(e->err), "cannot put %s back to \"%s\": %s", f->path,
				 f->saved, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}
