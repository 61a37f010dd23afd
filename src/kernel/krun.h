/*
 * krun.h - a scenario run on this machine's kernel instead of the model:
 * setup, then each CPU's block in order, then final, one operation at a
 * time, with the same log lines as `mmtwin run` (scen_log_line), so the two
 * can be read side by side and compared.
 *
 * What runs so far: anonymous mappings (mmap with fixed/at/align,
 * munmap, mprotect, mlock, munlock, madvise), loads and stores of 1 to 8
 * bytes (a fault is EFAULT, as in the model), and final `page` states from
 * /proc/self/pagemap and /proc/kpageflags.  Everything else makes the
 * scenario "not runnable on the kernel", with the reason, before anything
 * runs: operations only the model has (migrate, reclaim, split, fault
 * injection, ...), operations the backend does not run yet (processes,
 * files, userfaultfd), swap the machine does not have on, THP settings
 * that differ from the machine's (`mmtwin kernel-env` sets them).
 */
#ifndef MMT_KERNEL_KRUN_H
#define MMT_KERNEL_KRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct scenario;

/* Can @sc run on this kernel?  false with the reason in @why. */
bool kernel_runnable(const struct scenario *sc, char *why, size_t n);

/* Run @sc on the kernel in a child process, logging each operation to
 * @log.  Returns 0 when every result is as the file expects, 1 when some
 * is not (each printed), -1 on an internal error (@why). */
int kernel_run(const struct scenario *sc, FILE *log, char *why, size_t n);

#endif
