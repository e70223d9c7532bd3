#!/usr/bin/env bash
# Read-path benchmark: wrk against one SignedServiceMetadata served by Ferry (cache on, then
# cache off) and the identical bytes served by nginx as a static file. See README.md.
#
# Usage: ./bench/read-path/run.sh
# Environment: DURATION (s, default 10), THREADS (default 2), CONNECTIONS (default 64),
#   WORKERS (nginx worker_processes; default nproc, which is what Ferry's HTTP server uses),
#   FERRY_SPEC_DIR (default <repo>/../shared/spec), STRICT=1 to exit 1 when a target is missed,
#   FERRY_BIN (a ferry binary to use instead of building target/release/ferry).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
WORKERS="${WORKERS:-$(nproc)}"
FERRY_SPEC_DIR="${FERRY_SPEC_DIR:-$REPO/../shared/spec}"
TARGET_CACHED=0.9
TARGET_UNCACHED=0.3
TOKEN="bench-admin-token-$RANDOM$RANDOM"

log() { printf '%s\n' "$*" >&2; }
die() {
    log "bench: ERROR: $*"
    exit 1
}

SAMPLES="$FERRY_SPEC_DIR/smp/samples/peppol/phoss-rest-put"
[ -f "$SAMPLES/peppol-service-group.xml" ] || die "no phoss samples in $SAMPLES (set FERRY_SPEC_DIR)"

# ---- tools ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: run as root or apt-get install -y ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [ -z "${FERRY_BIN:-}" ]; then
    log "==> cargo build --release -p ferry"
    cargo build --release -p ferry
    FERRY_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/ferry"
fi
[ -x "$FERRY_BIN" ] || die "no binary at $FERRY_BIN"

# ---- scratch space and cleanup ----------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")"
# nginx workers drop to an unprivileged user when started as root: they must read the file.
chmod 755 "$TMP"
FERRY_PID=""
NGINX_PID=""

stop_pid() { # stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL
    local pid="$1" i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    stop_pid "$FERRY_PID"
    stop_pid "$NGINX_PID"
    if [ "$rc" -ne 0 ] && [ -f "$TMP/ferry.log" ]; then
        log "---- last lines of the ferry log ----"
        tail -n 20 "$TMP/ferry.log" >&2 || true
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers ----------------------------------------------------------------------------------
urlencode() { # percent-encode one path segment (ASCII input)
    local s="$1" out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c="${s:i:1}"
        case "$c" in
        [A-Za-z0-9._~-]) out+="$c" ;;
        *) out+="$(printf '%%%02X' "'$c")" ;;
        esac
    done
    printf '%s' "$out"
}

free_port() { # first port from $1 upwards that nobody listens on
    local p="$1"
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do
        p=$((p + 1))
    done
    echo "$p"
}

start_ferry() { # start_ferry CACHE_ENABLED: sets FERRY_PID and FERRY_URL
    : >"$TMP/ferry.out"
    FERRY_SERVER__BIND=127.0.0.1:0 \
        FERRY_DATABASE__URL="sqlite://$TMP/ferry.db" \
        FERRY_CACHE__ENABLED="$1" \
        FERRY_ADMIN_TOKEN="$TOKEN" \
        FERRY_LOG="${FERRY_LOG:-warn}" \
        "$FERRY_BIN" serve >"$TMP/ferry.out" 2>>"$TMP/ferry.log" &
    FERRY_PID=$!
    FERRY_URL=""
    local i line
    for i in $(seq 1 600); do
        line="$(grep -m1 -E '^ferry listening on https?://' "$TMP/ferry.out" || true)"
        if [ -n "$line" ]; then
            FERRY_URL="${line#ferry listening on }"
            break
        fi
        kill -0 "$FERRY_PID" 2>/dev/null || die "ferry exited before listening"
        sleep 0.1
    done
    [ -n "$FERRY_URL" ] || die "ferry printed no 'ferry listening on' line within 60 s"
    for i in $(seq 1 100); do
        curl -fsS -o /dev/null "$FERRY_URL/health" && return 0
        sleep 0.1
    done
    die "ferry at $FERRY_URL never answered /health"
}

put() { # put PATH FILE
    local status
    status="$(curl -sS -o "$TMP/put.out" -w '%{http_code}' -X PUT \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/xml' \
        --data-binary "@$2" "$FERRY_URL$1")"
    [ "$status" = 200 ] || die "PUT $1 -> $status: $(cat "$TMP/put.out")"
}

# run_wrk NAME URL: prints req/s, fails on any non-2xx answer or socket error
run_wrk() {
    local name="$1" url="$2" out rps
    # Warm-up: fills caches and keep-alive pools so both servers start equal.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url")"
    printf '%s\n' "---- $name: $url" "$out" >>"$TMP/wrk.log"
    if grep -qE 'Non-2xx or 3xx responses|Socket errors' <<<"$out"; then
        log "$out"
        die "$name: errors during the run (see above)"
    fi
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    [ -n "$rps" ] || die "$name: no Requests/sec in wrk output"
    echo "$rps"
}

# ---- data -------------------------------------------------------------------------------------
PARTICIPANT="iso6523-actorid-upis::9915:xxx"
DOCTYPE="busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
P_PATH="/$(urlencode "$PARTICIPANT")"
SM_PATH="$P_PATH/services/$(urlencode "$DOCTYPE")"
AP_CERT="$(tr -d '\n' <certs-test/ap/ap-valid.b64)"
sed "s|blacert|$AP_CERT|" "$SAMPLES/peppol-service-metadata.xml" >"$TMP/service-metadata.xml"

log "==> ferry (cache on): load the phoss sample"
start_ferry true
put "$P_PATH" "$SAMPLES/peppol-service-group.xml"
put "$SM_PATH" "$TMP/service-metadata.xml"
mkdir -p "$TMP/www"
curl -fsS -o "$TMP/www/ssm.xml" "$FERRY_URL$SM_PATH" || die "GET $SM_PATH failed"
chmod -R a+rX "$TMP/www"
grep -q 'SignedServiceMetadata' "$TMP/www/ssm.xml" || die "GET $SM_PATH did not return SignedServiceMetadata"
log "    $FERRY_URL$SM_PATH -> $(wc -c <"$TMP/www/ssm.xml") bytes"

log "==> nginx ($WORKERS workers) serving the same bytes"
NGINX_PORT="$(free_port 18080)"
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 100000000;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 600s;
    types { }
    default_type text/xml;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        location = /ssm.xml { }
    }
}
EOF
"$NGINX" -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx.conf" &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT/ssm.xml"
for i in $(seq 1 100); do
    curl -fsS -o "$TMP/nginx.body" "$NGINX_URL" 2>/dev/null && break
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$TMP/nginx/error.log" 2>/dev/null)"
    sleep 0.1
done
cmp -s "$TMP/nginx.body" "$TMP/www/ssm.xml" || die "nginx does not serve the same bytes as ferry"

log "==> wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
RPS_NGINX="$(run_wrk nginx "$NGINX_URL")"
log "    nginx:             $RPS_NGINX req/s"
RPS_CACHED="$(run_wrk ferry-cached "$FERRY_URL$SM_PATH")"
log "    ferry (cache on):  $RPS_CACHED req/s"

log "==> ferry (cache off)"
stop_pid "$FERRY_PID"
FERRY_PID=""
start_ferry false
curl -fsS -o "$TMP/uncached.body" "$FERRY_URL$SM_PATH" || die "GET $SM_PATH failed with the cache off"
cmp -s "$TMP/uncached.body" "$TMP/www/ssm.xml" || die "ferry with the cache off serves different bytes"
RPS_UNCACHED="$(run_wrk ferry-uncached "$FERRY_URL$SM_PATH")"
log "    ferry (cache off): $RPS_UNCACHED req/s"

# ---- report -----------------------------------------------------------------------------------
REPORT="$(
    awk -v n="$RPS_NGINX" -v c="$RPS_CACHED" -v u="$RPS_UNCACHED" \
        -v tc="$TARGET_CACHED" -v tu="$TARGET_UNCACHED" \
        -v setup="wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, nginx worker_processes $WORKERS, $(nproc) CPUs" '
    function verdict(r, t) { return (r >= t) ? "ok" : "BELOW TARGET" }
    BEGIN {
        printf "read-path benchmark (%s)\n", setup
        printf "%-20s %14s %10s %10s  %s\n", "server", "req/s", "x nginx", "target", ""
        printf "%-20s %14.0f %10.2f %10s\n", "nginx (static file)", n, 1, "-"
        printf "%-20s %14.0f %10.2f %10s  %s\n", "ferry (cache on)", c, c / n, ">= " tc, verdict(c / n, tc)
        printf "%-20s %14.0f %10.2f %10s  %s\n", "ferry (cache off)", u, u / n, ">= " tu, verdict(u / n, tu)
    }'
)"
echo
echo "$REPORT"

mkdir -p "$REPO/bench/out"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
{
    echo "$REPORT"
    echo
    echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo
    cat "$TMP/wrk.log"
} >"$REPO/bench/out/read-path-$STAMP.txt"
echo "full wrk output: bench/out/read-path-$STAMP.txt"

if [ "${STRICT:-0}" = 1 ] && grep -q 'BELOW TARGET' <<<"$REPORT"; then
    exit 1
fi
