#!/usr/bin/env bash
# API conformance: schemathesis against the OpenAPI document of a throwaway `ferry serve`.
#
# Starts Ferry with its default configuration (embedded SQLite, in-process SML emulator) in a
# temporary directory on free ports, with the parking desk enabled so its operator routes are
# exercised too, then runs every operation of GET /api/v1/openapi.json through schemathesis
# (examples, coverage, fuzzing and stateful phases) as the bootstrap administrator. Fails when
# a generated request gets a 5xx, or a response does not match its documented status, content
# type or schema, or the API accepts what the document forbids (or refuses what it allows).
# What is configured per operation, and why, is in scripts/api-conformance.toml; the run never
# deletes its own credentials (scripts/api-conformance-hooks.py).
#
# Usage: ./scripts/api-conformance.sh [extra schemathesis run options]
#
# Environment:
#   FERRY_BIN                        the ferry binary (default: target/debug/ferry, built if missing)
#   FERRY_CONFORMANCE_EXAMPLES       examples per operation and phase (default 25)
#   FERRY_CONFORMANCE_SEED           the seed (default 20261204)
#   FERRY_CONFORMANCE_VENV           where schemathesis is installed (default: target/conformance-venv)
#   FERRY_CONFORMANCE_KEEP=1         keep the temporary directory (database, ferry's log)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

SCHEMATHESIS_VERSION="4.32.5"
EXAMPLES="${FERRY_CONFORMANCE_EXAMPLES:-25}"
SEED="${FERRY_CONFORMANCE_SEED:-20261204}"
VENV="${FERRY_CONFORMANCE_VENV:-$REPO/target/conformance-venv}"
FERRY_BIN="${FERRY_BIN:-$REPO/target/debug/ferry}"
# The bootstrap administrator (config/ferry.toml's development default, set explicitly).
TOKEN="ferry-dev-admin-token"

START=$SECONDS
log() { printf 'api-conformance: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# ---------------------------------------------------------------------------------------------
# schemathesis, pinned, in its own venv.
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    command -v python3 >/dev/null 2>&1 || die "python3 is missing (Debian: apt-get install python3 python3-venv)"
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ ! -x "$FERRY_BIN" ]; then
    log "building ferry"
    cargo build -p ferry
fi

# ---------------------------------------------------------------------------------------------
# A throwaway ferry: its own database, SML emulator and key file; every port chosen by the OS.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ferry-conformance.XXXXXX")"
FERRY_PID=""
cleanup() {
    local rc=$?
    if [ -n "$FERRY_PID" ]; then
        kill "$FERRY_PID" 2>/dev/null || true
        wait "$FERRY_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -s "$WORK/ferry.err" ]; then
        log "ferry's errors and warnings (full log: $WORK/ferry.err):"
        grep -aE 'ERROR|WARN' "$WORK/ferry.err" | tail -n 40 >&2 || true
    fi
    if [ "${FERRY_CONFORMANCE_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    log "$([ "$rc" -eq 0 ] && echo OK || echo FAILED) in $((SECONDS - START))s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A developer's own FERRY_* settings must not leak into the run.
while IFS= read -r name; do
    unset "$name"
done < <(compgen -e | grep '^FERRY_' || true)

# parking.bind must differ from server.bind (both 127.0.0.1:0 is refused), so its port is picked here.
PARKING_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

FERRY_ADMIN_TOKEN="$TOKEN" \
    FERRY_LOG=warn \
    FERRY_SERVER__BIND=127.0.0.1:0 \
    FERRY_DATABASE__URL="sqlite://$WORK/ferry.db" \
    FERRY_MIGRATION__KEY_FILE="$WORK/migration-keys.key" \
    FERRY_SML__EMULATOR__DATABASE="$WORK/sml-emulator.db" \
    FERRY_SML__EMULATOR__SOAP_BIND=127.0.0.1:0 \
    FERRY_SML__EMULATOR__DNS_BIND=127.0.0.1:0 \
    FERRY_PARKING__ENABLED=true \
    FERRY_PARKING__BIND="127.0.0.1:$PARKING_PORT" \
    "$FERRY_BIN" serve >"$WORK/ferry.out" 2>"$WORK/ferry.err" &
FERRY_PID=$!

URL=""
for _ in $(seq 1 600); do
    URL="$(sed -n 's/^ferry listening on //p' "$WORK/ferry.out")"
    [ -n "$URL" ] && break
    kill -0 "$FERRY_PID" 2>/dev/null || die "ferry exited before listening: $(tail -n 5 "$WORK/ferry.err")"
    sleep 0.1
done
[ -n "$URL" ] || die "ferry did not print 'ferry listening on ...' within 60s"
log "ferry $URL (pid $FERRY_PID, $WORK)"

# ---------------------------------------------------------------------------------------------
# What the document's path examples name, so that generated requests also reach existing
# resources (and their answers are checked against the schemas with real content): the
# endpoint profile `main-as4` and participant 0208:0123456749 with one capability, registered
# in the SML (so a migration key can be prepared for it).
log "seeding the example resources"
python3 - "$URL" "$TOKEN" "$REPO/certs-test/ap/ap-valid.b64" <<'PY' || die "seeding failed"
import json, sys, time, urllib.error, urllib.parse, urllib.request

url, token, cert_file = sys.argv[1:4]
certificate = open(cert_file).read().strip()


def call(method, path, body=None):
    request = urllib.request.Request(
        url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")


call("POST", "/api/v1/endpoint-profiles", {
    "name": "main-as4",
    "url": "https://ap.example.org/as4",
    "transportProfile": "peppol-transport-as4-v2_0",
    "certificate": certificate,
    "serviceDescription": "conformance run",
    "technicalContactUrl": "mailto:ops@example.org",
})
participant = "iso6523-actorid-upis::0208:0123456749"
call("POST", "/api/v1/participants", {
    "participant": participant,
    "capabilities": [{
        "documentType": "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
            "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1",
        "process": "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
        "endpointProfile": "main-as4",
    }],
})
path = "/api/v1/participants/" + urllib.parse.quote(participant, safe="")
for _ in range(300):
    if call("GET", path)[1]["smlState"] == "registered":
        break
    time.sleep(0.1)
else:
    sys.exit(f"{participant} was not registered in the SML emulator within 30s")
PY

# ---------------------------------------------------------------------------------------------
log "schemathesis: $EXAMPLES examples per operation, seed $SEED"
# Run from the work directory: schemathesis' caches and reports stay out of the repository.
(
    cd "$WORK"
    SCHEMATHESIS_HOOKS="$REPO/scripts/api-conformance-hooks.py" \
        "$VENV/bin/schemathesis" --config-file "$REPO/scripts/api-conformance.toml" run \
        "$URL/api/v1/openapi.json" \
        --url "$URL" \
        --header "Authorization: Bearer $TOKEN" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,positive_data_acceptance \
        --phases examples,coverage,fuzzing,stateful \
        --max-examples "$EXAMPLES" \
        --seed "$SEED" \
        --workers 1 \
        --generation-database none \
        "$@"
) || die "schemathesis found failures (above)"

# The run must not have locked itself out (answers of 401 everywhere would pass every check).
python3 - "$URL" "$TOKEN" <<'PY' || die "the bootstrap token no longer works after the run"
import sys, urllib.request

url, token = sys.argv[1:3]
request = urllib.request.Request(url + "/api/v1/users", headers={"Authorization": "Bearer " + token})
urllib.request.urlopen(request, timeout=30)
PY
