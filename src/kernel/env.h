/*
 * env.h - the real kernel's settings a kernel run changes, changed only
 * when asked and always put back: zram swap (/dev/zram0 as the only swap
 * device for the run) and the THP and mTHP modes.
 *
 *   kenv_check()    can it be done here (root, the zram device, unused)?
 *   kenv_save()     remember the settings as they are;
 *   kenv_apply()    change them as asked;
 *   kenv_restore()  put back what was remembered (idempotent: a second
 *                   call, or one after a partial apply, is harmless).
 *
 * The command (cli/cmd_kernel_env.c) runs a program between apply and
 * restore, and leaves a watchdog process that restores if it is killed.
 */
#ifndef MMT_KERNEL_ENV_H
#define MMT_KERNEL_ENV_H

#include <stdbool.h>
#include <stddef.h>

#define KENV_MAX_FILES 24
#define KENV_MAX_MTHP 16

/* Exit status of a run that cannot be done on this machine ("skipped"),
 * as automake's test drivers count it. */
#define KENV_SKIP 77

struct kenv_file {
	char path[192];
	char saved[32];		/* the selected mode, as read ("madvise") */
};

struct kenv {
	/* what to change */
	bool swap;			/* zram0 as swap for the run */
	unsigned long swap_mb;		/* its size */
	const char *thp;		/* transparent_hugepage/enabled, or NULL */
	int nmthp;
	struct {
		char size_kb[16];	/* "64" for hugepages-64kB */
		char mode[16];
	} mthp[KENV_MAX_MTHP];

	/* what was there */
	int nfiles;
	struct kenv_file files[KENV_MAX_FILES];
	bool zram_was_free;		/* initstate 0, not swap: ours to use */
	int lockfd;			/* flock: one kernel run at a time; -1 */

	char err[256];
};

/* Where the settings live; tests may point them elsewhere. */
extern const char *kenv_sysfs_thp;	/* /sys/kernel/mm/transparent_hugepage */
extern const char *kenv_zram;		/* zram0 */

/* 0, or KENV_SKIP with the reason in e->err ("not root", "no zram device",
 * "zram0 is in use (...)"). */
int kenv_check(struct kenv *e);
/* 0, or -1 with the error in e->err. */
int kenv_save(struct kenv *e);
int kenv_apply(struct kenv *e);
/* 0, or -1 with what could not be put back in e->err. */
int kenv_restore(struct kenv *e);

/* Read a small text file (sysfs, /proc) whole into @buf; 0 or -1. */
int kenv_read_file(const char *path, char *buf, size_t n);

/* The mode selected in a sysfs mode file's text ("always [madvise] never"
 * gives "madvise"); false if none is. */
bool kenv_selected(const char *text, char *out, size_t n);

#endif
