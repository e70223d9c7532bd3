#!/usr/bin/env python3
"""Soak test: mixed load against one or two `ferry serve` nodes while the SML emulator
injects faults, then checks that nothing leaked and nothing drifted.

For --minutes N (default 20) it drives, over loopback only:
  * reads (90 %): ServiceGroups and SignedServiceMetadata that exist (hits), and
    participants / document types that do not (misses, 404);
  * writes: participants created over the JSON API with capabilities and deleted (JSON and
    XML DELETE), phoss XML PUTs (ServiceGroup creates, ServiceMetadata updates),
    endpoint-profile updates (re-signing every participant that uses the profile);
  * migrations: bulk inbound migrations by watching (items without keys) and outbound
    prepare/cancel cycles (POST .../migration-key, then POST /api/v1/migrations/{id}/cancel);
  * webhooks: a local receiver subscribed to "*", verifying X-Ferry-Signature on each
    delivery;
while the emulator (inside node 1) cycles through latency, HTTP 503/500, answers dropped
after commit and SOAP faults (InternalError ERR-105).

Targets (exit 1 when one is missed):
  * only injected SML faults may surface, and only as documented problem codes
    (`sml.*`, `dns.*`, with 422 or 503); any other unexpected status or code is a failure;
  * VmRSS of each ferry process at the end within 10 % of its value after the warm-up;
  * every event in the event log delivered to the webhook receiver, every signature valid;
  * after the faults are cleared and pending SML jobs drained, `ferry sml reconcile` finds
    no difference; no participant left `failed` at the SML; no migration left open.

Modes:
  --nodes 1                       one node; SQLite (fresh file) unless --database-url
  --nodes 2 --database-url PG     two nodes on one (empty) PostgreSQL database; node 1 runs
                                  the emulator, node 2 uses it as a `custom` SML with the
                                  same SMP ID and certificate (see README.md)
  --kill-at SECONDS               SIGKILL one node then (--kill-node, default: the last one)
                                  and restart it after --down-seconds; requests to it while
                                  it is down count as "while down", not as errors.

Standard library only. Uses target/release/ferry (build it with
`cargo build --release -p ferry`) unless --ferry is given.
"""

import argparse
import collections
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOKEN = "soak-admin-token"
WEBHOOK_SECRET = "soak-webhook-secret-" + "5" * 24
INVOICE = ("busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
           "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1")
CREDIT_NOTE = ("busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
               "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1")
UNKNOWN_DOCTYPE = "busdox-docid-qns::urn:soak:never-registered::Nothing##urn:soak:none::1.0"
PROCESS = "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
PROFILE = "soak-ap"
DOCUMENTED_FAULT = re.compile(r"^(sml|dns)\.[a-z0-9_]+$")

# Participant number ranges (0208: 8 digits + mod-97 check digits), one per role.
STABLE, JSON_CHURN, XML_CHURN, WATCHED, MISSING = 10_000_000, 11_000_000, 12_000_000, 13_000_000, 19_000_000

# The fault phases the emulator cycles through (one per --phase-seconds).
PHASES = [
    ("none", None),
    ("latency 300 ms", {"latency_ms": 300}),
    ("http 503 x10", {"http_error": {"status": 503, "count": 10}}),
    ("drop after commit x5", {"drop_after_commit": {"count": 5}}),
    ("soap fault ERR-105 x10", {"soap_fault": {"kind": "InternalError", "code": 105,
                                                "message": "injected by the soak test", "count": 10}}),
    ("latency 1500 ms + http 500 x5", {"latency_ms": 1500, "http_error": {"status": 500, "count": 5}}),
]


def participant(base, i):
    n = base + i
    return f"iso6523-actorid-upis::0208:{n:08d}{97 - n % 97:02d}"


def enc(segment):
    return urllib.parse.quote(segment, safe="")


def free_port():
    """A loopback port below the ephemeral range, free for TCP and UDP (the emulator's DNS
    listens on both), so a node can come back on it after a restart."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = min(int(f.read().split()[0]), 32768)
    except OSError:
        high = 32768
    while True:
        port = random.randrange(10000, max(high, 11000))
        try:
            with socket.socket() as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                t.bind(("127.0.0.1", port))
                u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


def memory_kib(pid):
    """VmRSS and its anonymous and file-backed parts (KiB), from /proc/PID/status."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


# ---------------------------------------------------------------------------- nodes


class Node:
    def __init__(self, index, binary, env, workdir, port):
        self.index, self.binary, self.env, self.workdir, self.port = index, binary, env, workdir, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None
        self.down = True
        self.epoch = 0
        self.emulator = {}
        self.started_at = None
        self.restarts = 0
        self.lock = threading.Lock()

    def start(self, timeout=120):
        log = open(os.path.join(self.workdir, f"node{self.index}.log"), "a")
        out = open(os.path.join(self.workdir, f"node{self.index}.stdout"), "a")
        proc = subprocess.Popen([self.binary, "serve"], cwd=REPO, env=self.env, stdout=subprocess.PIPE,
                                stderr=log, text=True, start_new_session=True)
        deadline = time.monotonic() + timeout
        lines = []
        want = 2 if self.env.get("FERRY_SML__MODE", "emulator") == "emulator" else 1
        while len(lines) < want:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"node {self.index} exited before listening; see {log.name}")
            out.write(line)
            out.flush()
            if line.startswith("ferry listening on ") or line.startswith("ferry sml-emulator "):
                lines.append(line.strip())
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {self.index} did not start in {timeout} s")
        url = lines[0].removeprefix("ferry listening on ")
        if url != self.url:
            raise RuntimeError(f"node {self.index} listens on {url}, expected {self.url}")
        if want == 2:
            self.emulator = dict(kv.split("=", 1) for kv in lines[1].split()[2:])

        def drain():  # keep the pipe empty whatever ferry prints later
            for line in proc.stdout:
                out.write(line)
            out.flush()

        threading.Thread(target=drain, daemon=True).start()
        with self.lock:
            self.proc = proc
            self.started_at = time.monotonic()
            self.down = False

    def kill(self):
        with self.lock:
            self.down = True
            self.epoch += 1
            proc = self.proc
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def state(self):
        with self.lock:
            return self.down, self.epoch

    def memory(self):
        return memory_kib(self.proc.pid) if self.proc and not self.down else {}

    def rss(self):
        return self.memory().get("VmRSS")


# ---------------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def code(self):
        if "problem+json" in self.headers.get("content-type", ""):
            doc = self.json()
            if isinstance(doc, dict):
                return doc.get("code")
        return None


class Client:
    """One thread's keep-alive connections, one per node; reopened after an idle second
    (the server closes idle keep-alive connections) or any error."""

    def __init__(self, timeout=60):
        self.timeout = timeout
        self.conns = {}

    def send(self, node, method, path, body=None, content_type=None, auth=True):
        conn, last = self.conns.get(node.index, (None, 0))
        if conn is not None and time.monotonic() - last > 1.0:
            conn.close()
            conn = None
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=self.timeout)
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {TOKEN}"
        if body is not None:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
                content_type = "application/json"
            if isinstance(body, str):
                body = body.encode()
            headers["Content-Type"] = content_type or "application/octet-stream"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        except BaseException:
            conn.close()
            self.conns.pop(node.index, None)
            raise
        if resp.headers.get("connection", "").lower() == "close":
            conn.close()
            self.conns.pop(node.index, None)
        else:
            self.conns[node.index] = (conn, time.monotonic())
        return resp

    def close(self):
        for conn, _ in self.conns.values():
            conn.close()
        self.conns.clear()


# ---------------------------------------------------------------------------- bookkeeping


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.kinds = collections.defaultdict(lambda: {"requests": 0, "ok": 0, "injected": 0, "failures": 0,
                                                      "while_down": 0, "ms_total": 0.0, "ms_max": 0.0})
        self.fault_codes = collections.Counter()
        self.failure_examples = []
        self.failure_signatures = collections.Counter()
        self.notes = collections.Counter()

    def record(self, kind, outcome, ms, example=None, code=None):
        with self.lock:
            k = self.kinds[kind]
            k["requests"] += 1
            k[outcome] += 1
            if outcome != "while_down":
                k["ms_total"] += ms
                k["ms_max"] = max(k["ms_max"], ms)
            if code:
                self.fault_codes[f"{kind} {code}"] += 1
            if example is not None:
                sig = f"{kind} {example['status']} {example.get('code')}"
                self.failure_signatures[sig] += 1
                if self.failure_signatures[sig] <= 3 and len(self.failure_examples) < 40:
                    self.failure_examples.append(example)

    def note(self, what, n=1):
        with self.lock:
            self.notes[what] += n


class Pool:
    """Participants of one role; `take` marks one busy so no two threads work on it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.busy = set()

    def add(self, p):
        with self.lock:
            self.items[p] = time.monotonic()

    def take(self, min_age=0.0):
        with self.lock:
            now = time.monotonic()
            free = [p for p, t in self.items.items() if p not in self.busy and now - t >= min_age]
            if not free:
                return None
            p = random.choice(free)
            self.busy.add(p)
            return p

    def give_back(self, p):
        with self.lock:
            self.busy.discard(p)

    def remove(self, p):
        with self.lock:
            self.busy.discard(p)
            self.items.pop(p, None)

    def pick(self):
        with self.lock:
            return random.choice(list(self.items)) if self.items else None

    def __len__(self):
        with self.lock:
            return len(self.items)


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = 0

    def next(self):
        with self.lock:
            self.n += 1
            return self.n


# ---------------------------------------------------------------------------- webhooks


class Webhooks:
    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries = 0
        self.verified = 0
        self.bad_signature = 0
        self.event_ids = set()
        self.types = collections.Counter()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(expected, self.headers.get("X-Ferry-Signature", ""))
                event = None
                if ok:
                    try:
                        event = json.loads(raw)
                    except ValueError:
                        ok = False
                with outer.lock:
                    outer.deliveries += 1
                    if ok:
                        outer.verified += 1
                        outer.event_ids.add(event.get("id"))
                        outer.types[event.get("type")] += 1
                    else:
                        outer.bad_signature += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self):
        with self.lock:
            return {"deliveries": self.deliveries, "verified": self.verified,
                    "badSignature": self.bad_signature, "distinctEvents": len(self.event_ids),
                    "byType": dict(self.types)}


# ---------------------------------------------------------------------------- the soak


class Soak:
    def __init__(self, args, nodes, workdir):
        self.args = args
        self.nodes = nodes
        self.workdir = workdir
        self.stats = Stats()
        self.stable = Pool()
        self.churn = Pool()
        self.ids = {role: Counter() for role in (JSON_CHURN, XML_CHURN, WATCHED)}
        self.stop = threading.Event()
        self.cert = open(os.path.join(REPO, "certs-test", "ap", "ap-valid.b64")).read().strip()
        self.profile_lock = threading.Lock()
        self.last_profile_update = 0.0
        self.profile_version = Counter()
        self.open_outbound = {}  # migration id -> participant, not yet cancelled
        self.orphan_prepares = set()  # participants whose prepare failed (the SML may hold a key)
        self.bulks = {}  # bulk id -> number of items
        self.mig_lock = threading.Lock()
        self.fault_log = []
        self.rate_lock = threading.Lock()
        self.next_slot = time.monotonic()
        self.events = []  # (t, what)
        self.rss_timeline = []
        self.rss_warm = {}  # (node, epoch) -> memory (KiB) after the warm-up
        self.rss_mid = {}  # (node, epoch) -> memory (KiB) half-way through the load
        self.stuck_cancels = {}  # migration id -> participant: cancel answered sml.err_111
        self.t0 = None

    # -------------------------------------------------------------- helpers

    def log(self, what):
        t = time.monotonic() - self.t0 if self.t0 else 0.0
        self.events.append((round(t, 1), what))
        print(f"[{t:7.1f} s] {what}", flush=True)

    def live_nodes(self):
        return [n for n in self.nodes if not n.down] or self.nodes

    def call(self, client, kind, method, path, body=None, expect=(200,), content_type=None, node=None, auth=True):
        """Sends one request and records its outcome; returns the Response, or None when the
        node was (or went) down or the request failed."""
        node = node or random.choice(self.nodes)
        down_before, epoch = node.state()
        t = time.monotonic()
        try:
            resp = client.send(node, method, path, body, content_type, auth)
        except (OSError, http.client.HTTPException) as e:
            ms = (time.monotonic() - t) * 1000
            down_after, epoch_after = node.state()
            if down_before or down_after or epoch != epoch_after:
                self.stats.record(kind, "while_down", ms)
            else:
                self.stats.record(kind, "failures", ms, example={
                    "kind": kind, "node": node.index, "method": method, "path": path[:160],
                    "status": type(e).__name__, "code": None, "detail": str(e)[:200]})
            return None
        ms = (time.monotonic() - t) * 1000
        if resp.status in expect:
            self.stats.record(kind, "ok", ms)
            return resp
        code = resp.code()
        if code and DOCUMENTED_FAULT.match(code) and resp.status in (422, 503):
            self.stats.record(kind, "injected", ms, code=f"{resp.status} {code}")
            return resp
        down_after, epoch_after = node.state()
        if down_before or down_after or epoch != epoch_after:
            self.stats.record(kind, "while_down", ms)
            return None
        self.stats.record(kind, "failures", ms, example={
            "kind": kind, "node": node.index, "method": method, "path": path[:160], "status": resp.status,
            "code": code, "detail": resp.body[:300].decode("utf-8", "replace")})
        return resp

    def admin(self, client, method, path, body=None, node=None, timeout_s=120):
        """Setup and check requests: retried until they answer (on a live node), not counted."""
        deadline = time.monotonic() + timeout_s
        while True:
            target = node or random.choice(self.live_nodes())
            try:
                return client.send(target, method, path, body)
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def pace(self):
        """Global rate limit over all load threads (--rate requests/s; 0 = unlimited)."""
        if self.args.rate <= 0:
            return
        with self.rate_lock:
            slot = max(self.next_slot, time.monotonic())
            self.next_slot = slot + 1.0 / self.args.rate
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def endpoint(self, url):
        return {"url": url, "transportProfile": "peppol-transport-as4-v2_0", "certificate": self.cert,
                "serviceDescription": "soak AP", "technicalContactUrl": "mailto:ops@example.org"}

    def capabilities(self, tag):
        return [{"documentType": INVOICE, "process": PROCESS, "endpointProfile": PROFILE},
                {"documentType": CREDIT_NOTE, "process": PROCESS,
                 "endpoint": self.endpoint(f"https://ap.example.org/{tag}/as4")}]

    def service_group_xml(self, p):
        scheme, value = p.split("::", 1)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<smp:ServiceGroup xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" '
                f'xmlns:id="http://busdox.org/transport/identifiers/1.0/">'
                f'<id:ParticipantIdentifier scheme="{scheme}">{value}</id:ParticipantIdentifier>'
                f'<smp:ServiceMetadataReferenceCollection/></smp:ServiceGroup>')

    def service_metadata_xml(self, p, doctype, url):
        scheme, value = p.split("::", 1)
        d_scheme, d_value = doctype.split("::", 1)
        pr_scheme, pr_value = PROCESS.split("::", 1)
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<smp:ServiceMetadata xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:id="http://busdox.org/transport/identifiers/1.0/">
  <smp:ServiceInformation>
    <id:ParticipantIdentifier scheme="{scheme}">{value}</id:ParticipantIdentifier>
    <id:DocumentIdentifier scheme="{d_scheme}">{d_value.replace('&', '&amp;')}</id:DocumentIdentifier>
    <smp:ProcessList><smp:Process>
      <id:ProcessIdentifier scheme="{pr_scheme}">{pr_value}</id:ProcessIdentifier>
      <smp:ServiceEndpointList>
        <smp:Endpoint transportProfile="peppol-transport-as4-v2_0">
          <wsa:EndpointReference><wsa:Address>{url}</wsa:Address></wsa:EndpointReference>
          <smp:RequireBusinessLevelSignature>false</smp:RequireBusinessLevelSignature>
          <smp:Certificate>{self.cert}</smp:Certificate>
          <smp:ServiceDescription>soak XML PUT</smp:ServiceDescription>
          <smp:TechnicalContactUrl>mailto:ops@example.org</smp:TechnicalContactUrl>
        </smp:Endpoint>
      </smp:ServiceEndpointList>
    </smp:Process></smp:ProcessList>
  </smp:ServiceInformation>
</smp:ServiceMetadata>
"""

    # -------------------------------------------------------------- setup

    def setup(self):
        c = Client()
        n1 = self.nodes[0]
        r = c.send(n1, "POST", "/api/v1/webhooks", {"url": self.webhooks.url, "events": ["*"], "secret": WEBHOOK_SECRET})
        assert r.status == 201, (r.status, r.body)
        r = c.send(n1, "POST", "/api/v1/endpoint-profiles", dict(name=PROFILE, **self.endpoint("https://ap.example.org/profile-0/as4")))
        assert r.status == 201, (r.status, r.body)
        ids = [participant(STABLE, i) for i in range(self.args.stable)]
        errors = []

        def create(chunk):
            cc = Client()
            for p in chunk:
                r = cc.send(random.choice(self.nodes), "POST", "/api/v1/participants",
                            {"participant": p, "capabilities": self.capabilities("stable")})
                if r.status != 201:
                    errors.append((p, r.status, r.body[:200]))
            cc.close()

        threads = [threading.Thread(target=create, args=(ids[i::4],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError(f"setup: {len(errors)} participants not created, e.g. {errors[:3]}")
        deadline = time.monotonic() + 300
        while True:
            states = self.sml_states(c)
            pending = [p for p in ids if states.get(p) != "registered"]
            if not pending:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"setup: {len(pending)} stable participants not registered after 300 s")
            time.sleep(1)
        for p in ids:
            self.stable.add(p)
        c.close()

    def sml_states(self, client):
        states, offset = {}, 0
        while True:
            r = self.admin(client, "GET", f"/api/v1/participants?limit=1000&offset={offset}")
            page = r.json()
            for it in page["items"]:
                states[it["participant"]] = it["smlState"]
            offset += 1000
            if offset >= page["total"]:
                return states

    # -------------------------------------------------------------- load

    def load_worker(self):
        c = Client()
        while not self.stop.is_set():
            self.pace()
            if self.stop.is_set():
                break
            if random.random() < 0.9:
                self.read(c)
            else:
                self.write(c)
        c.close()

    def read(self, c):
        r = random.random()
        if r < 0.4:
            p = self.stable.pick()
            path = f"/{enc(p)}" if random.random() < 0.7 else f"/{enc(p)}/services"
            self.call(c, "read.servicegroup.hit", "GET", path, auth=False)
        elif r < 0.8:
            p = self.stable.pick()
            doctype = INVOICE if random.random() < 0.6 else CREDIT_NOTE
            self.call(c, "read.metadata.hit", "GET", f"/{enc(p)}/services/{enc(doctype)}", auth=False)
        else:
            missing = participant(MISSING, random.randrange(1_000_000))
            choice = random.random()
            if choice < 0.4:
                self.call(c, "read.miss", "GET", f"/{enc(missing)}", expect=(404,), auth=False)
            elif choice < 0.8:
                self.call(c, "read.miss", "GET", f"/{enc(missing)}/services/{enc(INVOICE)}", expect=(404,), auth=False)
            else:
                p = self.stable.pick()
                self.call(c, "read.miss", "GET", f"/{enc(p)}/services/{enc(UNKNOWN_DOCTYPE)}", expect=(404,), auth=False)

    def write(self, c):
        op = random.choices(["json_create", "xml_create", "delete", "xml_put_metadata", "profile_update"],
                            weights=[20, 10, 30, 30, 10])[0]
        n = len(self.churn)
        if op in ("json_create", "xml_create") and n > self.args.churn_target:
            op = "xml_put_metadata"
        elif op == "delete" and n < self.args.churn_target // 4:
            op = "json_create"
        getattr(self, op)(c)

    def json_create(self, c):
        p = participant(JSON_CHURN, self.ids[JSON_CHURN].next())
        r = self.call(c, "write.json.create", "POST", "/api/v1/participants",
                      {"participant": p, "capabilities": self.capabilities("json")}, expect=(201,))
        if r is not None and r.status == 201:
            self.churn.add(p)

    def xml_create(self, c):
        p = participant(XML_CHURN, self.ids[XML_CHURN].next())
        node = random.choice(self.nodes)
        r = self.call(c, "write.xml.put_servicegroup", "PUT", f"/{enc(p)}", self.service_group_xml(p),
                      content_type="text/xml", node=node)
        if r is None or r.status != 200:
            return
        r = self.call(c, "write.xml.put_metadata", "PUT", f"/{enc(p)}/services/{enc(INVOICE)}",
                      self.service_metadata_xml(p, INVOICE, "https://ap.example.org/xml/as4"),
                      content_type="text/xml", node=node)
        self.churn.add(p)

    def delete(self, c):
        p = self.churn.take(min_age=2.0)
        if p is None:
            return self.json_create(c)
        if random.random() < 0.5:
            r = self.call(c, "write.json.delete", "DELETE", f"/api/v1/participants/{enc(p)}", expect=(204,))
        else:
            r = self.call(c, "write.xml.delete", "DELETE", f"/{enc(p)}", expect=(200,))
        if r is None or r.status in (200, 204):
            # Gone, or unknown (the node died under the request): either way out of the pool.
            self.churn.remove(p)
        else:
            self.churn.give_back(p)

    def xml_put_metadata(self, c):
        pool = self.churn if random.random() < 0.5 and len(self.churn) else self.stable
        p = pool.take(min_age=1.0)
        if p is None:
            return
        try:
            v = random.randrange(1000)
            r = self.call(c, "write.xml.put_metadata", "PUT", f"/{enc(p)}/services/{enc(CREDIT_NOTE)}",
                          self.service_metadata_xml(p, CREDIT_NOTE, f"https://ap.example.org/xml-{v}/as4"),
                          content_type="text/xml")
        finally:
            pool.give_back(p)

    def profile_update(self, c):
        with self.profile_lock:
            if time.monotonic() - self.last_profile_update < self.args.profile_every:
                return self.xml_put_metadata(c)
            self.last_profile_update = time.monotonic()
        v = self.profile_version.next()
        self.call(c, "write.profile.update", "PUT", f"/api/v1/endpoint-profiles/{PROFILE}",
                  self.endpoint(f"https://ap.example.org/profile-{v}/as4"))

    # -------------------------------------------------------------- migrations

    def outbound_worker(self):
        c = Client()
        while not self.stop.wait(self.args.outbound_every):
            self.retry_open_cancels(c)
            p = self.stable.take()
            if p is None:
                continue
            try:
                self.outbound_cycle(c, p)
            finally:
                self.stable.give_back(p)
        c.close()

    def outbound_cycle(self, c, p, kind_prefix="mig.outbound"):
        r = self.call(c, f"{kind_prefix}.prepare", "POST", f"/api/v1/participants/{enc(p)}/migration-key", {})
        if r is None or r.status != 200:
            # Unanswered or refused: the SML may hold a key nobody knows (answer lost after commit).
            with self.mig_lock:
                self.orphan_prepares.add(p)
            return False
        with self.mig_lock:
            self.orphan_prepares.discard(p)
        mid = r.json()["migrationId"]
        with self.mig_lock:
            self.open_outbound[mid] = p
        return self.cancel(c, mid, kind_prefix)

    def cancel(self, c, mid, kind_prefix="mig.outbound"):
        r = self.call(c, f"{kind_prefix}.cancel", "POST", f"/api/v1/migrations/{mid}/cancel", {})
        if r is not None and r.status == 200:
            with self.mig_lock:
                self.open_outbound.pop(mid, None)
            return True
        if r is not None and r.code() == "sml.err_111":
            # The SML has no migration record any more: an earlier cancel went through but its
            # answer was lost. Retrying cannot help; the final cleanup prepares a new key first.
            self.stats.note("cancel answered sml.err_111 (no migration record at the SML)")
            with self.mig_lock:
                p = self.open_outbound.pop(mid, None)
                if p:
                    self.stuck_cancels[mid] = p
        return False

    def retry_open_cancels(self, c):
        with self.mig_lock:
            open_ids = list(self.open_outbound)
        for mid in open_ids:
            self.cancel(c, mid)

    def bulk_worker(self):
        c = Client()
        while not self.stop.wait(self.args.bulk_every):
            items = []
            for _ in range(self.args.bulk_size):
                p = participant(WATCHED, self.ids[WATCHED].next())
                items.append({"participant": p, "capabilities": self.capabilities("watched")[:1]})
            r = self.call(c, "mig.bulk.create", "POST", "/api/v1/migrations/bulk", {"items": items}, expect=(202,))
            if r is not None and r.status == 202:
                body = r.json()
                with self.mig_lock:
                    self.bulks[body["id"]] = len(items)
                if body.get("rejected"):
                    self.stats.note("bulk items rejected", len(body["rejected"]))
            self.poll_bulks(c)
        c.close()

    def poll_bulks(self, c, record=True):
        """Moves finished bulks' completed participants to the churn pool; returns how many
        bulks are still in progress."""
        with self.mig_lock:
            ids = list(self.bulks)
        unfinished = 0
        for bid in ids:
            if record:
                r = self.call(c, "mig.bulk.progress", "GET", f"/api/v1/migrations/bulk/{bid}")
            else:
                r = self.admin(c, "GET", f"/api/v1/migrations/bulk/{bid}")
            if r is None or r.status != 200:
                unfinished += 1
                continue
            body = r.json()
            if body["inProgress"] > 0:
                unfinished += 1
                continue
            offset = 0
            while True:
                page = self.admin(c, "GET", f"/api/v1/migrations?bulkId={bid}&limit=100&offset={offset}").json()
                for m in page["items"]:
                    if m["status"] == "completed":
                        self.churn.add(m["participant"])
                    else:
                        self.stats.note(f"bulk item ended {m['status']} ({m.get('errorCode')})")
                offset += 100
                if offset >= page["total"]:
                    break
            self.stats.note("bulk items completed", body["completed"])
            with self.mig_lock:
                self.bulks.pop(bid, None)
        return unfinished

    # -------------------------------------------------------------- faults, kill, RSS

    def emulator_admin(self, method, body=None):
        n1 = self.nodes[0]
        admin = n1.emulator.get("admin")
        if not admin or n1.down:
            return None
        u = urllib.parse.urlsplit(admin)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, "/faults", body=json.dumps(body) if body is not None else None, headers=headers)
            r = conn.getresponse()
            data = r.read()
            return json.loads(data) if data else {}
        except (OSError, http.client.HTTPException, ValueError):
            return None
        finally:
            conn.close()

    def fault_worker(self):
        i = 0
        while not self.stop.is_set():
            name, plan = PHASES[i % len(PHASES)]
            before = self.emulator_admin("GET")  # what the previous phase left unconsumed
            self.emulator_admin("DELETE")
            applied = plan is None or self.emulator_admin("POST", plan) is not None
            self.fault_log.append({"t": round(time.monotonic() - self.t0, 1), "phase": name,
                                   "applied": applied, "leftFromPrevious": before})
            self.stats.note(f"fault phase {name}" + ("" if applied else " (emulator unreachable)"))
            i += 1
            self.stop.wait(self.args.phase_seconds)
        self.emulator_admin("DELETE")

    def kill_worker(self):
        if self.stop.wait(self.args.kill_at):
            return
        node = self.nodes[self.args.kill_node - 1]
        self.log(f"SIGKILL node {node.index} (pid {node.proc.pid}, VmRSS {node.rss()} KiB)")
        node.kill()
        self.stop.wait(self.args.down_seconds)
        t = time.monotonic()
        node.start()
        node.restarts += 1
        self.log(f"node {node.index} back after {self.args.down_seconds + time.monotonic() - t:.1f} s (pid {node.proc.pid})")
        self.restarted_at = node.started_at

    def rss_worker(self):
        while not self.stop.wait(10):
            now = time.monotonic()
            sample = {n.index: n.memory() for n in self.nodes}
            self.rss_timeline.append((round(now - self.t0), {i: m.get("VmRSS") for i, m in sample.items()}))
            for n in self.nodes:
                # The baseline: --warmup seconds after the start of the load or the node's restart.
                key = (n.index, n.epoch)
                if sample[n.index] and key not in self.rss_warm and now - max(n.started_at, self.t0) >= self.args.warmup:
                    self.rss_warm[key] = sample[n.index]
                # A second baseline half-way through the load, to tell a slow warm-up from a leak.
                if sample[n.index] and key not in self.rss_mid and now - self.t0 >= self.args.minutes * 30 \
                        and now - n.started_at >= self.args.warmup:
                    self.rss_mid[key] = sample[n.index]

    # -------------------------------------------------------------- run

    def run(self):
        self.webhooks = Webhooks()
        self.log("setup: webhook, endpoint profile, stable participants")
        self.setup()
        self.log(f"setup done: {len(self.stable)} stable participants registered")
        self.t0 = time.monotonic()
        self.restarted_at = None
        threads = [threading.Thread(target=self.load_worker) for _ in range(self.args.threads)]
        threads += [threading.Thread(target=self.outbound_worker), threading.Thread(target=self.bulk_worker),
                    threading.Thread(target=self.fault_worker), threading.Thread(target=self.rss_worker)]
        if self.args.kill_at is not None:
            threads.append(threading.Thread(target=self.kill_worker))
        for t in threads:
            t.start()
        end = self.t0 + self.args.minutes * 60
        last = 0
        try:
            while time.monotonic() < end:
                time.sleep(min(5, max(0.1, end - time.monotonic())))
                if time.monotonic() - last >= 60:
                    last = time.monotonic()
                    total = sum(k["requests"] for k in self.stats.kinds.values())
                    fails = sum(k["failures"] for k in self.stats.kinds.values())
                    self.log(f"{total} requests, {fails} failures, churn pool {len(self.churn)}, "
                             f"RSS {[n.rss() for n in self.nodes]} KiB, webhooks {self.webhooks.snapshot()['deliveries']}")
        except KeyboardInterrupt:
            self.log("interrupted: finishing early")
        self.stop.set()
        load_seconds = time.monotonic() - self.t0
        for t in threads:
            t.join(timeout=180)
        rss_end = {n.index: n.memory() for n in self.nodes}
        self.log(f"load stopped after {load_seconds:.0f} s; memory at the end {rss_end} KiB")
        return self.finish(load_seconds, rss_end)

    def finish(self, load_seconds, rss_end):
        c = Client()
        self.emulator_admin("DELETE")
        self.log("faults cleared; cancelling open outbound migrations, cleaning up failed prepares")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with self.mig_lock:
                open_ids, orphans = list(self.open_outbound), list(self.orphan_prepares)
                orphans += list(self.stuck_cancels.values())
                self.stuck_cancels.clear()
            if not open_ids and not orphans:
                break
            for mid in open_ids:
                self.cancel(c, mid, "final.outbound")
            for p in orphans:
                # A fresh key replaces whatever the SML holds; cancelling consumes it.
                self.outbound_cycle(c, p, "final.outbound")
            time.sleep(1)
        self.log("waiting for bulk migrations to finish")
        deadline = time.monotonic() + self.args.drain_timeout
        while self.poll_bulks(c, record=False) and time.monotonic() < deadline:
            time.sleep(2)
        self.log("draining SML jobs")
        drain_start = time.monotonic()
        drained = False
        while time.monotonic() - drain_start < self.args.drain_timeout:
            states = self.sml_states(c)
            pending = sum(1 for s in states.values() if s in ("pending", "migrating"))
            rec = self.reconcile()
            if pending == 0 and rec.get("pendingJobs") == 0:
                drained = True
                break
            time.sleep(3)
        drain_seconds = time.monotonic() - drain_start
        states = self.sml_states(c)
        state_counts = dict(collections.Counter(states.values()))
        self.log(f"drained={drained} after {drain_seconds:.0f} s; participants by smlState {state_counts}")

        migrations = collections.Counter()
        offset = 0
        while True:
            page = self.admin(c, "GET", f"/api/v1/migrations?limit=1000&offset={offset}").json()
            for m in page["items"]:
                migrations[f"{m['direction']} {m['status']}"] += 1
            offset += 1000
            if offset >= page["total"]:
                break
        open_migrations = {k: v for k, v in migrations.items()
                           if k.split()[1] not in ("completed", "cancelled", "failed")}
        failed_migrations = {k: v for k, v in migrations.items() if k.split()[1] == "failed"}

        self.log("waiting for webhook deliveries")
        logged = self.event_ids(c)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with self.webhooks.lock:
                missing = logged - self.webhooks.event_ids
            if not missing:
                break
            time.sleep(2)
            logged = self.event_ids(c)
        with self.webhooks.lock:
            missing = logged - self.webhooks.event_ids
        hooks = self.webhooks.snapshot()
        hooks["eventsLogged"] = len(logged)
        hooks["notDelivered"] = len(missing)
        hooks["notDeliveredExamples"] = sorted(missing)[:5]
        # At-least-once: a delivery may arrive more than once (lost answers; with several
        # nodes, every node that sees a due delivery posts it, only the record is guarded).
        hooks["duplicates"] = hooks["verified"] - hooks["distinctEvents"]

        metrics = {}
        for n in self.nodes:
            try:
                body = c.send(n, "GET", "/metrics", auth=False).body.decode()
                metrics[n.index] = {line.split()[0]: float(line.split()[1]) for line in body.splitlines()
                                    if line.startswith("ferry_http_requests_total") and 'status="5xx"' in line
                                    or line.startswith("ferry_cache_entries")
                                    or line.startswith("ferry_worker_restarts_total")}
            except (OSError, http.client.HTTPException, IndexError, ValueError):
                metrics[n.index] = None

        self.log("ferry sml reconcile")
        rec = self.reconcile()
        c.close()

        rss = {}
        for n in self.nodes:
            warm = self.rss_warm.get((n.index, n.epoch), {})
            end = rss_end.get(n.index, {})
            mid = self.rss_mid.get((n.index, n.epoch), {})

            def growth(key):
                if warm.get(key) and end.get(key):
                    return round((end[key] / warm[key] - 1) * 100, 1)
                return None

            rss[n.index] = {"warmKiB": warm.get("VmRSS"), "endKiB": end.get("VmRSS"), "growthPercent": growth("VmRSS"),
                            "anonWarmKiB": warm.get("RssAnon"), "anonEndKiB": end.get("RssAnon"),
                            "anonGrowthPercent": growth("RssAnon"),
                            "fileWarmKiB": warm.get("RssFile"), "fileEndKiB": end.get("RssFile"),
                            "midKiB": mid.get("VmRSS"),
                            "growthFromMidPercent": round((end["VmRSS"] / mid["VmRSS"] - 1) * 100, 1)
                            if mid.get("VmRSS") and end.get("VmRSS") else None,
                            "restarts": n.restarts}
        kinds = {}
        for kind, k in sorted(self.stats.kinds.items()):
            answered = k["requests"] - k["while_down"]
            kinds[kind] = {"requests": k["requests"], "ok": k["ok"], "injectedFaults": k["injected"],
                           "failures": k["failures"], "whileDown": k["while_down"],
                           "faultRatePercent": round(100 * k["injected"] / answered, 2) if answered else 0.0,
                           "meanMs": round(k["ms_total"] / answered, 1) if answered else None,
                           "maxMs": round(k["ms_max"], 1)}
        total = sum(k["requests"] for k in kinds.values())
        reads = sum(k["requests"] for name, k in kinds.items() if name.startswith("read."))
        failures = sum(k["failures"] for k in kinds.values())
        targets = {
            "noUnexpectedErrors": failures == 0,
            "rssGrowthUnder10Percent": all(r["growthPercent"] is not None and r["growthPercent"] < 10 for r in rss.values()),
            "webhooksAllDeliveredAndVerified": hooks["badSignature"] == 0 and hooks["notDelivered"] == 0,
            "smlJobsDrained": drained,
            "reconcileClean": rec.get("exit") == 0 and rec.get("differences") == 0,
            "noParticipantFailedAtSml": state_counts.get("failed", 0) == 0,
            "noMigrationLeftOpenOrFailed": not open_migrations and not failed_migrations,
        }
        return {
            "config": {"nodes": len(self.nodes), "database": "postgresql" if self.args.database_url else "sqlite",
                       "minutes": self.args.minutes, "loadSeconds": round(load_seconds), "threads": self.args.threads,
                       "rate": self.args.rate, "killAt": self.args.kill_at,
                       "killNode": self.args.kill_node if self.args.kill_at is not None else None,
                       "stable": self.args.stable, "workdir": self.workdir},
            "requests": {"total": total, "perSecond": round(total / load_seconds, 1) if load_seconds else 0,
                         "readSharePercent": round(100 * reads / total, 1) if total else 0, "failures": failures,
                         "whileDown": sum(k["whileDown"] for k in kinds.values())},
            "kinds": kinds,
            "injectedFaultCodes": dict(self.stats.fault_codes),
            "failureExamples": self.stats.failure_examples,
            "failureSignatures": dict(self.stats.failure_signatures),
            "notes": dict(self.stats.notes),
            "faultPhases": self.fault_log,
            "rss": rss,
            "rssTimeline": self.rss_timeline,
            "webhooks": hooks,
            "drain": {"drained": drained, "seconds": round(drain_seconds), "smlStates": state_counts},
            "migrations": dict(migrations),
            "metrics": metrics,
            "reconcile": rec,
            "timeline": self.events,
            "targets": targets,
            "ok": all(targets.values()),
        }

    def event_ids(self, c):
        ids, after = set(), 0
        while True:
            batch = self.admin(c, "GET", f"/api/v1/events?after={after}&limit=1000").json()
            if not batch:
                return ids
            ids.update(e["id"] for e in batch)
            after = batch[-1]["seq"]

    def reconcile(self):
        out = subprocess.run([self.args.ferry, "--json", "sml", "reconcile"], cwd=REPO, env=self.nodes[0].env,
                             capture_output=True, text=True, timeout=300)
        try:
            report = json.loads(out.stdout)
        except ValueError:
            report = {"stdout": out.stdout[-500:]}
        report["exit"] = out.returncode
        if out.returncode not in (0, 4):
            report["stderr"] = out.stderr[-500:]
        report["differences"] = (len(report.get("missingAtSml", [])) + len(report.get("unknownAtSml", []))
                                 + len(report.get("staleState", []))) if "smlCount" in report else None
        return report


# ---------------------------------------------------------------------------- report


def table(report):
    lines = []
    cfg = report["config"]
    lines.append(f"soak: {cfg['nodes']} node(s), {cfg['database']}, {cfg['loadSeconds']} s of load"
                 + (f", node {cfg['killNode']} killed at {cfg['killAt']} s" if cfg["killAt"] is not None else ""))
    rq = report["requests"]
    lines.append(f"requests {rq['total']} ({rq['perSecond']}/s, {rq['readSharePercent']} % reads), "
                 f"failures {rq['failures']}, while down {rq['whileDown']}")
    lines.append("")
    lines.append(f"{'kind':34} {'requests':>9} {'ok':>9} {'injected':>9} {'fault %':>8} {'failures':>9} {'down':>6} {'mean ms':>8} {'max ms':>9}")
    for kind, k in report["kinds"].items():
        lines.append(f"{kind:34} {k['requests']:9} {k['ok']:9} {k['injectedFaults']:9} {k['faultRatePercent']:8} "
                     f"{k['failures']:9} {k['whileDown']:6} {k['meanMs'] if k['meanMs'] is not None else '-':>8} {k['maxMs']:9}")
    lines.append("")
    if report["injectedFaultCodes"]:
        lines.append("injected faults that surfaced: " + ", ".join(f"{k} x{v}" for k, v in sorted(report["injectedFaultCodes"].items())))
    for ex in report["failureExamples"][:10]:
        lines.append(f"FAILURE {ex['kind']} node {ex['node']} {ex['method']} {ex['path']}: {ex['status']} {ex.get('code')} {ex['detail'][:160]}")
    for i, r in report["rss"].items():
        lines.append(f"node {i} VmRSS: after warm-up {r['warmKiB']} KiB, at the end {r['endKiB']} KiB, "
                     f"growth {r['growthPercent']} % (restarts {r['restarts']}); anonymous {r['anonWarmKiB']} -> "
                     f"{r['anonEndKiB']} KiB ({r['anonGrowthPercent']} %), file-backed {r['fileWarmKiB']} -> {r['fileEndKiB']} KiB; "
                     f"from half-way ({r['midKiB']} KiB): {r['growthFromMidPercent']} %")
    h = report["webhooks"]
    lines.append(f"webhooks: {h['deliveries']} deliveries, {h['verified']} verified, {h['badSignature']} bad signatures; "
                 f"{h['distinctEvents']} distinct events of {h['eventsLogged']} logged, {h['notDelivered']} not delivered, "
                 f"{h['duplicates']} duplicates")
    d = report["drain"]
    lines.append(f"drain: {'done' if d['drained'] else 'NOT DONE'} in {d['seconds']} s; participants by smlState {d['smlStates']}")
    lines.append(f"migrations: {report['migrations']}")
    rec = report["reconcile"]
    lines.append(f"reconcile: exit {rec.get('exit')}, SML {rec.get('smlCount')}, local {rec.get('localCount')}, "
                 f"differences {rec.get('differences')}, pending jobs {rec.get('pendingJobs')}")
    lines.append("")
    for name, ok in report["targets"].items():
        lines.append(f"  {'ok    ' if ok else 'MISSED'} {name}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--nodes", type=int, choices=(1, 2), default=1)
    ap.add_argument("--database-url", help="postgres://… (an empty database); default: a fresh SQLite file")
    ap.add_argument("--kill-at", type=float, help="SIGKILL a node this many seconds into the load, then restart it")
    ap.add_argument("--kill-node", type=int, help="which node --kill-at kills (default: the last one)")
    ap.add_argument("--down-seconds", type=float, default=5)
    ap.add_argument("--threads", type=int, default=4, help="load threads (default 4)")
    ap.add_argument("--rate", type=float, default=250, help="requests/s over all load threads; 0 = as fast as they go")
    ap.add_argument("--stable", type=int, default=200, help="participants read throughout (default 200)")
    ap.add_argument("--churn-target", type=int, default=150, help="created/deleted participants kept around")
    ap.add_argument("--phase-seconds", type=float, default=20, help="length of each fault phase")
    ap.add_argument("--outbound-every", type=float, default=2, help="seconds between outbound prepare/cancel cycles")
    ap.add_argument("--bulk-every", type=float, default=15, help="seconds between bulk watch requests")
    ap.add_argument("--bulk-size", type=int, default=10)
    ap.add_argument("--profile-every", type=float, default=10, help="at least this many seconds between profile updates")
    ap.add_argument("--warmup", type=float, default=60, help="RSS baseline this many seconds into the load")
    ap.add_argument("--drain-timeout", type=float, default=600)
    ap.add_argument("--ferry", default=os.path.join(REPO, "target", "release", "ferry"))
    ap.add_argument("--json-out", help="also write the JSON report here")
    args = ap.parse_args()
    if args.nodes == 2 and not (args.database_url or "").startswith("postgres"):
        ap.error("--nodes 2 needs --database-url postgres://…")
    if args.kill_node is None:
        args.kill_node = args.nodes
    if not 1 <= args.kill_node <= args.nodes:
        ap.error("--kill-node must name a node")
    if args.kill_at is not None and args.kill_at >= args.minutes * 60:
        ap.error("--kill-at must fall within the run")
    if not os.access(args.ferry, os.X_OK):
        sys.exit(f"{args.ferry} not found: cargo build --release -p ferry (or pass --ferry)")
    args.ferry = os.path.abspath(args.ferry)

    workdir = tempfile.mkdtemp(prefix="ferry-soak.")
    base = {k: v for k, v in os.environ.items() if not (k.startswith("FERRY_") and "__" in k)}
    base.update({"FERRY_ADMIN_TOKEN": TOKEN, "FERRY_LOG": "warn",
                 "FERRY_MIGRATION__KEY_FILE": os.path.join(workdir, "migration.key")})
    db = args.database_url or f"sqlite://{workdir}/ferry.db"
    ports = [free_port() for _ in range(args.nodes)]
    soap, dns = free_port(), free_port()
    public = f"http://127.0.0.1:{ports[0]}"
    nodes = []
    env1 = dict(base, FERRY_DATABASE__URL=db, FERRY_SERVER__BIND=f"127.0.0.1:{ports[0]}",
                FERRY_SERVER__PUBLIC_URL=public,
                FERRY_SML__EMULATOR__SOAP_BIND=f"127.0.0.1:{soap}", FERRY_SML__EMULATOR__DNS_BIND=f"127.0.0.1:{dns}",
                FERRY_SML__EMULATOR__DATABASE=os.path.join(workdir, "sml-emulator.db"))
    nodes.append(Node(1, args.ferry, env1, workdir, ports[0]))
    print(f"workdir {workdir} (logs, databases)", flush=True)
    try:
        nodes[0].start()
        if args.nodes == 2:
            # Node 2: the same SMP (ID, certificate, public URL, migration key file) on the same
            # database, talking to node 1's emulator as a `custom` SML.
            emu = nodes[0].emulator
            env2 = dict(base, FERRY_DATABASE__URL=db, FERRY_SERVER__BIND=f"127.0.0.1:{ports[1]}",
                        FERRY_SERVER__PUBLIC_URL=public,
                        FERRY_SML__MODE="custom", FERRY_SML__URL=emu["soap"], FERRY_SML__DNS_ZONE="sml.ferry.local.",
                        FERRY_SML__DNS_SERVERS=f'["{emu["dns"]}"]', FERRY_SML__ALLOW_HTTP="true")
            nodes.append(Node(2, args.ferry, env2, workdir, ports[1]))
            nodes[1].start()
        soak = Soak(args, nodes, workdir)
        report = soak.run()
    finally:
        for n in nodes:
            n.stop()
    text = json.dumps(report, indent=2, default=str)
    print(text)
    print()
    print(table(report))
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(text)
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
