/*
 * userfaultfd.c - the userfaultfd descriptor (fs/userfaultfd.c, v6.17):
 * userfaultfd(2), the ioctl entry points (UFFDIO_API, REGISTER,
 * UNREGISTER, WAKE, COPY, ZEROPAGE, MOVE, WRITEPROTECT), read(2) of fault
 * and event messages, close, and handle_userfault(), where a fault on a
 * registered range queues its message and sleeps.
 *
 * Each mmt_uffd_* call is the ioctl as a thread of @mm (current->mm)
 * issues it; the argument pointer is the user's structure, and NULL stands
 * for a pointer the kernel cannot read or write (EFAULT).  The checks run
 * in the kernel's order, because user space can observe it (an ioctl with
 * mmap_changing set fails with EAGAIN before its argument is even read).
 *
 * Leaves out: UFFD_EVENT_FORK, _REMAP and _UNMAP (the features are
 * accepted; fork drops the child's registration, as without EVENT_FORK),
 * UFFDIO_CONTINUE and UFFDIO_POISON (no shmem-minor or poison model),
 * hugetlb, poll(2), signals (a sleeping fault is never interrupted), the
 * unprivileged_userfaultfd sysctl and /dev/userfaultfd (callers are root).
 */
#include <string.h>

#include "mm/api.h"
#include "mm/userfaultfd.h"

/* Debian's default vm.mmap_min_addr. */
#define MMAP_MIN_ADDR 65536UL

static bool userfaultfd_is_initialized(const struct userfaultfd_ctx *ctx)
{
	return ctx->features & UFFD_FEATURE_INITIALIZED;
}

void userfaultfd_ctx_get(struct userfaultfd_ctx *ctx)
{
	atomic_inc(&ctx->refcount);
}

void userfaultfd_ctx_put(struct userfaultfd_ctx *ctx)
{
	if (atomic_dec_and_test(&ctx->refcount)) {
		VM_WARN_ON_ONCE(READ_ONCE(ctx->nr_waiters));
		VM_WARN_ON_ONCE(READ_ONCE(ctx->nr_events));
	}
}

/* mmget_not_zero() / mmput() on the context's mm. */
static bool uffd_mmget(struct mm_struct *mm)
{
	return atomic_inc_not_zero(&mm->mm_users);
}

/* ---- userfaultfd(2) and close ---------------------------------------------- */

int mmt_userfaultfd(struct mm_struct *mm, int flags, struct userfaultfd_ctx **ctxp)
{
	struct mm_kernel *k = mmk();
	struct userfaultfd_ctx *ctx;

	SIM_FN();
	if (flags & ~(UFFD_O_CLOEXEC | UFFD_O_NONBLOCK | UFFD_USER_MODE_ONLY))
		return -EINVAL;
	if (!ctxp)
		return -EFAULT;
	if (k->nr_uffds >= MAX_UFFDS)
		return -EMFILE;
	ctx = kzalloc(sizeof(*ctx));
	ctx->id = mm_new_id(k);
	ctx->mm = mm;
	ctx->flags = (unsigned)flags;
	atomic_set(&ctx->refcount, 1);
	init_rwsem(&ctx->map_changing_lock);
	spin_lock_init(&ctx->fault_pending_lock);
	spin_lock_init(&ctx->event_lock);
	init_waitqueue_head(&ctx->fd_wqh);
	for (int i = 0; i < SIM_MAX_CPUS; i++) {
		init_waitqueue_head(&ctx->fault[i].wq);
		init_waitqueue_head(&ctx->event[i].wq);
	}
	sim_hostlock_lock(&k->id_lock);
	k->uffds[k->nr_uffds++] = ctx;
	sim_hostlock_unlock(&k->id_lock);
	*ctxp = ctx;
	return 0;
}

/*
 * userfaultfd_release(): closing the descriptor.  No new fault may sleep on
 * the context (released), every VMA forgets it, and every sleeping fault
 * and event producer is woken to retry without it.
 */
static void __wake_userfault(struct userfaultfd_ctx *ctx, struct userfaultfd_wake_range *range);

int mmt_uffd_close(struct userfaultfd_ctx *ctx)
{
	struct userfaultfd_wake_range all = { 0, 0 };

	SIM_FN();
	if (!ctx || ctx->closed)
		return -EBADF;
	ctx->closed = true;
	WRITE_ONCE(ctx->released, true);
	userfaultfd_release_all(ctx->mm, ctx);
	/* No fault can queue now: wake every one already queued, under the
	 * queue lock, whatever nr_waiters said a moment ago. */
	__wake_userfault(ctx, &all);
	spin_lock(&ctx->event_lock);
	for (int i = 0; i < SIM_MAX_CPUS; i++)
		if (ctx->event[i].state != UWQ_NONE)
			wake_up(&ctx->event[i].wq);
	spin_unlock(&ctx->event_lock);
	wake_up_all(&ctx->fd_wqh);
	userfaultfd_ctx_put(ctx);
	return 0;
}

void userfaultfd_close_all(void)
{
	struct mm_kernel *k = mmk();

	for (int i = 0; i < k->nr_uffds; i++)
		if (!k->uffds[i]->closed)
			mmt_uffd_close(k->uffds[i]);
}

/* ---- handle_userfault() ---------------------------------------------------- */

static struct mmt_uffd_msg userfault_msg(unsigned long address, unsigned long real_address,
					 unsigned int flags, unsigned long reason,
					 unsigned int features, int cpu)
{
	struct mmt_uffd_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.event = MMT_UFFD_EVENT_PAGEFAULT;
	msg.arg.pagefault.address =
		(features & MMT_UFFD_FEATURE_EXACT_ADDRESS) ? real_address : address;
	if (flags & FAULT_FLAG_WRITE)
		msg.arg.pagefault.flags |= MMT_UFFD_PAGEFAULT_FLAG_WRITE;
	if (reason & VM_UFFD_WP)
		msg.arg.pagefault.flags |= MMT_UFFD_PAGEFAULT_FLAG_WP;
	if (reason & VM_UFFD_MINOR)
		msg.arg.pagefault.flags |= MMT_UFFD_PAGEFAULT_FLAG_MINOR;
	/* The model's thread ids: CPU n runs the thread with tid 1000 + n. */
	if (features & MMT_UFFD_FEATURE_THREAD_ID)
		msg.arg.pagefault.feat.ptid = (uint32_t)(1000 + cpu);
	return msg;
}

/*
 * userfaultfd_must_wait(): after queueing, is the fault still unresolved?
 * A lockless look at the page tables: a COPY or MOVE that filled the page
 * between the fault and the queueing must not leave the thread asleep.
 */
static bool userfaultfd_must_wait(struct vm_fault *vmf, unsigned long reason)
{
	pmd_t *pmd = mm_find_pmd(vmf->vma->vm_mm, vmf->address), pmdval;
	bool ret;
	pte_t *pte, ptent;

	if (!pmd)
		return true;
again:
	pmdval = pmdp_get_lockless(pmd);
	if (pmd_none(pmdval))
		return true;
	if (!pmd_present(pmdval))
		return false;
	if (pmd_trans_huge(pmdval))
		return !pmd_write(pmdval) && (reason & VM_UFFD_WP);
	pte = pte_offset_map(pmd, vmf->address, NULL);
	if (!pte)
		goto again;
	ptent = ptep_get(pte);
	ret = pte_none(ptent) || pte_marker_uffd_wp(ptent) ||
	      (!pte_write(ptent) && (reason & VM_UFFD_WP));
	pte_unmap(pte);
	return ret;
}

static void release_fault_lock(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		vma_end_read(vmf->vma);
	else
		mmap_read_unlock(vmf->vma->vm_mm);
}

/*
 * handle_userfault(): called with the VMA lock or the mmap_lock held, from a
 * fault that found a missing page (or a write-protected one) in a
 * registered range.  Returns VM_FAULT_RETRY with the lock dropped after the
 * thread slept until a UFFDIO_* call woke it, or VM_FAULT_SIGBUS.
 */
vm_fault_t handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	struct vm_area_struct *vma = vmf->vma;
	struct userfaultfd_ctx *ctx = vma_uffd_ctx(vma);
	struct userfaultfd_wait_queue *uwq;
	int cpu = sim_cur_cpu ? sim_cur_cpu->id : 0;
	bool must_wait;

	SIM_FN();
	if (!ctx)
		return VM_FAULT_SIGBUS;
	VM_WARN_ON_ONCE(ctx->mm != vma->vm_mm);
	if (ctx->features & MMT_UFFD_FEATURE_SIGBUS)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_USER) && (ctx->flags & UFFD_USER_MODE_ONLY))
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	/* Model-only: the sequential code (setup, the end checks) has no other
	 * CPU running that could ever resolve the fault. */
	if (cpu < 0)
		sim_fail(SIM_FIND_DEADLOCK, "deadlock",
			 "sequential code takes a userfault at %#lx of a registered range: no"
			 " CPU runs that could resolve it", vmf->address);
	if (READ_ONCE(ctx->released)) {
		/* The fault is retried until the closing CPU has cleared the
		 * VMA: a spin-wait on another CPU's progress, which the kernel
		 * gets from real parallelism and the explorer from a yield. */
		release_fault_lock(vmf);
		cpu_relax();
		return VM_FAULT_RETRY;
	}
	userfaultfd_ctx_get(ctx);
	uwq = &ctx->fault[cpu];

	spin_lock(&ctx->fault_pending_lock);
	uwq->msg = userfault_msg(vmf->address, vmf->real_address, vmf->flags, reason,
				 ctx->features, cpu);
	uwq->waken = false;
	uwq->seq = ctx->next_seq++;
	uwq->state = UWQ_PENDING;
	WRITE_ONCE(ctx->nr_waiters, ctx->nr_waiters + 1);
	/* Visible to read(2) from here; asleep before we look again. */
	prepare_to_wait(&uwq->wq);
	spin_unlock(&ctx->fault_pending_lock);

	must_wait = userfaultfd_must_wait(vmf, reason);
	release_fault_lock(vmf);
	if (must_wait && !READ_ONCE(ctx->released)) {
		wake_up(&ctx->fd_wqh);
		schedule();
	}
	finish_wait(&uwq->wq);

	/* Still queued (never woken, or woken by something else): unqueue. */
	if (READ_ONCE(uwq->state) != UWQ_NONE) {
		spin_lock(&ctx->fault_pending_lock);
		if (uwq->state != UWQ_NONE) {
			uwq->state = UWQ_NONE;
			WRITE_ONCE(ctx->nr_waiters, ctx->nr_waiters - 1);
		}
		spin_unlock(&ctx->fault_pending_lock);
	}
	userfaultfd_ctx_put(ctx);
	return VM_FAULT_RETRY;
}

/* ---- waking --------------------------------------------------------------- */

/* __wake_userfault(): wake the queued faults whose address is in @range. */
static void __wake_userfault(struct userfaultfd_ctx *ctx, struct userfaultfd_wake_range *range)
{
	spin_lock(&ctx->fault_pending_lock);
	for (int i = 0; i < SIM_MAX_CPUS; i++) {
		struct userfaultfd_wait_queue *uwq = &ctx->fault[i];
		unsigned long a = uwq->msg.arg.pagefault.address;

		if (uwq->state == UWQ_NONE)
			continue;
		if (range->len && (range->start > a || range->start + range->len <= a))
			continue;
		WRITE_ONCE(uwq->waken, true);
		uwq->state = UWQ_NONE;
		WRITE_ONCE(ctx->nr_waiters, ctx->nr_waiters - 1);
		wake_up(&uwq->wq);
	}
	spin_unlock(&ctx->fault_pending_lock);
}

/*
 * wake_userfault(): after the page tables changed, wake the faults on
 * @range.  The barrier orders the page-table update before the lockless
 * look at the queues; it pairs with the fault's queueing before its own
 * look at the page tables (userfaultfd_must_wait).
 */
void wake_userfault(struct userfaultfd_ctx *ctx, struct userfaultfd_wake_range *range)
{
	smp_mb();
	if (READ_ONCE(ctx->nr_waiters))
		__wake_userfault(ctx, range);
}

/* ---- events (UFFD_EVENT_REMOVE) --------------------------------------------- */

/* userfaultfd_event_wait_completion(): queue @msg and sleep until read. */
static void userfaultfd_event_wait_completion(struct userfaultfd_ctx *ctx,
					      const struct mmt_uffd_msg *msg)
{
	int cpu = sim_cur_cpu ? sim_cur_cpu->id : 0;
	struct userfaultfd_wait_queue *ewq = &ctx->event[cpu];

	spin_lock(&ctx->event_lock);
	ewq->msg = *msg;
	ewq->seq = ctx->next_seq++;
	ewq->state = UWQ_PENDING;
	WRITE_ONCE(ctx->nr_events, ctx->nr_events + 1);
	for (;;) {
		prepare_to_wait(&ewq->wq);
		if (ewq->state == UWQ_NONE)
			break;
		if (READ_ONCE(ctx->released)) {
			ewq->state = UWQ_NONE;
			WRITE_ONCE(ctx->nr_events, ctx->nr_events - 1);
			break;
		}
		spin_unlock(&ctx->event_lock);
		wake_up(&ctx->fd_wqh);
		schedule();
		spin_lock(&ctx->event_lock);
	}
	finish_wait(&ewq->wq);
	spin_unlock(&ctx->event_lock);
	atomic_dec(&ctx->mmap_changing);
	VM_WARN_ON_ONCE(atomic_read(&ctx->mmap_changing) < 0);
	userfaultfd_ctx_put(ctx);
}

bool userfaultfd_remove(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct userfaultfd_ctx *ctx = vma_uffd_ctx(vma);
	struct mmt_uffd_msg msg;

	if (!ctx || !(ctx->features & MMT_UFFD_FEATURE_EVENT_REMOVE))
		return true;
	userfaultfd_ctx_get(ctx);
	down_write(&ctx->map_changing_lock);
	atomic_inc(&ctx->mmap_changing);
	up_write(&ctx->map_changing_lock);
	mmap_read_unlock(vma->vm_mm);
	memset(&msg, 0, sizeof(msg));
	msg.event = MMT_UFFD_EVENT_REMOVE;
	msg.arg.remove.start = start;
	msg.arg.remove.end = end;
	userfaultfd_event_wait_completion(ctx, &msg);
	return false;
}

/* ---- read(2) --------------------------------------------------------------- */

/* The queued slot read first (lowest sequence number), or NULL. */
static struct userfaultfd_wait_queue *oldest(struct userfaultfd_wait_queue *q)
{
	struct userfaultfd_wait_queue *best = NULL;

	for (int i = 0; i < SIM_MAX_CPUS; i++)
		if (q[i].state == UWQ_PENDING && (!best || q[i].seq < best->seq))
			best = &q[i];
	return best;
}

/* userfaultfd_ctx_read(): the next fault message (refiled as read), else
 * the next event (completed, which lets its producer go on). */
static int userfaultfd_ctx_read(struct userfaultfd_ctx *ctx, bool no_wait, struct mmt_uffd_msg *msg)
{
	struct userfaultfd_wait_queue *uwq;
	int ret;

	for (;;) {
		prepare_to_wait(&ctx->fd_wqh);
		spin_lock(&ctx->fault_pending_lock);
		uwq = oldest(ctx->fault);
		if (uwq) {
			uwq->state = UWQ_READ;
			*msg = uwq->msg;
			spin_unlock(&ctx->fault_pending_lock);
			ret = 0;
			break;
		}
		spin_unlock(&ctx->fault_pending_lock);
		spin_lock(&ctx->event_lock);
		uwq = oldest(ctx->event);
		if (uwq) {
			*msg = uwq->msg;
			uwq->state = UWQ_NONE;	/* userfaultfd_event_complete() */
			WRITE_ONCE(ctx->nr_events, ctx->nr_events - 1);
			wake_up(&uwq->wq);
			spin_unlock(&ctx->event_lock);
			ret = 0;
			break;
		}
		spin_unlock(&ctx->event_lock);
		if (no_wait || READ_ONCE(ctx->released)) {
			ret = -EAGAIN;
			break;
		}
		schedule();
	}
	finish_wait(&ctx->fd_wqh);
	return ret;
}

int mmt_uffd_read(struct userfaultfd_ctx *ctx, struct mmt_uffd_msg *msg)
{
	SIM_FN();
	if (!ctx || ctx->closed)
		return -EBADF;
	if (!userfaultfd_is_initialized(ctx))
		return -EINVAL;
	if (!msg)
		return -EFAULT;
	return userfaultfd_ctx_read(ctx, ctx->flags & UFFD_O_NONBLOCK, msg);
}

/* ---- the ioctls ------------------------------------------------------------- */

/* userfaultfd_ioctl()'s gate: a closed descriptor, or no handshake yet. */
static int uffd_ioctl_check(const struct userfaultfd_ctx *ctx)
{
	if (!ctx || ctx->closed)
		return -EBADF;
	return userfaultfd_is_initialized(ctx) ? 0 : -EINVAL;
}

/*
 * The start of COPY, ZEROPAGE and MOVE: a context past the handshake, then,
 * with a non-cooperative event in flight (mmap_changing), -EAGAIN - written
 * to the output field @out too (the kernel's put_user), before the request
 * itself is read.  @arg NULL: an argument the kernel cannot access.
 * Model-only: the kernel repeats these lines at the top of
 * userfaultfd_copy(), userfaultfd_zeropage() and userfaultfd_move().
 */
static int uffd_range_ioctl_begin(struct userfaultfd_ctx *ctx, const void *arg,
				  int64_t *out)
{
	int ret = uffd_ioctl_check(ctx);

	if (ret)
		return ret;
	if (atomic_read(&ctx->mmap_changing)) {
		if (!arg)
			return -EFAULT;
		*out = -EAGAIN;
		return -EAGAIN;
	}
	return arg ? 0 : -EFAULT;
}

static int validate_unaligned_range(uint64_t start, uint64_t len)
{
	if (len & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if (start < MMAP_MIN_ADDR)
		return -EINVAL;
	if (start >= TASK_SIZE)
		return -EINVAL;
	if (len > TASK_SIZE - start)
		return -EINVAL;
	if (start + len <= start)
		return -EINVAL;
	return 0;
}

static int validate_range(uint64_t start, uint64_t len)
{
	if (start & ~PAGE_MASK)
		return -EINVAL;
	return validate_unaligned_range(start, len);
}

/* userfaultfd_api(): the handshake; features can be set only once. */
int mmt_uffd_api(struct userfaultfd_ctx *ctx, struct mmt_uffdio_api *api)
{
	uint64_t features;
	int ret;

	SIM_FN();
	if (!ctx || ctx->closed)
		return -EBADF;
	if (!api)
		return -EFAULT;
	features = api->features;
	ret = -EINVAL;
	if (api->api != MMT_UFFD_API)
		goto err_out;
	if (features & MMT_UFFD_FEATURE_WP_ASYNC)
		features |= MMT_UFFD_FEATURE_WP_UNPOPULATED;
	api->features = MMT_UFFD_API_FEATURES;
	if (features & ~api->features)
		goto err_out;
	api->ioctls = MMT_UFFD_API_IOCTLS;
	if (cmpxchg(&ctx->features, 0u, (unsigned)features | UFFD_FEATURE_INITIALIZED) != 0)
		goto err_out;
	return 0;
err_out:
	memset(api, 0, sizeof(*api));
	return ret;
}

int mmt_uffd_register(struct userfaultfd_ctx *ctx, struct mmt_uffdio_register *reg)
{
	struct mm_struct *mm;
	unsigned long vm_flags = 0, start, end;
	struct vm_area_struct *cur;
	uint64_t ioctls;
	int ret;

	SIM_FN();
	ret = uffd_ioctl_check(ctx);
	if (ret)
		return ret;
	if (!reg)
		return -EFAULT;
	mm = ctx->mm;
	if (!reg->mode || (reg->mode & ~MMT_UFFD_API_REGISTER_MODES))
		return -EINVAL;
	if (reg->mode & MMT_UFFDIO_REGISTER_MODE_MISSING)
		vm_flags |= VM_UFFD_MISSING;
	if (reg->mode & MMT_UFFDIO_REGISTER_MODE_WP)
		vm_flags |= VM_UFFD_WP;
	if (reg->mode & MMT_UFFDIO_REGISTER_MODE_MINOR)
		vm_flags |= VM_UFFD_MINOR;
	ret = validate_range(reg->range.start, reg->range.len);
	if (ret)
		return ret;
	start = reg->range.start;
	end = start + reg->range.len;
	if (!uffd_mmget(mm))
		return -ENOMEM;

	mmap_write_lock(mm);
	ret = -EINVAL;
	cur = find_vma(mm, start);
	if (!cur || cur->vm_start >= end)
		goto out_unlock;
	/* Every VMA in the range must be able to take it (holes are fine). */
	for (; cur && cur->vm_start < end; cur = find_vma(mm, cur->vm_end)) {
		ret = -EINVAL;
		if (!vma_can_userfault(cur, vm_flags))
			goto out_unlock;
		ret = -EPERM;
		if (!(cur->vm_flags & VM_MAYWRITE))
			goto out_unlock;
		ret = -EBUSY;
		if (vma_uffd_ctx(cur) && vma_uffd_ctx(cur) != ctx)
			goto out_unlock;
	}
	ret = userfaultfd_register_range(ctx, vm_flags, start, end);
out_unlock:
	mmap_write_unlock(mm);
	atomic_dec(&mm->mm_users);
	if (!ret) {
		ioctls = MMT_UFFD_API_RANGE_IOCTLS;
		if (!(reg->mode & MMT_UFFDIO_REGISTER_MODE_WP))
			ioctls &= ~(1ULL << MMT__UFFDIO_WRITEPROTECT);
		if (!(reg->mode & MMT_UFFDIO_REGISTER_MODE_MINOR))
			ioctls &= ~(1ULL << MMT__UFFDIO_CONTINUE);
		reg->ioctls = ioctls;
	}
	return ret;
}

int mmt_uffd_unregister(struct userfaultfd_ctx *ctx, struct mmt_uffdio_range *range)
{
	struct mm_struct *mm;
	struct vm_area_struct *cur;
	unsigned long start, end;
	int ret;

	SIM_FN();
	ret = uffd_ioctl_check(ctx);
	if (ret)
		return ret;
	if (!range)
		return -EFAULT;
	mm = ctx->mm;
	ret = validate_range(range->start, range->len);
	if (ret)
		return ret;
	start = range->start;
	end = start + range->len;
	if (!uffd_mmget(mm))
		return -ENOMEM;

	mmap_write_lock(mm);
	ret = -EINVAL;
	cur = find_vma(mm, start);
	if (!cur || cur->vm_start >= end)
		goto out_unlock;
	for (; cur && cur->vm_start < end; cur = find_vma(mm, cur->vm_end)) {
		/* Only through the descriptor it was registered with. */
		if (vma_uffd_ctx(cur) && vma_uffd_ctx(cur) != ctx)
			goto out_unlock;
		if (!vma_can_userfault(cur, cur->vm_flags))
			goto out_unlock;
	}
	ret = userfaultfd_clear_range(ctx, start, end);
out_unlock:
	mmap_write_unlock(mm);
	atomic_dec(&mm->mm_users);
	return ret;
}

int mmt_uffd_wake(struct userfaultfd_ctx *ctx, struct mmt_uffdio_range *range)
{
	struct userfaultfd_wake_range r;
	int ret;

	SIM_FN();
	ret = uffd_ioctl_check(ctx);
	if (ret)
		return ret;
	if (!range)
		return -EFAULT;
	ret = validate_range(range->start, range->len);
	if (ret)
		return ret;
	r.start = range->start;
	r.len = range->len;
	wake_userfault(ctx, &r);
	return 0;
}

/* The end of COPY, ZEROPAGE and MOVE: wake the filled part, report short. */
static int uffd_done(struct userfaultfd_ctx *ctx, long ret, uint64_t start, uint64_t len,
		     bool dontwake)
{
	struct userfaultfd_wake_range range;

	if (ret < 0)
		return (int)ret;
	VM_WARN_ON_ONCE(!ret);
	range.start = start;
	range.len = (unsigned long)ret;
	if (!dontwake)
		wake_userfault(ctx, &range);
	return (uint64_t)ret == len ? 0 : -EAGAIN;
}

int mmt_uffd_copy(struct mm_struct *mm, struct userfaultfd_ctx *ctx, struct mmt_uffdio_copy *copy)
{
	unsigned int flags = 0;
	long ret;

	SIM_FN();
	ret = uffd_range_ioctl_begin(ctx, copy, copy ? &copy->copy : NULL);
	if (ret)
		return (int)ret;
	ret = validate_unaligned_range(copy->src, copy->len);
	if (ret)
		return (int)ret;
	ret = validate_range(copy->dst, copy->len);
	if (ret)
		return (int)ret;
	if (copy->mode & ~(MMT_UFFDIO_COPY_MODE_DONTWAKE | MMT_UFFDIO_COPY_MODE_WP))
		return -EINVAL;
	if (copy->mode & MMT_UFFDIO_COPY_MODE_WP)
		flags |= MFILL_ATOMIC_WP;
	if (!uffd_mmget(ctx->mm))
		return -ESRCH;
	ret = mfill_atomic_copy(mm, ctx, copy->dst, copy->src, copy->len, flags);
	atomic_dec(&ctx->mm->mm_users);
	copy->copy = ret;
	return uffd_done(ctx, ret, copy->dst, copy->len, copy->mode & MMT_UFFDIO_COPY_MODE_DONTWAKE);
}

int mmt_uffd_zeropage(struct userfaultfd_ctx *ctx, struct mmt_uffdio_zeropage *zp)
{
	long ret;

	SIM_FN();
	ret = uffd_range_ioctl_begin(ctx, zp, zp ? &zp->zeropage : NULL);
	if (ret)
		return (int)ret;
	ret = validate_range(zp->range.start, zp->range.len);
	if (ret)
		return (int)ret;
	if (zp->mode & ~MMT_UFFDIO_ZEROPAGE_MODE_DONTWAKE)
		return -EINVAL;
	if (!uffd_mmget(ctx->mm))
		return -ESRCH;
	ret = mfill_atomic_zeropage(ctx, zp->range.start, zp->range.len);
	atomic_dec(&ctx->mm->mm_users);
	zp->zeropage = ret;
	return uffd_done(ctx, ret, zp->range.start, zp->range.len,
			 zp->mode & MMT_UFFDIO_ZEROPAGE_MODE_DONTWAKE);
}

/* userfaultfd_move(): the handler order of KERNEL-SPEC §A.3. */
int mmt_uffd_move(struct mm_struct *mm, struct userfaultfd_ctx *ctx, struct mmt_uffdio_move *move)
{
	long ret;

	SIM_FN();
	ret = uffd_range_ioctl_begin(ctx, move, move ? &move->move : NULL);
	if (ret)
		return (int)ret;
	if (mm != ctx->mm)
		return -EINVAL;
	ret = validate_range(move->dst, move->len);
	if (ret)
		return (int)ret;
	ret = validate_range(move->src, move->len);
	if (ret)
		return (int)ret;
	if (move->mode & ~(MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES | MMT_UFFDIO_MOVE_MODE_DONTWAKE))
		return -EINVAL;
	if (!uffd_mmget(mm))
		return -ESRCH;
	ret = move_pages(ctx, move->dst, move->src, move->len, move->mode);
	atomic_dec(&mm->mm_users);
	move->move = ret;
	return uffd_done(ctx, ret, move->dst, move->len, move->mode & MMT_UFFDIO_MOVE_MODE_DONTWAKE);
}

int mmt_uffd_writeprotect(struct userfaultfd_ctx *ctx, struct mmt_uffdio_writeprotect *wp)
{
	struct userfaultfd_wake_range range;
	bool mode_wp, mode_dontwake;
	int ret;

	SIM_FN();
	ret = uffd_ioctl_check(ctx);
	if (ret)
		return ret;
	if (atomic_read(&ctx->mmap_changing))
		return -EAGAIN;
	if (!wp)
		return -EFAULT;
	ret = validate_range(wp->range.start, wp->range.len);
	if (ret)
		return ret;
	if (wp->mode & ~(MMT_UFFDIO_WRITEPROTECT_MODE_DONTWAKE | MMT_UFFDIO_WRITEPROTECT_MODE_WP))
		return -EINVAL;
	mode_wp = wp->mode & MMT_UFFDIO_WRITEPROTECT_MODE_WP;
	mode_dontwake = wp->mode & MMT_UFFDIO_WRITEPROTECT_MODE_DONTWAKE;
	if (mode_wp && mode_dontwake)
		return -EINVAL;
	if (!uffd_mmget(ctx->mm))
		return -ESRCH;
	ret = mwriteprotect_range(ctx, wp->range.start, wp->range.len, mode_wp);
	atomic_dec(&ctx->mm->mm_users);
	if (ret)
		return ret;
	if (!mode_wp && !mode_dontwake) {
		range.start = wp->range.start;
		range.len = wp->range.len;
		wake_userfault(ctx, &range);
	}
	return 0;
}
