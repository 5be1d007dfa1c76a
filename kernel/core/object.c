/*
 * Object life cycle dispatch (see object.h). Each object type's own file
 * does the work; this file only maps types to it.
 */
#include <arch.h>
#include <stddef.h>
#include <cap.h>
#include <cspace.h>
#include <device.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/object.h>
#include <object.h>
#include <tcb.h>
#include <vspace.h>

static const char *const names[CAP_TYPE_COUNT] = {
    [CAP_NULL] = "null", [CAP_UNTYPED] = "untyped", [CAP_TCB] = "TCB",
    [CAP_ENDPOINT] = "endpoint", [CAP_NOTIFICATION] = "notification", [CAP_CNODE] = "CNode",
    [CAP_VSPACE] = "vspace", [CAP_PDPT] = "PDPT", [CAP_PAGE_DIRECTORY] = "page directory",
    [CAP_PAGE_TABLE] = "page table", [CAP_FRAME] = "frame", [CAP_REPLY] = "reply",
    [CAP_ZOMBIE] = "zombie", [CAP_IRQ_CONTROL] = "IRQ control", [CAP_IRQ_HANDLER] = "IRQ handler",
    [CAP_IOPORT_CONTROL] = "IO port control", [CAP_IOPORT] = "IO port",
    [CAP_IOSPACE_CONTROL] = "IOSpace control", [CAP_IOSPACE] = "IOSpace",
    [CAP_IO_PAGE_TABLE] = "IO page table",
};

const char *cap_type_name(unsigned type)
{
    return type < CAP_TYPE_COUNT ? names[type] : "?";
}

unsigned object_size_bits(unsigned type, unsigned size_bits)
{
    switch (type) {
    case MICA_OBJ_UNTYPED:
        return size_bits >= MICA_UNTYPED_MIN_BITS && size_bits <= MICA_UNTYPED_MAX_BITS ? size_bits : 0;
    case MICA_OBJ_CNODE:
        return size_bits >= MICA_CNODE_MIN_BITS && size_bits <= MICA_CNODE_MAX_BITS
                   ? size_bits + MICA_SLOT_BITS : 0;
    case MICA_OBJ_TCB: return MICA_TCB_BITS;
    case MICA_OBJ_ENDPOINT: return MICA_ENDPOINT_BITS;
    case MICA_OBJ_NOTIFICATION: return MICA_NOTIFICATION_BITS;
    case MICA_OBJ_VSPACE:
    case MICA_OBJ_PDPT:
    case MICA_OBJ_PAGE_DIRECTORY:
    case MICA_OBJ_PAGE_TABLE:
    case MICA_OBJ_IO_PAGE_TABLE: return MICA_PAGE_TABLE_BITS;
    case MICA_OBJ_FRAME_4K: return MICA_FRAME_4K_BITS;
    case MICA_OBJ_FRAME_2M: return MICA_FRAME_2M_BITS;
    }
    return 0;
}

static const uint8_t cap_types[MICA_OBJ_TYPE_COUNT] = {
    [MICA_OBJ_UNTYPED] = CAP_UNTYPED, [MICA_OBJ_TCB] = CAP_TCB,
    [MICA_OBJ_ENDPOINT] = CAP_ENDPOINT, [MICA_OBJ_NOTIFICATION] = CAP_NOTIFICATION,
    [MICA_OBJ_CNODE] = CAP_CNODE, [MICA_OBJ_VSPACE] = CAP_VSPACE, [MICA_OBJ_PDPT] = CAP_PDPT,
    [MICA_OBJ_PAGE_DIRECTORY] = CAP_PAGE_DIRECTORY, [MICA_OBJ_PAGE_TABLE] = CAP_PAGE_TABLE,
    [MICA_OBJ_FRAME_4K] = CAP_FRAME, [MICA_OBJ_FRAME_2M] = CAP_FRAME,
    [MICA_OBJ_IO_PAGE_TABLE] = CAP_IO_PAGE_TABLE,
};

struct cap object_create(unsigned type, uint64_t paddr, unsigned size_bits, bool device)
{
    struct cap c = {
        .type = cap_types[type],
        .rights = MICA_RIGHTS_ALL,
        .paddr = paddr,
        .flags = device ? CAP_FLAG_DEVICE : 0,
    };
    switch (type) {
    case MICA_OBJ_UNTYPED:
    case MICA_OBJ_CNODE: c.size_bits = (uint8_t)size_bits; break;
    case MICA_OBJ_FRAME_4K: c.size_bits = MICA_FRAME_4K_BITS; break;
    case MICA_OBJ_FRAME_2M: c.size_bits = MICA_FRAME_2M_BITS; break;
    case MICA_OBJ_TCB: tcb_init(arch_phys_to_virt(paddr), "", 0); break;
    case MICA_OBJ_VSPACE:
        arch_vspace_init(paddr);
        c.word1 = asid_assign(paddr); /* availability checked by the decoder */
        break;
    }
    return c;
}

bool object_slots(const struct cap *cap, uint64_t *slots_paddr, unsigned *count_bits)
{
    switch (cap->type) {
    case CAP_CNODE:
    case CAP_ZOMBIE:
        *slots_paddr = cap->paddr;
        *count_bits = cap->size_bits;
        return true;
    case CAP_TCB:
        *slots_paddr = cap->paddr + offsetof(struct tcb, slots);
        *count_bits = TCB_SLOT_BITS;
        return true;
    }
    return false;
}

void object_cap_deleted(struct cap *cap)
{
    bool mappable = cap->type == CAP_FRAME || cap->type == CAP_PDPT ||
                    cap->type == CAP_PAGE_DIRECTORY || cap->type == CAP_PAGE_TABLE ||
                    cap->type == CAP_IO_PAGE_TABLE;
    if (mappable && cap->word2)
        mapping_remove(cap);
    if (cap->type == CAP_REPLY)
        reply_cap_deleted(cap); /* unused: its caller gives up */
    if (cap->type == CAP_VSPACE)
        vspace_epoch++; /* threads re-check their address space before running */
}

void object_finalise(const struct cap *cap)
{
    switch (cap->type) {
    case CAP_VSPACE:
        asid_release(cap->word1);
        break;
    case CAP_TCB:
        tcb_finalise(arch_phys_to_virt(cap->paddr));
        break;
    case CAP_ENDPOINT:
        break; /* waiters: cancelled by the caller, in steps (cnode.c) */
    case CAP_NOTIFICATION:
        notification_finalise(arch_phys_to_virt(cap->paddr));
        break;
    case CAP_IRQ_HANDLER:
        irq_handler_finalise(cap);
        break;
    case CAP_IOPORT:
        ioport_finalise(cap);
        break;
    case CAP_IOSPACE:
        iospace_finalise(cap);
        break;
    default:
        break; /* nothing held beyond its memory */
    }
}
