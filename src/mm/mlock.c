/*
 * mlock.c - locking a range into memory (mm/mlock.c: do_mlock, mlock_fixup,
 * apply_vma_lock_flags; mm/gup.c: __mm_populate).
 *
 * mlock sets VM_LOCKED on the range and faults every page in (a write fault
 * for private writable mappings, as populate does, so no zero page or COW
 * sharing remains).  munlock clears the flag.  Leaves out: the mlocked LRU
 * (PG_mlocked, unevictable lists), RLIMIT_MEMLOCK, MCL_* flags, mlock2.
 */
#include "mm/api.h"
#include "mm/internal.h"

static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, unsigned long end,
				bool lock)
{
	for (unsigned long addr = start; addr < end;) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		int err;

		if (!vma)
			return -ENOMEM;
		err = vma_modify_range(&vma, addr, end);
		if (err)
			return err;
		vma_start_write(vma);
		if (lock)
			vma->vm_flags |= VM_LOCKED;
		else
			vma->vm_flags &= ~VM_LOCKED;
		addr = vma->vm_end;
	}
	return 0;
}

/* __mm_populate(): fault in every page of [start, end). */
static int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	mmap_read_lock(mm);
	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		unsigned int flags = 0;
		vm_fault_t fault;

		/* populate_vma_page_range(): GUP does not force access to a
		 * PROT_NONE VMA; mlock ignores the error. */
		if (!vma || !(vma->vm_flags & VM_LOCKED) || !vma_is_accessible(vma))
			continue;
		if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			flags |= FAULT_FLAG_WRITE;
		fault = handle_mm_fault(vma, addr, flags);
		if (fault & VM_FAULT_ERROR) {
			mmap_read_unlock(mm);
			return -ENOMEM;
		}
		if (fault & VM_FAULT_RETRY)
			mmap_read_lock(mm);
	}
	mmap_read_unlock(mm);
	return 0;
}

static int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len, bool lock)
{
	unsigned long end;
	int err;

	/* The start is rounded down to its page, the length up (mlock(2)). */
	len = ALIGN(len + (start & ~PAGE_MASK), PAGE_SIZE);
	start &= PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!len)
		return 0;
	mmap_write_lock(mm);
	err = apply_vma_lock_flags(mm, start, end, lock);
	mmap_write_unlock(mm);
	if (!err && lock)
		err = mm_populate(mm, start, end);
	return err;
}

int mmt_mlock(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	SIM_FN();
	return do_mlock(mm, addr, len, true);
}

int mmt_munlock(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	SIM_FN();
	return do_mlock(mm, addr, len, false);
}
