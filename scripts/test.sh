#!/bin/sh
# The whole test suite: the core's GoogleTest harness, then the driver's
# pytest suite through GDAL's Python bindings (/usr/bin/python3: the
# python3 first on PATH may lack them).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/bootstrap.sh"
cd "$root"
./build/xav_core_tests --gtest_brief=1
exec /usr/bin/python3 -m pytest autotest -q -p no:cacheprovider "$@"
