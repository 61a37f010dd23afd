/*
 * api.h - the operations user space performs on the model kernel, as a C
 * API.  Each runs on the calling simulated CPU, takes the locks the kernel
 * takes and returns what the system call returns (a value, or -errno).
 * Scenario programs and tests are written against this.
 *
 * Memory accesses (mmt_read, mmt_write) are what a user-space load or store
 * does: the MMU translates the address in one step; if the translation
 * fails, the page-fault handler runs and the access is retried.  Values are
 * 8-byte words at 8-byte aligned addresses.
 */
#ifndef MMT_MM_API_H
#define MMT_MM_API_H

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "mm/kernel.h"

/* A new, empty address space (a process). */
struct mm_struct *mmt_mm_create(void);

/* mmap(2): returns the address or -errno.  @file is a shared/file object
 * from mmt_file_create() or NULL (anonymous). */
long mmt_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot, int flags,
	      struct address_space *file, unsigned long pgoff);
int mmt_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len);
int mmt_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot);
int mmt_mlock(struct mm_struct *mm, unsigned long addr, unsigned long len);
int mmt_munlock(struct mm_struct *mm, unsigned long addr, unsigned long len);
int mmt_madvise(struct mm_struct *mm, unsigned long addr, unsigned long len, int advice);

/* A user load / store of one 8-byte word; 0 or -EFAULT (SIGSEGV/SIGBUS). */
int mmt_read(struct mm_struct *mm, unsigned long addr, uint64_t *val);
int mmt_write(struct mm_struct *mm, unsigned long addr, uint64_t val);

/* fork(2): a child address space; exit: tear an address space down. */
int mmt_fork(struct mm_struct *mm, struct mm_struct **child);
void mmt_exit(struct mm_struct *mm);

/* Migrate the folio mapped at @addr to new memory (move_pages(2) to another
 * node, or compaction): 0, -EFAULT (no VMA, or a zero page), -ENOENT
 * (nothing mapped), -ENOMEM, -EBUSY (pinned, not anonymous, ...). */
int mmt_migrate(struct mm_struct *mm, unsigned long addr);

/* Split every large folio mapped in [start, end) into order-0 folios (the
 * debugfs split_huge_pages interface); returns how many were split. */
int mmt_split_huge_pages(struct mm_struct *mm, unsigned long start, unsigned long end);

/* A file (the page-cache stand-in) of @size bytes, zero-filled. */
struct address_space *mmt_file_create(unsigned long size);

/* Set the THP orders: bit n enables order n always / with MADV_HUGEPAGE. */
void mmt_thp_set(unsigned long always, unsigned long madvise);

#endif
