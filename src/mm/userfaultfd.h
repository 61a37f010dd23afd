/*
 * userfaultfd.h - userfaultfd in the fault path (include/linux/userfaultfd_k.h).
 *
 * Registration, UFFDIO_COPY/ZEROPAGE/MOVE and fault delivery are issue 5 of
 * the project.  Until then no VMA carries VM_UFFD_MISSING or VM_UFFD_WP, so
 * the fault paths never call handle_userfault().
 */
#ifndef MMT_MM_USERFAULTFD_H
#define MMT_MM_USERFAULTFD_H

#include "mm/internal.h"

vm_fault_t handle_userfault(struct vm_fault *vmf, unsigned long reason);

#endif
