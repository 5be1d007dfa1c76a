/*
 * What a PD is told about itself: its PD info (include/mica/system.h), read
 * by lib/libmica/pd.c, and its boot info (include/mica/bootinfo.h), the
 * same page the root task gets, with pd_info pointing at the PD info.
 *
 * The PD info is assembled here while its PD is built (a record per
 * resource, in the order they are made: maps, channels, devices, BARs,
 * IRQs, I/O ports, endpoints, untyped), then copied into fresh frames
 * mapped read-only at MICA_PD_INFO; the boot info likewise at
 * MICA_ROOT_BOOTINFO. Both are written last, when the PD's free slots are
 * known.
 */
#include <mica_invoke.h>

#include "init.h"

static struct mica_pd_info info;
static struct mica_bootinfo boot;

static void copy_name(char *dst, const char *src)
{
    unsigned i = 0;
    for (; i < MICA_SYS_NAME_MAX - 1 && src[i]; i++)
        dst[i] = src[i];
    for (; i < MICA_SYS_NAME_MAX; i++)
        dst[i] = '\0';
}

void pdinfo_begin(const struct pd *p)
{
    memset(&info, 0, sizeof(info));
    info.magic = MICA_PD_INFO_MAGIC;
    info.version = MICA_PD_INFO_VERSION;
    info.size = sizeof(info);
    copy_name(info.name, p->name);
    copy_name(info.system, img.h->name);
    info.priority = p->sys->priority;
    info.notification = INIT_PD_SLOT_NOTIFICATION;
    info.endpoint = p->ep ? INIT_PD_SLOT_ENDPOINT : 0;
    info.heap_base = p->sys->heap_size ? MICA_PD_HEAP : 0;
    info.heap_size = p->sys->heap_size;
    info.stack_top = MICA_ROOT_STACK_TOP;
    info.stack_size = p->sys->stack_size;
}

struct mica_pd_resource *pdinfo_add(unsigned kind, const char *name)
{
    /* image_check counted every record against MICA_PD_RESOURCES_MAX. */
    struct mica_pd_resource *r = &info.res[info.n_resources++];
    copy_name(r->name, name);
    r->kind = kind;
    return r;
}

unsigned pdinfo_count(void)
{
    return info.n_resources;
}

/* `size` bytes from src into fresh read-only pages from vaddr up. */
static int write_pages(struct pd *p, mica_word_t vaddr, const void *src, mica_word_t size)
{
    for (mica_word_t off = 0; off < size; off += MICA_PAGE_SIZE) {
        mica_word_t len = size - off < MICA_PAGE_SIZE ? size - off : MICA_PAGE_SIZE;
        if (pd_page(p, vaddr + off, MICA_MAP_READ, (const char *)src + off, 0, len))
            return -1;
    }
    return 0;
}

int pdinfo_write(struct pd *p, const struct mica_bootinfo *bi)
{
    info.slot_free_first = p->slot_next;
    info.slot_free_end = 1ull << p->cnode_bits;
    if (write_pages(p, MICA_PD_INFO, &info, sizeof(info)))
        return fail_context("writing its PD info");

    /* The boot info of the root-task layout (as the kernel writes
     * it): its CSpace, IPC buffer and stack; RAM and platform facts are
     * init's; no untyped here (they are resources in the PD info). */
    struct mica_bootinfo *b = &boot;
    memset(b, 0, sizeof(*b));
    b->magic = MICA_BOOTINFO_MAGIC;
    b->version = MICA_BOOTINFO_VERSION;
    b->size = sizeof(*b);
    b->ram_total = bi->ram_total;
    b->ipc_buffer = MICA_ROOT_IPC_BUFFER;
    b->stack_top = MICA_ROOT_STACK_TOP;
    b->slot_untyped_first = b->slot_empty_first = p->slot_next;
    b->slot_empty_end = 1ull << p->cnode_bits;
    b->root_cnode_bits = p->cnode_bits;
    b->timer_hz = bi->timer_hz;
    b->platform = bi->platform;
    copy_name(b->cmdline, p->name);
    memcpy(b->kernel_cmdline, bi->kernel_cmdline, sizeof(b->kernel_cmdline));
    b->pd_info = MICA_PD_INFO;
    if (write_pages(p, MICA_ROOT_BOOTINFO, b, sizeof(*b)))
        return fail_context("writing its boot info");
    return 0;
}
