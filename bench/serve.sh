#!/usr/bin/env bash
# serve.sh compares `iswfeed serve` with nginx serving the `iswfeed export` of the same store,
# and with a bare net/http handler serving those exported bytes from memory (bench/bareserve):
# wrk against /feed.atom plain, with Accept-Encoding: gzip, and revalidated with If-None-Match
# (304). It prints requests/s and latency p50/p99 for each, iswfeed's ratio to each, and the
# daemon's RSS.
#
# Usage: bench/serve.sh            (env: DURATION=10s THREADS=2 CONNS=64 REPORTS=60 SIZE=30000
#                                   ISW_PORT=18080 NGINX_PORT=18081 BARE_PORT=18082
#                                   KEEP=1 keeps the work dir)
# Everything listens on 127.0.0.1 only; sources point at a closed loopback port, so nothing is
# fetched. The wrk output and the table go to bench/results/serve-<date>/.
set -euo pipefail

duration=${DURATION:-10s}
threads=${THREADS:-2}
conns=${CONNS:-64}
reports=${REPORTS:-60}
size=${SIZE:-30000}
isw_port=${ISW_PORT:-18080}
nginx_port=${NGINX_PORT:-18081}
bare_port=${BARE_PORT:-18082}

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/results/serve-$(date +%Y%m%d-%H%M%S)

missing=()
command -v go >/dev/null || missing+=("go: install Go 1.26 (https://go.dev/dl/) and put it on PATH")
command -v wrk >/dev/null || missing+=("wrk: apt-get update && apt-get install -y wrk")
command -v nginx >/dev/null || missing+=("nginx: apt-get update && apt-get install -y nginx-light (or nginx)")
command -v curl >/dev/null || missing+=("curl: apt-get update && apt-get install -y curl")
if ((${#missing[@]})); then
	printf 'serve.sh: missing %s\n' "${missing[@]}" >&2
	exit 1
fi
for port in "$isw_port" "$nginx_port" "$bare_port"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "serve.sh: 127.0.0.1:$port is in use; set ISW_PORT / NGINX_PORT / BARE_PORT" >&2
		exit 1
	fi
done

work=$(mktemp -d /tmp/iswfeed-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as nobody when started by root
isw_pid= nginx_pid= bare_pid= sampler_pid=
cleanup() {
	set +e # a killed process's status must not stop the cleanup halfway
	for pid in $sampler_pid $isw_pid $nginx_pid $bare_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [[ ${KEEP:-} == 1 ]]; then echo "serve.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$out"

step() { printf '== %s\n' "$*" >&2; }

wait_http() { # URL: up to 10 s for a 200
	for _ in $(seq 100); do
		curl -fso /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "serve.sh: $1 did not answer; see $out/*.log" >&2
	return 1
}

step "build iswfeed and generate $reports reports x 3 languages, ~$size bytes each"
(cd "$root" && go build -o "$work/iswfeed" ./cmd/iswfeed && go build -o "$work/bareserve" ./bench/bareserve &&
	go run ./bench/genfeeds -dir "$work/feeds" -reports "$reports" -size "$size")

# Port 1 on loopback is closed: each poll fails at once, and the store stays as imported.
cat >"$work/iswfeed.yaml" <<EOF
listen: 127.0.0.1:$isw_port
database: $work/bench.db
base_url: http://127.0.0.1:$isw_port/
title: ISW daily reports, merged (benchmark)
feed_size: 50
sources:
  - {name: isw, url: "http://127.0.0.1:1/isw.xml", lang: en, role: original}
  - {name: spartanat, url: "http://127.0.0.1:1/spartanat.xml", lang: de, role: translation, number: 'Die Lage (\d+)'}
  - {name: ukrainian, url: "http://127.0.0.1:1/ukrainian.atom", lang: uk, role: translation}
EOF
isw() { "$work/iswfeed" "$1" -config "$work/iswfeed.yaml" "${@:2}"; }

step "import the generated feeds"
for src in isw:isw.xml spartanat:spartanat.xml ukrainian:ukrainian.atom; do
	isw import -source "${src%%:*}" "$work/feeds/${src#*:}" | tail -1
done

step "start iswfeed serve on 127.0.0.1:$isw_port"
"$work/iswfeed" serve -config "$work/iswfeed.yaml" >"$out/iswfeed.log" 2>&1 &
isw_pid=$!
wait_http "http://127.0.0.1:$isw_port/healthz"

step "export to $work/www (through the running daemon)"
isw export -dir "$work/www"
chmod -R a+rX "$work/www"

step "start nginx on 127.0.0.1:$nginx_port"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
        gzip_static on;
        gzip_vary on;
        charset utf-8;
        charset_types application/atom+xml application/rss+xml application/feed+json application/json image/svg+xml;
        add_header Cache-Control "public, max-age=300";
        types {
            text/html html;
            application/atom+xml atom;
            application/rss+xml rss;
            application/feed+json json;
            image/svg+xml svg;
        }
        location / {
            index index.html;
            try_files \$uri \$uri.html \$uri/index.html =404;
        }
    }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>>"$out/nginx.log" &
nginx_pid=$!
wait_http "http://127.0.0.1:$nginx_port/feed.atom"

step "start the bare net/http handler on 127.0.0.1:$bare_port"
"$work/bareserve" -dir "$work/www" -listen "127.0.0.1:$bare_port" -base "http://127.0.0.1:$isw_port/" 2>>"$out/bareserve.log" &
bare_pid=$!
wait_http "http://127.0.0.1:$bare_port/feed.atom"

servers=(iswfeed:$isw_port nethttp:$bare_port nginx:$nginx_port)
for server in "${servers[@]}"; do
	curl -sD - -o /dev/null "http://127.0.0.1:${server#*:}/feed.atom" >"$out/headers-${server%%:*}.txt"
done
plain_bytes=$(curl -s "http://127.0.0.1:$isw_port/feed.atom" | wc -c)
gzip_bytes=$(curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$isw_port/feed.atom" | wc -c)
if ! cmp -s <(curl -s "http://127.0.0.1:$isw_port/feed.atom") <(curl -s "http://127.0.0.1:$nginx_port/feed.atom"); then
	echo "serve.sh: warning: nginx's /feed.atom differs from the daemon's (the export is stale?)" >&2
fi
etag() { curl -sI "http://127.0.0.1:$1/feed.atom" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }

rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
rss_idle=$(rss_kb "$isw_pid")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# The daemon's peak RSS over the runs, sampled every 200 ms.
(peak=0; while sleep 0.2; do
	r=$(rss_kb "$isw_pid" 2>/dev/null) || break
	((r > peak)) && peak=$r && echo "$peak" >"$work/rss-peak"
done) &
sampler_pid=$!

# run NAME URL [HEADER...]: one wrk run; prints "req/s p50 p99".
run() {
	local name=$1 url=$2
	local args=()
	for h in "${@:3}"; do args+=(-H "$h"); done
	wrk -t"$threads" -c"$conns" -d"$duration" --latency "${args[@]}" "$url" >"$out/$name.txt"
	awk '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{non=$NF}
		END{printf "%s %s %s\n", rps, p50, p99}' "$out/$name.txt"
}

# Case by case, the three servers one after the other, so that the runs a
# ratio compares are minutes closer than server by server.
declare -A result
for c in plain gzip 304; do
	step "wrk $c: iswfeed, net/http, nginx ($duration each, $threads threads, $conns connections)"
	for server in "${servers[@]}"; do
		name=${server%%:*} url="http://127.0.0.1:${server#*:}/feed.atom"
		case $c in
		plain) result[$name-$c]=$(run "$name-$c" "$url") ;;
		gzip) result[$name-$c]=$(run "$name-$c" "$url" 'Accept-Encoding: gzip') ;;
		304) result[$name-$c]=$(run "$name-$c" "$url" "If-None-Match: $(etag "${server#*:}")") ;;
		esac
	done
done
rss_peak=$(cat "$work/rss-peak" 2>/dev/null || echo "$rss_idle")

{
	echo "iswfeed serve vs a bare net/http handler and nginx (both on its export), GET /feed.atom on 127.0.0.1"
	echo "$(date -u +%FT%TZ), $(nproc) cores, wrk -t$threads -c$conns -d$duration on the same machine"
	echo "store: $reports reports x 3 languages, ~$size B content each; /feed.atom $plain_bytes B, gzip $gzip_bytes B"
	echo
	printf '%-6s | %-22s | %-22s | %-22s | %s\n' case "iswfeed req/s p50 p99" "net/http req/s p50 p99" "nginx req/s p50 p99" \
		"iswfeed/net-http net-http/nginx iswfeed/nginx"
	printf '%s\n' "-------+------------------------+------------------------+------------------------+------------------"
	for c in plain gzip 304; do
		read -r i _ <<<"${result[iswfeed-$c]}"
		read -r b _ <<<"${result[nethttp-$c]}"
		read -r n _ <<<"${result[nginx-$c]}"
		printf '%-6s | %-22s | %-22s | %-22s | %s\n' "$c" "$(printf '%s %s %s' ${result[iswfeed-$c]})" \
			"$(printf '%s %s %s' ${result[nethttp-$c]})" "$(printf '%s %s %s' ${result[nginx-$c]})" \
			"$(awk -v i="$i" -v b="$b" -v n="$n" 'BEGIN{printf "%.2f %.2f %.2f", i/b, b/n, i/n}')"
	done
	echo
	echo "iswfeed RSS: $((rss_idle / 1024)) MiB idle, $((rss_peak / 1024)) MiB peak during the runs"
	# Other work on the machine competes with wrk and the servers: compare under similar load.
	echo "load average (1/5/15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	grep -H "Non-2xx" "$out"/*-{plain,gzip}.txt | sed "s|^$out/|warning: |" || true
} | tee "$out/summary.txt"
echo "serve.sh: wrk output, headers and logs in $out" >&2
