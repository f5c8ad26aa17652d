"""The page cache (server/cache.py) against a real server on an on-disk store: repeated pages come from memory
with an ETag and 304, a write drops them all, and what must not be kept (writes, queries, logins) is not."""

from __future__ import annotations

import httpx
import pytest

from conftest import DATA, Server, run_cli
from test_publish import auth, token

BASE = "https://w3id.org/kuntagraph/"
G491 = BASE + "graph/491"


def cache_counts(server) -> dict[str, float]:
    counts = {}
    for line in httpx.get(server.url + "/metrics").text.splitlines():
        if line.startswith("kuntagraph_page_cache_total{"):
            outcome = line.split('outcome="', 1)[1].split('"', 1)[0]
            counts[outcome] = float(line.rsplit(" ", 1)[1])
    return counts


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("cached") / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    admin = token(store, "--admin")
    server = Server("--store", store)
    # The §28 check's progress is part of every page's version: let it finish first.
    for _ in range(600):
        if httpx.get(server.url + "/compare/compliance.json", timeout=60).json()["complete"]:
            break
    yield server, admin
    server.stop()


@pytest.mark.parametrize("path,accept", [("/id/491", "text/html"), ("/compare/products", "text/html"),
                                         ("/search?q=kirjasto", "text/html"), ("/catalog", "text/turtle"),
                                         ("/id/491/resource/kirjaston-asiakas-ja-kokoelmatiedot", "text/turtle"),
                                         ("/compare/compliance.json", "*/*"),
                                         ("/sparql?query=SELECT%20%3Fl%20WHERE%20%7B%20%3Chttps%3A%2F%2Fw3id.org%2Fkuntagraph%2Fid%2F491%3E"
                                          "%20%3Chttp%3A%2F%2Fwww.w3.org%2F2004%2F02%2Fskos%2Fcore%23prefLabel%3E%20%3Fl%20%7D",
                                          "application/sparql-results+json")])
def test_a_repeated_page_is_the_same_answer_from_memory_with_an_etag(site, path, accept):
    server, _ = site
    first = httpx.get(server.url + path, headers={"accept": accept})
    before = cache_counts(server)
    again = httpx.get(server.url + path, headers={"accept": accept})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]
    assert cache_counts(server)["hit"] == before["hit"] + 1
    etag = again.headers["etag"]
    assert first.headers["etag"] == etag  # the first answer had it too: it is held until complete
    # The security and CORS headers are still on an answer from memory.
    assert again.headers["content-security-policy"] and again.headers["access-control-allow-origin"] == "*"
    r = httpx.get(server.url + path, headers={"accept": accept, "if-none-match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag


def test_the_key_is_the_whole_request(site):
    server, _ = site
    fi = httpx.get(server.url + "/id/491?lang=fi").text
    en = httpx.get(server.url + "/id/491?lang=en").text
    assert fi != en and 'lang="en"' in en and 'lang="fi"' in fi
    html = httpx.get(server.url + "/id/491", headers={"accept": "text/html"})
    turtle = httpx.get(server.url + "/id/491", headers={"accept": "text/turtle"})
    assert html.headers["content-type"].startswith("text/html") and turtle.headers["content-type"].startswith("text/turtle")


def test_a_write_drops_every_page(site):
    server, admin = site
    label_query = {"query": f"SELECT ?l WHERE {{ <{BASE}id/491> <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }}"}
    assert "(muutettu)" not in httpx.get(server.url + "/sparql", params=label_query).text
    page = httpx.get(server.url + "/id/491?lang=fi")
    assert "Mikkeli" in page.text and "Mikkelin kaupunki (muutettu)" not in page.text
    httpx.get(server.url + "/catalog/491", headers={"accept": "text/turtle"})
    graph = httpx.get(server.url + "/store", params={"graph": G491}, headers={"accept": "application/n-triples"})
    assert graph.status_code == 200
    lines = graph.text.splitlines()
    label = next(i for i, line in enumerate(lines)
                 if line.startswith(f"<{BASE}id/491> <http://www.w3.org/2004/02/skos/core#prefLabel>") and '"@fi' in line)
    changed = lines[:label] + [f'<{BASE}id/491> <http://www.w3.org/2004/02/skos/core#prefLabel> "Mikkelin kaupunki (muutettu)"@fi .'] + lines[label + 1:]
    try:
        r = httpx.put(server.url + "/store", params={"graph": G491}, content="\n".join(changed).encode(),
                      headers={**auth(admin), "content-type": "application/n-triples"}, timeout=120)
        assert r.status_code in (200, 204), r.text
        after = httpx.get(server.url + "/id/491?lang=fi")
        assert "Mikkelin kaupunki (muutettu)" in after.text
        assert "Mikkelin kaupunki (muutettu)" in httpx.get(server.url + "/sparql", params=label_query).text
        assert after.headers["etag"] != page.headers["etag"]
        r = httpx.get(server.url + "/id/491?lang=fi", headers={"if-none-match": page.headers["etag"]})
        assert r.status_code == 200  # the old ETag no longer matches
    finally:
        r = httpx.put(server.url + "/store", params={"graph": G491}, content=graph.content,
                      headers={**auth(admin), "content-type": "application/n-triples"}, timeout=120)
        assert r.status_code in (200, 204), r.text
    assert "Mikkelin kaupunki (muutettu)" not in httpx.get(server.url + "/id/491?lang=fi").text


def test_what_must_not_be_kept_is_not(site):
    server, _ = site
    before = cache_counts(server)
    for _ in range(2):
        assert httpx.get(server.url + "/sparql", params={"query": "SELECT (NOW() AS ?t) (STRUUID() AS ?u) {}"},
                         headers={"accept": "application/sparql-results+json"}).status_code == 200
        assert httpx.post(server.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                          headers={"accept": "application/sparql-results+json"}).status_code == 200
        assert httpx.get(server.url + "/publish").status_code == 200  # sets a session cookie
        assert httpx.get(server.url + "/health/ready").status_code == 200
        assert httpx.get(server.url + "/id/no-such-thing").status_code == 404
    after = cache_counts(server)
    assert after["hit"] == before["hit"]
    assert "etag" not in httpx.get(server.url + "/publish").headers


def test_a_client_can_ask_for_a_fresh_answer(site):
    """Cache-Control: no-cache (a browser's reload) computes the answer again and keeps it; no-store computes it
    and keeps nothing. A benchmark of the query engine sends no-cache."""
    server, _ = site
    path = "/compare/products?lang=en"
    httpx.get(server.url + path)
    before = cache_counts(server)
    fresh = httpx.get(server.url + path, headers={"cache-control": "no-cache"})
    unkept = httpx.get(server.url + path, headers={"cache-control": "no-store"})
    again = httpx.get(server.url + path)
    after = cache_counts(server)
    assert fresh.status_code == unkept.status_code == again.status_code == 200
    assert fresh.content == unkept.content == again.content
    assert "etag" not in unkept.headers and again.headers["etag"] == fresh.headers["etag"]
    assert after["miss"] == before["miss"] + 1 and after["bypass"] == before["bypass"] + 1
    assert after["hit"] == before["hit"] + 1  # only the last one came from memory


def test_the_cache_is_bounded_and_the_least_recently_used_leave_first():
    server = Server("--page-cache-mb", 1)
    try:
        pages = [f"/compare/matrix?lang=fi&x={i}" for i in range(150)]  # different keys, the same ~11 KB page
        size = len(httpx.get(server.url + pages[0]).content)
        assert 1 << 20 < size * len(pages), "the pages do not fill the cache: the test would prove nothing"
        for p in pages[1:]:
            httpx.get(server.url + p)
        before = cache_counts(server)
        httpx.get(server.url + pages[-1])  # the most recent is still there
        assert cache_counts(server)["hit"] == before["hit"] + 1
        httpx.get(server.url + pages[0])  # the first one has left
        assert cache_counts(server)["miss"] == before["miss"] + 1
    finally:
        server.stop()
