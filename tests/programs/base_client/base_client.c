/*
 * base_client: the client of tests/systems/base.system, a program with
 * its own main (no component runtime), so the base image holds two
 * different programs. It lists its resources, calls the server once,
 * notifies it, and then stops the machine: the server's IRQs keep the
 * kernel from ever finding the system idle, so the test needs an end.
 */
#include <libmica.h>
#include <mica_pd.h>

#include "../base/resources.h"

#define SERVER_CHANNEL 0
#define ADD_ONE 1

int main(const struct mica_bootinfo *bootinfo)
{
    (void)bootinfo;
    if (!mica_pd()) {
        mica_printf("base_client: FAIL: %s\n", mica_pd_problem());
        return 1;
    }
    const char *me = mica_pd_name();
    print_resources();
    mica_mr_set(0, 41);
    mica_msginfo_t reply = mica_ppcall(SERVER_CHANNEL, mica_msginfo(ADD_ONE, 1));
    if (mica_msginfo_label(reply) != 0 || mica_mr_get(0) != 42) {
        mica_printf("%s: FAIL: the server answered label %lu, MR0 %lu (expected 0, 42)\n", me,
                    mica_msginfo_label(reply), mica_mr_get(0));
        return 1;
    }
    mica_printf("%s: the server answered 41 + 1 = 42\n", me);
    mica_word_t err = mica_notify(SERVER_CHANNEL);
    if (err) {
        mica_printf("%s: FAIL: notifying the server: error %lu\n", me, err);
        return 1;
    }
    /* The server has the higher priority: it has run notified() by now. */
    mica_printf("%s: done; halting the machine\n", me);
    mica_debug_halt(0);
}
