/*
 * api.h - the operations user space performs on the model kernel, as a C
 * API.  Each runs on the calling simulated CPU, takes the locks the kernel
 * takes and returns what the system call returns (a value, or -errno).
 * Scenario programs and tests are written against this.
 *
 * Memory accesses (mmt_read, mmt_write) are what a user-space load or store
 * does: the MMU translates the address in one step; if the translation
 * fails, the page-fault handler runs and the access is retried.  Values are
 * 8-byte words at 8-byte aligned addresses, or narrower accesses within a word.
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
/* The same for 1, 2, 4 or 8 bytes that stay within one 8-byte word
 * (-EINVAL otherwise); little-endian, as on x86. */
int mmt_read_size(struct mm_struct *mm, unsigned long addr, int size, uint64_t *val);
int mmt_write_size(struct mm_struct *mm, unsigned long addr, int size, uint64_t val);

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

/* SIGKILL to the task running on CPU @cpu (-1: the sequential code): its
 * next fatal_signal_pending() check sees it (kernel/signal.c).  Sleeping
 * tasks are not woken by it in the model. */
void mmt_kill(int cpu);

/* Write @n to /proc/thread-self/fail-nth: the @n-th fault-injection site
 * (page-table or anon_vma allocation) the calling CPU passes from now on
 * fails with -ENOMEM; 0 disarms (lib/fault-inject.c). */
void mmt_fail_nth(int n);

/* A file (the page-cache stand-in) of @size bytes, zero-filled. */
struct address_space *mmt_file_create(unsigned long size);

/* ---- userfaultfd (fs/userfaultfd.c) ----------------------------------------
 *
 * mmt_userfaultfd() is userfaultfd(2) called by a thread of @mm: a context
 * for @mm (flags: UFFD_USER_MODE_ONLY, O_NONBLOCK, O_CLOEXEC).  Each ioctl
 * takes the user's argument structure (NULL: an address the kernel cannot
 * access, -EFAULT) and returns what ioctl(2) returns: 0 or -errno, with the
 * output fields written as the kernel writes them.  COPY and MOVE also take
 * the calling thread's address space (current->mm): COPY reads its source
 * there, MOVE refuses a caller outside the context's mm.  A closed context
 * gives -EBADF.  mmt_uffd_read() is read(2) of one message: it blocks until
 * a fault or event is queued (-EAGAIN at once on an O_NONBLOCK context).
 */
struct userfaultfd_ctx;
struct mmt_uffd_msg;
struct mmt_uffdio_api;
struct mmt_uffdio_register;
struct mmt_uffdio_range;
struct mmt_uffdio_copy;
struct mmt_uffdio_zeropage;
struct mmt_uffdio_move;
struct mmt_uffdio_writeprotect;

int mmt_userfaultfd(struct mm_struct *mm, int flags, struct userfaultfd_ctx **ctxp);
int mmt_uffd_close(struct userfaultfd_ctx *ctx);
int mmt_uffd_read(struct userfaultfd_ctx *ctx, struct mmt_uffd_msg *msg);
int mmt_uffd_api(struct userfaultfd_ctx *ctx, struct mmt_uffdio_api *api);
int mmt_uffd_register(struct userfaultfd_ctx *ctx, struct mmt_uffdio_register *reg);
int mmt_uffd_unregister(struct userfaultfd_ctx *ctx, struct mmt_uffdio_range *range);
int mmt_uffd_wake(struct userfaultfd_ctx *ctx, struct mmt_uffdio_range *range);
int mmt_uffd_copy(struct mm_struct *mm, struct userfaultfd_ctx *ctx, struct mmt_uffdio_copy *copy);
int mmt_uffd_zeropage(struct userfaultfd_ctx *ctx, struct mmt_uffdio_zeropage *zp);
int mmt_uffd_move(struct mm_struct *mm, struct userfaultfd_ctx *ctx, struct mmt_uffdio_move *move);
int mmt_uffd_writeprotect(struct userfaultfd_ctx *ctx, struct mmt_uffdio_writeprotect *wp);

/* Set the THP orders: bit n enables order n always / with MADV_HUGEPAGE. */
void mmt_thp_set(unsigned long always, unsigned long madvise);

#endif
