/*
 * userfaultfd.c - the userfaultfd range operations (mm/userfaultfd.c,
 * v6.17): VMA lookup and locking for them (uffd_lock_vma, uffd_move_lock),
 * UFFDIO_COPY and UFFDIO_ZEROPAGE (mfill_atomic and its PTE helpers),
 * UFFDIO_MOVE (move_pages, move_pages_pte, move_present_pte,
 * move_zeropage_pte, move_swap_pte; the huge-PMD step is in
 * huge_memory.c), UFFDIO_WRITEPROTECT (mwriteprotect_range), and the VMA
 * side of registration (userfaultfd_register_range, userfaultfd_clear_vma,
 * userfaultfd_release_all).
 *
 * Named fix toggles (fixes.h): c50f8e6053b0 (MOVE looks a swap entry up in
 * the swap cache and re-homes the cached folio), 0ea148a79919 in its two
 * checks (.folio: the cached folio still belongs to the entry once locked;
 * .hascache: with no folio, SWAP_HAS_CACHE is clear under the PTL), and
 * aba6faec0103 (the split path does not decode a PMD migration entry as a
 * folio).  Reverted, each runs the code from before the fix.
 *
 * Leaves out: shmem and hugetlb destinations (the model refuses to register
 * them, see vma_can_userfault), UFFDIO_CONTINUE and UFFDIO_POISON, the
 * mmu-notifier and cache-flush brackets (no secondary MMUs).  VMAs split by
 * registration are not merged back.
 */
#include <string.h>

#include "check/oracle.h"
#include "mm/api.h"
#include "mm/fixes.h"
#include "mm/huge_mm.h"
#include "mm/signal.h"
#include "mm/swap.h"
#include "mm/userfaultfd.h"

/*
 * vma_can_userfault(): anonymous VMAs only in the model.  The kernel also
 * takes shmem and hugetlb; the model has no userfaultfd path for shmem
 * faults, so it refuses them (-EINVAL at UFFDIO_REGISTER) rather than
 * pretend.  MINOR mode needs shmem or hugetlb, so it is always refused.
 */
bool vma_can_userfault(const struct vm_area_struct *vma, unsigned long vm_flags)
{
	if (vm_flags & VM_UFFD_MINOR)
		return false;
	return vma_is_anonymous(vma);
}

/* ---- VMA lookup and locking --------------------------------------------------- */

#define ERR_VMA(e) ((struct vm_area_struct *)(long)(e))
#define IS_ERR_VMA(v) IS_ERR_VALUE(v)
#define VMA_ERR(v) ((int)(long)(v))

/* vma_start_read_locked(): a VMA read lock taken under the mmap_lock. */
static bool vma_start_read_locked(struct vm_area_struct *vma)
{
	return down_read_trylock(&vma->vm_lock);
}

/* find_vma_and_prepare_anon(): under the mmap_lock. */
static struct vm_area_struct *find_vma_and_prepare_anon(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (!vma)
		return ERR_VMA(-ENOENT);
	if (!(vma->vm_flags & VM_SHARED) && anon_vma_prepare(vma))
		return ERR_VMA(-ENOMEM);
	return vma;
}

/* uffd_lock_vma(): the VMA at @address, read-locked, with an anon_vma. */
static struct vm_area_struct *uffd_lock_vma(struct mm_struct *mm, unsigned long address)
{
	struct vm_area_struct *vma = lock_vma_under_rcu(mm, address);

	if (vma) {
		/* It will need an anon_vma: get one under the mmap_lock. */
		if (!(vma->vm_flags & VM_SHARED) && !READ_ONCE_ANON_VMA(vma))
			vma_end_read(vma);
		else
			return vma;
	}
	mmap_read_lock(mm);
	vma = find_vma_and_prepare_anon(mm, address);
	if (!IS_ERR_VMA(vma) && !vma_start_read_locked(vma))
		vma = ERR_VMA(-EAGAIN);
	mmap_read_unlock(mm);
	return vma;
}

/* uffd_mfill_lock(): the destination VMA of a fill, registered, holding the
 * whole range. */
static struct vm_area_struct *uffd_mfill_lock(struct mm_struct *mm, unsigned long dst_start,
					      unsigned long len)
{
	struct vm_area_struct *vma = uffd_lock_vma(mm, dst_start);

	if (IS_ERR_VMA(vma))
		return vma;
	/* validate_dst_vma(): any context will do (the VM_MAYWRITE check was
	 * made at registration). */
	if (dst_start + len <= vma->vm_end && vma_uffd_ctx(vma))
		return vma;
	vma_end_read(vma);
	return ERR_VMA(-ENOENT);
}

/* ---- UFFDIO_COPY / UFFDIO_ZEROPAGE ---------------------------------------------- */

/*
 * mfill_atomic_install_pte(): map a new anonymous page at @dst_addr if the
 * PTE is still empty.  The data shadow takes the page's contents in the same
 * step (the page becomes visible with this PTE).
 */
static int mfill_atomic_install_pte(pmd_t *dst_pmd, struct vm_area_struct *dst_vma,
				    unsigned long dst_addr, struct folio *folio, unsigned int flags)
{
	struct mm_struct *mm = dst_vma->vm_mm;
	pte_t dst_ptev = pte_mkdirty(folio_mk_pte(folio, dst_vma)), *dst_pte;
	spinlock_t *ptl;
	int ret;

	if (dst_vma->vm_flags & VM_WRITE)
		dst_ptev = pte_mkwrite(dst_ptev);
	if (flags & MFILL_ATOMIC_WP)
		dst_ptev = pte_mkuffd_wp(dst_ptev);
	dst_pte = pte_offset_map_lock(mm, dst_pmd, dst_addr, &ptl);
	if (!dst_pte)
		return -EAGAIN;
	ret = -EEXIST;
	/* A uffd-wp marker may be overwritten (MISSING|WP registrations). */
	if (!pte_none_mostly(ptep_get(dst_pte)))
		goto out_unlock;
	folio_add_new_anon_rmap(folio, dst_vma, dst_addr, RMAP_EXCLUSIVE);
	folio_add_lru(folio);
	inc_mm_counter(mm, MM_ANONPAGES);
	set_pte_at(mm, dst_addr, dst_pte, dst_ptev);
	oracle_fill_page(mmk()->oracle, dst_vma, dst_addr, folio_address(folio));
	ret = 0;
out_unlock:
	pte_unmap_unlock(dst_pte, ptl);
	return ret;
}

/* mfill_atomic_pte_copy(): copy the source page (without faulting: the
 * locks are held; -ENOENT sends the caller to copy it unlocked) into a new
 * page and map it. */
static int mfill_atomic_pte_copy(struct mm_struct *current_mm, pmd_t *dst_pmd,
				 struct vm_area_struct *dst_vma, unsigned long dst_addr,
				 unsigned long src_addr, unsigned int flags, struct folio **foliop)
{
	struct folio *folio;
	int ret;

	if (!*foliop) {
		folio = folio_alloc(0);
		if (!folio)
			return -ENOMEM;
		if (copy_from_user_nofault(current_mm, folio_address(folio), src_addr, PAGE_SIZE)) {
			*foliop = folio;
			return -ENOENT;
		}
	} else {
		folio = *foliop;
		*foliop = NULL;
	}
	/* Contents before the PTE (the barrier in __folio_mark_uptodate). */
	__folio_mark_uptodate(folio);
	ret = mfill_atomic_install_pte(dst_pmd, dst_vma, dst_addr, folio, flags);
	if (ret)
		folio_put(folio);
	return ret;
}

/* mfill_atomic_pte_zeropage(): map the shared zero page. */
static int mfill_atomic_pte_zeropage(pmd_t *dst_pmd, struct vm_area_struct *dst_vma,
				     unsigned long dst_addr)
{
	pte_t zero = pte_mkspecial(pte_modify(pfn_pte(mmk()->zero_pfn), dst_vma)), *dst_pte;
	spinlock_t *ptl;
	int ret;

	dst_pte = pte_offset_map_lock(dst_vma->vm_mm, dst_pmd, dst_addr, &ptl);
	if (!dst_pte)
		return -EAGAIN;
	ret = -EEXIST;
	if (pte_none(ptep_get(dst_pte))) {
		set_pte_at(dst_vma->vm_mm, dst_addr, dst_pte, zero);
		ret = 0;
	}
	pte_unmap_unlock(dst_pte, ptl);
	return ret;
}

/*
 * mfill_atomic(): fill [dst_start, +len) page by page under the VMA lock
 * and the map_changing read lock.  A source page that is not mapped is
 * copied after dropping both (it may fault), then the walk starts again
 * where it stopped.  Returns the bytes filled, or -errno if none.
 */
static long mfill_atomic(struct mm_struct *current_mm, struct userfaultfd_ctx *ctx,
			 unsigned long dst_start, unsigned long src_start, unsigned long len,
			 unsigned int mode, unsigned int flags)
{
	struct mm_struct *mm = ctx->mm;
	unsigned long src_addr = src_start, dst_addr = dst_start;
	struct vm_area_struct *dst_vma;
	struct folio *folio = NULL;
	long copied = 0, err;

	SIM_FN();
	sim_retry_reset("mfill_atomic: copy outside the locks");
retry:
	dst_vma = uffd_mfill_lock(mm, dst_start, len);
	if (IS_ERR_VMA(dst_vma)) {
		err = VMA_ERR(dst_vma);
		goto out;
	}
	down_read(&ctx->map_changing_lock);
	err = -EAGAIN;
	if (atomic_read(&ctx->mmap_changing))
		goto out_unlock;
	err = -EINVAL;
	if ((flags & MFILL_ATOMIC_WP) && !(dst_vma->vm_flags & VM_UFFD_WP))
		goto out_unlock;
	if (!vma_is_anonymous(dst_vma))
		goto out_unlock;

	while (src_addr < src_start + len) {
		pmd_t *dst_pmd = mm_alloc_pmd(mm, dst_addr), dst_pmdval;

		if (!dst_pmd) {
			err = -ENOMEM;
			break;
		}
		dst_pmdval = pmdp_get_lockless(dst_pmd);
		if (pmd_none(dst_pmdval) && __pte_alloc(mm, dst_pmd)) {
			err = -ENOMEM;
			break;
		}
		dst_pmdval = pmdp_get_lockless(dst_pmd);
		/* A THP (or one being split) at the destination: be strict. */
		if (!pmd_present(dst_pmdval) || pmd_trans_huge(dst_pmdval)) {
			err = -EEXIST;
			break;
		}
		if (mode == MFILL_ATOMIC_COPY)
			err = mfill_atomic_pte_copy(current_mm, dst_pmd, dst_vma, dst_addr, src_addr,
						    flags, &folio);
		else
			err = mfill_atomic_pte_zeropage(dst_pmd, dst_vma, dst_addr);
		cond_resched();
		if (err == -ENOENT) {
			up_read(&ctx->map_changing_lock);
			vma_end_read(dst_vma);
			if (copy_from_user(current_mm, folio_address(folio), src_addr, PAGE_SIZE)) {
				err = -EFAULT;
				goto out;
			}
			sim_retry("mfill_atomic: copy outside the locks");
			goto retry;
		}
		if (!err) {
			dst_addr += PAGE_SIZE;
			src_addr += PAGE_SIZE;
			copied += PAGE_SIZE;
			if (fatal_signal_pending())
				err = -EINTR;
		}
		if (err)
			break;
	}
out_unlock:
	up_read(&ctx->map_changing_lock);
	vma_end_read(dst_vma);
out:
	if (folio)
		folio_put(folio);
	VM_WARN_ON_ONCE(copied < 0);
	VM_WARN_ON_ONCE(err > 0);
	VM_WARN_ON_ONCE(!copied && !err);
	return copied ? copied : err;
}

long mfill_atomic_copy(struct mm_struct *current_mm, struct userfaultfd_ctx *ctx,
		       unsigned long dst_start, unsigned long src_start, unsigned long len,
		       unsigned int flags)
{
	return mfill_atomic(current_mm, ctx, dst_start, src_start, len, MFILL_ATOMIC_COPY, flags);
}

long mfill_atomic_zeropage(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len)
{
	return mfill_atomic(NULL, ctx, start, 0, len, MFILL_ATOMIC_ZEROPAGE, 0);
}

/* ---- UFFDIO_WRITEPROTECT --------------------------------------------------------- */

int mwriteprotect_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long len,
			bool enable_wp)
{
	struct mm_struct *mm = ctx->mm;
	unsigned long end = start + len;
	struct vm_area_struct *vma;
	int err;

	SIM_FN();
	mmap_read_lock(mm);
	down_read(&ctx->map_changing_lock);
	err = -EAGAIN;
	if (atomic_read(&ctx->mmap_changing))
		goto out_unlock;
	err = -ENOENT;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		unsigned long s = vma->vm_start > start ? vma->vm_start : start;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;

		if (!userfaultfd_wp(vma)) {
			err = -ENOENT;
			break;
		}
		change_protection_uffd(vma, s, e, enable_wp);
		err = 0;
	}
out_unlock:
	up_read(&ctx->map_changing_lock);
	mmap_read_unlock(mm);
	return err;
}

/* ---- registration (the VMA side) ----------------------------------------------------- */

/* userfaultfd_set_ctx(): under the mmap_lock (write) and the VMA write lock. */
static void userfaultfd_set_ctx(struct vm_area_struct *vma, struct userfaultfd_ctx *ctx,
				unsigned long vm_flags)
{
	vma_start_write(vma);
	vma->vm_userfaultfd_ctx = ctx;
	vma->vm_flags = (vma->vm_flags & ~__VM_UFFD_FLAGS) | vm_flags;
}

int userfaultfd_register_range(struct userfaultfd_ctx *ctx, unsigned long vm_flags,
			       unsigned long start, unsigned long end)
{
	struct mm_struct *mm = ctx->mm;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		unsigned long s = vma->vm_start > start ? vma->vm_start : start;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;
		int err;

		cond_resched();
		/* Already registered with this context in these modes. */
		if (vma_uffd_ctx(vma) == ctx && (vma->vm_flags & vm_flags) == vm_flags)
			continue;
		err = vma_modify_range(&vma, s, e);
		if (err)
			return err;
		userfaultfd_set_ctx(vma, ctx, vm_flags);
	}
	return 0;
}

/* userfaultfd_clear_vma(): forget the context on [start, end) of @vma. */
static void userfaultfd_clear_vma(struct vm_area_struct **vmap, unsigned long start,
				  unsigned long end)
{
	struct vm_area_struct *vma = *vmap;

	/* Write-protected PTEs become ordinary again. */
	if (userfaultfd_wp(vma))
		change_protection_uffd(vma, start, end, false);
	if (vma_modify_range(vmap, start, end))
		return;
	userfaultfd_set_ctx(*vmap, NULL, 0);
}

int userfaultfd_clear_range(struct userfaultfd_ctx *ctx, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = ctx->mm;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		unsigned long s = vma->vm_start > start ? vma->vm_start : start;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;

		cond_resched();
		if (!vma_uffd_ctx(vma))
			continue;
		if (userfaultfd_missing(vma)) {
			/* Wake faults sleeping on the range: nobody else will. */
			struct userfaultfd_wake_range range = { s, e - s };

			wake_userfault(vma_uffd_ctx(vma), &range);
		}
		userfaultfd_clear_vma(&vma, s, e);
	}
	return 0;
}

void userfaultfd_release_all(struct mm_struct *mm, struct userfaultfd_ctx *ctx)
{
	struct vm_area_struct *vma;

	if (!atomic_inc_not_zero(&mm->mm_users))
		return;
	mmap_write_lock(mm);
	for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, vma->vm_end)) {
		cond_resched();
		if (vma_uffd_ctx(vma) == ctx)
			userfaultfd_clear_vma(&vma, vma->vm_start, vma->vm_end);
	}
	mmap_write_unlock(mm);
	mmput(mm);
}

/* ---- UFFDIO_MOVE ---------------------------------------------------------------------- */

/* is_pte_pages_stable(): with both PTLs held, nothing moved under us. */
static bool is_pte_pages_stable(pte_t *dst_pte, pte_t *src_pte, pte_t orig_dst_pte,
				pte_t orig_src_pte, pmd_t *dst_pmd, pmd_t dst_pmdval)
{
	return pte_same(ptep_get(src_pte), orig_src_pte) &&
	       pte_same(ptep_get(dst_pte), orig_dst_pte) &&
	       pmd_same(dst_pmdval, pmdp_get_lockless(dst_pmd));
}

struct move_step {
	struct mm_struct *mm;
	struct vm_area_struct *dst_vma, *src_vma;
	unsigned long dst_addr, src_addr;
	pte_t *dst_pte, *src_pte;
	pte_t orig_dst_pte, orig_src_pte;
	pmd_t *dst_pmd;
	pmd_t dst_pmdval;
	spinlock_t *dst_ptl, *src_ptl;
};

/*
 * check_ptes_for_batched_move() (Linux 6.18): may the next PTE pair join the
 * batch?  dst empty, src a present normal page whose folio is small,
 * exclusive, of the same anon_vma as the first one, and can be locked
 * without waiting.  Returns the folio locked, or NULL.  No reference: the
 * PTLs are held for the whole batch.
 */
static struct folio *check_ptes_for_batched_move(struct vm_area_struct *src_vma,
						 unsigned long src_addr, pte_t *src_pte,
						 pte_t *dst_pte, struct anon_vma *src_anon_vma)
{
	pte_t orig_src_pte;
	struct folio *folio;

	if (!pte_none(ptep_get(dst_pte)))
		return NULL;
	orig_src_pte = ptep_get(src_pte);
	if (!pte_present(orig_src_pte) || is_zero_pfn(pte_pfn(orig_src_pte)))
		return NULL;
	folio = vm_normal_folio(src_vma, src_addr, orig_src_pte);
	if (!folio || !folio_trylock(folio))
		return NULL;
	if (!PageAnonExclusive(folio_page(folio, 0)) || folio_test_large(folio) ||
	    folio_anon_vma(folio) != src_anon_vma) {
		folio_unlock(folio);
		return NULL;
	}
	return folio;
}

/*
 * move_present_pte() (v6.17) and move_present_ptes() (Linux 6.18, with
 * cfg.uffd_move_batch): *@first_folio is locked and referenced, its
 * anon_vma write-locked.  v6.17 moves one PTE; 6.18 goes on under the same
 * two PTLs while check_ptes_for_batched_move() accepts the next pair, up to
 * @len and the end of either PTE table, dropping the first folio's
 * reference once the PTLs hold the pages (so *@first_folio becomes NULL and
 * the last folio is unlocked here).  Returns the bytes moved, or an error
 * if none were.  Omits the TLB flush (batched in 6.18; the model has no
 * TLB).
 */
static long move_present_pte(struct move_step *s, struct folio **first_folio, unsigned long len,
			     struct anon_vma *src_anon_vma)
{
	struct folio *src_folio = *first_folio;
	unsigned long src_addr = s->src_addr, dst_addr = s->dst_addr, src_end;
	pte_t *src_pte = s->src_pte, *dst_pte = s->dst_pte;
	bool batch = mmk()->cfg.uffd_move_batch;
	pte_t orig_src_pte, dst_ptev;
	long err = 0;

	SIM_FN();
	if (batch && len > PAGE_SIZE) {
		len = pmd_addr_end(dst_addr, dst_addr + len) - dst_addr;
		src_end = pmd_addr_end(src_addr, src_addr + len);
	} else {
		src_end = src_addr + PAGE_SIZE;
	}
	double_pt_lock(s->dst_ptl, s->src_ptl);
	if (!is_pte_pages_stable(dst_pte, src_pte, s->orig_dst_pte, s->orig_src_pte,
				 s->dst_pmd, s->dst_pmdval)) {
		err = -EAGAIN;
		goto out;
	}
	if (folio_test_large(src_folio) || folio_maybe_dma_pinned(src_folio) ||
	    !PageAnonExclusive(folio_page(src_folio, 0))) {
		err = -EBUSY;
		goto out;
	}
	if (batch) {
		/* The page table holds a reference now. */
		folio_put(src_folio);
		*first_folio = NULL;
	}
	for (;;) {
		orig_src_pte = ptep_clear_flush(s->src_vma, src_addr, src_pte);
		/* Pinned from under us (GUP-fast pins, then re-reads the PTE). */
		if (folio_maybe_dma_pinned(src_folio)) {
			set_pte_at(s->mm, src_addr, src_pte, orig_src_pte);
			err = -EBUSY;
			break;
		}
		folio_move_anon_rmap(src_folio, s->dst_vma);
		WRITE_ONCE(src_folio->index, linear_page_index(s->dst_vma, dst_addr));
		/* Soft-dirty so a tracker notices; dirty only if it was; writable. */
		dst_ptev = pte_mksoft_dirty(folio_mk_pte(src_folio, s->dst_vma));
		if (pte_dirty(orig_src_pte))
			dst_ptev = pte_mkdirty(dst_ptev);
		dst_ptev = pte_mkwrite(dst_ptev);
		set_pte_at(s->mm, dst_addr, dst_pte, dst_ptev);
		oracle_move(mmk()->oracle, s->mm, src_addr, dst_addr, PAGE_SIZE);
		src_addr += PAGE_SIZE;
		if (src_addr == src_end)
			break;
		dst_addr += PAGE_SIZE;
		/* Model check, not in the kernel: both PTE pointers stay
		 * inside their tables (the pmd_addr_end() clamp above). */
		VM_WARN_ON_ONCE(!(src_addr & ~PMD_MASK) || !(dst_addr & ~PMD_MASK));
		dst_pte++;
		src_pte++;
		folio_unlock(src_folio);
		src_folio = check_ptes_for_batched_move(s->src_vma, src_addr, src_pte, dst_pte,
							src_anon_vma);
		if (!src_folio)
			break;
	}
	if (batch && src_folio)
		folio_unlock(src_folio);
out:
	double_pt_unlock(s->dst_ptl, s->src_ptl);
	return src_addr > s->src_addr ? (long)(src_addr - s->src_addr) : err;
}

/* move_zeropage_pte(): the source maps the zero page; so will dst.  Returns
 * the bytes moved (one page) or -EAGAIN. */
static int move_zeropage_pte(struct move_step *s)
{
	pte_t zero;

	SIM_FN();
	double_pt_lock(s->dst_ptl, s->src_ptl);
	if (!is_pte_pages_stable(s->dst_pte, s->src_pte, s->orig_dst_pte, s->orig_src_pte,
				 s->dst_pmd, s->dst_pmdval)) {
		double_pt_unlock(s->dst_ptl, s->src_ptl);
		return -EAGAIN;
	}
	zero = pte_mkspecial(pte_modify(pfn_pte(mmk()->zero_pfn), s->dst_vma));
	ptep_clear_flush(s->src_vma, s->src_addr, s->src_pte);
	set_pte_at(s->mm, s->dst_addr, s->dst_pte, zero);
	double_pt_unlock(s->dst_ptl, s->src_ptl);
	return PAGE_SIZE;
}

/*
 * move_swap_pte(): move a swap PTE.  @src_folio is the swap-cache folio of
 * the entry (locked) or NULL.  Its anon rmap and index must follow the PTE,
 * or a later swap-in at dst finds a folio that claims the old place (seed
 * 001); and both ways of learning "no folio / this folio" are racy without
 * the two re-checks of 0ea148a79919 (seed 000).  Returns the bytes moved
 * (one page) or an error.
 */
static int move_swap_pte(struct move_step *s, struct folio *src_folio,
			 struct swap_info_struct *si, swp_entry_t entry)
{
	pte_t orig_src_pte;

	SIM_FN();
	/* Fix 0ea148a79919 check A: the lookup was lockless; only the folio
	 * lock makes folio->swap stable. */
	if (src_folio && mm_fix_enabled(FIX_MOVE_SWAPCACHE_FOLIO_RECHECK) &&
	    (!folio_test_swapcache(src_folio) || READ_ONCE(src_folio->swap.val) != entry.val))
		return -EAGAIN;
	double_pt_lock(s->dst_ptl, s->src_ptl);
	if (!is_pte_pages_stable(s->dst_pte, s->src_pte, s->orig_dst_pte, s->orig_src_pte,
				 s->dst_pmd, s->dst_pmdval)) {
		double_pt_unlock(s->dst_ptl, s->src_ptl);
		return -EAGAIN;
	}
	if (src_folio) {
		/* No anon_vma lock: the folio is unmapped and the entry
		 * exclusive, so no rmap walk can reach it. */
		folio_move_anon_rmap(src_folio, s->dst_vma);
		WRITE_ONCE(src_folio->index, linear_page_index(s->dst_vma, s->dst_addr));
	} else if (mm_fix_enabled(FIX_MOVE_SWAPCACHE) &&
		   mm_fix_enabled(FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK)) {
		/* Fix 0ea148a79919 check B: a folio may have entered the swap
		 * cache since the lookup (swapped in and out again onto the
		 * same slot); every such path set SWAP_HAS_CACHE before taking
		 * and dropping this PTL. */
		if (READ_ONCE(si->swap_map[swp_offset(entry)]) & SWAP_HAS_CACHE) {
			double_pt_unlock(s->dst_ptl, s->src_ptl);
			return -EAGAIN;
		}
	}
	orig_src_pte = ptep_get_and_clear(s->mm, s->src_addr, s->src_pte);
	orig_src_pte = pte_swp_mksoft_dirty(orig_src_pte);
	set_pte_at(s->mm, s->dst_addr, s->dst_pte, orig_src_pte);
	oracle_move(mmk()->oracle, s->mm, s->src_addr, s->dst_addr, PAGE_SIZE);
	double_pt_unlock(s->dst_ptl, s->src_ptl);
	return PAGE_SIZE;
}

/*
 * move_pages_pte(): move one PTE (v6.17), or a batch of present ones within
 * @len (move_pages_ptes() of Linux 6.18, with cfg.uffd_move_batch).  The
 * PTE pages are mapped without their locks; any wait (folio lock, anon_vma
 * lock, migration) first unmaps them and then starts again from `retry`,
 * keeping only the locked folio (with the PTE value it was taken under) and
 * the locked anon_vma.  Returns the bytes moved (a hole skipped under
 * ALLOW_SRC_HOLES counts as moved) or a negative error.
 */
static long move_pages_pte(struct mm_struct *mm, pmd_t *dst_pmd, pmd_t *src_pmd,
			   struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			   unsigned long dst_addr, unsigned long src_addr, unsigned long len,
			   uint64_t mode)
{
	struct move_step s = {
		.mm = mm, .dst_vma = dst_vma, .src_vma = src_vma,
		.dst_addr = dst_addr, .src_addr = src_addr, .dst_pmd = dst_pmd,
	};
	struct swap_info_struct *si = NULL;
	struct folio *src_folio = NULL;
	struct anon_vma *src_anon_vma = NULL;
	pte_t src_folio_pte = __pte(0);
	pmd_t dummy_pmdval;
	long err = 0;

	SIM_FN();
	sim_retry_reset("move_pages_pte: retry");
retry:
	/* dst is none, so pte_same() cannot prove its table was not freed and
	 * replaced: keep the PMD value to compare under the PTL. */
	s.dst_pte = pte_offset_map_rw_nolock(mm, dst_pmd, dst_addr, &s.dst_pmdval, &s.dst_ptl);
	if (!s.dst_pte) {
		err = -EAGAIN;
		goto out;
	}
	s.src_pte = pte_offset_map_rw_nolock(mm, src_pmd, src_addr, &dummy_pmdval, &s.src_ptl);
	if (!s.src_pte) {
		err = -EAGAIN;
		goto out;
	}
	if (pmd_none(pmdp_get_lockless(dst_pmd)) || pmd_none(pmdp_get_lockless(src_pmd)) ||
	    pmd_trans_huge(pmdp_get_lockless(dst_pmd)) || pmd_trans_huge(pmdp_get_lockless(src_pmd))) {
		err = -EINVAL;
		goto out;
	}
	spin_lock(s.dst_ptl);
	s.orig_dst_pte = ptep_get(s.dst_pte);
	spin_unlock(s.dst_ptl);
	if (!pte_none(s.orig_dst_pte)) {
		err = -EEXIST;
		goto out;
	}
	spin_lock(s.src_ptl);
	s.orig_src_pte = ptep_get(s.src_pte);
	spin_unlock(s.src_ptl);
	if (pte_none(s.orig_src_pte)) {
		err = (mode & MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES) ? (long)PAGE_SIZE : -ENOENT;
		goto out;
	}
	/* The PTE changed after we took its folio: start over. */
	if (src_folio && !pte_same(src_folio_pte, s.orig_src_pte)) {
		err = -EAGAIN;
		goto out;
	}

	if (pte_present(s.orig_src_pte)) {
		if (is_zero_pfn(pte_pfn(s.orig_src_pte))) {
			err = move_zeropage_pte(&s);
			goto out;
		}
		if (!src_folio) {
			struct folio *folio;
			bool locked;

			/* Take the folio under the PTL so it cannot be freed. */
			spin_lock(s.src_ptl);
			if (!pte_same(s.orig_src_pte, ptep_get(s.src_pte))) {
				spin_unlock(s.src_ptl);
				err = -EAGAIN;
				goto out;
			}
			folio = vm_normal_folio(src_vma, src_addr, s.orig_src_pte);
			if (!folio || !PageAnonExclusive(folio_page(folio, 0))) {
				spin_unlock(s.src_ptl);
				err = -EBUSY;
				goto out;
			}
			locked = folio_trylock(folio);
			/* Waiting with a raised refcount would make the lock
			 * holder's split_folio() fail forever (livelock). */
			if (!locked && folio_test_large(folio)) {
				spin_unlock(s.src_ptl);
				err = -EAGAIN;
				goto out;
			}
			folio_get(folio);
			src_folio = folio;
			src_folio_pte = s.orig_src_pte;
			spin_unlock(s.src_ptl);
			if (!locked) {
				pte_unmap(s.src_pte);
				pte_unmap(s.dst_pte);
				s.src_pte = s.dst_pte = NULL;
				folio_lock(src_folio);
				sim_retry("move_pages_pte: retry");
				goto retry;
			}
			if (!folio_test_anon(src_folio)) {
				VM_WARN_ON_ONCE(1);
				err = -EBUSY;
				goto out;
			}
		}
		/* The folio is locked here. */
		if (folio_test_large(src_folio)) {
			pte_unmap(s.src_pte);
			pte_unmap(s.dst_pte);
			s.src_pte = s.dst_pte = NULL;
			err = split_folio(src_folio);
			if (err)
				goto out;
			/* Take the (now small) folio again. */
			folio_unlock(src_folio);
			folio_put(src_folio);
			src_folio = NULL;
			sim_retry("move_pages_pte: retry");
			goto retry;
		}
		if (!src_anon_vma) {
			/* folio_referenced() walks the anon_vma without the folio
			 * lock: exclude it, the mapping is about to change. */
			src_anon_vma = folio_get_anon_vma(src_folio);
			if (!src_anon_vma) {
				err = -EAGAIN;	/* unmapped from under us */
				goto out;
			}
			if (!anon_vma_trylock_write(src_anon_vma)) {
				pte_unmap(s.src_pte);
				pte_unmap(s.dst_pte);
				s.src_pte = s.dst_pte = NULL;
				anon_vma_lock_write(src_anon_vma);
				sim_retry("move_pages_pte: retry");
				goto retry;
			}
		}
		err = move_present_pte(&s, &src_folio, len, src_anon_vma);
	} else {
		swp_entry_t entry = pte_to_swp_entry(s.orig_src_pte);
		struct folio *folio = NULL;

		if (non_swap_entry(entry)) {
			if (is_migration_entry(entry)) {
				pte_unmap(s.src_pte);
				pte_unmap(s.dst_pte);
				s.src_pte = s.dst_pte = NULL;
				migration_entry_wait(mm, src_pmd, src_addr);
				err = -EAGAIN;
			} else {
				err = -EFAULT;	/* markers, device entries, hwpoison */
			}
			goto out;
		}
		if (!pte_swp_exclusive(s.orig_src_pte)) {
			err = -EBUSY;
			goto out;
		}
		si = get_swap_device(entry);
		if (!si) {
			err = -EAGAIN;
			goto out;
		}
		if (mm_fix_enabled(FIX_MOVE_SWAPCACHE)) {
			/* The folio may still sit in the swap cache: its rmap
			 * and index must move too.  A large one cannot be split
			 * while unmapped: -EBUSY. */
			if (!src_folio)
				folio = swap_cache_get_folio(entry);
			if (folio) {
				if (folio_test_large(folio)) {
					err = -EBUSY;
					folio_put(folio);
					goto out;
				}
				src_folio = folio;
				src_folio_pte = s.orig_src_pte;
				if (!folio_trylock(src_folio)) {
					pte_unmap(s.src_pte);
					pte_unmap(s.dst_pte);
					s.src_pte = s.dst_pte = NULL;
					put_swap_device(si);
					si = NULL;
					folio_lock(src_folio);
					sim_retry("move_pages_pte: retry");
					goto retry;
				}
			}
		}
		err = move_swap_pte(&s, src_folio, si, entry);
	}

out:
	if (src_anon_vma) {
		anon_vma_unlock_write(src_anon_vma);
		put_anon_vma(src_anon_vma);
	}
	if (src_folio) {
		folio_unlock(src_folio);
		folio_put(src_folio);
	}
	if (s.src_pte)
		pte_unmap(s.src_pte);
	if (s.dst_pte)
		pte_unmap(s.dst_pte);
	if (si)
		put_swap_device(si);
	return err;
}

/* move_splits_huge_pmd(): the step cannot move a whole PMD. */
static bool move_splits_huge_pmd(unsigned long dst_addr, unsigned long src_addr,
				 unsigned long src_end)
{
	return (src_addr & ~PMD_MASK) || (dst_addr & ~PMD_MASK) || src_end - src_addr < PMD_SIZE;
}

static bool vma_move_compatible(const struct vm_area_struct *vma)
{
	return !(vma->vm_flags & VM_MIXEDMAP);
}

/*
 * validate_move_areas(): same access rights and protection (the model's
 * vm_page_prot follows the access flags), same mlock state, writable, no
 * special mappings, dst registered with this context, both anonymous.
 */
static int validate_move_areas(struct userfaultfd_ctx *ctx, struct vm_area_struct *src_vma,
			       struct vm_area_struct *dst_vma)
{
	const unsigned long access = VM_READ | VM_WRITE | VM_EXEC;

	if ((src_vma->vm_flags & access) != (dst_vma->vm_flags & access))
		return -EINVAL;
	if ((src_vma->vm_flags & VM_LOCKED) != (dst_vma->vm_flags & VM_LOCKED))
		return -EINVAL;
	if (!(src_vma->vm_flags & VM_WRITE))
		return -EINVAL;
	if (!vma_move_compatible(src_vma) || !vma_move_compatible(dst_vma))
		return -EINVAL;
	if (!vma_uffd_ctx(dst_vma) || vma_uffd_ctx(dst_vma) != ctx)
		return -EINVAL;
	if (!vma_is_anonymous(src_vma) || !vma_is_anonymous(dst_vma))
		return -EINVAL;
	return 0;
}

/* find_vmas_mm_locked(): both VMAs under the mmap_lock. */
static int find_vmas_mm_locked(struct mm_struct *mm, unsigned long dst_start,
			       unsigned long src_start, struct vm_area_struct **dst_vmap,
			       struct vm_area_struct **src_vmap)
{
	struct vm_area_struct *vma = find_vma_and_prepare_anon(mm, dst_start);

	if (IS_ERR_VMA(vma))
		return VMA_ERR(vma);
	*dst_vmap = vma;
	if (src_start >= vma->vm_start && src_start < vma->vm_end) {
		*src_vmap = vma;
		return 0;
	}
	vma = vma_lookup(mm, src_start);
	if (!vma)
		return -ENOENT;
	*src_vmap = vma;
	return 0;
}

/*
 * uffd_move_lock(): read-lock both VMAs.  Taking the second VMA lock by
 * waiting while holding the first could deadlock against a writer holding
 * the mmap_lock (it write-locks them one after the other), so on failure
 * both are taken again under the mmap_lock.
 */
static int uffd_move_lock(struct mm_struct *mm, unsigned long dst_start, unsigned long src_start,
			  struct vm_area_struct **dst_vmap, struct vm_area_struct **src_vmap)
{
	struct vm_area_struct *vma = uffd_lock_vma(mm, dst_start);
	int err;

	if (IS_ERR_VMA(vma))
		return VMA_ERR(vma);
	*dst_vmap = vma;
	if (src_start >= vma->vm_start && src_start < vma->vm_end) {
		*src_vmap = vma;
		return 0;
	}
	*src_vmap = lock_vma_under_rcu(mm, src_start);
	if (*src_vmap)
		return 0;
	vma_end_read(*dst_vmap);
	mmap_read_lock(mm);
	err = find_vmas_mm_locked(mm, dst_start, src_start, dst_vmap, src_vmap);
	if (err)
		goto out;
	if (!vma_start_read_locked(*dst_vmap)) {
		err = -EAGAIN;
		goto out;
	}
	if (*dst_vmap == *src_vmap)
		goto out;
	if (!vma_start_read_locked(*src_vmap)) {
		vma_end_read(*dst_vmap);
		err = -EAGAIN;
	}
out:
	mmap_read_unlock(mm);
	return err;
}

static void uffd_move_unlock(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	vma_end_read(src_vma);
	if (src_vma != dst_vma)
		vma_end_read(dst_vma);
}

/*
 * move_pages(): UFFDIO_MOVE's walk (KERNEL-SPEC §B.1).  Each step moves a
 * PTE or a whole huge PMD; -EAGAIN repeats the step, any other error ends
 * the walk.  Returns the bytes moved, or -errno if none (never 0).
 */
long move_pages(struct userfaultfd_ctx *ctx, unsigned long dst_start, unsigned long src_start,
		unsigned long len, uint64_t mode)
{
	struct mm_struct *mm = ctx->mm;
	struct vm_area_struct *src_vma = NULL, *dst_vma = NULL;
	unsigned long src_addr, dst_addr;
	long err, moved = 0;

	SIM_FN();
	err = uffd_move_lock(mm, dst_start, src_start, &dst_vma, &src_vma);
	if (err)
		goto out;
	down_read(&ctx->map_changing_lock);
	err = -EAGAIN;
	if (atomic_read(&ctx->mmap_changing))
		goto out_unlock;
	/* Both ranges private, each inside its VMA. */
	err = -EINVAL;
	if ((src_vma->vm_flags & VM_SHARED) || src_start + len > src_vma->vm_end)
		goto out_unlock;
	if ((dst_vma->vm_flags & VM_SHARED) || dst_start + len > dst_vma->vm_end)
		goto out_unlock;
	err = validate_move_areas(ctx, src_vma, dst_vma);
	if (err)
		goto out_unlock;

	sim_retry_reset("move_pages: -EAGAIN");
	for (src_addr = src_start, dst_addr = dst_start; src_addr < src_start + len;) {
		pmd_t *src_pmd, *dst_pmd, dst_pmdval;
		unsigned long step;
		spinlock_t *ptl;
		long ret;

		src_pmd = mm_find_pmd(mm, src_addr);
		if (!src_pmd) {
			if (!(mode & MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)) {
				err = -ENOENT;
				break;
			}
			src_pmd = mm_alloc_pmd(mm, src_addr);
			if (!src_pmd) {
				err = -ENOMEM;
				break;
			}
		}
		dst_pmd = mm_alloc_pmd(mm, dst_addr);
		if (!dst_pmd) {
			err = -ENOMEM;
			break;
		}
		dst_pmdval = pmdp_get_lockless(dst_pmd);
		/* A THP at dst: be strict (a later one is caught below). */
		if (pmd_trans_huge(dst_pmdval)) {
			err = -EEXIST;
			break;
		}
		ptl = pmd_trans_huge_lock(src_pmd, src_vma);
		if (ptl) {
			if (move_splits_huge_pmd(dst_addr, src_addr, src_start + len) ||
			    !pmd_none(dst_pmdval)) {
				pmd_t src_pmdval = pmdp_get(src_pmd);

				/* Fix aba6faec0103: it can be a migration entry. */
				if (pmd_present(src_pmdval) ||
				    !mm_fix_enabled(FIX_MOVE_SPLIT_PMD_MIGRATION)) {
					struct folio *folio = pmd_folio_checked(src_pmdval);

					if (!is_huge_zero_folio(folio) &&
					    !PageAnonExclusive(folio_page(folio, 0))) {
						spin_unlock(ptl);
						err = -EBUSY;
						break;
					}
				}
				spin_unlock(ptl);
				split_huge_pmd(src_vma, src_pmd, src_addr);
				/* The PTE step splits the folio. */
				sim_retry("move_pages: -EAGAIN");
				continue;
			}
			err = move_pages_huge_pmd(mm, dst_pmd, src_pmd, dst_pmdval, dst_vma, src_vma,
						  dst_addr, src_addr);
			step = PMD_SIZE;
		} else {
			if (pmd_none(pmdp_get_lockless(src_pmd))) {
				if (!(mode & MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)) {
					err = -ENOENT;
					break;
				}
				if (__pte_alloc(mm, src_pmd)) {
					err = -ENOMEM;
					break;
				}
			}
			if (pte_alloc(mm, dst_pmd)) {
				err = -ENOMEM;
				break;
			}
			ret = move_pages_pte(mm, dst_pmd, src_pmd, dst_vma, src_vma, dst_addr,
					     src_addr, src_start + len - src_addr, mode);
			err = ret < 0 ? ret : 0;
			step = ret < 0 ? 0 : (unsigned long)ret;
		}
		cond_resched();
		/* Killed: the step just done is not counted (any other error
		 * is kept). */
		if (fatal_signal_pending()) {
			if (!err || err == -EAGAIN)
				err = -EINTR;
			break;
		}
		if (err) {
			if (err == -EAGAIN) {
				sim_retry("move_pages: -EAGAIN");
				continue;
			}
			break;
		}
		sim_retry_reset("move_pages: -EAGAIN");
		dst_addr += step;
		src_addr += step;
		moved += (long)step;
	}
out_unlock:
	up_read(&ctx->map_changing_lock);
	uffd_move_unlock(dst_vma, src_vma);
out:
	VM_WARN_ON_ONCE(moved < 0);
	VM_WARN_ON_ONCE(err > 0);
	VM_WARN_ON_ONCE(!moved && !err);
	return moved ? moved : err;
}
