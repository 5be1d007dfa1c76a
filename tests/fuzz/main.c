/*
 * The system-call fuzzer's root task (docs/fuzzing.md).
 *
 * Module arguments (tools and `make fuzz` pass each as 16 hex digits, so
 * that runs differing only in n execute the same instructions up to the
 * end of the shorter one, timer interrupts included):
 *   seed=X   the seed of everything random
 *   n=X      how many random calls to make
 *   trace=X  print every call from call X on (default: never)
 *   epoch=X  rebuild the pool every X calls (default FZ_EPOCH)
 *   avoid=X  known kernel bugs to steer clear of (FZ_AVOID_*, fuzz.h)
 *
 * Set-up: a private area (boot CNode R, reachable only as FZ_PRIV) holds
 * what must survive: the fuzzer's own caps, the watchdog thread, its
 * endpoint, the PIT's IRQ handler and notification, the child threads'
 * IPC buffers. The fuzzer's CSpace becomes the CNode C of fuzz.h. Every
 * epoch the pool is rebuilt from one untyped (revoking it destroys every
 * pool object): six pool CNodes, objects of every type, copies of the
 * device control caps, derived and badged copies, and six child threads
 * running child.S, four in the fuzzer's address space and two in a pool
 * VSpace beside a device frame.
 *
 * Then each call picks an operation: an invocation of a pool cap (mostly
 * with a label that fits its type, sometimes any label), an IPC system
 * call, a debug call, an invalid or unknown system call number, Yield, or
 * a deliberate block that lets the children run until the watchdog cuts
 * it short. Arguments are mostly plausible (slots of the pool, sizes and
 * addresses that could work) and otherwise boundary values or garbage.
 */
#include "fuzz.h"
#include <format.h>
#include <mica/device.h>
#include <mica/fault.h>
#include <mica/invocation.h>
#include <mica/layout.h>
#include <mica/object.h>
#include <mica/tcb.h>
#include <mica/vspace.h>
#include <mica_device.h>
#include <mica_invoke.h>

#define FZ_EPOCH 4000
#define FZ_CHILDREN 6
#define FZ_PRIV_VA 0x0000300000000000ull /* PML4 slot 96: the private pages */
#define FZ_PIT_COUNT 119                 /* ~100 us per watchdog tick (1.193 MHz) */
#define FZ_MCP 253

extern const char __executable_start[], _end[];

/* ------------------------------------------------------------ randomness */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd(uint64_t n)
{
    return n ? rnd64() % n : 0;
}

/* True with probability p/256. */
static int chance(unsigned p)
{
    return (rnd64() >> 56) < p;
}

static const uint64_t boundaries[] = {
    0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 31, 32, 47, 48, 63, 64, 65, 127, 128, 255, 256, 511, 512,
    4095, 4096, 4097, 0xffff, 0x10000, 0x1fffff, 0x200000, 0x200001, 0x3fffffff, 0x40000000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffull, 0x8000000000ull,
    0x00007fffffffefffull, 0x00007ffffffff000ull, 0x00007fffffffffffull, 0x0000800000000000ull,
    0xffff800000000000ull, 0xffffffff80000000ull, 0xfffffffffffff000ull, 0x8000000000000000ull,
    0x7fffffffffffffffull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
};
#define N_BOUNDARIES (sizeof(boundaries) / sizeof(boundaries[0]))

/* A boundary value: from the table, 2^k +- 1, or any word. */
static uint64_t boundary(void)
{
    switch (rnd(4)) {
    case 0:
    case 1: return boundaries[rnd(N_BOUNDARIES)];
    case 2: return (1ull << rnd(64)) + (uint64_t)(int64_t)(rnd(3) - 1);
    default: return rnd64();
    }
}

/* --------------------------------------------------------------- state */

static const struct mica_bootinfo *bi;
static uint64_t n_calls, trace_from = ~0ull, epoch_len = FZ_EPOCH, avoid;
static mica_cptr_t rs_base; /* first free slot of R */

/* R slots (FZ_PRIV(RS(k))) of the private objects. */
#define RS(k) (rs_base + (k))
enum {
    S_UPRIV = 0, S_UPOOL = 1, S_C = 2, S_WEP = 3, S_WEP_BADGED = 4, S_TICK = 5, S_BLOCK = 6,
    S_WTCB = 7, S_PIT_IRQ = 8, S_PIT_PORTS = 9, S_TABLES = 10, /* 10..12 */
    S_FRAMES = 13, /* 13..13+FZ_CHILDREN: child IPC buffers, then the watchdog's */
    S_POOL_CNODES = 30, /* 30..35: the pool CNodes' first caps */
    S_PIT_IRQ0 = 40, S_TICK_BADGED = 41, S_CODE = 42,
};
static mica_cptr_t dev_untyped; /* a boot device untyped (R slot), 0 if none */

static struct mica_ipc_buffer *child_ipc(unsigned k)
{
    return (struct mica_ipc_buffer *)(FZ_PRIV_VA + k * MICA_PAGE_SIZE);
}

/* Statistics: calls and successes per call kind. */
enum { K_INVOKE, K_IPC, K_DEBUG, K_BAD, K_UNKNOWN, K_YIELD, K_BLOCK, K_IOPORT_ISSUE, K_COUNT };
static const char *const kind_names[K_COUNT] = {
    "invocation", "IPC", "debug", "invalid number", "unknown syscall", "Yield", "block",
    "IOPortControl",
};
static uint64_t kind_calls[K_COUNT], kind_ok[K_COUNT];
static uint64_t label_calls[128], label_ok[128];
static uint64_t sys_calls[72], sys_ok[72]; /* by -number */
static uint64_t type_calls[64];             /* invocations by the target's object type */
static uint64_t status_count[MICA_ERR_COUNT + 1];

static void die(const char *what, mica_word_t status)
{
    mica_printf("\nfuzz: FAILED: set-up: %s: %s\n", what, mica_error_name(status));
    mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " fuzz: set-up failed\n");
    mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
    mica_debug_halt(1);
}

#define MUST(what, call)                                 \
    do {                                                 \
        struct mica_sysret _r = (call);                  \
        if (_r.status != MICA_OK)                        \
            die(what, _r.status);                        \
    } while (0)

/* --------------------------------------------------------------- CPtrs */

/* Never let a generated CPtr resolve through C slot 7 (the private area). */
static mica_cptr_t cptr_filter(mica_cptr_t c)
{
    if ((c >> 15) == 0 && ((c >> 12) & 7) == 7)
        c ^= 0x4000;
    return c;
}

static mica_cptr_t pool_slot(void)
{
    if (chance(192))
        return FZ_POOL(1 + rnd(2), rnd(64));
    return FZ_POOL(1 + rnd(FZ_POOL_CNODES), rnd(256));
}

static mica_cptr_t garbage_cptr(void)
{
    switch (rnd(4)) {
    case 0: return cptr_filter(boundary());
    case 1: return cptr_filter(pool_slot() ^ (1ull << rnd(64)));
    case 2: return FZ_POOL(rnd(8), 0x100 | rnd(0x1000)); /* guard mismatch or empty C slot */
    default: return 0;
    }
}

/* Pool CPtrs where a cap of each type was last seen (a hint only: the
 * slot is identified again before it is used). */
static mica_cptr_t seen[64][8];

/* Debug_CapIdentify of a CPtr: the MICA_CAP_ID word, 0 if empty or unresolved. */
static mica_word_t ident(mica_cptr_t c)
{
    struct mica_sysret r = mica_debug_cap_identify(c);
    if (r.status)
        return 0;
    seen[MICA_CAP_ID_TYPE(r.value) & 63][rnd(8)] = c;
    return r.value;
}

static int type_fits(unsigned want, unsigned t)
{
    return t && (!want || t == want || (want == MICA_OBJ_FRAME_4K && t == MICA_OBJ_FRAME_2M));
}

/* A pool CPtr holding a cap of `type` (0: any non-empty), found by a few
 * tries; the last try whatever it holds. *id gets its identity. */
static mica_cptr_t pick_cap(unsigned type, mica_word_t *id)
{
    mica_cptr_t c = 0;
    mica_word_t w = 0;
    for (int i = 0; i < 6; i++) {
        c = type && i < 4 ? seen[type & 63][rnd(8)] : 0;
        if (!c)
            c = pool_slot();
        w = ident(c);
        if (type_fits(type, MICA_CAP_ID_TYPE(w)))
            break;
    }
    if (id)
        *id = w;
    return c;
}

/* A cap argument: mostly of the wanted type, sometimes anything or garbage. */
static mica_cptr_t cap_arg(unsigned type)
{
    if (chance(220))
        return pick_cap(chance(220) ? type : 0, 0);
    return garbage_cptr();
}

/* ------------------------------------------------------------ arguments */

static uint64_t v_index(void) { return chance(220) ? rnd(chance(128) ? 64 : 256) : boundary(); }

static uint64_t v_depth(void)
{
    static const uint64_t d[] = { 0, 1, 4, 7, 9, 12, 16, 52, 56, 63, 64, 65, 255 };
    if (chance(190))
        return FZ_POOL_BITS;
    return chance(200) ? d[rnd(sizeof(d) / sizeof(d[0]))] : boundary();
}

static uint64_t v_small(unsigned n) { return chance(220) ? rnd(n) : boundary(); }

static uint64_t v_vaddr(void)
{
    static const uint64_t bases[] = {
        0x10000000, 0x40000000, 0x400000, 0x8000000000ull, 0x00007ffffffff000ull - 0x200000,
        0x00007fffffe00000ull, 0x1000, 0,
    };
    if (!chance(210))
        return boundary();
    if (chance(128))
        return 0x10000000 + rnd(32) * MICA_PAGE_SIZE; /* under P1[26]'s page table */
    if (chance(64))
        return 0x40000000 + rnd(8) * 0x200000; /* under its second page directory */
    uint64_t v = bases[rnd(sizeof(bases) / sizeof(bases[0]))];
    switch (rnd(4)) {
    case 0: v += rnd(32) * MICA_PAGE_SIZE; break;
    case 1: v += rnd(8) * 0x200000; break;
    case 2: v += rnd(4) * 0x40000000ull; break;
    default: v += rnd(0x2000); break; /* often unaligned */
    }
    return v;
}

/* An address a thread may be made to run at: never inside the fuzzer's
 * image, except the child loop's first instruction (the loop touches no
 * memory; started anywhere else, a misaligned decode of it might). */
static uint64_t safe_rip(uint64_t v)
{
    if (chance(80) || (v >= (uint64_t)__executable_start && v < (uint64_t)_end))
        return (uint64_t)fz_child_entry;
    return v;
}

static uint64_t v_port(void)
{
    static const uint16_t safe[][2] = { { 0x80, 0x8f }, { 0x2e8, 0x2ef }, { 0x2f8, 0x2ff },
                                        { 0x3e8, 0x3ef }, { 0xfff0, 0xffff } };
    if (chance(180)) {
        unsigned i = (unsigned)rnd(5);
        return safe[i][0] + rnd(safe[i][1] - safe[i][0] + 1u);
    }
    return chance(128) ? boundary() & 0xffff : boundary();
}

/* Is [first, last] inside one range it is harmless to write to? */
static int ports_safe(uint64_t first, uint64_t last)
{
    static const uint16_t safe[][2] = { { 0x80, 0x8f }, { 0x2e8, 0x2ef }, { 0x2f8, 0x2ff },
                                        { 0x3e8, 0x3ef }, { 0xfff0, 0xffff } };
    for (unsigned i = 0; i < 5; i++)
        if (first >= safe[i][0] && last <= safe[i][1] && first <= last)
            return 1;
    return 0;
}

static uint64_t v_pci(void)
{
    if (chance(200))
        return MICA_PCI_ADDR(0, rnd(2), rnd(32), rnd(8));
    return boundary();
}

static uint64_t v_guard_word(void)
{
    switch (rnd(4)) {
    case 0:
    case 1: return 0;                          /* keep the cap's guard */
    case 2: return 64 - FZ_POOL_BITS;          /* CPtr = slot in a pool CNode */
    default: return boundary();
    }
}

static uint64_t v_name_word(void)
{
    uint64_t w = 0;
    for (unsigned b = 0; b < 8; b++)
        w |= (uint64_t)(chance(250) ? 0x21 + rnd(0x5e) : rnd(256)) << (8 * b);
    return chance(200) ? w : boundary();
}

/* ---------------------------------------------------------- invocations */

struct label_info {
    uint16_t label;
    uint8_t n_mr;     /* message registers the kernel reads */
    uint8_t n_caps;
    uint8_t cap_type[3];
};

static const struct label_info labels[] = {
    { MICA_UNTYPED_RETYPE, 6, 1, { MICA_OBJ_CNODE } },
    { MICA_CNODE_COPY, 5, 1, { MICA_OBJ_CNODE } },
    { MICA_CNODE_MINT, 6, 1, { MICA_OBJ_CNODE } },
    { MICA_CNODE_MOVE, 4, 1, { MICA_OBJ_CNODE } },
    { MICA_CNODE_MUTATE, 5, 1, { MICA_OBJ_CNODE } },
    { MICA_CNODE_DELETE, 2, 0, { 0 } },
    { MICA_CNODE_REVOKE, 2, 0, { 0 } },
    { MICA_CNODE_SAVE_CALLER, 2, 0, { 0 } },
    { MICA_TCB_CONFIGURE, 5, 3, { MICA_OBJ_CNODE, MICA_OBJ_VSPACE, MICA_OBJ_FRAME_4K } },
    { MICA_TCB_SET_PRIORITY, 1, 0, { 0 } },
    { MICA_TCB_SET_MCP, 1, 0, { 0 } },
    { MICA_TCB_READ_REGISTERS, 1, 0, { 0 } },
    { MICA_TCB_WRITE_REGISTERS, 2 + MICA_USER_CONTEXT_WORDS, 0, { 0 } },
    { MICA_TCB_COPY_REGISTERS, 1, 1, { MICA_OBJ_TCB } },
    { MICA_TCB_RESUME, 0, 0, { 0 } },
    { MICA_TCB_SUSPEND, 0, 0, { 0 } },
    { MICA_TCB_SET_FS_BASE, 1, 0, { 0 } },
    { MICA_TCB_SET_GS_BASE, 1, 0, { 0 } },
    { MICA_TCB_BIND_NOTIFICATION, 0, 1, { MICA_OBJ_NOTIFICATION } },
    { MICA_TCB_UNBIND_NOTIFICATION, 0, 0, { 0 } },
    { MICA_TCB_SET_NAME, 4, 0, { 0 } },
    { MICA_PAGE_TABLE_MAP, 1, 1, { MICA_OBJ_VSPACE } },
    { MICA_PAGE_TABLE_UNMAP, 0, 0, { 0 } },
    { MICA_FRAME_MAP, 3, 1, { MICA_OBJ_VSPACE } },
    { MICA_FRAME_UNMAP, 0, 0, { 0 } },
    { MICA_FRAME_REMAP, 2, 0, { 0 } },
    { MICA_FRAME_GET_ADDRESS, 0, 0, { 0 } },
    { MICA_FRAME_MAP_IO, 2, 1, { MICA_OBJ_IOSPACE } },
    { MICA_IRQ_CONTROL_GET_IOAPIC, 4, 1, { MICA_OBJ_CNODE } },
    { MICA_IRQ_CONTROL_GET_MSI, 4, 1, { MICA_OBJ_CNODE } },
    { MICA_IRQ_HANDLER_SET_NOTIFICATION, 0, 1, { MICA_OBJ_NOTIFICATION } },
    { MICA_IRQ_HANDLER_ACK, 0, 0, { 0 } },
    { MICA_IRQ_HANDLER_CLEAR, 0, 0, { 0 } },
    { MICA_IOPORT_IN8, 1, 0, { 0 } },
    { MICA_IOPORT_IN16, 1, 0, { 0 } },
    { MICA_IOPORT_IN32, 1, 0, { 0 } },
    { MICA_IOPORT_OUT8, 2, 0, { 0 } },
    { MICA_IOPORT_OUT16, 2, 0, { 0 } },
    { MICA_IOPORT_OUT32, 2, 0, { 0 } },
    { MICA_IOSPACE_CONTROL_ISSUE, 3, 1, { MICA_OBJ_CNODE } },
    { MICA_IOSPACE_GET_FAULT, 0, 0, { 0 } },
    { MICA_IO_PAGE_TABLE_MAP, 1, 1, { MICA_OBJ_IOSPACE } },
    { MICA_IO_PAGE_TABLE_UNMAP, 0, 0, { 0 } },
};
#define N_LABELS (sizeof(labels) / sizeof(labels[0]))

static const struct label_info *label_info(unsigned label)
{
    for (unsigned i = 0; i < N_LABELS; i++)
        if (labels[i].label == label)
            return &labels[i];
    return 0;
}

/* The labels that fit an object type: [first, last] in invocation.h terms. */
static unsigned label_for_type(unsigned type)
{
    static const uint16_t tcb[] = { 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44 };
    switch (type) {
    case MICA_OBJ_UNTYPED: return MICA_UNTYPED_RETYPE;
    case MICA_OBJ_CNODE: return MICA_CNODE_COPY + (unsigned)rnd(7);
    case MICA_OBJ_TCB: return tcb[rnd(sizeof(tcb) / sizeof(tcb[0]))];
    case MICA_OBJ_PDPT:
    case MICA_OBJ_PAGE_DIRECTORY:
    case MICA_OBJ_PAGE_TABLE: return MICA_PAGE_TABLE_MAP + (unsigned)rnd(2);
    case MICA_OBJ_FRAME_4K:
    case MICA_OBJ_FRAME_2M: return MICA_FRAME_MAP + (unsigned)rnd(5);
    case MICA_OBJ_IRQ_CONTROL: return MICA_IRQ_CONTROL_GET_IOAPIC + (unsigned)rnd(2);
    case MICA_OBJ_IRQ_HANDLER: return MICA_IRQ_HANDLER_SET_NOTIFICATION + (unsigned)rnd(3);
    case MICA_OBJ_IOPORT: return MICA_IOPORT_IN8 + (unsigned)rnd(6);
    case MICA_OBJ_IOSPACE_CONTROL: return MICA_IOSPACE_CONTROL_ISSUE;
    case MICA_OBJ_IOSPACE: return MICA_IOSPACE_GET_FAULT;
    case MICA_OBJ_IO_PAGE_TABLE: return MICA_IO_PAGE_TABLE_MAP + (unsigned)rnd(2);
    default: return labels[rnd(N_LABELS)].label; /* no invocations: any */
    }
}

/* Fill mr[] for `label`; returns the number of words the kernel reads. */
static unsigned build_mrs(unsigned label, mica_word_t id, mica_word_t *mr)
{
    const struct label_info *li = label_info(label);
    unsigned n = li ? li->n_mr : (unsigned)rnd(8);
    for (unsigned i = 0; i < n; i++)
        mr[i] = boundary();
    switch (label) {
    case MICA_UNTYPED_RETYPE: {
        unsigned type = chance(230) ? 1 + (unsigned)rnd(MICA_OBJ_TYPE_COUNT - 1) : (unsigned)boundary();
        mr[0] = type;
        if (type == MICA_OBJ_UNTYPED)
            mr[1] = chance(220) ? 4 + rnd(16) : boundary();
        else if (type == MICA_OBJ_CNODE)
            mr[1] = chance(220) ? 1 + rnd(8) : boundary();
        else
            mr[1] = chance(220) ? 0 : boundary();
        mr[2] = v_index();
        mr[3] = chance(200) ? 0 : v_depth();
        mr[4] = v_index();
        mr[5] = chance(200) ? 1 + rnd(3) : boundary() % 300;
        break;
    }
    case MICA_CNODE_COPY:
    case MICA_CNODE_MINT:
    case MICA_CNODE_MOVE:
    case MICA_CNODE_MUTATE:
        mr[0] = v_index();
        mr[1] = v_depth();
        mr[2] = v_index();
        mr[3] = v_depth();
        if (label == MICA_CNODE_COPY || label == MICA_CNODE_MINT)
            mr[4] = v_small(16);
        if (label == MICA_CNODE_MUTATE)
            mr[4] = chance(128) ? rnd(1000) : boundary();
        if (label == MICA_CNODE_MINT)
            mr[5] = chance(128) ? rnd(1000) : boundary();
        break;
    case MICA_CNODE_DELETE:
    case MICA_CNODE_REVOKE:
    case MICA_CNODE_SAVE_CALLER:
        mr[0] = v_index();
        mr[1] = v_depth();
        break;
    case MICA_TCB_CONFIGURE:
        mr[0] = chance(100) ? 0 : cap_arg(MICA_OBJ_ENDPOINT);
        mr[1] = v_guard_word();
        mr[2] = chance(60) ? 0 : v_vaddr() & (chance(200) ? ~7ull : ~0ull);
        mr[3] = v_small(FZ_MCP + 4);
        mr[4] = v_small(FZ_MCP + 4);
        break;
    case MICA_TCB_SET_PRIORITY:
    case MICA_TCB_SET_MCP: mr[0] = v_small(FZ_MCP + 4); break;
    case MICA_TCB_READ_REGISTERS: mr[0] = v_small(MICA_USER_CONTEXT_WORDS + 2); break;
    case MICA_TCB_WRITE_REGISTERS:
        mr[0] = v_small(2);
        mr[1] = v_small(MICA_USER_CONTEXT_WORDS + 2);
        mr[2] = safe_rip(mr[2]); /* rip */
        mr[4] = chance(128) ? 0x202 : mr[4]; /* rflags */
        mr[2 + 14] = chance(128) ? rnd64() : mr[2 + 14]; /* r12: the child loop's state */
        if (chance(128))
            mr[2 + 18] = mr[2 + 19] = 0; /* valid fs/gs bases */
        break;
    case MICA_TCB_COPY_REGISTERS: mr[0] = v_small(4); break;
    case MICA_TCB_SET_FS_BASE:
    case MICA_TCB_SET_GS_BASE: mr[0] = chance(128) ? v_vaddr() : boundary(); break;
    case MICA_TCB_SET_NAME:
        for (unsigned i = 0; i < 4; i++)
            mr[i] = v_name_word();
        if (chance(200))
            mr[rnd(4)] &= ~(0xffull << (8 * rnd(8))); /* a NUL somewhere */
        break;
    case MICA_PAGE_TABLE_MAP: mr[0] = v_vaddr(); break;
    case MICA_FRAME_MAP:
        mr[0] = v_vaddr();
        mr[1] = chance(200) ? 1 | rnd(8) : v_small(8);
        mr[2] = v_small(4);
        break;
    case MICA_FRAME_REMAP:
        mr[0] = v_small(8);
        mr[1] = v_small(4);
        break;
    case MICA_FRAME_MAP_IO:
        mr[0] = v_vaddr();
        mr[1] = v_small(4);
        break;
    case MICA_IRQ_CONTROL_GET_IOAPIC:
        mr[0] = v_small(26);
        mr[1] = v_small(4);
        mr[2] = v_index();
        mr[3] = v_depth();
        break;
    case MICA_IRQ_CONTROL_GET_MSI:
        mr[0] = v_small(MICA_IRQ_MSI_COUNT + 2);
        mr[1] = v_pci();
        mr[2] = v_index();
        mr[3] = v_depth();
        break;
    case MICA_IOPORT_IN8:
    case MICA_IOPORT_IN16:
    case MICA_IOPORT_IN32:
    case MICA_IOPORT_OUT8:
    case MICA_IOPORT_OUT16:
    case MICA_IOPORT_OUT32: mr[0] = v_port(); break;
    case MICA_IOSPACE_CONTROL_ISSUE:
        mr[0] = v_pci();
        mr[1] = v_index();
        mr[2] = v_depth();
        break;
    case MICA_IO_PAGE_TABLE_MAP: mr[0] = v_vaddr(); break;
    }
    (void)id;
    return n;
}

/* --------------------------------------------------------------- calls */

struct call {
    long number;
    mica_cptr_t cap;
    mica_word_t tag;
    mica_word_t mr[MICA_MSG_MAX_LENGTH];
    mica_cptr_t caps[MICA_MSG_MAX_CAPS];
    unsigned kind;
};

static struct mica_msg do_call(uint64_t i, struct call *c)
{
    unsigned len = mica_tag_length(c->tag);
    for (unsigned k = MICA_MSG_REGS_IN_CPU; k < len && k < MICA_MSG_MAX_LENGTH; k++)
        mica_ipc->mr[k] = c->mr[k];
    for (unsigned k = 0; k < MICA_MSG_MAX_CAPS; k++)
        mica_ipc->caps[k] = c->caps[k];
    if (i >= trace_from) {
        mica_printf("\nfuzz: call %llu: %s number %ld cap 0x%llx tag 0x%llx (label %llu, %u words, %u "
                    "caps 0x%llx 0x%llx 0x%llx) mr 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx; "
                    "receive 0x%llx 0x%llx %llu\n",
                    (unsigned long long)i, kind_names[c->kind], c->number,
                    (unsigned long long)c->cap, (unsigned long long)c->tag,
                    (unsigned long long)mica_tag_label(c->tag), len, mica_tag_caps(c->tag),
                    (unsigned long long)c->caps[0], (unsigned long long)c->caps[1],
                    (unsigned long long)c->caps[2], (unsigned long long)c->mr[0],
                    (unsigned long long)c->mr[1], (unsigned long long)c->mr[2],
                    (unsigned long long)c->mr[3], (unsigned long long)c->mr[4],
                    (unsigned long long)c->mr[5], (unsigned long long)mica_ipc->receive_cnode,
                    (unsigned long long)mica_ipc->receive_index,
                    (unsigned long long)mica_ipc->receive_depth);
    }
    fz_shared.call = i;
    fz_shared.progress++;
    struct mica_msg m = mica_ipc_syscall(c->number, c->cap, c->tag, c->mr[0], c->mr[1], c->mr[2],
                                         c->mr[3]);
    fz_shared.progress++;
    if (i >= trace_from)
        mica_printf("\nfuzz: call %llu -> %s (0x%llx)\n", (unsigned long long)i,
                    mica_error_name(m.status), (unsigned long long)m.badge);
    return m;
}

static void random_caps(struct call *c, unsigned n)
{
    for (unsigned k = 0; k < MICA_MSG_MAX_CAPS; k++)
        c->caps[k] = k < n ? cap_arg(0) : 0;
}

static void random_receive_slot(void)
{
    unsigned r = (unsigned)rnd(8);
    mica_ipc->receive_cnode = r < 3 ? 0 : r < 7 ? pick_cap(MICA_OBJ_CNODE, 0) : garbage_cptr();
    mica_ipc->receive_index = v_index();
    mica_ipc->receive_depth = v_depth();
}

static void gen_invocation(struct call *c, mica_word_t *id)
{
    mica_word_t w = 0;
    c->number = MICA_SYS_CALL;
    c->cap = chance(240) ? pick_cap(0, &w) : garbage_cptr();
    if (!w)
        w = ident(c->cap);
    *id = w;
    unsigned type = MICA_CAP_ID_TYPE(w), label;
    if (chance(220))
        label = label_for_type(type);
    else if (chance(200))
        label = labels[rnd(N_LABELS)].label;
    else
        label = (unsigned)(boundary() & 0xffff);
    unsigned len = build_mrs(label, w, c->mr);
    const struct label_info *li = label_info(label);
    unsigned n_caps = li ? li->n_caps : (unsigned)rnd(4);
    for (unsigned k = 0; k < MICA_MSG_MAX_CAPS; k++)
        c->caps[k] = k >= n_caps ? 0 : li ? cap_arg(li->cap_type[k]) : cap_arg(0);
    /* Most of the pool's caps are in P1 and P2 (pool_slot's dense part). */
    if (label >= MICA_CNODE_COPY && label <= MICA_CNODE_MUTATE && chance(128))
        c->caps[0] = FZ_POOL(1, 57 + rnd(2));
    if (!chance(230))
        len = (unsigned)rnd(len + 1); /* short: MICA_ERR_TRUNCATED */
    if (!chance(240))
        n_caps = (unsigned)rnd(4);
    if (!chance(250))
        len = (unsigned)rnd(128); /* up to past MICA_MSG_MAX_LENGTH */
    c->tag = mica_tag(label, len, n_caps);
    type_calls[type & 63]++;
}

static void gen_ipc(struct call *c)
{
    static const long numbers[] = { MICA_SYS_CALL, MICA_SYS_REPLY_RECV, MICA_SYS_SEND,
                                    MICA_SYS_NB_SEND, MICA_SYS_RECV, MICA_SYS_NB_RECV,
                                    MICA_SYS_REPLY, MICA_SYS_NB_SEND, MICA_SYS_NB_RECV,
                                    MICA_SYS_SEND };
    c->number = numbers[rnd(sizeof(numbers) / sizeof(numbers[0]))];
    static const unsigned types[] = { MICA_OBJ_ENDPOINT, MICA_OBJ_NOTIFICATION, MICA_OBJ_REPLY, 0 };
    c->cap = chance(235) ? pick_cap(types[rnd(4)], 0) : garbage_cptr();
    mica_word_t label = chance(100) ? 0 : chance(200) ? rnd(8) : boundary() & MICA_TAG_LABEL_MAX;
    unsigned len = chance(220) ? (unsigned)rnd(8) : (unsigned)rnd(128);
    unsigned caps = chance(160) ? 0 : (unsigned)rnd(4);
    c->tag = (label << MICA_TAG_LABEL_SHIFT) | ((mica_word_t)caps << MICA_TAG_CAPS_SHIFT) | len;
    if (!chance(240))
        c->tag |= boundary() & 0xfe00; /* bits only the kernel may set */
    for (unsigned k = 0; k < 8; k++)
        c->mr[k] = chance(128) ? rnd(64) : boundary();
    /* A reply with label 0 to a fault resumes the thread at mr[0]. */
    c->mr[0] = safe_rip(c->mr[0]);
    random_caps(c, caps);
    random_receive_slot();
}

static void gen_debug(struct call *c)
{
    static const long numbers[] = { MICA_SYS_DEBUG_WRITE, MICA_SYS_DEBUG_TICKS,
                                    MICA_SYS_DEBUG_CAP_IDENTIFY, MICA_SYS_DEBUG_IPC_STATS,
                                    MICA_SYS_DEBUG_CAP_IDENTIFY, MICA_SYS_DEBUG_PUTCHAR,
                                    MICA_SYS_DEBUG_PREEMPT };
    static const char text[] = "~";
    unsigned k = (unsigned)rnd(sizeof(numbers) / sizeof(numbers[0]));
    if ((k == 5 && !chance(16)) || (k == 6 && !chance(64)))
        k = 1; /* a printed character, a new preemption period, now and then */
    c->number = numbers[k];
    c->cap = boundary();
    c->tag = boundary();
    switch (c->number) {
    case MICA_SYS_DEBUG_WRITE:
        /* Our own short text, or addresses that are not readable. */
        if (chance(32)) {
            c->cap = (mica_word_t)text;
            c->tag = rnd(2);
        } else {
            c->cap = chance(128) ? boundary() | 0xffff800000000000ull : v_vaddr() | 0x0000400000000000ull;
            c->tag = chance(200) ? rnd(300) : boundary();
        }
        break;
    case MICA_SYS_DEBUG_CAP_IDENTIFY: c->cap = chance(128) ? pool_slot() : garbage_cptr(); break;
    case MICA_SYS_DEBUG_PUTCHAR: c->cap = '~'; break;
    /* Long operations stopped at every n-th preemption point (or not):
     * restarts meet whatever the other calls did in between. */
    case MICA_SYS_DEBUG_PREEMPT: c->cap = chance(128) ? 0 : 1 + rnd(16); break;
    }
    c->cap = c->number == MICA_SYS_DEBUG_CAP_IDENTIFY ? cptr_filter(c->cap) : c->cap;
}

static void gen_bad_number(struct call *c)
{
    static const long numbers[] = { -9, -10, -63, -71, -72, -100, -4096, (long)0x8000000000000000ull,
                                    -0x7fffffff };
    c->number = numbers[rnd(sizeof(numbers) / sizeof(numbers[0]))];
    c->cap = boundary();
    c->tag = boundary();
}

/* ----------------------------------------------------------- the pool */

static void retype(mica_cptr_t ut, unsigned type, unsigned bits, mica_cptr_t root, mica_word_t slot,
                   unsigned count)
{
    struct mica_sysret r = mica_untyped_retype(ut, type, bits, root, 0, 0, slot, count);
    if (r.status != MICA_OK)
        die("retype", r.status);
}

/* Fill the fields of the child threads' IPC buffers the kernel reads:
 * extra message words, caps to send, where to receive caps. */
static void randomise_child_buffers(void)
{
    for (unsigned k = 0; k < FZ_CHILDREN; k++) {
        struct mica_ipc_buffer *b = child_ipc(k);
        for (unsigned i = 4; i < 12; i++)
            b->mr[i] = chance(128) ? rnd(300) : boundary();
        for (unsigned i = 0; i < MICA_MSG_MAX_CAPS; i++)
            b->caps[i] = chance(230) ? rnd(64) : boundary();
        unsigned r = (unsigned)rnd(4);
        b->receive_cnode = r == 0 ? 0 : r < 3 ? 57 + rnd(6) : boundary();
        b->receive_index = chance(230) ? rnd(64) : boundary();
        b->receive_depth = chance(200) ? FZ_POOL_BITS : boundary();
    }
}

static void pool_build(void)
{
    const mica_cptr_t upool = FZ_PRIV(RS(S_UPOOL)), R = FZ_PRIV(MICA_CAP_INIT_CNODE);
    const mica_cptr_t P1 = FZ_PRIV(RS(S_POOL_CNODES));
    MUST("revoke the pool", mica_cnode_revoke(R, RS(S_UPOOL), 64));
    if (dev_untyped)
        MUST("revoke the device untyped", mica_cnode_revoke(R, dev_untyped, 64));
    mica_reply(0, 0, 0, 0, 0); /* drop a reply cap left from the last epoch */

    /* The pool CNodes, as C's slots 1.. (4-bit guard: CPtr (c << 12) | slot). */
    for (unsigned i = 0; i < FZ_POOL_CNODES; i++) {
        retype(upool, MICA_OBJ_CNODE, FZ_POOL_BITS, R, RS(S_POOL_CNODES + i), 1);
        MUST("pool CNode into C", mica_cnode_mint(FZ_PRIV(RS(S_C)), 1 + i, 3, R,
                                                  RS(S_POOL_CNODES + i), 64, MICA_RIGHTS_ALL,
                                                  (0 << 8) | (12 - FZ_POOL_BITS)));
    }
    /* Objects of every type in P1's first 64 slots. */
    retype(upool, MICA_OBJ_TCB, 0, P1, 0, 8);
    retype(upool, MICA_OBJ_ENDPOINT, 0, P1, 8, 6);
    retype(upool, MICA_OBJ_NOTIFICATION, 0, P1, 14, 6);
    retype(upool, MICA_OBJ_UNTYPED, 12, P1, 20, 1);
    retype(upool, MICA_OBJ_UNTYPED, 14, P1, 21, 1);
    retype(upool, MICA_OBJ_UNTYPED, 16, P1, 22, 1);
    retype(upool, MICA_OBJ_UNTYPED, 19, P1, 23, 1);
    retype(upool, MICA_OBJ_CNODE, 2, P1, 24, 1);
    retype(upool, MICA_OBJ_CNODE, 5, P1, 25, 1);
    retype(upool, MICA_OBJ_VSPACE, 0, P1, 26, 3);
    retype(upool, MICA_OBJ_PDPT, 0, P1, 29, 2);
    retype(upool, MICA_OBJ_PAGE_DIRECTORY, 0, P1, 31, 2);
    retype(upool, MICA_OBJ_PAGE_TABLE, 0, P1, 33, 3);
    retype(upool, MICA_OBJ_FRAME_4K, 0, P1, 36, 10);
    retype(upool, MICA_OBJ_FRAME_2M, 0, P1, 46, 1);
    retype(upool, MICA_OBJ_IO_PAGE_TABLE, 0, P1, 47, 3);
    /* VSpace P1[26] gets page tables for 0x10000000 (4 KiB frames) and a
     * page directory for 0x40000000 (2 MiB frames), so maps can succeed. */
    const mica_cptr_t vs = FZ_POOL(1, 26);
    mica_page_table_map(FZ_POOL(1, 29), vs, 0x10000000);
    mica_page_table_map(FZ_POOL(1, 31), vs, 0x10000000);
    mica_page_table_map(FZ_POOL(1, 33), vs, 0x10000000);
    mica_page_table_map(FZ_POOL(1, 32), vs, 0x40000000);
    /* Device caps: copies of IRQControl and IOSpaceControl, harmless I/O
     * ports, an IRQ handler, an MSI, an IOSpace. Some may be refused (no
     * IOMMU, a line in use): that is fine. */
    MUST("copy IRQControl", mica_cnode_copy(P1, 50, 8, R, MICA_CAP_IRQ_CONTROL, 64, MICA_RIGHTS_ALL));
    MUST("copy IOSpaceControl",
         mica_cnode_copy(P1, 51, 8, R, MICA_CAP_IOSPACE_CONTROL, 64, MICA_RIGHTS_ALL));
    mica_ioport_issue(FZ_PRIV(MICA_CAP_IOPORT_CONTROL), 0x80, 0x8f, P1, 52, 8);
    mica_ioport_issue(FZ_PRIV(MICA_CAP_IOPORT_CONTROL), 0x2f8, 0x2ff, P1, 53, 8);
    mica_irq_get_ioapic(FZ_PRIV(MICA_CAP_IRQ_CONTROL), 5 + rnd(6), (unsigned)rnd(4), P1, 54, 8);
    mica_irq_get_msi(FZ_PRIV(MICA_CAP_IRQ_CONTROL), (unsigned)rnd(MICA_IRQ_MSI_COUNT),
                     MICA_PCI_ADDR(0, 0, 3, 0), P1, 55, 8);
    mica_iospace_issue(FZ_PRIV(MICA_CAP_IOSPACE_CONTROL), MICA_PCI_ADDR(0, 0, 2 + rnd(4), 0), P1,
                       56, 8);
    /* Caps to the pool CNodes themselves (guard 0: depth 8 names a slot). */
    for (unsigned i = 0; i < FZ_POOL_CNODES; i++)
        MUST("copy a pool CNode", mica_cnode_copy(P1, 57 + i, 8, R, RS(S_POOL_CNODES + i), 64,
                                                  MICA_RIGHTS_ALL));
    if (dev_untyped)
        mica_untyped_retype(FZ_PRIV(dev_untyped), MICA_OBJ_UNTYPED, 16, P1, 0, 0, 63, 1);
    /* Derived and badged copies in P2. */
    const mica_cptr_t P2 = FZ_POOL(1, 58);
    for (unsigned i = 0; i < 6; i++) {
        mica_cnode_mint(P2, i, 8, P1, 8 + i, 8, (unsigned)rnd(16), rnd(4) ? 1 + rnd(1000) : 0);
        mica_cnode_mint(P2, 6 + i, 8, P1, 14 + i, 8, (unsigned)rnd(16), rnd(4) ? 1 + rnd(1000) : 0);
        mica_cnode_copy(P2, 12 + i, 8, P1, 36 + i, 8, (unsigned)rnd(16));
        mica_cnode_copy(P2, 18 + i, 8, P1, i, 8, MICA_RIGHTS_ALL);
    }

    /* The child loop's page, copied into pool frame P2[30] and mapped at
     * its own address in VSpace P1[26] (under page table P1[34]), so that
     * threads run there too, beside device frames: two from the device
     * untyped (P2[31], P2[32]), one mapped where the loop's Debug_Write
     * reads. */
    const mica_cptr_t R_code = FZ_PRIV(RS(S_CODE));
    const uint64_t code_va = (uint64_t)fz_child_entry, copy_va = FZ_PRIV_VA + 16 * MICA_PAGE_SIZE;
    retype(upool, MICA_OBJ_FRAME_4K, 0, P2, 30, 1);
    MUST("copy the code frame cap", mica_cnode_copy(R, RS(S_CODE), 64, P2, 30, 8, MICA_RIGHTS_ALL));
    MUST("map the code frame", mica_frame_map(R_code, FZ_PRIV(MICA_CAP_INIT_VSPACE), copy_va,
                                              MICA_MAP_READ | MICA_MAP_WRITE, MICA_CACHE_WRITEBACK));
    for (unsigned b = 0; b < MICA_PAGE_SIZE; b++)
        ((volatile char *)copy_va)[b] = ((const char *)code_va)[b];
    if (avoid & FZ_AVOID_DEVICE_WRITE) {
        volatile signed char *nums = (volatile signed char *)(copy_va + ((uint64_t)fz_child_numbers - code_va));
        for (unsigned k = 0; k < 16; k++)
            if (nums[k] == MICA_SYS_DEBUG_WRITE)
                nums[k] = MICA_SYS_DEBUG_CAP_IDENTIFY;
    }
    MUST("drop the code frame copy", mica_cnode_delete(R, RS(S_CODE), 64));
    mica_page_table_map(FZ_POOL(1, 34), vs, code_va);
    mica_frame_map(FZ_POOL(2, 30), vs, code_va, MICA_MAP_READ | MICA_MAP_EXEC, MICA_CACHE_WRITEBACK);
    if (dev_untyped) {
        mica_untyped_retype(FZ_POOL(1, 63), MICA_OBJ_FRAME_4K, 0, P2, 0, 0, 31, 2);
        mica_frame_map(FZ_POOL(2, 31), vs, 0x10000000 + rnd(32) * MICA_PAGE_SIZE,
                       MICA_MAP_READ | MICA_MAP_WRITE, MICA_CACHE_UNCACHED);
    }

    /* The child threads: CSpace P1 (CPtr = slot), the fuzzer's address
     * space (the last two: VSpace P1[26]), an IPC buffer each in the
     * private area, some with a fault endpoint or a bound notification. */
    for (unsigned k = 0; k < FZ_CHILDREN; k++) {
        mica_cptr_t t = FZ_POOL(1, k);
        mica_cptr_t fault_ep = rnd(2) ? FZ_POOL(1, 8 + rnd(6)) : 0;
        unsigned prio = 1 + (unsigned)rnd(FZ_MCP), mcp = (unsigned)rnd(FZ_MCP + 1);
        MUST("configure a child", mica_tcb_configure(t, fault_ep, FZ_POOL(1, 57), 64 - FZ_POOL_BITS,
                                                     k < FZ_CHILDREN - 2 ? FZ_PRIV(MICA_CAP_INIT_VSPACE) : vs,
                                                     (mica_word_t)child_ipc(k),
                                                     FZ_PRIV(RS(S_FRAMES + k)), prio, mcp));
        struct mica_user_context regs = { 0 };
        regs.rip = (mica_word_t)fz_child_entry;
        regs.rflags = 0x202;
        regs.r12 = rnd64();
        char name[16];
        format_buf(name, sizeof(name), "fz-child-%u", k);
        mica_tcb_set_name(t, name);
        if (rnd(2))
            mica_tcb_bind_notification(t, FZ_POOL(1, 14 + rnd(6)));
        MUST("start a child", mica_tcb_write_registers(t, 1, MICA_USER_CONTEXT_WORDS, &regs));
    }
    randomise_child_buffers();
    /* Fresh hints for pick_cap. */
    for (unsigned t = 0; t < 64; t++)
        for (unsigned k = 0; k < 8; k++)
            seen[t][k] = 0;
    for (unsigned p = 0; p < 64; p++)
        ident(FZ_POOL(1, p));
    for (unsigned p = 0; p < 24; p++)
        ident(FZ_POOL(2, p));
}

/* ------------------------------------------------------------- set-up */

static uint64_t parse_hex(const char *s)
{
    uint64_t v = 0;
    for (; (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'); s++)
        v = v * 16 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
    return v;
}

static int parse_args(const char *cmd, uint64_t *seed)
{
    int have_n = 0;
    *seed = 1;
    while (*cmd) {
        while (*cmd == ' ')
            cmd++;
        if (!mica_strncmp(cmd, "seed=", 5))
            *seed = parse_hex(cmd + 5);
        else if (!mica_strncmp(cmd, "n=", 2))
            n_calls = parse_hex(cmd + 2), have_n = 1;
        else if (!mica_strncmp(cmd, "trace=", 6))
            trace_from = parse_hex(cmd + 6);
        else if (!mica_strncmp(cmd, "epoch=", 6))
            epoch_len = parse_hex(cmd + 6);
        else if (!mica_strncmp(cmd, "avoid=", 6))
            avoid = parse_hex(cmd + 6);
        while (*cmd && *cmd != ' ')
            cmd++;
    }
    if (!epoch_len)
        epoch_len = FZ_EPOCH;
    return have_n;
}

static mica_cptr_t largest_ram_untyped(unsigned *bits)
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
    *bits = best_bits;
    return best;
}

static uint64_t w_stack[2048] __attribute__((aligned(16)));

static void setup(void)
{
    rs_base = bi->slot_empty_first;
    unsigned big_bits;
    mica_cptr_t big = largest_ram_untyped(&big_bits);
    if (!big || big_bits < 24)
        die("no RAM untyped of 16 MiB", MICA_ERR_NOT_ENOUGH_MEMORY);
    for (unsigned i = 0; i < bi->n_untyped; i++)
        if ((bi->untyped[i].flags & MICA_UNTYPED_DEVICE) && bi->untyped[i].size_bits >= 16 &&
            bi->untyped[i].size_bits <= 30 && !dev_untyped)
            dev_untyped = bi->slot_untyped_first + i;

    /* In R, with slot numbers: the untypeds, C, and the switch to C. */
    const mica_cptr_t R = MICA_CAP_INIT_CNODE;
    MUST("private untyped", mica_untyped_retype(big, MICA_OBJ_UNTYPED, 22, R, 0, 0, RS(S_UPRIV), 1));
    MUST("pool untyped", mica_untyped_retype(big, MICA_OBJ_UNTYPED, 23, R, 0, 0, RS(S_UPOOL), 1));
    const mica_cptr_t upriv = RS(S_UPRIV);
    MUST("C", mica_untyped_retype(upriv, MICA_OBJ_CNODE, 3, R, 0, 0, RS(S_C), 1));
    MUST("R into C", mica_cnode_mint(RS(S_C), 7, 3, R, R, 64, MICA_RIGHTS_ALL, 0));
    MUST("watchdog endpoint", mica_untyped_retype(upriv, MICA_OBJ_ENDPOINT, 0, R, 0, 0, RS(S_WEP), 1));
    MUST("badged watchdog endpoint",
         mica_cnode_mint(R, RS(S_WEP_BADGED), 64, R, RS(S_WEP), 64, MICA_RIGHTS_ALL, FZ_FAULT_BADGE));
    MUST("switch CSpace", mica_tcb_configure(MICA_CAP_INIT_TCB, RS(S_WEP_BADGED), RS(S_C),
                                             FZ_C_GUARD_BITS, MICA_CAP_INIT_VSPACE, bi->ipc_buffer,
                                             MICA_CAP_INIT_IPC_BUFFER, MICA_ROOT_PRIORITY,
                                             MICA_ROOT_PRIORITY));

    /* From here on the fuzzer's CPtrs are C's: FZ_PRIV(r) for R's slot r. */
    const mica_cptr_t PR = FZ_PRIV(R), U = FZ_PRIV(upriv);
    MUST("notifications", mica_untyped_retype(U, MICA_OBJ_NOTIFICATION, 0, PR, 0, 0, RS(S_TICK), 2));
    /* The private pages: tables, child IPC buffers, the watchdog's buffer. */
    static const unsigned tables[] = { MICA_OBJ_PDPT, MICA_OBJ_PAGE_DIRECTORY, MICA_OBJ_PAGE_TABLE };
    for (unsigned i = 0; i < 3; i++) {
        MUST("private table", mica_untyped_retype(U, tables[i], 0, PR, 0, 0, RS(S_TABLES + i), 1));
        MUST("map private table", mica_page_table_map(FZ_PRIV(RS(S_TABLES + i)),
                                                      FZ_PRIV(MICA_CAP_INIT_VSPACE), FZ_PRIV_VA));
    }
    for (unsigned k = 0; k <= FZ_CHILDREN; k++) {
        MUST("private frame", mica_untyped_retype(U, MICA_OBJ_FRAME_4K, 0, PR, 0, 0, RS(S_FRAMES + k), 1));
        MUST("map private frame", mica_frame_map(FZ_PRIV(RS(S_FRAMES + k)), FZ_PRIV(MICA_CAP_INIT_VSPACE),
                                                 (mica_word_t)child_ipc(k), MICA_MAP_READ | MICA_MAP_WRITE,
                                                 MICA_CACHE_WRITEBACK));
    }

    /* The watchdog thread (CSpace R: its CPtrs are R's slot numbers). */
    fz_shared.w_ep = RS(S_WEP);
    fz_shared.w_irq = RS(S_PIT_IRQ);
    fz_shared.fuzzer_tcb = MICA_CAP_INIT_TCB;
    mica_cptr_t w = FZ_PRIV(RS(S_WTCB));
    MUST("watchdog TCB", mica_untyped_retype(U, MICA_OBJ_TCB, 0, PR, 0, 0, RS(S_WTCB), 1));
    MUST("configure the watchdog",
         mica_tcb_configure(w, 0, PR, 0, FZ_PRIV(MICA_CAP_INIT_VSPACE),
                            (mica_word_t)child_ipc(FZ_CHILDREN), FZ_PRIV(RS(S_FRAMES + FZ_CHILDREN)),
                            254, 254));
    MUST("bind the tick", mica_tcb_bind_notification(w, FZ_PRIV(RS(S_TICK))));
    mica_tcb_set_name(w, "fz-watchdog");
    mica_tcb_set_name(FZ_PRIV(MICA_CAP_INIT_TCB), "fuzzer");
    struct mica_user_context regs = { 0 };
    regs.rip = (mica_word_t)fz_watchdog_main;
    regs.rsp = (mica_word_t)&w_stack[2047]; /* as if called: rsp % 16 == 8 */
    regs.rflags = 0x202;
    MUST("start the watchdog", mica_tcb_write_registers(w, 1, MICA_USER_CONTEXT_WORDS, &regs));

    /* The PIT, channel 0, periodic, on ISA IRQ 0: the GSI the MADT names
     * for it, and GSI 0 too (QEMU with an HPET in non-legacy mode sends
     * the PIT to I/O APIC input 0), both signalling the tick notification. */
    unsigned pit_gsi = bi->platform.isa_gsi[0];
    /* A signal with badge 0 sets no bit: the handlers need a badged cap. */
    MUST("badged tick", mica_cnode_mint(PR, RS(S_TICK_BADGED), 64, PR, RS(S_TICK), 64,
                                        MICA_RIGHTS_ALL, 1));
    MUST("PIT IRQ", mica_irq_get_ioapic(FZ_PRIV(MICA_CAP_IRQ_CONTROL), pit_gsi,
                                        bi->platform.isa_flags[0], PR, RS(S_PIT_IRQ), 64));
    MUST("PIT IRQ notification",
         mica_irq_handler_set_notification(FZ_PRIV(RS(S_PIT_IRQ)), FZ_PRIV(RS(S_TICK_BADGED))));
    fz_shared.w_irq2 = 0;
    if (pit_gsi != 0 &&
        mica_irq_get_ioapic(FZ_PRIV(MICA_CAP_IRQ_CONTROL), 0, MICA_IRQ_EDGE, PR, RS(S_PIT_IRQ0), 64)
                .status == MICA_OK) {
        MUST("PIT IRQ 0 notification",
             mica_irq_handler_set_notification(FZ_PRIV(RS(S_PIT_IRQ0)), FZ_PRIV(RS(S_TICK_BADGED))));
        fz_shared.w_irq2 = RS(S_PIT_IRQ0);
    }
    mica_cptr_t pit = FZ_PRIV(RS(S_PIT_PORTS));
    MUST("PIT ports", mica_ioport_issue(FZ_PRIV(MICA_CAP_IOPORT_CONTROL), 0x40, 0x43, PR,
                                        RS(S_PIT_PORTS), 64));
    MUST("PIT mode", mica_ioport_out8(pit, 0x43, 0x34)); /* channel 0, lo/hi, rate generator */
    MUST("PIT count", mica_ioport_out8(pit, 0x40, FZ_PIT_COUNT & 0xff));
    MUST("PIT count", mica_ioport_out8(pit, 0x40, FZ_PIT_COUNT >> 8));

    /* Nothing the fuzzer makes may outrank the watchdog. */
    MUST("fuzzer MCP", mica_tcb_set_mcp(FZ_PRIV(MICA_CAP_INIT_TCB), FZ_MCP));
}

/* ---------------------------------------------------------------- main */

static void count(unsigned kind, const struct call *c, mica_word_t status)
{
    kind_calls[kind]++;
    kind_ok[kind] += status == MICA_OK;
    status_count[status < MICA_ERR_COUNT ? status : MICA_ERR_COUNT]++;
    long s = -c->number;
    if (s > 0 && s < 72) {
        sys_calls[s]++;
        sys_ok[s] += status == MICA_OK;
    }
}

static void one_call(uint64_t i)
{
    static struct call c;
    unsigned r = (unsigned)rnd(1000);
    mica_word_t id = 0;
    c.caps[0] = c.caps[1] = c.caps[2] = 0;
    for (unsigned k = 0; k < 8; k++)
        c.mr[k] = 0;
    mica_ipc->receive_cnode = 0;
    if (r < 620) {
        c.kind = K_INVOKE;
        gen_invocation(&c, &id);
    } else if (r < 870) {
        c.kind = K_IPC;
        gen_ipc(&c);
    } else if (r < 920) {
        c.kind = K_DEBUG;
        gen_debug(&c);
    } else if (r < 935) {
        c.kind = K_BAD;
        gen_bad_number(&c);
    } else if (r < 950) {
        /* A non-negative number: an UnknownSyscall fault, which the
         * watchdog answers by resuming after the instruction. */
        c.kind = K_UNKNOWN;
        c.number = chance(128) ? (long)rnd(512) : (long)(boundary() >> 1);
        c.cap = boundary();
        c.tag = boundary();
        fz_shared.fault_value = rnd64();
        fz_shared.expect_fault = 1;
    } else if (r < 960) {
        c.kind = K_YIELD;
        c.number = MICA_SYS_YIELD;
        c.cap = boundary();
        c.tag = boundary();
    } else if (r < 985) {
        /* Block on a notification nobody signals: the children run until
         * the watchdog cuts the wait short. */
        c.kind = K_BLOCK;
        randomise_child_buffers();
        c.number = MICA_SYS_RECV;
        c.cap = FZ_PRIV(RS(S_BLOCK));
        c.tag = 0;
    } else {
        /* IOPortControl_Issue: never left with a cap to ports that could
         * stop or reset the machine. */
        c.kind = K_IOPORT_ISSUE;
        c.number = MICA_SYS_CALL;
        c.cap = FZ_PRIV(MICA_CAP_IOPORT_CONTROL);
        c.mr[0] = v_port();
        c.mr[1] = chance(200) ? c.mr[0] + rnd(16) : v_port();
        c.mr[2] = v_index();
        c.mr[3] = v_depth();
        c.caps[0] = cap_arg(MICA_OBJ_CNODE);
        c.tag = mica_tag(MICA_IOPORT_CONTROL_ISSUE, chance(240) ? 4 : (unsigned)rnd(4),
                         chance(240) ? 1 : (unsigned)rnd(4));
    }
    struct mica_msg m = do_call(i, &c);
    fz_shared.expect_fault = 0;
    count(c.kind, &c, m.status);
    if (c.kind == K_INVOKE || c.kind == K_IOPORT_ISSUE) {
        unsigned label = (unsigned)mica_tag_label(c.tag);
        if (label < 128) {
            label_calls[label]++;
            label_ok[label] += m.status == MICA_OK;
        }
    }
    if (c.kind == K_IOPORT_ISSUE && m.status == MICA_OK && !ports_safe(c.mr[0], c.mr[1])) {
        struct mica_sysret d = mica_cnode_delete(c.caps[0], c.mr[2], (unsigned)c.mr[3]);
        if (d.status != MICA_OK) {
            mica_printf("\nfuzz: FAILED: cannot delete the cap to ports 0x%llx-0x%llx: %s\n",
                        (unsigned long long)c.mr[0], (unsigned long long)c.mr[1],
                        mica_error_name(d.status));
            mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " fuzz: port cap left\n");
            mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
            mica_debug_halt(1);
        }
    }
}

static void report(uint64_t seed)
{
    /* A line of its own, whatever the last debug output left. */
    mica_printf("\nfuzz: seed %llu: %llu calls, %llu epochs, %llu timer ticks, %llu blocked calls "
                "cut short, %llu pool-thread faults at the watchdog\n",
                (unsigned long long)seed, (unsigned long long)n_calls,
                (unsigned long long)((n_calls + epoch_len - 1) / epoch_len),
                (unsigned long long)fz_shared.ticks, (unsigned long long)fz_shared.unblocks,
                (unsigned long long)fz_shared.other_faults);
    for (unsigned k = 0; k < K_COUNT; k++)
        mica_printf("fuzz:   %-16s %10llu calls %10llu ok\n", kind_names[k],
                    (unsigned long long)kind_calls[k], (unsigned long long)kind_ok[k]);
    mica_printf("fuzz:   by system call (number: calls/ok):");
    for (unsigned s = 1; s < 72; s++)
        if (sys_calls[s])
            mica_printf(" -%u:%llu/%llu", s, (unsigned long long)sys_calls[s],
                        (unsigned long long)sys_ok[s]);
    mica_printf("\nfuzz:   by invocation label (label: calls/ok):");
    for (unsigned l = 0; l < 128; l++)
        if (label_calls[l] && label_info(l))
            mica_printf(" %u:%llu/%llu", l, (unsigned long long)label_calls[l],
                        (unsigned long long)label_ok[l]);
    mica_printf("\nfuzz:   invocations by object type (type: calls):");
    for (unsigned t = 0; t < 64; t++)
        if (type_calls[t])
            mica_printf(" %u:%llu", t, (unsigned long long)type_calls[t]);
    mica_printf("\nfuzz:   results:");
    for (unsigned s = 0; s <= MICA_ERR_COUNT; s++)
        if (status_count[s])
            mica_printf(" %s:%llu", s < MICA_ERR_COUNT ? mica_error_name(s) : "other",
                        (unsigned long long)status_count[s]);
    mica_printf("\n");
}

int main(const struct mica_bootinfo *boot)
{
    uint64_t seed;
    bi = boot;
    mica_printf(MICA_TEST_TAG MICA_TEST_PLAN " 1\n");
    if (!parse_args(bi->cmdline, &seed)) {
        mica_printf(MICA_TEST_TAG MICA_TEST_FAIL " fuzz: no n= argument\n");
        mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
        return 1;
    }
    fz_shared.seed = seed;
    rng_state = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    if (!rng_state)
        rng_state = 1;
    mica_printf("fuzz: seed 0x%016llx\n", (unsigned long long)seed); /* fixed width: see above */
    setup();
    for (uint64_t i = 0; i < n_calls; i++) {
        if (i % epoch_len == 0)
            pool_build();
        if (i % 100000 == 0)
            mica_printf("\nfuzz: call %llu\n", (unsigned long long)i); /* after any '~' */
        one_call(i);
    }
    report(seed);
    mica_printf(MICA_TEST_TAG MICA_TEST_OK " fuzz/seed-%llu\n", (unsigned long long)seed);
    mica_printf(MICA_TEST_TAG MICA_TEST_DONE "\n");
    return 0;
}
