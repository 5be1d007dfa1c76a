/*
 * Capabilities and capability slots.
 *
 * A capability is 32 bytes: its type, rights, a size, flags, the physical
 * address of the object it names, and two type-specific words. A slot (cte)
 * adds the derivation-tree links that make Revoke and Delete exact
 * (docs/capabilities.md). A CNode is an array of 2^radix slots; a slot is
 * exactly 2^MICA_SLOT_BITS bytes.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <mica/object.h>
#include <stdbool.h>
#include <stdint.h>

enum cap_type {
    CAP_NULL = 0,
    CAP_UNTYPED,
    CAP_TCB,
    CAP_ENDPOINT,
    CAP_NOTIFICATION,
    CAP_CNODE,
    CAP_VSPACE,
    CAP_PDPT,
    CAP_PAGE_DIRECTORY,
    CAP_PAGE_TABLE,
    CAP_FRAME,
    CAP_REPLY,  /* one-shot reply to a waiting caller (reply.c) */
    CAP_IRQ_CONTROL,     /* issues IRQ handlers (irq.c) */
    CAP_IRQ_HANDLER,     /* one interrupt line or MSI (irq.c) */
    CAP_IOPORT_CONTROL,  /* issues I/O port ranges (ioport.c) */
    CAP_IOPORT,          /* a range of I/O ports (ioport.c) */
    CAP_IOSPACE_CONTROL, /* issues IOSpaces (iospace.c) */
    CAP_IOSPACE,         /* one PCI function's DMA address space (iospace.c) */
    CAP_IO_PAGE_TABLE,   /* one level of an IOSpace's translation tables (iospace.c) */
    CAP_ZOMBIE, /* kernel-internal: an object being destroyed (cnode.c) */
    CAP_TYPE_COUNT
};

#define CAP_FLAG_DEVICE 0x1 /* untyped/frame: device memory, never zeroed or touched */

struct cap {
    uint8_t type;       /* enum cap_type */
    uint8_t rights;     /* MICA_RIGHT_* */
    uint8_t size_bits;  /* untyped: log2 bytes; cnode: radix (log2 slots); frame: log2 page size */
    uint8_t flags;      /* CAP_FLAG_* */
    union {
        struct {
            uint8_t guard_bits; /* cnode: guard length */
            uint8_t level;      /* IO page table: the translation level it is mapped at */
            uint8_t reserved[2];
        };
        uint32_t word0;     /* untyped: the zeroed mark; zombie: progress (accessors below) */
    };
    uint64_t paddr;     /* physical address of the object; for objects that are
                         * not memory: IRQ handler and IOSpace the kernel record
                         * of the line or device, IOPort the first port */
    uint64_t word1;     /* untyped: bytes used (watermark); cnode: guard value;
                         * endpoint/notification: badge; mapped objects: mapped vaddr;
                         * reply: the caller's TCB (kernel pointer);
                         * IOPort: the last port of the range;
                         * IRQ handler, IOSpace: kernel-defined (irq.c, iospace.c) */
    uint64_t word2;     /* mapped objects: ASID word of the vspace they are mapped in
                         * (vspace.h), or MAPPING_IO | the IOSpace word for DMA
                         * mappings (iospace.c), or 0;
                         * zombie: the zombie one level up (cnode.c) */
};

struct cte {
    struct cap cap;
    /* Derivation tree: a cap's children were derived from it (copies,
     * mints, or objects retyped from an untyped). Siblings form a doubly
     * linked list; caps to one object always stay contiguous in it. */
    struct cte *parent;
    struct cte *first_child;
    struct cte *next;
    struct cte *prev;
};

_Static_assert(sizeof(struct cap) == 32, "cap layout");
_Static_assert(sizeof(struct cte) == (1u << MICA_SLOT_BITS), "slot size matches the ABI");

static inline bool cap_is_null(const struct cap *c) { return c->type == CAP_NULL; }

/* Do two caps name the same object? Untyped caps are never copied, so an
 * untyped never "shares" its object, even with a child at the same address. */
static inline bool cap_same_object(const struct cap *a, const struct cap *b)
{
    return a->type == b->type && a->type != CAP_UNTYPED && a->type != CAP_NULL &&
           a->paddr == b->paddr && a->size_bits == b->size_bits;
}

const char *cap_type_name(unsigned type);

/*
 * Untyped: memory from the watermark (word1) up to the zeroed mark is known
 * to be zero (untyped.c). The mark counts UNTYPED_ZERO_CHUNK units and is
 * capped by the untyped's size; 32 bits of 64 KiB cover 2^48 bytes.
 */
#define UNTYPED_ZERO_CHUNK_BITS 16
_Static_assert(32 + UNTYPED_ZERO_CHUNK_BITS > MICA_UNTYPED_MAX_BITS, "zeroed mark fits");
static inline uint64_t untyped_zeroed(const struct cap *c)
{
    uint64_t z = (uint64_t)c->word0 << UNTYPED_ZERO_CHUNK_BITS, size = 1ull << c->size_bits;
    return z < size ? z : size;
}
/* Memory up to offset is zero: the mark is rounded down to a unit (it
 * never claims more), except at the end of the untyped. */
static inline void untyped_set_zeroed(struct cap *c, uint64_t offset)
{
    uint64_t size = 1ull << c->size_bits, unit = 1ull << UNTYPED_ZERO_CHUNK_BITS;
    c->word0 = (uint32_t)(offset >= size ? (size + unit - 1) / unit : offset / unit);
}
/* Nothing made from the untyped survives: all of it is free again. What
 * was used is not zero any more, so the zeroed mark starts over too. */
static inline void untyped_reset(struct cap *c)
{
    if (c->word1) {
        c->word1 = 0;
        c->word0 = 0;
    }
}

/*
 * Zombie: an object whose last capability was deleted but whose
 * destruction is not finished (cnode.c). It keeps the slot and the place
 * in the derivation tree of that last capability until it is done.
 *   rights     what is being destroyed (enum zombie_kind)
 *   paddr      the object: its slot array, or the endpoint/notification
 *   size_bits  log2 of the number of slots (ZOMBIE_SLOTS)
 *   word0      the index of the next slot to empty (progress)
 *   word1      for a top zombie (word2 == 0): the innermost zombie of its
 *              chain, where work goes on (a struct cte pointer); for an
 *              inner one: a zombie closer to the top (zombie_top())
 *   word2      the zombie whose object holds this one's slot, or 0
 */
enum zombie_kind { ZOMBIE_SLOTS, ZOMBIE_ENDPOINT, ZOMBIE_NOTIFICATION };
_Static_assert(MICA_CNODE_MAX_BITS < 32, "zombie progress fits word0");
static inline unsigned zombie_kind(const struct cap *c) { return c->rights; }
static inline uint32_t zombie_progress(const struct cap *c) { return c->word0; }
static inline void zombie_set_progress(struct cap *c, uint32_t i) { c->word0 = i; }
static inline struct cte *zombie_up(const struct cap *c) { return (struct cte *)c->word2; }
static inline struct cte *zombie_link(const struct cap *c) { return (struct cte *)c->word1; }
static inline void zombie_set_link(struct cap *c, struct cte *z) { c->word1 = (uint64_t)z; }

#endif
