/*
 * huge_mm.h - transparent huge pages and migration (include/linux/huge_mm.h,
 * include/linux/migrate.h, the try_to_migrate part of include/linux/rmap.h).
 */
#ifndef MMT_MM_HUGE_MM_H
#define MMT_MM_HUGE_MM_H

#include "mm/internal.h"

/* THP policy (huge_memory.c) */
unsigned long thp_vma_allowable_orders(struct vm_area_struct *vma, unsigned long orders);
bool thp_vma_allowable_order(struct vm_area_struct *vma, unsigned order);
bool thp_vma_suitable_order(struct vm_area_struct *vma, unsigned long addr, unsigned order);
unsigned long thp_vma_suitable_orders(struct vm_area_struct *vma, unsigned long addr,
				      unsigned long orders);

/* huge PMDs (huge_memory.c) */
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
void huge_pmd_set_accessed(struct vm_fault *vmf);
int copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
		  pmd_t *dst_pmd, pmd_t *src_pmd, unsigned long addr);
int zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr);
spinlock_t *pmd_trans_huge_lock(pmd_t *pmd, struct vm_area_struct *vma);
void __split_huge_pmd_locked(struct vm_area_struct *vma, pmd_t *pmd, unsigned long haddr,
			     bool freeze);
void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, unsigned long address);
void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address);
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmd, struct ptdesc *pt);
struct ptdesc *pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmd);

/* split_folio(): split a locked large folio into order-0 folios; 0,
 * -EBUSY (unmapped, writeback) or -EAGAIN (extra references). */
int split_folio(struct folio *folio);

/* pmd_folio() of a PMD that must be present (else the crash the kernel had). */
struct folio *pmd_folio_checked(pmd_t pmd);

/* The folio mapped at @addr of @vma, referenced, or NULL (api.c: follow_page). */
struct folio *folio_at(struct vm_area_struct *vma, unsigned long addr);

/* migration (rmap.c, migrate.c) */
#define TTU_SPLIT_HUGE_PMD 0x4
#define TTU_RMAP_LOCKED 0x80	/* the caller holds the anon_vma lock */
#define RMP_LOCKED 0x1
bool try_to_migrate(struct folio *folio, int flags);
void try_to_unmap(struct folio *folio, int flags);
void remove_migration_ptes(struct folio *src, struct folio *dst, int flags);
void pmd_migration_entry_wait(struct mm_struct *mm, pmd_t *pmd);
int migrate_folio_one(struct folio *src);

/* page_vma_mapped_walk(), reduced: call @fn for each PTE of @vma in the
 * folio's range that maps one of @folio's pages (or, with @migration, holds
 * a migration entry to one), with the PTL held. */
typedef bool (*pvmw_fn)(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			pte_t *pte, pte_t val, void *arg);
bool folio_walk_ptes(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
		     bool migration, pvmw_fn fn, void *arg);

#endif
