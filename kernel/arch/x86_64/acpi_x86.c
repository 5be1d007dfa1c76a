/* ACPI discovery: placeholder until the ACPI work lands. */
#include "x86.h"
void acpi_init(void) {}
