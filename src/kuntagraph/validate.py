"""SHACL validation of description graphs, with reports a municipal clerk can act on (fi / en).

The data graph is the files under validation plus their context: the ontology, the concept schemes and
the other published graphs (a municipality's resource may be held in a consortium's shared system).
Only results about nodes of the files under validation are reported.
"""

import os
from dataclasses import dataclass, field, asdict
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDF, SH

from . import config, rdffiles
from .iris import Iris

KS = rdflib.Namespace(config.CANONICAL_BASE + "shapes#")
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
PREFIXES = {
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/dcat#": "dcat:",
    "http://www.w3.org/2006/vcard/ns#": "vcard:",
    config.CANONICAL_BASE + "def#": "kg:",
}


@dataclass
class Result:
    severity: str  # violation, warning or info
    check: str  # 28.1 ... 28.5, 28.2mom, 25, 5, hygiene
    focus: str
    path: str | None
    messages: dict  # language -> text
    file: str | None
    value: str | None = None
    shape: str | None = None

    def message(self, lang: str = "fi") -> str:
        for candidate in (lang, "en", "fi"):
            if candidate in self.messages:
                return self.messages[candidate]
        return next(iter(self.messages.values()), "")


@dataclass
class Report:
    files: list[str]
    results: list[Result] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_json(self, lang: str = "fi") -> dict:
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "files": self.files,
            "results": [dict(asdict(r), message=r.message(lang)) for r in self.results],
        }


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for f in sorted(config.SHAPES_DIR.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


def _to_rdflib(triples, into: rdflib.Graph) -> None:
    # Bulk conversion through N-Triples bytes (DESIGN §4), not term by term.
    into.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@lru_cache(maxsize=1)
def _default_context() -> tuple:
    """The ontology, schemes and published graphs: read once per process."""
    iris = Iris()
    files = [rdffiles.read(p, iris) for p in [*config.ontology_files(), *config.data_files()]]
    return tuple(files)


def validate_files(paths, iris: Iris | None = None) -> Report:
    """Validate RDF files (directories are expanded). Raises rdffiles.InputError for unreadable input."""
    iris = iris or Iris()
    files = [rdffiles.read(p, iris) for p in rdffiles.expand(paths)]
    own_graphs = {f.graph for f in files}
    own_paths = {f.path.resolve() for f in files}
    context = [f for f in _default_context()
               if f.path.resolve() not in own_paths and (f.graph not in own_graphs or f.path.parent == config.ONTOLOGY_DIR
                                                         or f.path.parent == config.VOCAB_DIR)]
    return validate_triples({str(f.path): f.quads for f in files}, [q for f in context for q in f.quads])


VOCABULARY_BASES = (config.CANONICAL_BASE + "def", config.CANONICAL_BASE + "vocab/")


def vocabulary_context() -> list:
    """The ontology and the concept schemes: what every validation needs beside the data."""
    return [q for f in _default_context() if f.path.parent in (config.ONTOLOGY_DIR, config.VOCAB_DIR) for q in f.quads]


def validate_new_graph(name: str, triples, graph: str) -> Report:
    """Validate triples that are to replace a named graph: their context is the ontology, the schemes and every
    other published graph, not the graph they replace."""
    context = [f for f in _default_context()
               if f.graph != graph or f.path.parent in (config.ONTOLOGY_DIR, config.VOCAB_DIR)]
    return validate_triples({name: triples}, [q for f in context for q in f.quads])


def validate_triples(by_file: dict, context_triples, engine: str | None = None) -> Report:
    """Validate the triples of each named source against the shapes, with the context triples alongside
    (triples, or quads in the default graph as rdffiles.read keeps them).

    `engine`: "pyshacl" runs pySHACL on every shape (the reference); by default ("fast") the shapes that
    kuntagraph.shacl_sparql can compile run as one SPARQL query per constraint over all focus nodes at once
    in pyoxigraph, and pySHACL runs only the shapes it cannot compile (none of shapes/ today). The results
    are the same (tests/test_shacl_engine.py compares the two); see shacl_sparql for why."""
    engine = engine or os.environ.get("KUNTAGRAPH_SHACL_ENGINE", "fast")
    owner: dict[str, str] = {}
    for name, triples in by_file.items():
        for t in triples:
            owner.setdefault(t.subject.value, name)
    report = Report(files=list(by_file))
    shapes = shapes_graph()
    rest = shapes
    if engine != "pyshacl":
        from . import shacl_sparql

        compiled = shacl_sparql.compiled(shapes)
        store = ox.Store()  # in memory, where extend is twice as fast as bulk_extend
        store.extend(_in_default_graph(t) for ts in by_file.values() for t in ts)
        store.extend(_in_default_graph(t) for t in context_triples)
        for r in compiled.run(store, owner):
            report.results.append(_fast_result(r, owner))
        rest = compiled.fallback_shapes
    if rest is not None and len(rest):
        data = rdflib.Graph()
        for triples in by_file.values():
            _to_rdflib(triples, data)
        _to_rdflib(list(context_triples), data)
        _conforms, results_graph, _text = shacl_validate(
            data, shacl_graph=rest, inference="none", allow_warnings=True, abort_on_first=False)
        # Only the report's own results: nested sh:detail results explain them and are not repeated.
        for node in results_graph.objects(None, SH.result):
            focus = results_graph.value(node, SH.focusNode)
            if str(focus) not in owner:
                continue  # a finding about the context, not about the files under validation
            report.results.append(_result(results_graph, node, focus, owner[str(focus)]))
    order = {"violation": 0, "warning": 1, "info": 2}
    report.results.sort(key=lambda r: (order[r.severity], r.file or "", r.check, r.focus, r.path or ""))
    return report


def _in_default_graph(t) -> ox.Quad:
    """Triples, or quads as rdffiles.read keeps them (already in the default graph: not built anew)."""
    return t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object)


def _fast_result(r, owner) -> Result:
    """A Result from a compiled constraint's finding, read from the shapes as pySHACL's are."""
    check, messages, path, shape = _constraint_texts(r.source, r.constraint, r.path)
    return Result(severity=SEVERITIES.get(r.severity, "violation"), check=check, focus=r.focus, path=path,
                  messages=dict(messages), file=owner[r.focus], value=r.value, shape=shape)


@lru_cache(maxsize=4096)
def _constraint_texts(source, constraint, path) -> tuple:
    """What a finding says besides its focus and value, read once per constraint: thousands of findings of
    one constraint (a national validation) need not look the same texts up in the shapes each time."""
    shapes = shapes_graph()
    check = shapes.value(source, KS.check) or shapes.value(shapes.value(None, SH.property, source), KS.check)
    messages = {}
    for origin in (constraint, source):
        for m in shapes.objects(origin, SH.message) if origin is not None else ():
            messages.setdefault(getattr(m, "language", None) or "en", str(m))
    return (str(check or ""), messages, _path_text(shapes, path),
            str(source) if isinstance(source, rdflib.URIRef) else None)


def _result(g: rdflib.Graph, node, focus, file) -> Result:
    source = g.value(node, SH.sourceShape)
    shapes = shapes_graph()
    check = shapes.value(source, KS.check) or shapes.value(shapes.value(None, SH.property, source), KS.check)
    messages = {}
    for m in g.objects(node, SH.resultMessage):
        messages.setdefault(getattr(m, "language", None) or "en", str(m))
    # pySHACL passes on one sh:message of a SPARQL constraint; the others are read from the shape itself.
    for origin in (g.value(node, SH.sourceConstraint), source):
        for m in shapes.objects(origin, SH.message) if origin is not None else ():
            messages.setdefault(getattr(m, "language", None) or "en", str(m))
    value = g.value(node, SH.value)
    return Result(
        severity=SEVERITIES.get(g.value(node, SH.resultSeverity), "violation"),
        check=str(check or ""),
        focus=str(focus),
        path=_path_text(g, g.value(node, SH.resultPath)),
        messages=messages,
        file=file,
        value=str(value) if value is not None else None,
        shape=str(source) if isinstance(source, rdflib.URIRef) else None,
    )


def _path_text(g: rdflib.Graph, path) -> str | None:
    """A SHACL property path in SPARQL-like notation: kg:heldIn | ^dcterms:hasPart/kg:openInterface."""
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        s = str(path)
        for ns, prefix in PREFIXES.items():
            if s.startswith(ns):
                return prefix + s[len(ns):]
        return f"<{s}>"
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(g, inverse)
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_path_text(g, p) for p in rdflib.collection.Collection(g, alternatives))
    if (path, RDF.first, None) in g:
        return "/".join(_path_text(g, p) for p in rdflib.collection.Collection(g, path))
    return None

