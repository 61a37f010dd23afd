/*
 * pgtable.h - page-table entries: encodings and helpers (the model's
 * arch/x86/include/asm/pgtable*.h, include/linux/swapops.h and
 * include/linux/pgtable.h in one place).
 *
 * A model address space has two real levels, PMD and PTE (512 entries
 * each, 4 KiB pages, 2 MiB PMDs); the upper levels are a fixed index of PMD
 * pages per 1 GiB (see mm_types.h).  Entries are 64-bit values:
 *
 *   present PTE   P | RW? | A? | D? | SPECIAL? | UFFD_WP? | SOFT_DIRTY? | pfn << 12
 *   PROT_NONE PTE as a present PTE, with PROTNONE instead of P (x86 PAGE_NONE:
 *                 present to the kernel, not to the MMU: every access faults)
 *   swap-type PTE (P clear, NONNONE set): EXCLUSIVE? | SOFT_DIRTY? | UFFD_WP? |
 *                 type << 58 | offset << 12  - swap entries, migration entries
 *                 (types SWP_MIGRATION_*) and markers (type SWP_PTE_MARKER)
 *   none          0
 *   PMD table     P | TABLE | table id << 12
 *   PMD huge      P | PSE | RW? | A? | D? | pfn << 12  (huge zero: its pfn, never RW)
 *   PMD migration as a swap-type PTE
 *
 * Entries hold numbers, never host pointers, so traces are the same in
 * every process.
 */
#ifndef MMT_MM_PGTABLE_H
#define MMT_MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PMD_SHIFT 21
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SHIFT 30
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PTRS_PER_PUD 512	/* the model's address space: 512 GiB */
#define TASK_SIZE (PUD_SIZE * PTRS_PER_PUD)
#define HPAGE_PMD_ORDER (PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR (1UL << HPAGE_PMD_ORDER)
#define HPAGE_PMD_SIZE PMD_SIZE

#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))
#define ALIGN(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((a) - 1)) == 0)

typedef struct { uint64_t pte; } pte_t;
typedef struct { uint64_t pmd; } pmd_t;
typedef struct { unsigned long val; } swp_entry_t;

#define __pte(v) ((pte_t){ (v) })
#define __pmd(v) ((pmd_t){ (v) })
#define pte_val(p) ((p).pte)
#define pmd_val(p) ((p).pmd)

/* Hardware and software bits (present entries). */
#define _PAGE_PRESENT (1ULL << 0)
#define _PAGE_RW (1ULL << 1)
#define _PAGE_ACCESSED (1ULL << 5)
#define _PAGE_DIRTY (1ULL << 6)
#define _PAGE_PSE (1ULL << 7)
#define _PAGE_TABLE (1ULL << 8)	/* model: a PMD pointing to a PTE table */
#define _PAGE_SPECIAL (1ULL << 9)
#define _PAGE_UFFD_WP (1ULL << 10)
#define _PAGE_SOFT_DIRTY (1ULL << 11)
#define _PAGE_PFN_MASK (((1ULL << 40) - 1) << PAGE_SHIFT)
/* A huge PMD being split (pmdp_invalidate): not accessible, but still a
 * huge PMD to everyone who looks (x86 keeps PSE and sets PROTNONE).  A PTE
 * of a VMA without access rights (PROT_NONE) has PROTNONE instead of P. */
#define _PAGE_PROTNONE (1ULL << 63)	/* above the swap type field (bits 58-62) */

/* Swap-type (non-present) entries. */
#define _PAGE_SWP_EXCLUSIVE (1ULL << 1)
#define _PAGE_SWP_SOFT_DIRTY (1ULL << 2)
#define _PAGE_SWP_UFFD_WP (1ULL << 3)
#define _PAGE_SWP_NONNONE (1ULL << 4)	/* model: a swap-type entry is never 0 */
#define SWP_TYPE_SHIFT 58
#define SWP_OFFSET_MASK ((1ULL << (SWP_TYPE_SHIFT - PAGE_SHIFT)) - 1)

/* Swap types: real devices first, special types at the top (swap.h). */
#define MAX_SWAPFILES_SHIFT 5
#define SWP_PTE_MARKER 28
#define SWP_MIGRATION_READ 29
#define SWP_MIGRATION_READ_EXCLUSIVE 30
#define SWP_MIGRATION_WRITE 31
#define MAX_SWAPFILES 28

/* PTE marker bits (the offset of a SWP_PTE_MARKER entry). */
#define PTE_MARKER_UFFD_WP (1UL << 0)
#define PTE_MARKER_POISONED (1UL << 1)
#define PTE_MARKER_GUARD (1UL << 2)

/* ---- PTEs --------------------------------------------------------------- */

static inline bool pte_none(pte_t p) { return pte_val(p) == 0; }
static inline bool pte_present(pte_t p) { return pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t p) { return (pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE; }
static inline bool pte_same(pte_t a, pte_t b) { return pte_val(a) == pte_val(b); }
static inline bool pte_write(pte_t p) { return pte_val(p) & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return pte_val(p) & _PAGE_DIRTY; }
static inline bool pte_young(pte_t p) { return pte_val(p) & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t p) { return pte_val(p) & _PAGE_SPECIAL; }
static inline bool pte_uffd_wp(pte_t p) { return pte_val(p) & _PAGE_UFFD_WP; }
static inline bool pte_soft_dirty(pte_t p) { return pte_val(p) & _PAGE_SOFT_DIRTY; }
static inline unsigned long pte_pfn(pte_t p) { return (pte_val(p) & _PAGE_PFN_MASK) >> PAGE_SHIFT; }

static inline pte_t pfn_pte(unsigned long pfn) { return __pte(((uint64_t)pfn << PAGE_SHIFT) | _PAGE_PRESENT); }
static inline pte_t pte_mkwrite(pte_t p) { return __pte(pte_val(p) | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(pte_val(p) & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(pte_val(p) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(pte_val(p) & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(pte_val(p) | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t p) { return __pte(pte_val(p) & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t p) { return __pte(pte_val(p) | _PAGE_SPECIAL); }
static inline pte_t pte_mkuffd_wp(pte_t p) { return __pte(pte_wrprotect(p).pte | _PAGE_UFFD_WP); }
static inline pte_t pte_clear_uffd_wp(pte_t p) { return __pte(pte_val(p) & ~_PAGE_UFFD_WP); }
static inline pte_t pte_mksoft_dirty(pte_t p) { return __pte(pte_val(p) | _PAGE_SOFT_DIRTY); }

/* ---- swap-type entries (swapops.h) ----------------------------------- */

static inline swp_entry_t swp_entry(unsigned type, unsigned long offset)
{
	return (swp_entry_t){ ((unsigned long)type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned swp_type(swp_entry_t e) { return (unsigned)(e.val >> SWP_TYPE_SHIFT); }
static inline unsigned long swp_offset(swp_entry_t e) { return e.val & SWP_OFFSET_MASK; }
static inline bool non_swap_entry(swp_entry_t e) { return swp_type(e) >= MAX_SWAPFILES; }

static inline bool is_swap_pte(pte_t p) { return !pte_none(p) && !pte_present(p); }

static inline swp_entry_t pte_to_swp_entry(pte_t p)
{
	uint64_t v = pte_val(p);

	return swp_entry((unsigned)(v >> SWP_TYPE_SHIFT), (v >> PAGE_SHIFT) & SWP_OFFSET_MASK);
}

static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	return __pte(((uint64_t)swp_type(e) << SWP_TYPE_SHIFT) |
		     ((uint64_t)swp_offset(e) << PAGE_SHIFT) | _PAGE_SWP_NONNONE);
}

static inline bool pte_swp_exclusive(pte_t p) { return pte_val(p) & _PAGE_SWP_EXCLUSIVE; }
static inline pte_t pte_swp_mkexclusive(pte_t p) { return __pte(pte_val(p) | _PAGE_SWP_EXCLUSIVE); }
static inline pte_t pte_swp_clear_exclusive(pte_t p) { return __pte(pte_val(p) & ~_PAGE_SWP_EXCLUSIVE); }
static inline bool pte_swp_soft_dirty(pte_t p) { return pte_val(p) & _PAGE_SWP_SOFT_DIRTY; }
static inline pte_t pte_swp_mksoft_dirty(pte_t p) { return __pte(pte_val(p) | _PAGE_SWP_SOFT_DIRTY); }
static inline bool pte_swp_uffd_wp(pte_t p) { return pte_val(p) & _PAGE_SWP_UFFD_WP; }
static inline pte_t pte_swp_mkuffd_wp(pte_t p) { return __pte(pte_val(p) | _PAGE_SWP_UFFD_WP); }
static inline pte_t pte_swp_clear_uffd_wp(pte_t p) { return __pte(pte_val(p) & ~_PAGE_SWP_UFFD_WP); }

static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ || swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE ||
	       swp_type(e) == SWP_MIGRATION_WRITE;
}
static inline bool is_writable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_WRITE; }
static inline bool is_readable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_READ; }
static inline bool is_readable_exclusive_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}
static inline swp_entry_t make_readable_migration_entry(unsigned long pfn) { return swp_entry(SWP_MIGRATION_READ, pfn); }
static inline swp_entry_t make_readable_exclusive_migration_entry(unsigned long pfn)
{
	return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, pfn);
}
static inline swp_entry_t make_writable_migration_entry(unsigned long pfn) { return swp_entry(SWP_MIGRATION_WRITE, pfn); }
static inline unsigned long swp_offset_pfn(swp_entry_t e) { return swp_offset(e); }

static inline bool is_pte_marker_entry(swp_entry_t e) { return swp_type(e) == SWP_PTE_MARKER; }
static inline swp_entry_t make_pte_marker_entry(unsigned long marker) { return swp_entry(SWP_PTE_MARKER, marker); }
static inline pte_t make_pte_marker(unsigned long marker) { return swp_entry_to_pte(make_pte_marker_entry(marker)); }
static inline bool is_pte_marker(pte_t p) { return is_swap_pte(p) && is_pte_marker_entry(pte_to_swp_entry(p)); }
static inline unsigned long pte_marker_get(swp_entry_t e) { return swp_offset(e); }
static inline bool pte_marker_uffd_wp(pte_t p)
{
	return is_pte_marker(p) && (pte_marker_get(pte_to_swp_entry(p)) & PTE_MARKER_UFFD_WP);
}

/* pte_none_mostly(): empty, or a marker standing for empty. */
static inline bool pte_none_mostly(pte_t p) { return pte_none(p) || is_pte_marker(p); }

/* ---- PMDs --------------------------------------------------------------- */

static inline bool pmd_none(pmd_t p) { return pmd_val(p) == 0; }
static inline bool pmd_present(pmd_t p) { return pmd_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pmd_protnone(pmd_t p) { return pmd_val(p) & _PAGE_PROTNONE; }
static inline bool pmd_same(pmd_t a, pmd_t b) { return pmd_val(a) == pmd_val(b); }
static inline bool pmd_trans_huge(pmd_t p) { return pmd_present(p) && (pmd_val(p) & _PAGE_PSE); }
static inline bool pmd_is_table(pmd_t p) { return (pmd_val(p) & (_PAGE_PRESENT | _PAGE_TABLE)) == (_PAGE_PRESENT | _PAGE_TABLE); }
static inline bool is_swap_pmd(pmd_t p) { return !pmd_none(p) && !pmd_present(p); }
static inline bool pmd_write(pmd_t p) { return pmd_val(p) & _PAGE_RW; }
static inline bool pmd_dirty(pmd_t p) { return pmd_val(p) & _PAGE_DIRTY; }
static inline bool pmd_young(pmd_t p) { return pmd_val(p) & _PAGE_ACCESSED; }
static inline unsigned long pmd_pfn(pmd_t p) { return (pmd_val(p) & _PAGE_PFN_MASK) >> PAGE_SHIFT; }
static inline unsigned pmd_table_id(pmd_t p) { return (unsigned)pmd_pfn(p); }

static inline pmd_t pfn_pmd(unsigned long pfn) { return __pmd(((uint64_t)pfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_PSE); }
static inline pmd_t pmd_mkwrite(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_RW); }
static inline pmd_t pmd_wrprotect(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_RW); }
static inline pmd_t pmd_mkdirty(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
static inline pmd_t pmd_mkyoung(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_ACCESSED); }
static inline pmd_t pmd_mkold(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_ACCESSED); }
static inline pmd_t pmd_mkinvalid(pmd_t p) { return __pmd((pmd_val(p) & ~_PAGE_PRESENT) | _PAGE_PROTNONE); }
static inline bool pmd_soft_dirty(pmd_t p) { return pmd_val(p) & _PAGE_SOFT_DIRTY; }
static inline bool pmd_uffd_wp(pmd_t p) { return pmd_val(p) & _PAGE_UFFD_WP; }
static inline pmd_t pmd_clear_uffd_wp(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_UFFD_WP); }
static inline pmd_t pmd_mkuffd_wp(pmd_t p) { return __pmd((pmd_val(p) & ~_PAGE_RW) | _PAGE_UFFD_WP); }
static inline pmd_t pmd_swp_clear_uffd_wp(pmd_t p) { return __pmd(pmd_val(p) & ~_PAGE_SWP_UFFD_WP); }
static inline bool pmd_swp_soft_dirty(pmd_t p) { return pmd_val(p) & _PAGE_SWP_SOFT_DIRTY; }
static inline bool pmd_swp_uffd_wp(pmd_t p) { return pmd_val(p) & _PAGE_SWP_UFFD_WP; }
static inline pmd_t mk_table_pmd(unsigned id) { return __pmd(((uint64_t)id << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_TABLE); }

static inline swp_entry_t pmd_to_swp_entry(pmd_t p) { return pte_to_swp_entry(__pte(pmd_val(p))); }
static inline pmd_t swp_entry_to_pmd(swp_entry_t e) { return __pmd(pte_val(swp_entry_to_pte(e))); }
static inline bool is_pmd_migration_entry(pmd_t p) { return is_swap_pmd(p) && is_migration_entry(pmd_to_swp_entry(p)); }
static inline bool pmd_swp_exclusive(pmd_t p) { return pmd_val(p) & _PAGE_SWP_EXCLUSIVE; }

/* Index helpers. */
static inline unsigned pte_index(unsigned long addr) { return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1); }
static inline unsigned pmd_index(unsigned long addr) { return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1); }
static inline unsigned pud_index(unsigned long addr) { return (unsigned)(addr >> PUD_SHIFT); }
static inline unsigned long pmd_addr_end(unsigned long addr, unsigned long end)
{
	unsigned long b = (addr + PMD_SIZE) & PMD_MASK;

	return b - 1 < end - 1 ? b : end;
}

#endif
