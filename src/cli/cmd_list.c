/*
 * cmd_list.c - `mmtwin list` (the programs this mmtwin can explore) and
 * `mmtwin fixes` (the named fix toggles).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "mm/fixes.h"

static const char list_usage[] =
	"Usage: mmtwin list\n"
	"\n"
	"The programs this mmtwin can explore by name: the classic concurrency bugs\n"
	"(C) and the bundled scenarios (scenarios/GROUP/NAME.mmt), one row per\n"
	"expectation - NAME~FIX is a scenario run with an upstream fix reverted -\n"
	"with the CPU count, what exploring it must give (finding, clean, or - for\n"
	"nothing stated) and a summary.  `mmtwin explore --all` checks every row.\n";

static const char fixes_usage[] =
	"Usage: mmtwin fixes\n"
	"\n"
	"The known upstream fixes the model can run without: their ids (what\n"
	"`--revert ID` and a scenario's `revert` and `expect ... without` take; 7 or\n"
	"more leading characters select every fix they start), the seed each\n"
	"closes, and the upstream subject.\n";

/* No arguments, or --help: 0 to go on, else the exit status. */
static int no_args(const char *cmd, const char *usage, int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return -1;
	}
	if (argc > 1) {
		cli_error(cmd, "takes no arguments (see `mmtwin %s --help`)", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	int rc = no_args("list", list_usage, argc, argv);

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if (catalog_load())
		return EXIT_USAGE;
	printf("%-48s %-8s %-5s %-9s %s\n", "program", "group", "cpus", "expected", "summary");
	for (size_t i = 0; i < catalog_size(); i++) {
		const struct catalog_entry *e = catalog_at(i);

		printf("%-48s %-8s %-5d %-9s %s\n", e->name, e->group, e->prog->ncpus,
		       !e->has_expectation ? "-" : e->expect_finding ? "finding" : "clean",
		       e->prog->summary);
	}
	return EXIT_CLEAN;
}

int cmd_fixes(int argc, char **argv)
{
	int rc = no_args("fixes", fixes_usage, argc, argv);

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	printf("Known upstream fixes, applied by default; `--revert ID` runs the code from before"
	       " one.\n\n");
	printf("%-22s %-10s %s\n", "id", "closes", "subject");
	for (int i = 0; i < MM_NR_FIXES; i++)
		printf("%-22s %-10s %s\n", mm_fixes[i].id, mm_fixes[i].seed ? mm_fixes[i].seed : "-",
		       mm_fixes[i].subject);
	return EXIT_CLEAN;
}
