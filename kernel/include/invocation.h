/*
 * Decoding an invocation: a Call on a capability that is not an endpoint.
 * The syscall layer fills struct invocation; each object's decode function
 * checks every argument (no side effects), then performs the operation.
 */
#ifndef KERNEL_INVOCATION_H
#define KERNEL_INVOCATION_H

#include <cap.h>
#include <mica/message.h>
#include <mica/syscall.h>
#include <stdbool.h>
#include <stdint.h>
#include <syscall_dispatch.h>

struct tcb;

struct invocation {
    struct tcb *thread;
    struct cte *slot;    /* the invoked capability's slot */
    uint64_t label;
    unsigned length;     /* message registers supplied */
    unsigned n_caps;     /* extra capabilities supplied */
    uint64_t mr_regs[MICA_MSG_REGS_IN_CPU];
    struct mica_ipc_buffer *ipc; /* the caller's IPC buffer (kernel view), or NULL */
};

/* Message register i, if the caller supplied it. */
bool inv_mr(const struct invocation *inv, unsigned i, uint64_t *value);

/* Resolve extra capability i (named in the IPC buffer) to its slot.
 * Returns MICA_OK or an error with *detail set. */
int inv_cap(const struct invocation *inv, unsigned i, struct cte **slot, uint64_t *detail);

/* Resolve (index, depth) relative to the CNode cap `root` to a slot, exactly. */
int inv_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth, struct cte **slot,
                    uint64_t *detail);

/* The empty slot a new cap goes to: extra cap 0 is a CNode, (index, depth)
 * names the slot in it. MICA_ERR_INVALID_CAP if cap 0 is no CNode,
 * MICA_ERR_SLOT_OCCUPIED if the slot is not empty, or the lookup's error. */
int inv_dest_slot(const struct invocation *inv, uint64_t index, uint64_t depth,
                  struct cte **dest, uint64_t *detail);

/* Invoke the (non-endpoint) cap in `slot`, which t's CPtr argument named. */
struct syscall_result invoke(struct tcb *t, struct cte *slot, const struct syscall_args *a);

/* Per-object decoders. */
struct syscall_result cnode_invoke(struct invocation *inv);
struct syscall_result untyped_invoke(struct invocation *inv);
struct syscall_result frame_invoke(struct invocation *inv);
struct syscall_result tcb_invoke(struct invocation *inv);
struct syscall_result page_table_invoke(struct invocation *inv);
struct syscall_result irq_control_invoke(struct invocation *inv);
struct syscall_result irq_handler_invoke(struct invocation *inv);
struct syscall_result ioport_control_invoke(struct invocation *inv);
struct syscall_result ioport_invoke(struct invocation *inv);
struct syscall_result iospace_control_invoke(struct invocation *inv);
struct syscall_result iospace_invoke(struct invocation *inv);
struct syscall_result io_page_table_invoke(struct invocation *inv);
/* Frame_MapIO (iospace.c): map the invoked frame into an IOSpace. */
struct syscall_result frame_map_io(struct invocation *inv);

/* Resolve the VSpace cap passed as extra cap 0: its PML4 and ASID word. */
int inv_vspace(const struct invocation *inv, uint64_t *root, uint64_t *asid, uint64_t *detail);

static inline struct syscall_result inv_ok(uint64_t value)
{
    return (struct syscall_result){ 0, value };
}
static inline struct syscall_result inv_error(uint64_t status, uint64_t detail)
{
    return (struct syscall_result){ status, detail };
}
/* The result of an operation that may stop at a preemption point. */
static inline struct syscall_result inv_done_or_preempted(int op_status)
{
    return (struct syscall_result){ op_status ? SYSCALL_PREEMPTED : 0, 0 };
}

#endif
