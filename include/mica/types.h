/*
 * Basic fixed-width types of the Mica ABI. Freestanding: only the compiler's
 * own headers, so the kernel, user libraries and host tools all use them.
 */
#ifndef MICA_TYPES_H
#define MICA_TYPES_H

#include <stdint.h>
#include <stddef.h>

typedef uint64_t mica_word_t;  /* one machine word / message register */
typedef uint64_t mica_cptr_t;  /* capability pointer into a CSpace */
typedef uint64_t mica_paddr_t; /* physical address */
typedef uint64_t mica_vaddr_t; /* virtual address */

#define MICA_PAGE_BITS 12
#define MICA_PAGE_SIZE (1ull << MICA_PAGE_BITS)

#endif
