/*
 * Host unit tests: the kernel's inline arch hooks become ordinary functions
 * that each test defines itself (e.g. test_cspace.c's arch_phys_to_virt,
 * which counts its calls). Found before kernel/arch/x86_64 on the include
 * path.
 */
#ifndef ARCH_INLINE_H
#define ARCH_INLINE_H

#include <stdint.h>

void *arch_phys_to_virt(uint64_t paddr);

#endif
