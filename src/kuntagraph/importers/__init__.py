"""`kuntagraph import`: a municipality's published description (text, HTML, CSV/TSV, XLSX, ODS) to Turtle.

read_document (reading.py, html.py) -> blocks; tables.parse or sections.parse -> model.Description;
to_graph (here) -> the project's model, as data/unnamed-001.ttl and data/unnamed-002.ttl; report (report.py).
Nothing is dropped silently: what cannot be placed becomes a skos:note with its line, and is reported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyoxigraph as ox
import rdflib
from rdflib import RDF, XSD, Literal, Namespace, URIRef

from .. import config
from ..iris import Iris
from ..rdffiles import InputError, slugify
from . import sections, tables, vocab
from .model import Description, Statements
from .reading import Block, Document, read_document

KG = Namespace(config.CANONICAL_BASE + "def#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
OI = "https://w3id.org/kuntagraph/vocab/open-interface/"


@dataclass
class ImportResult:
    graph: rdflib.Graph
    description: Description
    document: Document
    report: dict = field(default_factory=dict)

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def import_file(path, kunta: str, output: str | None = None) -> ImportResult:
    if not KEY.match(kunta or ""):
        raise InputError(path, f"--kunta '{kunta}' is not a key: use the three-digit municipality code (491) or a "
                               "lower-case key of letters, digits and hyphens (unnamed-003)")
    doc = read_document(path)
    has_table = any(b.is_row and tables.is_header(b.cells) for b in doc.blocks)
    if not has_table:
        _refuse_unsupported_shapes(path, doc)
    d = tables.parse(doc.blocks) if has_table else sections.parse(doc.blocks)
    d.truncated += [(None, fi, en) for _, fi, en in doc.warnings]
    if not d.resources:
        raise InputError(path, f"no information resource was recognised in this {doc.format} file "
                               "(expected a table with columns such as Tietovaranto | Käyttötarkoitus | Keskeiset "
                               "tietoaineistot | Tietojärjestelmät, or resource headings followed by "
                               "\"Tietoaineistot\" / \"Tietojärjestelmät\")")
    g, iris = _to_graph(doc, d, kunta)
    result = ImportResult(g, d, doc)
    from .report import build_report

    result.report = build_report(result, kunta, iris, output)
    return result


_KIND_WORDS = {"toimintaprosessit", "tietovarannot", "tietoaineistot", "käyttötarkoitukset"}
_FORM_FIELD = re.compile(r"^\d{1,2}[a-z]?\.?\s+tietojärjestelmän\s+\w+", re.I)


def _refuse_unsupported_shapes(path, doc: Document):
    """Shapes of §5 that are recognised but not imported yet: better a clear refusal than a wrong graph."""
    texts = [b.text.strip() for b in doc.blocks if not b.is_row]
    kind_lines = [b for b in doc.blocks if not b.is_row and b.text.strip() in _KIND_WORDS]
    if len(kind_lines) >= 3:
        raise InputError(path, "looks like a content-library list (KuntaDNA: items each followed by a kind word such as "
                               "'tietovarannot'); this shape is not imported yet", kind_lines[0].line)
    form = [b for b in doc.blocks if _FORM_FIELD.match(b.text.strip()) or (b.cells and _FORM_FIELD.match(b.cells[0]))]
    if len(form) >= 3 and len(texts) >= 3:
        raise InputError(path, "looks like an information-system description form (numbered fields such as "
                               "'1 Tietojärjestelmän nimi'); this shape is not imported yet", form[0].line)


# --- to RDF ----------------------------------------------------------------------------------------------

class _Slugs:
    def __init__(self):
        self.used: set[str] = set()

    def take(self, kind: str, *candidates: str) -> str:
        for c in candidates:
            if c and (kind, c) not in self.used:
                self.used.add((kind, c))
                return c
        base, n = candidates[-1] or "item", 2
        while (kind, f"{base}-{n}") in self.used:
            n += 1
        self.used.add((kind, f"{base}-{n}"))
        return f"{base}-{n}"


def _where(b: Block | None) -> str:
    return f" (lähteen {b.where('fi')})" if b is not None and b.line is not None else ""


def _title_label(title: str) -> str:
    t = re.sub(r"\s*/\s*", ": ", title.strip())
    if t.isupper():
        t = t.lower()
    return t[:1].upper() + t[1:]


def _municipality(g: rdflib.Graph, iris: Iris, kunta: str, source: URIRef):
    m = URIRef(iris.thing(kunta))
    g.add((m, RDF.type, KG.Municipality))
    existing = config.DATA_DIR / f"{kunta}.ttl"
    labels = {}
    if existing.exists():
        try:
            for q in ox.parse(path=str(existing), format=ox.RdfFormat.TURTLE):
                if q.subject.value == str(m) and q.predicate.value == str(SKOS.prefLabel):
                    labels[q.object.language] = q.object.value
        except (SyntaxError, OSError):
            labels = {}
    if labels:
        for lang, v in labels.items():
            g.add((m, SKOS.prefLabel, Literal(v, lang=lang)))
    else:
        g.add((m, SKOS.prefLabel, Literal(f"Kunta {kunta}", lang="fi")))
        g.add((m, SKOS.prefLabel, Literal(f"Municipality {kunta}", lang="en")))
        g.add((m, SKOS.editorialNote, Literal("Tuotu lähde ei nimeä kuntaa; nimi on tuonnissa annettu avain, ei keksitty nimi.", lang="fi")))
        g.add((m, SKOS.editorialNote, Literal("The imported source does not name the municipality; the name is the key given to the import, not an invented name.", lang="en")))
        g.add((m, PROV.wasDerivedFrom, source))
    if re.fullmatch(r"[0-9]{3}", kunta):
        g.add((m, DCTERMS.identifier, Literal(kunta)))
    return m


def _to_graph(doc: Document, d: Description, kunta: str) -> tuple[rdflib.Graph, Iris]:
    iris = Iris()
    g = rdflib.Graph()
    for p, ns in (("kg", KG), ("skos", SKOS), ("dcterms", DCTERMS), ("prov", PROV), ("foaf", FOAF), ("dcat", DCAT),
                  ("id", Namespace(iris.thing(""))), ("xsd", XSD)):
        g.bind(p, ns)
    digest = hashlib.sha256(doc.data).hexdigest()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", doc.path.stem).strip("-") or "source"
    source = URIRef(f"{iris.base}source/{stem}-{digest[:8]}")
    g.add((source, RDF.type, PROV.Entity))
    g.add((source, RDF.type, FOAF.Document))
    g.add((source, DCTERMS.identifier, Literal(doc.path.name)))
    g.add((source, SKOS.prefLabel, Literal(f"Tuotu tiedosto {doc.path.name}", lang="fi")))
    g.add((source, SKOS.prefLabel, Literal(f"Imported file {doc.path.name}", lang="en")))
    g.add((source, DCTERMS["format"], Literal(doc.format)))
    muni = _municipality(g, iris, kunta, source)

    thing = lambda kind, slug: URIRef(iris.thing(kunta, kind, slug))  # noqa: E731
    slugs = _Slugs()
    activity = thing("activity", f"import-{digest[:8]}")
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, SKOS.prefLabel, Literal(f"Tuonti linkitetyksi dataksi tiedostosta {doc.path.name}", lang="fi")))
    g.add((activity, SKOS.prefLabel, Literal(f"Import to linked data from the file {doc.path.name}", lang="en")))
    g.add((activity, PROV.used, source))
    g.add((activity, PROV.endedAtTime, Literal(datetime.now(timezone.utc).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, URIRef(config.CANONICAL_BASE)))

    def derived(node):
        g.add((node, PROV.wasDerivedFrom, source))

    title = _title_label(d.title) if d.title else f"Asiakirjajulkisuuskuvaus ({doc.path.name})"
    desc_slug_text = re.sub(r"(?i)^asiakirjajulkisuuskuvaus\s*:?\s*", "", title) or title
    area_concept = next((c for c in vocab.scheme("service-area") if c.iri == d.area), None)
    desc = thing("description", slugs.take("description", slugify(area_concept.label_fi) if area_concept else slugify(desc_slug_text)))
    g.add((desc, RDF.type, KG.AccessDescription))
    g.add((desc, SKOS.prefLabel, Literal(title, lang="fi")))
    g.add((desc, DCTERMS.publisher, muni))
    g.add((desc, DCTERMS.source, source))
    g.add((desc, PROV.wasGeneratedBy, activity))
    derived(desc)
    if d.descriptions:
        g.add((desc, DCTERMS.description, Literal(" ".join(d.descriptions), lang="fi")))
    if d.area:
        g.add((desc, KG.serviceArea, URIRef(d.area)))
    for n in d.notes:
        g.add((desc, SKOS.note, Literal(n.text + _where(n.where), lang="fi")))
    interfaces = {}

    def statements(node, st: Statements, holder_kind: str):
        if st.open_interface:
            g.add((node, KG.openInterface, URIRef(OI + st.open_interface)))
            if st.open_interface in ("yes", "partly"):
                for url in st.interface_urls:
                    if url not in interfaces:
                        iface = thing("interface", slugs.take("interface", slugify(re.sub(r"^https?://", "", url))))
                        g.add((iface, RDF.type, KG.TechnicalInterface))
                        g.add((iface, SKOS.prefLabel, Literal(f"Avoin rajapinta {url}", lang="fi")))
                        g.add((iface, DCAT.endpointURL, URIRef(url)))
                        derived(iface)
                        interfaces[url] = iface
                    g.add((node, KG.interface, interfaces[url]))
        for c in st.search_criteria:
            g.add((node, KG.searchCriterion, URIRef(c)))
        for note in dict.fromkeys(st.search_notes):
            g.add((node, KG.searchCriteriaNote, Literal(note, lang="fi")))

    statements(desc, d.st, "description")

    purposes: dict[str, URIRef] = {}

    def purpose(label: str) -> URIRef:
        key = label.casefold()
        if key not in purposes:
            p = thing("purpose", slugs.take("purpose", slugify(label)))
            g.add((p, RDF.type, KG.Purpose))
            g.add((p, SKOS.prefLabel, Literal(label, lang="fi")))
            derived(p)
            purposes[key] = p
        return purposes[key]

    systems: dict[str, URIRef] = {}
    dataset_labels: dict[str, int] = {}
    for r in d.resources:
        res = thing("resource", slugs.take("resource", slugify(r.label)))
        r.iri = str(res)
        g.add((desc, DCTERMS.hasPart, res))
        g.add((res, RDF.type, KG.InformationResource))
        g.add((res, SKOS.prefLabel, Literal(r.label, lang="fi")))
        derived(res)
        if r.area:
            g.add((res, KG.serviceArea, URIRef(r.area)))
        if r.descriptions:
            g.add((res, DCTERMS.description, Literal(" ".join(r.descriptions), lang="fi")))
        for p in [*d.purposes, *r.purposes]:
            g.add((res, KG.purpose, purpose(p.label)))
        own = r.st
        inherited = r.sector.st if r.sector else Statements()
        merged = Statements(
            open_interface=own.open_interface or inherited.open_interface,
            interface_urls=own.interface_urls if own.open_interface else inherited.interface_urls,
            search_criteria=own.search_criteria or inherited.search_criteria,
            search_notes=own.search_notes or inherited.search_notes)
        statements(res, merged, "resource")
        prefix = slugify(r.label).split("-")[0]
        for ds in r.datasets:
            base = slugify(ds.label)
            node = thing("dataset", slugs.take("dataset", base, f"{prefix}-{base}", f"{slugify(r.label)}-{base}"))
            g.add((res, DCTERMS.hasPart, node))
            g.add((node, RDF.type, KG.Dataset))
            g.add((node, SKOS.prefLabel, Literal(ds.label, lang="fi")))
            derived(node)
            if r.area:
                g.add((node, KG.serviceArea, URIRef(r.area)))
            dataset_labels[ds.label] = dataset_labels.get(ds.label, 0) + 1
        for s in r.systems:
            key = re.sub(r"\s+", " ", s.label.casefold())
            if key not in systems:
                node = thing("system", slugs.take("system", slugify(s.label)))
                g.add((node, RDF.type, KG.SystemInstance))
                g.add((node, SKOS.prefLabel, Literal(s.label[:1].upper() + s.label[1:], lang="fi")))
                g.add((node, KG.owner, muni))
                derived(node)
                prod = vocab.product(s.label)
                if prod:
                    g.add((node, KG.instanceOf, URIRef(prod.iri)))
                systems[key] = node
            g.add((res, KG.heldIn, systems[key]))
        for n in r.notes:
            g.add((res, SKOS.note, Literal(n.text + _where(n.where), lang="fi")))
    return g, iris
