/*
 * test_scenario.c - the scenario language: what each header directive sets,
 * what each operation does on the model kernel and how its result is
 * checked, names across CPUs, the final block, the normalised text that
 * tokens hash, and the same file under explore, stress and a replay.
 * (Malformed files: tests/cli/test_scenario_errors.sh; the manual's
 * examples: tests/cli/test_scenario_docs.sh.)
 */
#include <stdio.h>

#include "testlib.h"

#include "explore/token.h"
#include "mm/fixes.h"
#include "mm/swap.h"
#include "mm/userfaultfd_uapi.h"

/* ---- helpers ----------------------------------------------------------------- */

static struct scenario *parse_ok(const char *text)
{
	char err[1024] = "";
	struct scenario *sc = scenario_parse("t.mmt", text, strlen(text), err, sizeof(err));

	if (!sc)
		fail_msg("parse failed: %s", err);
	return sc;
}

/* The error message for @text, without "t.mmt:" (static buffer). */
static const char *parse_err(const char *text)
{
	static char err[1024];
	struct scenario *sc = scenario_parse("t.mmt", text, strlen(text), err, sizeof(err));

	if (sc)
		fail_msg("parsed, but an error was expected: %.200s", text);
	assert_int_equal(strncmp(err, "t.mmt:", 6), 0);
	return err + 6;
}

/* One execution in which no CPU is preempted (DFS's first schedule); the
 * finding, if any, in @f.  Returns true when it ran clean. */
static bool run_clean(struct scenario *sc, struct sim_finding *f)
{
	struct explore_opts o;
	struct explore_result r;
	bool clean;

	explore_opts_default(&o);
	o.kind = EXPLORE_DFS;
	o.bound = 0;
	o.max_executions = 1;
	assert_int_equal(explore_run(scenario_program(sc), &o, &r), 0);
	clean = !r.found;
	if (f)
		*f = r.finding;
	explore_result_free(&r);
	return clean;
}

/* @text must run clean. */
static void runs_clean(const char *text)
{
	struct scenario *sc = parse_ok(text);
	struct sim_finding f;

	if (!run_clean(sc, &f))
		fail_msg("finding %s: %s\nin:\n%s", f.id, f.msg, text);
	scenario_free(sc);
}

/* @text must give a finding with id @id whose message contains @msg. */
static void runs_finding(const char *text, const char *id, const char *msg)
{
	struct scenario *sc = parse_ok(text);
	struct sim_finding f;

	if (run_clean(sc, &f))
		fail_msg("no finding; expected %s (%s)\nin:\n%s", id, msg, text);
	if (strcmp(f.id, id) || !strstr(f.msg, msg))
		fail_msg("finding %s: %s\nexpected %s with \"%s\"", f.id, f.msg, id, msg);
	scenario_free(sc);
}

#define HEAD "scenario t\n"

/* ---- the header ------------------------------------------------------------- */

static void test_header_defaults(void **state)
{
	struct scenario *sc = parse_ok(HEAD "cpu 0:\n    process_x = process\n");
	struct mm_config def;

	(void)state;
	mm_config_default(&def);
	assert_string_equal(sc->name, "t");
	assert_null(sc->summary);
	assert_int_equal(sc->ncpus, 1);
	assert_int_equal(sc->nswap, 0);
	assert_int_equal(sc->nverdicts, 0);
	assert_int_equal(sc->cfg.nr_pages, def.nr_pages);
	assert_int_equal(sc->cfg.thp_always, def.thp_always);
	assert_int_equal(sc->cfg.thp_madvise, def.thp_madvise);
	assert_false(sc->cfg.uffd_move_batch);
	assert_int_equal(sc->cfg.fixes_reverted, 0);
	scenario_free(sc);
}

static void test_header_directives(void **state)
{
	struct scenario *sc = parse_ok(
		"# a comment\n"
		"scenario hdr   # trailing comment\n"
		"summary   what it does (with punctuation: it's fine)   # not this\n"
		"cpus 2\n"
		"memory 32M\n"
		"swap sync slots=8 policy=lowest\n"
		"swap async slots=1024\n"
		"swap zram slots=2 policy=lifo\n"
		"thp 2M always\n"
		"thp 64K madvise\n"
		"thp 16K always\n"
		"thp 16K never\n"
		"uffd_move v6.18\n"
		"revert 13ddaf26be32\n"
		"revert 0ea148a79919\n"
		"expect clean by dfs preemptions=1\n"
		"expect finding bug | INV-1 | general protection fault without c50f8e6053b0 by pct"
		" depth=4\n"
		"expect finding deadlock | general   protection\tfault by dfs delays=3\n"
		"expect finding invariant by random\n"
		"cpu 0:\ncpu 1:\n");

	(void)state;
	assert_string_equal(sc->name, "hdr");
	assert_string_equal(sc->summary, "what it does (with punctuation: it's fine)");
	assert_int_equal(sc->ncpus, 2);
	assert_int_equal(sc->cfg.nr_pages, 8192);
	assert_int_equal(sc->nswap, 3);
	assert_true(sc->swap[0].sync);
	assert_int_equal(sc->swap[0].slots, 8);
	assert_int_equal(sc->swap[0].policy, SWAP_ALLOC_LOWEST);
	assert_false(sc->swap[1].sync);
	assert_int_equal(sc->swap[1].slots, 1024);
	assert_int_equal(sc->swap[1].policy, SWAP_ALLOC_CLUSTER);
	assert_true(sc->swap[2].sync);
	assert_int_equal(sc->swap[2].policy, SWAP_ALLOC_LIFO);
	assert_int_equal(sc->cfg.thp_always, 1UL << 9);
	assert_int_equal(sc->cfg.thp_madvise, 1UL << 4);
	assert_true(sc->cfg.uffd_move_batch);
	assert_int_equal(sc->cfg.fixes_reverted,
			 (1UL << FIX_SWAPIN_SKIP_SWAPCACHE_RACE) |
				 (1UL << FIX_MOVE_SWAPCACHE_FOLIO_RECHECK) |
				 (1UL << FIX_MOVE_SWAPCACHE_HAS_CACHE_RECHECK));
	assert_int_equal(sc->nverdicts, 4);
	assert_false(sc->verdict[0].finding);
	assert_int_equal(sc->verdict[0].strategy, EXPLORE_DFS);
	assert_int_equal(sc->verdict[0].bound, 1);
	assert_false(sc->verdict[0].delays);
	assert_true(sc->verdict[1].finding);
	assert_int_equal(sc->verdict[1].kinds, 1u << SIM_FIND_BUG);
	assert_int_equal(sc->verdict[1].nids, 2);
	assert_string_equal(sc->verdict[1].ids[0], "INV-1");
	assert_string_equal(sc->verdict[1].ids[1], "general protection fault");
	assert_string_equal(sc->verdict[2].ids[0], "general protection fault");
	assert_string_equal(sc->verdict[1].without, "c50f8e6053b0");
	assert_int_equal(sc->verdict[1].strategy, EXPLORE_PCT);
	assert_int_equal(sc->verdict[1].depth, 4);
	assert_int_equal(sc->verdict[2].kinds, 1u << SIM_FIND_DEADLOCK);
	assert_int_equal(sc->verdict[2].nids, 1);
	assert_true(sc->verdict[2].delays);
	assert_int_equal(sc->verdict[2].bound, 3);
	assert_int_equal(sc->verdict[3].strategy, EXPLORE_RANDOM);
	scenario_free(sc);
}

/* The configuration reaches the model kernel: THP always makes a huge
 * page, a reverted fix is reverted, the swap devices exist. */
static void test_header_reaches_the_model(void **state)
{
	(void)state;
	runs_clean(HEAD "thp 2M always\nsetup:\n    a = mmap 2M\n    write a 1\n"
		   "cpu 0:\nfinal:\n    page a -> huge\n");
	runs_clean(HEAD "thp 2M never\nsetup:\n    a = mmap 2M\n    madvise a hugepage\n"
		   "    write a 1\ncpu 0:\nfinal:\n    page a 1p -> present\n    page a+1p 1p -> none\n");
	runs_clean(HEAD "swap sync slots=2\nsetup:\n    a = mmap 1p\n    write a 1\n"
		   "    madvise a pageout\ncpu 0:\nfinal:\n    page a -> swapped\n    read a -> 1\n");
	/* No swap device: MADV_PAGEOUT cannot swap anything out. */
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    write a 1\n    madvise a pageout\n"
		   "cpu 0:\nfinal:\n    page a -> present\n");
	/* mTHP: a 64K folio (split reports one large folio). */
	runs_clean(HEAD "thp 64K always\nsetup:\n    a = mmap 64K\n    write a 1\n"
		   "cpu 0:\n    split a -> 1\n");
	runs_clean(HEAD "setup:\n    a = mmap 64K\n    write a 1\ncpu 0:\n    split a -> 0\n");
}

/* ---- operations ------------------------------------------------------------------- */

static void test_mmap_options(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n"
		   "    a = mmap 4p\n"
		   "    b = mmap 2p r private\n"
		   "    c = mmap 1p rw shared\n"
		   "    f = file 4p\n"
		   "    d = mmap 2p rw private file f offset 1p\n"
		   "    e = mmap 2p fixed 256M\n"
		   "    g = mmap 1p at 512M\n"
		   "    h = mmap 2M align 2M\n"
		   "    mmap 1p fixed e+1p -> ok\n"
		   "cpu 0:\n"
		   "    write a+3p 1\n"
		   "    write b 1 -> EFAULT\n"
		   "    read b -> 0\n"
		   "    write c 5\n"
		   "    write d 6\n"
		   "    read e -> 0\n"
		   "    read e+1p -> 0\n"
		   "    read g -> 0\n"
		   "    write h 1\n"
		   "    mmap 1p fixed 1 -> EINVAL\n"
		   "final:\n"
		   "    page a+3p 1p -> present\n"
		   "    page b 1p -> zero\n");
	/* An offset the mmap(2) syscall refuses; at with align keeps the hint. */
	runs_clean(HEAD "setup:\n    f = file 4p\ncpu 0:\n    mmap 1p shared file f offset 100 -> EINVAL\n"
		   "    a = mmap 2M at 1G align 2M\n    munmap 1G 2M\n    read a -> EFAULT\n");
	assert_non_null(strstr(parse_err(HEAD "cpu 0:\n    a = mmap 2M fixed 1G align 2M\n"),
			       "align does not go with fixed"));
	assert_non_null(strstr(parse_err(HEAD "cpu 0:\n    a = mmap 2M align 2M fixed 1G\n"),
			       "fixed does not go with align"));
	/* The addresses asked for are the addresses given. */
	runs_clean(HEAD "setup:\n    e = mmap 2p fixed 256M\ncpu 0:\n    read 256M -> 0\n"
		   "    munmap 256M 2p\n    read e -> EFAULT\n");
	/* align: the mapping starts on the boundary. */
	runs_clean(HEAD "thp 2M always\nsetup:\n    x = mmap 1p\n    h = mmap 2M align 2M\n"
		   "    write h 1\ncpu 0:\nfinal:\n    page h -> huge\n");
}

static void test_munmap_mprotect_mlock_madvise(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n    a = mmap 4p\n    write a 1\n    write a+1p 2\n"
		   "cpu 0:\n"
		   "    mprotect a 1p r\n"
		   "    write a 3 -> EFAULT\n"
		   "    read a -> 1\n"
		   "    mprotect a 1p rw\n"
		   "    write a 3\n"
		   "    mlock a 2p\n"
		   "    madvise a 1p pageout -> EINVAL\n"
		   "    munlock a 2p\n"
		   "    madvise a+1p 1p dontneed\n"
		   "    read a+1p -> 0\n"
		   "    madvise a hugepage\n"
		   "    madvise a nohugepage\n"
		   "    madvise a dontfork\n"
		   "    madvise a MADV_DOFORK\n"
		   "    munmap a+2p 1p\n"
		   "    read a+2p -> EFAULT\n"
		   "    munmap a\n"
		   "    read a -> EFAULT\n"
		   "    madvise a+1 1p dontneed -> EINVAL\n");
	/* dontfork: the child does not get the mapping. */
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    write a 1\n    madvise a dontfork\n"
		   "    c = fork\ncpu 0:\n    read a -> EFAULT in c\n    read a -> 1\n");
}

static void test_access_sizes(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n"
		   "    write a 0x1122334455667788\n"
		   "    readb a -> 0x88\n"
		   "    readb a+7 -> 0x11\n"
		   "    readw a+2 -> 0x5566\n"
		   "    readl a+4 -> 0x11223344\n"
		   "    readq a -> 0x1122334455667788\n"
		   "    writeb a+1 0xff\n"
		   "    read a -> 0x112233445566ff88\n"
		   "    writew a+6 0\n"
		   "    writel a 0xdeadbeef\n"
		   "    writeq a+8 -1\n"
		   "    read a -> 0x3344deadbeef\n"
		   "    read a+8 -> 0xffffffffffffffff\n"
		   "    read a+8 -> -1\n");
	assert_non_null(strstr(parse_err(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    readl a+6\n"),
			       "would cross an 8-byte word"));
}

/* A narrow store is a store of its word for the data shadow (INV-1): it
 * survives swap-out and swap-in. */
static void test_narrow_store_swapped(void **state)
{
	(void)state;
	runs_clean(HEAD "swap sync slots=2\nsetup:\n    a = mmap 1p\n    write a 1\n"
		   "    writeb a+3 7\n    madvise a pageout\ncpu 0:\n    readb a+3 -> 7\n"
		   "    read a -> 0x7000001\n");
}

static void test_fork_exit_process(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    write a 1\n"
		   "cpu 0:\n    c = fork\n    write a 2\n    read a -> 1 in c\n    write a 3 in c\n"
		   "    read a -> 2\n    exit c\n    p = process\n    b = mmap 1p in p\n"
		   "    read b -> 0 in p\n    exit in p\n"
		   "final:\n    read a -> 2\n");
	runs_finding(HEAD "setup:\n    a = mmap 1p\n    c = fork\n    exit c\ncpu 0:\n"
		     "    read a in c\n", "expectation", "c has exited");
	runs_finding(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    exit\n    read a\n", "expectation",
		     "main has exited");
}

static void test_migrate_split_reclaim_writeback(void **state)
{
	(void)state;
	runs_clean(HEAD "swap async slots=1024\nthp 2M always\nsetup:\n    a = mmap 2M\n"
		   "    write a 1\n    b = mmap 1p\n    write b 2\ncpu 0:\n"
		   "    migrate a\n    read a -> 1\n    migrate a+10p\n"
		   "    split a -> 1\n    split a -> 0\n    migrate b+8 -> ok\n"
		   "    migrate a+4M -> EFAULT\n"
		   "    madvise b pageout\n    page_ok = mmap 1p\n"
		   "    end_writeback -> 1\n    end_writeback -> 0\n"
		   "    reclaim 1000 -> any\n"
		   "final:\n    page b -> swapped\n    read b -> 2\n");
}

static void test_kill_and_fail_nth(void **state)
{
	(void)state;
	/* fail-nth: the first page-table allocation of this CPU fails. */
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    src = mmap 1p fixed 256M\n"
		   "    dst = mmap 1p fixed 512M\n    write src 1\n    uffd = userfaultfd\n"
		   "    api uffd features move\n    register uffd dst missing\ncpu 0:\n"
		   "    fail_nth 1\n    move uffd dst src 1p -> ENOMEM move=-ENOMEM\n"
		   "    fail_nth 0\n    move uffd dst src 1p -> ok move=1p\n");
	/* kill: the next fatal_signal_pending() of the CPU sees it. */
	runs_clean(HEAD "setup:\n    src = mmap 2p fixed 256M\n    dst = mmap 2p fixed 512M\n"
		   "    write src 1\n    write src+1p 2\n    uffd = userfaultfd\n"
		   "    api uffd features move\n    register uffd dst missing\n"
		   "cpu 0:\n    kill cpu 0\n    move uffd dst src 2p -> EINTR move=-EINTR\n");
	assert_non_null(strstr(parse_err(HEAD "cpu 0:\n    kill cpu 1\n"), "out of range"));
}

static void test_thp_operation(void **state)
{
	(void)state;
	runs_clean(HEAD "thp 2M never\nsetup:\n    a = mmap 2M\n    b = mmap 2M\ncpu 0:\n"
		   "    write a 1\n    thp 2M always\n    write b 1\nfinal:\n"
		   "    page a 1p -> present\n    page a+1p 1p -> none\n"
		   "    page b -> huge\n");
}

static void test_userfaultfd_ops(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n"
		   "    src = mmap 4p fixed 256M\n"
		   "    dst = mmap 4p fixed 512M\n"
		   "    write src 100\n"
		   "    write src+1p 101\n"
		   "    u0 = userfaultfd nonblock, cloexec, user_mode_only\n"
		   "    register u0 dst missing -> EINVAL\n"
		   "    api u0 features move, event_remove -> ok\n"
		   "    register u0 dst 1p missing wp -> ok\n"
		   "    unregister u0 dst 1p\n"
		   "    close u0\n"
		   "    api u0 -> EBADF\n"
		   "    uffd = userfaultfd\n"
		   "    api uffd badarg -> EFAULT\n"
		   "    api uffd features move\n"
		   "    register uffd dst missing, wp\n"
		   "cpu 0:\n"
		   "    copy uffd dst src 1p -> ok copy=1p\n"
		   "    copy uffd dst src 1p -> EEXIST copy=-EEXIST\n"
		   "    zeropage uffd dst+1p 1p dontwake -> ok zeropage=1p\n"
		   "    move uffd dst+2p src+1p 1p -> ok move=1p\n"
		   "    move uffd dst+3p src+3p 1p -> ENOENT move=-ENOENT\n"
		   "    move uffd dst+3p src+3p 1p allow_src_holes -> ok move=1p\n"
		   "    move uffd dst+3p src 1p badarg -> EFAULT\n"
		   "    writeprotect uffd dst 1p wp\n"
		   "    writeprotect uffd dst 1p\n"
		   "    wake uffd dst 4p\n"
		   "    read dst -> 100\n"
		   "    read dst+1p -> 0\n"
		   "    read dst+2p -> 101\n"
		   "    read src+1p -> 0\n"
		   "final:\n"
		   "    page dst 3p -> present\n"
		   "    page dst+1p 1p -> zero\n"
		   "    page src+3p 1p -> none\n");
}

/* readmsg and a handler CPU: the faulting thread sleeps until the handler
 * resolves its fault; the message carries the flags and the address. */
static void test_readmsg_handler(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n"
		   "    src = mmap 1p fixed 256M\n"
		   "    dst = mmap 2p fixed 512M\n"
		   "    write src 5\n"
		   "    uffd = userfaultfd\n"
		   "    api uffd features move, thread_id\n"
		   "    register uffd dst missing\n"
		   "cpu 0:\n"
		   "    write dst+1p+8 7\n"
		   "    read dst+1p -> 5\n"
		   "cpu 1:\n"
		   "    ev = readmsg uffd -> pagefault flags=write ptid=1000\n"
		   "    copy uffd ev src 1p -> ok copy=1p\n"
		   "final:\n"
		   "    read dst+1p+8 -> 7\n");
	/* O_NONBLOCK with nothing queued: EAGAIN; a wrong message kind is a finding. */
	runs_clean(HEAD "setup:\n    u = userfaultfd nonblock\n    api u\ncpu 0:\n"
		   "    readmsg u -> EAGAIN\n");
	runs_finding(HEAD "setup:\n    u = userfaultfd nonblock\n    api u\ncpu 0:\n"
		     "    readmsg u -> pagefault\n", "expectation",
		     "got EAGAIN, expected pagefault");
	/* UFFD_EVENT_REMOVE: MADV_DONTNEED of a registered range. */
	runs_clean(HEAD "setup:\n    a = mmap 2p\n    u = userfaultfd\n"
		   "    api u features event_remove\n    register u a missing\ncpu 0:\n"
		   "    madvise a 2p dontneed\ncpu 1:\n    ev = readmsg u -> remove\n"
		   "    wake u ev 2p\n");
}

/* A userfault the sequential code takes can never be resolved: a deadlock,
 * not a crash.  UFFD_USER_MODE_ONLY: the kernel's own access (UFFDIO_COPY
 * reading its source) is not handled, it fails. */
static void test_userfault_corners(void **state)
{
	struct scenario *sc;
	struct explore_opts o;
	struct explore_result r;

	(void)state;
	/* A finding inside an operation names it (here INV-1 of a read). */
	sc = parse_ok(HEAD "revert 13ddaf26be32\nswap sync slots=4 policy=lowest\nsetup:\n"
			   "    p = mmap 1p\n    write p 1\n    madvise p pageout\ncpu 0:\n"
			   "    read p\ncpu 1:\n    write p 2\n    madvise p pageout\n");
	explore_opts_default(&o);
	assert_int_equal(explore_run(scenario_program(sc), &o, &r), 0);
	assert_true(r.found);
	assert_string_equal(r.finding.id, "INV-1");
	assert_string_equal(r.finding.during, "cpu0 `read p` (t.mmt:9:5)");
	explore_result_free(&r);
	scenario_free(sc);
	runs_finding(HEAD "setup:\n    c = mmap 1p fixed 4G\n    w = userfaultfd\n    api w\n"
		     "    register w c missing\n    read c\ncpu 0:\n", "deadlock",
		     "sequential code takes a userfault");
	runs_clean(HEAD "setup:\n    src = mmap 1p fixed 256M\n    dst = mmap 1p fixed 512M\n"
		   "    u = userfaultfd user_mode_only\n    api u\n    register u src missing\n"
		   "    v = userfaultfd\n    api v\n    register v dst missing\n"
		   "cpu 0:\n    copy v dst src 1p -> EFAULT copy=-EFAULT\n");
}

/* Two CPUs store to one word on real threads: whichever store is last is
 * what both read back - never a lost write (the store and the data
 * shadow's update are one step there too). */
static void test_stress_same_word(void **state)
{
	struct scenario *sc = parse_ok(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    write a 1\n"
					    "    read a -> 1 | 2\ncpu 1:\n    write a 2\n"
					    "    read a -> 1 | 2\n");
	struct sim_config cfg;
	struct sim_exec *x;

	(void)state;
	sim_config_default(&cfg);
	cfg.delay_permille = 50;
	cfg.delay_max_us = 5;
	x = sim_exec_new(scenario_program(sc), &cfg);
	assert_non_null(x);
	for (int i = 0; i < 2000; i++)
		if (sim_stress_once(x) == SIM_RUN_FINDING)
			fail_msg("stress iteration %d: %s: %s", i, x->finding.id, x->finding.msg);
	sim_exec_free(x);
	scenario_free(sc);
}

/* ---- results ----------------------------------------------------------------------- */

static void test_results(void **state)
{
	struct scenario *sc;

	(void)state;
	runs_clean(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    read a -> any\n    read a -> 1 | 0\n"
		   "    munmap a -> ok | EINVAL\n    read a -> EFAULT | 0\n"
		   "    read a -> any\n");
	runs_finding(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n\n    read a -> 7\n", "expectation",
		     "t.mmt:6:5: `read a -> 7`: got 0, expected 7");
	runs_finding(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    munmap a\n    read a\n",
		     "expectation", "got EFAULT, expected ok");
	runs_finding(HEAD "setup:\n    a = mmap 1p fixed 256M\n    b = mmap 1p fixed 512M\n"
		     "    u = userfaultfd\n    api u features move\n    register u b missing\n"
		     "cpu 0:\n    move u b a 1p -> ENOENT move=-ENOENT\n    write a 1\n"
		     "    move u b a 1p -> ok move=2p\n",
		     "expectation", "got ok move=4096, expected ok move=2p");
	runs_finding(HEAD "setup:\n    a = mmap 1p\ncpu 0:\nfinal:\n    page a -> present\n",
		     "expectation", "is none");
	/* Results and fields: spelled as the log prints them. */
	runs_clean(HEAD "setup:\n    u = userfaultfd\ncpu 0:\n    api u features 131071 -> ok features=131071\n"
		   "    a = mmap 1p\nfinal:\n    page a in main -> none\n    page a -> none in main\n");
	assert_non_null(strstr(parse_err(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    read a -> 1 2\n"),
			       "expected `|` and another result, an output field (NAME=VALUE) or the end"));
	assert_non_null(strstr(parse_err(HEAD "setup:\n    a = mmap 1p\nfinal:\n    page a\n"),
			       "expected `->` and the page state"));
	assert_non_null(strstr(parse_err(HEAD "cpu 0:\n    u = userfaultfd badarg\n"),
			       "`badarg` is not a userfaultfd flag"));
	/* An alternative is a result with its fields: both must match. */
	runs_finding(HEAD "setup:\n    a = mmap 1p fixed 256M\n    b = mmap 1p fixed 512M\n"
		     "    u = userfaultfd\n    api u features move\n    register u b missing\n"
		     "    write a 1\ncpu 0:\n    move u b a 1p -> ENOENT move=1p | ok move=2p\n",
		     "expectation", "got ok move=4096, expected ENOENT move=1p | ok move=2p");
	runs_clean(HEAD "setup:\n    a = mmap 1p fixed 256M\n    b = mmap 1p fixed 512M\n"
		   "    u = userfaultfd\n    api u features move\n    register u b missing\n"
		   "cpu 0:\n    move u b a 1p -> -ENOENT move=-ENOENT | ok move=1p\n"
		   "    write a 1\n    move u b a 1p -> ENOENT move=-ENOENT | ok move=1p\n");
	/* page in setup: the state the race starts from. */
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    page a -> none\n    write a 1\n"
		   "    page a -> present\ncpu 0:\n");
	/* The finding's kind. */
	sc = parse_ok(HEAD "setup:\n    a = mmap 1p\ncpu 0:\n    read a -> 7\n");
	{
		struct sim_finding f;

		assert_false(run_clean(sc, &f));
		assert_int_equal(f.kind, SIM_FIND_EXPECT);
		assert_string_equal(sim_finding_kind_name(f.kind), "expectation not met");
	}
	scenario_free(sc);
}

/* A name another CPU defines: the user waits for it; one whose operation
 * failed is refused. */
static void test_names_across_cpus(void **state)
{
	(void)state;
	runs_clean(HEAD "setup:\n    a = mmap 1p\n    write a 1\n"
		   "cpu 0:\n    b = mmap 1p\n    write b 2\n    c = fork\n"
		   "cpu 1:\n    write b 3\n"
		   "cpu 2 in c:\n    read a -> 1\n    write a 4\n"
		   "final:\n    read a -> 1\n    read a -> 4 in c\n    read b -> 2 | 3\n");
	runs_finding(HEAD "setup:\n    a = mmap 1p fixed 1 -> any\ncpu 0:\n    read a\n",
		     "expectation", "a was not made: the operation at line 3 failed");
	/* Explored: every interleaving waits correctly (no deadlock, no
	 * use of a name that is not there yet). */
	{
		struct scenario *sc = parse_ok(HEAD "cpu 0:\n    b = mmap 1p\n    write b 2\n"
						    "cpu 1:\n    write b 3\n    read b -> 2 | 3\n");
		struct explore_result r;

		assert_int_equal(test_explore(scenario_program(sc), EXPLORE_DFS, 1, 2, 0, &r), 0);
		if (r.found)
			fail_msg("%s: %s", r.finding.id, r.finding.msg);
		assert_true(r.exhausted);
		explore_result_free(&r);
		scenario_free(sc);
	}
}

/* ---- identity ------------------------------------------------------------------------ */

static uint32_t hash_of(const char *text)
{
	struct scenario *sc = parse_ok(text);
	uint32_t h = token_program_hash(scenario_program(sc));

	scenario_free(sc);
	return h;
}

static void test_identity(void **state)
{
	const char *base = "scenario t\nsetup:\n    a = mmap 1p\ncpu 0:\n    write a 1\n";
	uint32_t h = hash_of(base);

	(void)state;
	/* Comments, blank lines, spacing, summary and expect lines: the same. */
	assert_int_equal(h, hash_of("# hello\nscenario   t\nsummary anything at all\n"
				    "expect clean\n\nsetup:\n  a=mmap 1p   # c\n\ncpu 0:\n"
				    "\twrite a 1\n"));
	assert_int_equal(h, hash_of("scenario t\nexpect finding bug without 13ddaf26be32\n"
				    "setup:\n    a = mmap 1p\ncpu 0:\n    write a 1\n"));
	/* What runs: different. */
	assert_int_not_equal(h, hash_of("scenario t\nsetup:\n    a = mmap 1p\ncpu 0:\n"
					"    write a 2\n"));
	assert_int_not_equal(h, hash_of("scenario t\nsetup:\n    a = mmap 1p\ncpu 0:\n"
					"    write a 1 -> ok\n"));
	assert_int_not_equal(h, hash_of("scenario t\nmemory 8M\nsetup:\n    a = mmap 1p\n"
					"cpu 0:\n    write a 1\n"));
	assert_int_not_equal(h, hash_of("scenario u\nsetup:\n    a = mmap 1p\ncpu 0:\n"
					"    write a 1\n"));
	assert_int_not_equal(h, hash_of("scenario t\nrevert 13ddaf26be32\nsetup:\n"
					"    a = mmap 1p\ncpu 0:\n    write a 1\n"));
}

/* ---- one file under explore, stress and replay ------------------------------------------ */

static void test_explore_stress_replay(void **state)
{
	const struct sim_program *p = test_scenario("scenarios/swap/swapin_skip_swapcache_race.mmt");
	struct explore_opts o;
	struct explore_result r, rr;
	struct sim_config cfg;
	struct sim_exec *x;

	(void)state;
	/* Explored with the fix reverted: the lost write, replayed exactly. */
	explore_opts_default(&o);
	o.max_executions = 10000;
	o.cfg.model_flags = 1UL << FIX_SWAPIN_SKIP_SWAPCACHE_RACE;
	o.cfg.variant = "~13ddaf26be32";
	assert_int_equal(explore_run(p, &o, &r), 0);
	assert_true(r.found);
	assert_string_equal(r.finding.id, "INV-1");
	assert_int_equal(explore_replay(p, r.token, &o.cfg, &rr), 0);
	assert_true(rr.found);
	test_assert_same_trace(&r, &rr);
	explore_result_free(&rr);
	explore_result_free(&r);
	/* Stress (real threads) with the fix: clean. */
	sim_config_default(&cfg);
	x = sim_exec_new(p, &cfg);
	assert_non_null(x);
	for (int i = 0; i < 200; i++)
		if (sim_stress_once(x) == SIM_RUN_FINDING)
			fail_msg("stress: %s: %s", x->finding.id, x->finding.msg);
	sim_exec_free(x);
}

/* Every bundled scenario parses and states what --all expects of it. */
static void test_bundled_files(void **state)
{
	static const char *const files[] = {
		"scenarios/mm/fault_same_page.mmt",
		"scenarios/mm/fork_vs_write.mmt",
		"scenarios/mm/migrate_vs_write.mmt",
		"scenarios/mm/thp_fault_race.mmt",
		"scenarios/swap/swapin_skip_swapcache_race.mmt",
		"scenarios/uffd/uffd_fault_move.mmt",
		"scenarios/uffd/uffd_move_pmd_migration.mmt",
		"scenarios/uffd/uffd_move_pmd_split_migration.mmt",
		"scenarios/uffd/uffd_move_swap_missed.mmt",
		"scenarios/uffd/uffd_move_swap_missed_sync.mmt",
		"scenarios/uffd/uffd_move_swap_wrong.mmt",
		"scenarios/uffd/uffd_move_swapcache.mmt",
		"scenarios/uffd/uffd_move_swapcache_mthp.mmt",
		"scenarios/uffd/uffd_move_swapcache_one_vma.mmt",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char err[1024];
		struct scenario *sc = scenario_load(files[i], err, sizeof(err));
		bool clean = false;

		if (!sc)
			fail_msg("%s", err);
		assert_non_null(sc->summary);
		for (int v = 0; v < sc->nverdicts; v++)
			clean |= !sc->verdict[v].finding && !sc->verdict[v].without[0];
		if (!clean)
			fail_msg("%s: no `expect clean`", files[i]);
		scenario_free(sc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_defaults),
		cmocka_unit_test(test_header_directives),
		cmocka_unit_test(test_header_reaches_the_model),
		cmocka_unit_test(test_mmap_options),
		cmocka_unit_test(test_munmap_mprotect_mlock_madvise),
		cmocka_unit_test(test_access_sizes),
		cmocka_unit_test(test_narrow_store_swapped),
		cmocka_unit_test(test_fork_exit_process),
		cmocka_unit_test(test_migrate_split_reclaim_writeback),
		cmocka_unit_test(test_kill_and_fail_nth),
		cmocka_unit_test(test_thp_operation),
		cmocka_unit_test(test_userfaultfd_ops),
		cmocka_unit_test(test_readmsg_handler),
		cmocka_unit_test(test_userfault_corners),
		cmocka_unit_test(test_stress_same_word),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_names_across_cpus),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_explore_stress_replay),
		cmocka_unit_test(test_bundled_files),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
