/*
 * test_token.c - schedule tokens: encode/decode round trips, the text format and every rejection.
 */
#include <stdio.h>

#include "testlib.h"

#include "explore/rng.h"
#include "explore/token.h"

#define HASH 0x01234567u
#define FP 0x89abcdefu

/* Encode @dec, check the header, decode it back and compare everything. */
static void roundtrip(const char *prog, const uint16_t *dec, size_t n)
{
	struct sched_token t;
	char head[160], err[256] = "";
	char *s = token_encode(prog, HASH, FP, dec, n);

	assert_non_null(s);
	snprintf(head, sizeof(head), "mmt1:%s:%08x:%08x:%zu:", prog, HASH, FP, n);
	assert_int_equal(strncmp(s, head, strlen(head)), 0);
	if (token_decode(s, &t, err, sizeof(err)))
		fail_msg("decoding \"%.200s\" failed: %s", s, err);
	assert_string_equal(t.program, prog);
	assert_int_equal(t.prog_hash, HASH);
	assert_int_equal(t.fingerprint, FP);
	assert_int_equal(t.ndec, n);
	for (size_t i = 0; i < n; i++)
		if (t.dec[i] != dec[i])
			fail_msg("decision %zu: decoded %u, encoded %u", i, t.dec[i], dec[i]);
	token_free(&t);
	free(s);
}

static void test_roundtrip_empty(void **state)
{
	(void)state;
	roundtrip("lost_update", NULL, 0);
}

static void test_roundtrip_short(void **state)
{
	static const uint16_t cases[][6] = {
		{ 0 }, { 1 }, { 0, 1 }, { 1, 1, 1, 0, 0, 1 }, { 63, 0, 63, 63, 2, 5 },
		{ 127, 128, 255, 256, 16383, 16384 }, { 0xffff, 0xffff, 0, 0xfffe, 1, 0xffff },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t n = 1; n <= 6; n++)
			roundtrip("p", cases[i], n);
	roundtrip("a_program_name_of_127_characters_"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxx", cases[3], 6);
}

/* Runs of every length from 1 to a few hundred (multi-byte repeat counts) with
 * small values mostly and, now and then, large ones (multi-byte values). */
static void test_roundtrip_long(void **state)
{
	const size_t n = 100000;
	uint16_t *dec = malloc(n * sizeof(*dec));
	uint64_t rng = 42;
	size_t i = 0, runs = 0;

	(void)state;
	assert_non_null(dec);
	while (i < n) {
		uint32_t len = 1 + rng_below(&rng, rng_below(&rng, 8) ? 4 : 400);
		uint16_t v = (uint16_t)(rng_below(&rng, 16) ? rng_below(&rng, 3)
							     : rng_below(&rng, 65536));

		for (uint32_t k = 0; k < len && i < n; k++)
			dec[i++] = v;
		runs++;
	}
	assert_true(runs > 1000);
	roundtrip("long", dec, n);
	/* Every decision different from the one before: no runs at all. */
	for (i = 0; i < n; i++)
		dec[i] = (uint16_t)(i & 1 ? 0xffff : i % 64);
	roundtrip("alternating", dec, n);
	/* One run of 100k. */
	for (i = 0; i < n; i++)
		dec[i] = 3;
	roundtrip("one_run", dec, n);
	free(dec);
}

/* The runs are what is encoded: a long run takes a few characters only. */
static void test_run_length_is_compact(void **state)
{
	uint16_t dec[1000];
	char *s;

	(void)state;
	for (size_t i = 0; i < 1000; i++)
		dec[i] = 1;
	s = token_encode("p", HASH, FP, dec, 1000);
	assert_non_null(s);
	assert_true(strlen(s) < strlen("mmt1:p:01234567:89abcdef:1000:") + 8);
	free(s);
}

static void test_format(void **state)
{
	static const uint16_t dec[] = { 0, 0, 1 };
	char *s = token_encode("lost_update", 0xdeadbeef, 0x0000abcd, dec, 3);

	(void)state;
	assert_non_null(s);
	assert_int_equal(strncmp(s, "mmt1:lost_update:deadbeef:0000abcd:3:", 37), 0);
	assert_string_equal(s, "mmt1:lost_update:deadbeef:0000abcd:3:AAEBAA");
	free(s);
}

struct bad_token {
	const char *token;
	const char *why;	/* a piece of the expected message */
};

/* A valid token for reference: "mmt1:p:01234567:89abcdef:3:AAEBAA" (0,0,1). */
static const struct bad_token bad_tokens[] = {
	{ "", "not a schedule token" },
	{ "   \n", "not a schedule token" },
	{ "hello", "not a schedule token" },
	{ "mmt9:p:01234567:89abcdef:3:AAEBAA", "version \"mmt9\"" },
	{ "mmt9:a future layout", "version \"mmt9\"" },
	{ "mmt10:p:01234567:89abcdef:3:AAEBAA", "mmt1" },
	{ "mmt:p:01234567:89abcdef:3:AAEBAA", "mmt1" },
	{ "MMT1:p:01234567:89abcdef:3:AAEBAA", "mmt1" },
	{ "mmt1:p:01234567:89abcdef:3", "not a schedule token" },
	{ "mmt1:p:01234567:89abcdef", "not a schedule token" },
	{ "mmt1:p:01234567", "not a schedule token" },
	{ "mmt1:p", "not a schedule token" },
	{ "mmt1", "not a schedule token" },
	{ "mmt1::01234567:89abcdef:3:AAEBAA", "program name" },
	{ "mmt1:p:0123456z:89abcdef:3:AAEBAA", "program hash" },
	{ "mmt1:p:0123456:89abcdef:3:AAEBAA", "program hash" },
	{ "mmt1:p:012345678:89abcdef:3:AAEBAA", "program hash" },
	{ "mmt1:p::89abcdef:3:AAEBAA", "program hash" },
	{ "mmt1:p:0x234567:89abcdef:3:AAEBAA", "program hash" },
	{ "mmt1:p:01234567:89abcdeg:3:AAEBAA", "fingerprint" },
	{ "mmt1:p:01234567:89abcde:3:AAEBAA", "fingerprint" },
	{ "mmt1:p:01234567: 9abcdef:3:AAEBAA", "fingerprint" },
	{ "mmt1:p:01234567:89abcdef::AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:x:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:3x:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:0x3:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:-1:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:+3:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef: 3:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:18446744073709551615:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:99999999999999999999999:AAEBAA", "decision count" },
	{ "mmt1:p:01234567:89abcdef:3:AAE+AA", "invalid character '+'" },
	{ "mmt1:p:01234567:89abcdef:3:AAE/AA", "invalid character '/'" },
	{ "mmt1:p:01234567:89abcdef:3:AAEBAA==", "invalid character '='" },
	{ "mmt1:p:01234567:89abcdef:3:AA.BAA", "invalid character '.'" },
	{ "mmt1:p:01234567:89abcdef:3:AAEBAA:", "invalid character ':'" },
	{ "mmt1:p:01234567:89abcdef:3:AAEBA", "truncated" },	/* a lone base64 character */
	{ "mmt1:p:01234567:89abcdef:3:AAEBAAA", "truncated" },	/* a value without its repeats */
	{ "mmt1:p:01234567:89abcdef:3:AAEB", "truncated" },	/* the same, one run earlier */
	{ "mmt1:p:01234567:89abcdef:3:AAE", "holds 2 decisions but says 3" },
	{ "mmt1:p:01234567:89abcdef:1:gA", "truncated" },	/* LEB128 continues past the end */
	{ "mmt1:p:01234567:89abcdef:3:", "decisions but says 3" },
	{ "mmt1:p:01234567:89abcdef:4:AAEBAA", "decisions but says 4" },
	{ "mmt1:p:01234567:89abcdef:1000000:AAEBAA", "decisions but says 1000000" },
	{ "mmt1:p:01234567:89abcdef:1000000000000:AAEBAA", "more than a replay takes" },
	{ "mmt1:p:01234567:89abcdef:10000000:AAEBAA", "decisions but says 10000000" },
	{ "mmt1:p:01234567:89abcdef:2:AAEBAA", "does not match its decision count 2" },
	{ "mmt1:p:01234567:89abcdef:0:AAEBAA", "does not match its decision count 0" },
	{ "mmt1:p:01234567:89abcdef:1:gIAEAA", "does not match" },	/* value 0x10000 */
};

static void test_rejections(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++) {
		const struct bad_token *b = &bad_tokens[i];
		struct sched_token t;
		char err[256] = "";

		if (token_decode(b->token, &t, err, sizeof(err)) == 0) {
			print_error("\"%s\" was accepted (%zu decisions)\n", b->token, t.ndec);
			token_free(&t);
			bad++;
			continue;
		}
		assert_null(t.dec);
		if (!strstr(err, b->why)) {
			print_error("\"%s\": message \"%s\" does not say \"%s\"\n", b->token, err,
				    b->why);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The reference token of the table above is itself valid, and so are tokens
 * surrounded by whitespace (a token pasted from a report or read from a file). */
static void test_whitespace_tolerated(void **state)
{
	static const char *const ok[] = {
		"mmt1:p:01234567:89abcdef:3:AAEBAA",
		"  mmt1:p:01234567:89abcdef:3:AAEBAA",
		"\t mmt1:p:01234567:89abcdef:3:AAEBAA\n",
		"mmt1:p:01234567:89abcdef:3:AAEBAA\r\n",
		"\n\nmmt1:p:01234567:89abcdef:3:AAEBAA   \t",
		"mmt1:p:01234567:89ABCDEF:3:AAEBAA",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct sched_token t;
		char err[256] = "";

		if (token_decode(ok[i], &t, err, sizeof(err)))
			fail_msg("\"%s\" was refused: %s", ok[i], err);
		assert_string_equal(t.program, "p");
		assert_int_equal(t.prog_hash, HASH);
		assert_int_equal(t.fingerprint, FP);
		assert_int_equal(t.ndec, 3);
		assert_int_equal(t.dec[0], 0);
		assert_int_equal(t.dec[1], 0);
		assert_int_equal(t.dec[2], 1);
		token_free(&t);
	}
}

/* Every way of cutting a real token short is refused, never misread. */
static void test_every_truncation_refused(void **state)
{
	uint16_t dec[300];
	char *s;
	size_t len;

	(void)state;
	for (size_t i = 0; i < 300; i++)
		dec[i] = (uint16_t)(i < 150 ? i % 3 : 0x1234);
	s = token_encode("trunc", HASH, FP, dec, 300);
	assert_non_null(s);
	len = strlen(s);
	for (size_t cut = 0; cut < len; cut++) {
		struct sched_token t;
		char err[256] = "", *copy = strndup(s, cut);

		assert_non_null(copy);
		if (token_decode(copy, &t, err, sizeof(err)) == 0) {
			token_free(&t);
			fail_msg("\"%s\" (cut at %zu of %zu) was accepted", copy, cut, len);
		}
		assert_true(err[0] != 0);
		free(copy);
	}
	free(s);
}

static const struct sim_program hash_base = {
	.name = "prog", .ncpus = 2, .identity = "scenario text v1",
};

static void test_program_hash(void **state)
{
	struct sim_program p = hash_base, q;
	uint32_t h = token_program_hash(&p);

	(void)state;
	assert_int_equal(token_program_hash(&hash_base), h);	/* stable */
	q = p;
	q.name = "prog2";
	assert_int_not_equal(token_program_hash(&q), h);
	q = p;
	q.name = "pro";
	assert_int_not_equal(token_program_hash(&q), h);
	q = p;
	q.ncpus = 3;
	assert_int_not_equal(token_program_hash(&q), h);
	q = p;
	q.identity = "scenario text v2";
	assert_int_not_equal(token_program_hash(&q), h);
	q = p;
	q.identity = NULL;
	assert_int_not_equal(token_program_hash(&q), h);
	/* Only the name, CPUs and identity count: the summary and callbacks do not. */
	q = p;
	q.summary = "another summary";
	q.arg = &q;
	assert_int_equal(token_program_hash(&q), h);
	/* Name and identity are not simply concatenated. */
	p.name = "ab";
	p.identity = "c";
	q = p;
	q.name = "a";
	q.identity = "bc";
	assert_int_not_equal(token_program_hash(&p), token_program_hash(&q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_empty),
		cmocka_unit_test(test_roundtrip_short),
		cmocka_unit_test(test_roundtrip_long),
		cmocka_unit_test(test_run_length_is_compact),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_whitespace_tolerated),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_program_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
