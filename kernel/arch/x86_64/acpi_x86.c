/*
 * ACPI on a PC: find the RSDP where BIOS firmware leaves it (the first KiB
 * of the extended BIOS data area, else the BIOS area 0xe0000-0xfffff, on
 * 16-byte boundaries; ACPI 6.x section 5.2.5.1), make the tables readable
 * and hand them to the generic parser (kernel/core/acpi.c), which fills
 * `platform`. Multiboot 1 does not pass the RSDP, so searching is the way.
 *
 * The tables usually lie in firmware-reserved memory that the kernel's
 * direct map (RAM only) does not cover; paging_map_boot() maps what is
 * missing, read-only, at the same direct-map address.
 */
#include "cpu.h"
#include "x86.h"
#include <acpi.h>
#include <console.h>
#include <platform.h>

#define BDA_EBDA_SEGMENT 0x40e /* BIOS data area: real-mode segment of the EBDA */
#define EBDA_SEARCH      1024u
#define EBDA_MIN         0x80000ull /* where an EBDA can plausibly start */
#define BIOS_AREA        0xe0000ull
#define BIOS_AREA_END    0x100000ull
#define MSR_APIC_BASE    0x1b

struct acpi_info acpi_info;

static const void *map(void *ctx, uint64_t paddr, uint64_t len)
{
    (void)ctx;
    return paging_map_boot(paddr, len);
}

/* The RSDP's physical address in [base, base + len), or 0. */
static uint64_t search(uint64_t base, uint64_t len)
{
    const uint8_t *area = paging_map_boot(base, len);
    long off = area ? acpi_find_rsdp(area, len) : -1;
    return off < 0 ? 0 : base + (uint64_t)off;
}

void acpi_init(void)
{
    const uint8_t *bda = paging_map_boot(BDA_EBDA_SEGMENT, 2);
    uint64_t ebda = bda ? (uint64_t)(bda[0] | bda[1] << 8) << 4 : 0;
    uint64_t rsdp = 0;
    if (ebda >= EBDA_MIN && ebda < BIOS_AREA - EBDA_SEARCH)
        rsdp = search(ebda, EBDA_SEARCH);
    if (!rsdp)
        rsdp = search(BIOS_AREA, BIOS_AREA_END - BIOS_AREA);

    struct acpi_access access = { map, 0 };
    if (!rsdp) {
        acpi_defaults(&platform, &acpi_info);
        kprintf("acpi: no RSDP found: no ACPI tables\n");
    } else {
        acpi_parse(&access, rsdp, &platform, &acpi_info);
    }
    /* Without a MADT the local APIC is where the CPU says it is. */
    if (!acpi_info.madt) {
        platform.lapic_paddr = rdmsr(MSR_APIC_BASE) & ~0xfffull & ((1ull << 52) - 1);
        kprintf("acpi: without a MADT: LAPIC at 0x%lx (from the CPU), no I/O APIC known\n",
                platform.lapic_paddr);
    }
}
