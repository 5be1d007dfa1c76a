/*
 * XML helpers for the parser: libxml2's errors turned into ours, and the
 * typed reading of attributes every element uses (numbers, booleans,
 * names, letter sets), each reporting what is wrong with the value.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "mksystem.h"
#include "xml.h"

/* Attribute values handed out by attr(), freed by xml_strings_free(). */
static ARRAY(xmlChar *) strings;

void xml_strings_free(void)
{
    for (unsigned i = 0; i < strings.n; i++)
        xmlFree(strings.v[i]);
    free(strings.v);
    strings.v = NULL;
    strings.n = strings.cap = 0;
}

/* ---------------------------------------------------------------- libxml2 errors */

#if LIBXML_VERSION >= 21200
static void xml_error(void *ctx, const xmlError *e)
#else
static void xml_error(void *ctx, xmlErrorPtr e)
#endif
{
    (void)ctx;
    if (!e || e->level == XML_ERR_WARNING || e->level == XML_ERR_NONE)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    error_at(e->line > 0 ? e->line : 1, "XML: %s", msg);
}

static void xml_generic_error(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

void xml_quiet(void)
{
    xmlSetStructuredErrorFunc(NULL, xml_error);
    xmlSetGenericErrorFunc(NULL, xml_generic_error);
}

/* ---------------------------------------------------------------- attributes */

bool is_tag(xmlNode *n, const char *tag)
{
    return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, tag);
}

/* The value of attribute `name`, or NULL. */
const char *attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    *PUSH(strings) = v;
    return (const char *)v;
}

/* Report every attribute of n not in `allowed` (a NULL-terminated list). */
void check_attrs(xmlNode *n, const char *const *allowed)
{
    for (xmlAttr *a = n->properties; a; a = a->next) {
        bool known = false;
        for (const char *const *p = allowed; *p && !known; p++)
            known = !a->ns && !strcmp((const char *)a->name, *p);
        if (known)
            continue;
        char list[256] = "";
        for (const char *const *p = allowed; *p; p++) {
            if (*list)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, *p, sizeof list - strlen(list) - 1);
        }
        error_node(n, "unknown attribute '%s%s%s' (%s%s)", a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
                   a->ns && a->ns->prefix ? ":" : "", (const char *)a->name,
                   *list ? "allowed: " : "it takes no attributes", list);
    }
}

const char *required(xmlNode *n, const char *name)
{
    const char *v = attr(n, name);
    if (!v)
        error_node(n, "missing attribute '%s'", name);
    return v;
}

/* Numbers: decimal, or hexadecimal after 0x. Nothing else, no sign, no
 * spaces, no overflow. */
bool parse_number(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* 1: present and a number; 0: absent (*out untouched); -1: reported. */
int number(xmlNode *n, const char *name, uint64_t *out)
{
    const char *s = attr(n, name);
    if (!s)
        return 0;
    if (!parse_number(s, out)) {
        error_node(n, "%s \"%.40s\" is not a number (decimal or 0x-hex, at most 64 bits)", name, s);
        return -1;
    }
    return 1;
}

/* Like number(), but missing is an error too (-1). */
int required_number(xmlNode *n, const char *name, uint64_t *out)
{
    int r = number(n, name, out);
    if (r == 0) {
        error_node(n, "missing attribute '%s'", name);
        return -1;
    }
    return r;
}

int boolean(xmlNode *n, const char *name, bool *out)
{
    const char *s = attr(n, name);
    if (!s)
        return 0;
    if (!strcmp(s, "true"))
        *out = true;
    else if (!strcmp(s, "false"))
        *out = false;
    else {
        error_node(n, "%s \"%.40s\" is not a boolean (true or false)", name, s);
        return -1;
    }
    return 1;
}

bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MICA_SYS_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
            return false;
    return true;
}

bool check_name(xmlNode *n, const char *what, const char *s)
{
    if (valid_name(s))
        return true;
    error_node(n, "%s \"%.40s%s\" is not a valid name (1-31 characters of A-Z a-z 0-9 _ . -)", what, s,
               strlen(s) > 40 ? "..." : "");
    return false;
}

/* 1: present and valid (copied into out); 0: absent; -1: reported. */
int name_attr(xmlNode *n, const char *attrname, char out[MICA_SYS_NAME_MAX])
{
    const char *s = attr(n, attrname);
    if (!s)
        return 0;
    if (!check_name(n, attrname, s))
        return -1;
    snprintf(out, MICA_SYS_NAME_MAX, "%s", s);
    return 1;
}

int required_name(xmlNode *n, const char *attrname, char out[MICA_SYS_NAME_MAX])
{
    int r = name_attr(n, attrname, out);
    if (r == 0) {
        error_node(n, "missing attribute '%s'", attrname);
        return -1;
    }
    return r;
}

/* Letters from `letters`, each at most once, to bits[i]; 1/0/-1. */
int letters_attr(xmlNode *n, const char *name, const char *letters, const uint32_t *bits,
                        const char *meaning, uint32_t *out)
{
    const char *s = attr(n, name);
    if (!s)
        return 0;
    uint32_t v = 0;
    for (const char *p = s; *p; p++) {
        const char *l = strchr(letters, *p);
        if (!l || (v & bits[l - letters])) {
            error_node(n, "%s \"%.40s\": %s '%c' (%s)", name, s,
                       l ? "repeated letter" : "unknown letter", isprint((unsigned char)*p) ? *p : '?', meaning);
            return -1;
        }
        v |= bits[l - letters];
    }
    if (!v) {
        error_node(n, "%s is empty (%s)", name, meaning);
        return -1;
    }
    *out = v;
    return 1;
}

static const uint32_t perm_bits[] = {MICA_MAP_READ, MICA_MAP_WRITE, MICA_MAP_EXEC};

/* Map or BAR permissions: default rw; r is required. */
bool perms_attr(xmlNode *n, bool allow_exec, uint32_t *out)
{
    const char *given = attr(n, "perms");
    *out = MICA_MAP_READ | MICA_MAP_WRITE;
    int r = letters_attr(n, "perms", allow_exec ? "rwx" : "rw", perm_bits,
                         allow_exec ? "letters r, w, x" : "letters r, w", out);
    if (r < 0)
        return false;
    if (!(*out & MICA_MAP_READ)) {
        error_node(n, "perms \"%s\" lack 'r' (every mapping is readable on x86_64)", given ? given : "");
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- lookups */

int find_pd(const struct sys *sys, const char *name)
{
    for (unsigned i = 0; i < sys->pds.n; i++)
        if (sys->pds.v[i].rec.name[0] && !strcmp(sys->pds.v[i].rec.name, name))
            return (int)i;
    return -1;
}

int find_region(const struct sys *sys, const char *name)
{
    for (unsigned i = 0; i < sys->regions.n; i++)
        if (sys->regions.v[i].rec.name[0] && !strcmp(sys->regions.v[i].rec.name, name))
            return (int)i;
    return -1;
}

/* Record a resource name of a PD; false (reported) if it is taken. */
bool add_resname(struct sys_pd *pd, const char *name, xmlNode *n, const char *kind)
{
    for (unsigned i = 0; i < pd->names.n; i++) {
        struct sys_resname *r = &pd->names.v[i];
        if (!strcmp(r->name, name)) {
            error_node(n, "resource name '%s' is already used by the %s at line %ld in PD '%s'", name, r->kind,
                       node_line(r->node), pd->rec.name);
            return false;
        }
    }
    struct sys_resname *r = PUSH(pd->names);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->node = n;
    r->kind = kind;
    return true;
}

/* Report text other than white space inside an element. */
void check_text(xmlNode *parent, xmlNode *c)
{
    if (c->type == XML_CDATA_SECTION_NODE) {
        error_at(node_line(c) > 0 ? node_line(c) : node_line(parent), "%s: unexpected CDATA section",
                 node_desc(parent));
        return;
    }
    if (c->type != XML_TEXT_NODE || !c->content)
        return;
    const xmlChar *p = c->content;
    while (*p && isspace(*p))
        p++;
    if (!*p)
        return;
    char text[24];
    size_t k = 0;
    while (p[k] && k < 20 && p[k] != '\n') {
        text[k] = (p[k] >= 0x20 && p[k] < 0x7f) ? (char)p[k] : '?';
        k++;
    }
    text[k] = 0;
    /* libxml2 gives a text node the line where it ends: count back. */
    long line = node_line(c);
    for (const xmlChar *q = p; *q; q++)
        line -= *q == '\n';
    error_at(line > 0 ? line : node_line(parent), "%s: unexpected text \"%s\"", node_desc(parent), text);
}

void unknown_element(xmlNode *parent, xmlNode *c, const char *allowed)
{
    error_at(node_line(c), "<%s%s%s>: unknown element inside <%s> (%s)",
             c->ns && c->ns->prefix ? (const char *)c->ns->prefix : "", c->ns && c->ns->prefix ? ":" : "",
             (const char *)c->name, (const char *)parent->name, allowed);
}

/* No children at all except comments and white space. */
void check_empty(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            unknown_element(n, c, "it has no child elements");
        else
            check_text(n, c);
    }
}

