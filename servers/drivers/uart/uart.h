/*
 * The 16550 UART driver's contract with whoever starts it (init,
 * servers/init/uart.c): the capabilities it finds in its CSpace. The
 * driver serves the serial protocol of mica_serial.h on UART_CAP_ENDPOINT;
 * docs/drivers.md describes it.
 */
#ifndef UART_H
#define UART_H

#include <mica/bootinfo.h>

/* COM1: eight I/O ports, ISA IRQ 4. */
#define UART_COM1_PORT  0x3f8
#define UART_PORTS      8
#define UART_COM1_ISA_IRQ 4

/* Slots of the driver's CSpace, after the fixed ones of every process. */
#define UART_CAP_PORTS    (MICA_CAP_FIRST_DYNAMIC + 0) /* IOPort for UART_COM1_PORT .. +7 */
#define UART_CAP_IRQ      (MICA_CAP_FIRST_DYNAMIC + 1) /* IRQHandler for COM1's GSI */
#define UART_CAP_IRQ_NTFN (MICA_CAP_FIRST_DYNAMIC + 2) /* notification, all rights, badge
                                                          UART_IRQ_BADGE: the IRQ signals it */
#define UART_CAP_ENDPOINT (MICA_CAP_FIRST_DYNAMIC + 3) /* endpoint it serves clients on
                                                          (read right at least) */
/* Slots from UART_CAP_ENDPOINT + 1 (the boot info's free slots) hold the
 * reply caps of blocked clients. */

/* The bit the IRQ handler sets in the notification word. */
#define UART_IRQ_BADGE 0x1

/* Size of its root CNode: the slots above and 3 * MICA_SERIAL_WAITERS reply caps. */
#define UART_CNODE_BITS 6

#endif
