#!/usr/bin/env bash
# HSDS import and export at scale (issue 14, part 7): builds village, seeds
# the synthetic national directory (village seed --synthetic) into a scratch
# SQLite file, exports it as CSV and as JSON, then imports each package into
# an empty database and imports it again (a re-import that changes nothing),
# on SQLite and, when a server is found (VILLAGE_TEST_POSTGRES, else
# internal/testdb/findpostgres), on PostgreSQL in a scratch database it drops
# after. Prints one line per step: wall seconds, source rows per second (rows
# read, from the import's report) and the process's peak resident memory
# (GNU time's "Maximum resident set size"). Run by `make bench`.
set -euo pipefail
GO=${GO:-go}
work=$(mktemp -d "${TMPDIR:-/tmp}/village-bench-hsds.XXXXXX")
pgdb=""
pgadmin=""
cleanup() {
	if [ -n "$pgdb" ]; then psql "$pgadmin" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
$GO build -o "$work/village" ./cmd/village
have_time=false
if /usr/bin/time -f %M true >/dev/null 2>&1; then have_time=true; fi

# run LABEL ROWS CMD...: runs CMD, prints LABEL, wall time, rows/s (ROWS
# "report": the rows the import's report says it read) and peak RSS.
run() {
	local label=$1 rows=$2; shift 2
	local start end
	start=$(date +%s.%N)
	if $have_time; then
		/usr/bin/time -f %M -o "$work/rss" "$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; return 1; }
	else
		"$@" >"$work/out" 2>&1 || { cat "$work/out" >&2; return 1; }
		echo "?" >"$work/rss"
	fi
	end=$(date +%s.%N)
	if [ "$rows" = report ]; then rows=$(rows_read); fi
	awk -v l="$label" -v s="$start" -v e="$end" -v r="$rows" -v m="$(tail -1 "$work/rss")" 'BEGIN {
		w = e - s; line = sprintf("%-34s %7.1f s", l, w)
		if (r > 0) line = line sprintf("  %8.0f rows/s", r / w)
		if (m != "?") line = line sprintf("  peak %5.0f MB", m / 1024); print line }'
}
# rows_read: source rows the last import's report says it read.
rows_read() { awk '/ read, [0-9]+ imported/ { for (i = 1; i < NF; i++) if ($(i+1) == "read,") { n += $i } } END { print n + 0 }' "$work/out"; }

"$work/village" seed --synthetic --db "$work/synthetic.db" >/dev/null
for format in csv json; do
	run "export $format (SQLite)" 0 "$work/village" export --format $format --db "$work/synthetic.db" "$work/pkg-$format"
done

targets=("sqlite:$work/import.db")
pg=${VILLAGE_TEST_POSTGRES:-}
if [ -z "$pg" ]; then pg=$($GO run ./internal/testdb/findpostgres 2>/dev/null || true); fi
if [ -n "$pg" ] && [ "$pg" != off ] && command -v psql >/dev/null 2>&1; then
	pgadmin=$pg
	pgdb="village_bench_$$"
	psql "$pgadmin" -qc "CREATE DATABASE $pgdb" >/dev/null
	# The scratch database on the same server: the admin URL with its path replaced.
	base=${pg%%\?*}; query=""; [ "$pg" != "$base" ] && query="?${pg#*\?}"
	targets+=("postgres:${base%/*}/$pgdb$query")
else
	echo "PostgreSQL: SKIPPED (no server found; set VILLAGE_TEST_POSTGRES)"
fi
for target in "${targets[@]}"; do
	backend=${target%%:*}; db=${target#*:}
	for format in csv json; do
		if [ "$backend" = sqlite ]; then rm -f "$db"; else
			psql "$pgadmin" -qc "DROP DATABASE IF EXISTS $pgdb" -c "CREATE DATABASE $pgdb" >/dev/null; fi
		run "import $format, first ($backend)" report "$work/village" import --db "$db" "$work/pkg-$format"
		run "import $format, unchanged ($backend)" report "$work/village" import --db "$db" "$work/pkg-$format"
	done
done
