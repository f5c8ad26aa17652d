"""The compiled SHACL engine (kuntagraph.shacl_sparql) gives exactly pySHACL's findings, much faster.

pySHACL stays the reference: every case here is validated by both and the reports must be the same
(severity, check, focus node, path, value, shape, messages, file)."""

import re
from collections import Counter

import pytest

from conftest import DATA
from test_validate import BROKEN, PARTIAL_SOURCE, broken

from kuntagraph import config, rdffiles
from kuntagraph.iris import Iris
from kuntagraph.validate import _default_context, shapes_graph, validate_triples


def inputs(paths):
    iris = Iris()
    files = [rdffiles.read(p, iris) for p in rdffiles.expand(paths)]
    own_graphs, own_paths = {f.graph for f in files}, {f.path.resolve() for f in files}
    context = [f for f in _default_context() if f.path.resolve() not in own_paths
               and (f.graph not in own_graphs or f.path.parent in (config.ONTOLOGY_DIR, config.VOCAB_DIR))]
    return {str(f.path): f.triples for f in files}, [t for f in context for t in f.triples]


SPARQL_SHAPES = {"https://w3id.org/kuntagraph/shapes#SecretNotPublished"}


def findings(report):
    def key(r):
        # Blank node labels are the parsers' own (rdflib's and pyoxigraph's differ); everything else must match.
        # (pyoxigraph writes a random 128-bit number in hex without leading zeros: often fewer than 32 digits.)
        value = "(blank node)" if r.value and re.fullmatch(r"(_:)?N?[0-9a-f]{20,32}", r.value) else r.value
        # One deliberate difference: pySHACL passes on a SPARQL constraint's message without its language, so
        # its "English" message for 28.2mom was the Finnish text; the compiled engine keeps each language.
        messages = None if r.shape in SPARQL_SHAPES else tuple(sorted(r.messages.items()))
        return (r.severity, r.check, r.focus, r.path, value, r.shape, messages, r.file)
    return Counter(map(key, report.results))


def same(paths):
    by_file, context = inputs(paths)
    fast, reference = validate_triples(by_file, context, engine="fast"), validate_triples(by_file, context, engine="pyshacl")
    assert findings(fast) == findings(reference)
    return fast


def test_every_shape_compiles():
    from kuntagraph import shacl_sparql

    compiled = shacl_sparql.compiled(shapes_graph())
    assert compiled.fallback_shapes is None and len(compiled.queries) >= 40


def test_same_findings_on_the_published_data():
    report = same([DATA])
    assert report.warnings and not report.violations


@pytest.mark.parametrize("check", BROKEN)
def test_same_findings_on_each_broken_description(tmp_path, check):
    text, extra = BROKEN[check]
    report = same([broken(tmp_path, "mikkeli-broken", text, extra)])
    assert [r.check for r in report.violations] == [check]
    v = report.violations[0]
    assert v.messages["en"].isascii() and not v.messages["fi"].isascii()  # each message in its own language


@pytest.mark.parametrize("check", ["28.1", "28.2"])
def test_same_findings_on_a_description_from_a_source_read_in_part(tmp_path, check):
    text, extra = BROKEN[check]
    report = same([broken(tmp_path, "mikkeli-partial", text, extra + "\n" + PARTIAL_SOURCE)])
    assert not report.violations and check in {r.check for r in report.warnings}


def test_same_findings_on_a_generated_municipality(tmp_path):
    from kuntagraph.generate import generate

    generate(1, tmp_path, seed=5)
    report = same([tmp_path])
    assert report.warnings and not report.violations


def test_more_broken_things_the_shapes_catch(tmp_path):
    # Duplicate language labels, a non-Finnish-only label, a bad code, two open-interface statements, a placeholder.
    p = tmp_path / "x.ttl"
    p.write_text((DATA / "491.ttl").read_text(encoding="utf-8") + """
<https://w3id.org/kuntagraph/id/491> <http://www.w3.org/2004/02/skos/core#prefLabel> "Mikkelin kaupunki"@fi ;
    <http://purl.org/dc/terms/identifier> "4911" ;
    <https://w3id.org/kuntagraph/def#officialCode> "491" .
<https://w3id.org/kuntagraph/id/491/authority/kirjasto> <http://www.w3.org/2004/02/skos/core#prefLabel> "Stadsbibliotek"@sv .
<https://w3id.org/kuntagraph/id/491/description/kirjasto> <https://w3id.org/kuntagraph/def#openInterface>
    <https://w3id.org/kuntagraph/vocab/open-interface/no>, <https://w3id.org/kuntagraph/vocab/open-interface/yes> ;
    <http://purl.org/dc/terms/description> "Kuvausta ei ole vielä täytetty." .
""", encoding="utf-8")
    report = same([p])
    assert {r.check for r in report.violations} >= {"hygiene", "28.5"}
