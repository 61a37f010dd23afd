/*
 * oracle.c - the data-integrity shadow (see oracle.h): an open-addressing
 * hash table of logical words.
 */
#include "check/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm_types.h"
#include "sim/sim.h"

struct word {
	uint32_t space;		/* mm id, or (1 << 31) | object id */
	uint32_t used;
	unsigned long addr;	/* address, or byte offset in the object */
	uint64_t val;
	uint64_t alt;		/* another acceptable value (fork race) */
	bool has_alt;
};

struct oracle {
	struct sim_hostlock lock;
	struct word *w;
	size_t cap, n;
	int forking_parent;	/* mm id of a parent being forked, 0 if none */
	int forking_child;
};

struct oracle *oracle_new(void)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o || !(o->w = calloc(1024, sizeof(*o->w)))) {
		fprintf(stderr, "mmtwin: out of memory (oracle)\n");
		exit(3);
	}
	o->cap = 1024;
	return o;
}

void oracle_reset(struct oracle *o)
{
	if (o->n)
		memset(o->w, 0, o->cap * sizeof(*o->w));
	o->n = 0;
	o->forking_parent = o->forking_child = 0;
}

void oracle_free(struct oracle *o)
{
	if (o)
		free(o->w);
	free(o);
}

static size_t slot_of(const struct oracle *o, uint32_t space, unsigned long addr)
{
	uint64_t h = (addr >> 3) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)space * 0xbf58476d1ce4e5b9ULL;

	return (size_t)(h >> 17) & (o->cap - 1);
}

static struct word *find(struct oracle *o, uint32_t space, unsigned long addr, bool create);

static void grow(struct oracle *o)
{
	struct word *old = o->w;
	size_t ocap = o->cap;

	o->cap *= 2;
	o->w = calloc(o->cap, sizeof(*o->w));
	if (!o->w) {
		fprintf(stderr, "mmtwin: out of memory (oracle)\n");
		exit(3);
	}
	o->n = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*find(o, old[i].space, old[i].addr, true) = old[i];
	free(old);
}

static struct word *find(struct oracle *o, uint32_t space, unsigned long addr, bool create)
{
	size_t i;

	if (create && (o->n + 1) * 2 > o->cap)
		grow(o);
	for (i = slot_of(o, space, addr);; i = (i + 1) & (o->cap - 1)) {
		struct word *w = &o->w[i];

		if (!w->used) {
			if (!create)
				return NULL;
			memset(w, 0, sizeof(*w));
			w->used = 1;
			w->space = space;
			w->addr = addr;
			o->n++;
			return w;
		}
		if (w->space == space && w->addr == addr)
			return w;
	}
}

/* The logical word a user address of @vma stands for. */
static void key_of(const struct vm_area_struct *vma, unsigned long addr, uint32_t *space,
		   unsigned long *key)
{
	if (vma->vm_file) {
		*space = (1U << 31) | (uint32_t)vma->vm_file->id;
		*key = ((vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT)) << PAGE_SHIFT) |
		       (addr & (PAGE_SIZE - 1));
		return;
	}
	*space = (uint32_t)vma->vm_mm->id;
	*key = addr;
}

void oracle_store(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		  uint64_t val)
{
	uint32_t space;
	unsigned long key;
	struct word *w;

	key_of(vma, addr, &space, &key);
	sim_hostlock_lock(&o->lock);
	if (o->forking_parent && (int)space == o->forking_parent) {
		/* The child may or may not get this write. */
		struct word *cw = find(o, (uint32_t)o->forking_child, key, true);
		struct word *pw = find(o, space, key, false);

		if (!cw->has_alt || cw->alt != val) {
			cw->alt = val;
			cw->has_alt = true;
			if (pw)
				cw->val = pw->val;
		}
	}
	w = find(o, space, key, true);
	w->val = val;
	w->has_alt = false;
	sim_hostlock_unlock(&o->lock);
}

bool oracle_load_ok(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		    uint64_t got, uint64_t *want)
{
	uint32_t space;
	unsigned long key;
	struct word *w;
	bool ok;

	key_of(vma, addr, &space, &key);
	sim_hostlock_lock(&o->lock);
	w = find(o, space, key, false);
	if (!w) {
		ok = got == 0;
		*want = 0;
	} else if (w->has_alt && got == w->alt) {
		/* The race resolved: this is the value from now on. */
		w->val = got;
		w->has_alt = false;
		ok = true;
	} else {
		ok = got == w->val;
		*want = w->val;
		if (ok)
			w->has_alt = false;
	}
	sim_hostlock_unlock(&o->lock);
	return ok;
}

void oracle_fork_begin(struct oracle *o, const struct mm_struct *parent,
		       const struct mm_struct *child)
{
	size_t cap;

	sim_hostlock_lock(&o->lock);
	cap = o->cap;
	for (size_t i = 0; i < cap; i++) {
		struct word w = o->w[i];

		if (w.used && w.space == (uint32_t)parent->id) {
			struct word *c = find(o, (uint32_t)child->id, w.addr, true);

			c->val = w.val;
			c->alt = w.alt;
			c->has_alt = w.has_alt;
			if (o->cap != cap) {	/* the table grew: start over */
				cap = o->cap;
				i = (size_t)-1;
			}
		}
	}
	o->forking_parent = parent->id;
	o->forking_child = child->id;
	sim_hostlock_unlock(&o->lock);
}

void oracle_fork_end(struct oracle *o, const struct mm_struct *parent)
{
	(void)parent;
	sim_hostlock_lock(&o->lock);
	o->forking_parent = 0;
	o->forking_child = 0;
	sim_hostlock_unlock(&o->lock);
}

void oracle_discard(struct oracle *o, const struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	sim_hostlock_lock(&o->lock);
	for (size_t i = 0; i < o->cap; i++) {
		struct word *w = &o->w[i];

		if (w->used && w->space == (uint32_t)mm->id && w->addr >= start && w->addr < end) {
			w->val = 0;
			w->has_alt = false;
		}
	}
	sim_hostlock_unlock(&o->lock);
}

void oracle_for_each(struct oracle *o, const struct mm_struct *mm,
		     void (*fn)(unsigned long addr, uint64_t val, uint64_t alt, bool has_alt,
				void *arg),
		     void *arg)
{
	for (size_t i = 0; i < o->cap; i++) {
		struct word *w = &o->w[i];

		if (w->used && w->space == (uint32_t)mm->id)
			fn(w->addr, w->val, w->alt, w->has_alt, arg);
	}
}
