/*
 * The component runtime: a protection domain written the Microkit way.
 *
 * Link a program with libmicart (lib/runtime) and it gets a main: the
 * runtime checks its PD info, calls the program's init() once, and then
 * waits for events forever, calling
 *
 *   notified(ch)        for every channel ch whose notification (or IRQ)
 *                       arrived, lowest id first;
 *   protected(ch, msg)  for a protected call through channel ch (the
 *                       caller's end has pp="true"); its return value is
 *                       the reply's tag, the reply's registers are what
 *                       mica_mr_set left.
 *
 * Handlers run one at a time, to completion, on the PD's single thread.
 * A program that has no use for protected calls need not define
 * protected(): the runtime's default answers every call with label
 * MICA_ERR_NOT_SUPPORTED. notified() is required; a PD with nothing to
 * be notified of still says so by defining it.
 *
 * A PD whose info is missing or fails mica_pd()'s checks never gets to
 * init(): main prints why and returns. A message on the PD's endpoint
 * that is not a protected call is answered MICA_ERR_INVALID_ARGUMENT
 * (and reported once). docs/components.md has the whole story.
 *
 * Resource lookup, mica_notify, mica_ppcall, mica_irq_ack and the heap
 * come from mica_pd.h; console output and the rest of libmica from
 * libmica.h, both included here.
 */
#ifndef MICA_COMPONENT_H
#define MICA_COMPONENT_H

#include <libmica.h>
#include <mica_pd.h>

void init(void);
void notified(mica_channel_t ch);
mica_msginfo_t protected(mica_channel_t ch, mica_msginfo_t msg);

#endif
