/* Kernel console: formatted output to the arch console device. */
#include <arch.h>
#include <console.h>
#include <format.h>

void console_init(void)
{
}

void kputc(char c)
{
    arch_console_putc(c);
}

void kputs(const char *s)
{
    while (*s)
        kputc(*s++);
}

static void put(void *ctx, char c)
{
    (void)ctx;
    kputc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    return format_v(put, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
