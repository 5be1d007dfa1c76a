/*
 * The watchdog thread. It runs at priority 254, below the fuzzer (255) and
 * above every thread the fuzzer can make (the fuzzer's MCP is 253), in the
 * fuzzer's address space with the boot CNode as its CSpace, and it is never
 * in the pool. Its only wake-ups are the PIT's periodic interrupt (through
 * an IRQ handler and a notification bound to it) and messages on its
 * endpoint, the fuzzer's fault endpoint. So it runs only while the fuzzer
 * thread is blocked, and at least every timer period however the child
 * threads spin:
 *
 * - a timer tick with no progress of the fuzzer for two ticks: the fuzzer
 *   is blocked in a call nobody will complete (a Recv with no sender, a
 *   Call nobody answers). Suspend and resume it: its call returns
 *   MICA_ERR_CANCELLED and it goes on. So the children run for one to two
 *   timer periods each time the fuzzer blocks.
 * - an UnknownSyscall fault of the fuzzer that it made on purpose: emulate
 *   the call (resume after the syscall instruction).
 * - any other fault of the fuzzer: report it (a fuzzer bug or a kernel
 *   bug) and halt the machine with failure.
 * - a fault of a pool thread (a random TCB_Configure can name this
 *   endpoint): stop that thread.
 */
#include "fuzz.h"
#include <mica/fault.h>
#include <mica_invoke.h>

struct fz_shared fz_shared;

#define W_IRQ_ACK 85 /* MICA_IRQ_HANDLER_ACK */

void fz_watchdog_main(void)
{
    uint64_t seen = ~0ull;
    unsigned stale = 0;
    mica_word_t reply_tag = 0, r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    int have_reply = 0;
    for (;;) {
        struct mica_msg m;
        if (have_reply)
            m = mica_reply_recv(fz_shared.w_ep, reply_tag, r0, r1, r2, r3);
        else
            m = mica_recv(fz_shared.w_ep);
        have_reply = 0;
        if (m.status != MICA_OK)
            continue;
        if (m.tag & MICA_TAG_NOTIFICATION) {
            fz_shared.ticks++;
            mica_ipc_syscall(MICA_SYS_CALL, fz_shared.w_irq, mica_tag(W_IRQ_ACK, 0, 0), 0, 0, 0, 0);
            if (fz_shared.w_irq2)
                mica_ipc_syscall(MICA_SYS_CALL, fz_shared.w_irq2, mica_tag(W_IRQ_ACK, 0, 0), 0, 0, 0,
                                 0);
            if (fz_shared.progress != seen) {
                seen = fz_shared.progress;
                stale = 0;
            } else if (++stale >= 2) {
                stale = 0;
                fz_shared.unblocks++;
                mica_tcb_suspend(fz_shared.fuzzer_tcb);
                mica_tcb_resume(fz_shared.fuzzer_tcb);
            }
            continue;
        }
        unsigned label = (unsigned)mica_tag_label(m.tag);
        if (m.badge != FZ_FAULT_BADGE) {
            fz_shared.other_faults++;
            reply_tag = mica_tag(1, 0, 0); /* any label but 0: the thread stays stopped */
            have_reply = 1;
            continue;
        }
        if (label == MICA_FAULT_UNKNOWN_SYSCALL && fz_shared.expect_fault) {
            /* MR0-3: rip, rsp, rflags, rax; resume after the 2-byte syscall. */
            fz_shared.expect_fault = 0;
            reply_tag = mica_tag(MICA_FAULT_REPLY_RESUME, 4, 0);
            r0 = m.mr[0] + 2;
            r1 = m.mr[1];
            r2 = m.mr[2];
            r3 = fz_shared.fault_value;
            have_reply = 1;
            continue;
        }
        mica_printf("\nfuzz: FAILED: the fuzzer thread faulted at call %llu (seed %llu): fault label "
                    "%u, mr 0x%llx 0x%llx 0x%llx\n",
                    (unsigned long long)fz_shared.call, (unsigned long long)fz_shared.seed, label,
                    (unsigned long long)m.mr[0], (unsigned long long)m.mr[1],
                    (unsigned long long)m.mr[2]);
        mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " fuzz: the fuzzer thread faulted at call %llu\n",
                    (unsigned long long)fz_shared.call);
        mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
        mica_debug_halt(1);
    }
}
