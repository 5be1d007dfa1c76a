/* IRQControl and IRQHandler: placeholder until the IRQ work lands. */
#include <device.h>
#include <invocation.h>
#include <mica/errors.h>

struct syscall_result irq_control_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
struct syscall_result irq_handler_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
void irq_deliver(unsigned irq) { (void)irq; }
void irq_handler_finalise(const struct cap *cap) { (void)cap; }
bool irq_any_bound(void) { return false; }
unsigned irq_ioapic_gsis(void) { return 0; }
