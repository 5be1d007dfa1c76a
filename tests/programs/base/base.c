/*
 * base: the server of tests/systems/base.system, the valid system that
 * tools/badimage damages in every way init must refuse. Booted as it is
 * (tests/boot/init-image-base.case) it shows that the undamaged image is
 * accepted and built: it lists every resource init gave it (one of each
 * kind a PD can have), answers the client's protected call and reports
 * the client's notification.
 */
#include <mica_component.h>

#include "resources.h"

#define CLIENT_CHANNEL 0
#define ADD_ONE 1

void init(void)
{
    print_resources();
}

void notified(mica_channel_t ch)
{
    mica_printf("%s: notified on channel %u%s\n", mica_pd_name(), ch,
                ch == CLIENT_CHANNEL ? " (the client)" : " FAIL: unexpected");
}

mica_msginfo_t protected(mica_channel_t ch, mica_msginfo_t msg)
{
    if (ch != CLIENT_CHANNEL || mica_msginfo_label(msg) != ADD_ONE ||
        mica_msginfo_count(msg) != 1) {
        mica_printf("%s: FAIL: call on channel %u, label %lu\n", mica_pd_name(), ch,
                    mica_msginfo_label(msg));
        return mica_msginfo(MICA_ERR_NOT_SUPPORTED, 0);
    }
    mica_mr_set(0, mica_mr_get(0) + 1);
    return mica_msginfo(0, 1);
}
