/*
 * never: the program of every PD in the tests/systems/build-*.system
 * descriptions. Each of those systems is a valid description that init
 * must refuse to build on the test machine (a PCI function that is not
 * there, an interrupt the kernel refuses, more memory than there is, ...),
 * so init starts none of their PDs and this program never runs. If it
 * does, it says so, and the boot case (which rejects "FAIL") fails.
 */
#include <mica_component.h>

void init(void)
{
    mica_printf("%s: FAIL: started, but init should have refused to build system '%s'\n",
                mica_pd_name(), mica_pd()->system);
}

void notified(mica_channel_t ch)
{
    mica_printf("%s: FAIL: notified on channel %u\n", mica_pd_name(), ch);
}
