/*
 * token.h - schedule tokens: one line that replays one execution exactly.
 *
 *   mmt1:<program>:<program hash>:<trace fingerprint>:<decisions>:<payload>
 *
 * "mmt1" is the format version.  The program hash covers the program's name,
 * CPU count and identity text (a scenario's source and configuration), so a
 * token for another program or another version of a scenario is refused
 * before anything runs.  The fingerprint covers the executed trace by (CPU,
 * operation, model function) - not by line numbers, so unrelated edits keep
 * old tokens working, while a model change that alters the execution is
 * reported as such.  The payload is the list of decisions, run-length
 * encoded as LEB128 pairs (value, repeats-1), in unpadded base64url.
 */
#ifndef MMT_EXPLORE_TOKEN_H
#define MMT_EXPLORE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/exec.h"

#define MMT_TOKEN_MAGIC "mmt1"

/* What a token may ask of a replay; more is refused before anything is
 * allocated (an execution never takes near this many decisions). */
#define TOKEN_MAX_DECISIONS 10000000u
#define TOKEN_MAX_DATA (64u << 20)

struct sched_token {
	char program[128];
	uint32_t prog_hash;
	uint32_t fingerprint;
	size_t ndec;
	uint16_t *dec;		/* malloc'd */
};

/* Hash identifying a program (name, CPUs, identity text). */
uint32_t token_program_hash(const struct sim_program *p);

/* A malloc'd token string, or NULL on allocation failure. */
char *token_encode(const char *program, uint32_t prog_hash, uint32_t fingerprint,
		   const uint16_t *dec, size_t ndec);

/* Parse @s into @t.  Returns 0, or -1 with a message in @err. */
int token_decode(const char *s, struct sched_token *t, char *err, size_t errlen);
void token_free(struct sched_token *t);

#endif
