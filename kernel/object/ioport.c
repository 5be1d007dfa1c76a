/* IOPortControl and IOPort: placeholder until the port work lands. */
#include <device.h>
#include <invocation.h>
#include <mica/errors.h>

struct syscall_result ioport_control_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
struct syscall_result ioport_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
void ioport_finalise(const struct cap *cap) { (void)cap; }
