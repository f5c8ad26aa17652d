"""Publishing over HTTP against a real server on an on-disk store: the W3C Graph Store Protocol tests, the
permission matrix, validation before every write, ETags, history and rollback (kill -9 during writes: test_faults)."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import quote

import httpx
import pytest
import rdflib

from conftest import DATA, SHARED, Server, run_cli

BASE = "https://w3id.org/kuntagraph/"
G491, G740 = BASE + "graph/491", BASE + "graph/740"
GSP_TESTS = SHARED / "reference" / "sparql11-protocol" / "graph-store-protocol" / "tests-indirect.json"


SYSTEM_LIST_TEXT = """Tietojärjestelmät

Lupapiste – sähköinen lupapalvelu
käyttötarkoitus: rakennuslupien hakeminen ja käsittely
vastuuyksikkö: Rakennusvalvonta

MultiPrimus – oppilashallinnon järjestelmä
käyttötarkoitus: opetuksen järjestäminen
tietovarannot: Oppilasrekisteri
tietoaineistot: oppilaiden perustiedot, arvioinnit
"""


def token(store, *args) -> str:
    r = run_cli("token", "create", *args, "--store", store)
    assert r.returncode == 0, r.stderr
    secret = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"kg_[0-9a-f]{12}_\S+", secret) and secret not in r.stderr
    return secret


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("published") / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    creds = {"491": token(store, "--kunta", "491"), "740": token(store, "--kunta", "740"),
             "admin": token(store, "--admin"), "gsp": token(store, "--kunta", "gsp-test"),
             "mantajarvi": token(store, "--kunta", "mantajarvi"), "revoked": token(store, "--kunta", "491")}
    revoked_id = creds["revoked"].split("_")[1]
    assert run_cli("token", "revoke", revoked_id, "--store", store).returncode == 0
    listed = run_cli("token", "list", "--store", store).stdout
    assert revoked_id in listed and "kg_" not in listed  # ids and dates, never secrets
    server = Server("--store", store)
    yield server, creds, store
    server.stop()


def auth(secret):
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def turtle_of(path) -> str:
    return path.read_text(encoding="utf-8")


def isomorphic(a: str, b: str, fmt="turtle") -> bool:
    from rdflib.compare import isomorphic as iso
    return iso(rdflib.Graph().parse(data=a, format=fmt), rdflib.Graph().parse(data=b, format=fmt))


# --- the W3C Graph Store Protocol tests --------------------------------------------------------------------

STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}, "StatusCode2xx": set(range(200, 300))}


def _gsp_cases():
    if not GSP_TESTS.exists():
        pytest.fail(f"the W3C Graph Store Protocol tests are missing: {GSP_TESTS} (../shared/reference)")
    return json.loads(GSP_TESTS.read_text())


def _rewrite(text: str) -> str:
    """The tests' graphs (http://www.example/gsp/...) moved into a tenant's namespace: its graphs graph/gsp-test/...
    and its things id/gsp-test/..., raw and percent-encoded, so the tests apply to a store of tenants' graphs."""
    for old, new in (("http://www.example/gsp/", BASE + "id/gsp-test/"),):
        text = text.replace(old, new)
    return text


def _rewrite_path(path: str) -> str:
    graph_new = BASE + "graph/gsp-test/"
    return (path.replace(quote("http://www.example/gsp/", safe=""), quote(graph_new, safe=""))
            .replace("http://www.example/gsp/", graph_new).replace("/gsp", "/store", 1))


@pytest.mark.parametrize("case", [c["id"] for c in json.loads(GSP_TESTS.read_text())] if GSP_TESTS.exists() else ["missing"])
def test_w3c_graph_store_protocol(site, case):
    server, creds, _ = site
    test = next(c for c in _gsp_cases() if c["id"] == case)
    for req in test["requests"]:  # each test starts from its graphData (none): its graphs do not exist
        path = _rewrite_path(req["path"])
        if "graph=" in path and "$LOCATION$" not in path:
            httpx.delete(server.url + path, headers=auth(creds["gsp"]))
    location = None
    for req in test["requests"]:
        path = _rewrite_path(req["path"])
        if "$LOCATION$" in path:
            path = path.replace("$LOCATION$", quote(location, safe=""))
        headers = dict(req.get("headers") or {})
        body = _rewrite(req["body"]).encode("utf-8") if req.get("body") else None
        if req["method"] != "GET" and req["method"] != "HEAD":
            headers.update(auth(creds["gsp"]))
        r = httpx.request(req["method"], server.url + path, headers=headers, content=body, timeout=60)
        if "?default" in path and req["method"] in ("PUT", "POST", "DELETE"):
            # the default graph is the union of the tenants' graphs: it is not written (the test does not apply)
            assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD", r.text
            continue
        allowed = set().union(*(STATUS[s] for s in req["expect"]["status"]))
        if "?default" in path and req["method"] == "GET":
            assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
            continue
        assert r.status_code in allowed, (req["method"], path, r.status_code, r.text)
        for name, value in (req["expect"].get("headers") or {}).items():
            assert r.headers[name] == value
        if req["expect"].get("body") and req["method"] == "GET":
            assert isomorphic(r.text, _rewrite(req["expect"]["body"])), r.text
        location = r.headers.get("location") or location


# --- who may write what ------------------------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["PUT", "POST", "DELETE"])
def test_permission_matrix(site, verb):
    server, creds, _ = site
    body = turtle_of(DATA / "491.ttl").encode()
    for who, expected in (("none", 401), ("740", 403), ("revoked", 401), ("491", 200), ("admin", 200)):
        before = httpx.get(server.url + "/store", params={"graph": G491})
        r = httpx.request(verb, server.url + "/store", params={"graph": G491}, headers={
            **auth(creds.get(who)), "content-type": "text/turtle"}, content=None if verb == "DELETE" else body, timeout=60)
        assert r.status_code == expected, (verb, who, r.status_code, r.text)
        if expected == 401:
            assert r.headers["www-authenticate"].startswith("Bearer")
        if expected >= 400:
            after = httpx.get(server.url + "/store", params={"graph": G491})
            assert after.content == before.content and after.headers["etag"] == before.headers["etag"]
        elif verb == "DELETE":
            assert httpx.get(server.url + "/store", params={"graph": G491}).status_code == 404
            restore = httpx.put(server.url + "/store", params={"graph": G491}, content=body,
                                headers={**auth(creds["491"]), "content-type": "text/turtle"}, timeout=60)
            assert restore.status_code == 201
    # and 491's credential never touches Savonlinna's graph, nor things of Savonlinna's inside its own
    r = httpx.put(server.url + "/store", params={"graph": G740}, content=turtle_of(DATA / "740.ttl").encode(),
                  headers={**auth(creds["491"]), "content-type": "text/turtle"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden" and "491" in r.json()["message"]["fi"]
    sneaky = body + f'\n<{BASE}id/740> <http://www.w3.org/2004/02/skos/core#prefLabel> "Mikkeli-2"@fi .\n'.encode()
    r = httpx.put(server.url + "/store", params={"graph": G491}, content=sneaky,
                  headers={**auth(creds["491"]), "content-type": "text/turtle"})
    assert r.status_code == 403 and r.json()["error"] == "foreign-subject"


def test_sparql_update_is_refused_even_with_a_credential(site):
    server, creds, _ = site
    r = httpx.post(server.url + "/sparql", content=f"DROP GRAPH <{G491}>",
                   headers={**auth(creds["admin"]), "content-type": "application/sparql-update"})
    assert r.status_code == 403
    assert httpx.get(server.url + "/store", params={"graph": G491}).status_code == 200


def test_failed_attempts_are_rate_limited_and_logged_without_the_secret(tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", DATA / "491.ttl", "--store", store).returncode == 0
    right = token(store, "--kunta", "491")
    wrong = right[:-4] + ("AAAA" if not right.endswith("AAAA") else "BBBB")
    server = Server("--store", store)  # its own server: the limit is per client, and the tests are one client
    try:
        codes = [httpx.put(server.url + "/store", params={"graph": G491}, content=b"",
                           headers={**auth(wrong), "content-type": "text/turtle"}).status_code for _ in range(11)]
        assert codes[:10] == [401] * 10 and codes[10] == 429
        blocked = httpx.put(server.url + "/store", params={"graph": G491}, content=b"",
                            headers={**auth(right), "content-type": "text/turtle"})
        assert blocked.status_code == 429 and "try again" in blocked.json()["message"]["en"]
        log = open(server.log.name, encoding="utf-8").read()
        assert log.count("authentication failed") == 10 and wrong not in log and right not in log
        assert wrong.split("_")[1] in log  # the token id, which is not secret, says which credential was tried
    finally:
        server.stop()


# --- validation first --------------------------------------------------------------------------------------

def test_an_invalid_put_is_refused_with_a_readable_report_and_changes_nothing(site):
    server, creds, _ = site
    g = rdflib.Graph().parse(DATA / "mantajarvi.ttl")
    g.remove((None, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None))
    invalid = g.serialize(format="turtle").encode()
    graph = BASE + "graph/mantajarvi"
    before = httpx.get(server.url + "/store", params={"graph": graph})
    r = httpx.put(server.url + "/store", params={"graph": graph}, content=invalid,
                  headers={**auth(creds["mantajarvi"]), "content-type": "text/turtle"}, timeout=120)
    assert r.status_code == 422, r.text
    report = r.json()
    assert report["error"] == "invalid" and report["report"]["violations"]
    assert all(v["fi"] and v["en"] for v in report["report"]["violations"])
    text = httpx.put(server.url + "/store", params={"graph": graph, "lang": "en"}, content=invalid, timeout=120,
                     headers={**auth(creds["mantajarvi"]), "content-type": "text/turtle", "accept": "text/plain"})
    assert text.status_code == 422 and text.text.startswith("The description has") and "VIOLATION" in text.text
    after = httpx.get(server.url + "/store", params={"graph": graph})
    assert after.content == before.content and after.headers["etag"] == before.headers["etag"]


def test_etags_guard_against_lost_updates_and_writes_are_seen_by_pages_and_the_feed(site):
    server, creds, _ = site
    graph = BASE + "graph/mantajarvi"
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    feed = lambda: rdflib.Graph().parse(data=httpx.get(server.url + "/catalog/mantajarvi.ttl",  # noqa: E731
                                                       params={"modified_since": since}).text, format="turtle")
    hydra_total = rdflib.URIRef("http://www.w3.org/ns/hydra/core#totalItems")
    assert [int(o) for o in feed().objects(None, hydra_total)] == [0]
    etag = httpx.get(server.url + "/store", params={"graph": graph}).headers["etag"]
    body = turtle_of(DATA / "mantajarvi.ttl").replace('"Mantajärvi (kuvitteellinen esimerkkikunta)"@fi', '"Mantajärvi (päivitetty)"@fi')
    assert "(päivitetty)" in body
    headers = {**auth(creds["mantajarvi"]), "content-type": "text/turtle"}
    stale = httpx.put(server.url + "/store", params={"graph": graph}, content=body.encode(),
                      headers={**headers, "if-match": '"0000"'}, timeout=120)
    assert stale.status_code == 412
    exists = httpx.put(server.url + "/store", params={"graph": graph}, content=body.encode(),
                       headers={**headers, "if-none-match": "*"}, timeout=120)
    assert exists.status_code == 412
    ok = httpx.put(server.url + "/store", params={"graph": graph}, content=body.encode(),
                   headers={**headers, "if-match": etag}, timeout=120)
    assert ok.status_code == 200 and ok.headers["etag"] != etag and ok.json()["warnings"]  # warnings come with the 2xx
    assert "(päivitetty)" in httpx.get(server.url + "/id/mantajarvi", headers={"accept": "text/html"}).text
    assert [int(o) for o in feed().objects(None, hydra_total)] != [0]
    # The SPARQL endpoint's workers read the store beside the server: they see the write too.
    label = f'ASK {{ <{BASE}id/mantajarvi> ?p "Mantajärvi (päivitetty)"@fi }}'
    assert httpx.get(server.url + "/sparql", params={"query": label}, headers={"accept": "application/sparql-results+json"}).json()["boolean"]


# --- history and rollback ------------------------------------------------------------------------------------

def test_history_and_rollback_over_http(site):
    server, creds, _ = site
    original = httpx.get(server.url + "/store", params={"graph": G740}).text
    changed = turtle_of(DATA / "740.ttl").replace('"Savonlinna"@fi', '"Savonlinna (muutettu)"@fi')
    assert changed != turtle_of(DATA / "740.ttl")
    r = httpx.put(server.url + "/store", params={"graph": G740}, content=changed.encode(),
                  headers={**auth(creds["740"]), "content-type": "text/turtle"}, timeout=120)
    assert r.status_code == 200
    versions = httpx.get(server.url + "/store/history", params={"graph": G740}, headers=auth(creds["740"])).json()["versions"]
    assert [(v["version"], v["action"]) for v in versions] == [(1, "initial"), (2, "put")]
    assert versions[1]["who"].startswith("740:") and versions[1]["summary"]["changed"]
    assert httpx.get(server.url + "/store/history", params={"graph": G740}, headers=auth(creds["491"])).status_code == 403
    assert httpx.post(server.url + "/store/rollback", params={"graph": G740, "version": 1},
                      headers=auth(creds["740"])).status_code == 403  # the admin restores
    r = httpx.post(server.url + "/store/rollback", params={"graph": G740, "version": 1}, headers=auth(creds["admin"]))
    assert r.status_code == 200 and r.json()["version"] == 3
    assert isomorphic(httpx.get(server.url + "/store", params={"graph": G740}).text, original)
    old = httpx.get(server.url + "/store/version", params={"graph": G740, "version": 2}, headers=auth(creds["740"]))
    assert "Savonlinna (muutettu)" in old.text


def test_rollback_from_the_command_line(tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    from kuntagraph.auth import Credential
    from kuntagraph.publish import Publisher
    from kuntagraph.store import open_store
    import pyoxigraph as ox

    s = open_store(store)
    p = Publisher(s, store)
    triples = [q.triple for q in ox.parse(path=str(DATA / "491.ttl"), format=ox.RdfFormat.TURTLE)]
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    renamed = [ox.Triple(t.subject, t.predicate, ox.Literal("Mikkeli 2", language="fi"))
               if t.subject.value == BASE + "id/491" and t.predicate == label and t.object.language == "fi" else t for t in triples]
    p.write(Credential("t", "491"), G491, renamed)
    del p, s
    import gc
    gc.collect()
    listed = run_cli("history", "--kunta", "491", "--store", store)
    assert listed.returncode == 0 and "initial" in listed.stdout and "491:t" in listed.stdout
    r = run_cli("rollback", "--kunta", "491", "--to", "1", "--store", store)
    assert r.returncode == 0, r.stderr
    assert "Mikkeli 2" not in run_cli("query", f"SELECT ?l WHERE {{ <{BASE}id/491> skos:prefLabel ?l }}", "--store", store).stdout
    assert run_cli("rollback", "--kunta", "491", "--to", "99", "--store", store).returncode == 2


def test_a_server_without_a_store_is_read_only(server):
    r = httpx.put(server.url + "/store", params={"graph": G491}, content=b"", headers={"content-type": "text/turtle"})
    assert r.status_code == 405 and "--store" in r.json()["message"]["en"]
    assert httpx.get(server.url + "/store", params={"graph": G491}).status_code == 200
    assert "--store" in httpx.get(server.url + "/publish?lang=en").text
