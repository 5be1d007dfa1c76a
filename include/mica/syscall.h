/*
 * Mica system call numbers and register convention (x86_64).
 *
 * A system call is the `syscall` instruction with the call number in rax.
 * Native Mica calls use NEGATIVE numbers. A non-negative rax is not a Mica
 * call: the kernel treats it as an UnknownSyscall fault of the calling thread
 * (that is how Linux-ABI programs reach the POSIX server later).
 *
 * Registers on entry:
 *   rax  call number (negative)
 *   rdi  capability pointer (destination or source), or first debug argument
 *   rsi  message tag, or second debug argument
 *   rdx, r10, r8, r9   message registers 0..3
 * Registers on return:
 *   rax  MICA_OK or an error code (include/mica/errors.h)
 *   rdi  the call's result value: for invocations and debug calls the only
 *        result register (more results go to the IPC buffer); on an error,
 *        a detail (e.g. a lookup-failure word)
 * A call that receives a message (Call's reply, Recv, NBRecv, ReplyRecv)
 * returns, when rax is MICA_OK:
 *   rdi  the badge of the sender's capability (0 for replies), or the
 *        notification word when the tag has MICA_TAG_NOTIFICATION
 *   rsi  the received message tag (include/mica/message.h)
 *   rdx, r10, r8, r9  message registers 0..3 (only the first `length` are
 *        written; the others keep their values)
 * rcx and r11 are clobbered by the `syscall`/`sysret` pair itself.
 * All other registers are preserved.
 *
 * What each call does with which capability (docs/ipc.md):
 *   Call      rdi endpoint: send, then wait for the reply (a one-shot reply
 *             cap goes to the receiver); any other object: an invocation
 *   Send      rdi endpoint: send, blocking until received; notification:
 *             Signal; reply cap (saved with CNode_SaveCaller): reply
 *   NBSend    as Send, but MICA_ERR_WOULD_BLOCK if no receiver is waiting
 *   Recv      rdi endpoint: wait for a message (or the bound notification);
 *             notification: Wait
 *   NBRecv    as Recv, but MICA_ERR_WOULD_BLOCK if nothing is pending;
 *             on a notification: Poll
 *   Reply     reply through the caller's pending reply cap (rdi ignored)
 *   ReplyRecv reply through the pending reply cap (if any), then Recv on rdi
 */
#ifndef MICA_SYSCALL_H
#define MICA_SYSCALL_H

#define MICA_SYS_CALL        (-1)
#define MICA_SYS_REPLY_RECV  (-2)
#define MICA_SYS_SEND        (-3)
#define MICA_SYS_NB_SEND     (-4)
#define MICA_SYS_RECV        (-5)
#define MICA_SYS_NB_RECV     (-6)
#define MICA_SYS_REPLY       (-7)
#define MICA_SYS_YIELD       (-8)

/*
 * Debug calls: present only in debug builds (CONFIG_DEBUG). A release kernel
 * answers them with MICA_ERR_INVALID_SYSCALL.
 */
#define MICA_SYS_DEBUG_PUTCHAR (-64) /* rdi = character */
#define MICA_SYS_DEBUG_WRITE   (-65) /* rdi = user buffer, rsi = length; returns bytes in rdi */
#define MICA_SYS_DEBUG_HALT    (-66) /* rdi = status (0 = success); stops the machine */
#define MICA_SYS_DEBUG_TICKS   (-67) /* returns timer interrupts since boot in rdi */
#define MICA_SYS_DEBUG_CAP_IDENTIFY (-68) /* rdi = cptr; returns MICA_CAP_ID word in rdi */
#define MICA_SYS_DEBUG_IPC_STATS (-69) /* returns IPC fastpath hits since boot in rdi and
                                          whether the fastpath is enabled in rsi */
#define MICA_SYS_DEBUG_PREEMPT (-70) /* rdi = n: from now on every n-th preemption point of a
                                        long operation stops it and ends the caller's
                                        timeslice (0: only pending interrupts do); returns
                                        the number of preempted operations since boot */

#define MICA_SYS_MIN MICA_SYS_DEBUG_PREEMPT

/* The word DebugCapIdentify returns: object type (enum mica_object_type,
 * frames as MICA_OBJ_FRAME_4K/2M, 0 for an empty slot), rights, size bits,
 * whether a frame or table cap records a mapping, and whether an endpoint
 * or notification cap carries a badge. */
#define MICA_CAP_ID_TYPE(w)      ((unsigned)((w) & 0xff))
#define MICA_CAP_ID_RIGHTS(w)    ((unsigned)(((w) >> 8) & 0xff))
#define MICA_CAP_ID_SIZE_BITS(w) ((unsigned)(((w) >> 16) & 0xff))
#define MICA_CAP_ID_MAPPED       (1ull << 24) /* frame or table: currently mapped */
#define MICA_CAP_ID_BADGED       (1ull << 25) /* endpoint/notification with a badge */

/* Number of message registers passed in CPU registers. */
#define MICA_MSG_REGS_IN_CPU 4

#endif
