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


# Real excerpts: the Finnish and the Swedish page of one description (narpio_fi and narpes_sv in ../shared/corpus/).
NARPIO_FI = """https://www.narpes.fi/fi/kaupunki-ja-hallinto/tiedonhallinta/asiakirjajulkisuuskuvaus/
Asiakirjajulkisuuskuvaus

Närpiön kaupungin asiarekisteri ja tiedonhallinta

Närpiön kaupungin asiarekisteri on kokonaisuus, joka sisältää asiankäsittelyä kuvaavia metatietoja. Asiarekisteriin kuuluvat vireille tulleet asiat, näiden käsittelyvaiheet sekä niihin liittyvät asiakirjat. Asiarekisteriin kuuluvia tietoja sisältyy Närpiön kaupungin asianhallintajärjestelmään, operatiivisiin tietojärjestelmiin sekä paperisiin asiakirjoihin.
"""
NARPES_SV = """https://www.narpes.fi/staden-och-forvaltningen/informationshantering/beskrivning-av-handlingars-offentlighet/
Beskrivning av handlingars offentlighet

Närpes stads ärenderegister och informationshantering

Närpes stads ärenderegister är en helhet som innehåller metadata om ärenden som hanteras. Ärenderegistret omfattar ärenden som har anhängiggjorts, ärendenas behandlingsskeden och handlingar som hänför sig till dem. Uppgifter som hör till ärenderegistret finns i Närpes stads ärendehanteringssystem och operativa informationssystem samt i form av pappershandlingar.
"""


def test_the_finnish_and_swedish_pages_of_one_description_make_one_graph_in_both_languages(tmp_path):
    """`import a b`: the pages merged into one graph under one organisation, each page its own source with its
    address; what the Swedish page names is in Swedish (@sv), the organisation named in both languages as given;
    --partial marks both sources as read in part."""
    fi, sv = tmp_path / "narpio_fi.txt", tmp_path / "narpes_sv.txt"
    fi.write_text(NARPIO_FI, encoding="utf-8")
    sv.write_text(NARPES_SV, encoding="utf-8")
    out = tmp_path / "narpes.ttl"
    r = run_cli("import", fi, sv, "--org", "narpes", "--name", "Närpiön kaupunki", "--name-sv", "Närpes stad",
                "--partial", "-o", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "Read 2 files as one description" in r.stderr and f"== {sv}" in r.stderr
    g = rdflib.Graph().parse(out)
    org = rdflib.URIRef("https://w3id.org/kuntagraph/id/narpes")
    assert {(str(x), x.language) for x in g.objects(org, SKOS.prefLabel)} == {("Närpiön kaupunki", "fi"), ("Närpes stad", "sv")}
    registers = {(str(x), x.language) for s in g.subjects(rdflib.RDF.type, KG.CaseRegister) for x in g.objects(s, SKOS.prefLabel)}
    assert ("Närpes stads ärenderegister", "sv") in registers and ("Närpiön kaupungin asiarekisteri", "fi") in registers
    FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
    sources = set(g.subjects(rdflib.RDF.type, FOAF.Document))
    assert {str(g.value(s, FOAF.page)) for s in sources} == {NARPIO_FI.split("\n")[0], NARPES_SV.split("\n")[0]}
    assert all(g.value(s, KG.partial) == rdflib.Literal(True) for s in sources)

    r = run_cli("import", fi, "https://www.narpes.fi/", "--org", "narpes")
    assert r.returncode == 2 and "give one address, or files" in r.stderr


def test_importing_again_over_its_own_output_gives_the_same_graph():
    # data/tammela.ttl is `make corpus`'s import of tammela.txt: importing that page again to the same file must not
    # read the owner back from it (its name would then pass as known, and the note that it was given would go).
    from kuntagraph import config
    from kuntagraph.importers import import_files
    from kuntagraph.importers.graph import Organisation

    from conftest import SHARED

    page = SHARED / "corpus/tammela.txt"
    given = Organisation(kind="Municipality", name="Tammelan kunta")
    org = rdflib.URIRef("https://w3id.org/kuntagraph/id/tammela")
    again = import_files([page], "tammela", str(config.DATA_DIR / "tammela.ttl"), organisation=given, partial=True).graph
    shipped = rdflib.Graph().parse(config.DATA_DIR / "tammela.ttl")
    def owner(g):
        return {(p, o) for p, o in g.predicate_objects(org)}

    assert (SKOS.editorialNote, rdflib.Literal("The name was given to the import (--name), not read from the source.", lang="en")) in owner(again)
    assert owner(again) == owner(shipped)  # type, names and notes alike
    # A seed's transcription is another source: an import written beside it takes the organisation from it.
    beside = import_files([SHARED / "corpus/enonkoski_asiarekisteri_ja_tietovarannot.txt"], "046",
                          str(config.DATA_DIR / "046-asiakirjajulkisuuskuvaus.ttl"), partial=True).graph
    enonkoski = rdflib.URIRef("https://w3id.org/kuntagraph/id/046")
    assert str(beside.value(enonkoski, SKOS.prefLabel)) == "Enonkoski" and not list(beside.objects(enonkoski, SKOS.editorialNote))
