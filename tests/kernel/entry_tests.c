/*
 * Ways into ring 0 that are not the system call (docs/security.md): far
 * jumps to other code segments (a 32-bit one would let a thread run
 * `syscall` in compatibility mode, which enters the kernel through CSTAR),
 * call gates written into a table the CPU consults (the reset-state LDT
 * lies at linear address 0, in user memory), `sysenter`, and the
 * descriptor-table instructions UMIP closes. Each attempt must end as a
 * fault of the thread that made it, delivered to its handler; the kernel
 * goes on scheduling.
 *
 * One thread makes every far-transfer attempt: each ends in a fault, and
 * the root task's reply restarts the thread at the next attempt with the
 * selector in rax.
 */
#include "ktest.h"
#include <mica/bootinfo.h>
#include <mica/fault.h>
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define D 64
#define FIRST 300
#define BADGE 0xe7

#define SEL_USER_CODE 0x2b   /* the one code segment user code may use */
#define GATE_PAGE 0x1000ul  /* a user page inside the reset LDT's limit (0xffff) */
#define GATE_SELECTOR 0x1007 /* LDT (TI=1), RPL 3, index 0x200: offset 0x1000 */

/* Faulting code, with labels so the tests know the addresses. */
void et_far(void);
void et_lcall(void);
void et_sysenter(void);
void et_sgdt(void *out);
void et_payload(void);
extern const char et_far_at[], et_target[], et_lcall_at[], et_after_lcall[], et_sysenter_at[],
    et_sgdt_at[];
extern volatile unsigned long et_ring0_cr3;

__asm__(".text\n"
        /* rax = selector: far jump to selector:et_target. (Not a far
         * return: QEMU 7.2 pops its stack with a supervisor access, which
         * SMAP refuses at CPL 3 before the selector is even looked at.) */
        ".globl et_far, et_far_at, et_target\n"
        "et_far:\n"
        "    mov %ax, et_far_ptr+4(%rip)\n"
        "et_far_at: ljmp *et_far_ptr(%rip)\n"
        /* In compatibility mode these bytes are `syscall`, too. */
        "et_target: syscall\n"
        "    ud2\n"
        /* Far call through the selector in et_gate_ptr. */
        ".globl et_lcall, et_lcall_at, et_after_lcall\n"
        "et_lcall:\n"
        "et_lcall_at: lcall *et_gate_ptr(%rip)\n"
        "et_after_lcall: ud2\n"
        /* What a gate to ring 0 would run: proof it got there. */
        ".globl et_payload\n"
        "et_payload:\n"
        "    mov %cr3, %rax\n"
        "    mov %rax, et_ring0_cr3(%rip)\n"
        "    lretq\n"
        ".globl et_sysenter, et_sysenter_at\n"
        "et_sysenter:\n"
        "et_sysenter_at: sysenter\n"
        "    ud2\n"
        ".globl et_sgdt, et_sgdt_at\n"
        "et_sgdt:\n"
        "et_sgdt_at: sgdt (%rdi)\n"
        "    ret\n"
        ".data\n"
        "et_far_ptr: .long et_target\n"
        "    .word 0\n"
        "et_gate_ptr: .long 0\n"
        "    .word 0x1007\n"
        ".globl et_ring0_cr3\n"
        "et_ring0_cr3: .quad 0\n"
        ".text\n");

static unsigned long et_stack[512] __attribute__((aligned(16)));
#define STACK_TOP ((mica_word_t)&et_stack[510])

struct eenv {
    struct ktest_env e;
    mica_cptr_t ep, fault, tcb;
};

static const char *begin(struct eenv *f, const struct mica_bootinfo *bi)
{
    ktest_reset_seen();
    TRY(ktest_env_init(&f->e, bi, FIRST));
    f->ep = ktest_env_new(&f->e, MICA_OBJ_ENDPOINT);
    CHECK(f->ep);
    f->fault = ktest_env_slot(&f->e);
    CHECK_EQ(mica_cnode_mint(ROOT, f->fault, D, ROOT, f->ep, D, MICA_RIGHT_WRITE, BADGE).status,
             MICA_OK);
    return 0;
}

/* A thread (priority 100, fault endpoint f->fault) started at rip with
 * rax as given, on et_stack. */
static const char *start_at(struct eenv *f, mica_word_t rip, mica_word_t rax)
{
    TRY(ktest_env_thread(&f->e, &f->tcb, 0, 0, 100, f->fault, 0));
    struct mica_user_context regs = { 0 };
    regs.rip = rip;
    regs.rsp = STACK_TOP;
    regs.rflags = 0x202;
    regs.rax = rax;
    CHECK_EQ(mica_tcb_write_registers(f->tcb, 1, MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    return 0;
}

/* Let the thread run; take its fault (label, ip; vector and error code
 * for exceptions). */
static const char *take(struct eenv *f, mica_word_t *label, mica_word_t *ip, mica_word_t *vector,
                        mica_word_t *error)
{
    TRY(ktest_let_run());
    struct mica_msg m = mica_nb_recv(f->ep);
    if (m.status != MICA_OK)
        return ktest_failf("no fault arrived (NBRecv status %lu): the thread went on", m.status);
    CHECK_EQ(m.badge, BADGE);
    *label = mica_tag_label(m.tag);
    *ip = m.mr[0];
    *vector = *label == MICA_FAULT_EXCEPTION ? m.mr[MICA_FAULT_EXC_VECTOR] : 0;
    *error = *label == MICA_FAULT_EXCEPTION ? m.mr[MICA_FAULT_EXC_ERROR] : 0;
    return 0;
}

/* Every selector a far jump may name: each GDT entry (with RPL 3 and
 * with RPL 0), past the GDT's end, and LDT selectors. Only the user's
 * own 64-bit code segment may be entered; it runs `syscall` in 64-bit
 * mode, an UnknownSyscall fault since rax holds the selector. */
static const unsigned short far_selectors[] = {
    0x00, 0x03, 0x08, 0x0b, 0x10, 0x13, 0x18, 0x1b, 0x20, 0x23, 0x28, 0x2b, 0x30, 0x33,
    0x38, 0x3b, 0x43, 0xfffb, 0x04, 0x07, 0x0f, 0x1f, 0x1007, 0xfff7, 0xffff,
};

KTEST(entry_far_jump_reaches_no_other_code_segment)
{
    struct eenv f;
    TRY(begin(&f, bi));
    unsigned n = sizeof(far_selectors) / sizeof(far_selectors[0]);
    for (unsigned i = 0; i < n; i++) {
        mica_word_t sel = far_selectors[i], label, ip, vector, error;
        if (i == 0)
            TRY(start_at(&f, (mica_word_t)et_far, sel));
        else
            CHECK_EQ(mica_reply(mica_tag(MICA_FAULT_REPLY_RESUME, 4, 0), (mica_word_t)et_far,
                                STACK_TOP, 0x202, sel),
                     MICA_OK);
        TRY(take(&f, &label, &ip, &vector, &error));
        if ((sel & ~3ul) == (SEL_USER_CODE & ~3ul)) { /* RPL 0 is raised to CPL 3 */
            if (label != MICA_FAULT_UNKNOWN_SYSCALL || ip != (mica_word_t)et_target)
                return ktest_failf("selector 0x%lx: fault %lu at 0x%lx, expected the 64-bit "
                                   "syscall at et_target", sel, label, ip);
        } else if (label != MICA_FAULT_EXCEPTION || vector != 13 || ip != (mica_word_t)et_far_at) {
            return ktest_failf("selector 0x%lx: fault %lu (vector %lu, error 0x%lx) at 0x%lx; "
                               "expected #GP at the far jump (0x%lx)",
                               sel, label, vector, error, ip, (mica_word_t)et_far_at);
        }
    }
    CHECK_EQ(mica_reply(mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_OK); /* stop it */
    return ktest_env_done(&f.e);
}

/* A call gate to the kernel's code segment, written where the reset-state
 * LDT (base 0, limit 0xffff) would find it: the far call must fault, and
 * the payload must never run in ring 0. */
KTEST(entry_call_gate_in_user_memory_never_reaches_ring0)
{
    struct eenv f;
    TRY(begin(&f, bi));
    /* A page at GATE_PAGE, with a page table for it if there is none. */
    mica_cptr_t pt = ktest_env_new(&f.e, MICA_OBJ_PAGE_TABLE);
    CHECK(pt);
    mica_word_t st = mica_page_table_map(pt, VS, 0).status;
    CHECK(st == MICA_OK || st == MICA_ERR_MAPPED);
    mica_cptr_t frame = ktest_env_new(&f.e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    CHECK_EQ(mica_frame_map(frame, VS, GATE_PAGE, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    /* 64-bit call gate (type 0xc), DPL 3, present, to 0x08:et_payload. */
    volatile unsigned long *gate = (volatile unsigned long *)GATE_PAGE;
    unsigned long target = (unsigned long)et_payload;
    gate[0] = (target & 0xffff) | (0x08ul << 16) | (0xecul << 40) | (((target >> 16) & 0xffff) << 48);
    gate[1] = target >> 32;
    et_ring0_cr3 = 0;

    mica_word_t label, ip, vector, error;
    TRY(start_at(&f, (mica_word_t)et_lcall, 0));
    TRY(take(&f, &label, &ip, &vector, &error));
    if (et_ring0_cr3)
        return ktest_failf("the gate's payload ran in ring 0 (read cr3 = 0x%lx)", et_ring0_cr3);
    if (label != MICA_FAULT_EXCEPTION || vector != 13 || ip != (mica_word_t)et_lcall_at)
        return ktest_failf("fault %lu (vector %lu, error 0x%lx) at 0x%lx; expected #GP at the "
                           "far call (0x%lx)", label, vector, error, ip, (mica_word_t)et_lcall_at);
    CHECK_EQ(error, GATE_SELECTOR & ~3ul); /* the selector that failed */
    CHECK_EQ(mica_reply(mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_OK);
    CHECK_EQ(mica_frame_unmap(frame).status, MICA_OK);
    return ktest_env_done(&f.e);
}

/* sysenter from 64-bit mode: #GP(0) (SYSENTER_CS is 0) or #UD (AMD in
 * long mode); never an entry. */
KTEST(entry_sysenter_is_a_fault)
{
    struct eenv f;
    mica_word_t label, ip, vector, error;
    TRY(begin(&f, bi));
    TRY(start_at(&f, (mica_word_t)et_sysenter, 0));
    TRY(take(&f, &label, &ip, &vector, &error));
    CHECK_EQ(label, MICA_FAULT_EXCEPTION);
    CHECK(vector == 13 || vector == 6);
    CHECK_EQ(ip, (mica_word_t)et_sysenter_at);
    CHECK_EQ(mica_reply(mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_OK);
    return ktest_env_done(&f.e);
}

static void cpuid7(unsigned *b, unsigned *c)
{
    unsigned a = 7, d, cc = 0, max;
    __asm__ volatile("cpuid" : "=a"(max), "=b"(*b), "=c"(*c), "=d"(d) : "a"(0), "c"(0));
    *b = *c = 0;
    if (max >= 7)
        __asm__ volatile("cpuid" : "+a"(a), "=b"(*b), "+c"(cc), "=d"(d));
    *c = cc;
}

/* The kernel turns on exactly the protections the CPU offers. */
static const char *protections_match_cpu(const struct mica_bootinfo *bi)
{
    unsigned b, c, want = 0;
    cpuid7(&b, &c);
    if (b & (1u << 7))
        want |= MICA_CPU_SMEP;
    if (b & (1u << 20))
        want |= MICA_CPU_SMAP;
    if (c & (1u << 2))
        want |= MICA_CPU_UMIP;
    CHECK_EQ(bi->cpu_protections, want);
    return 0;
}

/* With UMIP, sgdt in user mode is a #GP; without it, it reads the GDTR
 * (and shows the kernel's GDT address, which is why UMIP is wanted). */
KTEST(entry_sgdt_faults_under_umip)
{
    struct eenv f;
    unsigned b, c;
    cpuid7(&b, &c);
    if (!(c & (1u << 2))) {
        unsigned char gdtr[10];
        et_sgdt(gdtr);
        return 0; /* no UMIP on this CPU: nothing to enforce */
    }
    mica_word_t label, ip, vector, error;
    TRY(begin(&f, bi));
    TRY(start_at(&f, (mica_word_t)et_sgdt, 0));
    /* rdi is 0 here; without UMIP the store would be a page fault instead. */
    TRY(take(&f, &label, &ip, &vector, &error));
    CHECK_EQ(label, MICA_FAULT_EXCEPTION);
    CHECK_EQ(vector, 13);
    CHECK_EQ(ip, (mica_word_t)et_sgdt_at);
    CHECK_EQ(mica_reply(mica_tag(1, 0, 0), 0, 0, 0, 0), MICA_OK);
    return ktest_env_done(&f.e);
}

const struct ktest entry_tests[] = {
    { "entry_far_jump_reaches_no_other_code_segment", entry_far_jump_reaches_no_other_code_segment },
    { "entry_call_gate_in_user_memory_never_reaches_ring0", entry_call_gate_in_user_memory_never_reaches_ring0 },
    { "entry_sysenter_is_a_fault", entry_sysenter_is_a_fault },
    { "entry_cpu_protections_match_cpuid", protections_match_cpu },
    { "entry_sgdt_faults_under_umip", entry_sgdt_faults_under_umip },
    { 0, 0 },
};
