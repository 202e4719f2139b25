#!/usr/bin/env bash
# scale.sh measures what issue 13 asks of stores of 1,000 and 10,000 daily reports in five
# languages (items of 5-20 KB HTML from bench/genfeeds, placed with `iswfeed import`): RSS after
# start-up and after every document was requested once, start-up to the first 200 on /feed.atom,
# the cost of a change (bench/scaletime), `export -dir` time and peak RSS, the store's size per
# report, and /feed.atom with gzip under wrk. It prints one table, a column per store.
#
# Usage: bench/scale.sh          (env: SIZES="1000 10000" DURATION=10s CONNS=64 PORT=18090
#                                 SKIP_EXPORT=1 SKIP_CRAWL=1 KEEP=1 keeps the work dir)
#        BEFORE=<commit> bench/scale.sh   also builds that commit and measures it on the same
#                                 generated feeds, in the same run: a before and an after column
#                                 per size, each side on its own store, one after the other.
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
# rss_mib PID: resident MiB, and in brackets the anonymous part (the rest is file-backed: the
# store's mmap pages that reads touched, which the kernel can drop at any time).
rss_mib() { awk '/^VmRSS/{r=$2} /^RssAnon/{a=$2} END{printf "%.0f (anon %.0f)", r/1024, a/1024}' "/proc/$1/status"; }

# build SRC DIR: iswfeed and scaletime of the tree at SRC, into DIR.
build() {
	mkdir -p "$2"
	(cd "$1" && go build -o "$2/iswfeed" ./cmd/iswfeed && go build -o "$2/scaletime" ./bench/scaletime)
}
sides=(after)
step "build iswfeed, genfeeds and scaletime"
(cd "$root" && go build -o "$work/genfeeds" ./bench/genfeeds)
build "$root" "$work/after"
if [[ -n ${BEFORE:-} ]]; then
	step "build $BEFORE (before)"
	git -C "$root" worktree add -q --detach "$work/src-before" "$BEFORE"
	build "$work/src-before" "$work/before"
	git -C "$root" worktree remove --force "$work/src-before"
	sides=(before after)
fi

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
measure() { # N SIDE: build SIDE's store of N reports from $work/N/feeds and fill fig[SIDE-N-*]
	local n=$1 side=$2 dir=$work/$1/$2 feeds=$work/$1/feeds
	mkdir -p "$dir"
	config "$dir" >"$dir/iswfeed.yaml"
	local isw=("$work/$side/iswfeed")
	step "$n reports, $side: import"
	local t0
	t0=$(now_ms)
	for s in "${sources[@]}"; do
		IFS=: read -r name file _ _ <<<"$s"
		"${isw[@]}" import -config "$dir/iswfeed.yaml" -source "$name" "$feeds/${file%.*}"*".${file##*.}" | tail -1 >>"$out/import-$n-$side.txt"
	done
	fig[$side-$n-import]="$(($(now_ms) - t0)) ms"
	local urls=$work/$n/urls.txt
	local bytes
	bytes=$(stat -c %s "$dir/bench.db")
	fig[$side-$n-size]="$((bytes / n / 1024)) KiB ($((bytes / 1024 / 1024)) MiB)"

	step "$n reports, $side: start-up, RSS, wrk"
	t0=$(now_ms)
	"${isw[@]}" serve -config "$dir/iswfeed.yaml" >"$out/serve-$n-$side.log" 2>&1 &
	isw_pid=$!
	until curl -fso /dev/null "http://127.0.0.1:$port/feed.atom"; do
		kill -0 "$isw_pid" 2>/dev/null || { echo "scale.sh: the daemon died; see $out/serve-$n.log" >&2; exit 1; }
		sleep 0.01
	done
	fig[$side-$n-startup]="$(($(now_ms) - t0)) ms"
	sleep 2
	fig[$side-$n-rss-start]="$(rss_mib "$isw_pid") MiB"
	wrk -t2 -c"$conns" -d"$duration" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/feed.atom" >"$out/wrk-$n-$side.txt"
	fig[$side-$n-wrk]="$(awk '/Requests\/sec/{printf "%d", $2}' "$out/wrk-$n-$side.txt") req/s"
	if [[ -z ${SKIP_CRAWL:-} ]]; then
		step "$n reports, $side: request every document once ($(wc -l <"$urls") paths)"
		sed "s|^|url = http://127.0.0.1:$port|; s|\$|\noutput = /dev/null|" "$urls" >"$dir/curl.cfg"
		t0=$(now_ms)
		curl -s -K "$dir/curl.cfg" -w '%{http_code}\n' | sort | uniq -c >"$out/crawl-$n-$side.txt"
		fig[$side-$n-crawl]="$(($(now_ms) - t0)) ms"
		fig[$side-$n-rss-all]="$(rss_mib "$isw_pid") MiB"
	fi
	kill "$isw_pid"
	wait "$isw_pid" || true
	isw_pid=

	if [[ -z ${SKIP_EXPORT:-} ]]; then
		step "$n reports, $side: export -dir"
		/usr/bin/time -f '%e %M %U %S' -o "$out/export-$n-$side.time" "${isw[@]}" export -config "$dir/iswfeed.yaml" -dir "$dir/www" >/dev/null
		read -r secs kb user sys <"$out/export-$n-$side.time"
		fig[$side-$n-export]="$secs s ($(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", u+s}') s CPU), $((kb / 1024)) MiB peak, $(find "$dir/www" -type f | wc -l) files, $(du -sm "$dir/www" | cut -f1) MiB"
		rm -rf "$dir/www"
	fi

	step "$n reports, $side: the cost of a change (on a copy)"
	cp "$dir/bench.db" "$dir/copy.db"
	sed "s|$dir/bench.db|$dir/copy.db|" "$dir/iswfeed.yaml" >"$dir/copy.yaml"
	"$work/$side/scaletime" -config "$dir/copy.yaml" >"$out/scaletime-$n-$side.txt"
	local -A t
	while read -r k v; do t[$k]=$v; done <"$out/scaletime-$n-$side.txt"
	# wall time, and in brackets the CPU time, which other work on the machine disturbs less
	cost() { echo "${t[$1_ms]} (${t[$1_cpu_ms]}) ms"; }
	fig[$side-$n-newitem]="$(cost new_item_stored) / $(cost new_item_rendered)"
	fig[$side-$n-five]="$(cost five_languages)"
	if [[ -n ${t[five_languages_rendered_ms]:-} ]]; then # scaletime before it measured this prints none
		fig[$side-$n-fiverender]="$(cost five_languages_rendered)"
	fi
	fig[$side-$n-renders]="${t[five_languages_renders]:-}" # scaletime before it counted them prints none
	fig[$side-$n-unchanged]="$(cost render_unchanged)"
	fig[$side-$n-cold]="$(cost render_cold)"
	rm -f "$dir/copy.db"
}

for n in $sizes; do
	step "$n reports: generate 5 feeds"
	"$work/genfeeds" -dir "$work/$n/feeds" -reports "$n" -minsize 5000 -size 20000 -urls "$work/$n/urls.txt"
	for side in "${sides[@]}"; do measure "$n" "$side"; done
	rm -rf "$work/$n/feeds"
done

rows=(
	"rss-start:RSS after start-up"
	"rss-all:RSS after every document was requested once"
	"startup:start-up to the first 200 on /feed.atom"
	"newitem:one new item: stored / whole site re-rendered"
	"five:one report in 5 languages (5 sources at once)"
	"fiverender:the re-render alone after one report in 5 languages"
	"renders:renders of that round (iswfeed_feed_renders_total)"
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
	[[ -n ${BEFORE:-} ]] && echo "before: $BEFORE ($(git -C "$root" rev-parse --short "$BEFORE"))"
	printf '| |'
	for n in $sizes; do for side in "${sides[@]}"; do
		if ((${#sides[@]} > 1)); then printf ' %s %s |' "$side" "$n"; else printf ' %s |' "$n"; fi
	done; done
	printf '\n| --- |'
	for _ in $sizes; do for _ in "${sides[@]}"; do printf ' ---: |'; done; done
	echo
	for r in "${rows[@]}"; do
		printf '| %s |' "${r#*:}"
		for n in $sizes; do for side in "${sides[@]}"; do printf ' %s |' "${fig[$side-$n-${r%%:*}]:-}"; done; done
		echo
	done
} | tee "$out/summary.md"
echo "scale.sh: raw output in $out" >&2
