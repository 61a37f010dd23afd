/*
 * site.h - call sites and the catalogue of primitive operations.
 *
 * Every primitive call in the model carries a static description of where it
 * was made: the model function (__func__), file, line and the operand as
 * written ("&vmf->ptl").  Reports print kernel-style lines from it
 * ("spin_lock(&src_ptl)"); schedule tokens fingerprint executions by
 * (CPU, operation, function), never by line, so editing a file does not break
 * an old token unless the operations themselves changed.
 */
#ifndef MMT_SIM_SITE_H
#define MMT_SIM_SITE_H

#include <stdint.h>

struct sim_site {
	const char *func;	/* the model function making the call */
	const char *file;
	int line;
	const char *api;	/* the primitive as called, e.g. "atomic_dec_and_test" */
	const char *expr;	/* its first operand as written, e.g. "&folio->_refcount" */
};

/* A pointer to a static site for the current line; both are string literals. */
#define SIM_SITE(api_str, expr_str)                                            \
	({                                                                     \
		static const struct sim_site __mmt_site = {                    \
			__func__, __FILE__, __LINE__, (api_str), (expr_str)    \
		};                                                             \
		&__mmt_site;                                                   \
	})

/*
 * The operations.  Columns: enum name, printed name, class.
 * Class says how a report prints the event and whether it carries a value:
 *   R  read: "op(expr) // got V"          W  write: "op(expr, V)"
 *   X  read-modify-write: "op(expr, V2) // got V"   C  cmpxchg: "op(expr, V, V2) // got R"
 *   L  lock-like, no value                T  trylock: "// got 1|0"
 *   B  barrier / marker                   N  note from the model
 */
#define SIM_OPS(X)                                                            \
	X(READ_ONCE, "READ_ONCE", 'R')                                        \
	X(WRITE_ONCE, "WRITE_ONCE", 'W')                                      \
	X(LOAD_ACQUIRE, "smp_load_acquire", 'R')                              \
	X(STORE_RELEASE, "smp_store_release", 'W')                            \
	X(ATOMIC_READ, "atomic_read", 'R')                                    \
	X(ATOMIC_SET, "atomic_set", 'W')                                      \
	X(ATOMIC_ADD, "atomic_add", 'X')                                      \
	X(ATOMIC_ADD_RETURN, "atomic_add_return", 'X')                        \
	X(ATOMIC_FETCH_ADD, "atomic_fetch_add", 'X')                          \
	X(ATOMIC_ADD_UNLESS, "atomic_add_unless", 'X')                        \
	X(ATOMIC_AND, "atomic_and", 'X')                                      \
	X(ATOMIC_OR, "atomic_or", 'X')                                        \
	X(CMPXCHG, "cmpxchg", 'C')                                            \
	X(XCHG, "xchg", 'X')                                                  \
	X(SET_BIT, "set_bit", 'X')                                            \
	X(CLEAR_BIT, "clear_bit", 'X')                                        \
	X(TEST_BIT, "test_bit", 'R')                                          \
	X(TEST_AND_SET_BIT, "test_and_set_bit", 'X')                          \
	X(TEST_AND_CLEAR_BIT, "test_and_clear_bit", 'X')                      \
	X(SMP_MB, "smp_mb", 'B')                                              \
	X(SMP_RMB, "smp_rmb", 'B')                                            \
	X(SMP_WMB, "smp_wmb", 'B')                                            \
	X(SMP_MB_AFTER_ATOMIC, "smp_mb__after_atomic", 'B')                   \
	X(SMP_MB_BEFORE_ATOMIC, "smp_mb__before_atomic", 'B')                 \
	X(SPIN_LOCK, "spin_lock", 'L')                                        \
	X(SPIN_TRYLOCK, "spin_trylock", 'T')                                  \
	X(SPIN_UNLOCK, "spin_unlock", 'L')                                    \
	X(MUTEX_LOCK, "lock", 'L')                                            \
	X(MUTEX_TRYLOCK, "trylock", 'T')                                      \
	X(MUTEX_UNLOCK, "unlock", 'L')                                        \
	X(BIT_LOCK, "lock_bit", 'L')                                          \
	X(BIT_TRYLOCK, "trylock_bit", 'T')                                    \
	X(BIT_UNLOCK, "unlock_bit", 'L')                                      \
	X(DOWN_READ, "down_read", 'L')                                        \
	X(DOWN_READ_TRYLOCK, "down_read_trylock", 'T')                        \
	X(UP_READ, "up_read", 'L')                                            \
	X(DOWN_WRITE, "down_write", 'L')                                      \
	X(DOWN_WRITE_TRYLOCK, "down_write_trylock", 'T')                      \
	X(UP_WRITE, "up_write", 'L')                                          \
	X(RCU_READ_LOCK, "rcu_read_lock", 'B')                                \
	X(RCU_READ_UNLOCK, "rcu_read_unlock", 'B')                            \
	X(SYNCHRONIZE_RCU, "synchronize_rcu", 'B')                            \
	X(PREPARE_TO_WAIT, "prepare_to_wait", 'B')                            \
	X(FINISH_WAIT, "finish_wait", 'B')                                    \
	X(SCHEDULE, "schedule", 'B')                                          \
	X(SCHEDULE_TIMEOUT, "schedule_timeout", 'T')                          \
	X(WAKE_UP, "wake_up", 'B')                                            \
	X(COND_RESCHED, "cond_resched", 'B')                                  \
	X(CPU_RELAX, "cpu_relax", 'B')                                        \
	X(BLOCK, "<blocks>", 'B')                                             \
	X(CHOOSE, "choose", 'R')                                              \
	X(FN_ENTER, "enter", 'B')                                             \
	X(CPU_EXIT, "<done>", 'B')                                            \
	X(NOTE, "note", 'N')                                                  \
	X(USER_READ, "user_read", 'R')                                        \
	X(USER_WRITE, "user_write", 'W')

enum sim_op {
#define SIM_OP_ENUM(e, s, c) SIM_OP_##e,
	SIM_OPS(SIM_OP_ENUM)
#undef SIM_OP_ENUM
	SIM_OP__COUNT
};

const char *sim_op_name(enum sim_op op);
char sim_op_class(enum sim_op op);

#endif
