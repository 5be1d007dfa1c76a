/*
 * Helpers shared by the test files (declared in ktest.h): slot names, the
 * choice of a boot untyped, cap identification, the leak check that the
 * KTEST wrapper runs after every test, and test threads with their own
 * stacks and IPC buffers for the IPC, notification and fault tests.
 */
#include "ktest.h"
#include <mica_invoke.h>
#include <mica_ipc.h>

#define ROOT MICA_CAP_INIT_CNODE
#define D 64 /* depth that names a slot of the root CNode */

mica_word_t ktest_slot(const struct mica_bootinfo *bi, unsigned i)
{
    return bi->slot_empty_first + i;
}

mica_cptr_t ktest_ram_untyped(const struct mica_bootinfo *bi, unsigned min_bits, unsigned *bits)
{
    mica_cptr_t best = 0;
    unsigned best_bits = 99;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        unsigned b = bi->untyped[i].size_bits;
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && b >= min_bits && b < best_bits) {
            best = bi->slot_untyped_first + i;
            best_bits = b;
        }
    }
    if (bits)
        *bits = best_bits;
    return best;
}

mica_cptr_t ktest_largest_ram_untyped(const struct mica_bootinfo *bi, unsigned *bits)
{
    mica_cptr_t best = 0;
    unsigned best_bits = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        unsigned b = bi->untyped[i].size_bits;
        if (!(bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && b > best_bits) {
            best = bi->slot_untyped_first + i;
            best_bits = b;
        }
    }
    if (bits)
        *bits = best_bits;
    return best;
}

mica_word_t ktest_ident(mica_cptr_t c)
{
    struct mica_sysret r = mica_debug_cap_identify(c);
    return r.status ? ~0ull : r.value;
}

unsigned ktest_id_type(mica_cptr_t c)
{
    struct mica_sysret r = mica_debug_cap_identify(c);
    return r.status ? 0xffff : MICA_CAP_ID_TYPE(r.value);
}

const char *ktest_cleanup(const struct mica_bootinfo *bi, int report)
{
    const char *leak = 0;
    /* The whole free range, which every test file draws its slots from;
     * the fixed caps and the boot untypeds lie below slot_empty_first. */
    unsigned n_slots = (unsigned)(bi->slot_empty_end - bi->slot_empty_first);
    for (unsigned i = 0; i < n_slots; i++) {
        unsigned type = ktest_id_type(ktest_slot(bi, i));
        if (type != MICA_OBJ_NULL) {
            if (report && !leak)
                leak = ktest_failf("left slot(%u) in use (type %u)", i, type);
            mica_cnode_delete(ROOT, ktest_slot(bi, i), D);
        }
    }
    /* Emptied above; the retype below only borrows it. */
    mica_word_t spare = ktest_slot(bi, n_slots - 1);
    for (unsigned i = 0; i < bi->n_untyped; i++) {
        mica_cptr_t ut = bi->slot_untyped_first + i;
        /* An untyped without live children can be retyped whole. */
        struct mica_sysret r = mica_untyped_retype(ut, MICA_OBJ_UNTYPED, bi->untyped[i].size_bits,
                                                   ROOT, 0, 0, spare, 1);
        if (report && r.status != MICA_OK && !leak)
            leak = ktest_failf("left untyped %u (slot %llu) with children (retype: %llu)", i,
                               (unsigned long long)ut, (unsigned long long)r.status);
        mica_cnode_revoke(ROOT, ut, D);
    }
    return leak;
}

const char *ktest_run(const struct mica_bootinfo *bi, ktest_fn body)
{
    /* The number of the last test that ended with a cleanup: if it was the
     * one just before this, the CSpace is known to be clean already. */
    static unsigned cleaned = ~0u;
    if (cleaned + 1 != ktest_started)
        ktest_cleanup(bi, 0);
    const char *why = body(bi);
    /* A failure's reason lives in ktest_failf's buffer: report no leak over it. */
    const char *leak = ktest_cleanup(bi, !why);
    cleaned = ktest_started;
    return why ? why : leak;
}

/* ------------------------------------------------------ test threads and IPC */

#define SELF MICA_CAP_INIT_TCB
#define VS MICA_CAP_INIT_VSPACE
#define KT_STACK_WORDS 2048

static unsigned long kt_stacks[KTEST_MAX_THREADS][KT_STACK_WORDS] __attribute__((aligned(16)));

static struct {
    ktest_thread_fn fn;
    long arg;
    mica_cptr_t tcb;
    struct mica_ipc_buffer *ipc;
} kt_threads[KTEST_MAX_THREADS];

/* Every test thread starts here (rdi = its index) and suspends itself
 * when its function returns. */
static __attribute__((noreturn)) void kt_thread_main(long i)
{
    kt_threads[i].fn(kt_threads[i].arg, kt_threads[i].ipc);
    mica_tcb_suspend(kt_threads[i].tcb);
    mica_printf("ktest: test thread %ld did not stop\n", i);
    mica_debug_halt(3);
}

const char *ktest_env_init(struct ktest_env *e, const struct mica_bootinfo *bi, unsigned first)
{
    e->bi = bi;
    e->ut = ktest_ram_untyped(bi, 22, 0);
    e->next_slot = first;
    e->n_threads = 0;
    e->n_pages = 0;
    e->tables = 0;
    mica_ipc->receive_cnode = 0; /* the root task accepts no caps unless a test says so */
    CHECK(e->ut);
    return 0;
}

const char *ktest_env_done(struct ktest_env *e)
{
    mica_ipc->receive_cnode = 0;
    mica_ipc->receive_index = 0;
    mica_ipc->receive_depth = 0;
    CHECK_EQ(mica_cnode_revoke(ROOT, e->ut, D).status, MICA_OK);
    e->n_threads = 0;
    /* Use up a reply cap a test may have left in the root task's reply
     * slot (its caller is gone now), so the next test starts without one. */
    mica_reply(0, 0, 0, 0, 0);
    return 0;
}

mica_cptr_t ktest_env_slot(struct ktest_env *e)
{
    if (e->bi->slot_empty_first + e->next_slot >= e->bi->slot_empty_end)
        return 0;
    return ktest_slot(e->bi, e->next_slot++);
}

mica_cptr_t ktest_env_new(struct ktest_env *e, unsigned type)
{
    mica_cptr_t c = ktest_env_slot(e);
    if (!c || mica_untyped_retype(e->ut, type, 0, ROOT, 0, 0, c, 1).status != MICA_OK)
        return 0;
    return c;
}

const char *ktest_env_tables(struct ktest_env *e)
{
    static const unsigned types[] = { MICA_OBJ_PDPT, MICA_OBJ_PAGE_DIRECTORY, MICA_OBJ_PAGE_TABLE };
    if (e->tables)
        return 0;
    for (unsigned i = 0; i < 3; i++) {
        mica_cptr_t t = ktest_env_new(e, types[i]);
        CHECK(t);
        CHECK_EQ(mica_page_table_map(t, VS, KTEST_MAP_AREA).status, MICA_OK);
    }
    e->tables = 1;
    return 0;
}

void *ktest_env_page(struct ktest_env *e, mica_cptr_t *frame)
{
    if (ktest_env_tables(e) || e->n_pages >= KTEST_HOLES / MICA_PAGE_SIZE)
        return 0;
    mica_cptr_t f = ktest_env_new(e, MICA_OBJ_FRAME_4K);
    mica_word_t va = KTEST_MAP_AREA + e->n_pages * MICA_PAGE_SIZE;
    if (!f || mica_frame_map(f, VS, va, MICA_MAP_READ | MICA_MAP_WRITE, 0).status != MICA_OK)
        return 0;
    e->n_pages++;
    if (frame)
        *frame = f;
    return (void *)va;
}

const char *ktest_env_thread(struct ktest_env *e, mica_cptr_t *tcb, ktest_thread_fn fn, long arg,
                             unsigned prio, mica_cptr_t fault_ep, unsigned flags)
{
    CHECK(e->n_threads < KTEST_MAX_THREADS);
    unsigned i = e->n_threads;
    struct mica_ipc_buffer *ipc = 0;
    mica_cptr_t frame = 0;
    if (flags & KTEST_IPC) {
        ipc = ktest_env_page(e, &frame);
        CHECK(ipc);
    }
    mica_cptr_t t = ktest_env_new(e, MICA_OBJ_TCB);
    CHECK(t);
    struct mica_sysret r = mica_tcb_configure(t, fault_ep, ROOT, 0, VS, (mica_word_t)ipc, frame, prio, prio);
    if (r.status != MICA_OK)
        return ktest_failf("configuring thread %u: error %llu (%llu)", i,
                           (unsigned long long)r.status, (unsigned long long)r.value);
    kt_threads[i].fn = fn;
    kt_threads[i].arg = arg;
    kt_threads[i].tcb = t;
    kt_threads[i].ipc = ipc;
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)kt_thread_main;
    regs.rsp = (mica_word_t)&kt_stacks[i][KT_STACK_WORDS - 1]; /* as if called: rsp % 16 == 8 */
    regs.rflags = 0x202;
    regs.rdi = i;
    CHECK_EQ(mica_tcb_write_registers(t, (flags & KTEST_START) != 0, MICA_USER_CONTEXT_WORDS, &regs).status,
             MICA_OK);
    e->n_threads++;
    *tcb = t;
    return 0;
}

struct mica_ipc_buffer *ktest_env_ipc_of(struct ktest_env *e, mica_cptr_t tcb)
{
    for (unsigned i = 0; i < e->n_threads; i++)
        if (kt_threads[i].tcb == tcb)
            return kt_threads[i].ipc;
    return 0;
}

const char *ktest_let_run(void)
{
    CHECK_EQ(mica_tcb_set_priority(SELF, 1).status, MICA_OK);
    CHECK_EQ(mica_tcb_set_priority(SELF, MICA_ROOT_PRIORITY).status, MICA_OK);
    return 0;
}

struct mica_sysret ktest_invoke(struct mica_ipc_buffer *buf, mica_cptr_t cap, mica_word_t label,
                                const mica_word_t *mr, unsigned length, const mica_cptr_t *caps,
                                unsigned n_caps)
{
    for (unsigned i = MICA_MSG_REGS_IN_CPU; i < length; i++)
        buf->mr[i] = mr[i];
    for (unsigned i = 0; i < n_caps; i++)
        buf->caps[i] = caps[i];
    struct mica_msg m = mica_ipc_syscall(MICA_SYS_CALL, cap, mica_tag(label, length, n_caps),
                                         length > 0 ? mr[0] : 0, length > 1 ? mr[1] : 0,
                                         length > 2 ? mr[2] : 0, length > 3 ? mr[3] : 0);
    return (struct mica_sysret){ m.status, m.badge };
}

volatile struct ktest_seen ktest_seen[KTEST_MAX_THREADS];
static volatile long kt_marks[32];
static volatile unsigned kt_n_marks;

void ktest_record(long i, struct mica_msg m)
{
    ktest_seen[i].status = m.status;
    ktest_seen[i].badge = m.badge;
    ktest_seen[i].tag = m.tag;
    for (unsigned k = 0; k < 4; k++)
        ktest_seen[i].mr[k] = m.mr[k];
    ktest_seen[i].n++;
}

void ktest_mark(long v)
{
    if (kt_n_marks < sizeof(kt_marks) / sizeof(kt_marks[0]))
        kt_marks[kt_n_marks] = v;
    kt_n_marks++;
}

void ktest_reset_seen(void)
{
    for (unsigned i = 0; i < KTEST_MAX_THREADS; i++) {
        ktest_seen[i].status = ktest_seen[i].badge = ktest_seen[i].tag = 0xdead;
        for (unsigned k = 0; k < 4; k++)
            ktest_seen[i].mr[k] = ktest_seen[i].x[k] = 0xdead;
        ktest_seen[i].n = 0;
    }
    kt_n_marks = 0;
}

const char *ktest_expect_marks(const long *want, unsigned n)
{
    if (kt_n_marks != n)
        return ktest_failf("%u marks made, expected %u (first %ld)", kt_n_marks, n,
                           kt_n_marks ? kt_marks[0] : -1);
    for (unsigned i = 0; i < n; i++)
        if (kt_marks[i] != want[i])
            return ktest_failf("mark %u is %ld, expected %ld", i, kt_marks[i], want[i]);
    return 0;
}
