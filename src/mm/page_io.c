/*
 * page_io.c - reading and writing swap slots (mm/page_io.c, v6.17:
 * swap_read_folio, swap_writeout, end_swap_bio_write; zram's rw_page).
 *
 * A synchronous device (SWP_SYNCHRONOUS_IO, zram) completes both in the
 * caller.  An asynchronous device copies the data at submission but
 * completes the write only when mmt_swap_io_complete() runs (the block
 * layer's completion), so a folio can sit in the swap cache under
 * writeback.  Reads complete at once on both (the model does not need
 * asynchronous reads for the races it studies).
 *
 * Reading a slot whose data was discarded (freed, not written again) gives
 * zeroes, as zram does for a slot it does not hold; what that costs user
 * space shows as lost data (INV-1).  Reading a slot never written is a bug
 * in the model's bookkeeping of swap entries (INV-5).
 */
#include <string.h>

#include "mm/swap.h"

static struct swap_info_struct *si_of(struct folio *folio)
{
	return swp_swap_info(folio->swap);
}

/*
 * swap_read_folio(): fill a locked folio from its slots (folio->swap), mark
 * it uptodate and unlock it (the read completion: folio_end_read).  The
 * folio was born locked by its caller, so the unlock is an untracked one.
 */
void swap_read_folio(struct folio *folio)
{
	struct swap_info_struct *si = si_of(folio);
	unsigned long off = swp_offset(folio->swap);

	SIM_FN();
	sim_enter(SIM_SITE("swap_read_folio", "folio"));
	for (long i = 0; i < folio_nr_pages(folio); i++) {
		unsigned long o = off + (unsigned long)i;

		uint8_t *to = (uint8_t *)folio_address(folio) + (unsigned long)i * PAGE_SIZE;

		if (si->state[o] == SLOT_EMPTY)
			sim_fail(SIM_FIND_INVARIANT, "INV-5",
				 "swap-slot lifetime: swap-in of slot %d:%lu, which was never written",
				 si->type, o);
		if (si->state[o] == SLOT_DISCARDED)
			memset(to, 0, PAGE_SIZE);
		else
			memcpy(to, si->data + o * PAGE_SIZE, PAGE_SIZE);
	}
	__folio_mark_uptodate(folio);
	folio_unlock_new(folio);
}

/* folio_end_writeback(): the write finished; waiters may go. */
static void folio_end_writeback(struct folio *folio)
{
	folio_clear_writeback(folio);
	sim_bit_wake(&folio->flags);
}

/*
 * swap_writeout(): write a locked, dirty swap-cache folio to its slots and
 * unlock it.  Synchronous devices finish now; asynchronous ones leave the
 * folio under writeback until the completion.
 */
void swap_writeout(struct folio *folio)
{
	struct swap_info_struct *si = si_of(folio);
	unsigned long off = swp_offset(folio->swap);

	SIM_FN();
	folio_clear_dirty(folio);
	folio_set_writeback(folio);
	sim_enter(SIM_SITE("swap_writeout", "folio"));
	for (long i = 0; i < folio_nr_pages(folio); i++) {
		memcpy(si->data + (off + (unsigned long)i) * PAGE_SIZE,
		       (uint8_t *)folio_address(folio) + (unsigned long)i * PAGE_SIZE, PAGE_SIZE);
		si->state[off + (unsigned long)i] = SLOT_DATA;
	}
	if (si->flags & SWP_SYNCHRONOUS_IO) {
		folio_end_writeback(folio);
	} else {
		folio_get(folio);	/* the I/O holds a reference until completion */
		spin_lock(&si->lock);
		si->pending[si->nr_pending++] = folio_pfn(folio);
		spin_unlock(&si->lock);
	}
	folio_unlock(folio);
}

int mmt_swap_io_complete(void)
{
	struct mm_kernel *k = mmk();
	int done = 0;

	SIM_FN();
	for (int t = 0; t < k->nr_swapfiles; t++) {
		struct swap_info_struct *si = k->swap_info[t];

		for (;;) {
			struct folio *folio = NULL;

			spin_lock(&si->lock);
			if (si->nr_pending)
				folio = pfn_folio(si->pending[--si->nr_pending]);
			spin_unlock(&si->lock);
			if (!folio)
				break;
			folio_end_writeback(folio);
			folio_put(folio);
			done++;
		}
	}
	return done;
}

const uint8_t *swap_slot_data(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	if (!si || si->state[swp_offset(entry)] != SLOT_DATA)
		return NULL;
	return si->data + swp_offset(entry) * PAGE_SIZE;
}
