/* Kernel command-line queries. */
#include <boot.h>
#include <kstring.h>

int cmdline_has(const char *cmdline, const char *word)
{
    size_t len = strlen(word);
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - start) == len && strncmp(start, word, len) == 0)
            return 1;
    }
    return 0;
}
