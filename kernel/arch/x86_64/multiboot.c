/*
 * Multiboot memory-map parsing (see multiboot.h). Pure: no kernel state, so
 * host unit tests feed it hand-made maps.
 */
#include "multiboot.h"

/* Minimum `size` of an entry: addr, len and type. */
#define ENTRY_MIN_SIZE 20u

enum walk_mode { RESERVE_OTHER, ADD_RAM, RESERVE_ALL };

static int walk(const uint8_t *buf, uint32_t len, struct memmap *m, enum walk_mode mode)
{
    int count = 0;
    uint32_t off = 0;
    while (off < len) {
        struct multiboot_mmap_entry e;
        if (len - off < sizeof(e))
            return -1;
        __builtin_memcpy(&e, buf + off, sizeof(e));
        if (e.size < ENTRY_MIN_SIZE || e.size > len - off - 4)
            return -1;
        int is_ram = e.type == MULTIBOOT_MEMORY_AVAILABLE;
        if (m && mode == ADD_RAM && is_ram)
            memmap_add(m, e.addr, e.len);
        else if (m && ((mode == RESERVE_OTHER && !is_ram) || mode == RESERVE_ALL))
            memmap_reserve(m, e.addr, e.len);
        off += e.size + 4;
        count++;
    }
    return count;
}

int multiboot_parse_mmap(const uint8_t *buf, uint32_t len, struct memmap *m,
                         uint64_t *ram_total)
{
    /* Validate the whole map before changing *m, so a bad map changes nothing. */
    int count = walk(buf, len, 0, ADD_RAM);
    if (count < 0)
        return -1;
    walk(buf, len, m, ADD_RAM);
    *ram_total = memmap_free_bytes(m);
    walk(buf, len, m, RESERVE_OTHER);
    return count;
}

int multiboot_device_space(const uint8_t *buf, uint32_t len, uint64_t limit, struct memmap *dev)
{
    int count = walk(buf, len, 0, ADD_RAM);
    if (count < 0)
        return -1;
    memmap_init(dev);
    memmap_add(dev, 0, limit);
    walk(buf, len, dev, RESERVE_ALL);
    return count;
}
