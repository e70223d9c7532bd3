#!/usr/bin/env python3
"""Parked import benchmark.

Starts `ferry serve` with the in-process SML emulator on a fresh database, creates an
endpoint profile, writes a CSV dump of N parked participants (identifier,name,country) and
times `ferry parked import` (batches of 100, one SML CreateList per batch). Prints the
time, the importer's peak RSS and the server's (the emulator lives in it), and checks that
the SML holds all N afterwards.

Usage: bench/parked-import/run.py [--participants N] [--database-url URL] [--ferry PATH]
                                  [--workers N]
  --database-url  default: a fresh SQLite file; for PostgreSQL give an empty database.
Standard library only. Uses target/debug/ferry (build it with `cargo build -p ferry`)
unless --ferry is given.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
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


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=100000)
    ap.add_argument("--database-url")
    ap.add_argument("--workers", type=int, help="passed to `ferry parked import --workers`")
    ap.add_argument("--ferry", default=os.path.join(REPO, "target", "debug", "ferry"))
    args = ap.parse_args()
    with open(os.path.join(REPO, "certs-test", "ap", "ap-valid.b64")) as f:
        cert = f.read().strip()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database_url or f"sqlite://{tmp}/ferry.db"
        env = {k: v for k, v in os.environ.items() if not (k.startswith("FERRY_") and "__" in k)}
        env.update({"FERRY_ADMIN_TOKEN": TOKEN, "FERRY_LOG": "warn",
                    "FERRY_SERVER__BIND": f"127.0.0.1:{free_port()}",
                    "FERRY_DATABASE__URL": db,
                    "FERRY_SML__EMULATOR__SOAP_BIND": f"127.0.0.1:{free_port()}",
                    "FERRY_SML__EMULATOR__DNS_BIND": f"127.0.0.1:{free_port()}",
                    "FERRY_SML__EMULATOR__DATABASE": f"{tmp}/sml.db"})
        log = open(f"{tmp}/serve.log", "w")
        serve = subprocess.Popen([args.ferry, "serve"], cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            base = serve.stdout.readline().strip().removeprefix("ferry listening on ")
            serve.stdout.readline()  # the emulator's line
            post(f"{base}/api/v1/endpoint-profiles", {
                "name": "parking", "url": "https://parking.example.org/as4",
                "transportProfile": "peppol-transport-as4-v2_0", "certificate": cert,
                "serviceDescription": "parking AP", "technicalContactUrl": "mailto:ops@example.org"})
            dump = f"{tmp}/dump.csv"
            with open(dump, "w") as f:
                f.write("identifier,name,country\n")
                for i in range(args.participants):
                    f.write(f"iso6523-actorid-upis::9915:parked{i:07d},Parked company {i},BE\n")
            cmd = [args.ferry, "--json", "parked", "import", dump, "--endpoint-profile", "parking",
                   "--document-type", DOCTYPE, "--process", PROCESS]
            if args.workers is not None:
                cmd += ["--workers", str(args.workers)]
            start = time.monotonic()
            out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
            elapsed = time.monotonic() - start
            if out.returncode != 0:
                sys.exit(f"import failed: {out.stderr}")
            importer_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            summary = json.loads(out.stdout)
            serve_kib = peak_rss_kib(serve.pid)
            rec = subprocess.run([args.ferry, "--json", "sml", "reconcile"], cwd=REPO, env=env,
                                 capture_output=True, text=True)
            sml_count = json.loads(rec.stdout).get("smlCount") if rec.stdout else None
        finally:
            serve.terminate()
            serve.wait()
    backend = "postgresql" if db.startswith("postgres") else "sqlite"
    print(f"backend            {backend}")
    print(f"participants       {args.participants}")
    print(f"import time        {elapsed:.1f} s ({args.participants / elapsed:.0f}/s)")
    print(f"created            {summary['created']}  rejected {len(summary['rejected'])}")
    print(f"SML registered     {summary['smlRegistered']} by CreateList, {summary['smlQueued']} left to jobs;"
          f" SML holds {sml_count}")
    print(f"importer peak RSS  {importer_kib / 1024:.1f} MiB")
    print(f"server peak RSS    {serve_kib / 1024:.1f} MiB (with the in-process SML emulator)")


if __name__ == "__main__":
    main()
