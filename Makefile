# Mica build. Everything goes to $(BUILD); see README.md.
#
#   make             build the kernel, root tasks, tests and host tools
#   make run         boot the default system in QEMU (installs what is missing)
#   make test        run every test; ends with "N passed, M failed"
#   make run SYSTEM=systems/NAME.system   boot another system description
#   make graph [SYSTEM=...]  draw a system description as SVG (Graphviz)
#   make debug       QEMU halted with its gdb stub, gdb attached
#   make bench       run the benchmarks; table on stdout, $(BUILD)/bench.json
#   make fuzz [SEED=...] [N=...]  the system-call fuzzer (docs/fuzzing.md)
#   make CC=clang    build with clang instead of gcc
#   make RELEASE=1   a release kernel (no debug calls)

# clang and release builds go to their own trees so objects never mix.
ifeq ($(RELEASE),1)
BUILD       ?= build/release
else ifneq ($(findstring clang,$(CC)),)
BUILD       ?= build/clang
else
BUILD       ?= build
endif
MICA_VERSION := 0.1
RELEASE     ?= 0
ifeq ($(RELEASE),1)
CONFIG_DEBUG := 0
else
CONFIG_DEBUG := 1
endif

export BUILD
include mk/qemu.mk

# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

# Toolchain. Make's built-in default for CC is "cc" (gcc on Debian).
WARN        := -Wall -Wextra -Werror
COMMON_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-pic -fno-pie \
               -fno-stack-protector -fno-omit-frame-pointer -fno-builtin \
               -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
               -Iinclude -Ilib/include -Ilib/fmt -Ilib/elf -DCONFIG_DEBUG=$(CONFIG_DEBUG) \
               -DMICA_VERSION='"$(MICA_VERSION)"'

KERNEL_CFLAGS := $(COMMON_CFLAGS) -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 \
               -mno-mmx -mno-80387 -Ikernel/include -Ikernel/arch/x86_64
KERNEL_LDFLAGS := -nostdlib -static -Wl,-T,kernel/arch/x86_64/linker.ld \
               -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack

USER_CFLAGS := $(COMMON_CFLAGS) -Ilib/libmica/include -Ilib/runtime/include
USER_LDFLAGS := -nostdlib -static -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none \
               -Wl,-z,noexecstack

HOST_CFLAGS := -std=gnu11 $(WARN) -O2 -g -Iinclude
UNIT_CFLAGS := -std=gnu11 $(WARN) -O1 -g -fsanitize=address,undefined -Itests/unit/include \
               -fno-sanitize-recover=all -Iinclude -Ikernel/include -Ikernel/arch/x86_64 -Ilib/include \
               -Ilib/fmt -Ilib/elf

# ---------------------------------------------------------------- kernel
KERNEL      := $(BUILD)/kernel/mica.elf
KERNEL_SRCS := $(wildcard kernel/core/*.c kernel/object/*.c kernel/arch/x86_64/*.c) lib/fmt/format.c \
               lib/elf/elf.c
KERNEL_ASMS := $(wildcard kernel/arch/x86_64/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kobj/%.o,$(KERNEL_SRCS) $(KERNEL_ASMS))

$(BUILD)/kobj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kobj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -D__ASSEMBLY__ -c $< -o $@

$(KERNEL): $(KERNEL_OBJS) kernel/arch/x86_64/linker.ld
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

# ---------------------------------------------------------------- user space
LIBMICA     := $(BUILD)/lib/libmica.a
LIBMICA_SRCS := $(wildcard lib/libmica/*.c lib/libmica/*.S) lib/fmt/format.c lib/elf/elf.c
LIBMICA_OBJS := $(patsubst %,$(BUILD)/uobj/%.o,$(LIBMICA_SRCS))
CRT0        := $(BUILD)/uobj/lib/libmica/crt0.S.o

$(BUILD)/uobj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/uobj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -D__ASSEMBLY__ -c $< -o $@

$(LIBMICA): $(filter-out $(CRT0),$(LIBMICA_OBJS))
	@mkdir -p $(dir $@)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The component runtime (lib/runtime, mica_component.h): a main that calls
# the program's init/notified/protected. A program with its own main never
# pulls it in, so every program links with both libraries.
LIBMICART   := $(BUILD)/lib/libmicart.a
LIBMICART_OBJS := $(patsubst %,$(BUILD)/uobj/%.o,$(wildcard lib/runtime/*.c))

$(LIBMICART): $(LIBMICART_OBJS)
	@mkdir -p $(dir $@)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# user_program(name, sources): a static ELF program (root task or PD)
define user_program
$(BUILD)/$(1): $(patsubst %,$(BUILD)/uobj/%.o,$(2)) $(CRT0) $(LIBMICA) $(LIBMICART)
	@mkdir -p $$(dir $$@)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$(USER_LDFLAGS) -o $$@ $(CRT0) $(patsubst %,$(BUILD)/uobj/%.o,$(2)) \
	    -Wl,--start-group $(LIBMICART) $(LIBMICA) -Wl,--end-group
endef

INIT        := $(BUILD)/servers/init/init
UART        := $(BUILD)/servers/drivers/uart/uart
EDU         := $(BUILD)/servers/drivers/edu/edu
CONSOLE     := $(BUILD)/servers/console/console
KTEST       := $(BUILD)/tests/kernel/ktest
BENCH       := $(BUILD)/tests/bench/bench
$(eval $(call user_program,servers/init/init,$(wildcard servers/init/*.c servers/init/*.S)))
$(eval $(call user_program,servers/drivers/uart/uart,$(wildcard servers/drivers/uart/*.c)))
$(eval $(call user_program,servers/drivers/edu/edu,$(wildcard servers/drivers/edu/*.c)))
$(eval $(call user_program,servers/console/console,$(wildcard servers/console/*.c)))
# The example systems' programs: one directory each under systems/programs.
EXAMPLE_PROGRAMS := $(notdir $(wildcard systems/programs/*))
$(foreach p,$(EXAMPLE_PROGRAMS),$(eval $(call user_program,systems/programs/$(p)/$(p),$(wildcard systems/programs/$(p)/*.c))))
# Programs only the boot tests use: one directory each under tests/programs.
TEST_PROGRAMS := $(notdir $(wildcard tests/programs/*))
$(foreach p,$(TEST_PROGRAMS),$(eval $(call user_program,tests/programs/$(p)/$(p),$(wildcard tests/programs/$(p)/*.c))))
# Every program a system description may name in program_image, and where
# the system compiler looks for them.
PROGRAMS    := $(UART) $(EDU) $(CONSOLE) \
               $(foreach p,$(EXAMPLE_PROGRAMS),$(BUILD)/systems/programs/$(p)/$(p)) \
               $(foreach p,$(TEST_PROGRAMS),$(BUILD)/tests/programs/$(p)/$(p))
PROGRAM_SEARCH := $(addprefix --search ,$(sort $(dir $(PROGRAMS))))
$(eval $(call user_program,tests/kernel/ktest,$(wildcard tests/kernel/*.c tests/kernel/*.S)))
$(eval $(call user_program,tests/bench/bench,$(wildcard tests/bench/*.c tests/bench/*.S)))
FUZZ        := $(BUILD)/tests/fuzz/fuzz
$(eval $(call user_program,tests/fuzz/fuzz,$(wildcard tests/fuzz/*.c tests/fuzz/*.S)))

# ---------------------------------------------------------------- host tools
# The system-description compiler (docs/system-description.md), and the
# same under ASan/UBSan for the malformed-description tests.
MKSYSTEM    := $(BUILD)/tools/mksystem
MKSYSTEM_ASAN := $(BUILD)/tools/mksystem-asan
MKSYSTEM_SRCS := $(wildcard tools/mksystem/*.c)
XML_CFLAGS  = $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
XML_LIBS    = $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)

$(MKSYSTEM): $(MKSYSTEM_SRCS) $(wildcard tools/mksystem/*.h include/mica/*.h)
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Ilib/elf -Ilib/include $(XML_CFLAGS) -o $@ $(MKSYSTEM_SRCS) lib/elf/elf.c $(XML_LIBS)

$(MKSYSTEM_ASAN): $(MKSYSTEM_SRCS) $(wildcard tools/mksystem/*.h include/mica/*.h)
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -Ilib/elf -Ilib/include $(XML_CFLAGS) -o $@ $(MKSYSTEM_SRCS) lib/elf/elf.c $(XML_LIBS)

# The example systems, compiled into boot images for init.
SYSTEMS     := $(wildcard systems/*.system)
SYSTEM_IMAGES := $(patsubst systems/%.system,$(BUILD)/systems/%.img,$(SYSTEMS))

$(BUILD)/systems/%.img: systems/%.system $(MKSYSTEM) $(PROGRAMS)
	@mkdir -p $(dir $@)
	$(call msg,SYSTEM,$@)
	$(Q)$(MKSYSTEM) $(PROGRAM_SEARCH) -o $@ $<

# Systems only the boot tests use (tests/systems), and images init must
# refuse: tools/badimage breaks a good one (tests/systems/base.system) in
# every way it knows, one file per way, into $(BAD_IMAGES_DIR).
TEST_SYSTEM_IMAGES := $(patsubst tests/systems/%.system,$(BUILD)/tests/systems/%.img,\
               $(wildcard tests/systems/*.system))
$(BUILD)/tests/systems/%.img: tests/systems/%.system $(MKSYSTEM) $(PROGRAMS)
	@mkdir -p $(dir $@)
	$(call msg,SYSTEM,$@)
	$(Q)$(MKSYSTEM) $(PROGRAM_SEARCH) -o $@ $<

BADIMAGE    := $(BUILD)/tools/badimage
BAD_IMAGES_DIR := $(BUILD)/tests/bad-images
BAD_IMAGES  := $(BAD_IMAGES_DIR)/.made
$(BADIMAGE): $(wildcard tools/badimage/*.c tools/badimage/*.h include/mica/*.h) lib/elf/elf.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(BAD_IMAGES): $(BADIMAGE) $(BUILD)/tests/systems/base.img
	@mkdir -p $(dir $@)
	$(call msg,BADIMG,$(BAD_IMAGES_DIR))
	$(Q)$(BADIMAGE) --all $(BUILD)/tests/systems/base.img $(BAD_IMAGES_DIR) && touch $@

TESTRUN     := $(BUILD)/tools/testrun
BADELF      := $(BUILD)/tools/badelf
BENCHRUN    := $(BUILD)/tools/bench

$(TESTRUN): $(wildcard tools/testrun/*.c tools/testrun/*.h) include/mica/debug.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(BENCHRUN): $(wildcard tools/bench/*.c tools/bench/*.h) include/mica/debug.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(BADELF): tools/badelf/badelf.c lib/elf/elf.h
	@mkdir -p $(dir $@)
	$(call msg,HOSTCC,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -Ilib/elf -o $@ $<

# Deliberately broken root-task images for the boot-refusal tests.
BAD_ELVES   := $(patsubst %,$(BUILD)/tests/bad/%.elf,not-elf wrong-machine kernel-segment truncated pie write-exec)
$(BUILD)/tests/bad/%.elf: $(KTEST) $(BADELF)
	@mkdir -p $(dir $@)
	$(call msg,BADELF,$@)
	$(Q)$(BADELF) $* $(KTEST) $@

# ---------------------------------------------------------------- unit tests
UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
UNIT_DEPS_test_elf       := lib/elf/elf.c
UNIT_DEPS_test_memmap    := kernel/core/memmap.c
UNIT_DEPS_test_multiboot := kernel/arch/x86_64/multiboot.c kernel/core/memmap.c
UNIT_DEPS_test_bits      :=
UNIT_DEPS_test_cmdline   :=
UNIT_DEPS_test_format    := lib/fmt/format.c
UNIT_DEPS_test_mdb       := kernel/core/mdb.c
UNIT_DEPS_test_cspace    := kernel/core/cspace.c
UNIT_DEPS_test_acpi      := kernel/core/acpi.c

.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$(UNIT_DEPS_$$*) $$(wildcard kernel/include/*.h)
	@mkdir -p $(dir $@)
	$(call msg,UNITCC,$@)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_DEPS_$*) -lcmocka

# ---------------------------------------------------------------- top level
ALL := $(KERNEL) $(INIT) $(PROGRAMS) $(KTEST) $(BENCH) $(FUZZ) $(TESTRUN) $(BENCHRUN) $(MKSYSTEM) \
       $(SYSTEM_IMAGES)
.DEFAULT_GOAL := all
.PHONY: all run test debug bench fuzz clean deps-build _test graph system-image system-tools

all: $(ALL)

# The system `make run`, `make debug` and `make graph` use: any description
# file, compiled on every run into $(SYSTEM_IMAGE).
SYSTEM      ?= systems/default.system
SYSTEM_NAME := $(basename $(notdir $(SYSTEM)))
SYSTEM_IMAGE := $(BUILD)/run/$(SYSTEM_NAME).img

system-tools: $(MKSYSTEM) $(PROGRAMS)
	@true

system-image: $(KERNEL) $(INIT) $(PROGRAMS) $(MKSYSTEM)
	@mkdir -p $(BUILD)/run
	@$(MKSYSTEM) $(PROGRAM_SEARCH) -o $(SYSTEM_IMAGE) $(SYSTEM)

# Every user-facing target checks its tools first (tools/deps.sh installs
# missing Debian packages as root, or prints the apt-get line and stops).
# QEMU's -initrd: the root task (init), then the system image it builds.
run:
	@tools/deps.sh run $(CC)
	@$(MAKE) --no-print-directory system-image
	@echo "Booting system '$(SYSTEM_NAME)' ($(SYSTEM)) in QEMU. Leave with Ctrl-A X."
	@$(QEMU_RUN) -kernel $(KERNEL) -initrd "$(INIT),$(SYSTEM_IMAGE)"; s=$$?; \
	 case $$s in 0|33) ;; *) echo "QEMU exited with status $$s"; exit $$s;; esac

graph:
	@tools/deps.sh graph $(CC)
	@$(MAKE) --no-print-directory system-tools
	@mkdir -p $(BUILD)/graph
	@$(MKSYSTEM) $(PROGRAM_SEARCH) --dot $(BUILD)/graph/$(SYSTEM_NAME).dot $(SYSTEM)
	@dot -Tsvg -o $(BUILD)/graph/$(SYSTEM_NAME).svg $(BUILD)/graph/$(SYSTEM_NAME).dot
	@echo "$(BUILD)/graph/$(SYSTEM_NAME).svg"

debug:
	@tools/deps.sh debug $(CC)
	@$(MAKE) --no-print-directory system-image
	@echo "QEMU waits for gdb on localhost:1234; quitting gdb stops QEMU."
	@$(QEMU_RUN) -S -gdb tcp::1234 -kernel $(KERNEL) -initrd "$(INIT),$(SYSTEM_IMAGE)" & qpid=$$!; \
	 gdb -q -ex "set architecture i386:x86-64" -ex "file $(KERNEL)" \
	     -ex "target remote localhost:1234" -ex "hbreak arch_main" -ex "continue"; \
	 kill $$qpid 2>/dev/null; wait $$qpid 2>/dev/null; true

TEST_TIMEOUT ?= 120
RESULTS := $(BUILD)/results

# same_results(a, b, name): one results line "PASS name" if the results
# files a and b give every test the same outcome (names without their
# suite prefix, reasons ignored), else "FAIL name: ..." with the first
# differences. The kernel suite must behave the same with and without the
# IPC fastpath (docs/ipc.md).
same_results = \
	norm() { sed -e 's/^\([A-Z]*\) [^/]*\/\([^:]*\).*/\1 \2/' "$$1" 2>/dev/null | sort; }; \
	if [ ! -s $(1) ] || [ ! -s $(2) ]; then \
	  echo "FAIL $(3): missing results ($(1), $(2))"; \
	elif d=$$(norm $(1) > $(1).norm; norm $(2) | diff $(1).norm -); then \
	  echo "PASS $(3)"; \
	else \
	  echo "FAIL $(3): outcomes differ (< $(notdir $(1)), > $(notdir $(2))): $$(echo "$$d" | grep '^[<>]' | head -4 | tr '\n' ' ')"; \
	fi; rm -f $(1).norm

test:
	@tools/deps.sh test $(CC)
	@$(MAKE) --no-print-directory _test

# kernel_icount(name, qemu[, testrun options]): the kernel tests that need
# instruction-counted time ("icount", tests/kernel/main.c), in a boot of
# their own under -icount, in each configuration of the kernel suite.
kernel_icount = $(TESTRUN) suite --name $(1) --timeout $(TEST_TIMEOUT) --out $(RESULTS)/$(1).txt \
	   --log $(BUILD)/logs/$(1).log --kernel $(KERNEL) --module "$(KTEST) icount" \
	   --module tests/kernel/data/module.txt $(3) -- $(2) -icount shift=0,sleep=off || true

_test: $(ALL) $(UNIT_TESTS) $(BAD_ELVES) $(MKSYSTEM_ASAN) $(TEST_SYSTEM_IMAGES) $(BAD_IMAGES)
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS) $(BUILD)/logs
	@for t in $(UNIT_TESTS); do \
	   $(TESTRUN) unit --name unit/$$(basename $$t) --out $(RESULTS)/unit-$$(basename $$t).txt -- $$t || true; \
	 done
	@tests/mksystem/run.sh $(MKSYSTEM_ASAN) $(RESULTS)/mksystem.txt $(PROGRAM_SEARCH) || true
	@missing=$$(for k in $$($(BADIMAGE) --list | cut -d' ' -f1); do \
	   [ -f tests/boot/init-image-$$k.case ] || printf ' %s' $$k; done); \
	 if [ -z "$$missing" ]; then echo "PASS badimage/every-kind-has-a-case"; \
	 else echo "FAIL badimage/every-kind-has-a-case: no tests/boot/init-image-KIND.case for:$$missing"; \
	 fi > $(RESULTS)/badimage.txt
	@$(TESTRUN) suite --name kernel --timeout $(TEST_TIMEOUT) --out $(RESULTS)/kernel.txt \
	   --log $(BUILD)/logs/kernel.log --kernel $(KERNEL) --module "$(KTEST)" \
	   --module tests/kernel/data/module.txt -- $(QEMU_TEST) || true
	@$(TESTRUN) suite --name kernel-nofastpath --timeout $(TEST_TIMEOUT) \
	   --out $(RESULTS)/kernel-nofastpath.txt --log $(BUILD)/logs/kernel-nofastpath.log \
	   --kernel $(KERNEL) --module "$(KTEST)" --module tests/kernel/data/module.txt \
	   --append nofastpath -- $(QEMU_TEST) || true
	@$(TESTRUN) suite --name kernel-noiommu --timeout $(TEST_TIMEOUT) \
	   --out $(RESULTS)/kernel-noiommu.txt --log $(BUILD)/logs/kernel-noiommu.log \
	   --kernel $(KERNEL) --module "$(KTEST)" --module tests/kernel/data/module.txt \
	   -- $(QEMU_TEST_NOIOMMU) || true
	@$(TESTRUN) suite --name kernel-noprotect --timeout $(TEST_TIMEOUT) \
	   --out $(RESULTS)/kernel-noprotect.txt --log $(BUILD)/logs/kernel-noprotect.log \
	   --kernel $(KERNEL) --module "$(KTEST)" --module tests/kernel/data/module.txt \
	   -- $(QEMU_TEST_PLAIN) || true
	@$(TESTRUN) suite --name kernel-nointremap --timeout $(TEST_TIMEOUT) \
	   --out $(RESULTS)/kernel-nointremap.txt --log $(BUILD)/logs/kernel-nointremap.log \
	   --kernel $(KERNEL) --module "$(KTEST) nointremap" --module tests/kernel/data/module.txt \
	   -- $(QEMU_TEST_NOINTREMAP) || true
	@$(call kernel_icount,kernel-icount,$(QEMU_TEST))
	@$(call kernel_icount,kernel-icount-nofastpath,$(QEMU_TEST),--append nofastpath)
	@$(call kernel_icount,kernel-icount-noiommu,$(QEMU_TEST_NOIOMMU))
	@$(call kernel_icount,kernel-icount-noprotect,$(QEMU_TEST_PLAIN))
	@$(call kernel_icount,kernel-icount-nointremap,$(QEMU_TEST_NOINTREMAP))
	@($(call same_results,$(RESULTS)/kernel.txt,$(RESULTS)/kernel-nofastpath.txt,kernel/fastpath-equivalence)) \
	   | tee $(RESULTS)/fastpath-equivalence.txt
	@$(TESTRUN) case -j 2 --timeout $(TEST_TIMEOUT) --out $(RESULTS)/boot.txt --kernel $(KERNEL) \
	   --log-dir $(BUILD)/logs $(sort $(wildcard tests/boot/*.case)) -- $(QEMU_TEST) || true
	@$(TESTRUN) case -j 2 --timeout $(TEST_TIMEOUT) --out $(RESULTS)/boot-noiommu.txt \
	   --kernel $(KERNEL) --log-dir $(BUILD)/logs $(sort $(wildcard tests/boot-noiommu/*.case)) \
	   -- $(QEMU_TEST_NOIOMMU) || true
	@$(call fuzz_run,fuzz-short,1,200000,60,$(RESULTS)/fuzz.txt) || true
	@$(TESTRUN) summary $(RESULTS)/*.txt

# Benchmarks (not tests): one boot under $(QEMU_BENCH); docs/benchmarks.md.
BENCH_TIMEOUT ?= 600

bench:
	@tools/deps.sh bench $(CC)
	@$(MAKE) --no-print-directory $(KERNEL) $(BENCH) $(BENCHRUN)
	@mkdir -p $(BUILD)/logs
	@$(BENCHRUN) --timeout $(BENCH_TIMEOUT) --kernel $(KERNEL) --module "$(BENCH)" \
	   --log $(BUILD)/logs/bench.log --json $(BUILD)/bench.json -- $(QEMU_BENCH)

# The system-call fuzzer (docs/fuzzing.md): `make fuzz [SEED="1 2 ..."]
# [N=calls per seed] [TRACE=first call to print]`, one boot per seed under
# instruction-counted time, so a seed replays exactly. Results go to
# $(BUILD)/results/fuzz-SEED.txt, consoles to $(BUILD)/logs/fuzz-SEED.log.
SEED        ?= 1
N           ?= 100000
TRACE       ?= 0xffffffffffffffff
# Known kernel bugs to steer clear of, a bit mask (docs/fuzzing.md);
# none at present (bit 1, Debug_Write from a device frame, is fixed).
FUZZ_AVOID  ?= 0
QEMU_FUZZ   := $(QEMU_TEST) -icount shift=0,sleep=off
# fuzz_run(name, seed, n, timeout, out[, trace]): one fuzzing boot.
fuzz_run = $(TESTRUN) suite --name $(1) --timeout $(4) --out $(5) --log $(BUILD)/logs/$(1).log \
	   --kernel $(KERNEL) --module "$(FUZZ) $$(printf 'seed=%016x n=%016x trace=%016x avoid=%016x' \
	   $(2) $(3) $(or $(6),0xffffffffffffffff) $(FUZZ_AVOID))" -- $(QEMU_FUZZ)

fuzz:
	@tools/deps.sh test $(CC)
	@$(MAKE) --no-print-directory $(KERNEL) $(FUZZ) $(TESTRUN)
	@mkdir -p $(RESULTS) $(BUILD)/logs
	@fail=0; for s in $(SEED); do \
	   start=$$(date +%s); \
	   $(call fuzz_run,fuzz-$$s,$$s,$(N),$${FUZZ_TIMEOUT:-$$((120 + $(N) / 200))},$(RESULTS)/fuzz-$$s.txt,$(TRACE)) \
	     || fail=1; \
	   grep -h '^fuzz: seed .*calls' $(BUILD)/logs/fuzz-$$s.log; \
	   echo "fuzz: seed $$s: $$(( $$(date +%s) - start )) s"; \
	 done; exit $$fail

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
