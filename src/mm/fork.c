/*
 * fork.c - creating an address space by fork, and tearing one down at exit
 * (kernel/fork.c: dup_mm, dup_mmap [mm/mmap.c in v6.17]; mm/mmap.c:
 * exit_mmap; kernel/fork.c: check_mm).
 *
 * Lock order: the parent's mmap_lock, then the child's (nested).  Every
 * parent VMA is write-locked while its page tables are copied, so faults
 * that use per-VMA locks wait; writes through PTEs that are still writable
 * are not stopped (and the data oracle accepts either outcome for them).
 *
 * Leaves out: the mm's other state (files, signals), khugepaged and ksm
 * registration, userfaultfd fork events (issue 5), accounting of
 * VM_ACCOUNT, the OOM reaper.
 */
#include "check/oracle.h"
#include "mm/api.h"
#include "mm/internal.h"

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vma_array *vmas;
	int ret = 0;

	mmap_write_lock(oldmm);
	oracle_fork_begin(mmk()->oracle, oldmm, mm);
	down_write_nested(&mm->mmap_lock, SINGLE_DEPTH_NESTING);
	vmas = __atomic_load_n(&oldmm->vmas, __ATOMIC_ACQUIRE);
	for (int i = 0; i < vmas->nr && !ret; i++) {
		struct vm_area_struct *mpnt = vmas->v[i], *tmp;

		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		vma_start_write(mpnt);
		tmp = vm_area_dup(mpnt);
		tmp->vm_mm = mm;
		tmp->vm_flags &= ~VM_LOCKED;
		/* Without UFFD_FEATURE_EVENT_FORK the child is not registered. */
		tmp->vm_userfaultfd_ctx = NULL;
		tmp->vm_flags &= ~(VM_UFFD_MISSING | VM_UFFD_WP);
		if (tmp->vm_flags & VM_WIPEONFORK)
			tmp->anon_vma = NULL;
		else
			anon_vma_fork(tmp, mpnt);
		mm_vmas_insert(mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK))
			ret = copy_page_range(tmp, mpnt);
	}
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	oracle_fork_end(mmk()->oracle, oldmm);
	return ret;
}

int mmt_fork(struct mm_struct *oldmm, struct mm_struct **child)
{
	struct mm_struct *mm;
	int ret;

	SIM_FN();
	if (oldmm->dead)
		return -EINVAL;
	mm = mm_alloc();
	ret = dup_mmap(mm, oldmm);
	if (ret) {
		mmt_exit(mm);
		return ret;
	}
	*child = mm;
	return 0;
}

/* check_mm(): an exited mm holds no pages and no swap entries. */
static void check_mm(struct mm_struct *mm)
{
	static const char *const names[NR_MM_COUNTERS] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
	};

	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		long v = atomic_long_read(&mm->rss_stat[i]);

		if (v)
			sim_fail(SIM_FIND_BUG, "check_mm",
				 "BUG: Bad rss-counter state mm:%d type:%s val:%ld", mm->id, names[i], v);
	}
}

/* exit_mmap(): unmap everything, free the page tables, drop the VMAs. */
void exit_mmap(struct mm_struct *mm)
{
	struct vma_array *vmas;

	SIM_FN();
	mmap_read_lock(mm);
	vmas = __atomic_load_n(&mm->vmas, __ATOMIC_ACQUIRE);
	for (int i = 0; i < vmas->nr; i++)
		unmap_vma_range(vmas->v[i], vmas->v[i]->vm_start, vmas->v[i]->vm_end);
	mmap_read_unlock(mm);
	mmap_write_lock(mm);
	free_pgtables(mm, 0, TASK_SIZE);
	vmas = __atomic_load_n(&mm->vmas, __ATOMIC_ACQUIRE);
	for (int i = 0; i < vmas->nr; i++) {
		struct vm_area_struct *vma = vmas->v[i];

		vma_start_write(vma);
		vma_mark_detached(vma);
		unlink_anon_vmas(vma);
		if (vma->vm_file)
			mapping_put(vma->vm_file);
	}
	__atomic_store_n(&mm->vmas, kzalloc(sizeof(struct vma_array)), __ATOMIC_RELEASE);
	mm->dead = true;
	mmap_write_unlock(mm);
	check_mm(mm);
}

/* mmput(): the last mm_users reference tears the address space down. */
void mmput(struct mm_struct *mm)
{
	if (atomic_dec_and_test(&mm->mm_users))
		exit_mmap(mm);
}

/* The process exits: its own mm_users reference goes (others, e.g. a
 * userfaultfd ioctl in progress on it, may delay the teardown). */
void mmt_exit(struct mm_struct *mm)
{
	if (!mm->exited) {
		mm->exited = true;
		mmput(mm);
	}
}
