#!/bin/sh
# fuzz-deps.sh - install what `make fuzz` needs beyond deps.sh, if missing.
# Debian packages only: clang and libclang-rt-14-dev (libFuzzer and the
# sanitizer runtimes).  `make check` does not need them.
set -e
probe() {
	dir=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }\n' \
		>"$dir/probe.c"
	clang -fsanitize=fuzzer,address,undefined -o "$dir/probe" "$dir/probe.c" >/dev/null 2>&1
	rc=$?
	rm -rf "$dir"
	return $rc
}
if command -v clang >/dev/null 2>&1 && probe; then
	exit 0
fi
echo "deps: installing clang and libclang-rt-14-dev (libFuzzer, for make fuzz)"
if [ "$(id -u)" != 0 ]; then
	echo "deps: clang with libFuzzer is missing and this is not root; run: sudo apt-get install -y clang libclang-rt-14-dev" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
probe || { echo "deps: clang still cannot link a libFuzzer target" >&2; exit 1; }
