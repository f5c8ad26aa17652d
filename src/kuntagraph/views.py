"""The comparison views as a Python API: each returns plain data that the server renders as HTML, JSON
and CSV. Every view issues a fixed, small number of queries, whatever the number of municipalities
(labels of all the IRIs a view shows come in one batched query)."""

import re
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import pyoxigraph as ox

from .iris import is_safe_iri
from .languages import best_label
from .store import Store

KG = "https://w3id.org/kuntagraph/def#"
CHECKS = ["28.1", "28.2", "28.3", "28.4", "28.5", "28.2mom", "25", "5"]


# ------------------------------------------------------------------ shared pieces

def labels(store: Store, iris, lang: str) -> dict[str, str]:
    """The best label of each IRI in one query: lang first, then fi -> sv -> en."""
    iris = sorted({i for i in iris if i})
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris if is_safe_iri(i))
    rows = store.select(f"SELECT ?s ?l (lang(?l) AS ?lang) WHERE {{ VALUES ?s {{ {values} }} ?s skos:prefLabel|rdfs:label ?l }}")
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["s"], {}).setdefault(r["lang"] or "", r["l"])
    return {i: best_label(found.get(i, {}), lang) or _short(i) for i in iris}


def _short(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


@dataclass
class Municipality:
    iri: str
    key: str
    code: str | None
    label: str


MUNICIPALITIES = """
SELECT ?m ?code WHERE { ?m a kg:Municipality . OPTIONAL { ?m dcterms:identifier ?code } }"""


def municipalities(store: Store, lang: str) -> list[Municipality]:
    rows = store.select(MUNICIPALITIES)
    names = labels(store, [r["m"] for r in rows], lang)
    prefix = store.iris.thing("")
    out = [Municipality(r["m"], r["m"][len(prefix):], r["code"], names[r["m"]]) for r in rows]
    return sorted(out, key=lambda m: (m.code is None, m.code or "", m.label))


MEMBERSHIP = """
SELECT ?g ?m WHERE {
  { GRAPH ?g { ?m a kg:Municipality } }
  UNION { GRAPH ?g { ?c a kg:Consortium ; org:hasMember ?m } }
}"""


def membership(store: Store) -> dict[str, set[str]]:
    """Named graph -> the municipalities it describes (a consortium's graph: its members)."""
    out: dict[str, set[str]] = {}
    for r in store.select(MEMBERSHIP):
        out.setdefault(r["g"], set()).add(r["m"])
    return out


# ------------------------------------------------------------------ matrix: municipalities x service areas

MATRIX = """
SELECT ?m ?area (COUNT(DISTINCT ?r) AS ?resources) (COUNT(DISTINCT ?d) AS ?datasets) WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher ?m ; dcterms:hasPart ?r .
  ?m a kg:Municipality .
  ?r a kg:InformationResource ; kg:serviceArea ?area .
  OPTIONAL { ?r dcterms:hasPart ?d }
} GROUP BY ?m ?area"""


@dataclass
class Matrix:
    municipalities: list[Municipality]
    areas: list[tuple[str, str]]  # (iri, label)
    cells: dict  # (municipality iri, area iri) -> {"resources": n, "datasets": n}
    max_resources: int

    def rows(self):
        """Flat rows for the .json and .csv twins."""
        for m in self.municipalities:
            for a, label in self.areas:
                c = self.cells.get((m.iri, a))
                if c:
                    yield {"municipality": m.iri, "code": m.code, "municipality_label": m.label, "area": a, "area_label": label, **c}


def matrix(store: Store, lang: str) -> Matrix:
    ms = municipalities(store, lang)
    cells = {}
    for r in store.select(MATRIX):
        cells[(r["m"], r["area"])] = {"resources": int(r["resources"]), "datasets": int(r["datasets"])}
    area_iris = sorted({a for _, a in cells})
    names = labels(store, area_iris, lang)
    areas = sorted(((a, names[a]) for a in area_iris), key=lambda x: x[1])
    return Matrix(ms, areas, cells, max((c["resources"] for c in cells.values()), default=0))


# ------------------------------------------------------------------ system products -> municipalities

PRODUCTS = """
SELECT ?product ?system ?owner WHERE {
  ?system kg:instanceOf ?product ; kg:owner ?owner . ?owner a kg:Municipality .
}"""


@dataclass
class ProductRow:
    product: str
    label: str
    instances: list[str]
    municipalities: list[Municipality]


def products(store: Store, lang: str) -> list[ProductRow]:
    rows = store.select(PRODUCTS)
    ms = {m.iri: m for m in municipalities(store, lang)}
    names = labels(store, [r["product"] for r in rows], lang)
    grouped: dict = {}
    for r in rows:
        g = grouped.setdefault(r["product"], ({}, {}))
        g[0][r["system"]] = True
        g[1][r["owner"]] = ms.get(r["owner"])
    out = [ProductRow(p, names[p], sorted(s), sorted((m for m in o.values() if m), key=lambda m: (m.code or "~", m.label)))
           for p, (s, o) in grouped.items()]
    return sorted(out, key=lambda r: (-len(r.municipalities), r.label))


# ------------------------------------------------------------------ reference library coverage

REFERENCE = """
SELECT ?ref ?kind ?g WHERE {
  ?ref a kg:ReferenceItem ; kg:referenceKind ?kind .
  OPTIONAL { GRAPH ?g { ?x kg:reference ?ref } }
}"""


@dataclass
class ReferenceRow:
    item: str
    label: str
    kind: str
    municipalities: list[Municipality]


def reference_coverage(store: Store, lang: str) -> list[ReferenceRow]:
    rows = store.select(REFERENCE)
    members = membership(store)
    ms = {m.iri: m for m in municipalities(store, lang)}
    names = labels(store, [r["ref"] for r in rows] + [r["kind"] for r in rows], lang)
    grouped: dict = {}
    for r in rows:
        entry = grouped.setdefault(r["ref"], (r["kind"], set()))
        if r["g"]:
            entry[1].update(members.get(r["g"], ()))
    out = [ReferenceRow(ref, names[ref], names[kind], sorted((ms[m] for m in found if m in ms), key=lambda m: m.label))
           for ref, (kind, found) in grouped.items()]
    return sorted(out, key=lambda r: (-len(r.municipalities), r.kind, r.label))


# ------------------------------------------------------------------ §28 compliance

@dataclass
class Finding:
    check: str
    severity: str
    message: str
    focus: list[str]  # the items it concerns


@dataclass
class Scorecard:
    municipality: Municipality
    counts: dict  # check -> {"violation": n, "warning": n}
    findings: list[Finding] = field(default_factory=list)

    def status(self, check: str) -> str:
        c = self.counts.get(check, {})
        return "fail" if c.get("violation") else "warn" if c.get("warning") else "ok"


class AfterWrites:
    """When work that follows the data (the §28 check, the search index) starts after writes: QUIET seconds after the
    last write of a burst, so that a burst of uploads makes one run instead of one each, but never later than LONGEST
    seconds after the burst's first write. Its owner's lock guards it."""

    QUIET = 2.0
    LONGEST = 30.0

    def __init__(self):
        self._first: float | None = None  # the first write not yet acted on
        self.due = 0.0  # time.monotonic() from which to act

    def wrote(self) -> float:
        now = time.monotonic()
        if self._first is None:
            self._first = now
        self.due = min(now + self.QUIET, self._first + self.LONGEST)
        return self.due

    def act_now(self) -> None:
        """Acting now (or asked to): the next write starts a new burst."""
        self._first, self.due = None, 0.0


class FollowsWrites:
    """Background work that follows the data (the §28 check, the materialised aggregates): one run per data version,
    in a thread of its own, started at once or, after writes, when AfterWrites says. A newer version's run replaces
    an older one's, which stops at its next step (it checks `current`). A run that failed (a remote store that went
    away, say) starts again on the next ensure() of its version."""

    thread_name = "follows-writes"
    what = "background work"  # for the log

    def __init__(self):
        self._lock = threading.Lock()
        self._version = object()
        self._failed, self._failed_at = False, 0.0
        self._after = AfterWrites()
        self._thread: threading.Thread | None = None

    def ensure(self, version, after_write: bool = False) -> None:
        """Start a run of `version` unless one is under way or done; `after_write`: when AfterWrites says."""
        with self._lock:
            if version == self._version and not self._failed:
                return
            self._start(version, max(0.0, self._after.wrote() - time.monotonic()) if after_write else 0.0)

    def _start(self, version, delay: float) -> None:
        """Under the lock."""
        self._version, self._failed = version, False
        self._starting()
        self._thread = threading.Thread(target=self._run, args=(version, delay), daemon=True, name=self.thread_name)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread:
            thread.join(timeout)

    def current(self, version) -> bool:
        """Whether `version` is still the one to work on. Call it holding the lock to act on the answer."""
        return version == self._version and not self._failed

    def _starting(self) -> None:
        """Under the lock, as a new run is set up: forget what the last one showed."""

    def _work(self, version) -> None:
        raise NotImplementedError

    def _run(self, version, delay: float) -> None:
        time.sleep(delay)
        with self._lock:
            if not self.current(version):
                return  # a newer write came meanwhile: its own run follows
            self._after.act_now()
        try:
            self._work(version)
        except Exception as e:
            import logging

            logging.getLogger("kuntagraph").warning("%s stopped and starts again when next asked for: %s", self.what, e)
            with self._lock:
                if version == self._version:
                    self._failed, self._failed_at = True, time.monotonic()


class ComplianceChecker(FollowsWrites):
    """Validates the store's graphs with the shapes in the background, a batch at a time, so that the
    views never wait for it: they show what is done and say how far the check is. Each data version is
    checked once; the server starts a new check when the data changes. Until the check has counted the graphs,
    the total is None: "0 of 0 checked" would read as a complete check that found nothing.
    A batch whose graphs and context are byte for byte those of a batch checked before keeps that batch's results:
    after a write only the written graph's batch is validated again (at 309 municipalities a whole check takes
    100 s of a core, and a write came every 20 s under `make load`: the check never ended and held a core)."""

    BATCH = 25  # graphs per pySHACL run: its fixed cost is shared, its memory stays small
    thread_name = "compliance"
    what = "The §28 check"

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self._results: list = []
        self._done = self._total = 0
        self._checked: dict[tuple, tuple[str, list]] = {}  # batch -> (digest of its graphs and context, results)
        self.batches = {"validated": 0, "unchanged": 0}  # since the start, for /metrics and the tests

    def _starting(self) -> None:
        self._results, self._done, self._total = [], 0, None

    def progress(self) -> tuple[int, int | None]:
        """(graphs checked, graphs to check or None while they are being counted), without copying the results."""
        with self._lock:
            return self._done, self._total

    def snapshot(self) -> tuple[list, int, int | None]:
        """(results so far, graphs checked, graphs to check)."""
        with self._lock:
            return list(self._results), self._done, self._total

    def _work(self, version) -> None:
        # An on-disk store is read by the worker from a checkpoint of it, never the store this process writes.
        on_disk = getattr(self.store, "checkpoints", None) is not None
        with self.store.checkpoint() if on_disk else nullcontext() as checkpoint:
            self._check(version, checkpoint)

    def _check(self, version, checkpoint: str | None) -> None:
        from . import processes

        from .publish import RECORDS

        store = self.store
        # graph/records is the publishing service's note of when each graph changed, not a description: checked,
        # it would be context that every write changes
        graphs = [g for g in store.graphs() if g != store.iris.graph(RECORDS)]
        vocab = [g for g in graphs if g == store.iris.graph("ontology") or g.startswith(store.iris.graph("vocab/"))]
        # Graphs that others link into (a consortium's shared system, the reference library) are context for all.
        own = {g for g, ms in membership(store).items() if store.iris.thing(store.iris.key_of_graph(g) or "") in ms}
        shared = [g for g in graphs if g not in vocab and g not in own]
        described = [g for g in graphs if g not in vocab]
        # Graphs go to the worker as N-Triples bytes, a batch at a time: the whole store is never held as Python
        # objects here (at 309 municipalities that was a gigabyte in the server process). The worker reads an
        # on-disk store itself: reading every graph here left 150 MB in the server (RocksDB's caches, a scattered heap).
        context_parts = {} if checkpoint else {g: store.dump("ntriples", g) for g in vocab + shared}
        with self._lock:
            if not self.current(version):
                return
            self._total = len(described)
        checked: dict[tuple, tuple[str, list]] = {}
        # pySHACL runs in a separate process: in a thread it would hold the GIL and slow every request.
        with processes.Worker(processes.BACKGROUND) as worker:
            for start in range(0, len(described), self.BATCH):
                batch = described[start:start + self.BATCH]
                known = self._checked.get(tuple(batch), (None, None))
                if checkpoint:
                    digest, results = worker.call(_validate_on_disk, checkpoint, batch, vocab + shared, known[0])
                else:
                    data = {g: context_parts.get(g) or store.dump("ntriples", g) for g in batch}
                    context = b"".join(part for g, part in context_parts.items() if g not in batch)
                    digest, results = worker.call(_validate_batch, data, context, known[0])
                outcome = "validated" if results is not None else "unchanged"
                results = known[1] if results is None else results
                checked[tuple(batch)] = (digest, results)
                with self._lock:
                    if not self.current(version):
                        return  # the data changed meanwhile: a newer check has started
                    self._checked[tuple(batch)] = (digest, results)
                    self.batches[outcome] += 1
                    self._results += results
                    self._done += len(batch)
        with self._lock:
            if self.current(version):
                self._checked = checked  # no batch of graphs that are gone is kept


def _validate_batch(data: dict, context: bytes, known: str | None = None) -> tuple[str, list | None]:
    """In the checker's worker process: validate graphs given as N-Triples bytes. (the digest of the graphs and the
    context, the results), or (digest, None) when the digest is `known`: the same bytes were validated before."""
    import hashlib

    from .validate import validate_triples

    digest = hashlib.sha256()
    for g in sorted(data):  # a store dumps a graph in the order of its index: the same content, the same bytes
        digest.update(g.encode() + b"\n" + hashlib.sha256(data[g]).digest())
    digest.update(hashlib.sha256(context).digest())
    if digest.hexdigest() == known:
        return known, None
    parse = lambda b: [q.triple for q in ox.parse(b, format=ox.RdfFormat.N_TRIPLES)]  # noqa: E731
    return digest.hexdigest(), validate_triples({g: parse(b) for g, b in data.items()}, parse(context)).results


# In the checker's worker: path -> (the checkpoint opened read-only, its context graphs' bytes).
_opened: dict = {}


def _validate_on_disk(path: str, graphs: list[str], context_graphs: list[str], known: str | None = None) -> tuple[str, list | None]:
    """In the checker's worker: _validate_batch, reading the graphs from the checkpoint at `path` (held by the
    server while the check runs). The worker lives for one check, so the checkpoint it opens once is the check's."""
    if path not in _opened:
        from .store import OxigraphStore

        store = OxigraphStore(path, read_only=True)
        _opened[path] = (store, {g: store.dump("ntriples", g) for g in context_graphs})
    store, parts = _opened[path]
    data = {g: parts.get(g) or store.dump("ntriples", g) for g in graphs}
    return _validate_batch(data, b"".join(part for g, part in parts.items() if g not in graphs), known)


def compliance(store: Store, lang: str, checker: "ComplianceChecker | None" = None, version: object = None) -> tuple[list, int, int]:
    """Every municipality's §28 / §5 scorecard: (scorecards, graphs checked, graphs to check). Without a
    checker the whole store is checked now, in the caller's thread."""
    if checker is None:
        checker = ComplianceChecker(store)
        checker.ensure(version)
        checker.wait()
    results, done, total = checker.snapshot()
    members = membership(store)
    cards = {m.iri: Scorecard(m, {c: {"violation": 0, "warning": 0} for c in CHECKS}) for m in municipalities(store, lang)}
    grouped: dict = {}
    for r in results:
        if r.check not in CHECKS:
            continue
        for m in members.get(r.file, ()):
            if m in cards:
                cards[m].counts[r.check][r.severity] = cards[m].counts[r.check].get(r.severity, 0) + 1
                grouped.setdefault((m, r.check, r.severity, r.message(lang)), []).append(r.focus)
    for (m, check, severity, message), focus in grouped.items():
        cards[m].findings.append(Finding(check, severity, message, sorted(set(focus))))
    for card in cards.values():
        card.findings.sort(key=lambda f: (f.severity != "violation", CHECKS.index(f.check), -len(f.focus)))
    return list(cards.values()), done, total


# ------------------------------------------------------------------ one municipality's description

DESCRIPTIONS = """
SELECT DISTINCT ?desc ?p ?o WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher <%(m)s> ; ?p ?o .
  FILTER(?p IN (kg:openInterface, kg:decidingAuthority, kg:searchCriterion, kg:searchCriteriaNote, kg:serviceArea,
                dcterms:source, dcterms:description))
}"""
RESOURCES = """
SELECT DISTINCT ?r ?p ?o WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher <%(m)s> ; dcterms:hasPart ?r .
  ?r a kg:InformationResource ; ?p ?o .
  # rdf:type: a resource the source only names (no property besides its name) is still listed
  FILTER(?p IN (rdf:type, kg:serviceArea, kg:purpose, kg:heldIn, kg:searchCriterion, kg:searchCriteriaNote, kg:openInterface,
                kg:decidingAuthority, kg:responsibleAuthority, dcterms:description, dcterms:hasPart, kg:personalData))
}"""
# Each UNION branch starts from the municipality (or from VALUES): an unanchored branch is evaluated over
# the whole store and joined afterwards, which at national scale turned 10 ms into 10 s.
DATASETS = """
SELECT DISTINCT ?d ?p ?o WHERE {
  { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r dcterms:hasPart ?d . ?d a kg:Dataset ; ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?d . ?d a kg:Dataset ; ?p ?o }
  FILTER(?p IN (rdf:type, kg:dataGroup, kg:publicity, dcterms:description, kg:openInterface, kg:personalData))
}"""
GROUPS_AND_SYSTEMS = """
SELECT DISTINCT ?x ?p ?o WHERE {
  { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r dcterms:hasPart ?d . ?d kg:dataGroup ?x . ?x ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r kg:heldIn ?x . ?x ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; kg:decidingAuthority ?x . ?x ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r kg:decidingAuthority ?x . ?x ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; kg:decidingAuthority ?a . ?a dcat:contactPoint ?x . ?x ?p ?o }
  UNION { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r kg:decidingAuthority ?a . ?a dcat:contactPoint ?x . ?x ?p ?o }
  FILTER(?p IN (kg:publicity, kg:includesField, kg:instanceOf, kg:owner, dcat:contactPoint, vcard:fn, vcard:title,
                vcard:hasTelephone, vcard:hasEmail, vcard:hasURL, vcard:organization-name, kg:publicAddress))
}"""
ADDRESSES = """
SELECT DISTINCT ?c ?street ?code ?locality WHERE {
  { ?desc dcterms:publisher <%(m)s> ; kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c vcard:hasAddress ?addr }
  UNION { ?desc dcterms:publisher <%(m)s> ; dcterms:hasPart ?r . ?r kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c vcard:hasAddress ?addr }
  OPTIONAL { ?addr vcard:street-address ?street } OPTIONAL { ?addr vcard:postal-code ?code } OPTIONAL { ?addr vcard:locality ?locality }
}"""


def _props(rows, key) -> dict[str, dict[str, list[str]]]:
    out: dict = {}
    for r in rows:
        values = out.setdefault(r[key], {}).setdefault(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], [])
        if r["o"] not in values:
            values.append(r["o"])
    return out


@dataclass
class MunicipalityView:
    municipality: Municipality
    descriptions: dict  # desc iri -> props
    resources: dict  # resource iri -> props
    datasets: dict
    things: dict  # data groups, systems, authorities, contacts -> props
    addresses: dict  # contact iri -> "street, code locality"
    names: dict  # iri -> label
    areas: list  # [(area iri, label, [resource iris])]
    scorecard: Scorecard | None

    def rows(self):
        """One row per resource for the .csv twin."""
        n = self.names
        for area, area_label, rs in self.areas:
            for r in rs:
                p = self.resources[r]
                yield {"resource": r, "label": n.get(r), "area": area_label,
                       "datasets": "; ".join(n.get(d, d) for d in p.get("hasPart", [])),
                       "systems": "; ".join(n.get(s, s) for s in p.get("heldIn", [])),
                       "purposes": "; ".join(n.get(x, x) for x in p.get("purpose", [])),
                       "search_criteria": "; ".join(n.get(x, x) for x in self.inherited(r, "searchCriterion")),
                       "open_interface": "; ".join(n.get(x, x) for x in self.inherited(r, "openInterface")),
                       "deciding_authority": "; ".join(n.get(x, x) for x in self.inherited(r, "decidingAuthority"))}

    def inherited(self, resource: str, prop: str) -> list[str]:
        """A resource's own statement, or its description's (§28 allows one statement for a whole description)."""
        own = self.resources.get(resource, {}).get(prop)
        if own:
            return own
        for d in self.descriptions.values():
            if resource in d.get("hasPart", []) and d.get(prop):
                return d[prop]
        return []


def municipality_view(store: Store, iri: str, lang: str, scorecard: Scorecard | None = None,
                      everyone: list[Municipality] | None = None) -> MunicipalityView | None:
    """`everyone`: municipalities(store, lang), when the caller has it already."""
    if not is_safe_iri(iri):
        return None
    ms = {m.iri: m for m in everyone or municipalities(store, lang)}
    if iri not in ms:
        return None
    q = {"m": iri}
    descriptions = _props(store.select(DESCRIPTIONS % q), "desc")
    desc_parts = store.select(f"SELECT ?desc ?o WHERE {{ ?desc dcterms:publisher <{iri}> ; dcterms:hasPart ?o }}")
    for r in desc_parts:
        descriptions.setdefault(r["desc"], {}).setdefault("hasPart", []).append(r["o"])
    resources = _props(store.select(RESOURCES % q), "r")
    datasets = _props(store.select(DATASETS % q), "d")
    things = _props(store.select(GROUPS_AND_SYSTEMS % q), "x")
    addresses = {}
    for r in store.select(ADDRESSES % q):
        addresses[r["c"]] = ", ".join(x for x in [r["street"], " ".join(y for y in [r["code"], r["locality"]] if y)] if x)
    every = set(descriptions) | set(resources) | set(datasets) | set(things)
    for group in (descriptions, resources, datasets, things):
        for props in group.values():
            for p, vs in props.items():
                if p in ("serviceArea", "purpose", "heldIn", "searchCriterion", "openInterface", "decidingAuthority",
                         "responsibleAuthority", "hasPart", "dataGroup", "publicity", "instanceOf", "owner", "source"):
                    every.update(vs)
    names = labels(store, every, lang)
    by_area: dict = {}
    for r, p in resources.items():
        for a in p.get("serviceArea", [""]):  # "": the source states no service area (listed last, not linked)
            by_area.setdefault(a, []).append(r)
    areas = sorted(((a, names.get(a, ""), sorted(rs, key=lambda x: names.get(x, x))) for a, rs in by_area.items()),
                   key=lambda x: (not x[0], x[1]))
    # Datasets listed directly in a description (no resource known) form their own group.
    loose = [d for desc in descriptions.values() for d in desc.get("hasPart", []) if d in datasets and d not in resources]
    if loose:
        areas.append(("", "", []))
    return MunicipalityView(ms[iri], descriptions, resources, datasets, things, addresses, names, areas, scorecard)


# ------------------------------------------------------------------ side by side, and a merger draft

FEATURE_BRANCHES = [
    ("area", "?r kg:serviceArea ?value"),
    ("product", "?r kg:heldIn ?s . ?s kg:instanceOf ?value"),
    ("criterion", "?r kg:searchCriterion ?value"),
    ("criterion", "?desc kg:searchCriterion ?value . ?r a kg:InformationResource"),
    ("resource", "?r skos:prefLabel ?l BIND(LCASE(STR(?l)) AS ?value)"),
    ("purpose", "?r kg:purpose ?p . ?p skos:prefLabel ?l BIND(LCASE(STR(?l)) AS ?value)"),
    ("dataset", "?r dcterms:hasPart ?d . ?d skos:prefLabel ?l BIND(LCASE(STR(?l)) AS ?value)"),
]


def _features_query(ms: list[str]) -> str:
    """One query; every branch starts from the chosen municipalities (see the note above DATASETS)."""
    values = "VALUES ?m { " + " ".join(f"<{m}>" for m in ms) + " }"
    branches = [f'{{ {values} ?desc dcterms:publisher ?m ; dcterms:hasPart ?r . ?r a kg:InformationResource . {body} BIND("{kind}" AS ?kind) }}'
                for kind, body in FEATURE_BRANCHES]
    branches.append(f'{{ {values} ?desc dcterms:publisher ?m ; dcterms:hasPart ?x . ?x kg:reference ?value BIND("reference" AS ?kind) }}')
    return "SELECT DISTINCT ?m ?kind ?value WHERE {\n  " + "\n  UNION ".join(branches) + "\n}"


FEATURE_KINDS = ["area", "product", "criterion", "reference", "resource", "dataset", "purpose"]


@dataclass
class Comparison:
    municipalities: list[Municipality]
    rows: list[dict]  # {"kind", "value", "label", "present": [bool per municipality]}

    def shared(self):
        return [r for r in self.rows if all(r["present"])]

    def only(self, i: int):
        return [r for r in self.rows if r["present"][i] and sum(r["present"]) == 1]


def compare(store: Store, iris: list[str], lang: str, everyone: list[Municipality] | None = None) -> Comparison:
    """`everyone`: municipalities(store, lang), when the caller has it already."""
    ms = {m.iri: m for m in everyone or municipalities(store, lang)}
    chosen = [ms[i] for i in dict.fromkeys(iris) if i in ms]
    if not chosen:
        return Comparison([], [])
    rows = store.select(_features_query([m.iri for m in chosen]))
    found: dict = {}
    for r in rows:
        found.setdefault((r["kind"], r["value"]), set()).add(r["m"])
    names = labels(store, [v for k, v in found if k in ("area", "product", "criterion", "reference")], lang)
    out = []
    for (kind, value), where in found.items():
        label = names.get(value) if kind in ("area", "product", "criterion", "reference") else value[:1].upper() + value[1:]
        out.append({"kind": kind, "value": value, "label": label, "present": [m.iri in where for m in chosen]})
    out.sort(key=lambda r: (FEATURE_KINDS.index(r["kind"]), -sum(r["present"]), r["label"].lower()))
    return Comparison(chosen, out)


MERGE_SOURCE = """
SELECT ?m ?desc ?r ?rl ?area ?purpose ?system ?product ?systemLabel ?criterion ?open ?authority ?d ?dl WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher ?m ; dcterms:hasPart ?r .
  VALUES ?m { %(ms)s }
  ?r a kg:InformationResource ; skos:prefLabel ?rl .
  OPTIONAL { ?r kg:serviceArea ?area }
  OPTIONAL { ?r kg:purpose ?purpose }
  OPTIONAL { ?r kg:heldIn ?system . ?system skos:prefLabel ?systemLabel OPTIONAL { ?system kg:instanceOf ?product } }
  OPTIONAL { { ?r kg:searchCriterion ?criterion } UNION { ?desc kg:searchCriterion ?criterion } }
  OPTIONAL { { ?r kg:openInterface ?open } UNION { ?desc kg:openInterface ?open } }
  OPTIONAL { { ?r kg:decidingAuthority ?authority } UNION { ?desc kg:decidingAuthority ?authority } }
  OPTIONAL { ?r dcterms:hasPart ?d . ?d skos:prefLabel ?dl }
}"""


def merger_draft(store: Store, iris: list[str], lang: str, everyone: list[Municipality] | None = None) -> list[ox.Triple] | None:
    """A draft joint description for municipalities that merge (seed 003's situation): resources with the
    same name become one, systems of the same product become one, datasets are merged by name within a
    resource, and everything keeps prov:wasDerivedFrom links to the originals. A draft for people to edit."""
    from .rdffiles import slugify

    cmp = compare(store, iris, lang, everyone)
    if len(cmp.municipalities) < 2:
        return None
    ms = cmp.municipalities
    key = "merger-" + "-".join(m.key for m in ms)
    base = store.iris
    N, L = ox.NamedNode, ox.Literal
    t = lambda s, p, o: ox.Triple(s, N(p), o)  # noqa: E731
    kg = lambda x: KG + x  # noqa: E731
    skos_label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    derived = "http://www.w3.org/ns/prov#wasDerivedFrom"
    has_part = "http://purl.org/dc/terms/hasPart"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    municipality = N(base.thing(key))
    names = " + ".join(m.label for m in ms)
    desc = N(base.thing(key, "description", "luonnos"))
    out = [
        t(municipality, rdf_type, N(kg("Municipality"))),
        t(municipality, skos_label, L(f"Yhdistyvä kunta ({names}), luonnos", language="fi")),
        t(municipality, skos_label, L(f"Merging municipality ({names}), draft", language="en")),
        t(desc, rdf_type, N(kg("AccessDescription"))),
        t(desc, "http://purl.org/dc/terms/publisher", municipality),
        t(desc, skos_label, L(f"Yhteisen asiakirjajulkisuuskuvauksen luonnos: {names}", language="fi")),
        t(desc, skos_label, L(f"Draft joint document publicity description: {names}", language="en")),
    ]
    for m in ms:
        out += [t(municipality, derived, N(m.iri))]
    rows = store.select(MERGE_SOURCE % {"ms": " ".join(f"<{m.iri}>" for m in ms)})
    resources: dict = {}
    systems: dict = {}
    for r in rows:
        rslug = slugify(r["rl"])
        res = N(base.thing(key, "resource", rslug))
        if rslug not in resources:
            resources[rslug] = res
            out += [t(res, rdf_type, N(kg("InformationResource"))), t(res, skos_label, L(r["rl"], language="fi")),
                    t(desc, has_part, res)]
        out.append(t(res, derived, N(r["r"])))
        for p, v in (("serviceArea", r["area"]), ("purpose", r["purpose"]), ("searchCriterion", r["criterion"]),
                     ("openInterface", r["open"]), ("decidingAuthority", r["authority"])):
            if v:
                out.append(t(res, kg(p), N(v)))
        if r["system"]:
            skey = r["product"] or r["system"]
            if skey not in systems:
                sslug = slugify(r["product"].rsplit("/", 1)[-1] if r["product"] else r["systemLabel"])
                systems[skey] = N(base.thing(key, "system", sslug))
                out += [t(systems[skey], rdf_type, N(kg("SystemInstance"))), t(systems[skey], skos_label, L(r["systemLabel"], language="fi")),
                        t(systems[skey], kg("owner"), municipality)]
                if r["product"]:
                    out.append(t(systems[skey], kg("instanceOf"), N(r["product"])))
            out += [t(systems[skey], derived, N(r["system"])), t(res, kg("heldIn"), systems[skey])]
        if r["d"]:
            ds = N(base.thing(key, "dataset", slugify(r["rl"], 30) + "--" + slugify(r["dl"], 40)))
            out += [t(ds, rdf_type, N(kg("Dataset"))), t(ds, skos_label, L(r["dl"], language="fi")), t(res, has_part, ds), t(ds, derived, N(r["d"]))]
    return list(dict.fromkeys(out))
