/*
 * oracle.c - the data-integrity shadow (see oracle.h): an open-addressing
 * hash table of logical words, and beside it an index of the pages that
 * hold any: per (space, page) a bitmap of the words recorded there, so that
 * moving or forgetting a range costs what was written in it, not the
 * range's size.
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
	bool discarded;		/* forgotten (oracle_discard): as if never written */
};

/* The words recorded (possibly discarded) in one page of one space. */
struct opage {
	uint32_t space;
	uint32_t used;
	unsigned long page;		/* page-aligned key */
	uint64_t bits[PAGE_SIZE / sizeof(uint64_t) / 64];
};

struct oracle {
	struct sim_hostlock lock;
	struct word *w;
	size_t cap, n;
	struct opage *pg;		/* the page index */
	size_t pg_cap, pg_n;
	int forking_parent;	/* mm id of a parent being forked, 0 if none */
	int forking_child;
	bool off;		/* oracle_set_enabled(false): record and check nothing */
};

struct oracle *oracle_new(void)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o || !(o->w = calloc(1024, sizeof(*o->w))) || !(o->pg = calloc(256, sizeof(*o->pg)))) {
		fprintf(stderr, "mmtwin: out of memory (oracle)\n");
		exit(3);
	}
	o->cap = 1024;
	o->pg_cap = 256;
	return o;
}

void oracle_reset(struct oracle *o)
{
	if (o->n)
		memset(o->w, 0, o->cap * sizeof(*o->w));
	o->n = 0;
	if (o->pg_n)
		memset(o->pg, 0, o->pg_cap * sizeof(*o->pg));
	o->pg_n = 0;
	o->forking_parent = o->forking_child = 0;
	o->off = false;
}

void oracle_set_enabled(struct oracle *o, bool on)
{
	o->off = !on;
}

void oracle_free(struct oracle *o)
{
	if (o) {
		free(o->w);
		free(o->pg);
	}
	free(o);
}

static size_t slot_of(const struct oracle *o, uint32_t space, unsigned long addr)
{
	uint64_t h = (addr >> 3) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)space * 0xbf58476d1ce4e5b9ULL;

	return (size_t)(h >> 17) & (o->cap - 1);
}

static struct word *find(struct oracle *o, uint32_t space, unsigned long addr, bool create);

static struct opage *page_find(struct oracle *o, uint32_t space, unsigned long page, bool create);

static void page_grow(struct oracle *o)
{
	struct opage *old = o->pg;
	size_t ocap = o->pg_cap;

	o->pg_cap *= 2;
	o->pg = calloc(o->pg_cap, sizeof(*o->pg));
	if (!o->pg) {
		fprintf(stderr, "mmtwin: out of memory (oracle)\n");
		exit(3);
	}
	o->pg_n = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*page_find(o, old[i].space, old[i].page, true) = old[i];
	free(old);
}

static struct opage *page_find(struct oracle *o, uint32_t space, unsigned long page, bool create)
{
	size_t i;

	if (create && (o->pg_n + 1) * 2 > o->pg_cap)
		page_grow(o);
	for (i = slot_of(o, space, page) & (o->pg_cap - 1);; i = (i + 1) & (o->pg_cap - 1)) {
		struct opage *p = &o->pg[i];

		if (!p->used) {
			if (!create)
				return NULL;
			memset(p, 0, sizeof(*p));
			p->used = 1;
			p->space = space;
			p->page = page;
			o->pg_n++;
			return p;
		}
		if (p->space == space && p->page == page)
			return p;
	}
}

/* Note a new record in the page index: a word sets its bit; a page marker
 * (oracle_cow_page) only makes sure the page is indexed. */
static void page_note(struct oracle *o, uint32_t space, unsigned long addr)
{
	unsigned i = (unsigned)((addr & (PAGE_SIZE - 1)) / sizeof(uint64_t));
	struct opage *p = page_find(o, space, addr & PAGE_MASK, true);

	if (!(addr & (sizeof(uint64_t) - 1)))
		p->bits[i / 64] |= 1ULL << (i % 64);
}

/* Call @fn on every record of @space in [start, end) - its words, and with
 * @markers its page markers too - finding the pages whichever way is
 * cheaper: looking each up, or going through the page index. */
static void for_each_word_in(struct oracle *o, uint32_t space, unsigned long start,
			     unsigned long end, bool markers,
			     void (*fn)(struct oracle *, struct word *, void *), void *arg)
{
	unsigned long npages = ((end - start) + PAGE_SIZE - 1) >> PAGE_SHIFT;

	for (size_t k = 0, n = npages < o->pg_cap ? npages : o->pg_cap; k < n; k++) {
		struct opage *p;

		if (npages < o->pg_cap) {
			p = page_find(o, space, (start & PAGE_MASK) + k * PAGE_SIZE, false);
		} else {
			p = &o->pg[k];
			if (!p->used || p->space != space || p->page + PAGE_SIZE <= start ||
			    p->page >= end)
				continue;
		}
		if (!p)
			continue;
		if (markers && p->page >= (start & PAGE_MASK)) {
			struct word *m = find(o, space, p->page | 1, false);

			if (m)
				fn(o, m, arg);
		}
		for (unsigned j = 0; j < PAGE_SIZE / sizeof(uint64_t) / 64; j++) {
			for (uint64_t bits = p->bits[j]; bits; bits &= bits - 1) {
				unsigned long a = p->page +
						  (j * 64 + (unsigned)__builtin_ctzll(bits)) * sizeof(uint64_t);
				struct word *w;

				if (a < start || a >= end)
					continue;
				w = find(o, space, a, false);
				if (w)
					fn(o, w, arg);
			}
		}
	}
}

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
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (!old[i].used)
			continue;
		/* A plain re-insert: the page index already knows the word. */
		for (j = slot_of(o, old[i].space, old[i].addr); o->w[j].used; j = (j + 1) & (o->cap - 1))
			;
		o->w[j] = old[i];
		o->n++;
	}
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
			page_note(o, space, addr);
			return w;
		}
		if (w->space == space && w->addr == addr)
			return w;
	}
}

/* The word of @vma's object that a user address of @vma maps. */
static void file_key_of(const struct vm_area_struct *vma, unsigned long addr, uint32_t *space,
			unsigned long *key)
{
	*space = (1U << 31) | (uint32_t)vma->vm_file->id;
	*key = ((vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT)) << PAGE_SHIFT) |
	       (addr & (PAGE_SIZE - 1));
}

/* The logical word a user address of @vma stands for: the object's word in
 * a shared mapping, else the address space's own. */
static void key_of(const struct vm_area_struct *vma, unsigned long addr, uint32_t *space,
		   unsigned long *key)
{
	if (vma->vm_file && (vma->vm_flags & VM_SHARED)) {
		file_key_of(vma, addr, space, key);
		return;
	}
	*space = (uint32_t)vma->vm_mm->id;
	*key = addr;
}

/*
 * Has a private file mapping's page at @addr been copied on write (and not
 * discarded since)?  oracle_cow_page() marks a copied page with a pseudo-word
 * at the page's address + 1, a key no real (8-byte aligned) word has.
 */
static bool page_copied(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr)
{
	struct word *m = find(o, (uint32_t)vma->vm_mm->id, (addr & PAGE_MASK) | 1, false);

	return m && !m->discarded;
}

/* The word a load at @addr must see, NULL if none (it reads as 0): the
 * private word if written, else, in a private file mapping whose page is not
 * copied, the file's. */
static struct word *lookup(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr)
{
	uint32_t space;
	unsigned long key;
	struct word *w;

	key_of(vma, addr, &space, &key);
	w = find(o, space, key, false);
	if (w && !w->discarded)
		return w;
	if (!vma->vm_file || (vma->vm_flags & VM_SHARED) || page_copied(o, vma, addr))
		return NULL;
	file_key_of(vma, addr, &space, &key);
	w = find(o, space, key, false);
	return w && !w->discarded ? w : NULL;
}

/* Is @space the address space being forked (oracle_fork_begin..end)? */
static bool forking(const struct oracle *o, uint32_t space)
{
	return o->forking_parent && (int)space == o->forking_parent;
}

/* The value of a word (0 if never written or forgotten). */
static uint64_t word_val(struct oracle *o, uint32_t space, unsigned long key)
{
	struct word *w = find(o, space, key, false);

	return w && !w->discarded ? w->val : 0;
}

/* The forking parent's word @key goes from @before to @val: the child may
 * or may not get the new value. */
static void fork_either(struct oracle *o, unsigned long key, uint64_t before, uint64_t val)
{
	struct word *cw = find(o, (uint32_t)o->forking_child, key, true);

	if (!cw->has_alt || cw->alt != val) {
		cw->alt = val;
		cw->has_alt = true;
		cw->discarded = false;
		cw->val = before;
	}
}

void oracle_store(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		  uint64_t val)
{
	uint32_t space;
	unsigned long key;
	struct word *w;

	if (o->off)
		return;
	key_of(vma, addr, &space, &key);
	sim_hostlock_lock(&o->lock);
	if (forking(o, space)) {
		/* The child may or may not get this write. */
		struct word *pw = lookup(o, vma, addr);

		fork_either(o, key, pw ? pw->val : 0, val);
	}
	w = find(o, space, key, true);
	w->val = val;
	w->has_alt = false;
	w->discarded = false;
	sim_hostlock_unlock(&o->lock);
}

bool oracle_load_ok(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		    uint64_t got, uint64_t *want)
{
	struct word *w;
	bool ok;

	if (o->off)
		return true;
	sim_hostlock_lock(&o->lock);
	w = lookup(o, vma, addr);
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

	if (o->off)
		return;
	sim_hostlock_lock(&o->lock);
	cap = o->cap;
	for (size_t i = 0; i < cap; i++) {
		struct word w = o->w[i];

		if (w.used && w.space == (uint32_t)parent->id) {
			struct word *c = find(o, (uint32_t)child->id, w.addr, true);

			c->val = w.val;
			c->alt = w.alt;
			c->has_alt = w.has_alt;
			c->discarded = w.discarded;
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

static void discard_one(struct oracle *o, struct word *w, void *arg)
{
	(void)o;
	(void)arg;
	w->val = 0;
	w->has_alt = false;
	w->discarded = true;
}

void oracle_discard(struct oracle *o, const struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	if (o->off)
		return;
	sim_hostlock_lock(&o->lock);
	for_each_word_in(o, (uint32_t)mm->id, start, end, true, discard_one, NULL);
	sim_hostlock_unlock(&o->lock);
}

void oracle_cow_page(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr)
{
	uint32_t mm_space = (uint32_t)vma->vm_mm->id;
	unsigned long start = addr & PAGE_MASK;
	struct word *m;

	if (o->off)
		return;
	sim_hostlock_lock(&o->lock);
	for (unsigned long off = 0; off < PAGE_SIZE; off += sizeof(uint64_t)) {
		uint32_t space;
		unsigned long key;
		struct word *fw, *w;
		uint64_t val;

		file_key_of(vma, start + off, &space, &key);
		fw = find(o, space, key, false);
		val = fw && !fw->discarded ? fw->val : 0;
		/* Words neither side has read as 0 in the copy (the marker says so). */
		w = find(o, mm_space, start + off, fw != NULL);
		if (!w)
			continue;
		w->val = val;
		w->has_alt = false;
		w->discarded = false;
	}
	m = find(o, mm_space, start | 1, true);
	m->discarded = false;
	sim_hostlock_unlock(&o->lock);
}

/* The words of one page being moved, gathered before any is written back
 * (writing may grow the table). */
struct move_arg {
	struct word moved[PAGE_SIZE / sizeof(uint64_t)];
	size_t n;
};

static void collect_one(struct oracle *o, struct word *w, void *arg)
{
	struct move_arg *m = arg;

	if (w->discarded)
		return;
	m->moved[m->n++] = *w;
	discard_one(o, w, NULL);
}

void oracle_move(struct oracle *o, const struct mm_struct *mm, unsigned long src,
		 unsigned long dst, unsigned long len)
{
	uint32_t space = (uint32_t)mm->id;
	struct move_arg m;

	if (o->off)
		return;
	sim_hostlock_lock(&o->lock);
	for (unsigned long off = 0; off < len; off += PAGE_SIZE) {
		m.n = 0;
		for_each_word_in(o, space, src + off, src + off + PAGE_SIZE, false, collect_one, &m);
		for (size_t i = 0; i < m.n; i++) {
			unsigned long to = m.moved[i].addr - src + dst;
			struct word *d;

			/* A fork copies each VMA wholly before or after the move. */
			if (forking(o, space)) {
				fork_either(o, m.moved[i].addr, m.moved[i].val, 0);
				fork_either(o, to, word_val(o, space, to), m.moved[i].val);
			}
			d = find(o, space, to, true);
			d->val = m.moved[i].val;
			d->alt = m.moved[i].alt;
			d->has_alt = m.moved[i].has_alt;
			d->discarded = false;
		}
	}
	sim_hostlock_unlock(&o->lock);
}

void oracle_fill_page(struct oracle *o, const struct vm_area_struct *vma, unsigned long addr,
		      const void *data)
{
	const uint64_t *words = data;
	unsigned long start = addr & PAGE_MASK;

	if (o->off)
		return;
	sim_hostlock_lock(&o->lock);
	for (unsigned i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++) {
		uint32_t space;
		unsigned long key;
		struct word *w;

		key_of(vma, start + i * sizeof(uint64_t), &space, &key);
		if (forking(o, space))
			fork_either(o, key, word_val(o, space, key), words[i]);
		w = find(o, space, key, words[i] != 0);
		if (!w)
			continue;
		w->val = words[i];
		w->has_alt = false;
		w->discarded = words[i] == 0;
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

		if (w->used && w->space == (uint32_t)mm->id && !(w->addr & 1))
			fn(w->addr, w->val, w->alt, w->has_alt, arg);
	}
}
