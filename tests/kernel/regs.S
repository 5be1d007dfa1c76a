/*
 * int ktest_spin_with_patterns(unsigned long iterations)
 *
 * Fill every general register (and xmm0/xmm1) with a distinct pattern, spin
 * `iterations` times checking that none of them changed, and return 0 if
 * they all held, 1 otherwise. Timer interrupts taken during the spin must
 * save and restore the full user state for this to pass.
 */
#define CHECK_REG(pattern, reg)     \
    movabs $pattern, %rdi;          \
    cmp %rdi, reg;                  \
    jne 2f

    .text
    .global ktest_spin_with_patterns
ktest_spin_with_patterns:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, %rcx
    movabs $0x1111111111111111, %rax
    movabs $0x2222222222222222, %rbx
    movabs $0x3333333333333333, %rdx
    movabs $0x4444444444444444, %rsi
    movabs $0x5555555555555555, %rbp
    movabs $0x8888888888888888, %r8
    movabs $0x9999999999999999, %r9
    movabs $0xaaaaaaaaaaaaaaaa, %r10
    movabs $0xbbbbbbbbbbbbbbbb, %r11
    movabs $0xcccccccccccccccc, %r12
    movabs $0xdddddddddddddddd, %r13
    movabs $0xeeeeeeeeeeeeeeee, %r14
    movabs $0xf0f0f0f0f0f0f0f0, %r15
    movq %rax, %xmm0
    movq %rbx, %xmm1
1:
    CHECK_REG(0x1111111111111111, %rax)
    CHECK_REG(0x2222222222222222, %rbx)
    CHECK_REG(0x3333333333333333, %rdx)
    CHECK_REG(0x4444444444444444, %rsi)
    CHECK_REG(0x5555555555555555, %rbp)
    CHECK_REG(0x8888888888888888, %r8)
    CHECK_REG(0x9999999999999999, %r9)
    CHECK_REG(0xaaaaaaaaaaaaaaaa, %r10)
    CHECK_REG(0xbbbbbbbbbbbbbbbb, %r11)
    CHECK_REG(0xcccccccccccccccc, %r12)
    CHECK_REG(0xdddddddddddddddd, %r13)
    CHECK_REG(0xeeeeeeeeeeeeeeee, %r14)
    CHECK_REG(0xf0f0f0f0f0f0f0f0, %r15)
    movq %xmm0, %rdi
    cmp %rdi, %rax
    jne 2f
    movq %xmm1, %rdi
    cmp %rdi, %rbx
    jne 2f
    dec %rcx
    jnz 1b
    xor %eax, %eax
    jmp 3f
2:  mov $1, %eax
3:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/*
 * int ktest_syscall_preserves(long number)
 *
 * Make system call `number` (arguments 0) with patterns in every register
 * the ABI says the kernel preserves (rbx, rbp, r12-r15, rsp), and return 0 if
 * they survived, 1 otherwise.
 */
    .global ktest_syscall_preserves
ktest_syscall_preserves:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, %rax
    xor %edi, %edi
    xor %esi, %esi
    movabs $0x2222222222222222, %rbx
    movabs $0x5555555555555555, %rbp
    movabs $0xcccccccccccccccc, %r12
    movabs $0xdddddddddddddddd, %r13
    movabs $0xeeeeeeeeeeeeeeee, %r14
    movabs $0xf0f0f0f0f0f0f0f0, %r15
    mov %rsp, %rdx
    push %rdx                 /* remember rsp (stack memory, checked below) */
    syscall
    pop %rdx
    cmp %rdx, %rsp
    jne 2f
    CHECK_REG(0x2222222222222222, %rbx)
    CHECK_REG(0x5555555555555555, %rbp)
    CHECK_REG(0xcccccccccccccccc, %r12)
    CHECK_REG(0xdddddddddddddddd, %r13)
    CHECK_REG(0xeeeeeeeeeeeeeeee, %r14)
    CHECK_REG(0xf0f0f0f0f0f0f0f0, %r15)
    xor %eax, %eax
    jmp 3f
2:  mov $1, %eax
3:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
/*
 * int ktest_store_with_patterns(volatile uint32_t *addr, uint32_t value,
 *                               unsigned long iterations)
 *
 * Fill every other general register (and xmm0/xmm1) with a pattern, store
 * `value` at `addr` (a device register whose write raises an interrupt),
 * spin `iterations` times, and return 0 if every register (rsp, addr and
 * value included) still holds what it held, 1 otherwise. The interrupt
 * arrives right after the store, while the patterns are live.
 */
    .global ktest_store_with_patterns
ktest_store_with_patterns:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdx, %rcx
    mov %rsp, %rdx
    push %rdx                 /* remember rsp (stack memory, checked below) */
    movabs $0x1111111111111111, %rax
    movabs $0x2222222222222222, %rbx
    movabs $0x3333333333333333, %rdx
    movabs $0x5555555555555555, %rbp
    movabs $0x8888888888888888, %r8
    movabs $0x9999999999999999, %r9
    movabs $0xaaaaaaaaaaaaaaaa, %r10
    movabs $0xbbbbbbbbbbbbbbbb, %r11
    movabs $0xcccccccccccccccc, %r12
    movabs $0xdddddddddddddddd, %r13
    movabs $0xeeeeeeeeeeeeeeee, %r14
    movabs $0xf0f0f0f0f0f0f0f0, %r15
    movq %rax, %xmm0
    movq %rbx, %xmm1
    movq %rdi, %xmm2
    movq %rsi, %xmm3
    movl %esi, (%rdi)
1:  dec %rcx
    jnz 1b
    movq %xmm2, %rcx
    cmp %rcx, %rdi
    jne 2f
    movq %xmm3, %rcx
    cmp %rcx, %rsi
    jne 2f
    CHECK_REG(0x1111111111111111, %rax)
    CHECK_REG(0x2222222222222222, %rbx)
    CHECK_REG(0x3333333333333333, %rdx)
    CHECK_REG(0x5555555555555555, %rbp)
    CHECK_REG(0x8888888888888888, %r8)
    CHECK_REG(0x9999999999999999, %r9)
    CHECK_REG(0xaaaaaaaaaaaaaaaa, %r10)
    CHECK_REG(0xbbbbbbbbbbbbbbbb, %r11)
    CHECK_REG(0xcccccccccccccccc, %r12)
    CHECK_REG(0xdddddddddddddddd, %r13)
    CHECK_REG(0xeeeeeeeeeeeeeeee, %r14)
    CHECK_REG(0xf0f0f0f0f0f0f0f0, %r15)
    movq %xmm0, %rdi
    cmp %rdi, %rax
    jne 2f
    movq %xmm1, %rdi
    cmp %rdi, %rbx
    jne 2f
    pop %rdx
    cmp %rdx, %rsp
    jne 4f
    xor %eax, %eax
    jmp 3f
2:  pop %rdx
4:  mov $1, %eax
3:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
    .section .note.GNU-stack, "", @progbits
