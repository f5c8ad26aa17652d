"""The graphs in data/: one per municipality, transcribed from the seeds, conforming to the shapes."""

import rdflib
import pytest
from rdflib.namespace import RDF, SKOS, DCTERMS, PROV

from conftest import BASE, DATA, KG, LUMME_CODES, run_cli, validate_json

K = rdflib.Namespace(KG)


def graph(name):
    return rdflib.Graph().parse(DATA / f"{name}.ttl")


def of_type(g, cls, prefix=None):
    return {s for s in g.subjects(RDF.type, K[cls]) if prefix is None or str(s).startswith(prefix)}


def test_validate_data_exits_0_with_no_violations():
    code, report, r = validate_json("data/")
    assert code == 0, r.stdout + r.stderr
    assert report["violations"] == 0 and report["conforms"] is True
    assert report["warnings"] > 0  # the seeds' gaps are reported, not hidden
    assert len(report["files"]) == len(list(DATA.glob("*.ttl")))


def test_seed_000_mantajarvi_library_counts_and_no_placeholder():
    g = graph("mantajarvi")
    prefix = BASE + "id/mantajarvi/"
    assert (len(of_type(g, "Process", prefix)), len(of_type(g, "InformationResource", prefix)),
            len(of_type(g, "Dataset", prefix)), len(of_type(g, "Purpose", prefix))) == (1, 5, 8, 7)
    descriptions = [str(o) for o in g.objects(None, DCTERMS.description)]
    assert not [d for d in descriptions if "ei ole vielä täytetty" in d]
    # Six datasets and two purposes have a real description in the seed (two datasets have none).
    described = {s for s in g.subjects(DCTERMS.description, None)}
    assert len(described & of_type(g, "Dataset")) == 6 and len(described & of_type(g, "Purpose")) == 2
    municipality = rdflib.URIRef(BASE + "id/mantajarvi")
    assert (municipality, DCTERMS.identifier, None) not in g  # fictional: never a real code


def test_seed_000_is_also_the_reference_library_that_mantajarvi_points_to():
    ref, manta = graph("reference"), graph("mantajarvi")
    targets = set(manta.objects(None, K.reference))
    assert len(targets) == 21 and targets <= set(ref.subjects(RDF.type, K.ReferenceItem))


def test_seed_001_resources_systems_search_criteria_and_open_interface():
    g = graph("unnamed-001")
    resources = {str(g.value(r, SKOS.prefLabel)) for r in of_type(g, "InformationResource")}
    assert resources == {"Perusopetuksen tietovaranto", "Varhaiskasvatuksen tietovaranto", "Kirjastopalveluiden asiakasrekisteri"}
    products = {str(o).rsplit("/", 1)[1] for o in g.objects(None, K.instanceOf)}
    assert products == {"primus", "wilma", "daisy"}
    assert len(of_type(g, "SystemInstance")) == 5
    for r in of_type(g, "InformationResource"):
        assert {str(o).rsplit("/", 1)[1] for o in g.objects(r, K.searchCriterion)} == {"person-name", "personal-identity-code"}
    assert list(g.objects(None, K.openInterface)) == [rdflib.URIRef(BASE + "vocab/open-interface/no")]


def test_seed_002_four_sectors_and_every_resource_with_purpose_datasets_and_systems():
    g = graph("unnamed-002")
    resources = of_type(g, "InformationResource")
    by_area = {}
    for r in resources:
        by_area.setdefault(str(g.value(r, K.serviceArea)).rsplit("/", 1)[1], []).append(r)
    assert {a: len(rs) for a, rs in by_area.items()} == {"administration": 6, "welfare": 11, "culture-and-leisure": 6, "technical-services": 4}
    for r in resources:
        assert list(g.objects(r, K.purpose)) and list(g.objects(r, DCTERMS.hasPart)), r
    no_system = [str(g.value(r, SKOS.prefLabel)) for r in resources if not list(g.objects(r, K.heldIn))]
    assert no_system == ["Työllisyyden hoidon tietovaranto"]  # the seed's row has an empty systems cell
    dynasty = rdflib.URIRef(BASE + "vocab/system-product/dynasty")
    assert len(list(g.subjects(K.instanceOf, dynasty))) == 1  # one Dynasty instance shared by many resources
    assert len(list(g.subjects(K.heldIn, next(g.subjects(K.instanceOf, dynasty))))) == 13


def test_seed_004_one_koha_instance_with_eight_owners_and_each_member_its_own_graph():
    g = graph("lumme")
    koha = list(g.subjects(K.instanceOf, rdflib.URIRef(BASE + "vocab/system-product/koha")))
    assert len(koha) == 1
    owners = sorted(str(o).rsplit("/", 1)[1] for o in g.objects(koha[0], K.owner))
    assert owners == LUMME_CODES
    for field in (K.dataSource, K.coverageNote, K.updateNote, K.publicAddress, K.purpose, DCTERMS.accrualPeriodicity):
        assert g.value(koha[0], field) is not None, field
    groups = {str(g.value(x, K.publicity)).rsplit("/", 1)[1] for x in of_type(g, "DataGroup")}
    assert groups == {"public", "secret"}
    for code in LUMME_CODES:
        m = graph(code)
        assert (rdflib.URIRef(BASE + f"id/{code}"), DCTERMS.identifier, rdflib.Literal(code)) in m
        authority = next(iter(of_type(m, "Authority")))
        contact = m.value(authority, rdflib.URIRef("http://www.w3.org/ns/dcat#contactPoint"))
        assert m.value(contact, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasTelephone")) is not None


@pytest.mark.parametrize("path", sorted(p for p in DATA.glob("*.ttl") if p.stem != "sources"), ids=lambda p: p.stem)
def test_every_item_carries_provenance_to_its_seed(path):
    """To a seed (data/sources.ttl), or, for the corpus organisations `make corpus` imports, to the page it was
    read from: a document in the same graph with the page's published address, said to be read in part."""
    FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
    g = rdflib.Graph().parse(path)
    items = {s for s, o in g.subject_objects(RDF.type) if str(o).startswith(KG)}
    assert items
    imported = (None, RDF.type, FOAF.Document) in g
    for s in items:
        sources = list(g.objects(s, PROV.wasDerivedFrom))
        if imported and not sources and str(s).count("/") == str(BASE + "id/x").count("/"):
            # the organisation: named by the import's input (an editorial note says so), or by the seed's file
            notes = {str(n) for n in g.objects(s, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#editorialNote"))}
            assert any("given to the import" in n for n in notes) or (DATA / f"{str(s).rsplit('/', 1)[1]}.ttl").exists(), s
            continue
        assert sources, s
        for x in sources:
            if not str(x).startswith(BASE + "source/"):
                page = g.value(x, FOAF.page)
                assert (x, RDF.type, FOAF.Document) in g and str(page).startswith("https://"), (s, x)
                assert g.value(x, K.partial) == rdflib.Literal(True), x  # the corpus keeps each page's opening only


def test_seed_003_is_kept_as_reference_processes_not_an_invented_municipality():
    ref = graph("reference")
    source = rdflib.URIRef(BASE + "source/003_7627d4907eed235c")
    processes = [s for s in ref.subjects(PROV.wasDerivedFrom, source) if (s, K.referenceKind, K.Process) in ref]
    assert len(processes) == 20
    assert not list(DATA.glob("*003*"))


def test_each_source_document_is_described_once_in_its_own_graph(store):
    """A triple repeated in several graphs would come back once per graph from the union default graph."""
    sources = rdflib.Graph().parse(DATA / "sources.ttl")
    cited = {o for p in DATA.glob("*.ttl") for o in rdflib.Graph().parse(p).objects(None, PROV.wasDerivedFrom)}
    seeds = {o for o in cited if str(o).startswith(BASE + "source/")}
    assert seeds <= set(sources.subjects(RDF.type, PROV.Entity)) and len(seeds) == 5
    for p in DATA.glob("*.ttl"):  # an imported page's source is described in the graph of the items read from it
        g = rdflib.Graph().parse(p)
        for o in set(g.objects(None, PROV.wasDerivedFrom)) - seeds:
            assert (o, RDF.type, PROV.Entity) in g, (p, o)
    rows = store.select("SELECT ?l WHERE { <https://w3id.org/kuntagraph/source/004_a3d8f9d0def281ae> skos:prefLabel ?l }")
    assert len(rows) == 2  # fi and en, once each
