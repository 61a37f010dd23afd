/*
 * mprotect.c - changing the protection of a range (mm/mprotect.c, v6.17:
 * do_mprotect_pkey, mprotect_fixup, change_pte_range, change_huge_pmd).
 *
 * Removing write permission write-protects the present PTEs; adding it
 * makes writable at once only the PTEs that could be written without a
 * fault anyway: exclusive anon pages (PageAnonExclusive) in private
 * mappings, dirty pages in shared ones (can_change_pte_writable); the rest
 * take a write fault later.  A huge PMD partly in the range is split.
 * PROT_NONE makes the present PTEs PROTNONE (pte_modify), which the MMU
 * does not translate; the model has no PROT_NONE huge PMD: a huge PMD whose
 * VMA loses every access right is split first.
 * Leaves out: pkeys, PROT_NONE NUMA hinting, VMA merging after the change,
 * uffd-wp protected entries, soft-dirty tracking.
 */
#include "mm/api.h"
#include "mm/huge_mm.h"

static unsigned long prot_bits(int prot)
{
	return ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

static bool can_change_pte_writable(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page;

	if (!(vma->vm_flags & VM_WRITE) || pte_uffd_wp(pte))
		return false;
	if (vma->vm_flags & VM_SHARED)
		return pte_dirty(pte);
	page = vm_normal_page(vma, addr, pte);
	return page && folio_test_anon(page_folio(page)) && PageAnonExclusive(page);
}

static void change_pte_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
			     unsigned long end)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl), *start = pte;

	if (!pte)
		return;
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t old = ptep_get(pte), new;

		if (!pte_present(old))
			continue;
		new = pte_wrprotect(ptep_get_and_clear(vma->vm_mm, addr, pte));
		new = pte_modify(new, vma);
		if (can_change_pte_writable(vma, addr, new))
			new = pte_mkwrite(new);
		set_pte_at(vma->vm_mm, addr, pte, new);
	}
	pte_unmap_unlock(start, ptl);
}

static void change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, vma);
	pmd_t val;

	if (!ptl)
		return;
	val = pmdp_get(pmd);
	if (pmd_trans_huge(val) && !is_huge_zero_pfn(pmd_pfn(val))) {
		val = pmd_wrprotect(val);
		if ((vma->vm_flags & VM_WRITE) && PageAnonExclusive(pfn_to_page(pmd_pfn(val))))
			val = pmd_mkwrite(val);
		set_pmd_at(vma->vm_mm, addr, pmd, val);
	}
	spin_unlock(ptl);
}

void change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	for (unsigned long addr = start; addr < end;) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);
		pmd_t val;

		if (!pmd)
			goto next;
		val = pmdp_get_lockless(pmd);
		if (pmd_trans_huge(val)) {
			if (next - addr == PMD_SIZE && vma_is_accessible(vma)) {
				change_huge_pmd(vma, pmd, addr);
				goto next;
			}
			split_huge_pmd(vma, pmd, addr);
		}
		if (pmd_is_table(pmdp_get_lockless(pmd)))
			change_pte_range(vma, pmd, addr, next);
next:
		addr = next;
	}
}

int mmt_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, int prot)
{
	unsigned long end, newflags;
	struct vm_area_struct *vma;
	int err = 0;

	SIM_FN();
	if (!IS_ALIGNED(start, PAGE_SIZE) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = ALIGN(len, PAGE_SIZE);
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (!len)
		return 0;
	mmap_write_lock(mm);
	for (unsigned long addr = start; addr < end && !err;) {
		vma = vma_lookup(mm, addr);
		if (!vma) {
			err = -ENOMEM;
			break;
		}
		newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | prot_bits(prot);
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) {
			err = -EACCES;
			break;
		}
		err = vma_modify_range(&vma, addr, end);
		if (err)
			break;
		vma_start_write(vma);
		vma->vm_flags = newflags;
		change_protection(vma, vma->vm_start, vma->vm_end);
		addr = vma->vm_end;
	}
	mmap_write_unlock(mm);
	return err;
}

/*
 * change_protection_uffd(): change_protection() with MM_CP_UFFD_WP (set
 * the uffd-wp bit, write-protecting) or MM_CP_UFFD_WP_RESOLVE (clear it;
 * PTEs that could be written without a fault become writable at once, as
 * MM_CP_TRY_CHANGE_WRITABLE does for private writable VMAs).  Swap and
 * migration entries carry the bit in their own place.  A huge PMD partly in
 * the range is split.  Leaves out: markers for empty PTEs (WP_UNPOPULATED).
 */
static void change_pte_range_uffd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
				  unsigned long end, bool enable)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl), *start = pte;

	if (!pte)
		return;
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t old = ptep_get(pte), new;

		if (pte_none(old))
			continue;
		if (!pte_present(old)) {
			if (pte_marker_uffd_wp(old)) {
				if (!enable)
					pte_clear(vma->vm_mm, addr, pte);
				continue;
			}
			new = enable ? pte_swp_mkuffd_wp(old) : pte_swp_clear_uffd_wp(old);
			if (pte_val(new) != pte_val(old))
				set_pte_at(vma->vm_mm, addr, pte, new);
			continue;
		}
		new = ptep_get_and_clear(vma->vm_mm, addr, pte);
		if (enable) {
			new = pte_mkuffd_wp(new);
		} else {
			new = pte_clear_uffd_wp(new);
			if (!(vma->vm_flags & VM_SHARED) && can_change_pte_writable(vma, addr, new))
				new = pte_mkwrite(new);
		}
		set_pte_at(vma->vm_mm, addr, pte, new);
	}
	pte_unmap_unlock(start, ptl);
}

void change_protection_uffd(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			    bool enable)
{
	for (unsigned long addr = start; addr < end;) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);
		pmd_t val;

		if (!pmd)
			goto next;
		val = pmdp_get_lockless(pmd);
		if (pmd_trans_huge(val)) {
			if (next - addr == PMD_SIZE) {
				spinlock_t *ptl = pmd_trans_huge_lock(pmd, vma);

				if (ptl) {
					val = pmdp_get(pmd);
					if (pmd_trans_huge(val)) {
						val = enable ? pmd_mkuffd_wp(val) : pmd_clear_uffd_wp(val);
						set_pmd_at(vma->vm_mm, addr, pmd, val);
					}
					spin_unlock(ptl);
					goto next;
				}
			} else {
				split_huge_pmd(vma, pmd, addr);
			}
		}
		if (pmd_is_table(pmdp_get_lockless(pmd)))
			change_pte_range_uffd(vma, pmd, addr, next, enable);
next:
		addr = next;
	}
}
