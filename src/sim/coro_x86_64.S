/*
 * coro_x86_64.S - the context switch of the explore backend (System V x86_64).
 *
 * mmt_coro_swap(void **save_sp, void *load_sp): push the callee-saved
 * registers, store the stack pointer through save_sp, load load_sp and pop
 * the other context's registers.  The caller-saved registers are dead across
 * the call by the ABI, so this is the whole context.
 *
 * mmt_coro_trampoline: first "return address" of a prepared stack; calls
 * the entry function kept in r12 with the argument kept in r13.
 */
	.text
	.globl	mmt_coro_swap
	.type	mmt_coro_swap, @function
mmt_coro_swap:
	.cfi_startproc
#ifdef __CET__
	endbr64
#endif
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	mmt_coro_swap, .-mmt_coro_swap

	.globl	mmt_coro_trampoline
	.type	mmt_coro_trampoline, @function
mmt_coro_trampoline:
	.cfi_startproc
	.cfi_undefined rip
#ifdef __CET__
	endbr64
#endif
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	mmt_coro_trampoline, .-mmt_coro_trampoline

	.section .note.GNU-stack,"",@progbits
