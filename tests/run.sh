#!/usr/bin/env bash
# Installs dependencies, builds with AddressSanitizer + UndefinedBehaviorSanitizer, runs every
# test with ctest, then each libFuzzer target for 15 s (tests/fuzz/run.sh, a separate clang build).
# Usage: ./tests/run.sh   (from anywhere; exits non-zero if anything fails)
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh

echo "== configure (asan preset)"
cmake --preset asan >/dev/null
echo "== build"
cmake --build --preset asan -j2
echo "== test"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --preset asan -j2 --timeout 600 "$@"
echo "== fuzz (short)"
./tests/fuzz/run.sh 15
