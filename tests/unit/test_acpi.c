/*
 * Host unit tests for kernel/core/acpi.c: finding the RSDP and parsing the
 * RSDT/XSDT, MADT, MCFG and DMAR into the platform facts.
 *
 * Tables are built byte by byte in a fake physical memory (PHYS ..
 * PHYS + MEM_SIZE). The parser reads memory only through the map function,
 * and every map call returns a fresh heap copy of exactly the bytes asked
 * for, so AddressSanitizer catches any read past what the parser mapped,
 * i.e. past the table it checked. kprintf output is captured so the tests
 * check that each refusal names its table and its problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <acpi.h>
#include <console.h>
#include <mica/device.h>

#define PHYS     0x7ffe0000ull /* where QEMU keeps its tables with -m 2G */
#define MEM_SIZE 0x10000u

/* Offsets in the fake memory. */
#define RSDP  0x0000u
#define RSDT  0x0100u
#define XSDT  0x0200u
#define MADT  0x1000u
#define MCFG  0x2000u
#define DMAR  0x3000u
#define OTHER 0x4000u /* a second table of some kind */
#define FACP  0x5000u /* a table the parser does not read */

#define P(off) (PHYS + (off))

static uint8_t mem[MEM_SIZE];

/* ----------------------------------------------- kernel services, faked */

static char log_buf[1 << 16];
static size_t log_len;

int kvprintf(const char *fmt, va_list ap)
{
    int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
    if (n > 0)
        log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : sizeof(log_buf) - log_len - 1;
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

#define MAX_COPIES 4096
static void *copies[MAX_COPIES];
static unsigned n_copies;
static unsigned map_calls;

static void free_copies(void)
{
    for (unsigned i = 0; i < n_copies; i++)
        free(copies[i]);
    n_copies = 0;
}

static const void *fake_map(void *ctx, uint64_t paddr, uint64_t len)
{
    (void)ctx;
    map_calls++;
    if (paddr < PHYS || len == 0 || len > MEM_SIZE || paddr - PHYS > MEM_SIZE - len)
        return NULL;
    if (n_copies == MAX_COPIES)
        free_copies(); /* only the fuzz test gets here; it never keeps pointers */
    uint8_t *c = malloc(len);
    assert_non_null(c);
    memcpy(c, mem + (paddr - PHYS), len);
    copies[n_copies++] = c;
    return c;
}

static const struct acpi_access access = { fake_map, NULL };

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    log_len = 0;
    log_buf[0] = '\0';
    map_calls = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free_copies();
    return 0;
}

#define EXPECT_LOG(s)                                                                  \
    do {                                                                               \
        if (!strstr(log_buf, (s)))                                                     \
            fail_msg("expected \"%s\" in the log:\n%s", (s), log_buf);                 \
    } while (0)
#define EXPECT_NO_LOG(s)                                                               \
    do {                                                                               \
        if (strstr(log_buf, (s)))                                                      \
            fail_msg("did not expect \"%s\" in the log:\n%s", (s), log_buf);           \
    } while (0)

/* ------------------------------------------------------- table builders */

static void w8(uint32_t off, uint8_t v) { mem[off] = v; }
static void w32(uint32_t off, uint32_t v) { memcpy(mem + off, &v, 4); }
static void w64(uint32_t off, uint64_t v) { memcpy(mem + off, &v, 8); }
static uint32_t r32(uint32_t off)
{
    uint32_t v;
    memcpy(&v, mem + off, 4);
    return v;
}

/* Set the byte at `at` so that the `len` bytes from `off` sum to zero. */
static void fix_sum(uint32_t off, uint32_t len, uint32_t at)
{
    uint8_t sum = 0;
    mem[at] = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + mem[off + i]);
    mem[at] = (uint8_t)-sum;
}

/* Recompute a table's checksum from its length field. */
static void table_sum(uint32_t off)
{
    fix_sum(off, r32(off + 4), off + 9);
}

/* A table under construction: header, then bytes appended. */
struct tb {
    uint32_t off, len;
};

static struct tb table_begin(uint32_t off, const char *sig, uint32_t fixed_len)
{
    memset(mem + off, 0, fixed_len);
    memcpy(mem + off, sig, 4);
    w8(off + 8, 1);                          /* revision */
    memcpy(mem + off + 10, "MICA  ", 6);     /* OEM ID */
    memcpy(mem + off + 16, "TESTTBL ", 8);   /* OEM table ID */
    return (struct tb){ off, fixed_len };
}

static void put(struct tb *t, const uint8_t *bytes, unsigned n)
{
    assert_true(t->off + t->len + n <= MEM_SIZE);
    memcpy(mem + t->off + t->len, bytes, n);
    t->len += n;
}

static void table_end(struct tb *t)
{
    w32(t->off + 4, t->len);
    table_sum(t->off);
}

/* RSDP of `revision` (0 or 2) with the given RSDT and XSDT addresses. */
static void rsdp(uint32_t off, unsigned revision, uint64_t rsdt, uint64_t xsdt)
{
    memset(mem + off, 0, ACPI_RSDP_V2_LEN);
    memcpy(mem + off, "RSD PTR ", 8);
    memcpy(mem + off + 9, "MICA  ", 6);
    w8(off + 15, (uint8_t)revision);
    w32(off + 16, (uint32_t)rsdt);
    if (revision >= 2) {
        w32(off + 20, ACPI_RSDP_V2_LEN);
        w64(off + 24, xsdt);
    }
    fix_sum(off, ACPI_RSDP_V1_LEN, off + 8);
    if (revision >= 2)
        fix_sum(off, ACPI_RSDP_V2_LEN, off + 32);
}

/* A root table (RSDT: 4-byte entries, XSDT: 8-byte) listing `n` tables. */
static void root(uint32_t off, int xsdt, const uint64_t *addrs, unsigned n)
{
    struct tb t = table_begin(off, xsdt ? "XSDT" : "RSDT", 36);
    for (unsigned i = 0; i < n; i++) {
        uint8_t e[8];
        memcpy(e, &addrs[i], 8);
        put(&t, e, xsdt ? 8 : 4);
    }
    table_end(&t);
}

#define ROOT(off, xsdt, ...)                                                 \
    do {                                                                     \
        static const uint64_t a_[] = { __VA_ARGS__ };                        \
        root((off), (xsdt), a_, (unsigned)(sizeof(a_) / sizeof(a_[0])));     \
    } while (0)

/* MADT entries. */
static void madt_lapic(struct tb *t, uint8_t uid, uint8_t apic_id)
{
    uint8_t e[8] = { 0, 8, uid, apic_id, 1, 0, 0, 0 };
    put(t, e, sizeof(e));
}

static void madt_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t e[12] = { 1, 12, id, 0 };
    memcpy(e + 4, &addr, 4);
    memcpy(e + 8, &gsi_base, 4);
    put(t, e, sizeof(e));
}

static void madt_override(struct tb *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = { 2, 10, bus, irq };
    memcpy(e + 4, &gsi, 4);
    memcpy(e + 8, &flags, 2);
    put(t, e, sizeof(e));
}

static void madt_lapic_nmi(struct tb *t)
{
    uint8_t e[6] = { 4, 6, 0xff, 0, 0, 1 };
    put(t, e, sizeof(e));
}

static void madt_lapic_override(struct tb *t, uint64_t addr)
{
    uint8_t e[12] = { 5, 12 };
    memcpy(e + 4, &addr, 8);
    put(t, e, sizeof(e));
}

static struct tb madt_begin(uint32_t off, uint32_t lapic)
{
    struct tb t = table_begin(off, "APIC", 44);
    w32(off + 36, lapic);
    w32(off + 40, 1); /* PCAT_COMPAT */
    return t;
}

/* The MADT QEMU gives a one-CPU q35. */
static void madt_qemu(uint32_t off)
{
    struct tb t = madt_begin(off, 0xfee00000);
    madt_lapic(&t, 0, 0);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    madt_override(&t, 0, 0, 2, 0);
    madt_override(&t, 0, 5, 5, 0xd);
    madt_override(&t, 0, 9, 9, 0xd);
    madt_override(&t, 0, 10, 10, 0xd);
    madt_override(&t, 0, 11, 11, 0xd);
    madt_lapic_nmi(&t);
    table_end(&t);
}

/* MCFG with the given entries (base, segment, first bus, last bus). */
struct mcfg_entry {
    uint64_t base;
    uint16_t segment;
    uint8_t first, last;
};

static void mcfg(uint32_t off, const struct mcfg_entry *e, unsigned n)
{
    struct tb t = table_begin(off, "MCFG", 44);
    for (unsigned i = 0; i < n; i++) {
        uint8_t b[16] = { 0 };
        memcpy(b, &e[i].base, 8);
        memcpy(b + 8, &e[i].segment, 2);
        b[10] = e[i].first;
        b[11] = e[i].last;
        put(&t, b, sizeof(b));
    }
    table_end(&t);
}

static void mcfg_qemu(uint32_t off)
{
    static const struct mcfg_entry e = { 0xb0000000, 0, 0, 255 };
    mcfg(off, &e, 1);
}

/* DMAR: host address width field (bits - 1), then structures. */
static struct tb dmar_begin(uint32_t off, unsigned width)
{
    struct tb t = table_begin(off, "DMAR", 48);
    w8(off + 36, (uint8_t)(width - 1));
    w8(off + 37, 1); /* interrupt remapping supported */
    return t;
}

/* A DRHD with `n_scopes` PCI endpoint device scopes after it. */
static void dmar_drhd(struct tb *t, uint8_t flags, uint8_t size, uint16_t segment, uint64_t base,
                      unsigned n_scopes)
{
    uint8_t e[16] = { 0 };
    uint16_t len = (uint16_t)(16 + 8 * n_scopes);
    memcpy(e + 2, &len, 2);
    e[4] = flags;
    e[5] = size;
    memcpy(e + 6, &segment, 2);
    memcpy(e + 8, &base, 8);
    put(t, e, sizeof(e));
    for (unsigned i = 0; i < n_scopes; i++) {
        uint8_t s[8] = { 1, 8, 0, 0, 0, 0, (uint8_t)i, 0 };
        put(t, s, sizeof(s));
    }
}

/* A reserved memory region structure (RMRR), which the parser skips. */
static void dmar_rmrr(struct tb *t)
{
    uint8_t e[24] = { 1, 0, 24, 0 };
    uint64_t base = 0x7f000000, limit = 0x7f0fffff;
    memcpy(e + 8, &base, 8);
    memcpy(e + 16, &limit, 8);
    put(t, e, sizeof(e));
}

static void dmar_qemu(uint32_t off)
{
    struct tb t = dmar_begin(off, 39);
    dmar_drhd(&t, 0x1, 0, 0, 0xfed90000, 1);
    table_end(&t);
}

/* A table of a kind the kernel does not read. */
static void facp(uint32_t off)
{
    struct tb t = table_begin(off, "FACP", 116);
    table_end(&t);
}

/* The whole QEMU set: RSDP v0 -> RSDT -> FACP, MADT, MCFG, DMAR. */
static void qemu_tables(void)
{
    rsdp(RSDP, 0, P(RSDT), 0);
    ROOT(RSDT, 0, P(FACP), P(MADT), P(MCFG), P(DMAR));
    facp(FACP);
    madt_qemu(MADT);
    mcfg_qemu(MCFG);
    dmar_qemu(DMAR);
}

static bool parse(struct platform *p, struct acpi_info *info)
{
    memset(p, 0xa5, sizeof(*p)); /* the parser must set everything itself */
    memset(info, 0xa5, sizeof(*info));
    return acpi_parse(&access, P(RSDP), p, info);
}

/* Nothing from the MADT: the defaults stand. */
static void expect_madt_defaults(const struct platform *p, const struct acpi_info *info)
{
    assert_false(info->madt);
    assert_int_equal(p->n_ioapics, 0);
    assert_int_equal(p->lapic_paddr, 0);
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(p->isa_gsi[i], i);
        assert_int_equal(p->isa_flags[i], MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_HIGH);
    }
}

/* Everything but the MADT is as QEMU's tables say. */
static void expect_qemu_mcfg_dmar(const struct platform *p, const struct acpi_info *info)
{
    assert_true(info->mcfg);
    assert_true(p->ecam);
    assert_int_equal(p->ecam_base, 0xb0000000);
    assert_true(info->dmar);
    assert_int_equal(p->n_iommus, 1);
    assert_int_equal(p->iommu[0].paddr, 0xfed90000);
}

/* ---- well-formed tables ------------------------------------------------ */

static void test_qemu_tables_through_the_rsdt(void **state)
{
    (void)state;
    qemu_tables();
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(p.acpi);
    assert_int_equal(info.rsdp, P(RSDP));
    assert_int_equal(info.revision, 0);
    assert_false(info.xsdt);

    assert_true(info.madt);
    assert_int_equal(p.lapic_paddr, 0xfee00000);
    assert_int_equal(p.n_ioapics, 1);
    assert_int_equal(p.ioapic[0].paddr, 0xfec00000);
    assert_int_equal(p.ioapic[0].gsi_base, 0);
    assert_int_equal(p.ioapic[0].id, 0);
    for (unsigned i = 0; i < 16; i++) {
        bool level = i == 5 || i == 9 || i == 10 || i == 11;
        assert_int_equal(p.isa_gsi[i], i == 0 ? 2 : i);
        assert_int_equal(p.isa_flags[i], level ? MICA_IRQ_LEVEL | MICA_IRQ_ACTIVE_HIGH
                                               : MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_HIGH);
    }

    assert_true(info.mcfg);
    assert_true(p.ecam);
    assert_int_equal(p.ecam_base, 0xb0000000);
    assert_int_equal(p.ecam_segment, 0);
    assert_int_equal(p.ecam_bus_first, 0);
    assert_int_equal(p.ecam_bus_last, 255);

    assert_true(info.dmar);
    assert_int_equal(p.n_iommus, 1);
    assert_int_equal(p.iommu[0].paddr, 0xfed90000);
    assert_int_equal(p.iommu[0].segment, 0);
    assert_true(p.iommu[0].include_all);
    assert_int_equal(info.iommu_reg_size[0], 4096);
    assert_int_equal(p.dmar_host_address_width, 39);

    EXPECT_LOG("acpi: MADT: LAPIC 0xfee00000, 1 I/O APIC (id 0, GSIs from 0 at 0xfec00000), "
               "ISA IRQ 0 -> GSI 2, IRQ 5 -> GSI 5 level, IRQ 9 -> GSI 9 level");
    EXPECT_LOG("acpi: MCFG: PCI ECAM at 0xb0000000, segment 0, buses 0-255\n");
    EXPECT_LOG("acpi: DMAR: 1 VT-d unit at 0xfed90000 (all devices of segment 0), "
               "39-bit host addresses, interrupt remapping\n");
    assert_true(p.dmar_intremap);
    assert_int_equal(p.n_ioapic_sources, 0);
    EXPECT_NO_LOG("refused");
    EXPECT_NO_LOG("no ");
}

/* ACPI 2.0: the XSDT is used when the RSDP is valid; the RSDT (here
 * listing nothing) is not looked at. */
static void test_xsdt_preferred_when_rsdp_revision_2(void **state)
{
    (void)state;
    qemu_tables();
    rsdp(RSDP, 2, P(RSDT), P(XSDT));
    ROOT(RSDT, 0, P(FACP));
    ROOT(XSDT, 1, P(MADT), P(FACP), P(DMAR), P(MCFG));
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_int_equal(info.revision, 2);
    assert_true(info.xsdt);
    assert_true(info.madt);
    expect_qemu_mcfg_dmar(&p, &info);
    EXPECT_NO_LOG("refused");
}

/* An XSDT entry above 4 GiB is followed (and cannot be read here). */
static void test_xsdt_entries_are_64_bit(void **state)
{
    (void)state;
    qemu_tables();
    rsdp(RSDP, 2, 0, P(XSDT));
    ROOT(XSDT, 1, (1ull << 32) | P(MADT), P(MCFG));
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_false(info.madt);
    assert_true(info.mcfg);
    EXPECT_LOG("acpi: XSDT: 1 entry cannot be read (the first is entry 0, at 0x17ffe1000); skipped\n");
}

static void test_bad_extended_checksum_falls_back_to_rsdt(void **state)
{
    (void)state;
    qemu_tables();
    rsdp(RSDP, 2, P(RSDT), P(XSDT));
    ROOT(XSDT, 1, P(FACP));
    mem[RSDP + 33] ^= 1; /* reserved byte: only the extended checksum covers it */
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_false(info.xsdt);
    assert_true(info.madt);
    expect_qemu_mcfg_dmar(&p, &info);
    EXPECT_LOG("acpi: RSDP at 0x7ffe0000: bad extended checksum; XSDT not used");
}

static void test_rsdp_v2_length_out_of_range_falls_back_to_rsdt(void **state)
{
    (void)state;
    static const uint32_t lengths[] = { 0, 20, 35, 4097, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        setup(state);
        qemu_tables();
        rsdp(RSDP, 2, P(RSDT), P(XSDT));
        ROOT(XSDT, 1, P(FACP));
        w32(RSDP + 20, lengths[i]);
        fix_sum(RSDP, ACPI_RSDP_V2_LEN, RSDP + 32);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        assert_false(info.xsdt);
        assert_true(info.madt);
        EXPECT_LOG("XSDT not used");
        free_copies();
    }
}

/* A longer RSDP (future revisions) is fine if its checksum covers it all. */
static void test_rsdp_v2_longer_length_accepted(void **state)
{
    (void)state;
    qemu_tables();
    rsdp(RSDP, 3, P(RSDT), P(XSDT));
    ROOT(XSDT, 1, P(MADT));
    w32(RSDP + 20, 48);
    fix_sum(RSDP, 48, RSDP + 32);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.xsdt);
    assert_true(info.madt);
    assert_false(info.mcfg);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
    (void)state;
    qemu_tables();
    rsdp(RSDP, 2, P(RSDT), P(XSDT));
    ROOT(XSDT, 1, P(MADT));
    mem[XSDT + 36] ^= 0x10;
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_false(info.xsdt);
    assert_true(info.madt);
    expect_qemu_mcfg_dmar(&p, &info);
    EXPECT_LOG("acpi: XSDT at 0x7ffe0200 refused: bad checksum; table ignored");
}

static void test_missing_tables_reported(void **state)
{
    (void)state;
    rsdp(RSDP, 0, P(RSDT), 0);
    ROOT(RSDT, 0, P(FACP));
    facp(FACP);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(p.acpi);
    expect_madt_defaults(&p, &info);
    assert_false(p.ecam);
    assert_false(info.mcfg);
    assert_int_equal(p.n_iommus, 0);
    assert_int_equal(p.dmar_host_address_width, 0);
    assert_false(info.dmar);
    EXPECT_LOG("acpi: no MADT table\n");
    EXPECT_LOG("acpi: no MCFG table: no PCI ECAM\n");
    EXPECT_LOG("acpi: no DMAR table: no IOMMU\n");
}

static void test_empty_rsdt(void **state)
{
    (void)state;
    rsdp(RSDP, 0, P(RSDT), 0);
    ROOT(RSDT, 0, P(FACP));
    w32(RSDT + 4, 36);
    table_sum(RSDT);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(p.acpi);
    EXPECT_LOG("acpi: no DMAR table: no IOMMU\n");
}

/* Tables the kernel does not read are never mapped beyond the signature. */
static void test_other_tables_not_read_beyond_signature(void **state)
{
    (void)state;
    rsdp(RSDP, 0, P(RSDT), 0);
    ROOT(RSDT, 0, P(MEM_SIZE - 4));
    memcpy(mem + MEM_SIZE - 4, "SSDT", 4); /* a header would run past memory */
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    EXPECT_NO_LOG("cannot be read");
}

/* ---- RSDP and root table refusals -------------------------------------- */

static void expect_no_acpi(bool ok, const struct platform *p, const struct acpi_info *info)
{
    assert_false(ok);
    assert_false(p->acpi);
    expect_madt_defaults(p, info);
    assert_false(p->ecam);
    assert_int_equal(p->n_iommus, 0);
    assert_false(info->mcfg);
    assert_false(info->dmar);
}

static void test_rsdp_bad_checksum(void **state)
{
    (void)state;
    qemu_tables();
    mem[RSDP + 9] ^= 1;
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDP at 0x7ffe0000 refused: bad checksum");
}

static void test_rsdp_bad_signature(void **state)
{
    (void)state;
    qemu_tables();
    mem[RSDP + 3] = 'X';
    fix_sum(RSDP, ACPI_RSDP_V1_LEN, RSDP + 8);
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDP at 0x7ffe0000 refused: signature");
}

static void test_rsdp_unreadable(void **state)
{
    (void)state;
    struct platform p;
    struct acpi_info info;
    memset(&p, 0xa5, sizeof(p));
    bool ok = acpi_parse(&access, 0x1000, &p, &info);
    expect_no_acpi(ok, &p, &info);
    EXPECT_LOG("acpi: RSDP at 0x1000 refused: it cannot be read");
}

/* The RSDP as the last 20 bytes of memory: revision 0 needs no more. */
static void test_rsdp_v1_at_end_of_memory(void **state)
{
    (void)state;
    uint32_t at = MEM_SIZE - ACPI_RSDP_V1_LEN;
    rsdp(RSDT + 0x800, 0, P(RSDT), 0); /* build, then move */
    memmove(mem + at, mem + RSDT + 0x800, ACPI_RSDP_V1_LEN);
    ROOT(RSDT, 0, P(MADT));
    madt_qemu(MADT);
    struct platform p;
    struct acpi_info info;
    assert_true(acpi_parse(&access, P(at), &p, &info));
    assert_true(info.madt);
}

static void test_rsdt_bad_checksum_no_acpi(void **state)
{
    (void)state;
    qemu_tables();
    mem[RSDT + 40] ^= 0x40;
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDT at 0x7ffe0100 refused: bad checksum; table ignored");
    EXPECT_LOG("acpi: RSDP at 0x7ffe0000: no usable RSDT or XSDT");
}

static void test_rsdt_wrong_signature(void **state)
{
    (void)state;
    qemu_tables();
    memcpy(mem + RSDT, "XSDT", 4);
    table_sum(RSDT);
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDT at 0x7ffe0100 refused: signature is not \"RSDT\"");
}

static void test_rsdt_partial_entry(void **state)
{
    (void)state;
    qemu_tables();
    w32(RSDT + 4, r32(RSDT + 4) - 1);
    table_sum(RSDT);
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDT at 0x7ffe0100 refused: length 51 leaves a partial entry");
}

static void test_rsdt_length_below_header(void **state)
{
    (void)state;
    qemu_tables();
    w32(RSDT + 4, 35);
    table_sum(RSDT);
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("acpi: RSDT at 0x7ffe0100 refused: length 35 is below the 36 bytes");
}

/* The root table's length runs past the end of readable memory. */
static void test_rsdt_truncated_by_memory_end(void **state)
{
    (void)state;
    uint32_t at = MEM_SIZE - 40;
    rsdp(RSDP, 0, P(at), 0);
    root(at, 0, (const uint64_t[]){ P(MADT) }, 1);
    w32(at + 4, 48); /* claims 8 bytes more than there are (no checksum can cover them) */
    struct platform p;
    struct acpi_info info;
    expect_no_acpi(parse(&p, &info), &p, &info);
    EXPECT_LOG("refused: its 48 bytes cannot be read");
}

/* Reported in one line however many there are. */
static void test_rsdt_null_and_unreadable_entries_skipped(void **state)
{
    (void)state;
    qemu_tables();
    ROOT(RSDT, 0, 0, 0xfffffff0ull, P(MADT), P(MCFG), P(DMAR));
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    expect_qemu_mcfg_dmar(&p, &info);
    EXPECT_LOG("acpi: RSDT: 2 entries cannot be read (the first is entry 0, at 0x0); skipped\n");
}

static void test_table_longer_than_limit_refused(void **state)
{
    (void)state;
    qemu_tables();
    w32(MADT + 4, ACPI_TABLE_MAX + 1);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    /* Refused from its header alone, before its bytes are mapped. */
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: length 1048577 is above the 1048576-byte limit");
}

/* ---- MADT ------------------------------------------------------------------ */

static void test_madt_bad_checksum_ignored_others_kept(void **state)
{
    (void)state;
    qemu_tables();
    mem[MADT + 50] ^= 0xff;
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    expect_qemu_mcfg_dmar(&p, &info);
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: bad checksum; table ignored\n");
}

static void test_madt_shorter_than_fixed_part(void **state)
{
    (void)state;
    qemu_tables();
    w32(MADT + 4, 40);
    table_sum(MADT);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: length 40 is below the 44 bytes of its fixed part");
}

/* A MADT of exactly its fixed part: a LAPIC and no I/O APIC. */
static void test_madt_without_entries(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.lapic_paddr, 0xfee00000);
    assert_int_equal(p.n_ioapics, 0);
    EXPECT_LOG("acpi: MADT: LAPIC 0xfee00000, 0 I/O APICs\n");
}

static void test_madt_entry_overruns_table(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    madt_override(&t, 0, 0, 2, 0);
    t.len -= 2; /* the override's last two bytes lie past the end */
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: entry at offset 56 (type 2) has length 10, "
               "table ends at 64; table ignored");
}

static void test_madt_entry_cut_off(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    put(&t, (const uint8_t[]){ 1 }, 1); /* a type byte with no length */
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    EXPECT_LOG("refused: entry at offset 56 is cut off by the end of the table");
}

/* Lengths 0 and 1 would stall or misalign the walk. */
static void test_madt_entry_length_below_two(void **state)
{
    for (uint8_t len = 0; len < 2; len++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, 0xfee00000);
        put(&t, (const uint8_t[]){ 0x7f, len, 0, 0 }, 4);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        expect_madt_defaults(&p, &info);
        EXPECT_LOG("refused: entry at offset 44 (type 127) has length");
        free_copies();
    }
}

static void test_madt_known_entry_too_short(void **state)
{
    static const struct {
        uint8_t type, len, need;
    } cases[] = { { 1, 8, 12 }, { 2, 9, 10 }, { 5, 11, 12 } };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, 0xfee00000);
        uint8_t e[16] = { cases[i].type, cases[i].len };
        put(&t, e, cases[i].len);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        expect_madt_defaults(&p, &info);
        char want[128];
        snprintf(want, sizeof(want), "entry at offset 44 (type %u) has length %u, needs %u",
                 cases[i].type, cases[i].len, cases[i].need);
        EXPECT_LOG(want);
        free_copies();
    }
}

/* Unknown and uninteresting entry types are skipped by their length,
 * and longer-than-needed known entries are fine. */
static void test_madt_unknown_entries_skipped(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_lapic(&t, 0, 0);
    put(&t, (const uint8_t[]){ 0x7f, 5, 1, 12, 0xee }, 5);                 /* unknown */
    put(&t, (const uint8_t[]){ 9, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16); /* x2APIC */
    uint8_t io[14] = { 1, 14, 3, 0, 0, 0x10, 0xc0, 0xfe, 24, 0, 0, 0, 0xab, 0xcd };
    put(&t, io, sizeof(io)); /* I/O APIC entry two bytes longer than needed */
    madt_lapic_nmi(&t);
    put(&t, (const uint8_t[]){ 0xff, 2 }, 2); /* smallest possible entry, last */
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.n_ioapics, 1);
    assert_int_equal(p.ioapic[0].id, 3);
    assert_int_equal(p.ioapic[0].paddr, 0xfec01000);
    assert_int_equal(p.ioapic[0].gsi_base, 24);
    EXPECT_NO_LOG("refused");
}

static void madt_with_ioapics(unsigned n)
{
    struct tb t = madt_begin(MADT, 0xfee00000);
    for (unsigned i = 0; i < n; i++)
        madt_ioapic(&t, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
    table_end(&t);
}

static void test_madt_max_ioapics_accepted(void **state)
{
    (void)state;
    qemu_tables();
    madt_with_ioapics(PLATFORM_MAX_IOAPICS);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.n_ioapics, PLATFORM_MAX_IOAPICS);
    for (unsigned i = 0; i < PLATFORM_MAX_IOAPICS; i++) {
        assert_int_equal(p.ioapic[i].paddr, 0xfec00000 + i * 0x1000);
        assert_int_equal(p.ioapic[i].gsi_base, i * 24);
        assert_int_equal(p.ioapic[i].id, i);
    }
    EXPECT_LOG("8 I/O APICs (id 0, GSIs from 0 at 0xfec00000; id 1, GSIs from 24 at 0xfec01000;");
}

static void test_madt_too_many_ioapics(void **state)
{
    (void)state;
    qemu_tables();
    madt_with_ioapics(PLATFORM_MAX_IOAPICS + 1);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: more than 8 I/O APICs; table ignored");
}

static void test_madt_bad_ioapics(void **state)
{
    static const struct {
        uint32_t addr1, gsi1, addr2, gsi2;
        const char *why;
    } cases[] = {
        { 0, 0, 0xfec01000, 24, "I/O APIC 0 at 0x0: address not a non-zero multiple of 1 KiB" },
        { 0xfec00010, 0, 0xfec01000, 24, "I/O APIC 0 at 0xfec00010: address not" },
        { 0xfec00000, 0, 0xfec00000, 24, "two I/O APICs at 0xfec00000" },
        { 0xfec00000, 0, 0xfec00400, 0, "two I/O APICs serve GSIs from 0" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, 0xfee00000);
        madt_ioapic(&t, 0, cases[i].addr1, cases[i].gsi1);
        madt_ioapic(&t, 1, cases[i].addr2, cases[i].gsi2);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        expect_madt_defaults(&p, &info);
        EXPECT_LOG(cases[i].why);
        free_copies();
    }
}

static void test_madt_ioapic_on_1k_boundary_accepted(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    madt_ioapic(&t, 1, 0xfec00400, 24);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_int_equal(p.n_ioapics, 2);
    assert_int_equal(p.ioapic[1].paddr, 0xfec00400);
}

static void test_madt_bad_lapic_address(void **state)
{
    static const uint32_t addrs[] = { 0, 0xfee00800 };
    for (unsigned i = 0; i < 2; i++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, addrs[i]);
        madt_ioapic(&t, 0, 0xfec00000, 0);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        expect_madt_defaults(&p, &info);
        EXPECT_LOG("refused: local APIC address");
        free_copies();
    }
}

static void test_madt_lapic_override_64_bit(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_lapic_override(&t, 0x100fee00000ull);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.lapic_paddr, 0x100fee00000ull);
    EXPECT_LOG("acpi: MADT: LAPIC 0x100fee00000");
}

/* The override wins even when the 32-bit field is 0, and is checked too. */
static void test_madt_lapic_override_checked(void **state)
{
    static const struct {
        uint64_t addr;
        int twice;
        const char *why;
    } cases[] = {
        { 0x100fee00000ull, 0, NULL },
        { 0x100fee00008ull, 0, "local APIC address 0x100fee00008 is not" },
        { 0, 0, "local APIC address 0x0 is not" },
        { ACPI_MAX_PADDR, 0, "local APIC address 0x400000000000 is above 2^46" },
        { ACPI_MAX_PADDR - 4096, 0, NULL },
        { 0xfee00000, 1, "two local APIC address overrides" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, 0);
        madt_lapic_override(&t, cases[i].addr);
        if (cases[i].twice)
            madt_lapic_override(&t, cases[i].addr);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        if (cases[i].why) {
            expect_madt_defaults(&p, &info);
            EXPECT_LOG(cases[i].why);
        } else {
            assert_true(info.madt);
            assert_int_equal(p.lapic_paddr, cases[i].addr);
        }
        free_copies();
    }
}

static void test_madt_override_flags(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_ioapic(&t, 0, 0xfec00000, 0);
    madt_override(&t, 0, 1, 1, 0x0);  /* conforms: edge, high */
    madt_override(&t, 0, 3, 3, 0x5);  /* edge, high explicitly */
    madt_override(&t, 0, 4, 20, 0xf); /* level, low */
    madt_override(&t, 0, 6, 6, 0x3);  /* edge (conforms), low */
    madt_override(&t, 0, 7, 7, 0xc);  /* level, high (conforms) */
    madt_override(&t, 0, 15, 255, 0xd);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.isa_flags[1], MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_HIGH);
    assert_int_equal(p.isa_flags[3], MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_HIGH);
    assert_int_equal(p.isa_gsi[4], 20);
    assert_int_equal(p.isa_flags[4], MICA_IRQ_LEVEL | MICA_IRQ_ACTIVE_LOW);
    assert_int_equal(p.isa_flags[6], MICA_IRQ_EDGE | MICA_IRQ_ACTIVE_LOW);
    assert_int_equal(p.isa_flags[7], MICA_IRQ_LEVEL | MICA_IRQ_ACTIVE_HIGH);
    assert_int_equal(p.isa_gsi[15], 255);
    assert_int_equal(p.isa_gsi[2], 2); /* untouched */
    assert_int_equal(p.isa_flags[2], 0);
    EXPECT_LOG("IRQ 4 -> GSI 20 level low, IRQ 6 -> GSI 6 low, IRQ 7 -> GSI 7 level, "
               "IRQ 15 -> GSI 255 level\n");
}

static void test_madt_bad_overrides(void **state)
{
    static const struct {
        uint8_t bus, irq;
        uint32_t gsi;
        uint16_t flags;
        const char *why;
    } cases[] = {
        { 1, 0, 2, 0, "interrupt source override for bus 1 (only 0, ISA, exists)" },
        { 0, 16, 16, 0, "interrupt source override for ISA IRQ 16 (only 0-15 exist)" },
        { 0, 0, 256, 0, "ISA IRQ 0 overridden to GSI 256 (above 255)" },
        { 0, 9, 9, 0x2, "ISA IRQ 9 override has reserved flags 0x2" },
        { 0, 9, 9, 0x8, "ISA IRQ 9 override has reserved flags 0x8" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        struct tb t = madt_begin(MADT, 0xfee00000);
        madt_ioapic(&t, 0, 0xfec00000, 0);
        madt_override(&t, 0, 5, 5, 0xd);
        madt_override(&t, cases[i].bus, cases[i].irq, cases[i].gsi, cases[i].flags);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        expect_madt_defaults(&p, &info); /* not even the good override of IRQ 5 */
        EXPECT_LOG(cases[i].why);
        free_copies();
    }
}

static void test_madt_duplicate_override(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(MADT, 0xfee00000);
    madt_override(&t, 0, 0, 2, 0);
    madt_override(&t, 0, 0, 0, 0);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    expect_madt_defaults(&p, &info);
    EXPECT_LOG("two overrides for ISA IRQ 0");
}

/* The first acceptable MADT is used; later ones are ignored, but a
 * refused first one does not stop a good second one. */
static void test_second_madt(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = madt_begin(OTHER, 0xfee00000);
    madt_ioapic(&t, 7, 0xfec10000, 0);
    table_end(&t);
    ROOT(RSDT, 0, P(MADT), P(OTHER));
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_int_equal(p.ioapic[0].paddr, 0xfec00000);
    EXPECT_LOG("acpi: MADT at 0x7ffe4000: a second MADT; ignored");

    setup(state);
    qemu_tables();
    t = madt_begin(OTHER, 0xfee00000);
    madt_ioapic(&t, 7, 0xfec10000, 0);
    table_end(&t);
    ROOT(RSDT, 0, P(MADT), P(OTHER));
    mem[MADT + 44] ^= 1;
    assert_true(parse(&p, &info));
    assert_true(info.madt);
    assert_int_equal(p.ioapic[0].paddr, 0xfec10000);
    EXPECT_LOG("acpi: MADT at 0x7ffe1000 refused: bad checksum");
}

/* ---- MCFG ------------------------------------------------------------------ */

static void test_mcfg_start_bus_and_extra_entries(void **state)
{
    (void)state;
    qemu_tables();
    static const struct mcfg_entry e[] = {
        { 0xe0000000, 1, 16, 31 }, { 0xf0000000, 2, 0, 255 }, { 0xc0000000, 3, 0, 0 },
    };
    mcfg(MCFG, e, 3);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.mcfg);
    assert_true(p.ecam);
    /* The entry's base is that of bus 0; bus 16 starts 16 MiB above. */
    assert_int_equal(p.ecam_base, 0xe1000000);
    assert_int_equal(p.ecam_segment, 1);
    assert_int_equal(p.ecam_bus_first, 16);
    assert_int_equal(p.ecam_bus_last, 31);
    EXPECT_LOG("acpi: MCFG: PCI ECAM at 0xe1000000, segment 1, buses 16-31 (2 further entries ignored)\n");
}

static void test_mcfg_refusals(void **state)
{
    static const struct {
        struct mcfg_entry e;
        int n;         /* entries; -1: one entry with its last byte cut off */
        const char *why;
    } cases[] = {
        { { 0xb0000000, 0, 0, 255 }, 0, "MCFG at 0x7ffe2000 refused: no entries" },
        { { 0xb0000000, 0, 0, 255 }, -1, "MCFG at 0x7ffe2000 refused: length 59 leaves a partial entry" },
        { { 0xb0000000, 0, 5, 4 }, 1, "bus range 5-4 is empty" },
        { { 0, 0, 0, 255 }, 1, "ECAM base 0x0 is not a non-zero multiple of 1 MiB" },
        { { 0xb0001000, 0, 0, 255 }, 1, "ECAM base 0xb0001000 is not" },
        { { 0xfffffffff0000000ull, 0, 0, 255 }, 1,
          "ECAM window for buses 0-255 at 0xfffffffff0000000 ends above 2^46" }, /* wraps */
        { { ACPI_MAX_PADDR - (255ull << 20), 0, 0, 255 }, 1, "ends above 2^46" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        mcfg(MCFG, &cases[i].e, cases[i].n < 0 ? 1 : (unsigned)cases[i].n);
        if (cases[i].n < 0) {
            w32(MCFG + 4, r32(MCFG + 4) - 1);
            table_sum(MCFG);
        }
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        assert_false(info.mcfg);
        assert_false(p.ecam);
        assert_int_equal(p.ecam_base, 0);
        assert_true(info.madt);
        assert_true(info.dmar);
        EXPECT_LOG(cases[i].why);
        free_copies();
    }
}

/* A window that ends exactly at the highest address register windows may use. */
static void test_mcfg_window_at_top_of_address_space(void **state)
{
    (void)state;
    qemu_tables();
    static const struct mcfg_entry e = { ACPI_MAX_PADDR - (256ull << 20), 0, 0, 255 };
    mcfg(MCFG, &e, 1);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.mcfg);
    assert_int_equal(p.ecam_base, ACPI_MAX_PADDR - (256ull << 20));
}

/* ---- DMAR ------------------------------------------------------------------ */

static void test_dmar_units_scopes_and_skipped_structures(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = dmar_begin(DMAR, 48);
    dmar_drhd(&t, 0, 0, 0, 0xfed90000, 3);      /* listed devices */
    dmar_drhd(&t, 0x1, 2, 1, 0xfed94000, 0);    /* all of segment 1, 4 pages */
    dmar_rmrr(&t);
    put(&t, (const uint8_t[]){ 0x34, 0x12, 4, 0 }, 4); /* unknown type, minimal */
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_true(info.dmar);
    assert_int_equal(p.n_iommus, 2);
    assert_int_equal(p.dmar_host_address_width, 48);
    assert_int_equal(p.iommu[0].paddr, 0xfed90000);
    assert_false(p.iommu[0].include_all);
    assert_int_equal(p.iommu[0].segment, 0);
    assert_int_equal(info.iommu_reg_size[0], 4096);
    assert_int_equal(p.iommu[1].paddr, 0xfed94000);
    assert_true(p.iommu[1].include_all);
    assert_int_equal(p.iommu[1].segment, 1);
    assert_int_equal(info.iommu_reg_size[1], 4 * 4096);
    EXPECT_LOG("acpi: DMAR: 2 VT-d units: 0xfed90000 (listed devices of segment 0), "
               "0xfed94000 (all devices of segment 1), 48-bit host addresses, "
               "interrupt remapping\n");
}

/* I/O APIC device scopes: the requester ID of each (one path entry); one
 * behind a bridge (two entries) is left out and counted; a scope that
 * overruns its unit refuses the table; DMAR flag bit 0 clear: no
 * interrupt remapping. */
static void dmar_drhd_ioapic_scopes(struct tb *t, uint8_t last_len)
{
    uint8_t e[16] = { 0, 0, 16 + 8 + 10 + 8, 0, 0, 0, 1, 0 }; /* segment 1 */
    uint64_t base = 0xfed90000;
    memcpy(e + 8, &base, 8);
    put(t, e, sizeof(e));
    put(t, (const uint8_t[]){ 3, 8, 0, 0, 7, 0xf0, 0x1f, 0x2 }, 8);          /* f0:1f.2 */
    put(t, (const uint8_t[]){ 3, 10, 0, 0, 8, 0x00, 0x1c, 0x0, 0x0, 0x0 }, 10); /* bridge */
    put(t, (const uint8_t[]){ 2, last_len, 0, 0, 0, 0x01, 0x2, 0x0 }, 8);
}

static void test_dmar_ioapic_sources(void **state)
{
    for (unsigned bad = 0; bad < 2; bad++) {
        setup(state);
        qemu_tables();
        struct tb t = dmar_begin(DMAR, 39);
        w8(DMAR + 37, 0);
        dmar_drhd_ioapic_scopes(&t, bad ? 9 : 8);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        if (bad) {
            assert_false(info.dmar);
            assert_int_equal(p.n_ioapic_sources, 0);
            EXPECT_LOG("has length 9, the unit ends at 42");
            continue;
        }
        assert_true(info.dmar);
        assert_false(p.dmar_intremap);
        assert_int_equal(p.n_ioapic_sources, 1);
        assert_int_equal(p.ioapic_source[0].id, 7);
        assert_int_equal(p.ioapic_source[0].segment, 1);
        assert_int_equal(p.ioapic_source[0].source_id, 0xf0fa);
        EXPECT_LOG("39-bit host addresses\n");
        EXPECT_LOG("acpi: DMAR: I/O APIC 7 sends as f0:1f.2 of segment 1\n");
        EXPECT_LOG("acpi: DMAR: 1 I/O APIC scope behind a bridge or beyond 8 ignored\n");
    }
}

static void test_dmar_max_units_accepted_one_more_refused(void **state)
{
    for (unsigned extra = 0; extra < 2; extra++) {
        setup(state);
        qemu_tables();
        struct tb t = dmar_begin(DMAR, 39);
        for (unsigned i = 0; i < PLATFORM_MAX_IOMMUS + extra; i++)
            dmar_drhd(&t, 0, 0, 0, 0xfed90000 + i * 0x1000, 1);
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        assert_int_equal(info.dmar, !extra);
        assert_int_equal(p.n_iommus, extra ? 0 : PLATFORM_MAX_IOMMUS);
        if (extra)
            EXPECT_LOG("acpi: DMAR at 0x7ffe3000 refused: more than 8 remapping units; table ignored");
        free_copies();
    }
}

static void test_dmar_refusals(void **state)
{
    static const struct {
        unsigned width;
        int kind; /* 0 DRHD as given, 1 no DRHD, 2 short DRHD, 3 overrun, 4 cut off, 5 len < 4 */
        uint64_t base;
        uint8_t size;
        const char *why;
    } cases[] = {
        { 31, 0, 0xfed90000, 0, "host address width 31 bits is outside 32-64" },
        { 65, 0, 0xfed90000, 0, "host address width 65 bits is outside 32-64" },
        { 39, 1, 0, 0, "refused: no remapping unit (DRHD)" },
        { 39, 2, 0, 0, "remapping unit at offset 48 has length 12, needs 16" },
        { 39, 3, 0, 0, "structure at offset 48 (type 0) has length 24, table ends at 68" },
        { 39, 4, 0, 0, "structure at offset 64 is cut off by the end of the table" },
        { 39, 5, 0, 0, "structure at offset 48 (type 1) has length 3" },
        { 39, 0, 0, 0, "remapping unit registers at 0x0" },
        { 39, 0, 0xfed90800, 0, "remapping unit registers at 0xfed90800" },
        { 39, 0, 0xfffffffffffff000ull, 1,
          "remapping unit registers at 0xfffffffffffff000 (8192 bytes) end above 2^46" },
        { 39, 0, ACPI_MAX_PADDR - 4096, 1, "(8192 bytes) end above 2^46" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        qemu_tables();
        struct tb t = dmar_begin(DMAR, cases[i].width);
        switch (cases[i].kind) {
        case 0: dmar_drhd(&t, 1, cases[i].size, 0, cases[i].base, 0); break;
        case 1: dmar_rmrr(&t); break;
        case 2: put(&t, (const uint8_t[]){ 0, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0xd9, 0xfe }, 12); break;
        case 3:
            dmar_drhd(&t, 1, 0, 0, 0xfed90000, 1);
            t.len -= 4;
            break;
        case 4:
            dmar_drhd(&t, 1, 0, 0, 0xfed90000, 0);
            put(&t, (const uint8_t[]){ 0, 0 }, 2);
            break;
        case 5: put(&t, (const uint8_t[]){ 1, 0, 3, 0 }, 4); break;
        }
        table_end(&t);
        struct platform p;
        struct acpi_info info;
        assert_true(parse(&p, &info));
        assert_false(info.dmar);
        assert_int_equal(p.n_iommus, 0);
        assert_int_equal(p.dmar_host_address_width, 0);
        assert_true(info.madt);
        assert_true(info.mcfg);
        EXPECT_LOG(cases[i].why);
        EXPECT_LOG("; table ignored\n");
        free_copies();
    }
}

static void test_dmar_duplicate_unit(void **state)
{
    (void)state;
    qemu_tables();
    struct tb t = dmar_begin(DMAR, 39);
    dmar_drhd(&t, 0, 0, 0, 0xfed90000, 0);
    dmar_drhd(&t, 1, 0, 0, 0xfed90000, 0);
    table_end(&t);
    struct platform p;
    struct acpi_info info;
    assert_true(parse(&p, &info));
    assert_false(info.dmar);
    EXPECT_LOG("two remapping units at 0xfed90000");
}

/* ---- finding the RSDP ------------------------------------------------------ */

static long find_in(const uint8_t *src, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, src, len);
    long r = acpi_find_rsdp(copy, len);
    free(copy);
    return r;
}

static void test_find_rsdp(void **state)
{
    (void)state;
    memset(mem, 0xff, 0x400);
    rsdp(0x130, 0, 0x12345678, 0);
    assert_int_equal(find_in(mem, 0x400), 0x130);
    /* Only 16-byte boundaries count. */
    memmove(mem + 0x138, mem + 0x130, ACPI_RSDP_V1_LEN);
    memset(mem + 0x130, 0xff, 8);
    assert_int_equal(find_in(mem, 0x400), -1);
    /* A signature with a bad checksum is passed over for a later good one. */
    memset(mem, 0xff, 0x400);
    rsdp(0x40, 0, 0x1000, 0);
    mem[0x40 + 19] ^= 1;
    rsdp(0x200, 0, 0x2000, 0);
    assert_int_equal(find_in(mem, 0x400), 0x200);
    /* The last full slot is found; the search never reads past the area. */
    memset(mem, 0, 0x400);
    rsdp(0x400 - 32, 0, 0x3000, 0);
    assert_int_equal(find_in(mem, 0x400 - 12), 0x400 - 32);
    assert_int_equal(find_in(mem, 0x400 - 13), -1); /* 19 bytes left: no room */
    memcpy(mem + 0x3f0, "RSD PTR ", 8);
    assert_int_equal(find_in(mem + 0x3f0, 16), -1);
    assert_int_equal(find_in(mem, 0), -1);
    assert_int_equal(find_in(mem, 19), -1);
}

/* ---- random damage ----------------------------------------------------------- */

/*
 * Random byte changes to QEMU's tables, with checksums repaired most of
 * the time so the damage reaches the parser's deeper checks. Whatever is
 * accepted must keep every promise of struct platform; reads stay inside
 * the mapped copies (ASan).
 */
static void test_random_mutations_keep_promises(void **state)
{
    srand(1234);
    for (int iter = 0; iter < 20000; iter++) {
        setup(state);
        qemu_tables();
        rsdp(RSDP, 2, P(RSDT), P(XSDT));
        ROOT(XSDT, 1, P(MADT), P(MCFG), P(DMAR));
        static const uint32_t tables[] = { RSDT, XSDT, MADT, MCFG, DMAR };
        int changes = 1 + rand() % 4;
        for (int c = 0; c < changes; c++) {
            uint32_t tab = tables[rand() % 5];
            uint32_t len = r32(tab + 4), span = len < 0x800 ? len + 8 : 0x800;
            uint32_t at = tab + (uint32_t)rand() % span;
            if (rand() % 4 == 0)
                at = tab + 4 + (uint32_t)(rand() % 4); /* the length field */
            mem[at] = (uint8_t)rand();
            if (rand() % 8 && r32(tab + 4) <= MEM_SIZE - tab)
                table_sum(tab);
        }
        struct platform p;
        struct acpi_info info;
        bool ok = parse(&p, &info);
        assert_int_equal(ok, p.acpi);
        assert_true(p.n_ioapics <= PLATFORM_MAX_IOAPICS);
        assert_true(p.n_iommus <= PLATFORM_MAX_IOMMUS);
        assert_int_equal(info.madt || p.n_ioapics == 0, true);
        for (unsigned i = 0; i < p.n_ioapics; i++)
            assert_true(p.ioapic[i].paddr && p.ioapic[i].paddr % 1024 == 0);
        if (info.madt)
            assert_true(p.lapic_paddr && p.lapic_paddr % 4096 == 0);
        for (unsigned i = 0; i < 16; i++)
            assert_true((p.isa_flags[i] & ~MICA_IRQ_FLAGS_ALL) == 0);
        assert_int_equal(p.ecam, info.mcfg);
        if (p.ecam) {
            assert_true(p.ecam_bus_first <= p.ecam_bus_last);
            assert_true(p.ecam_base % (1u << 20) == 0 && p.ecam_base);
        }
        assert_int_equal(info.dmar, p.n_iommus > 0);
        for (unsigned i = 0; i < p.n_iommus; i++) {
            assert_true(p.iommu[i].paddr && p.iommu[i].paddr % 4096 == 0);
            assert_true(p.iommu[i].paddr + info.iommu_reg_size[i] <= ACPI_MAX_PADDR);
        }
        if (info.madt)
            assert_true(p.lapic_paddr < ACPI_MAX_PADDR);
        if (p.ecam)
            assert_true(p.ecam_base + ((p.ecam_bus_last - p.ecam_bus_first + 1ull) << 20) <=
                        ACPI_MAX_PADDR);
        if (info.dmar)
            assert_true(p.dmar_host_address_width >= 32 && p.dmar_host_address_width <= 64);
        /* Every refusal is one complete line naming the table. */
        for (const char *l = strstr(log_buf, "refused"); l; l = strstr(l + 1, "refused"))
            assert_non_null(strstr(l, "ignored\n"));
        free_copies();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_qemu_tables_through_the_rsdt),
        T(test_xsdt_preferred_when_rsdp_revision_2),
        T(test_xsdt_entries_are_64_bit),
        T(test_bad_extended_checksum_falls_back_to_rsdt),
        T(test_rsdp_v2_length_out_of_range_falls_back_to_rsdt),
        T(test_rsdp_v2_longer_length_accepted),
        T(test_bad_xsdt_falls_back_to_rsdt),
        T(test_missing_tables_reported),
        T(test_empty_rsdt),
        T(test_other_tables_not_read_beyond_signature),
        T(test_rsdp_bad_checksum),
        T(test_rsdp_bad_signature),
        T(test_rsdp_unreadable),
        T(test_rsdp_v1_at_end_of_memory),
        T(test_rsdt_bad_checksum_no_acpi),
        T(test_rsdt_wrong_signature),
        T(test_rsdt_partial_entry),
        T(test_rsdt_length_below_header),
        T(test_rsdt_truncated_by_memory_end),
        T(test_rsdt_null_and_unreadable_entries_skipped),
        T(test_table_longer_than_limit_refused),
        T(test_madt_bad_checksum_ignored_others_kept),
        T(test_madt_shorter_than_fixed_part),
        T(test_madt_without_entries),
        T(test_madt_entry_overruns_table),
        T(test_madt_entry_cut_off),
        T(test_madt_entry_length_below_two),
        T(test_madt_known_entry_too_short),
        T(test_madt_unknown_entries_skipped),
        T(test_madt_max_ioapics_accepted),
        T(test_madt_too_many_ioapics),
        T(test_madt_bad_ioapics),
        T(test_madt_ioapic_on_1k_boundary_accepted),
        T(test_madt_bad_lapic_address),
        T(test_madt_lapic_override_64_bit),
        T(test_madt_lapic_override_checked),
        T(test_madt_override_flags),
        T(test_madt_bad_overrides),
        T(test_madt_duplicate_override),
        T(test_second_madt),
        T(test_mcfg_start_bus_and_extra_entries),
        T(test_mcfg_refusals),
        T(test_mcfg_window_at_top_of_address_space),
        T(test_dmar_units_scopes_and_skipped_structures),
        T(test_dmar_ioapic_sources),
        T(test_dmar_max_units_accepted_one_more_refused),
        T(test_dmar_refusals),
        T(test_dmar_duplicate_unit),
        T(test_find_rsdp),
        T(test_random_mutations_keep_promises),
#undef T
    };
    return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
