#!/bin/sh
# The system-description compiler's tests (docs/system-description.md).
#
#   tests/mksystem/run.sh MKSYSTEM RESULTS_FILE [--search DIR]...
#
# bad/NAME.system   one malformed description each. Near its top a comment
#                   <!-- expect: LINE: error: TEXT -->
#                   names the first error: mksystem must exit 1, its first
#                   error line must be exactly "FILE:LINE: error: ..." and
#                   contain TEXT (a plain substring), it must not crash or
#                   trip a sanitizer, and it must write no image. Optional
#                   <!-- expect-also: TEXT --> lines name more text that
#                   must appear somewhere in its stderr.
# good/NAME.system  valid descriptions: mksystem must exit 0 and write an
#                   image (header checked, identical on a second run), a
#                   DOT file Graphviz's `dot` accepts (tools/deps.sh test
#                   installs graphviz), and
#                   a --list equal to good/NAME.list.
#
# The --search arguments are passed to mksystem; the programs the
# descriptions name (uart, edu, console) must be found there. Files are
# given to mksystem as tests/mksystem/... relative to the current
# directory's view of this script, and messages must show that path.
# One line per test on stdout and in RESULTS_FILE:
# "PASS mksystem/NAME" or "FAIL mksystem/NAME: reason". Exit 1 if any fail.

if [ $# -lt 2 ]; then
    echo "usage: $0 MKSYSTEM RESULTS_FILE [--search DIR]..." >&2
    exit 2
fi
MKSYSTEM=$1
RESULTS=$2
shift 2
DIR=$(dirname "$0")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mksystem-test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$(dirname "$RESULTS")"
: > "$RESULTS" || exit 2
failed=0

result() { # result NAME [REASON]
    if [ $# -eq 1 ]; then
        line="PASS mksystem/$1"
    else
        line="FAIL mksystem/$1: $2"
        failed=1
    fi
    echo "$line"
    echo "$line" >> "$RESULTS"
}

# A crash or sanitizer report, from the exit status and stderr; "" if none.
crash() { # crash STATUS ERRFILE
    if [ "$1" -ge 128 ]; then
        echo "killed by signal $(($1 - 128))"
    elif grep -q -e 'Sanitizer' -e 'runtime error:' "$2"; then
        echo "sanitizer: $(grep -m1 -e 'Sanitizer' -e 'runtime error:' "$2")"
    fi
}

if [ ! -x "$MKSYSTEM" ]; then
    result build "$MKSYSTEM is missing"
    exit 1
fi

for f in "$DIR"/bad/*.system; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .system)
    expect=$(sed -n 's/^.*<!-- expect: \([0-9][0-9]*\): error: \(.*\) -->.*$/\1 \2/p' "$f" | head -n 1)
    if [ -z "$expect" ]; then
        result "$name" "no <!-- expect: LINE: error: TEXT --> comment"
        continue
    fi
    line=${expect%% *}
    text=${expect#* }
    rm -f "$TMP/out.img"
    "$MKSYSTEM" "$@" -o "$TMP/out.img" "$f" > "$TMP/stdout" 2> "$TMP/stderr"
    status=$?
    why=$(crash $status "$TMP/stderr")
    first=$(grep -m1 ': error: ' "$TMP/stderr")
    if [ -n "$why" ]; then
        result "$name" "$why"
    elif [ $status -ne 1 ]; then
        result "$name" "exit status $status, expected 1; stderr: $(head -n 1 "$TMP/stderr")"
    elif [ -e "$TMP/out.img" ]; then
        result "$name" "an image was written despite the error"
    elif [ -z "$first" ]; then
        result "$name" "no error line; stderr: $(head -n 1 "$TMP/stderr")"
    else
        case $first in
        "$f:$line: error: "*)
            missing=$(sed -n 's/^.*<!-- expect-also: \(.*\) -->.*$/\1/p' "$f" | while IFS= read -r also; do
                grep -q -F -e "$also" "$TMP/stderr" || { echo "$also"; break; }
            done)
            if ! printf '%s\n' "$first" | grep -q -F -e "$text"; then
                result "$name" "first error lacks \"$text\": $first"
            elif [ -n "$missing" ]; then
                result "$name" "stderr lacks \"$missing\""
            else
                result "$name"
            fi
            ;;
        *) result "$name" "first error is not at $f:$line: $first" ;;
        esac
    fi
done

# u64 at byte offset $2 of file $1, decimal.
u64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }
u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }

for f in "$DIR"/good/*.system; do
    [ -e "$f" ] || continue
    name=good-$(basename "$f" .system)
    expected=${f%.system}.list
    rm -f "$TMP/a.img" "$TMP/b.img" "$TMP/g.dot"
    "$MKSYSTEM" "$@" -o "$TMP/a.img" --dot "$TMP/g.dot" --list "$f" > "$TMP/list" 2> "$TMP/stderr"
    status=$?
    why=$(crash $status "$TMP/stderr")
    if [ -n "$why" ]; then
        result "$name" "$why"
        continue
    elif [ $status -ne 0 ]; then
        result "$name" "exit status $status: $(grep -m1 . "$TMP/stderr")"
        continue
    elif grep -q ': error: ' "$TMP/stderr"; then
        result "$name" "exit 0 but $(grep -m1 ': error: ' "$TMP/stderr")"
        continue
    elif [ ! -f "$expected" ]; then
        result "$name" "no expected listing $expected"
        continue
    elif ! diff -u "$expected" "$TMP/list" > "$TMP/diff"; then
        result "$name" "--list differs from $expected: $(sed -n '4,12p' "$TMP/diff" | grep '^[-+]' | head -n 2 | tr '\n' ' ')"
        continue
    fi
    # The header: magic "MICA.SYS", version 1, header_size, image_size = file size.
    size=$(wc -c < "$TMP/a.img" | tr -d ' ')
    if [ "$(head -c 8 "$TMP/a.img")" != "MICA.SYS" ] || [ "$(u32 "$TMP/a.img" 8)" != 1 ] ||
       [ "$(u64 "$TMP/a.img" 16)" != "$size" ]; then
        result "$name" "image header wrong (magic, version or image_size $(u64 "$TMP/a.img" 16) vs $size bytes)"
        continue
    fi
    "$MKSYSTEM" "$@" -o "$TMP/b.img" "$f" > /dev/null 2>&1
    if ! cmp -s "$TMP/a.img" "$TMP/b.img"; then
        result "$name" "a second run wrote a different image"
        continue
    fi
    if [ "$(head -c 8 "$TMP/g.dot")" != "digraph " ]; then
        result "$name" "--dot did not write a digraph"
        continue
    fi
    if ! command -v dot > /dev/null 2>&1; then
        result "$name" "Graphviz's dot is not installed (tools/deps.sh test installs it)"
        continue
    fi
    if ! dot -Tsvg -o "$TMP/g.svg" "$TMP/g.dot" 2> "$TMP/dot.err"; then
        result "$name" "dot rejects the --dot output: $(head -n 1 "$TMP/dot.err")"
        continue
    fi
    result "$name"
done

# The command line itself.
"$MKSYSTEM" --help > "$TMP/help" 2>&1
status=$?
if [ $status -eq 0 ] && grep -q '^usage: mksystem' "$TMP/help"; then
    result usage-help
else
    result usage-help "--help: status $status: $(head -n 1 "$TMP/help")"
fi
"$MKSYSTEM" > /dev/null 2> "$TMP/stderr"
status=$?
why=$(crash $status "$TMP/stderr")
if [ -z "$why" ] && [ $status -eq 2 ]; then
    result usage-no-file
else
    result usage-no-file "no arguments: status $status, expected 2 $why"
fi
"$MKSYSTEM" "$DIR/no-such-file.system" > /dev/null 2> "$TMP/stderr"
status=$?
why=$(crash $status "$TMP/stderr")
if [ -z "$why" ] && [ $status -eq 1 ] && grep -q 'cannot open' "$TMP/stderr"; then
    result usage-missing-file
else
    result usage-missing-file "missing file: status $status $why: $(head -n 1 "$TMP/stderr")"
fi

exit $failed
