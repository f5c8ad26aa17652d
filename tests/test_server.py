"""The linked-data server over real HTTP: dereferencing, content negotiation, caching, pages, dumps."""

import json
import re
from urllib.parse import urljoin, urlparse

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from conftest import BASE, LUMME_CODES

RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml", "application/n-triples": "nt"}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}
# One IRI of every kind of thing.
KINDS = {
    "municipality": "id/491",
    "authority": "id/491/authority/kirjasto",
    "description": "id/491/description/kirjasto",
    "resource": "id/unnamed-001/resource/perusopetuksen-tietovaranto",
    "dataset": "id/lumme/dataset/asiakkaita-koskevat-tiedot",
    "data group": "id/lumme/data-group/asiakkaan-tiedot",
    "process": "id/mantajarvi/process/kirjastopalveluiden-jarjestaminen",
    "purpose": "id/mantajarvi/purpose/lainauksen-toteuttaminen",
    "system instance": "id/lumme/system/koha",
    "consortium": "id/lumme",
    "reference item": "id/reference/dataset/kirjastoasiakkaan-kayttajatiedot",
    "system product": "vocab/system-product/koha",
    "service area": "vocab/service-area/library",
    "concept scheme": "vocab/service-area",
    "source document": "source/004_a3d8f9d0def281ae",
    "ontology": "def",
}


def parse(body: bytes, media: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format=RDF_TYPES[media])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("media", RDF_TYPES)
def test_content_negotiation_matrix_by_accept(server, kind, media):
    path = "/" + KINDS[kind]
    r = httpx.get(server.url + path, headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    assert r.headers["vary"] == "Accept" and r.headers["etag"].startswith('"')
    g = parse(r.content, media)
    subject = rdflib.URIRef(BASE + KINDS[kind])
    assert (subject, None, None) in g, "the description is about the requested IRI"
    # The same description in Turtle, compared after parsing both.
    ttl = httpx.get(server.url + path + ".ttl")
    assert ttl.status_code == 200
    assert rdflib.compare.isomorphic(g, parse(ttl.content, "text/turtle"))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_suffix_overrides_accept(server, suffix):
    r = httpx.get(server.url + "/id/491" + suffix, headers={"Accept": "text/html"})
    assert r.headers["content-type"].split(";")[0] == SUFFIXES[suffix]
    assert r.headers["content-location"] == "/id/491" + suffix


def test_curl_turtle_about_mikkeli_parses(server):
    r = httpx.get(server.url + "/id/491", headers={"Accept": "text/turtle"})
    g = parse(r.content, "text/turtle")
    mikkeli = rdflib.URIRef(BASE + "id/491")
    assert (mikkeli, rdflib.URIRef("http://purl.org/dc/terms/identifier"), rdflib.Literal("491")) in g
    assert (mikkeli, rdflib.namespace.SKOS.prefLabel, rdflib.Literal("S:t Michel", lang="sv")) in g


def test_bounded_description_has_labels_of_links_and_what_links_here(server):
    g = parse(httpx.get(server.url + "/id/491.ttl").content, "text/turtle")
    koha = rdflib.URIRef(BASE + "id/lumme/system/koha")
    mikkeli = rdflib.URIRef(BASE + "id/491")
    assert (koha, rdflib.URIRef(BASE + "def#owner"), mikkeli) in g  # what links to it
    assert g.value(koha, rdflib.namespace.SKOS.prefLabel) is not None  # with its label
    lumme = rdflib.URIRef(BASE + "id/lumme")
    assert (mikkeli, rdflib.URIRef("http://www.w3.org/ns/org#memberOf"), lumme) in g
    assert g.value(lumme, rdflib.namespace.SKOS.prefLabel) is not None  # labels of what it links to
    # Bounded: nothing about things two steps away (e.g. Koha's other owners' labels).
    assert g.value(rdflib.URIRef(BASE + "id/915"), rdflib.namespace.SKOS.prefLabel) is None


def test_q_values_are_honoured(server):
    r = httpx.get(server.url + "/id/491", headers={"Accept": "text/turtle;q=0.4, application/rdf+xml;q=0.9, text/html;q=0.1"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    r = httpx.get(server.url + "/id/491", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.text


def test_etag_304_and_representations_differ(server):
    url = server.url + "/id/491"
    ttl = httpx.get(url, headers={"Accept": "text/turtle"})
    nt = httpx.get(url, headers={"Accept": "application/n-triples"})
    assert ttl.headers["etag"] != nt.headers["etag"]
    again = httpx.get(url, headers={"Accept": "text/turtle", "If-None-Match": ttl.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == ttl.headers["etag"]
    other = httpx.get(url, headers={"Accept": "application/n-triples", "If-None-Match": ttl.headers["etag"]})
    assert other.status_code == 200
    assert "Last-Modified" in ttl.headers


def test_representations_with_blank_nodes_are_the_same_bytes_every_time():
    """A contact's postal address is a blank node: its label must not change between requests, or neither would
    the ETag, and a harvester's conditional GET would never get a 304 (without the page cache, which keeps bytes)."""
    from conftest import Server
    server = Server("--page-cache-mb", 0)
    try:
        for path in ("/id/491/contact/kirjasto", "/dumps/491.ttl", "/graph/491"):
            first, second = (httpx.get(server.url + path, headers={"Accept": "application/n-triples"}) for _ in range(2))
            assert first.status_code == 200 and "_:" in first.text, path
            assert first.content == second.content and first.headers["etag"] == second.headers["etag"], path
            again = httpx.get(server.url + path, headers={"Accept": "application/n-triples", "If-None-Match": first.headers["etag"]})
            assert again.status_code == 304, path
    finally:
        server.stop()


def test_link_headers_and_html_alternates(server):
    r = httpx.get(server.url + "/id/491", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    link = r.headers["link"]
    for suffix in SUFFIXES:
        assert f"</id/491{suffix}>" in link
    assert '<link rel="alternate" type="text/turtle" href="/id/491.ttl"' in r.text


def test_unknown_iri_is_a_helpful_404(server):
    r = httpx.get(server.url + "/id/999/resource/nothing", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "/id/999/resource/nothing" in r.text and 'href="/?lang=fi"' in r.text
    r = httpx.get(server.url + "/id/999", headers={"Accept": "text/turtle"})
    assert r.status_code == 404


def test_head_answers_like_get_without_a_body(server):
    r = httpx.head(server.url + "/id/491.ttl")
    assert r.status_code == 200 and r.content == b"" and r.headers["etag"]


def test_void_and_dumps(server):
    r = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    g = parse(r.content, "text/turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = rdflib.URIRef(BASE + "void#dataset")
    assert g.value(ds, void.sparqlEndpoint) == rdflib.URIRef(server.url + "/sparql")
    dump = str(g.value(ds, void.dataDump))
    nq = httpx.get(dump)
    quads = list(ox.parse(nq.content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == int(g.value(ds, void.triples))
    assert {q.graph_name.value for q in quads} >= {BASE + f"graph/{c}" for c in LUMME_CODES}
    subsets = list(g.objects(ds, void.subset))
    for s in subsets:
        if str(s) == BASE + "graph/491":
            ttl = httpx.get(str(g.value(s, void.dataDump)))
            assert len(parse(ttl.content, "text/turtle")) == int(g.value(s, void.triples))


def test_ontology_page_documents_every_class_and_property(server):
    html = httpx.get(server.url + "/def?lang=en").text
    for local in ["InformationResource", "SystemInstance", "decidingAuthority", "searchCriterion", "personalData"]:
        assert f'id="{local}"' in html
    assert "tietovaranto" in httpx.get(server.url + "/def?lang=fi").text


def test_scheme_page_shows_the_hierarchy(server):
    html = httpx.get(server.url + "/vocab/service-area?lang=en").text
    assert html.count('href="/vocab/service-area/library?lang=en"') == 2  # library sits under two broader areas


def test_every_page_reachable_from_the_home_page_answers(server):
    """Crawl the site's own links (two levels deep, every language) and require no error."""
    seen, frontier, failures = set(), ["/?lang=fi", "/?lang=sv", "/?lang=en"], []
    for depth in range(3):
        nxt = []
        for path in frontier:
            if path in seen:
                continue
            seen.add(path)
            r = httpx.get(server.url + path, headers={"Accept": "text/html"})
            if r.status_code != 200:
                failures.append((path, r.status_code))
                continue
            if not r.headers["content-type"].startswith("text/html"):
                continue
            for href in re.findall(r'href="([^"#]+)"', r.text):
                href = href.replace("&amp;", "&")
                if re.match(r"^[a-z][a-z0-9+.-]*:", href):  # tel:, mailto:, other sites
                    continue
                u = urlparse(urljoin(path, href))
                if not u.netloc and not href.startswith("/static/"):
                    nxt.append(u.path + ("?" + u.query if u.query else ""))
        frontier = nxt
    assert failures == []
    assert len(seen) > 60


@pytest.mark.parametrize("lang,word,mikkeli", [("fi", "Kunnat", "Mikkeli"), ("sv", "Kommuner", "S:t Michel"),
                                              ("en", "Municipalities", "Mikkeli")])
def test_home_page_in_three_languages_lists_the_municipalities(server, lang, word, mikkeli):
    html = httpx.get(server.url + f"/?lang={lang}").text
    assert f"<h2 id=\"municipalities\">{word}</h2>" in html
    for name in [mikkeli, "Varkaus", "Enonkoski", "Mantajärvi"]:
        assert name in html


def test_label_fallback_when_a_language_is_missing(server):
    # Mikkeli has fi and sv names; Varkaus only fi: sv pages show S:t Michel and fall back to Varkaus.
    html = httpx.get(server.url + "/?lang=sv").text
    assert "S:t Michel" in html and "Varkaus" in html


def test_example_queries_all_answer(server):
    from kuntagraph.server.examples import EXAMPLES

    for e in EXAMPLES:
        r = httpx.post(server.url + "/sparql", data={"query": e["query"]}, headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, e["id"]
        assert r.json()["results"]["bindings"], e["id"]


def test_completions_list_project_terms(server):
    d = httpx.get(server.url + "/sparql/completions").json()
    assert "kg: <https://w3id.org/kuntagraph/def#>" in d["prefixes"]
    assert BASE + "def#InformationResource" in d["classes"]
    assert BASE + "def#heldIn" in d["properties"]
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" in d["properties"]  # in use, declared nowhere here
    # The ontology's anonymous classes (owl:unionOf and the like) are blank nodes: nothing to complete.
    assert all(t.startswith("http") for t in d["classes"] + d["properties"]), d


def test_another_base_iri_keeps_the_vocabulary_and_every_view_working():
    """`serve --base-uri`: what is described lives under the deployment's base; the ontology and the
    concept schemes keep their canonical IRIs; every view still answers."""
    from conftest import Server

    s = Server("--base-uri", "http://data.example.org/kg/")
    try:
        g = parse(httpx.get(s.url + "/id/491.ttl").content, "text/turtle")
        mikkeli = rdflib.URIRef("http://data.example.org/kg/id/491")
        assert (mikkeli, rdflib.RDF.type, rdflib.URIRef(BASE + "def#Municipality")) in g
        assert (rdflib.URIRef("http://data.example.org/kg/id/lumme/system/koha"), rdflib.URIRef(BASE + "def#owner"), mikkeli) in g
        html = httpx.get(s.url + "/id/491/authority/kirjasto").text
        assert 'href="/id/491?lang=fi"' in html and "Virpi Launonen" in html
        assert httpx.get(s.url + "/vocab/system-product/koha.ttl").status_code == 200
        rows = httpx.get(s.url + "/compare/products.json").json()["rows"]
        assert next(r for r in rows if r["product_label"] == "Koha")["municipalities"] == 8
        finder = httpx.get(s.url + "/finder.json?q=kirjaston+asiakastiedot&kunta=491").json()["rows"]
        assert finder[0]["resource"] == "http://data.example.org/kg/id/491/resource/kirjaston-asiakas-ja-kokoelmatiedot"
    finally:
        s.stop()
