/*
 * vma.c - changing the VMA layout: splitting a VMA and unmapping a range
 * (mm/vma.c: __split_vma, do_vmi_munmap, vms_clear_ptes, remove_vma).
 *
 * Every VMA that changes is write-locked first (vma_start_write), which
 * waits for per-VMA-lock readers such as a page fault in progress.  Leaves
 * out: VMA merging after a split (see mmap.c for merging of new ranges),
 * the munmap of a range that spans the maple tree's internals, accounting.
 */
#include "mm/api.h"
#include "mm/internal.h"

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address);

/*
 * __split_vma(): cut @vma at @addr; the new VMA takes the part below @addr
 * if @new_below, else the part above.  Both share the anon_vma hierarchy.
 */
int __split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct vm_area_struct *new;

	if (addr <= vma->vm_start || addr >= vma->vm_end || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	/* A huge PMD straddling the cut becomes a PTE table first. */
	if (!IS_ALIGNED(addr, PMD_SIZE))
		split_huge_pmd_address(vma, addr);
	new = vm_area_dup(vma);
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (anon_vma_clone(new, vma))
		return -ENOMEM;
	vma_start_write(vma);
	if (new_below) {
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	mm_vmas_insert(vma->vm_mm, new);
	return 0;
}

/* Split so that [start, end) is covered by whole VMAs. */
static int split_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	int err;

	if (vma && vma->vm_start < start && vma->vm_end > start) {
		err = __split_vma(vma, start, 1);
		if (err)
			return err;
	}
	vma = find_vma(mm, end);
	if (vma && vma->vm_start < end && vma->vm_end > end) {
		err = __split_vma(vma, end, 1);
		if (err)
			return err;
	}
	return 0;
}

/* remove_vma(): the last of a VMA, after its pages are gone. */
static void remove_vma(struct vm_area_struct *vma)
{
	unlink_anon_vmas(vma);
	if (vma->vm_file)
		mapping_put(vma->vm_file);
}

/*
 * do_munmap(): unmap [start, start+len) (mmap_lock held for writing).
 * Models do_vmi_munmap(): split at the edges, write-lock and detach the
 * VMAs (so per-VMA-lock faults back off), zap their pages, free the page
 * tables no longer used, then drop the VMAs.
 */
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct **gone, *vma;
	unsigned long end;
	int n = 0, err;

	if (!IS_ALIGNED(start, PAGE_SIZE) || !len || start >= TASK_SIZE)
		return -EINVAL;
	len = ALIGN(len, PAGE_SIZE);
	end = start + len;
	if (end > TASK_SIZE || end < start)
		return -EINVAL;
	mmap_assert_write_locked(mm);
	err = split_range(mm, start, end);
	if (err)
		return err;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = find_vma(mm, vma->vm_end))
		n++;
	gone = kzalloc((size_t)(n ? n : 1) * sizeof(*gone));
	n = 0;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = find_vma(mm, vma->vm_end)) {
		vma_start_write(vma);
		vma_mark_detached(vma);
		gone[n++] = vma;
	}
	for (int i = 0; i < n; i++)
		mm_vmas_remove(mm, gone[i]);
	for (int i = 0; i < n; i++)
		unmap_vma_range(gone[i], gone[i]->vm_start, gone[i]->vm_end);
	free_pgtables(mm, start, end);
	for (int i = 0; i < n; i++)
		remove_vma(gone[i]);
	return 0;
}
