/*
 * A small printf-style formatter shared by the kernel console and libmica.
 * Freestanding: output goes through a caller-supplied put() callback.
 *
 * Conversions: %c %s %d %i %u %x %X %p %%, with flags '-' and '0', a field
 * width (number or '*'), and length modifiers l, ll, z. %s of NULL prints
 * "(null)".
 */
#ifndef MICA_FORMAT_H
#define MICA_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_put_fn)(void *ctx, char c);

/* Returns the number of characters produced. */
int format_v(format_put_fn put, void *ctx, const char *fmt, va_list ap);

/* snprintf-like: always NUL-terminates when size > 0; returns the length
 * the full output would have had. */
int format_buf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int format_buf_v(char *buf, size_t size, const char *fmt, va_list ap);

#endif
