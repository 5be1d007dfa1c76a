/*
 * Mica error codes: a small closed set returned in rax by every system call
 * and invocation. MICA_OK is zero; errors are positive.
 */
#ifndef MICA_ERRORS_H
#define MICA_ERRORS_H

enum mica_error {
    MICA_OK = 0,
    MICA_ERR_INVALID_SYSCALL = 1, /* unknown (or release-stripped debug) call */
    MICA_ERR_INVALID_ARGUMENT = 2, /* an argument is out of range or malformed */
    MICA_ERR_BAD_ADDRESS = 3,     /* a user buffer is not mapped or not user memory */
    MICA_ERR_COUNT
};

#endif
