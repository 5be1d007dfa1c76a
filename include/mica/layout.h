/*
 * User virtual address layout fixed by the ABI.
 *
 * User space is the lower canonical half. The last page below the canonical
 * hole is never mapped, so a `syscall` at the very end of user space can
 * never leave a non-canonical return address for `sysret`. Page 0 is never
 * mapped, so NULL dereferences always fault.
 *
 * The root task's ELF segments must lie in [MICA_USER_MIN, MICA_ROOT_AREA);
 * above that the kernel places the root task's stack, IPC buffer and
 * boot-info pages at the addresses below. The kernel enters the root task at
 * its ELF entry point with rsp = MICA_ROOT_STACK_TOP and rdi = the address of
 * its struct mica_bootinfo. A program the root task starts (a component)
 * gets the same layout from its parent (lib/libmica/process.c).
 */
#ifndef MICA_LAYOUT_H
#define MICA_LAYOUT_H

#define MICA_USER_MIN        0x0000000000001000ull
#define MICA_USER_TOP        0x00007ffffffff000ull /* exclusive */

#define MICA_ROOT_AREA       0x00007fff00000000ull
#define MICA_ROOT_STACK_PAGES 16
#define MICA_ROOT_STACK_TOP  0x00007fff00100000ull /* guard page below the stack */
#define MICA_ROOT_IPC_BUFFER 0x00007fff00200000ull
#define MICA_ROOT_BOOTINFO   0x00007fff00300000ull
/* Boot modules other than the root task, mapped read-only one after the
 * other from here (page-rounded, an unmapped page between two); each one's
 * address is in its struct mica_bootinfo_module. */
#define MICA_ROOT_MODULES    0x00007fff40000000ull
#define MICA_ROOT_MODULES_END 0x00007ffff0000000ull

/*
 * A protection domain of a system (include/mica/system.h) has the layout
 * above (its ELF segments, stack, IPC buffer and boot info) plus its PD
 * info pages, read-only, and its heap. Maps of the description must stay
 * below MICA_ROOT_AREA and clear of the heap and the program's segments.
 */
#define MICA_PD_INFO         0x00007fff00400000ull
#define MICA_PD_HEAP         0x0000100000000000ull
#define MICA_PD_HEAP_END     0x0000110000000000ull /* exclusive: at most 1 TiB */

#endif
