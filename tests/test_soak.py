"""Soak: writers and readers of one on-disk store at the same time, through the real server, with kill -9 of the
server in the middle and a new server started on the same store.

Two writers replace a graph each, again and again, through `PUT /store` (a municipality of data/, and a generated
one of about 10,000 triples, big enough that RocksDB flushes and compacts under the readers); three readers ask
the SPARQL endpoint, without the page cache, for the graph's label with its triple count. Counted, and all zero:
- errors: any answer but a 2xx while a server is up (a 503 from the store was issue 23);
- mixed reads: an answer that is not one version of the graph (the count of another version, or two labels);
- reads that go back: a reader that saw version k and then an older one;
- lost writes: a write that was acknowledged and is not in the store (nor its version in the history) at the end;
- hung writes: a write not acknowledged within WRITE_TIMEOUT_S while a server was up.
Requests cut off by the kill, and sent while no server was up, are counted apart ("cut": they are not errors).

`make test` runs it for KUNTAGRAPH_SOAK_SECONDS (default 24 s); `make load` again for 180 s.
"""

import json
import os
import signal
import threading
import time

import httpx
import pytest

from conftest import BASE, DATA, Server, run_cli
from test_publish import token

SECONDS = float(os.environ.get("KUNTAGRAPH_SOAK_SECONDS", 24))
WRITE_TIMEOUT_S = 60.0
QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n ?label WHERE {
  { SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%(g)s> { ?s ?p ?o } } }
  OPTIONAL { GRAPH <%(g)s> { <%(m)s> skos:prefLabel ?label FILTER(LANG(?label) = "fi") } }
}"""


class Graph:
    """One writer's graph: its Turtle, and the version k of it, whose municipality's Finnish label ends in #k."""

    def __init__(self, key: str, turtle: str):
        import pyoxigraph as ox

        self.key, self.iri, self.municipality = key, f"{BASE}graph/{key}", f"{BASE}id/{key}"
        labels = [t.object.value for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)
                  if t.subject == ox.NamedNode(self.municipality) and t.predicate.value.endswith("core#prefLabel")
                  and t.object.language == "fi"]
        assert len(labels) == 1 and turtle.count(f'"{labels[0]}"@fi') == 1, (key, labels)
        self.turtle, self.original = turtle, labels[0]

    def version(self, k: int) -> str:
        return self.turtle.replace(f'"{self.original}"@fi', f'"{self.original} #{k}"@fi')

    def k_of(self, label: str) -> int:
        """Which version the label is of: 0 the graph as it was, k one written here, -1 none of them."""
        if label == self.original:
            return 0
        head, _, k = label.rpartition(" #")
        return int(k) if head == self.original and k.isdigit() else -1


class Soak:
    def __init__(self, store, graphs: list[Graph], secret: str):
        self.store, self.graphs, self.secret = store, graphs, secret
        self.server: Server | None = None
        self.up = threading.Event()
        self.end = time.monotonic() + SECONDS
        self.lock = threading.Lock()
        self.counts = {g.key: None for g in graphs}  # the graph's triple count (each version has the same)
        self.tally = {k: 0 for k in ("reads", "writes", "errors", "mixed", "backwards", "hung", "cut")}
        self.examples: list = []
        self.acknowledged = {g.key: [] for g in graphs}  # (k, version in the history)

    def note(self, what: str, example=None):
        with self.lock:
            self.tally[what] += 1
            if example is not None and len(self.examples) < 10:
                self.examples.append((what, example))

    def request(self, method: str, path: str, **kw):
        """The answer, or None when no server was up or the kill cut the request off (counted apart)."""
        if not self.up.wait(60):
            raise AssertionError("no server came up for a minute")
        server = self.server
        try:
            return httpx.request(method, server.url + path, **kw)
        except httpx.TimeoutException as e:
            if server is self.server and self.up.is_set():
                self.note("hung" if method == "PUT" else "errors", f"{method} {path[:60]}: {e!r}")
            else:
                self.note("cut")
        except httpx.HTTPError as e:
            if server is self.server and self.up.is_set():
                self.note("errors", f"{method} {path[:60]}: {e!r}")
            else:
                self.note("cut")
        return None

    def write(self, graph: Graph):
        k = 0
        while time.monotonic() < self.end:
            k += 1
            r = self.request("PUT", "/store", params={"graph": graph.iri}, content=graph.version(k).encode(),
                             headers={"authorization": f"Bearer {self.secret}", "content-type": "text/turtle"},
                             timeout=WRITE_TIMEOUT_S)
            if r is None:
                continue
            self.note("writes")
            if r.status_code in (200, 201):
                with self.lock:
                    self.acknowledged[graph.key].append((k, r.json()["version"]))
            else:
                self.note("errors", f"PUT {graph.key} #{k}: {r.status_code} {r.text[:200]}")

    def read(self, graph: Graph):
        seen = 0
        while time.monotonic() < self.end:
            r = self.request("GET", "/sparql", params={"query": QUERY % {"g": graph.iri, "m": graph.municipality}},
                             headers={"accept": "application/sparql-results+json", "cache-control": "no-cache"},
                             timeout=60)
            if r is None:
                continue
            self.note("reads")
            if r.status_code != 200:
                self.note("errors", f"GET {graph.key}: {r.status_code} {r.text[:200]}")
                continue
            rows = r.json()["results"]["bindings"]
            if len(rows) != 1 or int(rows[0]["n"]["value"]) != self.counts[graph.key] or "label" not in rows[0]:
                self.note("mixed", (graph.key, rows))
                continue
            k = graph.k_of(rows[0]["label"]["value"])
            if k < 0:
                self.note("mixed", (graph.key, rows))
            elif k < seen:
                self.note("backwards", (graph.key, seen, k))
            seen = max(seen, k)

    def start_server(self):
        self.server = Server("--store", self.store, timeout=300)
        self.up.set()

    def kill_server(self):
        self.up.clear()
        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait()


def test_writers_and_readers_with_a_kill_in_the_middle(tmp_path):
    store, gen = tmp_path / "store", tmp_path / "gen"
    assert run_cli("generate", "--municipalities", 1, "--out", gen, "--seed", 7).returncode == 0
    r = run_cli("load", DATA, gen, "--store", store, timeout=600)
    assert r.returncode == 0, r.stderr
    secret = token(store, "--admin")
    graphs = [Graph("491", (DATA / "491.ttl").read_text(encoding="utf-8")),
              Graph("s001", (gen / "s001.ttl").read_text(encoding="utf-8"))]
    soak = Soak(store, graphs, secret)
    soak.start_server()
    for g in graphs:  # the triple count of every version (they differ in a label only)
        r = httpx.get(soak.server.url + "/sparql", params={"query": QUERY % {"g": g.iri, "m": g.municipality}},
                      headers={"accept": "application/sparql-results+json"}, timeout=60)
        soak.counts[g.key] = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert soak.counts["s001"] > 5000, soak.counts  # big enough to make RocksDB flush and compact

    threads = [threading.Thread(target=soak.write, args=(g,)) for g in graphs]
    threads += [threading.Thread(target=soak.read, args=(g,)) for g in (graphs[0], graphs[1], graphs[1])]
    for t in threads:
        t.start()
    try:
        time.sleep(SECONDS / 2)
        soak.kill_server()
        soak.start_server()  # on the same store: it recovers what the kill left pending
        for t in threads:
            t.join(SECONDS + 2 * WRITE_TIMEOUT_S)
        assert not any(t.is_alive() for t in threads), "a client is stuck"
        print("\n" + json.dumps({**soak.tally, "examples": soak.examples}, default=str)[:3000])

        # Every acknowledged write is there: the newest is the graph's version now (or a later one, written but
        # cut off by the kill before its answer), and each is in the history.
        for g in graphs:
            acked = soak.acknowledged[g.key]
            assert acked, f"no write of {g.key} was acknowledged"
            r = httpx.get(soak.server.url + "/sparql", params={"query": QUERY % {"g": g.iri, "m": g.municipality}},
                          headers={"accept": "application/sparql-results+json", "cache-control": "no-cache"}, timeout=60)
            now = g.k_of(r.json()["results"]["bindings"][0]["label"]["value"])
            assert now >= acked[-1][0], f"{g.key}: write #{acked[-1][0]} was acknowledged, the store has #{now}"
        checkpoints = [p for p in (store / "checkpoints").glob("*.lock")]
        assert len(checkpoints) <= 8, f"checkpoints pile up: {len(checkpoints)}"
    finally:
        soak.server.stop()
    from kuntagraph.auth import Tokens, state_path
    from kuntagraph.history import History

    history = History(Tokens(state_path(store)).db)
    for g in graphs:
        versions = {v.version for v in history.versions(g.iri)}
        lost = [v for _, v in soak.acknowledged[g.key] if v not in versions]
        assert not lost, f"{g.key}: acknowledged versions missing from the history: {lost}"

    report = {**soak.tally, "acknowledged": {k: len(v) for k, v in soak.acknowledged.items()}, "seconds": SECONDS}
    print("\n" + json.dumps(report))
    assert soak.tally["reads"] > 20 and soak.tally["writes"] > 4, report  # the clients really were busy
    bad = {k: soak.tally[k] for k in ("errors", "mixed", "backwards", "hung") if soak.tally[k]}
    assert not bad, f"{bad}, e.g. {soak.examples}"
