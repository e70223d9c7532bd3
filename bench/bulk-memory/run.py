#!/usr/bin/env python3
"""Peak RSS of `ferry serve` for a hostile bulk-migration body.

Starts the given ferry binary on SQLite (SML off) in a temporary directory, records VmHWM,
POSTs one large body of minimal bulk items (default 62 MiB, over the item limit) and one
inbound migration with 2 million capabilities, then prints the status codes and the peak
RSS before and after. Loopback only; each request is sent once.

    python3 bench/bulk-memory/run.py --ferry target/debug/ferry
"""
import argparse, json, os, socket, subprocess, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def hwm_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

def post(url, body):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": "Bearer ferry-dev-admin-token", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--mib", type=int, default=62)
    args = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tmp = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, FERRY_SERVER__BIND=f"127.0.0.1:{port}", FERRY_SML__MODE="off",
               FERRY_DATABASE__URL=f"sqlite://{tmp}/ferry.db", FERRY_MIGRATION__KEY_FILE=f"{tmp}/k")
    proc = subprocess.Popen([os.path.abspath(args.ferry), "serve"], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert "ferry listening" in line, line
        base = f"http://127.0.0.1:{port}/api/v1"
        before = hwm_kb(proc.pid)
        item = b'{"participant":"iso6523-actorid-upis::0208:0123456749"},'
        n = args.mib * 1024 * 1024 // len(item)
        body = b'{"items":[' + item * (n - 1) + item[:-1] + b']}'
        s1 = post(f"{base}/migrations/bulk", body)
        after_bulk = hwm_kb(proc.pid)
        # As many minimal capabilities as fit in one bulk body, in one item.
        cap = b'{"documentType":"a","process":"b"},'
        m = args.mib * 1024 * 1024 // len(cap)
        body2 = b'{"items":[{"participant":"iso6523-actorid-upis::0208:0123456749","capabilities":[' + cap * (m - 1) + cap[:-1] + b']}]}'
        s2 = post(f"{base}/migrations/bulk", body2)
        after_caps = hwm_kb(proc.pid)
        print(json.dumps({"bulk_items": n, "bulk_status": s1, "capabilities": m, "capabilities_status": s2,
                          "rss_start_mb": round(before / 1024), "rss_peak_after_bulk_mb": round(after_bulk / 1024),
                          "rss_peak_after_capabilities_mb": round(after_caps / 1024)}))
    finally:
        proc.terminate(); proc.wait()

if __name__ == "__main__":
    main()
