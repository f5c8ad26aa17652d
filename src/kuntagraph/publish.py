"""Publishing: the one path by which a graph changes once the server runs (Graph Store Protocol, the clerks'
upload page, rollback). Each write is authorised (a municipality writes only its own graphs and only about
its own things), validated with the shapes against the rest of what is published, checked against the
caller's ETag, recorded as a version, and applied to the store in one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import validate
from .auth import Credential, FailureLimiter, Tokens, connect, state_path
from .faults import storage_fault
from .history import History
from .iris import Iris, is_safe_iri
from .store import Store

DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
RECORDS = "records"  # graph/records: when each graph was last changed (dct:modified), for the feed and caches
MAX_TRIPLES = 500_000
log = logging.getLogger("kuntagraph.publish")


class WriteRefused(Exception):
    """A write that is not applied: the HTTP status, a code, and a message in Finnish and English."""

    def __init__(self, status: int, code: str, fi: str, en: str, report: dict | None = None):
        super().__init__(en)
        self.status, self.code, self.messages, self.report = status, code, {"fi": fi, "en": en}, report

    def to_json(self) -> dict:
        return {"error": self.code, "message": self.messages, **({"report": self.report} if self.report else {})}


@dataclass
class Outcome:
    graph: str
    created: bool
    version: int
    etag: str | None
    summary: dict
    warnings: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"graph": self.graph, "version": self.version, "created": self.created, "summary": self.summary,
                "warnings": self.warnings}


def _lines(ntriples: bytes) -> list[str]:
    return [line for line in ntriples.decode().splitlines() if line.strip()]


def digest(ntriples: bytes) -> str:
    """A digest of a graph's content, independent of triple order, of blank node labels and of how a literal is
    spelled: the store keeps literals in canonical form ("...T00:00:00+00:00" is read back as "...T00:00:00Z"), so
    what was written is put through a store too, or a version would not be recognised in the store that holds it."""
    canonical = ox.Store()
    canonical.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    ntriples = canonical.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    lines = sorted(re.sub(r"_:[A-Za-z0-9_.-]+", "_:", line) for line in _lines(ntriples))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def etag_of(ntriples: bytes) -> str | None:
    return f'"{digest(ntriples)[:32]}"' if ntriples.strip() else None


def finding(r) -> dict:
    return {"severity": r.severity, "check": r.check, "focus": r.focus, "path": r.path,
            "fi": r.message("fi"), "en": r.message("en")}


class Publisher:
    def __init__(self, store: Store, state_dir, iris: Iris | None = None):
        self.store, self.iris = store, iris or getattr(store, "iris", Iris())
        self.directory = state_dir
        db = connect(state_path(state_dir))
        self.tokens = Tokens(state_path(state_dir))
        self.history = History(db)
        self.failures = FailureLimiter()
        self.lock = threading.Lock()  # one write at a time: the ETag check, validation and write are one step
        self.recover()

    # --- who may write what ------------------------------------------------------------------------------

    def owner_key(self, graph: str) -> str | None:
        """graph/491 and graph/491/... belong to 491."""
        key = self.iris.key_of_graph(graph)
        return key.split("/", 1)[0] if key else None

    def authorise(self, cred: Credential, graph: str):
        if cred.admin:
            return
        if self.owner_key(graph) != cred.kunta:
            raise WriteRefused(403, "forbidden",
                               f"Tunnuksella voi muuttaa vain kunnan {cred.kunta} graafeja ({self.iris.graph(cred.kunta)}).",
                               f"This credential may change only the graphs of {cred.kunta} ({self.iris.graph(cred.kunta)}).")

    def _check_subjects(self, cred: Credential, triples):
        """A municipality describes only its own things: every subject is id/KEY, under id/KEY/, or a blank node.
        (Otherwise one municipality could add labels to another's resources in the union of all graphs.)"""
        if cred.admin:
            return
        own = self.iris.thing(cred.kunta)
        for t in triples:
            s = t.subject
            if isinstance(s, ox.BlankNode) or s.value == own or s.value.startswith(own + "/"):
                continue
            raise WriteRefused(403, "foreign-subject",
                               f"Kuvauksessa on tietoja kohteesta <{s.value}>, joka ei kuulu kunnalle {cred.kunta}: "
                               f"kunta voi kuvata vain omia kohteitaan ({own}/...).",
                               f"The description states facts about <{s.value}>, which does not belong to {cred.kunta}: "
                               f"a municipality may describe only its own things ({own}/...).")

    # --- reading -----------------------------------------------------------------------------------------

    def read(self, graph: str) -> bytes:
        """The graph as N-Triples (empty when it does not exist)."""
        if graph not in self.store.graphs():
            return b""
        return self.store.dump("ntriples", graph=graph)

    def etag(self, graph: str) -> str | None:
        return etag_of(self.read(graph))

    # --- writing -----------------------------------------------------------------------------------------

    def write(self, cred: Credential, graph: str, triples, *, merge: bool = False, action: str = "put",
              if_match: str | None = None, if_none_match: str | None = None) -> Outcome:
        self.authorise(cred, graph)
        triples = list(triples)
        if len(triples) > MAX_TRIPLES:
            raise WriteRefused(413, "too-large", f"Graafissa on yli {MAX_TRIPLES} kolmikkoa.",
                               f"The graph has more than {MAX_TRIPLES} triples.")
        self._check_subjects(cred, triples)
        with self.lock:
            before = self.read(graph)
            self._preconditions(before, if_match, if_none_match)
            if merge:
                old = [q.triple for q in ox.parse(before, format=ox.RdfFormat.N_TRIPLES)] if before else []
                triples = list(dict.fromkeys([*old, *triples]))
            report = self.validate(graph, triples)
            if report.violations:
                raise WriteRefused(422, "invalid",
                                   f"Kuvauksessa on {len(report.violations)} virhettä; mitään ei muutettu.",
                                   f"The description has {len(report.violations)} violation(s); nothing was changed.",
                                   {"violations": [finding(r) for r in report.violations],
                                    "warnings": [finding(r) for r in report.warnings]})
            outcome = self._apply(cred.who, graph, before, triples, action)
            outcome.warnings = [finding(r) for r in report.warnings]
            return outcome

    def delete(self, cred: Credential, graph: str, if_match: str | None = None) -> Outcome:
        self.authorise(cred, graph)
        with self.lock:
            before = self.read(graph)
            if not before:
                raise WriteRefused(404, "not-found", "Graafia ei ole.", "There is no such graph.")
            self._preconditions(before, if_match, None)
            return self._apply(cred.who, graph, before, [], "delete")

    def rollback(self, who: str, graph: str, version: int) -> Outcome:
        data = self.history.data(graph, version)
        if data is None:
            known = [v.version for v in self.history.versions(graph)]
            raise WriteRefused(404, "no-such-version", f"Graafilla ei ole versiota {version} (versiot: {known}).",
                               f"The graph has no version {version} (versions: {known}).")
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)] if data.strip() else []
        with self.lock:
            return self._apply(who, graph, self.read(graph), triples, f"rollback to {version}")

    def _preconditions(self, before: bytes, if_match: str | None, if_none_match: str | None):
        current = etag_of(before)
        if if_match is not None and if_match.strip() != "*" and current not in [t.strip() for t in if_match.split(",")]:
            raise WriteRefused(412, "stale", "Graafi on muuttunut sen jälkeen, kun luit sen (ETag ei täsmää); lue se uudelleen.",
                               "The graph has changed since you read it (the ETag does not match); read it again.")
        if if_match is not None and if_match.strip() == "*" and current is None:
            raise WriteRefused(412, "stale", "Graafia ei ole.", "The graph does not exist.")
        if if_none_match is not None and if_none_match.strip() == "*" and current is not None:
            raise WriteRefused(412, "exists", "Graafi on jo olemassa.", "The graph already exists.")

    def validate(self, graph: str, triples) -> validate.Report:
        """The shapes, on the new graph with what it points to and what points to it in the other graphs."""
        return validate.validate_triples({graph: triples}, [*validate.vocabulary_context(), *self._neighbours(graph, triples)])

    def _neighbours(self, graph: str, triples) -> list:
        nodes = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
        nodes |= {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
        # The vocabulary's own nodes are in the context already; a scheme loaded into the store only (the generated
        # long-tail products) is read from the store like any other graph.
        nodes = sorted(n for n in nodes if self.iris.path_of(n) and n not in _vocabulary_nodes() and is_safe_iri(n))
        out = []
        for i in range(0, len(nodes), 400):  # bounded queries
            values = " ".join(f"<{n}>" for n in nodes[i:i + 400])
            answer = self.store.execute(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?n {{ {values} }}
              GRAPH ?g {{ {{ ?n ?p ?o BIND(?n AS ?s) }} UNION {{ ?s ?p ?n BIND(?n AS ?o) }} }}
              FILTER(?g != <{graph}>) }}""", graph_format="ntriples")
            out += [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
        return out

    def _apply(self, who: str, graph: str, before: bytes, triples, action: str) -> Outcome:
        try:
            return self._record_and_write(who, graph, before, triples, action)
        except Exception as e:
            fault = storage_fault(e, self.directory)
            if fault is None:
                raise
            log.warning("%s (%s: %s)", fault, type(e).__name__, e)
            raise WriteRefused(fault.status, fault.code, fault.messages["fi"], fault.messages["en"]) from None

    def _record_and_write(self, who: str, graph: str, before: bytes, triples, action: str) -> Outcome:
        after = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
        if not self.history.versions(graph) and before:
            # the graph as it was before its first recorded write: restorable too
            n = self.history.begin(graph, "initial load", "initial", {"triples": len(_lines(before))}, digest(before), before)
            self.history.finish(graph, n)
        summary = _summary(before, after)
        n = self.history.begin(graph, who, action, summary, digest(after), after)
        try:
            with self.store.writing():  # the graph and its record: readers elsewhere see both or neither
                self.store.replace_graph(graph, triples)
                self._touch(graph)
                if hasattr(self.store, "flush"):
                    self.store.flush()
        except Exception as e:
            if not self._settle(graph, n, after):
                raise
            # The graph is written (the store's log holds it) though a later step failed: graph/records' date or
            # the flush, which the store finishes from its log at the next start. The version stands.
            log.warning("%s was written as version %d, but then: %s: %s", graph, n, type(e).__name__, e)
        else:
            self.history.finish(graph, n)
        return Outcome(graph, created=not before, version=n, etag=etag_of(after), summary=summary)

    def _touch(self, graph: str):
        """graph/records: this graph's dct:modified, read by the harvest feed's modified_since."""
        records = self.iris.graph(RECORDS)
        keep = [q.triple for q in ox.parse(self.read(records), format=ox.RdfFormat.N_TRIPLES)
                if not (q.subject.value == graph and q.predicate.value == DCTERMS_MODIFIED)] if records in self.store.graphs() else []
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        keep.append(ox.Triple(ox.NamedNode(graph), ox.NamedNode(DCTERMS_MODIFIED), ox.Literal(now, datatype=ox.NamedNode(XSD_DATETIME))))
        self.store.replace_graph(records, keep)

    def recover(self):
        """After a crash: a pending version whose graph the store holds is done, any other is dropped."""
        for v in self.history.pending():
            data = self.history.db.execute("SELECT data FROM versions WHERE graph = ? AND version = ?",
                                           (v.graph, v.version)).fetchone()
            self._settle(v.graph, v.version, zlib.decompress(data[0]))

    def _settle(self, graph: str, version: int, data: bytes) -> bool:
        """Whether the store holds the pending `version` (its N-Triples `data`): then it is done, else dropped.
        When the state file cannot take even that (its disk is full), it stays pending for recover() at the next
        start, which the refusal's message asks for."""
        landed = digest(self.read(graph)) == digest(data)
        try:
            (self.history.finish if landed else self.history.abandon)(graph, version)
        except sqlite3.Error as e:
            log.warning("version %d of %s stays pending until the next start: %s", version, graph, e)
        return landed


@functools.cache
def _vocabulary_nodes() -> frozenset:
    return frozenset(q.subject.value for q in validate.vocabulary_context() if isinstance(q.subject, ox.NamedNode))


def _summary(before: bytes, after: bytes) -> dict:
    """How many triples were added and removed, and the things whose description changed (by label)."""
    old, new = ({re.sub(r"_:[A-Za-z0-9_.-]+", "_:", line) for line in _lines(x)} for x in (before, after))
    added, removed = new - old, old - new
    labels = {}
    for line in new | old:
        m = re.match(r"^<([^>]+)> <" + re.escape(SKOS_PREFLABEL) + r'> "(.*)"@fi \.$', line)
        if m:
            labels[m.group(1)] = m.group(2)
    # named things first (what a clerk recognises), then the rest
    changed = sorted({m.group(1) for line in added | removed if (m := re.match(r"^<([^>]+)>", line))},
                     key=lambda iri: (iri not in labels, labels.get(iri, ""), iri))
    return {"added": len(added), "removed": len(removed), "triples": len(new),
            "changed": [{"iri": c, "label": labels.get(c)} for c in changed[:50]], "more": max(0, len(changed) - 50)}
