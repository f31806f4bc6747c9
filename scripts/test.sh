#!/bin/sh
# The whole test suite: the core's GoogleTest harness, then the driver's
# pytest suite through GDAL's Python bindings (/usr/bin/python3: the
# python3 first on PATH may lack them), then the fuzz targets and the
# sanitizer runs (doc/testing.md; the suite again under ASan + UBSan, last,
# so that its pytest summary closes the output).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/bootstrap.sh"
cd "$root"
./build/xav_core_tests --gtest_brief=1
/usr/bin/python3 -m pytest autotest -q -p no:cacheprovider "$@"
sh "$root/scripts/fuzz.sh"
exec sh "$root/scripts/sanitize.sh" "$@"
