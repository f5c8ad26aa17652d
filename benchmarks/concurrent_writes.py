"""Queries while a municipality writes: the reproduction of issue 23, as a benchmark.

A server on an on-disk store (`kuntagraph load data --store S`, `serve --store S`); two clients asking
`SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }` with `Cache-Control: no-cache` in a loop; and, in the
second window, one client replacing graph 491 with `PUT /store?graph=…` (its own credential, a valid graph with
one changed label) as fast as it is answered. Prints the queries, the writes, every answer that was not a 200
(a 503 from the store was the bug), the distinct counts seen (each must be that of a version of the data), and
the queries per second with the writer over those without it (the baseline, measured in the same run).

    .venv/bin/python benchmarks/concurrent_writes.py                # 2 x 40 s
    .venv/bin/python benchmarks/concurrent_writes.py --seconds 300 --baseline-seconds 60  # 5 minutes of writes
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "kuntagraph.cli"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
G491 = "https://w3id.org/kuntagraph/graph/491"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args) -> str:
    done = subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode:
        sys.exit(f"kuntagraph {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stdout


def window(url: str, seconds: float, secret: str | None) -> dict:
    """Two readers, and a writer when `secret` is given, for `seconds`."""
    end = time.monotonic() + seconds
    statuses, counts, writes, lock = Counter(), Counter(), Counter(), threading.Lock()
    body = (ROOT / "data" / "491.ttl").read_text(encoding="utf-8")

    def read():
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.monotonic() < end:
                r = c.get("/sparql", params={"query": COUNT}, headers={"accept": "application/sparql-results+json",
                                                                       "cache-control": "no-cache"})
                with lock:
                    statuses[r.status_code] += 1
                    if r.status_code == 200:
                        counts[int(r.json()["results"]["bindings"][0]["n"]["value"])] += 1

    def write():
        with httpx.Client(base_url=url, timeout=60) as c:
            k = 0
            while time.monotonic() < end:
                k += 1
                r = c.put("/store", params={"graph": G491}, content=body.replace('"Mikkeli"@fi', f'"Mikkeli {k}"@fi').encode(),
                          headers={"authorization": f"Bearer {secret}", "content-type": "text/turtle"})
                writes[r.status_code] += 1

    threads = [threading.Thread(target=read) for _ in range(2)] + ([threading.Thread(target=write)] if secret else [])
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    queries = sum(statuses.values())
    return {"seconds": round(took, 1), "queries": queries, "queries_per_s": round(queries / took, 1),
            "answers": dict(statuses), "not_200": queries - statuses[200], "distinct_counts": dict(counts),
            "writes": dict(writes), "writes_acknowledged": sum(n for s, n in writes.items() if s in (200, 201, 204))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=40.0, help="the window with the writer (default 40)")
    ap.add_argument("--baseline-seconds", type=float, default=None, help="the window without (default: --seconds)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kuntagraph-writes-") as tmp:
        store = Path(tmp) / "store"
        cli("load", ROOT / "data", "--store", store)
        secret = cli("token", "create", "--kunta", "491", "--store", store).strip().splitlines()[-1]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(Path(tmp) / "server.log", "w+") as log:
            server = subprocess.Popen([*CLI, "serve", "--store", str(store), "--port", str(port)], cwd=ROOT,
                                      stdout=log, stderr=subprocess.STDOUT)
            try:
                for _ in range(600):
                    try:
                        if httpx.get(url + "/health/ready", timeout=5).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)
                baseline = window(url, args.baseline_seconds or args.seconds, None)
                with_writer = window(url, args.seconds, secret)
            finally:
                server.terminate()
                server.wait(30)
            log.seek(0)
            errors = [line for line in log if "Traceback" in line or "Corruption" in line or "Error" in line]
    doc = {"without_writer": baseline, "with_writer": with_writer, "server_log_error_lines": len(errors),
           "queries_per_s_ratio_with_over_without": round(with_writer["queries_per_s"] / baseline["queries_per_s"], 2)}
    print(json.dumps(doc, indent=1))
    ok = with_writer["not_200"] == 0 and with_writer["writes_acknowledged"] == sum(with_writer["writes"].values()) \
        and not errors and len(with_writer["distinct_counts"]) <= 2  # before the first write, and after
    print("OK: no query failed and every write was acknowledged" if ok else "FAILED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
