/*
 * Systems: the compiled system description and what each protection
 * domain is told about its resources.
 *
 * Two contracts live here, each with exactly one writer and one reader:
 *
 *  1. The **system image** (struct mica_sys_header and the tables after
 *     it). The host tool tools/mksystem compiles an XML system description
 *     (docs/system-description.md) into one file: this header, fixed-size
 *     record tables, and the program ELF images. It is a boot module; the
 *     root task (servers/init) checks it and builds the system from it.
 *
 *  2. The **PD info** pages (struct mica_pd_info) that init writes
 *     read-only into every protection domain at MICA_PD_INFO
 *     (include/mica/layout.h): the PD's name and one record per named
 *     resource, so a program finds its memory, channels and capabilities
 *     by the names of the description (lib/libmica/include/mica_pd.h),
 *     never by a hard-coded slot or address.
 *
 * All integers are little-endian, all offsets are from the start of the
 * image, all names are NUL-terminated within MICA_SYS_NAME_MAX bytes
 * (the rest of the array zero). Nothing in the image is a pointer.
 */
#ifndef MICA_SYSTEM_H
#define MICA_SYSTEM_H

#include <mica/layout.h>
#include <mica/types.h>

#define MICA_SYS_MAGIC   0x5359532e4143494dull /* "MICA.SYS" */
#define MICA_SYS_VERSION 1

/* A name: at most 31 characters from [A-Za-z0-9_.-], NUL-terminated. */
#define MICA_SYS_NAME_MAX 32

/* Channel ids of a PD, shared by channel ends and IRQs: 0 .. 62. The id is
 * the bit of the PD's notification word the channel signals. */
#define MICA_CHANNEL_MAX 63

/* Limits the tool enforces and init relies on. */
#define MICA_SYS_MAX_PDS       63
#define MICA_SYS_PRIORITY_MAX  254   /* 255 is init's own (the fault handler) */
#define MICA_PD_RESOURCES_MAX  192   /* records in one PD's info */
#define MICA_SYS_MAX_REGIONS   1024
#define MICA_SYS_MAX_ENDPOINTS 1024

/* Defaults for omitted attributes (docs/system-description.md). */
#define MICA_SYS_DEFAULT_PRIORITY   100
#define MICA_SYS_DEFAULT_STACK_SIZE 0x10000ull /* 64 KiB */
#define MICA_SYS_DEFAULT_HEAP_SIZE  0x10000ull /* 64 KiB */
#define MICA_SYS_DEFAULT_BUDGET     1000       /* microseconds; not enforced yet */
/* Largest stack: it grows down from MICA_ROOT_STACK_TOP and keeps an
 * unmapped guard page above MICA_ROOT_AREA. */
#define MICA_SYS_STACK_MAX  (MICA_ROOT_STACK_TOP - MICA_ROOT_AREA - MICA_PAGE_SIZE)
#define MICA_SYS_HEAP_MAX   (MICA_PD_HEAP_END - MICA_PD_HEAP)

/* One table of fixed-size records. */
struct mica_sys_table {
    uint32_t offset;     /* of the first record, from the image start; 8-byte aligned */
    uint32_t count;
    uint32_t entry_size; /* sizeof the record: init refuses any other */
    uint32_t reserved;
};

struct mica_sys_header {
    uint64_t magic;        /* MICA_SYS_MAGIC */
    uint32_t version;      /* MICA_SYS_VERSION */
    uint32_t header_size;  /* sizeof(struct mica_sys_header) */
    uint64_t image_size;   /* bytes of the whole image */
    char name[MICA_SYS_NAME_MAX]; /* the system: the description's file name without .system */
    struct mica_sys_table programs;      /* struct mica_sys_program */
    struct mica_sys_table pds;           /* struct mica_sys_pd */
    struct mica_sys_table regions;       /* struct mica_sys_region */
    struct mica_sys_table maps;          /* struct mica_sys_map */
    struct mica_sys_table channels;      /* struct mica_sys_channel */
    struct mica_sys_table irqs;          /* struct mica_sys_irq */
    struct mica_sys_table ioports;       /* struct mica_sys_ioport */
    struct mica_sys_table devices;       /* struct mica_sys_device */
    struct mica_sys_table bars;          /* struct mica_sys_bar */
    struct mica_sys_table endpoints;     /* struct mica_sys_endpoint */
    struct mica_sys_table endpoint_ends; /* struct mica_sys_endpoint_end */
    struct mica_sys_table untypeds;      /* struct mica_sys_untyped */
};

/* A program: an ELF image stored in the system image (4 KiB aligned).
 * Several PDs may run the same program. */
struct mica_sys_program {
    char name[MICA_SYS_NAME_MAX]; /* program_image path's file name */
    uint64_t offset;
    uint64_t size;
};

/* A protection domain. Records of other tables name it by its index. */
struct mica_sys_pd {
    char name[MICA_SYS_NAME_MAX];
    uint32_t program;    /* index into programs */
    uint32_t priority;   /* 0 .. MICA_SYS_PRIORITY_MAX */
    uint64_t budget;     /* microseconds; recorded, not enforced yet */
    uint64_t period;     /* microseconds; recorded, not enforced yet */
    uint64_t stack_size; /* bytes, page multiple, <= MICA_SYS_STACK_MAX */
    uint64_t heap_size;  /* bytes, page multiple (0: no heap) at MICA_PD_HEAP */
};

#define MICA_SYS_REGION_PHYS   0x1 /* paddr is fixed: device memory (MMIO) */
#define MICA_SYS_REGION_DEMAND 0x2 /* frames made on first touch by init's pager */

/* A memory region: allocated once, mapped into any number of PDs. */
struct mica_sys_region {
    char name[MICA_SYS_NAME_MAX];
    uint64_t size;      /* bytes, a multiple of the page size */
    uint64_t paddr;     /* MICA_SYS_REGION_PHYS only: page-aligned physical address */
    uint32_t page_bits; /* 12 (4 KiB) or 21 (2 MiB) */
    uint32_t flags;     /* MICA_SYS_REGION_* */
};

#define MICA_SYS_MAP_CACHED 0x1 /* write-back; else uncached */

/* A region mapped into a PD. */
struct mica_sys_map {
    char name[MICA_SYS_NAME_MAX]; /* resource name in that PD (default: the region's) */
    uint32_t pd;
    uint32_t region;
    uint64_t vaddr;     /* aligned to the region's page size */
    uint32_t perms;     /* MICA_MAP_READ | WRITE | EXEC (mica/vspace.h) */
    uint32_t flags;     /* MICA_SYS_MAP_* */
};

#define MICA_SYS_END_PP     0x1 /* this end may make protected calls to the other */
#define MICA_SYS_END_NOTIFY 0x2 /* this end may notify the other (default on) */

struct mica_sys_channel_end {
    uint32_t pd;
    uint32_t id;        /* channel id in that PD, < MICA_CHANNEL_MAX */
    uint32_t flags;     /* MICA_SYS_END_* */
    uint32_t reserved;
};

/* A channel between two different PDs. A PP end's PD must have a strictly
 * lower priority than the other end's. */
struct mica_sys_channel {
    struct mica_sys_channel_end end[2];
};

#define MICA_SYS_IRQ_ISA  1 /* number: ISA IRQ 0..15, routed per ACPI (bootinfo isa_gsi) */
#define MICA_SYS_IRQ_GSI  2 /* number: I/O APIC input; flags: MICA_IRQ_LEVEL/ACTIVE_LOW */
#define MICA_SYS_IRQ_MSI  3 /* number: index into devices (an MSI of that PCI function) */

/* An interrupt delivered to a PD as a notification on channel `id`. */
struct mica_sys_irq {
    char name[MICA_SYS_NAME_MAX]; /* resource name in that PD, "" if none given */
    uint32_t pd;
    uint32_t id;        /* channel id, < MICA_CHANNEL_MAX; not shared with a channel end */
    uint32_t kind;      /* MICA_SYS_IRQ_* */
    uint32_t number;
    uint32_t flags;     /* MICA_IRQ_* (mica/device.h); ISA: the ACPI default if 0 */
    uint32_t reserved;
};

/* A range of I/O ports given to a PD. */
struct mica_sys_ioport {
    char name[MICA_SYS_NAME_MAX];
    uint32_t pd;
    uint32_t base;      /* first port */
    uint32_t size;      /* ports; base + size <= 0x10000 */
    uint32_t reserved;
};

#define MICA_SYS_ANY_ID 0xffffffffu

/* A PCI function given to a PD: its IOSpace (with an IOMMU) and, through
 * bars and irqs, its registers and MSI. */
struct mica_sys_device {
    char name[MICA_SYS_NAME_MAX];
    uint32_t pd;
    uint32_t pci;       /* MICA_PCI_ADDR(segment, bus, device, function) */
    uint32_t vendor;    /* expected vendor ID, or MICA_SYS_ANY_ID */
    uint32_t device;    /* expected device ID, or MICA_SYS_ANY_ID */
};

/* (Part of) a device's memory BAR mapped uncached into its PD. */
struct mica_sys_bar {
    char name[MICA_SYS_NAME_MAX]; /* resource name */
    uint32_t device;    /* index into devices; the PD is the device's */
    uint32_t index;     /* BAR 0..5 */
    uint64_t vaddr;     /* page-aligned */
    uint64_t size;      /* bytes from the BAR's start, page multiple, <= BAR size */
    uint32_t perms;     /* MICA_MAP_READ | WRITE */
    uint32_t reserved;
};

/* A Mica endpoint for IPC of the program's own making (mica_call, mica_recv). */
struct mica_sys_endpoint {
    char name[MICA_SYS_NAME_MAX];
};

struct mica_sys_endpoint_end {
    char name[MICA_SYS_NAME_MAX]; /* resource name in that PD (default: the endpoint's) */
    uint32_t endpoint;  /* index into endpoints */
    uint32_t pd;
    uint32_t rights;    /* MICA_RIGHT_* (mica/cap.h) */
    uint32_t reserved;
    uint64_t badge;     /* 0: unbadged */
};

/* A RAM untyped of 2^size_bits bytes for the PD's own objects. */
struct mica_sys_untyped {
    char name[MICA_SYS_NAME_MAX];
    uint32_t pd;
    uint32_t size_bits; /* 12 .. 30 */
};

/* ------------------------------------------------------------------ PD info */

#define MICA_PD_INFO_MAGIC   0x4f464e4944502e41ull /* "A.PDINFO" */
#define MICA_PD_INFO_VERSION 1

/* Kinds of resource record. */
enum mica_resource_kind {
    MICA_RES_MEMORY = 1,   /* a mapped region: vaddr, size, flags = perms, value = paddr
                              of its first page (0 for demand-paged), cap = 0 */
    MICA_RES_CHANNEL = 2,  /* id; cap = notification to signal (0: may not notify) */
    MICA_RES_PPC = 3,      /* id; cap = endpoint for protected calls to the other end */
    MICA_RES_IRQ = 4,      /* id; cap = IRQHandler (Ack it); value = GSI, or MSI number if
                              flags has MICA_RES_IRQ_MSI; name as the description gives */
    MICA_RES_IOPORT = 5,   /* cap = IOPort; value = first port; size = ports */
    MICA_RES_DEVICE = 6,   /* value = PCI address; cap = its IOSpace (0 without an IOMMU) */
    MICA_RES_BAR = 7,      /* device registers: vaddr, size, value = paddr, flags = perms */
    MICA_RES_ENDPOINT = 8, /* cap = endpoint; flags = rights; value = badge */
    MICA_RES_UNTYPED = 9,  /* cap = untyped; size = bytes; value = paddr */
};

/* MICA_RES_MEMORY flags beyond the perms. */
#define MICA_RES_UNCACHED 0x100
#define MICA_RES_DEMAND   0x200

/* MICA_RES_IRQ flags: what its value is. */
#define MICA_RES_IRQ_MSI  0x400 /* an MSI number (msi); else a GSI (isa after ACPI routing, gsi) */

struct mica_pd_resource {
    char name[MICA_SYS_NAME_MAX]; /* "" for CHANNEL and PPC (they go by id); an IRQ's
                                      name if the description gave it one */
    uint32_t kind;      /* enum mica_resource_kind */
    uint32_t id;        /* channel id (CHANNEL, PPC, IRQ) */
    uint32_t flags;
    uint32_t reserved;
    uint64_t vaddr;
    uint64_t size;
    uint64_t cap;       /* slot in the PD's CSpace, 0 if none */
    uint64_t value;
};

/* The badge a PD's notification word shows for channel `id`, and the badge
 * of a protected call arriving through channel `id` (bit 63 tells the two
 * apart on the PD's endpoint). */
#define MICA_CHANNEL_BADGE(id) (1ull << (id))
#define MICA_PPC_BADGE_FLAG    (1ull << 63)
#define MICA_PPC_BADGE(id)     (MICA_PPC_BADGE_FLAG | (mica_word_t)(id))

struct mica_pd_info {
    uint64_t magic;       /* MICA_PD_INFO_MAGIC */
    uint32_t version;     /* MICA_PD_INFO_VERSION */
    uint32_t size;        /* sizeof(struct mica_pd_info) */
    char name[MICA_SYS_NAME_MAX];   /* this PD */
    char system[MICA_SYS_NAME_MAX]; /* the system it belongs to */
    uint32_t priority;
    uint32_t n_resources;
    uint64_t notification; /* cap: the PD's notification, bound to its thread */
    uint64_t endpoint;     /* cap: where protected calls to it arrive (read right); 0 if none */
    uint64_t heap_base, heap_size;   /* heap_size 0: no heap */
    uint64_t stack_top, stack_size;
    uint64_t slot_free_first, slot_free_end; /* empty slots of its CSpace */
    struct mica_pd_resource res[MICA_PD_RESOURCES_MAX];
};

#define MICA_PD_INFO_PAGES ((sizeof(struct mica_pd_info) + MICA_PAGE_SIZE - 1) / MICA_PAGE_SIZE)

#endif
