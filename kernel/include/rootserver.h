/*
 * Building the root task at boot: its address space from the first boot
 * module's ELF image, stack, IPC buffer and boot-info pages.
 */
#ifndef KERNEL_ROOTSERVER_H
#define KERNEL_ROOTSERVER_H

#include <boot.h>
#include <tcb.h>

/*
 * Load the root task from bp->modules[0] into a new address space and set
 * up *t to enter it. On a bad module, prints why and halts the machine with
 * MICA_EXIT_BOOT_FAIL (never returns). Allocates from bp->mem; it must be
 * the last boot allocation, since it turns what is left into untyped.
 * Returns the boot info it filled in (kernel address) and, in *thread, the
 * root task's TCB, which like every TCB is reached through the direct map
 * (one object, one kernel address: pointer comparisons stay meaningful).
 */
const struct mica_bootinfo *rootserver_create(struct boot_params *bp, struct tcb **thread);

#endif
