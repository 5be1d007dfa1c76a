/*
 * Protection domains: resource lookup, channels, message registers, the
 * heap and the end of a PD's program (mica_pd.h).
 *
 * Everything a PD knows about itself comes from the PD info init wrote
 * read-only at the address its boot info names (include/mica/system.h).
 * That info is checked once, the first time anything asks for it; a PD
 * whose info fails a check behaves as a program outside any system, and
 * mica_pd_problem() says why, so the runtime can print it.
 *
 * Message registers: MR0-3 travel in CPU registers, MR4 and up in the IPC
 * buffer (docs/ipc.md). So that mica_mr_set/get work the same for every
 * register, all of them are kept in the IPC buffer's mr[] here: a call
 * loads mr[0..3] into the registers and stores the reply's back.
 */
#include <format.h>
#include <libmica.h>
#include <mica_device.h>
#include <mica_invoke.h>
#include <mica_pd.h>
#include <stdbool.h>

/* ---------------------------------------------------------- the PD info */

static struct {
    bool checked;
    const struct mica_pd_info *info; /* NULL: not a PD (problem says why) */
    const char *problem;
    char why[112];
} pd_state;

static bool terminated(const char *name)
{
    for (unsigned i = 0; i < MICA_SYS_NAME_MAX; i++)
        if (!name[i])
            return true;
    return false;
}

/* Every check the info must pass before any field of it is trusted.
 * Returns NULL, or why the info is refused (in pd_state.why). */
static const char *check_info(const struct mica_pd_info *pd, mica_word_t addr)
{
    char *why = pd_state.why;
    unsigned long n = sizeof(pd_state.why);
    if (addr & 7) {
        format_buf(why, n, "PD info at 0x%lx is not 8-byte aligned", addr);
    } else if (pd->magic != MICA_PD_INFO_MAGIC) {
        format_buf(why, n, "PD info at 0x%lx has bad magic 0x%lx", addr, pd->magic);
    } else if (pd->version != MICA_PD_INFO_VERSION) {
        format_buf(why, n, "PD info at 0x%lx has version %u, expected %u", addr, pd->version,
                   MICA_PD_INFO_VERSION);
    } else if (pd->size != sizeof(*pd)) {
        format_buf(why, n, "PD info at 0x%lx has size %u, expected %lu", addr, pd->size,
                   sizeof(*pd));
    } else if (pd->n_resources > MICA_PD_RESOURCES_MAX) {
        format_buf(why, n, "PD info at 0x%lx lists %u resources, at most %u", addr,
                   pd->n_resources, MICA_PD_RESOURCES_MAX);
    } else if (!terminated(pd->name) || !terminated(pd->system)) {
        format_buf(why, n, "PD info at 0x%lx: PD or system name not terminated", addr);
    } else if (pd->heap_size && (pd->heap_base < MICA_PD_HEAP || pd->heap_base & 15 ||
                                 pd->heap_size > MICA_PD_HEAP_END - pd->heap_base)) {
        format_buf(why, n, "PD info at 0x%lx: heap 0x%lx+0x%lx outside 0x%llx..0x%llx", addr,
                   pd->heap_base, pd->heap_size, MICA_PD_HEAP, MICA_PD_HEAP_END);
    } else {
        for (unsigned i = 0; i < pd->n_resources; i++) {
            if (!terminated(pd->res[i].name)) {
                format_buf(why, n, "PD info at 0x%lx: name of resource %u not terminated",
                           addr, i);
                return why;
            }
        }
        return NULL;
    }
    return why;
}

const struct mica_pd_info *mica_pd(void)
{
    if (pd_state.checked)
        return pd_state.info;
    pd_state.checked = true;
    const struct mica_bootinfo *bi = mica_bootinfo();
    if (!bi || !bi->pd_info) {
        pd_state.problem = "not a protection domain of a system (its boot info names no PD info)";
        return NULL;
    }
    const struct mica_pd_info *pd = (const struct mica_pd_info *)bi->pd_info;
    pd_state.problem = check_info(pd, bi->pd_info);
    if (!pd_state.problem)
        pd_state.info = pd;
    return pd_state.info;
}

const char *mica_pd_problem(void)
{
    return mica_pd() ? NULL : pd_state.problem;
}

const char *mica_pd_name(void)
{
    const struct mica_pd_info *pd = mica_pd();
    return pd ? pd->name : "";
}

/* ---------------------------------------------------------- lookup */

/* Records found by channel id. Channels and PPCs have no name; an IRQ
 * goes by both (its name is "" when the description gives none). */
static bool by_id(unsigned kind)
{
    return kind == MICA_RES_CHANNEL || kind == MICA_RES_PPC || kind == MICA_RES_IRQ;
}

/* Records found by name: all but channels and PPCs. */
static bool by_name(unsigned kind)
{
    return kind != MICA_RES_CHANNEL && kind != MICA_RES_PPC;
}

const struct mica_pd_resource *mica_resource(const char *name)
{
    const struct mica_pd_info *pd = mica_pd();
    if (!pd || !name || !name[0])
        return NULL;
    for (unsigned i = 0; i < pd->n_resources; i++)
        if (by_name(pd->res[i].kind) &&
            mica_strncmp(pd->res[i].name, name, MICA_SYS_NAME_MAX) == 0)
            return &pd->res[i];
    return NULL;
}

void *mica_resource_vaddr(const char *name, mica_word_t *size)
{
    const struct mica_pd_resource *r = mica_resource(name);
    if (!r || (r->kind != MICA_RES_MEMORY && r->kind != MICA_RES_BAR))
        return NULL;
    if (size)
        *size = r->size;
    return (void *)r->vaddr;
}

mica_cptr_t mica_resource_cap(const char *name)
{
    const struct mica_pd_resource *r = mica_resource(name);
    return r ? r->cap : 0;
}

const struct mica_pd_resource *mica_channel_resource(mica_channel_t ch, unsigned kind)
{
    const struct mica_pd_info *pd = mica_pd();
    if (!pd || ch >= MICA_CHANNEL_MAX)
        return NULL;
    for (unsigned i = 0; i < pd->n_resources; i++)
        if (pd->res[i].kind == kind && by_id(kind) && pd->res[i].id == ch)
            return &pd->res[i];
    return NULL;
}

const struct mica_pd_resource *mica_resource_next(const struct mica_pd_resource *prev,
                                                  unsigned kind)
{
    const struct mica_pd_info *pd = mica_pd();
    if (!pd)
        return NULL;
    unsigned i = 0;
    if (prev) {
        /* prev must be one of this PD's records; anything else ends the walk. */
        if (prev < pd->res || prev >= pd->res + pd->n_resources)
            return NULL;
        i = (unsigned)(prev - pd->res) + 1;
    }
    for (; i < pd->n_resources; i++)
        if (!kind || pd->res[i].kind == kind)
            return &pd->res[i];
    return NULL;
}

/* ---------------------------------------------------------- channels */

mica_word_t mica_notify(mica_channel_t ch)
{
    if (!mica_pd())
        return MICA_ERR_NOT_SUPPORTED;
    const struct mica_pd_resource *r = mica_channel_resource(ch, MICA_RES_CHANNEL);
    if (!r || !r->cap)
        return MICA_ERR_INVALID_ARGUMENT; /* no such channel, or notify="false" */
    return mica_signal(r->cap);
}

void mica_mr_set(unsigned i, mica_word_t value)
{
    if (i < MICA_MSG_MAX_LENGTH)
        mica_ipc->mr[i] = value;
}

mica_word_t mica_mr_get(unsigned i)
{
    return i < MICA_MSG_MAX_LENGTH ? mica_ipc->mr[i] : 0;
}

static mica_msginfo_t ppc_failed(mica_word_t error)
{
    mica_ipc->mr[0] = error;
    return mica_msginfo(MICA_PPC_FAILED, 1);
}

mica_msginfo_t mica_ppcall(mica_channel_t ch, mica_msginfo_t msg)
{
    if (!mica_pd())
        return ppc_failed(MICA_ERR_NOT_SUPPORTED);
    const struct mica_pd_resource *r = mica_channel_resource(ch, MICA_RES_PPC);
    if (!r || !r->cap)
        return ppc_failed(MICA_ERR_INVALID_ARGUMENT);
    /* Only the label and length: no caps, and the kernel's bits are its own. */
    mica_word_t tag = mica_tag(mica_tag_label(msg), mica_tag_length(msg), 0);
    struct mica_ipc_buffer *b = mica_ipc;
    struct mica_msg reply = mica_call(r->cap, tag, b->mr[0], b->mr[1], b->mr[2], b->mr[3]);
    if (reply.status != MICA_OK)
        return ppc_failed(reply.status);
    for (unsigned i = 0; i < MICA_MSG_REGS_IN_CPU; i++)
        b->mr[i] = reply.mr[i];
    return reply.tag;
}

mica_word_t mica_irq_ack(mica_channel_t ch)
{
    if (!mica_pd())
        return MICA_ERR_NOT_SUPPORTED;
    const struct mica_pd_resource *r = mica_channel_resource(ch, MICA_RES_IRQ);
    if (!r || !r->cap)
        return MICA_ERR_INVALID_ARGUMENT;
    return mica_irq_handler_ack(r->cap).status;
}

/* ---------------------------------------------------------- the heap */

/*
 * First fit over one free list kept in address order, so that freeing a
 * block merges it with the free blocks just before and after it: the
 * heap never holds two adjacent free blocks. Every block, free or not,
 * starts with a 16-byte header, so payloads stay 16-byte aligned.
 */
struct block {
    mica_word_t size;   /* of the whole block, header included; a multiple of 16 */
    struct block *next; /* free: the next free block (NULL: last); allocated: BLOCK_IN_USE */
};

/* A non-canonical address, so no free block's `next` can equal it: this
 * is how mica_free tells a block from mica_malloc from anything else. */
#define BLOCK_IN_USE ((struct block *)0xa110ca7edb10c000ull)
#define BLOCK_HEADER ((mica_word_t)sizeof(struct block))
#define BLOCK_MIN    (2 * BLOCK_HEADER) /* smallest block worth splitting off */

static struct {
    bool ready;
    mica_word_t base, end; /* 16-aligned; end == base: no heap */
    struct block *free;    /* first free block, lowest address */
} heap;

static bool heap_ready(void)
{
    if (heap.ready)
        return heap.end > heap.base;
    heap.ready = true;
    const struct mica_pd_info *pd = mica_pd();
    if (!pd || pd->heap_size < BLOCK_MIN)
        return false;
    heap.base = pd->heap_base; /* 16-aligned: mica_pd checked */
    heap.end = (pd->heap_base + pd->heap_size) & ~(mica_word_t)15;
    heap.free = (struct block *)heap.base;
    heap.free->size = heap.end - heap.base;
    heap.free->next = 0;
    return true;
}

void *mica_malloc(mica_word_t size)
{
    if (!heap_ready() || size > heap.end - heap.base)
        return NULL;
    mica_word_t need = ((size + 15) & ~(mica_word_t)15) + BLOCK_HEADER;
    if (need < BLOCK_MIN)
        need = BLOCK_MIN;
    struct block **link = &heap.free;
    for (struct block *b = heap.free; b; link = &b->next, b = *link) {
        if (b->size < need)
            continue;
        if (b->size - need >= BLOCK_MIN) {
            /* The rest stays free, in b's place in the list. */
            struct block *rest = (struct block *)((mica_word_t)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        b->next = BLOCK_IN_USE;
        return b + 1;
    }
    return NULL;
}

void *mica_calloc(mica_word_t n, mica_word_t size)
{
    if (size && n > (mica_word_t)-1 / size)
        return NULL;
    unsigned char *p = mica_malloc(n * size);
    if (p)
        for (mica_word_t i = 0; i < n * size; i++)
            p[i] = 0;
    return p;
}

/* Whether p is the payload of a block mica_malloc handed out and nobody
 * has freed since. */
static struct block *owned_block(void *p)
{
    mica_word_t a = (mica_word_t)p;
    if (!heap_ready() || a & 15 || a < heap.base + BLOCK_HEADER || a >= heap.end)
        return NULL;
    struct block *b = (struct block *)a - 1;
    if (b->next != BLOCK_IN_USE || b->size < BLOCK_MIN || b->size & 15 ||
        b->size > heap.end - (mica_word_t)b)
        return NULL;
    return b;
}

void mica_free(void *p)
{
    if (!p)
        return;
    struct block *b = owned_block(p);
    if (!b) {
        /* A bug in the program, but not one to stop it for: the heap stays intact. */
        mica_printf("%s: mica_free(0x%lx): not a block from mica_malloc, or freed twice; ignored\n",
                    mica_pd_name(), (mica_word_t)p);
        return;
    }
    struct block *prev = NULL, *next = heap.free;
    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (next && (mica_word_t)b + b->size == (mica_word_t)next) {
        b->size += next->size;
        b->next = next->next;
    }
    if (!prev) {
        heap.free = b;
    } else if ((mica_word_t)prev + prev->size == (mica_word_t)b) {
        prev->size += b->size;
        prev->next = b->next;
        b->next = NULL; /* its header is free space now: no longer "in use" */
    } else {
        prev->next = b;
    }
}

void mica_heap_stats(mica_word_t *free_bytes, mica_word_t *largest)
{
    mica_word_t total = 0, big = 0;
    if (heap_ready()) {
        for (struct block *b = heap.free; b; b = b->next) {
            total += b->size;
            if (b->size - BLOCK_HEADER > big)
                big = b->size - BLOCK_HEADER;
        }
    }
    if (free_bytes)
        *free_bytes = total;
    if (largest)
        *largest = big;
}

/* ---------------------------------------------------------- the end */

void mica_pd_exit(int status)
{
    const struct mica_bootinfo *bi = mica_bootinfo();
    if (!bi || !bi->pd_info)
        return; /* not a PD: the caller halts the machine, as a root task does */
    const char *name = mica_pd() ? mica_pd_name() : "pd";
    mica_printf("%s: main returned %d; stopping\n", name, status);
    struct mica_sysret r = mica_tcb_suspend(MICA_CAP_INIT_TCB);
    /* Still running: the thread could not suspend itself. A fault makes
     * init (the PD's fault handler) report it and stop it instead. */
    mica_printf("%s: cannot suspend itself (error %lu); faulting so that init stops it\n", name,
                r.status);
    __builtin_trap();
}

const char *mica_resource_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [MICA_RES_MEMORY] = "memory",  [MICA_RES_CHANNEL] = "channel",
        [MICA_RES_PPC] = "ppc",        [MICA_RES_IRQ] = "irq",
        [MICA_RES_IOPORT] = "ioport",  [MICA_RES_DEVICE] = "device",
        [MICA_RES_BAR] = "bar",        [MICA_RES_ENDPOINT] = "endpoint",
        [MICA_RES_UNTYPED] = "untyped",
    };
    return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}
