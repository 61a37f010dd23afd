/*
 * shmem.c - the stand-in for shmem (MAP_SHARED|MAP_ANONYMOUS) and for the
 * page cache of a file: an object holding one order-0 folio per page
 * offset, created zero-filled on first touch (mm/shmem.c: shmem_fault,
 * shmem_get_folio; mm/filemap.c: filemap_get_folio).
 *
 * It exists so that non-anonymous mappings can be expressed (UFFDIO_MOVE
 * refuses them, fork does not copy them, MADV_DONTNEED keeps their data).
 * Leaves out: swap of shmem, large folios, writeback, truncation, file
 * reads and writes, i_mmap (file folios are not migrated by the model).
 */
#include "mm/api.h"
#include "mm/internal.h"

static void register_mapping(struct address_space *m)
{
	struct mm_kernel *k = mmk();

	sim_hostlock_lock(&k->id_lock);
	if (k->nr_mappings == k->cap_mappings) {
		int cap = k->cap_mappings ? k->cap_mappings * 2 : 8;
		struct address_space **v;

		sim_hostlock_unlock(&k->id_lock);
		v = kzalloc((size_t)cap * sizeof(*v));
		sim_hostlock_lock(&k->id_lock);
		for (int i = 0; i < k->nr_mappings; i++)
			v[i] = k->mappings[i];
		k->mappings = v;
		k->cap_mappings = cap;
	}
	k->mappings[k->nr_mappings++] = m;
	sim_hostlock_unlock(&k->id_lock);
}

struct address_space *shmem_file_setup(unsigned long size, bool shmem)
{
	struct address_space *m = kzalloc(sizeof(*m));

	m->id = mm_new_id(mmk());
	m->shmem = shmem;
	m->nr_pages = ALIGN(size, PAGE_SIZE) >> PAGE_SHIFT;
	m->pages = kzalloc(m->nr_pages * sizeof(unsigned long));
	spin_lock_init(&m->i_lock);
	atomic_set(&m->refcount, 1);
	register_mapping(m);
	return m;
}

struct address_space *mmt_file_create(unsigned long size)
{
	return shmem_file_setup(size, false);
}

void mapping_get(struct address_space *m)
{
	atomic_inc(&m->refcount);
}

/* The last reference releases the pages the object holds. */
void mapping_put(struct address_space *m)
{
	if (!atomic_dec_and_test(&m->refcount))
		return;
	for (unsigned long i = 0; i < m->nr_pages; i++) {
		if (m->pages[i]) {
			struct folio *f = pfn_folio(m->pages[i]);

			m->pages[i] = 0;
			folio_put(f);
		}
	}
}

/* filemap_get_folio(): the object's folio at @index, referenced, or NULL. */
struct folio *filemap_get_folio(struct address_space *m, pgoff_t index)
{
	struct folio *f = NULL;

	if (index >= m->nr_pages)
		return NULL;
	spin_lock(&m->i_lock);
	if (m->pages[index]) {
		f = pfn_folio(m->pages[index]);
		folio_get(f);
	}
	spin_unlock(&m->i_lock);
	return f;
}

/*
 * shmem_fault(): the folio at the fault's offset, created zero-filled if
 * absent; returned referenced.  Beyond the end of the object: SIGBUS.
 */
vm_fault_t shmem_fault(struct vm_fault *vmf, struct folio **foliop)
{
	struct address_space *m = vmf->vma->vm_file;
	struct folio *f, *fresh;

	if (vmf->pgoff >= m->nr_pages)
		return VM_FAULT_SIGBUS;
	f = filemap_get_folio(m, vmf->pgoff);
	if (f)
		goto out;
	fresh = folio_alloc_zeroed(0);
	if (!fresh)
		return VM_FAULT_OOM;
	__folio_mark_uptodate(fresh);
	fresh->mapping = (unsigned long)m;
	fresh->index = vmf->pgoff;
	spin_lock(&m->i_lock);
	if (!m->pages[vmf->pgoff]) {
		m->pages[vmf->pgoff] = folio_pfn(fresh);
		f = fresh;
		folio_get(f);		/* the object's reference, and ours */
		fresh = NULL;
	} else {
		f = pfn_folio(m->pages[vmf->pgoff]);
		folio_get(f);
	}
	spin_unlock(&m->i_lock);
	if (fresh)
		folio_put(fresh);
out:
	*foliop = f;
	return 0;
}
