#!/usr/bin/env bash
# Installs every Debian 12 package Muster needs to build, test and run. Idempotent: packages already
# present are left alone, so it is cheap to run before every build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build git ca-certificates
  libzmq3-dev cppzmq-dev capnproto libcapnp-dev librocksdb-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libpugixml-dev libcpp-httplib-dev
  libjemalloc-dev
  libxmlsec1-dev libxmlsec1-openssl
  curl jq
  clang libclang-rt-14-dev openssl procps systemd passwd util-linux
  python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
