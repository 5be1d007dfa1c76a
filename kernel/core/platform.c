/*
 * The platform facts (platform.h) and what of them the root task gets in
 * its boot info. acpi.c fills `platform` at boot.
 */
#include <device.h>
#include <iommu.h>
#include <mica/bootinfo.h>
#include <mica/device.h>
#include <platform.h>

struct platform platform;

void platform_bootinfo(struct mica_bootinfo_platform *p)
{
    p->ioapic_gsis = irq_ioapic_gsis();
    p->iommu_address_bits = (uint8_t)iommu_address_bits();
    if (p->iommu_address_bits)
        p->flags |= MICA_PLATFORM_IOMMU;
    if (iommu_intremap())
        p->flags |= MICA_PLATFORM_INTREMAP;
    for (unsigned i = 0; i < 16; i++) {
        p->isa_gsi[i] = platform.isa_gsi[i];
        p->isa_flags[i] = platform.isa_flags[i];
    }
    if (platform.ecam) {
        p->flags |= MICA_PLATFORM_ECAM;
        p->ecam_base = platform.ecam_base;
        p->ecam_segment = platform.ecam_segment;
        p->ecam_bus_first = platform.ecam_bus_first;
        p->ecam_bus_last = platform.ecam_bus_last;
    }
}
