/*
 * syntax.c - the small pieces every scenario line is made of: keyword
 * tables (prot, madvise advice, userfaultfd features and modes, page
 * states, ...), numbers with size suffixes, signed values and errno names,
 * and address expressions (`src+2p+8`, `ev-dst+src`).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "mm/swap.h"
#include "mm/userfaultfd.h"
#include "mm/userfaultfd_uapi.h"
#include "scenario/internal.h"
#include "sim/exec.h"

/* ---- keyword tables ------------------------------------------------------- */

#define WORDS(ident, whatstr, prefixstr, ...)                                   \
	static const struct scen_word ident##_w[] = { __VA_ARGS__, { NULL, 0 } }; \
	const struct scen_words ident = { whatstr, prefixstr, ident##_w }

WORDS(sw_prot, "a protection", NULL, { "none", PROT_NONE }, { "r", PROT_READ },
      { "w", PROT_WRITE }, { "x", PROT_EXEC }, { "rw", PROT_READ | PROT_WRITE },
      { "rx", PROT_READ | PROT_EXEC }, { "wx", PROT_WRITE | PROT_EXEC },
      { "rwx", PROT_READ | PROT_WRITE | PROT_EXEC });

/* The advice the model has (madvise.c); others would only say EINVAL. */
WORDS(sw_advice, "a madvise advice", "MADV_", { "dontneed", MADV_DONTNEED },
      { "pageout", MADV_PAGEOUT }, { "hugepage", MADV_HUGEPAGE },
      { "nohugepage", MADV_NOHUGEPAGE }, { "dontfork", MADV_DONTFORK },
      { "dofork", MADV_DOFORK });

WORDS(sw_features, "a userfaultfd feature", "UFFD_FEATURE_",
      { "pagefault_flag_wp", MMT_UFFD_FEATURE_PAGEFAULT_FLAG_WP },
      { "event_fork", MMT_UFFD_FEATURE_EVENT_FORK },
      { "event_remap", MMT_UFFD_FEATURE_EVENT_REMAP },
      { "event_remove", MMT_UFFD_FEATURE_EVENT_REMOVE },
      { "missing_hugetlbfs", MMT_UFFD_FEATURE_MISSING_HUGETLBFS },
      { "missing_shmem", MMT_UFFD_FEATURE_MISSING_SHMEM },
      { "event_unmap", MMT_UFFD_FEATURE_EVENT_UNMAP }, { "sigbus", MMT_UFFD_FEATURE_SIGBUS },
      { "thread_id", MMT_UFFD_FEATURE_THREAD_ID },
      { "minor_hugetlbfs", MMT_UFFD_FEATURE_MINOR_HUGETLBFS },
      { "minor_shmem", MMT_UFFD_FEATURE_MINOR_SHMEM },
      { "exact_address", MMT_UFFD_FEATURE_EXACT_ADDRESS },
      { "wp_hugetlbfs_shmem", MMT_UFFD_FEATURE_WP_HUGETLBFS_SHMEM },
      { "wp_unpopulated", MMT_UFFD_FEATURE_WP_UNPOPULATED },
      { "poison", MMT_UFFD_FEATURE_POISON }, { "wp_async", MMT_UFFD_FEATURE_WP_ASYNC },
      { "move", MMT_UFFD_FEATURE_MOVE });

WORDS(sw_reg_modes, "a registration mode", "UFFDIO_REGISTER_MODE_",
      { "missing", MMT_UFFDIO_REGISTER_MODE_MISSING }, { "wp", MMT_UFFDIO_REGISTER_MODE_WP },
      { "minor", MMT_UFFDIO_REGISTER_MODE_MINOR });

WORDS(sw_copy_modes, "a UFFDIO_COPY mode", "UFFDIO_COPY_MODE_",
      { "dontwake", MMT_UFFDIO_COPY_MODE_DONTWAKE }, { "wp", MMT_UFFDIO_COPY_MODE_WP });

WORDS(sw_zeropage_modes, "a UFFDIO_ZEROPAGE mode", "UFFDIO_ZEROPAGE_MODE_",
      { "dontwake", MMT_UFFDIO_ZEROPAGE_MODE_DONTWAKE });

WORDS(sw_move_modes, "a UFFDIO_MOVE mode", "UFFDIO_MOVE_MODE_",
      { "dontwake", MMT_UFFDIO_MOVE_MODE_DONTWAKE },
      { "allow_src_holes", MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES });

WORDS(sw_wp_modes, "a UFFDIO_WRITEPROTECT mode", "UFFDIO_WRITEPROTECT_MODE_",
      { "wp", MMT_UFFDIO_WRITEPROTECT_MODE_WP },
      { "dontwake", MMT_UFFDIO_WRITEPROTECT_MODE_DONTWAKE });

WORDS(sw_uffd_flags, "a userfaultfd flag", NULL, { "nonblock", UFFD_O_NONBLOCK },
      { "cloexec", UFFD_O_CLOEXEC }, { "user_mode_only", UFFD_USER_MODE_ONLY });

WORDS(sw_events, "a userfaultfd message", "UFFD_EVENT_",
      { "pagefault", MMT_UFFD_EVENT_PAGEFAULT }, { "fork", MMT_UFFD_EVENT_FORK },
      { "remap", MMT_UFFD_EVENT_REMAP }, { "remove", MMT_UFFD_EVENT_REMOVE },
      { "unmap", MMT_UFFD_EVENT_UNMAP });

WORDS(sw_pf_flags, "a page-fault flag", "UFFD_PAGEFAULT_FLAG_",
      { "write", MMT_UFFD_PAGEFAULT_FLAG_WRITE }, { "wp", MMT_UFFD_PAGEFAULT_FLAG_WP },
      { "minor", MMT_UFFD_PAGEFAULT_FLAG_MINOR });

WORDS(sw_states, "a page state", NULL, { "none", SPS_NONE }, { "present", SPS_PRESENT },
      { "swapped", SPS_SWAPPED }, { "huge", SPS_HUGE }, { "zero", SPS_ZERO },
      { "other", SPS_OTHER });

WORDS(sw_thp_modes, "a THP mode", NULL, { "never", 0 }, { "always", 1 }, { "madvise", 2 });

WORDS(sw_swap_kinds, "a swap device kind", NULL, { "sync", 1 }, { "zram", 1 }, { "async", 0 });

WORDS(sw_swap_policies, "a slot allocation policy", NULL, { "cluster", SWAP_ALLOC_CLUSTER },
      { "lowest", SWAP_ALLOC_LOWEST }, { "lifo", SWAP_ALLOC_LIFO });

WORDS(sw_finding_kinds, "a finding kind", NULL, { "invariant", SIM_FIND_INVARIANT },
      { "bug", SIM_FIND_BUG }, { "deadlock", SIM_FIND_DEADLOCK },
      { "lock_order", SIM_FIND_LOCK_ORDER }, { "lock_misuse", SIM_FIND_LOCK_MISUSE },
      { "livelock", SIM_FIND_LIVELOCK }, { "step_limit", SIM_FIND_STEP_LIMIT },
      { "expectation", SIM_FIND_EXPECT });

static bool word_eq(const struct scen_tok *t, const char *prefix, const char *w)
{
	size_t n = strlen(w), pl = prefix ? strlen(prefix) : 0;

	if (t->len == n && !strncasecmp(t->s, w, n))
		return true;
	return pl && t->len == pl + n && !strncasecmp(t->s, prefix, pl) &&
	       !strncasecmp(t->s + pl, w, n);
}

bool word_lookup(const struct scen_words *ws, const struct scen_tok *t, uint64_t *out)
{
	if (t->kind != TK_WORD)
		return false;
	for (const struct scen_word *w = ws->w; w->word; w++)
		if (word_eq(t, ws->prefix, w->word)) {
			*out = w->value;
			return true;
		}
	return false;
}

const char *words_list(const struct scen_words *ws)
{
	static char buf[512];
	size_t at = 0, n = 0;

	for (const struct scen_word *w = ws->w; w->word; w++)
		n++;
	buf[0] = 0;
	for (size_t i = 0; i < n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", ws->w[i].word,
				       i + 2 < n ? ", " : i + 1 < n ? " or " : "");
	return buf;
}

uint64_t word_expect(struct parser *p, const struct scen_words *ws)
{
	const struct scen_tok *t = tok_next(p);
	uint64_t v;

	if (!word_lookup(ws, t, &v)) {
		if (t->kind != TK_WORD)
			perr(p, t, E_EXPECTED, ws->what, tok_show(t));
		perr(p, t, E_UNKNOWN_WORD, tok_show(t), ws->what, words_list(ws));
	}
	return v;
}

/* Words of @ws joined by ',', or one number (the bits as the kernel has them). */
uint64_t words_expect_set(struct parser *p, const struct scen_words *ws)
{
	const struct scen_tok *t = tok_peek(p);
	uint64_t set = 0;
	bool ovf;

	if (parse_number(t, &set, &ovf)) {
		tok_next(p);
		if (ovf)
			perr(p, t, E_RANGE, ws->what, tok_show(t), 0ULL, (unsigned long long)UINT64_MAX);
		return set;
	}
	do
		set |= word_expect(p, ws);
	while (tok_accept(p, ","));
	return set;
}

/* ---- numbers and values -------------------------------------------------------- */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool parse_number(const struct scen_tok *t, uint64_t *out, bool *overflow)
{
	const char *s = t->s, *end = t->s + t->len;
	unsigned base = 10;
	uint64_t v = 0, mult = 1;
	bool any = false;

	*overflow = false;
	if (t->kind != TK_WORD)
		return false;
	if (t->len == 9 && !memcmp(s, "TASK_SIZE", 9)) {
		*out = TASK_SIZE;
		return true;
	}
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; s < end && digit_value(*s) < (int)base; s++) {
		unsigned d = (unsigned)digit_value(*s);

		if (v > (UINT64_MAX - d) / base)
			*overflow = true;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return false;
	if (s < end) {
		switch (*s++) {
		case 'p': case 'P': mult = PAGE_SIZE; break;
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		default: return false;
		}
		if (s < end)
			return false;
	}
	if (v > UINT64_MAX / mult)
		*overflow = true;
	*out = v * mult;
	return true;
}

uint64_t expect_number(struct parser *p, const char *what, uint64_t min, uint64_t max)
{
	const struct scen_tok *t = tok_next(p);
	uint64_t v;
	bool ovf;

	if (!parse_number(t, &v, &ovf)) {
		if (t->kind != TK_WORD)
			perr(p, t, E_EXPECTED, what, tok_show(t));
		perr(p, t, E_NUMBER, tok_show(t), what);
	}
	if (ovf || v < min || v > max)
		perr(p, t, E_RANGE, what, tok_show(t), (unsigned long long)min,
		     (unsigned long long)max);
	return v;
}

int64_t expect_value(struct parser *p, const char *what)
{
	bool neg = tok_accept(p, "-");
	const struct scen_tok *t = tok_peek(p);
	uint64_t v;
	bool ovf;
	int e;

	if (t->kind == TK_WORD && (e = scen_errno_value(t->s, t->len))) {
		tok_next(p);
		return -e;	/* as the kernel stores it in an output field */
	}
	if (!parse_number(t, &v, &ovf)) {
		if (t->kind != TK_WORD)
			perr(p, t, E_EXPECTED, what, tok_show(t));
		perr(p, t, E_NUMBER, tok_show(t), what);
	}
	tok_next(p);
	if (ovf || (neg && v > (uint64_t)INT64_MAX + 1))
		perr(p, t, E_RANGE, what, tok_show(t), 0ULL,
		     neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)UINT64_MAX);
	/* Two's complement: -2^63 included, without a signed overflow. */
	return (int64_t)(neg ? 0 - v : v);
}

/* ---- errno names ---------------------------------------------------------------------- */

#define SCEN_MAX_ERRNO 133

const char *scen_errno_name(int err)
{
	const char *s = err > 0 && err <= SCEN_MAX_ERRNO ? strerrorname_np(err) : NULL;

	return s ? s : "E?";
}

int scen_errno_value(const char *name, size_t len)
{
	if (len < 2 || name[0] != 'E')
		return 0;
	for (int e = 1; e <= SCEN_MAX_ERRNO; e++) {
		const char *s = strerrorname_np(e);

		if (s && strlen(s) == len && !memcmp(s, name, len))
			return e;
	}
	return 0;
}

/* ---- expressions ------------------------------------------------------------------------ */

static void parse_term(struct parser *p, struct scen_expr *e, int sign, const char *what)
{
	const struct scen_tok *t = tok_peek(p);
	uint64_t v;
	bool ovf;

	if (e->nterms >= SCEN_MAX_TERMS)
		perr(p, t, E_LIMIT, "terms in one expression", SCEN_MAX_TERMS);
	if (t->kind != TK_WORD)
		perr(p, t, E_EXPECTED, what, tok_show(t));
	tok_next(p);
	e->t[e->nterms].sign = (int8_t)sign;
	if (parse_number(t, &v, &ovf)) {
		if (ovf)
			perr(p, t, E_RANGE, what, tok_show(t), 0ULL, (unsigned long long)UINT64_MAX);
		e->t[e->nterms].name = -1;
		e->t[e->nterms].num = v;
	} else if (t->s[0] >= '0' && t->s[0] <= '9') {
		perr(p, t, E_NUMBER, tok_show(t), "a number");
	} else {
		e->t[e->nterms].name =
			(int16_t)name_use(p, t, 1u << SK_MAPPING | 1u << SK_EVENT);
		e->t[e->nterms].num = 0;
	}
	e->nterms++;
}

/* Terms joined by + and - with no space before the sign: `src+ev-dst`.
 * (So `write a -1` writes -1 to a.) */
void parse_expr(struct parser *p, struct scen_expr *e, const char *what)
{
	memset(e, 0, sizeof(*e));
	parse_term(p, e, 1, what);
	while (!tok_peek(p)->space) {
		if (tok_accept(p, "+"))
			parse_term(p, e, 1, what);
		else if (tok_accept(p, "-"))
			parse_term(p, e, -1, what);
		else
			break;
	}
}

bool expr_is_name(const struct scen_expr *e)
{
	return e->nterms == 1 && e->t[0].name >= 0 && e->t[0].sign > 0;
}

bool expr_const(const struct scen_expr *e, uint64_t *out)
{
	uint64_t v = 0;

	for (int i = 0; i < e->nterms; i++) {
		if (e->t[i].name >= 0)
			return false;
		v += e->t[i].sign > 0 ? e->t[i].num : -e->t[i].num;
	}
	*out = v;
	return true;
}
