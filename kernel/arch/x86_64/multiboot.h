/*
 * Multiboot 1 boot information (Multiboot Specification 0.6.96), as far as
 * Mica uses it, and the parser that turns its memory map into a memmap.
 */
#ifndef ARCH_MULTIBOOT_H
#define ARCH_MULTIBOOT_H

#include <memmap.h>
#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u

#define MULTIBOOT_INFO_MEMORY  (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS    (1u << 3)
#define MULTIBOOT_INFO_MMAP    (1u << 6)

#define MULTIBOOT_MEMORY_AVAILABLE 1

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;
    uint32_t mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
} __attribute__((packed));

struct multiboot_module {
    uint32_t mod_start;
    uint32_t mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

/* One memory-map entry; `size` counts the bytes after itself. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

/*
 * Feed a Multiboot memory map (len bytes at buf) into *m: every available
 * range is added first, then every other range is reserved, so firmware
 * reservations win over overlapping RAM entries. *ram_total receives the
 * page-aligned bytes of RAM. Returns the number of entries, or -1 if an
 * entry is malformed (size too small, or running past the buffer).
 */
int multiboot_parse_mmap(const uint8_t *buf, uint32_t len, struct memmap *m,
                         uint64_t *ram_total);

/*
 * Device space: [0, limit) minus every range the memory map mentions (RAM
 * or reserved), into *dev (initialised here). What is left are holes where
 * devices decode addresses (MMIO windows). Returns the number of entries,
 * or -1 for a malformed map (then *dev is untouched).
 */
int multiboot_device_space(const uint8_t *buf, uint32_t len, uint64_t limit, struct memmap *dev);

#endif
