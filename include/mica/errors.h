/*
 * Mica error codes: a small closed set returned in rax by every system call
 * and invocation. MICA_OK is zero; errors are positive. Each call's page in
 * docs/ lists which of these it returns and when.
 */
#ifndef MICA_ERRORS_H
#define MICA_ERRORS_H

enum mica_error {
    MICA_OK = 0,
    MICA_ERR_INVALID_SYSCALL = 1,   /* unknown (or release-stripped debug) call */
    MICA_ERR_INVALID_ARGUMENT = 2,  /* an argument is malformed */
    MICA_ERR_BAD_ADDRESS = 3,       /* a user buffer is not mapped or not user memory */
    MICA_ERR_INVALID_CAP = 4,       /* a capability is of the wrong type (or null) for the call */
    MICA_ERR_ILLEGAL_OPERATION = 5, /* the object does not support this invocation */
    MICA_ERR_RANGE = 6,             /* a number is out of range (size bits, count, priority, ...) */
    MICA_ERR_ALIGNMENT = 7,         /* an address is not aligned as required */
    MICA_ERR_LOOKUP_FAILED = 8,     /* a CPtr did not resolve; see struct mica_lookup_failure */
    MICA_ERR_SLOT_OCCUPIED = 9,     /* the destination slot is not empty */
    MICA_ERR_SLOT_EMPTY = 10,       /* the source slot is empty */
    MICA_ERR_NO_RIGHTS = 11,        /* the capability lacks a right the call needs */
    MICA_ERR_NOT_ENOUGH_MEMORY = 12, /* the untyped has too little space left */
    MICA_ERR_REVOKE_FIRST = 13,     /* the capability still has derived children */
    MICA_ERR_MAPPED = 14,           /* something is already mapped there / the frame is in use */
    MICA_ERR_NOT_MAPPED = 15,       /* nothing is mapped there / the frame is not mapped */
    MICA_ERR_TRUNCATED = 16,        /* the message is too short for the invocation */
    MICA_ERR_CANCELLED = 17,        /* a blocked IPC was cut off: its endpoint, notification
                                       or reply capability was deleted, or the thread was
                                       suspended or had its registers rewritten */
    MICA_ERR_WOULD_BLOCK = 18,      /* NBSend found no receiver waiting; NBRecv found nothing */
    MICA_ERR_NO_REPLY = 19,         /* Reply with no reply capability to use */
    MICA_ERR_IN_USE = 20,           /* the IRQ, port range or PCI device is already issued
                                       to another capability */
    MICA_ERR_NOT_SUPPORTED = 21,    /* the machine lacks what the call needs (no IOMMU,
                                       no I/O APIC line of that number) */
    MICA_ERR_COUNT
};

#endif
