/*
 * faults: the program of every PD of tests/systems/faults.system
 * (tests/boot/system-faults.case). What a PD does depends on its name:
 *
 *   null ud de gp bp sys text deep jump info
 *           each does one bad thing in init() and must never get past it:
 *           init, every PD's fault handler, reports the fault by the PD's
 *           name and stops that PD only. Where a fault report shows rsp,
 *           the PD first sets rsp to the top of its stack (from its PD
 *           info), so the case can check the exact value init reports.
 *   helper  answers protected calls: it is alive after all the faults.
 *   survivor
 *           the lowest priority, so it runs after every fault: it calls
 *           helper and says that the system still works.
 *
 * A PD that survives its own fault prints a FAIL line (the case rejects
 * "FAIL").
 */
#include <mica_component.h>
#include <stdbool.h>

#define HELPER_CHANNEL   0   /* survivor's end of its channel to helper */
#define ASK_ANSWER       1   /* survivor's request: MR0 + 1 */

static const char *me;
static mica_word_t stack_top;

/* Volatile, so the compiler cannot see the NULL and drop the load. */
static mica_word_t *volatile nowhere;
/* Never equal to a depth: it keeps the recursion from looking infinite. */
static volatile mica_word_t bottom = ~0ul;

static void null_read(void)
{
    mica_printf("%s: reading address 0x%lx\n", me, (mica_word_t)nowhere);
    mica_word_t v = *nowhere;
    mica_printf("%s: FAIL: read 0x%lx at NULL\n", me, v);
}

static void invalid_opcode(void)
{
    mica_printf("%s: ud2 with rsp 0x%lx\n", me, stack_top);
    __asm__ volatile("mov %0, %%rsp\n\tud2" : : "r"(stack_top) : "memory");
}

static void divide_by_zero(void)
{
    mica_printf("%s: dividing by zero with rsp 0x%lx\n", me, stack_top);
    __asm__ volatile("mov %0, %%rsp\n\txor %%ecx, %%ecx\n\tdiv %%ecx"
                     : : "r"(stack_top) : "rax", "rcx", "rdx", "memory");
}

static void software_interrupt(void)
{
    /* Vector 0x80's gate is not open to ring 3: #GP, not an interrupt. */
    mica_printf("%s: int $0x80 with rsp 0x%lx\n", me, stack_top);
    __asm__ volatile("mov %0, %%rsp\n\tint $0x80" : : "r"(stack_top) : "memory");
}

static void breakpoint(void)
{
    mica_printf("%s: int3 with rsp 0x%lx\n", me, stack_top);
    __asm__ volatile("mov %0, %%rsp\n\tint3" : : "r"(stack_top) : "memory");
}

static void unknown_syscall(void)
{
    mica_printf("%s: system call 39, which Mica does not have\n", me);
    __asm__ volatile("syscall" : : "a"(39ul) : "rcx", "r11", "memory");
}

static void write_code(void)
{
    mica_printf("%s: writing over its own code\n", me);
    /* The store's target is the store instruction itself. */
    __asm__ volatile("1: movl $0, 1b(%%rip)" : : : "memory");
}

static mica_word_t dive(mica_word_t depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth == bottom)
        return 0;
    return dive(depth + 1) + (mica_word_t)frame[0];
}

static void overflow_stack(void)
{
    mica_printf("%s: recursing past the bottom of its %lu KiB stack at 0x%lx\n", me,
                mica_pd()->stack_size >> 10, stack_top - mica_pd()->stack_size);
    mica_printf("%s: FAIL: recursion ended (%lu)\n", me, dive(0));
}

static void jump_to_stack(void)
{
    mica_word_t target = stack_top - 8;
    mica_printf("%s: jumping to 0x%lx, in its stack\n", me, target);
    ((void (*)(void))target)();
}

static void write_pd_info(void)
{
    volatile mica_word_t *info = (volatile mica_word_t *)mica_pd();
    mica_printf("%s: writing to its PD info at 0x%lx\n", me, (mica_word_t)info);
    *info = 0;
}

static void survive(void)
{
    mica_mr_set(0, 41);
    mica_msginfo_t reply = mica_ppcall(HELPER_CHANNEL, mica_msginfo(ASK_ANSWER, 1));
    if (mica_msginfo_label(reply) != 0 || mica_mr_get(0) != 42) {
        mica_printf("%s: FAIL: helper answered label %lu, MR0 %lu (expected 0, 42)\n", me,
                    mica_msginfo_label(reply), mica_mr_get(0));
        return;
    }
    mica_printf("%s: still running, and helper answered 41 + 1 = %lu; waiting for a "
                "notification that never comes\n", me, mica_mr_get(0));
}

static void ready(void)
{
    mica_printf("%s: ready for protected calls\n", me);
}

static const struct {
    const char *name;
    void (*run)(void);
    bool faults;
} roles[] = {
    { "null", null_read, true },          { "ud", invalid_opcode, true },
    { "de", divide_by_zero, true },       { "gp", software_interrupt, true },
    { "bp", breakpoint, true },           { "sys", unknown_syscall, true },
    { "text", write_code, true },         { "deep", overflow_stack, true },
    { "jump", jump_to_stack, true },      { "info", write_pd_info, true },
    { "helper", ready, false },           { "survivor", survive, false },
};

void init(void)
{
    me = mica_pd_name();
    stack_top = mica_pd()->stack_top;
    for (unsigned i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (mica_strcmp(roles[i].name, me))
            continue;
        roles[i].run();
        if (roles[i].faults)
            mica_printf("%s: FAIL: still running after its fault\n", me);
        return;
    }
    mica_printf("%s: FAIL: no role for a PD of this name\n", me);
}

void notified(mica_channel_t ch)
{
    mica_printf("%s: FAIL: notified on channel %u\n", me, ch);
}

mica_msginfo_t protected(mica_channel_t ch, mica_msginfo_t msg)
{
    if (mica_msginfo_label(msg) != ASK_ANSWER || mica_msginfo_count(msg) != 1) {
        mica_printf("%s: FAIL: call on channel %u with label %lu\n", me, ch,
                    mica_msginfo_label(msg));
        return mica_msginfo(MICA_ERR_NOT_SUPPORTED, 0);
    }
    mica_mr_set(0, mica_mr_get(0) + 1);
    return mica_msginfo(0, 1);
}
