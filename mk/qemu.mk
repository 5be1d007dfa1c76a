# The QEMU command line, defined once. `make run`, `make test`, `make debug`
# and (later) `make bench` all start from QEMU_BASE.
#
#   q35 machine, TCG (KVM is not used), one fixed CPU model, 512 MiB, one CPU.
#   isa-debug-exit lets the kernel end QEMU with a status (include/mica/debug.h).
#   -no-reboot turns a triple fault into an exit instead of a reboot loop.
QEMU        ?= qemu-system-x86_64
#   The CPU model has SMEP, SMAP and UMIP, which the kernel turns on when
#   present (docs/security.md); QEMU_CPU_PLAIN lacks them, for the boots
#   that check the kernel without them and for `make bench`, whose seL4
#   figures were taken with that model.
QEMU_CPU_PLAIN := qemu64,+rdtscp
QEMU_CPU    ?= $(QEMU_CPU_PLAIN),+smep,+smap,+umip
QEMU_MEM    ?= 512M
#   Devices for the user-level drivers (docs/drivers.md): a VT-d IOMMU
#   (which QEMU wants before any PCI device) with interrupt remapping
#   (xAPIC format: eim stays off under TCG), and the edu test device.
qemu_machine = $(QEMU) -machine q35 -accel tcg -cpu $(1) -m $(QEMU_MEM) -smp 1 \
               -display none -no-reboot \
               -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_MACHINE := $(call qemu_machine,$(QEMU_CPU))
QEMU_MACHINE_PLAIN := $(call qemu_machine,$(QEMU_CPU_PLAIN))
QEMU_IOMMU  := -device intel-iommu,intremap=on
QEMU_DEVICES := -device edu
QEMU_BASE   := $(QEMU_MACHINE) $(QEMU_IOMMU) $(QEMU_DEVICES)
# The kernel suite also runs without an IOMMU (and without SMEP/SMAP/UMIP),
# with the IOMMU but without SMEP/SMAP/UMIP, and with an IOMMU that does
# not remap interrupts (register-based invalidation, compatibility-format
# MSIs with DMA remapping): Makefile, _test.
QEMU_BASE_NOIOMMU := $(QEMU_MACHINE_PLAIN) $(QEMU_DEVICES)
QEMU_BASE_PLAIN := $(QEMU_MACHINE_PLAIN) $(QEMU_IOMMU) $(QEMU_DEVICES)
QEMU_BASE_NOINTREMAP := $(QEMU_MACHINE) -device intel-iommu,intremap=off $(QEMU_DEVICES)

# Interactive: serial console and QEMU monitor multiplexed on the terminal
# (Ctrl-A X quits, Ctrl-A C toggles the monitor).
QEMU_RUN    := $(QEMU_BASE) -serial mon:stdio
# Tests: serial console on stdout for the runner, no monitor.
QEMU_TEST   := $(QEMU_BASE) -serial stdio -monitor none
QEMU_TEST_NOIOMMU := $(QEMU_BASE_NOIOMMU) -serial stdio -monitor none
QEMU_TEST_PLAIN := $(QEMU_BASE_PLAIN) -serial stdio -monitor none
QEMU_TEST_NOINTREMAP := $(QEMU_BASE_NOINTREMAP) -serial stdio -monitor none
# Benchmarks: deterministic instruction-counted time (docs/benchmarks.md),
# on the CPU model of the seL4 reference figures, with memory for the
# 1 GiB Retype of the interrupt-latency rows (q35 puts the RAM above 2 GiB
# at 4 GiB: one 2 GiB untyped).
QEMU_BENCH_MEM ?= 4G
QEMU_BENCH  := $(subst -m $(QEMU_MEM),-m $(QEMU_BENCH_MEM),$(QEMU_TEST_PLAIN)) -icount shift=0,sleep=off
