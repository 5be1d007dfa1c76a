/*
 * printf-style formatting (see format.h). Kept deliberately small: the kernel
 * prints with it, so it must never fault on any format/argument combination
 * the compiler accepts.
 */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

#define MAX_WIDTH 1024

struct spec {
    bool left;
    char pad;
    int width;
    int length; /* 0 = int, 1 = long, 2 = long long, 3 = size_t */
};

struct out {
    format_put_fn put;
    void *ctx;
    int count;
};

static void emit(struct out *o, char c)
{
    o->put(o->ctx, c);
    o->count++;
}

static void emit_padded(struct out *o, const struct spec *s, const char *str, int len,
                        const char *prefix)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int fill = s->width > len + plen ? s->width - len - plen : 0;
    if (!s->left && s->pad == ' ')
        for (; fill > 0; fill--)
            emit(o, ' ');
    for (int i = 0; i < plen; i++)
        emit(o, prefix[i]);
    if (!s->left)
        for (; fill > 0; fill--)
            emit(o, '0');
    for (int i = 0; i < len; i++)
        emit(o, str[i]);
    for (; fill > 0; fill--)
        emit(o, ' ');
}

static void emit_number(struct out *o, const struct spec *s, uint64_t v, unsigned base,
                        bool upper, bool negative, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = sizeof(tmp);
    do {
        tmp[--n] = digits[v % base];
        v /= base;
    } while (v);
    emit_padded(o, s, tmp + n, (int)sizeof(tmp) - n, negative ? "-" : prefix);
}

static uint64_t fetch_unsigned(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 0: return va_arg(*ap, unsigned int);
    case 1: return va_arg(*ap, unsigned long);
    case 2: return va_arg(*ap, unsigned long long);
    default: return va_arg(*ap, size_t);
    }
}

static int64_t fetch_signed(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 0: return va_arg(*ap, int);
    case 1: return va_arg(*ap, long);
    case 2: return va_arg(*ap, long long);
    default: return (int64_t)va_arg(*ap, size_t);
    }
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .pad = ' ' };
    for (;; f++) {
        if (*f == '-')
            s->left = true;
        else if (*f == '0')
            s->pad = '0';
        else
            break;
    }
    if (*f == '*') {
        s->width = va_arg(*ap, int);
        f++;
    }
    /* Consume every digit but saturate, so a huge width stays harmless. */
    for (; *f >= '0' && *f <= '9'; f++)
        s->width = s->width >= MAX_WIDTH ? MAX_WIDTH : s->width * 10 + (*f - '0');
    if (s->width > MAX_WIDTH || s->width < 0)
        s->width = s->width < 0 ? 0 : MAX_WIDTH;
    while (*f == 'l' && s->length < 2) {
        s->length++;
        f++;
    }
    if (*f == 'z') {
        s->length = 3;
        f++;
    }
    return f;
}

static void convert(struct out *o, const struct spec *s, char c, va_list *ap)
{
    switch (c) {
    case 'c': {
        char ch = (char)va_arg(*ap, int);
        emit_padded(o, s, &ch, 1, "");
        break;
    }
    case 's': {
        const char *str = va_arg(*ap, const char *);
        int len = 0;
        if (!str)
            str = "(null)";
        while (str[len])
            len++;
        emit_padded(o, s, str, len, "");
        break;
    }
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(s, ap);
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        emit_number(o, s, mag, 10, false, v < 0, "");
        break;
    }
    case 'u': emit_number(o, s, fetch_unsigned(s, ap), 10, false, false, ""); break;
    case 'x': emit_number(o, s, fetch_unsigned(s, ap), 16, false, false, ""); break;
    case 'X': emit_number(o, s, fetch_unsigned(s, ap), 16, true, false, ""); break;
    case 'p': {
        struct spec ps = *s;
        emit_number(o, &ps, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, false, false, "0x");
        break;
    }
    case '%': emit(o, '%'); break;
    default: /* unknown conversion: show it literally */
        emit(o, '%');
        if (c)
            emit(o, c);
        break;
    }
}

int format_v(format_put_fn put, void *ctx, const char *fmt, va_list ap)
{
    struct out o = { put, ctx, 0 };
    va_list args;
    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            emit(&o, *fmt++);
            continue;
        }
        struct spec s;
        fmt = parse_spec(fmt + 1, &s, &args);
        convert(&o, &s, *fmt, &args);
        if (*fmt)
            fmt++;
    }
    va_end(args);
    return o.count;
}

struct buf_ctx {
    char *buf;
    size_t size;
    size_t len;
};

static void buf_put(void *ctx, char c)
{
    struct buf_ctx *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int format_buf_v(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_ctx b = { buf, size, 0 };
    int n = format_v(buf_put, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int format_buf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_buf_v(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
