/*
 * ELF64 executable validation (see elf.h).
 *
 * Every field is read through memcpy so an unaligned or truncated image can
 * never cause an unaligned access, and every offset and size is checked with
 * overflow-safe arithmetic before use.
 */
#include <bits.h>
#include <elf.h>
#include <mica/types.h>

static const char *const messages[ELF_ERR_COUNT] = {
    [ELF_OK] = "valid",
    [ELF_ERR_TOO_SMALL] = "file is smaller than an ELF header",
    [ELF_ERR_NOT_ELF] = "not an ELF file (bad magic)",
    [ELF_ERR_NOT_64BIT] = "not a 64-bit ELF file",
    [ELF_ERR_NOT_LITTLE_ENDIAN] = "not a little-endian ELF file",
    [ELF_ERR_BAD_VERSION] = "unknown ELF version",
    [ELF_ERR_NOT_EXECUTABLE] = "not a static executable (ET_EXEC)",
    [ELF_ERR_WRONG_MACHINE] = "wrong machine (not x86_64)",
    [ELF_ERR_BAD_PHDRS] = "program header table is malformed or outside the file",
    [ELF_ERR_INTERP] = "asks for a dynamic loader (PT_INTERP)",
    [ELF_ERR_TOO_MANY_SEGMENTS] = "too many loadable segments",
    [ELF_ERR_NO_SEGMENTS] = "no loadable segments",
    [ELF_ERR_SEGMENT_FILE_RANGE] = "segment data lies outside the file",
    [ELF_ERR_FILESZ_GT_MEMSZ] = "segment file size exceeds its memory size",
    [ELF_ERR_SEGMENT_OUTSIDE_USER] = "segment lies outside user space",
    [ELF_ERR_SEGMENT_OVERLAP] = "segments share a page",
    [ELF_ERR_WRITE_EXEC] = "segment is both writable and executable",
    [ELF_ERR_ENTRY] = "entry point is not in an executable segment",
};

const char *elf_strerror(enum elf_error err)
{
    if ((unsigned)err >= ELF_ERR_COUNT)
        return "unknown error";
    return messages[err];
}

static enum elf_error fail(struct elf_image *out, enum elf_error err, int index, uint64_t value)
{
    out->bad_index = index;
    out->bad_value = value;
    return err;
}

static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };

static enum elf_error check_header(const struct elf64_ehdr *eh, size_t size,
                                   struct elf_image *out)
{
    if (eh->e_ident[4] != ELF_CLASS64)
        return fail(out, ELF_ERR_NOT_64BIT, -1, eh->e_ident[4]);
    if (eh->e_ident[5] != ELF_DATA2LSB)
        return fail(out, ELF_ERR_NOT_LITTLE_ENDIAN, -1, eh->e_ident[5]);
    if (eh->e_ident[6] != ELF_EV_CURRENT)
        return fail(out, ELF_ERR_BAD_VERSION, -1, eh->e_ident[6]);
    if (eh->e_version != ELF_EV_CURRENT)
        return fail(out, ELF_ERR_BAD_VERSION, -1, eh->e_version);
    if (eh->e_type != ELF_ET_EXEC)
        return fail(out, ELF_ERR_NOT_EXECUTABLE, -1, eh->e_type);
    if (eh->e_machine != ELF_EM_X86_64)
        return fail(out, ELF_ERR_WRONG_MACHINE, -1, eh->e_machine);

    uint64_t table_size = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), table_end;
    if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
        add_overflows(eh->e_phoff, table_size, &table_end) || table_end > size)
        return fail(out, ELF_ERR_BAD_PHDRS, -1, eh->e_phoff);
    return ELF_OK;
}

static enum elf_error check_segment(const struct elf64_phdr *ph, int index, size_t size,
                                    uint64_t user_min, uint64_t user_limit,
                                    struct elf_image *out)
{
    uint64_t file_end, mem_end;
    if (add_overflows(ph->p_offset, ph->p_filesz, &file_end) || file_end > size)
        return fail(out, ELF_ERR_SEGMENT_FILE_RANGE, index, ph->p_offset);
    if (ph->p_filesz > ph->p_memsz)
        return fail(out, ELF_ERR_FILESZ_GT_MEMSZ, index, ph->p_filesz);
    if (ph->p_memsz == 0)
        return ELF_OK; /* occupies no memory: its address does not matter */
    if (add_overflows(ph->p_vaddr, ph->p_memsz, &mem_end) || ph->p_vaddr < user_min ||
        mem_end > user_limit)
        return fail(out, ELF_ERR_SEGMENT_OUTSIDE_USER, index, ph->p_vaddr);
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        return fail(out, ELF_ERR_WRITE_EXEC, index, ph->p_vaddr);
    return ELF_OK;
}

/* Segments may not share a page: each page gets exactly one set of rights. */
static enum elf_error check_overlaps(struct elf_image *out, const int *index)
{
    for (unsigned i = 0; i < out->n_segments; i++) {
        const struct elf_segment *a = &out->seg[i];
        uint64_t a_lo = align_down(a->vaddr, MICA_PAGE_SIZE);
        uint64_t a_hi = align_up(a->vaddr + a->memsz, MICA_PAGE_SIZE);
        for (unsigned j = i + 1; j < out->n_segments; j++) {
            const struct elf_segment *b = &out->seg[j];
            uint64_t b_lo = align_down(b->vaddr, MICA_PAGE_SIZE);
            uint64_t b_hi = align_up(b->vaddr + b->memsz, MICA_PAGE_SIZE);
            if (ranges_overlap(a_lo, a_hi, b_lo, b_hi))
                return fail(out, ELF_ERR_SEGMENT_OVERLAP, index[j], b->vaddr);
        }
    }
    return ELF_OK;
}

static enum elf_error check_entry(struct elf_image *out)
{
    for (unsigned i = 0; i < out->n_segments; i++) {
        const struct elf_segment *s = &out->seg[i];
        if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
            return ELF_OK;
    }
    return fail(out, ELF_ERR_ENTRY, -1, out->entry);
}

enum elf_error elf_parse(const void *data, size_t size, uint64_t user_min,
                         uint64_t user_limit, struct elf_image *out)
{
    const unsigned char *bytes = data;
    struct elf64_ehdr eh;
    int index[ELF_MAX_SEGMENTS];
    enum elf_error err;

    out->n_segments = 0;
    out->entry = 0;
    out->bad_index = -1;
    out->bad_value = 0;
    /* A short file that is not ELF at all is better called "not ELF". */
    if (size < 4 || __builtin_memcmp(bytes, magic, 4) != 0)
        return fail(out, size < 4 ? ELF_ERR_TOO_SMALL : ELF_ERR_NOT_ELF, -1, size < 4 ? size : 0);
    if (size < sizeof(eh))
        return fail(out, ELF_ERR_TOO_SMALL, -1, size);
    __builtin_memcpy(&eh, bytes, sizeof(eh));
    if ((err = check_header(&eh, size, out)) != ELF_OK)
        return err;
    out->entry = eh.e_entry;

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        struct elf64_phdr ph;
        __builtin_memcpy(&ph, bytes + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == ELF_PT_INTERP)
            return fail(out, ELF_ERR_INTERP, (int)i, 0);
        if (ph.p_type != ELF_PT_LOAD)
            continue;
        if ((err = check_segment(&ph, (int)i, size, user_min, user_limit, out)) != ELF_OK)
            return err;
        if (ph.p_memsz == 0)
            continue; /* valid but occupies nothing */
        if (out->n_segments == ELF_MAX_SEGMENTS)
            return fail(out, ELF_ERR_TOO_MANY_SEGMENTS, (int)i, eh.e_phnum);
        index[out->n_segments] = (int)i;
        out->seg[out->n_segments++] = (struct elf_segment){
            .vaddr = ph.p_vaddr, .memsz = ph.p_memsz, .offset = ph.p_offset,
            .filesz = ph.p_filesz, .flags = ph.p_flags,
        };
    }
    if (out->n_segments == 0)
        return fail(out, ELF_ERR_NO_SEGMENTS, -1, 0);
    if ((err = check_overlaps(out, index)) != ELF_OK)
        return err;
    return check_entry(out);
}
