"""Load: 50 concurrent clients for 5 minutes against 309 generated municipalities on the on-disk store.

A mix of what the users do (pages, IRI lookups, comparison views, search, SPARQL, the harvest feed), and,
meanwhile, a query that would run for years, sent again and again: it must be cut off at the timeout while the
cheap requests go on being answered. Meanwhile too, writers: a municipality publishing its graph through
`PUT /store` every few seconds and a clerk uploading another's through /publish (login, upload, preview,
confirm), while a reader checks that every answer about those graphs is one version of them, never older than the
last write acknowledged before it asked. Zero errors; every acknowledged write is in the store and its history
afterwards; p50/p95/p99 per kind are printed.

Not part of `make test` (it takes about 10 minutes): `make load` runs it, and .ci/run calls that.
KUNTAGRAPH_LOAD_SECONDS, _CLIENTS and _MUNICIPALITIES make a shorter run for trying it out, and
KUNTAGRAPH_LOAD_STORE=DIR serves a store loaded before (`kuntagraph generate` + `kuntagraph load --bulk`).
"""

import json
import multiprocessing
import os
import random
import re
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import quote

import httpx
import pytest

from conftest import BASE, DATA, Server, run_cli
from test_publish import token
from test_soak import QUERY as VERSION_QUERY
from test_soak import Graph

pytestmark = pytest.mark.load

SECONDS = float(os.environ.get("KUNTAGRAPH_LOAD_SECONDS", 300))
CLIENTS = int(os.environ.get("KUNTAGRAPH_LOAD_CLIENTS", 50))
MUNICIPALITIES = int(os.environ.get("KUNTAGRAPH_LOAD_MUNICIPALITIES", 309))
CLIENT_PROCESSES = 2  # so that the clients are not one interpreter's lock
EXPENSIVE_EVERY_S = 20  # one endless query every 20 s: the 10 s timeout cuts each one off before the next
PUT_EVERY_S, UPLOAD_EVERY_S = 30, 60  # the municipality's PUTs and the clerk's uploads
WRITTEN_BY_PUT, WRITTEN_BY_UPLOAD = "491", "740"  # municipalities of data/, loaded beside the generated ones

PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX kg: <https://w3id.org/kuntagraph/def#>\n" \
           "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
CHEAP = PREFIXES + "SELECT ?label WHERE { <%sid/%s> skos:prefLabel ?label }"
PER_AREA = PREFIXES + """SELECT ?area (COUNT(DISTINCT ?resource) AS ?resources) WHERE {
  ?description dcterms:hasPart ?resource ; dcterms:publisher <%sid/%s> .
  ?resource a kg:InformationResource ; kg:serviceArea ?area .
} GROUP BY ?area ORDER BY ?area"""
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SEARCH_WORDS = ["kirjasto", "asiakastiedot", "rakennusvalvonta", "varhaiskasvatus", "henkilöstö", "arkisto", "Lupapiste"]
HTML, TURTLE, JSON_RESULTS = "text/html", "text/turtle", "application/sparql-results+json"

# (kind, weight): how often a client picks each kind of request.
MIX = [("lookup", 25), ("municipality page", 10), ("resource page", 10), ("home page", 4), ("compare two", 8),
       ("comparison view", 7), ("search", 8), ("finder", 4), ("sparql cheap", 14), ("sparql per area", 4),
       ("catalog", 3), ("catalog municipality", 3)]


def request_for(kind: str, rng: random.Random, resources: list[str]) -> tuple[str, str]:
    """The path and Accept of one request of this kind, with the municipality, resource or word drawn at random."""
    key = f"s{rng.randint(1, MUNICIPALITIES):03d}"
    if kind == "lookup":
        return rng.choice(resources).removeprefix(BASE.rstrip("/")), TURTLE
    if kind == "municipality page":
        return f"/id/{key}", HTML
    if kind == "resource page":
        return rng.choice(resources).removeprefix(BASE.rstrip("/")), HTML
    if kind == "home page":
        return "/", HTML
    if kind == "compare two":
        return f"/compare?m={key}&m=s{rng.randint(1, MUNICIPALITIES):03d}", HTML
    if kind == "comparison view":
        return "/compare/" + rng.choice(["matrix", "products", "reference", "compliance"]), HTML
    if kind == "search":
        return "/search?q=" + quote(rng.choice(SEARCH_WORDS)), HTML
    if kind == "finder":
        return "/finder?q=" + quote(rng.choice(SEARCH_WORDS)), HTML
    if kind == "sparql cheap":
        return "/sparql?query=" + quote(CHEAP % (BASE, key)), JSON_RESULTS
    if kind == "sparql per area":
        return "/sparql?query=" + quote(PER_AREA % (BASE, key)), JSON_RESULTS
    if kind == "catalog":
        return f"/catalog?page={rng.randint(1, 5)}", TURTLE
    return f"/catalog/{key}", TURTLE


def client_process(url: str, clients: int, seed: int, start_at: float, seconds: float, resources: list[str]) -> list:
    """`clients` threads, each with its own keep-alive connection, one request after another until the end.
    Returns (kind, started, seconds, status or the error) for every request."""
    kinds, weights = zip(*MIX)
    records, lock = [], threading.Lock()

    def run(i):
        rng = random.Random(seed * 1000 + i)
        mine = []
        with httpx.Client(base_url=url, timeout=60) as c:
            while time.time() < start_at:
                time.sleep(0.01)
            while time.time() < start_at + seconds:
                kind = rng.choices(kinds, weights)[0]
                path, accept = request_for(kind, rng, resources)
                t0 = time.time()
                try:
                    status = c.get(path, headers={"accept": accept}).status_code
                except httpx.HTTPError as e:
                    status = f"{type(e).__name__}: {e}"
                mine.append((kind, t0, time.time() - t0, status))
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return records


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    if os.environ.get("KUNTAGRAPH_LOAD_STORE"):  # a national store loaded before, to try the load again quickly
        server = Server("--store", os.environ["KUNTAGRAPH_LOAD_STORE"], timeout=600)
        server.store = os.environ["KUNTAGRAPH_LOAD_STORE"]
        yield server
        return server.stop()
    work = tmp_path_factory.mktemp("load")
    assert run_cli("generate", "--municipalities", MUNICIPALITIES, "--out", work / "gen", "--seed", 1, timeout=900).returncode == 0
    r = run_cli("load", work / "gen", DATA, "--store", work / "store", "--bulk", "--skip-validation", timeout=900)
    assert r.returncode == 0, r.stderr
    server = Server("--store", work / "store", timeout=600)
    server.store = work / "store"
    yield server
    server.stop()


class Writers:
    """The municipality's PUTs, the clerk's uploads, and the reader that checks what the SPARQL endpoint says of
    those two graphs: one version of each (its triple count, one label), never older than the last write
    acknowledged before the question was sent."""

    def __init__(self, url: str, store, until: float):
        self.url, self.until = url, until
        self.graphs = {}
        for key in (WRITTEN_BY_PUT, WRITTEN_BY_UPLOAD):
            body = httpx.get(url + "/store", params={"graph": f"{BASE}graph/{key}"}, headers={"accept": "text/turtle"},
                             timeout=120).text
            self.graphs[key] = Graph(key, body)
        self.secrets = {key: token(store, "--kunta", key) for key in self.graphs}
        self.acknowledged = {key: [] for key in self.graphs}  # (k, version) of each acknowledged write
        self.counts = {key: self._ask(key)[0] for key in self.graphs}
        self.errors, self.checks, self.lock = [], 0, threading.Lock()

    def _ask(self, key: str) -> tuple[int, int]:
        g = self.graphs[key]
        r = httpx.get(self.url + "/sparql", params={"query": VERSION_QUERY % {"g": g.iri, "m": g.municipality}},
                      headers={"accept": JSON_RESULTS, "cache-control": "no-cache"}, timeout=60)
        if r.status_code != 200:
            raise AssertionError(f"{r.status_code} {r.text[:200]}")
        rows = r.json()["results"]["bindings"]
        if len(rows) != 1 or "label" not in rows[0]:
            raise AssertionError(f"not one version of {key}: {rows}")
        return int(rows[0]["n"]["value"]), g.k_of(rows[0]["label"]["value"])

    def _error(self, what: str):
        with self.lock:
            self.errors.append(what)

    def put(self):
        g, k = self.graphs[WRITTEN_BY_PUT], 0
        while time.time() + PUT_EVERY_S <= self.until:
            k += 1
            t0 = time.time()
            try:
                r = httpx.put(self.url + "/store", params={"graph": g.iri}, content=g.version(k).encode(), timeout=120,
                              headers={"authorization": f"Bearer {self.secrets[g.key]}", "content-type": "text/turtle"})
                if r.status_code == 200:
                    with self.lock:
                        self.acknowledged[g.key].append((k, r.json()["version"]))
                else:
                    self._error(f"PUT #{k}: {r.status_code} {r.text[:300]}")
            except httpx.HTTPError as e:
                self._error(f"PUT #{k}: {e!r}")
            time.sleep(max(0.0, t0 + PUT_EVERY_S - time.time()))

    def upload(self):
        g, k = self.graphs[WRITTEN_BY_UPLOAD], 0
        csrf = lambda page: re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # noqa: E731
        with httpx.Client(base_url=self.url, timeout=120, follow_redirects=True) as clerk:
            page = clerk.get("/publish").text
            r = clerk.post("/publish/login", data={"secret": self.secrets[g.key], "csrf": csrf(page)})
            if r.status_code != 200:
                return self._error(f"login: {r.status_code} {r.text[:300]}")
            page = r.text
            while time.time() + UPLOAD_EVERY_S <= self.until:
                k += 1
                t0 = time.time()
                try:
                    r = clerk.post("/publish/upload", data={"csrf": csrf(page)},
                                   files={"file": (f"{g.key}.ttl", g.version(k).encode(), "text/turtle")})
                    upload_id = re.search(r'name="upload" value="([^"]+)"', r.text)
                    if r.status_code != 200 or upload_id is None:
                        self._error(f"upload #{k}: {r.status_code} {r.text[:300]}")
                    else:
                        r = clerk.post("/publish/confirm", data={"csrf": csrf(r.text), "upload": upload_id.group(1)})
                        version = re.search(r'id="published"[^>]*>[^<]*?(\d+)\.', r.text)
                        if r.status_code != 200 or version is None:
                            self._error(f"confirm #{k}: {r.status_code} {r.text[:300]}")
                        else:
                            with self.lock:
                                self.acknowledged[g.key].append((k, int(version.group(1))))
                    page = r.text
                except httpx.HTTPError as e:
                    self._error(f"upload #{k}: {e!r}")
                time.sleep(max(0.0, t0 + UPLOAD_EVERY_S - time.time()))

    def read(self):
        seen = dict.fromkeys(self.graphs, 0)
        while time.time() < self.until:
            for key in self.graphs:
                with self.lock:
                    floor = self.acknowledged[key][-1][0] if self.acknowledged[key] else 0
                try:
                    n, k = self._ask(key)
                except (AssertionError, httpx.HTTPError) as e:
                    self._error(f"read {key}: {e}")
                    continue
                with self.lock:
                    self.checks += 1
                if n != self.counts[key] or k < 0:
                    self._error(f"read {key}: {n} triples (a version has {self.counts[key]}), version {k}: not one written")
                elif k < max(floor, seen[key]):
                    self._error(f"read {key}: version #{k} after #{max(floor, seen[key])} was acknowledged or seen")
                seen[key] = max(seen[key], k)
            time.sleep(0.5)

    def verify_afterwards(self, store):
        """Every acknowledged write is in the store (the newest is each graph's content) and in its history."""
        from kuntagraph.auth import Tokens, state_path
        from kuntagraph.history import History

        history = History(Tokens(state_path(store)).db)
        for key, acked in self.acknowledged.items():
            assert acked, f"no write of {key} was acknowledged"
            assert self._ask(key)[1] == acked[-1][0], f"{key}: the store has not the last acknowledged write"
            versions = {v.version for v in history.versions(self.graphs[key].iri)}
            assert not [v for _, v in acked if v not in versions], f"{key}: acknowledged versions not in the history"


def test_fifty_clients_for_five_minutes_with_endless_queries_meanwhile(national):
    url = national.url
    resources = [row["r"]["value"] for row in httpx.get(url + "/sparql", timeout=120, headers={"accept": JSON_RESULTS}, params={
        "query": PREFIXES + "SELECT ?r WHERE { ?r a kg:InformationResource } ORDER BY ?r LIMIT 2000"}).json()["results"]["bindings"]]
    assert len(resources) >= 1000
    # One of each kind first, so that the first requests after a start (each page's cold cache) are not the load.
    rng = random.Random(0)
    for kind, _ in MIX:
        path, accept = request_for(kind, rng, resources)
        assert httpx.get(url + path, headers={"accept": accept}, timeout=300).status_code == 200, path

    expensive = []  # (started, seconds, status, text) of each endless query

    def send_endless(until: float):
        while time.time() + EXPENSIVE_EVERY_S <= until:
            t0 = time.time()
            r = httpx.get(url + "/sparql", params={"query": ENDLESS}, timeout=120)
            expensive.append((t0, time.time() - t0, r.status_code, r.text))
            time.sleep(max(0.0, t0 + EXPENSIVE_EVERY_S - time.time()))

    start_at = time.time() + 3
    writers = Writers(url, national.store, start_at + SECONDS)
    shares = [CLIENTS // CLIENT_PROCESSES + (i < CLIENTS % CLIENT_PROCESSES) for i in range(CLIENT_PROCESSES)]
    with ProcessPoolExecutor(CLIENT_PROCESSES, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(client_process, url, n, seed, start_at, SECONDS, resources) for seed, n in enumerate(shares)]
        time.sleep(max(0.0, start_at - time.time()))
        sender = threading.Thread(target=send_endless, args=(start_at + SECONDS,))
        writing = [threading.Thread(target=f) for f in (writers.put, writers.upload, writers.read)]
        for t in [sender, *writing]:
            t.start()
        records = [r for f in futures for r in f.result()]
        for t in [sender, *writing]:
            t.join()
    ended = max(t0 + s for _, t0, s, _ in records)

    report = summary(records, expensive, ended - start_at)
    report["writes"] = {"acknowledged": {k: len(v) for k, v in writers.acknowledged.items()},
                        "version checks": writers.checks, "errors": len(writers.errors)}
    print("\n" + json.dumps(report, indent=1, ensure_ascii=False))
    errors = [r for r in records if r[3] != 200]
    assert not errors, f"{len(errors)} errors, e.g. {errors[:5]}"
    assert not writers.errors, f"{len(writers.errors)} errors of the writers or their reader, e.g. {writers.errors[:5]}"
    assert writers.checks > 10
    writers.verify_afterwards(national.store)
    assert len(records) > 10 * CLIENTS  # the clients really were busy
    # Every endless query was cut off by the timeout, with the message, and stopped in its worker.
    assert expensive and all(status == 503 and "timed out" in text for _, _, status, text in expensive), expensive
    killed = sum(float(line.split()[-1]) for line in httpx.get(url + "/metrics").text.splitlines()
                 if line.startswith("kuntagraph_query_workers_killed_total "))
    assert killed >= len(expensive)
    # Meanwhile the cheap queries went on being answered.
    assert report["sparql cheap during endless queries"]["requests"] > 0
    assert httpx.get(url + "/health/ready").status_code == 200


def summary(records, expensive, seconds: float) -> dict:
    def stats(rows):
        lat = sorted(s for _, _, s, _ in rows)
        if not lat:
            return {"requests": 0}
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
        return {"requests": len(lat), "per_s": round(len(lat) / seconds, 1), "p50_ms": round(q[49] * 1e3, 1),
                "p95_ms": round(q[94] * 1e3, 1), "p99_ms": round(q[98] * 1e3, 1),
                "errors": sum(1 for r in rows if r[3] != 200)}

    windows = [(t0, t0 + s) for t0, s, _, _ in expensive]
    during = [r for r in records if r[0] == "sparql cheap" and any(a <= r[1] <= b for a, b in windows)]
    out = {"clients": CLIENTS, "seconds": round(seconds, 1), "municipalities": MUNICIPALITIES, "all": stats(records)}
    out.update({kind: stats([r for r in records if r[0] == kind]) for kind, _ in MIX})
    out["sparql cheap during endless queries"] = stats(during)
    out["endless queries"] = {"sent": len(expensive), "answered_503": sum(1 for e in expensive if e[2] == 503),
                              "seconds_to_answer_max": round(max((e[1] for e in expensive), default=0), 2)}
    return out
