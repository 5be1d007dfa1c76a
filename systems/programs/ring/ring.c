/*
 * ring: one program, run by every PD of systems/ring10.system. PD "ringK"
 * learns its position K from its name; channel 0 comes from the previous
 * PD of the ring, channel 1 goes to the next. ring0 sends a token around
 * RING_ROUNDS times; every PD counts the hops it made in the shared
 * region "ring_state" (mapped at a different address in each PD: it is
 * found by name), and ring0 checks the counts and prints the result.
 */
#include <mica_component.h>
#include <stdbool.h>

#define FROM_PREVIOUS 0
#define TO_NEXT       1
#define RING_ROUNDS   10

struct ring_state {
    mica_word_t joined;                    /* PDs whose init() ran */
    mica_word_t hops;                      /* token passes, all PDs */
    mica_word_t passed[MICA_SYS_MAX_PDS];  /* token passes by position */
};

static volatile struct ring_state *state;
static const char *me;
static unsigned position;
static unsigned rounds; /* ring0: rounds completed */

/* "ring7" -> 7; false if the name does not end in a number. */
static bool position_from_name(const char *name, unsigned *pos)
{
    unsigned long n = mica_strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == n || n - i > 2)
        return false;
    *pos = 0;
    for (; i < n; i++)
        *pos = *pos * 10 + (unsigned)(name[i] - '0');
    return *pos < MICA_SYS_MAX_PDS;
}

static void pass_token(void)
{
    state->passed[position]++;
    state->hops++;
    mica_word_t err = mica_notify(TO_NEXT);
    if (err)
        mica_printf("%s: FAIL: passing the token on: error %lu\n", me, err);
}

void init(void)
{
    me = mica_pd_name();
    mica_word_t size;
    state = mica_resource_vaddr("ring_state", &size);
    if (!position_from_name(me, &position) || !state || size < sizeof(*state) ||
        !mica_channel_resource(FROM_PREVIOUS, MICA_RES_CHANNEL) ||
        !mica_channel_resource(TO_NEXT, MICA_RES_CHANNEL)) {
        mica_printf("%s: FAIL: needs a name ending in its position, the region 'ring_state' "
                    "and channels %u and %u\n", me, FROM_PREVIOUS, TO_NEXT);
        state = NULL;
        return;
    }
    /* PDs of equal priority may share the CPU: count atomically. */
    mica_word_t joined = __atomic_add_fetch(&state->joined, 1, __ATOMIC_SEQ_CST);
    mica_printf("%s: position %u, state at 0x%lx, joined the ring as PD %lu\n", me, position,
                (mica_word_t)state, joined);
    if (position == 0)
        pass_token();
}

/* ring0 has the token back: one round done. */
static void round_done(void)
{
    rounds++;
    if (rounds < RING_ROUNDS) {
        pass_token();
        return;
    }
    mica_word_t n = state->joined, wrong = 0;
    for (unsigned i = 0; i < n; i++)
        wrong += state->passed[i] != RING_ROUNDS;
    if (wrong || state->hops != n * RING_ROUNDS)
        mica_printf("%s: FAIL: %u rounds around %lu PDs: %lu hops, %lu PDs passed the token "
                    "a wrong number of times\n", me, rounds, n, state->hops, wrong);
    else
        mica_printf("%s: the token went %u times around %lu PDs: %lu hops, every PD passed it "
                    "%u times\n", me, rounds, n, state->hops, RING_ROUNDS);
}

void notified(mica_channel_t ch)
{
    if (!state)
        return;
    if (ch != FROM_PREVIOUS) {
        mica_printf("%s: FAIL: notified on channel %u\n", me, ch);
        return;
    }
    if (position == 0)
        round_done();
    else
        pass_token();
}
