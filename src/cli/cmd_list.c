/*
 * cmd_list.c - `mmtwin list`: the programs this mmtwin can explore.
 */
#include <stdio.h>

#include "cli/cli.h"

int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		cli_error("list", "takes no arguments");
		return EXIT_USAGE;
	}
	printf("%-24s %-8s %-5s %-9s %s\n", "program", "group", "cpus", "expected", "summary");
	for (size_t i = 0; i < catalog_size(); i++) {
		const struct catalog_entry *e = catalog_at(i);

		printf("%-24s %-8s %-5d %-9s %s\n", e->prog->name, e->group, e->prog->ncpus,
		       e->expect_finding ? "finding" : "clean", e->prog->summary);
	}
	return EXIT_CLEAN;
}
