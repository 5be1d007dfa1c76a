/*
 * Local APIC timer (the kernel's only clock) and the legacy 8259 PIC, which
 * is remapped away from the exception vectors and masked.
 *
 * The LAPIC timer's rate is unknown, so it is calibrated against PIT
 * channel 2 (fixed 1.193182 MHz input) at boot, then run periodically at
 * TIMER_HZ. Facts: Intel SDM vol. 3, ch. 11 (APIC); Intel 8254 datasheet.
 */
#include "cpu.h"
#include "x86.h"
#include <console.h>
#include <panic.h>
#include <sched.h>

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1u << 11)

#define LAPIC_ID       0x020
#define LAPIC_TPR      0x080
#define LAPIC_EOI      0x0b0
#define LAPIC_ISR      0x100 /* in-service bits: 8 registers of 32, 16 bytes apart */
#define LAPIC_SVR      0x0f0
#define LAPIC_IRR      0x200 /* 8 registers of 32 bits, 0x10 apart */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0

#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define SVR_ENABLE   (1u << 8)
#define TIMER_DIV_16 0x3

#define TIMER_HZ 100
#define PIT_HZ 1193182u
#define CALIBRATE_MS 10

static volatile uint32_t *lapic;
static uint32_t lapic_ticks_per_ms;

static uint32_t lapic_read(unsigned reg) { return lapic[reg / 4]; }
static void lapic_write(unsigned reg, uint32_t v) { lapic[reg / 4] = v; }

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

bool lapic_in_service(unsigned v)
{
    v &= 0xff;
    return (lapic_read(LAPIC_ISR + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

void pic_disable(void)
{
    /* ICW1-4: remap master to VECTOR_PIC_BASE, slave to +8, then mask all, so a
     * stray legacy interrupt can never look like a CPU exception. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, VECTOR_PIC_BASE);
    outb(0xa1, VECTOR_PIC_BASE + 8);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* Count LAPIC timer decrements during CALIBRATE_MS of PIT channel 2. */
static uint32_t calibrate(void)
{
    const uint32_t pit_count = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t gate = inb(0x61);
    outb(0x61, (gate & ~0x02) | 0x01); /* gate on, speaker off */
    outb(0x43, 0xb0);                  /* channel 2, lo/hi byte, mode 0 */
    outb(0x42, pit_count & 0xff);
    outb(0x42, pit_count >> 8);
    gate = inb(0x61);
    outb(0x61, gate & ~0x01); /* restart the count with a rising gate edge */
    outb(0x61, gate | 0x01);

    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    unsigned long spins = 0;
    while (!(inb(0x61) & 0x20)) { /* OUT2 goes high when the count ends */
        if (++spins > 100000000ul)
            panic("LAPIC calibration: PIT channel 2 never finished counting");
    }
    uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    return elapsed / CALIBRATE_MS;
}

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    lapic = paging_map_mmio(base & ~0xfffull);

    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);

    lapic_ticks_per_ms = calibrate();
    if (lapic_ticks_per_ms == 0)
        panic("LAPIC calibration measured no timer progress");
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INIT, lapic_ticks_per_ms * (1000 / TIMER_HZ));
    kprintf("timer: LAPIC id %u, %u ticks/ms (bus/16), periodic %u Hz\n",
            lapic_read(LAPIC_ID) >> 24, lapic_ticks_per_ms, TIMER_HZ);
}

/* Any bit in the interrupt request register: an interrupt the LAPIC has
 * accepted but not yet delivered, because the kernel runs with IF clear.
 * Vectors below 32 are never requested through the LAPIC. */
bool arch_irq_pending(void)
{
    uint32_t any = 0;
    for (unsigned i = 1; i < 8; i++)
        any |= lapic_read(LAPIC_IRR + 0x10 * i);
    return any != 0;
}

uint32_t arch_timer_hz(void)
{
    return TIMER_HZ;
}
