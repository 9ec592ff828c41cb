#!/usr/bin/env bash
# Installs what is missing, then configures and builds everything (nodes, fedctl,
# tests, benchmarks) in Release mode. BUILD_DIR overrides the build directory
# (default: build/ in the repository).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-${repo}/build}"

bash "${repo}/scripts/install_deps.sh"
cmake -S "${repo}" -B "${build_dir}" -DCMAKE_BUILD_TYPE=Release
cmake --build "${build_dir}" -j2
