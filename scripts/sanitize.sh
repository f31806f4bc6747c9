#!/bin/sh
# The test suite under the sanitizers (doc/testing.md), after bootstrap.sh:
#  1. build-asan/ (clang, AddressSanitizer + UndefinedBehaviorSanitizer, no
#     recovery): the core tests with leak detection;
#  2. build-tsan/ (ThreadSanitizer): the thread test of the core tests;
#  3. valgrind memcheck of the plain build's core tests: no leak, no invalid
#     access (the thread test is left to ThreadSanitizer: too slow there);
#  4. the whole pytest suite with build-asan/'s plugin loaded into
#     /usr/bin/python3 (and every GDAL tool the tests start).
# Any finding fails the script. Suppressions (third-party code only, each
# with its reason) are in autotest/sanitizers/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
supp="$root/autotest/sanitizers"
cd "$root"

build() { # dir, sanitizers[, target]: every target unless one is named
    CC=clang CXX=clang++ cmake -S "$root" -B "$root/$1" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXAV_SANITIZE="$2" >/dev/null
    cmake --build "$root/$1" -j"$(nproc)" ${3:+--target "$3"} >/dev/null
}

echo "sanitize: ASan + UBSan core tests"
build build-asan address,undefined # all: the tests install it too
ASAN_OPTIONS="halt_on_error=1:detect_leaks=1" \
    LSAN_OPTIONS="suppressions=$supp/lsan.supp" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    ./build-asan/xav_core_tests --gtest_brief=1

echo "sanitize: ThreadSanitizer thread test"
build build-tsan thread xav_core_tests
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp" \
    ./build-tsan/xav_core_tests --gtest_brief=1 --gtest_filter='*Threads*'

echo "sanitize: valgrind memcheck of the core tests"
valgrind --quiet --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --error-exitcode=99 --num-callers=40 --suppressions="$supp/valgrind.supp" \
    ./build/xav_core_tests --gtest_brief=1 --gtest_filter='-*Threads*'

echo "sanitize: pytest suite with the ASan + UBSan plugin"
# Python and its extensions are not instrumented: the runtime comes first
# through LD_PRELOAD, and the interpreter's own allocations, alive at exit,
# are not leaks of ours (the core tests above check leaks).
LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
ASAN_OPTIONS="halt_on_error=1:detect_leaks=0"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
XAVIDEO_BUILD_DIR="$root/build-asan"
export LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS XAVIDEO_BUILD_DIR
/usr/bin/python3 - "$XAVIDEO_BUILD_DIR/gdal_XAVIDEO.so" <<'EOF'
import os, sys
os.environ["GDAL_DRIVER_PATH"] = os.path.dirname(sys.argv[1])
from osgeo import gdal
assert gdal.GetDriverByName("XAVIDEO") is not None, "no XAVIDEO driver"
assert sys.argv[1] in open("/proc/self/maps").read(), "not the ASan plugin"
EOF
exec /usr/bin/python3 -m pytest autotest -q -p no:cacheprovider "$@"
