/*
 * From the Multiboot hand-off to the generic kernel: bring up the console
 * and the CPU tables, turn the Multiboot information into a memory map and
 * a module list, build the kernel page tables, start the timer, and call
 * kernel_start(). Everything the boot loader handed us is reserved until it
 * has been copied or handed on (docs/boot.md).
 */
#include "asm.h"
#include "cpu.h"
#include "multiboot.h"
#include "x86.h"
#include <acpi.h>
#include <arch.h>
#include <bits.h>
#include <boot.h>
#include <console.h>
#include <kstring.h>
#include <mica/types.h>
#include <panic.h>
#include <platform.h>

#define LOW_MEMORY_END 0x100000ull       /* BIOS area, kept out of untyped */
#define BOOT_WINDOW_END (1ull << 30)     /* reachable before paging_init */

static struct memmap ram;  /* RAM per firmware: the extent of the direct map */
static struct memmap mem;  /* free RAM: the boot allocator and later untyped */
static struct memmap device; /* MMIO space handed out as device untyped */

#define DEVICE_SPACE_END (1ull << 32) /* devices above 4 GiB: later (64-bit BARs) */
/* Interrupt controller windows that are never device memory: 0xfee00000-
 * 0xfeefffff is where CPUs see their local APIC and devices write MSIs;
 * 0xfec00000-0xfecfffff is where I/O APICs conventionally sit, all of it
 * kept back only when the MADT lists none (or there is no MADT). */
#define INTERRUPT_WINDOW 0xfee00000ull
#define IOAPIC_WINDOW    0xfec00000ull
#define WINDOW_SIZE      0x100000ull
#define MSR_APIC_BASE    0x1b
static struct boot_params params;
static char cmdlines[BOOT_MAX_MODULES + 1][MICA_BOOTINFO_CMDLINE_MAX];

static const void *boot_ptr(uint64_t paddr, uint64_t len, const char *what)
{
    if (paddr + len < paddr || paddr + len > BOOT_WINDOW_END)
        panic("boot loader placed the %s at 0x%lx, beyond the first GiB", what, paddr);
    return arch_phys_to_virt(paddr);
}

/* Copy a boot-loader string (bounded) and reserve where it lies. */
static const char *copy_string(unsigned slot, uint32_t paddr)
{
    char *dst = cmdlines[slot];
    dst[0] = '\0';
    if (paddr) {
        strlcpy(dst, boot_ptr(paddr, MICA_BOOTINFO_CMDLINE_MAX, "command line"),
                MICA_BOOTINFO_CMDLINE_MAX);
        memmap_reserve(&mem, paddr, strlen(dst) + 1);
    }
    return dst;
}

static void collect_modules(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count == 0)
        return;
    unsigned count = mbi->mods_count;
    if (count > BOOT_MAX_MODULES) {
        kprintf("mica: warning: %u boot modules, only the first %u are used\n", count,
                BOOT_MAX_MODULES);
        count = BOOT_MAX_MODULES;
    }
    const struct multiboot_module *mods =
        boot_ptr(mbi->mods_addr, count * sizeof(*mods), "module list");
    memmap_reserve(&mem, mbi->mods_addr, mbi->mods_count * sizeof(*mods));
    for (unsigned i = 0; i < count; i++) {
        struct boot_module *m = &params.modules[params.n_modules++];
        m->paddr = mods[i].mod_start;
        m->size = mods[i].mod_end >= mods[i].mod_start ? mods[i].mod_end - mods[i].mod_start : 0;
        m->cmdline = copy_string(i + 1, mods[i].string);
        memmap_reserve(&mem, m->paddr, m->size);
    }
}

static void parse_memory_map(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MMAP))
        panic("the boot loader passed no memory map (Multiboot flag 6)");
    memmap_init(&ram);
    const uint8_t *map = boot_ptr(mbi->mmap_addr, mbi->mmap_length, "memory map");
    if (multiboot_parse_mmap(map, mbi->mmap_length, &ram, &params.ram_total) < 0)
        panic("the boot loader's memory map is malformed");
    if (ram.overflowed)
        kprintf("mica: warning: memory map has too many ranges; some RAM is ignored\n");
    mem = ram;
    memmap_reserve(&mem, 0, LOW_MEMORY_END);
    memmap_reserve(&mem, (uint64_t)_kernel_start - KERNEL_VBASE,
                   (uint64_t)(_kernel_end - _kernel_start));
    memmap_reserve(&mem, mbi->mmap_addr, mbi->mmap_length);

    multiboot_device_space(map, mbi->mmap_length, DEVICE_SPACE_END, &device);
    memmap_reserve(&device, 0, LOW_MEMORY_END);
}

/* Does [base, end) touch RAM as the firmware reported it? */
static bool overlaps_ram(uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < ram.n_free; i++)
        if (ranges_overlap(base, end, ram.free[i].base, ram.free[i].end))
            return true;
    return ram.overflowed; /* part of the RAM is unknown: assume the worst */
}

/*
 * Finish the device space with the ACPI facts (docs/boot.md): add the PCI
 * ECAM window, which firmware lists as reserved in the memory map but
 * which is device memory a PCI driver needs, then take out every page of
 * registers the kernel drives itself (local APIC, I/O APICs, VT-d units),
 * so user space can never get a device frame over them.
 */
static void finish_device_space(void)
{
    if (platform.ecam) {
        uint64_t buses = (uint64_t)(platform.ecam_bus_last - platform.ecam_bus_first) + 1;
        uint64_t base = platform.ecam_base, end = base + (buses << 20); /* 1 MiB a bus */
        if (overlaps_ram(base, end)) {
            kprintf("mica: warning: PCI ECAM 0x%lx-0x%lx overlaps RAM; ECAM not used\n", base,
                    end - 1);
            platform.ecam = false; /* not offered to the root task either */
        } else {
            memmap_add(&device, base, end - base);
        }
    }
    memmap_reserve(&device, INTERRUPT_WINDOW, WINDOW_SIZE);
    memmap_reserve(&device, platform.lapic_paddr, MICA_PAGE_SIZE);
    uint64_t apic_base = rdmsr(MSR_APIC_BASE) & ~0xfffull & ((1ull << 52) - 1);
    memmap_reserve(&device, apic_base, MICA_PAGE_SIZE); /* where the CPU has it */
    /* With no I/O APIC listed the kernel tries the standard one (ioapic.c). */
    for (unsigned i = 0; i < platform.n_ioapics; i++)
        memmap_reserve(&device, platform.ioapic[i].paddr, MICA_PAGE_SIZE);
    if (platform.n_ioapics == 0)
        memmap_reserve(&device, IOAPIC_WINDOW, WINDOW_SIZE);
    for (unsigned i = 0; i < platform.n_iommus; i++)
        memmap_reserve(&device, platform.iommu[i].paddr, acpi_info.iommu_reg_size[i]);
    if (device.overflowed)
        kprintf("mica: warning: device space has too many ranges; some MMIO is not handed out\n");
    params.device = &device;
}

void arch_main(uint32_t magic, uint32_t mbi_paddr)
{
    serial_init();
    console_init();
    kprintf("\nMica microkernel " MICA_VERSION " (x86_64%s)\n", CONFIG_DEBUG ? ", debug build" : "");
    cpu_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot loader (eax 0x%x)", magic);

    const struct multiboot_info *mbi = boot_ptr(mbi_paddr, sizeof(*mbi), "boot information");
    parse_memory_map(mbi);
    memmap_reserve(&mem, mbi_paddr, sizeof(*mbi));
    params.cmdline = (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? copy_string(0, mbi->cmdline) : "";
    collect_modules(mbi);
    params.mem = &mem;

    paging_init(&ram, &mem);
    cpu_enable_protections();
    acpi_init();
    finish_device_space();
    pic_disable();
    lapic_init();
    ioapic_init();
    iommu_init(&mem);
    kernel_start(&params);
}
