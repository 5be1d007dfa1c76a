/*
 * ACPI table parsing (see acpi.h; facts from the ACPI specification 6.x,
 * section 5.2, the PCI Firmware specification for MCFG and the Intel VT-d
 * specification, chapter 8, for DMAR).
 *
 * Tables are packed little-endian byte arrays at arbitrary alignment, so
 * every field is read byte by byte at an offset that has been checked
 * against the table's length first. Each table is parsed into a local copy
 * and committed to the platform record only when the whole table passed,
 * so a refused table leaves no trace but its message.
 */
#include <acpi.h>
#include <console.h>
#include <mica/device.h>
#include <stdarg.h>

#define HEADER_LEN 36 /* the standard description header every table starts with */

/* Fixed parts before the entry lists. */
#define MADT_ENTRIES 44 /* header, local APIC address, flags */
#define MCFG_ENTRIES 44 /* header, 8 reserved bytes */
#define MCFG_ENTRY_LEN 16
#define DMAR_ENTRIES 48 /* header, host address width, flags, 10 reserved bytes */

/* MADT entry types the kernel reads, and their minimum lengths. */
#define MADT_IOAPIC 1
#define MADT_IOAPIC_LEN 12
#define MADT_OVERRIDE 2
#define MADT_OVERRIDE_LEN 10
#define MADT_LAPIC_OVERRIDE 5
#define MADT_LAPIC_OVERRIDE_LEN 12

/* MPS INTI flags of an interrupt source override. */
#define INTI_POLARITY(f) ((f) & 0x3)        /* 0 bus default, 1 high, 3 low */
#define INTI_TRIGGER(f)  (((f) >> 2) & 0x3) /* 0 bus default, 1 edge, 3 level */
#define INTI_RESERVED 2

/* DMAR remapping structures: only the hardware unit definitions matter. */
#define DMAR_DRHD 0
#define DMAR_DRHD_LEN 16 /* before its device scopes */
#define DRHD_INCLUDE_PCI_ALL 0x1
#define DMAR_FLAG_INTR_REMAP 0x1 /* DMAR flags (byte 37) */
/* Device scopes after a DRHD's fixed part: type, length, 2 reserved bytes,
 * enumeration ID, start bus, then (device, function) path entries. */
#define SCOPE_LEN 6
#define SCOPE_IOAPIC 3

#define PAGE 4096u
#define IOAPIC_ALIGN 1024u    /* 82093AA: the window moves in 1 KiB steps */
#define ECAM_BUS_SIZE (1ull << 20)

static uint16_t rd16(const uint8_t *p, uint32_t off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
    return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, uint32_t off)
{
    return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

static bool checksum_ok(const uint8_t *p, uint64_t len)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

static bool same_bytes(const uint8_t *p, const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i] != (uint8_t)s[i])
            return false;
    return true;
}

/* A table being parsed: its bytes, length, where it is and its name. */
struct table {
    const uint8_t *b;
    uint32_t len;
    uint64_t paddr;
    const char *name;
};

/* Report a refused table in one line; always returns false. */
static __attribute__((format(printf, 3, 4))) bool refuse(const char *name, uint64_t paddr,
                                                          const char *fmt, ...)
{
    va_list ap;
    kprintf("acpi: %s at 0x%lx refused: ", name, paddr);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("; table ignored\n");
    return false;
}

#define REFUSE(t, ...) refuse((t)->name, (t)->paddr, __VA_ARGS__)

/*
 * Map the table at paddr and check its signature, length (at least
 * min_len, at most ACPI_TABLE_MAX) and checksum.
 */
static bool load_table(const struct acpi_access *mem, uint64_t paddr, const char *name,
                       const char *sig, uint32_t min_len, struct table *t)
{
    *t = (struct table){ 0, 0, paddr, name };
    const uint8_t *h = paddr ? mem->map(mem->ctx, paddr, HEADER_LEN) : 0;
    if (!h)
        return refuse(name, paddr, "its header cannot be read");
    if (!same_bytes(h, sig, 4))
        return refuse(name, paddr, "signature is not \"%s\"", sig);
    uint32_t len = rd32(h, 4);
    if (len < min_len)
        return refuse(name, paddr, "length %u is below the %u bytes of its fixed part", len,
                      min_len);
    if (len > ACPI_TABLE_MAX)
        return refuse(name, paddr, "length %u is above the %u-byte limit", len, ACPI_TABLE_MAX);
    const uint8_t *b = mem->map(mem->ctx, paddr, len);
    if (!b)
        return refuse(name, paddr, "its %u bytes cannot be read", len);
    if (!checksum_ok(b, len))
        return refuse(name, paddr, "bad checksum");
    t->b = b;
    t->len = len;
    return true;
}

void acpi_defaults(struct platform *p, struct acpi_info *info)
{
    *p = (struct platform){ 0 };
    *info = (struct acpi_info){ 0 };
    for (unsigned i = 0; i < 16; i++) {
        p->isa_gsi[i] = (uint8_t)i;
        p->isa_flags[i] = MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_HIGH;
    }
}

/* ------------------------------------------------------------------ MADT */

struct madt {
    uint64_t lapic;
    bool lapic_override;
    unsigned n_ioapics;
    struct platform_ioapic ioapic[PLATFORM_MAX_IOAPICS];
    uint8_t isa_gsi[16], isa_flags[16];
    uint16_t overridden; /* bit i: ISA IRQ i has an override */
};

static bool madt_ioapic(const struct table *t, uint32_t off, struct madt *m)
{
    const uint8_t *e = t->b + off;
    uint64_t addr = rd32(e, 4);
    uint32_t gsi_base = rd32(e, 8);
    if (m->n_ioapics == PLATFORM_MAX_IOAPICS)
        return REFUSE(t, "more than %u I/O APICs", PLATFORM_MAX_IOAPICS);
    if (addr == 0 || addr % IOAPIC_ALIGN)
        return REFUSE(t, "I/O APIC %u at 0x%lx: address not a non-zero multiple of 1 KiB",
                      e[2], addr);
    for (unsigned i = 0; i < m->n_ioapics; i++) {
        if (m->ioapic[i].paddr == addr)
            return REFUSE(t, "two I/O APICs at 0x%lx", addr);
        if (m->ioapic[i].gsi_base == gsi_base)
            return REFUSE(t, "two I/O APICs serve GSIs from %u", gsi_base);
    }
    m->ioapic[m->n_ioapics++] = (struct platform_ioapic){ addr, gsi_base, e[2] };
    return true;
}

static bool madt_override(const struct table *t, uint32_t off, struct madt *m)
{
    const uint8_t *e = t->b + off;
    unsigned bus = e[2], irq = e[3];
    uint32_t gsi = rd32(e, 4);
    uint16_t flags = rd16(e, 8);
    if (bus != 0)
        return REFUSE(t, "interrupt source override for bus %u (only 0, ISA, exists)", bus);
    if (irq > 15)
        return REFUSE(t, "interrupt source override for ISA IRQ %u (only 0-15 exist)", irq);
    if (gsi > 255)
        return REFUSE(t, "ISA IRQ %u overridden to GSI %u (above 255)", irq, gsi);
    if (INTI_POLARITY(flags) == INTI_RESERVED || INTI_TRIGGER(flags) == INTI_RESERVED)
        return REFUSE(t, "ISA IRQ %u override has reserved flags 0x%x", irq, flags);
    if (m->overridden & (1u << irq))
        return REFUSE(t, "two overrides for ISA IRQ %u", irq);
    m->overridden |= (uint16_t)(1u << irq);
    m->isa_gsi[irq] = (uint8_t)gsi;
    /* "Conforms to the bus" (0) means ISA's edge / active high. */
    m->isa_flags[irq] = (INTI_TRIGGER(flags) == 3 ? MICA_IRQ_LEVEL : MICA_IRQ_EDGE) |
                        (INTI_POLARITY(flags) == 3 ? MICA_IRQ_ACTIVE_LOW : MICA_IRQ_ACTIVE_HIGH);
    return true;
}

static bool madt_lapic_override(const struct table *t, uint32_t off, struct madt *m)
{
    if (m->lapic_override)
        return REFUSE(t, "two local APIC address overrides");
    m->lapic_override = true;
    m->lapic = rd64(t->b + off, 4);
    return true;
}

static bool parse_madt(const struct table *t, struct platform *p)
{
    struct madt m = { .lapic = rd32(t->b, 36) };
    for (unsigned i = 0; i < 16; i++) {
        m.isa_gsi[i] = p->isa_gsi[i];
        m.isa_flags[i] = p->isa_flags[i];
    }
    uint32_t elen;
    for (uint32_t off = MADT_ENTRIES; off < t->len; off += elen) {
        if (t->len - off < 2)
            return REFUSE(t, "entry at offset %u is cut off by the end of the table", off);
        unsigned type = t->b[off];
        elen = t->b[off + 1];
        if (elen < 2 || elen > t->len - off)
            return REFUSE(t, "entry at offset %u (type %u) has length %u, table ends at %u", off,
                          type, elen, t->len);
        unsigned need = type == MADT_IOAPIC            ? MADT_IOAPIC_LEN
                        : type == MADT_OVERRIDE        ? MADT_OVERRIDE_LEN
                        : type == MADT_LAPIC_OVERRIDE ? MADT_LAPIC_OVERRIDE_LEN
                                                       : 0;
        if (elen < need)
            return REFUSE(t, "entry at offset %u (type %u) has length %u, needs %u", off, type,
                          elen, need);
        bool ok = true;
        if (type == MADT_IOAPIC)
            ok = madt_ioapic(t, off, &m);
        else if (type == MADT_OVERRIDE)
            ok = madt_override(t, off, &m);
        else if (type == MADT_LAPIC_OVERRIDE)
            ok = madt_lapic_override(t, off, &m);
        /* Other types (processors, NMIs, x2APIC ...) are not the kernel's business. */
        if (!ok)
            return false;
    }
    if (m.lapic == 0 || m.lapic % PAGE)
        return REFUSE(t, "local APIC address 0x%lx is not a non-zero multiple of 4 KiB", m.lapic);
    if (m.lapic >= ACPI_MAX_PADDR)
        return REFUSE(t, "local APIC address 0x%lx is above 2^46", m.lapic);

    p->lapic_paddr = m.lapic;
    p->n_ioapics = m.n_ioapics;
    for (unsigned i = 0; i < m.n_ioapics; i++)
        p->ioapic[i] = m.ioapic[i];
    for (unsigned i = 0; i < 16; i++) {
        p->isa_gsi[i] = m.isa_gsi[i];
        p->isa_flags[i] = m.isa_flags[i];
    }

    kprintf("acpi: MADT: LAPIC 0x%lx, %u I/O APIC%s", m.lapic, m.n_ioapics,
            m.n_ioapics == 1 ? "" : "s");
    for (unsigned i = 0; i < m.n_ioapics; i++)
        kprintf("%sid %u, GSIs from %u at 0x%lx", i ? "; " : " (", m.ioapic[i].id,
                m.ioapic[i].gsi_base, m.ioapic[i].paddr);
    kprintf("%s", m.n_ioapics ? ")" : "");
    const char *sep = ", ISA ";
    for (unsigned i = 0; i < 16; i++) {
        if (!(m.overridden & (1u << i)))
            continue;
        kprintf("%sIRQ %u -> GSI %u%s%s", sep, i, m.isa_gsi[i],
                (m.isa_flags[i] & MICA_IRQ_LEVEL) ? " level" : "",
                (m.isa_flags[i] & MICA_IRQ_ACTIVE_LOW) ? " low" : "");
        sep = ", ";
    }
    kprintf("\n");
    return true;
}

/* ------------------------------------------------------------------ MCFG */

static bool parse_mcfg(const struct table *t, struct platform *p)
{
    uint32_t bytes = t->len - MCFG_ENTRIES;
    if (bytes % MCFG_ENTRY_LEN)
        return REFUSE(t, "length %u leaves a partial entry", t->len);
    if (bytes == 0)
        return REFUSE(t, "no entries");
    const uint8_t *e = t->b + MCFG_ENTRIES;
    uint64_t base = rd64(e, 0), end;
    unsigned segment = rd16(e, 8), first = e[10], last = e[11];
    if (first > last)
        return REFUSE(t, "bus range %u-%u is empty", first, last);
    /* The entry's base address is that of bus 0, even when the first bus
     * it decodes is higher. */
    if (base == 0 || base % ECAM_BUS_SIZE)
        return REFUSE(t, "ECAM base 0x%lx is not a non-zero multiple of 1 MiB", base);
    if (__builtin_add_overflow(base, (uint64_t)(last + 1) * ECAM_BUS_SIZE, &end) ||
        end > ACPI_MAX_PADDR)
        return REFUSE(t, "ECAM window for buses 0-%u at 0x%lx ends above 2^46", last, base);
    p->ecam = true;
    p->ecam_base = base + (uint64_t)first * ECAM_BUS_SIZE; /* where bus `first` starts */
    p->ecam_segment = (uint16_t)segment;
    p->ecam_bus_first = (uint8_t)first;
    p->ecam_bus_last = (uint8_t)last;
    unsigned more = bytes / MCFG_ENTRY_LEN - 1;
    kprintf("acpi: MCFG: PCI ECAM at 0x%lx, segment %u, buses %u-%u", p->ecam_base, segment,
            first, last);
    if (more)
        kprintf(" (%u further entr%s ignored)", more, more == 1 ? "y" : "ies");
    kprintf("\n");
    return true;
}

/* ------------------------------------------------------------------ DMAR */

static bool parse_dmar(const struct table *t, struct platform *p, struct acpi_info *info)
{
    unsigned width = t->b[36] + 1u; /* the field holds N - 1 */
    unsigned n = 0, n_src = 0, src_ignored = 0;
    struct platform_iommu unit[PLATFORM_MAX_IOMMUS];
    uint64_t reg_size[PLATFORM_MAX_IOMMUS];
    struct platform_ioapic_source src[PLATFORM_MAX_IOAPICS];
    if (width < 32 || width > 64)
        return REFUSE(t, "host address width %u bits is outside 32-64", width);
    uint32_t elen;
    for (uint32_t off = DMAR_ENTRIES; off < t->len; off += elen) {
        if (t->len - off < 4)
            return REFUSE(t, "structure at offset %u is cut off by the end of the table", off);
        unsigned type = rd16(t->b, off);
        elen = rd16(t->b, off + 2);
        if (elen < 4 || elen > t->len - off)
            return REFUSE(t, "structure at offset %u (type %u) has length %u, table ends at %u",
                          off, type, elen, t->len);
        if (type != DMAR_DRHD)
            continue; /* reserved memory, ATS, affinity, namespace: not used */
        if (elen < DMAR_DRHD_LEN)
            return REFUSE(t, "remapping unit at offset %u has length %u, needs %u", off, elen,
                          DMAR_DRHD_LEN);
        if (n == PLATFORM_MAX_IOMMUS)
            return REFUSE(t, "more than %u remapping units", PLATFORM_MAX_IOMMUS);
        const uint8_t *e = t->b + off;
        uint64_t base = rd64(e, 8), size = (uint64_t)PAGE << (e[5] & 0xf), end;
        if (base == 0 || base % PAGE)
            return REFUSE(t, "remapping unit registers at 0x%lx: not a non-zero multiple of 4 KiB",
                          base);
        if (__builtin_add_overflow(base, size, &end) || end > ACPI_MAX_PADDR)
            return REFUSE(t, "remapping unit registers at 0x%lx (%lu bytes) end above 2^46", base,
                          size);
        for (unsigned i = 0; i < n; i++)
            if (unit[i].paddr == base)
                return REFUSE(t, "two remapping units at 0x%lx", base);
        /* Its device scopes: only the I/O APICs matter (interrupt
         * remapping checks the requester ID of their messages). */
        uint32_t slen;
        for (uint32_t so = DMAR_DRHD_LEN; so < elen; so += slen) {
            slen = elen - so >= 2 ? e[so + 1] : 0;
            if (slen < SCOPE_LEN || slen > elen - so)
                return REFUSE(t, "device scope at offset %u of the remapping unit at offset %u "
                              "has length %u, the unit ends at %u", so, off, slen, elen);
            if (e[so] != SCOPE_IOAPIC)
                continue;
            if (slen != SCOPE_LEN + 2 || n_src == PLATFORM_MAX_IOAPICS) {
                src_ignored++; /* behind a bridge: the bus would need PCI reads */
                continue;
            }
            src[n_src++] = (struct platform_ioapic_source){
                e[so + 4], rd16(e, 6), (uint16_t)(e[so + 5] << 8 | e[so + 6] << 3 | (e[so + 7] & 7)) };
        }
        unit[n] = (struct platform_iommu){ base, rd16(e, 6), (e[4] & DRHD_INCLUDE_PCI_ALL) != 0 };
        reg_size[n++] = size;
    }
    if (n == 0)
        return REFUSE(t, "no remapping unit (DRHD)");

    p->n_iommus = n;
    p->dmar_host_address_width = (uint8_t)width;
    p->dmar_intremap = (t->b[37] & DMAR_FLAG_INTR_REMAP) != 0;
    p->n_ioapic_sources = n_src;
    for (unsigned i = 0; i < n_src; i++)
        p->ioapic_source[i] = src[i];
    for (unsigned i = 0; i < n; i++) {
        p->iommu[i] = unit[i];
        info->iommu_reg_size[i] = reg_size[i];
    }
    kprintf("acpi: DMAR: %u VT-d unit%s", n, n == 1 ? "" : "s:");
    for (unsigned i = 0; i < n; i++)
        kprintf("%s 0x%lx (%s devices of segment %u)", i ? "," : n == 1 ? " at" : "",
                unit[i].paddr, unit[i].include_all ? "all" : "listed", unit[i].segment);
    kprintf(", %u-bit host addresses%s\n", width,
            p->dmar_intremap ? ", interrupt remapping" : "");
    for (unsigned i = 0; i < n_src; i++)
        kprintf("acpi: DMAR: I/O APIC %u sends as %02x:%02x.%u of segment %u\n", src[i].id,
                src[i].source_id >> 8, (src[i].source_id >> 3) & 0x1f, src[i].source_id & 7,
                src[i].segment);
    if (src_ignored)
        kprintf("acpi: DMAR: %u I/O APIC scope%s behind a bridge or beyond %u ignored\n",
                src_ignored, src_ignored == 1 ? "" : "s", PLATFORM_MAX_IOAPICS);
    return true;
}

/* ------------------------------------------------------------- the lists */

/* The tables the kernel reads: signature, name in messages, minimum length. */
enum { T_MADT, T_MCFG, T_DMAR, T_COUNT };
static const struct {
    const char *sig;
    const char *name;
    uint32_t min_len;
} wanted[T_COUNT] = {
    [T_MADT] = { "APIC", "MADT", MADT_ENTRIES },
    [T_MCFG] = { "MCFG", "MCFG", MCFG_ENTRIES },
    [T_DMAR] = { "DMAR", "DMAR", DMAR_ENTRIES },
};

static bool parse_one(unsigned which, const struct table *t, struct platform *p,
                      struct acpi_info *info)
{
    switch (which) {
    case T_MADT: return info->madt = parse_madt(t, p);
    case T_MCFG: return info->mcfg = parse_mcfg(t, p);
    default: return info->dmar = parse_dmar(t, p, info);
    }
}

static bool *accepted(unsigned which, struct acpi_info *info)
{
    return which == T_MADT ? &info->madt : which == T_MCFG ? &info->mcfg : &info->dmar;
}

/* Walk the RSDT (4-byte entries) or XSDT (8-byte entries) at paddr. */
static bool walk_root(const struct acpi_access *mem, uint64_t paddr, bool xsdt,
                      struct platform *p, struct acpi_info *info)
{
    struct table root;
    const char *name = xsdt ? "XSDT" : "RSDT";
    unsigned esize = xsdt ? 8 : 4;
    if (!load_table(mem, paddr, name, name, HEADER_LEN, &root))
        return false;
    if ((root.len - HEADER_LEN) % esize)
        return REFUSE(&root, "length %u leaves a partial entry", root.len);
    bool seen[T_COUNT] = { false };
    unsigned n = (root.len - HEADER_LEN) / esize, unreadable = 0, first_bad = 0;
    uint64_t first_bad_addr = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t off = HEADER_LEN + i * esize;
        uint64_t addr = xsdt ? rd64(root.b, off) : rd32(root.b, off);
        const uint8_t *sig = addr ? mem->map(mem->ctx, addr, 4) : 0;
        if (!sig) { /* counted, reported once below: a long list must not flood the console */
            if (!unreadable++) {
                first_bad = i;
                first_bad_addr = addr;
            }
            continue;
        }
        for (unsigned w = 0; w < T_COUNT; w++) {
            if (!same_bytes(sig, wanted[w].sig, 4))
                continue;
            if (*accepted(w, info)) {
                kprintf("acpi: %s at 0x%lx: a second %s; ignored\n", wanted[w].name, addr,
                        wanted[w].name);
                break;
            }
            seen[w] = true;
            struct table t;
            if (load_table(mem, addr, wanted[w].name, wanted[w].sig, wanted[w].min_len, &t))
                parse_one(w, &t, p, info);
            break;
        }
    }
    if (unreadable)
        kprintf("acpi: %s: %u entr%s cannot be read (the first is entry %u, at 0x%lx); skipped\n",
                name, unreadable, unreadable == 1 ? "y" : "ies", first_bad, first_bad_addr);
    if (!seen[T_MADT])
        kprintf("acpi: no MADT table\n");
    if (!seen[T_MCFG])
        kprintf("acpi: no MCFG table: no PCI ECAM\n");
    if (!seen[T_DMAR])
        kprintf("acpi: no DMAR table: no IOMMU\n");
    return true;
}

long acpi_find_rsdp(const uint8_t *area, uint64_t len)
{
    for (uint64_t off = 0; len >= ACPI_RSDP_V1_LEN && off <= len - ACPI_RSDP_V1_LEN; off += 16)
        if (same_bytes(area + off, "RSD PTR ", 8) && checksum_ok(area + off, ACPI_RSDP_V1_LEN))
            return (long)off;
    return -1;
}

bool acpi_parse(const struct acpi_access *mem, uint64_t rsdp_paddr, struct platform *p,
                struct acpi_info *info)
{
    acpi_defaults(p, info);
    info->rsdp = rsdp_paddr;
    const uint8_t *r = mem->map(mem->ctx, rsdp_paddr, ACPI_RSDP_V1_LEN);
    if (!r)
        return refuse("RSDP", rsdp_paddr, "it cannot be read");
    if (!same_bytes(r, "RSD PTR ", 8))
        return refuse("RSDP", rsdp_paddr, "signature is not \"RSD PTR \"");
    if (!checksum_ok(r, ACPI_RSDP_V1_LEN))
        return refuse("RSDP", rsdp_paddr, "bad checksum");
    info->revision = r[15];
    uint64_t rsdt = rd32(r, 16), xsdt = 0;

    /* ACPI 2.0+: the extended part must be valid too, else only the RSDT is used. */
    if (info->revision >= 2) {
        const uint8_t *r2 = mem->map(mem->ctx, rsdp_paddr, ACPI_RSDP_V2_LEN);
        uint32_t len = r2 ? rd32(r2, 20) : 0;
        const uint8_t *all = 0;
        if (len >= ACPI_RSDP_V2_LEN && len <= PAGE)
            all = mem->map(mem->ctx, rsdp_paddr, len);
        if (!r2 || len < ACPI_RSDP_V2_LEN || len > PAGE)
            kprintf("acpi: RSDP at 0x%lx: revision %u with length %u; XSDT not used\n",
                    rsdp_paddr, info->revision, len);
        else if (!all || !checksum_ok(all, len))
            kprintf("acpi: RSDP at 0x%lx: bad extended checksum; XSDT not used\n", rsdp_paddr);
        else
            xsdt = rd64(r2, 24);
    }
    if (xsdt && walk_root(mem, xsdt, true, p, info)) {
        info->xsdt = true;
    } else if (!rsdt || !walk_root(mem, rsdt, false, p, info)) {
        kprintf("acpi: RSDP at 0x%lx: no usable RSDT or XSDT\n", rsdp_paddr);
        return false;
    }
    p->acpi = true;
    return true;
}
