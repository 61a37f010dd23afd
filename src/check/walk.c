/*
 * walk.c - read every page table of every live address space, without
 * locks and without scheduling points (checkers run between steps).
 */
#include "check/check.h"
#include "mm/internal.h"

/* The VMA covering @addr: the last one found if it still covers it. */
static struct vm_area_struct *walk_vma(struct check_walk *w, unsigned long addr)
{
	struct vm_area_struct *v = w->vma;

	if (v && addr >= v->vm_start && addr < v->vm_end)
		return v;
	return vma_lookup(w->mm, addr);
}

static void walk_table(struct check_walk *w, struct ptdesc *pt, unsigned long base)
{
	w->table_locked = __atomic_load_n(&pt->ptl.locked, __ATOMIC_RELAXED);
	if (!w->pte)
		return;
	for (unsigned i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long addr = base + ((unsigned long)i << PAGE_SHIFT);
		pte_t pte;

		/* Tables are sparse: skip eight empty entries at a time. */
		if (!(i & 7) && !(pt->ptes[i].pte | pt->ptes[i + 1].pte | pt->ptes[i + 2].pte |
				  pt->ptes[i + 3].pte | pt->ptes[i + 4].pte | pt->ptes[i + 5].pte |
				  pt->ptes[i + 6].pte | pt->ptes[i + 7].pte)) {
			i += 7;
			continue;
		}
		pte = __pte(__atomic_load_n(&pt->ptes[i].pte, __ATOMIC_RELAXED));
		if (pte_none(pte))
			continue;
		w->vma = walk_vma(w, addr);
		w->pte(w, addr, pte);
	}
}

static void walk_pmd_page(struct check_walk *w, struct pmd_page *pp, unsigned p)
{
	for (unsigned i = 0; i < PTRS_PER_PMD; i++) {
		unsigned long addr = ((unsigned long)p << PUD_SHIFT) | ((unsigned long)i << PMD_SHIFT);
		pmd_t pmd = __pmd(__atomic_load_n(&pp->pmds[i].pmd, __ATOMIC_RELAXED));

		if (pmd_none(pmd))
			continue;
		if (pmd_is_table(pmd)) {
			unsigned id = pmd_table_id(pmd);

			if (!id || id > w->k->nr_ptables || w->k->ptables[id]->freed)
				sim_fail(SIM_FIND_INVARIANT, "INV-7",
					 "page-table typing: mm %d PMD for %#lx points to %s page"
					 " table %u", w->mm->id, addr,
					 id && id <= w->k->nr_ptables ? "freed" : "no", id);
			walk_table(w, w->k->ptables[id], addr);
			continue;
		}
		w->table_locked = __atomic_load_n(&pp->ptl.locked, __ATOMIC_RELAXED);
		w->vma = walk_vma(w, addr);
		if (w->pmd)
			w->pmd(w, addr, pmd);
	}
}

static void walk_mm(struct check_walk *w)
{
	for (unsigned word = 0; word < PTRS_PER_PUD / 64; word++) {
		uint64_t bits = __atomic_load_n(&w->mm->pud_populated[word], __ATOMIC_ACQUIRE);

		for (; bits; bits &= bits - 1) {
			unsigned p = word * 64 + (unsigned)__builtin_ctzll(bits);

			walk_pmd_page(w, __atomic_load_n(&w->mm->pud[p], __ATOMIC_ACQUIRE), p);
		}
	}
}

void check_walk_all(struct check_walk *w)
{
	for (int i = 0; i < w->k->nr_mms; i++) {
		w->mm = w->k->mms[i];
		w->vma = NULL;
		if (!w->mm->dead)
			walk_mm(w);
	}
}
