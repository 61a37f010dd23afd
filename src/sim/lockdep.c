/*
 * lockdep.c - lockdep-lite (see lockdep.h for the model).
 */
#include "sim/lockdep.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

#define LD_MAX_CLASSES 256
#define LD_MAX_NODES (LD_MAX_CLASSES * LOCKDEP_SUBCLASSES)
#define LD_WORDS (LD_MAX_NODES / 64)

/* Classes are registered process-wide on first use (like the kernel's class
 * table); the numbering is internal and never reaches a report or a token. */
static struct lock_class *ld_classes[LD_MAX_CLASSES];
static int ld_nclasses;
static int ld_reg_lock;

struct ld_edge {
	int from, to;
	int cpu;
	const struct sim_site *held_site;	/* where the first lock was taken */
	const struct sim_site *new_site;	/* where the second was */
	const char *held_name, *new_name;
};

struct lockdep_state {
	uint64_t adj[LD_MAX_NODES][LD_WORDS];
	int *touched;		/* nodes with outgoing edges, to reset cheaply */
	int ntouched;
	struct ld_edge *edges;
	int nedges, cap;
};

struct lockdep_state *lockdep_new(void)
{
	struct lockdep_state *ld = calloc(1, sizeof(*ld));

	if (!ld || !(ld->touched = calloc(LD_MAX_NODES, sizeof(int)))) {
		fprintf(stderr, "mmtwin: out of memory (lockdep)\n");
		exit(3);
	}
	return ld;
}

void lockdep_free(struct lockdep_state *ld)
{
	if (!ld)
		return;
	free(ld->touched);
	free(ld->edges);
	free(ld);
}

void lockdep_reset(struct lockdep_state *ld)
{
	for (int i = 0; i < ld->ntouched; i++)
		memset(ld->adj[ld->touched[i]], 0, sizeof(ld->adj[0]));
	ld->ntouched = 0;
	ld->nedges = 0;
}

static int class_index(struct lock_class *k)
{
	int i = __atomic_load_n(&k->idx, __ATOMIC_ACQUIRE);

	if (i)
		return i - 1;
	while (__atomic_exchange_n(&ld_reg_lock, 1, __ATOMIC_ACQUIRE))
		;
	if (!k->idx) {
		if (ld_nclasses >= LD_MAX_CLASSES) {
			fprintf(stderr, "mmtwin: more than %d lock classes\n", LD_MAX_CLASSES);
			abort();
		}
		ld_classes[ld_nclasses] = k;
		__atomic_store_n(&k->idx, ++ld_nclasses, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&ld_reg_lock, 0, __ATOMIC_RELEASE);
	return k->idx - 1;
}

static int node_of(const struct lockdep_map *m, int subclass)
{
	return class_index(m->cls) * LOCKDEP_SUBCLASSES + subclass;
}

const char *lockdep_class_name(const struct lockdep_map *m)
{
	return m && m->cls ? m->cls->name : "?";
}

static bool has_edge(const struct lockdep_state *ld, int a, int b)
{
	return ld->adj[a][b / 64] & (1ULL << (b % 64));
}

/* Breadth-first search from @src to @dst; fills @parent and returns true if found. */
static bool reaches(const struct lockdep_state *ld, int src, int dst, int *parent)
{
	static _Thread_local int queue[LD_MAX_NODES];
	static _Thread_local uint64_t seen[LD_WORDS];
	int head = 0, tail = 0;

	memset(seen, 0, sizeof(seen));
	queue[tail++] = src;
	seen[src / 64] |= 1ULL << (src % 64);
	parent[src] = -1;
	while (head < tail) {
		int n = queue[head++];

		if (n == dst)
			return true;
		for (int w = 0; w < LD_WORDS; w++) {
			uint64_t bits = ld->adj[n][w] & ~seen[w];

			while (bits) {
				int b = __builtin_ctzll(bits);
				int m = w * 64 + b;

				bits &= bits - 1;
				seen[w] |= 1ULL << b;
				parent[m] = n;
				queue[tail++] = m;
			}
		}
	}
	return false;
}

static const struct ld_edge *find_edge(const struct lockdep_state *ld, int a, int b)
{
	for (int i = 0; i < ld->nedges; i++)
		if (ld->edges[i].from == a && ld->edges[i].to == b)
			return &ld->edges[i];
	return NULL;
}

static void add_edge(struct lockdep_state *ld, int a, int b, const struct sim_cpu *c,
		     const struct sim_held *h, const struct lockdep_map *m,
		     const struct sim_site *site)
{
	bool fresh_row = true;

	for (int w = 0; w < LD_WORDS && fresh_row; w++)
		if (ld->adj[a][w])
			fresh_row = false;
	if (fresh_row)
		ld->touched[ld->ntouched++] = a;
	ld->adj[a][b / 64] |= 1ULL << (b % 64);
	if (ld->nedges == ld->cap) {
		int cap = ld->cap ? ld->cap * 2 : 64;
		struct ld_edge *e = realloc(ld->edges, (size_t)cap * sizeof(*e));

		if (!e) {
			fprintf(stderr, "mmtwin: out of memory (lockdep)\n");
			exit(3);
		}
		ld->edges = e;
		ld->cap = cap;
	}
	ld->edges[ld->nedges++] = (struct ld_edge){
		.from = a, .to = b, .cpu = c->id, .held_site = h->site, .new_site = site,
		.held_name = h->map.name, .new_name = m->name,
	};
}

static const char *node_name(int n)
{
	return ld_classes[n / LOCKDEP_SUBCLASSES]->name;
}

static size_t appendf(char *buf, size_t n, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t appendf(char *buf, size_t n, size_t at, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (at >= n)
		return at;
	va_start(ap, fmt);
	k = vsnprintf(buf + at, n - at, fmt, ap);
	va_end(ap);
	return k < 0 ? at : at + (size_t)k;
}

static void __attribute__((noreturn))
report_inversion(struct sim_cpu *c, const struct sim_held *h, const struct lockdep_map *m,
		 const struct sim_site *site, int from, int to)
{
	struct lockdep_state *ld = c->x->ld;
	static _Thread_local int parent[LD_MAX_NODES];
	char msg[1400], a[160], b[160];
	size_t at = 0;

	reaches(ld, to, from, parent);
	at = appendf(msg, sizeof(msg), at,
		     "possible circular locking dependency: %s takes %s in %s while holding %s"
		     " (taken in %s); the reverse order was seen before:",
		     sim_cpu_label(c->id), m->name, sim_site_str(site, a, sizeof(a)), h->map.name,
		     sim_site_str(h->site, b, sizeof(b)));
	/* Walk the chain from the lock being taken back to the lock held. */
	for (int n = from; parent[n] != -1; n = parent[n]) {
		const struct ld_edge *e = find_edge(ld, parent[n], n);

		if (!e)
			break;
		at = appendf(msg, sizeof(msg), at,
			     "\n  %s -> %s: %s held %s (taken in %s) while taking %s in %s",
			     node_name(e->from), node_name(e->to), sim_cpu_label(e->cpu), e->held_name,
			     sim_site_str(e->held_site, a, sizeof(a)), e->new_name,
			     sim_site_str(e->new_site, b, sizeof(b)));
	}
	sim_set_findingf(c->x, c, SIM_FIND_LOCK_ORDER, "lock-order", "%s", msg);
	sim_leave(c);
}

void lockdep_check(struct sim_cpu *c, const struct lockdep_map *m, int subclass, bool read,
		   const struct sim_site *site)
{
	struct lockdep_state *ld;
	char a[160], b[160];
	int to;

	(void)read;
	if (!c)
		return;
	if (!m->cls) {
		sim_set_findingf(c->x, c, SIM_FIND_LOCK_MISUSE, "lock-uninitialised",
				 "%s on a lock that was never initialised, in %s", site->api,
				 sim_site_str(site, a, sizeof(a)));
		sim_leave(c);
	}
	if (!c->x->cfg.lockdep || !(c->seq || sim_exploring(c->x)))
		return;
	ld = c->x->ld;
	to = node_of(m, subclass);
	for (int i = 0; i < c->nheld; i++) {
		const struct sim_held *h = &c->held[i];
		int from = h->node >= 0 ? h->node : node_of(&h->map, h->subclass);

		if (h->map.key == m->key || from == to) {
			sim_set_findingf(c->x, c, SIM_FIND_LOCK_ORDER, "recursive-locking",
					 "possible recursive locking: %s takes %s (class %s) in %s"
					 " while holding %s of the same class, taken in %s",
					 sim_cpu_label(c->id), m->name, lockdep_class_name(m),
					 sim_site_str(site, a, sizeof(a)), h->map.name,
					 sim_site_str(h->site, b, sizeof(b)));
			sim_leave(c);
		}
		if (has_edge(ld, from, to))
			continue;
		{
			static _Thread_local int parent[LD_MAX_NODES];

			if (reaches(ld, to, from, parent))
				report_inversion(c, h, m, site, from, to);
		}
		add_edge(ld, from, to, c, h, m, site);
	}
}

void lockdep_push(struct sim_cpu *c, const struct lockdep_map *m, int subclass, bool read,
		  bool trylock, bool atomic, const struct sim_site *site)
{
	if (!c)
		return;
	if (c->nheld == SIM_MAX_HELD) {
		sim_set_findingf(c->x, c, SIM_FIND_LOCK_MISUSE, "lock-depth",
				 "%s holds more than %d locks", sim_cpu_label(c->id),
				 SIM_MAX_HELD);
		sim_leave(c);
	}
	c->held[c->nheld++] = (struct sim_held){
		.map = *m, .site = site, .subclass = (uint8_t)subclass, .read = read,
		.trylock = trylock, .atomic = atomic, .node = m->cls ? node_of(m, subclass) : -1,
	};
	if (atomic)
		c->atomic_depth++;
}

void lockdep_release(struct sim_cpu *c, const struct lockdep_map *m, const struct sim_site *site)
{
	char a[160];

	if (!c)
		return;
	for (int i = c->nheld - 1; i >= 0; i--) {
		if (c->held[i].map.key != m->key)
			continue;
		if (c->held[i].atomic)
			c->atomic_depth--;
		memmove(&c->held[i], &c->held[i + 1], (size_t)(c->nheld - i - 1) * sizeof(c->held[0]));
		c->nheld--;
		return;
	}
	sim_set_findingf(c->x, c, SIM_FIND_LOCK_MISUSE, "bad-unlock-balance",
			 "bad unlock balance: %s(%s) in %s, but %s does not hold it", site->api,
			 m->name, sim_site_str(site, a, sizeof(a)), sim_cpu_label(c->id));
	sim_leave(c);
}

const struct sim_held *lockdep_find_held(const struct sim_cpu *c, const struct lockdep_map *m)
{
	for (int i = c->nheld - 1; i >= 0; i--)
		if (c->held[i].map.key == m->key)
			return &c->held[i];
	return NULL;
}

void lockdep_describe_holders(const struct sim_exec *x, const struct lockdep_map *m, char *buf,
			      size_t n)
{
	const struct sim_held *seq;
	size_t at = strlen(buf);
	bool any = false;
	char a[160];

	for (int i = 0; i < x->ncpus; i++) {
		const struct sim_held *h = lockdep_find_held(&x->cpus[i], m);

		if (!h)
			continue;
		at = appendf(buf, n, at, "%s CPU%d (taken in %s)", any ? "," : "held by", i,
			     sim_site_str(h->site, a, sizeof(a)));
		any = true;
	}
	/* Set-up code may hold it too (and wait for it again, or leave it held). */
	seq = lockdep_find_held(&x->seq, m);
	if (seq) {
		at = appendf(buf, n, at, "%s the sequential code (taken in %s)",
			     any ? "," : "held by", sim_site_str(seq->site, a, sizeof(a)));
		any = true;
	}
	if (!any)
		appendf(buf, n, at, "not held by any CPU");
}
