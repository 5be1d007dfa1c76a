/*
 * IOPortControl and IOPort: x86 port I/O for user-level drivers
 * (docs/objects/ioport.md).
 *
 * IOPortControl issues a cap to a range of ports first..last (the cap's
 * paddr and word1) as its child. A port belongs to at most one issued
 * range at a time: a bitmap of all 65536 ports records what is issued, an
 * overlapping request is refused, and the range is freed when the last
 * cap to it (the issued cap or any of its copies) is deleted
 * (ioport_finalise). Revoking IOPortControl therefore frees everything.
 *
 * The 8259 PICs' ports are never issued: the kernel remapped and masked
 * them at boot, and its promise that no legacy interrupt can look like a
 * CPU exception depends on them staying so. Everything else, including
 * COM1 (where the kernel writes its own console output) and the PIT (used
 * only at boot), can be issued; see the reference page for why.
 *
 * Port access is through invocations (In/Out of 8, 16 or 32 bits), not
 * the TSS I/O bitmap: every access is checked against the cap's range.
 */
#include <cnode.h>
#include <device.h>
#include <invocation.h>
#include <mica/cap.h>
#include <mica/device.h>
#include <mica/errors.h>
#include <mica/invocation.h>

#define PORTS (MICA_IOPORT_MAX + 1)
#define WORD_BITS 64

/*
 * Bit p: port p belongs to an issued range, or is the kernel's. The
 * kernel's ports start set and no cap ever covers them, so they stay set:
 * the master 8259 PIC (0x20-0x21) and the slave (0xa0-0xa1).
 */
static uint64_t taken[PORTS / WORD_BITS] = {
    [0x20 / WORD_BITS] = 3ull << (0x20 % WORD_BITS),
    [0xa0 / WORD_BITS] = 3ull << (0xa0 % WORD_BITS),
};
_Static_assert(0x20 / WORD_BITS != 0xa0 / WORD_BITS, "one initializer per word");

static void mark(unsigned first, unsigned last, bool used)
{
    for (unsigned p = first; p <= last; p++) {
        if (used)
            taken[p / WORD_BITS] |= 1ull << (p % WORD_BITS);
        else
            taken[p / WORD_BITS] &= ~(1ull << (p % WORD_BITS));
    }
}

/* The lowest port of first..last that cannot be issued, or -1; a word of
 * the bitmap at a time, so even a scan of all 65536 ports is short. */
static long first_taken(unsigned first, unsigned last)
{
    for (unsigned p = first; p <= last; p = (p | (WORD_BITS - 1)) + 1) {
        uint64_t w = taken[p / WORD_BITS] >> (p % WORD_BITS);
        if (w) {
            unsigned q = p + (unsigned)__builtin_ctzll(w);
            return q <= last ? (long)q : -1;
        }
    }
    return -1;
}

/* ------------------------------------------------------------ IOPortControl */

struct issue_args {
    unsigned first, last;
    struct cte *dest;
};

/* MR0 first port, MR1 last port, MR2 index, MR3 depth; cap0 the CNode. */
static int decode_issue(struct invocation *inv, struct issue_args *a, uint64_t *detail)
{
    uint64_t first, last, index, depth;
    *detail = 0;
    if (!inv_mr(inv, 0, &first) || !inv_mr(inv, 1, &last) || !inv_mr(inv, 2, &index) ||
        !inv_mr(inv, 3, &depth))
        return MICA_ERR_TRUNCATED;
    if (last > MICA_IOPORT_MAX)
        return *detail = last, MICA_ERR_RANGE;
    if (first > last)
        return *detail = first, MICA_ERR_RANGE;
    int err = inv_dest_slot(inv, index, depth, &a->dest, detail);
    if (err)
        return err;
    long taken = first_taken((unsigned)first, (unsigned)last);
    if (taken >= 0)
        return *detail = (uint64_t)taken, MICA_ERR_IN_USE;
    a->first = (unsigned)first;
    a->last = (unsigned)last;
    return MICA_OK;
}

struct syscall_result ioport_control_invoke(struct invocation *inv)
{
    struct issue_args a;
    uint64_t detail;
    if (inv->label != MICA_IOPORT_CONTROL_ISSUE)
        return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
    int err = decode_issue(inv, &a, &detail);
    if (err)
        return inv_error(err, detail);
    mark(a.first, a.last, true);
    struct cap c = { .type = CAP_IOPORT, .rights = MICA_RIGHTS_ALL, .paddr = a.first,
                     .word1 = a.last };
    cte_insert(inv->slot, a.dest, &c);
    return inv_ok(0);
}

void ioport_finalise(const struct cap *cap)
{
    /* Issued caps always hold first <= last <= MICA_IOPORT_MAX. */
    if (cap->paddr <= cap->word1 && cap->word1 <= MICA_IOPORT_MAX)
        mark((unsigned)cap->paddr, (unsigned)cap->word1, false);
}

/* ------------------------------------------------------------------- IOPort */

static uint32_t port_in(unsigned port, unsigned width)
{
    uint16_t p = (uint16_t)port;
    uint32_t v;
    if (width == 1) {
        uint8_t b;
        __asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(p));
        v = b;
    } else if (width == 2) {
        uint16_t w;
        __asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"(p));
        v = w;
    } else {
        __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p));
    }
    return v;
}

static void port_out(unsigned port, unsigned width, uint32_t v)
{
    uint16_t p = (uint16_t)port;
    if (width == 1)
        __asm__ volatile("outb %0, %1" ::"a"((uint8_t)v), "Nd"(p));
    else if (width == 2)
        __asm__ volatile("outw %0, %1" ::"a"((uint16_t)v), "Nd"(p));
    else
        __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p));
}

struct access_args {
    unsigned port, width;
    bool out;
    uint32_t value;
};

/* MR0 port (Out: MR1 value): width bytes from port, inside the cap's range. */
static int decode_access(struct invocation *inv, struct access_args *a, uint64_t *detail)
{
    const struct cap *c = &inv->slot->cap;
    uint64_t port, value = 0;
    *detail = 0;
    switch (inv->label) {
    case MICA_IOPORT_IN8: a->width = 1; a->out = false; break;
    case MICA_IOPORT_IN16: a->width = 2; a->out = false; break;
    case MICA_IOPORT_IN32: a->width = 4; a->out = false; break;
    case MICA_IOPORT_OUT8: a->width = 1; a->out = true; break;
    case MICA_IOPORT_OUT16: a->width = 2; a->out = true; break;
    case MICA_IOPORT_OUT32: a->width = 4; a->out = true; break;
    default: return *detail = inv->label, MICA_ERR_ILLEGAL_OPERATION;
    }
    if (!inv_mr(inv, 0, &port) || (a->out && !inv_mr(inv, 1, &value)))
        return MICA_ERR_TRUNCATED;
    uint64_t right = a->out ? MICA_RIGHT_WRITE : MICA_RIGHT_READ;
    if (!(c->rights & right))
        return *detail = right, MICA_ERR_NO_RIGHTS;
    /* port .. port + width - 1 inside first .. last (no wrap: both <= 2^16) */
    if (port < c->paddr || port > c->word1 || c->word1 - port < a->width - 1)
        return *detail = port, MICA_ERR_RANGE;
    if (a->out && (value >> (8 * a->width)) != 0)
        return *detail = value, MICA_ERR_INVALID_ARGUMENT;
    a->port = (unsigned)port;
    a->value = (uint32_t)value;
    return MICA_OK;
}

struct syscall_result ioport_invoke(struct invocation *inv)
{
    struct access_args a;
    uint64_t detail;
    int err = decode_access(inv, &a, &detail);
    if (err)
        return inv_error(err, detail);
    if (a.out) {
        port_out(a.port, a.width, a.value);
        return inv_ok(0);
    }
    return inv_ok(port_in(a.port, a.width));
}
