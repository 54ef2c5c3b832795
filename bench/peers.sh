#!/usr/bin/env bash
# make bench-peers (issue 19): Village beside PostGraphile 5 and a
# hand-written floor (bench/floor) on one PostgreSQL database of the
# synthetic national directory, measured by bench/peers (see its doc
# comment for what it sends, checks and prints).
#
#   make bench-peers                         # 5 rounds of 3 s, 1 and 16 connections
#   make bench-peers BENCH_ROUND=10s BENCH_ROUNDS=7  # longer, steadier
#   make bench-peers BENCH_CONNS=1,4,16
#
# Environment:
#   VILLAGE_TEST_POSTGRES  admin URL of the PostgreSQL server (else
#                          internal/testdb/findpostgres, else
#                          postgres://postgres@127.0.0.1:5432/postgres)
#   BENCH_DB               database to serve, default village_bench: created
#                          and seeded (village seed --synthetic) when it holds
#                          no synthetic directory, kept afterwards for the next
#                          run; BENCH_FRESH=1 drops and seeds it again. No other
#                          database is touched.
#   BENCH_CACHE            where PostGraphile's npm packages are installed
#                          (npm ci from bench/postgraphile/package-lock.json),
#                          default bench/.cache (git-ignored)
#   ROUND, ROUNDS, CONNS   length of each server's turn, rounds, connections
#   BENCH_PORT             first of the three ports (Village; PostGraphile the
#                          next, the floor the one after), default 18080
# Village runs with --rate-limit 0 and --response-cache-bytes 0: no
# response cache in any figure.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
ROUND=${ROUND:-3s}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-1,16}
BENCH_DB=${BENCH_DB:-village_bench}
BENCH_CACHE=${BENCH_CACHE:-$PWD/bench/.cache}
port=${BENCH_PORT:-18080}
vport=$port pport=$((port + 1)) fport=$((port + 2))

for tool in node npm psql; do
	command -v $tool >/dev/null 2>&1 || { echo "bench-peers: $tool is needed (apt-get install nodejs npm postgresql-client)" >&2; exit 1; }
done
case $BENCH_DB in *[!a-z0-9_]*|"") echo "bench-peers: BENCH_DB must be a plain name" >&2; exit 1;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/village-bench-peers.XXXXXX")
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM

admin=${VILLAGE_TEST_POSTGRES:-}
if [ -z "$admin" ] || [ "$admin" = off ]; then admin=$($GO run ./internal/testdb/findpostgres 2>/dev/null || true); fi
admin=${admin:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
base=${admin%%\?*}; query=""; [ "$admin" != "$base" ] && query="?${admin#*\?}"
dsn="${base%/*}/$BENCH_DB$query"

echo "== building"
$GO build -o "$work/village" ./cmd/village
$GO build -o "$work/floor" ./bench/floor
$GO build -o "$work/peers" ./bench/peers

echo "== database $BENCH_DB"
if [ "${BENCH_FRESH:-}" = 1 ]; then psql "$admin" -qc "DROP DATABASE IF EXISTS $BENCH_DB" >/dev/null; fi
if [ -z "$(psql "$admin" -Atc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")" ]; then
	psql "$admin" -qc "CREATE DATABASE $BENCH_DB" >/dev/null
fi
synthetic=$(psql "$dsn" -Atc "SELECT count(*) FROM services WHERE external_source = 'village-synthetic'" 2>/dev/null || echo 0)
if [ "$synthetic" = 0 ]; then
	echo "seeding the synthetic national directory (a minute or two)"
	"$work/village" seed --synthetic --db "$dsn"
else
	echo "reusing it: $synthetic synthetic services (BENCH_FRESH=1 seeds it again)"
fi

echo "== PostGraphile (npm ci into $BENCH_CACHE/postgraphile)"
pgdir=$BENCH_CACHE/postgraphile
mkdir -p "$pgdir"
if ! cmp -s bench/postgraphile/package-lock.json "$pgdir/package-lock.json" || [ ! -d "$pgdir/node_modules/postgraphile" ]; then
	cp bench/postgraphile/package.json bench/postgraphile/package-lock.json "$pgdir/"
	(cd "$pgdir" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp bench/postgraphile/serve.mjs "$pgdir/"

# wait_for NAME URL PATTERN [POST-BODY]: until URL answers with PATTERN (5 min at most).
wait_for() {
	local name=$1 url=$2 pattern=$3 body=${4:-} i
	for i in $(seq 600); do
		if [ -n "$body" ]; then out=$(curl -s -m 5 -H 'Content-Type: application/json' -d "$body" "$url" 2>/dev/null || true)
		else out=$(curl -s -m 5 "$url" 2>/dev/null || true); fi
		case $out in *"$pattern"*) return 0;; esac
		for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "bench-peers: $name exited; its log:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }; done
		sleep 0.5
	done
	echo "bench-peers: $name did not get ready; its log:" >&2; tail -20 "$work/$name.log" >&2; exit 1
}

echo "== starting the servers"
for p in $vport $pport $fport; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "bench-peers: something already listens on 127.0.0.1:$p (BENCH_PORT=… picks other ports)" >&2; exit 1
	fi
done
# Village first: it migrates the database before PostGraphile reads its tables.
"$work/village" serve --db "$dsn" --addr "127.0.0.1:$vport" --rate-limit 0 --response-cache-bytes 0 >"$work/village.log" 2>&1 &
pids+=($!)
wait_for village "http://127.0.0.1:$vport/readyz" ready
"$work/floor" -db "$dsn" -addr "127.0.0.1:$fport" >"$work/floor.log" 2>&1 &
pids+=($!)
wait_for floor "http://127.0.0.1:$fport/readyz" ready
(cd "$pgdir" && exec env NODE_ENV=production GRAPHILE_ENV=production DATABASE_URL="$dsn" HOST=127.0.0.1 PORT=$pport node serve.mjs) >"$work/postgraphile.log" 2>&1 &
pids+=($!)
wait_for postgraphile "http://127.0.0.1:$pport/graphql" '"__typename"' '{"query":"{ __typename }"}'

echo "== machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); village $(git describe --tags --always --dirty 2>/dev/null || echo ?)"
echo "cpu: $(nproc) × $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo ?)"
echo "$($GO version | cut -d' ' -f3), node $(node --version), $(psql "$dsn" -Atc 'SHOW server_version' | cut -d' ' -f1) PostgreSQL, postgraphile $(node -p "require('$pgdir/node_modules/postgraphile/package.json').version")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== measuring: rounds of $ROUND × $ROUNDS, connections $CONNS"
status=0
"$work/peers" -db "$dsn" -village "http://127.0.0.1:$vport" -postgraphile "http://127.0.0.1:$pport" \
	-floor "http://127.0.0.1:$fport" -round "$ROUND" -rounds "$ROUNDS" -conns "$CONNS" \
	-pids "village=${pids[0]},floor=${pids[1]},postgraphile=${pids[2]}" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
