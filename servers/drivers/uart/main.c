/* UART driver: to be written. */
#include <libmica.h>
int main(const struct mica_bootinfo *bi) { (void)bi; return 0; }
