#!/usr/bin/env bash
# THE test command: formatting, lints, crate purity, then every test against SQLite and a
# throwaway PostgreSQL. Works on a fresh Debian 12 machine (as root it installs what is missing),
# on CI (CI=true, no stdin) and as a normal user with the tools already installed.
#
# Usage: ./scripts/test-all.sh [extra args passed to `cargo test`, e.g. -- --nocapture]
#
# Environment:
#   FERRY_SPEC_DIR   official XSDs and samples (default: <repo>/../shared/spec)
#   FERRY_PG_PORT    first port to try for PostgreSQL (default 54329)
#   FERRY_FUZZ_SECONDS  seconds per fuzz target (default 20)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

SCRIPT_START=$SECONDS
STEP_START=$SECONDS
STEP_NAME=""

log() { printf '%s\n' "$*" >&2; }
die() {
    log "test-all: ERROR: $*"
    exit 1
}

step() {
    end_step
    STEP_NAME="$1"
    STEP_START=$SECONDS
    log ""
    log "==> $STEP_NAME"
}

end_step() {
    if [ -n "$STEP_NAME" ]; then
        log "    ($STEP_NAME: $((SECONDS - STEP_START))s)"
    fi
    STEP_NAME=""
}

is_root() { [ "$(id -u)" -eq 0 ]; }

pg_bin_dir() {
    local d
    # Highest installed major version wins.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
step "system tools"
missing=()
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
# The API conformance run installs schemathesis into a venv.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
pg_bin_dir >/dev/null || missing+=(postgresql)
# Build dependencies of diesel (libpq) and openssl-sys, also absent on a fresh machine.
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libpq openssl; then
    missing+=(pkg-config libpq-dev libssl-dev)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    log "    missing: ${missing[*]}"
    apt_get=(apt-get)
    if ! is_root; then
        # Never prompt: CI has no stdin and a password prompt would hang the run.
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            apt_get=(sudo -n apt-get)
        else
            die "install as root: apt-get install -y ${missing[*]}"
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${apt_get[@]}" update -q
    "${apt_get[@]}" install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
command -v xmlsec1 >/dev/null 2>&1 || die "xmlsec1 still missing after install"
command -v xmllint >/dev/null 2>&1 || die "xmllint still missing after install"
PGBIN="$(pg_bin_dir)" || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin"
log "    xmlsec1: $(xmlsec1 --version | head -n1)"
log "    xmllint: $(xmllint --version 2>&1 | head -n1)"
log "    postgres: $("$PGBIN/postgres" --version)"
# rustup's minimal profile has neither rustfmt nor clippy.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 || die "cargo fmt / cargo clippy missing and no rustup to install them"
    rustup component add rustfmt clippy
fi
log "    $(cargo --version), $(cargo fmt --version), $(cargo clippy --version)"

# ---------------------------------------------------------------------------------------------
step "spec directory"
FERRY_SPEC_DIR="${FERRY_SPEC_DIR:-$REPO/../shared/spec}"
[ -d "$FERRY_SPEC_DIR/smp/xsd" ] ||
    die "FERRY_SPEC_DIR=$FERRY_SPEC_DIR has no smp/xsd: point FERRY_SPEC_DIR at the official XSDs and samples"
FERRY_SPEC_DIR="$(cd "$FERRY_SPEC_DIR" && pwd)"
export FERRY_SPEC_DIR
log "    FERRY_SPEC_DIR=$FERRY_SPEC_DIR"

# ---------------------------------------------------------------------------------------------
step "throwaway PostgreSQL"
PGDATA=""
PG_STARTED=0

# as_pg CMD...: run a PostgreSQL server command as the `postgres` user when we are root
# (initdb refuses to run as root), directly otherwise.
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    local rc=$?
    if [ "$PG_STARTED" = 1 ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$PGDATA" ]; then
        rm -rf "$PGDATA"
    fi
    if [ "$rc" -ne 0 ]; then
        log ""
        log "test-all: FAILED${STEP_NAME:+ in step '$STEP_NAME'} after $((SECONDS - SCRIPT_START))s"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
    # Bash's /dev/tcp connects: success means something is listening.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

PGDATA="$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX")"
if is_root; then
    chown postgres:postgres "$PGDATA"
fi
chmod 700 "$PGDATA"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-sync >"$PGDATA.initdb.log" 2>&1 ||
    {
        cat "$PGDATA.initdb.log" >&2
        rm -f "$PGDATA.initdb.log"
        die "initdb failed"
    }
rm -f "$PGDATA.initdb.log"

PGPORT="${FERRY_PG_PORT:-54329}"
attempts=0
while :; do
    attempts=$((attempts + 1))
    [ "$attempts" -le 50 ] || die "no free port for PostgreSQL in ${FERRY_PG_PORT:-54329}..$PGPORT"
    if port_in_use "$PGPORT"; then
        PGPORT=$((PGPORT + 1))
        continue
    fi
    # Another process may grab the port between the probe and the start: then try the next one.
    if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        PG_STARTED=1
        break
    fi
    log "    could not start on port $PGPORT, trying the next one"
    tail -n 5 "$PGDATA/log" >&2 || true
    PGPORT=$((PGPORT + 1))
done
export FERRY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
export FERRY_REQUIRE_ALL=1
log "    FERRY_TEST_POSTGRES_URL=$FERRY_TEST_POSTGRES_URL (PGDATA=$PGDATA)"

# ---------------------------------------------------------------------------------------------
step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "pure crates stay pure"
impure=0
for crate in peppol-id smp-xml; do
    # --prefix none: one "name vX.Y.Z ..." per line, so the name is the first word.
    found="$(cargo tree -p "$crate" -e normal --prefix none |
        awk '{print $1}' | grep -E '^(tokio|diesel|reqwest|hyper|actix)([-_].*)?$' | sort -u || true)"
    if [ -n "$found" ]; then
        log "    $crate depends on I/O crates: $(echo "$found" | tr '\n' ' ')"
        impure=1
    else
        log "    $crate: ok"
    fi
done
[ "$impure" = 0 ] || die "peppol-id and smp-xml must not depend on tokio, diesel, reqwest, hyper or actix"

step "cargo test --workspace"
cargo test --workspace "$@"

step "API conformance (schemathesis against a throwaway ferry serve)"
./scripts/api-conformance.sh

step "fuzzing: every target briefly (regressions only; long runs in fuzz/README.md)"
./scripts/fuzz.sh "${FERRY_FUZZ_SECONDS:-20}"

end_step
log ""
log "test-all: OK in $((SECONDS - SCRIPT_START))s"
