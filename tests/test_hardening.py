"""Hardening: security headers, no outbound requests, XML bombs, operators' endpoints, backups, inert rendering."""

import json
import threading
import time

import httpx
import pytest

from test_browser import browser  # noqa: F401  (the Chromium fixture)

PATHS = ["/", "/id/491", "/id/491.ttl", "/compare/matrix", "/finder?q=kirjasto", "/search?q=koha", "/catalog",
         "/sparql", "/sparql?query=ASK%7B%7D", "/store?graph=https://w3id.org/kuntagraph/graph/491", "/publish",
         "/static/style.css", "/id/no-such-thing", "/.well-known/void"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(server, path):
    r = httpx.get(server.url + path, headers={"accept": "text/html"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "same-origin"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert "script-src 'self';" in csp  # never inline script, never eval
    inline_style = "style-src 'self' 'unsafe-inline'" in csp
    assert inline_style == (path.split("?")[0] == "/sparql")  # only the query editor (YASGUI inserts <style> for its column grips)


# --- no outbound requests on anyone's behalf ---------------------------------------------------------------

class Listener:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE<http://127.0.0.1:{port}/>{ ?s ?p ?o } } LIMIT 1",
])
def test_sparql_service_is_refused_and_nothing_is_fetched(server, query):
    listener = Listener()
    try:
        q = query.replace("{port}", str(listener.port))
        for r in (httpx.get(server.url + "/sparql", params={"query": q}),
                  httpx.post(server.url + "/sparql", content=q, headers={"content-type": "application/sparql-query"})):
            assert r.status_code == 403 and "SERVICE" in r.text
        assert listener.connections == 0
    finally:
        listener.close()
    ok = httpx.get(server.url + "/sparql", params={"query": 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) }'})
    assert ok.status_code == 200  # the word in a string or a variable is no federated query


def test_importers_never_fetch_what_a_document_links_to(tmp_path):
    from conftest import run_cli
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        page = tmp_path / "kuvaus.html"
        page.write_text(f"""<html><head><link rel="stylesheet" href="{url}/a.css"><script src="{url}/a.js"></script></head>
<body><h1>Sivistyspalvelut</h1><img src="{url}/logo.png"><iframe src="{url}/frame"></iframe>
<h2>Perusopetuksen tietovaranto</h2><p>Tietoaineistot</p><ul><li><a href="{url}/oppilaat">Oppilaiden tiedot</a></li></ul>
<p>Tietojärjestelmät</p><ul><li>Primus</li></ul>
<p>Tiedot ovat saatavilla avoimen rajapinnan kautta: {url}/api</p></body></html>""", encoding="utf-8")
        r = run_cli("import", page, "--kunta", "unnamed-009", "-o", tmp_path / "out.ttl", "--no-validate")
        assert r.returncode == 0, r.stderr
        assert f"{url}/api" in (tmp_path / "out.ttl").read_text()  # kept as the interface's address, not fetched
        assert listener.connections == 0
    finally:
        listener.close()


# --- XML: no entity expansion ------------------------------------------------------------------------------

LAUGHS = """<!DOCTYPE r [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>"""
RDFXML_LAUGHS = ('<?xml version="1.0"?>' + LAUGHS.replace("<!DOCTYPE r", "<!DOCTYPE rdf:RDF") +
                 '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://www.w3.org/2004/02/skos/core#">'
                 '<rdf:Description rdf:about="https://w3id.org/kuntagraph/id/491/x"><s:prefLabel>&h;</s:prefLabel>'
                 '</rdf:Description></rdf:RDF>')


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    from conftest import DATA, Server, run_cli
    store = tmp_path_factory.mktemp("hardening") / "store"
    assert run_cli("load", DATA / "491.ttl", "--store", store).returncode == 0
    secret = run_cli("token", "create", "--kunta", "491", "--store", store).stdout.strip().splitlines()[-1]
    s = Server("--store", store)
    yield s, secret
    s.stop()


def test_rdfxml_entity_expansion_is_refused_everywhere(tmp_path, writable):
    import time
    from conftest import run_cli
    server, secret = writable
    path = tmp_path / "laughs.rdf"
    path.write_text(RDFXML_LAUGHS, encoding="utf-8")
    started = time.monotonic()
    r = run_cli("validate", path)
    assert r.returncode == 2 and "DOCTYPE" in r.stderr
    r = httpx.put(server.url + "/store", params={"graph": "https://w3id.org/kuntagraph/graph/491"}, content=RDFXML_LAUGHS,
                  headers={"authorization": f"Bearer {secret}", "content-type": "application/rdf+xml"})
    assert r.status_code == 400 and r.json()["error"] == "xml-declarations"
    assert time.monotonic() - started < 30  # refused before parsing, not after expanding 480 MB


def test_spreadsheet_xml_entity_expansion_is_bounded(tmp_path):
    """ODS (ElementTree: expat's amplification limit) and XLSX (openpyxl on lxml: libxml2's entity limits)."""
    import io
    import time
    import zipfile
    from conftest import run_cli
    ods = tmp_path / "laughs.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?>' + LAUGHS.replace("<!DOCTYPE r", "<!DOCTYPE office:document-content") +
                   '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                   'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                   '<office:body><office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>&h;</text:p>'
                   '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"], wb.active["B1"], wb.active["A2"], wb.active["B2"] = "Tietovaranto", "Tietojärjestelmät", "LAUGH", "Primus"
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(xlsx, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text[text.index("?>") + 2:] if text.startswith("<?xml") else text
                text = LAUGHS.replace("<!DOCTYPE r", "<!DOCTYPE worksheet") + text.replace(">LAUGH<", ">&h;<")
                data = ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode()
            zout.writestr(item, data)
    for path in (ods, xlsx):
        started = time.monotonic()
        out = tmp_path / (path.stem + ".ttl")
        r = run_cli("import", path, "--kunta", "x-1", "-o", out, "--no-validate")
        assert "Traceback" not in r.stderr and r.returncode in (0, 2), r.stderr
        assert time.monotonic() - started < 30
        assert not out.exists() or out.stat().st_size < 1_000_000  # nothing expanded into the output


# --- operators -----------------------------------------------------------------------------------------------

def test_health_readiness_and_metrics(server):
    assert httpx.get(server.url + "/health").json() == {"status": "ok"}
    assert httpx.get(server.url + "/health/ready").json() == {"status": "ok", "store": "ok"}
    httpx.get(server.url + "/id/491")
    httpx.get(server.url + "/no/such/page")
    text = httpx.get(server.url + "/metrics").text
    assert 'kuntagraph_requests_total{method="GET",route="/id/{rest:path}",status="200"}' in text
    assert 'kuntagraph_request_duration_seconds_bucket{le="0.05",route="/id/{rest:path}"}' in text
    assert 'kuntagraph_refusals_total{status="404"}' in text and "kuntagraph_query_timeouts_total" in text
    assert "/no/such/page" not in text  # routes, not URLs: the labels stay few
    assert 'kuntagraph_page_threads{state="limit"} 8.0' in text and 'kuntagraph_page_threads{state="waiting"}' in text


class _GatedSelects:
    """The real store, whose SELECTs (those that `gated` picks) wait while the gate is shut."""

    def __init__(self, store, gated=lambda sparql: True):
        self._store, self._gated, self.gate = store, gated, threading.Event()
        self.gate.set()

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, sparql):
        if self._gated(sparql):
            assert self.gate.wait(60)
        return self._store.select(sparql)


def _gauge(client, family: str, state: str) -> float:
    text = client.get("/metrics").text
    return float(next(x for x in text.splitlines() if x.startswith(f'{family}{{state="{state}"}}')).split()[-1])


def _until(condition) -> bool:
    for _ in range(300):
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_pages_wait_their_turn_for_a_page_thread_and_readiness_does_not(store):
    """With every page thread busy, another page waits (kuntagraph_page_threads says so); /health/ready does not."""
    from fastapi.testclient import TestClient

    from kuntagraph.server.app import Settings, create_app

    slow = _GatedSelects(store)
    with TestClient(create_app(slow, Settings(page_threads=1))) as client:
        assert _until(lambda: client.get("/health/ready").status_code == 200)
        slow.gate.clear()
        answers = {}

        def page(path):
            answers[path] = client.get(path, headers={"accept": "text/html"}).status_code

        # A municipality's page holds the one page thread; the matrix (not a heavy page: threads.HEAVY) waits for it.
        # In that order: the matrix is materialised (server/aggregates.py), so if it came first it would not wait.
        pages = [threading.Thread(target=page, args=(path,)) for path in ("/id/491", "/compare/matrix")]
        try:
            pages[0].start()
            assert _until(lambda: _gauge(client, "kuntagraph_page_threads", "busy") == 1)
            pages[1].start()
            assert _until(lambda: _gauge(client, "kuntagraph_page_threads", "busy") == 1
                          and _gauge(client, "kuntagraph_page_threads", "waiting") == 1)
            assert _gauge(client, "kuntagraph_page_threads", "limit") == 1
            started = time.monotonic()
            assert client.get("/health/ready").status_code == 200 and time.monotonic() - started < 5
        finally:
            slow.gate.set()
            for p in pages:
                p.join(60)
        assert answers == {"/id/491": 200, "/compare/matrix": 200}  # both pages, in turn
        assert _until(lambda: _gauge(client, "kuntagraph_page_threads", "busy") == 0
                      and _gauge(client, "kuntagraph_page_threads", "waiting") == 0)


def test_light_pages_do_not_queue_behind_heavy_ones(store):
    """Pages that read much of the store (threads.HEAVY: a municipality's page, say) take at most half the page
    threads; a resource page finds one free while they wait, and /metrics says where each waits."""
    from fastapi.testclient import TestClient

    from kuntagraph.server.app import Settings, create_app

    # The municipality view's SELECTs wait while the gate is shut.
    slow = _GatedSelects(store, lambda sparql: "dcterms:publisher <" in sparql)
    with TestClient(create_app(slow, Settings(page_threads=2))) as client:
        assert _until(lambda: client.get("/health/ready").status_code == 200)
        assert _gauge(client, "kuntagraph_heavy_pages", "limit") == 1
        slow.gate.clear()
        answers = {}

        def page(key):
            answers[key] = client.get(f"/id/{key}", headers={"accept": "text/html"}).status_code

        heavy = [threading.Thread(target=page, args=(key,)) for key in ("491", "046")]
        try:
            for p in heavy:
                p.start()
            assert _until(lambda: _gauge(client, "kuntagraph_heavy_pages", "busy") == 1
                          and _gauge(client, "kuntagraph_heavy_pages", "waiting") == 1)
            assert _until(lambda: _gauge(client, "kuntagraph_page_threads", "busy") == 1)  # the other waits in its lane
            started = time.monotonic()
            r = client.get("/id/491/resource/kirjaston-asiakas-ja-kokoelmatiedot", headers={"accept": "text/html"})
            assert r.status_code == 200 and time.monotonic() - started < 10
        finally:
            slow.gate.set()
            for p in heavy:
                p.join(60)
        assert answers == {"491": 200, "046": 200}


@pytest.mark.parametrize("path, heavy", [
    ("/id/491", True), ("/id/491.json", True), ("/id/lumme.csv", True), ("/compare", True), ("/compare.json", True),
    ("/compare.csv", True), ("/compare/merge.ttl", True), ("/catalog", True), ("/catalog.jsonld", True),
    ("/catalog/491", True), ("/catalog/491.ttl", True),
    ("/id/491/resource/kirjaston-asiakas-ja-kokoelmatiedot", False), ("/compare/matrix", False), ("/search", False),
    ("/finder", False), ("/", False), ("/catalogue", False), ("/sparql", False)])
def test_which_pages_queue_in_the_heavy_lane(path, heavy):
    """A municipality's page, the side-by-side comparison and the feed, in every format; not the rest."""
    from kuntagraph.server.threads import HEAVY

    assert bool(HEAVY.fullmatch(path)) is heavy


def test_page_threads_are_a_setting_of_serve():
    from conftest import Server, run_cli
    server = Server("--page-threads", 3)
    try:
        assert httpx.get(server.url + "/id/491", headers={"accept": "text/html"}).status_code == 200
        assert 'kuntagraph_page_threads{state="limit"} 3.0' in httpx.get(server.url + "/metrics").text
    finally:
        server.stop()
    r = run_cli("serve", "--page-threads", "0")
    assert r.returncode == 2 and "--page-threads: must be 1 or more" in r.stderr


def test_access_log_is_structured_and_has_no_secrets(server):
    import json
    secret = "kg_0123456789ab_ThisIsNotARealSecretButMustNotBeLogged"
    httpx.get(server.url + "/finder", params={"q": "kirjasto"}, headers={"authorization": f"Bearer {secret}"},
              cookies={"kg_session": secret})
    httpx.put(server.url + "/store", params={"graph": "https://w3id.org/kuntagraph/graph/491"}, content=secret.encode(),
              headers={"authorization": f"Bearer {secret}", "content-type": "text/turtle"})
    # The access log line is written once the answer has gone out, so it may come a moment after the client has it.
    deadline = time.monotonic() + 30  # a loaded machine (CI) may take long; the loop ends as soon as the line is there
    while True:
        log = open(server.log.name, encoding="utf-8").read()
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        if any(x["path"] == "/store" for x in lines) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert secret not in log
    finder = [x for x in lines if x["path"] == "/finder"][-1]
    assert finder["status"] == 200 and finder["method"] == "GET" and finder["ms"] > 0 and finder["client"] == "127.0.0.1"
    assert any(x["path"] == "/store" and x["method"] == "PUT" for x in lines)


# --- faults: backups ---------------------------------------------------------------------------------------

def test_dump_and_restore_round_trip_every_graph_and_the_history(tmp_path):
    import sqlite3
    import pyoxigraph as ox
    from conftest import DATA, Server, run_cli
    from kuntagraph.publish import digest
    store, copy = tmp_path / "store", tmp_path / "copy"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    secret = run_cli("token", "create", "--kunta", "740", "--store", store).stdout.strip().splitlines()[-1]
    server = Server("--store", store)
    try:
        body = (DATA / "740.ttl").read_text(encoding="utf-8").replace('"Savonlinna"@fi', '"Savonlinna (varmuuskopio)"@fi')
        r = httpx.put(server.url + "/store", params={"graph": "https://w3id.org/kuntagraph/graph/740"}, content=body.encode(),
                      headers={"authorization": f"Bearer {secret}", "content-type": "text/turtle"}, timeout=120)
        assert r.status_code == 200
        backup = tmp_path / "backup.tar.gz"
        r = run_cli("dump", "--store", store, "-o", backup)  # while the server runs
        assert r.returncode == 0, r.stderr
    finally:
        server.stop()
    assert run_cli("restore", backup, "--store", copy).returncode == 0
    assert run_cli("restore", backup, "--store", copy).returncode == 2  # never over an existing store

    def graphs(path):
        s = ox.Store.read_only(str(path))
        return {g.value: digest(s.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)) for g in s.named_graphs()}

    def history(path):
        with sqlite3.connect(path / "kuntagraph-state.sqlite") as db:
            return db.execute("SELECT * FROM versions ORDER BY graph, version").fetchall(), db.execute("SELECT * FROM tokens").fetchall()

    assert graphs(copy) == graphs(store) and len(graphs(store)) > 20
    assert history(copy) == history(store) and len(history(store)[0]) == 2
    server = Server("--store", copy)  # the restored store serves, and its credentials work
    try:
        assert "Savonlinna (varmuuskopio)" in httpx.get(server.url + "/id/740", headers={"accept": "text/turtle"}).text
        r = httpx.put(server.url + "/store", params={"graph": "https://w3id.org/kuntagraph/graph/740"},
                      content=(DATA / "740.ttl").read_bytes(), headers={"authorization": f"Bearer {secret}", "content-type": "text/turtle"})
        assert r.status_code == 200 and r.json()["version"] == 3
    finally:
        server.stop()
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(backup.read_bytes()[:-200])
    r = run_cli("restore", damaged, "--store", tmp_path / "other")
    assert r.returncode == 2 and "Traceback" not in r.stderr


# --- rendering is inert ------------------------------------------------------------------------------------

PAYLOADS = {"fi": "<script>window.__pwned=1</script> pwned {{7*7}}", "en": '<img src=x onerror="window.__pwned=1"> pwned'}
DESCRIPTION = "<svg onload=window.__pwned=1></svg> {% raw %} ${7*7} pwned"
HOSTILE = f"""
<https://w3id.org/kuntagraph/id/491/resource/xss> a <https://w3id.org/kuntagraph/def#InformationResource> ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> {json.dumps(PAYLOADS["fi"])}@fi , {json.dumps(PAYLOADS["en"])}@en ;
  <http://purl.org/dc/terms/description> {json.dumps(DESCRIPTION)}@fi ;
  <http://xmlns.com/foaf/0.1/homepage> <javascript:window.__pwned=1> .
"""
INERT_PAGES = ["/id/491/resource/xss", "/id/491/resource/xss?lang=en", "/id/491", "/compare/matrix", "/compare?m=491",
               "/search?q=pwned", "/search?q=pwned&lang=en", "/finder?q=pwned", "/graph/491"]


@pytest.fixture(scope="module")
def hostile(writable):
    from conftest import DATA
    server, secret = writable
    body = (DATA / "491.ttl").read_text(encoding="utf-8") + HOSTILE
    r = httpx.put(server.url + "/store", params={"graph": "https://w3id.org/kuntagraph/graph/491"}, content=body.encode(),
                  headers={"authorization": f"Bearer {secret}", "content-type": "text/turtle"}, timeout=120)
    assert r.status_code in (200, 201), r.text
    return server


@pytest.mark.parametrize("path", INERT_PAGES)
def test_markup_in_the_data_is_shown_as_text(hostile, path):
    html = httpx.get(hostile.url + path, headers={"accept": "text/html"}).text
    assert "<script>window.__pwned" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert 'href="javascript:' not in html.lower()
    assert "49" not in html.replace("491", "")  # template syntax is not evaluated
    if path.startswith(("/id/491/resource/xss", "/search")):
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html or "&lt;img src=x" in html


def test_json_twins_carry_the_text_exactly(hostile):
    data = httpx.get(hostile.url + "/search.json", params={"q": "pwned"}).json()
    text = json.dumps(data, ensure_ascii=False)
    assert PAYLOADS["fi"] in text or PAYLOADS["en"] in text
    r = httpx.get(hostile.url + "/search.json", params={"q": "pwned"})
    assert r.headers["content-type"].startswith("application/json") and r.headers["x-content-type-options"] == "nosniff"


def test_nothing_runs_in_a_browser(hostile, browser):  # noqa: F811
    for path in INERT_PAGES:
        browser.get(hostile.url + path)
        assert browser.execute_script("return window.__pwned === undefined"), path
        assert browser.find_elements("css selector", "a[href^='javascript:']") == []


# --- faults: a load killed at any moment -------------------------------------------------------------------

def test_sigkill_during_load_leaves_every_graph_old_or_new(tmp_path):
    """20 loads of 12 generated municipalities into a store that already has them (with other labels), each
    killed with SIGKILL at a random moment: afterwards every graph is exactly its old or its new version."""
    import os
    import random
    import signal
    import subprocess
    import time
    import pyoxigraph as ox
    from conftest import CLI, ROOT, run_cli

    old, new, store = tmp_path / "old", tmp_path / "new", tmp_path / "store"
    assert run_cli("generate", "--municipalities", "12", "--scale", "0.5", "--out", old, "--seed", "1").returncode == 0
    assert run_cli("generate", "--municipalities", "12", "--scale", "0.5", "--out", new, "--seed", "2").returncode == 0
    assert run_cli("load", old, "--store", store, "--skip-validation").returncode == 0

    def counts(directory):
        from kuntagraph import rdffiles
        from kuntagraph.iris import Iris
        return {f.graph: len(set(f.triples)) for f in (rdffiles.read(p, Iris()) for p in sorted(directory.glob("*.ttl")))}

    expected_old, expected_new = counts(old), counts(new)
    assert expected_old != expected_new
    started = time.monotonic()
    assert run_cli("load", new, "--store", store, "--skip-validation").returncode == 0
    duration = time.monotonic() - started
    assert run_cli("load", old, "--store", store, "--skip-validation").returncode == 0
    rng = random.Random(20)
    mixed = 0
    for trial in range(20):
        proc = subprocess.Popen([*CLI, "load", str(new if trial % 2 == 0 else old), "--store", str(store), "--skip-validation"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        s = ox.Store.read_only(str(store))
        for graph, n_old in expected_old.items():
            n = sum(1 for _ in s.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            assert n in (n_old, expected_new[graph]), (trial, graph, n, n_old, expected_new[graph])
        versions = {sum(1 for _ in s.quads_for_pattern(None, None, None, ox.NamedNode(g))) == expected_new[g] for g in expected_old}
        mixed += len(versions) == 2  # some graphs already new, others still old: the kill landed mid-load
        del s
    assert mixed >= 1  # at least one kill really fell in the middle of a load
