/* Fatal kernel errors. Only kernel bugs and impossible boot conditions panic. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Stop the machine: print nothing more, tell QEMU's debug-exit device the
 * code (include/mica/debug.h), then halt forever. */
__attribute__((noreturn)) void machine_halt(unsigned code);

#define BUG_ON(cond)                                                        \
    do {                                                                    \
        if (cond)                                                           \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);        \
    } while (0)

#endif
