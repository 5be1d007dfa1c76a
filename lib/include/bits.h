/*
 * Bit and alignment helpers. Pure and freestanding: used by the kernel, the
 * libraries in lib/ and the host unit tests (tests/unit/test_bits.c).
 */
#ifndef MICA_LIB_BITS_H
#define MICA_LIB_BITS_H

#include <stdbool.h>
#include <stdint.h>

#define BIT(n) (1ull << (n))
#define MASK(n) ((n) >= 64 ? ~0ull : BIT(n) - 1)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* align must be a power of two. align_up saturates instead of wrapping. */
static inline uint64_t align_down(uint64_t x, uint64_t align) { return x & ~(align - 1); }
static inline uint64_t align_up(uint64_t x, uint64_t align)
{
    uint64_t r = (x + align - 1) & ~(align - 1);
    return r < x ? align_down(UINT64_MAX, align) : r;
}
static inline bool is_aligned(uint64_t x, uint64_t align) { return !(x & (align - 1)); }

/* Index of the lowest / highest set bit; x must be non-zero. */
static inline unsigned ctz64(uint64_t x) { return (unsigned)__builtin_ctzll(x); }
static inline unsigned log2_floor(uint64_t x) { return 63u - (unsigned)__builtin_clzll(x); }

/* Do [a, a_end) and [b, b_end) share a byte? Empty ranges overlap nothing. */
static inline bool ranges_overlap(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < a_end && b < b_end && a < b_end && b < a_end;
}

/* a + b without wrapping; false on overflow. */
static inline bool add_overflows(uint64_t a, uint64_t b, uint64_t *sum)
{
    return __builtin_add_overflow(a, b, sum);
}

#endif
