#!/usr/bin/env bash
# Builds the libFuzzer harnesses in fuzz/ with clang++ in their own build directory and
# runs each for a bounded time, starting from its committed seeds (fuzz/corpus/NAME,
# read only: what the run finds goes to the build directory). Fails on the first crash,
# leak or sanitizer report; the reproducer is left in the build directory.
#   scripts/fuzz.sh                 # every harness, FUZZ_SECONDS (default 20) each
#   FUZZ_SECONDS=300 scripts/fuzz.sh csv_import
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-${repo}/build-fuzz}"
seconds="${FUZZ_SECONDS:-20}"
fuzzers=("$@")
if ((${#fuzzers[@]} == 0)); then
  fuzzers=(identifiers record_validation csv_import catalog batch_apply)
fi

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is missing; run scripts/install_deps.sh (clang, libclang-rt-14-dev)" >&2
  exit 2
fi

CXX=clang++ cmake -S "${repo}/fuzz" -B "${build_dir}" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "${build_dir}" -j"$(nproc)" >/dev/null

for fuzzer in "${fuzzers[@]}"; do
  binary="${build_dir}/${fuzzer}_fuzzer"
  seeds="${repo}/fuzz/corpus/${fuzzer}"
  found="${build_dir}/corpus/${fuzzer}"
  mkdir -p "${found}" "${build_dir}/crashes/${fuzzer}"
  echo "fuzz.sh: ${fuzzer} for ${seconds}s"
  # -rss_limit_mb: the harnesses bound their own inputs; more than this is a bug too.
  "${binary}" -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="${build_dir}/crashes/${fuzzer}/" \
    "${found}" "${seeds}" 2>"${build_dir}/${fuzzer}.log" || {
    echo "fuzz.sh: ${fuzzer} failed; see ${build_dir}/${fuzzer}.log and ${build_dir}/crashes/${fuzzer}/" >&2
    tail -n 40 "${build_dir}/${fuzzer}.log" >&2
    exit 1
  }
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" "${build_dir}/${fuzzer}.log" |
    sed "s/^/fuzz.sh: ${fuzzer} /"
done
echo "fuzz.sh: ${#fuzzers[@]} fuzzers ran ${seconds}s each without a crash"
