#!/bin/sh
# The test suite under the sanitizers (doc/testing.md), after bootstrap.sh:
#  1. build-asan/ (clang, AddressSanitizer + UndefinedBehaviorSanitizer, no
#     recovery): the core tests with leak detection;
#  2. build-tsan/ (ThreadSanitizer): the thread test of the core tests;
#  3. valgrind memcheck of the plain build's core tests: no leak, no invalid
#     access (the thread test is left to ThreadSanitizer: too slow there),
#     skipped with its reason where valgrind cannot run them at all;
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
# Probe first: on some CPUs valgrind stops before main() on an instruction
# it cannot decode, inside a library FFmpeg loads (libjxl's libhwy, see
# doc/testing.md). Only that one failure is forgiven; any other failure of
# the probe, and every memcheck finding, fails the script.
probe="$root/build/valgrind-probe.log"
# In a subshell so that its "Illegal instruction" notice goes with the rest.
probe_rc=$( (if valgrind --tool=memcheck --log-file="$probe" \
    ./build/xav_core_tests --gtest_list_tests >"$probe.out" 2>&1; then
    echo 0
else echo $?; fi) 2>/dev/null)
if [ "$probe_rc" -eq 132 ] &&
    grep -q 'unhandled instruction bytes' "$probe" &&
    grep -q 'signal 4 (SIGILL)' "$probe"; then
    echo "sanitize: valgrind cannot run the core tests on this CPU, skipped:"
    grep -m1 'unhandled instruction bytes' "$probe"
    grep -m1 -A1 'Unrecognised instruction' "$probe"
    if grep -q 'unhandled instruction bytes: 0xF 0x1 0xF9 ' "$probe" &&
        ! grep -qw rdtscp /proc/cpuinfo; then
        # valgrind's emulated CPU advertises RDTSCP (CPUID 0x80000001
        # EDX[27]) but its decoder accepts RDTSCP only when the host has it:
        # virtual machines often hide it, so the library's own CPUID check
        # passes under valgrind and the instruction kills the process.
        echo "  (RDTSCP: $(valgrind --version) advertises it to the program" \
            "but cannot execute it on this CPU, which lacks it)"
    fi
    echo "  Invalid accesses and leaks are still checked, by the ASan + LSan" \
        "run of the same tests above; branches on uninitialised values," \
        "which only memcheck sees, are not checked on this machine."
else
    [ "$probe_rc" -eq 0 ] || {
        cat "$probe" "$probe.out" >&2
        echo "sanitize: valgrind probe failed (exit $probe_rc)" >&2
        exit 1
    }
    valgrind --quiet --tool=memcheck --leak-check=full \
        --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        --error-exitcode=99 --num-callers=40 \
        --suppressions="$supp/valgrind.supp" \
        ./build/xav_core_tests --gtest_brief=1 --gtest_filter='-*Threads*'
fi

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
