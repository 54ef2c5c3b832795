#!/usr/bin/env bash
# Resident memory serving the synthetic national directory (issue 19, part 5):
# builds village, seeds the synthetic national directory (village seed
# --synthetic) into a scratch SQLite file and, when a server is found
# (VILLAGE_TEST_POSTGRES, else internal/testdb/findpostgres), a scratch
# PostgreSQL database it drops after; then, on each, starts `village serve`
# with its defaults (the match and search indexes built before /readyz says
# ready, the 4 MiB response cache), runs matches and searches, fills the
# response cache with anonymous listing pages, and prints the process's
# resident memory (VmRSS now, VmHWM its peak, from /proc/PID/status) beside
# the Go heap and the indexes' and cache's own bytes from /metrics.
#
# RESIDENT_DB=FILE reuses (and keeps) a SQLite file seeded before, skipping
# the seeding; RESIDENT_PG=URL likewise reuses (and keeps) a seeded
# PostgreSQL database; RESIDENT_BACKENDS="sqlite" (or "postgres") runs one backend;
# RESIDENT_FLAGS adds `village serve` flags; RESIDENT_PPROF=1 builds with
# -tags pprof and prints the top of the heap profile (inuse_space) too;
# RESIDENT_BIN=FILE serves with that village binary instead of building
# one (to compare two builds on the same databases; with RESIDENT_PPROF=1
# it must have been built with -tags pprof).
# Run by `make bench`; needs curl and jq.
set -euo pipefail
GO=${GO:-go}
for tool in curl jq; do
	command -v $tool >/dev/null 2>&1 || { echo "resident.sh: SKIPPED: $tool is needed" >&2; exit 0; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/village-bench-resident.XXXXXX")
pgdb=""
pgadmin=""
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	if [ -n "$pgdb" ]; then psql "$pgadmin" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
tags=()
if [ "${RESIDENT_PPROF:-}" = 1 ]; then tags=(-tags pprof); fi
if [ -n "${RESIDENT_BIN:-}" ]; then
	cp "$RESIDENT_BIN" "$work/village"
else
	$GO build "${tags[@]}" -o "$work/village" ./cmd/village
fi

backends=${RESIDENT_BACKENDS:-sqlite postgres}
sqlite_db=${RESIDENT_DB:-}
if [[ " $backends " == *" sqlite "* ]] && { [ -z "$sqlite_db" ] || [ ! -s "$sqlite_db" ]; }; then
	sqlite_db=${sqlite_db:-$work/synthetic.db}
	echo "seeding the synthetic national directory into $sqlite_db (SQLite)"
	"$work/village" seed --synthetic --db "$sqlite_db" >/dev/null
fi
targets=()
if [[ " $backends " == *" sqlite "* ]]; then targets+=("sqlite:$sqlite_db"); fi
if [[ " $backends " == *" postgres "* ]] && [ -n "${RESIDENT_PG:-}" ]; then
	targets+=("postgres:$RESIDENT_PG")
elif [[ " $backends " == *" postgres "* ]]; then
	pg=${VILLAGE_TEST_POSTGRES:-}
	if [ -z "$pg" ]; then pg=$($GO run ./internal/testdb/findpostgres 2>/dev/null || true); fi
	if [ -n "$pg" ] && [ "$pg" != off ] && command -v psql >/dev/null 2>&1; then
		pgadmin=$pg
		pgdb="village_resident_$$"
		psql "$pgadmin" -qc "CREATE DATABASE $pgdb" >/dev/null
		# The scratch database on the same server: the admin URL with its path replaced.
		base=${pg%%\?*}; query=""; [ "$pg" != "$base" ] && query="?${pg#*\?}"
		pgurl="${base%/*}/$pgdb$query"
		echo "seeding the synthetic national directory into $pgdb (PostgreSQL)"
		"$work/village" seed --synthetic --db "$pgurl" >/dev/null
		targets+=("postgres:$pgurl")
	else
		echo "PostgreSQL: SKIPPED (no server found; set VILLAGE_TEST_POSTGRES)"
	fi
fi

# A free port: the first of a few candidates nothing listens on.
free_port() {
	local p
	for p in $(seq $((20000 + $$ % 20000)) $((20050 + $$ % 20000))); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	echo "resident.sh: no free port" >&2; return 1
}

# gql QUERY VARIABLES: one anonymous GraphQL request; prints the answer.
gql() {
	jq -cn --arg q "$1" --argjson v "$2" '{query: $q, variables: $v}' |
		curl -sf -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$port/graphql"
}
# metric NAME: a gauge's value from /metrics (0 when absent).
metric() { awk -v n="$1" '$1 == n { v = $2 } END { printf "%d\n", v + 0 }' "$work/metrics"; }
mb() { awk -v b="$1" 'BEGIN { printf "%6.1f MB", b / 1048576 }'; }
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
# cpu_ticks: the process's user and system CPU so far, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"; }

match_query='query($f: FamilyInput!) { match(family: $f, first: 20) { totalCount
  edges { score eligible distanceKm coverage { kind code } reasons { criterion message }
    node { id name status description languages organization { name } program { name } } } } }'
search_query='query($t: String!) { search(text: $t, first: 20) { totalCount edges { node { __typename ... on Service { id name } ... on Program { id name } ... on Organization { id name } } } } }'
list_query='query($after: Cursor) { services(first: 100, after: $after) {
  edges { node { id name description status languages deliveryModes verifiedAt
    organization { id name description } program { id name } serviceAreas(first: 5) { edges { node { kind code name } } } } }
  pageInfo { hasNextPage endCursor } } }'

for target in "${targets[@]}"; do
	backend=${target%%:*}; db=${target#*:}
	port=$(free_port)
	# shellcheck disable=SC2086
	VILLAGE_PPROF_ADDR=${RESIDENT_PPROF:+127.0.0.1:$((port + 1))} \
		"$work/village" serve --db "$db" --addr "127.0.0.1:$port" --rate-limit 0 ${RESIDENT_FLAGS:-} >"$work/serve.log" 2>&1 &
	pid=$!
	start=$(date +%s.%N)
	until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
		if ! kill -0 "$pid" 2>/dev/null; then cat "$work/serve.log" >&2; exit 1; fi
		sleep 0.2
	done
	ready=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	rss_ready=$(status_kb VmRSS)
	cpu_ready=$(cpu_ticks)
	for zip in 10001 60614 90011 02121 30309 59901 73301 98101 33101 80202 85001 97201; do
		for need in home-visiting parenting-support developmental-screening; do
			gql "$match_query" "{\"f\": {\"zip\": \"$zip\", \"childAgeMonths\": 14, \"needs\": [\"$need\"]}}" >/dev/null
		done
		gql "$match_query" "{\"f\": {\"zip\": \"$zip\", \"pregnant\": true}}" >/dev/null
	done
	for text in "home visiting" "parenting" "nurse family" "early head start" "doula" "visitas" "developmental screening" "food"; do
		gql "$search_query" "{\"t\": \"$text\"}" >/dev/null
	done
	# Listing pages until the response cache is full (or the directory ends).
	after=null
	max=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '$1 == "village_response_cache_max_bytes" { printf "%d", $2 }')
	for _ in $(seq 1 400); do
		page=$(gql "$list_query" "{\"after\": $after}")
		[ "$(jq -r .data.services.pageInfo.hasNextPage <<<"$page")" = true ] || break
		after=$(jq .data.services.pageInfo.endCursor <<<"$page")
		cached=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '$1 == "village_response_cache_bytes" { printf "%d", $2 }')
		if [ "${max:-0}" -gt 0 ] && [ "$cached" -ge $((max * 95 / 100)) ]; then break; fi
	done
	cpu_served=$(($(cpu_ticks) - cpu_ready))
	curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics"
	echo "$backend: ready in ${ready} s; resident $(mb $(($(status_kb VmRSS) * 1024))) (peak $(mb $(($(status_kb VmHWM) * 1024))), $(mb $((rss_ready * 1024))) at ready)"
	printf '  CPU serving the requests after ready: %.2f s\n' "$(awk -v t="$cpu_served" -v hz="$(getconf CLK_TCK)" 'BEGIN { print t / hz }')"
	printf '  of it anonymous %s, file-backed (the binary, libraries) %s\n' \
		"$(mb $(($(status_kb RssAnon) * 1024)))" "$(mb $(($(status_kb RssFile) * 1024)))"
	printf '  Go heap in use %s, heap released to the OS %s, Go runtime total %s\n' \
		"$(mb "$(metric go_memstats_heap_inuse_bytes)")" "$(mb "$(metric go_memstats_heap_released_bytes)")" "$(mb "$(metric go_memstats_sys_bytes)")"
	# What the Go runtime holds (all it mapped less what it gave back) is an
	# upper bound of its resident part; the rest of the anonymous memory is
	# outside it (SQLite's own allocator, C-side buffers, thread stacks).
	printf '  anonymous outside the Go runtime at least %s\n' \
		"$(mb $(($(status_kb RssAnon) * 1024 - $(metric go_memstats_sys_bytes) + $(metric go_memstats_heap_released_bytes))))"
	printf '  match index %s (%d services), search index %s, response cache %s (%d answers)\n' \
		"$(mb "$(metric village_match_index_bytes)")" "$(metric village_match_index_records)" \
		"$(mb "$(metric village_search_index_bytes)")" "$(mb "$(metric village_response_cache_bytes)")" "$(metric village_response_cache_entries)"
	limit=$(sed -n 's/.*memory limit set.*bytes=\([0-9]*\).*/\1/p' "$work/serve.log" | tail -1)
	if [ -n "$limit" ]; then printf '  soft memory limit %s (set once the indexes were built)\n' "$(mb "$limit")"; fi
	if [ "${RESIDENT_PPROF:-}" = 1 ]; then
		curl -sf "http://127.0.0.1:$((port + 1))/debug/pprof/heap" >"$work/heap.pb.gz"
		$GO tool pprof -top -sample_index=inuse_space -nodecount=20 "$work/village" "$work/heap.pb.gz" 2>/dev/null | sed 's/^/  /'
	fi
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
