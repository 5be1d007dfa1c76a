/*
 * Physical memory map: the set of free RAM ranges the kernel knows about at
 * boot. Built from the firmware memory map, minus everything in use (kernel
 * image, boot modules, boot structures); the boot allocator carves from it;
 * what is left at the end of boot becomes the root task's untyped memory.
 *
 * Pure logic with no kernel dependencies, so the host unit tests cover it.
 * All ranges are half-open [base, end) and page aligned.
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define MEMMAP_MAX_RANGES 64

struct mem_range {
    uint64_t base;
    uint64_t end;
};

struct memmap {
    struct mem_range free[MEMMAP_MAX_RANGES]; /* sorted, disjoint, non-adjacent */
    unsigned n_free;
    bool overflowed; /* a range was dropped because the table was full */
};

void memmap_init(struct memmap *m);

/* Add RAM (shrunk inward to page boundaries); merges with neighbours. */
void memmap_add(struct memmap *m, uint64_t base, uint64_t len);

/* Remove a range (grown outward to page boundaries) from the free set. */
void memmap_reserve(struct memmap *m, uint64_t base, uint64_t len);

/* Total free bytes. */
uint64_t memmap_free_bytes(const struct memmap *m);

/*
 * Boot allocator: take `size` bytes aligned to `align` (a power of two, at
 * least a page) from the lowest free range that has room below `limit`.
 * Returns the physical address, or 0 when nothing fits.
 */
uint64_t memmap_alloc(struct memmap *m, uint64_t size, uint64_t align, uint64_t limit);

/*
 * Split [base, end) into naturally aligned power-of-two blocks of at least
 * one page and at most 2^max_bits bytes (max_bits >= MICA_PAGE_BITS),
 * lowest first. Calls emit() for
 * each; stops early and returns false if emit() returns false.
 */
bool memmap_split_pow2(uint64_t base, uint64_t end, unsigned max_bits,
                       bool (*emit)(void *ctx, uint64_t paddr, unsigned size_bits),
                       void *ctx);

#endif
