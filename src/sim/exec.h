/*
 * exec.h - one execution of a program on simulated CPUs.
 *
 * An execution (struct sim_exec) holds all per-run state: the CPUs, the
 * decisions taken, the trace, the lockdep graph and the outcome.  It is
 * passed explicitly to everything that drives it; model code reaches it
 * through sim_current(), the simulator's equivalent of the kernel's
 * `current` (one per OS thread: the explorer's thread in explore mode,
 * each CPU's thread in stress mode).
 *
 * Backends (struct sim_backend) decide what a scheduling point, a block and
 * a wake-up mean: explore (coroutines, a strategy picks every switch) or
 * stress (OS threads running freely).  Model code never sees the difference.
 */
#ifndef MMT_SIM_EXEC_H
#define MMT_SIM_EXEC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/coro.h"
#include "sim/site.h"

/* CPUs are tracked in 64-bit masks; 64 simulated CPUs is the one fixed limit. */
#define SIM_MAX_CPUS 64
#define SIM_MAX_HELD 48		/* locks held at once by one CPU (lockdep's MAX_LOCK_DEPTH) */
#define SIM_MAX_RETRY_SITES 32
#define SIM_RETRY_CACHE 64	/* call site -> retry[] slot, per CPU */

struct sim_exec;
struct sim_cpu;

/* ---- locks as lockdep sees them -------------------------------------- */

/* One static instance per lock-init call site, like the kernel's lock_class_key. */
struct lock_class {
	const char *name;
	int idx;		/* registration number + 1; 0 = not yet registered */
};

/*
 * Embedded in every lock object, or built on the fly for locks that live in
 * a bit of a bigger word (the folio lock): lockdep identifies a lock by @key.
 */
struct lockdep_map {
	struct lock_class *cls;
	const char *name;	/* the init expression, e.g. "&mm->page_table_lock" */
	uint32_t id;		/* deterministic object number, in init order */
	const void *key;	/* identity: the map itself, or the object the lock is in */
};

struct sim_held {
	struct lockdep_map map;	/* a copy: the held lock's identity and names */
	const struct sim_site *site;
	uint8_t subclass;
	uint8_t read;		/* shared acquisition (down_read) */
	uint8_t trylock;
	uint8_t atomic;		/* a spinning lock: makes the context atomic */
	int node;		/* lockdep graph node (class, subclass); -1: none */
};

/* ---- outcome ------------------------------------------------------- */

enum sim_finding_kind {
	SIM_FIND_NONE,
	SIM_FIND_INVARIANT,	/* a numbered invariant checker failed */
	SIM_FIND_BUG,		/* a modelled BUG_ON/VM_BUG_ON/WARN_ON fired */
	SIM_FIND_DEADLOCK,	/* no CPU can run, some are waiting */
	SIM_FIND_LOCK_ORDER,	/* lockdep: two classes taken in both orders */
	SIM_FIND_LOCK_MISUSE,	/* lockdep: unlock of a lock not held, assert_held, sleep in atomic */
	SIM_FIND_LIVELOCK,	/* a retry loop exceeded its bound */
	SIM_FIND_STEP_LIMIT,	/* an execution exceeded the step bound */
	SIM_FIND_EXPECT,	/* a scenario's stated result did not hold */
	SIM_FIND__COUNT
};

const char *sim_finding_kind_name(enum sim_finding_kind k);

struct sim_finding {
	enum sim_finding_kind kind;
	char id[48];		/* invariant id or check name, e.g. "INV-1" or "VM_BUG_ON_PAGE" */
	char msg[1536];
	int cpu;		/* CPU that hit it, -1 for end-of-execution checks */
	uint64_t step;
	size_t event;		/* trace length when it was found */
	char during[192];	/* what the program said the CPU was doing, or "" */
};

/* ---- the program under test ----------------------------------------- */

struct sim_program {
	const char *name;
	const char *summary;
	int ncpus;
	const char *identity;	/* folded into the program hash (scenario text, config) */
	void *arg;		/* handed to create() */
	/* Allocate the state.  Must not fail or use primitives. */
	void *(*create)(struct sim_exec *x, void *arg);
	/* Sequential set-up on the pseudo-CPU; may use primitives and fail. */
	void (*setup)(struct sim_exec *x, void *state);
	/* Body of one CPU. */
	void (*run)(struct sim_exec *x, void *state, int cpu);
	/* End-of-execution invariants; calls sim_fail() on a violation. */
	void (*check)(struct sim_exec *x, void *state);
	/* Optional: invariants checked before every step when enabled. */
	void (*check_step)(struct sim_exec *x, void *state);
	/* Optional: describe the recorded events (sim_describe()) of an
	 * execution that is to be shown - one with a finding, or a replay -
	 * while its state still exists; runs on the sequential pseudo-CPU. */
	void (*describe)(struct sim_exec *x, void *state);
	/* Release the state; always called when create() was. */
	void (*destroy)(struct sim_exec *x, void *state);
};

/* ---- decisions ------------------------------------------------------- */

enum sim_choice_kind { SIM_CHOICE_SCHED, SIM_CHOICE_DATA };

/* What a strategy is asked at a scheduling point with more than one option. */
struct sim_choice {
	enum sim_choice_kind kind;
	uint64_t enabled;	/* SCHED: CPUs that may run; DATA: bit i = value i allowed */
	uint64_t timed;		/* SCHED: enabled CPUs that would wake by timeout */
	int ncpus;		/* SCHED: number of CPUs; DATA: number of values */
	int current;		/* SCHED: CPU at the point, -1 at the start */
	bool current_enabled;	/* current may continue */
	bool yielded;		/* current asked to yield (cpu_relax, cond_resched) */
	bool spinning;		/* ... in a spin-wait (cpu_relax): it waits for another CPU */
	uint64_t step;		/* steps so far in this execution */
	size_t index;		/* number of decisions taken before this one */
};

struct sim_chooser {
	/* Return the chosen CPU/value, or -1 to abandon the execution (replay divergence). */
	int (*pick)(void *ctx, const struct sim_choice *ch);
	void *ctx;
};

/* The default, deterministic choice: keep running the current CPU unless it
 * blocked or yielded, else the next enabled CPU after it, preferring CPUs
 * that are not merely waiting for a timeout. */
int sim_choice_default(const struct sim_choice *ch);

/* ---- trace ----------------------------------------------------------- */

struct sim_event {
	const struct sim_site *site;
	uint64_t val;		/* value read / returned / written */
	uint64_t val2;		/* second operand (cmpxchg new, rmw operand) */
	uintptr_t addr;		/* the word or lock it touched (for reports; never hashed), 0 */
	uint32_t obj;		/* lock object id, 0 if none */
	uint16_t op;		/* enum sim_op */
	uint8_t cpu;
	uint8_t depth;		/* model call depth (SIM_FN) */
};

/*
 * What the world that ran an execution says about one of its events, for
 * reports: the object it touched ("src_pte[0]", "folio A->_refcount") and
 * its value(s) decoded ("swp(S1)", "present(folio A, rw)"): offsets into a
 * string pool, 0 for nothing to say.
 */
struct sim_desc {
	uint32_t obj, val;
};

/* ---- CPUs -------------------------------------------------------------- */

enum sim_cpu_state {
	SIM_CPU_RUNNABLE,
	SIM_CPU_BLOCKED,	/* waiting for a wake-up on wait_obj */
	SIM_CPU_TIMED,		/* waiting for a wake-up or a timeout */
	SIM_CPU_DONE,
};

struct sim_cpu {
	struct sim_exec *x;
	int id;
	bool seq;		/* the sequential pseudo-CPU (setup, checks) */
	int state;		/* enum sim_cpu_state (explore) */
	const void *wait_obj;
	const struct lockdep_map *wait_map;	/* the lock waited for, if a lock */
	const struct sim_site *wait_site;
	uint16_t wait_op;
	bool timed_out;		/* last timed wait ended by timeout */
	bool yielded;
	bool spinning;		/* the yield is cpu_relax() */
	int task_state;		/* wait queues: 0 TASK_RUNNING, 1 sleeping */
	int atomic_depth;	/* spinning locks held: sleeping is a bug */
	/* Explored: every CPU is a coroutine of one host thread, so shared
	 * memory needs no atomic instructions (prim_*.c use plain accesses). */
	bool plain;
	int rcu_nesting;
	uint64_t rcu_gen;	/* bumped whenever the outermost read section ends */
	int depth;		/* model call depth */
	const char *doing;	/* the program's current operation, for findings (NULL: none) */
	int nheld;
	struct sim_held held[SIM_MAX_HELD];
	int nretry;
	struct {
		const struct sim_site *site;
		uint32_t count;
	} retry[SIM_MAX_RETRY_SITES];	/* one per loop name */
	const struct sim_site *retry_cache_site[SIM_RETRY_CACHE];
	int8_t retry_cache_slot[SIM_RETRY_CACHE];
	struct coro co;		/* explore */
	jmp_buf *abort_jb;	/* stress CPUs and the pseudo-CPU leave through here */
	/* stress only */
	uint64_t rng;		/* delay injection */
	uint64_t points;	/* scheduling points passed */
	uint64_t wait_points;	/* value of points when the current wait began */
	uint64_t wait_since_ns;
	uint64_t wait_deadline_ns;
};

/* ---- configuration and the execution -------------------------------- */

struct sim_config {
	uint64_t max_steps;	/* per execution; exceeding it is a finding */
	uint32_t retry_bound;	/* sim_retry() iterations per loop site and CPU */
	bool lockdep;		/* report lock-order inversions */
	bool check_every_step;
	bool trace;		/* record events (explore) */
	size_t stack_size;	/* per CPU coroutine */
	/* stress only */
	uint32_t delay_permille;	/* chance of a delay at an eligible point */
	uint32_t delay_max_us;
	const char *delay_at;	/* comma-separated model functions; NULL = everywhere */
	uint32_t stall_ms;	/* a wait longer than this is reported as a deadlock */
	uint64_t seed;		/* stress delay randomness */
	/* Options for the model the program runs (mm: bit n reverts fix n),
	 * and their printable form, which becomes part of the program's
	 * identity in schedule tokens ("~13ddaf26be32"); NULL: none. */
	unsigned long model_flags;
	const char *variant;
};

void sim_config_default(struct sim_config *cfg);

struct lockdep_state;
struct sim_backend;

enum sim_outcome {
	SIM_RUN_OK,		/* ran to completion, checks passed */
	SIM_RUN_FINDING,	/* x->finding says what */
	SIM_RUN_DIVERGED,	/* the chooser abandoned the execution */
};

struct sim_exec {
	const struct sim_program *prog;
	void *state;
	void *world;		/* the model kernel this execution runs (mm/), if any */
	/* Memory a world keeps from one execution to the next (reset, not
	 * rebuilt, so that executions stay cheap); freed with the context. */
	void *world_cache;
	void (*world_cache_free)(void *cache);
	struct sim_config cfg;
	const struct sim_backend *be;
	int ncpus;
	bool solo;		/* explore, one CPU, no per-step checks: a point only counts */
	struct sim_cpu *cpus;
	struct sim_cpu seq;
	uint64_t steps;
	uint64_t jiffies;
	uint32_t next_obj_id;

	/* explore */
	struct sim_chooser chooser;
	struct coro main_co;
	struct sim_cpu *cur;
	uint64_t runnable;	/* RUNNABLE or TIMED */
	uint64_t timed;		/* TIMED */
	int nblocked;
	uint16_t *dec;		/* every decision with more than one option */
	size_t ndec, dec_cap;
	struct sim_event *ev;
	size_t nev, ev_cap;
	/* the events described (prog->describe), when want_desc or a finding */
	bool want_desc;
	bool described;			/* desc[0, nev) holds this execution's descriptions */
	struct sim_desc *desc;
	size_t desc_cap;
	char *descpool;			/* the strings; offset 0 is "" */
	size_t descpool_len, descpool_cap;
	char legend[1024];		/* what the names stand for ("folio A = pfn 2, ...") */

	/* outcome */
	bool failed;
	bool diverged;
	struct sim_finding finding;

	struct lockdep_state *ld;
	int rcu_wq;		/* address used as the synchronize_rcu wait object */

	/* stress */
	int stop;		/* set once a finding is made; all CPUs leave */
	int claimed;		/* the finding slot is taken (first finding wins) */
	uint64_t iteration;	/* executions run by this context */
};

/* Create an execution context for @prog (allocates CPUs and, for explore, stacks). */
struct sim_exec *sim_exec_new(const struct sim_program *prog, const struct sim_config *cfg);
void sim_exec_free(struct sim_exec *x);

/* One explored execution: create, setup, run every CPU under @ch, check, destroy. */
enum sim_outcome sim_explore_once(struct sim_exec *x, struct sim_chooser ch);

/* One stress execution: the same on real OS threads. */
enum sim_outcome sim_stress_once(struct sim_exec *x);

/* 32-bit FNV-1a fingerprint of the recorded trace by (CPU, op, function). */
uint32_t sim_trace_fingerprint(const struct sim_exec *x);

/* ---- used by the primitives ------------------------------------------ */

extern _Thread_local struct sim_cpu *sim_cur_cpu;

static inline struct sim_cpu *sim_current(void)
{
	return sim_cur_cpu;
}

static inline struct sim_exec *sim_current_exec(void)
{
	return sim_cur_cpu ? sim_cur_cpu->x : NULL;
}

struct sim_backend {
	const char *name;
	/* A scheduling point before an operation of the running CPU. */
	void (*point)(struct sim_cpu *c, const struct sim_site *site);
	/* Wait on @obj until woken (explore) or for a moment (stress); with
	 * @ticks > 0 the wait may end by timeout, setting c->timed_out.  The
	 * caller re-checks its condition afterwards and waits again if needed. */
	void (*block)(struct sim_cpu *c, const void *obj, const struct sim_site *site,
		      enum sim_op op, long ticks);
	/* Make every CPU waiting on @obj runnable. */
	void (*wake)(struct sim_exec *x, const void *obj);
	/* Leave the execution after a finding; does not return. */
	void (*leave)(struct sim_cpu *c) __attribute__((noreturn));
};

extern const struct sim_backend sim_explore_backend;
extern const struct sim_backend sim_stress_backend;

/* Record an event for the running CPU (explore traces only); @addr: the
 * memory word or lock it touched, for reports to name. */
void sim_record_event(struct sim_cpu *c, enum sim_op op, const struct sim_site *site,
		      uint32_t obj, uint64_t val, uint64_t val2, const volatile void *addr);
static inline void sim_record(struct sim_cpu *c, enum sim_op op, const struct sim_site *site,
			      uint32_t obj, uint64_t val, uint64_t val2)
{
	if (c && !c->seq && c->x->cfg.trace)
		sim_record_event(c, op, site, obj, val, val2, NULL);
}
static inline void sim_record_at(struct sim_cpu *c, enum sim_op op, const struct sim_site *site,
				 uint32_t obj, uint64_t val, uint64_t val2, const volatile void *addr)
{
	if (c && !c->seq && c->x->cfg.trace)
		sim_record_event(c, op, site, obj, val, val2, addr);
}

/* Say what event @i of the execution touched and what its values mean
 * (either may be NULL); for prog->describe(). */
void sim_describe(struct sim_exec *x, size_t i, const char *obj, const char *val);
/* What the names used in the descriptions stand for, one line. */
void sim_describe_legend(struct sim_exec *x, const char *legend);

#endif
