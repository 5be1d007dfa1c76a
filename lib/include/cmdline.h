/*
 * Command lines: space-separated words, as the boot loader gives them for
 * the kernel and for each module ("path/to/program arg arg"). Pure and
 * freestanding: used by the kernel (its options, the root task's name and
 * arguments) and by init (its modules' names and arguments).
 */
#ifndef MICA_LIB_CMDLINE_H
#define MICA_LIB_CMDLINE_H

/* Is `word` one of the words of `line`? */
static inline int cmdline_has(const char *line, const char *word)
{
    const char *p = line;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = word;
        while (*p && *p != ' ' && *w && *p == *w)
            p++, w++;
        if (!*w && (!*p || *p == ' ') && p > line && p[-1] != ' ')
            return 1;
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}

/* The words after the first (a program's arguments), or "". */
static inline const char *cmdline_args(const char *line)
{
    while (*line && *line != ' ')
        line++;
    while (*line == ' ')
        line++;
    return line;
}

/* The program's name: the last path component of the first word, cut to
 * size - 1 characters (size >= 1); "" if there is none. */
static inline void cmdline_name(const char *line, char *name, unsigned long size)
{
    const char *start = line, *p = line;
    for (; *p && *p != ' '; p++)
        if (*p == '/')
            start = p + 1;
    unsigned long n = 0;
    for (; start < p && n + 1 < size; start++)
        name[n++] = *start;
    name[n] = '\0';
}

#endif
