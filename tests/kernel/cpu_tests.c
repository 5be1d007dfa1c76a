/* The root task's CPU environment: privilege, flags, FPU, timer interrupts. */
#include "ktest.h"

int ktest_spin_with_patterns(unsigned long iterations);

#define RFLAGS_IF (1ul << 9)
#define RFLAGS_IOPL (3ul << 12)

static const char *ring3(const struct mica_bootinfo *bi)
{
    unsigned short cs, ss;
    (void)bi;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    CHECK_EQ(cs & 3, 3);
    CHECK_EQ(ss & 3, 3);
    return 0;
}

static const char *rflags(const struct mica_bootinfo *bi)
{
    unsigned long f;
    (void)bi;
    __asm__ volatile("pushfq; pop %0" : "=r"(f));
    CHECK(f & RFLAGS_IF);       /* interrupts stay on in user mode */
    CHECK_EQ(f & RFLAGS_IOPL, 0); /* no port I/O without capabilities */
    return 0;
}

static const char *sse(const struct mica_bootinfo *bi)
{
    volatile double a = 1.5, b = 2.25;
    volatile float c = 0.1f;
    (void)bi;
    CHECK(a * b == 3.375);
    CHECK((double)(c * 10.0f) > 0.99 && (double)(c * 10.0f) < 1.01);
    return 0;
}

static const char *timer_ticks(const struct mica_bootinfo *bi)
{
    (void)bi;
    unsigned long t0 = mica_debug_ticks(), spins = 0;
    /* User code spins; only the timer interrupt can move the count. */
    while (mica_debug_ticks() < t0 + 5) {
        for (volatile int i = 0; i < 10000; i++)
            ;
        if (++spins > 1000000)
            return ktest_failf("ticks stuck at %lu (started at %lu)", mica_debug_ticks(), t0);
    }
    CHECK(mica_debug_ticks() >= t0 + 5);
    return 0;
}

static const char *interrupts_preserve_registers(const struct mica_bootinfo *bi)
{
    (void)bi;
    unsigned interrupted = 0;
    for (unsigned round = 0; round < 200 && interrupted < 3; round++) {
        unsigned long t0 = mica_debug_ticks();
        if (ktest_spin_with_patterns(1000000))
            return ktest_failf("a register changed during round %u", round);
        if (mica_debug_ticks() > t0)
            interrupted++;
    }
    if (interrupted < 3)
        return ktest_failf("only %u rounds were interrupted by the timer", interrupted);
    return 0;
}

const struct ktest cpu_tests[] = {
    { "cpu_ring3", ring3 },
    { "cpu_rflags_if_set_iopl0", rflags },
    { "cpu_sse_usable", sse },
    { "timer_ticks_advance_in_user_mode", timer_ticks },
    { "timer_interrupts_preserve_registers", interrupts_preserve_registers },
    { 0, 0 },
};
