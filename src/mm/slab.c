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

#define ARENA_CHUNK (4u << 20)


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

/* Ask the host for transparent huge pages under a big allocation: the
 * model's memory is walked all over, and 4 KiB host pages make every model
 * step pay TLB misses.  Best effort (the host may say no). */
static void host_hugepages(void *p, size_t len)
{
	const uintptr_t huge = 2UL << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* The first chunk with room for @size at @align, or NULL.  Every chunk is
 * searched: after a reset a big chunk may sit at the head of the list, and
 * allocating past it every time would grow the arena by one chunk per
 * execution. */
static void *arena_fit(struct arena_chunk *c, size_t size, size_t align)
{
	for (; c; c = c->next) {
		uintptr_t at = ALIGN((uintptr_t)(c->mem + c->used), align);

		if (at + size <= (uintptr_t)(c->mem + c->size)) {
			c->used = at + size - (uintptr_t)c->mem;
			return (void *)at;
		}
	}
	return NULL;
}

void *kmalloc_aligned(size_t size, size_t align)
{
	struct mm_kernel *k = mmk();
	void *p;

	size = (size + 15) & ~(size_t)15;
	sim_hostlock_lock(&k->id_lock);
	if (!(p = arena_fit(k->arena, size, align))) {
		size_t cap = size + align > ARENA_CHUNK ? size + align : ARENA_CHUNK;
		struct arena_chunk *c = malloc(sizeof(*c) + cap);

		if (!c)
			oom("kzalloc");
		host_hugepages(c->mem, cap);
		c->next = k->arena;
		c->used = 0;
		c->size = cap;
		k->arena = c;
		p = arena_fit(c, size, align);
	}
	sim_hostlock_unlock(&k->id_lock);
	return p;
}

void *kzalloc_aligned(size_t size, size_t align)
{
	void *p = kmalloc_aligned(size, align);

	memset(p, 0, (size + 15) & ~(size_t)15);
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
void oracle_reset(struct oracle *o);

static void kernel_free(void *cache)
{
	struct mm_kernel *k = cache;

	while (k->arena) {
		struct arena_chunk *c = k->arena;

		k->arena = c->next;
		free(c);
	}
	free(k->ptables);
	free(k->boot_map);
	oracle_free(k->oracle);
	munmap(k->phys, k->nr_pages * PAGE_SIZE);
	free(k->mem_map);
	free(k);
}

static struct mm_kernel *kernel_alloc(unsigned long nr_pages)
{
	struct mm_kernel *k = calloc(1, sizeof(*k));

	if (!k)
		oom("kernel");
	k->nr_pages = nr_pages;
	k->mem_map = calloc(k->nr_pages, sizeof(struct page));
	k->phys = mmap(NULL, k->nr_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!k->mem_map || k->phys == MAP_FAILED)
		oom("physical memory");
	host_hugepages(k->mem_map, k->nr_pages * sizeof(struct page));
	host_hugepages(k->phys, k->nr_pages * PAGE_SIZE);
	k->oracle = oracle_new();
	return k;
}

/* Forget everything an earlier execution left, keep the memory. */
static void kernel_reset(struct mm_kernel *k)
{
	struct arena_chunk *keep = k->arena;
	struct ptdesc **pt = k->ptables;
	unsigned cap = k->cap_ptables;
	struct oracle *o = k->oracle;
	uint8_t *phys = k->phys;
	struct page *mem_map = k->mem_map, *boot_map = k->boot_map;
	unsigned long nr_pages = k->nr_pages;
	uint32_t boot_free_head[MAX_ORDER];
	unsigned long boot_nr_free = k->boot_nr_free;

	for (struct arena_chunk *c = keep; c; c = c->next)
		c->used = 0;
	/* Only the pages the allocator touched differ from the boot state. */
	if (boot_map)
		memcpy(mem_map, boot_map, k->mem_map_dirty * sizeof(struct page));
	else
		memset(mem_map, 0, nr_pages * sizeof(struct page));
	memcpy(boot_free_head, k->boot_free_head, sizeof(boot_free_head));
	memset(k, 0, sizeof(*k));
	k->boot_map = boot_map;
	memcpy(k->boot_free_head, boot_free_head, sizeof(boot_free_head));
	k->boot_nr_free = boot_nr_free;
	k->arena = keep;
	k->ptables = pt;
	k->cap_ptables = cap;
	k->oracle = o;
	k->phys = phys;
	k->mem_map = mem_map;
	k->nr_pages = nr_pages;
	oracle_reset(o);
}

/*
 * mm_kernel_create(): a fresh instance.  Its memory (mem_map, the page
 * contents, the object arena) is kept in the execution context between
 * executions and reset here: only the zero pages' contents are assumed
 * unchanged (nothing can write them), everything else is re-initialised.
 */
struct mm_kernel *mm_kernel_create(struct sim_exec *x, const struct mm_config *cfg)
{
	struct mm_config c;
	struct mm_kernel *k = x->world_cache;
	unsigned long nr_pages;
	bool fresh = false;

	if (cfg)
		c = *cfg;
	else
		mm_config_default(&c);
	nr_pages = c.nr_pages < 2 * HPAGE_PMD_NR ? 2 * HPAGE_PMD_NR : c.nr_pages;
	nr_pages = ALIGN(nr_pages, HPAGE_PMD_NR);
	if (k && k->nr_pages != nr_pages) {
		kernel_free(k);
		k = NULL;
	}
	if (!k) {
		k = kernel_alloc(nr_pages);
		fresh = true;
		x->world_cache = k;
		x->world_cache_free = kernel_free;
	} else {
		kernel_reset(k);
	}
	k->x = x;
	k->cfg = c;
	k->cfg.fixes_reverted |= x->cfg.model_flags;
	x->world = k;
	if (fresh) {
		memset(k->phys + PAGE_SIZE, 0, PAGE_SIZE);
		memset(k->phys + HPAGE_PMD_NR * PAGE_SIZE, 0, HPAGE_PMD_NR * PAGE_SIZE);
	}
	mm_page_alloc_init(k);
	return k;
}

/* The instance stays cached in its execution context (see mm_kernel_create). */
void mm_kernel_destroy(struct mm_kernel *k)
{
	if (k && k->x && k->x->world == k)
		k->x->world = NULL;
}
