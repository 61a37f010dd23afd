/*
 * rng.h - the explorer's pseudo-random numbers (splitmix64).
 *
 * Deterministic by construction: every stream is derived from the user's
 * seed and the execution number, so execution i of a seeded exploration is
 * the same whatever ran before it.
 */
#ifndef MMT_EXPLORE_RNG_H
#define MMT_EXPLORE_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-32
 * for the small n used here and, above all, deterministic). */
static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

/* The stream for execution @exec of an exploration seeded with @seed. */
static inline uint64_t rng_stream(uint64_t seed, uint64_t exec)
{
	uint64_t s = seed ^ 0x6a09e667f3bcc909ULL;

	rng_next(&s);
	s ^= exec * 0xd1b54a32d192ed03ULL;
	rng_next(&s);
	return s;
}

/* The @k-th set bit of @mask (k < popcount). */
static inline int rng_nth_bit(uint64_t mask, uint32_t k)
{
	while (k--)
		mask &= mask - 1;
	return __builtin_ctzll(mask);
}

#endif
