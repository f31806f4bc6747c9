#!/bin/sh
# Fuzzing (doc/testing.md): builds the libFuzzer targets of autotest/fuzz/
# with clang, ASan and UBSan into build-fuzz/, makes seed corpora from the
# real data with the plain build's driver (build/, made by bootstrap.sh),
# replays the kept crash inputs (autotest/fuzz/regressions/TARGET/), then
# fuzzes each target for FUZZ_SECONDS (default 60) and prints how many
# inputs it ran. Any crash, leak, undefined behaviour, timeout or memory
# blow-up fails the script; the input is left in build-fuzz/artifacts/ (keep
# it as a regression once fixed).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seconds=${FUZZ_SECONDS:-60}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXAV_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
rm -rf "$build/seeds"
/usr/bin/python3 "$root/autotest/fuzz/make_seeds.py" "$root/build" \
    "$build/seeds" >/dev/null
mkdir -p "$build/artifacts"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export LSAN_OPTIONS="suppressions=$root/autotest/sanitizers/lsan.supp"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

for target in sidecar open; do
    exe="$build/fuzz_$target"
    log="$build/fuzz_$target.log"
    regressions=$(find "$root/autotest/fuzz/regressions/$target" -type f \
        2>/dev/null | sort)
    if [ -n "$regressions" ]; then
        # shellcheck disable=SC2086 # one argument per file
        if ! "$exe" $regressions >"$log" 2>&1; then
            tail -n 60 "$log"
            echo "fuzz_$target: a kept regression input fails again"
            exit 1
        fi
        echo "fuzz_$target: $(echo "$regressions" | wc -l) regression inputs pass"
    fi
    mkdir -p "$build/corpus/$target"
    if ! "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -dict="$root/autotest/fuzz/xavideo.dict" -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" \
        "$build/corpus/$target" "$build/seeds/$target" >"$log" 2>&1; then
        grep -v '^#' "$log" | tail -n 80
        echo "fuzz_$target: FINDING, input saved in $build/artifacts/"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz_$target: $runs executions in ${seconds} s, no finding"
done
