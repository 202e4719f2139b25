#!/usr/bin/env bash
# scale.sh measures what issue 13 asks of stores of 1,000 and 10,000 daily reports in five
# languages (items of 5-20 KB HTML from bench/genfeeds, placed with `iswfeed import`): RSS after
# start-up and after every document was requested once, start-up to the first 200 on /feed.atom,
# the cost of a change (bench/scaletime), `export -dir` time and peak RSS, the store's size per
# report, and /feed.atom with gzip under wrk. It prints one table, a column per store.
#
# Usage: bench/scale.sh          (env: SIZES="1000 10000" DURATION=10s CONNS=64 PORT=18090
#                                 SKIP_EXPORT=1 SKIP_CRAWL=1 KEEP=1 keeps the work dir)
# Everything listens on 127.0.0.1; the sources point at a closed loopback port, so nothing is
# fetched. Raw output and the table go to bench/results/scale-<date>/.
set -euo pipefail

sizes=${SIZES:-1000 10000}
duration=${DURATION:-10s}
conns=${CONNS:-64}
port=${PORT:-18090}

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/results/scale-$(date +%Y%m%d-%H%M%S)

missing=()
command -v go >/dev/null || missing+=("go: install Go 1.26 (https://go.dev/dl/) and put it on PATH")
command -v wrk >/dev/null || missing+=("wrk: apt-get update && apt-get install -y wrk")
command -v curl >/dev/null || missing+=("curl: apt-get update && apt-get install -y curl")
[[ -x /usr/bin/time ]] || missing+=("GNU time: apt-get update && apt-get install -y time")
if ((${#missing[@]})); then
	printf 'scale.sh: missing %s\n' "${missing[@]}" >&2
	exit 1
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "scale.sh: 127.0.0.1:$port is in use; set PORT" >&2
	exit 1
fi

work=$(mktemp -d /tmp/iswfeed-scale.XXXXXX)
isw_pid=
cleanup() {
	set +e
	[[ -n $isw_pid ]] && kill "$isw_pid" 2>/dev/null && wait "$isw_pid" 2>/dev/null
	if [[ ${KEEP:-} == 1 ]]; then echo "scale.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$out"

step() { printf '== %s\n' "$*" >&2; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_mib() { awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$1/status"; }

step "build iswfeed, genfeeds and scaletime"
(cd "$root" && go build -o "$work/iswfeed" ./cmd/iswfeed && go build -o "$work/genfeeds" ./bench/genfeeds &&
	go build -o "$work/scaletime" ./bench/scaletime)

sources=(isw:isw.xml:en:original spartanat:spartanat.xml:de:translation ukrainian:ukrainian.atom:uk:translation
	russian:russian.xml:ru:translation french:french.atom:fr:translation)

# config DIR: the config of the store in DIR, its sources on a closed port.
config() {
	cat <<EOF
listen: 127.0.0.1:$port
database: $1/bench.db
base_url: http://127.0.0.1:$port/
title: ISW daily reports, merged (scale benchmark)
feed_size: 50
sources:
EOF
	for s in "${sources[@]}"; do
		IFS=: read -r name file lang role <<<"$s"
		echo "  - {name: $name, url: \"http://127.0.0.1:1/$file\", lang: $lang, role: $role}"
	done
}

declare -A fig
measure() { # N: build a store of N reports and fill fig[N-*]
	local n=$1 dir=$work/$1
	mkdir -p "$dir"
	config "$dir" >"$dir/iswfeed.yaml"
	local isw=("$work/iswfeed")
	step "$n reports: generate 5 feeds, import"
	"$work/genfeeds" -dir "$dir/feeds" -reports "$n" -minsize 5000 -size 20000 -urls "$dir/urls.txt"
	local t0
	t0=$(now_ms)
	for s in "${sources[@]}"; do
		IFS=: read -r name file _ _ <<<"$s"
		"${isw[@]}" import -config "$dir/iswfeed.yaml" -source "$name" "$dir/feeds/${file%.*}"*".${file##*.}" | tail -1 >>"$out/import-$n.txt"
	done
	fig[$n-import]="$(($(now_ms) - t0)) ms"
	rm -rf "$dir/feeds"
	local bytes
	bytes=$(stat -c %s "$dir/bench.db")
	fig[$n-size]="$((bytes / n / 1024)) KiB ($((bytes / 1024 / 1024)) MiB)"

	step "$n reports: start-up, RSS, wrk"
	t0=$(now_ms)
	"${isw[@]}" serve -config "$dir/iswfeed.yaml" >"$out/serve-$n.log" 2>&1 &
	isw_pid=$!
	until curl -fso /dev/null "http://127.0.0.1:$port/feed.atom"; do
		kill -0 "$isw_pid" 2>/dev/null || { echo "scale.sh: the daemon died; see $out/serve-$n.log" >&2; exit 1; }
		sleep 0.01
	done
	fig[$n-startup]="$(($(now_ms) - t0)) ms"
	sleep 2
	fig[$n-rss-start]="$(rss_mib "$isw_pid") MiB"
	wrk -t2 -c"$conns" -d"$duration" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/feed.atom" >"$out/wrk-$n.txt"
	fig[$n-wrk]="$(awk '/Requests\/sec/{printf "%d", $2}' "$out/wrk-$n.txt") req/s"
	if [[ -z ${SKIP_CRAWL:-} ]]; then
		step "$n reports: request every document once ($(wc -l <"$dir/urls.txt") paths)"
		sed "s|^|url = http://127.0.0.1:$port|; s|\$|\noutput = /dev/null|" "$dir/urls.txt" >"$dir/curl.cfg"
		t0=$(now_ms)
		curl -s -K "$dir/curl.cfg" -w '%{http_code}\n' | sort | uniq -c >"$out/crawl-$n.txt"
		fig[$n-crawl]="$(($(now_ms) - t0)) ms"
		fig[$n-rss-all]="$(rss_mib "$isw_pid") MiB"
	fi
	kill "$isw_pid"
	wait "$isw_pid" || true
	isw_pid=

	if [[ -z ${SKIP_EXPORT:-} ]]; then
		step "$n reports: export -dir"
		/usr/bin/time -f '%e %M %U %S' -o "$out/export-$n.time" "${isw[@]}" export -config "$dir/iswfeed.yaml" -dir "$dir/www" >/dev/null
		read -r secs kb user sys <"$out/export-$n.time"
		fig[$n-export]="$secs s ($(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') s CPU), $((kb / 1024)) MiB peak, $(find "$dir/www" -type f | wc -l) files, $(du -sm "$dir/www" | cut -f1) MiB"
		rm -rf "$dir/www"
	fi

	step "$n reports: the cost of a change (on a copy)"
	cp "$dir/bench.db" "$dir/copy.db"
	sed "s|$dir/bench.db|$dir/copy.db|" "$dir/iswfeed.yaml" >"$dir/copy.yaml"
	"$work/scaletime" -config "$dir/copy.yaml" >"$out/scaletime-$n.txt"
	local -A t
	while read -r k v; do t[$k]=$v; done <"$out/scaletime-$n.txt"
	# wall time, and in brackets the CPU time, which other work on the machine disturbs less
	wc() { echo "${t[$1_ms]} (${t[$1_cpu_ms]}) ms"; }
	fig[$n-newitem]="$(wc new_item_stored) / $(wc new_item_rendered)"
	fig[$n-five]="$(wc five_languages)"
	fig[$n-unchanged]="$(wc render_unchanged)"
	fig[$n-cold]="$(wc render_cold)"
	rm -f "$dir/copy.db"
}

for n in $sizes; do measure "$n"; done

rows=(
	"rss-start:RSS after start-up"
	"rss-all:RSS after every document was requested once"
	"startup:start-up to the first 200 on /feed.atom"
	"newitem:one new item: stored / whole site re-rendered"
	"five:one report in 5 languages (5 sources at once)"
	"unchanged:re-render with nothing changed"
	"cold:first render (in process)"
	"export:export -dir"
	"size:store size per report"
	"wrk:/feed.atom with gzip, wrk"
	"import:import of the 5 feeds"
	"crawl:requesting every document once"
)
{
	echo "scale.sh $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(cd "$root" && git rev-parse --short HEAD 2>/dev/null)"
	echo "times: wall (CPU of the process, in brackets)"
	printf '| |'
	for n in $sizes; do printf ' %s |' "$n"; done
	printf '\n| --- |'
	for _ in $sizes; do printf ' ---: |'; done
	echo
	for r in "${rows[@]}"; do
		printf '| %s |' "${r#*:}"
		for n in $sizes; do printf ' %s |' "${fig[$n-${r%%:*}]:-}"; done
		echo
	done
} | tee "$out/summary.md"
echo "scale.sh: raw output in $out" >&2
