"""`kuntagraph import` on real published descriptions: the general reader (importers/prose.py).

Each test imports an excerpt of a real page (as a browser's copy gives it, line 1 the page's address; the pages
are in ../shared/corpus/, the excerpts are quoted here so that the tests need nothing beside the project) through
the CLI, and checks the graph and the JSON report. Voikko must be installed (make install does it).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
import rdflib

from conftest import run_cli

KG = rdflib.Namespace("https://w3id.org/kuntagraph/def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")


def imported(tmp_path, text, key="testi", name="page.txt", *extra):
    src = tmp_path / name
    if isinstance(text, bytes):
        src.write_bytes(text)
    else:
        src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.ttl"
    r = run_cli("import", src, "--kunta", key, "-o", out, "--format", "json", *extra)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1), r.stderr
    return rdflib.Graph().parse(out), json.loads(r.stderr)


def labels(g, rdf_type):
    return sorted(str(g.value(s, SKOS.prefLabel)) for s in g.subjects(rdflib.RDF.type, rdf_type))


def datasets_of(g, label):
    r = next(s for s in g.subjects(rdflib.RDF.type, KG.InformationResource) if str(g.value(s, SKOS.prefLabel)) == label)
    return sorted(str(g.value(d, SKOS.prefLabel)) for d in g.objects(r, DCT.hasPart))


KANGASALA = """https://www.kangasala.fi/kaupunki-ja-paatoksenteko/asiointi/asiakirjajulkisuuskuvaus/
Asiakirjajulkisuuskuvaus

Asiakirjajulkisuuskuvauksen sisältö ja käyttötarkoitus

Laki julkisen hallinnon tiedonhallinnasta (906/2019) edellyttää, että tiedonhallintayksikön on ylläpidettävä kuvausta hallinnoimistaan tietovarannoista ja asiarekisteristä. Asiakirjajulkisuuskuvauksen tarkoituksena on avustaa kansalaista kohdistamaan tietopyyntönsä.

Kangasalan kaupungin asiarekisteri

Kangasalan kaupungin asiarekisteri sisältää tiedot vireille tulleista asioista, niiden käsittelyvaiheista ja niihin liittyvistä asiakirjoista sekä asioiden ja asiakirjojen metatiedot. Asiarekisteriin kuuluvia tietoja sisältyy kaupungin asianhallintajärjestelmään, operatiivisiin tietojärjestelmiin ja paperiaineistoihin.

Tietopalvelu ja tietopyynnöt

Tietopyyntö julkisesta asiakirjasta on hyvä yksilöidä mahdollisimman tarkasti, jotta kyseisen asiakirjan löytäminen sujuisi mahdol"""


def test_a_case_register_page_with_only_prose_is_imported_with_its_system(tmp_path):
    g, report = imported(tmp_path, KANGASALA, "kangasala")
    assert labels(g, KG.CaseRegister) == ["Kangasalan kaupungin asiarekisteri"]
    cr = next(g.subjects(rdflib.RDF.type, KG.CaseRegister))
    assert (cr, rdflib.RDF.type, KG.InformationResource) in g  # stated: the store infers no superclass
    # the specific system the register is held in; the generic "operatiivisiin tietojärjestelmiin" is no item
    assert sorted(str(g.value(s, SKOS.prefLabel)) for s in g.objects(cr, KG.heldIn)) == ["Kaupungin asianhallintajärjestelmä"]
    assert labels(g, KG.SystemInstance) == ["Kaupungin asianhallintajärjestelmä"]
    assert report["case_register"]["line"] == 8
    # cut off mid-word on the last line: reported, and its fragment is no item
    assert [c["line"] for c in report["cut_off"]] == [14]
    assert {x["item"] for x in report["lacks"]} >= {"resources", "datasets", "search_criteria", "contact"}
    # the law's words and the sentence about the description give nothing
    places = {e["line"]: e["place"] for e in report["lines"]["each"]}
    assert places[1] == "boilerplate:source address" and places[14] == "boilerplate:cut-off fragment"


HELSINKI_KYMP = """https://asiakirjajulkisuus.hel.fi/tietovarannot/kaupunkiympariston-toimialan-tietovarannot/
Kaupunkiympäristön toimialan tietovarannot

Helsinki Region Infoshare- eli hri.fi-palvelusta löytää tietoa toimialan avoimista datoista ja rajapinnoista. Asiakirjajulkisuuskuvauksessa on myös listaus avoimista rajapinnoista.

Kaupunkiympäristön toimialan tietovarantojen käyttötarkoitus

Kaupunkiympäristön tietovarantoihin kuuluvat maankäytön suunnittelu- ja päätöstietovaranto, maa- ja vesiomaisuuden hallintatietotietovaranto, kiinteistö- ja paikannustietojen tietovaranto, rakennus- ja huoneistotietotietovaranto, rakentamisen suunnittelu- ja rakentamisen aikainen tietovaranto, luvat ja valvonta -tietovaranto sekä kaupunkiympäristön asianhallinta, sopimus ja päätöstieto -tietovaranto. Tietovarantojen avulla tuotetaan tietoa kaupunkiympäristön toimialan eri palvelukokonaisuuksista.
"""


def test_resources_listed_in_a_sentence_are_split_after_each_resource_word(tmp_path):
    g, report = imported(tmp_path, HELSINKI_KYMP, "helsinki")
    assert labels(g, KG.InformationResource) == sorted([
        "Maankäytön suunnittelu- ja päätöstietovaranto", "Maa- ja vesiomaisuuden hallintatietotietovaranto",
        "Kiinteistö- ja paikannustietojen tietovaranto", "Rakennus- ja huoneistotietotietovaranto",
        "Rakentamisen suunnittelu- ja rakentamisen aikainen tietovaranto", "Luvat ja valvonta -tietovaranto",
        "Kaupunkiympäristön asianhallinta, sopimus ja päätöstieto -tietovaranto"])
    assert report["cut_off"] == []
    # the organisation's own statement about open data, not the one about the description
    assert [o["line"] for o in report["open_interface"]] == [4]


OSTERBOTTEN = """https://pohjanmaanhyvinvointi.fi/sv/beskrivning-av-handlingars-offentlighet/
Till innehållet

Informationslager och ansvariga personer

Informationslagren inrymmer informationsmaterial som används vid skötseln av välfärdsområdets uppgifter eller övriga verksamhet och som hanteras med hjälp av informationssystem eller manuellt.

Förvaltningens informationslager

 • Dokumentförvaltningens material
 • Personalförvaltningens material
 • Material som hänför sig till kvalitet och tillsyn

Den tjänsteinnehavare som svarar för tjänsten fungerar som ansvarig.

Social- och hälsovårdens informationslager

 • Primärvårdens material
 • Socialvårdens material

Den resursdirektör och/eller verksamhetsområdesdirektör som svarar för tjänsten fungerar som ansvarig.
"""


def test_swedish_informationslager_with_material_and_the_responsible_office_holder(tmp_path):
    g, report = imported(tmp_path, OSTERBOTTEN, "osterbotten")
    assert labels(g, KG.InformationResource) == ["Förvaltningens informationslager", "Social- och hälsovårdens informationslager"]
    assert datasets_of(g, "Förvaltningens informationslager") == [
        "Dokumentförvaltningens material", "Material som hänför sig till kvalitet och tillsyn", "Personalförvaltningens material"]
    responsible = {str(g.value(r, SKOS.prefLabel)): str(g.value(a, SKOS.prefLabel))
                   for r, a in g.subject_objects(KG.responsibleAuthority)}
    assert responsible == {"Förvaltningens informationslager": "Tjänsteinnehavare som svarar för tjänsten",
                           "Social- och hälsovårdens informationslager": "Resursdirektör och/eller verksamhetsområdesdirektör som svarar för tjänsten"}
    assert report["cut_off"] == []  # ends on a complete sentence
    assert report["lines"]["each"][1] == {"line": 2, "place": "boilerplate:navigation"}


POHJOIS_POHJANMAA = """https://www.pohjois-pohjanmaa.fi/asiakirjajulkisuuskuvaus/
Asiakirjajulkisuuskuvaus

Tietopyynnön tekeminen

  1. Yksilöi tietopyyntösi tarpeeksi hyvin, jotta voimme selvittää mitä asiakirjaa tai asiakirjoja pyyntösi koskee. Hakutekijöinä voivat olla asia, asianumero, ajankohta tai hankkeen, yrityksen, yhteisön tai henkilön nimi.
  2. Avustamme sinua tarvittaessa tietopyyntösi yksilöimisessä, tai pyydämme tarkennusta tietopyyntöösi.

Tietopyyntöjä voi lähettää Pohjois-Pohjanmaan liiton kirjaamoon, josta ne toimitetaan organisaatiossa oikealle taholle. Kirjeitse osoitetut tietopyynnöt laitetaan osoitteella Pohjois-Pohjanmaan liitto, Poratie 5 a, 90140 Oulu. Puhelimit"""


def test_search_criteria_from_a_sentence_and_the_registry_with_its_address(tmp_path):
    g, report = imported(tmp_path, POHJOIS_POHJANMAA, "pohjois-pohjanmaan-liitto")
    criteria = sorted(str(n) for n in g.objects(None, KG.searchCriteriaNote))
    shared = [str(g.value(c, SKOS.prefLabel)) for c in g.objects(None, KG.searchCriterion)]
    # "hankkeen, yrityksen, yhteisön tai henkilön nimi" is four criteria; those of the shared scheme are its concepts
    assert len(criteria) + len(set(g.objects(None, KG.searchCriterion))) == 7, (criteria, shared)
    assert {"hankkeen nimi", "yrityksen nimi", "yhteisön nimi"} <= set(criteria)
    named = set(criteria) | {str(l).casefold() for c in g.objects(None, KG.searchCriterion) for l in [c]}
    assert len(named) == 7
    contact = next(g.objects(None, DCAT.contactPoint))
    assert str(g.value(contact, VCARD.fn)) == "Pohjois-Pohjanmaan liiton kirjaamo"
    adr = g.value(contact, VCARD.hasAddress)
    assert (str(g.value(adr, VCARD["street-address"])), str(g.value(adr, VCARD["postal-code"])),
            str(g.value(adr, VCARD.locality))) == ("Pohjois-Pohjanmaan liitto, Poratie 5 a", "90140", "Oulu")
    assert [c["kind"] for c in report["contacts"]] == ["registry", "address"]


OULU = """https://www.ouka.fi/oulu/paatoksenteko-ja-hallinto/asiakirjajulkisuus
Asiakirjojen julkisuus ja tietopyynnöt

Ohjeita tietopyynnön tekemiseen

Oulun kaupungin asiakirjoja koskevat tietopyynnöt lähetetään:
sähköposti: kirjaamo(at)ouka.fi
kirjeenä: PL 71, 90015 Oulun Kaupunki
käyntiosoite: Kansankatu 55A, 90120 Oulu
P: 08 558 40636

Ohjeita
"""


def test_contact_channels_written_as_labels_with_an_obfuscated_address(tmp_path):
    g, report = imported(tmp_path, OULU, "oulu")
    contact = next(g.objects(None, DCAT.contactPoint))
    assert [str(e) for e in g.objects(contact, VCARD.hasEmail)] == ["mailto:kirjaamo@ouka.fi"]
    assert [str(t) for t in g.objects(contact, VCARD.hasTelephone)] == ["tel:+358855840636"]
    assert sorted(str(g.value(a, VCARD["postal-code"])) for a in g.objects(contact, VCARD.hasAddress)) == ["90015", "90120"]
    # the page ends on a heading with nothing under it: an unfinished section
    assert [c["line"] for c in report["cut_off"]] == [12]


PAIJAT_HAME = """https://paijatha.fi/asiakirjajulkisuuskuvaus/
Päijät-Hämeen hyvinvointialueen asiakirjajulkisuuskuvaus

HAKUPERUSTEET

Tiedonhallintalain 25 §:n mukaan hyvinvointialueen on huolehdittava siitä, että asiarekisterin tai sen osan julkisista merkinnöistä on mahdollista tuottaa tiedot tiedonsaantia koskevien pyyntöjen yksilöimiseksi.

Päijät-Hämeen hyvinvointialueen asiakirjoja tai muita tietoja voidaan hakea asiarekisteristä tai tietojärjestelmästä mm. seuraavilla hakuperusteilla:

 • asiakirjan tai asian nimi
 • diaarinumero (asianumero)
 • henkilötunnus
 • päätöksentekijä
 • päivämäärä.
"""


def test_a_page_of_only_search_criteria_is_imported_and_the_report_says_what_it_lacks(tmp_path):
    g, report = imported(tmp_path, PAIJAT_HAME, "paijat-hame")
    notes = sorted(str(n) for n in g.objects(None, KG.searchCriteriaNote))
    concepts = set(g.objects(None, KG.searchCriterion))
    assert len(notes) + len(concepts) == 5
    assert "asiakirjan tai asian nimi" in notes  # a list item stays whole
    assert {x["item"] for x in report["lacks"]} == {"resources", "systems", "case_register", "authority", "contact",
                                                   "datasets", "open_interface"}
    # the law's § 25 quoted is no case register
    assert labels(g, KG.CaseRegister) == []
    assert report["cut_off"] == []


NARPIO = """https://www.narpes.fi/fi/kaupunki-ja-hallinto/tiedonhallinta/asiakirjajulkisuuskuvaus/
Asiakirjajulkisuuskuvaus

Asiakirjajulkisuuskuvauksen tarkoituksena on antaa yleiskuvaus siitä, miten Närpiön kaupungin asiarekisterien ja palvelujen tiedonhallinta ovat jäsentyneet. Asiakirjajulkisuuskuvauksesta ilmenee myös, onko tietoaineisto saatavissa avoimesti teknisen rajapinnan kautta. Teknisellä rajapinnalla tarkoitetaan sähköisen tietojenvaihdon mahdollistavaa tiedonsiirtoratkaisua kahden tai useamman tietojärjestelmän välillä.

Närpiön kaupungin asiarekisteri ja tiedonhallinta

Närpiön kaupungin asiarekisteri on kokonaisuus, joka sisältää asiankäsittelyä kuvaavia metatietoja. Asiarekisteriin kuuluvia tietoja sisältyy Närpiön kaupungin asianhallintajärjestelmään, operatiivisiin tietojärjestelmiin sekä paperisiin asiakirjoihin.
"""


def test_the_laws_wording_quoted_as_a_definition_is_no_open_interface_statement(tmp_path):
    g, report = imported(tmp_path, NARPIO, "narpio")
    assert list(g.objects(None, KG.openInterface)) == []
    assert report["open_interface"] == []
    assert labels(g, KG.SystemInstance) == ["Närpiön kaupungin asianhallintajärjestelmä"]  # not "tietojärjestelmän"
    kinds = {e["place"] for e in report["lines"]["each"] if e["line"] == 4}
    assert kinds == {"boilerplate:about the description"}


PARAINEN = """https://www.parainen.fi/asiakirjajulkisuuskuvaus
Asiakirjajulkisuuskuvaus

Tietovarannot ja niiden käyttötarkoitukset

Paraisten kaupungin tietovarannot ovat sen tehtävien hoidon myötä muodostuneita laajempia tietokokonaisuuksia, joista vastaava viranomainen on kyseisestä tehtävästä vastaava toimielin.

Konsernipalvelut

 • Hallintopalveluiden tietovaranto: lakisääteisten tehtävien hoitamiseen liittyvä asiankäsittely. Tietojärjestelmät: asianhallintajärjestelmä, tietohallinnon järjestelmät
 • Henkilöstöpalveluiden tietovaranto: henkilöstön palkkaaminen ja palvelussuhteen aikainen asiankäsittely. Tietojärjestelmät: henkilöstöhallinnon tietojärjestelmät
 • Kiinteistöhuollon ja rakentamisen tietovaranto: kiinteistöjen hallinnoimiseen, huoltoon ja rakentamiseen liitty"""


def test_labelled_bullets_with_purposes_and_systems_and_the_responsible_body(tmp_path):
    g, report = imported(tmp_path, PARAINEN, "parainen")
    # the cut-off last bullet is no resource
    assert labels(g, KG.InformationResource) == ["Hallintopalveluiden tietovaranto", "Henkilöstöpalveluiden tietovaranto"]
    s = {str(g.value(r, SKOS.prefLabel)): sorted(str(g.value(x, SKOS.prefLabel)) for x in g.objects(r, KG.heldIn))
         for r in g.subjects(rdflib.RDF.type, KG.InformationResource)}
    assert s["Hallintopalveluiden tietovaranto"] == ["Asianhallintajärjestelmä", "Tietohallinnon järjestelmät"]
    # under a purposes heading, "a ja b" after the colon is a purpose, not two datasets
    assert datasets_of(g, "Henkilöstöpalveluiden tietovaranto") == []
    assert labels(g, KG.Authority) == ["Kyseisestä tehtävästä vastaava toimielin"]
    assert [c["line"] for c in report["cut_off"]] == [12]


def test_every_line_of_the_source_is_in_exactly_one_place(tmp_path):
    for name, text in [("kangasala", KANGASALA), ("osterbotten", OSTERBOTTEN), ("parainen", PARAINEN), ("oulu", OULU)]:
        _, report = imported(tmp_path, text, name)
        non_blank = [n for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        each = report["lines"]["each"]
        assert [e["line"] for e in each] == non_blank, name
        assert sum(report["lines"]["by_place"].values()) == report["lines"]["total"] == len(non_blank)
        # what is a note in the account is a note in the report, with its line
        noted = {e["line"] for e in each if e["place"] == "note"}
        assert noted == {u["line"] for u in report["unplaced"]}, name


def test_prose_with_commas_is_not_read_as_csv(tmp_path):
    text = ("Tietovarannot\n\nTaloushallinnon tietovaranto\n"
            "Keskeiset tietoaineistot: budjetit, tilinpäätökset, ennusteet.\n"
            "Tietojärjestelmät: Raindance, Populus.\n")
    g, report = imported(tmp_path, text, "testi")
    assert report["format"] == "text"
    assert datasets_of(g, "Taloushallinnon tietovaranto") == ["Budjetit", "Ennusteet", "Tilinpäätökset"]


def test_a_document_without_section_28_content_is_refused_in_words_and_in_json(tmp_path):
    src = tmp_path / "menu.txt"
    src.write_text("Ruokalista\n\nMaanantai: hernekeitto, pannukakku\nTiistai: kalakeitto\n", encoding="utf-8")
    r = run_cli("import", src, "--kunta", "testi", "--format", "json")
    assert r.returncode == 2
    error = json.loads(r.stderr)["error"]
    assert "section 28" in error["message"] and "Finnish and Swedish" in error["message"] and error["file"] == str(src)


def test_a_missing_voikko_is_said_in_words(tmp_path):
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "libvoikko.py").write_text("raise ImportError('no libvoikko')\n")
    src = tmp_path / "page.txt"
    src.write_text(KANGASALA, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=f"{fake}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    r = subprocess.run([sys.executable, "-m", "kuntagraph.cli", "import", str(src), "--kunta", "testi"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "Voikko" in r.stderr and "make install" in r.stderr and "Traceback" not in r.stderr


def test_a_word_document_with_heading_and_list_styles(tmp_path):
    docx = pytest.importorskip("docx", reason="python-docx is not installed (make install)")
    d = docx.Document()
    d.add_heading("Tietovarannot ja vastuuhenkilöt", level=1)
    d.add_heading("Hallinnon tietovarantoja", level=2)
    for item in ["Asiakirjahallinnon aineistot,", "Henkilöstöhallinnon aineistot,", "Tietohallinnon aineistot."]:
        d.add_paragraph(item, style="List Bullet")
    d.add_paragraph("Vastuuhenkilönä toimii palvelusta vastaava viranhaltija.")
    table = d.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Tietovaranto", "Keskeiset tietoaineistot", "Tietojärjestelmät"]):
        cell.text = text
    path = tmp_path / "kuvaus.docx"
    d.save(path)
    g, report = imported(tmp_path, path.read_bytes(), "pohjanmaa", "kuvaus.docx")
    assert report["format"] == "docx"
    assert datasets_of(g, "Hallinnon tietovarantoja") == ["Asiakirjahallinnon aineistot", "Henkilöstöhallinnon aineistot",
                                                          "Tietohallinnon aineistot"]
    assert labels(g, KG.Authority) == ["Palvelusta vastaava viranhaltija"]


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium (make browser) prints the PDF of this test")
def test_a_pdf_printed_from_the_page(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<html><head><meta charset='utf-8'></head><body><h1>Asiakirjajulkisuuskuvaus</h1>"
                    "<h2>Hallinnon tietovarantoja</h2><ul><li>Asiakirjahallinnon aineistot,</li>"
                    "<li>Henkilöstöhallinnon aineistot.</li></ul>"
                    "<p>Vastuuhenkilönä toimii palvelusta vastaava viranhaltija.</p>"
                    "<h2>Uuraisten kunnan asiarekisteri ja tietojärjestelmät</h2>"
                    "<p>Suurin osa kunnan asiarekisterin tiedoista sisältyy asianhallintajärjestelmänä käytettävään "
                    "Tweb -asianhallintajärjestelmään. Asianhallintajärjestelmän lisäksi asiarekisterin tietoja "
                    "sisältyy eri operatiivisiin tietojärjestelmiin sekä arkistojen paperiaineistoihin.</p></body></html>",
                    encoding="utf-8")
    pdf = tmp_path / "kuvaus.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", str(html)], capture_output=True, timeout=120, check=True)
    g, report = imported(tmp_path, pdf.read_bytes(), "uurainen", "kuvaus.pdf")
    assert report["format"] == "pdf"
    assert datasets_of(g, "Hallinnon tietovarantoja") == ["Asiakirjahallinnon aineistot", "Henkilöstöhallinnon aineistot"]
    assert labels(g, KG.CaseRegister) == ["Uuraisten kunnan asiarekisteri"]
    assert "Tweb -asianhallintajärjestelmä" in labels(g, KG.SystemInstance)


def test_a_damaged_pdf_and_a_damaged_word_file_are_refused_in_words(tmp_path):
    for name, data in [("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
                       ("broken.docx", b"PK\x03\x04" + b"\x00" * 200)]:
        src = tmp_path / name
        src.write_bytes(data)
        r = run_cli("import", src, "--kunta", "testi")
        assert r.returncode == 2 and "Traceback" not in r.stderr and name in r.stderr, r.stderr


def test_odd_lines_and_addresses_give_a_graph_any_rdf_tool_reads(tmp_path):
    text = ("Asiakirjajulkisuuskuvaus\n\n,:\n\n;\n\n, : x\n\n"
            "Tietopyynnöt toimitetaan kirjaamoon osoitteeseen kirjaamo @ kunta.fi.\n\n"
            "Tietoaineistot ovat saatavilla avoimesti rajapinnan kautta: https://api.example.fi/v1/{id}|x^y\n\n"
            "Kuvausta päivitetään.\n")
    g, report = imported(tmp_path, text, "testi")
    contact = next(g.objects(None, DCAT.contactPoint))
    assert [str(e) for e in g.objects(contact, VCARD.hasEmail)] == ["mailto:kirjaamo@kunta.fi"]
    endpoints = [str(o) for o in g.objects(None, DCAT.endpointURL)]
    assert endpoints == ["https://api.example.fi/v1/%7Bid%7D%7Cx%5Ey"]
    rdflib.Graph().parse(data=g.serialize(format="nt"), format="nt")  # N-Triples: every IRI is valid


def test_channels_under_another_heading_are_another_contact_point(tmp_path):
    text = ("Asiakirjajulkisuuskuvaus\n\nTietopyynnöt\n\nTietopyynnöt toimitetaan Testin kunnan kirjaamoon.\n"
            "Sähköposti: kirjaamo@testi.fi\n\nTietosuojavastaava\n\nSähköposti: tietosuoja@testi.fi\n\nKuvausta päivitetään.\n")
    g, _ = imported(tmp_path, text, "testi")
    cards = {str(g.value(c, VCARD.fn)): sorted(str(e) for e in g.objects(c, VCARD.hasEmail))
             for c in g.objects(None, DCAT.contactPoint)}
    assert cards == {"Testin kunnan kirjaamo": ["mailto:kirjaamo@testi.fi"], "None": ["mailto:tietosuoja@testi.fi"]}
