/*
 * fault_inject.h - the fail-nth interface of lib/fault-inject.c
 * (/proc/thread-self/fail-nth): a task arms a countdown, and the nth
 * fault-injection site it passes afterwards fails.  The model's sites are
 * those the kernel puts under failslab and fail_page_alloc on the paths it
 * models: page-table allocation (mm_alloc_pmd, __pte_alloc) and anon_vma
 * allocation (__anon_vma_prepare).
 */
#ifndef MMT_MM_FAULT_INJECT_H
#define MMT_MM_FAULT_INJECT_H

#include <stdbool.h>

/* Called by each site: true when this allocation is to fail. */
bool should_fail_alloc(void);

#endif
