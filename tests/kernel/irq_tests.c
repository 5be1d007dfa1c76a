/* irq tests: to be written. */
#include "ktest.h"

const struct ktest irq_tests[] = {
    { 0, 0 },
};
