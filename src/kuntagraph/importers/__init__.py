"""`kuntagraph import`: an organisation's published description (text, HTML, CSV/TSV, XLSX, ODS, DOCX, PDF) to Turtle.

read_document (reading.py, html.py) -> blocks; the shape's parser -> a model (model.py); graph.py -> RDF in
the project's model, as the hand-made graphs in data/; report.py -> what was placed, what was not, what is missing.
Shapes (DOMAIN §5): tables (tables.py); per-resource sections with field headings on lines of their own
(sections.py); prose, headings, bullets and labelled lines read by meaning (prose.py, the general reader); system-centric lists (systems.py); content-library lists (library.py); system description
forms (form.py). Nothing is dropped silently: what cannot be placed becomes a skos:note with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..iris import Iris
from ..rdffiles import InputError, graph_for
from ..validate import validate_new_graph
from . import form, graph, library, phrases, prose, sections, systems, tables
from .model import Description, strip_bullet
from .reading import Document, read_document

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass
class ImportResult:
    graph: rdflib.Graph
    description: Description
    document: Document
    report: dict = field(default_factory=dict)

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def _check_key(where, kunta: str) -> None:
    if not KEY.match(kunta or ""):
        raise InputError(where, f"--kunta '{kunta}' is not a key: use the three-digit municipality code (491) or a "
                                "lower-case key of letters, digits and hyphens (unnamed-003)")


NOTHING_RECOGNISED = ("no content of a description under section 28 of the Information Management Act (906/2019) was "
                      "recognised in this {format} file. Looked for, in Finnish and Swedish: information resources "
                      "(tietovaranto, informationslager) with their datasets and systems, the case register "
                      "(asiarekisteri, ärenderegister), search criteria (hakutekijät, sökkriterier), the authority "
                      "deciding on disclosure or responsible, contact details for information requests (kirjaamo, "
                      "registratur), open-interface statements; or a table with columns such as Tietovaranto | "
                      "Keskeiset tietoaineistot | Tietojärjestelmät")


PARTIAL = ("Tuonnissa kerrottu (--partial): tiedosto on vain osa julkaistusta kuvauksesta.",
           "Stated at the import (--partial): the file is only part of the published description.")


def import_file(path, kunta: str, output: str | None = None, validate: bool = True, align: bool = False,
                align_threshold: float | None = None, organisation: graph.Organisation | None = None,
                partial: bool = False) -> ImportResult:
    """`partial`: the user says the file is only part of what was published (an opening, one section copied)."""
    _check_key(path, kunta)
    doc = read_document(path)
    d = _parse(doc)
    d.truncated += [(None, fi, en) for _, fi, en in doc.warnings] + ([(None, *PARTIAL)] if partial else [])
    if d.empty():
        raise InputError(path, NOTHING_RECOGNISED.format(format=doc.format))
    g, iris = graph.build(doc, d, kunta, organisation=organisation, output=output)
    from . import align as alignment  # suggestions always (in the report); links only with align=True

    suggestions = alignment.suggest(g)
    threshold = alignment.THRESHOLD if align_threshold is None else align_threshold
    stored = alignment.apply(g, suggestions, threshold) if align else None
    result = ImportResult(g, d, doc)
    from .report import build_report

    result.report = build_report(result, kunta, iris, output)
    result.report.update(alignment=[s.as_dict() for s in suggestions], alignment_threshold=threshold,
                         alignment_stored=stored)
    if validate:  # what the description still lacks, in the shapes' words (fi / en)
        result.report["validation"] = validation_report(g, iris, output or doc.path.name)
    return result


def import_files(paths, kunta: str, output: str | None = None, validate: bool = True,
                 organisation: graph.Organisation | None = None, partial: bool = False) -> ImportResult:
    """Files that are parts of one description (its sector pages saved one by one, its Finnish and Swedish pages):
    each read like a file, merged into one graph as import_url merges pages. A file with no section 28 content is
    skipped and said so; none with any is an error."""
    if len(paths) == 1:
        return import_file(paths[0], kunta, output, validate=validate, organisation=organisation, partial=partial)
    _check_key(paths[0], kunta)
    merged, reports, skipped = _merge([(str(p), Path(p), None) for p in paths], kunta, output, organisation, partial)
    if merged is None:
        raise InputError(paths[0], "none of the files had content of a description under section 28: "
                                   + "; ".join(f"{s['url']}: {s['why']}" for s in skipped)[:2000])
    merged.report = {"files": [str(p) for p in paths], "kunta": kunta, "output": output or "-", "pages": reports,
                     "skipped": skipped}
    if validate:
        merged.report["validation"] = validation_report(merged.graph, Iris(), output or "import.ttl")
    return merged


def import_url(url: str, kunta: str, output: str | None = None, validate: bool = True, max_pages: int | None = None,
               delay: float | None = None, organisation: graph.Organisation | None = None) -> ImportResult:
    """A description published on the organisation's site: the start page and the pages of the description it
    links to (crawl.py), each read like a file, merged into one graph (sub-pages are parts of one description)."""
    import tempfile

    from . import crawl as crawling

    _check_key(url, kunta)
    c = crawling.crawl(url, max_pages=max_pages or crawling.MAX_PAGES,
                       delay=crawling.DELAY if delay is None else delay)
    with tempfile.TemporaryDirectory(prefix="kuntagraph-import-") as tmp:
        parts = []
        for n, page in enumerate(c.pages, 1):
            path = Path(tmp) / crawling.file_name(page, n)
            path.write_bytes(page.data)
            parts.append((page.url, path, page))
        merged, reports, skipped = _merge(parts, kunta, output, organisation)
    c.skipped += skipped
    if merged is None:
        raise InputError(url, "no page fetched from the site had content of a description under section 28 "
                              f"({len(c.pages)} fetched: " + "; ".join(f"{s['url']}: {s['why']}" for s in c.skipped)[:2000] + ")")
    merged.report = {"url": url, "kunta": kunta, "output": output or "-", "crawl": c.as_dict(), "pages": reports}
    if validate:
        merged.report["validation"] = validation_report(merged.graph, Iris(), output or "import.ttl")
    return merged


def _merge(parts, kunta: str, output: str | None, organisation, partial: bool = False):
    """[(name, path, fetched page or None)] -> (one ImportResult of them all or None, each part's report, the parts
    skipped with why). The parts share their IRIs' slugs, so that IRIs made from two parts never collide (an item
    named in two parts is two items: docs/IMPORT.md, limits)."""
    from .report import build_report

    slugs, merged, reports, skipped, first = graph.Slugs(), rdflib.Graph(), [], [], None
    for name, path, page in parts:
        try:
            doc = read_document(path)
            d = _parse(doc)
        except InputError as e:
            skipped.append({"url": name, "why": str(e).split(": ", 1)[-1]})
            continue
        d.truncated += [(None, fi, en) for _, fi, en in doc.warnings] + ([(None, *PARTIAL)] if partial else [])
        if d.empty():
            skipped.append({"url": name, "why": "no content of a section 28 description"})
            continue
        g, iris = graph.build(doc, d, kunta, slugs=slugs, page=page, organisation=organisation, output=output)
        result = ImportResult(g, d, doc)
        result.report = build_report(result, kunta, iris, output)
        result.report["file"] = name
        reports.append(result.report)
        for t in g:
            merged.add(t)
        for prefix, ns in g.namespaces():
            merged.bind(prefix, ns, override=False)
        first = first or result
    if first is None:
        return None, reports, skipped
    return ImportResult(merged, first.description, first.document), reports, skipped


def validation_report(g: rdflib.Graph, iris, name: str) -> dict:
    triples = [q.triple for q in ox.parse(g.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)]
    report = validate_new_graph(name, triples, graph_for(Path(name), triples, iris))
    return {"violations": [_finding(r) for r in report.violations], "warnings": [_finding(r) for r in report.warnings]}


def _finding(r) -> dict:
    return {"check": r.check, "focus": r.focus, "path": r.path, "fi": r.message("fi"), "en": r.message("en")}


def _parse(doc: Document):
    """The shape is recognised from the content, whatever the file format: a header row makes a table; lines
    that are kind words ("tietovarannot") make a content-library list; numbered fields ("1 Tietojärjestelmän
    nimi") a system description form; "System – description" lines with key-value lines a system-centric list;
    anything else is read as sections (which include labelled bullets and "resource: purpose" pairs)."""
    if any(b.is_row and tables.is_header(b.cells) for b in doc.blocks):
        parsed = tables.parse(doc.blocks)
        if not parsed.empty():
            return parsed
        # a header row with nothing under it: the document is read as prose
    if library.looks_like(doc.blocks):
        return library.parse(doc.blocks)
    if form.looks_like(doc.blocks):
        return form.parse(doc.blocks)
    if systems.looks_like(doc.blocks):
        return systems.parse(doc.blocks)
    if any(not b.item and not b.is_row and ":" not in b.text and not strip_bullet(b.text)[1]
           and sections.field_of(b.text) not in (None, "authority", "description") for b in doc.blocks):
        parsed = sections.parse(doc.blocks)  # field headings on lines of their own ("Tietoaineistot")
        if any(not phrases.is_kind_word(r.label) for r in parsed.resources):  # not only "Tietovarannot" headings
            return parsed
    return prose.parse(doc.blocks)
