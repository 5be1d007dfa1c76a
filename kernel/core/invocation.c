/*
 * Invocation dispatch: a Call whose capability is not an endpoint asks the
 * kernel to operate on the object. Look the cap up in the caller's CSpace,
 * gather the message, and hand it to the object's decoder.
 */
#include <arch.h>
#include <cspace.h>
#include <invocation.h>
#include <mica/cap.h>
#include <mica/errors.h>
#include <mica/message.h>
#include <tcb.h>

bool inv_mr(const struct invocation *inv, unsigned i, uint64_t *value)
{
    if (i >= inv->length || i >= MICA_MSG_MAX_LENGTH)
        return false;
    if (i < MICA_MSG_REGS_IN_CPU) {
        *value = inv->mr_regs[i];
        return true;
    }
    if (!inv->ipc)
        return false;
    *value = inv->ipc->mr[i];
    return true;
}

int inv_cap(const struct invocation *inv, unsigned i, struct cte **slot, uint64_t *detail)
{
    struct lookup l;
    *detail = 0;
    if (i >= inv->n_caps || !inv->ipc)
        return MICA_ERR_TRUNCATED;
    int err = cspace_lookup(&inv->thread->slots[TCB_SLOT_CSPACE].cap, inv->ipc->caps[i],
                            MICA_WORD_BITS, false, &l);
    if (err) {
        *detail = lookup_detail(&l);
        return err;
    }
    if (l.slot->cap.type == CAP_NULL)
        return *detail = i, MICA_ERR_INVALID_CAP;
    *slot = l.slot;
    return MICA_OK;
}

int inv_dest_slot(const struct invocation *inv, uint64_t index, uint64_t depth,
                  struct cte **dest, uint64_t *detail)
{
    struct cte *root;
    int err = inv_cap(inv, 0, &root, detail);
    if (err)
        return err;
    if (root->cap.type != CAP_CNODE)
        return *detail = 0, MICA_ERR_INVALID_CAP;
    if ((err = inv_lookup_slot(&root->cap, index, depth, dest, detail)))
        return err;
    if ((*dest)->cap.type != CAP_NULL)
        return *detail = 0, MICA_ERR_SLOT_OCCUPIED;
    return MICA_OK;
}

struct syscall_result invoke(struct tcb *t, struct cte *slot, const struct syscall_args *a)
{
    struct invocation inv = {
        .thread = t,
        .slot = slot,
        .label = mica_tag_label(a->arg[1]),
        .length = mica_tag_length(a->arg[1]),
        .n_caps = mica_tag_caps(a->arg[1]),
        .mr_regs = { a->arg[2], a->arg[3], a->arg[4], a->arg[5] },
        .ipc = tcb_ipc_buffer(t),
    };
    switch (slot->cap.type) {
    case CAP_CNODE: return cnode_invoke(&inv);
    case CAP_UNTYPED: return untyped_invoke(&inv);
    case CAP_FRAME: return frame_invoke(&inv);
    case CAP_TCB: return tcb_invoke(&inv);
    case CAP_PDPT:
    case CAP_PAGE_DIRECTORY:
    case CAP_PAGE_TABLE: return page_table_invoke(&inv);
    case CAP_IRQ_CONTROL: return irq_control_invoke(&inv);
    case CAP_IRQ_HANDLER: return irq_handler_invoke(&inv);
    case CAP_IOPORT_CONTROL: return ioport_control_invoke(&inv);
    case CAP_IOPORT: return ioport_invoke(&inv);
    case CAP_IOSPACE_CONTROL: return iospace_control_invoke(&inv);
    case CAP_IOSPACE: return iospace_invoke(&inv);
    case CAP_IO_PAGE_TABLE: return io_page_table_invoke(&inv);
    case CAP_NULL: return inv_error(MICA_ERR_INVALID_CAP, 0);
    default: return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv.label);
    }
}
