/*
 * Deliberate user faults ("fault=NAME" on the module command line). Each
 * must be reported by the kernel in one line and stop only this thread;
 * tests/boot/fault-*.case check the report and that the kernel lives on.
 */
#include "ktest.h"
#include <mica/layout.h>

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

void ktest_fault(const char *name)
{
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
