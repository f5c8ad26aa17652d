"""`kuntagraph export`: a municipality's description back to a spreadsheet in the four-column layout of seed 002
(DOMAIN §5), to be edited there and imported again: importing the workbook gives the same graph back, save the
provenance of the import itself (source file, activity, time).

The layout is the one tables.parse reads: a title row (one filled cell before any table), then per service area
a heading row (one filled cell, followed by a header row), a header row whose texts have the roles of
tables.COLUMNS, and one row per information resource with one item per line in a cell. What the layout has no
place for, or what the importer will read back differently (a label holding a comma), is listed in
Export.warnings, never dropped silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import rdflib
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from rdflib import RDF, URIRef

from .. import config
from ..iris import Iris
from ..languages import best_label
from ..rdffiles import slugify
from ..store import PREFIXES
from . import vocab
from .model import capitalize, split_list
from .tables import column_role, is_header

KG = rdflib.Namespace(config.CANONICAL_BASE + "def#")
SKOS = rdflib.Namespace(PREFIXES["skos"])
DCTERMS = rdflib.Namespace(PREFIXES["dcterms"])
PROV = rdflib.Namespace(PREFIXES["prov"])
DCAT = rdflib.Namespace(PREFIXES["dcat"])

# (header, the role tables.column_role gives it): the first four always, the others when a resource has them.
COLUMNS = [("Tietovaranto", "resource"), ("Tietojen käyttötarkoitus", "purpose"),
           ("Keskeiset tietoaineistot", "datasets"), ("Tietojärjestelmät", "systems"), ("Kuvaus", "description"),
           ("Hakutekijät", "search"), ("Avoin rajapinta", "interface")]
NOTES = "Huomautukset"  # a column of no known role: the importer keeps its cells as notes
OTHER_AREA = "Muut tietovarannot"  # heading of the resources without a service area of the shared scheme
WIDTHS = {"resource": 34, "purpose": 40, "datasets": 52, "systems": 40, "description": 60}  # others 40

# Sentences vocab.open_interface reads back as the same value; over 60 characters, so never read as a column name.
INTERFACE = {"yes": "Tietoaineistot ovat saatavilla avoimesti teknisen rajapinnan avulla",
             "partly": "Tietoaineistot ovat osittain saatavilla avoimesti teknisen rajapinnan avulla",
             "no": "Tietoaineistot eivät ole saatavilla avoimesti teknisen rajapinnan avulla"}

# What each kind of node keeps through the layout; any other property is reported as left out.
KEPT = {
    "description": {RDF.type, SKOS.prefLabel, DCTERMS.hasPart, DCTERMS.publisher, DCTERMS.source, PROV.wasGeneratedBy,
                    PROV.wasDerivedFrom, KG.serviceArea, KG.openInterface, KG.interface, KG.searchCriterion,
                    KG.searchCriteriaNote},
    "resource": {RDF.type, SKOS.prefLabel, PROV.wasDerivedFrom, DCTERMS.hasPart, DCTERMS.description, KG.purpose,
                 KG.heldIn, KG.serviceArea, KG.openInterface, KG.interface, KG.searchCriterion, KG.searchCriteriaNote,
                 SKOS.note},
    "dataset": {RDF.type, SKOS.prefLabel, PROV.wasDerivedFrom, KG.serviceArea},
    "purpose": {RDF.type, SKOS.prefLabel, PROV.wasDerivedFrom},
    "system": {RDF.type, SKOS.prefLabel, PROV.wasDerivedFrom, KG.owner, KG.instanceOf},
}
KINDS = {"description": ("kuvaus", "description"), "resource": ("tietovaranto", "information resource"),
         "dataset": ("tietoaineisto", "dataset"), "purpose": ("käyttötarkoitus", "purpose"),
         "system": ("tietojärjestelmä", "information system")}
# A note the table importer made of a column it has no place for: "Vastuuhenkilö: Rehtori (lähteen rivi 2)".
_NOTE = re.compile(r"^(?:(?P<col>[^:\n]{1,60}): )?(?P<text>.*?)(?: \(lähteen [^()]*\))?$", re.S)


@dataclass
class Export:
    resources: int
    headings: int
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (fi, en)


@dataclass
class _Row:
    iri: URIRef
    label: str
    area: str | None
    cells: dict[str, str]  # role (or NOTES) -> cell text
    datasets: list[tuple[URIRef, str]]
    notes: list[str]


def to_xlsx(graph: rdflib.Graph, kunta: str, path, iris: Iris | None = None) -> Export:
    """Write the information resources of the descriptions `id:KUNTA` publishes to `path` (a file name or a
    binary file). Raises ValueError when there are none."""
    g, iris = graph, iris or Iris()
    descs = sorted(d for d in g.subjects(DCTERMS.publisher, URIRef(iris.thing(kunta)))
                   if (d, RDF.type, KG.AccessDescription) in g)
    parts = {r for d in descs for r in g.objects(d, DCTERMS.hasPart) if (r, RDF.type, KG.InformationResource) in g}
    # The four-column layout has no place for a case register: it is named in the warnings, not exported as a
    # plain resource (read back, it would lose its kind without a word).
    registers = sorted(r for r in parts if (r, RDF.type, KG.CaseRegister) in g)
    resources = sorted(parts - set(registers))
    if not resources:
        raise ValueError(f"has no information resource in a description published by <{iris.thing(kunta)}>")
    warnings: list[tuple[str, str]] = []
    for r in registers:
        warnings.append((f"Asiarekisteriä \"{_label(g, r) or r}\" ei viety: taulukon sarakkeissa ei ole sille paikkaa.",
                         f"The case register \"{_label(g, r) or r}\" was not exported: the sheet's columns have no place for it."))
    if len(descs) > 1:
        warnings.append((f"{len(descs)} kuvausta yhdistettiin yhdeksi taulukoksi, otsikkona ensimmäisen nimi.",
                         f"{len(descs)} descriptions were merged into one sheet, titled with the first one's name."))
    rank = {c.iri: i for i, c in enumerate(vocab.scheme("service-area"))}
    rows = [_row(g, r, rank, warnings) for r in resources]
    _check_lost(g, descs, resources, warnings)
    _check_read_back(rows, warnings)

    notes_header = _restore_notes_column(rows)
    columns = [(h, role) for h, role in COLUMNS if role in ("resource", "purpose", "datasets", "systems")
               or any(r.cells.get(role) for r in rows)]
    if any(r.cells.get(NOTES) for r in rows):
        columns.append((notes_header, NOTES))

    wb = Workbook()
    ws = wb.active
    ws.title = "Tietovarannot"
    n = 1
    _put(ws, n, _label(g, descs[0]) or "Asiakirjajulkisuuskuvaus", Font(bold=True, size=14))
    # Statements on the whole description: lines between the title and the first heading.
    lines = [_interface(g, descs[0]), _search(g, descs[0])]
    if lines[1] and not re.search("hakutekij", lines[1], re.I):
        lines[1] = f"Hakutekijät: {lines[1]}"  # the importer knows a line of search criteria by this word
    for line in filter(None, lines):
        n += 1
        _put(ws, n, line)
    areas = {c.iri: c.label_fi for c in vocab.scheme("service-area")}
    groups = _groups(_ordered(rows, rank))
    header_rows = []
    for area, members in groups:
        n += 2  # an empty row before each table, for the eye (the importer skips it)
        _put(ws, n, areas.get(area, OTHER_AREA), Font(bold=True, size=12))
        n += 1
        header_rows.append(n)
        for k, (header, _) in enumerate(columns, 1):
            cell = _put(ws, n, header, Font(bold=True), col=k)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in members:
            n += 1
            values = [row.cells.get(role, "") for _, role in columns]
            if not any(values[1:]):
                values[1] = "."  # a row of one filled cell is read as a heading; "." is read as no purpose
            if is_header(values):
                warnings.append((f"{row.label}: rivi näyttää otsikkoriviltä ja luetaan sellaisena.",
                                 f"{row.label}: the row looks like a header row and will be read as one."))
            for k, text in enumerate(values, 1):
                _put(ws, n, text, col=k).alignment = Alignment(wrap_text=True, vertical="top")
    for k, (_, role) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(k)].width = WIDTHS.get(role, 40)
    # With one table its header row stays in sight; with several, the resource names do.
    ws.freeze_panes = f"B{header_rows[0] + 1}" if len(header_rows) == 1 else "B1"
    wb.save(path)
    return Export(len(rows), len(groups), warnings)


def _put(ws, row: int, text: str, font: Font | None = None, col: int = 1):
    cell = ws.cell(row, col, ILLEGAL_CHARACTERS_RE.sub("", text) or None)
    if text.startswith("="):
        cell.data_type = "s"  # a label, not a formula
    if font:
        cell.font = font
    return cell


def _label(g: rdflib.Graph, node) -> str | None:
    return best_label({o.language or "": str(o) for o in g.objects(node, SKOS.prefLabel)})


def _named(g, nodes, warnings) -> list[tuple[URIRef, str]]:
    """(node, label) by label; a node without a name (described in another graph) is reported."""
    out = []
    for n in set(nodes):
        label = _label(g, n)
        if label:
            out.append((n, label))
        else:
            warnings.append((f"Kohde jätettiin pois, koska sillä ei ole nimeä tässä graafissa: {n}",
                             f"Left out, as it has no name in this graph: {n}"))
    return sorted(out, key=lambda x: (x[1].casefold(), str(x[0])))


def _row(g: rdflib.Graph, r: URIRef, rank: dict, warnings) -> _Row:
    label = _label(g, r) or str(r).rsplit("/", 1)[-1]
    datasets = _named(g, g.objects(r, DCTERMS.hasPart), warnings)
    known = sorted((str(a) for a in g.objects(r, KG.serviceArea) if str(a) in rank), key=rank.get)
    other = sorted(str(a) for a in g.objects(r, KG.serviceArea) if str(a) not in known[:1])
    if other:
        warnings.append((f"{label}: palvelualue(et) {', '.join(other)} ei(vät) tule taulukkoon.",
                         f"{label}: service area(s) {', '.join(other)} are not in the spreadsheet."))
    description = best_label({o.language or "": str(o) for o in g.objects(r, DCTERMS.description)}) or ""
    cells = {
        "resource": label,
        "purpose": "\n".join(x for _, x in _named(g, g.objects(r, KG.purpose), warnings)),
        "datasets": "\n".join(x for _, x in datasets),
        "systems": "\n".join(x for _, x in _named(g, g.objects(r, KG.heldIn), warnings)),
        "description": description,
        "search": _search(g, r),
        "interface": _interface(g, r),
    }
    return _Row(r, label, known[0] if known else None, cells, datasets, sorted(map(str, g.objects(r, SKOS.note))))


def _search(g, node) -> str:
    """The search-criteria notes, and the criteria they do not name (which the importer finds in the text)."""
    notes = sorted(set(map(str, g.objects(node, KG.searchCriteriaNote))))
    named = {c.iri for c in vocab.search_criteria("\n".join(notes))}
    labels = {c.iri: c.label_fi for c in vocab.scheme("search-criterion")}
    return "\n".join(notes + sorted(labels[str(c)] for c in g.objects(node, KG.searchCriterion)
                                    if str(c) in labels and str(c) not in named))


def _interface(g, node) -> str:
    value = g.value(node, KG.openInterface)
    sentence = INTERFACE.get(str(value).removeprefix(vocab.OPEN_INTERFACE)) if value else None
    if not sentence:
        return ""
    urls = sorted(str(u) for i in g.objects(node, KG.interface) for u in g.objects(i, DCAT.endpointURL))
    return f"{sentence}: {' '.join(urls)}" if urls else sentence + "."  # no full stop after a URL: it would join it


def _restore_notes_column(rows: list[_Row]) -> str:
    """Notes the importer made of one column it had no place for go back to that column (a header row may have
    one column of no known role); other notes go to NOTES. Their source lines are dropped: they will differ."""
    cols = {_NOTE.match(n)["col"] for r in rows for n in r.notes}
    header = cols.pop() if len(cols) == 1 and None not in cols and column_role(next(iter(cols))) is None else NOTES
    for r in rows:
        ms = [_NOTE.match(n) for n in r.notes]
        r.cells[NOTES] = "\n".join(m["text"] if m["col"] == header else f"{m['col']}: {m['text']}" if m["col"]
                                   else m["text"] for m in ms)
    return header


def _check_lost(g, descs, resources, warnings):
    nodes = {"description": descs, "resource": resources,
             "dataset": {d for r in resources for d in g.objects(r, DCTERMS.hasPart)},
             "purpose": {p for r in resources for p in g.objects(r, KG.purpose)},
             "system": {s for r in resources for s in g.objects(r, KG.heldIn)}}
    lost = Counter()
    for kind, members in nodes.items():
        for n in members:
            lost.update((kind, _short(p)) for p in set(g.predicates(n)) - KEPT[kind])
    for (kind, p), n in sorted(lost.items()):
        fi, en = KINDS[kind]
        warnings.append((f"Ei taulukossa: {p} ({fi}, {n} kpl)", f"Not in the spreadsheet: {p} ({en}, {n})"))


def _short(iri) -> str:
    return next((f"{p}:{iri[len(ns):]}" for p, ns in PREFIXES.items() if iri.startswith(ns)), f"<{iri}>")


def _check_read_back(rows: list[_Row], warnings):
    """The importer splits each line of a cell at commas and semicolons outside parentheses (and, for purposes
    and datasets, where a comma seems missing): a label like that comes back as several items."""
    for r in rows:
        for role, header in (("purpose", COLUMNS[1][0]), ("datasets", COLUMNS[2][0]), ("systems", COLUMNS[3][0])):
            for label in filter(None, r.cells[role].split("\n")):
                read = [capitalize(x) for x in split_list(label, missing_commas=role != "systems")[0]]
                if read != [capitalize(label)]:
                    warnings.append((f"{r.label}, {header}: \"{label}\" luetaan takaisin näin: {' | '.join(read)}",
                                     f"{r.label}, {header}: \"{label}\" will be read back as: {' | '.join(read)}"))


def _ordered(rows: list[_Row], rank: dict) -> list[_Row]:
    """Rows in an order that gives the same IRIs on import. The importer names a dataset by its bare label the
    first time it meets that label and by resource-prefixed forms after that (and a resource named twice with
    "-2"), so a resource holding a bare-named one goes before the others holding the same label. Otherwise:
    service areas in the order of the scheme, resources by label."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(("resource", slugify(r.label)), []).append((i, str(r.iri)))
        for node, label in r.datasets:
            groups.setdefault(("dataset", slugify(label)), []).append((i, str(node)))
    edges = set()
    for (_, slug), holders in groups.items():
        first = [i for i, iri in holders if iri.rsplit("/", 1)[-1] == slug]
        if len(first) == 1:
            edges |= {(first[0], i) for i, _ in holders if i != first[0]}
    area_edges = {(rows[a].area, rows[b].area) for a, b in edges if rows[a].area != rows[b].area}
    areas = _topological({r.area for r in rows}, area_edges, key=lambda a: rank.get(a, len(rank)))
    out = []
    for area in areas:
        members = [i for i, r in enumerate(rows) if r.area == area]
        by_label = _topological(members, edges, key=lambda i: (rows[i].label.casefold(), str(rows[i].iri)))
        out += [rows[i] for i in by_label]
    return out


def _topological(nodes, edges, key) -> list:
    """The nodes with a before b for each edge (a, b) among them, otherwise in the order of key. A cycle (which
    one import cannot produce) is broken at the first remaining node by key."""
    remaining = sorted(nodes, key=key)
    preds = {n: {a for a, b in edges if b == n} for n in remaining}
    out = []
    while remaining:
        left = set(remaining)
        n = next((n for n in remaining if not preds[n] & left), remaining[0])
        out.append(n)
        remaining.remove(n)
    return out


def _groups(rows: list[_Row]) -> list[tuple[str | None, list[_Row]]]:
    """Consecutive rows of one service area under one heading."""
    out: list[tuple[str | None, list[_Row]]] = []
    for r in rows:
        if out and out[-1][0] == r.area:
            out[-1][1].append(r)
        else:
            out.append((r.area, [r]))
    return out
