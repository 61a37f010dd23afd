/*
 * sim.h - the kernel primitives the model kernel is written with.
 *
 * Every function here is a scheduling point (the explorer may switch CPUs
 * just before it) and a trace event (CPU, primitive, object, calling model
 * function, value read or written).  All memory shared between simulated
 * CPUs is accessed through these, never directly, so that a store-buffer
 * memory model can later be put behind them without touching model code.
 *
 * Names follow the kernel.  Each macro captures its call site (function,
 * file, line, operand text) so reports read like kernel code.
 *
 * Concurrency contract (both backends): the operations are atomic with
 * respect to each other; lock operations give the kernel's mutual exclusion;
 * blocking operations may sleep only outside atomic context (the runtime
 * reports "sleeping function called from invalid context" otherwise).
 * The default memory model is sequential consistency.
 */
#ifndef MMT_SIM_SIM_H
#define MMT_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/exec.h"
#include "sim/site.h"

/* ---- scheduling points and findings --------------------------------- */

/* The scheduling point every primitive starts with; returns the running CPU
 * (NULL outside any execution, where primitives act as plain operations). */
static inline struct sim_cpu *sim_enter(const struct sim_site *site)
{
	struct sim_cpu *c = sim_cur_cpu;

	if (c && !c->seq) {
		struct sim_exec *x = c->x;

		/* One CPU: nothing to choose, so a point only counts the step
		 * (the backend reports the step limit). */
		if (x->solo && x->steps < x->cfg.max_steps)
			x->steps++;
		else
			x->be->point(c, site);
	}
	return c;
}

/* The fast path of READ_ONCE/WRITE_ONCE on a lone explored CPU recording
 * no trace: the step is counted here and the access done inline, which is
 * all the full path would do.  False: take the full path. */
static inline __attribute__((always_inline)) bool sim_solo_step(void)
{
	struct sim_cpu *c = sim_cur_cpu;
	struct sim_exec *x;

	if (!c || c->seq)
		return false;
	x = c->x;
	if (!x->solo || x->cfg.trace || x->steps >= x->cfg.max_steps)
		return false;
	x->steps++;
	return true;
}

/* Report a finding and leave the execution (the CPU never resumes). */
void sim_fail(enum sim_finding_kind kind, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* Count one more pass of the retry loop @name on this CPU; past
 * cfg.retry_bound passes it is a livelock finding naming the loop.  A loop
 * that runs once per operation calls sim_retry_reset(name) before it starts,
 * so that only consecutive passes of one run count. */
void sim_retry_site(const struct sim_site *site);
void sim_retry_reset_site(const struct sim_site *site);
#define sim_retry(name) sim_retry_site(SIM_SITE("retry", name))
#define sim_retry_reset(name) sim_retry_reset_site(SIM_SITE("retry", name))

/* A nondeterministic value in [0, n), chosen (and recorded) by the strategy. */
int sim_choose_site(int n, const struct sim_site *site);
#define sim_choose(n, what) sim_choose_site((n), SIM_SITE("choose", what))

/* A marker in the trace ("// note: what = val"). */
void sim_note_site(uint64_t val, const struct sim_site *site);
#define sim_note(what, val) sim_note_site((uint64_t)(val), SIM_SITE("note", what))

/* Model call nesting for reports: put SIM_FN(); first in a model function. */
struct sim_fn_scope {
	struct sim_cpu *c;
};
struct sim_fn_scope sim_fn_enter(const struct sim_site *site);
void sim_fn_leave(struct sim_fn_scope *s);
#define SIM_FN()                                                               \
	struct sim_fn_scope __mmt_fn __attribute__((cleanup(sim_fn_leave), unused)) = \
		sim_fn_enter(SIM_SITE("enter", NULL))

/*
 * A host lock for the model's own bookkeeping that the kernel does not race
 * on in any way the model studies (allocator free lists, id counters, the
 * data oracle).  It is not a scheduling point and records nothing: in
 * explore mode it is never contended; in stress mode it keeps real threads
 * correct.  Never hold it across a primitive.
 */
struct sim_hostlock {
	int v;
};

static inline void sim_hostlock_lock(struct sim_hostlock *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
		;
}

static inline void sim_hostlock_unlock(struct sim_hostlock *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

/* ---- plain shared memory: READ_ONCE and friends -------------------- */

void sim_load(const volatile void *p, void *out, size_t size, enum sim_op op,
	      const struct sim_site *site);
void sim_store(volatile void *p, const void *in, size_t size, enum sim_op op,
	       const struct sim_site *site);
bool sim_cmpxchg(volatile void *p, void *expected, const void *desired, size_t size,
		 const struct sim_site *site);
void sim_xchg(volatile void *p, void *inout, size_t size, const struct sim_site *site);

#define SIM_SCALAR(x)                                                          \
	_Static_assert(sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 ||   \
			       sizeof(x) == 8,                                 \
		       "shared scalars are 1, 2, 4 or 8 bytes")

#define READ_ONCE(x)                                                           \
	({                                                                     \
		SIM_SCALAR(x);                                                 \
		__typeof__(x) __mmt_v;                                         \
		if (sim_solo_step())                                           \
			__builtin_memcpy(&__mmt_v, (const void *)&(x), sizeof(x)); \
		else                                                           \
			sim_load(&(x), &__mmt_v, sizeof(x), SIM_OP_READ_ONCE,  \
				 SIM_SITE("READ_ONCE", #x));                   \
		__mmt_v;                                                       \
	})

#define WRITE_ONCE(x, val)                                                     \
	do {                                                                   \
		SIM_SCALAR(x);                                                 \
		__typeof__(x) __mmt_v = (val);                                 \
		if (sim_solo_step())                                           \
			__builtin_memcpy((void *)&(x), &__mmt_v, sizeof(x));   \
		else                                                           \
			sim_store(&(x), &__mmt_v, sizeof(x), SIM_OP_WRITE_ONCE, \
				  SIM_SITE("WRITE_ONCE", #x));                 \
	} while (0)

#define smp_load_acquire(p)                                                    \
	({                                                                     \
		SIM_SCALAR(*(p));                                              \
		__typeof__(*(p)) __mmt_v;                                      \
		sim_load((p), &__mmt_v, sizeof(*(p)), SIM_OP_LOAD_ACQUIRE,     \
			 SIM_SITE("smp_load_acquire", #p));                    \
		__mmt_v;                                                       \
	})

#define smp_store_release(p, val)                                              \
	do {                                                                   \
		SIM_SCALAR(*(p));                                              \
		__typeof__(*(p)) __mmt_v = (val);                              \
		sim_store((p), &__mmt_v, sizeof(*(p)), SIM_OP_STORE_RELEASE,   \
			  SIM_SITE("smp_store_release", #p));                  \
	} while (0)

/* cmpxchg(): returns the value found; the store happened iff it equals @old. */
#define cmpxchg(p, old, new)                                                   \
	({                                                                     \
		SIM_SCALAR(*(p));                                              \
		__typeof__(*(p)) __mmt_o = (old), __mmt_n = (new);             \
		sim_cmpxchg((p), &__mmt_o, &__mmt_n, sizeof(*(p)),             \
			    SIM_SITE("cmpxchg", #p));                          \
		__mmt_o;                                                       \
	})

/* try_cmpxchg(): true on success; on failure *@pold is updated. */
#define try_cmpxchg(p, pold, new)                                              \
	({                                                                     \
		SIM_SCALAR(*(p));                                              \
		__typeof__(*(p)) __mmt_n = (new);                              \
		sim_cmpxchg((p), (pold), &__mmt_n, sizeof(*(p)),               \
			    SIM_SITE("try_cmpxchg", #p));                      \
	})

#define xchg(p, val)                                                           \
	({                                                                     \
		SIM_SCALAR(*(p));                                              \
		__typeof__(*(p)) __mmt_v = (val);                              \
		sim_xchg((p), &__mmt_v, sizeof(*(p)), SIM_SITE("xchg", #p));   \
		__mmt_v;                                                       \
	})

/* ---- barriers ----------------------------------------------------------- */

void sim_barrier(enum sim_op op, const struct sim_site *site);
#define smp_mb() sim_barrier(SIM_OP_SMP_MB, SIM_SITE("smp_mb", NULL))
#define smp_rmb() sim_barrier(SIM_OP_SMP_RMB, SIM_SITE("smp_rmb", NULL))
#define smp_wmb() sim_barrier(SIM_OP_SMP_WMB, SIM_SITE("smp_wmb", NULL))
#define smp_mb__after_atomic()                                                 \
	sim_barrier(SIM_OP_SMP_MB_AFTER_ATOMIC, SIM_SITE("smp_mb__after_atomic", NULL))
#define smp_mb__before_atomic()                                                \
	sim_barrier(SIM_OP_SMP_MB_BEFORE_ATOMIC, SIM_SITE("smp_mb__before_atomic", NULL))

/* ---- atomic_t and atomic_long_t --------------------------------------- */

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

/* Arithmetic of a read-modify-write; the old value is returned. */
enum sim_arith { SIM_AR_ADD, SIM_AR_AND, SIM_AR_OR, SIM_AR_XCHG, SIM_AR_ADD_UNLESS };

int64_t sim_rmw(volatile void *p, size_t size, enum sim_op op, enum sim_arith ar,
		int64_t a, int64_t b, const struct sim_site *site);

#define SIM_ARMW(v, op, ar, a, b, api)                                         \
	sim_rmw(&(v)->counter, sizeof((v)->counter), SIM_OP_##op, SIM_AR_##ar, \
		(int64_t)(a), (int64_t)(b), SIM_SITE(api, #v))

#define SIM_AREAD(v, api)                                                      \
	({                                                                     \
		__typeof__((v)->counter) __mmt_v;                              \
		sim_load(&(v)->counter, &__mmt_v, sizeof(__mmt_v),             \
			 SIM_OP_ATOMIC_READ, SIM_SITE(api, #v));               \
		__mmt_v;                                                       \
	})

#define SIM_ASET(v, i, api)                                                    \
	do {                                                                   \
		__typeof__((v)->counter) __mmt_v = (i);                        \
		sim_store(&(v)->counter, &__mmt_v, sizeof(__mmt_v),            \
			  SIM_OP_ATOMIC_SET, SIM_SITE(api, #v));               \
	} while (0)

#define atomic_read(v) ((int)SIM_AREAD(v, "atomic_read"))
#define atomic_set(v, i) SIM_ASET(v, i, "atomic_set")
#define atomic_add(i, v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, (i), 0, "atomic_add"))
#define atomic_sub(i, v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, -(i), 0, "atomic_sub"))
#define atomic_inc(v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, 1, 0, "atomic_inc"))
#define atomic_dec(v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, -1, 0, "atomic_dec"))
#define atomic_add_return(i, v)                                                \
	((int)(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, (i), 0, "atomic_add_return") + (i)))
#define atomic_sub_return(i, v)                                                \
	((int)(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -(i), 0, "atomic_sub_return") - (i)))
#define atomic_inc_return(v)                                                   \
	((int)(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, 1, 0, "atomic_inc_return") + 1))
#define atomic_dec_return(v)                                                   \
	((int)(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -1, 0, "atomic_dec_return") - 1))
#define atomic_fetch_add(i, v) ((int)SIM_ARMW(v, ATOMIC_FETCH_ADD, ADD, (i), 0, "atomic_fetch_add"))
#define atomic_fetch_sub(i, v) ((int)SIM_ARMW(v, ATOMIC_FETCH_ADD, ADD, -(i), 0, "atomic_fetch_sub"))
#define atomic_dec_and_test(v) (SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -1, 0, "atomic_dec_and_test") == 1)
#define atomic_sub_and_test(i, v)                                              \
	(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -(i), 0, "atomic_sub_and_test") == (i))
/* atomic_add_unless(): add @a unless the value is @u; true if it added. */
#define atomic_add_unless(v, a, u)                                             \
	(SIM_ARMW(v, ATOMIC_ADD_UNLESS, ADD_UNLESS, (a), (u), "atomic_add_unless") != (u))
#define atomic_inc_not_zero(v)                                                 \
	(SIM_ARMW(v, ATOMIC_ADD_UNLESS, ADD_UNLESS, 1, 0, "atomic_inc_not_zero") != 0)
#define atomic_cmpxchg(v, old, new) ((int)cmpxchg(&(v)->counter, (old), (new)))
#define atomic_try_cmpxchg(v, pold, new) try_cmpxchg(&(v)->counter, (pold), (new))
#define atomic_xchg(v, i) ((int)SIM_ARMW(v, XCHG, XCHG, (i), 0, "atomic_xchg"))
#define atomic_and(i, v) ((void)SIM_ARMW(v, ATOMIC_AND, AND, (i), 0, "atomic_and"))
#define atomic_or(i, v) ((void)SIM_ARMW(v, ATOMIC_OR, OR, (i), 0, "atomic_or"))

#define atomic_long_read(v) ((long)SIM_AREAD(v, "atomic_long_read"))
#define atomic_long_set(v, i) SIM_ASET(v, i, "atomic_long_set")
#define atomic_long_add(i, v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, (i), 0, "atomic_long_add"))
#define atomic_long_sub(i, v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, -(i), 0, "atomic_long_sub"))
#define atomic_long_inc(v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, 1, 0, "atomic_long_inc"))
#define atomic_long_dec(v) ((void)SIM_ARMW(v, ATOMIC_ADD, ADD, -1, 0, "atomic_long_dec"))
/* The new value is computed unsigned: atomics wrap, and a signed overflow
 * at LONG_MAX/LONG_MIN would be undefined behaviour. */
#define atomic_long_add_return(i, v)                                           \
	((long)((uint64_t)SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, (i), 0,          \
				   "atomic_long_add_return") + (uint64_t)(i)))
#define atomic_long_inc_return(v)                                              \
	((long)((uint64_t)SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, 1, 0,            \
				   "atomic_long_inc_return") + 1))
#define atomic_long_dec_return(v)                                              \
	((long)((uint64_t)SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -1, 0,           \
				   "atomic_long_dec_return") - 1))
#define atomic_long_dec_and_test(v)                                            \
	(SIM_ARMW(v, ATOMIC_ADD_RETURN, ADD, -1, 0, "atomic_long_dec_and_test") == 1)
#define atomic_long_add_unless(v, a, u)                                        \
	(SIM_ARMW(v, ATOMIC_ADD_UNLESS, ADD_UNLESS, (a), (u), "atomic_long_add_unless") != (u))
#define atomic_long_inc_not_zero(v)                                            \
	(SIM_ARMW(v, ATOMIC_ADD_UNLESS, ADD_UNLESS, 1, 0, "atomic_long_inc_not_zero") != 0)
#define atomic_long_cmpxchg(v, old, new) ((long)cmpxchg(&(v)->counter, (old), (new)))
#define atomic_long_try_cmpxchg(v, pold, new) try_cmpxchg(&(v)->counter, (pold), (new))
#define atomic_long_xchg(v, i) ((long)SIM_ARMW(v, XCHG, XCHG, (i), 0, "atomic_long_xchg"))

/* ---- bit operations on unsigned long words ------------------------------ */

#define BITS_PER_LONG 64
#define BIT(n) (1UL << (n))

#define SIM_BITOP(nr, addr, op, ar, mask, api)                                 \
	sim_rmw((addr) + (nr) / BITS_PER_LONG, sizeof(unsigned long),           \
		SIM_OP_##op, SIM_AR_##ar, (int64_t)(mask), 0, SIM_SITE(api, #addr))
#define SIM_BITMASK(nr) (1UL << ((nr) % BITS_PER_LONG))

#define set_bit(nr, addr) ((void)SIM_BITOP(nr, addr, SET_BIT, OR, SIM_BITMASK(nr), "set_bit"))
#define clear_bit(nr, addr)                                                    \
	((void)SIM_BITOP(nr, addr, CLEAR_BIT, AND, ~SIM_BITMASK(nr), "clear_bit"))
#define clear_bit_unlock(nr, addr)                                             \
	((void)SIM_BITOP(nr, addr, CLEAR_BIT, AND, ~SIM_BITMASK(nr), "clear_bit_unlock"))
#define test_and_set_bit(nr, addr)                                             \
	((SIM_BITOP(nr, addr, TEST_AND_SET_BIT, OR, SIM_BITMASK(nr), "test_and_set_bit") & \
	  (int64_t)SIM_BITMASK(nr)) != 0)
#define test_and_set_bit_lock(nr, addr)                                        \
	((SIM_BITOP(nr, addr, TEST_AND_SET_BIT, OR, SIM_BITMASK(nr), "test_and_set_bit_lock") & \
	  (int64_t)SIM_BITMASK(nr)) != 0)
#define test_and_clear_bit(nr, addr)                                           \
	((SIM_BITOP(nr, addr, TEST_AND_CLEAR_BIT, AND, ~SIM_BITMASK(nr), "test_and_clear_bit") & \
	  (int64_t)SIM_BITMASK(nr)) != 0)
#define test_bit(nr, addr)                                                     \
	({                                                                     \
		unsigned long __mmt_w;                                         \
		sim_load((addr) + (nr) / BITS_PER_LONG, &__mmt_w, sizeof(__mmt_w), \
			 SIM_OP_TEST_BIT, SIM_SITE("test_bit", #addr));        \
		(__mmt_w & SIM_BITMASK(nr)) != 0;                              \
	})

/* test_bit() with the site given by the caller (for kernel helpers such as
 * folio_test_swapcache()); the event records the bit as its value. */
bool sim_test_bit(int nr, const volatile unsigned long *addr, const struct sim_site *site);

/* ---- spinlocks ------------------------------------------------------ */

/* The subclass of the second of two locks of one class (lockdep). */
#ifndef SINGLE_DEPTH_NESTING
#define SINGLE_DEPTH_NESTING 1
#endif

typedef struct spinlock {
	int locked;
	int owner;		/* CPU id + 1, 0 when free (reports only) */
	struct lockdep_map dep;
} spinlock_t;

void sim_lock_init(struct lockdep_map *dep, struct lock_class *cls, const char *name);

#define SIM_LOCK_CLASS(name_str)                                               \
	({                                                                     \
		static struct lock_class __mmt_k = { name_str, 0 };            \
		&__mmt_k;                                                      \
	})

#define spin_lock_init(l) sim_spin_lock_init((l), SIM_LOCK_CLASS(#l), #l)
void sim_spin_lock_init(spinlock_t *l, struct lock_class *cls, const char *name);
void sim_spin_lock(spinlock_t *l, int subclass, const struct sim_site *site);
bool sim_spin_trylock(spinlock_t *l, const struct sim_site *site);
void sim_spin_unlock(spinlock_t *l, const struct sim_site *site);
#define spin_lock(l) sim_spin_lock((l), 0, SIM_SITE("spin_lock", #l))
#define spin_lock_nested(l, sub) sim_spin_lock((l), (sub), SIM_SITE("spin_lock_nested", #l))
#define spin_trylock(l) sim_spin_trylock((l), SIM_SITE("spin_trylock", #l))
#define spin_unlock(l) sim_spin_unlock((l), SIM_SITE("spin_unlock", #l))

/* Two locks of one class, the lower object first, once if they are the same
 * lock (the pattern of double_pt_lock()). */
void sim_double_spin_lock(spinlock_t *a, spinlock_t *b, const struct sim_site *site);
void sim_double_spin_unlock(spinlock_t *a, spinlock_t *b, const struct sim_site *site);
#define double_spin_lock(a, b) sim_double_spin_lock((a), (b), SIM_SITE("double_spin_lock", #a))
#define double_spin_unlock(a, b)                                               \
	sim_double_spin_unlock((a), (b), SIM_SITE("double_spin_unlock", #a))

/* ---- sleeping locks: mutex and lock bits (the folio lock) ---------- */

struct mutex {
	int locked;
	int owner;
	struct lockdep_map dep;
};

#define mutex_init(m) sim_mutex_init((m), SIM_LOCK_CLASS(#m), #m)
void sim_mutex_init(struct mutex *m, struct lock_class *cls, const char *name);
void sim_mutex_lock(struct mutex *m, const struct sim_site *site);
bool sim_mutex_trylock(struct mutex *m, const struct sim_site *site);
void sim_mutex_unlock(struct mutex *m, const struct sim_site *site);
#define mutex_lock(m) sim_mutex_lock((m), SIM_SITE("mutex_lock", #m))
#define mutex_trylock(m) sim_mutex_trylock((m), SIM_SITE("mutex_trylock", #m))
#define mutex_unlock(m) sim_mutex_unlock((m), SIM_SITE("mutex_unlock", #m))

/*
 * A sleeping lock kept in bit @nr of *@word, with waiters (what folio_lock()
 * does with PG_locked).  @dep names the lock for lockdep; callers wrap these
 * in their own kernel-named functions (folio_lock, folio_trylock, ...).
 * sim_bit_unlock() with @dep NULL releases a lock bit that was set directly
 * on an object nobody could see yet (a folio born locked), untracked.
 */
void sim_bit_lock(unsigned long *word, int nr, const struct lockdep_map *dep,
		  const struct sim_site *site);
bool sim_bit_trylock(unsigned long *word, int nr, const struct lockdep_map *dep,
		     const struct sim_site *site);
void sim_bit_unlock(unsigned long *word, int nr, const struct lockdep_map *dep,
		    const struct sim_site *site);
/* Wake whoever waits on a bit of *@word that was cleared without
 * sim_bit_unlock() (e.g. PG_writeback at the end of writeback). */
void sim_bit_wake(unsigned long *word);
/* Sleep until bit @nr of *@word is clear, without taking it (folio_wait_locked). */
void sim_bit_wait(unsigned long *word, int nr, const struct sim_site *site);

/* ---- read-write semaphores ---------------------------------------------- */

struct rw_semaphore {
	long count;		/* readers holding it, or -1 for a writer */
	int writers_waiting;	/* readers queue behind a waiting writer */
	int owner;		/* writer CPU id + 1 */
	struct lockdep_map dep;
};

#define init_rwsem(s) sim_rwsem_init((s), SIM_LOCK_CLASS(#s), #s)
void sim_rwsem_init(struct rw_semaphore *s, struct lock_class *cls, const char *name);
void sim_down_read(struct rw_semaphore *s, const struct sim_site *site);
bool sim_down_read_trylock(struct rw_semaphore *s, const struct sim_site *site);
void sim_up_read(struct rw_semaphore *s, const struct sim_site *site);
void sim_down_write(struct rw_semaphore *s, const struct sim_site *site);
void sim_down_write_nested(struct rw_semaphore *s, int subclass, const struct sim_site *site);
bool sim_down_write_trylock(struct rw_semaphore *s, const struct sim_site *site);
void sim_up_write(struct rw_semaphore *s, const struct sim_site *site);
#define down_read(s) sim_down_read((s), SIM_SITE("down_read", #s))
#define down_read_trylock(s) sim_down_read_trylock((s), SIM_SITE("down_read_trylock", #s))
#define up_read(s) sim_up_read((s), SIM_SITE("up_read", #s))
#define down_write(s) sim_down_write((s), SIM_SITE("down_write", #s))
#define down_write_nested(s, sub) sim_down_write_nested((s), (sub), SIM_SITE("down_write_nested", #s))
#define down_write_trylock(s) sim_down_write_trylock((s), SIM_SITE("down_write_trylock", #s))
#define up_write(s) sim_up_write((s), SIM_SITE("up_write", #s))

/* ---- lockdep-style assertions ----------------------------------------- */

void sim_lockdep_assert_held(const struct lockdep_map *dep, const struct sim_site *site);
void sim_lockdep_assert_not_held(const struct lockdep_map *dep, const struct sim_site *site);
bool sim_lockdep_is_held(const struct lockdep_map *dep);
#define lockdep_assert_held(l) sim_lockdep_assert_held(&(l)->dep, SIM_SITE("lockdep_assert_held", #l))
#define lockdep_assert_not_held(l)                                             \
	sim_lockdep_assert_not_held(&(l)->dep, SIM_SITE("lockdep_assert_not_held", #l))
#define lockdep_is_held(l) sim_lockdep_is_held(&(l)->dep)

/* Report "sleeping function called from invalid context" in atomic context. */
void sim_might_sleep(const struct sim_site *site);
#define might_sleep() sim_might_sleep(SIM_SITE("might_sleep", NULL))

/* ---- RCU -------------------------------------------------------------- */

void sim_rcu_read_lock(const struct sim_site *site);
void sim_rcu_read_unlock(const struct sim_site *site);
void sim_synchronize_rcu(const struct sim_site *site);
#define rcu_read_lock() sim_rcu_read_lock(SIM_SITE("rcu_read_lock", NULL))
#define rcu_read_unlock() sim_rcu_read_unlock(SIM_SITE("rcu_read_unlock", NULL))
#define synchronize_rcu() sim_synchronize_rcu(SIM_SITE("synchronize_rcu", NULL))

/* ---- wait queues and voluntary scheduling --------------------------- */

struct wait_queue_head {
	uint64_t waiters;	/* mask of CPUs between prepare_to_wait and finish_wait */
	const char *name;
};

#define init_waitqueue_head(wq) sim_init_waitqueue_head((wq), #wq)
void sim_init_waitqueue_head(struct wait_queue_head *wq, const char *name);
void sim_prepare_to_wait(struct wait_queue_head *wq, const struct sim_site *site);
void sim_finish_wait(struct wait_queue_head *wq, const struct sim_site *site);
void sim_schedule(const struct sim_site *site);
/* Sleep until woken or @ticks pass; returns the ticks left (0: timed out). */
long sim_schedule_timeout(long ticks, const struct sim_site *site);
void sim_wake_up(struct wait_queue_head *wq, const struct sim_site *site);
void sim_cond_resched(const struct sim_site *site);
void sim_cpu_relax(const struct sim_site *site);
#define prepare_to_wait(wq) sim_prepare_to_wait((wq), SIM_SITE("prepare_to_wait", #wq))
#define finish_wait(wq) sim_finish_wait((wq), SIM_SITE("finish_wait", #wq))
#define schedule() sim_schedule(SIM_SITE("schedule", NULL))
#define schedule_timeout(t) sim_schedule_timeout((t), SIM_SITE("schedule_timeout", NULL))
#define wake_up(wq) sim_wake_up((wq), SIM_SITE("wake_up", #wq))
#define wake_up_all(wq) sim_wake_up((wq), SIM_SITE("wake_up_all", #wq))
#define cond_resched() sim_cond_resched(SIM_SITE("cond_resched", NULL))
/* set_current_state(TASK_UNINTERRUPTIBLE): the next schedule() sleeps. */
void sim_set_task_sleeping(const struct sim_site *site);
#define schedule_timeout_uninterruptible(t)                                    \
	({                                                                     \
		sim_set_task_sleeping(SIM_SITE("set_current_state", NULL));    \
		schedule_timeout(t);                                           \
	})
#define cpu_relax() sim_cpu_relax(SIM_SITE("cpu_relax", NULL))

/* Sleep until @cond holds; the condition is evaluated after prepare_to_wait(),
 * so a wake-up between the check and the sleep is never lost. */
#define wait_event(wq, cond)                                                   \
	do {                                                                   \
		for (;;) {                                                     \
			prepare_to_wait(wq);                                   \
			if (cond)                                              \
				break;                                         \
			schedule();                                            \
		}                                                              \
		finish_wait(wq);                                               \
	} while (0)

/* As wait_event() with a timeout in ticks; evaluates to the ticks left
 * (at least 1 if @cond became true, 0 on timeout). */
#define wait_event_timeout(wq, cond, ticks)                                    \
	({                                                                     \
		long __mmt_left = (ticks);                                     \
		for (;;) {                                                     \
			prepare_to_wait(wq);                                   \
			if (cond) {                                            \
				if (!__mmt_left)                               \
					__mmt_left = 1;                        \
				break;                                         \
			}                                                      \
			if (!__mmt_left)                                       \
				break;                                         \
			__mmt_left = schedule_timeout(__mmt_left);             \
		}                                                              \
		finish_wait(wq);                                               \
		__mmt_left;                                                    \
	})

#endif
