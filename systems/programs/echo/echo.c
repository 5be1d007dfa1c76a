/*
 * echo: the client of systems/serial.system. It reads what is typed from
 * the uart driver (mica_serial.h) through the end of the driver's endpoint
 * the description calls "serial", shows each character as it comes, and
 * at the end of a line answers `echo: <the line>`. The line `halt` stops
 * the machine.
 *
 * A program with its own main, not a component: it lives in blocking
 * Reads, each a Call the driver answers when a receive interrupt has
 * brought something.
 */
#include <mica/cap.h>
#include <mica_pd.h>
#include <mica_serial.h>

static mica_cptr_t serial;

static void line_done(const char *line)
{
    if (!mica_strcmp(line, "halt")) {
        mica_printf("echo: halting the machine\n");
        mica_serial_flush(serial); /* everything out before QEMU stops */
        mica_debug_halt(0);
    }
    mica_printf("echo: %s\n", line);
}

int main(const struct mica_bootinfo *bi)
{
    (void)bi;
    if (!mica_pd()) {
        mica_printf("echo: %s\n", mica_pd_problem());
        return 1;
    }
    const struct mica_pd_resource *r = mica_resource("serial");
    if (!r || r->kind != MICA_RES_ENDPOINT || !r->cap || !(r->flags & MICA_RIGHT_WRITE)) {
        mica_printf("echo: PD '%s' has no endpoint end 'serial' with the write right\n",
                    mica_pd_name());
        return 1;
    }
    serial = r->cap;
    /* The driver runs above us: by now it serves, or answers with why not. */
    struct mica_serial_stats st;
    mica_word_t err = mica_serial_stats(serial, &st);
    if (err) {
        mica_printf("echo: the serial driver is not serving: error %lu\n", err);
        return 1;
    }
    mica_serial_console(serial);
    mica_printf("echo: type a line and it comes back; 'halt' stops the machine\n");

    static struct mica_serial_line reader;
    mica_serial_line_init(&reader, serial);
    for (;;) {
        mica_word_t lost;
        if ((err = mica_serial_getline(&reader, 0, &lost))) {
            mica_serial_console(0);
            mica_printf("echo: read failed: error %lu\n", err);
            return 1;
        }
        if (lost)
            mica_printf("echo: %lu typed characters were lost\n", lost);
        line_done(reader.line);
    }
}
