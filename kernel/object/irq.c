/*
 * IRQControl and IRQHandler: device interrupts as notification signals
 * (docs/objects/irq.md).
 *
 * The kernel keeps one record per interrupt it can hand out (arch.h: GSIs
 * 0 .. ARCH_IRQ_GSIS-1, then the MSIs), in a static table. IRQControl
 * issues a handler cap for a record that has none; the cap's paddr is the
 * physical address of the record, so every copy of a handler names the
 * same object, and irq_handler_finalise() runs when the last one goes.
 *
 * A handler may hold a notification: the kernel keeps its own copy of the
 * cap in the record's slot (a child of the cap SetNotification was given,
 * like a TCB's fault endpoint), so the notification outlives its other caps
 * for as long as the handler uses it. Revoking the notification's ancestors
 * still empties that slot; delivery looks at the slot every time.
 *
 * Delivery hands out one interrupt per Ack. When an interrupt arrives for
 * a handler with a notification, a GSI is masked at the I/O APIC (edge or
 * level: a level line that stays asserted cannot storm), the notification
 * is signalled with the badge of the kernel's copy, and the record is "in
 * service" until Ack, which unmasks it. An MSI cannot be masked by the
 * kernel: one that arrives in service (or an edge GSI that slipped in before
 * the mask took effect) is remembered as pending and signalled at Ack
 * instead of unmasking, so nothing is lost and nothing storms. Interrupts
 * nobody can take (no handler, no notification) are masked if they are
 * GSIs, counted, reported once per line, and go no further.
 */
#include <arch.h>
#include <cnode.h>
#include <console.h>
#include <device.h>
#include <invocation.h>
#include <ipc.h>
#include <mica/cap.h>
#include <mica/device.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <tcb.h>

struct irq {
    struct cte ntfn;   /* the kernel's copy of the notification cap, or empty */
    bool issued;       /* a handler cap to it exists */
    bool in_service;   /* signalled, not yet acknowledged (a GSI is masked) */
    bool pending;      /* arrived again in service: signal again at Ack */
    bool warned;       /* an interrupt nobody took has been reported */
    uint8_t flags;     /* GSI: MICA_IRQ_* trigger mode and polarity */
    uint64_t unowned;  /* interrupts that reached nobody (for a debugger) */
};

static struct irq irqs[ARCH_IRQ_COUNT];

static bool is_gsi(unsigned irq) { return irq < ARCH_IRQ_GSIS; }

static unsigned irq_number(const struct irq *q) { return (unsigned)(q - irqs); }

static struct irq *irq_of(const struct cap *c) { return &irqs[c->word1 % ARCH_IRQ_COUNT]; }

static bool has_notification(const struct irq *q) { return q->ntfn.cap.type == CAP_NOTIFICATION; }

static void mask(unsigned irq, bool masked)
{
    if (is_gsi(irq) && irq < arch_irq_gsis())
        arch_irq_gsi_mask(irq, masked);
}

static void signal(struct irq *q)
{
    const struct cap *c = &q->ntfn.cap;
    notification_signal(arch_phys_to_virt(c->paddr), c->word1);
}

/* ------------------------------------------------------------- delivery */

static void unowned(struct irq *q)
{
    unsigned irq = irq_number(q);
    mask(irq, true);
    q->unowned++;
    if (q->warned)
        return;
    q->warned = true;
    if (is_gsi(irq))
        kprintf("mica: warning: interrupt on GSI %u, which no handler with a notification takes; "
                "masked (further ones not reported)\n", irq);
    else
        kprintf("mica: warning: MSI %u arrived with no handler with a notification to take it; "
                "dropped (further ones not reported)\n", irq - ARCH_IRQ_GSIS);
}

void irq_deliver(unsigned irq)
{
    if (irq >= ARCH_IRQ_COUNT)
        return;
    struct irq *q = &irqs[irq];
    if (!q->issued || !has_notification(q)) {
        unowned(q);
        return;
    }
    mask(irq, true);
    if (q->in_service) {
        /* Only an MSI or an edge that beat the mask gets here; a level
         * line cannot be re-sent before its EOI, so it is never pending. */
        if (!(q->flags & MICA_IRQ_LEVEL))
            q->pending = true;
        return;
    }
    q->in_service = true;
    signal(q);
}

/* Could an interrupt still wake a thread? Only a handler that is not
 * waiting for its Ack can signal, and only a notification with a waiter
 * (or a bound thread receiving on an endpoint) wakes anybody. */
bool irq_any_bound(void)
{
    for (unsigned i = 0; i < ARCH_IRQ_COUNT; i++) {
        const struct irq *q = &irqs[i];
        if (!q->issued || q->in_service || !has_notification(q))
            continue;
        const struct notification *n = arch_phys_to_virt(q->ntfn.cap.paddr);
        if (n->head || (n->bound && n->bound->state == THREAD_BLOCKED_RECV))
            return true;
    }
    return false;
}

unsigned irq_ioapic_gsis(void)
{
    return arch_irq_gsis();
}

void irq_handler_finalise(const struct cap *cap)
{
    struct irq *q = irq_of(cap);
    mask(irq_number(q), true);
    if (!is_gsi(irq_number(q)))
        arch_irq_msi_release(irq_number(q) - ARCH_IRQ_GSIS);
    q->issued = q->in_service = q->pending = false;
    cte_delete_now(&q->ntfn); /* may destroy the notification: it has no slots */
}

/* ----------------------------------------------------------- IRQControl */

static void issue(struct cte *control, struct cte *dest, unsigned irq, unsigned flags)
{
    struct irq *q = &irqs[irq];
    q->issued = true;
    q->in_service = q->pending = false;
    q->flags = (uint8_t)flags;
    struct cap c = {
        .type = CAP_IRQ_HANDLER,
        .rights = MICA_RIGHTS_ALL,
        .paddr = arch_kernel_virt_to_phys(q),
        .word1 = irq,
    };
    cte_insert(control, dest, &c);
}

/* MR0 GSI, MR1 flags (MICA_IRQ_*), MR2 index, MR3 depth; cap0 CNode. */
static struct syscall_result get_ioapic(struct invocation *inv)
{
    uint64_t gsi, flags, index, depth, detail = 0;
    struct cte *dest;
    if (!inv_mr(inv, 0, &gsi) || !inv_mr(inv, 1, &flags) || !inv_mr(inv, 2, &index) ||
        !inv_mr(inv, 3, &depth))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (flags & ~(uint64_t)MICA_IRQ_FLAGS_ALL)
        return inv_error(MICA_ERR_INVALID_ARGUMENT, flags);
    if (gsi >= arch_irq_gsis())
        return inv_error(MICA_ERR_NOT_SUPPORTED, arch_irq_gsis());
    int err = inv_dest_slot(inv, index, depth, &dest, &detail);
    if (err)
        return inv_error(err, detail);
    if (irqs[gsi].issued)
        return inv_error(MICA_ERR_IN_USE, gsi);
    issue(inv->slot, dest, (unsigned)gsi, (unsigned)flags);
    arch_irq_gsi_setup((unsigned)gsi, (unsigned)flags); /* masked until a notification is set */
    return inv_ok(0);
}

/* MR0 MSI number, MR1 PCI address, MR2 index, MR3 depth; cap0 CNode.
 * Result: the MSI address (high 32 bits) and data word (low 32 bits).
 * With interrupt remapping only the PCI function `pci_addr` can raise the
 * MSI with it; without, any device that learns the message can. */
static struct syscall_result get_msi(struct invocation *inv)
{
    uint64_t msi, pci_addr, index, depth, detail = 0;
    struct cte *dest;
    if (!inv_mr(inv, 0, &msi) || !inv_mr(inv, 1, &pci_addr) || !inv_mr(inv, 2, &index) ||
        !inv_mr(inv, 3, &depth))
        return inv_error(MICA_ERR_TRUNCATED, 0);
    if (msi >= MICA_IRQ_MSI_COUNT)
        return inv_error(MICA_ERR_RANGE, msi);
    if (pci_addr > MICA_PCI_ADDR_MAX)
        return inv_error(MICA_ERR_RANGE, pci_addr);
    int err = inv_dest_slot(inv, index, depth, &dest, &detail);
    if (err)
        return inv_error(err, detail);
    unsigned irq = ARCH_IRQ_GSIS + (unsigned)msi;
    if (irqs[irq].issued)
        return inv_error(MICA_ERR_IN_USE, msi);
    issue(inv->slot, dest, irq, MICA_IRQ_EDGE);
    return inv_ok(arch_irq_msi_message((unsigned)msi, pci_addr));
}

struct syscall_result irq_control_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case MICA_IRQ_CONTROL_GET_IOAPIC: return get_ioapic(inv);
    case MICA_IRQ_CONTROL_GET_MSI: return get_msi(inv);
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}

/* ----------------------------------------------------------- IRQHandler */

/* cap0: a notification cap with the write right; the kernel's copy of it
 * replaces any earlier one. */
static struct syscall_result set_notification(struct invocation *inv, struct irq *q)
{
    struct cte *src;
    uint64_t detail = 0;
    int err = inv_cap(inv, 0, &src, &detail);
    if (err)
        return inv_error(err, detail);
    if (src->cap.type != CAP_NOTIFICATION)
        return inv_error(MICA_ERR_INVALID_CAP, 0);
    if (!(src->cap.rights & MICA_RIGHT_WRITE))
        return inv_error(MICA_ERR_NO_RIGHTS, MICA_RIGHT_WRITE);
    struct cap c = cnode_cap_derive(&src->cap, MICA_RIGHTS_ALL);
    /* Deleting the old copy destroys at most a notification (waking its
     * waiters); it cannot touch src or the handler. */
    cte_delete_now(&q->ntfn);
    cte_insert(src, &q->ntfn, &c);
    if (!q->in_service)
        mask(irq_number(q), false);
    return inv_ok(0);
}

static struct syscall_result ack(struct irq *q)
{
    if (!has_notification(q))
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0);
    if (!q->in_service)
        return inv_ok(0); /* nothing delivered: the line is already open */
    if (q->pending) {
        q->pending = false;
        signal(q); /* the one that came meanwhile; still in service */
    } else {
        q->in_service = false;
        mask(irq_number(q), false);
    }
    return inv_ok(0);
}

static struct syscall_result clear(struct irq *q)
{
    if (!has_notification(q))
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, 0);
    mask(irq_number(q), true);
    q->pending = false;
    cte_delete_now(&q->ntfn);
    return inv_ok(0);
}

struct syscall_result irq_handler_invoke(struct invocation *inv)
{
    struct irq *q = irq_of(&inv->slot->cap);
    switch (inv->label) {
    case MICA_IRQ_HANDLER_SET_NOTIFICATION: return set_notification(inv, q);
    case MICA_IRQ_HANDLER_ACK: return ack(q);
    case MICA_IRQ_HANDLER_CLEAR: return clear(q);
    }
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
