/*
 * mksystem: the system-description compiler (docs/system-description.md).
 *
 * The tool works in steps:
 *
 *   parse.c, pd.c  read the XML with libxml2 (xml.c: its errors, typed
 *            attributes) and check every element and attribute on its own
 *            (syntax, types, ranges, names, references to regions, PDs and
 *            devices), filling the model below;
 *   check.c  loads the programs and checks what needs the whole system:
 *            address-space collisions, channel ids, IRQ, device and I/O
 *            port conflicts, priorities of protected calls, limits;
 *   image.c  writes the compiled image (include/mica/system.h);
 *   dot.c / list.c  draw it for Graphviz / print it for people;
 *   util.c   diagnostics, arrays, writing files atomically.
 *
 * The model keeps each record exactly as the image stores it (`rec`) next
 * to the XML element it came from, so every later check can point at the
 * right line. A record whose own attributes were wrong is marked !ok and
 * left out of the cross-checks, so one mistake gives one error, not a
 * cascade.
 */
#ifndef MKSYSTEM_H
#define MKSYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libxml/tree.h>

#include <elf.h>
#include <mica/cap.h>
#include <mica/device.h>
#include <mica/system.h>
#include <mica/vspace.h>

/* ---------------------------------------------------------------- arrays */

#define ARRAY(T) struct { T *v; unsigned n, cap; }
void *array_push(void **v, unsigned *n, unsigned *cap, size_t size);
/* Append a zeroed element to an ARRAY and return a pointer to it. */
#define PUSH(a) ((__typeof__((a).v))array_push((void **)&(a).v, &(a).n, &(a).cap, sizeof *(a).v))

void *xmalloc(size_t size);
char *xstrdup(const char *s);

/* ---------------------------------------------------------------- model */

struct sys_program {
    char name[MICA_SYS_NAME_MAX]; /* file name of the path */
    char *path;                   /* resolved (realpath), the dedup key */
    unsigned char *data;
    size_t size;
    struct elf_image elf;
    uint64_t offset;              /* in the image, set by the writer */
};

/* A resource name of a PD, for the duplicate check. */
struct sys_resname {
    char name[MICA_SYS_NAME_MAX];
    xmlNode *node;
    const char *kind;
};

struct sys_pd {
    struct mica_sys_pd rec;
    xmlNode *node;
    xmlNode *program_node;        /* the <program_image>, NULL if none */
    char *program_path;           /* its path attribute */
    bool program_ok;              /* rec.program is a valid, loaded program */
    bool ok;
    ARRAY(struct sys_resname) names;
};

struct sys_region {
    struct mica_sys_region rec;
    xmlNode *node;
    bool ok;
};

struct sys_map {
    struct mica_sys_map rec;
    xmlNode *node;
    bool region_ok;               /* rec.region names a region */
    bool ok;
};

struct sys_channel {
    struct mica_sys_channel rec;
    xmlNode *node;
    xmlNode *end_node[2];
    unsigned n_ends;
    bool ok;                      /* exactly two good ends in two PDs */
    bool end_ok[2];
};

struct sys_irq {
    struct mica_sys_irq rec;
    xmlNode *node;
    char *msi_device;             /* msi attribute, resolved after the PD */
    bool msi_ok;                  /* rec.number is that device's index */
    bool ok;
};

struct sys_ioport {
    struct mica_sys_ioport rec;
    xmlNode *node;
    bool ok;
};

struct sys_device {
    struct mica_sys_device rec;
    xmlNode *node;
    bool ok;
};

struct sys_bar {
    struct mica_sys_bar rec;
    xmlNode *node;
    bool index_ok;                /* rec.index is a valid BAR number */
    bool ok;
};

struct sys_endpoint {
    struct mica_sys_endpoint rec;
    xmlNode *node;
    unsigned n_ends;
};

struct sys_endpoint_end {
    struct mica_sys_endpoint_end rec;
    xmlNode *node;
    bool pd_ok;                   /* rec.pd names a PD */
    bool ok;
};

struct sys_untyped {
    struct mica_sys_untyped rec;
    xmlNode *node;
};

struct sys {
    char name[MICA_SYS_NAME_MAX];
    xmlDoc *doc;
    xmlNode *root;
    ARRAY(struct sys_program) programs;
    ARRAY(struct sys_pd) pds;
    ARRAY(struct sys_region) regions;
    ARRAY(struct sys_map) maps;
    ARRAY(struct sys_channel) channels;
    ARRAY(struct sys_irq) irqs;
    ARRAY(struct sys_ioport) ioports;
    ARRAY(struct sys_device) devices;
    ARRAY(struct sys_bar) bars;
    ARRAY(struct sys_endpoint) endpoints;
    ARRAY(struct sys_endpoint_end) endpoint_ends;
    ARRAY(struct sys_untyped) untypeds;
};

/* ---------------------------------------------------------------- diagnostics */

/* Errors are collected, sorted by line and printed by diag_flush(). */
#define DIAG_MAX_ERRORS 50

void diag_init(const char *file);
const char *diag_file(void);
void error_at(long line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warning_at(long line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error about an element: "FILE:LINE: error: <elem key="v">: message". */
void error_node(xmlNode *node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned diag_errors(void);
void diag_flush(void);
long node_line(xmlNode *node);
/* `<tag key="value">` for messages (a static buffer, one of a few). */
const char *node_desc(xmlNode *node);

/* ---------------------------------------------------------------- steps */

struct options {
    const char **search;
    unsigned n_search;
    const char *input;
};

/* parse.c: read and check the description; false if it could not be
 * read at all (other problems are errors in diag). */
bool sys_parse(struct sys *sys, const char *path);
/* check.c: programs and whole-system rules. */
void sys_check(struct sys *sys, const struct options *opt);
/* image.c, dot.c, list.c: 0 or -1 (with a message on stderr). */
int sys_write_image(const struct sys *sys, const char *path);
int sys_write_dot(const struct sys *sys, const char *path);
void sys_list(const struct sys *sys, FILE *out);
void sys_free(struct sys *sys);

/* Write `path` through a temporary file renamed into place, so a failed
 * run never leaves a partial file: fill() writes the content. */
int write_atomically(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg);

/* Shared formatting. */
const char *perms_str(uint32_t perms);   /* "rw-" style, static */
const char *rights_str(uint32_t rights); /* "rw-" style, static */
void pci_str(uint32_t pci, char buf[16]);

#endif
