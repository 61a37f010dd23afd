/*
 * bundle.h - the scenarios bundled with mmtwin (scenarios/GROUP/NAME.mmt).
 */
#ifndef MMT_SCENARIO_BUNDLE_H
#define MMT_SCENARIO_BUNDLE_H

#include <stddef.h>

#include "scenario/scenario.h"

struct scenario_bundle {
	size_t n;
	struct scenario **sc;
	char **group;		/* the subdirectory of each */
};

/* The bundled scenarios' directory: $MMTWIN_SCENARIOS, else scenarios/
 * next to or above the executable's directory, else share/mmtwin/scenarios
 * beside its bin/ (make install), else the source tree's; NULL if none. */
const char *scenario_bundle_dir(void);

/* Load every DIR/GROUP/NAME.mmt (groups and files in name order); each
 * file's scenario must be called NAME.  Returns 0, or -1 with the first
 * error in @err (nothing loaded). */
int scenario_bundle_load(struct scenario_bundle *b, const char *dir, char *err, size_t errlen);
void scenario_bundle_free(struct scenario_bundle *b);

#endif
