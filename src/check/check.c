/*
 * check.c - run the invariant checkers that apply to a mode (check.h).
 */
#include "check/check.h"

void check_all(struct mm_kernel *k, enum check_mode mode)
{
	check_pgtable(k, mode);
	check_rmap(k, mode);
	if (mode == CHECK_END) {
		/* The most specific first: a broken swap cache also breaks the
		 * refcounts, but INV-2 says what is wrong. */
		check_swap(k);
		check_accounting(k);
		check_exclusive(k);
		check_data(k);
	}
}
