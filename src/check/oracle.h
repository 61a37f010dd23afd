/*
 * oracle.h - the data-integrity oracle (invariant INV-1): a shadow of what
 * user space wrote, checked on every read and at the end of an execution.
 *
 * A logical word is (address space, address) for private memory and
 * (object, offset) for shared memory, so a fork's shared pages stay shared
 * in the shadow and its private pages are copied.  A word never written
 * reads as 0; in a private file mapping, as the file's word (the page is
 * the file's until a write copies it).  A write to a parent during its fork may or may not
 * reach the child (the fork may already have copied that page): the child's
 * shadow then accepts either value.
 *
 * Concurrency: every call happens inside the single atomic step of a user
 * access (or under the mmap_lock for fork/munmap); a host lock keeps stress
 * mode consistent.
 */
#ifndef MMT_CHECK_ORACLE_H
#define MMT_CHECK_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

struct oracle;
struct mm_struct;
struct vm_area_struct;

struct oracle *oracle_new(void);
void oracle_free(struct oracle *o);
void oracle_reset(struct oracle *o);
/* Benchmarks only: with @on false, nothing is recorded and every load is
 * accepted (INV-1 unchecked), from now until the next oracle_reset().
 * Call it before the execution's first access. */
void oracle_set_enabled(struct oracle *o, bool on);

void oracle_store(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		  uint64_t val);
/* True if @got is an acceptable value for the word; false (with @want set
 * to the expected value) otherwise. */
bool oracle_load_ok(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		    uint64_t got, uint64_t *want);
void oracle_fork_begin(struct oracle *o, const struct mm_struct *parent,
		       const struct mm_struct *child);
void oracle_fork_end(struct oracle *o, const struct mm_struct *parent);
/* Private words of [start, end) in @mm are forgotten: they read as zero, or
 * as the file in a private file mapping, from now on. */
void oracle_discard(struct oracle *o, const struct mm_struct *mm, unsigned long start,
		    unsigned long end);
/*
 * The private file mapping @vma copies the file's page at @addr into an
 * anonymous page (do_cow_fault, wp_page_copy): the page's words become
 * private, holding the file's values of this moment; call it in the same
 * atomic step as the copy.  A copy that then loses the race to install its
 * PTE against another CPU's copy of the same page leaves the later of the
 * two snapshots: only a third CPU writing the file between the two copies
 * could tell (a false INV-1, never a missed one).
 */
void oracle_cow_page(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr);

/*
 * UFFDIO_MOVE moved @mm's private memory [src, src + len) to dst: the words
 * go with the pages, and src reads as zero afterwards.  Call it in the same
 * locked section as the page-table change.
 */
void oracle_move(struct oracle *o, const struct mm_struct *mm, unsigned long src,
		 unsigned long dst, unsigned long len);
/* UFFDIO_COPY mapped a new private page at @addr of @vma holding @data
 * (PAGE_SIZE bytes): its words are what user space reads from now on. */
void oracle_fill_page(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		      const void *data);

/* Visit every private word of @mm the oracle knows (end-of-execution check). */
void oracle_for_each(struct oracle *o, const struct mm_struct *mm,
		     void (*fn)(unsigned long addr, uint64_t val, uint64_t alt, bool has_alt,
				void *arg),
		     void *arg);

#endif
