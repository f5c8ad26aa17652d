"""The one store interface, and its embedded implementation on pyoxigraph (DESIGN §4).

Everything above this module talks to a `Store`; it never knows which implementation it has.
The remote SPARQL implementation (kuntagraph.remote.RemoteStore) implements the same methods.
"""

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import config, rdffiles
from .checkpoints import Checkpoints
from .iris import Iris
from .memory import give_back

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}

PREFIXES = {
    "kg": config.CANONICAL_BASE + "def#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": "http://www.w3.org/ns/org#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dpv": "https://w3id.org/dpv#",
}


class QueryError(ValueError):
    """A query the store refuses: a syntax error or an unsupported form. The message is the parser's."""


class QueryTimeout(Exception):
    """The query ran past its deadline."""


class ResultTooLarge(Exception):
    """The serialised answer grew past the result cap."""


class _BoundedWriter:
    """Collects serialised output; stops the serialisation past a deadline or a size cap."""

    def __init__(self, deadline: float | None, max_bytes: int | None):
        self.deadline, self.max_bytes, self.parts, self.size = deadline, max_bytes, [], 0

    def write(self, b) -> int:
        self.size += len(b)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise ResultTooLarge(self.max_bytes)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout()
        self.parts.append(bytes(b))
        return len(b)

    def flush(self):
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


@dataclass
class Answer:
    """A query's answer: its kind and the body serialised by the store itself."""

    kind: str  # "bindings", "boolean" or "graph"
    body: bytes


class Store(ABC):
    """A set of named graphs, one per municipality, ontology and concept scheme (DESIGN §2)."""

    iris: Iris

    @abstractmethod
    def replace_graph(self, graph: str, triples) -> None:
        """Replace one named graph's content in one transaction: readers see the old or the new graph.
        Replacing a graph by no triples removes the graph."""

    @abstractmethod
    def graphs(self) -> list[str]: ...

    @abstractmethod
    def select(self, sparql: str) -> list[dict]:
        """SELECT over the union of all graphs: rows of {variable: python value (str, or None)}."""

    def statements(self, predicates: list[str], literals: bool = False,
                   objects: list[str] | None = None) -> Iterator[tuple[str, str, str, str | None, str]]:
        """Every statement of the named graphs with one of `predicates`, and an IRI object (one of `objects`, when
        given) or, with `literals`, a literal object: (subject, predicate, object, language, graph), the language
        '' for a literal without one and None for an IRI. One read whatever the data size: the search index reads
        everything it needs in three. Statements held in several graphs come once per graph."""
        match = f"VALUES ?o {{ {' '.join(f'<{o}>' for o in objects)} }}" if objects else ""
        query = (f"SELECT ?s ?p ?o {'(LANG(?o) AS ?lang)' if literals else ''} ?g WHERE {{ "
                 f"VALUES ?p {{ {' '.join(f'<{p}>' for p in predicates)} }} {match} GRAPH ?g {{ ?s ?p ?o }} "
                 f"FILTER({'isLiteral' if literals else 'isIRI'}(?o) && isIRI(?g)) }}")
        for r in self.select(query):
            yield r["s"], r["p"], r["o"], (r["lang"] or "") if literals else None, r["g"]

    @abstractmethod
    def ask(self, sparql: str) -> bool: ...

    @abstractmethod
    def execute(self, sparql: str, *, result_format: str = "json", graph_format: str = "turtle",
                default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
                with_prefixes: bool = False, deadline: float | None = None, max_bytes: int | None = None,
                base_iri: str | None = None) -> Answer:
        """Run any query form and serialise its answer. Without a dataset clause or default_graph,
        the default graph is the union of all graphs. `with_prefixes` predeclares PREFIXES (for people
        typing queries; the SPARQL endpoint keeps the standard behaviour). Past `deadline` (time.monotonic())
        it raises QueryTimeout, past `max_bytes` of output ResultTooLarge. Relative IRIs resolve against
        `base_iri` when the query has no BASE of its own."""

    @abstractmethod
    def dump(self, graph_format: str = "nquads", graph: str | None = None) -> bytes: ...

    @abstractmethod
    def count(self, graph: str | None = None) -> int: ...

    def load_files(self, paths, graph: str | None = None, bulk: bool = False) -> None:
        """Every file parses before anything is written: a file that does not parse leaves the store untouched.
        Then each graph is written from its file(s), read again, so that loading all of Finland never holds
        every file's triples in Python at once. Each file goes to the graph its content names, or to `graph`
        when given; `bulk` as in load_file."""
        self.load_graphs(rdffiles.files_by_graph(paths, self.iris, graph), bulk=bulk)
        give_back()  # what parsing every file made and freed

    def load_graphs(self, by_graph: dict[str, list[Path]], bulk: bool = False) -> None:
        """Write each graph from its files, already checked (rdffiles.files_by_graph), one graph at a time."""
        for name, files in by_graph.items():
            if len(files) == 1:
                self.load_file(files[0], name, bulk=bulk)
            else:
                self.write_files([rdffiles.read(p, self.iris) for p in files], name)

    def write_files(self, files: list, graph: str | None = None) -> list:
        """load_files for files already read (rdffiles.read): each to its graph, or to `graph` when given."""
        for f in files:
            f.graph = graph or f.graph
        by_graph: dict[str, list] = {}
        for f in files:
            by_graph.setdefault(f.graph, []).extend(f.quads)
        for graph, triples in by_graph.items():
            self.replace_graph(graph, triples)
        return files

    def load_file(self, path, graph: str, bulk: bool = False) -> None:
        """Replace `graph` by the content of one file known to parse (`kuntagraph load`, after its check).
        `bulk`: a store nobody reads yet may be filled faster, without a transaction per graph."""
        self.replace_graph(graph, rdffiles.read(path, self.iris).quads)

    def load_defaults(self) -> None:
        """The ontology, the concept schemes and every graph in data/."""
        self.load_files([*config.ontology_files(), *config.data_files()])

    def writing(self):
        """Around writes that belong together (a graph and its record): readers in other processes see all of
        them or none (the embedded store's checkpoints). A remote store's readers read it live."""
        return nullcontext()


def has_dataset_clause(sparql: str) -> bool:
    """Does the query name its own dataset (FROM / FROM NAMED)? Then that dataset applies, not the union."""
    from .remote import _has_dataset_clause
    return _has_dataset_clause(sparql)


def _short_message(message: str, limit: int = 300) -> str:
    """The parser lists every character class it expected; a person needs the position and the start."""
    return message if len(message) <= limit else message[:limit].rstrip() + " …"


def query_options(sparql, default_graph=None, named_graphs=None, with_prefixes=False, base_iri=None) -> dict:
    """pyoxigraph's query options for execute(): the protocol's dataset, else the union of all graphs."""
    kw = {"prefixes": PREFIXES} if with_prefixes else {}
    if base_iri:
        kw["base_iri"] = base_iri
    if default_graph:
        kw["default_graph"] = _graph_nodes(default_graph, "default-graph-uri")
    if named_graphs:
        kw["named_graphs"] = _graph_nodes(named_graphs, "named-graph-uri")
    if not default_graph and not has_dataset_clause(sparql):
        # (pyoxigraph's union flag would override the query's own FROM / FROM NAMED: the docstring's promise)
        kw["use_default_graph_as_union"] = True
    return kw


def _graph_nodes(iris, parameter: str) -> list:
    """The protocol's graph parameters as nodes; one that is not an IRI is the client's mistake (a 400)."""
    nodes = []
    for iri in iris:
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError as e:
            raise QueryError(f"{parameter} {iri[:200]!r} is not an absolute IRI ({e})") from None
    return nodes


class OxigraphStore(Store):
    """Embedded pyoxigraph store, in memory or on disk (`path`). `read_only` opens a store that no process writes:
    a checkpoint (kuntagraph.checkpoints), which is how processes beside the server read its store."""

    def __init__(self, path: str | Path | None = None, iris: Iris | None = None, read_only: bool = False):
        self.iris = iris or Iris()
        self.path = Path(path) if path else None
        self.checkpoints = None  # an on-disk store written here keeps them, for readers in other processes
        if read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            self._store = ox.Store(str(path)) if path else ox.Store()
            if path:
                self.checkpoints = Checkpoints(self._store, self.path)

    def writing(self):
        return self.checkpoints.write() if self.checkpoints else nullcontext()

    @contextmanager
    def checkpoint(self) -> Iterator[str]:
        """The directory of an immutable copy of this on-disk store, holding every write made before the call,
        for a process of its own to open read-only while the block runs (kuntagraph.checkpoints)."""
        if self.checkpoints is None:
            raise ValueError("only an on-disk store that this process writes has checkpoints")
        with self.checkpoints.lease() as path:
            yield path

    def replace_graph(self, graph, triples):
        with self.writing():
            self._replace_graph(graph, triples)

    def _replace_graph(self, graph, triples):
        # One SPARQL update is one transaction: readers see the old graph or the new one, never a mix.
        # Replacing a graph by nothing removes it (the Graph Store Protocol's DELETE).
        triples = list(triples)
        name = ox.NamedNode(graph)
        if triples and not self._store.contains_named_graph(name):
            # A new graph: one transaction adds it (readers see none of it or all of it), without serialising
            # the triples to text for the update parser (a national load 1.6x -> 1.2x of pyoxigraph's bulk loader).
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
            return
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()
        if not body.strip():
            self._store.update(f"DROP SILENT GRAPH <{graph}>")
            return
        self._store.update(f"DROP SILENT GRAPH <{graph}> ; CREATE SILENT GRAPH <{graph}> ; "
                           f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def load_file(self, path, graph, bulk=False):
        with self.writing():
            self._load_file(path, graph, bulk)

    def _load_file(self, path, graph, bulk):
        path, name = Path(path), ox.NamedNode(graph)
        fmt = rdffiles.FORMATS.get(path.suffix.lower())
        # Only triple formats pyoxigraph may read unchecked: a dataset's own graphs would bypass `graph`, and
        # RDF/XML needs rdffiles.read's refusal of entity declarations first.
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES) and self.iris.base == config.CANONICAL_BASE \
                and not self._store.contains_named_graph(name):
            # A new graph straight from its file, parsed by pyoxigraph (no Python objects). By default in one
            # transaction (all or nothing per graph); `bulk` uses pyoxigraph's bulk loader: on all cores and about
            # three times faster, but not atomic, so only for filling a new store (`kuntagraph load --bulk`).
            if bulk:
                self._store.bulk_load(path=str(path), format=fmt, to_graph=name, base_iri=self.iris.base)
            else:
                self._store.load(path=str(path), format=fmt, to_graph=name, base_iri=self.iris.base)
            return
        super().load_file(path, graph)

    def graphs(self):
        return sorted(g.value for g in self._store.named_graphs())

    def _query(self, sparql, **kw):
        try:
            return self._store.query(sparql, **kw)
        except (SyntaxError, ValueError, OSError, RuntimeError) as e:
            raise QueryError(_short_message(str(e))) from None

    def select(self, sparql):
        res = self._query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        # All the rows in one call into pyoxigraph, as JSON. Iterating the solutions gives up the GIL at every row,
        # and with the page threads busy each row then waits a switch interval (5 ms): under load a municipality's
        # page (7,000 rows) took tens of seconds, its CPU time 0.5 s.
        doc = json.loads(res.serialize(format=ox.QueryResultsFormat.JSON))
        names = doc["head"]["vars"]
        return [{n: b[n]["value"] if n in b else None for n in names} for b in doc["results"]["bindings"]]

    def statements(self, predicates, literals=False, objects=None):
        # Straight from the store's indexes: twice as fast as the same SELECT, which builds a solution per row.
        kind = ox.Literal if literals else ox.NamedNode
        for p in predicates:
            predicate = ox.NamedNode(p)
            for o in objects or [None]:
                for q in self._store.quads_for_pattern(None, predicate, ox.NamedNode(o) if o else None, None):
                    obj, graph = q.object, q.graph_name
                    if isinstance(obj, kind) and isinstance(graph, ox.NamedNode):
                        yield q.subject.value, p, obj.value, (obj.language or "") if literals else None, graph.value

    def ask(self, sparql):
        res = self._query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        if not isinstance(res, ox.QueryBoolean):
            raise QueryError("ask() needs an ASK query")
        return bool(res)

    def execute(self, sparql, *, result_format="json", graph_format="turtle", default_graph=None, named_graphs=None,
                with_prefixes=False, deadline=None, max_bytes=None, base_iri=None):
        res = self._query(sparql, **query_options(sparql, default_graph, named_graphs, with_prefixes, base_iri))
        if isinstance(res, ox.QueryTriples):
            kind, fmt = "graph", GRAPH_FORMATS[graph_format]
        else:
            kind, fmt = ("boolean" if isinstance(res, ox.QueryBoolean) else "bindings"), RESULT_FORMATS[result_format]
        if deadline is None and max_bytes is None:
            # Unbounded (the server's own queries): in one call, as select() does, not a Python write per chunk.
            try:
                return Answer(kind, res.serialize(format=fmt))
            except OSError as e:
                raise QueryError(str(e)) from None
        out = _BoundedWriter(deadline, max_bytes)
        try:
            res.serialize(output=out, format=fmt)
        except OSError as e:  # the writer's exception comes back wrapped by pyoxigraph
            cause = e.__cause__ or e.__context__
            if isinstance(cause, (QueryTimeout, ResultTooLarge)):
                raise cause from None
            raise QueryError(str(e)) from None
        return Answer(kind, out.getvalue())

    def dump(self, graph_format="nquads", graph=None):
        fmt = GRAPH_FORMATS[graph_format]
        if graph is None:
            return self._store.dump(format=fmt)
        return self._store.dump(format=fmt, from_graph=ox.NamedNode(graph))

    def count(self, graph=None):
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def flush(self):
        if self.path:
            self._store.flush()

    def copy_to(self, directory: str | Path) -> None:
        """Every quad into a new on-disk store at `directory`, through an N-Quads file beside it."""
        dump = Path(directory).with_suffix(".nq")
        try:
            self._store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
            copy = ox.Store(str(directory))
            copy.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
            copy.flush()
        finally:
            dump.unlink(missing_ok=True)


def open_store(path: str | Path | None = None, iris: Iris | None = None, endpoint: str | None = None) -> Store:
    """The embedded store: on disk when `path` is given, otherwise in memory. With `endpoint`, a remote SPARQL
    1.1 server instead (kuntagraph.remote.RemoteStore; credentials and write endpoints from the environment)."""
    if endpoint:
        if path:
            raise ValueError("give either a store directory or a SPARQL endpoint, not both")
        from .remote import RemoteStore
        return RemoteStore.from_environment(endpoint, iris)
    return OxigraphStore(path, iris)
