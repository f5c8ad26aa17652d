"""Publishers other than municipalities: `kuntagraph import --org-type … --business-id … --name …`, loaded into a
store and served: the home page and the organisation's own page say what kind of organisation it is."""

import httpx
import rdflib

from conftest import Server, run_cli

KG = rdflib.Namespace("https://w3id.org/kuntagraph/def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

# An excerpt in the shape of a wellbeing services county's page (pohjanmaan_hyvinvointialue in ../shared/corpus/);
# the organisation and its Business ID are made up (1234567-1 has a right check digit).
PAGE = """https://www.example.fi/asiakirjajulkisuuskuvaus/
Asiakirjajulkisuuskuvaus

Hallinnon tietovarantoja

 • Asiakirjahallinnon aineistot,
 • Henkilöstöhallinnon aineistot.

Tietojärjestelmät: asianhallintajärjestelmä.

Tietopyynnöt toimitetaan kirjaamoon sähköpostitse osoitteeseen kirjaamo@example.fi.
"""


def test_a_wellbeing_services_county_is_imported_loaded_and_shown_as_what_it_is(tmp_path):
    src = tmp_path / "page.txt"
    src.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "org.ttl"
    r = run_cli("import", src, "--org", "testin-hyvinvointialue", "--org-type", "wellbeing-services-county",
                "--business-id", "1234567-1", "--name", "Testin hyvinvointialue", "-o", out)
    assert r.returncode == 0, r.stderr
    g = rdflib.Graph().parse(out)
    org = rdflib.URIRef("https://w3id.org/kuntagraph/id/testin-hyvinvointialue")
    assert (org, rdflib.RDF.type, KG.WellbeingServicesCounty) in g and (org, rdflib.RDF.type, KG.Municipality) not in g
    assert str(g.value(org, KG.businessId)) == "1234567-1"
    assert str(g.value(org, SKOS.prefLabel)) == "Testin hyvinvointialue"

    store = tmp_path / "store"
    r = run_cli("load", out, "--store", store)
    assert r.returncode == 0, r.stderr
    server = Server("--store", store)
    try:
        home = httpx.get(server.url + "/?lang=en", timeout=30).text
        assert "Testin hyvinvointialue</a> · wellbeing services county · 1234567-1" in home
        page = httpx.get(server.url + "/id/testin-hyvinvointialue?lang=fi", timeout=30)
        assert page.status_code == 200 and "hyvinvointialue" in page.text
    finally:
        server.stop()


def test_a_wrong_business_id_and_one_given_to_a_municipality_are_refused_in_words(tmp_path):
    src = tmp_path / "page.txt"
    src.write_text(PAGE, encoding="utf-8")
    r = run_cli("import", src, "--org", "x", "--org-type", "state-agency", "--business-id", "1234567-2")
    assert r.returncode == 2 and "check digit" in r.stderr
    r = run_cli("import", src, "--org", "x", "--org-type", "state-agency", "--business-id", "123456-1")
    assert r.returncode == 2 and "seven digits" in r.stderr
    r = run_cli("import", src, "--org", "491", "--business-id", "1234567-1")
    assert r.returncode == 2 and "identified by its code" in r.stderr
