/*
 * madvise.c - advice on a range (mm/madvise.c, v6.17: madvise_dontneed_single_vma,
 * hugepage_madvise).
 *
 * MADV_DONTNEED zaps the range: private anonymous memory reads as zero
 * afterwards, a private file mapping reads the file again, shared memory
 * keeps its data (the next access maps it again).  Locked (VM_LOCKED) ranges refuse it with -EINVAL.
 * MADV_HUGEPAGE / MADV_NOHUGEPAGE set the VMA's THP policy, MADV_DONTFORK /
 * MADV_DOFORK whether fork copies the VMA.  MADV_PAGEOUT
 * swaps the range's exclusive anonymous pages out.  A range with unmapped parts gets the advice
 * where mapped and returns -ENOMEM.  Leaves out: MADV_FREE, MADV_WILLNEED,
 * MADV_COLD, MADV_REMOVE, guard regions, process_madvise.
 */
#include "mm/api.h"
#include "mm/internal.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

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
		/* A userfaultfd monitor that asked for UFFD_EVENT_REMOVE hears of
		 * it first, with the mmap_lock dropped: look again after. */
		if (!userfaultfd_remove(vma, s, e)) {
			mmap_read_lock(mm);
			vma = vma_lookup(mm, s);
			if (!vma) {
				err = -ENOMEM;
				break;
			}
			if (vma->vm_flags & VM_LOCKED) {
				err = -EINVAL;
				break;
			}
			if (e > vma->vm_end)
				e = vma->vm_end;
		}
		/* The zap also updates the data shadow, page table by page table. */
		zap_page_range_single(vma, s, e - s);
		addr = e;
	}
	mmap_read_unlock(mm);
	return err;
}

/* Collect the exclusively mapped anon folios of [start, end) of @vma that
 * are on the LRU, isolated (madvise_cold_or_pageout_pte_range). */
static int pageout_collect(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			   struct folio **list, int n, int cap)
{
	for (unsigned long addr = start; addr < end && n < cap;) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);
		spinlock_t *ptl;
		pte_t *pte, *first;

		if (!pmd || !pmd_is_table(pmdp_get_lockless(pmd)))
			goto next;
		first = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
		if (!pte)
			goto next;
		for (unsigned long a = addr; a < next && n < cap; a += PAGE_SIZE, pte++) {
			pte_t v = ptep_get(pte);
			struct folio *folio = pte_present(v) ? vm_normal_folio(vma, a, v) : NULL;

			if (!folio || !folio_test_anon(folio) ||
			    folio_mapcount(folio) != folio_nr_pages(folio))
				continue;
			if (folio_isolate_lru(folio))
				list[n++] = folio;
		}
		pte_unmap_unlock(first, ptl);
next:
		addr = next;
	}
	return n;
}

/*
 * MADV_PAGEOUT: reclaim the range's anonymous memory now (swap it out).
 * Folios mapped by more than one PTE (shared after fork) are left alone, as
 * the kernel leaves "maybe mapped shared" folios; so are huge PMDs (the
 * kernel splits them first; the model leaves them to mmt_reclaim()).
 * Locked VMAs refuse it with -EINVAL.
 */
static int madvise_pageout(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	int cap = (int)((end - start) >> PAGE_SHIFT), n = 0, err = 0;
	struct folio **list = kzalloc((size_t)(cap ? cap : 1) * sizeof(*list));

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
		if (vma_is_anonymous(vma))
			n = pageout_collect(vma, s, e, list, n, cap);
		addr = e;
	}
	mmap_read_unlock(mm);
	reclaim_pages(list, n);
	return err;
}

/* Advice that only changes VMA flags: clear @clear, then set @set. */
static int madvise_vma_flags(struct mm_struct *mm, unsigned long start, unsigned long end,
			     unsigned long clear, unsigned long set)
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
		vma->vm_flags = (vma->vm_flags & ~clear) | set;
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
		return madvise_vma_flags(mm, start, end, VM_NOHUGEPAGE, VM_HUGEPAGE);
	case MADV_NOHUGEPAGE:
		return madvise_vma_flags(mm, start, end, VM_HUGEPAGE, VM_NOHUGEPAGE);
	case MADV_DONTFORK:
		return madvise_vma_flags(mm, start, end, 0, VM_DONTCOPY);
	case MADV_DOFORK:
		return madvise_vma_flags(mm, start, end, VM_DONTCOPY, 0);
	case MADV_PAGEOUT:
		return madvise_pageout(mm, start, end);
	}
	return -EINVAL;
}
