/*
 * huge_memory.c - transparent huge pages (mm/huge_memory.c, v6.17).
 *
 * Models: the THP policy per order (sysfs enabled files, MADV_[NO]HUGEPAGE),
 * PMD-size anonymous faults (folio or the huge zero folio, with the PTE
 * table deposited for a later split), write faults on huge PMDs (reuse or
 * split and fall back), fork's copy, zap, splitting a PMD mapping into a
 * PTE table (__split_huge_pmd_locked, also into migration entries when
 * "freezing"), pmd_trans_huge_lock() (which also accepts swap-type PMDs),
 * and splitting a large folio into order-0 folios (__folio_split).
 *
 * Leaves out: khugepaged collapse, the deferred split shrinker, the huge
 * zero fault that allocates a THP on write (v6.13 do_huge_zero_wp_pmd: the
 * model splits and falls back, as before it), file/shmem THP, PUD THP,
 * split to orders other than 0, the huge zero folio's refcounting.
 */
#include "check/oracle.h"
#include "mm/api.h"
#include "mm/fixes.h"
#include "mm/huge_mm.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

/* ---- policy ------------------------------------------------------------------- */

unsigned long thp_vma_allowable_orders(struct vm_area_struct *vma, unsigned long orders)
{
	struct mm_kernel *k = mmk();
	unsigned long enabled = k->cfg.thp_always;

	if ((vma->vm_flags & VM_NOHUGEPAGE) || !vma_is_anonymous(vma))
		return 0;
	if (vma->vm_flags & VM_HUGEPAGE)
		enabled |= k->cfg.thp_madvise;
	return orders & enabled;
}

bool thp_vma_allowable_order(struct vm_area_struct *vma, unsigned order)
{
	return thp_vma_allowable_orders(vma, 1UL << order) != 0;
}

bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr, unsigned order)
{
	unsigned long size = PAGE_SIZE << order, haddr = ALIGN_DOWN(addr, size);

	if (!IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff, 1UL << order))
		return false;
	return haddr >= vma->vm_start && haddr + size <= vma->vm_end;
}

unsigned long thp_vma_suitable_orders(struct vm_area_struct *vma, unsigned long addr,
				      unsigned long orders)
{
	for (unsigned order = 1; order <= HPAGE_PMD_ORDER; order++)
		if ((orders & (1UL << order)) && !thp_vma_suitable_order(vma, addr, order))
			orders &= ~(1UL << order);
	return orders;
}

/* ---- deposited page tables ----------------------------------------------- */

void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmd, struct ptdesc *pt)
{
	struct pmd_page *pp = pmd_page_of(pmd);

	(void)mm;
	lockdep_assert_held(&pp->ptl);
	pp->deposit[pmd - pp->pmds] = pt;
}

struct ptdesc *pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmd)
{
	struct pmd_page *pp = pmd_page_of(pmd);
	struct ptdesc *pt = pp->deposit[pmd - pp->pmds];

	(void)mm;
	lockdep_assert_held(&pp->ptl);
	VM_BUG_ON(!pt);
	pp->deposit[pmd - pp->pmds] = NULL;
	return pt;
}

/* ---- PMD faults ---------------------------------------------------------------- */

static pmd_t maybe_pmd_mkwrite(pmd_t pmd, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

static vm_fault_t huge_zero_fault(struct vm_fault *vmf, unsigned long haddr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ptdesc *pgtable = pte_alloc_one();

	vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		spin_unlock(vmf->ptl);
		pte_free(pgtable);
		return 0;
	}
	if (vma->vm_flags & VM_UFFD_MISSING) {
		spin_unlock(vmf->ptl);
		pte_free(pgtable);
		return handle_userfault(vmf, VM_UFFD_MISSING);
	}
	pgtable_trans_huge_deposit(vma->vm_mm, vmf->pmd, pgtable);
	set_pmd_at(vma->vm_mm, haddr, vmf->pmd, pfn_pmd(mmk()->huge_zero_pfn));
	spin_unlock(vmf->ptl);
	return 0;
}

/*
 * do_huge_pmd_anonymous_page(): a fault on an empty PMD in a range that may
 * use a PMD-size folio.  Reads map the huge zero folio; writes a new
 * zeroed folio; VM_FAULT_FALLBACK sends the fault to the PTE level.
 */
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	struct ptdesc *pgtable;
	struct folio *folio;
	vm_fault_t ret;
	pmd_t entry;

	if (!thp_vma_suitable_order(vma, haddr, HPAGE_PMD_ORDER))
		return VM_FAULT_FALLBACK;
	ret = anon_vma_prepare(vma) ? VM_FAULT_OOM : 0;
	if (ret)
		return ret;
	if (!(vmf->flags & FAULT_FLAG_WRITE) && mmk()->cfg.thp_use_zero_page)
		return huge_zero_fault(vmf, haddr);
	folio = folio_alloc_zeroed(HPAGE_PMD_ORDER);
	if (!folio)
		return VM_FAULT_FALLBACK;
	__folio_mark_uptodate(folio);
	pgtable = pte_alloc_one();
	vmf->ptl = pmd_lock(vma->vm_mm, vmf->pmd);
	if (!pmd_none(pmdp_get(vmf->pmd)))
		goto release;
	if (vma->vm_flags & VM_UFFD_MISSING) {
		spin_unlock(vmf->ptl);
		folio_put(folio);
		pte_free(pgtable);
		return handle_userfault(vmf, VM_UFFD_MISSING);
	}
	pgtable_trans_huge_deposit(vma->vm_mm, vmf->pmd, pgtable);
	entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(pfn_pmd(folio_pfn(folio)))), vma);
	folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE);
	folio_add_lru(folio);
	set_pmd_at(vma->vm_mm, haddr, vmf->pmd, entry);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR);
	spin_unlock(vmf->ptl);
	return 0;
release:
	spin_unlock(vmf->ptl);
	pte_free(pgtable);
	folio_put(folio);
	return 0;
}

void huge_pmd_set_accessed(struct vm_fault *vmf)
{
	spinlock_t *ptl = pmd_lock(vmf->vma->vm_mm, vmf->pmd);
	pmd_t entry = pmdp_get(vmf->pmd);

	if (pmd_same(entry, vmf->orig_pmd))
		set_pmd_at(vmf->vma->vm_mm, vmf->address, vmf->pmd, pmd_mkyoung(entry));
	spin_unlock(ptl);
}

/*
 * do_huge_pmd_wp_page(): a write to a read-only huge PMD.  Reuse the folio
 * if it is (or provably is) exclusive, else split the PMD and let the PTE
 * level copy one page.
 */
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	pmd_t orig_pmd = vmf->orig_pmd;
	struct folio *folio;
	struct page *page;

	vmf->ptl = pmd_lockptr(vma->vm_mm, vmf->pmd);
	if (is_huge_zero_pfn(pmd_pfn(orig_pmd)))
		goto fallback;
	spin_lock(vmf->ptl);
	if (!pmd_same(pmdp_get(vmf->pmd), orig_pmd)) {
		spin_unlock(vmf->ptl);
		return 0;
	}
	page = pfn_to_page(pmd_pfn(orig_pmd));
	folio = page_folio(page);
	if (PageAnonExclusive(page))
		goto reuse;
	if (!folio_trylock(folio)) {
		folio_get(folio);
		spin_unlock(vmf->ptl);
		folio_lock(folio);
		spin_lock(vmf->ptl);
		if (!pmd_same(pmdp_get(vmf->pmd), orig_pmd)) {
			spin_unlock(vmf->ptl);
			folio_unlock(folio);
			folio_put(folio);
			return 0;
		}
		folio_put(folio);
	}
	if (PageAnonExclusive(page)) {
		folio_unlock(folio);
		goto reuse;
	}
	if (folio_ref_count(folio) > 1 + (folio_test_swapcache(folio) ? (int)HPAGE_PMD_NR : 0))
		goto unlock_fallback;
	if (folio_test_swapcache(folio))
		folio_free_swap(folio);
	if (folio_ref_count(folio) == 1) {
		folio_move_anon_rmap(folio, vma);
		SetPageAnonExclusive(page);
		folio_unlock(folio);
reuse:
		set_pmd_at(vma->vm_mm, haddr, vmf->pmd,
			   maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(orig_pmd)), vma));
		spin_unlock(vmf->ptl);
		return 0;
	}
unlock_fallback:
	folio_unlock(folio);
	spin_unlock(vmf->ptl);
fallback:
	split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* ---- fork and zap --------------------------------------------------------------- */

/*
 * copy_huge_pmd(): fork shares a huge PMD (write-protected in both) or a
 * PMD migration entry (made readable in both).  -EAGAIN: the caller copies
 * at PTE level (the PMD was split: the folio may be pinned, or it is not
 * huge any more).
 */
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct ptdesc *pgtable;
	spinlock_t *dst_ptl, *src_ptl;
	struct folio *src_folio;
	struct page *src_page;
	int ret = -EAGAIN;
	pmd_t pmd;

	if (!vma_is_anonymous(dst_vma))
		return 0;
	pgtable = pte_alloc_one();
	dst_ptl = pmd_lock(dst_mm, dst_pmd);
	src_ptl = pmd_lockptr(src_mm, src_pmd);
	spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING);
	pmd = pmdp_get(src_pmd);
	if (is_swap_pmd(pmd)) {
		swp_entry_t entry = pmd_to_swp_entry(pmd);

		VM_BUG_ON(!is_pmd_migration_entry(pmd));
		if (!is_readable_migration_entry(entry)) {
			pmd = swp_entry_to_pmd(make_readable_migration_entry(swp_offset(entry)));
			set_pmd_at(src_mm, addr, src_pmd, pmd);
		}
		add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
		pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
		if (!(dst_vma->vm_flags & VM_UFFD_WP))
			pmd = pmd_swp_clear_uffd_wp(pmd);
		set_pmd_at(dst_mm, addr, dst_pmd, pmd);
		ret = 0;
		goto out_unlock;
	}
	if (!pmd_trans_huge(pmd)) {
		pte_free(pgtable);
		goto out_unlock;
	}
	if (is_huge_zero_pfn(pmd_pfn(pmd)))
		goto out_zero_page;
	src_page = pfn_to_page(pmd_pfn(pmd));
	src_folio = page_folio(src_page);
	folio_get(src_folio);
	if (folio_try_dup_anon_rmap_pmd(src_folio, src_page, dst_vma, src_vma)) {
		/* The folio may be pinned: split, and copy at PTE level. */
		folio_put(src_folio);
		pte_free(pgtable);
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
		split_huge_pmd(src_vma, src_pmd, addr);
		return -EAGAIN;
	}
	add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
out_zero_page:
	pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
	set_pmd_at(src_mm, addr, src_pmd, pmd_wrprotect(pmdp_get(src_pmd)));
	if (!(dst_vma->vm_flags & VM_UFFD_WP))
		pmd = pmd_clear_uffd_wp(pmd);
	set_pmd_at(dst_mm, addr, dst_pmd, pmd_mkold(pmd_wrprotect(pmd)));
	ret = 0;
out_unlock:
	spin_unlock(src_ptl);
	spin_unlock(dst_ptl);
	return ret;
}

/* pmd_trans_huge_lock(): the PMD lock if the PMD is huge or swap-type (a
 * migration entry!), else NULL.  Callers must look at which it is. */
spinlock_t *pmd_trans_huge_lock(pmd_t *pmd, struct vm_area_struct *vma)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t val = pmdp_get(pmd);

	if (pmd_trans_huge(val) || is_swap_pmd(val))
		return ptl;
	spin_unlock(ptl);
	return NULL;
}

/* zap_huge_pmd(): unmap a whole huge PMD (or PMD migration entry); 0 if the
 * PMD turned out not to be huge (the caller goes to the PTE level).  The
 * data shadow forgets the range under the PMD lock (see zap_pte_range). */
int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = NULL;
	spinlock_t *ptl = pmd_trans_huge_lock(pmd, vma);
	pmd_t orig;

	if (!ptl)
		return 0;
	orig = pmdp_huge_get_and_clear(mm, addr, pmd);
	pte_free(pgtable_trans_huge_withdraw(mm, pmd));
	oracle_discard(mmk()->oracle, mm, addr, addr + HPAGE_PMD_SIZE);
	if (pmd_present(orig) && is_huge_zero_pfn(pmd_pfn(orig))) {
		spin_unlock(ptl);
		return 1;
	}
	if (pmd_present(orig)) {
		folio = pfn_folio(pmd_pfn(orig));
		folio_remove_rmap_pmd(folio, folio_page(folio, 0), vma);
	}
	add_mm_counter(mm, MM_ANONPAGES, -(long)HPAGE_PMD_NR);
	spin_unlock(ptl);
	if (folio) {
		free_swap_cache(folio);
		folio_put(folio);
	}
	return 1;
}

/* ---- splitting the PMD mapping ------------------------------------------ */

static void split_huge_zero_pmd(struct vm_area_struct *vma, unsigned long haddr, pmd_t *pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	struct ptdesc *pt;
	pte_t *pte;

	pmdp_huge_get_and_clear(mm, haddr, pmd);
	pt = pgtable_trans_huge_withdraw(mm, pmd);
	pte = pt->ptes;
	set_ptes(mm, haddr, pte, pte_mkspecial(pfn_pte(mmk()->zero_pfn)), 1);
	for (unsigned i = 1; i < HPAGE_PMD_NR; i++)
		__atomic_store_n(&pte[i].pte, pte_val(pte_mkspecial(pfn_pte(mmk()->zero_pfn))),
				 __ATOMIC_SEQ_CST);
	smp_wmb();
	WRITE_ONCE(*pmd, mk_table_pmd(pt->id));
}

/* PTEs for every page of a split PMD: present, or migration entries. */
static pte_t split_pte(unsigned long pfn, bool migration, bool write, bool exclusive, bool young,
		       bool dirty)
{
	pte_t e;

	if (migration) {
		swp_entry_t s = write ? make_writable_migration_entry(pfn)
				: exclusive ? make_readable_exclusive_migration_entry(pfn)
					    : make_readable_migration_entry(pfn);

		return swp_entry_to_pte(s);
	}
	e = pfn_pte(pfn);
	if (write)
		e = pte_mkwrite(e);
	if (young)
		e = pte_mkyoung(e);
	if (dirty)
		e = pte_mkdirty(e);
	return e;
}

/*
 * __split_huge_pmd_locked(): replace a huge PMD (or PMD migration entry) by
 * the deposited PTE table mapping each page.  With @freeze the pages are
 * unmapped into migration entries at once (if exclusivity can be given up,
 * see folio_try_share_anon_rmap_pmd).  Exclusivity is kept per page.  The
 * PMD is invalidated first so that no access goes through it meanwhile.
 */
void __split_huge_pmd_locked(struct vm_area_struct *vma, pmd_t *pmd, unsigned long haddr,
			     bool freeze)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t old = pmdp_get(pmd);
	bool migration = is_pmd_migration_entry(old), write, young = false, dirty = false;
	bool exclusive = false;
	struct folio *folio;
	struct page *page;
	struct ptdesc *pt;

	lockdep_assert_held(pmd_lockptr(mm, pmd));
	if (!migration && is_huge_zero_pfn(pmd_pfn(old))) {
		split_huge_zero_pmd(vma, haddr, pmd);
		return;
	}
	if (migration) {
		swp_entry_t e = pmd_to_swp_entry(old);

		page = pfn_to_page(swp_offset_pfn(e));
		write = is_writable_migration_entry(e);
		exclusive = is_readable_exclusive_migration_entry(e) || write;
	} else {
		old = xchg(pmd, pmd_mkinvalid(old));
		page = pfn_to_page(pmd_pfn(old));
		write = pmd_write(old);
		young = pmd_young(old);
		dirty = pmd_dirty(old);
		folio = page_folio(page);
		if (dirty)
			folio_mark_dirty(folio);
		exclusive = PageAnonExclusive(page);
		if (freeze && exclusive && folio_try_share_anon_rmap_pmd(folio, page))
			freeze = false;
		if (!freeze) {
			folio_ref_add(folio, HPAGE_PMD_NR - 1);
			folio_add_anon_rmap_ptes(folio, page, HPAGE_PMD_NR, vma, haddr,
						 exclusive ? RMAP_EXCLUSIVE : RMAP_NONE);
		}
	}
	pt = pgtable_trans_huge_withdraw(mm, pmd);
	{
		const struct sim_site *site = SIM_SITE("set_ptes", "pte");
		struct sim_cpu *c = sim_enter(site);
		unsigned long pfn = page_to_pfn(page);

		for (unsigned i = 0; i < HPAGE_PMD_NR; i++) {
			pte_t e = split_pte(pfn + i, freeze || migration, write, exclusive, young, dirty);

			__atomic_store_n(&pt->ptes[i].pte, pte_val(e), __ATOMIC_SEQ_CST);
		}
		sim_record_at(c, SIM_OP_WRITE_ONCE, site, 0, pfn, HPAGE_PMD_NR, pt->ptes);
	}
	if (!migration) {
		folio = page_folio(page);
		folio_remove_rmap_pmd(folio, page, vma);
		if (freeze)
			folio_put(folio);
	}
	/* The PTEs are visible before the PMD that leads to them. */
	smp_wmb();
	WRITE_ONCE(*pmd, mk_table_pmd(pt->id));
}

void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t val = pmdp_get(pmd);

	if (pmd_trans_huge(val) || is_pmd_migration_entry(val))
		__split_huge_pmd_locked(vma, pmd, address & PMD_MASK, false);
	spin_unlock(ptl);
}

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address)
{
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, address);

	if (pmd)
		split_huge_pmd(vma, pmd, address);
}

/* ---- splitting the folio ------------------------------------------------------ */

/* can_split_folio(): only the mappings, the swap cache and the caller may
 * hold references. */
static bool can_split_folio(struct folio *folio, int caller_pins, int *extra_pins)
{
	*extra_pins = folio_test_swapcache(folio) ? (int)folio_nr_pages(folio) : 0;
	return folio_mapcount(folio) == folio_ref_count(folio) - *extra_pins - caller_pins;
}

/* Turn the frozen (refcount 0) large folio into order-0 folios, each
 * referenced once (plus its swap-cache reference) and locked, as the head
 * was: nobody can reach them until they are mapped again. */
static void split_unmapped_folio(struct folio *folio)
{
	long nr = folio_nr_pages(folio);
	struct page *head = folio_page(folio, 0);
	unsigned long pfn = folio_pfn(folio), mapping = folio->mapping, index = folio->index;
	bool swapcache = __folio_test_flag(folio, PG_swapcache);
	unsigned long keep = (1UL << PG_anon_exclusive) | (1UL << PG_dirty) |
			     (1UL << PG_uptodate) | (1UL << PG_swapbacked);
	bool lru = head->flags & (1UL << PG_lru);
	swp_entry_t swap = folio->swap;

	for (long i = nr - 1; i >= 0; i--) {
		struct page *p = head + i;
		unsigned long flags = (p->flags | (head->flags & ~(1UL << PG_anon_exclusive))) & keep;

		p->flags = flags | (1UL << PG_locked) | (i == 0 && lru ? 1UL << PG_lru : 0);
		if (i)
			p->lru_next = p->lru_prev = 0;
		p->head = (uint32_t)(pfn + i);
		p->order = 0;
		p->mapping = mapping;
		p->index = index + (unsigned long)i;
		p->private = swapcache ? swap.val + (unsigned long)i : 0;
		if (swapcache)
			p->flags |= 1UL << PG_swapcache;
		atomic_set(&p->_refcount, 1 + (swapcache ? 1 : 0));
	}
	if (swapcache)
		swap_cache_split(folio, nr);
	/* The head stays where it is on the LRU; the new folios join it. */
	for (long i = 1; lru && i < nr; i++)
		folio_add_lru((struct folio *)(head + i));
}

/*
 * split_folio(): split a locked large anon folio into order-0 folios.  The
 * folio is unmapped into migration entries, frozen at its expected
 * reference count, split, and mapped again page by page.  The caller keeps
 * its reference and the lock on the first page's folio.
 */
int split_folio(struct folio *folio)
{
	struct anon_vma *anon_vma;
	long nr = folio_nr_pages(folio);
	int extra_pins, ret = 0, expected;

	SIM_FN();
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_FOLIO(!folio_test_large(folio), folio);
	if (folio_test_writeback(folio))
		return -EBUSY;
	if (!folio_test_anon(folio))
		return -EBUSY;
	anon_vma = folio_get_anon_vma(folio);
	if (!anon_vma)
		return -EBUSY;
	anon_vma_lock_write(anon_vma);
	if (!can_split_folio(folio, 1, &extra_pins)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	try_to_migrate(folio, TTU_SPLIT_HUGE_PMD | TTU_RMAP_LOCKED);
	expected = 1 + extra_pins;
	if (atomic_cmpxchg(&folio->_refcount, expected, 0) != expected) {
		remove_migration_ptes(folio, folio, RMP_LOCKED);
		ret = -EAGAIN;
		goto out_unlock;
	}
	split_unmapped_folio(folio);
	for (long i = 0; i < nr; i++)
		remove_migration_ptes(pfn_folio(folio_pfn(folio) + (unsigned long)i),
				      pfn_folio(folio_pfn(folio) + (unsigned long)i), RMP_LOCKED);
	/* Keep the first folio locked and referenced for the caller. */
	for (long i = 1; i < nr; i++) {
		struct folio *f = pfn_folio(folio_pfn(folio) + (unsigned long)i);

		folio_unlock_new(f);
		folio_put(f);
	}
out_unlock:
	anon_vma_unlock_write(anon_vma);
	put_anon_vma(anon_vma);
	return ret;
}

/*
 * mmt_split_huge_pages(): split every large anon folio mapped in
 * [start, end) of @mm into order-0 folios (the debugfs split_huge_pages
 * interface, split_huge_pages_pid()).  Returns how many folios were split;
 * a folio that cannot be split now (-EAGAIN: extra references) is skipped,
 * as the kernel does.
 */
int mmt_split_huge_pages(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	int split = 0;

	SIM_FN();
	mmap_read_lock(mm);
	for (unsigned long addr = start; addr < end;) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		struct folio *folio;
		unsigned long next;

		if (!vma) {
			addr += PAGE_SIZE;
			continue;
		}
		folio = folio_at(vma, addr);
		next = addr + PAGE_SIZE;
		if (folio && folio_test_large(folio) && folio_test_anon(folio)) {
			next = vma->vm_start + ((folio->index + (unsigned long)folio_nr_pages(folio) -
						 vma->vm_pgoff) << PAGE_SHIFT);
			if (next <= addr)
				next = addr + PAGE_SIZE;
			folio_lock(folio);
			if (!split_folio(folio))
				split++;
			folio_unlock(folio);
		}
		if (folio)
			folio_put(folio);
		addr = next;
	}
	mmap_read_unlock(mm);
	return split;
}

/* ---- UFFDIO_MOVE of a whole huge PMD ---------------------------------------------- */

/* pmd_folio() for a PMD the caller believes present.  Decoding a swap-type
 * PMD (a migration entry) as a folio is what the kernel did before
 * aba6faec0103: a wild pointer, reported here as the crash it was. */
struct folio *pmd_folio_checked(pmd_t pmd)
{
	if (!pmd_present(pmd)) {
		swp_entry_t e = pmd_to_swp_entry(pmd);

		if (is_migration_entry(e))
			sim_fail(SIM_FIND_BUG, "general protection fault",
				 "pmd_folio() of a non-present PMD, a migration entry of pfn %lu,"
				 " decoded as a folio (move_pages() split path before aba6faec0103)",
				 (unsigned long)swp_offset_pfn(e));
		sim_fail(SIM_FIND_BUG, "general protection fault",
			 "pmd_folio() of a non-present PMD %#llx decoded as a folio",
			 (unsigned long long)pmd_val(pmd));
	}
	return pfn_folio(pmd_pfn(pmd));
}

/*
 * move_pages_huge_pmd(): move the huge PMD at @src_pmd to the empty @dst_pmd
 * (mm/huge_memory.c).  Called with the source PMD lock held (from
 * pmd_trans_huge_lock(), which also returns for swap-type PMDs); returns
 * with it dropped.  0, -EAGAIN (the caller repeats), or an error.
 */
int move_pages_huge_pmd(struct mm_struct *mm, pmd_t *dst_pmd, pmd_t *src_pmd, pmd_t dst_pmdval,
			struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			unsigned long dst_addr, unsigned long src_addr)
{
	spinlock_t *src_ptl = pmd_lockptr(mm, src_pmd), *dst_ptl;
	pmd_t src_pmdval = pmdp_get(src_pmd), dst_new;
	struct anon_vma *src_anon_vma = NULL;
	struct folio *src_folio = NULL;
	struct page *src_page;
	int err = 0;

	SIM_FN();
	lockdep_assert_held(src_ptl);
	if (!pmd_none(dst_pmdval) || (src_addr & ~PMD_MASK) || (dst_addr & ~PMD_MASK)) {
		VM_WARN_ON_ONCE(1);
		spin_unlock(src_ptl);
		return -EINVAL;
	}
	if (!pmd_trans_huge(src_pmdval)) {
		/* The review of seed 004: the lock also came back for a
		 * migration entry; the v1 code asserted a present THP. */
		if (!mm_fix_enabled(FIX_MOVE_PMD_NONPRESENT))
			mm_bug("BUG_ON", "!pmd_trans_huge(src_pmdval)", __func__, __FILE__, __LINE__,
			       NULL, NULL);
		spin_unlock(src_ptl);
		if (is_pmd_migration_entry(src_pmdval)) {
			pmd_migration_entry_wait(mm, src_pmd);
			return -EAGAIN;
		}
		return -ENOENT;
	}
	src_page = pfn_to_page(pmd_pfn(src_pmdval));
	if (!is_huge_zero_pfn(pmd_pfn(src_pmdval))) {
		if (!PageAnonExclusive(src_page)) {
			spin_unlock(src_ptl);
			return -EBUSY;
		}
		src_folio = page_folio(src_page);
		folio_get(src_folio);
	}
	spin_unlock(src_ptl);

	if (src_folio) {
		folio_lock(src_folio);
		/* split_huge_page walks the anon_vma without the folio lock. */
		src_anon_vma = folio_get_anon_vma(src_folio);
		if (!src_anon_vma) {
			err = -EAGAIN;
			goto unlock_folio;
		}
		anon_vma_lock_write(src_anon_vma);
	}
	dst_ptl = pmd_lockptr(mm, dst_pmd);
	double_pt_lock(src_ptl, dst_ptl);
	if (!pmd_same(pmdp_get(src_pmd), src_pmdval) || !pmd_same(pmdp_get(dst_pmd), dst_pmdval)) {
		err = -EAGAIN;
		goto unlock_ptls;
	}
	if (src_folio) {
		if (folio_maybe_dma_pinned(src_folio) || !PageAnonExclusive(folio_page(src_folio, 0))) {
			err = -EBUSY;
			goto unlock_ptls;
		}
		if (!folio_test_anon(src_folio)) {
			VM_WARN_ON_ONCE(1);
			err = -EBUSY;
			goto unlock_ptls;
		}
		src_pmdval = pmdp_huge_clear_flush(src_vma, src_addr, src_pmd);
		/* Pinned from under us: put it back. */
		if (folio_maybe_dma_pinned(src_folio)) {
			set_pmd_at(mm, src_addr, src_pmd, src_pmdval);
			err = -EBUSY;
			goto unlock_ptls;
		}
		folio_move_anon_rmap(src_folio, dst_vma);
		WRITE_ONCE(src_folio->index, linear_page_index(dst_vma, dst_addr));
		/* As mremap: the moved entry is dirty (and writable). */
		dst_new = pmd_mkwrite(pmd_mkdirty(pfn_pmd(folio_pfn(src_folio))));
	} else {
		src_pmdval = pmdp_huge_clear_flush(src_vma, src_addr, src_pmd);
		dst_new = pfn_pmd(mmk()->huge_zero_pfn);
	}
	set_pmd_at(mm, dst_addr, dst_pmd, dst_new);
	pgtable_trans_huge_deposit(mm, dst_pmd, pgtable_trans_huge_withdraw(mm, src_pmd));
	oracle_move(mmk()->oracle, mm, src_addr, dst_addr, PMD_SIZE);
unlock_ptls:
	double_pt_unlock(src_ptl, dst_ptl);
	if (src_anon_vma) {
		anon_vma_unlock_write(src_anon_vma);
		put_anon_vma(src_anon_vma);
	}
unlock_folio:
	if (src_folio) {
		folio_unlock(src_folio);
		folio_put(src_folio);
	}
	return err;
}
