"""Reading RDF files: format by suffix, errors that name the file and line, graph by content."""

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .config import CANONICAL_BASE
from .iris import Iris

FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
MAX_FILE_BYTES = 200 * 1024 * 1024


# In N-Triples and N-Quads: a string literal (skipped), an IRI (skipped) or a blank node label (group 1).
_LITERAL_IRI_OR_BLANK = re.compile(rb'"(?:[^"\\\n]|\\.)*"|<[^>]*>|_:([^\s<>"]*[^\s<>".])')
_BLANK_AS_IRI = "urn:x-kuntagraph-blank:"


def parse_triples(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> list[ox.Triple]:
    """The triples of N-Triples or N-Quads the server made or fetched itself (a description, a dump), parsed in one
    call into pyoxigraph. Iterating ox.parse gives up the GIL at every triple, and with the page threads busy each one
    then waits a switch interval (5 ms): under load a 2,000-triple description took 10 s instead of 30 ms.
    The scratch store would give blank nodes new random labels (a representation's bytes and ETag would change at
    every request), so they go in as IRIs and come back as the blank nodes they were. The order is the scratch
    store's; a triple in several graphs of an N-Quads dump comes once per graph."""
    if fmt not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        raise ValueError(f"parse_triples reads N-Triples or N-Quads, not {fmt}")
    prefix = _BLANK_AS_IRI.encode()
    data = _LITERAL_IRI_OR_BLANK.sub(lambda m: b"<" + prefix + m.group(1) + b">" if m.group(1) else m.group(0), data)
    scratch = ox.Store()
    scratch.load(data, format=fmt)
    return [ox.Triple(_blank_again(q.subject), q.predicate, _blank_again(q.object)) for q in scratch]


def _blank_again(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(_BLANK_AS_IRI):
        return ox.BlankNode(term.value[len(_BLANK_AS_IRI):])
    return term


class InputError(Exception):
    """An input that cannot be read or parsed. The message names the file and, where known, the line."""

    def __init__(self, path, message, line=None):
        self.path, self.line = str(path), line
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass
class RdfFile:
    path: Path
    graph: str  # the named graph this file's triples belong in
    quads: list  # pyoxigraph Quads in the default graph, as parsed, IRIs already under the configured base

    @property
    def triples(self) -> list:
        return [q.triple for q in self.quads]


def expand(paths) -> list[Path]:
    """Files named on the command line; a directory means every RDF file in it."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix in FORMATS)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(p, "no such file or directory")
    return out


_XML_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def refuse_xml_declarations(data: bytes, fmt, path) -> None:
    """RDF/XML with a DOCTYPE is refused: pyoxigraph expands entities, and a 1 KB file of nested entities
    becomes gigabytes ("billion laughs"). RDF/XML has no need for them."""
    if fmt == ox.RdfFormat.RDF_XML and _XML_DECLARATION.search(data):
        raise InputError(path, "RDF/XML with a DOCTYPE or ENTITY declaration is refused (entities can expand a "
                               "small file into gigabytes); remove the <!DOCTYPE ...> block")


def read(path: Path, iris: Iris) -> RdfFile:
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"unknown RDF format '{path.suffix}' (use one of {', '.join(FORMATS)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(path, f"is larger than {MAX_FILE_BYTES // 2**20} MB")
    refuse_xml_declarations(data, fmt, path)
    try:
        # Kept as parsed: building new term objects in Python costs more than parsing (validating all of
        # Finland spent half its time there). Only a file's graphs (TriG, N-Quads) or another base need new quads.
        quads = list(ox.parse(data, format=fmt, base_iri=iris.base))
    except SyntaxError as e:
        raise InputError(path, f"syntax error: {_syntax_message(e)}", e.lineno) from None
    if iris.base != CANONICAL_BASE:
        quads = [_rebase(q, iris) for q in quads]
    elif fmt.supports_datasets:
        quads = [q if isinstance(q.graph_name, ox.DefaultGraph) else ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return RdfFile(path, graph_for(path, quads, iris), quads)


def graph_of(path: Path, iris: Iris) -> str:
    """The graph a file's content names (graph_for), after parsing all of it but keeping only its rdf:type
    triples: what a load checks of every file before it writes any, without holding every file's triples at
    once. A file that cannot be read or parsed raises read()'s InputError (the file and line)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    try:
        if fmt is None or fmt == ox.RdfFormat.RDF_XML or path.stat().st_size > MAX_FILE_BYTES:
            return read(path, iris).graph  # its refusal (RDF/XML: read refuses a DOCTYPE before parsing)
        types = [q for q in ox.parse(path=str(path), format=fmt, base_iri=iris.base) if q.predicate == RDF_TYPE]
    except (SyntaxError, OSError, ValueError):
        return read(path, iris).graph  # raises InputError with the file and line
    if iris.base != CANONICAL_BASE:
        types = [_rebase(q, iris) for q in types]
    return graph_for(path, types, iris)


def files_by_graph(paths, iris: Iris, graph: str | None = None) -> dict[str, list[Path]]:
    """The files (a directory: its RDF files) grouped by the graph each names, or all under `graph`; every file
    is parsed here, so that an error is raised before anything is written."""
    by_graph: dict[str, list[Path]] = {}
    for path in expand(paths):
        named = graph_of(path, iris)
        by_graph.setdefault(graph or named, []).append(path)
    return by_graph


def _syntax_message(e: SyntaxError) -> str:
    return str(e.msg if hasattr(e, "msg") else e)


def _rebase(q: ox.Quad, iris: Iris) -> ox.Quad:
    def move(term):
        return ox.NamedNode(iris.rebase(term.value)) if isinstance(term, ox.NamedNode) else term

    return ox.Quad(move(q.subject), move(q.predicate), move(q.object))


# The organisations that publish §28 descriptions (information management units, 906/2019), in the order pages list
# them, and the other publishers of graphs.
ORGANISATION_TYPES = ("Municipality", "WellbeingServicesCounty", "JointMunicipalAuthority", "RegionalCouncil",
                      "StateAgency", "HigherEducationInstitution")
PUBLISHER_TYPES = (*ORGANISATION_TYPES, "Consortium", "ReferenceLibrary")
# `kuntagraph import --org-type`: the words a user gives for them
ORGANISATION_KINDS = {"municipality": "Municipality", "wellbeing-services-county": "WellbeingServicesCounty",
                      "joint-municipal-authority": "JointMunicipalAuthority", "regional-council": "RegionalCouncil",
                      "state-agency": "StateAgency", "higher-education-institution": "HigherEducationInstitution"}
# The node whose IRI names the graph: a publisher of descriptions, the ontology or a concept scheme.
_OWNER_TYPES = PUBLISHER_TYPES


def graph_for(path: Path, triples, iris: Iris) -> str:
    """One named graph per municipality (DESIGN §2), recognised from the file's own content."""
    owners = {iris.term(t) for t in _OWNER_TYPES}
    schemes = iris.vocab("")
    for t in triples:
        if t.predicate != RDF_TYPE or not isinstance(t.subject, ox.NamedNode):
            continue
        s, o = t.subject.value, t.object.value
        if o == "http://www.w3.org/2002/07/owl#Ontology" and s == iris.ontology:
            return iris.graph("ontology")
        if o == "http://www.w3.org/2004/02/skos/core#ConceptScheme" and s.startswith(schemes):
            return iris.graph("vocab/" + s[len(schemes):])
        if o in owners and s.startswith(iris.thing("")):
            key = s[len(iris.thing("")):]
            if key and "/" not in key:
                return iris.graph(key)
    return iris.graph(path.stem)


def slugify(label: str, maxlen: int = 60) -> str:
    """An ASCII slug for a new IRI, made once from a Finnish label (never recomputed for existing IRIs)."""
    import re
    import unicodedata

    s = unicodedata.normalize("NFKD", label.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > maxlen:
        s = s[:maxlen].rsplit("-", 1)[0]
    return s or "item"
