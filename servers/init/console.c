/*
 * init's console on the user-level UART driver: a prompt, a line editor
 * (echo, backspace, Enter) and a handful of commands. Every character
 * typed reaches init as a receive interrupt of the UART, delivered to the
 * driver through its notification and acknowledged there, then as the
 * answer to init's blocked Read; every character shown goes back through
 * the driver's transmit ring.
 */
#include <format.h>
#include <stdbool.h>
#include <mica_serial.h>

#include "console.h"

#define LINE_MAX  200
#define PROMPT    "mica> "

/* burst: more than the driver's transmit ring in one Write, lines
 * numbered and each a different rotation of ALPHABET, so a lost,
 * repeated or reordered piece shows. */
#define BURST_LINES 40
#define ALPHABET    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define ALPHABET_LEN (sizeof(ALPHABET) - 1)

static mica_cptr_t serial;

/* Echoed characters are gathered and written once per Read. */
static char echo[2 * LINE_MAX];
static unsigned echo_len;

static void echo_flush(void)
{
    if (echo_len)
        mica_serial_write(serial, echo, echo_len, 0);
    echo_len = 0;
}

static void echo_add(const char *s)
{
    while (*s) {
        if (echo_len == sizeof(echo))
            echo_flush();
        echo[echo_len++] = *s++;
    }
}

static void print_stats(void)
{
    struct mica_serial_stats st;
    mica_word_t err = mica_serial_stats(serial, &st);
    if (err) {
        mica_printf("init: uart statistics: error %lu\n", err);
        return;
    }
    mica_printf("init: uart: %lu interrupts, %lu receive and %lu transmit events; "
                "%lu bytes in, %lu out\n",
                st.interrupts, st.rx_events, st.tx_events, st.rx_bytes, st.tx_bytes);
    mica_printf("init: uart: %lu overruns, %lu line errors, reception paused %lu times; "
                "writers blocked %lu times, readers %lu times\n",
                st.overruns, st.line_errors, st.rx_paused, st.writers_blocked,
                st.readers_blocked);
}

static void burst(void)
{
    static char text[BURST_LINES * (ALPHABET_LEN + 24)];
    unsigned n = 0;
    for (unsigned i = 1; i <= BURST_LINES; i++) {
        n += (unsigned)format_buf(text + n, sizeof(text) - n, "init: burst %02u/%u ", i,
                                  BURST_LINES);
        for (unsigned k = 0; k < ALPHABET_LEN; k++)
            text[n++] = ALPHABET[(i + k) % ALPHABET_LEN];
        text[n++] = '\r';
        text[n++] = '\n';
    }
    mica_word_t written, err = mica_serial_write(serial, text, n, &written);
    if (err)
        mica_printf("init: burst: write failed after %lu of %u bytes: error %lu\n", written, n,
                    err);
    else
        mica_printf("init: burst: %u bytes in one write\n", n);
    print_stats();
}

static __attribute__((noreturn)) void halt(int status)
{
    mica_printf("init: halting the machine\n");
    mica_serial_flush(serial); /* everything out before QEMU stops */
    mica_debug_halt(status);
}

static void run(struct init_env *env, const char *line, unsigned len)
{
    if (!len)
        return;
    if (!mica_strcmp(line, "help")) {
        mica_printf("init: commands: help, stats (uart driver counters), pci (PCI devices), "
                    "burst (%u lines in one write), check (bad requests to the driver), halt; "
                    "anything else is repeated back\n",
                    BURST_LINES);
    } else if (!mica_strcmp(line, "stats")) {
        print_stats();
    } else if (!mica_strcmp(line, "pci")) {
        if (env->have_pci)
            print_pci(env);
        else
            mica_printf("init: no PCI devices were scanned\n");
    } else if (!mica_strcmp(line, "burst")) {
        burst();
    } else if (!mica_strcmp(line, "check")) {
        serial_check(serial);
    } else if (!mica_strcmp(line, "halt")) {
        halt(0);
    } else {
        mica_printf("init: you typed \"%s\" (%u characters)\n", line, len);
    }
}

void console_run(struct init_env *env, mica_cptr_t ep)
{
    char line[LINE_MAX + 1];
    unsigned len = 0;
    bool after_cr = false;
    serial = ep;
    mica_printf("init: type 'help' for commands\n");
    echo_add(PROMPT);
    for (;;) {
        echo_flush();
        uint8_t in[64];
        mica_word_t got, lost;
        mica_word_t err = mica_serial_read(serial, in, sizeof(in), 0, &got, &lost);
        if (err) {
            mica_serial_console(0);
            mica_printf("init: console read failed: error %lu\n", err);
            mica_printf("init: halting the machine\n");
            mica_debug_halt(1);
        }
        if (lost) {
            echo_flush();
            mica_printf("\ninit: %lu typed characters were lost\n", lost);
        }
        for (mica_word_t i = 0; i < got; i++) {
            char c = (char)in[i];
            if (c == '\n' && after_cr) { /* CR LF is one Enter */
                after_cr = false;
                continue;
            }
            after_cr = c == '\r';
            if (c == '\r' || c == '\n') {
                echo_add("\r\n");
                echo_flush();
                line[len] = '\0';
                run(env, line, len);
                len = 0;
                echo_add(PROMPT);
            } else if (c == 0x7f || c == '\b') {
                if (len) {
                    len--;
                    echo_add("\b \b");
                }
            } else if (c >= ' ' && c < 0x7f && len < LINE_MAX) {
                line[len++] = c;
                char s[2] = { c, '\0' };
                echo_add(s);
            }
        }
    }
}
