/*
 * main.c - the mmtwin command: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
	"Usage: mmtwin COMMAND [options] [arguments]\n"
	"\n"
	"mmtwin is an executable twin of Linux anonymous memory with a deterministic\n"
	"race explorer.  Programs are bundled names (`mmtwin list`) or scenario files\n"
	"(*.mmt, docs/SCENARIOS.md).\n"
	"\n"
	"Commands:\n"
	"  list      the programs that can be explored, and what each should produce\n"
	"  run       run a scenario once, sequentially, printing each operation\n"
	"  explore   explore interleavings; report findings with a replay command\n"
	"  replay    run one schedule token again and print its interleaving\n"
	"  stress    run a program on real threads (the uncontrolled baseline)\n"
	"  check     check scenario files for errors without running them\n"
	"  fixes     the known upstream fixes that can be reverted (--revert ID)\n"
	"  diff      run a scenario on the model and on this machine's kernel and\n"
	"            compare them operation by operation\n"
	"  kernel-env  run a command with zram swap and THP modes set on this\n"
	"            machine's kernel, and put them back afterwards (root)\n"
	"  help      show help for a command (also: mmtwin COMMAND --help)\n"
	"\n"
	"  --version print the version\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "list", cmd_list },
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "explore", cmd_explore },
	{ "replay", cmd_replay },
	{ "stress", cmd_stress },
	{ "fixes", cmd_fixes },
	{ "kernel-env", cmd_kernel_env },
	{ "diff", cmd_diff },
};

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argv[0] && strchr(argv[0], '/'))
		cli_argv0 = argv[0];
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mmtwin %s\n", MMTWIN_VERSION);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "help")) {
		char *help[] = { argv[2], "--help", NULL };

		if (argc < 3) {
			fputs(usage, stdout);
			return EXIT_CLEAN;
		}
		if (!(c = find(argv[2]))) {
			fprintf(stderr, "mmtwin: no command \"%s\"\n", argv[2]);
			return EXIT_USAGE;
		}
		return c->fn(2, help);
	}
	if (!(c = find(argv[1]))) {
		fprintf(stderr, "mmtwin: unknown command \"%s\"\n\n%s", argv[1], usage);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
