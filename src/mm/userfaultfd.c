/*
 * userfaultfd.c - userfaultfd (mm/userfaultfd.c, fs/userfaultfd.c).
 *
 * Only the fault-path hook exists so far (issue 5 brings the rest); no VMA
 * can be registered yet, so reaching it is a bug in the model.
 */
#include "mm/userfaultfd.h"

vm_fault_t handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	(void)vmf;
	(void)reason;
	BUG();
}
