"""The harvest feed /catalog, read by a real harvester client: CKAN's own ckanext-dcat.

Which client
    ckanext-dcat (https://github.com/ckan/ckanext-dcat, on PyPI as ``ckanext-dcat``) is the DCAT harvester of
    CKAN, which avoindata.fi runs. Its ``ckanext.dcat.processors.RDFParser`` with the profile ``euro_dcat_ap_3``
    (the default profile of ckanext-dcat 2.4.4) turns a DCAT page into CKAN dataset dicts and finds the next page with
    ``RDFParser.next_page()``; its ``DCATRDFHarvester`` (``ckanext.dcat.harvesters``, needs ckanext-harvest)
    downloads each page. ``DCATRDFHarvester.gather_stage`` is the loop that ties them together, and it can't run
    here: it reads the harvest source and saves HarvestObjects through CKAN's database (PostgreSQL). So these
    tests run that loop's body with the real library, minus the database writes: fetch a page, ``parse`` it
    with a new RDFParser (as gather_stage does for every page), take ``datasets()`` and the harvester's
    ``_get_guid`` for each, ``next_page()`` until it answers None.

How RDFParser follows paging (ckanext-dcat 2.4.4, processors.py)
    ``next_page()`` looks, in this order, for subjects typed ``hydra:PartialCollectionView`` and then
    ``hydra:PagedCollection`` (namespace http://www.w3.org/ns/hydra/core#); on the first such node it returns
    ``str()`` of its ``hydra:next``, or if it has none, of its deprecated ``hydra:nextPage``; else None. It
    reads nothing else (not totalItems, itemsPerPage, first/last/previous). gather_stage stops when
    next_page() is None, or when a page's bytes equal the first page's (an MD5 check), and it parses every
    later page in the format (Content-Type) of the first page.

How it was installed
    From PyPI only, into the test extras: ``ckan`` itself (the wheel declares none of its run-time
    dependencies; they are listed by hand next to it, with CKAN 2.12.0's own pins), ``ckanext-dcat`` and
    ``ckanext-harvest``. No CKAN site, database, Solr or Redis is started: importing the library and
    calling it is all. The imports are done in a fixture, not at module level, so that a machine without
    them fails these tests with the ImportError instead of stopping the whole collection, and so that
    ``import ckan`` (which puts its own package folder first on sys.path) does so only once these run.
    The ``ckan`` package registers two pytest plugins (entry points ``ckan`` and ``ckan_fixtures``) that would
    start a CKAN app for every pytest run and fail it at start-up (No module named 'flask_session'); pytest's
    addopts turn them off with ``-p no:ckan -p no:ckan_fixtures``. python-magic (through file-keeper) needs
    Debian's libmagic1, which the machine image has.
"""

import re
from collections import Counter

import httpx
import pytest

KG = "https://w3id.org/kuntagraph/def#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
DCAT = "http://www.w3.org/ns/dcat#"
PROFILE = "euro_dcat_ap_3"
MAX_PAGES = 200  # a loop guard: far more pages than the feed has (PAGE_SIZE 100)

# Everything the feed publishes as dcat:Dataset: kg:Dataset and kg:InformationResource (kg:CaseRegister is
# a subclass of kg:InformationResource; it is named too, since the store does no inference).
ITEMS = f"""
SELECT DISTINCT ?d WHERE {{
  VALUES ?kind {{ <{KG}Dataset> <{KG}InformationResource> <{KG}CaseRegister> }}
  {{ ?d a ?kind }} UNION {{ GRAPH ?g {{ ?d a ?kind }} }}
}}"""


@pytest.fixture(scope="module")
def dcat():
    """The real ckanext-dcat: its RDFParser and its DCAT RDF harvester class."""
    from ckanext.dcat.harvesters import DCATRDFHarvester
    from ckanext.dcat.processors import RDFParser

    class Harvester(DCATRDFHarvester):
        # The only change: gather errors go to the test, not to CKAN's harvest_gather_error table.
        def _save_gather_error(self, message, job):
            raise AssertionError(f"ckanext-dcat gather error: {message}")

    return RDFParser, Harvester()


@pytest.fixture(scope="module")
def expected(server):
    r = httpx.get(server.url + "/sparql", params={"query": ITEMS},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    iris = [b["d"]["value"] for b in r.json()["results"]["bindings"]]
    assert iris, "the store has no kg:Dataset or kg:InformationResource to harvest"
    return set(iris)


def extra(dataset, key):
    """A value of a CKAN dataset dict: at its root, or in its extras (where the non-scheming profiles put them)."""
    if dataset.get(key):
        return dataset[key]
    return next((e["value"] for e in dataset.get("extras", []) if e["key"] == key), None)


def walk(RDFParser, start, fetch):
    """gather_stage's loop with ckanext-dcat's RDFParser: a new parser per page, next_page() until None.
    fetch(url) -> (text, rdf_format). Returns [(url, rdf_format, parser, [dataset dicts])]."""
    pages, seen, url = [], set(), start
    while url:
        assert url not in seen, f"next_page() went back to {url}: a loop in the feed's hydra:next links"
        assert len(pages) < MAX_PAGES, f"more than {MAX_PAGES} pages"
        seen.add(url)
        content, fmt = fetch(url)
        assert content, f"{url}: empty page"
        parser = RDFParser(profiles=[PROFILE])
        parser.parse(content, _format=fmt)
        pages.append((url, fmt, parser, list(parser.datasets())))
        url = parser.next_page()
    return pages


def check_harvest(pages, expected, harvester, server):
    from rdflib import RDF, URIRef

    datasets = [d for *_, ds in pages for d in ds]
    uris = Counter(extra(d, "uri") for d in datasets)
    twice = sorted(u for u, n in uris.items() if n > 1)
    assert not twice, f"{len(twice)} datasets harvested more than once, e.g. {twice[:5]}"
    assert None not in uris and "" not in uris, "a dcat:Dataset without an IRI (a blank node)"
    missing, extra_ = sorted(expected - set(uris)), sorted(set(uris) - expected)
    assert not missing, f"{len(missing)} of {len(expected)} datasets and information resources never harvested, e.g. {missing[:5]}"
    assert not extra_, f"{len(extra_)} harvested datasets are neither kg:Dataset nor kg:InformationResource, e.g. {extra_[:5]}"

    # What each page's dcat:Catalog lists (dcat:dataset) is what that page describes, and vice versa.
    for url, _, parser, ds in pages:
        catalogs = list(parser.g.subjects(RDF.type, URIRef(DCAT + "Catalog")))
        assert catalogs, f"{url}: no dcat:Catalog"
        listed = {str(o) for c in catalogs for o in parser.g.objects(c, URIRef(DCAT + "dataset"))}
        assert listed == {extra(d, "uri") for d in ds}, f"{url}: dcat:dataset links and described datasets differ"

    # hydra:totalItems (read from the parsed graph; next_page() itself does not use it) counts them all.
    first = pages[0][2].g
    totals = {int(o) for s in first.subjects(RDF.type, URIRef(HYDRA + "PagedCollection"))
              for o in first.objects(s, URIRef(HYDRA + "totalItems"))}
    assert totals == {len(datasets)}, f"hydra:totalItems {totals} on the first page, {len(datasets)} harvested"
    for url, *_ in pages[1:]:
        assert url.startswith(server.url + "/catalog"), f"next page {url!r} is not an absolute URL of this feed"

    for d in datasets:
        uri = extra(d, "uri")
        assert (d.get("title") or "").strip(), f"{uri}: no title (dct:title)"
        assert extra(d, "publisher_uri") or extra(d, "publisher_name"), f"{uri}: no publisher (dct:publisher)"
        assert extra(d, "identifier"), f"{uri}: no identifier (dct:identifier)"
        # The GUID the harvester would store the dataset under: the dataset's IRI.
        assert harvester._get_guid(d) == uri, f"{uri}: harvested under GUID {harvester._get_guid(d)!r}"


def httpx_fetch(accept=None):
    def fetch(url):
        r = httpx.get(url, headers={"Accept": accept} if accept else {}, timeout=120)
        assert r.status_code == 200, f"{url}: {r.status_code} {r.text[:300]}"
        return r.text, r.headers["content-type"].split(";", 1)[0].strip()
    return fetch


FORMATS = {"text/turtle": "ttl", "application/rdf+xml": "rdf", "application/ld+json": "jsonld"}


@pytest.mark.parametrize("accept", list(FORMATS))
def test_rdfparser_follows_hydra_paging_by_accept(server, dcat, expected, accept):
    RDFParser, harvester = dcat
    pages = walk(RDFParser, server.url + "/catalog", httpx_fetch(accept))
    for url, fmt, *_ in pages:
        assert fmt == accept, f"{url}: asked for {accept}, got {fmt}"
    assert len(pages) >= 2 or len(expected) <= 100, "the feed has more than a page of datasets but one page"
    check_harvest(pages, expected, harvester, server)


@pytest.mark.parametrize("media_type,suffix", list(FORMATS.items()))
def test_rdfparser_follows_hydra_paging_from_suffix(server, dcat, expected, media_type, suffix):
    RDFParser, harvester = dcat
    pages = walk(RDFParser, f"{server.url}/catalog.{suffix}", httpx_fetch())  # no Accept: the suffix chooses
    assert pages[0][1] == media_type, f"/catalog.{suffix} answered {pages[0][1]}"
    check_harvest(pages, expected, harvester, server)


def test_ckan_harvester_download_and_paging(server, dcat, expected):
    """As DCATRDFHarvester.gather_stage downloads: its own _get_content_and_type (a HEAD, then a GET, with the
    `requests` default Accept: */*), the format taken from the first page's Content-Type and kept for the
    later pages, and its stop when a page's bytes equal the first page's."""
    RDFParser, harvester = dcat
    state = {"format": None, "first": None}

    def fetch(url):
        content, fmt = harvester._get_content_and_type(url, None, 1, content_type=state["format"])
        state["format"] = fmt
        if state["first"] is None:
            state["first"] = content
        else:
            assert content != state["first"], f"{url}: same bytes as the first page; gather_stage would stop here"
        return content, fmt

    pages = walk(RDFParser, server.url + "/catalog", fetch)
    assert re.fullmatch(r"text/turtle|application/rdf\+xml|application/ld\+json", state["format"] or ""), state
    check_harvest(pages, expected, harvester, server)
