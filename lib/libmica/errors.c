/* libmica: names of the kernel's error codes (include/mica/errors.h). */
#include <libmica.h>

const char *mica_error_name(mica_word_t err)
{
    static const char *const names[MICA_ERR_COUNT] = {
        [MICA_OK] = "ok",
        [MICA_ERR_INVALID_SYSCALL] = "invalid syscall",
        [MICA_ERR_INVALID_ARGUMENT] = "invalid argument",
        [MICA_ERR_BAD_ADDRESS] = "bad address",
        [MICA_ERR_INVALID_CAP] = "invalid cap",
        [MICA_ERR_ILLEGAL_OPERATION] = "illegal operation",
        [MICA_ERR_RANGE] = "out of range",
        [MICA_ERR_ALIGNMENT] = "misaligned",
        [MICA_ERR_LOOKUP_FAILED] = "lookup failed",
        [MICA_ERR_SLOT_OCCUPIED] = "slot occupied",
        [MICA_ERR_SLOT_EMPTY] = "slot empty",
        [MICA_ERR_NO_RIGHTS] = "no rights",
        [MICA_ERR_NOT_ENOUGH_MEMORY] = "not enough memory",
        [MICA_ERR_REVOKE_FIRST] = "revoke first",
        [MICA_ERR_MAPPED] = "already mapped",
        [MICA_ERR_NOT_MAPPED] = "not mapped",
        [MICA_ERR_TRUNCATED] = "truncated",
        [MICA_ERR_CANCELLED] = "cancelled",
        [MICA_ERR_WOULD_BLOCK] = "would block",
        [MICA_ERR_NO_REPLY] = "no reply",
        [MICA_ERR_IN_USE] = "in use",
        [MICA_ERR_NOT_SUPPORTED] = "not supported",
    };
    return err < MICA_ERR_COUNT && names[err] ? names[err] : "unknown error";
}
