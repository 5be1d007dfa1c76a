/* IOSpaceControl, IOSpace, IOPageTable: placeholder until the IOMMU work lands. */
#include <device.h>
#include <invocation.h>
#include <mica/errors.h>

struct syscall_result iospace_control_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
}
struct syscall_result iospace_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
struct syscall_result io_page_table_invoke(struct invocation *inv)
{
    return inv_error(MICA_ERR_ILLEGAL_OPERATION, inv->label);
}
struct syscall_result frame_map_io(struct invocation *inv)
{
    return inv_error(MICA_ERR_NOT_SUPPORTED, inv->label);
}
void io_mapping_remove(struct cap *c) { c->word1 = c->word2 = 0; }
void iospace_finalise(const struct cap *cap) { (void)cap; }
unsigned iommu_address_bits(void) { return 0; }
