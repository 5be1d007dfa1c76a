/*
 * Intel VT-d DMA remapping: the hardware side of IOSpaces (iommu.h).
 *
 * At boot every remapping unit the ACPI DMAR table lists (platform.iommu)
 * is taken over: its registers are mapped, a root table and context tables
 * are made from boot memory, the fault event interrupt is aimed at this
 * CPU, and translation is switched on. From then on a device reaches
 * memory only through a present context entry, and iospace.c writes one
 * only for a device that has an IOSpace with a root IO page table; every
 * other DMA is blocked and reported as a fault.
 *
 * Units of one PCI segment share one root table and one set of context
 * tables: a device's requests go only through the unit whose scope holds
 * it, so writing its context entry where every unit of the segment can see
 * it is exact without parsing the DMAR device scopes. Context tables exist
 * for the buses of the MCFG range (all 256 if there is none), allocated at
 * boot because the kernel allocates nothing afterwards (docs/objects/
 * iospace.md argues the cost). Legacy (not scalable) mode, second-level
 * tables only.
 *
 * Interrupt remapping is on when the DMAR table offers it and every unit
 * has it (ECAP.IR, with queued invalidation, ECAP.QI, which it needs): each
 * segment gets an interrupt remapping table of its own, the kernel writes
 * one entry per interrupt it issues (index = the kernel's IRQ number,
 * vector and destination of its choosing, the requester ID of the one
 * device, or I/O APIC, allowed to use it), and compatibility-format
 * interrupts are left blocked (GCMD.CFI clear). A device can then only
 * raise the interrupts issued to it; anything else is blocked and
 * reported like a DMA fault. Units then take every invalidation through
 * their invalidation queue; without remapping, through registers.
 *
 * Facts: Intel VT-d specification (register layout ch. 11, root and
 * context entries and second-level paging entries ch. 9, invalidation
 * ch. 6, fault recording ch. 7); QEMU hw/i386/intel_iommu.c behaves so.
 */
#include "cpu.h"
#include "x86.h"
#include <arch.h>
#include <bits.h>
#include <console.h>
#include <format.h>
#include <device.h>
#include <iommu.h>
#include <kstring.h>
#include <mica/device.h>
#include <mica/vspace.h>
#include <platform.h>

/* Registers (offsets in the unit's 4 KiB window). */
#define REG_CAP     0x08
#define REG_ECAP    0x10
#define REG_GCMD    0x18 /* 32-bit */
#define REG_GSTS    0x1c /* 32-bit */
#define REG_RTADDR  0x20
#define REG_CCMD    0x28
#define REG_FSTS    0x34 /* 32-bit */
#define REG_FECTL   0x38 /* 32-bit */
#define REG_FEDATA  0x3c
#define REG_FEADDR  0x40
#define REG_FEUADDR 0x44
#define REG_IQH     0x80
#define REG_IQT     0x88
#define REG_IQA     0x90
#define REG_IRTA    0xb8
#define REG_WINDOW  0x1000

/* CAP */
#define CAP_ND(c)     ((unsigned)((c) & 7)) /* 2^(4 + 2 ND) domain IDs */
#define CAP_RWBF      (1ull << 4)                         /* write buffer flush required */
#define CAP_CM        (1ull << 7)                         /* caching mode: not-present entries cached */
#define CAP_SAGAW(c)  ((unsigned)(((c) >> 8) & 0x1f))     /* bit 1: 3-level, bit 2: 4-level */
#define CAP_MGAW(c)   ((unsigned)(((c) >> 16) & 0x3f) + 1)
#define CAP_FRO(c)    ((unsigned)(((c) >> 24) & 0x3ff) * 16)
#define CAP_SLLPS_2M  (1ull << 34)
#define CAP_PSI       (1ull << 39)
#define CAP_NFR(c)    ((unsigned)(((c) >> 40) & 0xff) + 1)
#define CAP_MAMV(c)   ((unsigned)(((c) >> 48) & 0x3f))
#define CAP_DWD       (1ull << 54)
#define CAP_DRD       (1ull << 55)

/* ECAP */
#define ECAP_C        (1ull << 0)                         /* page walks snoop CPU caches */
#define ECAP_QI       (1ull << 1)                         /* queued invalidation */
#define ECAP_IR       (1ull << 3)                         /* interrupt remapping */
#define ECAP_IRO(e)   ((unsigned)(((e) >> 8) & 0x3ff) * 16)

/* GCMD / GSTS: a command bit and its status bit have the same position.
 * Writes to GCMD carry the persistent bits read from GSTS, without the
 * one-shot ones (SRTP, SFL, WBF, SIRTP). */
#define GCMD_TE   (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF  (1u << 27)
#define GCMD_QIE  (1u << 26)
#define GCMD_IRE  (1u << 25)
#define GCMD_SIRTP (1u << 24)
#define GCMD_CFI  (1u << 23) /* compatibility-format interrupts pass: never set */
#define GSTS_KEEP 0x96ffffffu

/* CCMD: context-cache invalidation. */
#define CCMD_ICC    (1ull << 63)
#define CCMD_GLOBAL (1ull << 61)

/* IOTLB invalidation register (at IRO + 8; IVA at IRO). */
#define IOTLB_IVT    (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DOMAIN (2ull << 60)
#define IOTLB_PAGE   (3ull << 60)
#define IOTLB_DR     (1ull << 49)
#define IOTLB_DW     (1ull << 48)
#define IOTLB_DID(d) ((uint64_t)(d) << 32)

/* FSTS / FECTL */
#define FSTS_PFO    (1u << 0)
#define FSTS_PPF    (1u << 1)
#define FSTS_IQE    (1u << 4) /* invalidation queue error */
#define FSTS_FRI(s) (((s) >> 8) & 0xff)
#define FECTL_IM    (1u << 31)

/* A fault recording register: 128 bits. Low: page address. High: */
#define FRCD_F       (1ull << 63)
#define FRCD_READ    (1ull << 62) /* T: 1 read, 0 write */
#define FRCD_FR(h)   ((unsigned)(((h) >> 32) & 0xff))
#define FRCD_SID(h)  ((unsigned)((h) & 0xffff))
#define FRCD_INDEX(l) ((unsigned)((l) >> 48)) /* interrupt faults: the IRTE index */
#define FR_INTERRUPT 0x20 /* reasons from here on are interrupt-remapping faults */

/* Invalidation queue: one page of 128-bit descriptors (IQA.QS 0: 256),
 * each two quadwords; IQT/IQH hold the index << 4. */
#define IQ_ENTRIES 256
#define INV_CONTEXT  0x1ull            /* context-cache invalidation */
#define INV_CC_GLOBAL (1ull << 4)
#define INV_IOTLB    0x2ull            /* IOTLB invalidation */
#define INV_IOTLB_G(g) ((g) >> 56)     /* IOTLB register granularity (bits 61:60) to bits 5:4 */
#define INV_IOTLB_DW (1ull << 6)
#define INV_IOTLB_DR (1ull << 7)
#define INV_DID(d)   ((uint64_t)(d) << 16)
#define INV_IEC      0x4ull            /* interrupt entry cache invalidation */
#define INV_IEC_INDEX (1ull << 4)      /* index-selective (else global) */
#define INV_IEC_IIDX(i) ((uint64_t)(i) << 32)
#define INV_WAIT     0x5ull            /* invalidation wait */
#define INV_WAIT_SW  (1ull << 5)       /* write the status word when done */
#define INV_WAIT_DATA(d) ((uint64_t)(d) << 32)

/* Interrupt remapping table: 16-byte entries; IRTA.S = log2(entries) - 1. */
#define IRT_ENTRIES 256
#define IRTA_S      7
#define IRTE_P      (1ull << 0)
#define IRTE_TM     (1ull << 4)        /* level triggered */
#define IRTE_V(v)   ((uint64_t)(v) << 16)
#define IRTE_DST(a) ((uint64_t)(a) << 40) /* xAPIC: APIC ID in DST bits 15:8 */
#define IRTE_SVT_SID (1ull << 18)      /* high half: verify the requester ID = SID */

/* Root entry (16 bytes, one per bus), context entry (16 bytes, one per
 * device/function): low then high quadword. */
#define ENTRY_P      1ull
#define CTX_AW_39    1ull /* 3-level tables */
#define CTX_AW_48    2ull /* 4-level tables */
#define CTX_DID(d)   ((uint64_t)(d) << 8)

/* Second-level paging entry. */
#define PTE_R    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7) /* a large page (level 1) */
#define PTE_ADDR 0x000ffffffffff000ull

#define TABLE_SIZE 4096
#define POLL_LIMIT 10000000u /* register polls before giving up */
#define MAX_BUSES 256

struct vtd_unit {
    volatile uint8_t *regs;
    uint64_t paddr, cap, ecap;
    unsigned iotlb;     /* offset of IVA; the IOTLB register follows */
    unsigned frcd, nfr; /* fault recording registers: offset, count */
    uint16_t segment;
    uint64_t *queue;    /* invalidation queue (IQ_ENTRIES), or NULL: registers */
    uint64_t queue_paddr;
    unsigned tail;      /* next free descriptor */
};

/* The root and context tables of one PCI segment, and its interrupt
 * remapping table (with remapping on). */
struct vtd_segment {
    uint16_t segment;
    uint8_t bus_first, bus_last; /* buses with a context table */
    uint64_t *root;              /* root table; context tables follow it */
    uint64_t root_paddr;
    uint64_t *irt;               /* IRT_ENTRIES entries of two quadwords */
    uint64_t irt_paddr;
};

struct iommu_config iommu_config;
static struct vtd_unit units[PLATFORM_MAX_IOMMUS];
static unsigned n_units;
static struct vtd_segment segments[PLATFORM_MAX_IOMMUS];
static unsigned n_segments;
static bool coherent = true;  /* every unit snoops CPU caches (ECAP.C) */
static bool caching_mode;     /* some unit caches not-present entries (CAP.CM) */
static uint64_t ctx_aw;       /* context entry AW field for the chosen levels */
static bool intremap;         /* interrupt remapping on (every unit) */
static volatile uint32_t wait_status; /* invalidation wait descriptors write here */
static uint32_t wait_token;

/* ------------------------------------------------------------ registers */

static uint32_t rd32(const struct vtd_unit *u, unsigned r)
{
    return *(volatile uint32_t *)(u->regs + r);
}
static uint64_t rd64(const struct vtd_unit *u, unsigned r)
{
    return *(volatile uint64_t *)(u->regs + r);
}
static void wr32(const struct vtd_unit *u, unsigned r, uint32_t v)
{
    *(volatile uint32_t *)(u->regs + r) = v;
}
static void wr64(const struct vtd_unit *u, unsigned r, uint64_t v)
{
    *(volatile uint64_t *)(u->regs + r) = v;
}

/* Wait until (register & mask) == want; false (and a message) if the unit
 * never gets there: the kernel must not hang on broken hardware. */
static bool poll(const struct vtd_unit *u, unsigned reg, bool wide, uint64_t mask, uint64_t want,
                 const char *what)
{
    for (unsigned i = 0; i < POLL_LIMIT; i++) {
        uint64_t v = wide ? rd64(u, reg) : rd32(u, reg);
        if ((v & mask) == want)
            return true;
        cpu_relax();
    }
    kprintf("iommu: unit at 0x%lx: %s timed out\n", u->paddr, what);
    return false;
}

/* Set or clear a persistent GCMD bit (TE, QIE) and wait for its status
 * bit to follow; also SRTP, whose status bit reads 1 once done. */
static bool gcmd(const struct vtd_unit *u, uint32_t bit, bool on, const char *what)
{
    uint32_t v = rd32(u, REG_GSTS) & GSTS_KEEP;
    wr32(u, REG_GCMD, on ? v | bit : v & ~bit);
    return poll(u, REG_GSTS, false, bit, on ? bit : 0, what);
}

/* One-shot commands whose status bit goes 1 -> 0 when done (WBF). */
static void gcmd_flush(const struct vtd_unit *u, uint32_t bit, const char *what)
{
    uint32_t v = rd32(u, REG_GSTS) & GSTS_KEEP;
    wr32(u, REG_GCMD, v | bit);
    poll(u, REG_GSTS, false, bit, 0, what);
}

/* ---------------------------------------------------------- invalidation */

/*
 * Queued invalidation (with interrupt remapping, which needs it for the
 * interrupt entry cache; a unit with the queue on ignores the register
 * commands). Every call queues one descriptor and an invalidation wait
 * whose status write says the unit is done: synchronous like the
 * register kind, and bounded. A unit that reports a queue error or never
 * writes the status is reported, not waited for forever.
 */
static void queue_one(struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
    uint64_t *d = &u->queue[2 * u->tail];
    d[0] = lo;
    d[1] = hi;
    iommu_sync(d, 16);
    u->tail = (u->tail + 1) % IQ_ENTRIES;
}

static void queue_submit(struct vtd_unit *u, uint64_t lo, uint64_t hi, const char *what)
{
    uint32_t token = ++wait_token;
    queue_one(u, lo, hi);
    queue_one(u, INV_WAIT | INV_WAIT_SW | INV_WAIT_DATA(token),
              arch_kernel_virt_to_phys((const void *)&wait_status));
    __asm__ volatile("mfence" ::: "memory");
    wr64(u, REG_IQT, (uint64_t)u->tail << 4);
    for (unsigned i = 0; i < POLL_LIMIT; i++) {
        if (wait_status == token)
            return;
        if (rd32(u, REG_FSTS) & FSTS_IQE) {
            kprintf("iommu: unit at 0x%lx: invalidation queue error at %s (descriptor 0x%lx)\n",
                    u->paddr, what, rd64(u, REG_IQH) >> 4);
            wr32(u, REG_FSTS, FSTS_IQE);
            return;
        }
        cpu_relax();
    }
    kprintf("iommu: unit at 0x%lx: %s (queued) timed out\n", u->paddr, what);
}

static void flush_write_buffer(const struct vtd_unit *u)
{
    if (u->cap & CAP_RWBF)
        gcmd_flush(u, GCMD_WBF, "write buffer flush");
}

static void invalidate_context_all(struct vtd_unit *u)
{
    if (u->queue) {
        queue_submit(u, INV_CONTEXT | INV_CC_GLOBAL, 0, "context-cache invalidation");
        return;
    }
    wr64(u, REG_CCMD, CCMD_ICC | CCMD_GLOBAL);
    poll(u, REG_CCMD, true, CCMD_ICC, 0, "context-cache invalidation");
}

static void invalidate_iotlb(struct vtd_unit *u, uint64_t granularity, unsigned domain,
                             uint64_t iova, unsigned order)
{
    uint64_t drain = ((u->cap & CAP_DRD) ? IOTLB_DR : 0) | ((u->cap & CAP_DWD) ? IOTLB_DW : 0);
    if (granularity == IOTLB_PAGE && (!(u->cap & CAP_PSI) || order > CAP_MAMV(u->cap)))
        granularity = IOTLB_DOMAIN; /* page-selective not offered: wider is correct */
    if (u->queue) {
        uint64_t lo = INV_IOTLB | INV_IOTLB_G(granularity) | INV_DID(domain) |
                      ((drain & IOTLB_DR) ? INV_IOTLB_DR : 0) |
                      ((drain & IOTLB_DW) ? INV_IOTLB_DW : 0);
        queue_submit(u, lo, granularity == IOTLB_PAGE ? iova | order : 0, "IOTLB invalidation");
        return;
    }
    if (granularity == IOTLB_PAGE)
        wr64(u, u->iotlb, iova | order); /* IVA: address, address mask (IH 0) */
    wr64(u, u->iotlb + 8, IOTLB_IVT | granularity | drain | IOTLB_DID(domain));
    poll(u, u->iotlb + 8, true, IOTLB_IVT, 0, "IOTLB invalidation");
}

/* Interrupt entry cache: one entry (index < IRT_ENTRIES) or all (~0u). */
static void invalidate_iec(struct vtd_unit *u, unsigned index)
{
    uint64_t lo = INV_IEC | (index == ~0u ? 0 : INV_IEC_INDEX | INV_IEC_IIDX(index));
    queue_submit(u, lo, 0, "interrupt entry cache invalidation");
}

/* ------------------------------------------------- tables and segments */

static struct vtd_segment *segment_of(uint64_t pci)
{
    for (unsigned i = 0; i < n_segments; i++)
        if (segments[i].segment == MICA_PCI_SEGMENT(pci))
            return &segments[i];
    return 0;
}

static void clflush_range(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;
    __asm__ volatile("mfence" ::: "memory");
    for (; a < end; a += 64)
        __asm__ volatile("clflush (%0)" ::"r"(a) : "memory");
    __asm__ volatile("mfence" ::: "memory");
}

void iommu_sync(const void *p, size_t len)
{
    if (!coherent)
        clflush_range(p, len);
    else
        __asm__ volatile("" ::: "memory");
}

/* The context entry of the device (two quadwords), or NULL. */
static uint64_t *context_entry(uint64_t pci)
{
    struct vtd_segment *s = segment_of(pci);
    unsigned bus = MICA_PCI_BUS(pci);
    if (!s || bus < s->bus_first || bus > s->bus_last)
        return 0;
    uint64_t *ctx = arch_phys_to_virt(s->root[2 * bus] & PTE_ADDR);
    return &ctx[2 * (pci & 0xff)]; /* device << 3 | function */
}

bool iommu_device_valid(uint64_t pci)
{
    return iommu_config.levels && pci <= MICA_PCI_ADDR_MAX && context_entry(pci);
}

/* After a context entry changed: every unit of the segment forgets cached
 * context entries and the translations of the domain. */
static void context_changed(uint64_t *e, uint64_t pci, unsigned domain)
{
    iommu_sync(e, 16);
    for (unsigned i = 0; i < n_units; i++) {
        struct vtd_unit *u = &units[i];
        if (u->segment != MICA_PCI_SEGMENT(pci))
            continue;
        flush_write_buffer(u);
        invalidate_context_all(u);
        invalidate_iotlb(u, IOTLB_DOMAIN, domain, 0, 0);
    }
}

void iommu_context_set(uint64_t pci, unsigned domain, uint64_t root)
{
    uint64_t *e = context_entry(pci);
    if (!e)
        return; /* iospace.c checked iommu_device_valid() */
    /* High half first: the unit may read the entry as soon as P is set. */
    e[1] = ctx_aw | CTX_DID(domain);
    __asm__ volatile("" ::: "memory");
    e[0] = (root & PTE_ADDR) | ENTRY_P; /* translation type 0: untranslated requests only */
    context_changed(e, pci, domain);
}

void iommu_context_clear(uint64_t pci, unsigned domain)
{
    uint64_t *e = context_entry(pci);
    if (!e)
        return;
    e[0] = 0;
    __asm__ volatile("" ::: "memory");
    e[1] = 0;
    context_changed(e, pci, domain);
}

/* --------------------------------------------------- page table entries */

uint64_t iommu_pte_table(uint64_t paddr)
{
    return (paddr & PTE_ADDR) | PTE_R | PTE_W;
}

uint64_t iommu_pte_page(uint64_t paddr, unsigned level, unsigned map_rights)
{
    uint64_t e = paddr & PTE_ADDR;
    if (map_rights & MICA_MAP_READ)
        e |= PTE_R;
    if (map_rights & MICA_MAP_WRITE)
        e |= PTE_W;
    return level ? e | PTE_PS : e;
}

bool iommu_pte_present(uint64_t e)
{
    return e & (PTE_R | PTE_W); /* second-level entries have no P bit */
}

bool iommu_pte_leaf(uint64_t e, unsigned level)
{
    return level == 0 || (e & PTE_PS);
}

uint64_t iommu_pte_addr(uint64_t e)
{
    return e & PTE_ADDR;
}

void iommu_pte_written(uint64_t *slot, uint64_t pci, unsigned domain, uint64_t iova,
                       unsigned level, bool was_present, bool was_leaf)
{
    iommu_sync(slot, sizeof(*slot));
    for (unsigned i = 0; i < n_units; i++) {
        struct vtd_unit *u = &units[i];
        if (u->segment != MICA_PCI_SEGMENT(pci))
            continue;
        flush_write_buffer(u);
        /* A unit in caching mode may hold the old not-present entry too. */
        if (!was_present && !(u->cap & CAP_CM))
            continue;
        if (was_leaf)
            invalidate_iotlb(u, IOTLB_PAGE, domain, iova, 9 * level);
        else /* a table: everything below it, and paging-structure caches */
            invalidate_iotlb(u, IOTLB_DOMAIN, domain, 0, 0);
    }
}

/* ---------------------------------------------------------------- faults */

static const char *fault_reason(unsigned r)
{
    switch (r) {
    case 0x1: return "root entry not present";
    case 0x2: return "context entry not present";
    case 0x3: return "invalid context entry";
    case 0x4: return "address beyond the address width";
    case 0x5: return "not mapped for writing";
    case 0x6: return "not mapped for reading";
    case 0x7: return "page-table entry unreadable";
    case 0x8: return "root table unreadable";
    case 0x9: return "context table unreadable";
    case 0xa: return "reserved bits in root entry";
    case 0xb: return "reserved bits in context entry";
    case 0xc: return "reserved bits in page-table entry";
    case 0xd: return "translation type blocked";
    case 0x20: return "reserved bits in the interrupt request";
    case 0x21: return "handle beyond the remapping table";
    case 0x22: return "remapping entry not present";
    case 0x23: return "remapping table unreadable";
    case 0x24: return "reserved bits in the remapping entry";
    case 0x25: return "compatibility format blocked";
    case 0x26: return "requester ID not the one the entry allows";
    }
    return "other";
}

/* A blocked interrupt request: the device's line, and its IOSpace's fault
 * word (I/O address 0, the reason, which is FR_INTERRUPT or above). */
static void report_interrupt_fault(const struct vtd_unit *u, uint64_t lo, uint64_t hi,
                                   const char *seg)
{
    uint64_t pci = (uint64_t)u->segment << 16 | FRCD_SID(hi);
    unsigned reason = FRCD_FR(hi);
    bool known = iospace_fault(pci, reason | MICA_IOFAULT_VALID);
    kprintf("iommu: interrupt blocked: device %s%02x:%02x.%u, handle 0x%x (reason 0x%x: %s)%s\n",
            seg, MICA_PCI_BUS(pci), MICA_PCI_DEVICE(pci), MICA_PCI_FUNCTION(pci),
            reason == 0x25 ? 0 : FRCD_INDEX(lo), reason, fault_reason(reason),
            known ? "" : "; the device has no IOSpace");
}

static void report_fault(const struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
    char seg[8] = "";
    if (u->segment)
        format_buf(seg, sizeof(seg), "%04x:", u->segment);
    if (FRCD_FR(hi) >= FR_INTERRUPT) {
        report_interrupt_fault(u, lo, hi, seg);
        return;
    }
    uint64_t pci = (uint64_t)u->segment << 16 | FRCD_SID(hi);
    bool write = !(hi & FRCD_READ);
    unsigned reason = FRCD_FR(hi);
    uint64_t addr = lo & ~0xfffull;
    bool known = iospace_fault(pci, addr | reason | (write ? MICA_IOFAULT_WRITE : 0) |
                                        MICA_IOFAULT_VALID);
    kprintf("iommu: DMA fault: device %s%02x:%02x.%u %s at I/O address 0x%lx blocked "
            "(reason %u: %s)%s\n",
            seg, MICA_PCI_BUS(pci), MICA_PCI_DEVICE(pci), MICA_PCI_FUNCTION(pci),
            write ? "write" : "read", addr, reason, fault_reason(reason),
            known ? "" : "; the device has no IOSpace");
}

/* Take every recorded fault out of the unit's fault recording registers. */
static void drain_unit(const struct vtd_unit *u)
{
    /* Each pass empties every register that holds a fault; a fault recorded
     * meanwhile sets F again and is found by the next pass. Bounded, in
     * case a unit keeps recording faster than this reads. */
    for (unsigned pass = 0; pass < 4; pass++) {
        uint32_t fsts = rd32(u, REG_FSTS);
        if (!(fsts & (FSTS_PPF | FSTS_PFO)))
            return;
        unsigned first = (fsts & FSTS_PPF) ? FSTS_FRI(fsts) % u->nfr : 0;
        for (unsigned k = 0; k < u->nfr; k++) {
            unsigned r = u->frcd + 16 * ((first + k) % u->nfr);
            uint64_t hi = rd64(u, r + 8);
            if (!(hi & FRCD_F))
                continue;
            uint64_t lo = rd64(u, r);
            wr32(u, r + 12, (uint32_t)(FRCD_F >> 32)); /* F is write-1-to-clear */
            report_fault(u, lo, hi);
        }
        if (fsts & FSTS_PFO) {
            kprintf("iommu: unit at 0x%lx: fault records overflowed; some DMA faults were "
                    "not recorded\n", u->paddr);
            wr32(u, REG_FSTS, FSTS_PFO);
        }
    }
}

void iommu_drain_faults(void)
{
    for (unsigned i = 0; i < n_units; i++)
        drain_unit(&units[i]);
}

void iommu_fault_interrupt(void)
{
    iommu_drain_faults();
}

/* ---------------------------------------------------- interrupt remapping */

bool iommu_intremap(void)
{
    return intremap;
}

/* Make every unit of the segment forget its cached copy of entry `index`. */
static void irte_changed(const struct vtd_segment *s, unsigned index)
{
    iommu_sync(&s->irt[2 * index], 16);
    for (unsigned i = 0; i < n_units; i++)
        if (units[i].segment == s->segment)
            invalidate_iec(&units[i], index);
}

/* Entry `index` of segment `s`: not present first, so no unit ever sees
 * half of an old entry with half of the new one. */
static void irte_write(struct vtd_segment *s, unsigned index, uint64_t lo, uint64_t hi)
{
    uint64_t *e = &s->irt[2 * index];
    if (e[0] & IRTE_P) {
        e[0] = 0;
        irte_changed(s, index);
    }
    e[1] = hi;
    __asm__ volatile("" ::: "memory");
    e[0] = lo;
    irte_changed(s, index);
}

bool vtd_irte_set(uint64_t pci, unsigned index, unsigned vector, unsigned apic_id, bool level,
                  bool verify)
{
    struct vtd_segment *s = intremap ? segment_of(pci) : 0;
    if (!s || index >= IRT_ENTRIES)
        return false;
    /* Fixed delivery, physical destination, no redirection hint. */
    uint64_t lo = IRTE_P | IRTE_V(vector & 0xff) | IRTE_DST(apic_id & 0xff) |
                  (level ? IRTE_TM : 0);
    uint64_t hi = verify ? IRTE_SVT_SID | (pci & 0xffff) : 0; /* SQ 0: all 16 bits compared */
    irte_write(s, index, lo, hi);
    return true;
}

void vtd_irte_clear(unsigned index)
{
    if (!intremap || index >= IRT_ENTRIES)
        return;
    for (unsigned i = 0; i < n_segments; i++)
        if (segments[i].irt[2 * index] & IRTE_P)
            irte_write(&segments[i], index, 0, 0);
}

/* ------------------------------------------------------------------ boot */

static unsigned lapic_id(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    return b >> 24; /* initial APIC ID */
}

/* Map the unit's registers and check what it offers. */
static bool probe(struct vtd_unit *u, const struct platform_iommu *p)
{
    u->paddr = p->paddr;
    u->segment = p->segment;
    u->regs = paging_map_mmio(p->paddr);
    u->cap = rd64(u, REG_CAP);
    u->ecap = rd64(u, REG_ECAP);
    u->iotlb = ECAP_IRO(u->ecap);
    u->frcd = CAP_FRO(u->cap);
    u->nfr = CAP_NFR(u->cap);
    /* Everything the kernel touches must lie in the one page mapped. */
    if (u->iotlb + 16 > REG_WINDOW || u->frcd + 16 * u->nfr > REG_WINDOW) {
        kprintf("iommu: unit at 0x%lx: IOTLB (0x%x) or fault registers (0x%x, %u) beyond "
                "its first page; unit not used\n", u->paddr, u->iotlb, u->frcd, u->nfr);
        return false;
    }
    if (!(CAP_SAGAW(u->cap) & 0x6)) {
        kprintf("iommu: unit at 0x%lx: no 3- or 4-level tables (SAGAW 0x%x); unit not used\n",
                u->paddr, CAP_SAGAW(u->cap));
        return false;
    }
    return true;
}

/* Root and context tables for each segment the units serve. */
static bool make_tables(struct memmap *mem)
{
    uint64_t limit = 1ull << 32;
    if (platform.dmar_host_address_width >= 32 && platform.dmar_host_address_width < 52)
        limit = 1ull << platform.dmar_host_address_width;
    for (unsigned i = 0; i < n_units; i++) {
        if (segment_of((uint64_t)units[i].segment << 16))
            continue;
        struct vtd_segment *s = &segments[n_segments];
        s->segment = units[i].segment;
        s->bus_first = 0;
        s->bus_last = MAX_BUSES - 1;
        if (platform.ecam && platform.ecam_segment == s->segment) {
            s->bus_first = platform.ecam_bus_first;
            s->bus_last = platform.ecam_bus_last;
        }
        unsigned buses = s->bus_last - s->bus_first + 1u;
        uint64_t size = (1ull + buses) * TABLE_SIZE;
        uint64_t pa = memmap_alloc(mem, size, TABLE_SIZE, limit);
        if (!pa) {
            kprintf("iommu: out of boot memory for the context tables of segment %u "
                    "(%lu KiB)\n", s->segment, size >> 10);
            return false;
        }
        s->root = arch_phys_to_virt(pa);
        s->root_paddr = pa;
        memset(s->root, 0, size);
        for (unsigned b = s->bus_first; b <= s->bus_last; b++)
            s->root[2 * b] = (pa + (1ull + b - s->bus_first) * TABLE_SIZE) | ENTRY_P;
        iommu_sync(s->root, size);
        if (intremap) {
            pa = memmap_alloc(mem, IRT_ENTRIES * 16, TABLE_SIZE, limit);
            if (!pa) {
                kprintf("iommu: out of boot memory for the interrupt remapping table of "
                        "segment %u\n", s->segment);
                return false;
            }
            s->irt = arch_phys_to_virt(pa);
            s->irt_paddr = pa;
            memset(s->irt, 0, IRT_ENTRIES * 16);
            iommu_sync(s->irt, IRT_ENTRIES * 16);
        }
        n_segments++;
    }
    for (unsigned i = 0; intremap && i < n_units; i++) {
        uint64_t pa = memmap_alloc(mem, TABLE_SIZE, TABLE_SIZE, limit);
        if (!pa) {
            kprintf("iommu: out of boot memory for the invalidation queues\n");
            return false;
        }
        units[i].queue = arch_phys_to_virt(pa);
        units[i].queue_paddr = pa;
        memset(units[i].queue, 0, TABLE_SIZE);
        iommu_sync(units[i].queue, TABLE_SIZE);
    }
    return true;
}

/* Point the unit at its segment's tables, aim its fault interrupt at this
 * CPU and switch translation on. */
static bool enable(struct vtd_unit *u)
{
    const struct vtd_segment *s = segment_of((uint64_t)u->segment << 16);
    uint32_t gsts = rd32(u, REG_GSTS);
    /* Whatever firmware left on goes off first: translation, interrupt
     * remapping, and queued invalidation (set up afresh below, or off:
     * it would forbid the register-based kind). */
    if ((gsts & GCMD_TE) && !gcmd(u, GCMD_TE, false, "disabling translation"))
        return false;
    if ((gsts & GCMD_IRE) && !gcmd(u, GCMD_IRE, false, "disabling interrupt remapping"))
        return false;
    if ((gsts & GCMD_CFI) && !gcmd(u, GCMD_CFI, false, "blocking compatibility interrupts"))
        return false;
    if ((gsts & GCMD_QIE) && !gcmd(u, GCMD_QIE, false, "disabling queued invalidation"))
        return false;
    wr64(u, REG_RTADDR, s->root_paddr); /* legacy mode: translation table mode 0 */
    if (!gcmd(u, GCMD_SRTP, true, "setting the root table"))
        return false;
    if (u->queue) {
        wr64(u, REG_IQT, 0);
        wr64(u, REG_IQA, u->queue_paddr); /* QS 0: one page; 128-bit descriptors */
        u->tail = 0;
        if (!gcmd(u, GCMD_QIE, true, "enabling queued invalidation"))
            return false;
    }
    flush_write_buffer(u);
    invalidate_context_all(u);
    invalidate_iotlb(u, IOTLB_GLOBAL, 0, 0, 0);
    if (u->queue) {
        /* xAPIC format (EIME 0); CFI stays clear: compatibility-format
         * interrupts are blocked once remapping is on. */
        wr64(u, REG_IRTA, s->irt_paddr | IRTA_S);
        if (!gcmd(u, GCMD_SIRTP, true, "setting the interrupt remapping table"))
            return false;
        invalidate_iec(u, ~0u);
        if (!gcmd(u, GCMD_IRE, true, "enabling interrupt remapping"))
            return false;
    }

    /* Fault event: an MSI to this CPU's local APIC, fixed delivery. */
    wr32(u, REG_FECTL, FECTL_IM);
    wr32(u, REG_FEDATA, VECTOR_IOMMU_FAULT);
    wr32(u, REG_FEADDR, 0xfee00000u | lapic_id() << 12);
    wr32(u, REG_FEUADDR, 0);
    drain_unit(u); /* anything recorded before now */
    wr32(u, REG_FECTL, 0);

    return gcmd(u, GCMD_TE, true, "enabling translation");
}

/* The widest table depth every unit supports, and the address width. */
static void choose_config(void)
{
    unsigned sagaw = 0x1f, mgaw = 64, nd = 6;
    bool large = true;
    for (unsigned i = 0; i < n_units; i++) {
        const struct vtd_unit *u = &units[i];
        sagaw &= CAP_SAGAW(u->cap);
        mgaw = CAP_MGAW(u->cap) < mgaw ? CAP_MGAW(u->cap) : mgaw;
        nd = CAP_ND(u->cap) < nd ? CAP_ND(u->cap) : nd;
        large = large && (u->cap & CAP_SLLPS_2M);
        coherent = coherent && (u->ecap & ECAP_C);
        caching_mode = caching_mode || (u->cap & CAP_CM);
    }
    unsigned agaw;
    if (sagaw & 0x4) {
        iommu_config.levels = 4, agaw = 48, ctx_aw = CTX_AW_48;
    } else if (sagaw & 0x2) {
        iommu_config.levels = 3, agaw = 39, ctx_aw = CTX_AW_39;
    } else {
        return; /* no depth common to all units */
    }
    iommu_config.address_bits = agaw < mgaw ? agaw : mgaw;
    iommu_config.domains = 1u << (4 + 2 * nd);
    iommu_config.large_pages = large;
}

void iommu_init(struct memmap *mem)
{
    for (unsigned i = 0; i < platform.n_iommus && i < PLATFORM_MAX_IOMMUS; i++)
        if (probe(&units[n_units], &platform.iommu[i]))
            n_units++;
    if (!n_units) {
        kprintf("iommu: none%s: DMA is not isolated; IOSpace invocations fail with "
                "MICA_ERR_NOT_SUPPORTED\n", platform.n_iommus ? " usable" : " (no DMAR table)");
        return;
    }
    choose_config();
    intremap = platform.dmar_intremap;
    for (unsigned i = 0; i < n_units; i++)
        intremap = intremap && (units[i].ecap & ECAP_IR) && (units[i].ecap & ECAP_QI);
    if (!iommu_config.levels) {
        kprintf("iommu: the units have no table depth in common; not used\n");
        return;
    }
    if (!make_tables(mem)) {
        iommu_config = (struct iommu_config){ 0 };
        intremap = false;
        return;
    }
    unsigned enabled = 0;
    for (unsigned i = 0; i < n_units; i++) {
        if (!enable(&units[i])) {
            kprintf("iommu: unit at 0x%lx could not be enabled; DMA through it is not "
                    "isolated\n", units[i].paddr);
            continue;
        }
        enabled++;
        kprintf("iommu: unit at 0x%lx (segment %u): DMA remapping on, %u-level tables, "
                "%u-bit I/O addresses, %u domains%s%s%s\n",
                units[i].paddr, units[i].segment, iommu_config.levels,
                iommu_config.address_bits, iommu_config.domains,
                iommu_config.large_pages ? ", 2 MiB pages" : "",
                coherent ? "" : ", not coherent", caching_mode ? ", caching mode" : "");
    }
    if (!enabled) {
        iommu_config = (struct iommu_config){ 0 };
        intremap = false;
        kprintf("iommu: none enabled: IOSpace invocations fail with MICA_ERR_NOT_SUPPORTED\n");
        return;
    }
    if (enabled < n_units)
        intremap = false; /* a unit that failed may pass any interrupt on */
    for (unsigned i = 0; i < n_segments; i++)
        kprintf("iommu: segment %u: context tables for buses %u-%u; devices without an "
                "IOSpace cannot do DMA; interrupt remapping %s\n",
                segments[i].segment, segments[i].bus_first, segments[i].bus_last,
                intremap ? "on (compatibility format blocked)"
                         : platform.dmar_intremap ? "off (a unit lacks it or queued invalidation)"
                                                  : "off (the DMAR table does not offer it)");
}
