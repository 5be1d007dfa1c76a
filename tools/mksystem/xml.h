/*
 * Reading elements and attributes (xml.c), shared by parse.c and pd.c.
 *
 * The attribute readers return 1 when the attribute is present and good
 * (the value stored), 0 when it is absent (the output untouched, so the
 * caller's default stays) and -1 when it is present but bad or required
 * and missing; the error is already reported then.
 */
#ifndef MKSYSTEM_XML_H
#define MKSYSTEM_XML_H

#include "mksystem.h"

/* Route libxml2's messages into diag (it never prints on its own). */
void xml_quiet(void);
void xml_strings_free(void);

bool is_tag(xmlNode *n, const char *tag);
/* The attribute's value (kept until xml_strings_free), or NULL. */
const char *attr(xmlNode *n, const char *name);
const char *required(xmlNode *n, const char *name);
/* Report every attribute not in the NULL-terminated `allowed`. */
void check_attrs(xmlNode *n, const char *const *allowed);

/* Decimal or 0x-hex, no sign, no space, at most 64 bits. */
bool parse_number(const char *s, uint64_t *out);
int number(xmlNode *n, const char *name, uint64_t *out);
int required_number(xmlNode *n, const char *name, uint64_t *out);
int boolean(xmlNode *n, const char *name, bool *out);

/* Names: 1-31 characters of [A-Za-z0-9_.-]. */
bool valid_name(const char *s);
bool check_name(xmlNode *n, const char *what, const char *s);
int name_attr(xmlNode *n, const char *attrname, char out[MICA_SYS_NAME_MAX]);
int required_name(xmlNode *n, const char *attrname, char out[MICA_SYS_NAME_MAX]);

/* A set of letters, each at most once, letters[i] meaning bits[i]. */
int letters_attr(xmlNode *n, const char *name, const char *letters, const uint32_t *bits, const char *meaning,
                 uint32_t *out);
/* Map or BAR perms (default rw, r required); false if reported. */
bool perms_attr(xmlNode *n, bool allow_exec, uint32_t *out);

/* Children: text other than white space, and unknown elements, are errors. */
void check_text(xmlNode *parent, xmlNode *c);
void unknown_element(xmlNode *parent, xmlNode *c, const char *allowed);
void check_empty(xmlNode *n);

/* Lookups by name (-1 if none), and a PD's resource names. */
int find_pd(const struct sys *sys, const char *name);
int find_region(const struct sys *sys, const char *name);
bool add_resname(struct sys_pd *pd, const char *name, xmlNode *n, const char *kind);

/* pd.c */
void parse_pd_contents(struct sys *sys, unsigned pd_index);

#endif
