/*
 * User faults (docs/faults.md). A thread whose TCB holds a fault endpoint
 * cap sends its fault there as a Call made on its behalf and waits for the
 * handler's reply; the message is built when the handler receives it, from
 * the fault recorded in the TCB and the thread's registers. A thread
 * without a fault endpoint is reported on the console in one line and
 * stopped; the kernel carries on. The report format is relied on by the
 * boot test cases (tests/boot).
 */
#include <arch.h>
#include <console.h>
#include <fault.h>
#include <format.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/fault.h>
#include <mica/tcb.h>
#include <tcb.h>

_Static_assert(MICA_FAULT_SYSCALL_LENGTH == MICA_USER_CONTEXT_WORDS,
               "an unknown-syscall message carries every register");

void fault_stop(struct tcb *t, const struct fault *f, const char *why)
{
    const char *sep = why ? "; " : "", *reason = why ? why : "";
    char detail[96];
    /* The text is made only here: a fault that goes to a handler costs no
     * formatting. */
    if (f->detail)
        format_buf(detail, sizeof(detail), "%s", f->detail);
    else if (f->kind == FAULT_PAGE)
        format_buf(detail, sizeof(detail), "%s, %s%s",
                   (f->error & MICA_PF_IFETCH) ? "instruction fetch"
                   : (f->error & MICA_PF_WRITE) ? "write" : "read",
                   (f->error & MICA_PF_PRESENT) ? "protection violation" : "not present",
                   (f->error & MICA_PF_RSVD) ? ", reserved bit set" : "");
    else
        format_buf(detail, sizeof(detail), "error code 0x%lx", f->error);
    switch (f->kind) {
    case FAULT_PAGE:
        kprintf("mica: fault: thread '%s': %s at address 0x%lx (%s), rip 0x%lx%s%s; thread stopped\n",
                t->name, f->what, f->addr, detail, f->ip, sep, reason);
        break;
    case FAULT_UNKNOWN_SYSCALL:
        kprintf("mica: fault: thread '%s': unknown syscall %lu at rip 0x%lx%s%s; thread stopped\n",
                t->name, f->code, f->ip, sep, reason);
        break;
    case FAULT_EXCEPTION:
    case FAULT_NONE:
        kprintf("mica: fault: thread '%s': %s (%s) at rip 0x%lx%s%s; thread stopped\n", t->name,
                f->what, detail, f->ip, sep, reason);
        break;
    }
    t->fault_kind = FAULT_NONE;
    t->state = THREAD_STOPPED;
}

void fault_handle(struct tcb *t, const struct fault *f)
{
    const struct cap *ep = &t->slots[TCB_SLOT_FAULT_EP].cap;
    t->restart_walk = 0; /* a faulting thread is not repeating a Revoke */
    if (ep->type != CAP_ENDPOINT) {
        fault_stop(t, f, 0);
        return;
    }
    t->fault_kind = (uint8_t)f->kind;
    t->fault_ip = f->ip;
    t->fault_addr = f->addr;
    t->fault_code = f->code;
    t->fault_error = f->error;
    /* Configure admitted the cap only with the write right. A fault reply
     * never carries caps. */
    endpoint_send(arch_phys_to_virt(ep->paddr), t, ep->word1, IPC_FLAG_CALL);
}

uint64_t fault_message(const struct tcb *t, uint64_t *w, unsigned *n)
{
    switch (t->fault_kind) {
    case FAULT_PAGE:
        w[MICA_FAULT_PAGE_IP] = t->fault_ip;
        w[MICA_FAULT_PAGE_ADDR] = t->fault_addr;
        w[MICA_FAULT_PAGE_ERROR] = t->fault_error;
        *n = MICA_FAULT_PAGE_LENGTH;
        return MICA_FAULT_PAGE;
    case FAULT_UNKNOWN_SYSCALL: {
        struct mica_user_context u;
        arch_context_to_user(&t->ctx, &u);
        u.fs_base = t->fs_base;
        u.gs_base = t->gs_base;
        const uint64_t *r = (const uint64_t *)&u;
        for (unsigned i = 0; i < MICA_USER_CONTEXT_WORDS; i++)
            w[i] = r[i];
        *n = MICA_FAULT_SYSCALL_LENGTH;
        return MICA_FAULT_UNKNOWN_SYSCALL;
    }
    default:
        w[MICA_FAULT_EXC_IP] = t->fault_ip;
        w[MICA_FAULT_EXC_VECTOR] = t->fault_code;
        w[MICA_FAULT_EXC_ERROR] = t->fault_error;
        w[MICA_FAULT_EXC_SP] = arch_ctx_sp(&t->ctx);
        w[MICA_FAULT_EXC_FLAGS] = arch_ctx_flags(&t->ctx);
        *n = MICA_FAULT_EXC_LENGTH;
        return MICA_FAULT_EXCEPTION;
    }
}
