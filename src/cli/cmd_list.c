/*
 * cmd_list.c - `mmtwin list` (the programs this mmtwin can explore) and
 * `mmtwin fixes` (the named fix toggles).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "mm/fixes.h"

int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		cli_error("list", "takes no arguments");
		return EXIT_USAGE;
	}
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
	(void)argv;
	if (argc > 1) {
		cli_error("fixes", "takes no arguments");
		return EXIT_USAGE;
	}
	printf("Known upstream fixes, applied by default; `--revert ID` runs the code from before"
	       " one.\n\n");
	printf("%-22s %-10s %s\n", "id", "closes", "subject");
	for (int i = 0; i < MM_NR_FIXES; i++)
		printf("%-22s %-10s %s\n", mm_fixes[i].id, mm_fixes[i].seed ? mm_fixes[i].seed : "-",
		       mm_fixes[i].subject);
	return EXIT_CLEAN;
}
