/*
 * The console's `check` command: malformed and edge-case requests to the
 * uart driver, each of which must get the error mica_serial.h promises,
 * and then a well-formed round trip showing the driver still serves.
 * It talks the protocol by hand (mica_call) so it can get it wrong on
 * purpose.
 */
#include <format.h>
#include <mica_ipc.h>
#include <mica_serial.h>

#include "console.h"

struct probe {
    const char *what;
    mica_word_t label;
    unsigned length;          /* message registers sent */
    mica_word_t mr0, mr1;     /* the rest are zero */
    mica_word_t want;         /* the reply's label */
};

static const struct probe probes[] = {
    { "Write of 0 bytes", MICA_SERIAL_WRITE, 1, 0, 0, MICA_ERR_RANGE },
    { "Write of 953 bytes", MICA_SERIAL_WRITE, 1, MICA_SERIAL_WRITE_MAX + 1, 0, MICA_ERR_RANGE },
    { "Write without a count", MICA_SERIAL_WRITE, 0, 0, 0, MICA_ERR_RANGE },
    { "Write of 20 bytes carrying 8", MICA_SERIAL_WRITE, 2, 20, 0, MICA_ERR_TRUNCATED },
    { "Read of 0 bytes", MICA_SERIAL_READ, 2, 0, 0, MICA_ERR_RANGE },
    { "Read of 945 bytes", MICA_SERIAL_READ, 2, MICA_SERIAL_READ_MAX + 1, 0, MICA_ERR_RANGE },
    { "Read with unknown flags", MICA_SERIAL_READ, 2, 1, 0x2, MICA_ERR_INVALID_ARGUMENT },
    { "non-blocking Read with nothing typed", MICA_SERIAL_READ, 2, 1, MICA_SERIAL_NONBLOCK,
      MICA_ERR_WOULD_BLOCK },
    { "unknown request", 0x5399, 0, 0, 0, MICA_ERR_ILLEGAL_OPERATION },
    { "kernel invocation label", 1, 0, 0, 0, MICA_ERR_ILLEGAL_OPERATION },
};

/* The round trip: one message of the largest size, 14 lines of 68 bytes. */
#define CHECK_LINES 14
#define CHECK_LINE  68
_Static_assert(MICA_SERIAL_WRITE_MAX == CHECK_LINES * CHECK_LINE,
               "the check's lines fill one message");

void serial_check(mica_cptr_t ep)
{
    unsigned n = sizeof(probes) / sizeof(probes[0]), good = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct probe *p = &probes[i];
        struct mica_msg m = mica_call(ep, mica_tag(p->label, p->length, 0), p->mr0, p->mr1, 0, 0);
        mica_word_t got = m.status ? m.status : mica_tag_label(m.tag);
        if (got == p->want)
            good++;
        else
            mica_printf("console: check: %s: answer %lu, expected %lu\n", p->what, got, p->want);
    }
    static char full[MICA_SERIAL_WRITE_MAX];
    for (unsigned line = 0; line < CHECK_LINES; line++) {
        char *l = full + CHECK_LINE * line;
        unsigned k = (unsigned)format_buf(l, CHECK_LINE - 2, "console: check %02u/%u ", line + 1,
                                          CHECK_LINES);
        for (; k < CHECK_LINE - 2; k++) /* the dots overwrite format_buf's NUL */
            l[k] = '.';
        l[CHECK_LINE - 2] = '\r';
        l[CHECK_LINE - 1] = '\n';
    }
    mica_word_t written, err = mica_serial_write(ep, full, sizeof(full), &written);
    struct mica_serial_stats st;
    if (!err)
        err = mica_serial_stats(ep, &st);
    if (err)
        mica_printf("console: check: the driver stopped serving: error %lu\n", err);
    mica_printf("console: check: %u of %u bad requests refused as documented; a %lu-byte write "
                "%s\n", good, n, written, err ? "failed" : "went through");
}
