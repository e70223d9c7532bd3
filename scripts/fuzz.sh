#!/usr/bin/env bash
# Coverage-guided fuzzing of the pure parsers (fuzz/, cargo-fuzz + libFuzzer): builds the fuzz
# crate, then runs each target for SECONDS, one after the other, starting from the committed
# seeds (fuzz/seeds/<target>) and the generated corpus (fuzz/corpus/<target>, not committed).
# Exits non-zero when any target crashes (panic, failed invariant, timeout, out of memory);
# the input that did it is in fuzz/artifacts/<target>/ and the output in fuzz/logs/<target>.log.
# fuzz/README.md says how to reproduce and minimise a crash.
#
# Usage: ./scripts/fuzz.sh [SECONDS] [TARGET...]     (default 20 seconds, every target)
#
# Environment:
#   FERRY_FUZZ_SANITIZER  cargo-fuzz sanitizer (default none: the fuzzed crates forbid unsafe
#                         code, and ASan would halve the executions per second)
#   FERRY_FUZZ_RUNS       stop a target after this many executions, or at SECONDS,
#                         whichever comes first (default: SECONDS only)
#   CARGO_BUILD_JOBS      build parallelism (cargo's own variable)
#
# Uses the nightly toolchain when rustup has one, else the default toolchain with
# RUSTC_BOOTSTRAP=1; installs cargo-fuzz when it is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$REPO/fuzz"
SECS="${1:-20}"
shift || true
SANITIZER="${FERRY_FUZZ_SANITIZER:-none}"

log() { printf '%s\n' "$*" >&2; }
die() {
    log "fuzz: ERROR: $*"
    exit 1
}

case "$SECS" in
'' | *[!0-9]*) die "SECONDS must be a whole number, got '$SECS'" ;;
esac

cargo_cmd=(cargo)
if command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q '^nightly'; then
    cargo_cmd=(cargo +nightly)
else
    # cargo-fuzz passes -Z flags, which only nightly accepts; this unlocks them on stable.
    export RUSTC_BOOTSTRAP=1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    log "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

cd "$FUZZ"
# Release code with debug assertions (and so overflow checks) on: what overflows in the
# fuzzer would wrap silently in production.
fuzz_flags=(--sanitizer "$SANITIZER" --debug-assertions)
log "==> building the fuzz targets (${cargo_cmd[*]} fuzz build ${fuzz_flags[*]})"
build_start=$SECONDS
"${cargo_cmd[@]}" fuzz build "${fuzz_flags[@]}"
log "    (build: $((SECONDS - build_start))s)"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <("${cargo_cmd[@]}" fuzz list)
fi

runs=()
if [ -n "${FERRY_FUZZ_RUNS:-}" ]; then
    case "$FERRY_FUZZ_RUNS" in
    *[!0-9]*) die "FERRY_FUZZ_RUNS must be a whole number, got '$FERRY_FUZZ_RUNS'" ;;
    esac
    runs=(-runs="$FERRY_FUZZ_RUNS")
fi

mkdir -p logs
failed=()
for target in "${targets[@]}"; do
    [ -d "seeds/$target" ] || die "no seeds for target '$target' (fuzz/seeds/$target)"
    mkdir -p "corpus/$target" "artifacts/$target"
    dict=()
    case "$target" in
    xml_* | soap_answers) dict=(-dict=dict/xml.dict) ;;
    identifiers) dict=(-dict=dict/identifiers.dict) ;;
    esac
    log "==> $target: ${SECS}s"
    # One libFuzzer process per target (no -jobs/-workers: a single in-process job). The
    # first corpus directory receives new inputs; the seeds are only read.
    if "${cargo_cmd[@]}" fuzz run "${fuzz_flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" "${dict[@]}" "${runs[@]}" >"logs/$target.log" 2>&1; then
        execs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "logs/$target.log" | awk '{print $2}')"
        cov="$(grep -E '^#[0-9]+' "logs/$target.log" | tail -n 1 | grep -o 'cov: [0-9]* ft: [0-9]*' || true)"
        log "    ok: ${execs:-?} executions, ${cov:-no coverage line}"
    else
        log "    CRASH: see fuzz/logs/$target.log and fuzz/artifacts/$target/"
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "logs/$target.log" | head -n 5 >&2 || true
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    die "crashes in: ${failed[*]}"
fi
log "fuzz: every target ran ${SECS}s without a crash"
