/*
 * inv_rmap.c - INV-3, anon rmap coherence: a folio reached through VMA V at
 * address A belongs to V's anon_vma tree and sits at V's page offset for A:
 *
 *   folio_anon_vma(folio)->root == V->anon_vma->root
 *   folio->index + (page - folio) == linear_page_index(V, A)
 *
 * This is the kernel's __page_check_anon_rmap(), checked for every present
 * anonymous PTE and PMD, not only when one is added.  In CHECK_STEP mode,
 * entries whose table or folio is locked are skipped (they may be mid-move).
 */
#include "check/check.h"
#include "mm/internal.h"

static void check_one(struct check_walk *w, unsigned long addr, unsigned long pfn, bool huge)
{
	enum check_mode mode = *(enum check_mode *)w->arg;
	struct page *page = &w->k->mem_map[pfn];
	struct folio *folio = (struct folio *)&w->k->mem_map[page->head];
	struct vm_area_struct *vma = w->vma;
	struct anon_vma *av;
	unsigned long want;

	if (!(folio->mapping & PAGE_MAPPING_ANON) || !vma)
		return;
	if (mode == CHECK_STEP && (w->table_locked || (folio->flags & (1UL << PG_locked))))
		return;
	av = (struct anon_vma *)(folio->mapping & ~PAGE_MAPPING_ANON);
	if (!vma->anon_vma || av->freed || av->root != vma->anon_vma->root)
		sim_fail(SIM_FIND_INVARIANT, "INV-3",
			 "anon rmap: mm %d maps pfn %lu at %#lx, but the folio's anon_vma #%d is not"
			 " in the tree of VMA #%d (anon_vma #%d)",
			 w->mm->id, pfn, addr, av->id, vma->id,
			 vma->anon_vma ? vma->anon_vma->id : 0);
	want = linear_page_index(vma, addr);
	if (folio->index + (pfn - folio->head) != want)
		sim_fail(SIM_FIND_INVARIANT, "INV-3",
			 "anon rmap: mm %d maps pfn %lu at %#lx (page offset %lu in VMA #%d), but the"
			 " folio says page offset %lu%s",
			 w->mm->id, pfn, addr, want, vma->id, folio->index + (pfn - folio->head),
			 huge ? " (huge PMD)" : "");
}

static void rmap_pte(struct check_walk *w, unsigned long addr, pte_t pte)
{
	if (pte_present(pte) && !pte_special(pte))
		check_one(w, addr, pte_pfn(pte), false);
}

static void rmap_pmd(struct check_walk *w, unsigned long addr, pmd_t pmd)
{
	if (pmd_trans_huge(pmd) && pmd_pfn(pmd) != w->k->huge_zero_pfn)
		check_one(w, addr, pmd_pfn(pmd), true);
}

void check_rmap(struct mm_kernel *k, enum check_mode mode)
{
	struct check_walk w = { .k = k, .arg = &mode, .pmd = rmap_pmd, .pte = rmap_pte };

	check_walk_all(&w);
}
