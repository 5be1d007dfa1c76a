/*
 * console: the `mica> ` prompt, a program of a system
 * (systems/default.system) and a client of the uart driver through the
 * end of its endpoint the description calls "serial" (mica_serial.h). It
 * shows a prompt, edits a line (echo, backspace, Enter) and runs a handful
 * of commands. Every character typed reaches it as a receive interrupt of
 * the UART, delivered to the driver through its notification and
 * acknowledged there, then as the answer to the console's blocked Read;
 * every character shown goes back through the driver's transmit ring.
 *
 * A program with its own main rather than a component: it spends its life
 * blocked in Reads (Calls to the driver), not waiting for events.
 *
 * The list of PCI devices, which init's console used to show on request,
 * is printed by init at boot: only init reads configuration space.
 */
#include <format.h>
#include <mica/cap.h>
#include <mica_pd.h>
#include <mica_serial.h>

#include "console.h"

#define PROMPT    "mica> "

/* burst: more than the driver's transmit ring in one Write, lines
 * numbered and each a different rotation of ALPHABET, so a lost,
 * repeated or reordered piece shows. */
#define BURST_LINES  40
#define BURST_PREFIX "console: burst "
#define ALPHABET     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define ALPHABET_LEN (sizeof(ALPHABET) - 1)
/* prefix, "NN/NN ", the rotation, CR LF */
#define BURST_LINE_LEN (sizeof(BURST_PREFIX) - 1 + 6 + ALPHABET_LEN + 2)

static mica_cptr_t serial;

static void print_stats(void)
{
    struct mica_serial_stats st;
    mica_word_t err = mica_serial_stats(serial, &st);
    if (err) {
        mica_printf("console: uart statistics: error %lu\n", err);
        return;
    }
    mica_printf("console: uart: %lu interrupts, %lu receive and %lu transmit events; "
                "%lu bytes in, %lu out\n",
                st.interrupts, st.rx_events, st.tx_events, st.rx_bytes, st.tx_bytes);
    mica_printf("console: uart: %lu overruns, %lu line errors, reception paused %lu times; "
                "writers blocked %lu times, readers %lu times\n",
                st.overruns, st.line_errors, st.rx_paused, st.writers_blocked,
                st.readers_blocked);
}

static void burst(void)
{
    static char text[BURST_LINES * BURST_LINE_LEN + 1]; /* + format_buf's NUL */
    unsigned n = 0;
    for (unsigned i = 1; i <= BURST_LINES; i++) {
        n += (unsigned)format_buf(text + n, sizeof(text) - n, BURST_PREFIX "%02u/%u ", i,
                                  BURST_LINES);
        for (unsigned k = 0; k < ALPHABET_LEN; k++)
            text[n++] = ALPHABET[(i + k) % ALPHABET_LEN];
        text[n++] = '\r';
        text[n++] = '\n';
    }
    mica_word_t written, err = mica_serial_write(serial, text, n, &written);
    if (err)
        mica_printf("console: burst: write failed after %lu of %u bytes: error %lu\n", written,
                    n, err);
    else
        mica_printf("console: burst: %u bytes in one write\n", n);
    print_stats();
}

static __attribute__((noreturn)) void halt(int status)
{
    mica_printf("console: halting the machine\n");
    mica_serial_flush(serial); /* everything out before QEMU stops */
    mica_debug_halt(status);
}

static void run(const char *line, unsigned len)
{
    if (!len)
        return;
    if (!mica_strcmp(line, "help")) {
        mica_printf("console: commands: help, stats (uart driver counters), burst (%u lines in "
                    "one write), check (bad requests to the driver), halt; anything else is "
                    "repeated back. (The PCI devices are listed by init at boot.)\n",
                    BURST_LINES);
    } else if (!mica_strcmp(line, "stats")) {
        print_stats();
    } else if (!mica_strcmp(line, "burst")) {
        burst();
    } else if (!mica_strcmp(line, "check")) {
        serial_check(serial);
    } else if (!mica_strcmp(line, "halt")) {
        halt(0);
    } else {
        mica_printf("console: you typed \"%s\" (%u characters)\n", line, len);
    }
}

/* The serial driver's endpoint, if the description gives one that answers. */
static mica_cptr_t find_serial(void)
{
    if (!mica_pd()) {
        mica_printf("console: %s\n", mica_pd_problem());
        return 0;
    }
    const struct mica_pd_resource *r = mica_resource(CONSOLE_RES_SERIAL);
    if (!r || r->kind != MICA_RES_ENDPOINT || !r->cap) {
        mica_printf("console: PD '%s' has no endpoint end '%s' to a serial driver\n",
                    mica_pd_name(), CONSOLE_RES_SERIAL);
        return 0;
    }
    if (!(r->flags & MICA_RIGHT_WRITE)) {
        mica_printf("console: endpoint end '%s' has no write right (rights 0x%x)\n",
                    CONSOLE_RES_SERIAL, r->flags);
        return 0;
    }
    /* The driver runs above us: by now it has set up, or given up. */
    struct mica_serial_stats st;
    mica_word_t err = mica_serial_stats(r->cap, &st);
    if (err) {
        mica_printf("console: the serial driver is not serving: error %lu\n", err);
        return 0;
    }
    return r->cap;
}

int main(const struct mica_bootinfo *bi)
{
    (void)bi;
    serial = find_serial();
    if (!serial) {
        mica_printf("console: no console\n");
        return 1;
    }
    mica_serial_console(serial);
    mica_printf("console: type 'help' for commands\n");
    static struct mica_serial_line reader;
    mica_serial_line_init(&reader, serial);
    for (;;) {
        mica_word_t lost;
        mica_word_t err = mica_serial_getline(&reader, PROMPT, &lost);
        if (err) {
            mica_serial_console(0);
            mica_printf("console: read failed: error %lu; no console any more\n", err);
            return 1;
        }
        if (lost)
            mica_printf("console: %lu typed characters were lost\n", lost);
        run(reader.line, reader.len);
    }
}
