/*
 * quitter: a PD of systems/fault.system written as a raw program (its own
 * main, no component runtime) whose main returns. A PD must not stop the
 * machine: mica_exit prints "<pd>: main returned N; stopping" and
 * suspends only this PD, and the rest of the system carries on.
 */
#include <libmica.h>
#include <mica_pd.h>

int main(const struct mica_bootinfo *bootinfo)
{
    (void)bootinfo;
    const struct mica_pd_info *pd = mica_pd();
    if (!pd) {
        mica_printf("quitter: FAIL: %s\n", mica_pd_problem());
        return 1;
    }
    mica_printf("%s: a program with its own main (priority %u, %u resources); returning 0\n",
                pd->name, pd->priority, pd->n_resources);
    return 0;
}
