#!/usr/bin/env bash
# Builds in Release and runs the benchmarks in bench/, then prints one table:
#   figure, fedsync, baseline, ratio, goal, met
# Every figure is measured beside the raw limit of the same stack in the same run
# (where there is one). A benchmark fails only when what it measures is wrong (a count
# that does not match), never on a timing; this script then exits 1.
#   scripts/bench.sh [--format=table|json]
# JSON: an array of {"figure", "fedsync", "baseline", "ratio", "goal", "met"}, baseline
# and ratio null where there is none; met is true when the goal is met or there is none.
set -euo pipefail

format=table
for arg in "$@"; do
  case "${arg}" in
    --format=table | --format=json) format="${arg#--format=}" ;;
    -h | --help)
      sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench.sh: unknown argument '${arg}' (see scripts/bench.sh --help)" >&2
      exit 2
      ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-${repo}/build}"
bash "${repo}/scripts/build.sh" >&2
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

failed=0
# run NAME ARGS...: one benchmark, bounded in time; its FIGURE lines are collected.
run() {
  local name="$1"
  shift
  echo "bench.sh: ${name} $*" >&2
  if ! timeout 150 "${build_dir}/bench/${name}" "$@" >"${work}/${name}.out" 2>"${work}/${name}.err"; then
    echo "bench.sh: ${name} failed:" >&2
    tail -n 20 "${work}/${name}.err" >&2
    failed=1
  fi
  grep '^FIGURE' "${work}/${name}.out" >>"${work}/figures.tsv" || true
}

run import_bench --records=1000000
run write_bench
run sync_bench
run load_bench --children=10000 --cells=1
run national_sim_bench
run wire_bench
run privacy_bench

# FIGURE <name> <fedsync> <baseline or -> <unit> <goal> <true|false|->
if [[ "${format}" == json ]]; then
  awk -F'\t' 'BEGIN { printf "[" }
    {
      baseline = ($4 == "-") ? "null" : $4
      ratio = ($4 == "-" || $4 + 0 == 0) ? "null" : sprintf("%.4f", $3 / $4)
      met = ($7 == "false") ? "false" : "true"
      gsub(/"/, "\\\"", $2); gsub(/"/, "\\\"", $6)
      printf "%s\n  {\"figure\": \"%s\", \"fedsync\": %s, \"baseline\": %s, \"ratio\": %s, \"goal\": \"%s\", \"met\": %s}",
             (NR > 1 ? "," : ""), $2, $3, baseline, ratio, $6, met
    }
    END { print "\n]" }' "${work}/figures.tsv"
else
  awk -F'\t' 'BEGIN {
      printf "%-56s %12s %12s %8s  %-10s %s\n", "figure", "fedsync", "baseline", "ratio", "goal", "met"
    }
    {
      baseline = ($4 == "-") ? "-" : sprintf("%.2f", $4)
      ratio = ($4 == "-" || $4 + 0 == 0) ? "-" : sprintf("%.1f%%", 100 * $3 / $4)
      met = ($7 == "false") ? "no" : ($7 == "true" ? "yes" : "-")
      printf "%-56s %12.2f %12s %8s  %-10s %s\n", $2, $3, baseline, ratio, $6, met
    }' "${work}/figures.tsv"
  echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
fi
exit "${failed}"
