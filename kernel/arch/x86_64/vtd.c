/* VT-d: placeholder until the IOMMU work lands. */
#include "x86.h"
void iommu_init(struct memmap *mem) { (void)mem; }
void iommu_fault_interrupt(void) {}
