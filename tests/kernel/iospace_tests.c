/* iospace tests: to be written. */
#include "ktest.h"

const struct ktest iospace_tests[] = {
    { 0, 0 },
};
