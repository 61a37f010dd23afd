/*
 * mmap.c - address spaces and their VMAs: creating an mm, the VMA array,
 * lookups, the mmap_lock and the per-VMA locks, mmap() (mm/mmap.c,
 * mm/mmap_lock.c, include/linux/mmap_lock.h, mm/vma.c: vma_merge_new_range).
 *
 * VMAs live in a sorted array that is replaced whole on every change (the
 * model's maple tree): RCU readers (lock_vma_under_rcu) see either the old
 * or the new array, never a half-updated one, and arrays are never freed
 * within an execution.
 *
 * Per-VMA locks follow the kernel's sequence scheme: vma_start_write()
 * (mmap_lock held for writing) waits for readers and marks the VMA with
 * the mm's current mm_lock_seq; mmap_write_unlock() bumps mm_lock_seq,
 * which unlocks every VMA at once; vma_start_read() fails on a marked VMA.
 */
#include <stdlib.h>
#include <string.h>

#include "mm/api.h"
#include "mm/internal.h"

#define MMAP_BASE (TASK_SIZE / 2)	/* mappings go top-down from here */

struct mm_struct *mm_alloc(void)
{
	struct mm_kernel *k = mmk();
	struct mm_struct *mm = kzalloc(sizeof(*mm));

	mm->k = k;
	mm->id = mm_new_id(k);
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	mm->vmas = kzalloc(sizeof(struct vma_array));
	atomic_set(&mm->mm_users, 1);
	sim_hostlock_lock(&k->id_lock);
	if (k->nr_mms < MAX_MMS)
		k->mms[k->nr_mms++] = mm;
	sim_hostlock_unlock(&k->id_lock);
	return mm;
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kzalloc(sizeof(*vma));

	vma->vm_mm = mm;
	vma->id = mm_new_id(mm->k);
	vma->vm_lock_seq = ~0UL;
	init_rwsem(&vma->vm_lock);
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);

	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_flags = orig->vm_flags;
	vma->anon_vma = orig->anon_vma;
	vma->vm_file = orig->vm_file;
	vma->vm_userfaultfd_ctx = orig->vm_userfaultfd_ctx;
	if (vma->vm_file)
		mapping_get(vma->vm_file);
	return vma;
}

/* ---- the VMA array ------------------------------------------------------- */

static struct vma_array *vmas_now(struct mm_struct *mm)
{
	return __atomic_load_n(&mm->vmas, __ATOMIC_ACQUIRE);
}

/* Publish a new array: one store, seen whole by lockless readers. */
static void vmas_publish(struct mm_struct *mm, struct vma_array *a)
{
	__atomic_store_n(&mm->vmas, a, __ATOMIC_RELEASE);
}

void mm_vmas_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vma_array *old = vmas_now(mm);
	struct vma_array *a = kzalloc(sizeof(*a) + (size_t)(old->nr + 1) * sizeof(a->v[0]));
	int i = 0, j = 0;

	while (i < old->nr && old->v[i]->vm_start < vma->vm_start)
		a->v[j++] = old->v[i++];
	a->v[j++] = vma;
	while (i < old->nr)
		a->v[j++] = old->v[i++];
	a->nr = j;
	vmas_publish(mm, a);
}

void mm_vmas_remove(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vma_array *old = vmas_now(mm);
	struct vma_array *a = kzalloc(sizeof(*a) + (size_t)old->nr * sizeof(a->v[0]));

	for (int i = 0; i < old->nr; i++)
		if (old->v[i] != vma)
			a->v[a->nr++] = old->v[i];
	vmas_publish(mm, a);
}

/* find_vma(): the first VMA ending above @addr (mmap_lock or RCU held). */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vma_array *a = vmas_now(mm);
	int lo = 0, hi = a->nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (a->v[mid]->vm_end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->nr ? a->v[lo] : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

/* ---- mmap_lock ------------------------------------------------------------- */

void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}

bool mmap_read_trylock(struct mm_struct *mm)
{
	return down_read_trylock(&mm->mmap_lock);
}

void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}

void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}

/* Dropping the write lock also drops every VMA write lock taken under it. */
void mmap_write_unlock(struct mm_struct *mm)
{
	WRITE_ONCE(mm->mm_lock_seq, mm->mm_lock_seq + 1);
	up_write(&mm->mmap_lock);
}

void mmap_assert_locked(struct mm_struct *mm)
{
	lockdep_assert_held(&mm->mmap_lock);
}

void mmap_assert_write_locked(struct mm_struct *mm)
{
	lockdep_assert_held(&mm->mmap_lock);
	VM_BUG_ON(mm->mmap_lock.count != -1);
}

/* ---- per-VMA locks ------------------------------------------------------- */

void vma_start_write(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	mmap_assert_write_locked(mm);
	if (vma->vm_lock_seq == mm->mm_lock_seq)
		return;
	/* Wait for readers that got in before us, then mark the VMA. */
	down_write(&vma->vm_lock);
	WRITE_ONCE(vma->vm_lock_seq, mm->mm_lock_seq);
	up_write(&vma->vm_lock);
}

bool vma_start_read(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (READ_ONCE(vma->vm_lock_seq) == READ_ONCE(mm->mm_lock_seq))
		return false;
	if (!down_read_trylock(&vma->vm_lock))
		return false;
	/* Write-locked or detached between the check and the trylock? */
	if (READ_ONCE(vma->vm_lock_seq) == READ_ONCE(mm->mm_lock_seq) || READ_ONCE(vma->detached)) {
		up_read(&vma->vm_lock);
		return false;
	}
	return true;
}

void vma_end_read(struct vm_area_struct *vma)
{
	up_read(&vma->vm_lock);
}

void vma_mark_detached(struct vm_area_struct *vma)
{
	WRITE_ONCE(vma->detached, true);
}

/*
 * lock_vma_under_rcu(): find and read-lock the VMA for @address without the
 * mmap_lock; NULL if that cannot be done now (the caller falls back to the
 * mmap_lock).
 */
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address)
{
	struct vm_area_struct *vma;

	rcu_read_lock();
	vma = vma_lookup(mm, address);
	if (!vma || !vma_start_read(mm, vma)) {
		rcu_read_unlock();
		return NULL;
	}
	/* The VMA may have been changed before we locked it. */
	if (address < vma->vm_start || address >= vma->vm_end) {
		vma_end_read(vma);
		rcu_read_unlock();
		return NULL;
	}
	rcu_read_unlock();
	return vma;
}

/* ---- mmap() ------------------------------------------------------------------ */

static bool range_free(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return addr + len <= TASK_SIZE && addr + len > addr && (!vma || vma->vm_start >= addr + len);
}

/* get_unmapped_area(): the hint if free, else top-down below MMAP_BASE;
 * anonymous mappings of whole PMDs get PMD alignment (thp_get_unmapped_area). */
static unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint, unsigned long len,
				       bool thp_align)
{
	unsigned long align = thp_align ? PMD_SIZE : PAGE_SIZE, top = MMAP_BASE;
	struct vma_array *a = vmas_now(mm);

	if (hint && IS_ALIGNED(hint, PAGE_SIZE) && range_free(mm, hint, len))
		return hint;
	for (int i = a->nr; i >= 0; i--) {
		unsigned long lo = i > 0 ? a->v[i - 1]->vm_end : PAGE_SIZE * 16;
		unsigned long hi = i < a->nr ? a->v[i]->vm_start : top;
		unsigned long start;

		if (hi > top)
			hi = top;
		if (hi < len || hi <= lo)
			continue;
		start = ALIGN_DOWN(hi - len, align);
		if (start >= lo)
			return start;
	}
	return 0;
}

static bool can_merge(const struct vm_area_struct *a, unsigned long flags,
		      const struct address_space *file, const void *uffd)
{
	return a->vm_flags == flags && a->vm_file == file && a->vm_userfaultfd_ctx == uffd &&
	       !file;
}

/*
 * vma_merge_new_range(): extend a neighbour instead of creating a VMA, as
 * the kernel does for compatible anonymous mappings; returns the VMA that
 * now covers [start, end), or NULL.
 */
static struct vm_area_struct *vma_merge_new_range(struct mm_struct *mm, unsigned long start,
						  unsigned long end, unsigned long flags,
						  pgoff_t pgoff)
{
	struct vm_area_struct *prev = start ? vma_lookup(mm, start - 1) : NULL;
	struct vm_area_struct *next = find_vma(mm, end);
	bool mprev, mnext;

	mprev = prev && prev->vm_end == start && can_merge(prev, flags, NULL, NULL) &&
		prev->vm_pgoff + ((start - prev->vm_start) >> PAGE_SHIFT) == pgoff;
	mnext = next && next->vm_start == end && can_merge(next, flags, NULL, NULL) &&
		next->vm_pgoff == pgoff + ((end - start) >> PAGE_SHIFT);
	if (mprev && mnext && prev->anon_vma && next->anon_vma && prev->anon_vma != next->anon_vma)
		mnext = false;
	if (mprev) {
		vma_start_write(prev);
		if (mnext) {
			vma_start_write(next);
			vma_mark_detached(next);
			if (!prev->anon_vma && next->anon_vma)
				anon_vma_clone(prev, next);
			if (!prev->anon_vma)
				prev->anon_vma = next->anon_vma;
			prev->vm_end = next->vm_end;
			mm_vmas_remove(mm, next);
			unlink_anon_vmas(next);
		} else {
			prev->vm_end = end;
		}
		return prev;
	}
	if (mnext) {
		vma_start_write(next);
		next->vm_start = start;
		next->vm_pgoff = pgoff;
		return next;
	}
	return NULL;
}

static unsigned long prot_to_flags(int prot, int flags)
{
	unsigned long vm = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		vm |= VM_READ;
	if (prot & PROT_WRITE)
		vm |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm |= VM_EXEC;
	if (flags & MAP_SHARED)
		vm |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm |= VM_NORESERVE;
	return vm;
}

static int mmap_check(unsigned long addr, unsigned long len, int prot, int flags)
{
	int type = flags & (MAP_SHARED | MAP_PRIVATE);

	if (!len)
		return -EINVAL;
	if (len > TASK_SIZE)		/* get_unmapped_area() */
		return -ENOMEM;
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	return 0;
}

/*
 * do_mmap(): map [addr, addr+len) (mmap_lock held for writing).  Models the
 * anonymous private, anonymous shared (shmem) and file cases, MAP_FIXED
 * and MAP_FIXED_NOREPLACE, address selection and merging; leaves out
 * stacks, hugetlb, MAP_GROWSDOWN, accounting and the personality bits.
 */
long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot, int flags,
	     struct address_space *file, pgoff_t pgoff)
{
	struct vm_area_struct *vma;
	unsigned long vm_flags;
	int err = mmap_check(addr, len, prot, flags);

	if (err)
		return err;
	mmap_assert_write_locked(mm);
	len = ALIGN(len, PAGE_SIZE);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_free(mm, addr, len))
			return -EEXIST;
		if (flags & MAP_FIXED)
			do_munmap(mm, addr, len);
	} else {
		bool anon = !file && !(flags & MAP_SHARED);

		addr = get_unmapped_area(mm, addr, len, anon && IS_ALIGNED(len, PMD_SIZE));
		if (!addr)
			return -ENOMEM;
	}
	vm_flags = prot_to_flags(prot, flags);
	if (!file && !(flags & MAP_SHARED)) {
		pgoff = addr >> PAGE_SHIFT;
		vma = vma_merge_new_range(mm, addr, addr + len, vm_flags, pgoff);
		if (vma)
			return (long)addr;
	}
	vma = vm_area_alloc(mm);
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	if (file) {
		mapping_get(file);
		vma->vm_file = file;
		vma->vm_pgoff = pgoff;
	} else if (flags & MAP_SHARED) {
		vma->vm_file = shmem_file_setup(len, true);
		vma->vm_pgoff = 0;
	} else {
		vma->vm_pgoff = addr >> PAGE_SHIFT;
	}
	/* __mmap_new_vma(): lock the new VMA before it becomes visible. */
	vma_start_write(vma);
	mm_vmas_insert(mm, vma);
	return (long)addr;
}
