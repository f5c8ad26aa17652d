"""The ontology and the concept schemes: they parse, and every term is labelled and defined."""

import rdflib
import pytest
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import DATA, KG, ROOT

ONTOLOGY = ROOT / "ontology" / "kuntagraph.ttl"
SCHEMES = sorted((ROOT / "ontology" / "vocab").glob("*.ttl"))


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(ONTOLOGY)


def terms(g):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(KG)})


def langs(g, s, p):
    return {o.language for o in g.objects(s, p) if str(o).strip()}


def test_ontology_parses_and_declares_the_domain_classes(ontology):
    names = {str(t)[len(KG):] for t in terms(ontology)}
    for required in ["Municipality", "Authority", "ServiceArea", "Process", "InformationResource", "Dataset",
                     "DataGroup", "Purpose", "SystemProduct", "SystemInstance", "TechnicalInterface",
                     "SearchCriterion", "PublicityClass", "ArchivalAction", "AccessDescription", "CaseRegister"]:
        assert required in names, required


def test_every_term_has_fi_sv_en_labels_and_definitions(ontology):
    gaps = [(str(t), p) for t in terms(ontology) for p in (RDFS.label, SKOS.definition)
            if not {"fi", "sv", "en"} <= langs(ontology, t, p)]
    assert gaps == []


def test_alignment_with_dcat_org_dpv_prov(ontology):
    sub = lambda c: {str(o) for o in ontology.objects(rdflib.URIRef(KG + c), RDFS.subClassOf)}  # noqa: E731
    assert "http://www.w3.org/ns/dcat#Dataset" in sub("InformationResource")
    assert "http://www.w3.org/ns/dcat#Dataset" in sub("Dataset")
    assert "http://www.w3.org/ns/org#OrganizationalUnit" in sub("Authority")
    assert "https://w3id.org/dpv#Purpose" in sub("Purpose")
    assert "http://www.w3.org/ns/dcat#DataService" in sub("TechnicalInterface")


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.stem)
def test_every_concept_has_fi_sv_en_labels_and_a_definition(path):
    g = rdflib.Graph().parse(path)
    schemes = list(g.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1 and str(schemes[0]).endswith("/vocab/" + path.stem)
    concepts = list(g.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for c in concepts:
        assert {"fi", "sv", "en"} <= langs(g, c, SKOS.prefLabel), c
        assert {"fi", "en"} <= langs(g, c, SKOS.definition), c
        assert (c, SKOS.inScheme, schemes[0]) in g


def test_system_products_cover_every_product_named_in_the_seeds():
    g = rdflib.Graph().parse(ROOT / "ontology" / "vocab" / "system-product.ttl")
    names = {str(o).lower() for o in g.objects(None, SKOS.prefLabel)}
    for product in ["koha", "dynasty", "primus", "wilma", "daisy", "hellewi", "eepos"]:
        assert product in names


def test_data_and_shapes_use_only_terms_the_ontology_defines(ontology):
    defined = {str(t) for t in terms(ontology)}
    used = set()
    for f in [*DATA.glob("*.ttl"), *(ROOT / "shapes").glob("*.ttl"), *SCHEMES]:
        g = rdflib.Graph().parse(f)
        for s, p, o in g:
            used |= {str(x) for x in (s, p, o) if isinstance(x, rdflib.URIRef) and str(x).startswith(KG)}
    assert used - defined == set()
