"""The DCAT-AP 3 harvest feed over real HTTP: the official shapes on every page, Hydra paging, the change
filter, stable IRIs, and nothing secret published."""

from functools import lru_cache

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from conftest import BASE, SHARED, Server

SHAPES = SHARED / "reference/dcat-ap/3.0.1/shacl/dcat-ap-SHACL.ttl"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
KG = rdflib.Namespace(BASE + "def#")


@lru_cache(maxsize=1)
def official_shapes() -> rdflib.Graph:
    if not SHAPES.exists():
        pytest.fail(f"the official DCAT-AP 3.0.1 shapes are missing: {SHAPES} (../shared/reference beside the checkout)")
    g = rdflib.Graph().parse(SHAPES)
    # As the reference README says: drop the two sh:property links that point at undefined shapes.
    for s, o in list(g.subject_objects(SH.property)):
        if g.value(o, SH.path) is None:
            g.remove((s, SH.property, o))
    return g


def pages(server, path="/catalog", fmt="text/turtle", **params):
    """Follow hydra:next from the first page to the end; returns [(url, graph)]."""
    out, url, seen = [], server.url + path, set()
    query = params
    while url:
        assert url not in seen, f"the feed loops back to {url}"
        seen.add(url)
        r = httpx.get(url, params=query, headers={"Accept": fmt})
        query = None  # the next links carry the state
        assert r.status_code == 200, r.text
        g = rdflib.Graph().parse(data=r.content, format={"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[fmt])
        out.append((str(r.url), g))
        view = next(g.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert (view, RDF.type, HYDRA.PagedCollection) in g
        nxt, nxt_page = g.value(view, HYDRA.next), g.value(view, HYDRA.nextPage)
        assert nxt == nxt_page
        url = str(nxt) if nxt else None
    return out


def datasets(g):
    return set(g.objects(next(g.subjects(RDF.type, DCAT.Catalog)), DCAT.dataset))


@pytest.mark.parametrize("path", ["/catalog", "/catalog/491", "/catalog/unnamed-002", "/catalog/lumme"])
def test_every_page_conforms_to_the_official_dcat_ap_3_shapes(server, path):
    from pyshacl import validate

    for url, g in pages(server, path):
        conforms, results, text = validate(g, shacl_graph=official_shapes(), inference="none", allow_warnings=True)
        violations = [r for r in results.subjects(SH.resultSeverity, SH.Violation)]
        assert conforms and not violations, f"{url}\n{text[:3000]}"


def test_paging_adds_up_to_total_items_without_repeats(server):
    all_pages = pages(server)
    assert len(all_pages) >= 2
    seen = []
    for _, g in all_pages:
        seen += sorted(datasets(g))
        view = next(g.subjects(RDF.type, HYDRA.PartialCollectionView))
        total = int(g.value(view, HYDRA.totalItems))
    assert len(seen) == len(set(seen)) == total
    # Every publishable dataset of every municipality, compared with the store.
    # Subclasses count (a corpus case register is a kg:InformationResource too); the vocabulary's own examples do not.
    r = httpx.post(server.url + "/sparql", data={"query": f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?d a ?k }} ?k rdfs:subClassOf* ?top
        FILTER(?top IN (<{KG}InformationResource>, <{KG}Dataset>)) FILTER(?g != <{BASE}graph/reference>) }}"""},
                   headers={"Accept": "application/sparql-results+json"})
    expected = {b["d"]["value"] for b in r.json()["results"]["bindings"]}
    assert {str(d) for d in seen} == expected and total == len(expected)
    first, last = all_pages[0][1], all_pages[-1][1]
    view = next(first.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert first.value(view, HYDRA.previous) is None and first.value(view, HYDRA.first) == first.value(view, HYDRA.firstPage)
    view = next(last.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert last.value(view, HYDRA.next) is None and str(last.value(view, HYDRA.last)) == all_pages[-1][0]


def test_a_municipalitys_feed_is_its_own_items_and_its_consortiums(server):
    mikkeli = {str(d) for _, g in pages(server, "/catalog/491") for d in datasets(g)}
    lumme = {str(d) for _, g in pages(server, "/catalog/lumme") for d in datasets(g)}
    everything = {str(d) for _, g in pages(server) for d in datasets(g)}
    own = {d for d in everything if d.startswith(BASE + "id/491/")}
    assert own and lumme and mikkeli == own | lumme  # Mikkeli is a member of the LUMME consortium
    assert not any(d.startswith(BASE + "id/lumme/") for d in own)
    assert {str(d) for _, g in pages(server, "/catalog/unnamed-002") for d in datasets(g)}.isdisjoint(mikkeli)


def test_every_page_is_self_contained(server):
    for _, g in pages(server):
        for d in datasets(g):
            assert g.value(d, DCT.title) is not None and g.value(d, DCT.description) is not None
            publisher = g.value(d, DCT.publisher)
            assert g.value(publisher, rdflib.namespace.FOAF.name) is not None


def test_modified_since_returns_only_what_changed_after(server):
    from datetime import datetime, timedelta

    modified = {}
    for _, g in pages(server):
        modified |= {d: datetime.fromisoformat(str(g.value(d, DCT.modified)).replace("Z", "+00:00")) for d in datasets(g)}
    times = sorted(set(modified.values()))
    assert len(times) >= 2, "the shipped data should have graphs changed at different times"
    earliest, latest = times[0], times[-1]

    def since(t):
        return {d for _, g in pages(server, modified_since=t.isoformat()) for d in datasets(g)}

    assert since(earliest - timedelta(seconds=1)) == set(modified)
    assert since(latest) == set()  # strictly after
    middle = times[(len(times) - 1) // 2]  # before the latest: some items are newer
    assert since(middle) == {d for d, t in modified.items() if t > middle} != set()
    assert httpx.get(server.url + "/catalog", params={"modified_since": "eilen"}).status_code == 400


@pytest.mark.parametrize("media", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_formats_by_accept_and_suffix(server, media):
    first = pages(server, fmt=media)[0][1]
    assert len(datasets(first)) == 100
    suffix = {"text/turtle": ".ttl", "application/rdf+xml": ".rdf", "application/ld+json": ".jsonld"}[media]
    r = httpx.get(server.url + "/catalog" + suffix)
    assert r.headers["content-type"].startswith(media)


def test_dataset_iris_are_identical_across_two_loads(server):
    other = Server()
    try:
        a = {d for _, g in pages(server) for d in datasets(g)}
        b = {d for _, g in pages(other) for d in datasets(g)}
        assert a == b and all(str(d).startswith(BASE + "id/") for d in a)
    finally:
        other.stop()


def test_secret_data_is_named_but_never_distributed(server):
    g = rdflib.Graph()
    for _, page in pages(server, "/catalog/lumme"):
        g += page
    secret = rdflib.URIRef(BASE + "id/lumme/dataset/asiakkaita-koskevat-tiedot")
    assert g.value(secret, DCT.accessRights) == rdflib.URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")
    assert (secret, DCAT.distribution, None) not in g
    public = rdflib.URIRef(BASE + "id/lumme/dataset/kokoelmatiedot")
    assert g.value(public, DCT.accessRights) == rdflib.URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
    for d in datasets(g):
        assert (d, DCAT.distribution, None) not in g


def test_bad_requests_are_refused_in_words(server):
    assert httpx.get(server.url + "/catalog?page=0").status_code == 400
    assert httpx.get(server.url + "/catalog?page=x").status_code == 400
    r = httpx.get(server.url + "/catalog/999")
    assert r.status_code == 404 and "/catalog" in r.text
