/*
 * CPU set-up (descriptor tables, syscall MSRs, FPU/SSE for user mode) and
 * the switch into a thread's user context.
 */
#include "asm.h"
#include "cpu.h"
#include "x86.h"
#include <arch.h>
#include <console.h>
#include <fault.h>
#include <kstring.h>
#include <mica/debug.h>
#include <sched.h>
#include <tcb.h>
#include <mica/bootinfo.h>
#include <mica/tcb.h>

#define RFLAGS_USER_MASK 0x240dd5ull /* CF PF AF ZF SF TF DF OF AC ID */
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_AC (1ull << 18)
#define USER_CANONICAL_END 0x0000800000000000ull
#define CR0_NE (1ull << 5)

static struct arch_fpu_state fpu_initial;
static struct tcb *fpu_owner;
/* The FS/GS bases last written to the MSRs. User code cannot set a base
 * itself (CR4.FSGSBASE is off) except to 0, by loading a segment selector
 * (every descriptor it may load has base 0), so the MSRs hold either these
 * values or 0. */
static uint64_t fs_written, gs_written;

static void fpu_init(void)
{
    write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
    __asm__ volatile("fxsave %0" : "=m"(fpu_initial));
}

void cpu_init(void)
{
    gdt_init();
    idt_init();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
    wrmsr(MSR_STAR, ((uint64_t)(SEL_USER_CODE32 | 3) << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* No compatibility-mode code segment exists (gdt.c), so neither of
     * these is reachable; if one were, `syscall` from 32-bit code lands in
     * a stub that makes it the thread's #UD fault, and `sysenter` raises
     * #GP(0) because SYSENTER_CS is 0. */
    wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
    wrmsr(MSR_SYSENTER_CS, 0);
    wrmsr(MSR_SYSENTER_ESP, 0);
    wrmsr(MSR_SYSENTER_EIP, 0);
    /* Entering the kernel clears IF (no interrupts in the kernel), TF (no
     * single-step trap in the kernel), DF (string ops go up), AC and NT. */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT);
    fpu_init();
}

static uint32_t protections;

/*
 * SMEP, SMAP and UMIP, whichever the CPU has (CPUID leaf 7). Called once
 * the kernel's own page tables are in place: from then on the kernel
 * neither executes nor touches user pages (it reaches user memory only
 * through the direct map, after a page-table walk: paging.c), and user
 * code cannot read the descriptor-table registers.
 */
void cpu_enable_protections(void)
{
    uint32_t a, b, c, d, max;
    cpuid(0, &max, &b, &c, &d);
    if (max < 7)
        return;
    cpuid(7, &a, &b, &c, &d);
    uint64_t cr4 = read_cr4();
    if (b & (1u << 7)) {
        cr4 |= CR4_SMEP;
        protections |= MICA_CPU_SMEP;
    }
    if (b & (1u << 20)) {
        cr4 |= CR4_SMAP;
        protections |= MICA_CPU_SMAP;
    }
    if (c & (1u << 2)) {
        cr4 |= CR4_UMIP;
        protections |= MICA_CPU_UMIP;
    }
    write_cr4(cr4);
    kprintf("mica: CPU protections: SMEP %s, SMAP %s, UMIP %s\n",
            protections & MICA_CPU_SMEP ? "on" : "not available",
            protections & MICA_CPU_SMAP ? "on" : "not available",
            protections & MICA_CPU_UMIP ? "on" : "not available");
}

uint32_t arch_cpu_protections(void)
{
    return protections;
}

void arch_context_init_user(struct arch_context *ctx, uint64_t rip, uint64_t rsp, uint64_t arg0)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->rip = rip;
    ctx->rsp = rsp;
    ctx->rdi = arg0;
    ctx->cs = SEL_USER_CODE;
    ctx->ss = SEL_USER_DATA;
    ctx->rflags = RFLAGS_IF | RFLAGS_RSVD;
    ctx->vector = 0; /* first entry by iretq: every register is loaded */
}

void arch_fpu_init_state(struct arch_fpu_state *fpu)
{
    *fpu = fpu_initial;
}

static void fpu_switch(struct tcb *t)
{
    if (fpu_owner == t)
        return;
    if (fpu_owner)
        __asm__ volatile("fxsave %0" : "=m"(fpu_owner->fpu));
    __asm__ volatile("fxrstor %0" ::"m"(t->fpu));
    fpu_owner = t;
}

void arch_tcb_release(struct tcb *t)
{
    if (fpu_owner == t)
        fpu_owner = 0; /* its state dies with it: nothing to save */
}

/* Returning to a non-canonical rip would fault in the kernel: it is the
 * thread's fault. */
static __attribute__((noinline, noreturn)) void bad_rip(struct tcb *t)
{
    struct fault f = { .kind = FAULT_EXCEPTION, .ip = t->ctx.rip, .code = 13,
                       .what = "#GP general protection", .detail = "non-canonical rip" };
    fault_handle(t, &f);
    schedule();
}

void arch_switch_to(struct tcb *t)
{
    struct arch_context *c = &t->ctx;
    if (__builtin_expect(c->rip >= USER_CANONICAL_END, 0))
        bad_rip(t);
    c->cs = SEL_USER_CODE;
    c->ss = SEL_USER_DATA;
    c->rflags = (c->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RSVD;
    arch_switch_to_saved(t);
}

/* The MSRs hold the written value or 0 (see fs_written): only a base
 * that is 0 and was written as 0 is certainly in place already. */
static inline __attribute__((always_inline)) void load_bases(const struct tcb *t)
{
    if (t->fs_base | fs_written) {
        wrmsr(MSR_FS_BASE, t->fs_base);
        fs_written = t->fs_base;
    }
    if (t->gs_base | gs_written) {
        wrmsr(MSR_GS_BASE, t->gs_base);
        gs_written = t->gs_base;
    }
}

/* The selector every thread finds in DS, ES, FS and GS when the kernel
 * switches to it (a memory operand: loading it costs one instruction per
 * register). */
static const uint16_t user_data_selector = SEL_USER_DATA;
_Static_assert(SEL_USER_DATA == MICA_USER_DATA_SELECTOR, "the selector threads see is ABI");

static __attribute__((noinline)) void write_bases(const struct tcb *t)
{
    wrmsr(MSR_FS_BASE, t->fs_base);
    fs_written = t->fs_base;
    wrmsr(MSR_GS_BASE, t->gs_base);
    gs_written = t->gs_base;
}

/*
 * A context saved by the thread's own `syscall` needs no checks: rip came
 * from rcx and is canonical (the last user page, where a `syscall` could
 * end at the canonical boundary, cannot be mapped: MICA_USER_TOP), rflags
 * from r11 holds only what the thread could set itself, and cs/ss are not
 * used by sysret.
 *
 * DS, ES, FS and GS are not part of a thread's saved state: user code can
 * load any selector it may use into them (null, user data), and nothing on
 * the way into or out of the kernel changes them. So that no thread sees a
 * value another one loaded, every switch loads the user data selector into
 * all four. Loading a descriptor (base 0) also sets the FS and GS bases to
 * 0 on every x86_64 CPU (a null selector would not on AMD's), so the MSRs
 * need writing only for a thread with a base of its own.
 */
void arch_switch_to_saved(struct tcb *t)
{
    struct arch_context *c = &t->ctx;
    cur_ctx_end = (uint64_t)(c + 1);
    tss_set_rsp0(cur_ctx_end);
    if (read_cr3() != t->vspace_root)
        write_cr3(t->vspace_root);
    fpu_switch(t);
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs"
                     : : "m"(user_data_selector) : "memory");
    /* The bases are 0 now, which keeps fs_written's promise. */
    if (__builtin_expect(t->fs_base | t->gs_base, 0))
        write_bases(t);
    arch_return_to_user(c);
}

void arch_resume(struct tcb *t)
{
    load_bases(t); /* it may have set its own base (TCB_SetFSBase) */
    arch_return_to_user(&t->ctx);
}

void arch_machine_halt(unsigned code)
{
    outb(MICA_DEBUG_EXIT_PORT, (uint8_t)code); /* QEMU isa-debug-exit, if present */
    outw(0x604, 0x2000);                       /* QEMU q35 ACPI S5 power-off */
    for (;;)
        __asm__ volatile("cli; hlt");
}

void arch_selftest_kernel_fault(void)
{
    /* PML4 slot 511, PDPT slot 508: never mapped. */
    volatile uint64_t *p = (volatile uint64_t *)0xffffffff00000000ull;
    (void)*p;
}

void arch_context_to_user(const struct arch_context *c, struct mica_user_context *u)
{
    u->rip = c->rip;
    u->rsp = c->rsp;
    u->rflags = c->rflags;
    u->rax = c->rax;
    u->rbx = c->rbx;
    u->rcx = c->rcx;
    u->rdx = c->rdx;
    u->rsi = c->rsi;
    u->rdi = c->rdi;
    u->rbp = c->rbp;
    u->r8 = c->r8;
    u->r9 = c->r9;
    u->r10 = c->r10;
    u->r11 = c->r11;
    u->r12 = c->r12;
    u->r13 = c->r13;
    u->r14 = c->r14;
    u->r15 = c->r15;
}

/* Where register i of struct mica_user_context lives in the context. */
static const uint8_t user_reg_offset[] = {
    offsetof(struct arch_context, rip), offsetof(struct arch_context, rsp),
    offsetof(struct arch_context, rflags), offsetof(struct arch_context, rax),
    offsetof(struct arch_context, rbx), offsetof(struct arch_context, rcx),
    offsetof(struct arch_context, rdx), offsetof(struct arch_context, rsi),
    offsetof(struct arch_context, rdi), offsetof(struct arch_context, rbp),
    offsetof(struct arch_context, r8), offsetof(struct arch_context, r9),
    offsetof(struct arch_context, r10), offsetof(struct arch_context, r11),
    offsetof(struct arch_context, r12), offsetof(struct arch_context, r13),
    offsetof(struct arch_context, r14), offsetof(struct arch_context, r15),
};

void arch_context_set_user_reg(struct arch_context *c, unsigned i, uint64_t v)
{
    if (i >= sizeof(user_reg_offset))
        return;
    if (i == 2) /* rflags: only the arithmetic and user-controllable flags */
        v = (v & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RSVD;
    *(uint64_t *)((char *)c + user_reg_offset[i]) = v;
    c->vector = 0; /* leave by iretq: every register is restored */
}

void arch_context_from_user(struct arch_context *c, const struct mica_user_context *u)
{
    c->rip = u->rip;
    c->rsp = u->rsp;
    /* Only the arithmetic and user-controllable flags; IF stays set. */
    c->rflags = (u->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RSVD;
    c->rax = u->rax;
    c->rbx = u->rbx;
    c->rcx = u->rcx;
    c->rdx = u->rdx;
    c->rsi = u->rsi;
    c->rdi = u->rdi;
    c->rbp = u->rbp;
    c->r8 = u->r8;
    c->r9 = u->r9;
    c->r10 = u->r10;
    c->r11 = u->r11;
    c->r12 = u->r12;
    c->r13 = u->r13;
    c->r14 = u->r14;
    c->r15 = u->r15;
    c->vector = 0; /* leave by iretq: every register is restored */
}

int arch_valid_user_base(uint64_t v)
{
    return v < USER_CANONICAL_END;
}
