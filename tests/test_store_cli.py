"""The store through the CLI (`load`, `query`) and the Python API."""

import csv
import io
import json

import pytest

from conftest import BASE, DATA, LUMME_CODES, run_cli

KOHA_OWNERS = """
SELECT ?code WHERE {
  ?system kg:instanceOf <https://w3id.org/kuntagraph/vocab/system-product/koha> ; kg:owner ?m .
  ?m dcterms:identifier ?code .
} ORDER BY ?code"""


def test_query_koha_returns_exactly_the_eight_lumme_municipalities_in_every_format():
    r = run_cli("query", KOHA_OWNERS, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert [b["code"]["value"] for b in json.loads(r.stdout)["results"]["bindings"]] == LUMME_CODES
    r = run_cli("query", KOHA_OWNERS, "--format", "csv")
    assert [row["code"] for row in csv.DictReader(io.StringIO(r.stdout))] == LUMME_CODES
    r = run_cli("query", KOHA_OWNERS, "--format", "tsv")
    assert r.stdout.splitlines()[0] == "?code" and len(r.stdout.splitlines()) == 9
    r = run_cli("query", KOHA_OWNERS)
    assert "(8 rows)" in r.stdout and '"491"' in r.stdout


def test_query_from_file_and_bad_query_exit_codes(tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("ASK { ?s a kg:Municipality }")
    r = run_cli("query", "--file", q, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["boolean"] is True
    r = run_cli("query", "SELECT ?x WHERE {")
    assert r.returncode == 2 and "cannot be run" in r.stderr and "Traceback" not in r.stderr


def test_load_into_a_disk_store_one_named_graph_per_municipality_then_query_it(tmp_path):
    store = tmp_path / "store"
    r = run_cli("load", "data/", "--store", store)
    assert r.returncode == 0, r.stderr
    r = run_cli("query", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", "--store", store, "--format", "csv")
    graphs = [row["g"] for row in csv.DictReader(io.StringIO(r.stdout))]
    for key in [*LUMME_CODES, "lumme", "mantajarvi", "reference", "unnamed-001", "unnamed-002", "ontology", "vocab/system-product"]:
        assert BASE + "graph/" + key in graphs
    r = run_cli("query", KOHA_OWNERS, "--store", store, "--format", "csv")
    assert [row["code"] for row in csv.DictReader(io.StringIO(r.stdout))] == LUMME_CODES


def test_load_refuses_a_file_with_violations_and_keeps_what_is_stored(tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "data/491.ttl", "data/lumme.ttl", "--store", store).returncode == 0
    bad = tmp_path / "491.ttl"
    bad.write_text((DATA / "491.ttl").read_text().replace('dcterms:identifier "491"', 'dcterms:identifier "4910"'))
    r = run_cli("load", bad, "--store", store)
    assert r.returncode == 1 and "VIRHE [hygiene]" in r.stderr
    r = run_cli("query", 'SELECT ?c WHERE { <https://w3id.org/kuntagraph/id/491> dcterms:identifier ?c }', "--store", store, "--format", "csv")
    assert r.stdout.splitlines()[1:] == ["491"]


def test_load_with_a_syntax_error_in_one_file_writes_nothing(tmp_path):
    store = tmp_path / "store"
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    r = run_cli("load", "data/491.ttl", bad, "--store", store, "--skip-validation")
    assert r.returncode == 2 and "bad.ttl, line 1" in r.stderr
    if store.exists():
        r = run_cli("query", "ASK { ?s ?p ?o }", "--store", store, "--format", "json")
        assert json.loads(r.stdout)["boolean"] is False


def test_query_on_a_missing_store_says_how_to_create_it(tmp_path):
    r = run_cli("query", "ASK {}", "--store", tmp_path / "nope")
    assert r.returncode == 2 and "kuntagraph load" in r.stderr


def test_python_api_replace_graph_is_whole(store):
    """Replacing a graph swaps all of it: nothing of the old content remains."""
    from kuntagraph.store import open_store
    import pyoxigraph as ox

    s = open_store()
    s.load_files([DATA / "491.ttl"])
    g = BASE + "graph/491"
    before = s.count(g)
    t = ox.Triple(ox.NamedNode(BASE + "id/491"), ox.NamedNode("http://purl.org/dc/terms/identifier"), ox.Literal("491"))
    s.replace_graph(g, [t])
    assert before > 10 and s.count(g) == 1


def test_load_puts_a_trig_files_own_graphs_in_the_graph_its_content_names(tmp_path):
    """A TriG file's quads all go to the graph the file describes (DESIGN §2), never to the graphs it names."""
    import pyoxigraph as ox

    other = "http://example.org/elsewhere"
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(other))
             for q in ox.parse(path=str(DATA / "491.ttl"), format=ox.RdfFormat.TURTLE)]
    trig = tmp_path / "491.trig"
    trig.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    store = tmp_path / "store"
    r = run_cli("load", trig, "--store", store, "--skip-validation")
    assert r.returncode == 0, r.stderr
    r = run_cli("query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "--store", store, "--format", "csv")
    counts = {row["g"]: int(row["n"]) for row in csv.DictReader(io.StringIO(r.stdout))}
    assert counts.get(BASE + "graph/491") == len(quads) and other not in counts


def test_load_refuses_rdfxml_with_entity_declarations_before_parsing(tmp_path):
    from test_hardening import RDFXML_LAUGHS

    path = tmp_path / "laughs.rdf"
    path.write_text(RDFXML_LAUGHS, encoding="utf-8")
    r = run_cli("load", path, "--store", tmp_path / "store", "--skip-validation")
    assert r.returncode == 2 and "DOCTYPE" in r.stderr and "Traceback" not in r.stderr


def test_python_api_load_files_writes_nothing_when_one_file_does_not_parse(tmp_path):
    from kuntagraph.rdffiles import InputError
    from kuntagraph.store import open_store

    bad = tmp_path / "zz.ttl"
    bad.write_text("<a> <b> .\n")
    s = open_store()
    with pytest.raises(InputError, match="zz.ttl, line 1"):
        s.load_files([DATA / "491.ttl", DATA / "lumme.ttl", bad])
    assert s.count() == 0
    s.load_files([DATA / "491.ttl", DATA / "lumme.ttl"])
    assert set(s.graphs()) == {BASE + "graph/491", BASE + "graph/lumme"}
