#!/usr/bin/env python3
"""Bulk inbound migration benchmark.

Two Ferry instances and one SML emulator (inside A): A hosts N participants and prepares a
migration key for each; the emulator then adds LATENCY_MS to every SOAP call; B migrates all
of them in with one POST /api/v1/migrations/bulk. Prints the time from the bulk request to
the last migration completed. Target: N=10000, LATENCY_MS=20, under 60 s.

Usage: bench/migration/run.py [--participants N] [--latency-ms MS] [--ferry PATH]
Standard library only. Builds `cargo build --release -p ferry` unless --ferry is given.
"""

import argparse
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "bench-admin-token"
DOCTYPE = ("busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
           "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1")
PROCESS = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def participant(i):
    # 0208 numbers: 8 digits + mod-97 check digits, first digit 0 or 1.
    base = 10000000 + i
    check = 97 - (base % 97)
    return f"iso6523-actorid-upis::0208:{base:08d}{check:02d}"


def call(method, url, body=None, timeout=600):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def start(binary, env, log, with_emulator):
    proc = subprocess.Popen([binary, "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=log, text=True)
    url = proc.stdout.readline().strip().removeprefix("ferry listening on ")
    emulator = {}
    if with_emulator:
        line = proc.stdout.readline().strip()
        emulator = dict(kv.split("=", 1) for kv in line.split()[2:])
    return proc, url, emulator


def encode(segment):
    return urllib.parse.quote(segment, safe="")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=10000)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--ferry")
    args = ap.parse_args()
    binary = args.ferry
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-p", "ferry"], cwd=REPO, check=True)
        binary = os.path.join(REPO, "target", "release", "ferry")

    tmp = tempfile.mkdtemp(prefix="ferry-migration-bench.")
    base = {k: v for k, v in os.environ.items() if not (k.startswith("FERRY_") and "__" in k)}
    base.update({"FERRY_ADMIN_TOKEN": TOKEN, "FERRY_LOG": "warn",
                 "FERRY_MIGRATION__CHECK_INTERVAL_MS": "200", "FERRY_SML__WORKER_INTERVAL_MS": "100"})
    env_a = dict(base, FERRY_SERVER__BIND="127.0.0.1:0", FERRY_DATABASE__URL=f"sqlite://{tmp}/a.db",
                 FERRY_SML__EMULATOR__SOAP_BIND="127.0.0.1:0", FERRY_SML__EMULATOR__DNS_BIND="127.0.0.1:0",
                 FERRY_SML__EMULATOR__DATABASE=f"{tmp}/sml.db")
    log = open(os.path.join(tmp, "ferry.log"), "w")
    procs = []
    try:
        a, a_url, emulator = start(binary, env_a, log, True)
        procs.append(a)
        port_b = free_port()
        env_b = dict(base, FERRY_SERVER__BIND=f"127.0.0.1:{port_b}", FERRY_DATABASE__URL=f"sqlite://{tmp}/b.db",
                     FERRY_SML__MODE="custom", FERRY_SML__URL=emulator["soap"],
                     FERRY_SML__DNS_SERVERS=f'["{emulator["dns"]}"]', FERRY_SML__SMP_ID="FERRY-B",
                     FERRY_SML__ALLOW_HTTP="true",
                     FERRY_SML__CLIENT_CERTIFICATE="certs-test/smp/smp2.crt.pem",
                     FERRY_SML__CLIENT_KEY="certs-test/smp/smp2.key.pem",
                     FERRY_SIGNING__CERTIFICATE="certs-test/smp/smp2.crt.pem",
                     FERRY_SIGNING__KEY="certs-test/smp/smp2.key.pem")
        subprocess.run([binary, "sml", "register-smp", "--logical-address", f"http://127.0.0.1:{port_b}"],
                       cwd=REPO, env=env_b, check=True, stdout=subprocess.DEVNULL)
        b, b_url, _ = start(binary, env_b, log, False)
        procs.append(b)

        n = args.participants
        ids = [participant(i) for i in range(n)]
        print(f"setup: {n} participants at A, registered and prepared", flush=True)
        t0 = time.monotonic()

        def host(p):
            status, body = call("POST", f"{a_url}/api/v1/participants", {"participant": p})
            assert status == 201, (status, body)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(host, ids))
        while True:
            registered = 0
            offset = 0
            while True:
                status, page = call("GET", f"{a_url}/api/v1/participants?limit=1000&offset={offset}")
                registered += sum(1 for it in page["items"] if it["smlState"] == "registered")
                offset += 1000
                if offset >= page["total"]:
                    break
            if registered == n:
                break
            time.sleep(0.5)
        keys = {}

        def prepare(p):
            status, body = call("POST", f"{a_url}/api/v1/participants/{encode(p)}/migration-key", {})
            assert status == 200, (status, body)
            keys[p] = body["migrationKey"]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(prepare, ids))
        print(f"setup took {time.monotonic() - t0:.1f} s", flush=True)

        req = urllib.request.Request(f"{emulator['admin']}/faults", data=json.dumps({"latency_ms": args.latency_ms}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()

        status, body = call("POST", f"{b_url}/api/v1/endpoint-profiles", {
            "name": "bench", "url": "https://ap-b.example.org/as4", "transportProfile": "peppol-transport-as4-v2_0",
            "certificate": open(os.path.join(REPO, "certs-test/ap/ap-valid.b64")).read().strip(),
            "serviceDescription": "B", "technicalContactUrl": "mailto:ops@example.org"})
        assert status == 201, (status, body)
        items = [{"participant": p, "migrationKey": keys[p], "capabilities": [{
            "documentType": DOCTYPE, "process": PROCESS, "endpointProfile": "bench"}]} for p in ids]
        start_t = time.monotonic()
        status, bulk = call("POST", f"{b_url}/api/v1/migrations/bulk", {"items": items})
        assert status == 202, (status, bulk)
        accepted = time.monotonic() - start_t
        while True:
            status, bulk = call("GET", f"{b_url}/api/v1/migrations/bulk/{bulk['id']}")
            if bulk["inProgress"] == 0:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - start_t
        print(f"bulk inbound migration: {n} participants, emulator latency {args.latency_ms} ms per call")
        print(f"  request accepted (all staged) after {accepted:.1f} s")
        print(f"  completed {bulk['completed']}, failed {bulk['failed']}, rejected {len(bulk['rejected'])}")
        print(f"  total {elapsed:.1f} s  (target < 60 s: {'ok' if elapsed < 60 and bulk['completed'] == n else 'MISSED'})")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    import urllib.parse
    main()
