/*
 * Start-up code of a root task: the kernel enters here with rsp 16-byte
 * aligned at the top of the stack and rdi = the boot-info address.
 */
    .text
    .global _start
_start:
    xor %ebp, %ebp
    call mica_start
    ud2
    .section .note.GNU-stack, "", @progbits
