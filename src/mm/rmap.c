/*
 * rmap.c - reverse mapping of anonymous memory (mm/rmap.c, include/linux/rmap.h).
 *
 * Lock order (as at the top of the kernel's rmap.c):
 *
 *   mmap_lock
 *     folio_lock
 *       anon_vma->rwsem (the root's)
 *         mm->page_table_lock or pte_lock
 *
 * An anon_vma collects the VMAs whose pages may be reached from one another
 * through fork; folio->mapping points to one (tagged PAGE_MAPPING_ANON) and
 * folio->index holds the folio's page offset, so every VMA that may map the
 * folio is found by walking the anon_vma's chains and computing
 * vma_address().  Map counts: each page's _mapcount counts its PTE mappings;
 * a large folio also counts all mappings in _large_mapcount and PMD
 * mappings in _entire_mapcount.
 *
 * Loops over the pages of a large folio (map counts, PageAnonExclusive) are
 * one step each in the model: the kernel's per-page atomics are not
 * observed half-done by anything the model studies.
 *
 * Leaves out: anon_vma reuse on fork (find_mergeable_anon_vma, the
 * degree-based reuse of anon_vma_clone), KSM, hugetlb, device-private
 * pages, the deferred split queue, per-memcg statistics.
 */
#include "mm/fault_inject.h"
#include "mm/huge_mm.h"
#include "mm/swap.h"

/* ---- anon_vma life ----------------------------------------------------- */

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *av = kzalloc(sizeof(*av));

	av->id = mm_new_id(mmk());
	atomic_set(&av->refcount, 1);
	av->root = av;
	init_rwsem(&av->rwsem);
	return av;
}

static void get_anon_vma(struct anon_vma *av)
{
	atomic_inc(&av->refcount);
}

/* The anon_vma's memory is type-stable (SLAB_TYPESAFE_BY_RCU in the
 * kernel): a freed one keeps refcount 0 so lockless getters fail. */
static void anon_vma_free(struct anon_vma *av)
{
	av->freed = true;
}

void put_anon_vma(struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	if (!atomic_dec_and_test(&av->refcount))
		return;
	anon_vma_free(av);
	if (root != av && atomic_dec_and_test(&root->refcount))
		anon_vma_free(root);
}

void anon_vma_lock_write(struct anon_vma *av)
{
	down_write(&av->root->rwsem);
}

bool anon_vma_trylock_write(struct anon_vma *av)
{
	return down_write_trylock(&av->root->rwsem);
}

void anon_vma_unlock_write(struct anon_vma *av)
{
	up_write(&av->root->rwsem);
}

void anon_vma_lock_read(struct anon_vma *av)
{
	down_read(&av->root->rwsem);
}

void anon_vma_unlock_read(struct anon_vma *av)
{
	up_read(&av->root->rwsem);
}

static void grow(void ***v, int *cap, int need)
{
	if (need <= *cap)
		return;
	{
		int ncap = *cap ? *cap * 2 : 4;
		void **nv;

		while (ncap < need)
			ncap *= 2;
		nv = kzalloc((size_t)ncap * sizeof(void *));
		for (int i = 0; i < *cap; i++)
			nv[i] = (*v)[i];
		*v = nv;
		*cap = ncap;
	}
}

/* anon_vma_chain_link(): the root's rwsem is held (or the vma is new). */
static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma *av)
{
	struct anon_vma_chain *avc = kzalloc(sizeof(*avc));

	avc->vma = vma;
	avc->anon_vma = av;
	grow((void ***)&vma->avcs, &vma->cap_avcs, vma->nr_avcs + 1);
	vma->avcs[vma->nr_avcs++] = avc;
	grow((void ***)&av->chains, &av->cap_chains, av->nr_chains + 1);
	av->chains[av->nr_chains++] = avc;
}

/*
 * __anon_vma_prepare(): give @vma an anon_vma before its first anonymous
 * folio is mapped.  The mmap_lock (or the VMA lock with the mmap_lock read
 * trylocked, see vmf_anon_prepare) keeps VMA changes out; page_table_lock
 * makes two faulting threads agree on one anon_vma.
 */
int __anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av, *allocated;

	if (should_fail_alloc())
		return -ENOMEM;
	av = allocated = anon_vma_alloc();
	anon_vma_lock_write(av);
	spin_lock(&mm->page_table_lock);
	if (!vma->anon_vma) {
		WRITE_ONCE_ANON_VMA(vma, av);
		anon_vma_chain_link(vma, av);
		av->num_active_vmas++;
		allocated = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(av);
	if (allocated)
		put_anon_vma(allocated);
	return 0;
}

/* anon_vma_clone(): link @dst to every anon_vma @src is linked to (split, fork). */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	for (int i = src->nr_avcs - 1; i >= 0; i--) {
		struct anon_vma *av = src->avcs[i]->anon_vma;

		anon_vma_lock_write(av);
		anon_vma_chain_link(dst, av);
		anon_vma_unlock_write(av);
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	return 0;
}

/*
 * anon_vma_fork(): the child VMA @vma of parent VMA @pvma gets the parent's
 * chains plus an anon_vma of its own, a child of the parent's, so that its
 * future folios are not found from the parent.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *av;

	if (!pvma->anon_vma)
		return 0;
	vma->anon_vma = NULL;
	anon_vma_clone(vma, pvma);
	av = anon_vma_alloc();
	av->num_active_vmas++;
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	get_anon_vma(av->root);
	vma->anon_vma = av;
	anon_vma_lock_write(av);
	anon_vma_chain_link(vma, av);
	av->parent->num_children++;
	anon_vma_unlock_write(av);
	return 0;
}

static void chain_remove(struct anon_vma *av, struct anon_vma_chain *avc)
{
	for (int i = 0; i < av->nr_chains; i++) {
		if (av->chains[i] == avc) {
			av->chains[i] = av->chains[--av->nr_chains];
			return;
		}
	}
}

/* unlink_anon_vmas(): detach a dying VMA from its anon_vmas, freeing those
 * nothing refers to any more. */
void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma **drop = kzalloc((size_t)(vma->nr_avcs + 1) * sizeof(*drop));
	int ndrop = 0;

	for (int i = vma->nr_avcs - 1; i >= 0; i--) {
		struct anon_vma *av = vma->avcs[i]->anon_vma;

		anon_vma_lock_write(av);
		chain_remove(av, vma->avcs[i]);
		if (!av->nr_chains) {
			if (av->parent)
				av->parent->num_children--;
			drop[ndrop++] = av;
		}
		anon_vma_unlock_write(av);
	}
	if (vma->anon_vma)
		vma->anon_vma->num_active_vmas--;
	vma->nr_avcs = 0;
	for (int i = 0; i < ndrop; i++)
		put_anon_vma(drop[i]);
}

/*
 * folio_get_anon_vma(): a referenced anon_vma of @folio, or NULL if the
 * folio is not (or no longer) mapped.  Lockless: the anon_vma can only be
 * trusted while the folio is mapped, so that is checked again after the
 * reference is taken.
 */
struct anon_vma *folio_get_anon_vma(struct folio *folio)
{
	struct anon_vma *av = NULL;
	unsigned long m;

	rcu_read_lock();
	m = READ_ONCE_MAPPING(folio);
	if (!(m & PAGE_MAPPING_ANON) || !folio_mapped(folio))
		goto out;
	av = (struct anon_vma *)(m - PAGE_MAPPING_ANON);
	if (!atomic_inc_not_zero(&av->refcount)) {
		av = NULL;
		goto out;
	}
	if (!folio_mapped(folio)) {
		rcu_read_unlock();
		put_anon_vma(av);
		return NULL;
	}
out:
	rcu_read_unlock();
	return av;
}

/* ---- map counts ------------------------------------------------------------ */

/* One step: add @d to the _mapcount of @nr pages from @page; returns how
 * many went from unmapped to mapped (d > 0) or mapped to unmapped (d < 0). */
static int pages_mapcount_add(struct page *page, int nr, int d, const char *api)
{
	const struct sim_site *site = SIM_SITE("folio_rmap_ptes", "page->_mapcount");
	struct sim_cpu *c = sim_enter(site);
	int changed = 0;

	for (int i = 0; i < nr; i++) {
		int old = __atomic_fetch_add(&page[i]._mapcount.counter, d, __ATOMIC_SEQ_CST);

		if ((d > 0 && old == -1) || (d < 0 && old == 0))
			changed++;
	}
	sim_record_at(c, SIM_OP_ATOMIC_ADD, site, 0, (uint64_t)nr, (uint64_t)(int64_t)d,
		      &page->_mapcount);
	(void)api;
	return changed;
}

/* One step: set or clear PageAnonExclusive on @nr pages from @page. */
static void pages_set_exclusive(struct page *page, int nr, bool set)
{
	const struct sim_site *site = set ? SIM_SITE("SetPageAnonExclusive", "page")
					  : SIM_SITE("ClearPageAnonExclusive", "page");
	struct sim_cpu *c = sim_enter(site);

	for (int i = 0; i < nr; i++) {
		if (set)
			__atomic_fetch_or(&page[i].flags, 1UL << PG_anon_exclusive, __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_and(&page[i].flags, ~(1UL << PG_anon_exclusive), __ATOMIC_SEQ_CST);
	}
	sim_record_at(c, set ? SIM_OP_SET_BIT : SIM_OP_CLEAR_BIT, site, 0, (uint64_t)nr, 0,
		      &page->flags);
}

static void __folio_add_rmap_ptes(struct folio *folio, struct page *page, int nr)
{
	if (!folio_test_large(folio)) {
		atomic_inc(&folio->_mapcount);
		return;
	}
	atomic_add(nr, &folio_second(folio)->_large_mapcount);
	atomic_add(pages_mapcount_add(page, nr, 1, "folio_add_rmap_ptes"),
		   &folio_second(folio)->_nr_pages_mapped);
}

static void __folio_add_rmap_pmd(struct folio *folio)
{
	atomic_inc(&folio_second(folio)->_large_mapcount);
	atomic_inc(&folio_second(folio)->_entire_mapcount);
}

/* __folio_set_anon(): a new folio's mapping and index. */
static void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, bool exclusive)
{
	struct anon_vma *av = vma->anon_vma;

	VM_BUG_ON(!av);
	/* A folio that may be shared is reached from the root: any VMA of the
	 * hierarchy may map it. */
	if (!exclusive)
		av = av->root;
	WRITE_ONCE_MAPPING(folio, (unsigned long)av | PAGE_MAPPING_ANON);
	folio->index = linear_page_index(vma, address);
}

/*
 * folio_add_new_anon_rmap(): map a folio nobody else can see yet: an order-0
 * or mTHP folio by PTEs, a PMD-size folio by a PMD.
 */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags)
{
	bool exclusive = flags & RMAP_EXCLUSIVE;
	long nr = folio_nr_pages(folio);

	VM_BUG_ON(address < vma->vm_start || address + ((unsigned long)nr << PAGE_SHIFT) > vma->vm_end);
	__folio_set_flag(folio, PG_swapbacked);
	__folio_set_anon(folio, vma, address, exclusive);
	if (!folio_test_large(folio)) {
		atomic_set(&folio->_mapcount, 0);
		if (exclusive)
			SetPageAnonExclusive(folio_page(folio, 0));
	} else if (folio_order(folio) < HPAGE_PMD_ORDER) {
		pages_mapcount_add(folio_page(folio, 0), (int)nr, 1, "folio_add_new_anon_rmap");
		if (exclusive)
			pages_set_exclusive(folio_page(folio, 0), (int)nr, true);
		atomic_set(&folio_second(folio)->_large_mapcount, (int)nr - 1);
		atomic_set(&folio_second(folio)->_nr_pages_mapped, (int)nr);
	} else {
		atomic_set(&folio_second(folio)->_entire_mapcount, 0);
		atomic_set(&folio_second(folio)->_large_mapcount, 0);
		if (exclusive)
			SetPageAnonExclusive(folio_page(folio, 0));
	}
	sim_hostlock_lock(&mmk()->id_lock);
	mmk()->nr_anon_folios++;
	sim_hostlock_unlock(&mmk()->id_lock);
}

/*
 * __page_check_anon_rmap(): the kernel's sanity check when an existing anon
 * folio is mapped at @address of @vma: the folio must belong to the VMA's
 * anon_vma tree and sit at the VMA's page offset for that address.  The
 * second check is what UFFDIO_MOVE broke before "mm: Fix kernel BUG when
 * userfaultfd_move encounters swapcache" (seed 001).
 */
void __page_check_anon_rmap(struct folio *folio, struct page *page,
			    struct vm_area_struct *vma, unsigned long address)
{
	struct anon_vma *av = folio_anon_vma(folio);

	VM_BUG_ON_FOLIO(!av || av->root != vma->anon_vma->root, folio);
	VM_BUG_ON_PAGE(folio->index + folio_page_idx(folio, page) != linear_page_index(vma, address),
		       page);
}

/* folio_add_anon_rmap_ptes(): map @nr pages of an existing anon folio
 * (swap-in, migration, fork's copies); RMAP_EXCLUSIVE marks them exclusive. */
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page, int nr,
			      struct vm_area_struct *vma, unsigned long address, rmap_t flags)
{
	__folio_add_rmap_ptes(folio, page, nr);
	if (!__folio_test_flag(folio, PG_ksm))
		__page_check_anon_rmap(folio, page, vma, address);
	if (flags & RMAP_EXCLUSIVE)
		pages_set_exclusive(page, nr, true);
}

void folio_add_anon_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma, unsigned long address, rmap_t flags)
{
	__folio_add_rmap_pmd(folio);
	__page_check_anon_rmap(folio, page, vma, address);
	if (flags & RMAP_EXCLUSIVE)
		SetPageAnonExclusive(page);
}

void folio_add_file_rmap_ptes(struct folio *folio, struct page *page, int nr,
			      struct vm_area_struct *vma)
{
	(void)vma;
	__folio_add_rmap_ptes(folio, page, nr);
}

void folio_dup_file_rmap_ptes(struct folio *folio, struct page *page, int nr)
{
	__folio_add_rmap_ptes(folio, page, nr);
}

void folio_remove_rmap_ptes(struct folio *folio, struct page *page, int nr,
			    struct vm_area_struct *vma)
{
	(void)vma;
	if (!folio_test_large(folio)) {
		VM_BUG_ON_FOLIO(atomic_dec_return(&folio->_mapcount) < -1, folio);
		return;
	}
	atomic_sub(nr, &folio_second(folio)->_large_mapcount);
	atomic_sub(pages_mapcount_add(page, nr, -1, "folio_remove_rmap_ptes"),
		   &folio_second(folio)->_nr_pages_mapped);
}

void folio_remove_rmap_pmd(struct folio *folio, struct page *page, struct vm_area_struct *vma)
{
	(void)page;
	(void)vma;
	atomic_dec(&folio_second(folio)->_large_mapcount);
	VM_BUG_ON_FOLIO(atomic_dec_return(&folio_second(folio)->_entire_mapcount) < -1, folio);
}

/*
 * folio_try_dup_anon_rmap_ptes(): fork duplicates @nr PTE mappings.  An
 * exclusive page that may be pinned (the parent has ever pinned, and the
 * folio looks pinned) cannot be shared: -EBUSY, and fork copies it instead.
 * Otherwise the pages stop being exclusive.
 */
int folio_try_dup_anon_rmap_ptes(struct folio *folio, struct page *page, int nr,
				 struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	bool maybe_pinned;

	(void)dst_vma;
	maybe_pinned = is_cow_mapping(src_vma->vm_flags) &&
		       (src_vma->vm_mm->flags & (1UL << MMF_HAS_PINNED)) &&
		       folio_maybe_dma_pinned(folio);
	for (int i = 0; i < nr; i++)
		if (maybe_pinned && PageAnonExclusive(&page[i]))
			return -EBUSY;
	pages_set_exclusive(page, nr, false);
	__folio_add_rmap_ptes(folio, page, nr);
	return 0;
}

int folio_try_dup_anon_rmap_pmd(struct folio *folio, struct page *page,
				struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	bool maybe_pinned;

	(void)dst_vma;
	maybe_pinned = is_cow_mapping(src_vma->vm_flags) &&
		       (src_vma->vm_mm->flags & (1UL << MMF_HAS_PINNED)) &&
		       folio_maybe_dma_pinned(folio);
	if (PageAnonExclusive(page)) {
		if (maybe_pinned)
			return -EBUSY;
		ClearPageAnonExclusive(page);
	}
	__folio_add_rmap_pmd(folio);
	return 0;
}

/*
 * folio_try_share_anon_rmap_pte(): the page is about to become possibly
 * shared (swap-out, migration, KSM): the caller has cleared the PTE and
 * holds the PTL.  Back off if a pin may exist; otherwise clear exclusivity.
 * The barriers order "PTE cleared" before "pins checked" against GUP-fast's
 * "pin taken" before "PTE re-checked" (see seed 003 and gup.c).
 */
int folio_try_share_anon_rmap_pte(struct folio *folio, struct page *page)
{
	smp_mb();
	if (folio_maybe_dma_pinned(folio))
		return -EBUSY;
	ClearPageAnonExclusive(page);
	/* Paired with the smp_rmb() in gup_must_unshare(). */
	smp_mb__after_atomic();
	return 0;
}

int folio_try_share_anon_rmap_pmd(struct folio *folio, struct page *page)
{
	return folio_try_share_anon_rmap_pte(folio, page);
}

/*
 * folio_move_anon_rmap(): make @folio belong to @vma's anon_vma (the folio
 * is exclusively owned: do_wp_page reuse, UFFDIO_MOVE).  One store, so a
 * lockless reader sees either the old or the new anon_vma, tagged.
 */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON(!vma->anon_vma);
	WRITE_ONCE_MAPPING(folio, (unsigned long)vma->anon_vma | PAGE_MAPPING_ANON);
}

unsigned long vma_address(const struct vm_area_struct *vma, pgoff_t pgoff, unsigned long nr)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		if (address < vma->vm_start || address >= vma->vm_end)
			return (unsigned long)-EFAULT;
	} else if (pgoff + nr - 1 >= vma->vm_pgoff) {
		address = vma->vm_start;	/* straddles the start of the VMA */
	} else {
		return (unsigned long)-EFAULT;
	}
	return address;
}

/*
 * rmap_walk(): call rwc->rmap_one for every VMA that may map @folio (anon
 * folios only), holding the anon_vma lock for reading unless the caller
 * holds it.  Models rmap_walk_anon() with folio_lock_anon_vma_read()
 * reduced to a sleeping read lock.
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	struct anon_vma *av = folio_anon_vma(folio);
	pgoff_t first = folio->index;
	long nr = folio_nr_pages(folio);

	if (!av)
		return;
	if (!rwc->locked)
		anon_vma_lock_read(av);
	for (int i = 0; i < av->nr_chains; i++) {
		struct vm_area_struct *vma = av->chains[i]->vma;
		unsigned long address = vma_address(vma, first, (unsigned long)nr);

		if (IS_ERR_VALUE(address))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
	if (!rwc->locked)
		anon_vma_unlock_read(av);
}

/* ---- try_to_migrate ------------------------------------------------------------ */

struct ttm_arg {
	int flags;
	bool failed;
};

/* One PTE: replace it by a migration entry carrying write/exclusive. */
static bool migrate_pte_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			    pte_t *pte, pte_t val, void *arg)
{
	struct ttm_arg *t = arg;
	struct mm_struct *mm = vma->vm_mm;
	struct page *subpage = pfn_to_page(pte_pfn(val));
	bool anon_exclusive;
	swp_entry_t entry;
	pte_t pteval, swp;

	pteval = ptep_clear_flush(vma, addr, pte);
	if (pte_dirty(pteval))
		folio_mark_dirty(folio);
	anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage);
	if (anon_exclusive && folio_try_share_anon_rmap_pte(folio, subpage)) {
		/* Pinned: put the PTE back and give up. */
		set_pte_at(mm, addr, pte, pteval);
		t->failed = true;
		return false;
	}
	if (pte_write(pteval))
		entry = make_writable_migration_entry(page_to_pfn(subpage));
	else if (anon_exclusive)
		entry = make_readable_exclusive_migration_entry(page_to_pfn(subpage));
	else
		entry = make_readable_migration_entry(page_to_pfn(subpage));
	swp = swp_entry_to_pte(entry);
	if (pte_soft_dirty(pteval))
		swp = pte_swp_mksoft_dirty(swp);
	if (pte_uffd_wp(pteval))
		swp = pte_swp_mkuffd_wp(swp);
	set_pte_at(mm, addr, pte, swp);
	folio_remove_rmap_pte(folio, subpage, vma);
	folio_put(folio);
	return true;
}

/* The PMD mapping, if any: split it into migration PTEs (TTU_SPLIT_HUGE_PMD)
 * or turn it into a PMD migration entry (set_pmd_migration_entry). */
static bool migrate_pmd_one(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			    struct ttm_arg *t)
{
	unsigned long haddr = address & PMD_MASK;
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, haddr), val, orig;
	struct page *page = folio_page(folio, 0);
	spinlock_t *ptl;
	bool exclusive;

	if (!pmd || !pmd_trans_huge(pmdp_get_lockless(pmd)))
		return true;
	ptl = pmd_lock(vma->vm_mm, pmd);
	val = pmdp_get(pmd);
	if (!pmd_trans_huge(val) || pmd_pfn(val) != folio_pfn(folio)) {
		spin_unlock(ptl);
		return true;
	}
	if (t->flags & TTU_SPLIT_HUGE_PMD) {
		__split_huge_pmd_locked(vma, pmd, haddr, true);
		spin_unlock(ptl);
		return true;
	}
	orig = xchg(pmd, pmd_mkinvalid(val));
	exclusive = PageAnonExclusive(page);
	if (exclusive && folio_try_share_anon_rmap_pmd(folio, page)) {
		set_pmd_at(vma->vm_mm, haddr, pmd, orig);
		spin_unlock(ptl);
		t->failed = true;
		return false;
	}
	set_pmd_at(vma->vm_mm, haddr, pmd,
		   swp_entry_to_pmd(pmd_write(orig) ? make_writable_migration_entry(folio_pfn(folio))
				    : exclusive ? make_readable_exclusive_migration_entry(folio_pfn(folio))
						: make_readable_migration_entry(folio_pfn(folio))));
	folio_remove_rmap_pmd(folio, page, vma);
	folio_put(folio);
	spin_unlock(ptl);
	return true;
}

static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	struct ttm_arg *t = arg;

	if (folio_order(folio) == HPAGE_PMD_ORDER && !migrate_pmd_one(folio, vma, address, t))
		return false;
	return folio_walk_ptes(folio, vma, address, false, migrate_pte_one, arg);
}

static bool folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

/*
 * try_to_migrate(): replace every mapping of a locked folio by migration
 * entries.  Stops at an exclusive page that may be pinned (the mapping is
 * left in place); the caller checks folio_mapped() afterwards.
 */
bool try_to_migrate(struct folio *folio, int flags)
{
	struct ttm_arg t = { .flags = flags };
	struct rmap_walk_control rwc = {
		.arg = &t,
		.rmap_one = try_to_migrate_one,
		.done = folio_not_mapped,
		.locked = flags & TTU_RMAP_LOCKED,
	};

	SIM_FN();
	rmap_walk(folio, &rwc);
	return !t.failed;
}

/* ---- try_to_unmap (swap-out) ----------------------------------------------- */

struct ttu_arg {
	int flags;
	bool failed;
};

/*
 * One PTE of a swap-cache folio being reclaimed: replace it by a swap PTE
 * for the page's slot (try_to_unmap_one, anon).  The slot gains a reference
 * (swap_duplicate); exclusivity moves from PageAnonExclusive into the swap
 * PTE's exclusive bit, unless a pin may exist, in which case the PTE is put
 * back and the folio stays mapped.
 */
static bool unmap_pte_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			  pte_t *pte, pte_t val, void *arg)
{
	struct ttu_arg *t = arg;
	struct mm_struct *mm = vma->vm_mm;
	struct page *subpage = pfn_to_page(pte_pfn(val));
	swp_entry_t entry = swp_entry(swp_type(folio->swap),
				      swp_offset(folio->swap) + folio_page_idx(folio, subpage));
	bool anon_exclusive;
	pte_t pteval, swp;

	pteval = ptep_clear_flush(vma, addr, pte);
	if (pte_dirty(pteval))
		folio_mark_dirty(folio);
	anon_exclusive = PageAnonExclusive(subpage);
	if (swap_duplicate(entry) < 0) {
		set_pte_at(mm, addr, pte, pteval);
		goto fail;
	}
	if (anon_exclusive && folio_try_share_anon_rmap_pte(folio, subpage)) {
		swap_free_nr(entry, 1);
		set_pte_at(mm, addr, pte, pteval);
		goto fail;
	}
	dec_mm_counter(mm, MM_ANONPAGES);
	inc_mm_counter(mm, MM_SWAPENTS);
	swp = swp_entry_to_pte(entry);
	if (anon_exclusive)
		swp = pte_swp_mkexclusive(swp);
	if (pte_soft_dirty(pteval))
		swp = pte_swp_mksoft_dirty(swp);
	if (pte_uffd_wp(pteval))
		swp = pte_swp_mkuffd_wp(swp);
	set_pte_at(mm, addr, pte, swp);
	folio_remove_rmap_pte(folio, subpage, vma);
	folio_put(folio);
	return true;
fail:
	t->failed = true;
	return false;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct ttu_arg *t = arg;

	/* A PMD mapping is split first (TTU_SPLIT_HUGE_PMD): swap entries
	 * exist only at PTE level in v6.17. */
	if (folio_order(folio) == HPAGE_PMD_ORDER && (t->flags & TTU_SPLIT_HUGE_PMD)) {
		pmd_t *pmd = mm_find_pmd(vma->vm_mm, address & PMD_MASK);

		if (pmd && pmd_trans_huge(pmdp_get_lockless(pmd)) &&
		    pmd_pfn(pmdp_get_lockless(pmd)) == folio_pfn(folio))
			split_huge_pmd(vma, pmd, address);
	}
	return folio_walk_ptes(folio, vma, address, false, unmap_pte_one, arg);
}

/*
 * try_to_unmap(): unmap a locked swap-cache folio from every page table
 * (reclaim).  The caller checks folio_mapped() afterwards: a mapping that
 * could not be unmapped (pinned) stays.
 */
void try_to_unmap(struct folio *folio, int flags)
{
	struct ttu_arg t = { .flags = flags };
	struct rmap_walk_control rwc = {
		.arg = &t,
		.rmap_one = try_to_unmap_one,
		.done = folio_not_mapped,
	};

	SIM_FN();
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_FOLIO(!folio_test_swapcache(folio), folio);
	rmap_walk(folio, &rwc);
}
