/*
 * Host unit tests for lib/elf/elf.c: every refusal of elf_parse() on
 * synthetic ELF64 images, the accepted cases, and elf_strerror().
 *
 * Each test builds a valid minimal image with make_image() and then breaks
 * exactly one thing. Images are parsed from a heap copy of exactly `size`
 * bytes, so AddressSanitizer catches any read past the end of the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bits.h>
#include <elf.h>
#include <mica/layout.h>
#include <mica/types.h>

#define USER_MIN   MICA_USER_MIN  /* the limits the kernel uses for the root task */
#define USER_LIMIT MICA_ROOT_AREA

#define IMAGE_SIZE 0x2000u
#define MAX_PH     24u
#define TEXT_VADDR 0x400000ull
#define TEXT_OFF   0x1000u
#define TEXT_SIZE  0x200u
#define ENTRY      (TEXT_VADDR + 0x10)
#define DATA_STEP  0x10000ull /* segment i >= 1 lives at TEXT_VADDR + i * DATA_STEP */
#define DATA_FILESZ 0x80u
#define DATA_MEMSZ 0x1000u

#define PT_NULL      0
#define PT_NOTE      4
#define PT_GNU_STACK 0x6474e551u
#define EM_386       3
#define EM_AARCH64   183

union image {
    unsigned char bytes[IMAGE_SIZE];
    struct {
        struct elf64_ehdr eh;
        struct elf64_phdr ph[MAX_PH];
    } h;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
_Static_assert(offsetof(union image, h.ph) == 64, "program headers follow the header");
_Static_assert(64 + MAX_PH * 56 <= TEXT_OFF, "program headers fit before the text");

static union image img;

static uint64_t data_vaddr(unsigned i) { return TEXT_VADDR + i * DATA_STEP; }
static uint64_t data_offset(unsigned i) { return TEXT_OFF + TEXT_SIZE + i * DATA_FILESZ; }

/*
 * A valid x86_64 ET_EXEC image with n PT_LOAD segments: segment 0 is the
 * text (R+X, entry inside), segments 1..n-1 are data (R+W, with bss).
 */
static void make_image(unsigned n)
{
    assert_true(n <= MAX_PH);
    memset(&img, 0, sizeof(img));
    struct elf64_ehdr *eh = &img.h.eh;
    memcpy(eh->e_ident, "\x7f" "ELF", 4);
    eh->e_ident[4] = ELF_CLASS64;
    eh->e_ident[5] = ELF_DATA2LSB;
    eh->e_ident[6] = ELF_EV_CURRENT;
    eh->e_type = ELF_ET_EXEC;
    eh->e_machine = ELF_EM_X86_64;
    eh->e_version = ELF_EV_CURRENT;
    eh->e_entry = ENTRY;
    eh->e_phoff = offsetof(union image, h.ph);
    eh->e_ehsize = sizeof(struct elf64_ehdr);
    eh->e_phentsize = sizeof(struct elf64_phdr);
    eh->e_phnum = (uint16_t)n;
    for (unsigned i = 0; i < n; i++) {
        struct elf64_phdr *ph = &img.h.ph[i];
        ph->p_type = ELF_PT_LOAD;
        ph->p_align = MICA_PAGE_SIZE;
        if (i == 0) {
            ph->p_flags = ELF_PF_R | ELF_PF_X;
            ph->p_offset = TEXT_OFF;
            ph->p_vaddr = ph->p_paddr = TEXT_VADDR;
            ph->p_filesz = ph->p_memsz = TEXT_SIZE;
        } else {
            ph->p_flags = ELF_PF_R | ELF_PF_W;
            ph->p_offset = data_offset(i);
            ph->p_vaddr = ph->p_paddr = data_vaddr(i);
            ph->p_filesz = DATA_FILESZ;
            ph->p_memsz = DATA_MEMSZ;
        }
    }
    /* Recognisable file contents. */
    for (unsigned i = TEXT_OFF; i < IMAGE_SIZE; i++)
        img.bytes[i] = (unsigned char)(i * 7);
}

/* Parse the first `size` bytes of img from an exact-size heap copy. */
static enum elf_error parse_sized(size_t size, uint64_t min, uint64_t limit,
                                  struct elf_image *out)
{
    assert_true(size <= IMAGE_SIZE);
    unsigned char *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, img.bytes, size);
    memset(out, 0x5a, sizeof(*out)); /* results must not depend on *out */
    enum elf_error err = elf_parse(copy, size, min, limit, out);
    free(copy);
    assert_true((unsigned)err < ELF_ERR_COUNT);
    return err;
}

static enum elf_error parse(struct elf_image *out)
{
    return parse_sized(IMAGE_SIZE, USER_MIN, USER_LIMIT, out);
}

/* Assert an error together with its bad_index and bad_value. */
#define EXPECT_ERROR(err_, index_, value_)                                      \
    do {                                                                        \
        struct elf_image out_;                                                  \
        assert_int_equal(parse(&out_), (err_));                                 \
        assert_int_equal(out_.bad_index, (index_));                             \
        assert_int_equal(out_.bad_value, (uint64_t)(value_));                   \
    } while (0)

#define EXPECT_OK()                                                             \
    do {                                                                        \
        struct elf_image out_;                                                  \
        assert_int_equal(parse(&out_), ELF_OK);                                 \
    } while (0)

static void check_segment(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz,
                          uint64_t offset, uint64_t filesz, uint32_t flags)
{
    assert_int_equal(s->vaddr, vaddr);
    assert_int_equal(s->memsz, memsz);
    assert_int_equal(s->offset, offset);
    assert_int_equal(s->filesz, filesz);
    assert_int_equal(s->flags, flags);
}

/* ---- accepted images ------------------------------------------------------ */

static void test_valid_single_segment_image_gives_entry_and_segment(void **state)
{
    (void)state;
    make_image(1);
    struct elf_image out;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.entry, ENTRY);
    assert_int_equal(out.n_segments, 1);
    check_segment(&out.seg[0], TEXT_VADDR, TEXT_SIZE, TEXT_OFF, TEXT_SIZE, ELF_PF_R | ELF_PF_X);
    assert_int_equal(out.bad_index, -1);
    assert_int_equal(out.bad_value, 0);
}

static void test_valid_three_segment_image_gives_segments_in_file_order(void **state)
{
    (void)state;
    make_image(3);
    /* A read-only segment, placed below the text in memory but after it in
     * the file: order must follow the file. */
    img.h.ph[1].p_flags = ELF_PF_R;
    img.h.ph[1].p_vaddr = 0x200000;
    img.h.ph[1].p_memsz = DATA_FILESZ;
    struct elf_image out;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.entry, ENTRY);
    assert_int_equal(out.n_segments, 3);
    check_segment(&out.seg[0], TEXT_VADDR, TEXT_SIZE, TEXT_OFF, TEXT_SIZE, ELF_PF_R | ELF_PF_X);
    check_segment(&out.seg[1], 0x200000, DATA_FILESZ, data_offset(1), DATA_FILESZ, ELF_PF_R);
    check_segment(&out.seg[2], data_vaddr(2), DATA_MEMSZ, data_offset(2), DATA_FILESZ,
                  ELF_PF_R | ELF_PF_W);
}

static void test_valid_image_skips_non_load_and_zero_memsz_headers(void **state)
{
    (void)state;
    make_image(6);
    img.h.ph[0].p_type = PT_NOTE;       /* garbage addresses: never looked at */
    img.h.ph[0].p_vaddr = 0xffffffff80000000ull;
    img.h.ph[0].p_offset = UINT64_MAX;
    img.h.ph[1] = img.h.ph[0];
    img.h.ph[1].p_type = PT_GNU_STACK;
    img.h.ph[1].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    img.h.ph[2].p_type = PT_NULL;
    img.h.ph[3].p_memsz = 0;            /* empty PT_LOAD: skipped */
    img.h.ph[3].p_filesz = 0;
    img.h.ph[3].p_vaddr = 0;
    /* ph[4]: data; ph[5]: text moved here */
    img.h.ph[5].p_flags = ELF_PF_R | ELF_PF_X;
    img.h.ph[5].p_vaddr = TEXT_VADDR;
    img.h.ph[5].p_offset = TEXT_OFF;
    img.h.ph[5].p_filesz = img.h.ph[5].p_memsz = TEXT_SIZE;
    struct elf_image out;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.n_segments, 2);
    check_segment(&out.seg[0], data_vaddr(4), DATA_MEMSZ, data_offset(4), DATA_FILESZ,
                  ELF_PF_R | ELF_PF_W);
    check_segment(&out.seg[1], TEXT_VADDR, TEXT_SIZE, TEXT_OFF, TEXT_SIZE, ELF_PF_R | ELF_PF_X);
}

static void test_valid_image_at_exact_user_and_file_bounds(void **state)
{
    (void)state;
    make_image(3);
    /* Text starts at the lowest user address; data ends exactly at the
     * limit; the last segment's bytes end exactly at the end of the file. */
    img.h.ph[0].p_vaddr = USER_MIN;
    img.h.eh.e_entry = USER_MIN;
    img.h.ph[2].p_vaddr = USER_LIMIT - DATA_MEMSZ;
    img.h.ph[2].p_offset = IMAGE_SIZE - DATA_FILESZ;
    struct elf_image out;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.entry, USER_MIN);
    assert_int_equal(out.seg[2].vaddr + out.seg[2].memsz, USER_LIMIT);
    /* The entry may also be the last byte of an executable segment. */
    img.h.eh.e_entry = USER_MIN + TEXT_SIZE - 1;
    EXPECT_OK();
    /* A bss-only segment (filesz 0) is still a loadable segment. */
    img.h.ph[1].p_filesz = 0;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.n_segments, 3);
    check_segment(&out.seg[1], data_vaddr(1), DATA_MEMSZ, data_offset(1), 0,
                  ELF_PF_R | ELF_PF_W);
}

static void test_valid_image_with_the_maximum_number_of_segments(void **state)
{
    (void)state;
    make_image(ELF_MAX_SEGMENTS);
    struct elf_image out;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.n_segments, ELF_MAX_SEGMENTS);
    for (unsigned i = 1; i < ELF_MAX_SEGMENTS; i++)
        check_segment(&out.seg[i], data_vaddr(i), DATA_MEMSZ, data_offset(i), DATA_FILESZ,
                      ELF_PF_R | ELF_PF_W);
    /* More program headers are fine as long as they are not loadable. */
    make_image(ELF_MAX_SEGMENTS + 2);
    img.h.ph[3].p_type = PT_NOTE;
    img.h.ph[7].p_memsz = img.h.ph[7].p_filesz = 0;
    assert_int_equal(parse(&out), ELF_OK);
    assert_int_equal(out.n_segments, ELF_MAX_SEGMENTS);
}

static void test_valid_image_honours_caller_supplied_user_range(void **state)
{
    (void)state;
    make_image(2);
    struct elf_image out;
    /* The same image is refused under a range it does not fit ... */
    assert_int_equal(parse_sized(IMAGE_SIZE, 0x10000000, 0x20000000, &out),
                     ELF_ERR_SEGMENT_OUTSIDE_USER);
    assert_int_equal(out.bad_index, 0);
    assert_int_equal(out.bad_value, TEXT_VADDR);
    assert_int_equal(parse_sized(IMAGE_SIZE, USER_MIN, data_vaddr(1) + DATA_MEMSZ - 1, &out),
                     ELF_ERR_SEGMENT_OUTSIDE_USER);
    assert_int_equal(out.bad_index, 1);
    /* ... and accepted under one it exactly fits. */
    assert_int_equal(parse_sized(IMAGE_SIZE, TEXT_VADDR, data_vaddr(1) + DATA_MEMSZ, &out),
                     ELF_OK);
}

/* ---- header refusals ------------------------------------------------------ */

static void test_too_small_for_header(void **state)
{
    (void)state;
    make_image(1);
    static const size_t sizes[] = { 0, 1, 4, 16, 63 };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        struct elf_image out;
        assert_int_equal(parse_sized(sizes[i], USER_MIN, USER_LIMIT, &out),
                         ELF_ERR_TOO_SMALL);
        assert_int_equal(out.bad_index, -1);
        assert_int_equal(out.bad_value, sizes[i]);
        assert_int_equal(out.n_segments, 0);
    }
    /* A whole header is not "too small" even if the rest is missing. */
    struct elf_image out;
    assert_int_equal(parse_sized(64, USER_MIN, USER_LIMIT, &out), ELF_ERR_BAD_PHDRS);
}

static void test_not_elf_bad_magic(void **state)
{
    (void)state;
    for (unsigned byte = 0; byte < 4; byte++) {
        make_image(1);
        img.bytes[byte] ^= 0x20; /* 0x7f -> 0x5f, 'E' -> 'e', ... */
        EXPECT_ERROR(ELF_ERR_NOT_ELF, -1, 0);
    }
    make_image(1);
    memcpy(img.bytes, "\x7f" "ELG", 4);
    EXPECT_ERROR(ELF_ERR_NOT_ELF, -1, 0);
    memset(img.bytes, 0, 64); /* all zero header */
    EXPECT_ERROR(ELF_ERR_NOT_ELF, -1, 0);
}

static void test_not_64bit_class(void **state)
{
    (void)state;
    static const unsigned char classes[] = { 0, 1 /* ELFCLASS32 */, 3, 0xff };
    for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
        make_image(1);
        img.h.eh.e_ident[4] = classes[i];
        EXPECT_ERROR(ELF_ERR_NOT_64BIT, -1, classes[i]);
    }
}

static void test_not_little_endian(void **state)
{
    (void)state;
    static const unsigned char datas[] = { 0, 2 /* ELFDATA2MSB */, 3 };
    for (size_t i = 0; i < ARRAY_SIZE(datas); i++) {
        make_image(1);
        img.h.eh.e_ident[5] = datas[i];
        EXPECT_ERROR(ELF_ERR_NOT_LITTLE_ENDIAN, -1, datas[i]);
    }
}

static void test_bad_version_in_ident_or_header(void **state)
{
    (void)state;
    struct elf_image out;
    make_image(1);
    /* EI_VERSION wrong, e_version still 1. (bad_value is e_version here, not
     * the refused EI_VERSION byte, so it is not checked.) */
    img.h.eh.e_ident[6] = 0;
    assert_int_equal(parse(&out), ELF_ERR_BAD_VERSION);
    assert_int_equal(out.bad_index, -1);
    img.h.eh.e_ident[6] = 2;
    assert_int_equal(parse(&out), ELF_ERR_BAD_VERSION);

    make_image(1);
    img.h.eh.e_version = 0;
    EXPECT_ERROR(ELF_ERR_BAD_VERSION, -1, 0);
    img.h.eh.e_version = 2;
    EXPECT_ERROR(ELF_ERR_BAD_VERSION, -1, 2);
    img.h.eh.e_version = 0xffffffffu;
    EXPECT_ERROR(ELF_ERR_BAD_VERSION, -1, 0xffffffffu);
}

static void test_not_executable_rel_dyn_core(void **state)
{
    (void)state;
    static const uint16_t types[] = { 0 /* ET_NONE */, 1 /* ET_REL */, ELF_ET_DYN /* PIE */,
                                      4 /* ET_CORE */, 0xfe00 /* ET_LOOS */, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        make_image(1);
        img.h.eh.e_type = types[i];
        EXPECT_ERROR(ELF_ERR_NOT_EXECUTABLE, -1, types[i]);
    }
}

static void test_wrong_machine_i386_and_aarch64(void **state)
{
    (void)state;
    static const uint16_t machines[] = { EM_386, EM_AARCH64, 0, ELF_EM_X86_64 + 1,
                                         ELF_EM_X86_64 << 8 /* byte-swapped */ };
    for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
        make_image(1);
        img.h.eh.e_machine = machines[i];
        EXPECT_ERROR(ELF_ERR_WRONG_MACHINE, -1, machines[i]);
    }
}

static void test_bad_phdrs_wrong_phentsize(void **state)
{
    (void)state;
    static const uint16_t sizes[] = { 0, 32 /* ELF32 */, 55, 57, 64, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        make_image(1);
        img.h.eh.e_phentsize = sizes[i];
        EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, 64);
    }
}

static void test_bad_phdrs_phnum_zero(void **state)
{
    (void)state;
    make_image(1);
    img.h.eh.e_phnum = 0;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, 64);
}

static void test_bad_phdrs_table_past_end_of_file(void **state)
{
    (void)state;
    make_image(3);
    struct elf_image out;
    /* The table is 64 + 3 * 56 = 232 bytes in: one byte short fails. */
    assert_int_equal(parse_sized(64 + 3 * 56 - 1, USER_MIN, USER_LIMIT, &out),
                     ELF_ERR_BAD_PHDRS);
    assert_int_equal(out.bad_index, -1);
    assert_int_equal(out.bad_value, 64);

    img.h.eh.e_phoff = IMAGE_SIZE - 56 + 1; /* last entry one byte past the end */
    img.h.eh.e_phnum = 1;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, IMAGE_SIZE - 56 + 1);
    img.h.eh.e_phoff = IMAGE_SIZE;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, IMAGE_SIZE);
    img.h.eh.e_phoff = 0x100000000ull;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, 0x100000000ull);

    make_image(1);
    img.h.eh.e_phnum = 0xffff; /* huge table */
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, 64);
}

static void test_bad_phdrs_phoff_plus_table_size_overflows(void **state)
{
    (void)state;
    make_image(2);
    /* phoff + 2 * 56 wraps to a small value that would pass "<= size". */
    img.h.eh.e_phoff = UINT64_MAX - 56 + 1;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, UINT64_MAX - 56 + 1);
    img.h.eh.e_phoff = UINT64_MAX;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, UINT64_MAX);
    img.h.eh.e_phoff = 0x8000000000000000ull;
    EXPECT_ERROR(ELF_ERR_BAD_PHDRS, -1, 0x8000000000000000ull);
}

/* ---- program header refusals ---------------------------------------------- */

static void test_interp_segment_is_refused(void **state)
{
    (void)state;
    make_image(3);
    img.h.ph[1].p_type = ELF_PT_INTERP;
    EXPECT_ERROR(ELF_ERR_INTERP, 1, 0);

    make_image(3); /* first header, before any load segment */
    img.h.ph[0].p_type = ELF_PT_INTERP;
    EXPECT_ERROR(ELF_ERR_INTERP, 0, 0);
}

static void test_too_many_loadable_segments(void **state)
{
    (void)state;
    make_image(ELF_MAX_SEGMENTS + 1);
    EXPECT_ERROR(ELF_ERR_TOO_MANY_SEGMENTS, ELF_MAX_SEGMENTS, ELF_MAX_SEGMENTS + 1);

    make_image(ELF_MAX_SEGMENTS + 4);
    /* Two of the 20 headers are not loadable, so the 17th loadable one is
     * header 18: bad_index is the header index, bad_value e_phnum. */
    img.h.ph[2].p_type = PT_NOTE;
    img.h.ph[5].p_memsz = img.h.ph[5].p_filesz = 0;
    EXPECT_ERROR(ELF_ERR_TOO_MANY_SEGMENTS, ELF_MAX_SEGMENTS + 2, ELF_MAX_SEGMENTS + 4);
}

static void test_no_loadable_segments(void **state)
{
    (void)state;
    make_image(3);
    for (unsigned i = 0; i < 3; i++)
        img.h.ph[i].p_type = PT_NOTE;
    EXPECT_ERROR(ELF_ERR_NO_SEGMENTS, -1, 0);

    make_image(3);
    for (unsigned i = 0; i < 3; i++)
        img.h.ph[i].p_memsz = img.h.ph[i].p_filesz = 0; /* all empty PT_LOADs */
    EXPECT_ERROR(ELF_ERR_NO_SEGMENTS, -1, 0);
}

static void test_segment_file_range_outside_file(void **state)
{
    (void)state;
    make_image(3);
    img.h.ph[2].p_offset = IMAGE_SIZE - DATA_FILESZ + 1; /* one byte past the end */
    EXPECT_ERROR(ELF_ERR_SEGMENT_FILE_RANGE, 2, IMAGE_SIZE - DATA_FILESZ + 1);
    img.h.ph[2].p_offset = IMAGE_SIZE;
    EXPECT_ERROR(ELF_ERR_SEGMENT_FILE_RANGE, 2, IMAGE_SIZE);

    make_image(3);
    img.h.ph[0].p_filesz = img.h.ph[0].p_memsz = IMAGE_SIZE; /* offset 0x1000 + 0x2000 */
    EXPECT_ERROR(ELF_ERR_SEGMENT_FILE_RANGE, 0, TEXT_OFF);

    /* Truncated file: the same image minus its last byte. */
    make_image(3);
    img.h.ph[2].p_offset = IMAGE_SIZE - DATA_FILESZ;
    struct elf_image out;
    assert_int_equal(parse_sized(IMAGE_SIZE - 1, USER_MIN, USER_LIMIT, &out),
                     ELF_ERR_SEGMENT_FILE_RANGE);
    assert_int_equal(out.bad_index, 2);
    assert_int_equal(out.bad_value, IMAGE_SIZE - DATA_FILESZ);
}

static void test_segment_file_range_offset_plus_filesz_overflows(void **state)
{
    (void)state;
    make_image(2);
    /* offset + filesz wraps around to 0x10, which is inside the file. */
    img.h.ph[1].p_offset = UINT64_MAX - 0xf;
    img.h.ph[1].p_filesz = 0x20;
    img.h.ph[1].p_memsz = 0x1000;
    EXPECT_ERROR(ELF_ERR_SEGMENT_FILE_RANGE, 1, UINT64_MAX - 0xf);

    make_image(2);
    img.h.ph[1].p_offset = 0x1000;
    img.h.ph[1].p_filesz = UINT64_MAX;
    img.h.ph[1].p_memsz = UINT64_MAX;
    EXPECT_ERROR(ELF_ERR_SEGMENT_FILE_RANGE, 1, 0x1000);
}

static void test_filesz_greater_than_memsz(void **state)
{
    (void)state;
    make_image(3);
    img.h.ph[1].p_memsz = DATA_FILESZ - 1;
    EXPECT_ERROR(ELF_ERR_FILESZ_GT_MEMSZ, 1, DATA_FILESZ);

    make_image(1);
    img.h.ph[0].p_memsz = 1;
    EXPECT_ERROR(ELF_ERR_FILESZ_GT_MEMSZ, 0, TEXT_SIZE);
}

static void test_segment_below_user_min(void **state)
{
    (void)state;
    make_image(2);
    img.h.ph[1].p_vaddr = 0; /* page 0 */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, 0);
    img.h.ph[1].p_vaddr = USER_MIN - 1;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, USER_MIN - 1);
    img.h.ph[1].p_vaddr = USER_MIN - 0x10; /* straddles user_min */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, USER_MIN - 0x10);
}

static void test_segment_above_user_limit(void **state)
{
    (void)state;
    make_image(2);
    img.h.ph[1].p_vaddr = USER_LIMIT - DATA_MEMSZ + 1; /* last byte at the limit */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, USER_LIMIT - DATA_MEMSZ + 1);
    img.h.ph[1].p_vaddr = USER_LIMIT; /* the root task's own area */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, USER_LIMIT);
    img.h.ph[1].p_vaddr = MICA_ROOT_STACK_TOP - 0x1000;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, MICA_ROOT_STACK_TOP - 0x1000);
    img.h.ph[1].p_vaddr = MICA_ROOT_BOOTINFO;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, MICA_ROOT_BOOTINFO);
    img.h.ph[1].p_vaddr = MICA_USER_TOP;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, MICA_USER_TOP);
    img.h.ph[1].p_vaddr = 0x0000800000000000ull; /* non-canonical hole */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, 0x0000800000000000ull);
    /* A segment starting inside but growing past the limit. */
    img.h.ph[1].p_vaddr = USER_LIMIT - 0x1000;
    img.h.ph[1].p_memsz = 0x2000;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, USER_LIMIT - 0x1000);
}

static void test_segment_at_kernel_address(void **state)
{
    (void)state;
    make_image(1);
    img.h.ph[0].p_vaddr = 0xffffffff80000000ull; /* kernel image, -2 GiB */
    img.h.eh.e_entry = 0xffffffff80000010ull;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 0, 0xffffffff80000000ull);
    img.h.ph[0].p_vaddr = 0xffff800000000000ull; /* direct map */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 0, 0xffff800000000000ull);
}

static void test_segment_vaddr_plus_memsz_overflows(void **state)
{
    (void)state;
    make_image(2);
    /* vaddr is a valid user address, but vaddr + memsz wraps to a small,
     * in-range value. */
    img.h.ph[1].p_memsz = UINT64_MAX - data_vaddr(1) + 0x2000;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, data_vaddr(1));
    img.h.ph[1].p_vaddr = UINT64_MAX - 0xfff;
    img.h.ph[1].p_memsz = 0x2000;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OUTSIDE_USER, 1, UINT64_MAX - 0xfff);
}

static void test_segments_sharing_a_page_overlap(void **state)
{
    (void)state;
    make_image(2);
    /* Text is [0x400000, 0x400200); data starting right after it shares
     * its page even though the bytes do not overlap. */
    img.h.ph[1].p_vaddr = TEXT_VADDR + TEXT_SIZE;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OVERLAP, 1, TEXT_VADDR + TEXT_SIZE);
    img.h.ph[1].p_vaddr = TEXT_VADDR + 0xff0; /* last bytes of the same page */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OVERLAP, 1, TEXT_VADDR + 0xff0);
    img.h.ph[1].p_vaddr = TEXT_VADDR; /* identical start */
    EXPECT_ERROR(ELF_ERR_SEGMENT_OVERLAP, 1, TEXT_VADDR);
    /* Data below the text whose last page is the text's first page. */
    img.h.ph[1].p_vaddr = TEXT_VADDR - DATA_MEMSZ + 1;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OVERLAP, 1, TEXT_VADDR - DATA_MEMSZ + 1);
}

static void test_segment_overlap_reports_program_header_index(void **state)
{
    (void)state;
    make_image(5);
    img.h.ph[0].p_type = PT_NOTE;
    img.h.ph[1].p_flags = ELF_PF_R | ELF_PF_X; /* the text is now ph[1] */
    img.h.ph[1].p_vaddr = TEXT_VADDR;
    img.h.ph[2].p_type = PT_GNU_STACK;
    /* ph[4] overlaps ph[3] (which is segment 1); it is segment 2. */
    img.h.ph[4].p_vaddr = data_vaddr(3) + 0x800;
    img.h.eh.e_entry = TEXT_VADDR;
    EXPECT_ERROR(ELF_ERR_SEGMENT_OVERLAP, 4, data_vaddr(3) + 0x800);
}

static void test_segments_in_adjacent_pages_do_not_overlap(void **state)
{
    (void)state;
    make_image(3);
    img.h.ph[1].p_vaddr = TEXT_VADDR + 0x1000;          /* page after the text */
    img.h.ph[2].p_vaddr = TEXT_VADDR + 0x1000 + DATA_MEMSZ; /* page after that */
    EXPECT_OK();
    img.h.ph[2].p_vaddr = TEXT_VADDR - DATA_MEMSZ;      /* page before the text */
    EXPECT_OK();
}

static void test_writable_and_executable_segment(void **state)
{
    (void)state;
    make_image(2);
    img.h.ph[1].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    EXPECT_ERROR(ELF_ERR_WRITE_EXEC, 1, data_vaddr(1));
    img.h.ph[1].p_flags = ELF_PF_W | ELF_PF_X;
    EXPECT_ERROR(ELF_ERR_WRITE_EXEC, 1, data_vaddr(1));
    make_image(1);
    img.h.ph[0].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X; /* the text itself */
    EXPECT_ERROR(ELF_ERR_WRITE_EXEC, 0, TEXT_VADDR);
}

static void test_entry_outside_executable_segments(void **state)
{
    (void)state;
    make_image(2);
    img.h.eh.e_entry = data_vaddr(1) + 0x10; /* in the writable data */
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, data_vaddr(1) + 0x10);
    img.h.eh.e_entry = TEXT_VADDR + TEXT_SIZE; /* one past the text */
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, TEXT_VADDR + TEXT_SIZE);
    img.h.eh.e_entry = TEXT_VADDR - 1;
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, TEXT_VADDR - 1);
    img.h.eh.e_entry = 0;
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, 0);
    img.h.eh.e_entry = UINT64_MAX;
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, UINT64_MAX);

    /* A read-only text (no PF_X) has no valid entry at all. */
    make_image(1);
    img.h.ph[0].p_flags = ELF_PF_R;
    EXPECT_ERROR(ELF_ERR_ENTRY, -1, ENTRY);
}

/* ---- whole-file properties --------------------------------------------------- */

static void test_truncated_image_is_refused_at_every_length(void **state)
{
    (void)state;
    make_image(3);
    img.h.ph[2].p_offset = IMAGE_SIZE - DATA_FILESZ; /* the file ends with ph[2]'s bytes */
    const size_t table_end = 64 + 3 * 56;
    for (size_t size = 0; size <= IMAGE_SIZE; size++) {
        struct elf_image out;
        enum elf_error err = parse_sized(size, USER_MIN, USER_LIMIT, &out);
        if (size < 64)
            assert_int_equal(err, ELF_ERR_TOO_SMALL);
        else if (size < table_end)
            assert_int_equal(err, ELF_ERR_BAD_PHDRS);
        else if (size < TEXT_OFF + TEXT_SIZE)
            assert_int_equal(err, ELF_ERR_SEGMENT_FILE_RANGE);
        else if (size < IMAGE_SIZE)
            assert_int_equal(err, ELF_ERR_SEGMENT_FILE_RANGE);
        else
            assert_int_equal(err, ELF_OK);
        if (err == ELF_ERR_SEGMENT_FILE_RANGE)
            assert_int_equal(out.bad_index, size < TEXT_OFF + TEXT_SIZE ? 0 :
                             size < data_offset(1) + DATA_FILESZ ? 1 : 2);
    }
}

/* xorshift64*: deterministic pseudo-random numbers. */
static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Whatever elf_parse accepts must satisfy every promise it makes. */
static void check_accepted(const struct elf_image *out, size_t size)
{
    assert_in_range(out->n_segments, 1, ELF_MAX_SEGMENTS);
    bool entry_ok = false;
    for (unsigned i = 0; i < out->n_segments; i++) {
        const struct elf_segment *s = &out->seg[i];
        uint64_t end;
        assert_true(s->memsz > 0);
        assert_true(s->filesz <= s->memsz);
        assert_false(add_overflows(s->offset, s->filesz, &end));
        assert_true(end <= size);
        assert_false(add_overflows(s->vaddr, s->memsz, &end));
        assert_true(s->vaddr >= USER_MIN && end <= USER_LIMIT);
        assert_false((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X));
        if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr && out->entry < end)
            entry_ok = true;
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *t = &out->seg[j];
            assert_false(ranges_overlap(align_down(s->vaddr, MICA_PAGE_SIZE),
                                        align_up(end, MICA_PAGE_SIZE),
                                        align_down(t->vaddr, MICA_PAGE_SIZE),
                                        align_up(t->vaddr + t->memsz, MICA_PAGE_SIZE)));
        }
    }
    assert_true(entry_ok);
}

static void test_random_header_mutations_never_accept_invalid_images(void **state)
{
    (void)state;
    unsigned accepted = 0, refused = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        make_image(1 + (unsigned)(rng() % 4));
        /* Corrupt a few bytes of the headers, or set a field to an extreme. */
        unsigned n = 1 + (unsigned)(rng() % 3);
        for (unsigned k = 0; k < n; k++) {
            size_t at = (size_t)(rng() % (64 + 4 * 56));
            switch (rng() % 3) {
            case 0: img.bytes[at] ^= (unsigned char)(1u << (rng() % 8)); break;
            case 1: img.bytes[at] = (unsigned char)rng(); break;
            default: {
                uint64_t v = rng() % 2 ? UINT64_MAX - (rng() % 0x2000) : rng() % 0x3000;
                size_t field = at & ~(size_t)7;
                memcpy(&img.bytes[field], &v, 8);
            }
            }
        }
        size_t size = rng() % 8 ? IMAGE_SIZE : (size_t)(rng() % IMAGE_SIZE);
        struct elf_image out;
        enum elf_error err = parse_sized(size, USER_MIN, USER_LIMIT, &out);
        if (err == ELF_OK) {
            check_accepted(&out, size);
            accepted++;
        } else {
            assert_true(out.bad_index >= -1 && out.bad_index < 0x10000);
            refused++;
        }
    }
    /* Both paths were exercised. */
    assert_true(accepted > 100);
    assert_true(refused > 100);
}

/* ---- elf_strerror ------------------------------------------------------------ */

static void test_strerror_distinct_nonempty_message_for_every_code(void **state)
{
    (void)state;
    for (int i = 0; i < ELF_ERR_COUNT; i++) {
        const char *s = elf_strerror((enum elf_error)i);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(s, elf_strerror((enum elf_error)j));
    }
}

static void test_strerror_out_of_range_codes_still_give_a_message(void **state)
{
    (void)state;
    static const int codes[] = { ELF_ERR_COUNT, ELF_ERR_COUNT + 1, 1000, -1, -1000, 0x7fffffff };
    for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
        const char *s = elf_strerror((enum elf_error)codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        /* Not mistaken for success. */
        assert_string_not_equal(s, elf_strerror(ELF_OK));
    }
}

int main(void)
{
    const struct CMUnitTest elf_tests[] = {
        cmocka_unit_test(test_valid_single_segment_image_gives_entry_and_segment),
        cmocka_unit_test(test_valid_three_segment_image_gives_segments_in_file_order),
        cmocka_unit_test(test_valid_image_skips_non_load_and_zero_memsz_headers),
        cmocka_unit_test(test_valid_image_at_exact_user_and_file_bounds),
        cmocka_unit_test(test_valid_image_with_the_maximum_number_of_segments),
        cmocka_unit_test(test_valid_image_honours_caller_supplied_user_range),
        cmocka_unit_test(test_too_small_for_header),
        cmocka_unit_test(test_not_elf_bad_magic),
        cmocka_unit_test(test_not_64bit_class),
        cmocka_unit_test(test_not_little_endian),
        cmocka_unit_test(test_bad_version_in_ident_or_header),
        cmocka_unit_test(test_not_executable_rel_dyn_core),
        cmocka_unit_test(test_wrong_machine_i386_and_aarch64),
        cmocka_unit_test(test_bad_phdrs_wrong_phentsize),
        cmocka_unit_test(test_bad_phdrs_phnum_zero),
        cmocka_unit_test(test_bad_phdrs_table_past_end_of_file),
        cmocka_unit_test(test_bad_phdrs_phoff_plus_table_size_overflows),
        cmocka_unit_test(test_interp_segment_is_refused),
        cmocka_unit_test(test_too_many_loadable_segments),
        cmocka_unit_test(test_no_loadable_segments),
        cmocka_unit_test(test_segment_file_range_outside_file),
        cmocka_unit_test(test_segment_file_range_offset_plus_filesz_overflows),
        cmocka_unit_test(test_filesz_greater_than_memsz),
        cmocka_unit_test(test_segment_below_user_min),
        cmocka_unit_test(test_segment_above_user_limit),
        cmocka_unit_test(test_segment_at_kernel_address),
        cmocka_unit_test(test_segment_vaddr_plus_memsz_overflows),
        cmocka_unit_test(test_segments_sharing_a_page_overlap),
        cmocka_unit_test(test_segment_overlap_reports_program_header_index),
        cmocka_unit_test(test_segments_in_adjacent_pages_do_not_overlap),
        cmocka_unit_test(test_writable_and_executable_segment),
        cmocka_unit_test(test_entry_outside_executable_segments),
        cmocka_unit_test(test_truncated_image_is_refused_at_every_length),
        cmocka_unit_test(test_random_header_mutations_never_accept_invalid_images),
        cmocka_unit_test(test_strerror_distinct_nonempty_message_for_every_code),
        cmocka_unit_test(test_strerror_out_of_range_codes_still_give_a_message),
    };
    return cmocka_run_group_tests(elf_tests, NULL, NULL);
}
