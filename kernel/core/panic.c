/* Fatal errors: report and stop the machine. */
#include <arch.h>
#include <console.h>
#include <mica/debug.h>
#include <panic.h>

void panic(const char *fmt, ...)
{
    va_list ap;
    kputs("\n" MICA_PANIC_TAG ": ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kputs("\n");
    machine_halt(MICA_EXIT_PANIC);
}

void machine_halt(unsigned code)
{
    arch_machine_halt(code);
}
