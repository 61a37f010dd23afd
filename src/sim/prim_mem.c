/*
 * prim_mem.c - shared-memory primitives: READ_ONCE/WRITE_ONCE, acquire and
 * release, atomic read-modify-writes, cmpxchg, xchg, bit operations and
 * barriers.
 *
 * Each is a scheduling point followed by the access itself.  On real
 * threads (stress, and code outside an execution) the access uses the
 * compiler's sequentially consistent atomics; an explored CPU is a
 * coroutine with nothing running beside it, so it uses plain accesses
 * (locked instructions cost a fifth of a step).  This is the one place a
 * store-buffer model would go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"
#include "sim/sim.h"

static const char *const op_names[SIM_OP__COUNT] = {
#define SIM_OP_NAME(e, s, c) [SIM_OP_##e] = s,
	SIM_OPS(SIM_OP_NAME)
#undef SIM_OP_NAME
};

static const char op_classes[SIM_OP__COUNT] = {
#define SIM_OP_CLASS(e, s, c) [SIM_OP_##e] = c,
	SIM_OPS(SIM_OP_CLASS)
#undef SIM_OP_CLASS
};

const char *sim_op_name(enum sim_op op)
{
	return (unsigned)op < SIM_OP__COUNT ? op_names[op] : "?";
}

char sim_op_class(enum sim_op op)
{
	return (unsigned)op < SIM_OP__COUNT ? op_classes[op] : '?';
}

const char *sim_cpu_label(int id)
{
	static _Thread_local char bufs[4][24];
	static _Thread_local unsigned next;
	char *b = bufs[next++ % 4];

	if (id < 0)
		snprintf(b, sizeof(bufs[0]), "the sequential code");
	else
		snprintf(b, sizeof(bufs[0]), "CPU%d", id);
	return b;
}

const char *sim_site_str(const struct sim_site *s, char *buf, size_t n)
{
	const char *file;

	if (!s) {
		snprintf(buf, n, "?");
		return buf;
	}
	file = strrchr(s->file, '/');
	snprintf(buf, n, "%s (%s:%d)", s->func, file ? file + 1 : s->file, s->line);
	return buf;
}

static inline __attribute__((always_inline)) uint64_t load_n(const volatile void *p, size_t size)
{
	switch (size) {
	case 1: return __atomic_load_n((const volatile uint8_t *)p, __ATOMIC_SEQ_CST);
	case 2: return __atomic_load_n((const volatile uint16_t *)p, __ATOMIC_SEQ_CST);
	case 4: return __atomic_load_n((const volatile uint32_t *)p, __ATOMIC_SEQ_CST);
	case 8: return __atomic_load_n((const volatile uint64_t *)p, __ATOMIC_SEQ_CST);
	}
	abort();
}

static inline __attribute__((always_inline)) void store_n(volatile void *p, uint64_t v, size_t size)
{
	switch (size) {
	case 1: __atomic_store_n((volatile uint8_t *)p, (uint8_t)v, __ATOMIC_SEQ_CST); return;
	case 2: __atomic_store_n((volatile uint16_t *)p, (uint16_t)v, __ATOMIC_SEQ_CST); return;
	case 4: __atomic_store_n((volatile uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST); return;
	case 8: __atomic_store_n((volatile uint64_t *)p, v, __ATOMIC_SEQ_CST); return;
	}
	abort();
}

/* Compare-and-swap of @size bytes; on failure *old gets the value found. */
static bool cas_n(volatile void *p, uint64_t *old, uint64_t new, size_t size)
{
	switch (size) {
	case 1: {
		uint8_t o = (uint8_t)*old;
		bool ok = __atomic_compare_exchange_n((volatile uint8_t *)p, &o, (uint8_t)new, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 2: {
		uint16_t o = (uint16_t)*old;
		bool ok = __atomic_compare_exchange_n((volatile uint16_t *)p, &o, (uint16_t)new,
						      false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 4: {
		uint32_t o = (uint32_t)*old;
		bool ok = __atomic_compare_exchange_n((volatile uint32_t *)p, &o, (uint32_t)new,
						      false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*old = o;
		return ok;
	}
	case 8:
		return __atomic_compare_exchange_n((volatile uint64_t *)p, old, new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
	abort();
}

/* An explored CPU (a coroutine: nothing runs beside it) needs no atomic
 * instructions; a stress CPU or code outside an execution does. */
static inline bool plain(const struct sim_cpu *c)
{
	return c && c->plain;
}

static inline __attribute__((always_inline)) void plain_store(volatile void *p, uint64_t v,
							      size_t size)
{
	switch (size) {
	case 1: __atomic_store_n((volatile uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); return;
	case 2: __atomic_store_n((volatile uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); return;
	case 4: __atomic_store_n((volatile uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); return;
	case 8: __atomic_store_n((volatile uint64_t *)p, v, __ATOMIC_RELAXED); return;
	}
	abort();
}

/* cas_n() for an explored CPU. */
static bool plain_cas(volatile void *p, uint64_t *old, uint64_t new, size_t size)
{
	uint64_t cur = load_n(p, size);

	if (cur != *old) {
		*old = cur;
		return false;
	}
	plain_store(p, new, size);
	return true;
}

/* Raw bytes of a scalar as a zero-extended integer, and back. */
static uint64_t to_u64(const void *v, size_t size)
{
	uint64_t r = 0;

	switch (size) {
	case 1: r = *(const uint8_t *)v; break;
	case 2: { uint16_t t; memcpy(&t, v, 2); r = t; break; }
	case 4: { uint32_t t; memcpy(&t, v, 4); r = t; break; }
	case 8: memcpy(&r, v, 8); break;
	default: abort();
	}
	return r;
}

static void from_u64(void *out, uint64_t v, size_t size)
{
	switch (size) {
	case 1: *(uint8_t *)out = (uint8_t)v; break;
	case 2: { uint16_t t = (uint16_t)v; memcpy(out, &t, 2); break; }
	case 4: { uint32_t t = (uint32_t)v; memcpy(out, &t, 4); break; }
	case 8: memcpy(out, &v, 8); break;
	default: abort();
	}
}

static int64_t sign_extend(uint64_t v, size_t size)
{
	switch (size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	}
	return (int64_t)v;
}

void sim_load(const volatile void *p, void *out, size_t size, enum sim_op op,
	      const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t v = load_n(p, size);

	from_u64(out, v, size);
	sim_record_at(c, op, site, 0, v, 0, p);
}

void sim_store(volatile void *p, const void *in, size_t size, enum sim_op op,
	       const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t v = to_u64(in, size);

	if (plain(c))
		plain_store(p, v, size);
	else
		store_n(p, v, size);
	sim_record_at(c, op, site, 0, v, 0, p);
}

bool sim_cmpxchg(volatile void *p, void *expected, const void *desired, size_t size,
		 const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t old = to_u64(expected, size), new = to_u64(desired, size);
	bool ok = plain(c) ? plain_cas(p, &old, new, size) : cas_n(p, &old, new, size);

	from_u64(expected, old, size);
	/* val: the value found; val2: the value stored on success; obj: success. */
	sim_record_at(c, SIM_OP_CMPXCHG, site, ok, old, new, p);
	return ok;
}

void sim_xchg(volatile void *p, void *inout, size_t size, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t new = to_u64(inout, size), old = load_n(p, size);

	if (plain(c))
		plain_store(p, new, size);
	else
		while (!cas_n(p, &old, new, size))
			;
	from_u64(inout, old, size);
	sim_record_at(c, SIM_OP_XCHG, site, 0, old, new, p);
}

int64_t sim_rmw(volatile void *p, size_t size, enum sim_op op, enum sim_arith ar, int64_t a,
		int64_t b, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	uint64_t old = load_n(p, size), new;

	for (;;) {
		switch (ar) {
		case SIM_AR_ADD: new = old + (uint64_t)a; break;
		case SIM_AR_AND: new = old & (uint64_t)a; break;
		case SIM_AR_OR: new = old | (uint64_t)a; break;
		case SIM_AR_XCHG: new = (uint64_t)a; break;
		case SIM_AR_ADD_UNLESS:
			if (sign_extend(old, size) == b) {
				new = old;
				goto done;
			}
			new = old + (uint64_t)a;
			break;
		default: abort();
		}
		new &= mask;
		if (plain(c)) {
			plain_store(p, new, size);
			break;
		}
		if (cas_n(p, &old, new, size))
			break;
	}
done:
	sim_record_at(c, op, site, 0, old, new, p);
	return sign_extend(old, size);
}

bool sim_test_bit(int nr, const volatile unsigned long *addr, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);
	uint64_t w = load_n(addr + nr / 64, sizeof(unsigned long));
	bool bit = (w >> (nr % 64)) & 1;

	sim_record_at(c, SIM_OP_TEST_BIT, site, 0, bit, w, addr + nr / 64);
	return bit;
}

void sim_barrier(enum sim_op op, const struct sim_site *site)
{
	struct sim_cpu *c = sim_enter(site);

	if (!plain(c))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sim_record(c, op, site, 0, 0, 0);
}
