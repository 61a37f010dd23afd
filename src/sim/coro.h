/*
 * coro.h - stackful coroutines for the explore backend.
 *
 * Every simulated CPU of an explored execution is a coroutine on the one OS
 * thread that runs the explorer.  A switch saves six callee-saved registers
 * and the stack pointer and loads another set: a handful of instructions and
 * no system call (x86_64 assembly in coro_x86_64.S; other architectures fall
 * back to ucontext, which is correct but slower).
 *
 * ASan and valgrind are told about every stack and every switch, so the
 * sanitizer build sees coroutine stacks as stacks.
 *
 * Concurrency: a coroutine set belongs to one OS thread; nothing here is
 * thread-safe, and nothing needs to be.
 */
#ifndef MMT_SIM_CORO_H
#define MMT_SIM_CORO_H

#include <stddef.h>

struct coro {
	void *sp;		/* saved stack pointer while switched out */
	void *stack;		/* lowest address of the stack (NULL: the OS thread's own stack) */
	size_t size;		/* usable size of the stack */
	void *asan_fake;	/* ASan fake-stack handle while switched out */
	unsigned vg_id;		/* valgrind stack id */
	void *uctx;		/* ucontext fallback only */
};

/* Allocate a stack of @size bytes (plus a guard page).  Returns 0 or -ENOMEM. */
int coro_stack_alloc(struct coro *co, size_t size);
void coro_stack_free(struct coro *co);

/* Prepare @co to run @fn(@arg) from the top of its stack on the next switch to it.
 * @fn must never return; it ends by switching away with coro_switch_final(). */
void coro_prepare(struct coro *co, void (*fn)(void *), void *arg);

/* Save the running context into @from and resume @to. */
void coro_switch(struct coro *from, struct coro *to);

/* Resume @to; the running coroutine @from is finished and will only ever be
 * prepared afresh, never resumed. */
void coro_switch_final(struct coro *from, struct coro *to);

/* Called first thing by a freshly started coroutine (ASan bookkeeping). */
void coro_started(void);

#endif
