#!/bin/sh
# tools/deps.sh TARGET [CC]
#
# Check that the Debian packages TARGET needs are installed. As root, install
# what is missing with apt-get (non-interactively); otherwise print the exact
# apt-get command and stop. TARGET is one of: build, run, debug, test, bench,
# graph.
# This is the only set-up step: `make run` and `make test` call it first.
set -eu

target=${1:-build}
cc=${2:-cc}

# libxml2 and pkg-config for the system-description compiler (tools/mksystem).
build_pkgs="make gcc binutils libc6-dev libxml2-dev pkg-config"
case "$cc" in *clang*) build_pkgs="$build_pkgs clang" ;; esac

case "$target" in
build) pkgs="$build_pkgs" ;;
run)   pkgs="$build_pkgs qemu-system-x86" ;;
bench) pkgs="$build_pkgs qemu-system-x86" ;;
debug) pkgs="$build_pkgs qemu-system-x86 gdb" ;;
graph) pkgs="$build_pkgs graphviz" ;;
# Tests: the emulator, the unit-test framework, and the tools later suites
# use (musl for POSIX programs, e2fsprogs to build and check disk images).
test)  pkgs="$build_pkgs qemu-system-x86 libcmocka-dev musl-tools e2fsprogs gdb graphviz" ;;
*) echo "deps.sh: unknown target '$target' (build, run, debug, test, bench, graph)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *" installed") ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

missing=${missing# }
if [ "$(id -u)" -ne 0 ]; then
    echo "Mica needs these Debian packages for 'make $target': $missing" >&2
    echo "Install them with:" >&2
    echo "    sudo apt-get install -y $missing" >&2
    exit 1
fi

echo "deps.sh: installing missing packages: $missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet.
if ! apt-get install -y --no-install-recommends $missing </dev/null; then
    apt-get update </dev/null
    apt-get install -y --no-install-recommends $missing </dev/null
fi
