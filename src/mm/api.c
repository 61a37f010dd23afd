/*
 * api.c - the system-call layer of the operation API (mm/mmap.c:
 * vm_mmap_pgoff, __vm_munmap; mm/migrate.c: do_pages_move for one page;
 * the THP sysfs knobs).  The rest of the API lives with its kernel file:
 * uaccess.c (read/write), fork.c (fork/exit), mprotect.c, mlock.c, madvise.c.
 */
#include "check/oracle.h"
#include "mm/api.h"
#include "mm/huge_mm.h"

long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot, int flags,
	     struct address_space *file, pgoff_t pgoff);

struct mm_struct *mmt_mm_create(void)
{
	return mm_alloc();
}

long mmt_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len, int prot, int flags,
	      struct address_space *file, unsigned long pgoff)
{
	long ret;

	SIM_FN();
	if ((flags & MAP_ANONYMOUS) && file)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !file)
		return -EBADF;
	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, prot, flags, file, pgoff);
	mmap_write_unlock(mm);
	if (ret > 0)
		oracle_discard(mmk()->oracle, mm, (unsigned long)ret,
			       (unsigned long)ret + ALIGN(len, PAGE_SIZE));
	return ret;
}

int mmt_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	int ret;

	SIM_FN();
	mmap_write_lock(mm);
	ret = do_munmap(mm, addr, len);
	mmap_write_unlock(mm);
	if (!ret)
		oracle_discard(mmk()->oracle, mm, addr, addr + ALIGN(len, PAGE_SIZE));
	return ret;
}

/* vma_modify_range(): split *vmap so that it lies within [start, end)
 * (mmap_lock held for writing); *vmap is then the part inside. */
int vma_modify_range(struct vm_area_struct **vmap, unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = *vmap;
	int err;

	if (vma->vm_start < start) {
		err = __split_vma(vma, start, 1);
		if (err)
			return err;
	}
	if (vma->vm_end > end) {
		err = __split_vma(vma, end, 0);
		if (err)
			return err;
	}
	*vmap = vma;
	return 0;
}

/* The folio mapped at @addr, referenced, or NULL (follow_page). */
struct folio *folio_at(struct vm_area_struct *vma, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr), val;
	struct folio *folio = NULL;
	spinlock_t *ptl;
	pte_t *pte, pv;

	if (!pmd)
		return NULL;
	val = pmdp_get_lockless(pmd);
	if (pmd_trans_huge(val)) {
		ptl = pmd_lock(vma->vm_mm, pmd);
		val = pmdp_get(pmd);
		if (pmd_trans_huge(val) && !is_huge_zero_pfn(pmd_pfn(val))) {
			folio = pfn_folio(pmd_pfn(val));
			folio_get(folio);
		}
		spin_unlock(ptl);
		return folio;
	}
	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return NULL;
	pv = ptep_get(pte);
	if (pte_present(pv)) {
		folio = vm_normal_folio(vma, addr, pv);
		if (folio)
			folio_get(folio);
	}
	pte_unmap_unlock(pte, ptl);
	return folio;
}

/* Is the zero page or the huge zero folio mapped at @addr? */
static bool zero_page_at(struct vm_area_struct *vma, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr), val;
	spinlock_t *ptl;
	pte_t *pte, pv;

	if (!pmd)
		return false;
	val = pmdp_get_lockless(pmd);
	if (pmd_trans_huge(val))
		return is_huge_zero_pfn(pmd_pfn(val));
	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return false;
	pv = ptep_get(pte);
	pte_unmap_unlock(pte, ptl);
	return pte_present(pv) && is_zero_pfn(pte_pfn(pv));
}

/* add_page_for_migration(): no VMA or a zero page is -EFAULT, nothing
 * mapped -ENOENT (the status move_pages(2) reports for the page). */
int mmt_migrate(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	struct folio *folio;
	int ret = -EAGAIN;
	bool zero = false;

	SIM_FN();
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	folio = vma ? folio_at(vma, addr) : NULL;
	if (vma && !folio)
		zero = zero_page_at(vma, addr);
	mmap_read_unlock(mm);
	if (!vma || zero)
		return -EFAULT;
	if (!folio)
		return -ENOENT;
	for (int tries = 0; tries < 3 && ret == -EAGAIN; tries++)
		ret = folio_test_anon(folio) ? migrate_folio_one(folio) : -EBUSY;
	folio_put(folio);
	return ret == -EAGAIN ? -EBUSY : ret;
}

void mmt_thp_set(unsigned long always, unsigned long madvise)
{
	mmk()->cfg.thp_always = always;
	mmk()->cfg.thp_madvise = madvise;
}
