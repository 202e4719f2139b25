#!/usr/bin/env bash
# gobench.sh runs the project's Go benchmarks COUNT times and summarises them with benchstat.
# Usage: bench/gobench.sh [COUNT] [BENCH-REGEXP]   (defaults: 6, the fewest for which benchstat gives a confidence interval; .)
# The raw output goes to bench/results/gobench-<date>.txt, the summary beside it (.stat).
set -euo pipefail

count=${1:-6}
pattern=${2:-.}
root=$(cd "$(dirname "$0")/.." && pwd)
results=$root/bench/results
mkdir -p "$results"
stamp=$(date +%Y%m%d-%H%M%S)
raw=$results/gobench-$stamp.txt

if ! command -v go >/dev/null; then
	echo "gobench: go not found; install Go 1.26 (https://go.dev/dl/) and put it on PATH" >&2
	exit 1
fi

cd "$root"
echo "gobench: go test -bench '$pattern' -count $count ./... > $raw (several minutes on 2 cores)"
# -p 1: one package at a time, so packages do not compete for the two cores.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
go test -p 1 -run '^$' -bench "$pattern" -benchmem -count "$count" ./... | tee "$raw"
# Other work on the machine shows in the load average: a figure under load is a lower bound.
echo "load average (1/5/15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" | tee "${raw%.txt}.load"

# benchstat is fetched through the module proxy on first use; without it the raw file stands.
if command -v benchstat >/dev/null; then
	benchstat=(benchstat)
else
	benchstat=(go run golang.org/x/perf/cmd/benchstat@latest)
fi
if "${benchstat[@]}" "$raw" >"${raw%.txt}.stat" 2>"$results/benchstat.err"; then
	cat "${raw%.txt}.stat"
	echo "gobench: summary in ${raw%.txt}.stat"
else
	echo "gobench: benchstat unavailable ($(head -1 "$results/benchstat.err")); raw figures in $raw" >&2
fi
