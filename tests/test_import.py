"""`kuntagraph import`: the real seeds back to the project's model, other formats of the same tables, bad inputs.

Through the CLI (subprocess), as a user runs it; the property test calls the same entry point in-process.
Fixtures in other formats (HTML, CSV, XLSX, ODS, cp1252, UTF-16) are written at test time from the seeds.
"""

import csv
import html
import io
import json
import random
import re
import zipfile
from collections import Counter

import pytest
import rdflib

from conftest import DATA, SHARED, run_cli

KG = rdflib.Namespace("https://w3id.org/kuntagraph/def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SEEDS = SHARED / "seeds"
SEED1 = next(SEEDS.glob("001_*.txt"), None)
SEED2 = next(SEEDS.glob("002_*.txt"), None)

pytestmark = pytest.mark.skipif(SEED1 is None or SEED2 is None, reason="the seeds are not in ../shared/seeds")


def run_import(path, kunta, tmp_path, *extra, name="out.ttl"):
    out = tmp_path / name
    r = run_cli("import", path, "--kunta", kunta, "-o", out, "--format", "json", *extra)
    assert "Traceback" not in r.stderr, r.stderr
    report = json.loads(r.stderr) if r.returncode in (0, 1) else None
    return r, out, report


def summary(path) -> dict:
    """Per resource (by label): datasets, systems, products, purposes, search criteria, service areas."""
    g = rdflib.Graph()
    g.parse(path)

    def labels(nodes):
        return sorted(str(g.value(n, SKOS.prefLabel)) for n in nodes)

    out = {}
    for r in g.subjects(rdflib.RDF.type, KG.InformationResource):
        systems = list(g.objects(r, KG.heldIn))
        out[str(g.value(r, SKOS.prefLabel))] = {
            "datasets": labels(g.objects(r, DCT.hasPart)),
            "systems": labels(systems),
            "products": sorted(str(p) for s in systems for p in g.objects(s, KG.instanceOf)),
            "purposes": labels(g.objects(r, KG.purpose)),
            "search": sorted(map(str, g.objects(r, KG.searchCriterion))),
            "open": sorted(map(str, g.objects(r, KG.openInterface))),
            "areas": sorted(map(str, g.objects(r, KG.serviceArea))),
        }
    return out


def description_statements(path) -> dict:
    g = rdflib.Graph()
    g.parse(path)
    d = next(g.subjects(rdflib.RDF.type, KG.AccessDescription))
    return {"open": sorted(map(str, g.objects(d, KG.openInterface))), "search": sorted(map(str, g.objects(d, KG.searchCriterion))),
            "areas": sorted(map(str, g.objects(d, KG.serviceArea))), "label": str(g.value(d, SKOS.prefLabel)),
            "publisher": str(g.value(d, DCT.publisher))}


def assert_validates(path):
    r = run_cli("validate", path, "--format", "json", "--lang", "en")
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["violations"] == 0, [x for x in report["results"] if x["severity"] == "violation"]
    return report


# --- seed 001: per-resource sections -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed1(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seed1")
    r, out, report = run_import(SEED1, "unnamed-001", tmp)
    assert r.returncode == 0, r.stderr
    return out, report


def test_seed1_gives_the_resources_datasets_systems_and_statements_of_the_hand_made_graph(seed1):
    out, report = seed1
    assert summary(out) == summary(DATA / "unnamed-001.ttl")
    assert description_statements(out) == description_statements(DATA / "unnamed-001.ttl")
    assert report["shape"] == "sections" and report["counts"]["resources"] == 3 and report["counts"]["datasets"] == 16


def test_seed1_iris_match_where_the_hand_made_graph_has_them(seed1):
    out, _ = seed1
    mine = {str(s) for s in rdflib.Graph().parse(out).subjects() if "/dataset/" in str(s) or "/resource/" in str(s)
            or "/system/" in str(s) or "/description/" in str(s)}
    hand = {str(s) for s in rdflib.Graph().parse(DATA / "unnamed-001.ttl").subjects() if "/dataset/" in str(s)
            or "/resource/" in str(s) or "/system/" in str(s) or "/description/" in str(s)}
    assert mine == hand


def test_seed1_nothing_dropped_the_cross_reference_is_a_note_with_its_line(seed1):
    out, report = seed1
    assert [u["line"] for u in report["unplaced"]] == [11]
    notes = [str(o) for o in rdflib.Graph().parse(out).objects(None, SKOS.note)]
    assert notes == ["Esityslistat, pöytäkirjat, viranhaltijapäätökset, sopimukset: katso hallinto- ja tukipalvelut, "
                     "asianhallintarekisteri (lähteen rivi 11)"]
    assert report["cut_off"] == []


def test_seed1_output_validates(seed1):
    assert_validates(seed1[0])


def test_text_report_on_stderr_and_turtle_on_stdout():
    r = run_cli("import", SEED1, "--kunta", "unnamed-001", "--lang", "en")
    assert r.returncode == 0
    assert "3 information resources, 16 datasets" in r.stderr and "line 11" in r.stderr
    g = rdflib.Graph().parse(data=r.stdout, format="turtle")
    assert len(list(g.subjects(rdflib.RDF.type, KG.InformationResource))) == 3


# --- seed 002: the four-column table ---------------------------------------------------------------------

SECTORS = {"administration": 6, "welfare": 11, "culture-and-leisure": 6, "technical-services": 4}


@pytest.fixture(scope="module")
def seed2(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seed2")
    r, out, report = run_import(SEED2, "unnamed-002", tmp)
    assert r.returncode == 0, r.stderr
    return out, report


def check_seed2(out, report):
    s = summary(out)
    assert s == summary(DATA / "unnamed-002.ttl")
    assert len(s) == 27 and sum(len(v["datasets"]) for v in s.values()) == 81
    assert Counter(v["areas"][0].rsplit("/", 1)[-1] for v in s.values()) == SECTORS
    assert [(x["service_area"].rsplit("/", 1)[-1], x["resources"]) for x in report["sectors"]] == list(SECTORS.items())
    assert report["counts"]["datasets"] == 81 and report["counts"]["purposes"] == 39


def test_seed2_gives_four_sectors_27_resources_81_datasets_as_the_hand_made_graph(seed2):
    check_seed2(*seed2)
    out, report = seed2
    assert report["format"] == "tsv" and report["shape"] == "table"
    assert description_statements(out)["label"] == "Asiakirjajulkisuuskuvaus: tietovarannot"


def test_seed2_lists_in_cells(seed2):
    s = summary(seed2[0])
    # the comma of a suspended compound does not split; a missing comma before a capital does
    assert "Opettaja-, henkilökunta- ja sijaisrekisterit" in s["Koulutuspalveluiden tietovaranto"]["datasets"]
    assert "Oppialahuollon kirjaukset" in s["Koulutuspalveluiden tietovaranto"]["datasets"]
    # a row continued on the next row (first column empty)
    assert "Suunnittelu- ja rakennuttamistehtävien tietoaineistot" in s["Tilapalveluiden tietovaranto"]["datasets"]
    assert "Hankinta-asiakirjat" in s["Tilapalveluiden tietovaranto"]["datasets"]
    # products in parentheses, in compounds and after the name
    assert s["Pelastustoimen tietovaranto"]["products"] == ["https://w3id.org/kuntagraph/vocab/system-product/dynasty"]
    assert s["Kansalaisopiston tietovaranto"]["products"] == ["https://w3id.org/kuntagraph/vocab/system-product/hellewi"]
    assert s["Rakennusvalvonnan tietovaranto"]["products"] == ["https://w3id.org/kuntagraph/vocab/system-product/dynasty",
                                                              "https://w3id.org/kuntagraph/vocab/system-product/lupapiste"]
    # one system instance for "Asianhallintajärjestelmä (Dynasty)" and "asianhallintajärjestelmä (Dynasty)"
    g = rdflib.Graph().parse(seed2[0])
    dyn = [s for s in g.subjects(KG.instanceOf, rdflib.URIRef("https://w3id.org/kuntagraph/vocab/system-product/dynasty"))]
    assert len(dyn) == 1


def test_seed2_output_validates_and_reports_the_guesses(seed2):
    assert_validates(seed2[0])
    report = seed2[1]
    assert any("Opettaja-" in w["en"] for w in report["warnings"])
    assert any("joined to the row above" in w["en"] and w["line"] == 50 for w in report["warnings"])
    assert report["skipped_rows"] == 1


# --- the same table as HTML, CSV, XLSX, ODS, other encodings ---------------------------------------------

def seed2_rows():
    """(kind, cells) in order: 'line' for a line without tabs, 'row' for a table row."""
    out = []
    for line in SEED2.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        out.append(("row", line.split("\t")) if "\t" in line else ("line", [line.strip()]))
    return out


def write_html(path):
    parts = ["<!DOCTYPE html><html lang='fi'><head><title>Kuvaus</title><style>td{color:red}</style></head><body>"]
    in_table = False
    for kind, cells in seed2_rows():
        if kind == "line":
            if in_table:
                parts.append("</table>")
                in_table = False
            parts.append(f"<h2>{html.escape(cells[0])}</h2>")
        else:
            if not in_table:
                parts.append("<table>")
                in_table = True
            tag = "th" if cells[0] == "Tietovaranto" else "td"
            parts.append("<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>\n")
    parts.append("</table></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_csv(path, delimiter=";"):
    width = max(len(c) for _, c in seed2_rows())
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        for _, cells in seed2_rows():
            w.writerow(cells + [""] * (width - len(cells)))


def write_xlsx(path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tietovarannot"
    for _, cells in seed2_rows():
        ws.append(cells)
    wb.save(path)


def write_ods(path):
    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    x = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    rows = []
    for _, cells in seed2_rows():
        rows.append("<table:table-row>" + "".join(
            f"<table:table-cell><text:p>{html.escape(c)}</text:p></table:table-cell>" if c else "<table:table-cell/>"
            for c in cells) + "</table:table-row>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               f'xmlns:table="{t}" xmlns:text="{x}"><office:body><office:spreadsheet><table:table table:name="T">'
               + "".join(rows) + "<table:table-row table:number-rows-repeated='1048000'><table:table-cell table:number-columns-repeated='1024'/></table:table-row>"
               + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)


@pytest.mark.parametrize("fmt", ["html", "csv", "csv-comma", "xlsx", "ods", "cp1252", "utf16"])
def test_seed2_in_other_formats_imports_the_same(fmt, tmp_path):
    # the suffix says nothing: the format is detected from the content
    path = tmp_path / "kuvaus.dat"
    if fmt == "html":
        write_html(path)
    elif fmt == "csv":
        write_csv(path)
    elif fmt == "csv-comma":
        write_csv(path, ",")
    elif fmt == "xlsx":
        write_xlsx(path)
    elif fmt == "ods":
        write_ods(path)
    elif fmt == "cp1252":
        path.write_bytes(SEED2.read_text(encoding="utf-8").encode("cp1252"))
    else:
        path.write_bytes(SEED2.read_text(encoding="utf-8").encode("utf-16"))  # with BOM
    r, out, report = run_import(path, "unnamed-002", tmp_path)
    assert r.returncode == 0, r.stderr
    check_seed2(out, report)
    assert report["format"] == {"csv-comma": "csv", "cp1252": "tsv", "utf16": "tsv"}.get(fmt, fmt)


def test_seed1_as_html_and_in_cp1252_imports_the_same(tmp_path):
    parts = ["<html><body>"]
    in_list = False
    for line in SEED1.read_text(encoding="utf-8").split("\n"):
        s = line.strip()
        if not s:
            continue
        m = re.match(r"^\d+\.\s+(.*)$", s)
        if m:
            if not in_list:
                parts.append("<ol>")
                in_list = True
            parts.append(f"<li>{html.escape(m.group(1))}</li>")
            continue
        if in_list:
            parts.append("</ol>")
            in_list = False
        tag = "p" if s.endswith(".") else "h3"
        parts.append(f"<{tag}>{html.escape(s)}</{tag}>")
    parts.append("</body></html>")
    (tmp_path / "a.html").write_text("\n".join(parts), encoding="utf-8")
    r, out, report = run_import(tmp_path / "a.html", "unnamed-001", tmp_path)
    assert r.returncode == 0, r.stderr
    assert summary(out) == summary(DATA / "unnamed-001.ttl")
    (tmp_path / "b.txt").write_bytes(SEED1.read_text(encoding="utf-8").encode("cp1252"))
    r, out2, report = run_import(tmp_path / "b.txt", "unnamed-001", tmp_path, name="b.ttl")
    assert r.returncode == 0 and report["encoding"] == "cp1252"
    assert summary(out2) == summary(DATA / "unnamed-001.ttl")


def test_other_column_names_and_orders(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "Järjestelmät;Rekisteri;Keskeiset tietoaineistot;Käyttötarkoitus;Vastuuhenkilö\n"
        "MultiPrimus 7.2, Wilma;Perusopetuksen rekisteri;Oppilaiden tiedot, arvosanat;Perusopetuksen järjestäminen;Rehtori\n"
        ";;todistukset;;\n", encoding="utf-8")
    r, out, report = run_import(path, "test-kunta", tmp_path)
    assert r.returncode == 0, r.stderr
    s = summary(out)["Perusopetuksen rekisteri"]
    assert s["datasets"] == ["Arvosanat", "Oppilaiden tiedot", "Todistukset"]
    assert s["products"] == ["https://w3id.org/kuntagraph/vocab/system-product/primus", "https://w3id.org/kuntagraph/vocab/system-product/wilma"]
    notes = [str(o) for o in rdflib.Graph().parse(out).objects(None, SKOS.note)]
    assert notes == ["Vastuuhenkilö: Rehtori (lähteen rivi 2)"]  # a column the model has no place for is kept
    assert_validates(out)


def test_labelled_bullets_service_area_heading_and_partly_open_interface(tmp_path):
    path = tmp_path / "bullets.txt"
    path.write_text(
        "Tietovarannot\n\nVarhaiskasvatus\n\n"
        "Tietoaineistot ovat osittain saatavilla avoimen rajapinnan kautta: https://api.example.fi/v1\n\n"
        "Varhaiskasvatuksen asiakastietovaranto\n"
        "Keskeiset tietoaineistot: hakemukset, sijoituspäätökset, maksupäätökset.\n"
        "Tietovarannon tietojärjestelmät: Daisy, Dynasti 6.\n"
        "Hakutekijät: henkilön nimi, henkilötunnus, diaarinumero.\n", encoding="utf-8")
    r, out, report = run_import(path, "test-kunta", tmp_path)
    assert r.returncode == 0, r.stderr
    s = summary(out)["Varhaiskasvatuksen asiakastietovaranto"]
    assert s["datasets"] == ["Hakemukset", "Maksupäätökset", "Sijoituspäätökset"]
    assert s["products"] == ["https://w3id.org/kuntagraph/vocab/system-product/daisy", "https://w3id.org/kuntagraph/vocab/system-product/dynasty"]
    assert s["open"] == ["https://w3id.org/kuntagraph/vocab/open-interface/partly"]
    assert [x.rsplit("/", 1)[-1] for x in s["search"]] == ["person-name", "personal-identity-code", "record-number"]
    assert s["areas"] == ["https://w3id.org/kuntagraph/vocab/service-area/early-childhood-education"]
    assert_validates(out)


def test_product_matching_is_tolerant():
    from kuntagraph.importers.vocab import product

    def p(label):
        c = product(label)
        return c.iri.rsplit("/", 1)[-1] if c else None

    assert p("MultiPrimus") == "primus"
    assert p("Primus 7.2") == "primus"
    assert p("Asianhallintajärjestelmä (Dynasty)") == "dynasty"
    assert p("DYNASTY 10") == "dynasty"
    assert p("Dynasti") == "dynasty"
    assert p("Lupapistejärjestelmä") == "lupapiste"
    assert p("Koski-tietovaranto") == "koski"
    assert p("Eepos oppilaitoshallinta-järjestelmä") == "eepos"
    assert p("Helle-kirjastojen tietokanta") is None
    assert p("Tiedot koskien asiakkaita") is None


# --- cut off, bad inputs ---------------------------------------------------------------------------------

def test_a_cut_off_source_is_reported(tmp_path):
    text = SEED1.read_text(encoding="utf-8")
    cut = text[: text.index("2. Omatoimikirjastojärjestelmä")] + "Hakutekijät, joilla asiakirjoja on mahdollista hakea\n"
    (tmp_path / "cut.txt").write_text(cut, encoding="utf-8")
    r, out, report = run_import(tmp_path / "cut.txt", "unnamed-001", tmp_path)
    assert r.returncode == 0
    assert report["cut_off"] and "cut off" in " ".join(c["en"] for c in report["cut_off"])
    r = run_cli("import", tmp_path / "cut.txt", "--kunta", "unnamed-001", "--lang", "en")
    assert "CUT OFF" in r.stderr


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b" \n\n\t\n", "is empty"),
    ("junk.bin", random.Random(1).randbytes(4000), "binary"),
    ("nul.txt", b"Tietovaranto\x00\x00\x00\x01\x02" * 50, "binary"),
    ("doc.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Office"),
    ("data.json", b'{"tietovarannot": []}', "JSON"),
    ("a.zip", None, "not a spreadsheet"),
    ("bad.xlsx", b"PK\x03\x04garbage", "damaged"),
    ("prose.txt", "Kunta kertoo tietovarannoistaan myöhemmin.\n".encode(), "no content of a description under section 28"),
    ("bad16.txt", b"\xff\xfe" + b"\x00\xd8", "UTF-16"),
])
def test_bad_inputs_give_a_clean_message_and_exit_2(name, content, message, tmp_path):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
    else:
        path.write_bytes(content)
    r = run_cli("import", path, "--kunta", "unnamed-009", "-o", tmp_path / "out.ttl")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and message in r.stderr and str(path) in r.stderr
    assert not (tmp_path / "out.ttl").exists()


# --- content-library lists (seed 000), system forms (seed 004), system-centric lists, pairs ----------------

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def _items(g: rdflib.Graph, rdf_type, *props) -> dict:
    """label -> (IRI, {prop: sorted values}) for every node of a type."""
    out = {}
    for s in g.subjects(rdflib.RDF.type, rdf_type):
        out[str(g.value(s, SKOS.prefLabel))] = (str(s), {str(p): sorted(map(str, g.objects(s, p))) for p in props})
    return out


def test_seed0_content_library_gives_the_reference_items_of_the_hand_made_graph(tmp_path):
    r, out, report = run_import(next(SEEDS.glob("000_*.txt")), "reference", tmp_path)
    assert r.returncode == 0 and report["shape"] == "library" and report["validation"]["violations"] == []
    got = _items(rdflib.Graph().parse(out), KG.ReferenceItem, KG.referenceKind, KG.serviceArea, DCT.description,
                 KG.legalBasis, DCT.isPartOf)
    hand = rdflib.Graph().parse(DATA / "reference.ttl")
    source0 = rdflib.URIRef("https://w3id.org/kuntagraph/source/000_2f08468ebc14981e")
    expected = {k: v for k, v in _items(hand, KG.ReferenceItem, KG.referenceKind, KG.serviceArea, DCT.description,
                                        KG.legalBasis, DCT.isPartOf).items()
                if (rdflib.URIRef(v[0]), rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), source0) in hand}
    assert len(expected) == 21 and got == expected  # same IRIs, kinds, areas, descriptions, law, library
    # the page's navigation and news are kept as notes with their lines, the empty descriptions counted
    lines = {u["line"] for u in report["unplaced"]}
    assert {1, 2, 10, 167, 173} <= lines and report["counts"]["notes"] == 16
    assert any("13" in w["en"] and "no description" in w["en"] for w in report["warnings"])


def test_seed4_system_form_gives_the_koha_instance_of_the_hand_made_graph(tmp_path):
    r, out, report = run_import(next(SEEDS.glob("004_*.txt")), "lumme", tmp_path)
    assert r.returncode == 0 and report["shape"] == "form" and report["validation"]["violations"] == []
    g, hand = rdflib.Graph().parse(out), rdflib.Graph().parse(DATA / "lumme.ttl")
    koha = rdflib.URIRef("https://w3id.org/kuntagraph/id/lumme/system/koha")
    for p in (KG.instanceOf, KG.owner, KG.publicAddress, DCT.created, DCT.creator, DCT.accrualPeriodicity):
        assert set(g.objects(koha, p)) == set(hand.objects(koha, p)) != set(), p
    lumme = rdflib.URIRef("https://w3id.org/kuntagraph/id/lumme")
    assert set(g.objects(lumme, rdflib.URIRef("http://www.w3.org/ns/org#hasMember"))) == set(g.objects(koha, KG.owner))
    # datasets and data groups: the same labels, publicity and system
    for t, props in ((KG.Dataset, (KG.publicity, KG.heldIn, KG.serviceArea)), (KG.DataGroup, (KG.publicity,))):
        mine = {label: v[1] for label, v in _items(g, t, *props).items()}
        theirs = {label: v[1] for label, v in _items(hand, t, *props).items()}
        assert mine == theirs, t
    fields = {label: v[1][str(KG.includesField)] for label, v in _items(g, KG.DataGroup, KG.includesField).items()}
    assert fields["Kokoelmatiedot"] == ["nimekkeet", "niteet"]
    assert fields["Asiakkaan tiedot"][:3] == ["huollettavat/huoltajatieto", "kaksi vapaatekstikenttää huomautuksia varten",
                                              "kirjastojärjestelmän sisäinen ID-numero"]
    purposes = [str(g.value(p, SKOS.prefLabel)) for p in g.objects(koha, KG.purpose)]
    assert purposes == ["Kirjastopalveluiden järjestäminen ja asiakassuhteiden hallinta"]
    contact = g.value(koha, rdflib.URIRef("http://www.w3.org/ns/dcat#contactPoint"))
    vcard = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
    assert str(g.value(contact, vcard.fn)) == "Virpi Launonen"
    assert str(g.value(contact, vcard.hasTelephone)) == "tel:+358447942460"
    # the per-municipality responsible units are kept as a note with their line, and reported
    assert [u["line"] for u in report["unplaced"]] == [12] and "Pauliina Arresalo" in report["unplaced"][0]["text"]


SYSTEM_LIST = """Tietojärjestelmät

Lupapiste – sähköinen lupapalvelu
käyttötarkoitus: rakennuslupien hakeminen ja käsittely
seloste: https://www.example.fi/tietosuoja/lupapiste
vastuuyksikkö: Rakennusvalvonta

MultiPrimus – oppilashallinnon järjestelmä
käyttötarkoitus: opetuksen järjestäminen; oppilaiden arviointi
tietovarannot: Oppilasrekisteri
tietoaineistot: oppilaiden perustiedot, arvioinnit
vastuuyksikkö: Sivistystoimi
"""


def test_system_centric_list(tmp_path):
    src = tmp_path / "jarjestelmat.txt"
    src.write_text(SYSTEM_LIST, encoding="utf-8")
    r, out, report = run_import(src, "unnamed-009", tmp_path)
    assert report["shape"] == "systems"
    g = rdflib.Graph().parse(out)
    systems = _items(g, KG.SystemInstance, KG.instanceOf, KG.purpose, DCT.description)
    assert systems["MultiPrimus"][1][str(KG.instanceOf)] == ["https://w3id.org/kuntagraph/vocab/system-product/primus"]
    assert systems["Lupapiste"][1][str(KG.instanceOf)] == ["https://w3id.org/kuntagraph/vocab/system-product/lupapiste"]
    purposes = {str(g.value(p, SKOS.prefLabel)) for p in g.objects(rdflib.URIRef(systems["MultiPrimus"][0]), KG.purpose)}
    assert purposes == {"Opetuksen järjestäminen", "Oppilaiden arviointi"}
    resource = _items(g, KG.InformationResource, KG.heldIn, DCT.hasPart)["Oppilasrekisteri"][1]
    assert resource[str(KG.heldIn)] == [systems["MultiPrimus"][0]] and len(resource[str(DCT.hasPart)]) == 2
    # the privacy notice and responsible units have no place in the model: notes with their lines
    assert {u["line"]: u["text"] for u in report["unplaced"]} == {
        5: "seloste: https://www.example.fi/tietosuoja/lupapiste", 6: "vastuuyksikkö: Rakennusvalvonta",
        12: "vastuuyksikkö: Sivistystoimi"}
    # Lupapiste holds no named data: the source truly lacks it, the report says so, the exit status is 1
    assert r.returncode == 1
    missing = report["validation"]["violations"]
    assert [(v["check"], v["focus"].rsplit("/", 1)[-1]) for v in missing] == [("28.1", "lupapiste")]
    text = run_cli("import", src, "--kunta", "unnamed-009", "-o", tmp_path / "x.ttl", "--lang", "en").stderr
    assert "Missing or insufficient (1 violations" in text and "State which data it holds" in text


PAIRS = """Tiedonhallintamallin tietovarannot

Hallintopalvelut
Asianhallintarekisteri: asioiden käsittely ja päätöksenteko
Henkilöstörekisteri: palvelussuhteiden hoitaminen; palkanlaskenta

Sivistyspalvelut
Oppilasrekisteri: perusopetuksen järjestäminen
Varhaiskasvatusrekisteri: varhaiskasvatuksen järjestäminen

Ympäristö ja luonto
Rakennusvalvonnan rekisteri: rakennuslupien käsittely
"""


def test_resource_purpose_pairs_under_sector_headings(tmp_path):
    src = tmp_path / "pairs.txt"
    src.write_text(PAIRS, encoding="utf-8")
    r, out, report = run_import(src, "unnamed-010", tmp_path)
    g = rdflib.Graph().parse(out)
    resources = _items(g, KG.InformationResource, KG.serviceArea, KG.purpose)
    assert set(resources) == {"Asianhallintarekisteri", "Henkilöstörekisteri", "Oppilasrekisteri",
                              "Varhaiskasvatusrekisteri", "Rakennusvalvonnan rekisteri"}
    area = "https://w3id.org/kuntagraph/vocab/service-area/"
    assert resources["Henkilöstörekisteri"][1][str(KG.serviceArea)] == [area + "administration"]
    assert resources["Oppilasrekisteri"][1][str(KG.serviceArea)] == [area + "education-and-culture"]
    assert resources["Rakennusvalvonnan rekisteri"][1][str(KG.serviceArea)] == []
    assert len(resources["Henkilöstörekisteri"][1][str(KG.purpose)]) == 2
    assert [s["resources"] for s in report["sectors"]] == [2, 2, 1]
    assert any("Ympäristö ja luonto" in w["en"] and "matches no service area" in w["en"] for w in report["warnings"])


def test_a_30_mb_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.write(SEED1.read_bytes())
        f.write(b"x" * (30 * 2**20))
    r = run_cli("import", path, "--kunta", "unnamed-001")
    assert r.returncode == 2 and "larger than 20 MB" in r.stderr and "Traceback" not in r.stderr


def test_bad_arguments(tmp_path):
    r = run_cli("import", tmp_path / "missing.txt", "--kunta", "unnamed-001")
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run_cli("import", SEED1, "--kunta", "Bad Key/..")
    assert r.returncode == 2 and "--kunta" in r.stderr
    r = run_cli("import", SEED1, "--kunta", "unnamed-001", "-o", tmp_path / "no" / "such" / "dir.ttl")
    assert r.returncode == 2 and "cannot be written" in r.stderr


# --- any text: a result or a clean error -----------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

WORDS = ["Tietoaineistot", "Tietojärjestelmät", "Hakutekijät", "1. Primus, Wilma", "Perusopetuksen tietovaranto",
         "Tietoaineistot eivät ole saatavilla avoimesti teknisen rajapinnan avulla.", "Katso", "\t", "|", ",", "-",
         "Tietovaranto\tKäyttötarkoitus\tKeskeiset tietoaineistot\tTietojärjestelmät", "<table>", "<li>", "</td>",
         "Opettaja-, henkilö- ja", "(Dynasty", "Hallintopalveluiden tietovarannot", ":", "\n", "\n\n", "ä", "\x00", "\r",
         "tietovarannot", "tietoaineistot", "Kuvausta käyttötarkoitukselle ei ole vielä täytetty", "Näytetään palvelualueelle listatut",
         "1 Tietojärjestelmän nimi", "2 Tietojärjestelmän vastuutaho (omistaja)", "Mikkelin kaupunki", "8 Tietojen julkisuus",
         "Asiakkaita koskevat tiedot ovat salassa pidettäviä.", "10 Julkiset tiedot ryhmittäin", "Kokoelmatiedot:",
         "Lupapiste – lupapalvelu", "käyttötarkoitus: rakentaminen", "seloste:", "Asiakasrekisteri: asiakkuuksien hoito"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), max_size=40))
def test_any_text_gives_a_result_or_a_clean_error(tmp_path_factory, parts):
    from kuntagraph import cli

    tmp = tmp_path_factory.mktemp("prop")
    path = tmp / "in.txt"
    path.write_bytes(" ".join(parts).encode("utf-8", "surrogatepass"))
    out = tmp / "out.ttl"
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["import", str(path), "--kunta", "prop-1", "-o", str(out), "--format", "json", "--no-validate"])
    assert code in (0, 2), err.getvalue()
    if code == 0:
        g = rdflib.Graph().parse(out)
        assert any(g.subjects(rdflib.RDF.type, t) for t in (KG.InformationResource, KG.SystemInstance, KG.ReferenceItem,
                                                            KG.AccessDescription))
        json.loads(err.getvalue())
    else:  # --format json: the refusal is JSON too, in words
        message = json.loads(err.getvalue())["error"]["message"]
        assert "internal error" not in message
        assert "cannot be imported (" not in message, message  # no exception escaped the importer


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=3000), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"<html>"]))
def test_any_bytes_give_a_result_or_a_clean_error(tmp_path_factory, data, prefix):
    from kuntagraph import cli
    import contextlib

    path = tmp_path_factory.mktemp("bytes") / "in.dat"
    path.write_bytes(prefix + data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["import", str(path), "--kunta", "prop-2", "--format", "json", "--no-validate"])
    assert code in (0, 2) and "cannot be imported (" not in err.getvalue(), err.getvalue()
