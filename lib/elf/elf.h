/*
 * ELF64 executable checking, shared by the kernel's root-task loader, init's
 * loader of PD programs (servers/init) and the system compiler
 * (tools/mksystem), so all apply the same rules.
 *
 * elf_parse() validates an image completely before anything is loaded, so a
 * corrupt or hostile module is refused with a precise reason instead of
 * crashing the boot. Pure logic; the host unit tests cover every refusal.
 */
#ifndef MICA_LIB_ELF_H
#define MICA_LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

/* ELF64 on-disk structures (System V ABI, ELF-64 Object File Format). */
struct elf64_ehdr {
    unsigned char e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

#define ELF_CLASS64    2
#define ELF_DATA2LSB   1
#define ELF_EV_CURRENT 1
#define ELF_ET_EXEC    2
#define ELF_ET_DYN     3
#define ELF_EM_X86_64  62
#define ELF_PT_LOAD    1
#define ELF_PT_INTERP  3
#define ELF_PF_X       1
#define ELF_PF_W       2
#define ELF_PF_R       4

#define ELF_MAX_SEGMENTS 16

enum elf_error {
    ELF_OK = 0,
    ELF_ERR_TOO_SMALL,        /* shorter than an ELF header */
    ELF_ERR_NOT_ELF,          /* bad magic */
    ELF_ERR_NOT_64BIT,
    ELF_ERR_NOT_LITTLE_ENDIAN,
    ELF_ERR_BAD_VERSION,
    ELF_ERR_NOT_EXECUTABLE,   /* not ET_EXEC (relocatable, PIE, core, ...) */
    ELF_ERR_WRONG_MACHINE,    /* not x86_64 */
    ELF_ERR_BAD_PHDRS,        /* program header table malformed or outside the file */
    ELF_ERR_INTERP,           /* asks for a dynamic loader */
    ELF_ERR_TOO_MANY_SEGMENTS,
    ELF_ERR_NO_SEGMENTS,
    ELF_ERR_SEGMENT_FILE_RANGE, /* segment's bytes lie outside the file */
    ELF_ERR_FILESZ_GT_MEMSZ,
    ELF_ERR_SEGMENT_OUTSIDE_USER, /* segment outside the allowed user range */
    ELF_ERR_SEGMENT_OVERLAP,  /* two segments share a page */
    ELF_ERR_WRITE_EXEC,       /* segment both writable and executable */
    ELF_ERR_ENTRY,            /* entry point not inside an executable segment */
    ELF_ERR_COUNT
};

struct elf_segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset;
    uint64_t filesz;
    uint32_t flags; /* ELF_PF_* */
};

struct elf_image {
    uint64_t entry;
    unsigned n_segments;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
    /* On error: the program header index at fault (or -1), and the value
     * that was refused (a machine number, address, ...). */
    int bad_index;
    uint64_t bad_value;
};

/*
 * Check `size` bytes at `data` as an x86_64 static executable whose loadable
 * segments all lie within [user_min, user_limit). Fills *out (PT_LOAD
 * segments with memsz > 0, in file order) and returns ELF_OK, or an error.
 */
enum elf_error elf_parse(const void *data, size_t size, uint64_t user_min,
                         uint64_t user_limit, struct elf_image *out);

/* A fixed, human-readable description of an error. */
const char *elf_strerror(enum elf_error err);

#endif
