/* Placeholder: the console program (being written). */
#include <libmica.h>
int main(const struct mica_bootinfo *bi)
{
    (void)bi;
    mica_printf("console: not written yet\n");
    return 0;
}
