/*
 * The boot-info page: what the kernel tells the root task at start-up.
 *
 * The kernel maps one struct mica_bootinfo read-only at MICA_ROOT_BOOTINFO
 * (include/mica/layout.h) and passes its address in rdi. It is the single
 * definition used by the kernel and by user code; host tools may include it.
 */
#ifndef MICA_BOOTINFO_H
#define MICA_BOOTINFO_H

#include <mica/device.h>
#include <mica/types.h>

#define MICA_BOOTINFO_MAGIC   0x4f464e49544f4f42ull /* "BOOTINFO" */
#define MICA_BOOTINFO_VERSION 3

#define MICA_BOOTINFO_MAX_UNTYPED 192
#define MICA_BOOTINFO_MAX_MODULES 8
#define MICA_BOOTINFO_CMDLINE_MAX 256

/* Slots of the root task's initial CSpace. */
#define MICA_CAP_NULL            0 /* always empty */
#define MICA_CAP_INIT_TCB        1 /* the root task's own thread */
#define MICA_CAP_INIT_CNODE      2 /* its root CNode (this CSpace) */
#define MICA_CAP_INIT_VSPACE     3 /* its address space (PML4) */
#define MICA_CAP_INIT_IPC_BUFFER 4 /* the frame of its IPC buffer */
#define MICA_CAP_BOOTINFO_FRAME  5 /* the first frame of this boot info */
#define MICA_CAP_IRQ_CONTROL     6 /* issues IRQHandler caps (docs/objects/irq.md) */
#define MICA_CAP_IOPORT_CONTROL  7 /* issues IOPort caps (docs/objects/ioport.md) */
#define MICA_CAP_IOSPACE_CONTROL 8 /* issues IOSpace caps (docs/objects/iospace.md) */
#define MICA_CAP_FIRST_DYNAMIC   16 /* untyped caps start here */

#define MICA_ROOT_CNODE_BITS 12

/* Flags of an untyped region. */
/* bootinfo.cpu_protections: turned on whenever the CPU has them
 * (docs/security.md). */
#define MICA_CPU_SMEP 0x1 /* the kernel never executes user pages */
#define MICA_CPU_SMAP 0x2 /* the kernel never reads or writes user pages through user addresses */
#define MICA_CPU_UMIP 0x4 /* sgdt, sidt, sldt, smsw and str fault in user mode */

#define MICA_UNTYPED_DEVICE 0x1 /* device memory (MMIO): frames only, never zeroed */

/*
 * A naturally aligned block of physical memory of 2^size_bits bytes that
 * the root task receives as an Untyped capability.
 */
struct mica_bootinfo_untyped {
    uint64_t paddr;
    uint8_t size_bits;
    uint8_t flags;
    uint8_t reserved[6];
};

/* A Multiboot module other than the root task itself, still in memory. */
struct mica_bootinfo_module {
    uint64_t paddr;
    uint64_t size;
    uint64_t vaddr; /* where the root task can read it (MICA_ROOT_MODULES...) */
    char cmdline[MICA_BOOTINFO_CMDLINE_MAX]; /* "path args" as given to the boot loader */
};

struct mica_bootinfo {
    uint64_t magic;   /* MICA_BOOTINFO_MAGIC */
    uint32_t version; /* MICA_BOOTINFO_VERSION */
    uint32_t size;    /* sizeof(struct mica_bootinfo) */

    uint64_t ram_total; /* bytes of RAM reported by the firmware memory map */
    uint64_t ram_free;  /* bytes of RAM handed out as untyped */
    uint64_t ram_kernel; /* bytes kept by the kernel (image, boot structures, root task) */

    uint64_t ipc_buffer;  /* user address of the root task's IPC buffer */
    uint64_t stack_top;   /* user address just above the root task's stack */

    /* The root task's CSpace: one CNode of 2^root_cnode_bits slots, guarded
     * so that a CPtr is simply a slot number. Fixed caps are in the
     * MICA_CAP_* slots below; untyped[i]'s cap is in slot_untyped_first + i;
     * slots [slot_empty_first, slot_empty_end) are empty. */
    uint64_t slot_untyped_first;
    uint64_t slot_empty_first;
    uint64_t slot_empty_end;
    uint32_t root_cnode_bits;
    uint32_t reserved1;

    uint32_t timer_hz;    /* kernel timer interrupt frequency */
    uint32_t cpu_protections; /* MICA_CPU_*: the CPU protections the kernel turned on */

    struct mica_bootinfo_platform platform; /* interrupts, PCI, IOMMU (mica/device.h) */

    char cmdline[MICA_BOOTINFO_CMDLINE_MAX];        /* root task's own arguments */
    char kernel_cmdline[MICA_BOOTINFO_CMDLINE_MAX]; /* the kernel's command line */

    /* Set by a parent, never by the kernel (0 for the root task): the
     * user address of this program's PD info (include/mica/system.h,
     * lib/libmica/include/mica_pd.h) when it is a protection domain of a
     * system. */
    uint64_t pd_info;

    uint32_t n_modules;
    uint32_t n_untyped;
    struct mica_bootinfo_module modules[MICA_BOOTINFO_MAX_MODULES];
    struct mica_bootinfo_untyped untyped[MICA_BOOTINFO_MAX_UNTYPED];
};

#define MICA_BOOTINFO_PAGES \
    ((sizeof(struct mica_bootinfo) + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE)

#endif
