/*
 * What the arch boot code hands to the generic kernel: the free physical
 * memory, the boot modules and the kernel command line.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <memmap.h>
#include <mica/bootinfo.h>
#include <stdint.h>

#define BOOT_MAX_MODULES (MICA_BOOTINFO_MAX_MODULES + 1) /* + the root task */

struct boot_module {
    uint64_t paddr;
    uint64_t size;
    const char *cmdline; /* "path args", kernel-readable, never NULL */
};

struct boot_params {
    struct memmap *mem;   /* free RAM; the boot allocator carves from it */
    struct memmap *device; /* physical address space for devices (never RAM) */
    uint64_t ram_total;   /* bytes of RAM in the firmware map */
    const char *cmdline;  /* kernel command line, never NULL */
    unsigned n_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
};

/* Generic boot, after the arch layer is up: never returns. */
__attribute__((noreturn)) void kernel_start(struct boot_params *bp);


#endif
