#!/usr/bin/env python3
"""Wrong-password flood benchmark.

Starts `ferry serve` with the default configuration (config/ferry.toml: SQLite, the in-process
SML emulator) on loopback, creates the user `alice`, then:

1. timing: 5 wrong Basic logins for `alice` and 5 for a user that does not exist, one after
   the other, from 127.0.0.2; prints the median and minimum answer time of each;
2. flood, one address: N concurrent wrong Basic logins for `alice`, all from 127.0.0.3;
3. flood, N addresses: N concurrent wrong Basic logins, each from its own loopback address
   (127.1.x.y) and for its own unknown user name, so no per-address or per-name limit applies.

For each flood it prints the answers by status, the wall time, and the server's peak RSS and
thread count sampled every 20 ms from /proc/PID/status; at the end VmHWM (peak RSS over the
whole run). The table is also written to bench/out/auth-flood-<UTC time>.txt.

Usage: bench/auth-flood/run.py [--ferry PATH] [--concurrency N]
Standard library only. Uses target/release/ferry when it exists, else target/debug/ferry
(`cargo build [--release] -p ferry`). Linux only (/proc, 127.0.0.0/8 source addresses).
"""

import argparse
import base64
import collections
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "bench-admin-token"
PATH = "/api/v1/participants"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    """VmRSS, VmHWM (KiB) and Threads of a process."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def request(port, method, path, headers=None, body=None, source="127.0.0.1", timeout=900):
    """One request on a fresh connection from `source`; (status, headers, body, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    start = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), data, time.monotonic() - start
    finally:
        conn.close()


def basic(user, password):
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


class Sampler(threading.Thread):
    """Samples the server's RSS and thread count until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.stop_flag = pid, threading.Event()
        self.peak_rss = self.peak_threads = 0

    def run(self):
        while not self.stop_flag.is_set():
            s = proc_status(self.pid)
            self.peak_rss = max(self.peak_rss, s["VmRSS"])
            self.peak_threads = max(self.peak_threads, s["Threads"])
            time.sleep(0.02)

    def stop(self):
        self.stop_flag.set()
        self.join()


def flood(port, pid, n, who):
    """n concurrent requests; who(i) -> (source address, user). Returns a result dict."""
    barrier = threading.Barrier(n)
    statuses = collections.Counter()
    lock = threading.Lock()

    def one(i):
        source, user = who(i)
        barrier.wait()
        try:
            status, _, body, _ = request(port, "GET", PATH, basic(user, "wrong-password"),
                                         source=source)
            code = json.loads(body).get("code", "") if body else ""
            key = f"{status} {code}".strip()
        except Exception as e:  # a refused or reset connection is a result too
            key = f"error {type(e).__name__}"
        with lock:
            statuses[key] += 1

    sampler = Sampler(pid)
    sampler.start()
    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    time.sleep(0.5)
    sampler.stop()
    after = proc_status(pid)
    return {"statuses": dict(sorted(statuses.items())), "seconds": seconds,
            "peak_rss_kib": sampler.peak_rss, "peak_threads": sampler.peak_threads,
            "rss_after_kib": after["VmRSS"]}


def main():
    ap = argparse.ArgumentParser()
    default_bin = os.path.join(REPO, "target", "release", "ferry")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(REPO, "target", "debug", "ferry")
    ap.add_argument("--ferry", default=default_bin)
    ap.add_argument("--concurrency", type=int, default=300)
    args = ap.parse_args()

    lines = []

    def out(text=""):
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not (k.startswith("FERRY_") and "__" in k)}
        env.update({"FERRY_ADMIN_TOKEN": TOKEN, "FERRY_LOG": "warn",
                    "FERRY_SERVER__BIND": f"127.0.0.1:{port}",
                    "FERRY_DATABASE__URL": f"sqlite://{tmp}/ferry.db",
                    "FERRY_SML__EMULATOR__SOAP_BIND": f"127.0.0.1:{free_port()}",
                    "FERRY_SML__EMULATOR__DNS_BIND": f"127.0.0.1:{free_port()}",
                    "FERRY_SML__EMULATOR__DATABASE": f"{tmp}/sml.db"})
        log = open(f"{tmp}/serve.log", "w")
        serve = subprocess.Popen([args.ferry, "serve"], cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            first = serve.stdout.readline()
            if not first.startswith("ferry listening on "):
                sys.exit(f"ferry did not start: {first!r}; see its log")
            # Keep draining stdout so ferry never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in serve.stdout], daemon=True).start()
            status, _, body, _ = request(
                port, "POST", "/api/v1/users",
                {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                json.dumps({"username": "alice", "password": "alice-password",
                            "admin": False}))
            if status != 201:
                sys.exit(f"creating alice: {status} {body!r}")
            status, _, _, _ = request(port, "GET", PATH, basic("alice", "alice-password"))
            if status != 200:
                sys.exit(f"alice's own password was refused: {status}")
            idle = proc_status(serve.pid)

            out(f"ferry: {args.ferry}")
            out(f"idle: VmRSS {idle['VmRSS'] // 1024} MiB, VmHWM {idle['VmHWM'] // 1024} MiB, "
                f"{idle['Threads']} threads")
            out()
            out("timing of one wrong Basic login (5 each, from 127.0.0.2)")
            for label, user in [("known user", "alice"), ("unknown user", "nobody")]:
                times = []
                for _ in range(5):
                    status, _, _, took = request(port, "GET", PATH,
                                                 basic(user, "wrong-password"),
                                                 source="127.0.0.2")
                    times.append(took * 1000)
                out(f"  {label:13} status {status}  median {statistics.median(times):7.1f} ms"
                    f"  min {min(times):7.1f} ms")

            n = args.concurrency
            phases = [
                (f"{n} concurrent wrong logins for alice from one address",
                 lambda i: ("127.0.0.3", "alice")),
                (f"{n} concurrent wrong logins, {n} addresses, {n} unknown user names",
                 lambda i: (f"127.1.{i // 250}.{i % 250 + 1}", f"flood-{i}")),
            ]
            for title, who in phases:
                out()
                out(title)
                r = flood(port, serve.pid, n, who)
                out(f"  answers      {r['statuses']}")
                out(f"  wall time    {r['seconds']:.1f} s")
                out(f"  peak RSS     {r['peak_rss_kib'] // 1024} MiB (sampled every 20 ms), "
                    f"{r['rss_after_kib'] // 1024} MiB after")
                out(f"  peak threads {r['peak_threads']}")
            final = proc_status(serve.pid)
            out()
            out(f"VmHWM (peak RSS of the whole run): {final['VmHWM'] // 1024} MiB")
        finally:
            serve.terminate()
            try:
                serve.wait(timeout=10)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()

    out_dir = os.path.join(REPO, "bench", "out")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, time.strftime("auth-flood-%Y%m%dT%H%M%SZ.txt", time.gmtime()))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"\nwritten to {os.path.relpath(path, REPO)}")


if __name__ == "__main__":
    main()
