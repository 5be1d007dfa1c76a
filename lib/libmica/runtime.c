/* libmica start-up, exit and console output. */
#include <format.h>
#include <libmica.h>
#include <mica_invoke.h>
#include <mica_pd.h>
#include <mica_serial.h>

void mica_start(const struct mica_bootinfo *bootinfo);

static const struct mica_bootinfo *boot_info;

const struct mica_bootinfo *mica_bootinfo(void)
{
    return boot_info;
}

void mica_start(const struct mica_bootinfo *bootinfo)
{
    boot_info = bootinfo;
    mica_ipc = (struct mica_ipc_buffer *)bootinfo->ipc_buffer;
    mica_exit(main(bootinfo));
}

void mica_exit(int status)
{
    mica_pd_exit(status); /* a PD stops only itself (mica_pd.h); returns in a root task */
    mica_debug_halt(status);
}

mica_word_t mica_debug_write(const void *buf, mica_word_t len, mica_word_t *written)
{
    struct mica_sysret r = mica_syscall2(MICA_SYS_DEBUG_WRITE, (mica_word_t)buf, len);
    if (written)
        *written = r.value;
    return r.status;
}

mica_word_t mica_debug_ticks(void)
{
    return mica_syscall2(MICA_SYS_DEBUG_TICKS, 0, 0).value;
}

void mica_debug_halt(int status)
{
    mica_syscall2(MICA_SYS_DEBUG_HALT, (mica_word_t)(long)status, 0);
    /* Release kernel: no halt call. Nothing else to do but give way forever. */
    for (;;)
        mica_yield();
}

/*
 * The console: the kernel's (mica_debug_write) until a program hands its
 * output to a driver with mica_console_set_write (libmica.h).
 */
static mica_console_write_fn *console_hook;

void mica_console_set_write(mica_console_write_fn *fn)
{
    console_hook = fn;
}

static void console_write(const char *buf, mica_word_t len)
{
    /* A failed hook (driver gone) must not swallow the text: the kernel
     * console still works, so say it there. */
    if (!console_hook || console_hook(buf, len) != MICA_OK)
        mica_debug_write(buf, len, 0);
}

/* Output is gathered in a line buffer so each line is one write. */
struct line {
    char buf[256];
    unsigned len;
};

static void flush(struct line *l)
{
    if (l->len)
        console_write(l->buf, l->len);
    l->len = 0;
}

static void put(void *ctx, char c)
{
    struct line *l = ctx;
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == sizeof(l->buf))
        flush(l);
}

int mica_vprintf(const char *fmt, va_list ap)
{
    struct line l = { .len = 0 };
    int n = format_v(put, &l, fmt, ap);
    flush(&l);
    return n;
}

int mica_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = mica_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void mica_puts(const char *s)
{
    mica_printf("%s\n", s);
}

unsigned long mica_strlen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

int mica_strncmp(const char *a, const char *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        if (a[i] != b[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
        if (!a[i])
            return 0;
    }
    return 0;
}

int mica_strcmp(const char *a, const char *b)
{
    return mica_strncmp(a, b, (unsigned long)-1);
}
