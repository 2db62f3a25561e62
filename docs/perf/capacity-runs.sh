#!/usr/bin/env bash
# capacity-runs.sh runs the ctibench set docs/capacity.md's cost terms come from, one run after
# the other, and prints one markdown row per run. Needs jq.
#
#   go build -o /tmp/ctibench ./cmd/ctibench
#   docs/perf/capacity-runs.sh /tmp/ctibench /tmp/cap [run ...]
#
# With no run names it runs them all (about 12 minutes). Each run's JSON report is left in the
# output directory as <run>.json. Runs take the lock /tmp/bench.lock, so that two measurements
# never share the machine.
set -euo pipefail

bench=${1:?usage: capacity-runs.sh CTIBENCH OUTDIR [run ...]}
out=${2:?usage: capacity-runs.sh CTIBENCH OUTDIR [run ...]}
shift 2
mkdir -p "$out"

declare -A flags=(
	[c1]="-clients 1000 -devices 1000 -rate 250 -ring 300ms -talk 700ms -duration 15s"
	[c2]="-clients 1000 -devices 1000 -rate 125 -ring 300ms -talk 700ms -duration 15s"
	[c3]="-clients 100 -devices 1000 -rate 250 -ring 300ms -talk 700ms -duration 15s"
	[c4]="-clients 10 -devices 5000 -rate 3000 -ring 100ms -talk 150ms -duration 15s -send-queue 200000"
	[s1]="-clients 10 -devices 5000 -rate 6000 -ring 100ms -talk 150ms -duration 15s -send-queue 200000 -log-len 2000000"
	[c5]="-store redis -clients 1000 -devices 1000 -rate 250 -ring 300ms -talk 700ms -duration 15s"
	[c6]="-store redis -clients 10 -devices 5000 -rate 1500 -ring 100ms -talk 150ms -duration 15s -send-queue 200000"
	[v1]="-clients 300 -devices 3000 -rate 400 -ring 500ms -talk 1s -duration 15s"
	[v2]="-clients 3000 -devices 3000 -rate 100 -ring 300ms -talk 700ms -duration 15s"
	[v3b]="-store redis -clients 300 -devices 3000 -rate 300 -ring 500ms -talk 1s -duration 15s"
	[k2]="-clients 200 -devices 5000 -rate 20 -ring 300ms -talk 700ms -duration 15s"
	[m3]="-store redis -instances 3 -clients 300 -devices 3000 -rate 300 -ring 500ms -talk 1s -duration 15s"
)
order=(c1 c2 c3 c4 s1 c5 c6 v1 v2 v3b k2 m3)
[ $# -gt 0 ] && order=("$@")

echo "| run | flags | load avg start-end | CSTA ev/s in | client ev/s out | bridge cores | bridge us / CSTA ev | Redis cores | Redis us / CSTA ev | heap MiB (all instances, with clients) | ctibench KiB / client, / device | lost / dup, clients checked, reconnects, lines differ |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for run in "${order[@]}"; do
	f=${flags[$run]:?unknown run $run}
	# shellcheck disable=SC2086 # the flags are words
	flock /tmp/bench.lock "$bench" -quiet $f -json "$out/$run.json" >"$out/$run.md" 2>&1 || true
	jq -r --arg run "$run" --arg flags "$f" '
		def r1: . * 10 | round / 10;
		def r3: . * 1000 | round / 1000;
		[ $run, "`" + $flags + "`",
		  "\(.config.load_avg_start)-\(.config.load_avg_end)",
		  (.throughput.csta_events_per_s | round), (.throughput.client_events_per_s | round),
		  (.cpu.bridge_cores | r3), (.cpu.bridge_us_per_csta_event | r1),
		  (.cpu.redis_cores | r3), (.cpu.redis_us_per_csta_event | r1),
		  ([.memory.instances[].heap_with_clients] | add / 1048576 | r1),
		  "\(.memory.per_client_bytes / 1024 | r1), \(.memory.per_device_bytes / 1024 | r1)",
		  "\(.verification.lost) / \(.verification.duplicated), \(.verification.clients_checked), \(.verification.client_reconnects), \(.verification.truth.differ)"
		] | "| " + (map(tostring) | join(" | ")) + " |"' "$out/$run.json" 2>/dev/null ||
		echo "| $run | \`$f\` | failed: see $out/$run.md |"
done
