#!/usr/bin/env bash
# tests/fuzz/run_libfuzzer.sh BUILD_FUZZ_DIR RUNS: every libFuzzer target of
# BUILD_FUZZ_DIR (built with clang, -DDBN_FUZZ=ON -DDBN_SANITIZE=ON) for RUNS
# executions each, two at a time, on the seed corpus, the hostile frames and
# the committed regressions (tests/fuzz/regressions). New inputs a target
# finds go to BUILD_FUZZ_DIR/tests/fuzz/work/<name>/, a crash to artifacts/.
# Prints one line per target (executions, seconds, corpus size) and a last
# line "N passed, N failed"; exits 1 when any target failed.
set -euo pipefail
build=$(cd "$1" && pwd); runs=$2
here=$(cd "$(dirname "$0")" && pwd)
fuzz=$build/tests/fuzz
corpus=$fuzz/corpus
mkdir -p "$fuzz/work" "$fuzz/artifacts" "$fuzz/logs"

one() {
    local target=$1 name=${1#fuzz_} log
    log=$fuzz/logs/$name.log
    mkdir -p "$fuzz/work/$name"
    local t0=$SECONDS
    if "$build/bin/$target" -runs="$runs" -rss_limit_mb=2048 -print_final_stats=1 \
            -dict="$corpus/daiban.dict" -artifact_prefix="$fuzz/artifacts/$name-" \
            "$fuzz/work/$name" "$corpus/$name" "$corpus/hostile" "$here/regressions" > "$log" 2>&1; then
        local done_runs
        done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        printf 'ok   %-36s %9s runs %4d s  corpus %s\n' "$target" "${done_runs:-?}" $((SECONDS - t0)) \
            "$(find "$fuzz/work/$name" -type f | wc -l)"
    else
        printf 'FAIL %-36s (log: %s)\n' "$target" "$log"
        grep -m5 -E 'ERROR|SUMMARY|Test unit written' "$log" | sed 's/^/     /' || true
        return 1
    fi
}
export -f one
export build runs here fuzz corpus

targets=$(cd "$build/bin" && ls fuzz_* | grep -v '^fuzz_replay$' | sort)
[ -n "$targets" ] || { echo "run_libfuzzer.sh: no fuzz targets in $build/bin" >&2; exit 1; }
results=$(printf '%s\n' $targets | xargs -P "$(nproc)" -I{} bash -c 'one {} || true')
echo "$results"
failed=$(printf '%s\n' "$results" | grep -c '^FAIL' || true)
passed=$(printf '%s\n' "$results" | grep -c '^ok' || true)
echo "libFuzzer: $runs runs per target"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
