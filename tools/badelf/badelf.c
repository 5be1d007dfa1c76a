/*
 * badelf: make deliberately broken copies of a valid ELF executable, for the
 * tests that check the kernel refuses a bad root-task module at boot.
 *
 *   badelf MUTATION INPUT OUTPUT
 *
 * Mutations: not-elf, wrong-machine, kernel-segment, truncated, pie,
 * write-exec. The ELF structures come from the kernel's own elf.h, so the
 * tool and the checker agree on the format.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "badelf: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || n <= 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "badelf: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void write_file(const char *path, const void *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "badelf: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* The first PT_LOAD program header of a valid image, for in-place edits. */
static struct elf64_phdr *first_load(unsigned char *buf, size_t size, const char *path)
{
    struct elf64_ehdr *eh = (struct elf64_ehdr *)buf;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
        eh->e_phoff + (size_t)eh->e_phnum * sizeof(struct elf64_phdr) > size) {
        fprintf(stderr, "badelf: %s is not a valid ELF64 file to start from\n", path);
        exit(1);
    }
    struct elf64_phdr *ph = (struct elf64_phdr *)(buf + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == ELF_PT_LOAD)
            return &ph[i];
    fprintf(stderr, "badelf: %s has no PT_LOAD segment\n", path);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: badelf not-elf|wrong-machine|kernel-segment|truncated|pie|write-exec INPUT OUTPUT\n");
        return 2;
    }
    const char *what = argv[1];
    size_t size;
    unsigned char *buf = read_file(argv[2], &size);
    struct elf64_ehdr *eh = (struct elf64_ehdr *)buf;
    struct elf64_phdr *load = first_load(buf, size, argv[2]);

    if (!strcmp(what, "not-elf")) {
        static const char text[] = "This is a text file, not an ELF executable.\n";
        write_file(argv[3], text, sizeof(text) - 1);
        return 0;
    }
    if (!strcmp(what, "wrong-machine"))
        eh->e_machine = 183; /* EM_AARCH64 */
    else if (!strcmp(what, "kernel-segment"))
        load->p_vaddr = 0xffffffff80000000ull;
    else if (!strcmp(what, "truncated"))
        size = 1024; /* headers survive, segment data does not */
    else if (!strcmp(what, "pie"))
        eh->e_type = ELF_ET_DYN;
    else if (!strcmp(what, "write-exec"))
        load->p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    else {
        fprintf(stderr, "badelf: unknown mutation '%s'\n", what);
        return 2;
    }
    write_file(argv[3], buf, size);
    free(buf);
    return 0;
}
