/*
 * madvise.c - advice on a range (mm/madvise.c, v6.17: madvise_dontneed_single_vma,
 * hugepage_madvise).
 *
 * MADV_DONTNEED zaps the range: private anonymous memory reads as zero
 * afterwards, shared and file memory keeps its data (the next access maps
 * it again).  Locked (VM_LOCKED) ranges refuse it with -EINVAL.
 * MADV_HUGEPAGE / MADV_NOHUGEPAGE set the VMA's THP policy.  MADV_PAGEOUT
 * arrives with the swap model.  A range with unmapped parts gets the advice
 * where mapped and returns -ENOMEM.  Leaves out: MADV_FREE, MADV_WILLNEED,
 * MADV_COLD, MADV_REMOVE, guard regions, process_madvise.
 */
#include "check/oracle.h"
#include "mm/api.h"
#include "mm/internal.h"

int vma_modify_range(struct vm_area_struct **vmap, unsigned long start, unsigned long end);

static int madvise_dontneed(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	int err = 0;

	mmap_read_lock(mm);
	for (unsigned long addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long s, e;

		if (!vma || vma->vm_start >= end) {
			err = -ENOMEM;
			break;
		}
		if (vma->vm_start > addr)
			err = -ENOMEM;
		if (vma->vm_flags & VM_LOCKED) {
			err = -EINVAL;
			break;
		}
		s = addr > vma->vm_start ? addr : vma->vm_start;
		e = end < vma->vm_end ? end : vma->vm_end;
		zap_page_range_single(vma, s, e - s);
		if (!vma->vm_file)
			oracle_discard(mmk()->oracle, mm, s, e);
		addr = e;
	}
	mmap_read_unlock(mm);
	return err;
}

static int madvise_hugepage(struct mm_struct *mm, unsigned long start, unsigned long end,
			    bool on)
{
	int err = 0;

	mmap_write_lock(mm);
	for (unsigned long addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start >= end) {
			err = -ENOMEM;
			break;
		}
		if (vma->vm_start > addr) {
			err = -ENOMEM;
			addr = vma->vm_start;
		}
		if (vma_modify_range(&vma, addr, end)) {
			err = -ENOMEM;
			break;
		}
		vma_start_write(vma);
		vma->vm_flags &= ~(VM_HUGEPAGE | VM_NOHUGEPAGE);
		vma->vm_flags |= on ? VM_HUGEPAGE : VM_NOHUGEPAGE;
		addr = vma->vm_end;
	}
	mmap_write_unlock(mm);
	return err;
}

int mmt_madvise(struct mm_struct *mm, unsigned long start, unsigned long len, int advice)
{
	unsigned long end;

	SIM_FN();
	if (!IS_ALIGNED(start, PAGE_SIZE))
		return -EINVAL;
	len = ALIGN(len, PAGE_SIZE);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!len)
		return 0;
	switch (advice) {
	case MADV_DONTNEED:
		return madvise_dontneed(mm, start, end);
	case MADV_HUGEPAGE:
		return madvise_hugepage(mm, start, end, true);
	case MADV_NOHUGEPAGE:
		return madvise_hugepage(mm, start, end, false);
	}
	return -EINVAL;
}
