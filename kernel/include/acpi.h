/*
 * ACPI table parsing (kernel/core/acpi.c): the few facts the kernel needs
 * from the firmware's tables, nothing more. From the RSDP the parser
 * follows the XSDT (ACPI 2.0+) or the RSDT to three tables:
 *
 *   MADT ("APIC")  local APIC address, I/O APICs, ISA interrupt overrides
 *   MCFG           PCI Express ECAM window (first entry)
 *   DMAR           VT-d remapping units (DRHD) and the host address width
 *
 * Every table is checked before any of its facts is used: checksum,
 * length, every entry's length inside the table, counts against the
 * PLATFORM_MAX_* limits, addresses and alignment. A bad table is reported
 * in one kernel message naming the table and the problem and is ignored as
 * a whole, so no fact ever comes from a table that failed a check.
 *
 * The parser is pure: it reads physical memory only through the caller's
 * map function, so the host unit tests (tests/unit/test_acpi.c) feed it
 * synthetic tables. The x86 side (acpi_x86.c) finds the RSDP and makes
 * the tables readable.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <platform.h>
#include <stdbool.h>
#include <stdint.h>

/* Tables longer than this are refused: nothing the kernel parses comes
 * close, and it bounds what the map function is asked for. */
#define ACPI_TABLE_MAX (1u << 20)

/* Register windows (local APIC, VT-d, ECAM) must end at or below this:
 * the kernel maps device registers at their direct-map address, and that
 * window covers 64 TiB of physical addresses. */
#define ACPI_MAX_PADDR (1ull << 46)

#define ACPI_RSDP_V1_LEN 20 /* ACPI 1.0 RSDP: signature .. RSDT address */
#define ACPI_RSDP_V2_LEN 36 /* ACPI 2.0+ RSDP: adds length, XSDT address */

/*
 * How the parser reads physical memory: map(ctx, paddr, len) returns a
 * pointer to len readable bytes at paddr, or NULL if that range cannot be
 * read (it wraps, lies beyond what the kernel can map, or mapping failed).
 * The parser reads only inside the ranges it asked for.
 */
struct acpi_access {
    const void *(*map)(void *ctx, uint64_t paddr, uint64_t len);
    void *ctx;
};

/* What the parser found beyond the facts in struct platform. */
struct acpi_info {
    uint64_t rsdp;         /* physical address of the RSDP used */
    unsigned revision;     /* RSDP revision: 0 = ACPI 1.0 (RSDT only), 2+ = XSDT too */
    bool xsdt;             /* the table list came from the XSDT (else the RSDT) */
    bool madt, mcfg, dmar; /* that table was found and accepted */
    /* Size in bytes of each VT-d unit's register set (DRHD Size field:
     * 2^N pages), for platform.iommu[i]. */
    uint64_t iommu_reg_size[PLATFORM_MAX_IOMMUS];
};

/*
 * Look for the RSDP in `len` bytes of firmware memory at `area` (the EBDA's
 * first KiB or the BIOS area 0xe0000-0xfffff): the signature "RSD PTR " on
 * a 16-byte boundary with a valid ACPI 1.0 checksum. Returns its offset in
 * the area, or -1.
 */
long acpi_find_rsdp(const uint8_t *area, uint64_t len);

/* No ACPI facts: no I/O APICs, IOMMUs or ECAM; ISA IRQs identity-mapped,
 * edge triggered, active high. */
void acpi_defaults(struct platform *p, struct acpi_info *info);

/*
 * Parse the tables reachable from the RSDP at rsdp_paddr into *p and
 * *info (both set to acpi_defaults() first). Prints what was found and
 * every table refused. Returns true if the RSDP and the root table were
 * valid (p->acpi), even if some of the tables they list were refused.
 */
bool acpi_parse(const struct acpi_access *mem, uint64_t rsdp_paddr, struct platform *p,
                struct acpi_info *info);

/* Filled by acpi_init() (acpi_x86.c) together with `platform`. */
extern struct acpi_info acpi_info;

#endif
