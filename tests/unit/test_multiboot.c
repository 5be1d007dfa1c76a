/*
 * Host unit tests for kernel/arch/x86_64/multiboot.c: turning a Multiboot 1
 * memory map into the kernel's free-memory set (kernel/core/memmap.c).
 *
 * Maps are built byte by byte in a buffer and parsed from a heap copy of
 * exactly `len` bytes, so AddressSanitizer catches any read past the map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bits.h>
#include <memmap.h>
#include <multiboot.h>

#define RAM      MULTIBOOT_MEMORY_AVAILABLE
#define RESERVED 2
#define ACPI     3 /* ACPI reclaimable */
#define NVS      4
#define BADRAM   5
#define GiB      0x40000000ull

#define ENTRY_BYTES 24u /* size field + 20 bytes of addr, len, type */

_Static_assert(sizeof(struct multiboot_mmap_entry) == ENTRY_BYTES, "packed entry");

struct map {
    uint8_t bytes[2048];
    uint32_t len;
};

/* Append an entry whose size field is `size`, followed by size - 20 extra
 * bytes taken from `extra` (or 0xee filler). With size < 20 the full 24
 * bytes are still written, so only the size field is wrong. */
static void put_entry_x(struct map *mb, uint32_t size, uint64_t addr, uint64_t len,
                        uint32_t type, const void *extra)
{
    uint8_t *p = mb->bytes + mb->len;
    uint32_t extra_len = size > 20 ? size - 20 : 0;
    assert_true(mb->len + ENTRY_BYTES + extra_len <= sizeof(mb->bytes));
    memcpy(p, &size, 4);
    memcpy(p + 4, &addr, 8);
    memcpy(p + 12, &len, 8);
    memcpy(p + 20, &type, 4);
    if (extra)
        memcpy(p + 24, extra, extra_len);
    else
        memset(p + 24, 0xee, extra_len);
    mb->len += ENTRY_BYTES + extra_len;
}

static void put_entry(struct map *mb, uint64_t addr, uint64_t len, uint32_t type)
{
    put_entry_x(mb, 20, addr, len, type, NULL);
}

/* Parse the first `len` bytes of mb from a heap copy that ends exactly at
 * the end of its allocation, starting at an odd address when `misalign`. */
static int parse_len(const struct map *mb, uint32_t len, int misalign, struct memmap *m,
                     uint64_t *ram_total)
{
    size_t pad = misalign ? 1 : 0;
    uint8_t *copy = malloc(len + pad ? len + pad : 1);
    assert_non_null(copy);
    memcpy(copy + pad, mb->bytes, len);
    int r = multiboot_parse_mmap(copy + pad, len, m, ram_total);
    free(copy);
    return r;
}

static int parse(const struct map *mb, struct memmap *m, uint64_t *ram_total)
{
    return parse_len(mb, mb->len, 0, m, ram_total);
}

static void expect_ranges(const struct memmap *m, const struct mem_range *want, unsigned n)
{
    assert_int_equal(m->n_free, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(m->free[i].base, want[i].base);
        assert_int_equal(m->free[i].end, want[i].end);
    }
    for (unsigned i = 0; i + 1 < m->n_free; i++)
        assert_true(m->free[i].end < m->free[i + 1].base);
}

#define EXPECT_RANGES(m, ...)                                                   \
    do {                                                                        \
        static const struct mem_range want_[] = { __VA_ARGS__ };                \
        expect_ranges((m), want_, (unsigned)ARRAY_SIZE(want_));                 \
    } while (0)

/* The memory map QEMU's SeaBIOS reports for -m 512. */
static void put_qemu_512m(struct map *mb)
{
    put_entry(mb, 0, 0x9fc00, RAM);
    put_entry(mb, 0x9fc00, 0x400, RESERVED);
    put_entry(mb, 0xf0000, 0x10000, RESERVED);
    put_entry(mb, 0x100000, 0x1fee0000, RAM);
    put_entry(mb, 0x1ffe0000, 0x20000, RESERVED);
    put_entry(mb, 0xfffc0000, 0x40000, RESERVED);
}

/* ---- well-formed maps ----------------------------------------------------- */

/* Device space is [0, limit) minus every entry, RAM or reserved. */
static void test_device_space_is_the_complement_of_every_entry(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_qemu_512m(&mb);
    struct memmap dev;
    assert_int_equal(multiboot_device_space(mb.bytes, mb.len, 1ull << 32, &dev), 6);
    /* 0x9fc00..0xa0000 is reserved: the hole starts at the next page. */
    EXPECT_RANGES(&dev, { 0xa0000, 0xf0000 }, { 0x20000000, 0xfffc0000 });
}

static void test_device_space_of_a_malformed_map_fails(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_entry_x(&mb, 8, 0, 0x1000, RAM, NULL); /* size field too small */
    struct memmap dev;
    dev.n_free = 77;
    assert_int_equal(multiboot_device_space(mb.bytes, mb.len, 1ull << 32, &dev), -1);
    assert_int_equal(dev.n_free, 77); /* untouched */
}

static void test_qemu_map_gives_entry_count_free_ranges_and_ram_total(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_qemu_512m(&mb);
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total = 0xdead;
    assert_int_equal(parse(&mb, &m, &ram_total), 6);
    /* 0x9fc00 is shrunk to whole pages: 0x9f000. */
    EXPECT_RANGES(&m, { 0, 0x9f000 }, { 0x100000, 0x1ffe0000 });
    assert_int_equal(ram_total, 0x9f000 + 0x1fee0000);
    assert_int_equal(memmap_free_bytes(&m), ram_total);
    assert_false(m.overflowed);
}

static void test_reserved_entry_overlapping_ram_wins_whatever_the_order(void **state)
{
    (void)state;
    for (int reserved_first = 0; reserved_first < 2; reserved_first++) {
        struct map mb = { .len = 0 };
        if (reserved_first) {
            put_entry(&mb, 0x200000, 0x1000, RESERVED);
            put_entry(&mb, 0x300800, 0x10, ACPI); /* unaligned: takes its page */
        }
        put_entry(&mb, 0x100000, 0xf00000, RAM); /* [1 MiB, 16 MiB) */
        if (!reserved_first) {
            put_entry(&mb, 0x200000, 0x1000, RESERVED);
            put_entry(&mb, 0x300800, 0x10, ACPI);
        }
        struct memmap m;
        memmap_init(&m);
        uint64_t ram_total;
        assert_int_equal(parse(&mb, &m, &ram_total), 3);
        EXPECT_RANGES(&m, { 0x100000, 0x200000 }, { 0x201000, 0x300000 },
                      { 0x301000, 0x1000000 });
        /* ram_total is the RAM reported, before firmware reservations. */
        assert_int_equal(ram_total, 0xf00000);
        assert_int_equal(memmap_free_bytes(&m), 0xf00000 - 0x2000);
    }
}

static void test_every_non_available_type_is_reserved(void **state)
{
    (void)state;
    static const uint32_t types[] = { 0, RESERVED, ACPI, NVS, BADRAM, 6, 20, 0xffffffffu };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        struct map mb = { .len = 0 };
        put_entry(&mb, 0x100000, 0x100000, RAM);
        put_entry(&mb, 0x180000, 0x1000, types[i]);
        struct memmap m;
        memmap_init(&m);
        uint64_t ram_total;
        assert_int_equal(parse(&mb, &m, &ram_total), 2);
        EXPECT_RANGES(&m, { 0x100000, 0x180000 }, { 0x181000, 0x200000 });
        assert_int_equal(ram_total, 0x100000);
    }
}

static void test_overlapping_ram_entries_are_counted_once(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_entry(&mb, 0x100000, 0x200000, RAM);   /* [1 MiB, 3 MiB) */
    put_entry(&mb, 0x200000, 0x200000, RAM);   /* [2 MiB, 4 MiB) */
    put_entry(&mb, 0x400000, 0x100000, RAM);   /* adjacent: [4 MiB, 5 MiB) */
    put_entry(&mb, 0x180000, 0x10000, RAM);    /* inside the first */
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total;
    assert_int_equal(parse(&mb, &m, &ram_total), 4);
    EXPECT_RANGES(&m, { 0x100000, 0x500000 });
    assert_int_equal(ram_total, 0x400000);
}

static void test_ram_total_counts_whole_pages_of_unaligned_ram(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_entry(&mb, 0x1234, 0x5000, RAM);        /* [0x1234, 0x6234) -> [0x2000, 0x6000) */
    put_entry(&mb, 0x10800, 0x1000, RAM);       /* no whole page */
    put_entry(&mb, 0x20000, 0xfff, RAM);        /* no whole page */
    put_entry(&mb, 0x30000, 0, RAM);            /* empty */
    put_entry(&mb, 0x3000, 0x10, RESERVED);     /* one page of the first */
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total;
    assert_int_equal(parse(&mb, &m, &ram_total), 5);
    assert_int_equal(ram_total, 0x4000);
    EXPECT_RANGES(&m, { 0x2000, 0x3000 }, { 0x4000, 0x6000 });
}

static void test_ram_above_4gib_uses_full_64bit_fields(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_entry(&mb, 0x100000, 0x7ff00000, RAM);            /* [1 MiB, 2 GiB) */
    put_entry(&mb, 0x100000000ull, 6 * GiB, RAM);         /* [4 GiB, 10 GiB) */
    put_entry(&mb, 0x1fd000000ull, 0x3000000, RESERVED);  /* hole above 8 GiB */
    put_entry(&mb, 0xfd00000000ull, 0x300000000ull, RESERVED); /* HyperTransport, no RAM */
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total;
    assert_int_equal(parse(&mb, &m, &ram_total), 4);
    EXPECT_RANGES(&m, { 0x100000, 0x80000000ull }, { 0x100000000ull, 0x1fd000000ull },
                  { 0x200000000ull, 0x280000000ull });
    assert_int_equal(ram_total, 0x7ff00000ull + 6 * GiB);
    assert_int_equal(memmap_free_bytes(&m), ram_total - 0x3000000);
}

static void test_entries_larger_than_20_bytes_skip_their_extra_bytes(void **state)
{
    (void)state;
    /* The extra bytes hold a complete fake RAM entry: misreading the stride
     * would add 1 GiB at 1 GiB. */
    uint8_t fake[24];
    uint32_t fsize = 20, ftype = RAM;
    uint64_t faddr = GiB, flen = GiB;
    memcpy(fake, &fsize, 4);
    memcpy(fake + 4, &faddr, 8);
    memcpy(fake + 12, &flen, 8);
    memcpy(fake + 20, &ftype, 4);
    uint32_t acpi3_attrs = 1; /* ACPI 3.0 extended attributes: "enabled" */

    struct map mb = { .len = 0 };
    put_entry_x(&mb, 24, 0, 0x9fc00, RAM, &acpi3_attrs);
    put_entry_x(&mb, 44, 0x9fc00, 0x400, RESERVED, fake);
    put_entry_x(&mb, 21, 0x100000, 0x1000000, RAM, NULL); /* odd size: 1 extra byte */
    put_entry_x(&mb, 44, 0x2000000, 0x1000000, RAM, fake);
    put_entry(&mb, 0x2800000, 0x1000, RESERVED);
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total;
    assert_int_equal(parse(&mb, &m, &ram_total), 5);
    EXPECT_RANGES(&m, { 0, 0x9f000 }, { 0x100000, 0x1100000 }, { 0x2000000, 0x2800000 },
                  { 0x2801000, 0x3000000 });
    assert_int_equal(ram_total, 0x9f000 + 0x1000000 + 0x1000000);

    /* Same map parsed from an odd address: fields are read unaligned. */
    memmap_init(&m);
    assert_int_equal(parse_len(&mb, mb.len, 1, &m, &ram_total), 5);
    assert_int_equal(ram_total, 0x9f000 + 0x1000000 + 0x1000000);
}

static void test_last_entry_size_exactly_reaching_end_of_buffer_is_accepted(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_entry(&mb, 0x100000, 0x100000, RAM);
    put_entry_x(&mb, 36, 0x200000, 0x100000, RAM, NULL); /* ends at mb.len exactly */
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total;
    assert_int_equal(parse(&mb, &m, &ram_total), 2);
    EXPECT_RANGES(&m, { 0x100000, 0x300000 });
    assert_int_equal(ram_total, 0x200000);
}

static void test_empty_map_gives_zero_entries_and_no_ram(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    struct memmap m;
    memmap_init(&m);
    uint64_t ram_total = 0xdead;
    assert_int_equal(parse(&mb, &m, &ram_total), 0);
    assert_int_equal(ram_total, 0);
    assert_int_equal(m.n_free, 0);
    assert_false(m.overflowed);
}

/* ---- malformed maps --------------------------------------------------------- */

/* A map that starts with valid entries (which would change *m) and then
 * turns bad; parsing must fail with -1 before changing anything. */
static void expect_rejected_without_side_effects(const struct map *mb, uint32_t len)
{
    struct memmap m, before;
    memmap_init(&m);
    memmap_add(&m, 0x100000, 0x100000);   /* caller state that must survive */
    memmap_add(&m, 0x1000000, 0x100000);
    memcpy(&before, &m, sizeof(m));
    uint64_t ram_total = 0x5a5a5a5a;
    assert_int_equal(parse_len(mb, len, 0, &m, &ram_total), -1);
    assert_memory_equal(&m, &before, sizeof(m));
    assert_int_equal(ram_total, 0x5a5a5a5a);
}

static void put_valid_prefix(struct map *mb)
{
    put_entry(mb, 0x4000000, 0x1000000, RAM);    /* would be added */
    put_entry(mb, 0x180000, 0x1000, RESERVED);   /* would punch the caller's range */
}

static void test_entry_size_running_past_buffer_fails_and_leaves_memmap_unchanged(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_valid_prefix(&mb);
    put_entry_x(&mb, 20, 0x8000000, 0x1000000, RAM, NULL);
    uint32_t len = mb.len;
    /* Claim 4 more bytes than the buffer has. */
    uint32_t size = 24;
    memcpy(&mb.bytes[len - ENTRY_BYTES], &size, 4);
    expect_rejected_without_side_effects(&mb, len);
    /* A huge size must not wrap the offset arithmetic. */
    size = 0xffffffffu;
    memcpy(&mb.bytes[len - ENTRY_BYTES], &size, 4);
    expect_rejected_without_side_effects(&mb, len);
    size = 0xfffffffcu; /* size + 4 == 0 mod 2^32 */
    memcpy(&mb.bytes[len - ENTRY_BYTES], &size, 4);
    expect_rejected_without_side_effects(&mb, len);

    /* A well-formed map cut one byte short of its last entry. */
    struct map ok = { .len = 0 };
    put_valid_prefix(&ok);
    put_entry_x(&ok, 28, 0x8000000, 0x1000000, RAM, NULL);
    expect_rejected_without_side_effects(&ok, ok.len - 1);
}

static void test_entry_size_below_20_fails_and_leaves_memmap_unchanged(void **state)
{
    (void)state;
    static const uint32_t sizes[] = { 0, 1, 16, 19 };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        /* As the first entry ... */
        struct map mb = { .len = 0 };
        put_entry_x(&mb, sizes[i], 0x100000, 0x100000, RAM, NULL);
        put_entry(&mb, 0x200000, 0x100000, RAM);
        expect_rejected_without_side_effects(&mb, mb.len);
        /* ... and after valid ones. */
        mb.len = 0;
        put_valid_prefix(&mb);
        put_entry_x(&mb, sizes[i], 0x100000, 0x100000, RAM, NULL);
        put_entry(&mb, 0x200000, 0x100000, RAM);
        expect_rejected_without_side_effects(&mb, mb.len);
    }
}

static void test_entry_size_below_20_fails_even_if_its_stride_lands_on_a_valid_entry(void **state)
{
    (void)state;
    /* An entry claiming size s < 20, with a valid entry placed right where a
     * stride of s + 4 would land (overwriting the short entry's tail). A
     * parser that trusted s would see two good entries. */
    for (uint32_t s = 0; s < 20; s++) {
        struct map mb = { .len = 0 };
        put_entry_x(&mb, s, 0x100000, 0x100000, RAM, NULL);
        mb.len = s + 4;
        put_entry(&mb, 0x200000, 0x100000, RAM);
        expect_rejected_without_side_effects(&mb, mb.len);
    }
}

static void test_trailing_partial_entry_fails(void **state)
{
    (void)state;
    struct map mb = { .len = 0 };
    put_valid_prefix(&mb);
    /* 1..23 bytes of a further entry: not enough for size + addr + len + type. */
    put_entry(&mb, 0x8000000, 0x1000000, RAM);
    for (uint32_t cut = 1; cut < ENTRY_BYTES; cut++)
        expect_rejected_without_side_effects(&mb, mb.len - cut);
}

int main(void)
{
    const struct CMUnitTest multiboot_tests[] = {
        cmocka_unit_test(test_qemu_map_gives_entry_count_free_ranges_and_ram_total),
        cmocka_unit_test(test_reserved_entry_overlapping_ram_wins_whatever_the_order),
        cmocka_unit_test(test_every_non_available_type_is_reserved),
        cmocka_unit_test(test_overlapping_ram_entries_are_counted_once),
        cmocka_unit_test(test_ram_total_counts_whole_pages_of_unaligned_ram),
        cmocka_unit_test(test_ram_above_4gib_uses_full_64bit_fields),
        cmocka_unit_test(test_entries_larger_than_20_bytes_skip_their_extra_bytes),
        cmocka_unit_test(test_last_entry_size_exactly_reaching_end_of_buffer_is_accepted),
        cmocka_unit_test(test_empty_map_gives_zero_entries_and_no_ram),
        cmocka_unit_test(test_device_space_is_the_complement_of_every_entry),
        cmocka_unit_test(test_device_space_of_a_malformed_map_fails),
        cmocka_unit_test(test_entry_size_running_past_buffer_fails_and_leaves_memmap_unchanged),
        cmocka_unit_test(test_entry_size_below_20_fails_and_leaves_memmap_unchanged),
        cmocka_unit_test(test_entry_size_below_20_fails_even_if_its_stride_lands_on_a_valid_entry),
        cmocka_unit_test(test_trailing_partial_entry_fails),
    };
    return cmocka_run_group_tests(multiboot_tests, NULL, NULL);
}
