/*
 * Message tag and IPC buffer layout.
 *
 * The tag travels in rsi: the label (the operation), how many message
 * registers are used, and how many extra capabilities the IPC buffer names.
 * Message registers 0-3 travel in CPU registers (include/mica/syscall.h);
 * the rest are read from and written to the thread's IPC buffer.
 */
#ifndef MICA_MESSAGE_H
#define MICA_MESSAGE_H

#include <mica/types.h>

#define MICA_MSG_MAX_LENGTH 120 /* message registers */
#define MICA_MSG_MAX_CAPS   3   /* extra capabilities per message */

/*
 * Tag layout:
 *   bits 0-6   length: message registers used (at most MICA_MSG_MAX_LENGTH)
 *   bits 7-8   extra capabilities (at most MICA_MSG_MAX_CAPS)
 *   bits 9-11  received only: extra cap i was an endpoint cap to the very
 *              endpoint the message came through, "unwrapped" to its badge
 *              (ipc->badges[i]) instead of transferred
 *   bit  12    received only: a notification word, not a message (Recv by a
 *              thread whose bound notification was signalled, Wait, Poll)
 *   bit  13    received only: the sender's caps could not be placed (no
 *              or occupied receive slot, or a sender cap gone); none arrived
 *   bits 14-15 reserved, zero
 *   bits 16-63 label: the operation; 0 for notifications and fault replies
 * A sender's bits 9-15 are ignored: only the kernel sets them.
 */
#define MICA_TAG_LENGTH_BITS 7
#define MICA_TAG_CAPS_SHIFT  7
#define MICA_TAG_UNWRAPPED_SHIFT 9
#define MICA_TAG_NOTIFICATION (1ull << 12)
#define MICA_TAG_CAPS_DROPPED (1ull << 13)
#define MICA_TAG_LABEL_SHIFT 16
#define MICA_TAG_LABEL_MAX ((1ull << (64 - MICA_TAG_LABEL_SHIFT)) - 1)

static inline mica_word_t mica_tag(mica_word_t label, unsigned length, unsigned caps)
{
    return (label << MICA_TAG_LABEL_SHIFT) | ((mica_word_t)(caps & 3) << MICA_TAG_CAPS_SHIFT) |
           (length & 0x7f);
}
static inline mica_word_t mica_tag_label(mica_word_t tag) { return tag >> MICA_TAG_LABEL_SHIFT; }
static inline unsigned mica_tag_length(mica_word_t tag) { return (unsigned)(tag & 0x7f); }
static inline unsigned mica_tag_caps(mica_word_t tag) { return (unsigned)((tag >> MICA_TAG_CAPS_SHIFT) & 3); }
static inline unsigned mica_tag_unwrapped(mica_word_t tag) { return (unsigned)((tag >> MICA_TAG_UNWRAPPED_SHIFT) & 7); }

/*
 * The IPC buffer: an 8-byte-aligned area inside a frame, given to the kernel
 * with TCB_Configure (the root task's is the page at MICA_ROOT_IPC_BUFFER).
 */
struct mica_ipc_buffer {
    mica_word_t tag;
    mica_word_t mr[MICA_MSG_MAX_LENGTH]; /* mr[0..3] are shadowed by CPU registers */
    mica_word_t user_data;               /* free for the thread's own use */
    mica_cptr_t caps[MICA_MSG_MAX_CAPS]; /* extra caps to send (CPtrs in the sender's CSpace) */
    mica_word_t badges[MICA_MSG_MAX_CAPS]; /* received: badges of unwrapped caps */
    /* Where a received capability goes: the CNode named by receive_cnode
     * (a CPtr resolved with depth 64 in the receiver's CSpace), then the
     * slot (receive_index, receive_depth) relative to it. The slot must be
     * empty. receive_cnode = 0: receive no capabilities. */
    mica_cptr_t receive_cnode;
    mica_cptr_t receive_index;
    mica_word_t receive_depth;
};

_Static_assert(sizeof(struct mica_ipc_buffer) <= MICA_PAGE_SIZE, "IPC buffer fits a page");

#endif
