/*
 * The 16550 UART driver's contract with the system description that runs
 * it (systems/serial.system, systems/default.system): the resources it
 * looks up by name in its PD info (mica_pd.h) and what each must be. The
 * driver serves the serial protocol of mica_serial.h on its endpoint;
 * docs/drivers.md describes it.
 */
#ifndef UART_H
#define UART_H

#include <mica_serial.h>

/* Resources of the driver's protection domain:
 *
 *   UART_RES_PORTS     <ioport name="com1" base="0x3f8" size="8"/>: the
 *                      UART's eight registers (at least UART_PORTS ports)
 *   UART_RES_ENDPOINT  <endpoint name="serial"><end pd="uart" rights="r"/>:
 *                      where clients' requests arrive (read right); each
 *                      client has an end with the write right and a badge
 *                      of its own
 *   UART_RES_IRQ       <irq id="N" isa="4" name="com1_irq"/>: the UART's
 *                      interrupt line, on whatever channel id N the
 *                      description gives it; it signals the PD's
 *                      notification with MICA_CHANNEL_BADGE(N)
 */
#define UART_RES_PORTS    "com1"
#define UART_RES_ENDPOINT "serial"
#define UART_RES_IRQ      "com1_irq"

/* Registers of a 16550: eight consecutive I/O ports. */
#define UART_PORTS 8

/* Free slots of its CSpace it needs (pd_info slot_free_first .. _end):
 * one per client that may wait, for the saved reply caps. */
#define UART_REPLY_SLOTS (3 * MICA_SERIAL_WAITERS)

#endif
