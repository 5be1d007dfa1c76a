/*
 * What ping and pong agree on (systems/pingpong.system): the channel ids
 * of each end, the layout of the shared region "buffer", the transform
 * pong applies and the protected call ping makes.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

#include <mica_pd.h>

#define PING_CHANNEL 1 /* ping's end: pp="true" (ping calls pong) */
#define PONG_CHANNEL 3 /* pong's end */

#define PINGPONG_ROUNDS 4
#define PINGPONG_WORDS  64

/* The shared region "buffer". Only one side writes it at a time: ping
 * before it notifies, pong between being notified and notifying back. */
struct pingpong_buffer {
    mica_word_t round;       /* set by ping: the round the data is for */
    mica_word_t pong_round;  /* set by pong: the last round it transformed */
    mica_word_t data[PINGPONG_WORDS];
};

/* What ping writes for round r, and what pong turns each word into. */
static inline mica_word_t pingpong_data(mica_word_t r, unsigned i)
{
    return (r << 32) | (i * 0x01010101u);
}
static inline mica_word_t pingpong_transform(mica_word_t r, mica_word_t w)
{
    return ~w ^ (r * 0x9e3779b97f4a7c15ull);
}

/*
 * Protected call CHECKSUM: MR0 = round, MR1 = words, MR4 = seed (so the
 * call uses the IPC buffer too). Reply label 0, 5 MRs: MR0 = checksum of
 * data[0 .. words) with the seed, MR1 = words summed, MR4 = the round.
 * Any other label: the reply's label is MICA_ERR_NOT_SUPPORTED.
 */
#define PINGPONG_CHECKSUM 1
static inline mica_word_t pingpong_checksum(const volatile mica_word_t *data, unsigned words,
                                            mica_word_t seed)
{
    mica_word_t sum = seed;
    for (unsigned i = 0; i < words; i++)
        sum = (sum ^ data[i]) * 0x100000001b3ull;
    return sum;
}

#endif
