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
                                      mica_resource_kind_name(r->kind), r->id);
        else if (r->kind == MICA_RES_IRQ)
            n += (unsigned)format_buf(line + n, sizeof(line) - n, "%sirq '%s' %u", sep, r->name,
                                      r->id);
        else
            n += (unsigned)format_buf(line + n, sizeof(line) - n, "%s%s '%s'", sep,
                                      mica_resource_kind_name(r->kind), r->name);
    }
    mica_printf("%s\n", line);
}

#endif
