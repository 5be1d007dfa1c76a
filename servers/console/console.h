/*
 * The console program (main.c) and its `check` command (check.c).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <libmica.h>

/* The name of the serial driver's endpoint end in the description: an end
 * with the write right and a badge of its own (mica_serial.h). */
#define CONSOLE_RES_SERIAL "serial"

/* The `check` command: the driver's answers to malformed requests. */
void serial_check(mica_cptr_t ep);

#endif
