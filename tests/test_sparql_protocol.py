"""The SPARQL endpoint over real HTTP: a live `kuntagraph serve` on an on-disk store made with `kuntagraph load`.

- every W3C SPARQL 1.1 Protocol query test and bad-query/bad-update test, read from the shared reference files;
- the W3C update tests, which assume an updatable endpoint: here every update must be refused and change nothing;
- SPARQLWrapper as a real client; content negotiation, the Service Description, CORS, refusals,
  dataset restriction by default-graph-uri and the query timeout.
"""

import io
import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF
from rdflib.query import Result

from conftest import BASE, DATA, KG, LUMME_CODES, Server, run_cli

W3C_DIR = Path(__file__).resolve().parents[2] / "shared/reference/sparql11-protocol/protocol"
W3C_TESTS = W3C_DIR / "tests.json"
W3C_MISSING = (f"the W3C SPARQL 1.1 Protocol tests in ../shared/reference are missing ({W3C_TESTS} not found): "
               "put the shared reference files beside the checkout to run them")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
KOHA = BASE + "vocab/system-product/koha"
PREFIXES = f"PREFIX kg: <{KG}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
KOHA_OWNERS = PREFIXES + f"""SELECT ?m ?code WHERE {{
  ?system kg:instanceOf <{KOHA}> ; kg:owner ?m .
  ?m dcterms:identifier ?code .
}} ORDER BY ?code"""
KOHA_CONSTRUCT = PREFIXES + f"""CONSTRUCT {{ ?m dcterms:identifier ?code ; kg:owns ?system }} WHERE {{
  ?system kg:instanceOf <{KOHA}> ; kg:owner ?m .
  ?m dcterms:identifier ?code .
}}"""

# Media types of answers -> rdflib parser names.
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def _w3c_tests() -> list[dict]:
    return json.loads(W3C_TESTS.read_text(encoding="utf-8")) if W3C_TESTS.exists() else []


def _w3c_params(*prefixes):
    tests = [t for t in _w3c_tests() if t["id"].startswith(prefixes)]
    if not tests:
        return [pytest.param(None, id="w3c-tests-missing", marks=pytest.mark.skip(reason=W3C_MISSING))]
    return [pytest.param(t, id=t["id"]) for t in tests]


# --- the store and the servers ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pristine_store(tmp_path_factory) -> Path:
    """Made once with the real CLI and never opened by a server: copies of it are safe to take."""
    path = tmp_path_factory.mktemp("sparql-protocol") / "pristine"
    r = run_cli("load", DATA, "--store", path)
    assert r.returncode == 0, r.stderr
    graph_data = {g["file"]: g["name"] for t in _w3c_tests() for g in t.get("graphData", [])}
    for file, graph in sorted(graph_data.items()):
        r = run_cli("load", W3C_DIR / file, "--graph", graph, "--store", path, "--skip-validation")
        assert r.returncode == 0, r.stderr
    return path


@pytest.fixture
def fresh_store(pristine_store, tmp_path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(pristine_store, copy)
    return copy


@pytest.fixture(scope="module")
def live(pristine_store, tmp_path_factory):
    copy = tmp_path_factory.mktemp("sparql-protocol-live") / "store"
    shutil.copytree(pristine_store, copy)
    server = Server("--store", copy)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def impatient():
    """A second server, on the embedded data in memory, that gives up on a query after half a second.
    The result cap is raised so that a streaming answer meets the deadline before the cap."""
    server = Server("--query-timeout", "0.5", "--max-result-mb", "500")
    yield server
    server.stop()


def client() -> httpx.Client:
    c = httpx.Client(follow_redirects=True, timeout=60)
    del c.headers["accept"]  # the W3C requests carry exactly their own headers
    return c


def get_query(server, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return httpx.get(server.url + "/sparql", params={"query": query, **params}, headers=headers, timeout=60)


def media_type(response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_results(response) -> Result:
    fmt = RESULT_PARSERS.get(media_type(response))
    assert fmt, f"not a SPARQL results media type: {response.headers.get('content-type')!r}\n{response.text[:300]}"
    return Result.parse(io.BytesIO(response.content), format=fmt)


def parse_graph(response) -> rdflib.Graph:
    fmt = RDF_PARSERS.get(media_type(response))
    assert fmt, f"not an RDF media type: {response.headers.get('content-type')!r}\n{response.text[:300]}"
    return rdflib.Dataset().parse(data=response.content, format=fmt) if fmt in ("nquads", "trig") \
        else rdflib.Graph().parse(data=response.content, format=fmt)


def codes(result: Result) -> list[str]:
    return sorted(str(row["code"]) for row in result)


# --- the W3C runner ------------------------------------------------------------------------------------------------

def send(server, request: dict) -> httpx.Response:
    """One manifest request, as given: method, headers, body in its encoding; only the endpoint path is ours."""
    path = request["path"]
    if path.startswith("/sparql/"):
        path = "/sparql" + path[len("/sparql/"):]
    body = request.get("body")
    if body is not None:
        body = body.encode("utf-16" if (request.get("bodyEncoding") or "").upper() == "UTF-16" else "utf-8")
    with client() as c:
        return c.request(request["method"], server.url + path, headers=request.get("headers") or {}, content=body)


def status_matches(code: int, names: list[str]) -> bool:
    """hts: names: a class (StatusCode2xx) or an exact status (OK, Created, NoContent, NotFound, ...)."""
    for name in names:
        cls = re.fullmatch(r"StatusCode(\d)xx", name)
        if cls:
            if code // 100 == int(cls[1]):
                return True
            continue
        try:
            exact = HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()]
        except KeyError:
            pytest.fail(f"the runner does not know the status name {name!r}")
        if code == exact:
            return True
    return False


def check(response: httpx.Response, expect: dict, what: str):
    unknown = set(expect) - {"status", "format", "boolean"}
    assert not unknown, f"{what}: the runner does not check {sorted(unknown)}; extend it"
    assert status_matches(response.status_code, expect["status"]), \
        f"{what}: status {response.status_code}, expected {expect['status']}\n{response.text[:500]}"
    fmt = expect.get("format")
    if fmt == "boolean":
        result = parse_results(response)
        assert result.type == "ASK", f"{what}: a {result.type} answer where a boolean was expected"
        if "boolean" in expect:
            assert result.askAnswer is expect["boolean"], f"{what}: ASK answered {result.askAnswer}"
    elif fmt == "tabular":
        result = parse_results(response)
        assert result.type == "SELECT", f"{what}: a {result.type} answer where a table was expected"
    elif fmt == "RDF":
        parse_graph(response)  # any RDF serialisation, even an empty graph
    else:
        assert fmt is None, f"{what}: the runner does not know the expected format {fmt!r}"


@pytest.mark.parametrize("case", _w3c_params("query_", "bad_"))
def test_w3c_protocol(case, live):
    for n, request in enumerate(case["requests"], 1):
        check(send(live, request), request["expect"], f"{case['id']} request {n} ({case['name']})")


def test_w3c_manifest_is_covered_completely():
    """Every test of the manifest is run above or below: a new kind of test must not go unnoticed."""
    tests = _w3c_tests()
    if not tests:
        pytest.skip(W3C_MISSING)
    assert {t["id"] for t in tests if not t["id"].startswith(("query_", "bad_", "update_"))} == set()
    assert len(tests) == 34


def is_update(request: dict) -> bool:
    ctype = (request.get("headers") or {}).get("content-type", "").lower()
    if ctype.startswith("application/sparql-update"):
        return True
    return ctype.startswith("application/x-www-form-urlencoded") and "update" in parse_qs(request.get("body") or "")


DEFAULT_GRAPH_ONLY = "SELECT * WHERE { ?s ?p ?o MINUS { GRAPH ?g { ?s ?p ?o } } }"
GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def snapshot(server) -> tuple:
    quads = get_query(server, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "text/tab-separated-values")
    alone = get_query(server, DEFAULT_GRAPH_ONLY, "text/tab-separated-values")
    assert quads.status_code == alone.status_code == 200
    return sorted(quads.text.splitlines()), alone.text


def test_w3c_update_tests_are_refused_with_403_and_change_nothing(fresh_store):
    """The update_* tests expect 2xx from an updatable endpoint; this one is read-only by design."""
    updates = [t for t in _w3c_tests() if t["id"].startswith("update_")]
    if not updates:
        pytest.skip(W3C_MISSING)
    server = Server("--store", fresh_store)
    try:
        before = snapshot(server)
        refused = 0
        for case in updates:
            assert any(is_update(r) for r in case["requests"]), case["id"]
            for n, request in enumerate(case["requests"], 1):
                response = send(server, request)
                what = f"{case['id']} request {n}"
                if is_update(request):
                    assert response.status_code == 403, f"{what}: {response.status_code}\n{response.text}"
                    assert media_type(response) == "text/plain" and "read-only" in response.text, what
                    refused += 1
                else:  # the test's follow-up query, which would see what the update did
                    assert response.status_code == 200, f"{what}: {response.status_code}\n{response.text}"
                    assert parse_results(response).askAnswer is False, f"{what}: the update left a trace"
        assert refused == sum(is_update(r) for t in updates for r in t["requests"]) >= len(updates)
        after = snapshot(server)
        counts = get_query(server, GRAPH_COUNTS, "text/csv").text
    finally:
        server.stop()
    assert after == before
    assert len(before[0]) > 3000 and len(before[1].splitlines()) == 1  # header only: nothing outside the named graphs
    # and on disk, read back by the CLI once the server has let go of the store
    r = run_cli("query", GRAPH_COUNTS, "--store", fresh_store, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == counts.splitlines()
    r = run_cli("query", DEFAULT_GRAPH_ONLY, "--store", fresh_store, "--format", "csv")
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 1, r.stdout


# --- SPARQLWrapper as a real client -------------------------------------------------------------------------------

def wrapper(server, query, fmt, method=None):
    from SPARQLWrapper import SPARQLWrapper

    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery(query)
    w.setReturnFormat(fmt)
    if method:
        w.setMethod(method)
    return w.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json(live, method):
    from SPARQLWrapper import JSON

    answer = wrapper(live, KOHA_OWNERS, JSON, method).convert()
    rows = answer["results"]["bindings"]
    assert answer["head"]["vars"] == ["m", "code"]
    assert [r["code"]["value"] for r in rows] == LUMME_CODES
    assert [r["m"]["value"] for r in rows] == [BASE + "id/" + c for c in LUMME_CODES]
    assert all(r["m"]["type"] == "uri" and r["code"]["type"] == "literal" for r in rows)


def test_sparqlwrapper_select_xml(live):
    from SPARQLWrapper import XML

    response = wrapper(live, KOHA_OWNERS, XML)
    assert response.info()["content-type"].startswith("application/sparql-results+xml")
    doc = response.convert()
    found = [b.getElementsByTagName("literal")[0].firstChild.data
             for b in doc.getElementsByTagName("binding") if b.getAttribute("name") == "code"]
    assert found == LUMME_CODES


def test_sparqlwrapper_ask(live):
    from SPARQLWrapper import JSON

    assert wrapper(live, PREFIXES + f'ASK {{ <{BASE}id/491> kg:owner|^kg:owner ?x ; dcterms:identifier "491" }}',
                   JSON).convert()["boolean"] is True
    assert wrapper(live, PREFIXES + f'ASK {{ ?s kg:instanceOf <{KOHA}> ; kg:owner <{BASE}id/mantajarvi> }}',
                   JSON).convert()["boolean"] is False


def check_koha_graph(g: rdflib.Graph):
    owners = set(g.subjects(DCTERMS.identifier, None))
    assert sorted(str(o) for o in g.objects(None, DCTERMS.identifier)) == LUMME_CODES
    assert owners == {rdflib.URIRef(BASE + "id/" + c) for c in LUMME_CODES}
    systems = set(g.objects(None, rdflib.URIRef(KG + "owns")))
    assert systems == {rdflib.URIRef(BASE + "id/lumme/system/koha")}  # the eight share one instance
    assert len(g) == 16


def test_sparqlwrapper_construct_turtle(live):
    from SPARQLWrapper import TURTLE

    response = wrapper(live, KOHA_CONSTRUCT, TURTLE)
    assert response.info()["content-type"].startswith("text/turtle")
    check_koha_graph(rdflib.Graph().parse(data=response.convert(), format="turtle"))


def test_sparqlwrapper_construct_jsonld(live):
    from SPARQLWrapper import JSONLD

    response = wrapper(live, KOHA_CONSTRUCT, JSONLD)
    assert response.info()["content-type"].startswith("application/ld+json")
    parsed = response.convert()
    g = rdflib.Graph()
    for triple in parsed.triples((None, None, None)):
        g.add(triple)
    check_koha_graph(g)


# --- content negotiation ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("application/sparql-results+xml;q=0, */*;q=0.1", "application/sparql-results+json"),
    ("text/*;q=0.8, application/sparql-results+xml;q=0.3", "text/csv"),
    ("application/json", "application/sparql-results+json"),
    (None, "application/sparql-results+json"),
])
def test_accept_q_values_choose_the_result_format(live, accept, expected):
    response = get_query(live, KOHA_OWNERS, accept)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert "Accept" in response.headers.get("vary", "")
    assert codes(parse_results(response)) == LUMME_CODES


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_csv_and_tsv_answers_parse(live, accept):
    response = get_query(live, KOHA_OWNERS, accept)
    assert media_type(response) == accept and "charset=utf-8" in response.headers["content-type"]
    result = parse_results(response)
    assert [str(v) for v in result.vars] == ["m", "code"]
    assert codes(result) == LUMME_CODES
    assert {str(row["m"]) for row in result} == {BASE + "id/" + c for c in LUMME_CODES}


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"])
def test_construct_in_each_rdf_format_by_accept(live, accept):
    response = get_query(live, KOHA_CONSTRUCT, accept)
    assert response.status_code == 200, response.text
    assert media_type(response) == accept
    check_koha_graph(parse_graph(response))


def test_construct_q_values_between_rdf_formats(live):
    response = get_query(live, KOHA_CONSTRUCT, "application/rdf+xml;q=0.5, text/turtle;q=0.9, text/html;q=1")
    assert media_type(response) == "text/turtle"
    check_koha_graph(parse_graph(response))
    ntriples = parse_graph(get_query(live, KOHA_CONSTRUCT, "application/n-triples"))
    assert isomorphic(parse_graph(response), ntriples)


def test_service_description_for_rdf_clients(live):
    response = httpx.get(live.url + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media_type(response) == "text/turtle"
    g = parse_graph(response)
    service = g.value(None, RDF.type, SD.Service)
    assert service is not None
    assert g.value(service, SD.endpoint) == rdflib.URIRef(live.url + "/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["JSON-LD"], FORMATS.RDF_XML,
            FORMATS["N-Triples"]} <= formats
    names = {str(n) for n in g.objects(None, SD.name)}
    assert BASE + "graph/491" in names and BASE + "graph/ontology" in names
    # the same description in another RDF format
    jsonld = parse_graph(httpx.get(live.url + "/sparql", headers={"Accept": "application/ld+json"}))
    assert len(jsonld) == len(g)


def test_query_ui_for_browsers(live):
    response = httpx.get(live.url + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and media_type(response) == "text/html"
    assert 'action="/sparql"' in response.text and "<html" in response.text.lower()


def test_cors_for_reads(live):
    response = get_query(live, "ASK {}", "application/sparql-results+json")
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(live.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    post = httpx.post(live.url + "/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query",
                                                                       "Origin": "https://example.org"})
    assert post.status_code == 200 and post.headers["access-control-allow-origin"] == "*"


# --- refusals, dataset, base IRI, timeout -------------------------------------------------------------------------

def test_bad_query_is_a_400_a_person_can_read(live):
    response = get_query(live, "SELECT * WHERE {\n  ?s ?p\n}", "application/sparql-results+json")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert text.startswith("The query cannot be run: error at 3:")  # the sender's line, not ours
    assert "<html" not in text.lower() and "Traceback" not in text


@pytest.mark.parametrize("method, body, ctype, status, words", [
    ("PUT", "ASK {}", "application/sparql-query", 405, "GET or POST"),
    ("POST", "update=CLEAR%20ALL", "application/x-www-form-urlencoded", 403, "read-only"),
    ("POST", "CLEAR ALL", "application/sparql-update; charset=UTF-16", 403, "read-only"),
    ("POST", "ASK {}", "text/plain", 415, "application/sparql-query"),
    ("POST", "ASK {}", None, 415, "Content-Type"),
    ("POST", "query=", "application/x-www-form-urlencoded", 400, "empty"),
], ids=["put", "update-form", "update-utf16", "wrong-media-type", "no-content-type", "empty-query"])
def test_refusals_say_what_to_do(live, method, body, ctype, status, words):
    headers = {"Content-Type": ctype} if ctype else {}
    response = httpx.request(method, live.url + "/sparql", content=body.encode(), headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/plain") and words in response.text
    if status == 405:
        assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def ask(server, query, **params) -> bool:
    response = get_query(server, PREFIXES + query, "application/sparql-results+xml", **params)
    assert response.status_code == 200, response.text
    return parse_results(response).askAnswer


def test_default_graph_uri_restricts_the_dataset(live):
    mikkeli, varkaus = 'ASK { ?m dcterms:identifier "491" }', 'ASK { ?m dcterms:identifier "915" }'
    only_491 = {"default-graph-uri": BASE + "graph/491"}
    assert ask(live, mikkeli, **only_491) is True
    assert ask(live, varkaus, **only_491) is False
    assert ask(live, mikkeli) is True and ask(live, varkaus) is True  # without it: the union of all graphs
    # the same in a POST form, and with a named graph beside it
    response = httpx.post(live.url + "/sparql", headers={"Accept": "application/sparql-results+json"}, data={
        "query": PREFIXES + 'ASK { ?m dcterms:identifier "491" FILTER NOT EXISTS { ?x dcterms:identifier "915" } '
                            'GRAPH ?g { ?v dcterms:identifier "915" } }',
        "default-graph-uri": BASE + "graph/491", "named-graph-uri": BASE + "graph/915"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_relative_iris_resolve_against_the_base_of_our_iris(live):
    assert ask(live, 'ASK { <id/491> dcterms:identifier "491" }') is True
    assert ask(live, 'BASE <https://example.org/> ASK { <id/491> dcterms:identifier "491" }') is False


@pytest.mark.parametrize("query", [
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # streams its answer until the deadline
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # nothing to send before the end
], ids=["streaming", "aggregate"])
def test_query_timeout_is_a_503(impatient, query):
    started = time.monotonic()
    response = get_query(impatient, query, "application/sparql-results+json")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith("text/plain") and "timed out" in response.text
    assert "0.5 seconds" in response.text
    assert elapsed < 5
    assert ask(impatient, "ASK {}") is True  # and the server goes on answering


def test_queries_past_their_deadline_are_stopped_not_left_running(impatient):
    """pyoxigraph cannot cancel a query, so an abandoned one would keep its worker for good (this one would run
    for years): more of them than there are workers would leave the endpoint nothing to answer with. Each is
    stopped at its deadline, and a cheap query after them is answered."""
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    killed = lambda: _metric(impatient, "kuntagraph_query_workers_killed_total")  # noqa: E731
    before = killed()
    with ThreadPoolExecutor(6) as pool:  # more at once than the 4 workers
        statuses = list(pool.map(lambda _: get_query(impatient, endless).status_code, range(6)))
    assert statuses == [503] * 6
    assert killed() - before >= 4  # every worker was busy with one, and was stopped
    answer = get_query(impatient, f"SELECT ?l WHERE {{ <{BASE}id/491> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}",
                       "application/sparql-results+json")
    assert answer.status_code == 200 and "Mikkeli" in answer.text


def _metric(server, name: str) -> float:
    text = httpx.get(server.url + "/metrics").text
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))


def test_an_idle_query_worker_lets_go_of_the_store(fresh_store):
    """A query worker holds the store open read-only, with RocksDB's caches of what it read (about 100 MB at
    national scale). Idle for long enough, it closes it: it no longer holds any file of the store (files that the
    writer may since have compacted away), and its next query opens the store again and sees what was written.
    What it opens is a checkpoint, never the store the server writes."""
    import os
    import time

    import pyoxigraph as ox

    from kuntagraph.querypool import QueryPool
    from kuntagraph.store import OxigraphStore

    def store_files(worker) -> list[str]:
        fds = f"/proc/{worker.process.pid}/fd"
        links = []
        for fd in os.listdir(fds):
            try:
                links.append(os.readlink(f"{fds}/{fd}"))
            except OSError:  # closed meanwhile
                pass
        return [link for link in links if link.startswith(str(fresh_store))]

    ask_count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x-test:idle> { ?s ?p ?o } }"
    writer = OxigraphStore(fresh_store)
    pool = QueryPool(writer, 1, idle_close_s=2.0)
    try:
        deadline = lambda: time.monotonic() + 30  # noqa: E731
        assert '"0"' in pool.execute(ask_count, deadline=deadline()).body.decode()
        worker = pool._idle.queue[0]
        assert store_files(worker), "the worker did not open the store"
        live = [f for f in store_files(worker) if not f.startswith(str(fresh_store / "checkpoints") + "/")]
        assert not live, f"the worker opened the store the server writes, not a checkpoint: {live}"
        for _ in range(150):
            if not store_files(worker):
                break
            time.sleep(0.1)
        assert not store_files(worker), "an idle worker still holds the store's files"
        assert '"0"' in pool.execute(ask_count, deadline=deadline()).body.decode()  # it opens the store again
        writer.replace_graph("urn:x-test:idle", [ox.Triple(ox.NamedNode("urn:x-test:a"), ox.NamedNode("urn:x-test:b"), ox.Literal("1"))])
        assert '"1"' in pool.execute(ask_count, deadline=deadline()).body.decode()
    finally:
        pool.close()
