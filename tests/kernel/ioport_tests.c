/* ioport tests: to be written. */
#include "ktest.h"

const struct ktest ioport_tests[] = {
    { 0, 0 },
};
