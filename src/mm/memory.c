/*
 * memory.c - page faults, copy-on-write, zapping and fork's copy of page
 * tables (mm/memory.c, v6.17 semantics).
 *
 * Fault entry: handle_mm_fault() -> __handle_mm_fault() (PMD level: huge
 * PMD faults in huge_memory.c) -> handle_pte_fault() -> do_anonymous_page /
 * do_fault (shared and file stand-in) / do_swap_page (migration entries and
 * markers here; swap entries arrive with the swap model) / do_wp_page.
 *
 * Locks: a fault holds the VMA read lock (FAULT_FLAG_VMA_LOCK) or the
 * mmap_lock for reading; PTEs change only under the PTL.  A fault that
 * finds the PTE changed under the PTL simply returns: the access is
 * retried and faults again if it must.
 *
 * Leaves out: NUMA hinting faults, KSM, device memory, hugetlb, page-cache
 * readahead, fault-around, memcg charging, the TLB (accesses are atomic
 * steps, see uaccess.c, so a cleared PTE is "flushed" at once).
 */
#include "check/oracle.h"
#include "mm/huge_mm.h"
#include "mm/internal.h"
#include "mm/fixes.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

static vm_fault_t do_anonymous_page(struct vm_fault *vmf);
static vm_fault_t do_fault(struct vm_fault *vmf);

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	(void)vma;
	(void)addr;
	if (pte_special(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	return pfn_to_page(pte_pfn(pte));
}

struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page ? page_folio(page) : NULL;
}

/* folio_mk_pte(): mk_pte(&folio->page, vma->vm_page_prot). */
pte_t folio_mk_pte(struct folio *folio, const struct vm_area_struct *vma)
{
	return pte_modify(pfn_pte(folio_pfn(folio)), vma);
}

static pte_t maybe_mkwrite(pte_t pte, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

/* vmf_pte_changed(): under the PTL, did the PTE change since the fault read it? */
static bool vmf_pte_changed(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_ORIG_PTE_VALID)
		return !pte_same(ptep_get(vmf->pte), vmf->orig_pte);
	return !pte_none(ptep_get(vmf->pte));
}

/*
 * vmf_anon_prepare(): the VMA needs an anon_vma before an anonymous folio
 * is mapped.  Under the VMA lock that needs the mmap_lock too; if it cannot
 * be had at once the fault is retried under the mmap_lock.
 */
static vm_fault_t vmf_anon_prepare(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = 0;

	if (READ_ONCE_ANON_VMA(vma))
		return 0;
	if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
		if (!mmap_read_trylock(vma->vm_mm))
			return VM_FAULT_RETRY;
	}
	if (__anon_vma_prepare(vma))
		ret = VM_FAULT_OOM;
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		mmap_read_unlock(vma->vm_mm);
	return ret;
}

/*
 * alloc_anon_folio(): the largest folio the THP settings allow whose naturally
 * aligned range lies in the VMA and has only none PTEs, falling back to
 * smaller orders and finally to one page.  Contents zeroed.
 */
static struct folio *alloc_anon_folio(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long orders = thp_vma_allowable_orders(vma, (1UL << HPAGE_PMD_ORDER) - 2);
	pte_t *pte;

	if (vma->vm_flags & VM_UFFD_MISSING)
		orders = 0;	/* userfaultfd_armed(): one page at a time */
	orders = thp_vma_suitable_orders(vma, vmf->address, orders);
	if (!orders)
		return folio_alloc_zeroed(0);
	pte = pte_offset_map(vmf->pmd, vmf->address & PMD_MASK, NULL);
	if (!pte)
		return NULL;
	/* Keep the orders whose whole range is still empty. */
	for (unsigned order = HPAGE_PMD_ORDER; order > 0; order--) {
		unsigned long addr;

		if (!(orders & (1UL << order)))
			continue;
		addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
		if (!pte_range_none(pte + pte_index(addr), 1U << order))
			orders &= ~(1UL << order);
	}
	pte_unmap(pte);
	for (unsigned order = HPAGE_PMD_ORDER; order > 0; order--) {
		struct folio *folio;

		if (!(orders & (1UL << order)))
			continue;
		folio = folio_alloc_zeroed(order);
		if (folio)
			return folio;
	}
	return folio_alloc_zeroed(0);
}

/*
 * do_anonymous_page(): first touch of an anonymous page.  A read maps the
 * shared zero page; a write allocates a folio (possibly mTHP), maps it
 * exclusively and writable.  A userfaultfd-missing VMA hands the fault to
 * user space instead (checked under the PTL, as in the kernel).
 */
static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	unsigned long addr = vmf->address;
	vm_fault_t ret = 0;
	long nr = 1;
	pte_t entry;

	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (pte_alloc(vma->vm_mm, vmf->pmd))
		return VM_FAULT_OOM;
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(mmk()->zero_pfn));
		vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
		if (!vmf->pte)
			return 0;
		if (vmf_pte_changed(vmf))
			goto unlock;
		if (vma->vm_flags & VM_UFFD_MISSING) {
			pte_unmap_unlock(vmf->pte, vmf->ptl);
			return handle_userfault(vmf, VM_UFFD_MISSING);
		}
		goto setpte;
	}
	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	folio = alloc_anon_folio(vmf);
	if (!folio)
		return VM_FAULT_OOM;
	nr = folio_nr_pages(folio);
	addr = ALIGN_DOWN(vmf->address, (unsigned long)nr * PAGE_SIZE);
	/* Contents before the PTE: paired with the access through the PTE. */
	__folio_mark_uptodate(folio);
	entry = pte_mkyoung(folio_mk_pte(folio, vma));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte)
		goto release_nolock;
	if (nr == 1 && vmf_pte_changed(vmf))
		goto release;
	if (nr > 1 && !pte_range_none(vmf->pte, (unsigned)nr))
		goto release;
	if (vma->vm_flags & VM_UFFD_MISSING) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_put(folio);
		return handle_userfault(vmf, VM_UFFD_MISSING);
	}
	/* One reference per mapped page. */
	if (nr > 1)
		folio_ref_add(folio, (int)nr - 1);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, nr);
	folio_add_new_anon_rmap(folio, vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru(folio);
setpte:
	set_ptes(vma->vm_mm, addr, vmf->pte, entry, (unsigned)nr);
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return ret;
release:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
release_nolock:
	folio_put(folio);
	return ret;
}

/* ---- write protection faults ----------------------------------------------- */

/* wp_page_reuse(): the page is ours alone; make the PTE writable. */
static void wp_page_reuse(struct vm_fault *vmf)
{
	pte_t entry = ptep_get(vmf->pte);

	entry = pte_mkyoung(entry);
	entry = maybe_mkwrite(pte_mkdirty(entry), vmf->vma);
	set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
}

/*
 * wp_can_reuse_anon_folio(): may a write fault reuse an anon folio that is
 * not marked exclusive?  Only if our mapping holds its only reference
 * (after dropping a swap-cache reference), checked under the folio lock.
 * Leaves out __wp_can_reuse_large_anon_folio() (v6.15+, mm ids): a large
 * folio is never reused this way, a write copies the page (same data, one
 * more page).
 */
static bool wp_can_reuse_anon_folio(struct folio *folio, struct vm_area_struct *vma)
{
	if (folio_test_large(folio))
		return false;
	if (__folio_test_flag(folio, PG_ksm) || folio_ref_count(folio) > 3)
		return false;
	if (folio_ref_count(folio) > 1 + folio_test_swapcache(folio))
		return false;
	if (!folio_trylock(folio))
		return false;
	if (folio_test_swapcache(folio))
		folio_free_swap(folio);
	if (folio_ref_count(folio) != 1) {
		folio_unlock(folio);
		return false;
	}
	folio_move_anon_rmap(folio, vma);
	folio_unlock(folio);
	return true;
}

/*
 * wp_page_copy(): break COW.  Allocate a private copy (zeroed if the old
 * page was the zero page), and install it if the PTE did not change
 * meanwhile; the old folio loses one mapping and our reference.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct folio *old_folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *new_folio;
	bool page_copied = false;
	vm_fault_t ret;
	pte_t entry;

	ret = vmf_anon_prepare(vmf);
	if (ret)
		goto out;
	new_folio = old_folio ? folio_alloc(0) : folio_alloc_zeroed(0);
	if (!new_folio) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	if (old_folio) {
		bool from_file = !folio_test_anon(old_folio);

		memcpy(folio_address(new_folio), page_address(vmf->page), PAGE_SIZE);
		/* The data shadow: a private copy of a file page (same step). */
		if (from_file)
			oracle_cow_page(mmk()->oracle, vma, vmf->address);
	}
	__folio_mark_uptodate(new_folio);
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		if (old_folio) {
			if (!folio_test_anon(old_folio))
				dec_mm_counter(mm, MM_SHMEMPAGES);
			else
				dec_mm_counter(mm, MM_ANONPAGES);
		}
		inc_mm_counter(mm, MM_ANONPAGES);
		entry = pte_mkyoung(folio_mk_pte(new_folio, vma));
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
		ptep_clear_flush(vma, vmf->address, vmf->pte);
		folio_add_new_anon_rmap(new_folio, vma, vmf->address, RMAP_EXCLUSIVE);
		folio_add_lru(new_folio);
		set_pte_at(mm, vmf->address, vmf->pte, entry);
		if (old_folio)
			folio_remove_rmap_pte(old_folio, vmf->page, vma);
		/* The replaced PTE's reference on the old folio goes too. */
		new_folio = old_folio;
		page_copied = true;
	}
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	if (new_folio)
		folio_put(new_folio);
	ret = 0;
out:
	if (old_folio) {
		if (page_copied)
			free_swap_cache(old_folio);
		folio_put(old_folio);
	}
	return ret;
}

/*
 * do_wp_page(): a write to a present, write-protected PTE (called with the
 * PTL held).  Reuse an exclusive (or provably exclusive) anon page, else
 * copy.  Shared mappings make the PTE writable.
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = NULL;

	/* A write to a uffd-wp protected PTE goes to user space. */
	if (!(vmf->flags & FAULT_FLAG_UNSHARE) && userfaultfd_pte_wp(vma, ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return handle_userfault(vmf, VM_UFFD_WP);
	}
	vmf->page = vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (vmf->page)
		folio = page_folio(vmf->page);
	if (vma->vm_flags & VM_SHARED) {
		wp_page_reuse(vmf);
		return 0;
	}
	if (folio && folio_test_anon(folio) &&
	    (PageAnonExclusive(vmf->page) || wp_can_reuse_anon_folio(folio, vma))) {
		if (!PageAnonExclusive(vmf->page))
			SetPageAnonExclusive(vmf->page);
		wp_page_reuse(vmf);
		return 0;
	}
	if (folio)
		folio_get(folio);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf, folio);
}

/* ---- shared and file mappings ---------------------------------------- */

/*
 * do_fault(): a missing PTE in a shared or file mapping.  Reads and shared
 * writes map the object's page; a private write copies it into a new
 * anonymous page (do_cow_fault).
 */
static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool cow = (vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED);
	struct folio *folio, *cow_folio = NULL;
	struct page *page;
	vm_fault_t ret;
	pte_t entry;

	if (cow) {
		ret = vmf_anon_prepare(vmf);
		if (ret)
			return ret;
	}
	ret = shmem_fault(vmf, &folio);
	if (ret)
		return ret;
	page = folio_page(folio, vmf->pgoff - folio->index);
	if (cow) {
		cow_folio = folio_alloc(0);
		if (!cow_folio) {
			folio_put(folio);
			return VM_FAULT_OOM;
		}
		memcpy(folio_address(cow_folio), page_address(page), PAGE_SIZE);
		oracle_cow_page(mmk()->oracle, vma, vmf->address);
		__folio_mark_uptodate(cow_folio);
		folio_put(folio);
		folio = cow_folio;
		page = folio_page(folio, 0);
	}
	if (pte_alloc(vma->vm_mm, vmf->pmd)) {
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || vmf_pte_changed(vmf)) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_put(folio);
		return 0;
	}
	entry = pte_mkyoung(folio_mk_pte(folio, vma));
	if (vmf->flags & FAULT_FLAG_WRITE)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	if (cow) {
		inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
		folio_add_new_anon_rmap(folio, vma, vmf->address, RMAP_EXCLUSIVE);
		folio_add_lru(folio);
	} else {
		inc_mm_counter(vma->vm_mm, MM_SHMEMPAGES);
		folio_add_file_rmap_ptes(folio, page, 1, vma);
	}
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* ---- non-present PTEs ---------------------------------------------------- */

/*
 * handle_pte_marker(): a marker PTE.  A uffd-wp marker stands for an empty
 * PTE that keeps its write protection: fault it in as if missing; guard
 * markers (MADV_GUARD_INSTALL) and poison are signals.
 */
static vm_fault_t handle_pte_marker(struct vm_fault *vmf)
{
	unsigned long marker = pte_marker_get(pte_to_swp_entry(vmf->orig_pte));

	if (marker & PTE_MARKER_POISONED)
		return VM_FAULT_SIGBUS;
	if (marker & PTE_MARKER_GUARD)
		return VM_FAULT_SIGSEGV;
	if (marker & PTE_MARKER_UFFD_WP)
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) : do_fault(vmf);
	return VM_FAULT_SIGBUS;
}

/*
 * do_swap_page(): the PTE holds a swap-type entry.  Migration entries wait
 * for the migration to finish; PTE markers are handled; real swap entries
 * are swapped in (swap.h).
 */
static vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);

	if (non_swap_entry(entry)) {
		if (is_migration_entry(entry)) {
			migration_entry_wait(vmf->vma->vm_mm, vmf->pmd, vmf->address);
			return 0;
		}
		if (is_pte_marker_entry(entry))
			return handle_pte_marker(vmf);
		return VM_FAULT_SIGBUS;
	}
	return do_swap_page_swapin(vmf);
}

/* release_fault_lock(): drop the lock the fault holds (VMA or mmap). */
static void release_fault_lock(struct vm_fault *vmf)
{
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		vma_end_read(vmf->vma);
	else
		mmap_read_unlock(vmf->vma->vm_mm);
}

/* folio_lock_or_retry(): lock the folio, or (if the fault may be retried)
 * drop the fault's lock, wait for the folio lock holder, and retry. */
static vm_fault_t folio_lock_or_retry(struct folio *folio, struct vm_fault *vmf)
{
	if (folio_trylock(folio))
		return 0;
	if (vmf->flags & FAULT_FLAG_ALLOW_RETRY) {
		release_fault_lock(vmf);
		folio_wait_locked(folio);
		return VM_FAULT_RETRY;
	}
	folio_lock(folio);
	return 0;
}

/* should_try_to_free_swap(): drop the swap copy of a folio we are mapping? */
static bool should_try_to_free_swap(struct folio *folio, struct vm_area_struct *vma,
				    unsigned int fault_flags)
{
	if (!folio_test_swapcache(folio))
		return false;
	if (vm_swap_full() || (vma->vm_flags & VM_LOCKED) || folio_test_mlocked(folio))
		return true;
	/* Mapping it writable needs the refcount to prove we are alone: try to
	 * get rid of the swap cache's reference if that will likely work. */
	return (fault_flags & FAULT_FLAG_WRITE) && !__folio_test_flag(folio, PG_ksm) &&
	       folio_ref_count(folio) == 1 + (int)folio_nr_pages(folio);
}

/* The end of a SWP_SYNCHRONOUS_IO swap-in: unpin the entry, after the PTL
 * is released, and wake anyone who backed off from it. */
static void swapin_clear_pin(struct swap_info_struct *si, swp_entry_t entry, bool need_clear_cache)
{
	if (!need_clear_cache)
		return;
	swapcache_clear(si, entry, 1);
	if (READ_ONCE(swapcache_wq->waiters))
		wake_up(swapcache_wq);
}

/*
 * do_swap_page_swapin(): the real-swap-entry part of do_swap_page() (v6.17,
 * order-0 swap-in).  Find the folio in the swap cache, or read the slot:
 * on a SWP_SYNCHRONOUS_IO device whose slot has a single reference, into a
 * new folio that skips the swap cache (pinned by swapcache_prepare() since
 * "mm/swap: fix race when skipping swapcache"; without the fix nothing pins
 * it, and seed 002's lost write follows), else through the swap cache.
 * Then, under the PTL, if the PTE is unchanged: give back the swap
 * reference, map the page (exclusive if the swap PTE said so or the folio
 * is new), and maybe drop the swap-cache copy.
 * Leaves out: large-folio swap-in (mTHP swapin, mapping a whole large
 * swap-cache folio: one page is mapped), KSM's copy on mismatch,
 * SWP_STABLE_WRITES, readahead, memcg.
 */
vm_fault_t do_swap_page_swapin(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
	struct folio *swapcache, *folio;
	struct swap_info_struct *si;
	bool need_clear_cache = false, exclusive;
	rmap_t rmap_flags = RMAP_NONE;
	struct page *page;
	vm_fault_t ret = 0;
	pte_t pte;

	SIM_FN();
	si = get_swap_device(entry);
	if (!si)
		return 0;
	folio = swap_cache_get_folio(entry);
	swapcache = folio;
	if (!folio) {
		if ((si->flags & SWP_SYNCHRONOUS_IO) && __swap_count(entry) == 1) {
			/* Skip the swap cache. */
			folio = folio_alloc(0);
			if (folio) {
				__folio_set_flag(folio, PG_locked);
				__folio_set_flag(folio, PG_swapbacked);
				if (mm_fix_enabled(FIX_SWAPIN_SKIP_SWAPCACHE_RACE)) {
					if (swapcache_prepare(entry, 1)) {
						/* Relax a bit to prevent rapid repeated faults:
						 * the winner wakes us when it unpins. */
						folio_unlock_new(folio);
						folio_put(folio);
						prepare_to_wait(swapcache_wq);
						schedule_timeout(1);
						finish_wait(swapcache_wq);
						put_swap_device(si);
						return 0;
					}
					need_clear_cache = true;
				}
				folio_add_lru(folio);
				folio->swap = entry;
				swap_read_folio(folio);
				folio->swap.val = 0;
			}
		} else {
			folio = swapin_readahead(entry, vmf);
			swapcache = folio;
		}
		if (!folio) {
			/* Someone else may have faulted this PTE in meanwhile. */
			vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
			if (vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte))
				ret = VM_FAULT_OOM;
			goto unlock;
		}
		ret = VM_FAULT_MAJOR;
	}
	ret |= folio_lock_or_retry(folio, vmf);
	if (ret & VM_FAULT_RETRY)
		goto out_release;
	page = folio_page(folio, swapcache ? swp_offset(entry) - swp_offset(folio->swap) : 0);
	if (swapcache) {
		/* folio_free_swap() or a reused slot may have taken the folio out
		 * of the swap cache since the lockless lookup. */
		if (!folio_test_swapcache(folio) ||
		    folio->swap.val + folio_page_idx(folio, page) != entry.val)
			goto out_page;
	}
	vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || !pte_same(ptep_get(vmf->pte), vmf->orig_pte))
		goto out_nomap;
	if (!folio_test_uptodate(folio)) {
		ret = VM_FAULT_SIGBUS;
		goto out_nomap;
	}
	BUG_ON(folio_test_anon(folio) && PageAnonExclusive(page));
	exclusive = pte_swp_exclusive(vmf->orig_pte);
	if (folio != swapcache)
		exclusive = true;	/* a fresh folio nobody else can see */
	swap_free_nr(entry, 1);
	if (should_try_to_free_swap(folio, vma, vmf->flags))
		folio_free_swap(folio);
	inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
	dec_mm_counter(vma->vm_mm, MM_SWAPENTS);
	pte = pfn_pte(page_to_pfn(page));
	if (pte_swp_soft_dirty(vmf->orig_pte))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(vmf->orig_pte))
		pte = pte_mkuffd_wp(pte);
	if (exclusive || folio_ref_count(folio) == 1) {
		if ((vma->vm_flags & VM_WRITE) && !pte_uffd_wp(pte)) {
			pte = pte_mkwrite(pte);
			if (vmf->flags & FAULT_FLAG_WRITE) {
				pte = pte_mkdirty(pte);
				vmf->flags &= ~FAULT_FLAG_WRITE;
			}
		}
		rmap_flags |= RMAP_EXCLUSIVE;
	}
	vmf->orig_pte = pte;
	if (!folio_test_anon(folio))
		folio_add_new_anon_rmap(folio, vma, vmf->address, rmap_flags);
	else
		folio_add_anon_rmap_pte(folio, page, vma, vmf->address, rmap_flags);
	VM_BUG_ON(!folio_test_anon(folio) || (pte_write(pte) && !PageAnonExclusive(page)));
	set_pte_at(vma->vm_mm, vmf->address, vmf->pte, pte);
	folio_unlock(folio);
	if (vmf->flags & FAULT_FLAG_WRITE) {
		vmf->page = page;
		ret |= do_wp_page(vmf);
		if (ret & VM_FAULT_ERROR)
			ret &= VM_FAULT_ERROR;
		goto out;
	}
unlock:
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
out:
	swapin_clear_pin(si, entry, need_clear_cache);
	put_swap_device(si);
	return ret;
out_nomap:
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
out_page:
	folio_unlock(folio);
out_release:
	folio_put(folio);
	swapin_clear_pin(si, entry, need_clear_cache);
	put_swap_device(si);
	return ret;
}

/*
 * handle_pte_fault(): read the PTE locklessly and dispatch; for a present
 * PTE, re-check it under the PTL and handle a write to a read-only PTE.
 */
static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	pte_t entry;

	if (pmd_none(pmdp_get_lockless(vmf->pmd))) {
		vmf->pte = NULL;
		vmf->flags &= ~FAULT_FLAG_ORIG_PTE_VALID;
	} else {
		vmf->pte = pte_offset_map_rw_nolock(vmf->vma->vm_mm, vmf->pmd, vmf->address, NULL,
						    &vmf->ptl);
		if (!vmf->pte)
			return 0;
		vmf->orig_pte = ptep_get_lockless(vmf->pte);
		vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
		if (pte_none(vmf->orig_pte)) {
			pte_unmap(vmf->pte);
			vmf->pte = NULL;
		}
	}
	if (!vmf->pte)
		return vma_is_anonymous(vmf->vma) ? do_anonymous_page(vmf) : do_fault(vmf);
	if (!pte_present(vmf->orig_pte)) {
		pte_unmap(vmf->pte);
		vmf->pte = NULL;
		return do_swap_page(vmf);
	}
	spin_lock(vmf->ptl);
	entry = vmf->orig_pte;
	if (!pte_same(ptep_get(vmf->pte), entry))
		goto unlock;
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		entry = pte_mkdirty(entry);
	}
	set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, pte_mkyoung(entry));
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/*
 * __handle_mm_fault(): the PMD level.  An empty PMD in a THP-enabled range
 * tries a huge fault first; a huge PMD is handled by huge_memory.c; a PMD
 * migration entry waits.
 */
static vm_fault_t __handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
				    unsigned int flags)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = address & PAGE_MASK,
		.real_address = address,
		.flags = flags,
		.pgoff = linear_page_index(vma, address),
	};
	vm_fault_t ret;
	pmd_t pmdval;

	vmf.pmd = mm_alloc_pmd(vma->vm_mm, address);
	if (!vmf.pmd)
		return VM_FAULT_OOM;
	pmdval = pmdp_get_lockless(vmf.pmd);
	if (pmd_none(pmdval) && thp_vma_allowable_order(vma, HPAGE_PMD_ORDER) &&
	    vma_is_anonymous(vma)) {
		ret = do_huge_pmd_anonymous_page(&vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	} else {
		vmf.orig_pmd = pmdval;
		if (is_pmd_migration_entry(pmdval)) {
			pmd_migration_entry_wait(vma->vm_mm, vmf.pmd);
			return 0;
		}
		if (pmd_trans_huge(pmdval)) {
			if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(pmdval)) {
				/* wp_huge_pmd(): uffd-wp goes to user space. */
				if (!(flags & FAULT_FLAG_UNSHARE) && userfaultfd_wp(vma) &&
				    pmd_uffd_wp(pmdval))
					return handle_userfault(&vmf, VM_UFFD_WP);
				ret = do_huge_pmd_wp_page(&vmf);
				if (!(ret & VM_FAULT_FALLBACK))
					return ret;
			} else {
				huge_pmd_set_accessed(&vmf);
				return 0;
			}
		}
	}
	return handle_pte_fault(&vmf);
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags)
{
	SIM_FN();
	return __handle_mm_fault(vma, address, flags);
}

/* ---- zapping ------------------------------------------------------------ */

struct zap_batch {
	struct folio *folios[PTRS_PER_PTE];
	int nr;
};

/*
 * zap_pte_range(): clear the PTEs of [addr, end) in one table.  Folios are
 * released after the PTL is dropped (the kernel's mmu_gather frees them
 * after the TLB flush).  The data shadow forgets a private mapping's words
 * of the range before the PTL is dropped: a fault that maps the range again
 * (and a write through it, which survives the zap) must wait for the PTL.
 */
static void zap_pte_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	long rss[NR_MM_COUNTERS] = { 0 };
	struct zap_batch *b = kzalloc(sizeof(*b));
	unsigned long start = addr;
	spinlock_t *ptl;
	pte_t *start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl), *pte;

	if (!start_pte)
		return;
	for (pte = start_pte; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);

		if (pte_none(ptent))
			continue;
		if (pte_present(ptent)) {
			struct page *page = vm_normal_page(vma, addr, ptent);
			struct folio *folio;

			ptep_get_and_clear(mm, addr, pte);
			if (!page)
				continue;
			folio = page_folio(page);
			if (folio_test_anon(folio))
				rss[MM_ANONPAGES]--;
			else
				rss[MM_SHMEMPAGES]--;
			folio_remove_rmap_pte(folio, page, vma);
			b->folios[b->nr++] = folio;
			continue;
		}
		zap_nonpresent_pte(vma, pte, addr, ptent, rss);
	}
	if (!(vma->vm_flags & VM_SHARED))
		oracle_discard(mmk()->oracle, mm, start, end);
	pte_unmap_unlock(start_pte, ptl);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(mm, i, rss[i]);
	/* free_pages_and_swap_cache(): after the TLB flush. */
	for (int i = 0; i < b->nr; i++) {
		free_swap_cache(b->folios[i]);
		folio_put(b->folios[i]);
	}
}

static void zap_pmd_range(struct vm_area_struct *vma, unsigned long addr, unsigned long end)
{
	while (addr < end) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, addr);
		pmd_t val;

		if (!pmd)
			goto next;
		val = pmdp_get_lockless(pmd);
		if (pmd_trans_huge(val) || is_swap_pmd(val)) {
			if (next - addr == PMD_SIZE && zap_huge_pmd(vma, pmd, addr))
				goto next;
			split_huge_pmd(vma, pmd, addr);
		}
		if (pmd_is_table(pmdp_get_lockless(pmd)))
			zap_pte_range(vma, pmd, addr, next);
next:
		addr = next;
	}
}

/* unmap_vma_range(): zap everything mapped in [start, end) of @vma. */
void unmap_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	SIM_FN();
	if (start < vma->vm_start)
		start = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	if (start < end)
		zap_pmd_range(vma, start, end);
}

void zap_page_range_single(struct vm_area_struct *vma, unsigned long address, unsigned long size)
{
	unmap_vma_range(vma, address, address + size);
}

/* ---- fork: copying page tables ------------------------------------------- */

/*
 * copy_present_page(): fork cannot share an exclusive page that may be
 * pinned; the child gets its own copy now.
 */
static int copy_present_page(struct vm_area_struct *dst_vma, pte_t *dst_pte, unsigned long addr,
			     long *rss, struct folio **prealloc, struct page *page)
{
	struct folio *new_folio = *prealloc;
	pte_t pte;

	if (!new_folio)
		return -EAGAIN;
	*prealloc = NULL;
	memcpy(folio_address(new_folio), page_address(page), PAGE_SIZE);
	__folio_mark_uptodate(new_folio);
	folio_add_new_anon_rmap(new_folio, dst_vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru(new_folio);
	rss[MM_ANONPAGES]++;
	pte = maybe_mkwrite(pte_mkdirty(folio_mk_pte(new_folio, dst_vma)), dst_vma);
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * copy_present_pte(): share one present PTE with the child.  A private
 * writable PTE is write-protected in both (COW); anon pages stop being
 * exclusive (folio_try_dup_anon_rmap_pte), or are copied if they may be
 * pinned.  Models copy_present_ptes() for nr == 1.
 */
static int copy_present_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			    pte_t *dst_pte, pte_t *src_pte, pte_t pte, unsigned long addr,
			    long *rss, struct folio **prealloc)
{
	struct page *page = vm_normal_page(src_vma, addr, pte);
	struct folio *folio;

	if (page) {
		folio = page_folio(page);
		folio_get(folio);
		if (folio_test_anon(folio)) {
			if (folio_try_dup_anon_rmap_ptes(folio, page, 1, dst_vma, src_vma)) {
				folio_put(folio);
				return copy_present_page(dst_vma, dst_pte, addr, rss, prealloc, page);
			}
			rss[MM_ANONPAGES]++;
		} else {
			folio_dup_file_rmap_ptes(folio, page, 1);
			rss[MM_SHMEMPAGES]++;
		}
	}
	if (is_cow_mapping(src_vma->vm_flags) && pte_write(pte)) {
		ptep_set_wrprotect(src_vma->vm_mm, addr, src_pte);
		pte = pte_wrprotect(pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	if (!(dst_vma->vm_flags & VM_UFFD_WP))
		pte = pte_clear_uffd_wp(pte);
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * copy_nonpresent_pte(): swap entries gain a reference and lose their
 * exclusive bit; writable migration entries become readable in both mms;
 * uffd-wp markers are copied only if the child keeps uffd-wp.
 */
static void copy_nonpresent_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
				pte_t *dst_pte, pte_t *src_pte, pte_t orig, unsigned long addr,
				long *rss)
{
	swp_entry_t entry = pte_to_swp_entry(orig);
	pte_t pte = orig;

	if (!non_swap_entry(entry)) {
		swap_duplicate(entry);
		if (pte_swp_exclusive(orig)) {
			pte = pte_swp_clear_exclusive(orig);
			set_pte_at(src_vma->vm_mm, addr, src_pte, pte);
		}
		rss[MM_SWAPENTS]++;
	} else if (is_migration_entry(entry)) {
		struct folio *folio = pfn_folio(swp_offset_pfn(entry));

		rss[folio_test_anon(folio) ? MM_ANONPAGES : MM_SHMEMPAGES]++;
		if (!is_readable_migration_entry(entry) && is_cow_mapping(src_vma->vm_flags)) {
			pte = swp_entry_to_pte(make_readable_migration_entry(swp_offset(entry)));
			if (pte_swp_soft_dirty(orig))
				pte = pte_swp_mksoft_dirty(pte);
			set_pte_at(src_vma->vm_mm, addr, src_pte, pte);
		}
	} else if (is_pte_marker_entry(entry)) {
		if (!(dst_vma->vm_flags & VM_UFFD_WP))
			return;
	}
	if (!(dst_vma->vm_flags & VM_UFFD_WP))
		pte = pte_swp_clear_uffd_wp(pte);
	set_pte_at(dst_vma->vm_mm, addr, dst_pte, pte);
}

/*
 * copy_pte_range(): copy one table's worth.  Both PTLs are held (the
 * source's nested).  A page that must be copied needs an allocation, which
 * cannot happen under the PTLs: drop them, allocate, go again from there.
 */
static int copy_pte_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct folio *prealloc = NULL;
	spinlock_t *src_ptl, *dst_ptl;
	pte_t *src_pte, *dst_pte;
	long rss[NR_MM_COUNTERS];
	int ret = 0;

again:
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		rss[i] = 0;
	if (pte_alloc(dst_mm, dst_pmd))
		return -ENOMEM;
	dst_pte = pte_offset_map_lock(dst_mm, dst_pmd, addr, &dst_ptl);
	if (!dst_pte)
		return -ENOMEM;
	src_pte = pte_offset_map_rw_nolock(src_mm, src_pmd, addr, NULL, &src_ptl);
	if (!src_pte) {
		pte_unmap_unlock(dst_pte, dst_ptl);
		goto out;
	}
	spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
	for (; addr < end; addr += PAGE_SIZE, src_pte++, dst_pte++) {
		pte_t ptent = ptep_get(src_pte);

		if (pte_none(ptent))
			continue;
		if (!pte_present(ptent)) {
			copy_nonpresent_pte(dst_vma, src_vma, dst_pte, src_pte, ptent, addr, rss);
			continue;
		}
		ret = copy_present_pte(dst_vma, src_vma, dst_pte, src_pte, ptent, addr, rss,
				       &prealloc);
		if (ret == -EAGAIN)
			break;
	}
	spin_unlock(src_ptl);
	pte_unmap(src_pte);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i])
			add_mm_counter(dst_mm, i, rss[i]);
	pte_unmap_unlock(dst_pte, dst_ptl);
	if (ret == -EAGAIN) {
		prealloc = folio_alloc(0);
		if (!prealloc)
			return -ENOMEM;
		ret = 0;
		goto again;
	}
out:
	if (prealloc)
		folio_put(prealloc);
	return ret;
}

static bool vma_needs_copy(const struct vm_area_struct *dst_vma, const struct vm_area_struct *src)
{
	return (dst_vma->vm_flags & VM_UFFD_WP) || src->anon_vma;
}

/* copy_page_range(): fork copies @src_vma's page tables into @dst_vma's mm. */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end;
	int ret = 0;

	SIM_FN();
	if (!vma_needs_copy(dst_vma, src_vma))
		return 0;
	while (addr < end && !ret) {
		unsigned long next = pmd_addr_end(addr, end);
		pmd_t *src_pmd = mm_find_pmd(src_vma->vm_mm, addr), *dst_pmd;
		pmd_t val;

		if (!src_pmd)
			goto next;
		val = pmdp_get_lockless(src_pmd);
		if (pmd_none(val))
			goto next;
		dst_pmd = mm_alloc_pmd(dst_vma->vm_mm, addr);
		if (!dst_pmd)
			return -ENOMEM;
		if (pmd_trans_huge(val) || is_swap_pmd(val)) {
			ret = copy_huge_pmd(dst_vma, src_vma, dst_pmd, src_pmd, addr);
			if (ret == -ENOMEM)
				return ret;
			if (!ret)
				goto next;
			ret = 0;	/* split: copy the PTEs */
		}
		if (pmd_is_table(pmdp_get_lockless(src_pmd)))
			ret = copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr, next);
next:
		addr = next;
	}
	return ret;
}
