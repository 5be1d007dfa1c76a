/*
 * Reply capabilities (docs/objects/reply.md). A Call that reaches its
 * receiver leaves the caller BLOCKED_REPLY and puts a reply cap naming it
 * in the receiver's reply slot. Invariant: a reply cap exists exactly
 * while its caller is BLOCKED_REPLY, and caller->reply_cte points at it.
 * Reply caps have no place in the derivation tree (no parent, no
 * children) and cannot be copied, only moved (CNode_Move, SaveCaller).
 */
#include <cnode.h>
#include <fault.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/fault.h>
#include <mica/message.h>
#include <mica/syscall.h>
#include <mica/tcb.h>
#include <sched.h>
#include <tcb.h>

void reply_setup(struct tcb *caller, struct tcb *server, bool can_grant)
{
    struct cte *slot = &server->slots[TCB_SLOT_REPLY];
    if (slot->cap.type != CAP_NULL)
        cte_delete_now(slot); /* an unsaved older reply: its caller is cancelled */
    reply_cap_make(slot, caller, can_grant);
}

/* A reply to a fault: resume (with new registers) or suspend the caller. */
static void fault_reply(struct tcb *caller, struct tcb *server)
{
    uint64_t tag = arch_ctx_tag(&server->ctx), w[MICA_USER_CONTEXT_WORDS];
    unsigned n = mica_tag_length(tag);
    caller->fault_kind = FAULT_NONE;
    if (mica_tag_label(tag) != MICA_FAULT_REPLY_RESUME) {
        caller->state = THREAD_INACTIVE;
        return;
    }
    if (n > MICA_USER_CONTEXT_WORDS)
        n = MICA_USER_CONTEXT_WORDS;
    const struct mica_ipc_buffer *b = tcb_ipc_buffer(server);
    for (unsigned i = 0; i < n; i++)
        w[i] = i < MICA_MSG_REGS_IN_CPU ? arch_ctx_mr(&server->ctx, i) : b->mr[i];
    if (n)
        tcb_write_user_regs(caller, w, n); /* a bad FS/GS base is ignored */
    sched_wake(caller);
}

void reply_deliver(struct tcb *server, struct cte *slot)
{
    struct tcb *caller = reply_caller(&slot->cap);
    bool can_grant = slot->cap.rights & MICA_RIGHT_GRANT;
    reply_cap_clear(slot);
    if (caller->fault_kind != FAULT_NONE) {
        fault_reply(caller, server);
        return;
    }
    ipc_transfer(server, caller, 0, can_grant, 0);
    sched_wake(caller);
}

void reply_cap_deleted(const struct cap *c)
{
    struct tcb *caller = reply_caller(c);
    caller->reply_cte = 0;
    ipc_cancel_wake(caller);
}

void reply_cap_moved(struct cte *to)
{
    reply_caller(&to->cap)->reply_cte = to;
}
