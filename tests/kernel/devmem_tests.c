/* Device memory tests: to be written. */
#include "ktest.h"

const struct ktest devmem_tests[] = {
    { 0, 0 },
};
