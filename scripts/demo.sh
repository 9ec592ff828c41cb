#!/usr/bin/env bash
# Builds fedsync, starts a local federation and prints its rollups:
#
#   anhui (province) <- hefei (city) <- luyang, yaohai, shushan, baohe (districts)
#
# Every node runs in a temporary directory with its own SQLite file, on 127.0.0.1 with a
# port the kernel picks (nodes print "listening on HOST:PORT" first), and every link is
# mutual TLS: `fedctl certs init` makes a development CA and a certificate for each node
# and for the operator (demo, admin) whose fedctl calls follow; each node is told its
# parent's id (--parent-id) and fedctl the id of the node it calls (--server-id),
# since a certificate names a node, not 127.0.0.1.
# The districts load the synthetic demo registries. Once every link has converged
# (each parent holds its child's newest seq), fedctl prints the province's and the
# city's tables. Every node is stopped and the directory removed on exit, whatever
# happens. BUILD_DIR overrides the build directory (default: build/).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-${repo}/build}"
readonly districts=(luyang yaohai shushan baohe)
readonly converge_seconds=60
readonly listen_seconds=20
readonly stop_seconds=10

bash "${repo}/scripts/build.sh"

city_node="${build_dir}/city_node/city_node"
district_node="${build_dir}/district_node/district_node"
fedctl="${build_dir}/tools/fedctl"
for binary in "${city_node}" "${district_node}" "${fedctl}"; do
  [[ -x "${binary}" ]] || { echo "demo: ${binary} was not built" >&2; exit 1; }
done

work="$(mktemp -d -t fedsync-demo.XXXXXX)"
pki="${work}/pki"
pids=()
names=()

stop_nodes() {
  local pid deadline alive
  for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
  deadline=$((SECONDS + stop_seconds))
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "${pids[@]}"; do
      if kill -0 "${pid}" 2>/dev/null; then alive=1; fi
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if kill -0 "${pid}" 2>/dev/null; then
      echo "demo: node pid ${pid} ignored SIGTERM for ${stop_seconds}s; killing it" >&2
      kill -KILL "${pid}" 2>/dev/null || true
    fi
    wait "${pid}" 2>/dev/null || true
  done
}

cleanup() {
  local status=$?
  set +e
  stop_nodes
  rm -rf "${work}"
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

print_logs() {
  local name
  for name in "${names[@]}"; do
    echo "----- ${name} (stderr, last 40 lines) -----" >&2
    tail -n 40 "${work}/${name}.log" >&2 || true
  done
}

fail() {
  echo "demo: $*" >&2
  print_logs
  exit 1
}

# start_node NAME BINARY ARGS...: starts a node with stdout and stderr in files, waits
# for its "listening on HOST:PORT" line and sets $address to HOST:PORT.
start_node() {
  local name="$1" binary="$2"
  shift 2
  "${binary}" "$@" >"${work}/${name}.out" 2>"${work}/${name}.log" &
  local pid=$!
  pids+=("${pid}")
  names+=("${name}")
  local deadline=$((SECONDS + listen_seconds)) line=""
  while ((SECONDS < deadline)); do
    # read succeeds only for a complete line, so a half-written port is never taken.
    if [[ -s "${work}/${name}.out" ]] && IFS= read -r line <"${work}/${name}.out" &&
      [[ "${line}" == "listening on "* ]]; then
      address="${line#listening on }"
      echo "demo: ${name} listening on ${address}"
      return 0
    fi
    kill -0 "${pid}" 2>/dev/null || fail "${name} exited before it was listening"
    sleep 0.1
  done
  fail "${name} did not print 'listening on HOST:PORT' within ${listen_seconds}s"
}

# ctl NODE_ID ADDRESS ARGS...: fedctl as operator demo, over mTLS, to the node NODE_ID.
ctl() {
  local id="$1" target="$2"
  shift 2
  "${fedctl}" --tls-dir="${pki}/demo" --server-id="${id}" --target="${target}" "$@"
}

status_json() {
  ctl "$1" "$2" --timeout=2 status --format=json 2>/dev/null || true
}

# True when the parent holds the child's newest seq: the child is connected and the
# parent's watermark equals the child's max seq as the child itself reports it now.
# Protobuf's JSON prints uint64 as strings and omits zero and false fields.
link_converged() {
  local parent_json="$1" child="$2" child_json="$3"
  jq -e --arg child "${child}" --argjson self "${child_json:-null}" '
    [(.children // [])[] | select(.node_id == $child)] | .[0] as $link
    | $link != null and $self != null
      and ($link.connected // false)
      and (($link.watermark // "0") | tonumber) > 0
      and ($link.watermark // "0") == ($link.child_max_seq // "0")
      and ($link.watermark // "0") == ($self.max_seq // "0")' \
    <<<"${parent_json:-null}" >/dev/null 2>&1
}

converged() {
  local province_json city_json district
  province_json="$(status_json anhui "${province}")"
  city_json="$(status_json hefei "${city}")"
  link_converged "${province_json}" hefei "${city_json}" || return 1
  for district in "${districts[@]}"; do
    link_converged "${city_json}" "${district}" \
      "$(status_json "${district}" "${district_address[${district}]}")" ||
      return 1
  done
}

echo "demo: making certificates in ${pki}"
node_flags=()
for node in anhui hefei "${districts[@]}"; do node_flags+=("--node=${node}"); done
"${fedctl}" certs init --out="${pki}" "${node_flags[@]}" --operator=demo:admin >/dev/null

echo "demo: starting the federation in ${work}"
# Each aggregating node lists its children: every node's certificate comes from the one
# CA, so without the list a district could also stream to the province directly and be
# counted there twice.
district_list="$(IFS=,; echo "${districts[*]}")"
start_node anhui "${city_node}" --id=anhui --level=province --db="${work}/anhui.db" \
  --listen=127.0.0.1:0 --tls-dir="${pki}/anhui" --children=hefei
province="${address}"
start_node hefei "${city_node}" --id=hefei --level=city --db="${work}/hefei.db" \
  --listen=127.0.0.1:0 --parent="${province}" --parent-id=anhui --tls-dir="${pki}/hefei" \
  --children="${district_list}"
city="${address}"
declare -A district_address
for district in "${districts[@]}"; do
  start_node "${district}" "${district_node}" --id="${district}" --db="${work}/${district}.db" \
    --listen=127.0.0.1:0 --parent="${city}" --parent-id=hefei --demo-data="${district}" \
    --tls-dir="${pki}/${district}" --registry-operators=demo
  district_address[${district}]="${address}"
done

echo "demo: waiting for every link to converge (at most ${converge_seconds}s)"
deadline=$((SECONDS + converge_seconds))
until converged; do
  ((SECONDS < deadline)) || {
    echo "demo: province status: $(status_json anhui "${province}")" >&2
    echo "demo: city status: $(status_json hefei "${city}")" >&2
    fail "the federation did not converge within ${converge_seconds}s"
  }
  sleep 0.2
done
echo "demo: converged"
echo

# The registries' dates are Beijing time; the current year is the one to show.
year="$(TZ=UTC-8 date +%Y)"
rollup() {
  local title="$1" id="$2" target="$3"
  shift 3
  echo "== ${title}"
  ctl "${id}" "${target}" rollup --format=table "$@"
  echo
}
rollup "province anhui: returned overseas students at the end of each year (anhui and hefei)" \
  anhui "${province}" --metric=returned_students_total
rollup "province anhui: returned overseas students by region of study, ${year}" \
  anhui "${province}" --metric=returned_students_by_region --period="${year}"
rollup "province anhui: returned overseas students by degree, ${year}" \
  anhui "${province}" --metric=returned_students_by_degree --period="${year}"
rollup "province anhui: certifications issued per month by type (anhui and hefei)" \
  anhui "${province}" --metric=certifications_by_type
rollup "city hefei: returned overseas students, ${year} (hefei and each district)" \
  hefei "${city}" --metric=returned_students_total --period="${year}"
rollup "city hefei: returned overseas students by degree, ${year} (x = suppressed, fewer than 3)" \
  hefei "${city}" --metric=returned_students_by_degree --period="${year}"
for metric in enterprises_total community_figures_total hardship_cases_total \
  certifications_issued_by_year; do
  rollup "city hefei: ${metric}, ${year} (hefei and each district)" \
    hefei "${city}" --metric="${metric}" --period="${year}"
done
rollup "district luyang: its own published cells, ${year}" \
  luyang "${district_address[luyang]}" --metric=returned_students_by_region --period="${year}"
echo "== city hefei sets luyang a target, and both ends show the same progress"
ctl hefei "${city}" targets set --child=luyang \
  --metric=certifications_issued_by_year --period="${year}" --value=25
deadline=$((SECONDS + converge_seconds))
until ctl luyang "${district_address[luyang]}" targets list | grep -q certifications; do
  ((SECONDS < deadline)) || fail "the target did not reach luyang"
  sleep 0.2
done
echo "-- at hefei:"
ctl hefei "${city}" targets list
echo "-- at luyang:"
ctl luyang "${district_address[luyang]}" targets list
echo
echo "== city hefei: status"
ctl hefei "${city}" status
echo
echo "demo: done; stopping the nodes"
