/*
 * Mica debug interface shared by the kernel, user code and the host test
 * runner: the isa-debug-exit codes the kernel writes when it stops QEMU, and
 * the line protocol a test root task prints on the serial console.
 *
 * QEMU's isa-debug-exit device (I/O port MICA_DEBUG_EXIT_PORT) turns a write
 * of value v into a QEMU exit status of (v << 1) | 1, which is what the
 * runner sees: MICA_QEMU_STATUS(code).
 */
#ifndef MICA_DEBUG_H
#define MICA_DEBUG_H

#define MICA_DEBUG_EXIT_PORT 0xf4

/* Codes the kernel writes to the debug-exit port. */
#define MICA_EXIT_SUCCESS   0x10 /* root task asked to halt with status 0 */
#define MICA_EXIT_FAILURE   0x11 /* root task asked to halt with status != 0 */
#define MICA_EXIT_PANIC     0x12 /* kernel panic or kernel-mode exception */
#define MICA_EXIT_NO_THREAD 0x13 /* every thread has stopped; kernel idle */
#define MICA_EXIT_BOOT_FAIL 0x14 /* boot refused (e.g. bad root-task module) */

#define MICA_QEMU_STATUS(code) (((code) << 1) | 1)

/*
 * Test result protocol, one line each on the serial console:
 *   "@@mica-test plan <N>"            N tests will follow
 *   "@@mica-test ok <name>"           test passed
 *   "@@mica-test fail <name>: <why>"  test failed
 *   "@@mica-test done"                suite finished
 * Names contain no spaces or colons.
 */
#define MICA_TEST_TAG  "@@mica-test "
#define MICA_TEST_PLAN "plan"
#define MICA_TEST_OK   "ok"
#define MICA_TEST_FAIL "fail"
#define MICA_TEST_DONE "done"

/* The kernel starts every panic report with this string. */
#define MICA_PANIC_TAG "MICA PANIC"

#endif
