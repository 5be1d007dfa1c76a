/*
 * x86_64 hooks generic code calls on hot paths, inline (included by
 * kernel/include/arch.h).
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

/* Where physical memory appears in the kernel's address space: the kernel
 * image window during early boot, the direct map after paging_init. */
extern uint64_t arch_phys_window;

/* Kernel virtual address of physical memory. */
static inline void *arch_phys_to_virt(uint64_t paddr)
{
    return (void *)(arch_phys_window + paddr);
}

/* Physical address of a kernel virtual address in the direct map. */
static inline uint64_t arch_virt_to_phys(const void *p)
{
    return (uint64_t)p - arch_phys_window;
}

#endif
