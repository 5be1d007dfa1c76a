/*
 * The serial protocol (mica_serial.h): requests from clients, and the
 * clients that must wait.
 *
 * A client that cannot be answered at once (Write with no room in the tx
 * ring, Read with nothing received, Flush with output still queued) stays
 * blocked in its Call: its reply cap is moved out of the driver's TCB
 * with CNode_SaveCaller into a slot of the driver's CSpace, and a Send on
 * that slot answers it later, from the interrupt path. Each kind of wait
 * has its own FIFO queue of MICA_SERIAL_WAITERS places, and place i of a
 * queue always uses the same slot. A blocked writer's bytes are copied
 * out of the message at once (the IPC buffer is reused by the next
 * message) and move into the tx ring as room appears; writers are served
 * strictly in order, and a new Write never overtakes a blocked one.
 */
#include "driver.h"
#include <mica_invoke.h>
#include <mica_ipc.h>

void *memcpy(void *dst, const void *src, unsigned long n);

struct waiter {
    mica_word_t badge;   /* who (for messages) */
    uint32_t len, done;  /* Write: bytes, bytes in the ring; Read: maximum */
};

struct waitq {
    struct waiter w[MICA_SERIAL_WAITERS];
    unsigned head, n;
    mica_cptr_t slot0;   /* place i's reply cap lives in slot0 + i */
    const char *what;
};

static struct waitq writers = { .what = "write" };
static struct waitq readers = { .what = "read" };
static struct waitq flushers = { .what = "flush" };
static uint8_t write_data[MICA_SERIAL_WAITERS][MICA_SERIAL_WRITE_MAX];

void clients_init(mica_cptr_t first_free_slot)
{
    writers.slot0 = first_free_slot;
    readers.slot0 = first_free_slot + MICA_SERIAL_WAITERS;
    flushers.slot0 = first_free_slot + 2 * MICA_SERIAL_WAITERS;
}

static unsigned place(const struct waitq *q, unsigned k)
{
    return (q->head + k) % MICA_SERIAL_WAITERS;
}

/* Block the caller of the current request at the tail of q. */
static struct waiter *enqueue(struct waitq *q, mica_word_t badge, mica_word_t *status)
{
    if (q->n == MICA_SERIAL_WAITERS) {
        *status = MICA_ERR_WOULD_BLOCK;
        return 0;
    }
    unsigned i = place(q, q->n);
    struct mica_sysret r = mica_cnode_save_caller(MICA_CAP_INIT_CNODE, q->slot0 + i, 64);
    if (r.status) {
        mica_printf("uart: cannot keep client %lu waiting (%s, slot %lu): error %lu\n", badge,
                    q->what, q->slot0 + i, r.status);
        *status = r.status;
        return 0;
    }
    q->n++;
    q->w[i] = (struct waiter){ .badge = badge };
    return &q->w[i];
}

/* Answer the waiter at the head of q with r, and drop it. */
static void answer_head(struct waitq *q, const struct reply *r)
{
    unsigned i = q->head;
    reply_to_ipc_buffer(r);
    mica_word_t err = mica_send(q->slot0 + i, mica_tag(r->status, r->length, 0), r->mr[0],
                                r->mr[1], r->mr[2], r->mr[3]);
    if (err) /* the client went away meanwhile; nothing else to do */
        mica_printf("uart: deferred %s reply to client %lu failed: error %lu\n", q->what,
                    q->w[i].badge, err);
    q->head = (q->head + 1) % MICA_SERIAL_WAITERS;
    q->n--;
}

static void set_reply(struct reply *r, mica_word_t status, unsigned length)
{
    r->status = status;
    r->length = length;
}

/* ---- Write ---- */

static uint32_t push_tx(struct uart *u, const uint8_t *bytes, uint32_t n)
{
    uint32_t room = ring_room(&u->tx), k = n < room ? n : room;
    for (uint32_t i = 0; i < k; i++)
        ring_put(&u->tx, bytes[i]);
    return k;
}

static bool request_write(struct uart *u, const struct request *q, struct reply *r)
{
    mica_word_t n = q->length ? q->mr[0] : 0;
    if (n == 0 || n > MICA_SERIAL_WRITE_MAX) {
        set_reply(r, MICA_ERR_RANGE, 0);
        return true;
    }
    if (q->length < 1 + (n + 7) / 8) {
        set_reply(r, MICA_ERR_TRUNCATED, 0);
        return true;
    }
    uint8_t bytes[MICA_SERIAL_WRITE_MAX];
    mica_serial_unpack(bytes, &q->mr[1], n);
    uint32_t taken = writers.n ? 0 : push_tx(u, bytes, (uint32_t)n);
    if (taken)
        hw_tx_start(u);
    r->mr[0] = taken;
    if (taken == n) {
        set_reply(r, MICA_OK, 1);
        return true;
    }
    mica_word_t status;
    struct waiter *w = enqueue(&writers, q->badge, &status);
    if (!w) {
        set_reply(r, status, 1);
        return true;
    }
    w->len = (uint32_t)n;
    w->done = taken;
    memcpy(write_data[w - writers.w], bytes, n);
    u->st.writers_blocked++;
    return false;
}

void clients_fill_tx(struct uart *u)
{
    bool moved = false;
    while (writers.n && ring_room(&u->tx)) {
        struct waiter *w = &writers.w[writers.head];
        uint32_t k = push_tx(u, write_data[writers.head] + w->done, w->len - w->done);
        w->done += k;
        moved |= k != 0;
        if (w->done < w->len)
            break;
        struct reply r = { .mr = { w->len } };
        set_reply(&r, MICA_OK, 1);
        answer_head(&writers, &r);
    }
    if (moved)
        hw_tx_start(u);
}

/* ---- Read ---- */

/* Give up to max received bytes (and the count of lost ones) to r. */
static void take_rx(struct uart *u, uint32_t max, struct reply *r)
{
    uint8_t bytes[MICA_SERIAL_READ_MAX];
    uint32_t n = 0;
    while (n < max && ring_used(&u->rx))
        bytes[n++] = ring_get(&u->rx);
    r->mr[0] = n;
    r->mr[1] = u->lost;
    u->lost = 0;
    mica_serial_pack(&r->mr[2], bytes, n);
    set_reply(r, MICA_OK, 2 + (n + 7) / 8);
    hw_rx_resume(u);
}

static bool request_read(struct uart *u, const struct request *q, struct reply *r)
{
    mica_word_t max = q->length > 0 ? q->mr[0] : 0, flags = q->length > 1 ? q->mr[1] : 0;
    if (max == 0 || max > MICA_SERIAL_READ_MAX) {
        set_reply(r, MICA_ERR_RANGE, 0);
        return true;
    }
    if (flags & ~(mica_word_t)MICA_SERIAL_NONBLOCK) {
        set_reply(r, MICA_ERR_INVALID_ARGUMENT, 0);
        return true;
    }
    /* Readers only wait while the ring is empty, so none is overtaken here. */
    if (ring_used(&u->rx)) {
        take_rx(u, (uint32_t)max, r);
        return true;
    }
    if (flags & MICA_SERIAL_NONBLOCK) {
        set_reply(r, MICA_ERR_WOULD_BLOCK, 0);
        return true;
    }
    mica_word_t status;
    struct waiter *w = enqueue(&readers, q->badge, &status);
    if (!w) {
        set_reply(r, status, 0);
        return true;
    }
    w->len = (uint32_t)max;
    u->st.readers_blocked++;
    return false;
}

void clients_rx(struct uart *u)
{
    while (readers.n && ring_used(&u->rx)) {
        struct reply r;
        take_rx(u, readers.w[readers.head].len, &r);
        answer_head(&readers, &r);
    }
}

/* ---- Flush ---- */

static bool tx_drained(const struct uart *u)
{
    return !u->tx_active && !ring_used(&u->tx) && !writers.n;
}

static bool request_flush(struct uart *u, const struct request *q, struct reply *r)
{
    mica_word_t status;
    if (tx_drained(u)) {
        set_reply(r, MICA_OK, 0);
        return true;
    }
    if (!enqueue(&flushers, q->badge, &status)) {
        set_reply(r, status, 0);
        return true;
    }
    return false;
}

void clients_tx_idle(struct uart *u)
{
    struct reply r;
    set_reply(&r, MICA_OK, 0);
    while (tx_drained(u) && flushers.n)
        answer_head(&flushers, &r);
}

/* ---- dispatch ---- */

bool clients_request(struct uart *u, const struct request *q, struct reply *r)
{
    switch (q->label) {
    case MICA_SERIAL_WRITE:
        return request_write(u, q, r);
    case MICA_SERIAL_READ:
        return request_read(u, q, r);
    case MICA_SERIAL_FLUSH:
        return request_flush(u, q, r);
    case MICA_SERIAL_STATS: {
        const mica_word_t *s = (const mica_word_t *)&u->st;
        for (unsigned i = 0; i < MICA_SERIAL_STATS_WORDS; i++)
            r->mr[i] = s[i];
        set_reply(r, MICA_OK, MICA_SERIAL_STATS_WORDS);
        return true;
    }
    }
    mica_printf("uart: client %lu: unknown request 0x%lx\n", q->badge, q->label);
    set_reply(r, MICA_ERR_ILLEGAL_OPERATION, 0);
    return true;
}
