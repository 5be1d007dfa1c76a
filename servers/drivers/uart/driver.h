/*
 * Inside the 16550 UART driver: the state shared by its parts.
 *
 *   main.c     start-up (its resources, by name: uart.h) and the one
 *              receive loop (clients and interrupts)
 *   hw.c       the 16550: programming it and serving its interrupt sources
 *   clients.c  the serial protocol (mica_serial.h): requests, blocked
 *              clients and their deferred replies
 *
 * Data flows through two rings: bytes received by the UART go into `rx`
 * (interrupt) and out to readers (Read); bytes from writers go into `tx`
 * (Write) and out to the UART, at most a FIFO's worth per
 * transmitter-empty interrupt.
 */
#ifndef UART_DRIVER_H
#define UART_DRIVER_H

#include <libmica.h>
#include <mica_serial.h>
#include <stdbool.h>

#define TX_RING_SIZE 512 /* smaller than one Write: a long write waits for room */
#define RX_RING_SIZE 256
#define UART_FIFO    16  /* bytes the transmit FIFO takes after a THRE indication */

/* A byte ring; head and tail run freely, size is a power of two. */
struct ring {
    uint8_t *buf;
    uint32_t size, head, tail; /* head: next byte out, tail: next byte in */
};

static inline uint32_t ring_used(const struct ring *r) { return r->tail - r->head; }
static inline uint32_t ring_room(const struct ring *r) { return r->size - ring_used(r); }
static inline void ring_put(struct ring *r, uint8_t b) { r->buf[r->tail++ & (r->size - 1)] = b; }
static inline uint8_t ring_get(struct ring *r) { return r->buf[r->head++ & (r->size - 1)]; }

struct uart {
    mica_cptr_t ports; /* IOPort cap for the UART's registers */
    unsigned base;     /* its first port */
    struct ring tx, rx;
    uint8_t ier;       /* what the interrupt-enable register holds */
    bool tx_active;    /* transmitter-empty interrupts are on: output is draining */
    bool rx_paused;    /* receive interrupts are off: the rx ring was full */
    mica_word_t lost;  /* received bytes lost since the last Read */
    mica_word_t port_error; /* first failed port access (0: none) */
    struct mica_serial_stats st;
};

/* hw.c */
mica_word_t hw_init(struct uart *u); /* program it, interrupts still off */
void hw_start(struct uart *u);       /* receive interrupts on */
/* Serve every pending interrupt source; false if none was pending. */
bool hw_service(struct uart *u);
void hw_tx_start(struct uart *u);    /* output is queued: make sure it drains */
void hw_rx_resume(struct uart *u);   /* room in the rx ring again */

/* clients.c */
struct request {
    mica_word_t badge, label;
    unsigned length;                 /* message registers that arrived */
    mica_word_t mr[MICA_MSG_MAX_LENGTH];
};
struct reply {
    mica_word_t status;              /* becomes the reply's label */
    unsigned length;
    mica_word_t mr[MICA_MSG_MAX_LENGTH];
};
void clients_init(mica_cptr_t first_free_slot);
/* Answer now (true, *r filled) or later (false: the caller's reply cap was saved). */
bool clients_request(struct uart *u, const struct request *q, struct reply *r);
void clients_fill_tx(struct uart *u); /* move blocked writers' bytes into the tx ring */
void clients_rx(struct uart *u);      /* serve blocked readers from the rx ring */
void clients_tx_idle(struct uart *u); /* output has drained: answer flushes */

/* main.c: the reply's message registers beyond the CPU ones go to the IPC buffer. */
void reply_to_ipc_buffer(const struct reply *r);

#endif
