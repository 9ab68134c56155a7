#!/usr/bin/env bash
# Quick start: installs dependencies, builds a release, and runs `musterd --demo` in the foreground
# on its embedded default (demo config, policy and keys in ./demo, broker on tcp://127.0.0.1:7750).
# It prints how to connect with `muster` from another terminal. Ctrl-C stops the broker.
# Usage: ./deploy/quickstart.sh [DEMO_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR="${1:-demo}"

./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j2 --target musterd muster muster-keygen
echo
echo "Built: $(pwd)/build/release/broker/musterd and $(pwd)/build/release/client/muster"
exec ./build/release/broker/musterd --demo "$DEMO_DIR"
