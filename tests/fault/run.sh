#!/usr/bin/env bash
# The fault suite with the full counts of issue 7: 20 SIGKILLs under load, disk full, 20,000
# messages past a never-acking and a vanished recipient, clock jumps. Builds fault_test (in the
# asan build, or MUSTER_BUILD_DIR) and runs every scenario against a real musterd, printing their
# figures; exits non-zero if any fails. ./tests/run.sh runs the same scenarios with quick counts.
# Usage: tests/fault/run.sh [GTEST_FILTER]     e.g. tests/fault/run.sh 'KillStorm*'
# The disk-full scenario mounts a tmpfs: run as root, or it is skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD="${MUSTER_BUILD_DIR:-build/asan}"
if [ ! -f "$BUILD/build.ninja" ]; then
  if [ "$BUILD" != build/asan ]; then
    echo "error: $BUILD is not a configured build directory (configure it, or leave MUSTER_BUILD_DIR unset)" >&2
    exit 2
  fi
  cmake --preset asan >/dev/null
fi
echo "== build fault_test in $BUILD"
cmake --build "$BUILD" -j2 --target fault_test

echo "== fault suite, full counts ($(date -u '+%Y-%m-%d %H:%M UTC'))"
export MUSTER_FAULT_FULL=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$BUILD/tests/fault_test" --gtest_filter="${1:-*}"
