/*
 * crasher: the PD of systems/fault.system that dereferences NULL in its
 * init(). init, its fault handler, reports it by name and stops it; the
 * other PDs of the system carry on.
 */
#include <mica_component.h>

/* Volatile, so the compiler cannot see the NULL and replace the load. */
static int *volatile target;

void init(void)
{
    mica_printf("%s: reading address 0x%lx\n", mica_pd_name(), (mica_word_t)target);
    int v = *target;
    mica_printf("%s: FAIL: still running after reading %d at NULL\n", mica_pd_name(), v);
}

void notified(mica_channel_t ch)
{
    mica_printf("%s: FAIL: notified on channel %u after its fault\n", mica_pd_name(), ch);
}
