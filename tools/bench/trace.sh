#!/bin/sh
# tools/bench/trace.sh FUNCTION [HIT] [NTH]
#
# List every instruction one timed region of the benchmark root task
# executes, user and kernel, by single-stepping QEMU under gdb
# (docs/benchmarks.md, "Where the instructions go").
#
# The region starts at the NTH (default 1) rdtscp inside FUNCTION of
# tests/bench (a hardware breakpoint, taken at its HIT-th execution,
# default 15: past the warm-up of a run with iters=10 warmup=10) and ends
# at the next rdtscp executed by any thread. Prints the path as runs of
# consecutive instructions per function, then the count per function.
#
# Environment: BUILD (default build), KERNEL, BENCH_ELF, QEMU (the QEMU
# command line without -kernel/-initrd; default: $(QEMU_BENCH) of
# mk/qemu.mk), PORT (gdb port, default 1235), OUT (raw gdb log).
set -eu

[ $# -ge 1 ] || { echo "usage: $0 FUNCTION [HIT] [NTH]" >&2; exit 2; }
func=$1
hit=${2:-15}
nth=${3:-1}
build=${BUILD:-build}
kernel=${KERNEL:-$build/kernel/mica.elf}
bench=${BENCH_ELF:-$build/tests/bench/bench}
port=${PORT:-1235}
out=${OUT:-$build/logs/trace-$func-$hit.txt}
qemu=${QEMU:-qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,+rdtscp -m 512M -smp 1 \
-display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio \
-monitor none -icount shift=0,sleep=off}

for f in "$kernel" "$bench"; do
    [ -r "$f" ] || { echo "$0: $f not found (make BUILD=$build bench first)" >&2; exit 1; }
done
addr=$(objdump -d --no-show-raw-insn "$bench" | awk -v f="<$func>:" -v nth="$nth" '
    $2 == f { infn = 1; next }
    infn && /^$/ { exit }
    infn && /rdtscp/ { if (++n == nth) { sub(":", "", $1); print $1; exit } }')
[ -n "$addr" ] || { echo "$0: no rdtscp number $nth in $func" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

script=$(mktemp)
trap 'rm -f "$script"; [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null; true' EXIT
cat >"$script" <<EOF
set pagination off
set confirm off
set architecture i386:x86-64
file $kernel
add-symbol-file $bench
target remote localhost:$port
hbreak *0x$addr
ignore 1 $((hit - 1))
continue
delete
set logging file $out
set logging overwrite on
set logging redirect on
set logging enabled on
set \$n = 0
set \$done = 0
x/i \$pc
while \$done == 0 && \$n < 50000
  stepi
  set \$n = \$n + 1
  x/i \$pc
  if *(unsigned char *)\$pc == 0x0f && *(unsigned char *)(\$pc + 1) == 0x01 && *(unsigned char *)(\$pc + 2) == 0xf9
    set \$done = 1
  end
end
set logging enabled off
kill
EOF

# shellcheck disable=SC2086
$qemu -S -gdb tcp::"$port" -kernel "$kernel" -initrd "$bench iters=10 warmup=10" >/dev/null 2>&1 &
qpid=$!
sleep 1
gdb -q -batch -nx -x "$script" >/dev/null 2>&1 || true
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=

# "=> 0xADDR <sym+off>:<tab>insn": user addresses are below 0x800000000000.
awk -v func_="$func" '
    /^=> / {
        addr = $2; sym = $3
        sub(/^</, "", sym); sub(/[+>].*$/, "", sym)
        if (sym == "" || sym ~ /^0x/) sym = "?"
        user = length(addr) < 14 || (length(addr) == 14 && addr < "0x800000000000")
        name = (user ? "user " : "kernel ") sym
        n++
        if (n == 1) next                   # the starting rdtscp belongs to the read
        last_line = $0
        count[name]++
        if (!(name in seen)) { seen[name] = 1; order[++k] = name }
        if (name != cur) { if (cur != "") printf "  %-40s %5d\n", cur, run; cur = name; run = 0 }
        run++
    }
    END {
        if (n < 2) { print "no trace (breakpoint not reached?)"; exit 1 }
        printf "  %-40s %5d   (ends at the next rdtscp)\n", cur, run
        printf "\nper function (%s region: %d instructions executed from the first rdtscp up to the second = ticks before the counter-read cost is subtracted):\n", func_, n - 1
        for (i = 1; i <= k; i++) printf "  %-40s %5d\n", order[i], count[order[i]]
    }' "$out" | { echo "path of $func, rdtscp $nth, hit $hit (consecutive instructions per function):"; cat; }
echo "raw trace: $out"
