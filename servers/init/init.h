/*
 * init, the root task: shared state of its parts. main.c sets up the
 * allocators and the PCI view, then starts each driver it finds among the
 * boot modules (uart.c, edu.c) and runs the console.
 */
#ifndef INIT_H
#define INIT_H

#include <mica_device.h>
#include <mica_pci.h>
#include <mica_process.h>

struct init_env {
    const struct mica_bootinfo *bi;
    struct mica_aspace alloc;   /* RAM untyped + free slots of init's CSpace */
    struct mica_devmem devmem;  /* device frames */
    struct mica_pci pci;        /* the PCI devices (scanned once) */
    int have_pci;
};

/* Start the driver in boot module m; print what went wrong and return the
 * error if it cannot be started. */
mica_word_t start_uart(struct init_env *env, const struct mica_bootinfo_module *m);
mica_word_t start_edu(struct init_env *env, const struct mica_bootinfo_module *m);

#endif
