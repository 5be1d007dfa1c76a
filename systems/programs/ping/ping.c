/*
 * ping: the lower-priority end of systems/pingpong.system (also a
 * bystander in systems/fault.system). Each round it writes data into the
 * shared buffer and notifies pong; when pong notifies back it checks
 * pong's transform in the buffer, then asks pong for a checksum of the
 * buffer by protected call and checks that too. After the last round it
 * sums up; an unknown request is tried once on the way.
 */
#include <mica_component.h>
#include <stdbool.h>

#include "../pong/pingpong.h"

static volatile struct pingpong_buffer *buf;
static const char *me;
static mica_word_t cur_round;
static unsigned good_data, good_calls;
static bool failed;

static void fail(const char *what, mica_word_t a, mica_word_t b)
{
    mica_printf("%s: FAIL: round %lu: %s (0x%lx, 0x%lx); stopping the exchange\n", me, cur_round,
                what, a, b);
    failed = true;
}

static void start_round(void)
{
    cur_round++;
    for (unsigned i = 0; i < PINGPONG_WORDS; i++)
        buf->data[i] = pingpong_data(cur_round, i);
    buf->round = cur_round;
    mica_word_t err = mica_notify(PING_CHANNEL);
    if (err)
        fail("notifying pong failed", err, 0);
}

void init(void)
{
    me = mica_pd_name();
    mica_word_t size;
    buf = mica_resource_vaddr("buffer", &size);
    if (!buf || size < sizeof(*buf)) {
        mica_printf("%s: FAIL: no region 'buffer' of at least %lu bytes\n", me, sizeof(*buf));
        return;
    }
    mica_printf("%s: starting (priority %u): buffer at 0x%lx, pong on channel %u\n", me,
                mica_pd()->priority, (mica_word_t)buf, PING_CHANNEL);
    /* A call pong does not understand is answered, not left hanging. */
    mica_msginfo_t reply = mica_ppcall(PING_CHANNEL, mica_msginfo(99, 0));
    if (mica_msginfo_label(reply) != MICA_ERR_NOT_SUPPORTED)
        fail("request 99 was not refused", mica_msginfo_label(reply), mica_mr_get(0));
    else
        mica_printf("%s: pong refused request 99 (MICA_ERR_NOT_SUPPORTED), as it should\n", me);
    if (!failed)
        start_round();
}

/* The protected call of this round: pong's checksum must match ours. */
static void check_by_call(void)
{
    mica_word_t seed = 0x5eed0000 + cur_round;
    mica_word_t want = pingpong_checksum(buf->data, PINGPONG_WORDS, seed);
    mica_mr_set(0, cur_round);
    mica_mr_set(1, PINGPONG_WORDS);
    mica_mr_set(4, seed);
    mica_msginfo_t reply = mica_ppcall(PING_CHANNEL, mica_msginfo(PINGPONG_CHECKSUM, 5));
    if (mica_msginfo_label(reply) != 0 || mica_msginfo_count(reply) != 5) {
        fail("checksum call failed: reply label, MR0", mica_msginfo_label(reply), mica_mr_get(0));
    } else if (mica_mr_get(0) != want || mica_mr_get(1) != PINGPONG_WORDS ||
               mica_mr_get(4) != cur_round) {
        fail("wrong checksum reply: MR0, MR4", mica_mr_get(0), mica_mr_get(4));
    } else {
        good_calls++;
        mica_printf("%s: round %lu: pong's transform is in the buffer; protected call: "
                    "checksum 0x%lx matches\n", me, cur_round, want);
    }
}

/* Whether the buffer holds pong's transform of this round's data. */
static bool transformed(void)
{
    if (buf->pong_round != cur_round) {
        fail("pong did not say it transformed this round", buf->pong_round, cur_round);
        return false;
    }
    for (unsigned i = 0; i < PINGPONG_WORDS; i++) {
        if (buf->data[i] != pingpong_transform(cur_round, pingpong_data(cur_round, i))) {
            fail("word not transformed", i, buf->data[i]);
            return false;
        }
    }
    return true;
}

void notified(mica_channel_t ch)
{
    if (failed || !buf)
        return;
    if (ch != PING_CHANNEL) {
        fail("notified on an unknown channel", ch, 0);
        return;
    }
    if (!transformed())
        return;
    good_data++;
    check_by_call();
    if (failed)
        return;
    if (cur_round < PINGPONG_ROUNDS)
        start_round();
    else
        mica_printf("%s: %u rounds: data through the shared buffer both ways, %u protected "
                    "calls answered correctly\n", me, good_data, good_calls);
}
