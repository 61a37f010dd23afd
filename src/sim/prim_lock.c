/*
 * prim_lock.c - spinlocks, mutexes, lock bits (the folio lock) and
 * read-write semaphores, with their lockdep bookkeeping.
 *
 * Every acquisition follows one shape: scheduling point; lockdep order
 * check (before waiting, as the kernel's lock_acquire does); try, and wait
 * on the lock object until a release wakes it, then try again; push the
 * lock on the CPU's held stack; record the event.  Releases pop the held
 * stack (a finding if the lock is not held), release, and wake waiters.
 *
 * Object ids come from the execution in init order, so "address order"
 * (double_spin_lock) is deterministic across runs and processes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/internal.h"
#include "sim/lockdep.h"
#include "sim/sim.h"

void sim_block_on(struct sim_cpu *c, const void *obj, const struct lockdep_map *map,
		  const struct sim_site *site, enum sim_op op, long ticks)
{
	char where[160];

	if (!c) {
		fprintf(stderr, "mmtwin: %s(%s) would wait forever outside an execution (%s)\n",
			site->api, site->expr ? site->expr : "", sim_site_str(site, where, sizeof(where)));
		abort();
	}
	if (c->seq) {
		char held[400] = "";

		if (map)
			lockdep_describe_holders(c->x, map, held, sizeof(held));
		sim_fail(SIM_FIND_DEADLOCK, "deadlock",
			 "sequential code waits in %s(%s) in %s, which can never be satisfied%s%s",
			 site->api, site->expr ? site->expr : "",
			 sim_site_str(site, where, sizeof(where)), map ? ": " : "", held);
	}
	c->wait_map = map;
	c->x->be->block(c, obj, site, op, ticks);
}

void sim_wake_obj(struct sim_cpu *c, const void *obj)
{
	/* Alone, no CPU can be waiting. */
	if (c && !c->seq && !c->x->solo)
		c->x->be->wake(c->x, obj);
}

void sim_might_sleep(const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	char where[160], taken[160];

	if (!c)
		return;
	if (c->atomic_depth) {
		const struct sim_held *h = NULL;

		for (int i = c->nheld - 1; i >= 0 && !h; i--)
			if (c->held[i].atomic)
				h = &c->held[i];
		sim_fail(SIM_FIND_LOCK_MISUSE, "sleep-in-atomic",
			 "sleeping function called from invalid context: %s in %s while %s"
			 " holds spinlock %s (taken in %s)",
			 site->api, sim_site_str(site, where, sizeof(where)), sim_cpu_label(c->id),
			 h ? h->map.name : "?", h ? sim_site_str(h->site, taken, sizeof(taken)) : "?");
	}
	if (c->rcu_nesting)
		sim_fail(SIM_FIND_LOCK_MISUSE, "sleep-in-rcu",
			 "sleeping function called from invalid context: %s in %s inside an RCU"
			 " read-side critical section on %s",
			 site->api, sim_site_str(site, where, sizeof(where)), sim_cpu_label(c->id));
}

void sim_lock_init(struct lockdep_map *dep, struct lock_class *cls, const char *name)
{
	struct sim_exec *x = sim_current_exec();

	dep->cls = cls;
	dep->name = name;
	dep->id = x ? ++x->next_obj_id : 0;
	dep->key = dep;
}

static void set_owner(int *owner, struct sim_cpu *c)
{
	__atomic_store_n(owner, c ? c->id + 1 : 0, __ATOMIC_RELAXED);
}

/* (c && c->plain): an explored CPU, where plain accesses are enough. */
static bool take_word(const struct sim_cpu *c, int *w)
{
	if (c && c->plain) {
		if (*w)
			return false;
		*w = 1;
		return true;
	}
	return __atomic_exchange_n(w, 1, __ATOMIC_ACQUIRE) == 0;
}

static void release_word(const struct sim_cpu *c, int *w)
{
	if (c && c->plain)
		*w = 0;
	else
		__atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

/* ---- spinlocks ------------------------------------------------------ */

void sim_spin_lock_init(spinlock_t *l, struct lock_class *cls, const char *name)
{
	l->locked = 0;
	l->owner = 0;
	sim_lock_init(&l->dep, cls, name);
}

void sim_spin_lock(spinlock_t *l, int subclass, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	lockdep_check(c, &l->dep, subclass, false, site);
	while (!take_word(c, &l->locked))
		sim_block_on(c, l, &l->dep, site, SIM_OP_SPIN_LOCK, 0);
	set_owner(&l->owner, c);
	lockdep_push(c, &l->dep, subclass, false, false, true, site);
	sim_record_at(c, SIM_OP_SPIN_LOCK, site, l->dep.id, 0, 0, l);
}

bool sim_spin_trylock(spinlock_t *l, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	bool ok = take_word(c, &l->locked);

	if (ok) {
		set_owner(&l->owner, c);
		lockdep_push(c, &l->dep, 0, false, true, true, site);
	}
	sim_record_at(c, SIM_OP_SPIN_TRYLOCK, site, l->dep.id, ok, 0, l);
	return ok;
}

void sim_spin_unlock(spinlock_t *l, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	lockdep_release(c, &l->dep, site);
	set_owner(&l->owner, NULL);
	release_word(c, &l->locked);
	sim_wake_obj(c, l);
	sim_record_at(c, SIM_OP_SPIN_UNLOCK, site, l->dep.id, 0, 0, l);
}

static bool lock_before(const spinlock_t *a, const spinlock_t *b)
{
	if (a->dep.id && b->dep.id)
		return a->dep.id < b->dep.id;
	return (uintptr_t)a < (uintptr_t)b;
}

void sim_double_spin_lock(spinlock_t *a, spinlock_t *b, const struct sim_site *site)
{
	if (a == b) {
		sim_spin_lock(a, 0, site);
		return;
	}
	if (!lock_before(a, b)) {
		spinlock_t *t = a;

		a = b;
		b = t;
	}
	sim_spin_lock(a, 0, site);
	sim_spin_lock(b, SINGLE_DEPTH_NESTING, site);
}

void sim_double_spin_unlock(spinlock_t *a, spinlock_t *b, const struct sim_site *site)
{
	sim_spin_unlock(a, site);
	if (b != a)
		sim_spin_unlock(b, site);
}

/* ---- mutexes -------------------------------------------------------- */

void sim_mutex_init(struct mutex *m, struct lock_class *cls, const char *name)
{
	m->locked = 0;
	m->owner = 0;
	sim_lock_init(&m->dep, cls, name);
}

void sim_mutex_lock(struct mutex *m, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	sim_might_sleep(site);
	lockdep_check(c, &m->dep, 0, false, site);
	while (!take_word(c, &m->locked))
		sim_block_on(c, m, &m->dep, site, SIM_OP_MUTEX_LOCK, 0);
	set_owner(&m->owner, c);
	lockdep_push(c, &m->dep, 0, false, false, false, site);
	sim_record_at(c, SIM_OP_MUTEX_LOCK, site, m->dep.id, 0, 0, m);
}

bool sim_mutex_trylock(struct mutex *m, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	bool ok = take_word(c, &m->locked);

	if (ok) {
		set_owner(&m->owner, c);
		lockdep_push(c, &m->dep, 0, false, true, false, site);
	}
	sim_record_at(c, SIM_OP_MUTEX_TRYLOCK, site, m->dep.id, ok, 0, m);
	return ok;
}

void sim_mutex_unlock(struct mutex *m, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	lockdep_release(c, &m->dep, site);
	set_owner(&m->owner, NULL);
	release_word(c, &m->locked);
	sim_wake_obj(c, m);
	sim_record_at(c, SIM_OP_MUTEX_UNLOCK, site, m->dep.id, 0, 0, m);
}

/* ---- lock bits ------------------------------------------------------ */

static bool take_bit(const struct sim_cpu *c, unsigned long *word, int nr)
{
	unsigned long mask = 1UL << (nr % BITS_PER_LONG), *w = word + nr / BITS_PER_LONG;

	if (c && c->plain) {
		if (*w & mask)
			return false;
		*w |= mask;
		return true;
	}
	return !(__atomic_fetch_or(w, mask, __ATOMIC_ACQUIRE) & mask);
}

void sim_bit_lock(unsigned long *word, int nr, const struct lockdep_map *dep,
		  const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	sim_might_sleep(site);
	lockdep_check(c, dep, 0, false, site);
	while (!take_bit(c, word, nr))
		sim_block_on(c, word, dep, site, SIM_OP_BIT_LOCK, 0);
	lockdep_push(c, dep, 0, false, false, false, site);
	sim_record_at(c, SIM_OP_BIT_LOCK, site, dep->id, 0, 0, word);
}

bool sim_bit_trylock(unsigned long *word, int nr, const struct lockdep_map *dep,
		     const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	bool ok = take_bit(c, word, nr);

	if (ok)
		lockdep_push(c, dep, 0, false, true, false, site);
	sim_record_at(c, SIM_OP_BIT_TRYLOCK, site, dep->id, ok, 0, word);
	return ok;
}

void sim_bit_unlock(unsigned long *word, int nr, const struct lockdep_map *dep,
		    const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	unsigned long mask = 1UL << (nr % BITS_PER_LONG);

	if (dep)
		lockdep_release(c, dep, site);
	if (c && c->plain)
		word[nr / BITS_PER_LONG] &= ~mask;
	else
		__atomic_fetch_and(word + nr / BITS_PER_LONG, ~mask, __ATOMIC_RELEASE);
	sim_wake_obj(c, word);
	sim_record_at(c, SIM_OP_BIT_UNLOCK, site, dep ? dep->id : 0, 0, 0, word);
}

void sim_bit_wake(unsigned long *word)
{
	sim_wake_obj(sim_cur_cpu, word);
}

void sim_bit_wait(unsigned long *word, int nr, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	unsigned long mask = 1UL << (nr % BITS_PER_LONG);

	sim_might_sleep(site);
	while (__atomic_load_n(word + nr / BITS_PER_LONG, __ATOMIC_ACQUIRE) & mask)
		sim_block_on(c, word, NULL, site, SIM_OP_BIT_LOCK, 0);
	sim_record_at(c, SIM_OP_BIT_LOCK, site, 0, 0, 0, word);
}

/* ---- read-write semaphores -------------------------------------------- */

void sim_rwsem_init(struct rw_semaphore *s, struct lock_class *cls, const char *name)
{
	s->count = 0;
	s->writers_waiting = 0;
	s->owner = 0;
	sim_lock_init(&s->dep, cls, name);
}

/* A reader gets in while no writer holds the semaphore or waits for it (the
 * kernel's rwsem hands off to a waiting writer: readers queue behind it). */
static bool try_read(const struct sim_cpu *c, struct rw_semaphore *s)
{
	long v = __atomic_load_n(&s->count, __ATOMIC_RELAXED);

	if (c && c->plain) {
		if (v < 0 || s->writers_waiting)
			return false;
		s->count = v + 1;
		return true;
	}
	while (v >= 0 && !__atomic_load_n(&s->writers_waiting, __ATOMIC_ACQUIRE)) {
		if (__atomic_compare_exchange_n(&s->count, &v, v + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

static bool try_write(const struct sim_cpu *c, struct rw_semaphore *s)
{
	long v = 0;

	if (c && c->plain) {
		if (s->count)
			return false;
		s->count = -1;
		return true;
	}
	return __atomic_compare_exchange_n(&s->count, &v, -1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void sim_down_read(struct rw_semaphore *s, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	sim_might_sleep(site);
	lockdep_check(c, &s->dep, 0, true, site);
	while (!try_read(c, s))
		sim_block_on(c, s, &s->dep, site, SIM_OP_DOWN_READ, 0);
	lockdep_push(c, &s->dep, 0, true, false, false, site);
	sim_record_at(c, SIM_OP_DOWN_READ, site, s->dep.id, 0, 0, s);
}

bool sim_down_read_trylock(struct rw_semaphore *s, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	bool ok = try_read(c, s);

	if (ok)
		lockdep_push(c, &s->dep, 0, true, true, false, site);
	sim_record_at(c, SIM_OP_DOWN_READ_TRYLOCK, site, s->dep.id, ok, 0, s);
	return ok;
}

void sim_up_read(struct rw_semaphore *s, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	lockdep_release(c, &s->dep, site);
	if (c && c->plain)
		s->count--;
	else
		__atomic_fetch_sub(&s->count, 1, __ATOMIC_RELEASE);
	sim_wake_obj(c, s);
	sim_record_at(c, SIM_OP_UP_READ, site, s->dep.id, 0, 0, s);
}

void sim_down_write(struct rw_semaphore *s, const struct sim_site *site)
{
	sim_down_write_nested(s, 0, site);
}

void sim_down_write_nested(struct rw_semaphore *s, int subclass, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	sim_might_sleep(site);
	lockdep_check(c, &s->dep, subclass, false, site);
	if (!try_write(c, s)) {
		__atomic_fetch_add(&s->writers_waiting, 1, __ATOMIC_ACQ_REL);
		while (!try_write(c, s))
			sim_block_on(c, s, &s->dep, site, SIM_OP_DOWN_WRITE, 0);
		__atomic_fetch_sub(&s->writers_waiting, 1, __ATOMIC_ACQ_REL);
		/* Readers that queued behind us may go once we are done. */
	}
	set_owner(&s->owner, c);
	lockdep_push(c, &s->dep, subclass, false, false, false, site);
	sim_record_at(c, SIM_OP_DOWN_WRITE, site, s->dep.id, 0, 0, s);
}

bool sim_down_write_trylock(struct rw_semaphore *s, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	bool ok = try_write(c, s);

	if (ok) {
		set_owner(&s->owner, c);
		lockdep_push(c, &s->dep, 0, false, true, false, site);
	}
	sim_record_at(c, SIM_OP_DOWN_WRITE_TRYLOCK, site, s->dep.id, ok, 0, s);
	return ok;
}

void sim_up_write(struct rw_semaphore *s, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	lockdep_release(c, &s->dep, site);
	set_owner(&s->owner, NULL);
	if (c && c->plain)
		s->count = 0;
	else
		__atomic_store_n(&s->count, 0, __ATOMIC_RELEASE);
	sim_wake_obj(c, s);
	sim_record_at(c, SIM_OP_UP_WRITE, site, s->dep.id, 0, 0, s);
}

/* ---- assertions --------------------------------------------------------- */

bool sim_lockdep_is_held(const struct lockdep_map *dep)
{
	struct sim_cpu *c = sim_cur_cpu;

	return c && lockdep_find_held(c, dep);
}

void sim_lockdep_assert_held(const struct lockdep_map *dep, const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	char where[160];

	if (!c || lockdep_find_held(c, dep))
		return;
	sim_fail(SIM_FIND_LOCK_MISUSE, "lockdep_assert_held",
		 "lockdep_assert_held(%s) failed in %s: %s does not hold it", dep->name,
		 sim_site_str(site, where, sizeof(where)), sim_cpu_label(c->id));
}

void sim_lockdep_assert_not_held(const struct lockdep_map *dep, const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;
	char where[160];

	if (!c || !lockdep_find_held(c, dep))
		return;
	sim_fail(SIM_FIND_LOCK_MISUSE, "lockdep_assert_not_held",
		 "lockdep_assert_not_held(%s) failed in %s: %s holds it", dep->name,
		 sim_site_str(site, where, sizeof(where)), sim_cpu_label(c->id));
}
