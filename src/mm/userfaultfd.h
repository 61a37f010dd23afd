/*
 * userfaultfd.h - userfaultfd inside the model kernel
 * (include/linux/userfaultfd_k.h; fs/userfaultfd.c; mm/userfaultfd.c).
 *
 * A context is what userfaultfd(2) returns a descriptor for: it belongs to
 * one mm, VMAs point to it once registered, faults on them queue a message
 * and sleep until user space resolves them (UFFDIO_COPY, ZEROPAGE, MOVE,
 * WAKE).  The range ioctls live in mm/userfaultfd.c, the descriptor side
 * (handshake, registration, read, wake, release, handle_userfault) in
 * fs/userfaultfd.c, the huge-PMD move in mm/huge_memory.c.
 *
 * Wait queues: each CPU owns one waiter slot per context (a task sleeps in
 * at most one userfault), so "the list of pending faults" is the set of
 * slots in state UWQ_PENDING, read in FIFO order by sequence number, and
 * "fault_wqh" is the set of slots in UWQ_READ.  A waker wakes exactly the
 * slots whose address lies in its range, as userfaultfd_wake_function()
 * does.  waitqueue_active() on both queues is one counter of occupied slots
 * that refiling does not change, which is what the kernel's refile_seq
 * seqcount achieves.
 */
#ifndef MMT_MM_USERFAULTFD_H
#define MMT_MM_USERFAULTFD_H

#include "mm/internal.h"
#include "mm/userfaultfd_uapi.h"

#define VM_UFFD_MINOR 0x20000000000UL
#define __VM_UFFD_FLAGS (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/* internal: UFFDIO_API has run (the kernel's UFFD_FEATURE_INITIALIZED) */
#define UFFD_FEATURE_INITIALIZED (1u << 31)

/* userfaultfd(2) flags */
#define UFFD_USER_MODE_ONLY 1
#define UFFD_O_NONBLOCK 04000
#define UFFD_O_CLOEXEC 02000000

enum uwq_state { UWQ_NONE, UWQ_PENDING, UWQ_READ };

/* struct userfaultfd_wait_queue: one sleeping fault (or event producer). */
struct userfaultfd_wait_queue {
	struct mmt_uffd_msg msg;
	enum uwq_state state;		/* fault_pending_lock */
	uint64_t seq;			/* FIFO order of reading */
	bool waken;			/* WRITE_ONCE by the waker */
	struct wait_queue_head wq;	/* only this CPU sleeps here */
};

struct userfaultfd_ctx {
	int id;
	struct mm_struct *mm;
	unsigned int features;		/* cmpxchg once by UFFDIO_API */
	unsigned int flags;		/* userfaultfd(2) flags */
	atomic_t refcount;		/* the descriptor + sleeping faults */
	bool released;			/* WRITE_ONCE at close */
	atomic_t mmap_changing;		/* non-cooperative event in flight */
	struct rw_semaphore map_changing_lock;
	/* fault_pending_wqh.lock: the state of every fault slot */
	spinlock_t fault_pending_lock;
	unsigned long nr_waiters;	/* slots pending or read; READ_ONCE lockless */
	uint64_t next_seq;
	struct userfaultfd_wait_queue fault[SIM_MAX_CPUS];
	/* event_wqh: non-cooperative events (UFFD_EVENT_REMOVE) */
	spinlock_t event_lock;
	unsigned long nr_events;
	struct userfaultfd_wait_queue event[SIM_MAX_CPUS];
	struct wait_queue_head fd_wqh;	/* readers of the descriptor */
	bool closed;			/* model: the descriptor was closed */
};

struct userfaultfd_wake_range {
	unsigned long start;
	unsigned long len;		/* 0: wake all */
};

static inline struct userfaultfd_ctx *vma_uffd_ctx(const struct vm_area_struct *vma)
{
	return (struct userfaultfd_ctx *)vma->vm_userfaultfd_ctx;
}

static inline bool userfaultfd_missing(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_MISSING;
}

static inline bool userfaultfd_wp(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_UFFD_WP;
}

static inline bool userfaultfd_armed(const struct vm_area_struct *vma)
{
	return vma->vm_flags & __VM_UFFD_FLAGS;
}

/* userfaultfd_pte_wp(): a write to this PTE must be reported to user space. */
static inline bool userfaultfd_pte_wp(const struct vm_area_struct *vma, pte_t pte)
{
	return userfaultfd_wp(vma) && pte_uffd_wp(pte);
}

/* ---- fs/userfaultfd.c ------------------------------------------------------ */

vm_fault_t handle_userfault(struct vm_fault *vmf, unsigned long reason);
void wake_userfault(struct userfaultfd_ctx *ctx, struct userfaultfd_wake_range *range);
void userfaultfd_ctx_get(struct userfaultfd_ctx *ctx);
void userfaultfd_ctx_put(struct userfaultfd_ctx *ctx);
/* userfaultfd_remove(): MADV_DONTNEED on a range a monitor asked to hear
 * about.  Returns true if the caller still holds the mmap_lock; false if it
 * dropped it to deliver UFFD_EVENT_REMOVE (the caller must look up again). */
bool userfaultfd_remove(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Every context still open when an execution ends (the check phase closes
 * them, as process exit closes descriptors). */
void userfaultfd_close_all(void);

/* ---- mm/userfaultfd.c ------------------------------------------------------ */

#define MFILL_ATOMIC_COPY 0
#define MFILL_ATOMIC_ZEROPAGE 1
#define MFILL_ATOMIC_WP 0x100

long mfill_atomic_copy(struct mm_struct *current_mm, struct userfaultfd_ctx *ctx,
		       unsigned long dst_start, unsigned long src_start, unsigned long len,
		       unsigned int flags);
long mfill_atomic_zeropage(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len);
long move_pages(struct userfaultfd_ctx *ctx, unsigned long dst_start, unsigned long src_start,
		unsigned long len, uint64_t mode);
int mwriteprotect_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
			bool enable_wp);
bool vma_can_userfault(const struct vm_area_struct *vma, unsigned long vm_flags);
int userfaultfd_register_range(struct userfaultfd_ctx *ctx, unsigned long vm_flags,
			       unsigned long start, unsigned long end);
int userfaultfd_clear_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end);
void userfaultfd_release_all(struct mm_struct *mm, struct userfaultfd_ctx *ctx);

/* ---- mm/huge_memory.c --------------------------------------------------------- */

int move_pages_huge_pmd(struct mm_struct *mm, pmd_t *dst_pmd, pmd_t *src_pmd, pmd_t dst_pmdval,
			struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			unsigned long dst_addr, unsigned long src_addr);

#endif
