/*
 * The hooks generic kernel code calls into the architecture layer. Every
 * architecture implements all of them (kernel/arch/<arch>/); a missing one is
 * a link error.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <memmap.h>
#include <mica/device.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcb;

/* Console character output (polled serial). */
void arch_console_putc(char c);

/* Kernel virtual address of physical memory (direct map): inline, from
 * the architecture's arch_inline.h. */
#include <arch_inline.h>

/* Rights of a user page mapping. */
#define MAP_READ  0x1
#define MAP_WRITE 0x2
#define MAP_EXEC  0x4

/*
 * Boot-time address-space construction for the root task. Page tables come
 * from the boot allocator; these return 0 / false when memory runs out.
 */
uint64_t arch_boot_vspace_create(struct memmap *mem);
bool arch_boot_map_user(struct memmap *mem, uint64_t root, uint64_t vaddr, uint64_t paddr,
                        unsigned rights);

/* Make the zeroed page at paddr a new top-level page table (VSpace). */
void arch_vspace_init(uint64_t paddr);

/* Physical address of a kernel-image (linked) address. */
uint64_t arch_kernel_virt_to_phys(const void *p);

/*
 * Copy len bytes from user address uaddr in address space root into buf.
 * Every page must be mapped user-readable. Returns false (copying nothing
 * further) at the first page that is not.
 */
bool arch_copy_from_user(uint64_t root, void *buf, uint64_t uaddr, size_t len);

/*
 * Page tables of user address spaces. Levels: 3 = top-level entries (which
 * map PDPTs), 2 (PDs or 1 GiB pages), 1 (page tables or 2 MiB pages),
 * 0 (4 KiB pages). A slot is the entry at `level` covering vaddr.
 */
#define ARCH_LEVELS 4
/* Entry at `level` for vaddr in the address space `root`, or NULL with
 * *missing = the level whose table is absent (a large page in the way
 * counts as absent). */
uint64_t *arch_pt_slot(uint64_t root, uint64_t vaddr, unsigned level, unsigned *missing);
static inline bool arch_pte_present(uint64_t e) { return e & 1; }
/* Physical address an entry points to. */
uint64_t arch_pte_addr(uint64_t e);
/* An entry pointing to the table at paddr (user-accessible). */
uint64_t arch_pte_table(uint64_t paddr);
/* A leaf entry for a page at paddr; level 0 (4 KiB) or 1 (2 MiB). */
uint64_t arch_pte_page(uint64_t paddr, unsigned level, unsigned map_rights, unsigned cache);
/* Forget cached translations of root (one page, or all with vaddr ~0). */
void arch_tlb_flush(uint64_t root, uint64_t vaddr);
/* The address space the CPU is using now. */
uint64_t arch_current_vspace(void);
/* Stop using root (it is being destroyed): switch to the kernel's own. */
void arch_vspace_release(uint64_t root);

/* A TCB is being destroyed: drop any per-CPU reference to it (FPU owner). */
void arch_tcb_release(struct tcb *t);

/* Timer. */
uint32_t arch_timer_hz(void);
/* The MICA_CPU_* protections turned on at boot (include/mica/bootinfo.h). */
uint32_t arch_cpu_protections(void);

/* Is an interrupt waiting to be taken (the kernel runs with interrupts
 * off)? Asked by preemption points (preempt.h). */
bool arch_irq_pending(void);

/*
 * Device interrupts (irq.c, docs/objects/irq.md). The kernel numbers every
 * interrupt it can hand out: interrupt-controller input (GSI) g is IRQ g,
 * for g < ARCH_IRQ_GSIS, and MSI number n is IRQ ARCH_IRQ_GSIS + n. The
 * architecture calls irq_deliver(irq) (device.h) when one arrives and
 * acknowledges it to the interrupt controller afterwards.
 */
#define ARCH_IRQ_GSIS  64 /* GSIs the architecture can route at most */
#define ARCH_IRQ_COUNT (ARCH_IRQ_GSIS + MICA_IRQ_MSI_COUNT)
/* GSIs the interrupt controllers serve: 0 .. n-1, n <= ARCH_IRQ_GSIS. */
unsigned arch_irq_gsis(void);
/* Program served GSI `gsi` for the kernel's vector with the trigger mode
 * and polarity in flags (MICA_IRQ_*), masked. */
void arch_irq_gsi_setup(unsigned gsi, unsigned flags);
/* Mask or unmask served GSI `gsi`. */
void arch_irq_gsi_mask(unsigned gsi, bool masked);
/* The MSI message that raises MSI `msi` on this CPU, issued for the PCI
 * function `pci` (MICA_PCI_ADDR; with interrupt remapping the only one that
 * can use it): the address in the high 32 bits, the data word in the low
 * 32 (MICA_MSI_ADDRESS/DATA). */
uint64_t arch_irq_msi_message(unsigned msi, uint64_t pci);
/* MSI `msi` has no handler any more: with interrupt remapping, its message
 * no longer raises anything (blocked and reported). */
void arch_irq_msi_release(unsigned msi);

/* Scheduling: run the thread's user context; never returns. */
__attribute__((noreturn)) void arch_switch_to(struct tcb *t);
/* The same for a thread whose context was saved by its own system call
 * and not changed since (the IPC fastpath's partners): no checks. */
__attribute__((noreturn)) void arch_switch_to_saved(struct tcb *t);
/* Return to the thread that entered the kernel (t == current, running in
 * its own address space with its own FPU state, context untouched). */
__attribute__((noreturn)) void arch_resume(struct tcb *t);
/* Wait for interrupts with no thread to run; never returns. */
__attribute__((noreturn)) void arch_idle(void);

/* Power off QEMU through isa-debug-exit (or ACPI), then halt. */
__attribute__((noreturn)) void arch_machine_halt(unsigned code);

/* Debug: deliberately take a kernel-mode page fault (boot self-test). */
void arch_selftest_kernel_fault(void);

#endif
