/*
 * internal.h - what the model kernel's files share (mm/internal.h and the
 * parts of include/linux/{mm,pgtable,rmap,huge_mm}.h the model needs).
 */
#ifndef MMT_MM_INTERNAL_H
#define MMT_MM_INTERNAL_H

#include <errno.h>

#include "mm/mm.h"

typedef unsigned int vm_fault_t;

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)
typedef unsigned long pgoff_t;

#define VM_FAULT_OOM 0x0001
#define VM_FAULT_SIGBUS 0x0002
#define VM_FAULT_MAJOR 0x0004
#define VM_FAULT_SIGSEGV 0x0040
#define VM_FAULT_NOPAGE 0x0100
#define VM_FAULT_LOCKED 0x0200
#define VM_FAULT_RETRY 0x0400
#define VM_FAULT_FALLBACK 0x0800
#define VM_FAULT_COMPLETED 0x4000
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

#define FAULT_FLAG_WRITE 0x01
#define FAULT_FLAG_ALLOW_RETRY 0x04
#define FAULT_FLAG_RETRY_NOWAIT 0x08
#define FAULT_FLAG_TRIED 0x20
#define FAULT_FLAG_USER 0x40
#define FAULT_FLAG_UNSHARE 0x400
#define FAULT_FLAG_ORIG_PTE_VALID 0x800
#define FAULT_FLAG_VMA_LOCK 0x1000

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;		/* page aligned */
	unsigned long real_address;
	unsigned int flags;
	pgoff_t pgoff;
	pmd_t *pmd;
	pmd_t orig_pmd;
	pte_t orig_pte;
	pte_t *pte;			/* mapped PTE, or NULL */
	spinlock_t *ptl;
	struct page *page;
};

/* ---- page tables (pgtable.c) --------------------------------------------- */

pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr);
pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr);
struct ptdesc *pte_alloc_one(void);
void pte_free(struct ptdesc *pt);
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd);
static inline int pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	return pmd_none(READ_ONCE(*pmd)) && __pte_alloc(mm, pmd);
}
void pmd_install(struct mm_struct *mm, pmd_t *pmd, struct ptdesc **pt);
struct ptdesc *pmd_ptdesc(pmd_t pmdval);
struct pmd_page *pmd_page_of(pmd_t *pmd);
struct ptdesc *ptdesc_of(pte_t *pte);
spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
#define pmdp_get_lockless(pmdp) READ_ONCE(*(pmdp))
#define pmdp_get(pmdp) READ_ONCE(*(pmdp))
#define set_pmd_at(mm, addr, pmdp, v)                                          \
	do {                                                                   \
		(void)(mm);                                                    \
		(void)(addr);                                                  \
		WRITE_ONCE(*(pmdp), (v));                                      \
	} while (0)
#define pmd_clear(pmdp) WRITE_ONCE(*(pmdp), __pmd(0))
#define ptep_get(ptep) READ_ONCE(*(ptep))
#define ptep_get_lockless(ptep) READ_ONCE(*(ptep))
#define set_pte_at(mm, addr, ptep, v)                                          \
	do {                                                                   \
		(void)(mm);                                                    \
		(void)(addr);                                                  \
		WRITE_ONCE(*(ptep), (v));                                      \
	} while (0)
#define pte_clear(mm, addr, ptep) set_pte_at(mm, addr, ptep, __pte(0))
pte_t ptep_get_and_clear(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
#define ptep_clear_flush(vma, addr, ptep) ptep_get_and_clear((vma)->vm_mm, (addr), (ptep))
pmd_t pmdp_huge_get_and_clear(struct mm_struct *mm, unsigned long addr, pmd_t *pmdp);
#define pmdp_huge_clear_flush(vma, addr, pmdp) pmdp_huge_get_and_clear((vma)->vm_mm, (addr), (pmdp))
void ptep_set_wrprotect(struct mm_struct *mm, unsigned long addr, pte_t *ptep);
void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep, pte_t pte, unsigned nr);
bool pte_range_none(pte_t *pte, unsigned nr);

pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr, pmd_t *pmdvalp);
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptlp);
pte_t *pte_offset_map_rw_nolock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
				pmd_t *pmdvalp, spinlock_t **ptlp);
pte_t *pte_offset_map_ro_nolock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,
				spinlock_t **ptlp);
void pte_unmap(pte_t *pte);
void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl);
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end);
void double_pt_lock(spinlock_t *a, spinlock_t *b);
void double_pt_unlock(spinlock_t *a, spinlock_t *b);

/* ---- address spaces (mmap.c, vma.c) ----------------------------------------- */

struct mm_struct *mm_alloc(void);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
void mm_vmas_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void mm_vmas_remove(struct mm_struct *mm, struct vm_area_struct *vma);
int __split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
/* Split so that [start, end) of *vmap is a whole VMA (api.c). */
int vma_modify_range(struct vm_area_struct **vmap, unsigned long start, unsigned long end);
/* mmput(): drop an mm_users reference; the last one tears the mm down. */
void mmput(struct mm_struct *mm);
/* Set (@enable) or clear the uffd-wp bit of every entry in [start, end)
 * (change_protection() with MM_CP_UFFD_WP / MM_CP_UFFD_WP_RESOLVE). */
void change_protection_uffd(struct vm_area_struct *vma, unsigned long start, unsigned long end,
			    bool enable);
/* copy_from_user() from @mm's memory (uaccess.c): 0 or the bytes not
 * copied.  The _nofault variant does not fault pages in (pagefault_disable). */
unsigned long copy_from_user(struct mm_struct *mm, void *dst, unsigned long src, unsigned long len);
unsigned long copy_from_user_nofault(struct mm_struct *mm, void *dst, unsigned long src,
				     unsigned long len);
void unmap_vma_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);

void mmap_read_lock(struct mm_struct *mm);
bool mmap_read_trylock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
void mmap_write_lock(struct mm_struct *mm);
void mmap_write_unlock(struct mm_struct *mm);
void mmap_assert_locked(struct mm_struct *mm);
void mmap_assert_write_locked(struct mm_struct *mm);
void vma_start_write(struct vm_area_struct *vma);
bool vma_start_read(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_end_read(struct vm_area_struct *vma);
void vma_mark_detached(struct vm_area_struct *vma);
struct vm_area_struct *lock_vma_under_rcu(struct mm_struct *mm, unsigned long address);

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}

/* vma_is_accessible(): may user space access the VMA at all? */
static inline bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/*
 * pte_modify(): give a present PTE the protection of @vma's vm_page_prot,
 * reduced to what the model encodes: PROT_NONE (x86 PAGE_NONE, PROTNONE
 * instead of P, never writable) or accessible.  Write permission is the
 * caller's business, as with pte_mkwrite() after the kernel's pte_modify().
 */
static inline pte_t pte_modify(pte_t pte, const struct vm_area_struct *vma)
{
	if (vma_is_accessible(vma))
		return __pte((pte_val(pte) & ~_PAGE_PROTNONE) | _PAGE_PRESENT);
	return __pte((pte_val(pte) & ~(_PAGE_PRESENT | _PAGE_RW)) | _PAGE_PROTNONE);
}

static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long address)
{
	return vma->vm_pgoff + ((address - vma->vm_start) >> PAGE_SHIFT);
}

static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}

static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, 1);
}

static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	add_mm_counter(mm, member, -1);
}

/* ---- faults and lifetimes (memory.c, fork.c) ------------------------------- */

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, unsigned int flags);
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr, pte_t pte);
struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr, pte_t pte);
void zap_page_range_single(struct vm_area_struct *vma, unsigned long address, unsigned long size);
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
void exit_mmap(struct mm_struct *mm);
pte_t folio_mk_pte(struct folio *folio, const struct vm_area_struct *vma);
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd, unsigned long address);

/* ---- rmap (rmap.c) ---------------------------------------------------------- */

typedef int rmap_t;
#define RMAP_NONE 0
#define RMAP_EXCLUSIVE 1

int __anon_vma_prepare(struct vm_area_struct *vma);
static inline int anon_vma_prepare(struct vm_area_struct *vma)
{
	if (READ_ONCE_ANON_VMA(vma))
		return 0;
	return __anon_vma_prepare(vma);
}
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);
void anon_vma_lock_write(struct anon_vma *av);
bool anon_vma_trylock_write(struct anon_vma *av);
void anon_vma_unlock_write(struct anon_vma *av);
void anon_vma_lock_read(struct anon_vma *av);
void anon_vma_unlock_read(struct anon_vma *av);
struct anon_vma *folio_get_anon_vma(struct folio *folio);
void put_anon_vma(struct anon_vma *av);

void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags);
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page, int nr,
			      struct vm_area_struct *vma, unsigned long address, rmap_t flags);
#define folio_add_anon_rmap_pte(folio, page, vma, address, flags)                \
	folio_add_anon_rmap_ptes(folio, page, 1, vma, address, flags)
void folio_add_anon_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma, unsigned long address, rmap_t flags);
void folio_add_file_rmap_ptes(struct folio *folio, struct page *page, int nr,
			      struct vm_area_struct *vma);
void folio_remove_rmap_ptes(struct folio *folio, struct page *page, int nr,
			    struct vm_area_struct *vma);
#define folio_remove_rmap_pte(folio, page, vma) folio_remove_rmap_ptes(folio, page, 1, vma)
void folio_remove_rmap_pmd(struct folio *folio, struct page *page, struct vm_area_struct *vma);
int folio_try_dup_anon_rmap_ptes(struct folio *folio, struct page *page, int nr,
				 struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
int folio_try_dup_anon_rmap_pmd(struct folio *folio, struct page *page,
				struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);
int folio_try_share_anon_rmap_pte(struct folio *folio, struct page *page);
int folio_try_share_anon_rmap_pmd(struct folio *folio, struct page *page);
void folio_dup_file_rmap_ptes(struct folio *folio, struct page *page, int nr);
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
void __page_check_anon_rmap(struct folio *folio, struct page *page,
			    struct vm_area_struct *vma, unsigned long address);
unsigned long vma_address(const struct vm_area_struct *vma, pgoff_t pgoff, unsigned long nr);

/* An rmap walk: @one is called for every VMA that may map @folio, with the
 * address the folio's first page would have there; it returns false to stop. */
struct rmap_walk_control {
	void *arg;
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma, unsigned long address,
			 void *arg);
	bool (*done)(struct folio *folio);
	bool locked;			/* the caller holds the anon_vma lock */
};
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);

/* ---- shared and file mappings (shmem.c) ------------------------------------ */

struct address_space *shmem_file_setup(unsigned long size, bool shmem);
void mapping_get(struct address_space *m);
void mapping_put(struct address_space *m);
vm_fault_t shmem_fault(struct vm_fault *vmf, struct folio **foliop);
struct folio *filemap_get_folio(struct address_space *m, pgoff_t index);

#endif
