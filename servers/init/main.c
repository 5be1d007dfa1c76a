/*
 * init: Mica's root task. For now it greets from ring 3 and shows what the
 * kernel handed it; later it builds the system from the system description.
 */
#include <libmica.h>

static unsigned current_privilege_level(void)
{
    unsigned short cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

int main(const struct mica_bootinfo *bi)
{
    mica_printf("init: hello from the root task, running in ring %u\n", current_privilege_level());
    unsigned device = 0;
    for (unsigned i = 0; i < bi->n_untyped; i++)
        device += (bi->untyped[i].flags & MICA_UNTYPED_DEVICE) != 0;
    mica_printf("init: boot info v%u: %lu MiB RAM, %lu MiB free in %u untyped regions "
                "(+%u device), %u boot module(s)\n",
                bi->version, bi->ram_total >> 20, bi->ram_free >> 20, bi->n_untyped - device,
                device, bi->n_modules);
    mica_printf("init: CSpace of %u slots; untyped caps from slot %lu, slots %lu..%lu free\n",
                1u << bi->root_cnode_bits, bi->slot_untyped_first, bi->slot_empty_first,
                bi->slot_empty_end - 1);
    mica_printf("init: timer at %u Hz, %lu ticks so far\n", bi->timer_hz, mica_debug_ticks());
    mica_printf("init: nothing more to do yet; halting the machine\n");
    return 0;
}
