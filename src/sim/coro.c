/*
 * coro.c - coroutine stacks and switches for the explore backend (see coro.h).
 */
#include "sim/coro.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define MMT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MMT_ASAN 1
#endif
#endif

#ifdef MMT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MMT_VALGRIND 1
#endif
#endif

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

/* The coroutine being switched away from, for the ASan hand-over. */
static _Thread_local struct coro *coro_prev;

int coro_stack_alloc(struct coro *co, size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t total;
	char *base;

	memset(co, 0, sizeof(*co));
	size = (size + (size_t)pg - 1) & ~((size_t)pg - 1);
	total = size + (size_t)pg;
	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -ENOMEM;
	/* The lowest page catches a stack overflow instead of corrupting memory. */
	if (mprotect(base, (size_t)pg, PROT_NONE)) {
		munmap(base, total);
		return -ENOMEM;
	}
	co->stack = base + pg;
	co->size = size;
#ifdef MMT_VALGRIND
	co->vg_id = VALGRIND_STACK_REGISTER(co->stack, (char *)co->stack + size);
#endif
#if !defined(__x86_64__)
	co->uctx = calloc(1, sizeof(ucontext_t));
	if (!co->uctx) {
		coro_stack_free(co);
		return -ENOMEM;
	}
#endif
	return 0;
}

void coro_stack_free(struct coro *co)
{
	long pg = sysconf(_SC_PAGESIZE);

	if (!co->stack)
		return;
#ifdef MMT_VALGRIND
	VALGRIND_STACK_DEREGISTER(co->vg_id);
#endif
	munmap((char *)co->stack - pg, co->size + (size_t)pg);
	free(co->uctx);
	memset(co, 0, sizeof(*co));
}

#if defined(__x86_64__)
void mmt_coro_swap(void **save_sp, void *load_sp);
void mmt_coro_trampoline(void);

void coro_prepare(struct coro *co, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)co->stack + co->size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 72);

#ifdef MMT_ASAN
	/* A previous run may have left redzones on this stack. */
	ASAN_UNPOISON_MEMORY_REGION(co->stack, co->size);
#endif
	/* Popped by mmt_coro_swap: r15 r14 r13 r12 rbx rbp, then ret. */
	sp[0] = 0;
	sp[1] = 0;
	sp[2] = (uint64_t)(uintptr_t)arg;	/* r13 */
	sp[3] = (uint64_t)(uintptr_t)fn;	/* r12 */
	sp[4] = 0;
	sp[5] = 0;
	sp[6] = (uint64_t)(uintptr_t)mmt_coro_trampoline;
	co->sp = sp;
	co->asan_fake = NULL;
}

static inline void coro_raw_switch(struct coro *from, struct coro *to)
{
	mmt_coro_swap(&from->sp, to->sp);
}
#else
void coro_prepare(struct coro *co, void (*fn)(void *), void *arg)
{
	ucontext_t *uc = co->uctx;

	getcontext(uc);
	uc->uc_stack.ss_sp = co->stack;
	uc->uc_stack.ss_size = co->size;
	uc->uc_link = NULL;
	/* makecontext passes ints; split the pointers. */
	makecontext(uc, (void (*)(void))fn, 1, arg);
	co->asan_fake = NULL;
}

static _Thread_local ucontext_t coro_main_uctx;

static inline void coro_raw_switch(struct coro *from, struct coro *to)
{
	ucontext_t *f = from->uctx ? from->uctx : &coro_main_uctx;
	ucontext_t *t = to->uctx ? to->uctx : &coro_main_uctx;

	swapcontext(f, t);
}
#endif

void coro_switch(struct coro *from, struct coro *to)
{
#ifdef MMT_ASAN
	__sanitizer_start_switch_fiber(&from->asan_fake, to->stack, to->size);
#endif
	coro_prev = from;
	coro_raw_switch(from, to);
#ifdef MMT_ASAN
	{
		const void *bottom;
		size_t size;

		__sanitizer_finish_switch_fiber(from->asan_fake, &bottom, &size);
		if (coro_prev && !coro_prev->stack) {
			coro_prev->stack = (void *)bottom;
			coro_prev->size = size;
		}
	}
#endif
}

void coro_switch_final(struct coro *from, struct coro *to)
{
#ifdef MMT_ASAN
	/* NULL: the fake stack of the dying coroutine can be released. */
	__sanitizer_start_switch_fiber(NULL, to->stack, to->size);
#endif
	coro_prev = from;
	coro_raw_switch(from, to);
	abort();	/* a finished coroutine was resumed: a bug in the scheduler */
}

void coro_started(void)
{
#ifdef MMT_ASAN
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	/* The main context has no allocated stack; learn its bounds here. */
	if (coro_prev && !coro_prev->uctx && coro_prev->stack == NULL) {
		coro_prev->stack = (void *)bottom;
		coro_prev->size = size;
	}
#endif
}
