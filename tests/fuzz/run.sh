#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# each for a bounded time on a scratch copy of its seed corpus.
#
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]
#   SECONDS   how long to fuzz each target (-max_total_time)
#   TARGET    frame, policy, cap_xml, edxl_xml, checkpoint_note (default: all of them)
# Exits 0 if no target found anything, 1 if one crashed, leaked, timed out or ran out of memory,
# 2 on a usage or build error.
#
# Targets (tests/fuzz/<target>_fuzzer.cc):
#   frame            protocol frame decoding, publish envelope checks, CAP writer on alert bodies
#   policy           the TOML policy loader
#   cap_xml          the CAP 1.2 parser, and the ParseCap(WriteCap(x)) == x round trip
#   edxl_xml         the EDXL-RM 1.0 parser, ParseRm(WriteRm(x)) == x, and a request through the
#                    adapter's envelope mapping and back
#   checkpoint_note  signed-note and checkpoint parsing and verification (fixed test keys)
#
# Layout:
#   tests/fuzz/corpus/<target>/   committed seeds; never written by this script. The cap_xml
#                                 samples named after their origin are copies from
#                                 shared/corpus/cap-samples (see its SOURCES.md for licences).
#                                 The edxl_xml seeds are copies of tests/fixtures/edxl.
#   tests/fuzz/<target>.dict      libFuzzer dictionary, used when present
#   tests/fuzz/crashes/<target>/  minimised inputs of crashes found and reported
#   build/fuzz/                   the clang build tree; artifacts/<target>/ gets crash files and
#                                 logs/<target>.log the fuzzer output of the last run
# Regenerate the generated seeds (frames, checkpoint notes, policies) after a format change with
#   cmake --build build/fuzz --target muster_fuzz_make_seeds && build/fuzz/tests/fuzz/muster_fuzz_make_seeds tests/fuzz
# Reproduce a crash:     build/fuzz/tests/fuzz/<target>_fuzzer FILE
# Minimise a crash:      build/fuzz/tests/fuzz/<target>_fuzzer -minimize_crash=1 -runs=100000 FILE
# Fuzz longer by hand:   build/fuzz/tests/fuzz/<target>_fuzzer -dict=tests/fuzz/<target>.dict \
#                          -max_total_time=600 SCRATCH_DIR tests/fuzz/corpus/<target>
set -euo pipefail
cd "$(dirname "$0")/../.."

all_targets=(frame policy cap_xml edxl_xml checkpoint_note)
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
seconds=$1
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  if [ ! -f "tests/fuzz/${t}_fuzzer.cc" ]; then
    echo "run.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  fi
done

./deploy/install-deps.sh

build=build/fuzz
echo "== fuzz: configure and build ($build, clang)"
mkdir -p "$build"
if ! CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DMUSTER_SANITIZE=ON -DMUSTER_FUZZ=ON -DMUSTER_BUILD_TESTS=OFF >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  exit 2
fi
fuzzer_targets=()
for t in "${targets[@]}"; do fuzzer_targets+=("${t}_fuzzer"); done
if ! cmake --build "$build" -j2 --target "${fuzzer_targets[@]}"; then
  exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/muster-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# The sanitizers report and abort; libFuzzer turns that into a crash file.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=0
printf '%-16s %12s %9s  %s\n' target runs runs/s result
for t in "${targets[@]}"; do
  corpus="$scratch/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -R "tests/fuzz/corpus/$t/." "$corpus/"
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  if [ -f "tests/fuzz/$t.dict" ]; then args+=(-dict="tests/fuzz/$t.dict"); fi

  status=0
  "$build/tests/fuzz/${t}_fuzzer" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  runs=${runs:-$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)}
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    failed=1
    result=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    result="FOUND (exit $status) ${result:-no crash file; see $log}"
  fi
  printf '%-16s %12s %9s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "$result"
  if [ "$status" -ne 0 ]; then
    echo "---- $log (last 80 lines)" >&2
    tail -n 80 "$log" >&2
    echo "----" >&2
  fi
done
exit "$failed"
