"""Comparison views, search and the finder over real HTTP: twins against SPARQL, linkable state, and
a bounded number of store queries per page."""

import csv
import io
import json

import httpx
import pytest
import rdflib

from conftest import BASE, LUMME_CODES, CountingStore, synthetic_copies

LUMME = {"Enonkoski", "Heinävesi", "Joroinen", "Mikkeli", "Mäntyharju", "Pieksämäki", "Savonlinna", "Varkaus"}


def sparql(server, query):
    r = httpx.post(server.url + "/sparql", data={"query": "PREFIX kg: <https://w3id.org/kuntagraph/def#>\n"
                                                         "PREFIX dcterms: <http://purl.org/dc/terms/>\n" + query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def get_json(server, path):
    r = httpx.get(server.url + path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), path
    return r.json()


def get_csv(server, path):
    r = httpx.get(server.url + path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), path
    return list(csv.DictReader(io.StringIO(r.text)))


def test_matrix_twins_agree_with_sparql(server):
    expected = {(r["m"], r["area"]): int(r["n"]) for r in sparql(server, """
        SELECT ?m ?area (COUNT(DISTINCT ?r) AS ?n) WHERE {
          ?d a kg:AccessDescription ; dcterms:publisher ?m ; dcterms:hasPart ?r . ?m a kg:Municipality .
          ?r a kg:InformationResource ; kg:serviceArea ?area } GROUP BY ?m ?area""")}
    rows = get_json(server, "/compare/matrix.json")["rows"]
    assert {(r["municipality"], r["area"]): r["resources"] for r in rows} == expected
    assert {(r["municipality"], r["area"]): int(r["resources"]) for r in get_csv(server, "/compare/matrix.csv")} == expected
    assert expected[(BASE + "id/unnamed-002", BASE + "vocab/service-area/welfare")] == 11


def test_products_twins_koha_one_instance_eight_owners(server):
    rows = {r["product_label"]: r for r in get_json(server, "/compare/products.json")["rows"]}
    assert rows["Koha"]["instances"] == 1 and rows["Koha"]["municipality_codes"] == LUMME_CODES
    owners = sparql(server, "SELECT DISTINCT ?m WHERE { ?s kg:instanceOf <https://w3id.org/kuntagraph/vocab/system-product/koha> ; kg:owner ?m }")
    assert len(owners) == rows["Koha"]["municipalities"] == 8
    csv_rows = {r["product_label"]: r for r in get_csv(server, "/compare/products.csv")}
    assert set(csv_rows["Koha"]["municipality_labels"].split("; ")) == LUMME


def test_reference_coverage_twins(server):
    rows = get_json(server, "/compare/reference.json")["rows"]
    by_label = {r["label"]: r for r in rows}
    assert by_label["Kirjastojen yhteinen asiakasrekisteri"]["municipality_labels"] == ["Mantajärvi (kuvitteellinen esimerkkikunta)"]
    refs = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?r a kg:ReferenceItem }")
    assert len(rows) == int(refs[0]["n"]) == 41


def complete_compliance(server):
    """The scorecards are checked in the background after start: wait until the check is complete."""
    import time

    for _ in range(600):
        d = get_json(server, "/compare/compliance.json")
        if d["complete"]:
            return d
        time.sleep(0.1)
    raise AssertionError("the compliance check did not finish in 60 s")


def test_compliance_twins_match_the_validator(server, tmp_path):
    d = complete_compliance(server)
    # Every description is checked: each named graph but the vocabulary's (ontology, vocab/*) and the records.
    r = httpx.post(server.url + "/sparql", data={"query": f"""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(?g NOT IN (<{BASE}graph/ontology>, <{BASE}graph/records>) && !STRSTARTS(STR(?g), "{BASE}graph/vocab/")) }}"""},
                   headers={"Accept": "application/sparql-results+json"})
    described = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert d["graphs_checked"] == d["graphs"] == described >= 14
    rows = {r["label"]: r for r in d["rows"]}
    # Seed 002 names no authority, search criteria or open-interface statement; seed 001 states all but the authority.
    city = rows["Nimeämätön kaupunki (lähde 002)"]
    assert (city["28.2_status"], city["28.4_status"], city["28.5_status"]) == ("warn", "warn", "warn")
    one = rows["Nimeämätön kunta (lähde 001)"]
    assert (one["28.4_status"], one["28.5_status"], one["28.2_status"]) == ("ok", "ok", "warn")
    assert all(r[f"{c}_violations"] == 0 for r in rows.values() for c in ["28.1", "28.2", "28.3", "28.4", "28.5"])
    # The same counts as the CLI validator gives for that file.
    from conftest import validate_json
    _, report, _ = validate_json("data/unnamed-002.ttl")
    assert city["28.4_warnings"] == sum(1 for x in report["results"] if x["check"] == "28.4")


def test_side_by_side_state_in_the_query_string_and_twins(server):
    d = get_json(server, "/compare.json?m=unnamed-001&m=unnamed-002")
    assert d["municipalities"] == [BASE + "id/unnamed-001", BASE + "id/unnamed-002"]
    shared = [r for r in d["rows"] if r["unnamed-001"] and r["unnamed-002"]]
    assert {"kind": "resource", "label": "Varhaiskasvatuksen tietovaranto"}.items() <= next(r for r in shared if r["kind"] == "resource").items()
    html = httpx.get(server.url + "/compare?m=unnamed-001&m=unnamed-002&lang=en").text
    assert 'value="unnamed-001" checked' in html and "/compare/merge.ttl?m=unnamed-001&amp;m=unnamed-002" in html


def test_merger_draft_downloads_as_turtle_and_validates(server, tmp_path):
    r = httpx.get(server.url + "/compare/merge.ttl?m=491&m=593")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    kg = rdflib.Namespace(BASE + "def#")
    merged = rdflib.URIRef(BASE + "id/merger-491-593")
    assert (merged, rdflib.RDF.type, kg.Municipality) in g
    resources = list(g.subjects(rdflib.RDF.type, kg.InformationResource))
    assert len(resources) == 1  # both describe the same LUMME resource: merged into one
    sources = {str(o) for o in g.objects(resources[0], rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))}
    assert sources == {BASE + "id/491/resource/kirjaston-asiakas-ja-kokoelmatiedot", BASE + "id/593/resource/kirjaston-asiakas-ja-kokoelmatiedot"}
    path = tmp_path / "merge.ttl"
    path.write_text(r.text)
    from conftest import run_cli
    assert run_cli("validate", path).returncode == 0
    assert httpx.get(server.url + "/compare/merge.ttl?m=491").status_code == 400


def test_municipality_twins(server):
    complete_compliance(server)
    d = get_json(server, "/id/491.json")
    assert d["label"] == "Mikkeli" and d["scorecard"]["28.4"]["status"] == "warn"
    assert d["rows"][0]["deciding_authority"] == "Mikkelin kaupunginkirjasto"
    rows = get_csv(server, "/id/unnamed-002.csv")
    assert len(rows) == 27
    assert httpx.get(server.url + "/id/000.json").status_code == 404


@pytest.mark.parametrize("lang, heading", [("fi", "Palvelualue: <span class=\"missing\">ei kerrottu</span>"),
                                            ("en", "Service area: <span class=\"missing\">not stated</span>")])
def test_resources_whose_source_names_no_service_area_come_last_unlinked(server, lang, heading):
    # Helsinki's main page lists resources without a service area; its division pages give one to theirs.
    query = f"""PREFIX kg: <{BASE}def#> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?label WHERE {{ ?d dcterms:publisher <{BASE}id/helsinki> ; dcterms:hasPart ?r .
        ?r a kg:InformationResource ; skos:prefLabel ?label FILTER(lang(?label) = "fi") FILTER NOT EXISTS {{ ?r kg:serviceArea ?a }} }}"""
    r = httpx.post(server.url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    unstated = {b["label"]["value"] for b in r.json()["results"]["bindings"]}
    assert unstated
    page = httpx.get(server.url + f"/id/helsinki?lang={lang}")
    assert page.status_code == 200 and 'href="-?' not in page.text and 'href="/id/-?' not in page.text  # the old dead link
    assert page.text.count(heading) == 1
    last = page.text.split(heading, 1)[1].split("</section>")[0]  # the last group of the page, not linked
    assert "<h3>" not in page.text.split(heading, 1)[1]
    if lang == "fi":
        assert all(label in last for label in unstated), [label for label in unstated if label not in last]


def test_a_case_register_and_a_resource_the_source_only_names_are_on_the_page():
    # Savonlinna's page names its case register ("asiarekisteri") and archives with no other property: both listed.
    from kuntagraph.store import open_store
    from kuntagraph.views import municipality_view

    store = open_store()
    store.load_defaults()
    view = municipality_view(store, BASE + "id/740", "fi")
    listed = {r for _, _, rs in view.areas for r in rs}
    assert {BASE + "id/740/resource/asiarekisteri", BASE + "id/740/resource/paatearkisto"} <= listed
    assert set(view.resources) == {r["r"] for r in store.select(f"""SELECT DISTINCT ?r WHERE {{
        ?d a kg:AccessDescription ; dcterms:publisher <{BASE}id/740> ; dcterms:hasPart ?r . ?r a kg:InformationResource }}""")}


@pytest.mark.parametrize("q", ["kirjasto", "kirjaston", "kirjastossa"])
def test_search_is_tolerant_of_finnish_inflection(server, q):
    d = get_json(server, f"/search.json?q={q}")
    labels = {r["label"] for r in d["rows"]}
    assert "Kirjastopalveluiden asiakasrekisteri" in labels and "Kirjaston tietovaranto" in labels
    assert d["total"] == get_json(server, "/search.json?q=kirjasto")["total"]


def test_search_facets_filter_and_state(server):
    d = get_json(server, "/search.json?q=kirjasto")
    municipalities = {f["label"]: f["count"] for f in d["facets"]["municipality"]}
    assert "Mikkeli" in municipalities
    narrowed = get_json(server, "/search.json?q=kirjasto&kunta=491&kind=InformationResource")
    assert [r["label"] for r in narrowed["rows"]] == ["Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)"]
    html = httpx.get(server.url + "/search?q=kirjasto&kunta=491&lang=en").text
    assert "remove filter" in html and 'value="kirjasto"' in html


def test_finder_mikkeli_library_customer_data_with_contact(server):
    d = get_json(server, "/finder.json?q=kirjaston+asiakastiedot&kunta=491")
    first = d["rows"][0]
    assert first["municipality_label"] == "Mikkeli"
    assert first["resource_label"] == "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)"
    assert "Asiakkaita koskevat tiedot" in first["matches"] and first["publicity"] == ["Salassa pidettävä"]
    assert first["authorities"] == ["Mikkelin kaupunginkirjasto"] and "Virpi Launonen" in first["contacts"][0]
    assert "julkisuuslain (621/1999) 13 §" in first["request_text"] and "+358447942460" in first["request_text"]
    en = get_json(server, "/finder.json?q=kirjaston+asiakastiedot&kunta=491&lang=en")["rows"][0]
    assert "section 13 of the Act on the Openness of Government Activities" in en["request_text"]


def test_finder_names_the_search_criteria_when_stated(server):
    rows = get_json(server, "/finder.json?q=oppilaiden+yhteystiedot")["rows"]
    basic = next(r for r in rows if r["resource_label"] == "Perusopetuksen tietovaranto")
    assert basic["search_criteria"] == ["Henkilön nimi", "Henkilötunnus"]
    assert "Henkilön nimi, Henkilötunnus" in basic["request_text"]


def test_every_view_reads_without_javascript(server):
    """The content is in the HTML the server sends (no script needed to see it)."""
    pages = {"/compare/products": "Koha", "/compare/matrix": "Hyvinvointipalvelut", "/compare/compliance": "Nimeämätön kaupunki",
             "/compare/reference": "Kirjaamopalvelut", "/compare?m=491&m=046": "Enonkoski", "/search?q=kirjasto": "Kirjastopalveluiden",
             "/finder?q=kirjaston+asiakastiedot&kunta=491": "Virpi Launonen", "/id/491": "Virpi Launonen"}
    for path, text in pages.items():
        r = httpx.get(server.url + path)
        assert r.status_code == 200 and text in r.text, path


# ----------------------------------------------------------------- no N+1

PAGES = ["/", "/compare/matrix", "/compare/products", "/compare/reference", "/compare/compliance",
         "/compare?m=491&m=046", "/compare/merge.ttl?m=491&m=046", "/id/491", "/id/unnamed-002", "/id/491.json",
         "/search?q=kirjasto", "/finder?q=kirjaston+asiakastiedot", "/id/lumme/system/koha", "/vocab/service-area", "/def"]


def count_queries(store, path):
    from fastapi.testclient import TestClient
    from kuntagraph.server.app import create_app

    counting = CountingStore(store)
    app = create_app(counting)
    client = TestClient(app)
    app.state.compliance.wait()  # the background check's own queries are not a page's
    client.get("/search?q=warmup")  # the search index is built once per data version, not per page
    counting.calls.clear()
    r = client.get(path)
    assert r.status_code == 200, path
    return len(counting.calls)


def test_queries_per_page_are_bounded_and_do_not_grow_with_the_data():
    from kuntagraph.store import open_store

    small = open_store()
    small.load_defaults()
    large = open_store()
    large.load_defaults()
    for graph, triples in synthetic_copies(4):
        large.replace_graph(graph, triples)
    municipalities = len(small.select("SELECT ?m WHERE { ?m a kg:Municipality }"))
    assert len(large.select("SELECT ?m WHERE { ?m a kg:Municipality }")) == municipalities * 5
    for path in PAGES:
        n_small, n_large = count_queries(small, path), count_queries(large, path)
        assert n_small <= 15, (path, n_small)
        assert n_small == n_large, (path, n_small, n_large)
