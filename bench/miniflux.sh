#!/usr/bin/env bash
# What a subscriber sees in a real reader: builds Miniflux from its Go module, runs it on
# Debian's PostgreSQL on loopback, subscribes it to an iswfeed's merged and per-language feeds
# and prints, per feed, the icon type Miniflux stored, its parsing error, and each entry's date,
# title, author, tags, first image and first words.
#
#   bench/miniflux.sh [ISWFEED_BASE_URL]
#
# Without an argument it starts `iswfeed demo -static` on 127.0.0.1:8090 and reads that.
# Run as root on a machine with the Go module proxy and Debian's packages; nothing is left
# running when it ends. Takes a minute or two the first time (the Miniflux build).
set -euo pipefail
cd "$(dirname "$0")/.."

work=${MINIFLUX_WORK:-/tmp/iswfeed-miniflux}
mf_port=${MINIFLUX_PORT:-8088}
mkdir -p "$work"

if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
[ -x "$work/bin/miniflux.app" ] || GOBIN="$work/bin" go install miniflux.app/v2@v2.3.5

cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
pg_ctlcluster $cluster start 2>/dev/null || true
su postgres -c "psql -qtc \"drop database if exists iswfeed_miniflux\"" >/dev/null
su postgres -c "psql -qtc \"do \\\$\\\$ begin create user iswfeed_miniflux with password 'mf' superuser; exception when duplicate_object then null; end \\\$\\\$\"" >/dev/null
su postgres -c "createdb -O iswfeed_miniflux iswfeed_miniflux"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

base=${1:-}
if [ -z "$base" ]; then
  go build -o "$work/iswfeed" ./cmd/iswfeed
  "$work/iswfeed" demo -static -listen 127.0.0.1:8090 >"$work/demo.log" 2>&1 &
  pids+=($!)
  base=http://127.0.0.1:8090
  for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  sleep 1 # the first poll
fi

DATABASE_URL="postgres://iswfeed_miniflux:mf@127.0.0.1/iswfeed_miniflux?sslmode=disable" \
RUN_MIGRATIONS=1 CREATE_ADMIN=1 ADMIN_USERNAME=admin ADMIN_PASSWORD=adminadmin \
LISTEN_ADDR=127.0.0.1:$mf_port FETCHER_ALLOW_PRIVATE_NETWORKS=1 MEDIA_PROXY_MODE=none \
  "$work/bin/miniflux.app" >"$work/miniflux.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$mf_port/healthcheck" >/dev/null && break; sleep 0.2; done
kill -0 "${pids[-1]}" || { echo "miniflux did not start:"; cat "$work/miniflux.log"; exit 1; }

MINIFLUX=http://127.0.0.1:$mf_port BASE=$base python3 - <<'EOF'
import base64, json, os, re, urllib.request
mf, base = os.environ["MINIFLUX"], os.environ["BASE"]
auth = "Basic " + base64.b64encode(b"admin:adminadmin").decode()
def call(path, body=None):
    req = urllib.request.Request(mf + "/v1/" + path, headers={"Authorization": auth,
        "Content-Type": "application/json"}, data=None if body is None else json.dumps(body).encode())
    try:
        return json.load(urllib.request.urlopen(req))
    except urllib.error.HTTPError as e:
        return json.load(e)
paths = ["feed.atom", "feed.rss", "feed.json", "de/feed.atom", "de/feed.rss", "uk/feed.json"]
for p in paths:
    r = call("feeds", {"feed_url": base + "/" + p, "category_id": 1})
    if "feed_id" not in r:
        print("SUBSCRIBE", p, "FAILED:", r)
for f in call("feeds"):
    icon = "none"
    if f.get("icon") and f["icon"].get("icon_id"):
        icon = call("icons/%d" % f["icon"]["icon_id"]).get("mime_type")
    print("FEED %s  title=%r  icon=%s  parsing_error=%r" % (f["feed_url"].replace(base, ""),
        f["title"], icon, f.get("parsing_error_message")))
    es = call("feeds/%d/entries?limit=100&order=published_at&direction=desc" % f["id"])
    print("  entries:", es["total"])
    for e in es["entries"][:3]:
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", e["content"])).strip()
        imgs = re.findall(r'<img[^>]*src="([^"]*)"', e["content"])
        print("  - %s | %r | author=%r | tags=%s" % (e["published_at"][:19], e["title"], e["author"], e.get("tags")))
        print("      img=%s | %r" % (imgs[:1], text[:110]))
EOF
