/*
 * Capability addressing and rights.
 *
 * A CPtr is a 64-bit index resolved through a thread's CSpace, a tree of
 * CNodes, from its most significant end: at each CNode the next `guard_bits`
 * bits must equal the CNode's guard, then the next `radix_bits` bits select a
 * slot; if that slot holds a CNode cap and bits remain (within the depth the
 * caller gave), resolution continues there. docs/capabilities.md explains.
 */
#ifndef MICA_CAP_H
#define MICA_CAP_H

#include <mica/types.h>

#define MICA_WORD_BITS 64

/* Rights carried by a capability (a Mint can only remove rights). */
#define MICA_RIGHT_READ        0x1 /* receive on endpoints, read mappings */
#define MICA_RIGHT_WRITE       0x2 /* send on endpoints, writable mappings */
#define MICA_RIGHT_GRANT       0x4 /* pass capabilities in messages */
#define MICA_RIGHT_GRANT_REPLY 0x8 /* pass capabilities in replies */
#define MICA_RIGHTS_ALL        0xf

/* Why a CPtr lookup failed (returned in the value word with MICA_ERR_LOOKUP_FAILED). */
enum mica_lookup_failure {
    MICA_LOOKUP_INVALID_ROOT = 1,    /* the CSpace root is not a CNode */
    MICA_LOOKUP_MISSING_CAP = 2,     /* an exact lookup reached an empty slot with bits left */
    MICA_LOOKUP_DEPTH_MISMATCH = 3,  /* the depth does not end exactly at a slot (a level
                                        needs more bits than are left, or a non-CNode cap
                                        was reached with bits left) */
    MICA_LOOKUP_GUARD_MISMATCH = 4,  /* the CPtr's bits do not match a CNode's guard */
};

/*
 * The value word of a failed lookup: the failure kind in bits 0-7 and the
 * number of CPtr bits still unresolved where it failed in bits 8-15.
 */
#define MICA_LOOKUP_KIND(v)      ((unsigned)((v) & 0xff))
#define MICA_LOOKUP_BITS_LEFT(v) ((unsigned)(((v) >> 8) & 0xff))

#endif
