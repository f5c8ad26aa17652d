"""`kuntagraph export`: a municipality's description to XLSX in the four-column layout, and back with `import`.

Through the CLI (subprocess), as a user runs it, and the Python API for what the workbook holds.
"""

import io
import re

import openpyxl
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from conftest import DATA, SHARED, run_cli

KG = rdflib.Namespace("https://w3id.org/kuntagraph/def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SEED2 = next((SHARED / "seeds").glob("002_*.txt"), None)
HEADER = ("Tietovaranto", "Tietojen käyttötarkoitus", "Keskeiset tietoaineistot", "Tietojärjestelmät")


def run(*args, ok=True):
    r = run_cli(*args)
    assert "Traceback" not in r.stderr, r.stderr
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def round_trip(source_ttl, kunta, tmp_path):
    """export source_ttl (or data/KUNTA.ttl when None) to XLSX, import the workbook: (xlsx, ttl, export stderr)."""
    xlsx, out = tmp_path / f"{kunta}.xlsx", tmp_path / f"{kunta}-back.ttl"
    r = run("export", *([source_ttl] if source_ttl else []), "--kunta", kunta, "-o", xlsx, "--lang", "en")
    run("import", xlsx, "--kunta", kunta, "-o", out)
    return xlsx, out, r.stderr


def content(path) -> rdflib.Graph:
    """The graph without the provenance of the import itself: the source file node and the import activity (their
    IRIs carry the file's name and digest, the activity its time) and every triple pointing at them
    (dcterms:source, prov:wasDerivedFrom, prov:wasGeneratedBy); a note's "(lähteen rivi N)" names a line of
    the file it was read from."""
    g = rdflib.Graph().parse(path)
    provenance = set(g.subjects(rdflib.RDF.type, PROV.Entity)) | set(g.subjects(rdflib.RDF.type, PROV.Activity))
    out = rdflib.Graph()
    for s, p, o in g:
        if s in provenance or o in provenance:
            continue
        if p == SKOS.note:
            o = rdflib.Literal(re.sub(r" \(lähteen [^()]*\)$", "", str(o)), lang=o.language)
        out.add((s, p, o))
    return out


def assert_same_graph(a, b):
    ga, gb = content(a), content(b)
    assert {str(s) for s in ga.subjects()} == {str(s) for s in gb.subjects()}  # the same IRIs
    _, only_a, only_b = graph_diff(to_isomorphic(ga), to_isomorphic(gb))
    assert (sorted(only_a), sorted(only_b)) == ([], [])
    assert len(ga) > 50  # not everything was stripped


def summary(path) -> dict:
    """Per resource (by label): labels of its purposes, datasets, systems; its service areas."""
    g = rdflib.Graph().parse(path)

    def labels(nodes):
        return sorted(str(g.value(n, SKOS.prefLabel)) for n in nodes)

    return {str(g.value(r, SKOS.prefLabel)): {"purposes": labels(g.objects(r, KG.purpose)),
                                              "datasets": labels(g.objects(r, DCT.hasPart)),
                                              "systems": labels(g.objects(r, KG.heldIn)),
                                              "areas": sorted(map(str, g.objects(r, KG.serviceArea)))}
            for r in g.subjects(rdflib.RDF.type, KG.InformationResource)}


def resource_iris(path) -> set[str]:
    return {str(r) for r in rdflib.Graph().parse(path).subjects(rdflib.RDF.type, KG.InformationResource)}


def sheet_rows(xlsx) -> list[tuple]:
    ws = openpyxl.load_workbook(xlsx).active
    return [tuple(c for c in row if c is not None) for row in ws.iter_rows(values_only=True)]


# --- seed 002: import, export, import ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed2(tmp_path_factory):
    if SEED2 is None:
        pytest.skip("the seeds are not in ../shared/seeds")
    tmp = tmp_path_factory.mktemp("seed2")
    a = tmp / "a.ttl"
    run("import", SEED2, "--kunta", "unnamed-002", "-o", a)
    xlsx, b, stderr = round_trip(a, "unnamed-002", tmp)
    return a, xlsx, b, stderr


def test_seed2_export_and_import_give_the_same_graph(seed2):
    a, xlsx, b, stderr = seed2
    assert summary(b) == summary(a) and len(summary(a)) == 27
    # the same IRIs, triples and literals; only the provenance of each import differs (see content())
    assert_same_graph(a, b)
    source = next(rdflib.Graph().parse(b).subjects(rdflib.RDF.type, PROV.Entity))
    assert str(rdflib.Graph().parse(b).value(source, DCT.identifier)) == "unnamed-002.xlsx"
    assert "WARNING" not in stderr and "27 information resource(s) under 4 heading(s)" in stderr


def test_the_workbook_has_a_title_a_heading_and_header_row_per_service_area_and_a_row_per_resource(seed2):
    _, xlsx, _, _ = seed2
    rows = sheet_rows(xlsx)
    assert rows[0] == ("Asiakirjajulkisuuskuvaus: tietovarannot",)
    headings = [rows[i - 1][0] for i, row in enumerate(rows) if row == HEADER]
    assert headings == ["Hallinto- ja tukipalvelut", "Hyvinvointipalvelut", "Kulttuuri- ja vapaa-ajanpalvelut",
                        "Tekniset palvelut"]
    per_heading = []
    for row in rows:
        if row == HEADER:
            per_heading.append(0)
        elif len(row) > 1:
            per_heading[-1] += 1
    assert per_heading == [6, 11, 6, 4]
    by_name = {r[0]: r for r in rows if len(r) > 1}
    # one item per line, the comma of a suspended compound kept inside its item
    assert by_name["Koulutuspalveluiden tietovaranto"][2].split("\n") == [
        "Huoltajien tiedot", "Opettaja-, henkilökunta- ja sijaisrekisterit", "Opetuksen järjestämistä koskevat tiedot",
        "Opetuksen tukitoimenpiteitä koskevat tiedot", "Opiskelijoiden yksilöinti- ja yhteystiedot",
        "Oppialahuollon kirjaukset", "Oppilaan arviointitiedot"]
    assert by_name["Kansalaisopiston tietovaranto"][3] == "Kansalaisopiston toiminnanohjausjärjestelmä Hellewi"
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["A1"].font.b and ws["A4"].value == "Tietovaranto" and ws["A4"].font.b and ws["B5"].alignment.wrap_text
    assert ws.freeze_panes == "B1" and ws.column_dimensions["C"].width > 40


# --- the hand-made graphs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kunta", ["unnamed-002", "mantajarvi"])
def test_hand_made_graph_comes_back_with_the_same_resources_and_labels(kunta, tmp_path):
    xlsx, back, stderr = round_trip(None, kunta, tmp_path)  # data/KUNTA.ttl by default
    assert summary(back) == summary(DATA / f"{kunta}.ttl")
    assert resource_iris(back) == resource_iris(DATA / f"{kunta}.ttl")
    # what the layout has no place for is named, not dropped silently
    lost = {"unnamed-002": "skos:editorialNote (information resource, 1)", "mantajarvi": "kg:reference (information resource, 5)"}
    assert f"WARNING: Not in the spreadsheet: {lost[kunta]}" in stderr


def test_hand_made_unnamed_001_comes_back_but_for_the_labels_holding_a_comma(tmp_path):
    xlsx, back, stderr = round_trip(None, "unnamed-001", tmp_path)
    # The table importer splits a cell's lines at commas outside parentheses (DOMAIN §5: cells hold comma-separated
    # lists), so the two labels of seed 001 with a comma that is not in a list of modifiers come back as several
    # items. The export says so, and nothing else differs.
    split = dict(re.findall(r'WARNING: [^\n]*?: "([^"]+)" will be read back as: ([^\n]+)', stderr))
    assert split == {
        "Kirjaston kokoelmatietojen ja asiakastietojen ylläpito, omatoimikirjasto sekä tilastot":
            "Kirjaston kokoelmatietojen ja asiakastietojen ylläpito | Omatoimikirjasto sekä tilastot",
        "Opiskeluun liittyvä tieto, kuten valinnat, arvosanat, todistukset ja päätökset":
            "Opiskeluun liittyvä tieto | Kuten valinnat | Arvosanat | Todistukset ja päätökset"}
    expected = summary(DATA / "unnamed-001.ttl")
    for resource in expected.values():
        for field in ("purposes", "datasets"):
            resource[field] = sorted(x for label in resource[field] for x in split.get(label, label).split(" | "))
    assert summary(back) == expected
    # a list of modifiers stays whole, and is not joined to the item on the line above it
    assert {"Hoitotapahtumien kirjaaminen", "Lasten, huoltajien ja henkilökunnan yhteystiedot"} <= \
        set(summary(back)["Varhaiskasvatuksen tietovaranto"]["datasets"])
    assert resource_iris(back) == resource_iris(DATA / "unnamed-001.ttl")
    # the statement on the whole description, the search criteria and descriptions per resource
    g, hand = rdflib.Graph().parse(back), rdflib.Graph().parse(DATA / "unnamed-001.ttl")
    for p in (KG.openInterface, KG.searchCriterion, KG.searchCriteriaNote, KG.serviceArea):
        # (the service areas of the datasets split above differ by those datasets)
        assert {x for x in g.subject_objects(p) if "/dataset/" not in x[0]} == set(hand.subject_objects(p)) - {
            x for x in hand.subject_objects(p) if "/dataset/" in x[0]}, p
    description = rdflib.URIRef("https://w3id.org/kuntagraph/id/unnamed-001/description/sivistyspalvelut")
    assert g.value(description, SKOS.prefLabel) == hand.value(description, SKOS.prefLabel)
    assert set(g.subject_objects(DCT.description)) == {x for x in hand.subject_objects(DCT.description) if "/resource/" in x[0]}
    # the description's own text, its note and a purpose's text have no place in the layout, and are named
    assert "WARNING: Not in the spreadsheet: dcterms:description (description, 1)" in stderr
    assert "WARNING: Not in the spreadsheet: dcterms:description (purpose, 1)" in stderr
    assert "WARNING: Not in the spreadsheet: skos:note (description, 1)" in stderr


def test_items_described_in_another_file_are_named_when_it_is_given_too(tmp_path):
    r = run("export", "--kunta", "046", "-o", tmp_path / "a.xlsx", "--lang", "en")
    assert r.stderr.count("Left out, as it has no name in this graph") == 4
    r = run("export", DATA / "046.ttl", DATA / "lumme.ttl", "--kunta", "046", "-o", tmp_path / "b.xlsx", "--lang", "en")
    assert "no name" not in r.stderr
    assert sheet_rows(tmp_path / "b.xlsx")[4][:4] == (
        "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)",
        "Kirjastopalveluiden järjestäminen ja asiakassuhteiden hallinta", "Asiakkaita koskevat tiedot\nKokoelmatiedot",
        "LUMME-kirjastojen Koha-kirjastojärjestelmä")


# --- other columns, and an order of rows that keeps the IRIs -------------------------------------------------

TABLE = """Asiakirjajulkisuuskuvaus: tietovarannot
Tietoaineistot eivät ole saatavilla avoimesti teknisen rajapinnan avulla.
Tekniset palvelut
Tietovaranto;Kuvaus;Tietojen käyttötarkoitus;Keskeiset tietoaineistot;Tietojärjestelmät;Hakutekijät;Avoin rajapinta;Vastuuhenkilö
Tilapalveluiden tietovaranto;Tilojen vuokraus ja ylläpito.;Vuokraustoiminta, laskutus;Vuokrasopimukset, sopimukset;Dynasty, Tilanhallinta (Granlund);henkilön nimi, kiinteistötunnus;Tiedot ovat osittain saatavilla rajapinnan kautta: https://api.example.fi/tilat;Tilapäällikkö
Rakennusvalvonnan tietovaranto;;Rakennuslupien hallinta;Sopimukset, luvat;Lupapiste;;;
Hallintopalvelut
Tietovaranto;Kuvaus;Tietojen käyttötarkoitus;Keskeiset tietoaineistot;Tietojärjestelmät;Hakutekijät;Avoin rajapinta;Vastuuhenkilö
Arkiston tietovaranto;;Laskutus;Sopimukset;Dynasty;diaarinumero;;Arkistonhoitaja
"""


def test_other_columns_and_a_source_not_in_label_order_come_back_the_same(tmp_path):
    # Datasets named "Sopimukset" in three resources: the first one met gets the IRI .../dataset/sopimukset. Here
    # that is "Tilapalveluiden…" under "Tekniset palvelut", after "Rakennusvalvonnan…" by label and after
    # "Hallinto…" by the order of the service-area scheme, so the export has to keep the source's order.
    (tmp_path / "t.csv").write_text(TABLE, encoding="utf-8")
    a = tmp_path / "a.ttl"
    run("import", tmp_path / "t.csv", "--kunta", "test-kunta", "-o", a, ok=False)
    assert "dataset/sopimukset" in a.read_text(encoding="utf-8")
    xlsx, b, stderr = round_trip(a, "test-kunta", tmp_path)
    assert_same_graph(a, b)
    rows = sheet_rows(xlsx)
    assert [rows[i - 1][0] for i, row in enumerate(rows) if row[:1] == ("Tietovaranto",)] == [
        "Tekniset palvelut", "Hallinto- ja tukipalvelut"]
    assert rows[4] == ("Tietovaranto", "Tietojen käyttötarkoitus", "Keskeiset tietoaineistot", "Tietojärjestelmät", "Kuvaus",
                       "Hakutekijät", "Avoin rajapinta", "Vastuuhenkilö")
    assert rows[5] == ("Tilapalveluiden tietovaranto", "Laskutus\nVuokraustoiminta", "Sopimukset\nVuokrasopimukset",
                       "Dynasty\nTilanhallinta (Granlund)", "Tilojen vuokraus ja ylläpito.", "henkilön nimi, kiinteistötunnus",
                       "Tietoaineistot ovat osittain saatavilla avoimesti teknisen rajapinnan avulla: https://api.example.fi/tilat",
                       "Tilapäällikkö")
    assert rows[1] == ("Tietoaineistot eivät ole saatavilla avoimesti teknisen rajapinnan avulla.",)
    assert "WARNING" not in stderr


def test_python_api_writes_to_a_file_object_and_names_its_columns_by_the_importers_roles():
    from kuntagraph.importers.export import COLUMNS, to_xlsx
    from kuntagraph.importers.tables import column_role

    assert [column_role(h) for h, _ in COLUMNS] == [role for _, role in COLUMNS]
    g = rdflib.Graph().parse(DATA / "unnamed-002.ttl")
    buf = io.BytesIO()
    result = to_xlsx(g, "unnamed-002", buf)
    assert (result.resources, result.headings) == (27, 4)
    assert [en for _, en in result.warnings] == ["Not in the spreadsheet: skos:editorialNote (information resource, 1)"]
    assert openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active["A1"].value == "Asiakirjajulkisuuskuvaus: tietovarannot"
    with pytest.raises(ValueError, match="no information resource"):
        to_xlsx(g, "unnamed-001", io.BytesIO())


def test_a_row_the_importer_would_take_for_a_header_row_is_warned():
    from kuntagraph.importers.export import to_xlsx

    base = "https://w3id.org/kuntagraph/id/x/"
    d, r, ds, sys = (rdflib.URIRef(base + k) for k in ("description/d", "resource/r", "dataset/d", "system/s"))
    g = rdflib.Graph()
    for s, p, o in [(d, rdflib.RDF.type, KG.AccessDescription), (d, DCT.publisher, rdflib.URIRef(base.rstrip("/"))),
                    (d, DCT.hasPart, r), (r, rdflib.RDF.type, KG.InformationResource), (r, DCT.hasPart, ds),
                    (r, KG.heldIn, sys)]:
        g.add((s, p, o))
    # every filled cell names a column of the table: "rekisteri", "aineistot", "järjestelmä"
    for node, label in ((r, "Asiakasrekisteri"), (ds, "Kameravalvonnan aineistot"), (sys, "Asiakasjärjestelmä")):
        g.add((node, SKOS.prefLabel, rdflib.Literal(label, lang="fi")))
    result = to_xlsx(g, "x", io.BytesIO())
    assert [en for _, en in result.warnings] == ["Asiakasrekisteri: the row looks like a header row and will be read as one."]


# --- the store, bad arguments ------------------------------------------------------------------------------

def test_export_from_a_store_gives_the_same_workbook(tmp_path):
    run("load", DATA / "unnamed-002.ttl", "--store", tmp_path / "store")
    run("export", "--store", tmp_path / "store", "--kunta", "unnamed-002", "-o", tmp_path / "s.xlsx")
    run("export", "--kunta", "unnamed-002", "-o", tmp_path / "f.xlsx")
    assert sheet_rows(tmp_path / "s.xlsx") == sheet_rows(tmp_path / "f.xlsx")
    r = run("export", "--store", tmp_path / "store", "--kunta", "unnamed-001", "-o", tmp_path / "x.xlsx", ok=False)
    assert r.returncode == 2 and "has no graph for --kunta unnamed-001" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["--kunta", "unnamed-404"], "no graph for --kunta unnamed-404"),
    (["--kunta", "../data/491"], "'../data/491' is not a key"),
    ([DATA / "lumme.ttl", "--kunta", "lumme"], "lumme.ttl: has no information resource in a description published by"),
    ([DATA / "unnamed-002.ttl", "--kunta", "unnamed-001"], "has no information resource"),
    (["missing.ttl", "--kunta", "unnamed-002"], "missing.ttl: no such file"),
    (["--store", "no-such-store", "--kunta", "unnamed-002"], "no such store"),
])
def test_bad_arguments_give_a_clear_message_and_exit_2(args, message, tmp_path):
    out = tmp_path / "out.xlsx"
    r = run("export", *args, "-o", out, ok=False)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not out.exists()


@pytest.mark.parametrize("where", ["no/such/dir/out.xlsx", "a-directory"])
def test_an_output_that_cannot_be_written_exits_2_and_leaves_nothing(where, tmp_path):
    (tmp_path / "a-directory").mkdir()
    r = run("export", "--kunta", "unnamed-002", "-o", tmp_path / where, ok=False)
    assert r.returncode == 2 and "cannot be written" in r.stderr, r.stderr
    assert not list(tmp_path.rglob("*.part"))
