#!/bin/sh
# Find the call at which a fuzzing run fails (docs/fuzzing.md):
#   tests/fuzz/bisect.sh SEED N
# where `make fuzz SEED=SEED N=N` fails. Runs differing only in N execute
# the same instructions until the shorter one ends, so the smallest failing
# N is one past the failing call. Bisects from the last "fuzz: call K"
# progress line of the failing run, then replays the last calls with TRACE.
set -u
seed=$1 n=$2
build=${BUILD:-build}
fails() { make --no-print-directory fuzz SEED="$seed" N="$1" >/dev/null 2>&1; [ $? -ne 0 ]; }
fails "$n" || { echo "bisect: seed $seed does not fail with N=$n"; exit 1; }
lo=$(sed -n 's/^fuzz: call \([0-9]*\)$/\1/p' "$build/logs/fuzz-$seed.log" | tail -1)
lo=${lo:-0} hi=$n            # lo passes (the run got past it), hi fails
while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    if fails "$mid"; then hi=$mid; else lo=$mid; fi
done
call=$((hi - 1))
echo "bisect: seed $seed fails at call $call (N=$hi fails, N=$lo passes)"
first=$((call > 2 ? call - 2 : 0))
make --no-print-directory fuzz SEED="$seed" N="$hi" TRACE="$first" >/dev/null 2>&1
grep -A 30 "^fuzz: call $first:" "$build/logs/fuzz-$seed.log" | head -40
