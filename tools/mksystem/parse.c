/*
 * Reading a system description: XML to the model of mksystem.h.
 *
 * libxml2 parses the file (never from the network, never printing on its
 * own: its errors come through a structured handler and become ours).
 * Then three passes over the tree, so a reference may name something
 * defined further down:
 *
 *   1. memory regions, and each protection domain's own attributes;
 *   2. the contents of each protection domain (they refer to regions);
 *   3. channels and endpoints (they refer to PDs).
 *
 * Every element's attributes are checked against the element's list
 * (xml.c reads them): unknown ones, missing required ones, malformed
 * numbers, booleans and names, values out of range, references to things
 * that do not exist. This file has the top level, memory regions, the
 * PDs' own attributes, channels and endpoints; pd.c what PDs hold.
 * Checks that need the whole system are in check.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "mksystem.h"
#include "xml.h"

/* x86_64 physical addresses are at most 52 bits wide. */
#define PHYS_LIMIT (1ull << 52)


/* ---------------------------------------------------------------- memory_region */

static void parse_region(struct sys *sys, xmlNode *n)
{
    static const char *const allowed[] = {"name", "size", "page_size", "phys_addr", "paging", NULL};
    struct sys_region *r = PUSH(sys->regions);
    struct mica_sys_region *rec = &r->rec;
    uint64_t page = 0x1000, size = 0, phys = 0;
    bool ok = true;

    r->node = n;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "name", rec->name) < 0)
        ok = false;
    else {
        int other = find_region(sys, rec->name);
        if (other >= 0 && other != (int)(r - sys->regions.v)) {
            error_node(n, "duplicate memory region name '%s' (first at line %ld)", rec->name,
                       node_line(sys->regions.v[other].node));
            ok = false;
        }
    }
    int r_page = number(n, "page_size", &page);
    if (r_page < 0)
        ok = false;
    else if (page != 0x1000 && page != 0x200000) {
        error_node(n, "page_size 0x%" PRIx64 " is neither 0x1000 (4 KiB) nor 0x200000 (2 MiB)", page);
        ok = false;
        page = 0x1000;
    }
    rec->page_bits = page == 0x1000 ? 12 : 21;

    if (required_number(n, "size", &size) < 0)
        ok = false;
    else if (size == 0) {
        error_node(n, "size must not be 0");
        ok = false;
    } else if (size % page) {
        error_node(n, "size 0x%" PRIx64 " is not a multiple of the page size 0x%" PRIx64, size, page);
        ok = false;
    } else if (size > MICA_ROOT_AREA - MICA_USER_MIN) {
        error_node(n, "size 0x%" PRIx64 " is larger than the user address space (0x%llx)", size,
                   MICA_ROOT_AREA - MICA_USER_MIN);
        ok = false;
    }
    rec->size = size;

    int r_phys = number(n, "phys_addr", &phys);
    if (r_phys < 0)
        ok = false;
    else if (r_phys > 0) {
        rec->flags |= MICA_SYS_REGION_PHYS;
        rec->paddr = phys;
        if (phys % page) {
            error_node(n, "phys_addr 0x%" PRIx64 " is not aligned to the page size 0x%" PRIx64, phys, page);
            ok = false;
        } else if (phys >= PHYS_LIMIT || size > PHYS_LIMIT - phys) {
            error_node(n, "phys_addr 0x%" PRIx64 " + size 0x%" PRIx64 " goes past the 52-bit physical address space",
                       phys, size);
            ok = false;
        }
    }

    const char *paging = attr(n, "paging");
    if (paging && !strcmp(paging, "demand")) {
        rec->flags |= MICA_SYS_REGION_DEMAND;
        if (r_phys > 0) {
            error_node(n, "paging=\"demand\" cannot be combined with phys_addr (device memory is never paged)");
            ok = false;
        }
        if (rec->page_bits != 12) {
            error_node(n, "paging=\"demand\" needs 4 KiB pages (page_size 0x1000)");
            ok = false;
        }
    } else if (paging && strcmp(paging, "eager")) {
        error_node(n, "paging \"%.40s\" is neither \"eager\" nor \"demand\"", paging);
        ok = false;
    }
    r->ok = ok;
}

/* ---------------------------------------------------------------- protection_domain */

static void parse_pd_attrs(struct sys *sys, xmlNode *n)
{
    static const char *const allowed[] = {"name", "priority", "budget", "period", "stack_size", "heap_size", NULL};
    struct sys_pd *pd = PUSH(sys->pds);
    struct mica_sys_pd *rec = &pd->rec;
    uint64_t v;
    bool ok = true;
    int r;

    pd->node = n;
    check_attrs(n, allowed);
    if (required_name(n, "name", rec->name) < 0)
        ok = false;
    else {
        int other = find_pd(sys, rec->name);
        if (other >= 0 && other != (int)(pd - sys->pds.v)) {
            error_node(n, "duplicate protection domain name '%s' (first at line %ld)", rec->name,
                       node_line(sys->pds.v[other].node));
            ok = false;
        }
    }

    rec->priority = MICA_SYS_DEFAULT_PRIORITY;
    if ((r = number(n, "priority", &v)) < 0)
        ok = false;
    else if (r > 0 && v > MICA_SYS_PRIORITY_MAX) {
        error_node(n, "priority %" PRIu64 " is above the maximum %d (255 is init's own)", v,
                   MICA_SYS_PRIORITY_MAX);
        ok = false;
    } else if (r > 0)
        rec->priority = (uint32_t)v;

    rec->budget = MICA_SYS_DEFAULT_BUDGET;
    if ((r = number(n, "budget", &v)) < 0)
        ok = false;
    else if (r > 0 && v == 0) {
        error_node(n, "budget must not be 0");
        ok = false;
    } else if (r > 0)
        rec->budget = v;
    rec->period = rec->budget;
    if ((r = number(n, "period", &v)) < 0)
        ok = false;
    else if (r > 0)
        rec->period = v;
    if (rec->budget > rec->period) {
        error_node(n, "budget %" PRIu64 " exceeds period %" PRIu64, rec->budget, rec->period);
        ok = false;
    }

    rec->stack_size = MICA_SYS_DEFAULT_STACK_SIZE;
    if ((r = number(n, "stack_size", &v)) < 0)
        ok = false;
    else if (r > 0 && (v == 0 || v % MICA_PAGE_SIZE)) {
        error_node(n, "stack_size 0x%" PRIx64 " is not a non-zero multiple of 0x1000", v);
        ok = false;
    } else if (r > 0 && v > MICA_SYS_STACK_MAX) {
        error_node(n, "stack_size 0x%" PRIx64 " is above the maximum 0x%llx", v, MICA_SYS_STACK_MAX);
        ok = false;
    } else if (r > 0)
        rec->stack_size = v;

    rec->heap_size = MICA_SYS_DEFAULT_HEAP_SIZE;
    if ((r = number(n, "heap_size", &v)) < 0)
        ok = false;
    else if (r > 0 && v % MICA_PAGE_SIZE) {
        error_node(n, "heap_size 0x%" PRIx64 " is not a multiple of 0x1000", v);
        ok = false;
    } else if (r > 0 && v > MICA_SYS_HEAP_MAX) {
        error_node(n, "heap_size 0x%" PRIx64 " is above the maximum 0x%llx", v, MICA_SYS_HEAP_MAX);
        ok = false;
    } else if (r > 0)
        rec->heap_size = v;
    pd->ok = ok;
}

/* ---------------------------------------------------------------- channel */

static void parse_channel_end(struct sys *sys, struct sys_channel *ch, unsigned k, xmlNode *n)
{
    static const char *const allowed[] = {"pd", "id", "pp", "notify", NULL};
    struct mica_sys_channel_end *e = &ch->rec.end[k];
    char pd[MICA_SYS_NAME_MAX];
    uint64_t id;
    bool ok = true, pp = false, notify = true;
    int idx = -1;

    ch->end_node[k] = n;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "pd", pd) < 0)
        ok = false;
    else if ((idx = find_pd(sys, pd)) < 0) {
        error_node(n, "unknown protection domain '%s'", pd);
        ok = false;
    } else
        e->pd = (uint32_t)idx;
    if (required_number(n, "id", &id) < 0)
        ok = false;
    else if (id >= MICA_CHANNEL_MAX) {
        error_node(n, "id %" PRIu64 " is out of range (0-%d)", id, MICA_CHANNEL_MAX - 1);
        ok = false;
    } else
        e->id = (uint32_t)id;
    if (boolean(n, "pp", &pp) < 0 || boolean(n, "notify", &notify) < 0)
        ok = false;
    e->flags = (pp ? MICA_SYS_END_PP : 0) | (notify ? MICA_SYS_END_NOTIFY : 0);
    if (k == 1 && ok && ch->end_ok[0] && ch->rec.end[0].pd == e->pd) {
        error_node(n, "both ends of the channel are in PD '%s' (a channel joins two PDs)", pd);
        ok = false;
    }
    ch->end_ok[k] = ok;
}

static void parse_channel(struct sys *sys, xmlNode *n)
{
    static const char *const allowed[] = {NULL};
    struct sys_channel *ch = PUSH(sys->channels);

    ch->node = n;
    check_attrs(n, allowed);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_tag(c, "end")) {
            if (ch->n_ends < 2)
                parse_channel_end(sys, ch, ch->n_ends, c);
            else if (ch->n_ends == 2)
                error_at(node_line(c), "%s: a third end: a channel has exactly two ends", node_desc(c));
            ch->n_ends++;
        } else if (c->type == XML_ELEMENT_NODE)
            unknown_element(n, c, "allowed: end");
        else
            check_text(n, c);
    }
    if (ch->n_ends < 2)
        error_node(n, "has %u end%s: a channel has exactly two ends", ch->n_ends, ch->n_ends == 1 ? "" : "s");
    ch->ok = ch->n_ends == 2 && ch->end_ok[0] && ch->end_ok[1];
}

/* ---------------------------------------------------------------- endpoint */

static const uint32_t right_bits[] = {MICA_RIGHT_READ, MICA_RIGHT_WRITE, MICA_RIGHT_GRANT};

static void parse_endpoint_end(struct sys *sys, unsigned ep_index, xmlNode *n)
{
    static const char *const allowed[] = {"pd", "rights", "badge", "name", NULL};
    struct sys_endpoint *ep = &sys->endpoints.v[ep_index];
    struct sys_endpoint_end *e = PUSH(sys->endpoint_ends);
    struct mica_sys_endpoint_end *rec = &e->rec;
    char pd[MICA_SYS_NAME_MAX];
    bool ok = true;
    int idx = -1;

    e->node = n;
    rec->endpoint = ep_index;
    check_attrs(n, allowed);
    check_empty(n);
    if (required_name(n, "pd", pd) < 0)
        ok = false;
    else if ((idx = find_pd(sys, pd)) < 0) {
        error_node(n, "unknown protection domain '%s'", pd);
        ok = false;
    } else {
        rec->pd = (uint32_t)idx;
        e->pd_ok = true;
        for (struct sys_endpoint_end *o = sys->endpoint_ends.v; o < e; o++)
            if (o->pd_ok && o->rec.endpoint == ep_index && o->rec.pd == (uint32_t)idx) {
                error_node(n, "PD '%s' already has an end of endpoint '%s' (line %ld)", pd, ep->rec.name,
                           node_line(o->node));
                ok = false;
                break;
            }
    }
    rec->rights = MICA_RIGHT_READ | MICA_RIGHT_WRITE;
    if (letters_attr(n, "rights", "rwg", right_bits, "letters r, w, g", &rec->rights) < 0)
        ok = false;
    if (number(n, "badge", &rec->badge) < 0)
        ok = false;
    int rn = name_attr(n, "name", rec->name);
    if (rn < 0)
        ok = false;
    else if (rn == 0)
        memcpy(rec->name, ep->rec.name, sizeof rec->name);
    if (ok && rec->name[0] && !add_resname(&sys->pds.v[idx], rec->name, n, "endpoint end"))
        ok = false;
    e->ok = ok;
}

static void parse_endpoint_name(struct sys *sys, xmlNode *n)
{
    static const char *const allowed[] = {"name", NULL};
    struct sys_endpoint *ep = PUSH(sys->endpoints);

    ep->node = n;
    check_attrs(n, allowed);
    if (required_name(n, "name", ep->rec.name) < 0)
        return;
    for (struct sys_endpoint *o = sys->endpoints.v; o < ep; o++)
        if (!strcmp(o->rec.name, ep->rec.name)) {
            error_node(n, "duplicate endpoint name '%s' (first at line %ld)", ep->rec.name, node_line(o->node));
            return;
        }
}

static void parse_endpoint_ends(struct sys *sys, unsigned ep_index)
{
    xmlNode *n = sys->endpoints.v[ep_index].node;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is_tag(c, "end")) {
            parse_endpoint_end(sys, ep_index, c);
            sys->endpoints.v[ep_index].n_ends++;
        } else if (c->type == XML_ELEMENT_NODE)
            unknown_element(n, c, "allowed: end");
        else
            check_text(n, c);
    }
    if (!sys->endpoints.v[ep_index].n_ends)
        error_node(n, "has no <end>: give it to at least one PD");
}

/* ---------------------------------------------------------------- the file */

/* The system's name: the file name without .system, made a valid name. */
static void system_name(struct sys *sys, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 7 && !strcmp(base + n - 7, ".system"))
        n -= 7;
    if (n >= MICA_SYS_NAME_MAX)
        n = MICA_SYS_NAME_MAX - 1;
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        sys->name[i] = (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-') ? c : '_';
    }
    sys->name[n] = 0;
    if (!n)
        snprintf(sys->name, sizeof sys->name, "system");
}

/* libxml2 keeps no line for the DTD: find "<!DOCTYPE" in the text. */
static long doctype_line(const char *path)
{
    FILE *f = fopen(path, "rb");
    long line = 1;
    int c, matched = 0;
    static const char key[] = "<!DOCTYPE";
    if (!f)
        return 1;
    while ((c = getc(f)) != EOF && key[matched]) {
        if (c == '\n')
            line++;
        matched = c == key[matched] ? matched + 1 : c == key[0];
    }
    fclose(f);
    return key[matched] ? 1 : line;
}

bool sys_parse(struct sys *sys, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "mksystem: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    fclose(f);
    system_name(sys, path);

    xml_quiet();
    sys->doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (!sys->doc) {
        if (!diag_errors())
            error_at(1, "XML: cannot parse the file");
        return true;
    }
    if (sys->doc->intSubset || sys->doc->extSubset)
        error_at(doctype_line(path), "DOCTYPE declarations are not allowed in a system description");
    xmlNode *root = xmlDocGetRootElement(sys->doc);
    if (!root) {
        error_at(1, "the file has no root element (expected <system>)");
        return true;
    }
    sys->root = root;
    if (!is_tag(root, "system")) {
        error_at(node_line(root), "the root element is <%s>, expected <system>", (const char *)root->name);
        return true;
    }
    static const char *const none[] = {NULL};
    check_attrs(root, none);

    /* Pass 1: regions and the PDs' own attributes; endpoint names. */
    for (xmlNode *c = root->children; c; c = c->next) {
        if (is_tag(c, "memory_region"))
            parse_region(sys, c);
        else if (is_tag(c, "protection_domain"))
            parse_pd_attrs(sys, c);
        else if (is_tag(c, "endpoint"))
            parse_endpoint_name(sys, c);
        else if (is_tag(c, "channel"))
            ;
        else if (c->type == XML_ELEMENT_NODE)
            unknown_element(root, c, "allowed: memory_region, protection_domain, channel, endpoint");
        else
            check_text(root, c);
    }
    /* Pass 2: what each PD holds. */
    for (unsigned i = 0; i < sys->pds.n; i++)
        parse_pd_contents(sys, i);
    /* Pass 3: what joins PDs. */
    unsigned ep = 0;
    for (xmlNode *c = root->children; c; c = c->next) {
        if (is_tag(c, "channel"))
            parse_channel(sys, c);
        else if (is_tag(c, "endpoint"))
            parse_endpoint_ends(sys, ep++);
    }
    return true;
}

void sys_free(struct sys *sys)
{
    xml_strings_free();
    for (unsigned i = 0; i < sys->programs.n; i++) {
        free(sys->programs.v[i].path);
        free(sys->programs.v[i].data);
    }
    for (unsigned i = 0; i < sys->pds.n; i++) {
        free(sys->pds.v[i].program_path);
        free(sys->pds.v[i].names.v);
    }
    for (unsigned i = 0; i < sys->irqs.n; i++)
        free(sys->irqs.v[i].msi_device);
    free(sys->programs.v);
    free(sys->pds.v);
    free(sys->regions.v);
    free(sys->maps.v);
    free(sys->channels.v);
    free(sys->irqs.v);
    free(sys->ioports.v);
    free(sys->devices.v);
    free(sys->bars.v);
    free(sys->endpoints.v);
    free(sys->endpoint_ends.v);
    free(sys->untypeds.v);
    if (sys->doc)
        xmlFreeDoc(sys->doc);
    xmlCleanupParser();
}
