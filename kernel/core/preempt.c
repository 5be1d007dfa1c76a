/*
 * Preemption points (see preempt.h). Looking at the interrupt controller
 * costs a few MMIO reads, so it happens only every PREEMPT_CHECK_UNITS
 * units of work; the latency bound is that many units plus one step.
 */
#include <arch.h>
#include <preempt.h>
#include <sched.h>

uint64_t preempt_count;
static unsigned units_since_check;
static uint64_t forced_period, forced_calls;
static unsigned disabled;

void preempt_disable(void)
{
    disabled++;
}

void preempt_enable(void)
{
    disabled--;
}

void preempt_debug_force(uint64_t period)
{
    forced_period = period;
    forced_calls = 0;
}

static bool forced(void)
{
    if (!CONFIG_DEBUG || !forced_period || ++forced_calls % forced_period)
        return false;
    sched_yield(); /* let threads of the caller's priority see the half-done state */
    return true;
}

bool preempt_point(unsigned units)
{
    if (disabled)
        return false;
    bool stop = forced();
    units_since_check += units;
    if (!stop && units_since_check >= PREEMPT_CHECK_UNITS) {
        units_since_check = 0;
        stop = arch_irq_pending();
    }
    if (stop)
        preempt_count++;
    return stop;
}
