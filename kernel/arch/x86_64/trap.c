/*
 * Interrupt and exception dispatch.
 *
 * From user mode: timer and spurious interrupts are handled and the
 * scheduler picks who runs next; CPU exceptions become faults of the current
 * thread (never a kernel crash). From kernel mode the only expected events
 * are interrupts while idle; a kernel-mode exception is a kernel bug and
 * ends in a full register dump and a halt.
 */
#include "asm.h"
#include "cpu.h"
#include "x86.h"
#include <console.h>
#include <format.h>
#include <fault.h>
#include <mica/debug.h>
#include <mica/device.h>
#include <panic.h>
#include <sched.h>
#include <tcb.h>

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved (15)",
    "#MF x87 floating point", "#AC alignment check", "#MC machine check",
    "#XM SIMD floating point", "#VE virtualization", "#CP control protection",
    "reserved (22)", "reserved (23)", "reserved (24)", "reserved (25)", "reserved (26)",
    "reserved (27)", "#HV hypervisor injection", "#VC VMM communication",
    "#SX security", "reserved (31)",
};

static void user_exception(struct arch_context *ctx)
{
    struct fault f = {
        .ip = ctx->rip,
        .code = ctx->vector,
        .error = ctx->error,
        .what = exception_names[ctx->vector],
    };
    if (ctx->vector == 14) {
        f.kind = FAULT_PAGE;
        f.addr = read_cr2();
    } else {
        f.kind = FAULT_EXCEPTION;
    }
    fault_handle(current, &f);
}

/*
 * Interrupts on vectors the kernel never assigned: a device sent a vector
 * of its own choosing (an MSI's data word names one; interrupt remapping,
 * vtd.c, stops that where there is an IOMMU), or something is
 * misprogrammed. Each one is counted, and the first on each vector is
 * reported. One the local APIC delivered (its in-service bit is set) gets
 * its EOI, or every vector of its priority class and below would stay
 * blocked; the 8259's and the local APIC's own spurious interrupts set no
 * in-service bit and want no EOI.
 */
static uint64_t stray_count[256];

void trap_stray_vector(unsigned v)
{
    v &= 0xff;
    bool delivered = lapic_in_service(v);
    if (delivered)
        lapic_eoi();
    if ((v == VECTOR_SPURIOUS || (v >= VECTOR_PIC_BASE && v < VECTOR_PIC_BASE + 16)) && !delivered)
        return; /* a spurious interrupt: expected now and then */
    if (stray_count[v]++)
        return;
    if (v < 32)
        kprintf("mica: warning: interrupt on exception vector 0x%x (%s) from a device, not the "
                "CPU; ignored (further ones on it counted, not reported)\n",
                v, exception_names[v]);
    else
        kprintf("mica: warning: interrupt on unassigned vector 0x%x ignored (further ones on "
                "it counted, not reported)\n", v);
}

/*
 * Was this exception vector raised by an external interrupt? For the
 * vectors whose exception pushes an error code the stub knows (the CPU
 * pushes none for an interrupt: VECTOR_NO_ERROR_CODE); for the others the
 * local APIC's in-service bit for the vector is set only when it delivered
 * it (the kernel sends every EOI before it could take an exception on the
 * same vector, and runs with interrupts off, so no interrupt on the vector
 * is still in service when an exception happens). Strips the mark.
 */
#define ERROR_CODE_VECTORS 0x60227d00u /* 8, 10-14, 17, 21, 29, 30 (entry.S) */

static bool external_on_exception_vector(struct arch_context *c)
{
    if (c->vector & VECTOR_NO_ERROR_CODE) {
        c->vector &= 0xff;
        return true;
    }
    if (c->vector >= 32 || (ERROR_CODE_VECTORS >> c->vector) & 1)
        return false; /* not an exception vector, or the stub saw an error code */
    return lapic_in_service((unsigned)c->vector);
}

/* Interrupts common to both modes. Returns false for an exception. */
static bool handle_interrupt(uint64_t vector)
{
    if (vector == 2) { /* NMI: not caused by the interrupted code */
        kprintf("mica: warning: NMI received and ignored\n");
        return true;
    }
    if (vector < 32)
        return false;
    if (vector == VECTOR_TIMER) {
        lapic_eoi();
        sched_tick();
    } else if (vector >= VECTOR_IOAPIC_BASE && vector < VECTOR_MSI_BASE + MICA_IRQ_MSI_COUNT) {
        arch_irq_vector((unsigned)vector); /* device interrupts: ioapic.c */
    } else if (vector == VECTOR_IOMMU_FAULT) {
        iommu_fault_interrupt();
        lapic_eoi();
    } else {
        trap_stray_vector((unsigned)vector);
    }
    return true;
}

static __attribute__((noreturn)) void kernel_exception(const struct arch_context *c);

void trap_from_user(struct arch_context *ctx)
{
    bool external = external_on_exception_vector(ctx);
    /* Vectors with their own IST stack (NMI, #DF, #MC) pushed the frame
     * there, not into the thread's context: keep the thread's state. */
    if (current && ctx != &current->ctx)
        current->ctx = *ctx;
    if (external)
        trap_stray_vector((unsigned)ctx->vector); /* the thread did nothing: it resumes */
    else if (ctx->vector == 18 || ctx->vector == 8) /* machine check / double fault: not the thread's doing */
        kernel_exception(ctx);
    else if (!handle_interrupt(ctx->vector))
        user_exception(ctx);
    schedule();
}

static void dump_backtrace(uint64_t rbp)
{
    kprintf("  backtrace (addr2line -f -e mica.elf ...):");
    for (int depth = 0; depth < 16; depth++) {
        /* Follow the frame chain only while it stays inside kernel memory. */
        if (rbp < KERNEL_VBASE || (rbp & 7) || rbp >= (uint64_t)_kernel_end - 16)
            break;
        uint64_t *frame = (uint64_t *)rbp;
        if (frame[1] < (uint64_t)_kernel_start || frame[1] >= (uint64_t)_text_end)
            break;
        kprintf(" 0x%lx", frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
    kprintf("\n");
}

static __attribute__((noreturn)) void kernel_exception(const struct arch_context *c)
{
    const char *name = c->vector < 32 ? exception_names[c->vector] : "interrupt";
    kprintf("\n" MICA_PANIC_TAG ": kernel-mode exception %s (vector %lu, error 0x%lx)\n",
            name, c->vector, c->error);
    kprintf("  rip    0x%016lx  <- addr2line -f -e mica.elf 0x%lx\n", c->rip, c->rip);
    if (c->vector == 14)
        kprintf("  faulting address (cr2) 0x%016lx\n", read_cr2());
    kprintf("  rax 0x%016lx  rbx 0x%016lx  rcx 0x%016lx  rdx 0x%016lx\n", c->rax, c->rbx, c->rcx, c->rdx);
    kprintf("  rsi 0x%016lx  rdi 0x%016lx  rbp 0x%016lx  rsp 0x%016lx\n", c->rsi, c->rdi, c->rbp, c->rsp);
    kprintf("  r8  0x%016lx  r9  0x%016lx  r10 0x%016lx  r11 0x%016lx\n", c->r8, c->r9, c->r10, c->r11);
    kprintf("  r12 0x%016lx  r13 0x%016lx  r14 0x%016lx  r15 0x%016lx\n", c->r12, c->r13, c->r14, c->r15);
    kprintf("  cs 0x%lx  ss 0x%lx  rflags 0x%lx\n", c->cs, c->ss, c->rflags);
    kprintf("  cr0 0x%lx  cr2 0x%lx  cr3 0x%lx  cr4 0x%lx\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
    dump_backtrace(c->rbp);
    kprintf("  current thread: %s\n", current ? current->name : "(idle)");
    machine_halt(MICA_EXIT_PANIC);
}

void trap_from_kernel(struct arch_context *frame)
{
    if (external_on_exception_vector(frame)) {
        /* Only the idle loop runs with interrupts on: nothing is half-done. */
        trap_stray_vector((unsigned)frame->vector);
        schedule();
        return;
    }
    if (frame->vector == 2) {
        /* An NMI can interrupt any kernel code: note it and resume exactly
         * where we were, never reschedule from here. */
        kprintf("mica: warning: NMI received and ignored\n");
        return;
    }
    if (!handle_interrupt(frame->vector))
        kernel_exception(frame);
    /* Maskable interrupts are only enabled in the idle loop, so nothing is
     * half-done: see whether there is work now; if not, schedule() goes
     * back to idling. */
    schedule();
}
