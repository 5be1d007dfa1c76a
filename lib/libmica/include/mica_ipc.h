/*
 * IPC system calls: endpoints, replies and notifications
 * (include/mica/syscall.h has the register convention, docs/ipc.md the
 * model). Message registers 0-3 travel in CPU registers; registers 4 and
 * up are read from and written to the IPC buffer (mica_ipc->mr[i]), extra
 * capabilities are named in mica_ipc->caps[] and received into the slot
 * mica_ipc->receive_cnode/index/depth names.
 *
 * These are static inline so that a call costs no more than the
 * `syscall` instruction and the register moves around it.
 */
#ifndef MICA_IPC_H
#define MICA_IPC_H

#include <mica/message.h>
#include <mica/syscall.h>
#include <mica/types.h>

/* What a receiving call returns. */
struct mica_msg {
    mica_word_t status; /* MICA_OK or an error code */
    mica_word_t badge;  /* sender's badge / notification word; error detail */
    mica_word_t tag;    /* message tag */
    mica_word_t mr[4];  /* message registers 0-3 (mica_ipc->mr[4..] for more) */
};

extern struct mica_ipc_buffer *mica_ipc;

static inline struct mica_msg mica_ipc_syscall(long number, mica_cptr_t cap, mica_word_t tag,
                                               mica_word_t mr0, mica_word_t mr1,
                                               mica_word_t mr2, mica_word_t mr3)
{
    register mica_word_t rax __asm__("rax") = (mica_word_t)number;
    register mica_word_t rdi __asm__("rdi") = cap;
    register mica_word_t rsi __asm__("rsi") = tag;
    register mica_word_t rdx __asm__("rdx") = mr0;
    register mica_word_t r10 __asm__("r10") = mr1;
    register mica_word_t r8 __asm__("r8") = mr2;
    register mica_word_t r9 __asm__("r9") = mr3;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return (struct mica_msg){ rax, rdi, rsi, { rdx, r10, r8, r9 } };
}

/* Send a message and wait for the reply (which comes back in the result). */
static inline struct mica_msg mica_call(mica_cptr_t ep, mica_word_t tag, mica_word_t mr0,
                                        mica_word_t mr1, mica_word_t mr2, mica_word_t mr3)
{
    return mica_ipc_syscall(MICA_SYS_CALL, ep, tag, mr0, mr1, mr2, mr3);
}

/* Send a message, blocking until a receiver takes it. Returns the status. */
static inline mica_word_t mica_send(mica_cptr_t ep, mica_word_t tag, mica_word_t mr0,
                                    mica_word_t mr1, mica_word_t mr2, mica_word_t mr3)
{
    return mica_ipc_syscall(MICA_SYS_SEND, ep, tag, mr0, mr1, mr2, mr3).status;
}

/* Send only if a receiver is waiting (else MICA_ERR_WOULD_BLOCK). */
static inline mica_word_t mica_nb_send(mica_cptr_t ep, mica_word_t tag, mica_word_t mr0,
                                       mica_word_t mr1, mica_word_t mr2, mica_word_t mr3)
{
    return mica_ipc_syscall(MICA_SYS_NB_SEND, ep, tag, mr0, mr1, mr2, mr3).status;
}

/* Wait for a message on an endpoint (or for the bound notification). */
static inline struct mica_msg mica_recv(mica_cptr_t ep)
{
    return mica_ipc_syscall(MICA_SYS_RECV, ep, 0, 0, 0, 0, 0);
}

/* Receive only if a message is pending (else MICA_ERR_WOULD_BLOCK). */
static inline struct mica_msg mica_nb_recv(mica_cptr_t ep)
{
    return mica_ipc_syscall(MICA_SYS_NB_RECV, ep, 0, 0, 0, 0, 0);
}

/* Reply to the thread whose Call this thread received last. */
static inline mica_word_t mica_reply(mica_word_t tag, mica_word_t mr0, mica_word_t mr1,
                                     mica_word_t mr2, mica_word_t mr3)
{
    return mica_ipc_syscall(MICA_SYS_REPLY, 0, tag, mr0, mr1, mr2, mr3).status;
}

/* Reply (if a reply is pending), then wait for the next message on ep. */
static inline struct mica_msg mica_reply_recv(mica_cptr_t ep, mica_word_t tag, mica_word_t mr0,
                                              mica_word_t mr1, mica_word_t mr2, mica_word_t mr3)
{
    return mica_ipc_syscall(MICA_SYS_REPLY_RECV, ep, tag, mr0, mr1, mr2, mr3);
}

/* Notifications: Signal ORs the cap's badge into the word; Wait blocks
 * until the word is non-zero and returns it (in .badge) cleared; Poll
 * returns it at once (MICA_ERR_WOULD_BLOCK if zero). */
static inline mica_word_t mica_signal(mica_cptr_t ntfn)
{
    return mica_ipc_syscall(MICA_SYS_SEND, ntfn, 0, 0, 0, 0, 0).status;
}

static inline struct mica_msg mica_wait(mica_cptr_t ntfn)
{
    return mica_ipc_syscall(MICA_SYS_RECV, ntfn, 0, 0, 0, 0, 0);
}

static inline struct mica_msg mica_poll(mica_cptr_t ntfn)
{
    return mica_ipc_syscall(MICA_SYS_NB_RECV, ntfn, 0, 0, 0, 0, 0);
}

#endif
