/*
 * Faults delivered as IPC (docs/faults.md, docs/ipc.md "Faults"): a thread
 * with a fault endpoint that takes a page fault, executes `syscall` with a
 * non-negative number, or raises another exception is blocked as if it had
 * made a Call on that endpoint; the handler (the root task, or a thread)
 * receives the fault message, and its reply resumes the thread, with new
 * registers if it asks, or suspends it (non-zero label).
 *
 * The faulting instructions are in small assembly functions below, so the
 * tests know their exact addresses and lengths. The root task handles
 * most faults itself: it lets the threads run (ktest_let_run), then takes
 * the queued fault with NBRecv, so a fault that is not delivered fails the
 * test instead of hanging the suite.
 */
#include "ktest.h"
#include <mica/fault.h>
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define VS MICA_CAP_INIT_VSPACE
#define D 64
#define FIRST 300
#define BAD_CPTR (1ull << 63)
#define HOLE(i) (KTEST_MAP_AREA + KTEST_HOLES + (i) * MICA_PAGE_SIZE) /* unmapped pages */

/* ------------------------------------------------------------ faulting code */

/* Each faulting instruction has a global label (fx_*_at) so the tests
 * know its address; the comments give its length in bytes. */
void fx_ud2(void);
void fx_int80(void);
void fx_int3(void);
void fx_div0(void);
mica_word_t fx_load(mica_word_t addr);
void fx_store(mica_word_t addr, mica_word_t value);
void fx_regs(mica_word_t *out);
void fx_syscall(long number, mica_word_t *out);
extern const char fx_ud2_at[], fx_int80_at[], fx_int3_after[], fx_div0_at[], fx_load_at[],
    fx_store_at[], fx_regs_at[], fx_syscall_at[];

__asm__(".text\n"
        ".globl fx_ud2, fx_ud2_at\n"
        "fx_ud2:\n"
        "fx_ud2_at: ud2\n" /* 2 bytes */
        "    ret\n"
        ".globl fx_int80, fx_int80_at\n"
        "fx_int80:\n"
        "fx_int80_at: int $0x80\n" /* 2 bytes: #GP (the gate is DPL 0) */
        "    ret\n"
        ".globl fx_int3, fx_int3_after\n"
        "fx_int3: int3\n"
        "fx_int3_after: ret\n"
        ".globl fx_div0, fx_div0_at\n"
        "fx_div0:\n"
        "    xor %ecx, %ecx\n"
        "    mov $1, %eax\n"
        "    xor %edx, %edx\n"
        "fx_div0_at: div %ecx\n" /* 2 bytes */
        "    ret\n"
        ".globl fx_load, fx_load_at\n"
        "fx_load:\n"
        "fx_load_at: mov (%rdi), %rax\n" /* 3 bytes */
        "    ret\n"
        ".globl fx_store, fx_store_at\n"
        "fx_store:\n"
        "fx_store_at: mov %rsi, (%rdi)\n" /* 3 bytes */
        "    ret\n"
        /* fx_regs(out): rax, rbx, rdx = 0, ud2, then out[0..2] = rax, rbx, rdx. */
        ".globl fx_regs, fx_regs_at\n"
        "fx_regs:\n"
        "    push %rbx\n"
        "    push %rdi\n"
        "    xor %eax, %eax\n"
        "    xor %ebx, %ebx\n"
        "    xor %edx, %edx\n"
        "fx_regs_at: ud2\n"
        "    mov (%rsp), %rdi\n"
        "    mov %rax, 0(%rdi)\n"
        "    mov %rbx, 8(%rdi)\n"
        "    mov %rdx, 16(%rdi)\n"
        "    pop %rdi\n"
        "    pop %rbx\n"
        "    ret\n"
        /* fx_syscall(number, out): patterns in every register but rax, rcx,
         * r11, rsp; `syscall` with rax = number; then out[0] = rax and
         * out[1..9] = rbx rbp r12 r13 r14 r15 rdi rsi rdx. */
        ".globl fx_syscall, fx_syscall_at\n"
        "fx_syscall:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    push %rsi\n"
        "    mov %rdi, %rax\n"
        "    movabs $0xb1b1b1b1b1b1b1b1, %rbx\n"
        "    movabs $0xb9b9b9b9b9b9b9b9, %rbp\n"
        "    movabs $0xd1d1d1d1d1d1d1d1, %rdi\n"
        "    movabs $0x5151515151515151, %rsi\n"
        "    movabs $0xd2d2d2d2d2d2d2d2, %rdx\n"
        "    movabs $0xa0a0a0a0a0a0a0a0, %r10\n"
        "    movabs $0x0808080808080808, %r8\n"
        "    movabs $0x0909090909090909, %r9\n"
        "    movabs $0x1212121212121212, %r12\n"
        "    movabs $0x1313131313131313, %r13\n"
        "    movabs $0x1414141414141414, %r14\n"
        "    movabs $0x1515151515151515, %r15\n"
        "fx_syscall_at: syscall\n" /* 2 bytes */
        "    mov (%rsp), %r11\n"
        "    mov %rax, 0(%r11)\n"
        "    mov %rbx, 8(%r11)\n"
        "    mov %rbp, 16(%r11)\n"
        "    mov %r12, 24(%r11)\n"
        "    mov %r13, 32(%r11)\n"
        "    mov %r14, 40(%r11)\n"
        "    mov %r15, 48(%r11)\n"
        "    mov %rdi, 56(%r11)\n"
        "    mov %rsi, 64(%r11)\n"
        "    mov %rdx, 72(%r11)\n"
        "    add $8, %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n");

#define AT(label) ((mica_word_t)(label))

/* ------------------------------------------------------------ environment */

static mica_cptr_t g_tcb[KTEST_MAX_THREADS], g_ep, g_frames[4];
static volatile mica_word_t g_out[KTEST_MAX_THREADS][10];

struct fenv {
    struct ktest_env e;
    mica_cptr_t ep;    /* the handler's endpoint, all rights */
    mica_cptr_t fault; /* a badged, write-only copy: the threads' fault endpoint */
};

#define FAULT_BADGE 0xfa

static const char *begin(struct fenv *f, const struct mica_bootinfo *bi)
{
    ktest_reset_seen();
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++) {
        g_tcb[i] = 0;
        for (unsigned k = 0; k < 10; k++)
            g_out[i][k] = 0xdead;
    }
    TRY(ktest_env_init(&f->e, bi, FIRST));
    TRY(ktest_env_tables(&f->e));
    f->ep = g_ep = ktest_env_new(&f->e, MICA_OBJ_ENDPOINT);
    CHECK(f->ep);
    f->fault = ktest_env_slot(&f->e);
    CHECK_EQ(mica_cnode_mint(ROOT, f->fault, D, ROOT, f->ep, D, MICA_RIGHT_WRITE, FAULT_BADGE).status, MICA_OK);
    return 0;
}

/* Thread i running fn at prio with f->fault as its fault endpoint. */
static const char *faulter(struct fenv *f, long i, ktest_thread_fn fn, unsigned prio, unsigned flags)
{
    return ktest_env_thread(&f->e, &g_tcb[i], fn, i, prio, f->fault, flags | KTEST_START);
}

/* Take the fault queued on the endpoint; check its label, length and badge. */
static const char *take_fault(struct fenv *f, struct mica_msg *m, mica_word_t label, unsigned length)
{
    *m = mica_nb_recv(f->ep);
    CHECK_EQ(m->status, MICA_OK);
    CHECK_EQ(m->badge, FAULT_BADGE);
    CHECK_EQ(mica_tag_label(m->tag), label);
    CHECK_EQ(mica_tag_length(m->tag), length);
    CHECK_EQ(mica_tag_caps(m->tag), 0);
    return 0;
}

/* Reply to the pending fault, resuming the thread with n registers. */
static mica_word_t resume_with(unsigned n, mica_word_t rip, mica_word_t rsp, mica_word_t rflags,
                               mica_word_t rax)
{
    return mica_reply(mica_tag(MICA_FAULT_REPLY_RESUME, n, 0), rip, rsp, rflags, rax);
}

/* ------------------------------------------------------------ threads */

/* Store 0x1234 + i into HOLE(i), read it back into g_out[i][0]. */
static void th_touch_write(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_store(HOLE(i), 0x1234 + (mica_word_t)i);
    g_out[i][0] = fx_load(HOLE(i));
    ktest_mark(100 + i);
}

/* Read HOLE(i) into g_out[i][0]. */
static void th_touch_read(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    g_out[i][0] = fx_load(HOLE(i));
    ktest_mark(100 + i);
}

static void th_ud2(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_mark(10 + i);
    fx_ud2();
    ktest_mark(100 + i);
}

/* ------------------------------------------------------------ page faults */

/* The root task as pager: the thread's write to an unmapped page arrives
 * as MICA_FAULT_PAGE (ip, address, error); a frame is mapped there and
 * the length-0 reply makes the thread retry and continue. */
KTEST(pager_write_fault)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_touch_write, 100, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(); /* stuck in the fault */
    TRY(take_fault(&f, &m, MICA_FAULT_PAGE, MICA_FAULT_PAGE_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_IP], AT(fx_store_at));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ADDR], HOLE(0));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ERROR], MICA_PF_USER | MICA_PF_WRITE);
    /* Nothing more is queued: the thread waits for this reply. */
    TRY(ktest_let_run());
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    mica_cptr_t frame = ktest_env_new(&f.e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    CHECK_EQ(mica_frame_map(frame, VS, HOLE(0), MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(resume_with(0, 0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 0x1234);
    CHECK_EQ(*(volatile mica_word_t *)HOLE(0), 0x1234); /* the same memory */
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&f.e);
}

KTEST(pager_read_fault)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 1, th_touch_read, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_PAGE, MICA_FAULT_PAGE_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_IP], AT(fx_load_at));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ADDR], HOLE(1));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ERROR], MICA_PF_USER);
    mica_cptr_t frame = ktest_env_new(&f.e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    CHECK_EQ(mica_frame_map(frame, VS, HOLE(1), MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    *(volatile mica_word_t *)HOLE(1) = 0x5a5a;
    CHECK_EQ(resume_with(0, 0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(101);
    CHECK_EQ(g_out[1][0], 0x5a5a);
    return ktest_env_done(&f.e);
}

/* A write to a read-only mapping: PRESENT | WRITE; the pager upgrades the
 * mapping and the write goes through. */
KTEST(pager_protection_fault)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    mica_cptr_t frame = ktest_env_new(&f.e, MICA_OBJ_FRAME_4K);
    CHECK(frame);
    CHECK_EQ(mica_frame_map(frame, VS, HOLE(0), MICA_MAP_READ, 0).status, MICA_OK);
    TRY(faulter(&f, 0, th_touch_write, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_PAGE, MICA_FAULT_PAGE_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ADDR], HOLE(0));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ERROR], MICA_PF_USER | MICA_PF_WRITE | MICA_PF_PRESENT);
    CHECK_EQ(mica_frame_remap(frame, MICA_MAP_READ | MICA_MAP_WRITE, 0).status, MICA_OK);
    CHECK_EQ(resume_with(0, 0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 0x1234);
    return ktest_env_done(&f.e);
}

/* A user access to a kernel address is a page fault like any other: the
 * handler skips the 3-byte load by setting rip. */
static void th_kernel_load(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    g_out[i][0] = fx_load(0xffffffff80100000ull);
    ktest_mark(100 + i);
}

KTEST(page_fault_on_kernel_address)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_kernel_load, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_PAGE, MICA_FAULT_PAGE_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_IP], AT(fx_load_at));
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ADDR], 0xffffffff80100000ull);
    CHECK(m.mr[MICA_FAULT_PAGE_ERROR] & MICA_PF_USER);
    CHECK(m.mr[MICA_FAULT_PAGE_ERROR] & MICA_PF_PRESENT);
    CHECK_EQ(m.mr[MICA_FAULT_PAGE_ERROR] & MICA_PF_WRITE, 0);
    /* Resume after the load (rip + 3) with rax = 0x77: rsp and rflags
     * must be given too, so read them first. */
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], 3, &regs).status, MICA_OK);
    CHECK_EQ(regs.rip, AT(fx_load_at));
    CHECK_EQ(resume_with(4, regs.rip + 3, regs.rsp, regs.rflags, 0x77), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 0x77);
    return ktest_env_done(&f.e);
}

/* A thread as pager: it maps frames the root task made, with its own IPC
 * buffer for the map invocation, and answers with ReplyRecv. */
static void th_pager(long i, struct mica_ipc_buffer *ipc)
{
    struct mica_msg m = mica_recv(g_ep);
    for (unsigned k = 0; m.status == MICA_OK && k < 4; k++) {
        ktest_seen[i].x[k] = m.mr[MICA_FAULT_PAGE_ADDR];
        ktest_seen[i].n++;
        mica_word_t tag = mica_tag(1, 0, 0); /* unless handled: suspend it */
        if (mica_tag_label(m.tag) == MICA_FAULT_PAGE) {
            mica_word_t mr[] = { m.mr[MICA_FAULT_PAGE_ADDR] & ~0xfffull, MICA_MAP_READ | MICA_MAP_WRITE, 0 };
            mica_cptr_t vs = VS;
            if (ktest_invoke(ipc, g_frames[k], MICA_FRAME_MAP, mr, 3, &vs, 1).status == MICA_OK)
                tag = mica_tag(MICA_FAULT_REPLY_RESUME, 0, 0);
        }
        m = mica_reply_recv(g_ep, tag, 0, 0, 0, 0);
    }
}

/* Touch HOLE(0..2) in turn (one fault each). */
static void th_touch_three(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    for (unsigned k = 0; k < 3; k++)
        fx_store(HOLE(k) + 8 * k, 0x700 + k);
    for (unsigned k = 0; k < 3; k++)
        g_out[i][k] = fx_load(HOLE(k) + 8 * k);
    ktest_mark(100 + i);
}

KTEST(pager_thread)
{
    struct fenv f;
    mica_cptr_t pager;
    TRY(begin(&f, bi));
    for (unsigned k = 0; k < 4; k++) {
        g_frames[k] = ktest_env_new(&f.e, MICA_OBJ_FRAME_4K);
        CHECK(g_frames[k]);
    }
    TRY(ktest_env_thread(&f.e, &pager, th_pager, 0, 150, 0, KTEST_IPC | KTEST_START));
    TRY(ktest_let_run());
    TRY(faulter(&f, 1, th_touch_three, 60, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(101);
    CHECK_EQ(ktest_seen[0].n, 3);
    for (unsigned k = 0; k < 3; k++) {
        CHECK_EQ(ktest_seen[0].x[k], HOLE(k) + 8 * k);
        CHECK_EQ(g_out[1][k], 0x700 + k);
        CHECK(ktest_ident(g_frames[k]) & MICA_CAP_ID_MAPPED);
    }
    return ktest_env_done(&f.e);
}

/* ------------------------------------------------------------ unknown syscall */

static void th_linux_syscall(long i, struct mica_ipc_buffer *ipc)
{
    if (ipc)
        ipc->mr[5] = 0x4242; /* the fault must not touch the thread's own buffer */
    fx_syscall(39, (mica_word_t *)g_out[i]);
    if (ipc)
        ktest_seen[i].x[0] = ipc->mr[5];
    ktest_mark(100 + i);
}

/* A Linux getpid (39): the handler gets all 20 registers (MR0-3 in
 * registers, the rest in its IPC buffer), replies rip + 2, rsp, rflags
 * and the result, and the thread sees the result in rax. */
KTEST(unknown_syscall_emulated)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(ktest_env_thread(&f.e, &g_tcb[0], th_linux_syscall, 0, 100, f.fault, KTEST_IPC));
    CHECK_EQ(mica_tcb_set_fs_base(g_tcb[0], 0x7000).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS();
    for (unsigned k = 4; k < MICA_FAULT_SYSCALL_LENGTH; k++)
        mica_ipc->mr[k] = 0xdead;
    TRY(take_fault(&f, &m, MICA_FAULT_UNKNOWN_SYSCALL, MICA_FAULT_SYSCALL_LENGTH));
    const mica_word_t *w = mica_ipc->mr;
    CHECK_EQ(m.mr[0], AT(fx_syscall_at)); /* rip: the syscall itself */
    CHECK(m.mr[1] % 16 == 0 && m.mr[1] != 0); /* rsp, as fx_syscall aligned it */
    CHECK(m.mr[2] & 0x200);               /* rflags: IF */
    CHECK_EQ(m.mr[3], 39);                /* rax: the number */
    CHECK_EQ(w[4], 0xb1b1b1b1b1b1b1b1);   /* rbx */
    CHECK_EQ(w[6], 0xd2d2d2d2d2d2d2d2);   /* rdx */
    CHECK_EQ(w[7], 0x5151515151515151);   /* rsi */
    CHECK_EQ(w[8], 0xd1d1d1d1d1d1d1d1);   /* rdi */
    CHECK_EQ(w[9], 0xb9b9b9b9b9b9b9b9);   /* rbp */
    CHECK_EQ(w[10], 0x0808080808080808);  /* r8 */
    CHECK_EQ(w[11], 0x0909090909090909);  /* r9 */
    CHECK_EQ(w[12], 0xa0a0a0a0a0a0a0a0);  /* r10 */
    CHECK_EQ(w[14], 0x1212121212121212);  /* r12 */
    CHECK_EQ(w[15], 0x1313131313131313);  /* r13 */
    CHECK_EQ(w[16], 0x1414141414141414);  /* r14 */
    CHECK_EQ(w[17], 0x1515151515151515);  /* r15 */
    CHECK_EQ(w[18], 0x7000);              /* fs_base */
    CHECK_EQ(w[19], 0);                   /* gs_base */
    CHECK_EQ(resume_with(4, m.mr[0] + 2, m.mr[1], m.mr[2], 4242), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 4242);
    /* Everything the reply did not name kept its value. */
    CHECK_EQ(g_out[0][1], 0xb1b1b1b1b1b1b1b1);
    CHECK_EQ(g_out[0][2], 0xb9b9b9b9b9b9b9b9);
    CHECK_EQ(g_out[0][3], 0x1212121212121212);
    CHECK_EQ(g_out[0][6], 0x1515151515151515);
    CHECK_EQ(g_out[0][7], 0xd1d1d1d1d1d1d1d1);
    CHECK_EQ(g_out[0][8], 0x5151515151515151);
    CHECK_EQ(g_out[0][9], 0xd2d2d2d2d2d2d2d2);
    CHECK_EQ(ktest_seen[0].x[0], 0x4242);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&f.e);
}

/* A syscall server thread without an IPC buffer: it receives MR0-MR3 only
 * (the tag says 4), which is enough to emulate a call. */
static void th_syscall_server(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    struct mica_msg m = mica_recv(g_ep);
    while (m.status == MICA_OK) {
        ktest_record(i, m);
        m = mica_reply_recv(g_ep, mica_tag(MICA_FAULT_REPLY_RESUME, 4, 0), m.mr[0] + 2, m.mr[1], m.mr[2],
                            1000 + m.mr[3]);
    }
}

KTEST(unknown_syscall_handler_without_buffer)
{
    struct fenv f;
    mica_cptr_t server;
    TRY(begin(&f, bi));
    TRY(ktest_env_thread(&f.e, &server, th_syscall_server, 0, 150, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(faulter(&f, 1, th_linux_syscall, 60, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(101);
    CHECK_EQ(ktest_seen[0].n, 1);
    CHECK_EQ(ktest_seen[0].badge, FAULT_BADGE);
    CHECK_EQ(mica_tag_label(ktest_seen[0].tag), MICA_FAULT_UNKNOWN_SYSCALL);
    CHECK_EQ(mica_tag_length(ktest_seen[0].tag), 4);
    CHECK_EQ(ktest_seen[0].mr[0], AT(fx_syscall_at));
    CHECK_EQ(ktest_seen[0].mr[3], 39);
    CHECK_EQ(g_out[1][0], 1039);
    CHECK_EQ(g_out[1][1], 0xb1b1b1b1b1b1b1b1);
    return ktest_env_done(&f.e);
}

/* Two faulting threads on one handler endpoint, told apart by badge,
 * served in arrival order. */
static void th_syscall_n(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_syscall(200 + i, (mica_word_t *)g_out[i]);
    ktest_mark(100 + i);
}

KTEST(unknown_syscall_two_threads_badges)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    mica_cptr_t b2 = ktest_env_slot(&f.e), saved = ktest_env_slot(&f.e);
    CHECK_EQ(mica_cnode_mint(ROOT, b2, D, ROOT, f.ep, D, MICA_RIGHT_WRITE, 0xfb).status, MICA_OK);
    TRY(faulter(&f, 0, th_syscall_n, 100, 0));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&f.e, &g_tcb[1], th_syscall_n, 1, 100, b2, KTEST_START));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_UNKNOWN_SYSCALL, MICA_FAULT_SYSCALL_LENGTH));
    CHECK_EQ(m.mr[3], 200);
    mica_word_t rip0 = m.mr[0], rsp0 = m.mr[1], fl0 = m.mr[2];
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    m = mica_nb_recv(f.ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0xfb);
    CHECK_EQ(m.mr[3], 201);
    /* Answer the second first, then the first through its saved cap. */
    CHECK_EQ(resume_with(4, m.mr[0] + 2, m.mr[1], m.mr[2], 1), MICA_OK);
    CHECK_EQ(mica_send(saved, mica_tag(MICA_FAULT_REPLY_RESUME, 4, 0), rip0 + 2, rsp0, fl0, 0), MICA_OK);
    TRY(ktest_let_run());
    CHECK_EQ(g_out[0][0], 0);
    CHECK_EQ(g_out[1][0], 1);
    EXPECT_MARKS(101, 100);
    return ktest_env_done(&f.e);
}

/* ------------------------------------------------------------ exceptions */

/* ud2: MICA_FAULT_EXCEPTION, vector 6, no error code, rsp and rflags. The
 * root task waits for it in Recv (the fault wakes it at once). */
KTEST(exception_ud2)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    for (unsigned k = 4; k < MICA_FAULT_EXC_LENGTH; k++)
        mica_ipc->mr[k] = 0xdead;
    struct mica_msg m = mica_recv(f.ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, FAULT_BADGE);
    CHECK_EQ(m.tag, mica_tag(MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH, 0));
    EXPECT_MARKS(10);
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_VECTOR], 6);
    CHECK_EQ(m.mr[MICA_FAULT_EXC_ERROR], 0);
    mica_word_t flags = mica_ipc->mr[MICA_FAULT_EXC_FLAGS];
    CHECK(flags & 0x200);
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], 3, &regs).status, MICA_OK);
    CHECK_EQ(m.mr[MICA_FAULT_EXC_SP], regs.rsp);
    CHECK_EQ(flags, regs.rflags);
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* int $0x80 from user mode: #GP (13) with the gate's IDT index as error code. */
static void th_int80(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_int80();
    ktest_mark(100 + i);
}

KTEST(exception_gp_error_code)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_int80, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_int80_at));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_VECTOR], 13);
    /* The IDT-index error code: 0x80 << 3 | 2 on hardware; QEMU's TCG
     * (do_interrupt64) reports intno * 16 + 2 = 0x802 instead. */
    CHECK(m.mr[MICA_FAULT_EXC_ERROR] == (0x80 << 3 | 2) || m.mr[MICA_FAULT_EXC_ERROR] == (0x80 << 4 | 2));
    CHECK_EQ(resume_with(1, AT(fx_int80_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    return ktest_env_done(&f.e);
}

/* int3: #BP (3), reported at the address after it: a length-0 reply
 * continues there. */
static void th_int3(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_int3();
    ktest_mark(100 + i);
}

KTEST(exception_breakpoint)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_int3, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_int3_after));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_VECTOR], 3);
    CHECK_EQ(resume_with(0, 0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&f.e);
}

/* Divide by zero: #DE (0). A length-0 reply runs the division again,
 * which faults again; skipping it (rip + 2) lets the thread go on. */
static void th_div0(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_div0();
    ktest_mark(100 + i);
}

KTEST(exception_divide_retry_then_skip)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_div0, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_div0_at));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_VECTOR], 0);
    CHECK_EQ(resume_with(0, 0, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS();
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_div0_at));
    CHECK_EQ(resume_with(1, AT(fx_div0_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    return ktest_env_done(&f.e);
}

/* The reply sets registers beyond rip: rax, rbx, rcx, rdx (length 7). */
static void th_regs(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_regs((mica_word_t *)g_out[i]);
    ktest_mark(100 + i);
}

KTEST(fault_reply_sets_registers)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_regs, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_regs_at));
    mica_word_t rsp = m.mr[MICA_FAULT_EXC_SP], flags = mica_ipc->mr[MICA_FAULT_EXC_FLAGS];
    mica_ipc->mr[4] = 0xbbbb; /* rbx */
    mica_ipc->mr[5] = 0xcccc; /* rcx */
    mica_ipc->mr[6] = 0xdddd; /* rdx */
    CHECK_EQ(resume_with(7, AT(fx_regs_at) + 2, rsp, flags, 0xaaaa), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 0xaaaa);
    CHECK_EQ(g_out[0][1], 0xbbbb);
    CHECK_EQ(g_out[0][2], 0xdddd);
    return ktest_env_done(&f.e);
}

/* A reply of all 20 registers (and more: extra ones are ignored) sets
 * fs_base too. */
static volatile mica_word_t fs_word = 0xf5f5;

static void th_ud2_then_fs(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_ud2();
    mica_word_t v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v));
    g_out[i][0] = v;
    ktest_mark(100 + i);
}

static const char *reply_all_registers(struct fenv *f, mica_word_t fs_base, unsigned length)
{
    struct mica_msg m;
    struct mica_user_context regs;
    TRY(take_fault(f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    CHECK_EQ(regs.rip, AT(fx_ud2_at));
    regs.rip += 2;
    regs.fs_base = fs_base;
    const mica_word_t *w = (const mica_word_t *)&regs;
    for (unsigned k = 4; k < length; k++)
        mica_ipc->mr[k] = k < MICA_USER_CONTEXT_WORDS ? w[k] : 0xbad0000 + k;
    CHECK_EQ(mica_reply(mica_tag(MICA_FAULT_REPLY_RESUME, length, 0), w[0], w[1], w[2], w[3]), MICA_OK);
    return 0;
}

KTEST(fault_reply_all_registers)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2_then_fs, 100, KTEST_IPC));
    TRY(ktest_let_run());
    TRY(reply_all_registers(&f, (mica_word_t)&fs_word, 24));
    TRY(ktest_let_run());
    EXPECT_MARKS(100);
    CHECK_EQ(g_out[0][0], 0xf5f5);
    return ktest_env_done(&f.e);
}

/* An fs_base that is not a user address is ignored (docs/faults.md: as
 * WriteRegisters writes them); the other registers still apply. */
static void th_ud2_mark(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    fx_ud2();
    ktest_mark(100 + i);
}

KTEST(fault_reply_bad_fs_base_ignored)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2_mark, 100, KTEST_IPC));
    TRY(ktest_let_run());
    TRY(reply_all_registers(&f, 1ull << 47, MICA_USER_CONTEXT_WORDS));
    TRY(ktest_let_run());
    struct mica_msg again = mica_nb_recv(f.ep);
    if (again.status == MICA_OK)
        return ktest_failf("the thread faulted again at rip 0x%llx: the reply's registers were not applied",
                           (unsigned long long)again.mr[0]);
    EXPECT_MARKS(100);
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], MICA_USER_CONTEXT_WORDS, &regs).status, MICA_OK);
    CHECK_EQ(regs.fs_base, 0);
    return ktest_env_done(&f.e);
}

/* A reply with a non-zero label suspends the faulting thread; Resume
 * makes it run the faulting instruction again. */
KTEST(fault_reply_label_suspends)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_reply(mica_tag(1, 1, 0), AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);                                          /* did not go on */
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK); /* nor fault again */
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* The handler may save the reply cap and answer later with a Send. */
KTEST(fault_deferred_reply)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    mica_cptr_t saved = ktest_env_slot(&f.e);
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_REPLY);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    CHECK_EQ(mica_send(saved, mica_tag(MICA_FAULT_REPLY_RESUME, 1, 0), AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    CHECK_EQ(ktest_id_type(saved), MICA_OBJ_NULL);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* A fault reply cap destroyed unused: the thread is not given an error,
 * it runs the faulting instruction again (and faults again). */
KTEST(fault_reply_cap_deleted_retries)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    mica_cptr_t saved = ktest_env_slot(&f.e);
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_cnode_save_caller(ROOT, saved, D).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, saved, D).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* Suspended while its fault waits in the queue: it leaves the queue; on
 * Resume it faults again. */
KTEST(fault_suspend_then_resume_refaults)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    CHECK_EQ(mica_tcb_suspend(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* Suspended while its fault is being handled: the handler's reply cap
 * goes, and on Resume the thread faults again. */
KTEST(fault_suspend_while_handled_refaults)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_tcb_suspend(g_tcb[0]).status, MICA_OK);
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_ERR_NO_REPLY);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* New registers release a thread waiting in its fault. */
KTEST(fault_write_registers_releases_faulter)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], 1, &regs).status, MICA_OK);
    CHECK_EQ(regs.rip, AT(fx_ud2_at));
    regs.rip += 2;
    CHECK_EQ(mica_tcb_write_registers(g_tcb[0], 1, 1, &regs).status, MICA_OK);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK); /* out of the queue */
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* The faulting thread is deleted while its fault is being handled: the
 * handler's reply cap disappears with it. */
KTEST(fault_delete_faulter_while_handled)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(mica_cnode_delete(ROOT, g_tcb[0], D).status, MICA_OK);
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_ERR_NO_REPLY);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    return ktest_env_done(&f.e);
}

/* The handler receives a Call while a fault's reply cap is unsaved: the
 * faulting thread is released (no error) and faults again. */
static void th_call_ep(long i, struct mica_ipc_buffer *ipc)
{
    (void)ipc;
    ktest_record(i, mica_call(g_ep, mica_tag(8, 1, 0), 100 + (mica_word_t)i, 0, 0, 0));
    ktest_mark(100 + i);
}

KTEST(fault_unsaved_reply_replaced_retries)
{
    struct fenv f;
    struct mica_msg m;
    mica_cptr_t t;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(ktest_env_thread(&f.e, &t, th_call_ep, 1, 100, 0, KTEST_START));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    m = mica_nb_recv(f.ep); /* the Call: the fault's reply cap goes */
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.mr[0], 101);
    CHECK_EQ(mica_reply(mica_tag(0, 1, 0), 0x33, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 101);
    CHECK_EQ(ktest_seen[1].mr[0], 0x33);
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.mr[MICA_FAULT_EXC_IP], AT(fx_ud2_at));
    return ktest_env_done(&f.e);
}

/* ------------------------------------------------------------ the fault endpoint */

KTEST(configure_fault_endpoint_errors)
{
    struct fenv f;
    mica_cptr_t t;
    TRY(begin(&f, bi));
    TRY(ktest_env_thread(&f.e, &t, th_ud2, 0, 100, 0, 0));
    mica_cptr_t ro = ktest_env_slot(&f.e), ntfn = ktest_env_new(&f.e, MICA_OBJ_NOTIFICATION);
    mica_cptr_t empty = ktest_env_slot(&f.e);
    CHECK(ntfn);
    CHECK_EQ(mica_cnode_copy(ROOT, ro, D, ROOT, f.ep, D, MICA_RIGHTS_ALL & ~MICA_RIGHT_WRITE).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(t, ro, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_tcb_configure(t, ntfn, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_configure(t, empty, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_ERR_INVALID_CAP);
    CHECK_EQ(mica_tcb_configure(t, ROOT, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_ERR_INVALID_CAP);
    struct mica_sysret r = mica_tcb_configure(t, BAD_CPTR, ROOT, 0, VS, 0, 0, 100, 100);
    CHECK_EQ(r.status, MICA_ERR_LOOKUP_FAILED);
    CHECK_EQ(MICA_LOOKUP_KIND(r.value), MICA_LOOKUP_GUARD_MISMATCH);
    /* A write-only cap will do; the TCB's copy is a child of it. */
    CHECK_EQ(mica_tcb_configure(t, f.fault, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_OK);
    /* Its fault now arrives there. */
    CHECK_EQ(mica_tcb_resume(t).status, MICA_OK);
    TRY(ktest_let_run());
    struct mica_msg m;
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    return ktest_env_done(&f.e);
}

/* A refused Configure changes nothing: the old fault endpoint stays. */
KTEST(configure_refused_keeps_fault_endpoint)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(ktest_env_thread(&f.e, &g_tcb[0], th_ud2, 0, 100, f.fault, 0));
    mica_cptr_t ro = ktest_env_slot(&f.e);
    CHECK_EQ(mica_cnode_copy(ROOT, ro, D, ROOT, f.ep, D, MICA_RIGHT_READ).status, MICA_OK);
    CHECK_EQ(mica_tcb_configure(g_tcb[0], ro, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_ERR_NO_RIGHTS);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    CHECK_EQ(m.badge, FAULT_BADGE);
    return ktest_env_done(&f.e);
}

/* A new Configure replaces the fault endpoint (and its badge); the copy
 * in the TCB outlives the cap it was copied from being deleted. */
KTEST(configure_replaces_fault_endpoint)
{
    struct fenv f;
    TRY(begin(&f, bi));
    mica_cptr_t other = ktest_env_slot(&f.e);
    CHECK_EQ(mica_cnode_mint(ROOT, other, D, ROOT, f.ep, D, MICA_RIGHT_WRITE, 0x5e).status, MICA_OK);
    TRY(ktest_env_thread(&f.e, &g_tcb[0], th_ud2, 0, 100, f.fault, 0));
    CHECK_EQ(mica_tcb_configure(g_tcb[0], other, ROOT, 0, VS, 0, 0, 100, 100).status, MICA_OK);
    CHECK_EQ(mica_cnode_delete(ROOT, other, D).status, MICA_OK);
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    struct mica_msg m = mica_nb_recv(f.ep);
    CHECK_EQ(m.status, MICA_OK);
    CHECK_EQ(m.badge, 0x5e);
    CHECK_EQ(mica_tag_label(m.tag), MICA_FAULT_EXCEPTION);
    return ktest_env_done(&f.e);
}

/* Revoking the cap the fault endpoint was copied from leaves the thread
 * without one: its fault is reported on the console and it is stopped
 * (it neither goes on nor sends a fault message); Resume runs the
 * faulting instruction again, with the same result. */
KTEST(revoked_fault_endpoint_stops_thread)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(ktest_env_thread(&f.e, &g_tcb[0], th_ud2, 0, 100, f.fault, 0));
    CHECK_EQ(mica_cnode_revoke(ROOT, f.fault, D).status, MICA_OK);
    CHECK_EQ(ktest_id_type(f.fault), MICA_OBJ_ENDPOINT); /* only the TCB's copy went */
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    /* Stopped, not blocked: Resume restarts it at the ud2. */
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], 1, &regs).status, MICA_OK);
    CHECK_EQ(regs.rip, AT(fx_ud2_at));
    CHECK_EQ(mica_tcb_resume(g_tcb[0]).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    /* Moved past it, it goes on. */
    regs.rip += 2;
    CHECK_EQ(mica_tcb_write_registers(g_tcb[0], 1, 1, &regs).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    CHECK_EQ(mica_nb_recv(f.ep).status, MICA_ERR_WOULD_BLOCK);
    return ktest_env_done(&f.e);
}

/* The fault endpoint's last caps go while the fault waits in its queue:
 * the thread is released to retry, faults again with no handler left,
 * and is stopped. */
KTEST(fault_endpoint_deleted_while_queued)
{
    struct fenv f;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    CHECK_EQ(mica_cnode_revoke(ROOT, f.ep, D).status, MICA_OK); /* the TCB's copy and f.fault */
    CHECK_EQ(mica_cnode_delete(ROOT, f.ep, D).status, MICA_OK); /* the last cap */
    TRY(ktest_let_run());
    EXPECT_MARKS(10);
    struct mica_user_context regs;
    CHECK_EQ(mica_tcb_read_registers(g_tcb[0], 1, &regs).status, MICA_OK);
    CHECK_EQ(regs.rip, AT(fx_ud2_at));
    regs.rip += 2;
    CHECK_EQ(mica_tcb_write_registers(g_tcb[0], 1, 1, &regs).status, MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

/* A fault reply cannot carry caps. */
KTEST(fault_reply_with_caps_refused)
{
    struct fenv f;
    struct mica_msg m;
    TRY(begin(&f, bi));
    TRY(faulter(&f, 0, th_ud2, 100, 0));
    TRY(ktest_let_run());
    TRY(take_fault(&f, &m, MICA_FAULT_EXCEPTION, MICA_FAULT_EXC_LENGTH));
    mica_ipc->caps[0] = f.ep;
    struct mica_msg r = mica_ipc_syscall(MICA_SYS_REPLY, 0, mica_tag(MICA_FAULT_REPLY_RESUME, 1, 1),
                                         AT(fx_ud2_at) + 2, 0, 0, 0);
    CHECK_EQ(r.status, MICA_ERR_NO_RIGHTS);
    TRY(ktest_let_run());
    EXPECT_MARKS(10); /* the reply cap is still there, the thread waiting */
    CHECK_EQ(resume_with(1, AT(fx_ud2_at) + 2, 0, 0, 0), MICA_OK);
    TRY(ktest_let_run());
    EXPECT_MARKS(10, 100);
    return ktest_env_done(&f.e);
}

const struct ktest fault_ipc_tests[] = {
    { "fault_pager_write_fault", pager_write_fault },
    { "fault_pager_read_fault", pager_read_fault },
    { "fault_pager_protection_fault", pager_protection_fault },
    { "fault_page_fault_on_kernel_address", page_fault_on_kernel_address },
    { "fault_pager_thread", pager_thread },
    { "fault_unknown_syscall_emulated", unknown_syscall_emulated },
    { "fault_unknown_syscall_handler_without_buffer", unknown_syscall_handler_without_buffer },
    { "fault_unknown_syscall_two_threads_badges", unknown_syscall_two_threads_badges },
    { "fault_exception_ud2", exception_ud2 },
    { "fault_exception_gp_error_code", exception_gp_error_code },
    { "fault_exception_breakpoint", exception_breakpoint },
    { "fault_exception_divide_retry_then_skip", exception_divide_retry_then_skip },
    { "fault_reply_sets_registers", fault_reply_sets_registers },
    { "fault_reply_all_registers", fault_reply_all_registers },
    { "fault_reply_bad_fs_base_ignored", fault_reply_bad_fs_base_ignored },
    { "fault_reply_label_suspends", fault_reply_label_suspends },
    { "fault_deferred_reply", fault_deferred_reply },
    { "fault_reply_cap_deleted_retries", fault_reply_cap_deleted_retries },
    { "fault_suspend_then_resume_refaults", fault_suspend_then_resume_refaults },
    { "fault_reply_with_caps_refused", fault_reply_with_caps_refused },
    { "fault_suspend_while_handled_refaults", fault_suspend_while_handled_refaults },
    { "fault_write_registers_releases_faulter", fault_write_registers_releases_faulter },
    { "fault_delete_faulter_while_handled", fault_delete_faulter_while_handled },
    { "fault_unsaved_reply_replaced_retries", fault_unsaved_reply_replaced_retries },
    { "fault_configure_endpoint_errors", configure_fault_endpoint_errors },
    { "fault_configure_refused_keeps_endpoint", configure_refused_keeps_fault_endpoint },
    { "fault_configure_replaces_endpoint", configure_replaces_fault_endpoint },
    { "fault_revoked_endpoint_stops_thread", revoked_fault_endpoint_stops_thread },
    { "fault_endpoint_deleted_while_queued", fault_endpoint_deleted_while_queued },
    { 0, 0 },
};
