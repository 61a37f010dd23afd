/*
 * slab.c - the model kernel instance and its object memory (the stand-in for
 * the slab allocator and for kernel set-up).
 *
 * Objects come from an arena that lives as long as the instance: an
 * execution that stops mid-way (a finding) leaves nothing behind, and an
 * object freed by the model stays addressable (RCU readers may still look at
 * it) but is poisoned, so a later use reads garbage that checks catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check/oracle.h"
#include "mm/mm.h"

#define ARENA_CHUNK (256u << 10)


struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char mem[];
};

struct lock_class folio_lock_class = { "folio_lock", 0 };

void mm_config_default(struct mm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_pages = 4096;		/* 16 MiB */
	c->thp_always = 0;
	c->thp_madvise = 1UL << HPAGE_PMD_ORDER;
	c->thp_use_zero_page = true;
}

static void *oom(const char *what)
{
	fprintf(stderr, "mmtwin: out of host memory (%s)\n", what);
	exit(3);
}

void *kzalloc_aligned(size_t size, size_t align)
{
	struct mm_kernel *k = mmk();
	struct arena_chunk *c;
	uintptr_t at;
	void *p;

	size = (size + 15) & ~(size_t)15;
	sim_hostlock_lock(&k->id_lock);
	c = k->arena;
	at = c ? ALIGN((uintptr_t)(c->mem + c->used), align) : 0;
	if (!c || at + size > (uintptr_t)(c->mem + c->size)) {
		size_t cap = size + align > ARENA_CHUNK ? size + align : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			oom("kzalloc");
		c->next = k->arena;
		c->used = 0;
		c->size = cap;
		k->arena = c;
		at = ALIGN((uintptr_t)c->mem, align);
	}
	p = (void *)at;
	c->used = at + size - (uintptr_t)c->mem;
	sim_hostlock_unlock(&k->id_lock);
	memset(p, 0, size);
	return p;
}

void *kzalloc(size_t size)
{
	return kzalloc_aligned(size, 16);
}

void kfree(void *p, size_t size)
{
	if (p)
		memset(p, 0x6b, size);
}

int mm_new_id(struct mm_kernel *k)
{
	int id;

	sim_hostlock_lock(&k->id_lock);
	id = ++k->next_id;
	sim_hostlock_unlock(&k->id_lock);
	return id;
}

void mm_page_alloc_init(struct mm_kernel *k);

struct mm_kernel *mm_kernel_create(struct sim_exec *x, const struct mm_config *cfg)
{
	struct mm_kernel *k = calloc(1, sizeof(*k));

	if (!k)
		oom("kernel");
	k->x = x;
	if (cfg)
		k->cfg = *cfg;
	else
		mm_config_default(&k->cfg);
	k->nr_pages = k->cfg.nr_pages < 2 * HPAGE_PMD_NR ? 2 * HPAGE_PMD_NR : k->cfg.nr_pages;
	k->nr_pages = ALIGN(k->nr_pages, HPAGE_PMD_NR);
	k->mem_map = calloc(k->nr_pages, sizeof(struct page));
	k->phys = mmap(NULL, k->nr_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!k->mem_map || k->phys == MAP_FAILED)
		oom("physical memory");
	x->world = k;
	k->oracle = oracle_new();
	mm_page_alloc_init(k);
	return k;
}

void mm_kernel_destroy(struct mm_kernel *k)
{
	if (!k)
		return;
	while (k->arena) {
		struct arena_chunk *c = k->arena;

		k->arena = c->next;
		free(c);
	}
	free(k->ptables);
	oracle_free(k->oracle);
	munmap(k->phys, k->nr_pages * PAGE_SIZE);
	free(k->mem_map);
	if (k->x && k->x->world == k)
		k->x->world = NULL;
	free(k);
}
