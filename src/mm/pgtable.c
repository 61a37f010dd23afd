/*
 * pgtable.c - page tables: allocating them, finding their locks, mapping a
 * PTE table for a walk (mm/pgtable-generic.c, the table parts of
 * mm/memory.c: pmd_install, __pte_alloc, free_pgtables; include/linux/mm.h:
 * pte_offset_map_lock, pmd_lock).
 *
 * PTE tables are 8 KiB aligned and PMD tables 16 KiB aligned, so a pointer
 * to an entry finds its table (and its split lock) the way the kernel does
 * with page_ptdesc().  Tables are never reused within an execution: a walker
 * that mapped a table which is then freed (as under RCU in the kernel) still
 * reads valid memory, and the table's pmd re-check tells it to back off.
 *
 * Lock order: mm->page_table_lock and the PMD lock are taken alone or
 * before a PTE lock (see docs/LOCKING.md).
 */
#include <stdlib.h>

#include "mm/fault_inject.h"
#include "mm/internal.h"

#define PTDESC_ALIGN 8192
#define PMD_PAGE_ALIGN 16384

_Static_assert(sizeof(struct ptdesc) <= PTDESC_ALIGN, "a PTE table fits its alignment");
_Static_assert(sizeof(struct pmd_page) <= PMD_PAGE_ALIGN, "a PMD table fits its alignment");

struct ptdesc *ptdesc_of(pte_t *pte)
{
	return (struct ptdesc *)((uintptr_t)pte & ~(uintptr_t)(PTDESC_ALIGN - 1));
}

struct pmd_page *pmd_page_of(pmd_t *pmd)
{
	return (struct pmd_page *)((uintptr_t)pmd & ~(uintptr_t)(PMD_PAGE_ALIGN - 1));
}

/* pte_alloc_one(): a new, empty PTE table with its lock (ptlock_init). */
struct ptdesc *pte_alloc_one(void)
{
	struct mm_kernel *k = mmk();
	struct ptdesc *pt = kzalloc_aligned(sizeof(*pt), PTDESC_ALIGN);

	spin_lock_init(&pt->ptl);
	sim_hostlock_lock(&k->id_lock);
	if (k->nr_ptables + 1 >= k->cap_ptables) {
		unsigned cap = k->cap_ptables ? k->cap_ptables * 2 : 64;
		struct ptdesc **v = realloc(k->ptables, cap * sizeof(*v));

		if (!v)
			abort();
		k->ptables = v;
		k->cap_ptables = cap;
	}
	pt->id = ++k->nr_ptables;
	k->ptables[pt->id] = pt;
	sim_hostlock_unlock(&k->id_lock);
	return pt;
}

void pte_free(struct ptdesc *pt)
{
	pt->freed = true;
}

struct ptdesc *pmd_ptdesc(pmd_t pmdval)
{
	return mmk()->ptables[pmd_table_id(pmdval)];
}

/* mm_find_pmd(): the PMD entry for @addr, or NULL if its PMD table is absent. */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr)
{
	struct pmd_page *pp;

	if (addr >= TASK_SIZE)
		return NULL;
	pp = __atomic_load_n(&mm->pud[pud_index(addr)], __ATOMIC_ACQUIRE);
	return pp ? &pp->pmds[pmd_index(addr)] : NULL;
}

/* The upper levels (pgd/p4d/pud) collapse into mm->pud[]: populate it. */
pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	struct pmd_page *pp, *fresh;

	if (addr >= TASK_SIZE)
		return NULL;
	pp = __atomic_load_n(&mm->pud[pud_index(addr)], __ATOMIC_ACQUIRE);
	if (pp)
		return &pp->pmds[pmd_index(addr)];
	if (should_fail_alloc())
		return NULL;
	fresh = kzalloc_aligned(sizeof(*fresh), PMD_PAGE_ALIGN);
	spin_lock_init(&fresh->ptl);
	spin_lock(&mm->page_table_lock);
	pp = mm->pud[pud_index(addr)];
	if (!pp) {
		pp = fresh;
		__atomic_store_n(&mm->pud[pud_index(addr)], pp, __ATOMIC_RELEASE);
		__atomic_fetch_or(&mm->pud_populated[pud_index(addr) / 64],
				  1ULL << (pud_index(addr) % 64), __ATOMIC_RELEASE);
	}
	spin_unlock(&mm->page_table_lock);
	return &pp->pmds[pmd_index(addr)];
}

spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	return &pmd_page_of(pmd)->ptl;
}

spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lockptr(mm, pmd);

	spin_lock(ptl);
	return ptl;
}

/* pmd_install(): hook a new PTE table under @pmd unless someone beat us. */
void pmd_install(struct mm_struct *mm, pmd_t *pmd, struct ptdesc **pt)
{
	spinlock_t *ptl = pmd_lock(mm, pmd);

	if (pmd_none(pmdp_get(pmd))) {
		/* Paired with the data dependency of lockless walkers: the
		 * table's initialisation is visible before the table is. */
		smp_wmb();
		WRITE_ONCE(*pmd, mk_table_pmd((*pt)->id));
		*pt = NULL;
	}
	spin_unlock(ptl);
}

int __pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	struct ptdesc *pt;

	if (should_fail_alloc())
		return -ENOMEM;
	pt = pte_alloc_one();

	pmd_install(mm, pmd, &pt);
	if (pt)
		pte_free(pt);
	return 0;
}

pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	(void)mm;
	(void)addr;
	return xchg(ptep, __pte(0));
}

pmd_t pmdp_huge_get_and_clear(struct mm_struct *mm, unsigned long addr, pmd_t *pmdp)
{
	(void)mm;
	(void)addr;
	return xchg(pmdp, __pmd(0));
}

/* Write protection is a read-modify-write: the "hardware" may set the
 * accessed and dirty bits of a present PTE at any time. */
void ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	(void)mm;
	(void)addr;
	sim_rmw(&ptep->pte, sizeof(uint64_t), SIM_OP_CLEAR_BIT, SIM_AR_AND, (int64_t)~_PAGE_RW, 0,
		SIM_SITE("ptep_set_wrprotect", "ptep"));
}

/*
 * set_ptes(): map @nr consecutive pages.  The kernel writes the entries one
 * by one under the PTL; the model writes them in one step (nobody who
 * takes the PTL can tell, and a lockless reader of a missing entry faults
 * and then waits for the PTL).
 */
void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte, unsigned nr)
{
	(void)mm;
	(void)addr;
	if (nr == 1) {
		WRITE_ONCE(*ptep, pte);
		return;
	}
	{
		const struct sim_site *site = SIM_SITE("set_ptes", "ptep");
		struct sim_cpu *c = sim_enter(site);

		for (unsigned i = 0; i < nr; i++)
			__atomic_store_n(&ptep[i].pte, pte_val(pte) + ((uint64_t)i << PAGE_SHIFT),
					 __ATOMIC_SEQ_CST);
		sim_record_at(c, SIM_OP_WRITE_ONCE, site, 0, pte_val(pte), nr, ptep);
	}
}

/* pte_range_none(): are @nr entries from @pte all none?  One lockless look. */
bool pte_range_none(pte_t *pte, unsigned nr)
{
	const struct sim_site *site = SIM_SITE("pte_range_none", "pte");
	struct sim_cpu *c = sim_enter(site);
	bool none = true;

	for (unsigned i = 0; i < nr && none; i++)
		none = !__atomic_load_n(&pte[i].pte, __ATOMIC_SEQ_CST);
	sim_record_at(c, SIM_OP_READ_ONCE, site, 0, none, nr, pte);
	return none;
}

/*
 * pte_offset_map(): enter an RCU read section (which keeps the table from
 * being freed under us) and return the PTE for @addr, or NULL if @pmd does
 * not point to a PTE table (none, huge, migration).
 */
pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr, pmd_t *pmdvalp)
{
	pmd_t pmdval;

	rcu_read_lock();
	pmdval = pmdp_get_lockless(pmd);
	if (pmdvalp)
		*pmdvalp = pmdval;
	if (!pmd_is_table(pmdval)) {
		rcu_read_unlock();
		return NULL;
	}
	return &pmd_ptdesc(pmdval)->ptes[pte_index(addr)];
}

void pte_unmap(pte_t *pte)
{
	(void)pte;
	rcu_read_unlock();
}

pte_t *pte_offset_map_rw_nolock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
				pmd_t *pmdvalp, spinlock_t **ptlp)
{
	pte_t *pte = pte_offset_map(pmd, addr, pmdvalp);

	(void)mm;
	if (pte)
		*ptlp = &ptdesc_of(pte)->ptl;
	return pte;
}

pte_t *pte_offset_map_ro_nolock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
				spinlock_t **ptlp)
{
	return pte_offset_map_rw_nolock(mm, pmd, addr, NULL, ptlp);
}

/*
 * pte_offset_map_lock(): map and lock.  After taking the PTL, check that
 * the PMD still points to this table: it may have been freed or replaced
 * (collapse, zap of an empty table) while we were on the way.
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptlp)
{
	pmd_t pmdval;
	pte_t *pte;

	sim_retry_reset("pte_offset_map_lock: pmd changed");
	for (;;) {
		spinlock_t *ptl;

		pte = pte_offset_map(pmd, addr, &pmdval);
		if (!pte)
			return NULL;
		ptl = &ptdesc_of(pte)->ptl;
		spin_lock(ptl);
		if (pmd_same(pmdval, pmdp_get_lockless(pmd))) {
			VM_BUG_ON(ptdesc_of(pte)->freed);
			*ptlp = ptl;
			return pte;
		}
		pte_unmap_unlock(pte, ptl);
		sim_retry("pte_offset_map_lock: pmd changed");
	}
	(void)mm;
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	spin_unlock(ptl);
	pte_unmap(pte);
}

/* double_pt_lock(): two PTLs, the lower one first, once if they are one. */
void double_pt_lock(spinlock_t *a, spinlock_t *b)
{
	sim_double_spin_lock(a, b, SIM_SITE("double_pt_lock", "ptl"));
}

void double_pt_unlock(spinlock_t *a, spinlock_t *b)
{
	sim_double_spin_unlock(a, b, SIM_SITE("double_pt_unlock", "ptl"));
}

/*
 * free_pgtables(): free the PTE tables wholly inside [start, end) (the
 * caller, holding the mmap_lock for writing, has unmapped everything in
 * them).  Omits freeing PMD tables: they live as long as the mm.
 */
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long first = ALIGN(start, PMD_SIZE);

	if (end > TASK_SIZE)
		end = TASK_SIZE;
	for (unsigned p = pud_index(first); first < end && p < PTRS_PER_PUD; p++) {
		struct pmd_page *pp;
		unsigned long base = (unsigned long)p << PUD_SHIFT;

		if (!(mm->pud_populated[p / 64] & (1ULL << (p % 64))))
			continue;
		pp = __atomic_load_n(&mm->pud[p], __ATOMIC_ACQUIRE);
		for (unsigned i = 0; i < PTRS_PER_PMD; i++) {
			unsigned long addr = base + ((unsigned long)i << PMD_SHIFT);
			spinlock_t *ptl;
			pmd_t val;

			if (addr < first || addr + PMD_SIZE > end)
				continue;
			if (!pmd_is_table(__pmd(__atomic_load_n(&pp->pmds[i].pmd, __ATOMIC_ACQUIRE))))
				continue;
			ptl = pmd_lock(mm, &pp->pmds[i]);
			val = pmdp_get(&pp->pmds[i]);
			if (pmd_is_table(val)) {
				pmd_clear(&pp->pmds[i]);
				pte_free(pmd_ptdesc(val));
			}
			spin_unlock(ptl);
		}
	}
}
