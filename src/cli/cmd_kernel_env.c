/*
 * cmd_kernel_env.c - `mmtwin kernel-env`: run a command with zram swap on
 * and THP modes set, and put everything back afterwards - when it
 * succeeds, fails, is interrupted (SIGINT, SIGTERM, SIGHUP) or is killed
 * outright: a watchdog process, started before anything changes, waits on
 * a pipe and puts the settings back when the pipe closes, however this
 * process ended (kernel/env.c does the work).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "kernel/env.h"

static const char kenv_usage[] =
	"Usage: mmtwin kernel-env [options] [--] COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND with this machine's kernel set up as asked - zram swap on, THP\n"
	"and mTHP modes - and put every setting back afterwards, whether COMMAND\n"
	"succeeds, fails, or this command is interrupted or killed (a watchdog\n"
	"process restores them).  The zram device is used only if nothing else\n"
	"uses it, and is reset afterwards.  Needs root.\n"
	"\n"
	"Options:\n"
	"      --swap             zram0 as swap for the run\n"
	"      --swap-size MB     its size (default 256)\n"
	"      --thp MODE         transparent_hugepage/enabled: always, madvise or never\n"
	"      --mthp SIZE=MODE   hugepages-SIZE/enabled, e.g. 64K=always (MODE: always,\n"
	"                         inherit, madvise, never); repeatable\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: COMMAND's (128+N if a signal N ended it or this command);\n"
	"77 skipped, with the reason (not root, no zram device, zram in use);\n"
	"2 bad usage; 3 a setting could not be made or put back.\n";

enum { OPT_SWAP = 256, OPT_SWAP_SIZE, OPT_THP, OPT_MTHP };

static const struct option kenv_long[] = {
	{ "swap", no_argument, NULL, OPT_SWAP },
	{ "swap-size", required_argument, NULL, OPT_SWAP_SIZE },
	{ "thp", required_argument, NULL, OPT_THP },
	{ "mthp", required_argument, NULL, OPT_MTHP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t got_signal;
static volatile pid_t running = -1;

static void on_signal(int sig)
{
	got_signal = sig;
	if (running > 0)
		kill(running, sig);
}

static bool one_of(const char *s, const char *const *modes)
{
	for (; *modes; modes++)
		if (!strcmp(s, *modes))
			return true;
	return false;
}

/* "64K", "64kB", "2M", "2048kB" -> "64", "2048" (kB, as sysfs names them). */
static int mthp_size(const char *s, size_t len, char *out, size_t n)
{
	char num[16], *end;
	unsigned long v;

	if (!len || len >= sizeof(num))
		return -1;
	memcpy(num, s, len);
	num[len] = 0;
	v = strtoul(num, &end, 10);
	if (end == num || !v)
		return -1;
	if (!strcmp(end, "M") || !strcmp(end, "MB") || !strcmp(end, "mB"))
		v *= 1024;
	else if (strcmp(end, "K") && strcmp(end, "kB") && strcmp(end, "KB") && strcmp(end, "k"))
		return -1;
	snprintf(out, n, "%lu", v);
	return 0;
}

static int parse_args(struct kenv *e, int argc, char **argv)
{
	static const char *const thp_modes[] = { "always", "madvise", "never", NULL };
	static const char *const mthp_modes[] = { "always", "inherit", "madvise", "never", NULL };
	uint64_t v;
	int c;

	memset(e, 0, sizeof(*e));
	e->swap_mb = 256;
	e->lockfd = -1;
	opterr = 0;
	optind = 1;
	/* "+": options end at COMMAND, whose own options are its own */
	while ((c = getopt_long(argc, argv, "+:h", kenv_long, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(kenv_usage, stdout);
			return -1;
		case OPT_SWAP:
			e->swap = true;
			break;
		case OPT_SWAP_SIZE:
			if (cli_u64("kernel-env", "--swap-size", optarg, 1u << 20, &v))
				return EXIT_USAGE;
			if (v < 16) {
				cli_error("kernel-env", "--swap-size: at least 16 (MB)");
				return EXIT_USAGE;
			}
			e->swap_mb = (unsigned long)v;
			break;
		case OPT_THP:
			if (!one_of(optarg, thp_modes)) {
				cli_error("kernel-env", "--thp: \"%s\" is not always, madvise or never",
					  optarg);
				return EXIT_USAGE;
			}
			e->thp = optarg;
			break;
		case OPT_MTHP: {
			const char *eq = strchr(optarg, '=');

			if (e->nmthp == KENV_MAX_MTHP) {
				cli_error("kernel-env", "--mthp: at most %d", KENV_MAX_MTHP);
				return EXIT_USAGE;
			}
			if (!eq || mthp_size(optarg, (size_t)(eq - optarg),
					     e->mthp[e->nmthp].size_kb,
					     sizeof(e->mthp[0].size_kb)) ||
			    !one_of(eq + 1, mthp_modes)) {
				cli_error("kernel-env", "--mthp: \"%s\" is not SIZE=MODE (e.g. 64K=always)",
					  optarg);
				return EXIT_USAGE;
			}
			snprintf(e->mthp[e->nmthp].mode, sizeof(e->mthp[0].mode), "%s", eq + 1);
			e->nmthp++;
			break;
		}
		default:
			cli_bad_option("kernel-env", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("kernel-env", "no command to run (see mmtwin kernel-env --help)");
		return EXIT_USAGE;
	}
	return 0;
}

/* The watchdog: waits until the pipe closes - this process ended, however -
 * and puts the settings back.  It is in its own session, so a terminal's
 * signals do not reach it. */
static pid_t start_watchdog(struct kenv *e, int *wfd)
{
	int p[2];
	pid_t w;

	if (pipe(p))
		return -1;
	w = fork();
	if (w < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (w == 0) {
		char b;

		close(p[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		while (read(p[0], &b, 1) != 0 && errno == EINTR)
			;
		if (kenv_restore(e))
			fprintf(stderr, "mmtwin kernel-env: watchdog: %s\n", e->err);
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	return w;
}

static void describe(const struct kenv *e, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	if (e->swap)
		at += (size_t)snprintf(buf + at, n - at, "; %s swap on (%lu MB)", kenv_zram,
				       e->swap_mb);
	if (e->thp && at < n)
		at += (size_t)snprintf(buf + at, n - at, "; THP %s", e->thp);
	for (int i = 0; i < e->nmthp && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "; %skB mTHP %s", e->mthp[i].size_kb,
				       e->mthp[i].mode);
}

int cmd_kernel_env(int argc, char **argv)
{
	struct kenv e;
	struct sigaction sa;
	char what[512];
	int rc = parse_args(&e, argc, argv), wfd = -1, status = 0;
	pid_t w, child;

	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if ((rc = kenv_check(&e))) {
		fprintf(stderr, "mmtwin kernel-env: skipped: %s\n", e.err);
		return rc;
	}
	kenv_save(&e);
	if ((w = start_watchdog(&e, &wfd)) < 0) {
		cli_error("kernel-env", "cannot start the watchdog: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	describe(&e, what, sizeof(what));
	if (kenv_apply(&e)) {
		fprintf(stderr, "mmtwin kernel-env: %s\n", e.err);
		rc = EXIT_INTERNAL;
	} else if (!got_signal) {
		if (what[0])
			fprintf(stderr, "mmtwin kernel-env: %s\n", what + 2);
		child = fork();
		if (child == 0) {
			close(wfd);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "mmtwin kernel-env: %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		if (child < 0) {
			cli_error("kernel-env", "cannot run %s: %s", argv[optind], strerror(errno));
			rc = EXIT_INTERNAL;
		} else {
			running = child;
			if (got_signal)
				kill(child, got_signal);
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
			running = -1;
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
	}
	if (kenv_restore(&e)) {
		fprintf(stderr, "mmtwin kernel-env: %s\n", e.err);
		rc = EXIT_INTERNAL;
	} else if (what[0]) {
		fprintf(stderr, "mmtwin kernel-env: put back as it was\n");
	}
	close(wfd);
	while (waitpid(w, NULL, 0) < 0 && errno == EINTR)
		;
	if (got_signal && rc != EXIT_INTERNAL)
		rc = 128 + got_signal;
	return rc;
}
