# The QEMU command line, defined once. `make run`, `make test`, `make debug`
# and (later) `make bench` all start from QEMU_BASE.
#
#   q35 machine, TCG (KVM is not used), one fixed CPU model, 512 MiB, one CPU.
#   isa-debug-exit lets the kernel end QEMU with a status (include/mica/debug.h).
#   -no-reboot turns a triple fault into an exit instead of a reboot loop.
QEMU        ?= qemu-system-x86_64
QEMU_CPU    ?= qemu64,+rdtscp
QEMU_MEM    ?= 512M
#   Devices for the user-level drivers (docs/drivers.md): a VT-d IOMMU
#   (which QEMU wants before any PCI device) and the edu test device.
QEMU_MACHINE := $(QEMU) -machine q35 -accel tcg -cpu $(QEMU_CPU) -m $(QEMU_MEM) -smp 1 \
               -display none -no-reboot \
               -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_IOMMU  := -device intel-iommu
QEMU_DEVICES := -device edu
QEMU_BASE   := $(QEMU_MACHINE) $(QEMU_IOMMU) $(QEMU_DEVICES)
# The same machine without an IOMMU (the kernel suite runs on both).
QEMU_BASE_NOIOMMU := $(QEMU_MACHINE) $(QEMU_DEVICES)

# Interactive: serial console and QEMU monitor multiplexed on the terminal
# (Ctrl-A X quits, Ctrl-A C toggles the monitor).
QEMU_RUN    := $(QEMU_BASE) -serial mon:stdio
# Tests: serial console on stdout for the runner, no monitor.
QEMU_TEST   := $(QEMU_BASE) -serial stdio -monitor none
QEMU_TEST_NOIOMMU := $(QEMU_BASE_NOIOMMU) -serial stdio -monitor none
# Benchmarks: deterministic instruction-counted time (docs/benchmarks.md),
# and memory for the 1 GiB Retype of the interrupt-latency rows (q35 puts
# the RAM above 2 GiB at 4 GiB: one 2 GiB untyped).
QEMU_BENCH_MEM ?= 4G
QEMU_BENCH  := $(subst -m $(QEMU_MEM),-m $(QEMU_BENCH_MEM),$(QEMU_TEST)) -icount shift=0,sleep=off
