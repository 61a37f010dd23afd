/*
 * inv_data.c - INV-1 at the end of an execution: every private word the
 * oracle knows still holds its value when looked up through the page tables
 * (without faulting: a missing page must have been all zeroes).  Reads
 * during the execution are checked by the oracle itself (uaccess.c).
 */
#include "check/check.h"
#include "check/oracle.h"
#include "mm/internal.h"
#include "mm/swap.h"

struct data_arg {
	struct mm_kernel *k;
	struct mm_struct *mm;
};

/* The word at @addr through the page tables; false if not present. */
static bool peek(struct mm_kernel *k, struct mm_struct *mm, unsigned long addr, uint64_t *val,
		 bool *swapped)
{
	pmd_t *pmdp = mm_find_pmd(mm, addr);
	unsigned long pfn;
	pmd_t pmd;
	pte_t pte;

	*swapped = false;
	if (!pmdp)
		return false;
	pmd = __pmd(__atomic_load_n(&pmdp->pmd, __ATOMIC_RELAXED));
	if (pmd_trans_huge(pmd)) {
		pfn = pmd_pfn(pmd) + pte_index(addr);
	} else if (pmd_is_table(pmd)) {
		pte = k->ptables[pmd_table_id(pmd)]->ptes[pte_index(addr)];
		if (is_swap_pte(pte) && !non_swap_entry(pte_to_swp_entry(pte)) &&
		    mm_swap_entry_valid(pte_to_swp_entry(pte))) {
			swp_entry_t e = pte_to_swp_entry(pte);
			struct swap_info_struct *si = swp_swap_info(e);
			const uint8_t *d;

			/* The swap cache's copy is the newest, else the slot's. */
			if (si->cache[swp_offset(e)])
				d = k->phys + si->cache[swp_offset(e)] * PAGE_SIZE;
			else if (!(d = swap_slot_data(e)))
				return false;
			*val = *(const uint64_t *)(d + (addr & (PAGE_SIZE - 1)));
			return true;
		}
		if (is_swap_pte(pte)) {
			*swapped = true;
			return false;
		}
		if (!pte_present(pte))
			return false;
		pfn = pte_pfn(pte);
	} else {
		return false;
	}
	*val = *(uint64_t *)(k->phys + pfn * PAGE_SIZE + (addr & (PAGE_SIZE - 1)));
	return true;
}

static void check_word(unsigned long addr, uint64_t want, uint64_t alt, bool has_alt, void *arg)
{
	struct data_arg *d = arg;
	struct vm_area_struct *vma = vma_lookup(d->mm, addr);
	uint64_t got = 0;
	bool swapped;

	if (!vma || vma->vm_file)
		return;
	if (!peek(d->k, d->mm, addr, &got, &swapped) && swapped)
		return;		/* a migration entry: INV-7 reports it */
	if (got == want || (has_alt && got == alt))
		return;
	sim_fail(SIM_FIND_INVARIANT, "INV-1",
		 "data integrity: at the end, mm %d holds %#llx at %#lx, but the last value"
		 " written there is %#llx", d->mm->id, (unsigned long long)got, addr,
		 (unsigned long long)want);
}

void check_data(struct mm_kernel *k)
{
	for (int i = 0; i < k->nr_mms; i++) {
		struct data_arg d = { k, k->mms[i] };

		if (!d.mm->dead)
			oracle_for_each(k->oracle, d.mm, check_word, &d);
	}
}
