/* The system call entry: dispatch, argument checking, register convention. */
#include "ktest.h"
#include <mica/layout.h>

int ktest_syscall_preserves(long number);

static const char *unknown_negative(const struct mica_bootinfo *bi)
{
    (void)bi;
    CHECK_EQ(mica_syscall2(-1000, 0, 0).status, MICA_ERR_INVALID_SYSCALL);
    CHECK_EQ(mica_syscall2(MICA_SYS_MIN - 1, 0, 0).status, MICA_ERR_INVALID_SYSCALL);
    CHECK_EQ(mica_syscall2((long)0x8000000000000000ul, 0, 0).status, MICA_ERR_INVALID_SYSCALL);
    return 0;
}

static const char *yield(const struct mica_bootinfo *bi)
{
    (void)bi;
    CHECK_EQ(mica_syscall2(MICA_SYS_YIELD, 0, 0).status, MICA_OK);
    return 0;
}

static const char *preserves(const struct mica_bootinfo *bi)
{
    (void)bi;
    CHECK_EQ(ktest_syscall_preserves(MICA_SYS_DEBUG_TICKS), 0);
    CHECK_EQ(ktest_syscall_preserves(MICA_SYS_YIELD), 0);
    CHECK_EQ(ktest_syscall_preserves(-1000), 0); /* error path too */
    return 0;
}

static const char *write_ok(const struct mica_bootinfo *bi)
{
    static const char msg[] = "ktest: debug write works\n";
    mica_word_t written = 0;
    (void)bi;
    CHECK_EQ(mica_debug_write(msg, sizeof(msg) - 1, &written), MICA_OK);
    CHECK_EQ(written, sizeof(msg) - 1);
    CHECK_EQ(mica_debug_write(msg, 0, &written), MICA_OK);
    CHECK_EQ(written, 0);
    return 0;
}

static const char *write_read_only_page(const struct mica_bootinfo *bi)
{
    mica_word_t written = 0;
    /* The boot-info page is mapped read-only: readable is all that's needed. */
    CHECK_EQ(mica_debug_write(&bi->magic, 8, &written), MICA_OK);
    mica_debug_putchar('\n');
    CHECK_EQ(written, 8);
    return 0;
}

static const char *write_bad_addresses(const struct mica_bootinfo *bi)
{
    static const unsigned long bad[] = {
        0,                     /* NULL page, never mapped */
        0x10000000,            /* unmapped user address */
        0xffffffff80100000ul,  /* kernel image */
        0xffff800000100000ul,  /* kernel direct map */
        0x0000800000000000ul,  /* non-canonical */
        MICA_USER_TOP,         /* the excluded last user page */
    };
    mica_word_t written = 99;
    (void)bi;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mica_word_t st = mica_debug_write((const void *)bad[i], 16, &written);
        if (st != MICA_ERR_BAD_ADDRESS || written != 0)
            return ktest_failf("write from 0x%lx: status %lu, written %lu", bad[i], st, written);
    }
    return 0;
}

static const char *write_wraps(const struct mica_bootinfo *bi)
{
    mica_word_t written = 99;
    (void)bi;
    CHECK_EQ(mica_debug_write((const void *)0xfffffffffffffff0ul, 100, &written), MICA_ERR_BAD_ADDRESS);
    CHECK_EQ(written, 0);
    return 0;
}

static const char *write_partial(const struct mica_bootinfo *bi)
{
    /* Starts 10 bytes before the end of the IPC buffer; the page after it is
     * unmapped, so exactly 10 bytes are written. */
    char *end = (char *)bi->ipc_buffer + MICA_PAGE_SIZE;
    for (int i = 1; i <= 10; i++)
        end[-i] = '.';
    end[-1] = '\n';
    mica_word_t written = 0;
    CHECK_EQ(mica_debug_write(end - 10, 20, &written), MICA_ERR_BAD_ADDRESS);
    CHECK_EQ(written, 10);
    return 0;
}

static const char *write_too_long(const struct mica_bootinfo *bi)
{
    mica_word_t written = 99;
    CHECK_EQ(mica_debug_write((const void *)bi->ipc_buffer, 64 * 1024 + 1, &written),
             MICA_ERR_INVALID_ARGUMENT);
    CHECK_EQ(written, 0);
    return 0;
}

const struct ktest syscall_tests[] = {
    { "syscall_unknown_negative_number", unknown_negative },
    { "syscall_yield", yield },
    { "syscall_preserves_registers", preserves },
    { "debug_write", write_ok },
    { "debug_write_from_read_only_page", write_read_only_page },
    { "debug_write_bad_addresses", write_bad_addresses },
    { "debug_write_address_wraps", write_wraps },
    { "debug_write_stops_at_unmapped_page", write_partial },
    { "debug_write_too_long", write_too_long },
    { 0, 0 },
};
