"""Load: 50 concurrent clients for 5 minutes against 309 generated municipalities on the on-disk store.

A mix of what the users do (pages, IRI lookups, comparison views, search, SPARQL, the harvest feed), and,
meanwhile, a query that would run for years, sent again and again: it must be cut off at the timeout while the
cheap requests go on being answered. Zero errors; p50/p95/p99 per kind are printed.

Not part of `make test` (it takes about 10 minutes): `make load` runs it, and .ci/run calls that.
KUNTAGRAPH_LOAD_SECONDS, _CLIENTS and _MUNICIPALITIES make a shorter run for trying it out, and
KUNTAGRAPH_LOAD_STORE=DIR serves a store loaded before (`kuntagraph generate` + `kuntagraph load --bulk`).
"""

import json
import multiprocessing
import os
import random
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import quote

import httpx
import pytest

from conftest import BASE, Server, run_cli

pytestmark = pytest.mark.load

SECONDS = float(os.environ.get("KUNTAGRAPH_LOAD_SECONDS", 300))
CLIENTS = int(os.environ.get("KUNTAGRAPH_LOAD_CLIENTS", 50))
MUNICIPALITIES = int(os.environ.get("KUNTAGRAPH_LOAD_MUNICIPALITIES", 309))
CLIENT_PROCESSES = 2  # so that the clients are not one interpreter's lock
EXPENSIVE_EVERY_S = 20  # one endless query every 20 s: the 10 s timeout cuts each one off before the next

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
        yield server
        return server.stop()
    work = tmp_path_factory.mktemp("load")
    assert run_cli("generate", "--municipalities", MUNICIPALITIES, "--out", work / "gen", "--seed", 1, timeout=900).returncode == 0
    r = run_cli("load", work / "gen", "--store", work / "store", "--bulk", "--skip-validation", timeout=900)
    assert r.returncode == 0, r.stderr
    server = Server("--store", work / "store", timeout=600)
    yield server
    server.stop()


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
    shares = [CLIENTS // CLIENT_PROCESSES + (i < CLIENTS % CLIENT_PROCESSES) for i in range(CLIENT_PROCESSES)]
    with ProcessPoolExecutor(CLIENT_PROCESSES, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(client_process, url, n, seed, start_at, SECONDS, resources) for seed, n in enumerate(shares)]
        time.sleep(max(0.0, start_at - time.time()))
        sender = threading.Thread(target=send_endless, args=(start_at + SECONDS,))
        sender.start()
        records = [r for f in futures for r in f.result()]
        sender.join()
    ended = max(t0 + s for _, t0, s, _ in records)

    report = summary(records, expensive, ended - start_at)
    print("\n" + json.dumps(report, indent=1, ensure_ascii=False))
    errors = [r for r in records if r[3] != 200]
    assert not errors, f"{len(errors)} errors, e.g. {errors[:5]}"
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
