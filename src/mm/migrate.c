/*
 * migrate.c - moving a folio's contents to new memory while it stays mapped
 * (mm/migrate.c, v6.17: migrate_pages_batch reduced to one folio).
 *
 * The folio is locked, every mapping is replaced by a migration entry
 * (try_to_migrate), the contents and the anon mapping move to a new folio
 * if nobody else holds a reference, and the migration entries are turned
 * back into PTEs - to the new folio on success, to the old one on failure
 * (remove_migration_ptes).  A fault on a migration entry sleeps on the
 * folio lock until that is over (migration_entry_wait).
 *
 * Leaves out: LRU isolation, batching, retries with MIGRATE_ASYNC,
 * file/shmem and swap-cache folios (-EBUSY here), NUMA policy.
 */
#include "mm/huge_mm.h"
#include "mm/swap.h"

struct rmp_arg {
	struct folio *src, *dst;
};

static bool remove_migration_pte_one(struct folio *src, struct vm_area_struct *vma,
				     unsigned long addr, pte_t *ptep, pte_t old, void *arg)
{
	struct rmp_arg *a = arg;
	swp_entry_t entry = pte_to_swp_entry(old);
	unsigned long idx = swp_offset_pfn(entry) - folio_pfn(src);
	struct page *new = folio_page(a->dst, idx);
	rmap_t flags = RMAP_NONE;
	pte_t pte = pte_mkold(pte_modify(pfn_pte(page_to_pfn(new)), vma));

	if (pte_swp_soft_dirty(old))
		pte = pte_mksoft_dirty(pte);
	if (is_writable_migration_entry(entry))
		pte = pte_mkdirty(pte_mkwrite(pte));
	else if (pte_swp_uffd_wp(old))
		pte = pte_mkuffd_wp(pte);
	if (folio_test_anon(a->dst) && !is_readable_migration_entry(entry))
		flags = RMAP_EXCLUSIVE;
	folio_get(a->dst);
	if (folio_test_anon(a->dst))
		folio_add_anon_rmap_pte(a->dst, new, vma, addr, flags);
	else
		folio_add_file_rmap_ptes(a->dst, new, 1, vma);
	set_pte_at(vma->vm_mm, addr, ptep, pte);
	return true;
}

/* remove_migration_pmd(): the PMD migration entry to @src, if any, maps @dst. */
static void remove_migration_pmd(struct vm_area_struct *vma, unsigned long address,
				 struct rmp_arg *a)
{
	unsigned long haddr = address & PMD_MASK;
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, haddr), val, pmde;
	spinlock_t *ptl;
	swp_entry_t entry;

	if (!pmd || !is_pmd_migration_entry(pmdp_get_lockless(pmd)))
		return;
	ptl = pmd_lock(vma->vm_mm, pmd);
	val = pmdp_get(pmd);
	entry = pmd_to_swp_entry(val);
	if (is_pmd_migration_entry(val) && swp_offset_pfn(entry) == folio_pfn(a->src)) {
		pmde = pmd_mkold(pfn_pmd(folio_pfn(a->dst)));
		if (is_writable_migration_entry(entry))
			pmde = pmd_mkdirty(pmd_mkwrite(pmde));
		folio_get(a->dst);
		folio_add_anon_rmap_pmd(a->dst, folio_page(a->dst, 0), vma, haddr,
					is_readable_migration_entry(entry) ? RMAP_NONE : RMAP_EXCLUSIVE);
		set_pmd_at(vma->vm_mm, haddr, pmd, pmde);
	}
	spin_unlock(ptl);
}

static bool remove_migration_pte(struct folio *folio, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct rmp_arg *a = arg;

	(void)folio;
	if (folio_order(a->src) == HPAGE_PMD_ORDER)
		remove_migration_pmd(vma, address, a);
	return folio_walk_ptes(a->src, vma, address, true, remove_migration_pte_one, arg);
}

/* remove_migration_ptes(): turn migration entries to @src into PTEs to @dst
 * (which has @src's mapping and index by now). */
void remove_migration_ptes(struct folio *src, struct folio *dst, int flags)
{
	struct rmp_arg a = { src, dst };
	struct rmap_walk_control rwc = {
		.arg = &a,
		.rmap_one = remove_migration_pte,
		.locked = flags & RMP_LOCKED,
	};

	SIM_FN();
	rmap_walk(dst, &rwc);
}

/* migration_entry_wait(): a fault found a migration entry; wait until the
 * migration is over (the folio is unlocked), then the fault is retried. */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, pmd, address, &ptl), pte;
	struct folio *folio;

	if (!ptep)
		return;
	pte = ptep_get(ptep);
	if (!is_swap_pte(pte) || !is_migration_entry(pte_to_swp_entry(pte))) {
		pte_unmap_unlock(ptep, ptl);
		return;
	}
	folio = pfn_folio(swp_offset_pfn(pte_to_swp_entry(pte)));
	pte_unmap_unlock(ptep, ptl);
	folio_wait_locked(folio);
}

void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lock(mm, pmd);
	pmd_t val = pmdp_get(pmd);
	struct folio *folio;

	if (!is_pmd_migration_entry(val)) {
		spin_unlock(ptl);
		return;
	}
	folio = pfn_folio(swp_offset_pfn(pmd_to_swp_entry(val)));
	spin_unlock(ptl);
	folio_wait_locked(folio);
}

/* folio_migrate_mapping() for an anon folio outside the swap cache: only
 * the caller may hold a reference besides the (now removed) mappings. */
static int move_to_new_folio(struct folio *dst, struct folio *src)
{
	if (folio_test_swapcache(src) || !folio_test_anon(src))
		return -EBUSY;
	if (folio_ref_count(src) != 1)
		return -EAGAIN;
	folio_copy(dst, src);
	dst->index = src->index;
	WRITE_ONCE_MAPPING(dst, READ_ONCE_MAPPING(src));
	__folio_set_flag(dst, PG_swapbacked);
	if (folio_test_dirty(src))
		folio_mark_dirty(dst);
	__folio_mark_uptodate(dst);
	return 0;
}

/*
 * migrate_folio_one(): migrate @src (the caller holds a reference, which it
 * keeps); 0, -ENOMEM, -EBUSY or -EAGAIN.
 */
int migrate_folio_one(struct folio *src)
{
	struct folio *dst = folio_alloc(folio_order(src));
	struct anon_vma *anon_vma = NULL;
	int ret;

	SIM_FN();
	if (!dst)
		return -ENOMEM;
	folio_lock(src);
	if (folio_test_writeback(src)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (folio_test_anon(src))
		anon_vma = folio_get_anon_vma(src);
	VM_BUG_ON(!folio_trylock(dst));
	ret = -EAGAIN;
	if (folio_mapped(src))
		try_to_migrate(src, 0);
	if (!folio_mapped(src))
		ret = move_to_new_folio(dst, src);
	remove_migration_ptes(src, ret ? src : dst, 0);
	if (!ret)
		folio_add_lru(dst);
	folio_unlock(dst);
	if (!ret)
		WRITE_ONCE_MAPPING(src, 0);
out_unlock:
	folio_unlock(src);
	if (anon_vma)
		put_anon_vma(anon_vma);
	folio_put(dst);
	return ret;
}
