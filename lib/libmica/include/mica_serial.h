/*
 * The serial protocol: how a client talks to a serial driver (today the
 * 16550 UART driver, servers/drivers/uart; docs/drivers.md) over IPC.
 *
 * A client holds a badged cap (write right) to the driver's endpoint and
 * Calls it; the badge tells the driver which client is asking. Every
 * request is one Call, answered by one reply whose label is MICA_OK or an
 * error code (mica/errors.h) and whose message registers carry the result.
 * Bytes travel packed into message registers, eight to a register, the
 * first byte in the low-order byte (the order they have in memory on
 * x86_64). Requests longer than four registers need an IPC buffer, which
 * every program started by the root task has.
 *
 *   Write  MR0 count n (1 .. MICA_SERIAL_WRITE_MAX), MR1.. the bytes.
 *          The reply comes once all n bytes are in the driver's transmit
 *          ring (not yet necessarily on the wire): when the ring is full
 *          the client stays blocked in its Call until the interrupts that
 *          drain the ring have made room. Reply: MR0 bytes taken (n).
 *          Errors: RANGE (n is 0 or too large), TRUNCATED (the message is
 *          shorter than n bytes need), WOULD_BLOCK (the ring is full and
 *          the driver already holds MICA_SERIAL_WAITERS blocked writers;
 *          MR0 says how many bytes it took anyway, possibly 0).
 *   Read   MR0 most bytes wanted (1 .. MICA_SERIAL_READ_MAX), MR1 flags
 *          (MICA_SERIAL_NONBLOCK). Returns the bytes received so far, up
 *          to the maximum; when there are none the client stays blocked
 *          until a receive interrupt brings some. Reply: MR0 count, MR1
 *          bytes lost since the previous Read (receiver overruns, counted
 *          by the driver and never dropped silently), MR2.. the bytes.
 *          Errors: RANGE (maximum 0 or too large), INVALID_ARGUMENT
 *          (unknown flags), WOULD_BLOCK (nothing to read and NONBLOCK was
 *          given, or MICA_SERIAL_WAITERS readers already wait).
 *   Flush  Reply once everything written before has left the transmit
 *          ring and the UART's FIFO (say it before halting the machine).
 *          Errors: WOULD_BLOCK (MICA_SERIAL_WAITERS flushes already wait).
 *   Stats  Reply: struct mica_serial_stats in MR0.. (field order).
 * Any other label: ILLEGAL_OPERATION.
 */
#ifndef MICA_SERIAL_H
#define MICA_SERIAL_H

#include <libmica.h>
#include <mica/message.h>

/* Request labels ("SE" in the high byte, so a misrouted message stands out). */
#define MICA_SERIAL_WRITE 0x5301
#define MICA_SERIAL_READ  0x5302
#define MICA_SERIAL_FLUSH 0x5303
#define MICA_SERIAL_STATS 0x5304

/* Read flags. */
#define MICA_SERIAL_NONBLOCK 0x1

/* Bytes per request: all message registers but the header ones. */
#define MICA_SERIAL_WRITE_MAX ((MICA_MSG_MAX_LENGTH - 1) * 8) /* 952 */
#define MICA_SERIAL_READ_MAX  ((MICA_MSG_MAX_LENGTH - 2) * 8) /* 944 */

/* Clients a driver can keep blocked per request kind at once. */
#define MICA_SERIAL_WAITERS 4

/* Driver counters since it started (Stats). */
struct mica_serial_stats {
    mica_word_t interrupts;    /* notifications from the IRQ handler */
    mica_word_t rx_events;     /* receive-data indications (IIR) handled */
    mica_word_t tx_events;     /* transmitter-empty indications handled */
    mica_word_t rx_bytes;      /* bytes received into the ring */
    mica_word_t tx_bytes;      /* bytes written to the UART */
    mica_word_t overruns;      /* receiver overruns (bytes lost in the UART) */
    mica_word_t line_errors;   /* framing, parity and break conditions */
    mica_word_t rx_paused;     /* times reception stopped because the ring was full */
    mica_word_t writers_blocked; /* Writes that had to wait for room */
    mica_word_t readers_blocked; /* Reads that had to wait for input */
};
#define MICA_SERIAL_STATS_WORDS (sizeof(struct mica_serial_stats) / sizeof(mica_word_t))

/*
 * Client stubs. Each returns MICA_OK or the error of the Call itself or
 * of the driver's reply.
 */
/* Write all len bytes, as as many Write requests as needed; *written (if
 * not NULL) says how many were taken, also on error. */
mica_word_t mica_serial_write(mica_cptr_t ep, const void *buf, mica_word_t len,
                              mica_word_t *written);
/* One Read of at most max bytes into buf; *got bytes arrived, *lost (if
 * not NULL) were lost before them. */
mica_word_t mica_serial_read(mica_cptr_t ep, void *buf, mica_word_t max, unsigned flags,
                             mica_word_t *got, mica_word_t *lost);
mica_word_t mica_serial_flush(mica_cptr_t ep);
mica_word_t mica_serial_stats(mica_cptr_t ep, struct mica_serial_stats *stats);

/* Packing bytes into message registers (used by drivers and stubs). */
void mica_serial_pack(mica_word_t *mr, const uint8_t *bytes, mica_word_t n);
void mica_serial_unpack(uint8_t *bytes, const mica_word_t *mr, mica_word_t n);

/*
 * Reading lines typed at a terminal, with echo and editing: printable
 * characters are echoed and kept (at most MICA_SERIAL_LINE_MAX of them;
 * more are ignored), backspace or DEL erases the last one, and CR, LF or
 * CR LF ends the line (echoed as CR LF). Everything echoed during one Read
 * goes out in one Write. Input after a line's end stays in the reader for
 * the next line. Set a reader up with mica_serial_line_init.
 */
#define MICA_SERIAL_LINE_MAX 200
struct mica_serial_line {
    mica_cptr_t ep;
    char line[MICA_SERIAL_LINE_MAX + 1];
    unsigned len;
    uint8_t in[64];               /* read but not yet looked at: in[pos..n) */
    unsigned pos, n;
    int after_cr;                 /* the last character was CR: a LF next is not a line */
    char echo[2 * MICA_SERIAL_LINE_MAX];
    unsigned echo_len;
};
void mica_serial_line_init(struct mica_serial_line *r, mica_cptr_t ep);
/* Write `prompt` (may be NULL), then read until a line is complete: it is
 * returned NUL-terminated in r->line (r->len characters). On a failed
 * Read returns its error; *lost (if not NULL) gets the number of typed
 * characters the driver reported lost meanwhile. */
mica_word_t mica_serial_getline(struct mica_serial_line *r, const char *prompt,
                                mica_word_t *lost);

/* Send the console to serial driver endpoint `ep` (each '\n' is written as
 * "\r\n", as the kernel console does); ep 0 goes back to the kernel. */
void mica_serial_console(mica_cptr_t ep);

#endif
