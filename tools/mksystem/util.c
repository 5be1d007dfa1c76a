/*
 * Diagnostics and small helpers shared by the mksystem steps.
 *
 * Every problem becomes one line `FILE:LINE: error: message`. They are
 * collected rather than printed at once, then sorted by line (stable, so
 * two errors on one line keep their order), because the checks run in
 * several passes and a reader wants them in file order. At most
 * DIAG_MAX_ERRORS are printed; the rest are counted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mksystem.h"

void *xmalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "mksystem: out of memory\n");
        exit(2);
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

void *array_push(void **v, unsigned *n, unsigned *cap, size_t size)
{
    if (*n == *cap) {
        unsigned ncap = *cap ? *cap * 2 : 8;
        void *nv = realloc(*v, (size_t)ncap * size);
        if (!nv || ncap < *cap) {
            fprintf(stderr, "mksystem: out of memory\n");
            exit(2);
        }
        *v = nv;
        *cap = ncap;
    }
    void *e = (char *)*v + (size_t)*n * size;
    memset(e, 0, size);
    (*n)++;
    return e;
}

/* ---------------------------------------------------------------- diagnostics */

struct diag {
    long line;
    bool error;
    unsigned seq;
    char *text;
};

static const char *diag_filename = "?";
static ARRAY(struct diag) diags;
static unsigned n_errors;

void diag_init(const char *file)
{
    diag_filename = file;
}

const char *diag_file(void)
{
    return diag_filename;
}

unsigned diag_errors(void)
{
    return n_errors;
}

static void add(long line, bool error, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    struct diag *d = PUSH(diags);
    d->line = line;
    d->error = error;
    d->seq = diags.n;
    d->text = xstrdup(buf);
    if (error)
        n_errors++;
}

void error_at(long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(line, true, fmt, ap);
    va_end(ap);
}

void warning_at(long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(line, false, fmt, ap);
    va_end(ap);
}

void error_node(xmlNode *node, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_at(node_line(node), "%s: %s", node_desc(node), msg);
}

static int by_line(const void *a, const void *b)
{
    const struct diag *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_flush(void)
{
    unsigned shown = 0, hidden = 0;
    if (diags.n)
        qsort(diags.v, diags.n, sizeof *diags.v, by_line);
    for (unsigned i = 0; i < diags.n; i++) {
        struct diag *d = &diags.v[i];
        if (d->error && shown == DIAG_MAX_ERRORS)
            hidden++;
        else {
            fprintf(stderr, "%s:%ld: %s: %s\n", diag_filename, d->line,
                    d->error ? "error" : "warning", d->text);
            shown += d->error;
        }
        free(d->text);
    }
    if (hidden)
        fprintf(stderr, "%s: %u more errors not shown\n", diag_filename, hidden);
    free(diags.v);
    diags.v = NULL;
    diags.n = diags.cap = 0;
}

long node_line(xmlNode *node)
{
    return node ? xmlGetLineNo(node) : 0;
}

/* The attribute that best names each kind of element in a message. */
static const char *const key_attr[][2] = {
    {"memory_region", "name"}, {"protection_domain", "name"}, {"program_image", "path"},
    {"map", "mr"}, {"irq", "id"}, {"ioport", "name"}, {"pci_device", "name"},
    {"bar", "index"}, {"untyped", "name"}, {"end", "pd"}, {"endpoint", "name"},
};

const char *node_desc(xmlNode *node)
{
    static char bufs[4][160];
    static unsigned next;
    char *buf = bufs[next++ % 4];
    const char *tag = node && node->name ? (const char *)node->name : "?";
    const char *key = NULL;

    for (size_t i = 0; i < sizeof key_attr / sizeof key_attr[0]; i++)
        if (!strcmp(tag, key_attr[i][0]))
            key = key_attr[i][1];
    xmlChar *value = key && node ? xmlGetProp(node, (const xmlChar *)key) : NULL;
    if (!value) {
        snprintf(buf, 160, "<%.60s>", tag);
        return buf;
    }
    /* Show at most 40 printable characters of the value. */
    char v[48];
    size_t n = 0;
    for (const xmlChar *p = value; *p && n < 40; p++)
        v[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"') ? (char)*p : '?';
    v[n] = 0;
    snprintf(buf, 160, "<%.60s %s=\"%s%s\">", tag, key, v, strlen((char *)value) > 40 ? "..." : "");
    xmlFree(value);
    return buf;
}

/* ---------------------------------------------------------------- output */

int write_atomically(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg)
{
    size_t n = strlen(path);
    char *tmp = xmalloc(n + 16);
    snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "mksystem: cannot create %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        fprintf(stderr, "mksystem: %s: %s\n", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    int err = fill(f, arg);
    if (!err && (fflush(f) || ferror(f))) {
        fprintf(stderr, "mksystem: cannot write %s: %s\n", tmp, strerror(errno));
        err = -1;
    }
    if (!err && fchmod(fd, 0644)) {
        fprintf(stderr, "mksystem: %s: %s\n", tmp, strerror(errno));
        err = -1;
    }
    if (fclose(f) && !err) {
        fprintf(stderr, "mksystem: cannot write %s: %s\n", tmp, strerror(errno));
        err = -1;
    }
    if (!err && rename(tmp, path)) {
        fprintf(stderr, "mksystem: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
        err = -1;
    }
    if (err)
        unlink(tmp);
    free(tmp);
    return err;
}

const char *perms_str(uint32_t perms)
{
    static char bufs[2][4];
    static unsigned next;
    char *b = bufs[next++ % 2];
    b[0] = perms & MICA_MAP_READ ? 'r' : '-';
    b[1] = perms & MICA_MAP_WRITE ? 'w' : '-';
    b[2] = perms & MICA_MAP_EXEC ? 'x' : '-';
    b[3] = 0;
    return b;
}

const char *rights_str(uint32_t rights)
{
    static char bufs[2][4];
    static unsigned next;
    char *b = bufs[next++ % 2];
    b[0] = rights & MICA_RIGHT_READ ? 'r' : '-';
    b[1] = rights & MICA_RIGHT_WRITE ? 'w' : '-';
    b[2] = rights & MICA_RIGHT_GRANT ? 'g' : '-';
    b[3] = 0;
    return b;
}

void pci_str(uint32_t pci, char buf[16])
{
    snprintf(buf, 16, "%04x:%02x:%02x.%x", MICA_PCI_SEGMENT(pci), MICA_PCI_BUS(pci),
             MICA_PCI_DEVICE(pci), MICA_PCI_FUNCTION(pci));
}
