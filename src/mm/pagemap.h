/*
 * pagemap.h - what /proc/PID/pagemap tells user space about one page
 * (fs/proc/task_mmu.c), and whether a huge PMD maps it (what
 * /proc/PID/smaps and kpageflags would tell).  The scenario language's
 * final `page` lines read it; the kernel backend reads the real file.
 */
#ifndef MMT_MM_PAGEMAP_H
#define MMT_MM_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/kernel.h"

struct mmt_pagemap {
	bool present;		/* PM_PRESENT: a PTE or a huge PMD maps a page */
	bool swapped;		/* PM_SWAP with a swap entry */
	bool other;		/* PM_SWAP with a migration entry or a marker */
	bool huge;		/* mapped by a huge PMD */
	bool zero;		/* the zero page or the huge zero folio */
	bool exclusive;		/* PM_MMAP_EXCLUSIVE: mapped once */
	unsigned long pfn;	/* present: the page frame */
	unsigned long swp;	/* swapped: the entry's value */
};

/* pagemap_read() for the page at @addr of @mm. */
void mmt_pagemap(struct mm_struct *mm, unsigned long addr, struct mmt_pagemap *pm);

#endif
