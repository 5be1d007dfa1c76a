/*
 * The component runtime (mica_component.h): the main of a PD written as
 * init / notified / protected handlers.
 *
 * A PD has one thread, one notification bound to it (channel and IRQ ids
 * are bits of its word) and, if some channel end may make protected calls
 * to it, one endpoint those calls arrive on (their badges carry
 * MICA_PPC_BADGE_FLAG and the channel id). With an endpoint the loop
 * receives on it, and the bound notification arrives there too, as a
 * message whose tag has MICA_TAG_NOTIFICATION; without one it waits on
 * the notification. A call's reply goes out with the next receive
 * (ReplyRecv), the way a server loop does in one system call.
 */
#include <mica_component.h>
#include <mica_invoke.h>
#include <stdbool.h>

/* The default for a PD that takes no protected calls: every call is
 * answered "not supported", so a caller is never left waiting. */
__attribute__((weak)) mica_msginfo_t protected(mica_channel_t ch, mica_msginfo_t msg)
{
    (void)ch;
    (void)msg;
    return mica_msginfo(MICA_ERR_NOT_SUPPORTED, 0);
}

/* Call notified() for each channel bit of a notification word, lowest
 * first (bit 63 is never a channel). */
static void deliver_notifications(mica_word_t word)
{
    for (mica_channel_t ch = 0; ch < MICA_CHANNEL_MAX; ch++)
        if (word & MICA_CHANNEL_BADGE(ch))
            notified(ch);
}

/* The reply to a protected call: what protected() returned, checked,
 * since a reply the kernel refuses would leave the caller waiting and
 * the loop unable to receive. */
static mica_word_t checked_reply(const struct mica_pd_info *pd, mica_msginfo_t reply)
{
    static bool said;
    if (mica_tag_length(reply) <= MICA_MSG_MAX_LENGTH)
        return mica_tag(mica_tag_label(reply), mica_tag_length(reply), 0);
    if (!said) {
        said = true;
        mica_printf("%s: protected() returned a reply of %u registers, at most %u; "
                    "answering MICA_ERR_RANGE instead\n", pd->name, mica_tag_length(reply),
                    MICA_MSG_MAX_LENGTH);
    }
    return mica_msginfo(MICA_ERR_RANGE, 0);
}

/* A message on the PD's endpoint: a protected call (PPC badge) goes to
 * protected(); anything else is not something a PD answers. Returns the
 * reply's tag, with its registers in the IPC buffer. */
static mica_word_t handle_message(const struct mica_pd_info *pd, const struct mica_msg *m)
{
    static bool said;
    if (!(m->badge & MICA_PPC_BADGE_FLAG)) {
        if (!said) {
            said = true;
            mica_printf("%s: a message with badge 0x%lx (label %lu) is not a protected call; "
                        "answering MICA_ERR_INVALID_ARGUMENT (said once)\n", pd->name, m->badge,
                        mica_tag_label(m->tag));
        }
        return mica_msginfo(MICA_ERR_INVALID_ARGUMENT, 0);
    }
    /* MR0-3 came in CPU registers: put them where mica_mr_get reads. */
    for (unsigned i = 0; i < MICA_MSG_REGS_IN_CPU; i++)
        mica_ipc->mr[i] = m->mr[i];
    mica_channel_t ch = (mica_channel_t)(m->badge & ~MICA_PPC_BADGE_FLAG);
    return checked_reply(pd, protected(ch, m->tag));
}

static void event_loop(const struct mica_pd_info *pd)
{
    bool replying = false;
    mica_word_t reply = 0;
    for (;;) {
        struct mica_msg m;
        struct mica_ipc_buffer *b = mica_ipc;
        if (!pd->endpoint)
            m = mica_wait(pd->notification);
        else if (replying)
            m = mica_reply_recv(pd->endpoint, reply, b->mr[0], b->mr[1], b->mr[2], b->mr[3]);
        else
            m = mica_recv(pd->endpoint);
        replying = false;
        if (m.status == MICA_ERR_CANCELLED)
            continue; /* suspended and resumed while waiting: wait again */
        if (m.status != MICA_OK) {
            /* Its own endpoint or notification refused: nothing will ever
             * arrive, so say so and stop rather than spin. */
            mica_printf("%s: runtime: waiting for events failed (error %lu, detail 0x%lx); "
                        "stopping\n", pd->name, m.status, m.badge);
            return;
        }
        if (m.tag & MICA_TAG_NOTIFICATION) {
            deliver_notifications(m.badge);
        } else {
            reply = handle_message(pd, &m);
            replying = true;
        }
    }
}

int main(const struct mica_bootinfo *bootinfo)
{
    (void)bootinfo;
    const struct mica_pd_info *pd = mica_pd();
    if (!pd) {
        mica_printf("runtime: cannot run this component: %s\n", mica_pd_problem());
        return 1;
    }
    if (!pd->notification) {
        mica_printf("%s: runtime: the PD info names no notification; stopping\n", pd->name);
        return 1;
    }
    init();
    event_loop(pd);
    return 1;
}
