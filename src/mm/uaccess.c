/*
 * uaccess.c - what a user-space load or store does: the MMU's translation,
 * and on failure the page-fault handler (arch/x86/mm/fault.c:
 * do_user_addr_fault), then the access again.
 *
 * The translation and the access are one atomic step, as if the TLB were
 * always exact: a PTE cleared by another CPU is never used afterwards (the
 * kernel gets the same by flushing the TLB before it frees or reuses the
 * page).  The step sets the accessed and dirty bits the way the hardware
 * does, at any moment, without the PTL.
 *
 * The fault handler tries the per-VMA lock first (lock_vma_under_rcu) and
 * falls back to the mmap_lock; VM_FAULT_RETRY repeats under the mmap_lock.
 * SIGSEGV and SIGBUS become -EFAULT; VM_FAULT_OOM retries the access, as
 * pagefault_out_of_memory() does when no OOM kill is due.
 * Kernel-mode faults are those of copy_from_user (no FAULT_FLAG_USER).
 * Leaves out: stack expansion, signals, faults of kernel addresses, pkeys.
 */
#include <string.h>

#include "check/oracle.h"
#include "mm/api.h"
#include "mm/internal.h"

/* The MMU: translate @addr for a read or write.  On success returns the
 * host address of the word; else NULL (the access faults).  A PTE that maps
 * a freed page sets *@freed to its pfn (the caller reports it). */
static uint64_t *mmu_translate(struct mm_struct *mm, unsigned long addr, bool write,
			       unsigned long *freed)
{
	pmd_t *pmdp = mm_find_pmd(mm, addr);
	uint64_t v, *slot, bits = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	unsigned long pfn;

	if (!pmdp)
		return NULL;
	v = __atomic_load_n(&pmdp->pmd, __ATOMIC_SEQ_CST);
	if ((v & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE)) {
		slot = &pmdp->pmd;
		pfn = pmd_pfn(__pmd(v)) + pte_index(addr);
	} else if (pmd_is_table(__pmd(v))) {
		pte_t *pte = &pmd_ptdesc(__pmd(v))->ptes[pte_index(addr)];

		slot = &pte->pte;
		v = __atomic_load_n(slot, __ATOMIC_SEQ_CST);
		if (!(v & _PAGE_PRESENT))
			return NULL;
		pfn = pte_pfn(__pte(v));
	} else {
		return NULL;
	}
	if (write && !(v & _PAGE_RW))
		return NULL;
	while ((v & bits) != bits && !__atomic_compare_exchange_n(slot, &v, v | bits, false,
								  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	if (__page_test_flag(pfn_to_page(pfn), PG_poisoned))
		*freed = pfn;
	return (uint64_t *)(mmk()->phys + pfn * PAGE_SIZE + (addr & (PAGE_SIZE - 1)));
}

static void use_after_free(struct mm_struct *mm, unsigned long addr, bool write,
			   unsigned long pfn)
{
	sim_fail(SIM_FIND_BUG, "use-after-free",
		 "user %s of %#lx in mm %d reaches pfn %lu, which is free: a PTE maps a freed"
		 " page", write ? "write" : "read", addr, mm->id, pfn);
}

/*
 * Model-only: on real threads (stress) the translation, the access and the
 * data shadow's update or check are made one step by a host lock, as they
 * are for the explorer; else two stores to one word could reach the shadow
 * in the other order and a later load would be reported as a lost write.
 * Never held across a primitive or a finding.
 */
static void uaccess_lock(void)
{
	sim_hostlock_lock(&mmk()->uaccess_lock);
}

static void uaccess_unlock(void)
{
	sim_hostlock_unlock(&mmk()->uaccess_lock);
}

/* access_error(): the VMA does not allow this access at all (SIGSEGV). */
static bool access_error(bool write, const struct vm_area_struct *vma)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/* @user: the access came from user mode (FAULT_FLAG_USER); else it is the
 * kernel's access to user memory (copy_from_user), which a userfaultfd
 * context made with UFFD_USER_MODE_ONLY does not handle. */
static vm_fault_t do_user_addr_fault(struct mm_struct *mm, unsigned long addr, bool write,
				     bool user)
{
	unsigned int flags = (user ? FAULT_FLAG_USER : 0) | FAULT_FLAG_ALLOW_RETRY |
			     (write ? FAULT_FLAG_WRITE : 0);
	struct vm_area_struct *vma = lock_vma_under_rcu(mm, addr);
	vm_fault_t fault;

	SIM_FN();
	if (vma) {
		if (access_error(write, vma)) {
			vma_end_read(vma);
			return VM_FAULT_SIGSEGV;
		}
		fault = handle_mm_fault(vma, addr, flags | FAULT_FLAG_VMA_LOCK);
		if (!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)))
			vma_end_read(vma);
		if (!(fault & VM_FAULT_RETRY))
			return fault;
	}
	sim_retry_reset("do_user_addr_fault: VM_FAULT_RETRY");
	for (;;) {
		mmap_read_lock(mm);
		vma = vma_lookup(mm, addr);
		if (!vma || access_error(write, vma)) {
			mmap_read_unlock(mm);
			return VM_FAULT_SIGSEGV;
		}
		fault = handle_mm_fault(vma, addr, flags);
		if (!(fault & VM_FAULT_RETRY))
			break;
		flags |= FAULT_FLAG_TRIED;
		sim_retry("do_user_addr_fault: VM_FAULT_RETRY");
	}
	mmap_read_unlock(mm);
	return fault;
}

/* Put @size bytes of @v at byte @off of the word @w (little-endian). */
static uint64_t word_splice(uint64_t w, unsigned off, int size, uint64_t v)
{
	uint64_t mask = size == 8 ? ~0ULL : ((1ULL << (8 * size)) - 1) << (8 * off);

	return (w & ~mask) | ((v << (8 * off)) & mask);
}

static uint64_t word_extract(uint64_t w, unsigned off, int size)
{
	return size == 8 ? w : (w >> (8 * off)) & ((1ULL << (8 * size)) - 1);
}

/*
 * A user load or store of @size bytes at @addr, which stay within one
 * 8-byte word: one atomic step of the MMU and the access.  The data shadow
 * tracks whole words, so a narrow store updates its word and a narrow load
 * checks its word.
 */
static int user_access(struct mm_struct *mm, unsigned long addr, int size, bool write,
		       uint64_t *val)
{
	const struct sim_site *site = write ? SIM_SITE("user_write", "addr")
					    : SIM_SITE("user_read", "addr");
	unsigned long waddr = addr & ~7UL;
	unsigned off = (unsigned)(addr & 7);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if (off + (unsigned)size > 8)
		return -EINVAL;
	if (addr >= TASK_SIZE)
		return -EFAULT;
	sim_retry_reset("user access: fault and retry");
	for (;;) {
		struct sim_cpu *c = sim_enter(site);
		unsigned long freed = 0;
		uint64_t *word, w = 0, want = 0;
		struct vm_area_struct *vma;
		bool lost = false;
		vm_fault_t fault;

		uaccess_lock();
		word = mmu_translate(mm, waddr, write, &freed);
		if (word && !freed) {
			/* Still the same atomic step: the shadow follows the access.
			 * No VMA: munmap is tearing this down; the data is going. */
			vma = vma_lookup(mm, waddr);
			if (write) {
				*word = word_splice(*word, off, size, *val);
				if (vma)
					oracle_store(mmk()->oracle, vma, waddr, *word);
			} else {
				w = *word;
				lost = vma && !oracle_load_ok(mmk()->oracle, vma, waddr, w, &want);
				*val = word_extract(w, off, size);
			}
		}
		uaccess_unlock();
		if (freed)
			use_after_free(mm, waddr, write, freed);
		if (lost)
			sim_fail(SIM_FIND_INVARIANT, "INV-1",
				 "data integrity: mm %d read %#llx at %#lx, but the last value"
				 " written there is %#llx",
				 mm->id, (unsigned long long)w, waddr, (unsigned long long)want);
		if (word) {
			sim_record(c, write ? SIM_OP_USER_WRITE : SIM_OP_USER_READ, site, 0, *val, addr);
			return 0;
		}
		fault = do_user_addr_fault(mm, waddr, write, true);
		if (fault & (VM_FAULT_SIGSEGV | VM_FAULT_SIGBUS))
			return -EFAULT;
		/* VM_FAULT_OOM reaching a user fault (pagefault_out_of_memory:
		 * "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF"):
		 * the access is retried.  A fault can report it spuriously, e.g.
		 * do_swap_page() racing a swap-out of the same entry. */
		if (fault & VM_FAULT_OOM)
			cpu_relax();
		sim_retry("user access: fault and retry");
	}
}

/*
 * One piece of a kernel read of user memory (copy_from_user), at most up to
 * the end of a page, in one step like a user load; the words it reads are
 * checked against the data shadow.  False if the page is not mapped.
 */
static bool copy_piece(struct mm_struct *mm, void *dst, unsigned long src, size_t n)
{
	const struct sim_site *site = SIM_SITE("copy_from_user", "src");
	struct sim_cpu *c = sim_enter(site);
	unsigned long freed = 0, bad = 0;
	const uint8_t *p;
	struct vm_area_struct *vma;
	uint64_t got = 0, want = 0;

	uaccess_lock();
	p = (const uint8_t *)mmu_translate(mm, src, false, &freed);
	if (p && !freed) {
		memcpy(dst, p, n);
		vma = vma_lookup(mm, src);
		for (unsigned long a = ALIGN(src, 8); vma && !bad && a + 8 <= src + n; a += 8) {
			memcpy(&got, p + (a - src), sizeof(got));
			if (!oracle_load_ok(mmk()->oracle, vma, a, got, &want))
				bad = a;
		}
	}
	uaccess_unlock();
	if (freed)
		use_after_free(mm, src, false, freed);
	if (bad)
		sim_fail(SIM_FIND_INVARIANT, "INV-1",
			 "data integrity: the kernel read %#llx at %#lx of mm %d (copy_from_user),"
			 " but the last value written there is %#llx",
			 (unsigned long long)got, bad, mm->id, (unsigned long long)want);
	if (!p)
		return false;
	sim_record(c, SIM_OP_USER_READ, site, 0, n, src);
	return true;
}

unsigned long copy_from_user_nofault(struct mm_struct *mm, void *dst, unsigned long src,
				     unsigned long len)
{
	unsigned long done = 0;

	while (done < len) {
		unsigned long a = src + done;
		size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));

		if (n > len - done)
			n = len - done;
		if (a >= TASK_SIZE || !copy_piece(mm, (uint8_t *)dst + done, a, n))
			return len - done;
		done += n;
	}
	return 0;
}

unsigned long copy_from_user(struct mm_struct *mm, void *dst, unsigned long src, unsigned long len)
{
	unsigned long done = 0;

	sim_retry_reset("copy_from_user: fault and retry");
	while (done < len) {
		unsigned long a = src + done;
		size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		vm_fault_t fault;

		if (n > len - done)
			n = len - done;
		if (a >= TASK_SIZE)
			return len - done;
		if (copy_piece(mm, (uint8_t *)dst + done, a, n)) {
			done += n;
			continue;
		}
		fault = do_user_addr_fault(mm, a, false, false);
		if (fault & (VM_FAULT_SIGSEGV | VM_FAULT_SIGBUS))
			return len - done;
		sim_retry("copy_from_user: fault and retry");
	}
	return 0;
}

int mmt_read(struct mm_struct *mm, unsigned long addr, uint64_t *val)
{
	if (addr & 7)
		return -EINVAL;
	return user_access(mm, addr, 8, false, val);
}

int mmt_write(struct mm_struct *mm, unsigned long addr, uint64_t val)
{
	if (addr & 7)
		return -EINVAL;
	return user_access(mm, addr, 8, true, &val);
}

int mmt_read_size(struct mm_struct *mm, unsigned long addr, int size, uint64_t *val)
{
	return user_access(mm, addr, size, false, val);
}

int mmt_write_size(struct mm_struct *mm, unsigned long addr, int size, uint64_t val)
{
	return user_access(mm, addr, size, true, &val);
}
