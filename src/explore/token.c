/*
 * token.c - schedule token encoding and decoding (format in token.h).
 */
#include "explore/token.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

uint32_t token_program_hash(const struct sim_program *p)
{
	uint32_t h = 2166136261u;
	uint8_t n = (uint8_t)p->ncpus;

	h = fnv(h, p->name, strlen(p->name) + 1);
	h = fnv(h, &n, 1);
	if (p->identity)
		h = fnv(h, p->identity, strlen(p->identity));
	return h;
}

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static int put(struct buf *b, uint8_t v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p = realloc(b->p, cap);

		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = v;
	return 0;
}

static int put_leb(struct buf *b, uint64_t v)
{
	do {
		uint8_t byte = v & 0x7f;

		v >>= 7;
		if (put(b, byte | (v ? 0x80 : 0)))
			return -1;
	} while (v);
	return 0;
}

char *token_encode(const char *program, uint32_t prog_hash, uint32_t fingerprint,
		   const uint16_t *dec, size_t ndec)
{
	struct buf raw = { 0 };
	char *out, *o;
	size_t head, len;

	for (size_t i = 0; i < ndec;) {
		size_t j = i + 1;

		while (j < ndec && dec[j] == dec[i])
			j++;
		if (put_leb(&raw, dec[i]) || put_leb(&raw, j - i - 1)) {
			free(raw.p);
			return NULL;
		}
		i = j;
	}
	len = strlen(program) + 64 + (raw.n * 4 + 2) / 3;
	out = malloc(len);
	if (!out) {
		free(raw.p);
		return NULL;
	}
	head = (size_t)snprintf(out, len, "%s:%s:%08x:%08x:%zu:", MMT_TOKEN_MAGIC, program,
				prog_hash, fingerprint, ndec);
	o = out + head;
	for (size_t i = 0; i < raw.n; i += 3) {
		uint32_t v = (uint32_t)raw.p[i] << 16;
		size_t k = raw.n - i;

		if (k > 1)
			v |= (uint32_t)raw.p[i + 1] << 8;
		if (k > 2)
			v |= raw.p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		if (k > 1)
			*o++ = b64[(v >> 6) & 63];
		if (k > 2)
			*o++ = b64[v & 63];
	}
	*o = 0;
	free(raw.p);
	return out;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n != 8)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (uint32_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
						 : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	*out = v;
	return 0;
}

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		goto fail;                                                     \
	} while (0)

int token_decode(const char *s, struct sched_token *t, char *err, size_t errlen)
{
	const char *f[6];
	size_t flen[6], nf = 0, nraw = 0, k = 0, at = 0;
	uint8_t *raw = NULL;
	const char *p = s;
	unsigned long long ndec;

	memset(t, 0, sizeof(*t));
	while (*s && isspace((unsigned char)*s))
		s++;
	p = s;
	while (nf < 6) {
		const char *c = nf < 5 ? strchr(p, ':') : p + strcspn(p, " \t\r\n");

		if (!c)
			break;
		f[nf] = p;
		flen[nf] = (size_t)(c - p);
		nf++;
		p = c + 1;
	}
	if (nf >= 1 && flen[0] == 4 && !strncmp(f[0], "mmt", 3) &&
	    (flen[0] != strlen(MMT_TOKEN_MAGIC) || strncmp(f[0], MMT_TOKEN_MAGIC, flen[0])))
		FAIL("schedule token version \"%.*s\" is not supported by this mmtwin (it reads %s)",
		     (int)flen[0], f[0], MMT_TOKEN_MAGIC);
	if (nf < 6 || flen[0] != strlen(MMT_TOKEN_MAGIC) || strncmp(f[0], MMT_TOKEN_MAGIC, flen[0]))
		FAIL("not a schedule token (expected mmt1:<program>:<hash>:<fingerprint>:<n>:<data>)");
	if (!flen[1] || flen[1] >= sizeof(t->program))
		FAIL("schedule token has an empty or overlong program name");
	memcpy(t->program, f[1], flen[1]);
	if (parse_hex32(f[2], flen[2], &t->prog_hash))
		FAIL("schedule token has a malformed program hash \"%.*s\"", (int)flen[2], f[2]);
	if (parse_hex32(f[3], flen[3], &t->fingerprint))
		FAIL("schedule token has a malformed fingerprint \"%.*s\"", (int)flen[3], f[3]);
	/* Digits only: strtoull() would also take a sign, spaces and overflow. */
	errno = 0;
	ndec = strtoull(f[4], NULL, 10);
	if (!flen[4] || strspn(f[4], "0123456789") < flen[4] || errno == ERANGE ||
	    ndec > SIZE_MAX / sizeof(*t->dec))
		FAIL("schedule token has a malformed decision count \"%.*s\"", (int)flen[4], f[4]);
	if (ndec > TOKEN_MAX_DECISIONS)
		FAIL("schedule token has %llu decisions, more than a replay takes (%u)", ndec,
		     TOKEN_MAX_DECISIONS);
	if (flen[5] > TOKEN_MAX_DATA)
		FAIL("schedule token data is longer than a replay takes (%u bytes)", TOKEN_MAX_DATA);
	t->ndec = (size_t)ndec;
	raw = malloc(flen[5] + 1);
	if (!raw)
		FAIL("out of memory decoding the schedule token");
	for (size_t i = 0; i < flen[5]; i += 4) {
		uint32_t v = 0;
		size_t n = flen[5] - i < 4 ? flen[5] - i : 4;

		if (n == 1)
			FAIL("schedule token data is truncated");
		for (size_t j = 0; j < 4; j++) {
			int d = j < n ? b64_val(f[5][i + j]) : 0;

			if (d < 0)
				FAIL("schedule token data has an invalid character '%c'", f[5][i + j]);
			v = v << 6 | (uint32_t)d;
		}
		raw[nraw++] = (uint8_t)(v >> 16);
		if (n > 2)
			raw[nraw++] = (uint8_t)(v >> 8);
		if (n > 3)
			raw[nraw++] = (uint8_t)v;
	}
	/* Pass 0 checks the runs against the count, pass 1 stores them: memory is
	 * only claimed for as many decisions as the data really holds. */
	for (int pass = 0; pass < 2; pass++) {
		for (at = 0, k = 0; at < nraw;) {
			uint64_t val = 0, rep = 0;
			int shift;

			for (shift = 0; at < nraw; shift += 7) {
				if (shift > 56)
					FAIL("schedule token data is corrupt");
				val |= (uint64_t)(raw[at] & 0x7f) << shift;
				if (!(raw[at++] & 0x80))
					break;
			}
			if (at >= nraw && (raw[at - 1] & 0x80))
				FAIL("schedule token data is truncated");
			for (shift = 0;; shift += 7) {
				if (at >= nraw)
					FAIL("schedule token data is truncated");
				if (shift > 56)
					FAIL("schedule token data is corrupt");
				rep |= (uint64_t)(raw[at] & 0x7f) << shift;
				if (!(raw[at++] & 0x80))
					break;
			}
			if (val > 0xffff || k >= t->ndec || rep >= t->ndec - k)
				FAIL("schedule token data does not match its decision count %zu",
				     t->ndec);
			for (uint64_t r = 0; pass && r <= rep; r++)
				t->dec[k + r] = (uint16_t)val;
			k += rep + 1;
		}
		if (k != t->ndec)
			FAIL("schedule token holds %zu decisions but says %zu", k, t->ndec);
		if (!pass && !(t->dec = malloc((t->ndec ? t->ndec : 1) * sizeof(*t->dec))))
			FAIL("out of memory decoding the schedule token");
	}
	free(raw);
	return 0;
fail:
	free(raw);
	token_free(t);
	return -1;
}

void token_free(struct sched_token *t)
{
	free(t->dec);
	t->dec = NULL;
}
