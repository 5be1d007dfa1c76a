/*
 * init, the root task: builds the system described by the compiled system
 * image (include/mica/system.h) and stays on as its fault handler and
 * pager. docs/init.md describes what it does; this header is the state its
 * parts share:
 *
 *   main.c     boot summary, PCI scan, finding the image, the phases
 *   alloc.c    RAM (every untyped), init's slots, the cap store
 *   image.c    checking the image completely before anything is built
 *   build.c    protection domains, regions, maps, channels, endpoints, untyped
 *   devices.c  IRQs, I/O ports, PCI devices, BARs, MSI, IOSpaces
 *   pdinfo.c   each PD's info pages and boot info
 *   faults.c   the fault loop, the demand pager, fault reports
 *
 * Every function that can fail returns 0 or -1; on -1 it has written why
 * into the failure message (fail(), failure()), in words a user can act on.
 */
#ifndef INIT_H
#define INIT_H

#include <elf.h>
#include <mica/system.h>
#include <mica_device.h>
#include <mica_pci.h>
#include <stdbool.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n); /* libmica string.c */
void *memset(void *dst, int c, size_t n);

/* ------------------------------------------------------------ limits */

/* Pages of demand-paged regions init can back, all regions together: the
 * size of its table of (region, page) -> frame. Each demand-paged region
 * gets a slice of its own, as many entries as it has pages, when the
 * image is checked (a description asking for more is refused then); the
 * build then checks that RAM and store slots are left for every one of
 * those pages, so no PD's demand faults can use up another's. */
#define INIT_DEMAND_PAGES 65536
/* Store CNodes (alloc.c) of 2^INIT_STORE_BITS slots each. */
#define INIT_STORE_BITS 10
#define INIT_MAX_STORES 256
/* A PD's CSpace: at least 2^INIT_PD_CNODE_MIN_BITS slots and at least half
 * of them free; 2^INIT_PD_CNODE_UNTYPED_BITS if it has untyped memory to
 * make objects from. */
#define INIT_PD_CNODE_MIN_BITS     8
#define INIT_PD_CNODE_UNTYPED_BITS 12
/* Slots of a PD's CSpace: the root-task layout's fixed caps (1-4), then
 * its notification and endpoint, then one per resource. */
#define INIT_PD_SLOT_NOTIFICATION MICA_CAP_FIRST_DYNAMIC
#define INIT_PD_SLOT_ENDPOINT     (MICA_CAP_FIRST_DYNAMIC + 1)
#define INIT_PD_SLOT_RESOURCES    (MICA_CAP_FIRST_DYNAMIC + 2)

/* Addresses in init's own address space. */
#define INIT_PCI_WINDOW 0x0000700000000000ull /* PCI configuration space */
#define INIT_COPY_PAGE  0x0000600000000000ull /* a page being filled for a PD */

/* ------------------------------------------------------------ failures */

/* Set the failure message (printf-style); returns -1. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Put "context: " in front of the failure message; returns -1. */
int fail_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *failure(void);
/* "s" unless n is 1: "1 PD", "2 PDs". */
#define PLURAL(n) ((n) == 1 ? "" : "s")
/* Stop the machine: status 0 when there was nothing to do, else 1. */
__attribute__((noreturn)) void init_halt(int status);

/* ------------------------------------------------------------ alloc.c */

/* A cap kept in a store CNode: init never invokes it again, so it does
 * not need a slot of init's own CSpace (4096 slots for everything). */
typedef uint32_t store_ref;

/* Scratch slots of init's CSpace: a cap lives there only between being
 * made (or copied) and being used, then it moves on (store_put). */
extern mica_cptr_t scratch_frame, scratch_table, scratch_cap;

int alloc_init(const struct mica_bootinfo *bi);
/* Make one object from RAM into (root CNode cap in init's CSpace, slot
 * `offset` of it); *paddr (if not NULL) gets its physical address. */
int ram_alloc(unsigned type, unsigned size_bits, mica_cptr_t root, mica_word_t offset,
              uint64_t *paddr);
/* The same into a slot of init's CSpace. */
int ram_alloc_slot(unsigned type, unsigned size_bits, mica_cptr_t slot, uint64_t *paddr);
/* A new slot of init's own CSpace (kept for good). */
int slot_take(mica_cptr_t *slot, const char *what);
/* Move the cap in init's slot into the store; the slot is empty after. */
int store_put(mica_cptr_t slot, store_ref *ref);
/* Make an object straight into the store. */
int store_alloc(unsigned type, unsigned size_bits, store_ref *ref, uint64_t *paddr);
/* Copy a stored cap into init's (empty) slot, to invoke it. */
int store_copy_out(store_ref ref, mica_cptr_t slot);
/* For the boot summary and docs/init.md: what has been used. */
void alloc_report(void);
/* "64 KiB", "2 MiB", ... into buf. */
int size_text(char *buf, unsigned long n, uint64_t bytes);
uint64_t ram_free_bytes(void);
unsigned slots_free(void);
/* Store slots left (in store CNodes made and yet to be made). */
uint64_t store_slots_free(void);
/* The allocator for init's own PCI window (mica_devmem, mica_pci). */
extern struct mica_aspace init_aspace;

/* Map a frame in init's slot into a VSpace, making (and storing) the page
 * tables that are missing. */
int vm_map(mica_cptr_t vspace, mica_cptr_t frame, mica_word_t vaddr, unsigned rights,
           unsigned cache);

/* ------------------------------------------------------------ image.c */

struct image {
    const uint8_t *base;
    uint64_t size;            /* the header's image_size */
    unsigned module;          /* boot module number (init is 1) */
    const char *path;         /* the module's command line */
    const struct mica_sys_header *h;
    const struct mica_sys_program *programs;
    const struct mica_sys_pd *pds;
    const struct mica_sys_region *regions;
    const struct mica_sys_map *maps;
    const struct mica_sys_channel *channels;
    const struct mica_sys_irq *irqs;
    const struct mica_sys_ioport *ioports;
    const struct mica_sys_device *devices;
    const struct mica_sys_bar *bars;
    const struct mica_sys_endpoint *endpoints;
    const struct mica_sys_endpoint_end *endpoint_ends;
    const struct mica_sys_untyped *untypeds;
    unsigned n_programs, n_pds, n_regions, n_maps, n_channels, n_irqs, n_ioports, n_devices,
        n_bars, n_endpoints, n_endpoint_ends, n_untypeds;
    struct elf_image elf[MICA_SYS_MAX_PDS]; /* each program, parsed */
};

extern struct image img;

/* Does this boot module look like a system image (its magic)? */
bool image_is_system(const struct mica_bootinfo_module *m);
/* Check everything in the module; fill img. On a problem print one line
 * naming it and return false. */
bool image_check(const struct mica_bootinfo_module *m, unsigned module);
/* Resource records a PD's info will hold (counted as image_check does). */
unsigned image_pd_resources(unsigned pd);

/* ------------------------------------------------------------ build.c */

struct pd {
    const struct mica_sys_pd *sys;
    const char *name;
    const struct elf_image *elf;
    mica_cptr_t tcb, cnode, vspace; /* in init's CSpace */
    mica_cptr_t ntfn, ep;           /* its notification, its endpoint (0: none) */
    unsigned cnode_bits;
    mica_word_t slot_next;          /* next free slot of its CSpace */
    unsigned image_pages;
};

extern struct pd pds[MICA_SYS_MAX_PDS];

/* A region's frames (eager: made at build; phys: device frames;
 * demand-paged: made by the pager, faults.c). */
struct region_state {
    store_ref first;    /* eager: frame i is first + i */
    uint64_t paddr;     /* of its first page (0: demand-paged) */
    uint64_t pages;     /* of its page size */
    uint32_t demand;    /* demand-paged: its slice of the pager's table starts here */
};
extern struct region_state regions[MICA_SYS_MAX_REGIONS];

/* Build everything; false (after printing why) if the system cannot start. */
bool build_system(const struct mica_bootinfo *bi, struct mica_pci *pci, struct mica_devmem *dm,
                  bool have_pci);
/* Start every PD, highest priority first. */
void start_system(void);

/* In the PD's CSpace: the next free slot, or -1 (failure set) if full. */
int pd_slot(struct pd *p, mica_word_t *slot);
/* Map a copy of the frame in init's `frame` slot into the PD at vaddr;
 * the copy is stored. */
int pd_map_copy(struct pd *p, mica_cptr_t frame, mica_word_t vaddr, unsigned rights,
                unsigned cache);

/* ------------------------------------------------------------ devices.c */

struct devices_env {
    const struct mica_bootinfo *bi;
    struct mica_pci *pci;
    struct mica_devmem *dm;
    bool have_pci;
};

/* Give PD p its IRQs, I/O ports, PCI devices (IOSpace, BARs, MSI). */
int build_devices(struct pd *p, unsigned index, const struct devices_env *env);
/* A device frame for a physical region's page (cap in init's CSpace). */
int device_frame(struct mica_devmem *dm, uint64_t paddr, unsigned bits, mica_cptr_t *frame);

/* Fill a fresh page mapped in the PD at vaddr: len bytes from src at
 * `offset` in the page, zeroes elsewhere (src NULL: all zeroes). */
int pd_page(struct pd *p, mica_word_t vaddr, unsigned rights, const void *src,
            mica_word_t offset, mica_word_t len);

/* ------------------------------------------------------------ pdinfo.c */

/* The PD info being assembled for the PD under construction. */
void pdinfo_begin(const struct pd *p);
struct mica_pd_resource *pdinfo_add(unsigned kind, const char *name);
unsigned pdinfo_count(void);
/* Write its info pages and boot info into the PD (read-only). */
int pdinfo_write(struct pd *p, const struct mica_bootinfo *bi);

/* ------------------------------------------------------------ faults.c */

/* init's fault endpoint; PD i's faults arrive with badge i + 1. */
extern mica_cptr_t fault_ep;

/* Give each demand-paged region its slice of the pager's table, and
 * check that what the pager may still need for all of them (frames, page
 * tables, store slots) is left once the system is built. */
int demand_reserve(void);
/* Handle faults forever. */
__attribute__((noreturn)) void fault_loop(void);

#endif
