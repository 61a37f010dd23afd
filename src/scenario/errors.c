/*
 * errors.c - every message the scenario parser gives, in one table: the
 * tests run one malformed file per entry (tests/scenarios/bad/<slug>.mmt)
 * and check that the message comes out as "file:line:col: message".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario/internal.h"

const struct scen_error_def scen_errors[] = {
	[E_TOO_BIG] = { "too_big", "the file is larger than %u bytes" },
	[E_CHAR] = { "char", "unexpected character %s" },
	[E_TOO_MANY_TOKENS] = { "too_many_tokens", "more than %d words on one line" },
	[E_NO_SCENARIO] = { "no_scenario", "expected `scenario NAME` first, got %s" },
	[E_EXPECTED] = { "expected", "expected %s, got %s" },
	[E_UNKNOWN_DIRECTIVE] = { "unknown_directive",
				  "unknown directive %s (the header has scenario, summary, cpus,"
				  " memory, swap, thp, uffd_move, revert and expect; blocks start"
				  " with setup:, cpu N: or final:)" },
	[E_UNKNOWN_OP] = { "unknown_op", "unknown operation %s (docs/SCENARIOS.md lists them)" },
	[E_UNKNOWN_WORD] = { "unknown_word", "%s is not %s (expected %s)" },
	[E_HEADER_LATE] = { "header_late",
			    "%s belongs in the header, before the first block (line %d)" },
	[E_DUP_HEADER] = { "dup_header", "a second `%s` line (the first is at line %d)" },
	[E_OP_OUTSIDE] = { "op_outside",
			   "%s is an operation; operations go in a block (setup:, cpu N: or"
			   " final:)" },
	[E_SECTION_DUP] = { "section_dup", "a second %s block (the first is at line %d)" },
	[E_CPU_ORDER] = { "cpu_order", "cpu blocks come in order from cpu 0: expected cpu %d, got"
				       " cpu %s" },
	[E_NO_CPU] = { "no_cpu", "the scenario has no `cpu 0:` block" },
	[E_CPUS_MISMATCH] = { "cpus_mismatch",
			      "`cpus %d` (line %d) does not match the file's %d cpu block(s)" },
	[E_BAD_NAME] = { "bad_name",
			 "%s cannot be a name (a letter or '_', then letters, digits or '_';"
			 " at most 63)" },
	[E_RESERVED] = { "reserved", "%s is a word of the language and cannot be a name" },
	[E_DUP_NAME] = { "dup_name", "%s is already defined (line %d)" },
	[E_UNDEF_NAME] = { "undef_name",
			   "%s is not defined (names are defined before they are used: in setup,"
			   " earlier in the block, or in an earlier cpu block)" },
	[E_NAME_KIND] = { "name_kind", "%s is %s, but this needs %s" },
	[E_NUMBER] = { "number", "%s is not %s" },
	[E_RANGE] = { "range", "%s: %s is out of range (%llu to %llu)" },
	[E_LIMIT] = { "limit", "too many %s (at most %d)" },
	[E_FIX] = { "fix", "no fix %s (see `mmtwin fixes`)" },
	[E_ACCESS_WORD] = { "access_word",
			    "an access of %d bytes at offset %llu would cross an 8-byte word (the"
			    " model's accesses stay within one)" },
	[E_MUST_DEFINE] = { "must_define", "%s makes %s: write `NAME = %s ...`" },
	[E_CANNOT_DEFINE] = { "cannot_define", "%s does not make anything to give a name to" },
	[E_NO_FIELD] = { "no_field", "%s has no output field %s (%s)" },
	[E_BAD_RESULT] = { "bad_result", "%s is not a result %s can give (%s)" },
	[E_FINAL_ONLY] = { "final_only", "final: holds expectations (page and read), not %s" },
	[E_NOT_IN_FINAL] = { "not_in_final",
			     "%s reads page tables while no CPU runs: it belongs in setup: or"
			     " final:" },
	[E_NO_LENGTH] = { "no_length",
			  "give a length: it can be left out only after a bare mapping name" },
	[E_SECTION_ORDER] = { "section_order", "%s must come %s" },
	[E_CONFLICT] = { "conflict", "%s does not go with %s" },
	[E_DUP_FIELD] = { "dup_field", "a second `%s=` in one alternative (use `|` between alternatives)" },
};

const size_t scen_nerrors = sizeof(scen_errors) / sizeof(scen_errors[0]);

_Static_assert(sizeof(scen_errors) / sizeof(scen_errors[0]) == E__COUNT,
	       "one message per error id");

void perr(struct parser *p, const struct scen_tok *t, enum scen_err e, ...)
{
	size_t at;
	va_list ap;
	int col = t ? t->col : p->tok[p->ntok].col;

	at = (size_t)snprintf(p->err, p->errlen, "%s:%d:%d: ", p->path, p->lineno ? p->lineno : 1,
			      col);
	if (at < p->errlen) {
		va_start(ap, e);
		vsnprintf(p->err + at, p->errlen - at, scen_errors[e].fmt, ap);
		va_end(ap);
	}
	longjmp(p->jb, 1);
}
