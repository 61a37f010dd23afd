#!/bin/sh
# deps.sh - install what the tests need beyond gcc, make and libc, if missing.
# Debian packages only: libcmocka-dev (the unit-test framework).
set -e
if [ -f /usr/include/cmocka.h ]; then
	exit 0
fi
echo "deps: installing libcmocka-dev (unit-test framework)"
if [ "$(id -u)" != 0 ]; then
	echo "deps: libcmocka-dev is missing and this is not root; run: sudo apt-get install -y libcmocka-dev" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libcmocka-dev >/dev/null
