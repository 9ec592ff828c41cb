#!/usr/bin/env bash
# Builds (scripts/build.sh) and runs every test: unit tests and the integration tests
# that start real nodes. Extra arguments go to ctest, e.g.
#   scripts/test.sh -R Fedctl        # only tests matching a regex
#   scripts/test.sh -LE integration  # skip the integration tests
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-${repo}/build}"

bash "${repo}/scripts/build.sh"
ctest --test-dir "${build_dir}" --output-on-failure -j2 --timeout 600 "$@"
