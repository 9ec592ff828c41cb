#!/usr/bin/env bash
# Installs the Debian 12 packages fedsync builds, tests and demos with. Installs only
# what is missing (apt-get update runs only then), so it is cheap to run every time.
# Run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  # find_package(gRPC CONFIG) fails on Debian unless protobuf-compiler-grpc and
  # pkg-config are installed alongside libgrpc++-dev.
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlite3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # scripts/demo.sh reads `fedctl status --format=json` with jq.
  jq
  # The nodes' HTTP listener (/metrics, dashboard): GNU libmicrohttpd.
  libmicrohttpd-dev
  # The privacy filter: exact rationals (GMP) and the suppression audit's LPs (GLPK).
  libgmp-dev libglpk-dev
  # scripts/fuzz.sh: libFuzzer harnesses built with clang (its runtime is in libclang-rt).
  clang libclang-rt-14-dev
  # tests/integration/dashboard_test.cc drives the dashboard in headless Chromium; the
  # CJK font draws its Chinese labels in the screenshot.
  chromium fonts-noto-cjk
)

missing=()
for package in "${packages[@]}"; do
  # dpkg -s also succeeds for a removed package whose config files remain, so check
  # that its status is "installed". (Captured, not piped to grep -q: under pipefail an
  # early-exiting grep could fail the pipeline.)
  status="$(dpkg -s "${package}" 2>/dev/null || true)"
  if [[ "${status}" != *"Status: install ok installed"* ]]; then
    missing+=("${package}")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if ((EUID != 0)); then
  echo "install_deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
