"""`kuntagraph generate`: deterministic synthetic municipalities shaped like data/, conforming to the shapes."""

import hashlib
from collections import Counter

import pyoxigraph as ox
import pytest

from conftest import BASE, DATA, KG, run_cli, validate_json


def digest(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    r = run_cli("generate", "--municipalities", 3, "--out", out, "--seed", 7)
    assert r.returncode == 0, r.stderr
    return out


def test_one_file_per_municipality_named_like_data_and_deterministic(generated, tmp_path):
    assert sorted(p.name for p in generated.iterdir()) == ["products.ttl", "s001.ttl", "s002.ttl", "s003.ttl"]
    again = tmp_path / "again"
    assert run_cli("generate", "--municipalities", 3, "--out", again, "--seed", 7).returncode == 0
    assert digest(again) == digest(generated)
    # Municipality i does not depend on how many are generated; another seed gives other data.
    fewer, other = tmp_path / "fewer", tmp_path / "other"
    run_cli("generate", "--municipalities", 2, "--out", fewer, "--seed", 7)
    run_cli("generate", "--municipalities", 2, "--out", other, "--seed", 8)
    assert digest(fewer)["s002.ttl"] == digest(generated)["s002.ttl"]
    assert digest(other)["s002.ttl"] != digest(generated)["s002.ttl"]


def test_every_generated_graph_conforms_to_the_shapes(generated):
    code, report, r = validate_json(generated)
    assert code == 0 and report["violations"] == 0, r.stdout[-3000:]
    assert report["warnings"] > 0  # gaps are reported as they are for real descriptions


def test_shape_and_size_like_real_descriptions(generated):
    from kuntagraph.iris import Iris
    from kuntagraph.rdffiles import read

    iris = Iris()
    for key in ("s001", "s002", "s003"):
        f = read(generated / f"{key}.ttl", iris)
        assert f.graph == iris.graph(key)  # rdffiles.graph_for finds the municipality
        assert 3_000 <= len(f.triples) <= 30_000, (key, len(f.triples))
        types = Counter(t.object.value.split("#")[-1] for t in f.triples if t.predicate.value.endswith("#type"))
        for kind in ("Municipality", "Authority", "AccessDescription", "InformationResource", "Dataset", "DataGroup",
                     "Purpose", "Process", "SystemInstance"):
            assert types[kind] >= 1, (key, kind)
        labels = [t.object for t in f.triples if t.predicate.value.endswith("prefLabel")]
        assert {lbl.language for lbl in labels} >= {"fi"}
        ident = [t.object.value for t in f.triples if t.predicate.value == "http://purl.org/dc/terms/identifier"]
        assert len(ident) == 1 and len(ident[0]) == 3 and ident[0].isdigit()
    assert read(generated / "products.ttl", iris).graph == iris.graph("vocab/system-product-synthetic")


def test_products_have_a_long_tail_and_some_municipalities_are_bilingual():
    from kuntagraph.generate import generated_graphs

    graphs = generated_graphs(60, seed=1)
    owners = Counter()
    swedish = set()
    for graph, triples in graphs:
        for t in triples:
            if t.predicate.value == KG + "instanceOf":
                owners[t.object.value] += 1
            if t.predicate.value.endswith("prefLabel") and t.object.language == "sv" and t.subject.value.startswith(BASE + "id/"):
                swedish.add(graph)
    counts = sorted(owners.values(), reverse=True)
    assert counts[0] >= 40  # the most used product runs nearly everywhere
    assert len(counts) >= 30 and sum(1 for c in counts if c <= 3) >= 10  # and many only in a few places
    assert 3 <= len(swedish) <= 25


def test_never_written_into_data(tmp_path):
    r = run_cli("generate", "--municipalities", 1, "--out", DATA / "generated")
    assert r.returncode == 2 and "never for data/" in r.stderr
    assert not (DATA / "generated").exists()


def test_loads_and_serves_like_data(generated, tmp_path):
    store_dir = tmp_path / "store"
    r = run_cli("load", generated, "--store", store_dir, "--lang", "en")
    assert r.returncode == 0, r.stderr
    r = run_cli("query", "--store", store_dir, "--format", "csv",
                "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a kg:Municipality ; dcterms:identifier ?code }")
    assert r.returncode == 0 and r.stdout.split()[-1] == "3", r.stdout + r.stderr
    triples = [q for q in ox.parse(path=str(generated / "s001.ttl"), format=ox.RdfFormat.TURTLE)]
    assert any(q.object.value == KG + "CaseRegister" for q in triples)
