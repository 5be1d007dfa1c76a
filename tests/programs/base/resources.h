/*
 * One line listing every resource record of the PD's info, in init's
 * order: "<pd>: N resources: memory 'shared', channel 0, ...". Shared by
 * the two programs of tests/systems/base.system.
 */
#ifndef BASE_RESOURCES_H
#define BASE_RESOURCES_H

#include <format.h>
#include <libmica.h>
#include <mica_pd.h>

static inline const char *resource_kind(unsigned kind)
{
    static const char *const names[] = {
        [MICA_RES_MEMORY] = "memory",  [MICA_RES_CHANNEL] = "channel",
        [MICA_RES_PPC] = "ppc",        [MICA_RES_IRQ] = "irq",
        [MICA_RES_IOPORT] = "ioport",  [MICA_RES_DEVICE] = "device",
        [MICA_RES_BAR] = "bar",        [MICA_RES_ENDPOINT] = "endpoint",
        [MICA_RES_UNTYPED] = "untyped",
    };
    return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}

/* Channels and PPCs go by id, the others by name; a named irq by both. */
static inline void print_resources(void)
{
    const struct mica_pd_info *pd = mica_pd();
    char line[1024];
    unsigned n = (unsigned)format_buf(line, sizeof(line), "%s: %u resources:", pd->name,
                                      pd->n_resources);
    for (const struct mica_pd_resource *r = mica_resource_next(0, 0); r && n < sizeof(line);
         r = mica_resource_next(r, 0)) {
        const char *sep = r == &pd->res[0] ? " " : ", ";
        if (r->kind == MICA_RES_CHANNEL || r->kind == MICA_RES_PPC)
            n += (unsigned)format_buf(line + n, sizeof(line) - n, "%s%s %u", sep,
                                      resource_kind(r->kind), r->id);
        else if (r->kind == MICA_RES_IRQ)
            n += (unsigned)format_buf(line + n, sizeof(line) - n, "%sirq '%s' %u", sep, r->name,
                                      r->id);
        else
            n += (unsigned)format_buf(line + n, sizeof(line) - n, "%s%s '%s'", sep,
                                      resource_kind(r->kind), r->name);
    }
    mica_printf("%s\n", line);
}

#endif
