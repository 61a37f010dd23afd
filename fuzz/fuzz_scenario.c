/*
 * fuzz_scenario.c - a libFuzzer target for the scenario parser (`make fuzz`):
 * any bytes either parse into a scenario whose program can be built and
 * hashed, or are refused with one "fuzz.mmt:LINE:COL: message" line; never
 * a crash, a hang, a leak or a sanitizer report.  Parsing never runs
 * anything, so neither does this.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "explore/token.h"
#include "scenario/scenario.h"

#define FUZZ_PATH "fuzz.mmt"

/* "fuzz.mmt:LINE:COL: message": positive numbers, a message, one line. */
static void check_error(const char *err)
{
	const char *s = err + strlen(FUZZ_PATH);

	if (strncmp(err, FUZZ_PATH ":", strlen(FUZZ_PATH) + 1))
		abort();
	for (int field = 0; field < 2; field++) {
		if (*++s < '1' || *s > '9')
			abort();
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != ':')
			abort();
	}
	if (s[1] != ' ' || !s[2] || strchr(err, '\n'))
		abort();
}

/* What the explorer reads of a parsed scenario; a second parse of the same
 * bytes gives the same program (nothing depends on leftover memory). */
static void check_scenario(struct scenario *sc, const uint8_t *data, size_t size)
{
	const struct sim_program *p = scenario_program(sc);
	uint32_t h = token_program_hash(p);
	struct scenario *again;
	char err[1024];

	if (scenario_of(p) != sc || p->ncpus != sc->ncpus || !p->identity)
		abort();
	if (sc->ncpus < 1 || sc->ncpus > SCEN_MAX_CPUS || sc->nops > SCEN_MAX_OPS ||
	    sc->nnames > SCEN_MAX_NAMES || !sc->name[0])
		abort();
	for (int i = 0; i < sc->nops; i++)
		if (!sc->ops[i].def || !sc->ops[i].text || sc->ops[i].line < 1)
			abort();
	again = scenario_parse(FUZZ_PATH, (const char *)data, size, err, sizeof(err));
	if (!again || again->nops != sc->nops || strcmp(again->identity, sc->identity) ||
	    token_program_hash(scenario_program(again)) != h)
		abort();
	scenario_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct scenario *sc;

	err[0] = 0;
	sc = scenario_parse(FUZZ_PATH, (const char *)data, size, err, sizeof(err));
	if (!sc) {
		check_error(err);
		return 0;
	}
	check_scenario(sc, data, size);
	scenario_free(sc);
	return 0;
}
