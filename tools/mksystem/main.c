/* Placeholder: the system-description compiler (being written). */
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "mksystem: not written yet\n");
    return 1;
}
