/*
 * User fault handling. Without fault endpoints (issue 4) a faulting thread
 * is reported in one line and stopped; the kernel and the other threads
 * carry on. The line format is relied on by the boot test cases (tests/boot).
 */
#include <console.h>
#include <fault.h>
#include <tcb.h>

void fault_handle(struct tcb *t, const struct fault *f)
{
    switch (f->kind) {
    case FAULT_PAGE:
        kprintf("mica: fault: thread '%s': %s at address 0x%lx (%s), rip 0x%lx; thread stopped\n",
                t->name, f->what, f->addr, f->detail, f->ip);
        break;
    case FAULT_UNKNOWN_SYSCALL:
        kprintf("mica: fault: thread '%s': unknown syscall %lu at rip 0x%lx; thread stopped\n",
                t->name, f->code, f->ip);
        break;
    case FAULT_EXCEPTION:
        kprintf("mica: fault: thread '%s': %s (%s) at rip 0x%lx; thread stopped\n", t->name,
                f->what, f->detail, f->ip);
        break;
    }
    t->state = THREAD_STOPPED;
}
