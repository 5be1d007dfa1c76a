/*
 * Internal interfaces between the x86_64 arch files.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include "context.h"
#include <memmap.h>
#include <stdbool.h>
#include <stdint.h>

struct tcb;

void serial_init(void);
void gdt_init(void);
/* The task-state segment: only the stack pointers matter in long mode. */
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");
extern struct tss tss;

/* Where the CPU saves user state on an interrupt from ring 3. */
static inline void tss_set_rsp0(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}
void idt_init(void);
void cpu_init(void);
/* SMEP, SMAP, UMIP where the CPU has them (after paging_init). */
void cpu_enable_protections(void);

/* Paging: build kernel page tables (direct map of `ram`, kernel image) and
 * switch to them. Tables come from `mem`, below 1 GiB. */
void paging_init(const struct memmap *ram, struct memmap *mem);
/* Map an MMIO page uncached into kernel space; returns its virtual address. */
void *paging_map_mmio(uint64_t paddr);
/* Boot only: make [paddr, paddr + len) readable (uncached, read-only) at its
 * direct-map address, e.g. firmware tables outside RAM (acpi_x86.c). */
void *paging_map_boot(uint64_t paddr, uint64_t len);
uint64_t paging_kernel_root(void);

/* ACPI tables (acpi_x86.c): find the RSDP and fill `platform` (platform.h). */
void acpi_init(void);
/* I/O APICs (ioapic.c): every input masked, vectors assigned. */
void ioapic_init(void);
/* An interrupt on vector v in the I/O APIC or MSI range (ioapic.c). */
void arch_irq_vector(unsigned v);
/* VT-d (vtd.c): take over the IOMMUs the DMAR table lists, if any; tables
 * come from the boot allocator. */
void iommu_init(struct memmap *mem);
/* The VT-d fault event interrupt (vtd.c). */
void iommu_fault_interrupt(void);
/* VT-d interrupt remapping (vtd.c; iommu_intremap() in iommu.h says
 * whether it is on). Entry `index` (< 256; the kernel's IRQ number) of the remapping table of
 * the segment of `pci` (MICA_PCI_ADDR) raises `vector` at the local APIC
 * `apic_id`, edge or level, and, if `verify`, only for requests with the
 * requester ID of `pci`. False (nothing written) if remapping is off or no
 * unit serves the segment. */
bool vtd_irte_set(uint64_t pci, unsigned index, unsigned vector, unsigned apic_id, bool level,
                  bool verify);
/* Entry `index` not present in any segment: requests using it are blocked. */
void vtd_irte_clear(unsigned index);

void lapic_init(void);
void lapic_eoi(void);
/* Is vector v in service at the local APIC (delivered by it, no EOI yet)? */
bool lapic_in_service(unsigned v);
/* An interrupt on a vector the kernel never assigned (trap.c): EOI it if
 * the local APIC delivered it, count it, report the first on each vector. */
void trap_stray_vector(unsigned v);
void pic_disable(void);
uint64_t timer_ticks(void);

/* Interrupt vectors. */
#define VECTOR_PIC_BASE  0x20 /* legacy 8259 remapped here, all masked */
#define VECTOR_IOAPIC_BASE 0x30 /* I/O APIC input (GSI) g arrives at 0x30 + g */
#define VECTOR_IOAPIC_COUNT 0x40 /* GSIs 0-63 */
#define VECTOR_MSI_BASE  0x80 /* MSI number n arrives at 0x80 + n (MICA_IRQ_MSI_COUNT) */
#define VECTOR_IOMMU_FAULT 0xe0 /* VT-d fault event (vtd.c) */
#define VECTOR_TIMER     0xf0
#define VECTOR_SPURIOUS  0xff

/* Entry points called from entry.S. */
__attribute__((noreturn)) void trap_from_user(struct arch_context *ctx);
void trap_from_kernel(struct arch_context *frame);
__attribute__((noreturn)) void syscall_from_user(struct arch_context *ctx);

/* Symbols from entry.S and the linker script. */
extern char kernel_stack_top[];
extern uint64_t cur_ctx_end;
extern const uint64_t trap_vector_table[256];
extern char _kernel_start[], _text_end[], _rodata_end[], _data_end[], _kernel_end[];
void syscall_entry(void);
void syscall_compat_entry(void);
__attribute__((noreturn)) void syscall_compat_from_user(struct arch_context *ctx);

#endif
