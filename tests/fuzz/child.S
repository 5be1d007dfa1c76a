/*
 * The fuzzer's child threads: an endless loop of random system calls made
 * from a random state in r12 (set by whoever writes the thread's
 * registers). The loop keeps everything in registers that system calls
 * preserve and never reads or writes memory (except its two tables, read
 * only), so it runs the same from any of its instructions, with any
 * register values, and two threads sharing a stack or an IPC buffer cannot
 * hurt each other or the fuzzer in whose address space they run. The
 * kernel reads their extra message words and caps from their IPC buffers,
 * which the fuzzer fills (docs/fuzzing.md).
 *
 * Choices that keep the fuzzer alive: no debug call that halts, output
 * only from Debug_Write of at most 15 bytes, every message label is non-zero (so a reply to a fault never resumes the
 * faulting thread at a register value from here), message register 2 is
 * at most 255 (it is rip for TCB_WriteRegisters).
 */
    /* A page of its own (code and tables), so the fuzzer can copy it into
     * a frame and map it at the same address in a pool VSpace. */
    .section .text.fzchild, "ax", @progbits
    .balign 4096
    .global fz_child_entry
    .global fz_child_end
    .global fz_child_numbers
fz_child_entry:
1:
    /* r12: 64-bit LCG state; r13: its output, mixed. */
    movabs $6364136223846793005, %rax
    imul %rax, %r12
    movabs $1442695040888963407, %rax
    add %rax, %r12
    mov %r12, %r13
    mov %r13, %rax
    shr $33, %rax
    xor %rax, %r13
    movabs $0xff51afd7ed558ccd, %rax
    imul %rax, %r13
    mov %r13, %rax
    shr $33, %rax
    xor %rax, %r13

    /* A CPU exception now and then (no fault endpoint: the thread stops). */
    mov %r13, %rax
    shr $54, %rax
    cmp $0x3ff, %rax
    jne 2f
    ud2
2:
    /* rdi: a slot of the child's CSpace (CPtr = slot), or a random word. */
    mov %r13, %rdi
    shr $4, %rdi
    and $0xff, %rdi
    mov %r13, %rax
    shr $12, %rax
    test $15, %al
    jnz 3f
    mov %r12, %rdi
3:
    /* rsi: the tag: label from the table, 0..7 message words, 0..3 caps
     * (mostly none). */
    mov %r13, %rax
    shr $16, %rax
    and $31, %rax
    lea labels(%rip), %rcx
    movzwq (%rcx,%rax,2), %rsi
    shl $16, %rsi
    mov %r13, %rax
    shr $21, %rax
    and $7, %rax
    or %rax, %rsi
    mov %r13, %rax
    shr $24, %rax
    mov %rax, %rcx
    shr $2, %rcx
    and %rcx, %rax
    and $3, %rax
    shl $7, %rax
    or %rax, %rsi

    /* Message registers 0-3. */
    mov %r13, %rdx
    shr $27, %rdx
    and $0x1ff, %rdx
    mov %r13, %r10
    shr $37, %r10
    and $0x7f, %r10
    bt $36, %r13
    jnc 4f
    mov $8, %r10              /* the depth of a slot in a pool CNode */
4:
    mov %r13, %r8
    shr $44, %r8
    and $0xff, %r8
    mov %r12, %r9

    /* rax: the call number from the table. */
    mov %r13, %rax
    and $15, %rax
    lea numbers(%rip), %rcx
    movsbq (%rcx,%rax,1), %rax
    cmp $-65, %rax
    jne 5f
    /* Debug_Write: up to 15 bytes from the page-table area of a pool
     * VSpace (0x10000000, where the fuzzer maps frames, device frames
     * among them); unmapped in the fuzzer's own address space. */
    mov %r13, %rdi
    shr $8, %rdi
    and $0x1ffff, %rdi
    add $0x10000000, %rdi
    mov %r13, %rsi
    shr $40, %rsi
    and $15, %rsi
5:
    syscall
    jmp 1b

numbers:
fz_child_numbers:
    /* Call, ReplyRecv, Send, NBSend, Recv, NBRecv, Reply, Yield, more
     * Calls (invocations), Sends and NBRecvs, DebugCapIdentify,
     * DebugTicks, a non-negative number (an UnknownSyscall fault),
     * DebugWrite (the fuzzer may patch it out: docs/fuzzing.md). */
    .byte -1, -2, -3, -4, -5, -6, -7, -8, -1, -1, -3, -6, -68, -67, 7, -65
    .balign 2
labels:
    /* Invocation labels (include/mica/invocation.h) and a few others;
     * never 0. */
    .short 1, 16, 17, 18, 19, 20, 21, 22, 32, 33, 35, 37, 38, 39, 42, 43
    .short 48, 49, 64, 65, 66, 67, 68, 84, 85, 86, 90, 93, 100, 104, 3, 0xffff
    .balign 4096
fz_child_end:
    .section .note.GNU-stack, "", @progbits
