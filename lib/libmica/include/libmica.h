/*
 * libmica: the user-side interface to the Mica kernel.
 *
 * System call stubs follow include/mica/syscall.h. Debug calls (mica_debug_*)
 * work only on a debug kernel; a release kernel answers
 * MICA_ERR_INVALID_SYSCALL.
 */
#ifndef LIBMICA_H
#define LIBMICA_H

#include <mica/bootinfo.h>
#include <mica/errors.h>
#include <mica/syscall.h>
#include <mica/types.h>
#include <stdarg.h>

/* Result of a raw system call: rax and rdi. */
struct mica_sysret {
    mica_word_t status; /* MICA_OK or an error code */
    mica_word_t value;  /* call-specific */
};

/*
 * A raw system call with two arguments. The kernel may change rsi, rdx, r10,
 * r8 and r9 (message registers on return) and the CPU changes rcx and r11.
 */
static inline struct mica_sysret mica_syscall2(long number, mica_word_t a0, mica_word_t a1)
{
    register mica_word_t rax __asm__("rax") = (mica_word_t)number;
    register mica_word_t rdi __asm__("rdi") = a0;
    register mica_word_t rsi __asm__("rsi") = a1;
    register mica_word_t rdx __asm__("rdx");
    register mica_word_t r10 __asm__("r10");
    register mica_word_t r8 __asm__("r8");
    register mica_word_t r9 __asm__("r9");
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "=r"(rdx), "=r"(r10), "=r"(r8), "=r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return (struct mica_sysret){ rax, rdi };
}

/* Give up the CPU to another thread of the same priority, if any. */
static inline void mica_yield(void)
{
    mica_syscall2(MICA_SYS_YIELD, 0, 0);
}

/* Debug calls. */
static inline void mica_debug_putchar(char c)
{
    mica_syscall2(MICA_SYS_DEBUG_PUTCHAR, (unsigned char)c, 0);
}
/* Write len bytes from buf to the kernel console. Returns MICA_OK, or
 * MICA_ERR_BAD_ADDRESS if part of buf is not mapped readable (*written says
 * how much was written), or MICA_ERR_INVALID_ARGUMENT if len exceeds 64 KiB. */
mica_word_t mica_debug_write(const void *buf, mica_word_t len, mica_word_t *written);
/* Timer interrupts the kernel has taken since boot. */
mica_word_t mica_debug_ticks(void);
/* Every n-th preemption point of a long kernel operation stops it, as a
 * pending interrupt would, and ends the caller's timeslice (0: off).
 * Returns the number of operations preempted since boot. */
static inline mica_word_t mica_debug_preempt(mica_word_t n)
{
    return mica_syscall2(MICA_SYS_DEBUG_PREEMPT, n, 0).value;
}
/* Stop the machine: status 0 reports success to the test harness. */
__attribute__((noreturn)) void mica_debug_halt(int status);

/*
 * The console hook: mica_printf, mica_vprintf and mica_puts hand their
 * text, a line (or 256 bytes) at a time, to a write function; by default
 * mica_debug_write, the kernel console. If the hook fails, that text goes
 * to the kernel console instead, so it is not lost. NULL restores the
 * default. (mica_serial.h sends the console to a serial driver.)
 */
typedef mica_word_t mica_console_write_fn(const char *buf, mica_word_t len);
void mica_console_set_write(mica_console_write_fn *fn);

/* Console output (through the hook above). */
int mica_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mica_vprintf(const char *fmt, va_list ap);
void mica_puts(const char *s);

/* A short name for a kernel error code ("not enough memory"), or
 * "unknown error". */
const char *mica_error_name(mica_word_t err);

/* Minimal string helpers for freestanding programs. */
int mica_strcmp(const char *a, const char *b);
int mica_strncmp(const char *a, const char *b, unsigned long n);
unsigned long mica_strlen(const char *s);

/* The boot info the program was started with (as passed to main). */
const struct mica_bootinfo *mica_bootinfo(void);

/* End the program: called by the start-up code when main returns. */
__attribute__((noreturn)) void mica_exit(int status);

/* The program's entry point, called by the start-up code. */
int main(const struct mica_bootinfo *bootinfo);

#endif
