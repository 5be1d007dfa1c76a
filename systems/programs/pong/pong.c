/*
 * pong: the higher-priority end of systems/pingpong.system. When ping
 * notifies it, it checks the data ping left in the shared buffer,
 * transforms it in place and notifies back; it answers ping's protected
 * calls with a checksum of the buffer.
 */
#include <mica_component.h>

#include "pingpong.h"

static volatile struct pingpong_buffer *buf;
static const char *me;

void init(void)
{
    me = mica_pd_name();
    mica_word_t size;
    buf = mica_resource_vaddr("buffer", &size);
    if (!buf || size < sizeof(*buf)) {
        mica_printf("%s: FAIL: no region 'buffer' of at least %lu bytes\n", me, sizeof(*buf));
        buf = NULL;
        return;
    }
    mica_printf("%s: ready (priority %u): buffer at 0x%lx, ping on channel %u\n", me,
                mica_pd()->priority, (mica_word_t)buf, PONG_CHANNEL);
}

void notified(mica_channel_t ch)
{
    if (ch != PONG_CHANNEL || !buf) {
        mica_printf("%s: FAIL: notified on channel %u\n", me, ch);
        return;
    }
    mica_word_t r = buf->round;
    unsigned wrong = 0;
    for (unsigned i = 0; i < PINGPONG_WORDS; i++) {
        wrong += buf->data[i] != pingpong_data(r, i);
        buf->data[i] = pingpong_transform(r, buf->data[i]);
    }
    buf->pong_round = r;
    if (wrong)
        mica_printf("%s: FAIL: round %lu: %u of %u words in the buffer are not what ping wrote\n",
                    me, r, wrong, PINGPONG_WORDS);
    else
        mica_printf("%s: round %lu: %u words from ping checked and transformed in the buffer\n",
                    me, r, PINGPONG_WORDS);
    mica_word_t err = mica_notify(PONG_CHANNEL);
    if (err)
        mica_printf("%s: FAIL: notifying ping: error %lu\n", me, err);
}

mica_msginfo_t protected(mica_channel_t ch, mica_msginfo_t msg)
{
    if (ch != PONG_CHANNEL || !buf || mica_msginfo_label(msg) != PINGPONG_CHECKSUM ||
        mica_msginfo_count(msg) != 5)
        return mica_msginfo(MICA_ERR_NOT_SUPPORTED, 0);
    mica_word_t rnd = mica_mr_get(0), words = mica_mr_get(1), seed = mica_mr_get(4);
    if (words > PINGPONG_WORDS)
        return mica_msginfo(MICA_ERR_RANGE, 0);
    mica_mr_set(0, pingpong_checksum(buf->data, (unsigned)words, seed));
    mica_mr_set(1, words);
    mica_mr_set(2, 0);
    mica_mr_set(3, 0);
    mica_mr_set(4, rnd);
    return mica_msginfo(0, 5);
}
