/*
 * init's console (console.c) and the serial driver it runs on (uart.c).
 */
#ifndef INIT_CONSOLE_H
#define INIT_CONSOLE_H

#include "init.h"

/* Priorities: drivers run above their clients, so an interrupt is served
 * as soon as it arrives; init drops to INIT_PRIORITY before starting any. */
#define INIT_PRIORITY   100
#define DRIVER_PRIORITY 200

/* Badges of the caps to the uart driver's endpoint: who is asking. */
#define SERIAL_BADGE_INIT 1

/* init's cap to the uart driver's endpoint (0: no driver started). */
mica_cptr_t uart_client(void);
/* A new cap to the uart driver's endpoint with the write right and its
 * own non-zero badge, in a free slot of init's CSpace, for another client
 * (give it with mica_process_give, badge 0). MICA_ERR_NOT_SUPPORTED if no
 * driver runs, MICA_ERR_INVALID_ARGUMENT for badge 0. */
mica_word_t uart_client_mint(struct init_env *env, mica_word_t badge, mica_cptr_t *cap);

/* Read lines from the serial driver at ep, echo them, act on them; ends
 * only by halting the machine. */
__attribute__((noreturn)) void console_run(struct init_env *env, mica_cptr_t ep);

/* The `check` command: the driver's answers to malformed requests (serialcheck.c). */
void serial_check(mica_cptr_t ep);

/* One line per PCI function, after "init: PCI devices:" (main.c). */
void print_pci(const struct init_env *env);

#endif
