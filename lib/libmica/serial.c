/* libmica: serial protocol client stubs and the console on a serial driver (mica_serial.h). */
#include <mica_ipc.h>
#include <mica_serial.h>

void mica_serial_pack(mica_word_t *mr, const uint8_t *bytes, mica_word_t n)
{
    for (mica_word_t i = 0; i < (n + 7) / 8; i++)
        mr[i] = 0;
    for (mica_word_t i = 0; i < n; i++)
        mr[i / 8] |= (mica_word_t)bytes[i] << (8 * (i % 8));
}

void mica_serial_unpack(uint8_t *bytes, const mica_word_t *mr, mica_word_t n)
{
    for (mica_word_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(mr[i / 8] >> (8 * (i % 8)));
}

/* Registers 0-3 travel in CPU registers, the rest in the IPC buffer. */
static struct mica_msg call(mica_cptr_t ep, mica_word_t label, const mica_word_t *w,
                            unsigned length)
{
    for (unsigned i = MICA_MSG_REGS_IN_CPU; i < length; i++)
        mica_ipc->mr[i] = w[i];
    return mica_call(ep, mica_tag(label, length, 0), length > 0 ? w[0] : 0,
                     length > 1 ? w[1] : 0, length > 2 ? w[2] : 0, length > 3 ? w[3] : 0);
}

/* The reply's result register i, or 0 if the reply is shorter (registers
 * it did not carry still hold what this thread sent). */
static mica_word_t reply_word(const struct mica_msg *m, unsigned i)
{
    if (m->status || i >= mica_tag_length(m->tag))
        return 0;
    return i < MICA_MSG_REGS_IN_CPU ? m->mr[i] : mica_ipc->mr[i];
}

/* Status of a request: the Call's own, else the label of the reply. */
static mica_word_t status_of(const struct mica_msg *m)
{
    return m->status ? m->status : mica_tag_label(m->tag);
}

mica_word_t mica_serial_write(mica_cptr_t ep, const void *buf, mica_word_t len,
                              mica_word_t *written)
{
    const uint8_t *p = buf;
    mica_word_t done = 0, err = MICA_OK;
    mica_word_t w[MICA_MSG_MAX_LENGTH];
    while (done < len) {
        mica_word_t n = len - done < MICA_SERIAL_WRITE_MAX ? len - done : MICA_SERIAL_WRITE_MAX;
        w[0] = n;
        mica_serial_pack(&w[1], p + done, n);
        struct mica_msg m = call(ep, MICA_SERIAL_WRITE, w, 1 + (unsigned)((n + 7) / 8));
        /* MICA_OK means all n were taken. Otherwise MR0 says how many; never
         * more than asked, so a confused reply cannot run us past the end. */
        mica_word_t taken = reply_word(&m, 0);
        err = status_of(&m);
        done += err == MICA_OK ? n : taken <= n ? taken : n;
        if (err != MICA_ERR_WOULD_BLOCK && err != MICA_OK)
            break;
        if (err == MICA_ERR_WOULD_BLOCK)
            mica_yield(); /* the driver holds its maximum of blocked writers: let them drain */
        err = MICA_OK;
    }
    if (written)
        *written = done;
    return err;
}

mica_word_t mica_serial_read(mica_cptr_t ep, void *buf, mica_word_t max, unsigned flags,
                             mica_word_t *got, mica_word_t *lost)
{
    mica_word_t w[2] = { max, flags };
    struct mica_msg m = call(ep, MICA_SERIAL_READ, w, 2);
    mica_word_t err = status_of(&m), n = 0;
    if (!err) {
        /* No more than asked for, nor than the reply carries. */
        n = reply_word(&m, 0) <= max ? reply_word(&m, 0) : max;
        unsigned length = mica_tag_length(m.tag);
        if (n > (length > 2 ? length - 2 : 0) * 8ull)
            n = (length > 2 ? length - 2 : 0) * 8ull;
        mica_word_t words[MICA_MSG_MAX_LENGTH];
        for (unsigned i = 0; i < (n + 7) / 8; i++)
            words[i] = reply_word(&m, 2 + i);
        mica_serial_unpack(buf, words, n);
    }
    if (got)
        *got = n;
    if (lost)
        *lost = err ? 0 : reply_word(&m, 1);
    return err;
}

mica_word_t mica_serial_flush(mica_cptr_t ep)
{
    struct mica_msg m = call(ep, MICA_SERIAL_FLUSH, 0, 0);
    return status_of(&m);
}

mica_word_t mica_serial_stats(mica_cptr_t ep, struct mica_serial_stats *stats)
{
    struct mica_msg m = call(ep, MICA_SERIAL_STATS, 0, 0);
    mica_word_t err = status_of(&m);
    mica_word_t *out = (mica_word_t *)stats;
    for (unsigned i = 0; i < MICA_SERIAL_STATS_WORDS; i++)
        out[i] = err ? 0 : reply_word(&m, i); /* fields it did not send read 0 */
    return err;
}

/* ---- the console on a serial driver ---- */

static mica_cptr_t console_ep;

/* The kernel console turns "\n" into "\r\n" for terminals; so does this one. */
static mica_word_t console_write(const char *buf, mica_word_t len)
{
    char out[512];
    mica_word_t n = 0;
    for (mica_word_t i = 0; i < len; i++) {
        if (n + 2 > sizeof(out)) {
            mica_word_t err = mica_serial_write(console_ep, out, n, 0);
            if (err)
                return err;
            n = 0;
        }
        if (buf[i] == '\n')
            out[n++] = '\r';
        out[n++] = buf[i];
    }
    return n ? mica_serial_write(console_ep, out, n, 0) : MICA_OK;
}

void mica_serial_console(mica_cptr_t ep)
{
    console_ep = ep;
    mica_console_set_write(ep ? console_write : 0);
}

/* ---------------------------------------------------------- line reader */

void mica_serial_line_init(struct mica_serial_line *r, mica_cptr_t ep)
{
    r->ep = ep;
    r->len = r->pos = r->n = r->echo_len = 0;
    r->after_cr = 0;
    r->line[0] = '\0';
}

static void echo_flush(struct mica_serial_line *r)
{
    if (r->echo_len)
        mica_serial_write(r->ep, r->echo, r->echo_len, 0);
    r->echo_len = 0;
}

static void echo_add(struct mica_serial_line *r, const char *s)
{
    for (; *s; s++) {
        if (r->echo_len == sizeof(r->echo))
            echo_flush(r);
        r->echo[r->echo_len++] = *s;
    }
}

/* Take one typed character; true when it ended the line. */
static int take(struct mica_serial_line *r, char c)
{
    if (c == '\n' && r->after_cr) { /* CR LF is one Enter */
        r->after_cr = 0;
        return 0;
    }
    r->after_cr = c == '\r';
    if (c == '\r' || c == '\n') {
        echo_add(r, "\r\n");
        r->line[r->len] = '\0';
        return 1;
    }
    if (c == 0x7f || c == '\b') {
        if (r->len) {
            r->len--;
            echo_add(r, "\b \b");
        }
    } else if (c >= ' ' && c < 0x7f && r->len < MICA_SERIAL_LINE_MAX) {
        r->line[r->len++] = c;
        char s[2] = { c, '\0' };
        echo_add(r, s);
    }
    return 0;
}

mica_word_t mica_serial_getline(struct mica_serial_line *r, const char *prompt,
                                mica_word_t *lost)
{
    if (lost)
        *lost = 0;
    r->len = 0;
    if (prompt)
        echo_add(r, prompt);
    for (;;) {
        while (r->pos < r->n)
            if (take(r, (char)r->in[r->pos++])) {
                echo_flush(r);
                return MICA_OK;
            }
        echo_flush(r);
        mica_word_t got, dropped;
        mica_word_t err = mica_serial_read(r->ep, r->in, sizeof(r->in), 0, &got, &dropped);
        if (err)
            return err;
        if (lost)
            *lost += dropped;
        r->pos = 0;
        r->n = (unsigned)got;
    }
}
