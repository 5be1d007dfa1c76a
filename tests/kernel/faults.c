/*
 * Deliberate user faults ("fault=NAME" on the module command line). Each
 * must be reported by the kernel in one line and stop only this thread;
 * tests/boot/fault-*.case check the report and that the kernel lives on.
 */
#include "ktest.h"
#include <mica/layout.h>
#include <mica/object.h>
#include <mica_invoke.h>

static unsigned char data_page[16] = { 0xc3 }; /* `ret`, in a non-executable page */

static void fault_gp(void) { __asm__ volatile("cli"); }                  /* privileged */
static void fault_int(void) { __asm__ volatile("int $0x80"); }            /* DPL0 gate */
static void fault_ud(void) { __asm__ volatile("ud2"); }
static void fault_bp(void) { __asm__ volatile("int3"); }
static void fault_de(void)
{
    __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; div %%ecx" ::: "rax", "rcx", "rdx");
}
static void fault_pf_null(void) { (void)*(volatile int *)0; }
static void fault_pf_kernel(void) { (void)*(volatile unsigned long *)0xffffffff80100000ul; }
static void fault_pf_text(void) { *(volatile unsigned char *)&fault_gp = 0x90; }
static void fault_pf_exec(void) { ((void (*)(void))(void *)data_page)(); }
static void fault_pf_bootinfo(void) { *(volatile unsigned long *)MICA_ROOT_BOOTINFO = 0; }
static void fault_pf_guard(void)
{
    *(volatile unsigned long *)(MICA_ROOT_STACK_TOP - (MICA_ROOT_STACK_PAGES + 1) * MICA_PAGE_SIZE) = 0;
}
static void fault_syscall(void)
{
    long rax = 39; /* Linux getpid: not a Mica call */
    __asm__ volatile("syscall" : "+a"(rax) : : "rcx", "r11", "memory");
}

static const struct {
    const char *name;
    void (*fn)(void);
} faults[] = {
    { "gp", fault_gp },           { "int", fault_int },
    { "ud", fault_ud },           { "bp", fault_bp },
    { "de", fault_de },           { "pf-null", fault_pf_null },
    { "pf-kernel", fault_pf_kernel }, { "pf-text-write", fault_pf_text },
    { "pf-data-exec", fault_pf_exec }, { "pf-bootinfo-write", fault_pf_bootinfo },
    { "pf-stack-guard", fault_pf_guard }, { "syscall", fault_syscall },
};

/*
 * Not a fault: a deadlock, for the kernel's report when nothing can run
 * (tests/boot/halt-deadlock.case). 'partner' takes the root task's Call on
 * one endpoint and, before replying, calls another that nobody receives
 * on; 'sleeper' waits on a notification nobody signals.
 */
static mica_cptr_t dl_ep1, dl_ep2, dl_ntfn;

static void th_partner(long i, struct mica_ipc_buffer *ipc)
{
    (void)i, (void)ipc;
    mica_recv(dl_ep1);
    mica_call(dl_ep2, mica_tag(1, 0, 0), 0, 0, 0, 0);
}

static void th_sleeper(long i, struct mica_ipc_buffer *ipc)
{
    (void)i, (void)ipc;
    mica_wait(dl_ntfn);
}

static const char *deadlock(const struct mica_bootinfo *bi)
{
    struct ktest_env e;
    mica_cptr_t t;
    TRY(ktest_env_init(&e, bi, 0));
    dl_ep1 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    dl_ep2 = ktest_env_new(&e, MICA_OBJ_ENDPOINT);
    dl_ntfn = ktest_env_new(&e, MICA_OBJ_NOTIFICATION);
    CHECK(dl_ep1 && dl_ep2 && dl_ntfn);
    TRY(ktest_env_thread(&e, &t, th_sleeper, 0, 90, 0, 0));
    CHECK_EQ(mica_tcb_set_name(t, "sleeper").status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_env_thread(&e, &t, th_partner, 1, 100, 0, 0));
    CHECK_EQ(mica_tcb_set_name(t, "partner").status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    mica_printf("ktest: calling 'partner', which calls an endpoint nobody receives on\n");
    mica_call(dl_ep1, mica_tag(1, 0, 0), 0, 0, 0, 0);
    return "the call returned";
}

void ktest_fault(const struct mica_bootinfo *bi, const char *name)
{
    if (mica_strcmp(name, "deadlock") == 0) {
        const char *why = deadlock(bi);
        mica_printf("ktest: deadlock not reached: %s\n", why);
        return;
    }
    for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        if (mica_strcmp(name, faults[i].name) == 0) {
            mica_printf("ktest: taking fault '%s'\n", name);
            faults[i].fn();
            mica_printf("ktest: fault '%s' did not happen\n", name);
            return;
        }
    }
    mica_printf("ktest: unknown fault '%s'\n", name);
}
