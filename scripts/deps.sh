#!/bin/sh
# deps.sh - install what the tests need beyond gcc, make and libc, if missing.
# Debian packages only: libcmocka-dev (the unit-test framework), python3
# (tests/json_check.py checks the JSON reports against their schema) and
# bsdutils (script(1), which gives a test a terminal) and chromium (the
# --html picture is rendered headless by tests/cli/test_html.sh).
set -e
need=""
[ -f /usr/include/cmocka.h ] || need="$need libcmocka-dev"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
if [ -z "$need" ]; then
	exit 0
fi
echo "deps: installing$need"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing$need and this is not root; run: sudo apt-get install -y$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null
