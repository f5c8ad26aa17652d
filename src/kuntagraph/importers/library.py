"""Content-library lists (seed 000, KuntaDNA): items, each a label, an optional description and a kind word
("toimintaprosessit", "tietovarannot", "tietoaineistot", "käyttötarkoitukset"), listed under a service area,
first all together and then again kind by kind. The items become reference-library items (kg:ReferenceItem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import vocab
from .model import Note, Parsed, clean_item
from .reading import Block

KINDS = {
    "toimintaprosessit": "Process", "toimintaprosessi": "Process", "processes": "Process",
    "tietovarannot": "InformationResource", "tietovaranto": "InformationResource",
    "information resources": "InformationResource",
    "tietoaineistot": "Dataset", "tietoaineisto": "Dataset", "datasets": "Dataset",
    "käyttötarkoitukset": "Purpose", "käyttötarkoitus": "Purpose", "purposes": "Purpose",
}
# The web page's own words, not content: the heading over a list ("Näytetään palvelualueelle listatut" + kind
# word) and the placeholder of an empty description.
_LIST_HEADING = re.compile(r"^näytetään\b.*\blistatut\b", re.I)
_PLACEHOLDER = re.compile(r"^kuvausta\b.*\bei ole (vielä )?täytetty\.?$", re.I)
_QUESTION = re.compile(r"\?$")
_LAW = re.compile(r"\((\d{1,4})/(\d{4})\)")


@dataclass
class LibraryItem:
    kind: str  # a kuntagraph class name: Process, InformationResource, Dataset, Purpose
    label: str
    where: Block
    description: str | None = None
    laws: list[str] = field(default_factory=list)  # Finlex ELI IRIs cited in the description


@dataclass
class Library(Parsed):
    area: str | None = None  # service-area concept IRI
    items: list[LibraryItem] = field(default_factory=list)
    without_description: int = 0

    def empty(self) -> bool:
        return not self.items


def kind_of(text: str) -> str | None:
    return KINDS.get(text.strip().rstrip(".:").casefold())


def looks_like(blocks: list[Block]) -> bool:
    return sum(1 for b in blocks if not b.is_row and kind_of(b.text) and b.text.strip()[:1].islower()) >= 3


def parse(blocks: list[Block]) -> Library:
    lib = Library(shape="library")
    lines = [b for b in blocks if not b.is_row and b.text.strip()]
    # Items end at a lower-case kind word; the capitalised ones are the page's filter menu.
    ends = [i for i, b in enumerate(lines) if kind_of(b.text) and b.text.strip()[:1].islower()]
    first = _first_item_line(lines, ends[0])
    for b in lines[:first]:
        _lead(lib, b)
    start = first
    seen: dict[tuple[str, str], LibraryItem] = {}
    for end in ends:
        chunk = [b for b in lines[start:end] if not _LIST_HEADING.match(b.text.strip()) and not kind_of(b.text)]
        kind = kind_of(lines[end].text)
        start = end + 1
        if end and _LIST_HEADING.match(lines[end - 1].text.strip()):
            continue  # "Näytetään palvelualueelle listatut" + kind word: the heading of the next list
        placeholder = [b for b in chunk if _PLACEHOLDER.match(b.text.strip())]
        chunk = [b for b in chunk if b not in placeholder]
        if not chunk:
            continue
        label = clean_item(chunk[0].text)
        description = " ".join(b.text.strip() for b in chunk[1:]) or None
        key = (kind, label.casefold())
        if key in seen:  # the same item in the list of all contents and in the list of its kind
            if description and not seen[key].description:
                seen[key].description = description
            continue
        item = LibraryItem(kind, label, chunk[0], description)
        if description:
            item.laws = [f"http://data.finlex.fi/eli/sd/{year}/{number}" for number, year in _LAW.findall(description)]
        elif placeholder:
            lib.without_description += 1
        seen[key] = item
        lib.items.append(item)
    tail = lines[start:]
    for b in tail:
        lib.notes.append(Note(b.text.strip(), b, ("sisältökirjaston luettelon jälkeinen teksti (esim. sivun uutiset)",
                                                  "text after the content-library list (such as the page's news)")))
    if any(_PLACEHOLDER.match(b.text.strip()) for b in tail) or (tail and tail[-1].text.rstrip().endswith((",", "-", "("))):
        lib.truncated.append((tail[-1], "Luettelo päättyy kohteeseen ilman lajisanaa: lähde voi olla katkennut.",
                              "The list ends with an item without its kind word: the source may be cut off."))
    if lib.without_description:
        lib.warnings.append((None, f"{lib.without_description} kohteelta puuttuu kuvaus (\"Kuvausta ... ei ole vielä täytetty\").",
                             f"{lib.without_description} items have no description (\"Kuvausta ... ei ole vielä täytetty\")."))
    return lib


def _first_item_line(lines: list[Block], first_end: int) -> int:
    """Where the first item begins: after the page's navigation, its service-area heading, its question and its
    filter menu, i.e. after the last line before the first item's kind word that is a heading of the page."""
    i = first_end - 1
    while i > 0 and not (kind_of(lines[i - 1].text) or _LIST_HEADING.match(lines[i - 1].text.strip())
                         or _QUESTION.search(lines[i - 1].text.strip())):
        i -= 1
    # the item is its label (and description lines) up to the kind word; walk back over them
    return max(i, 0)


def _lead(lib: Library, b: Block):
    text = b.text.strip()
    if _LIST_HEADING.match(text) or kind_of(text) or text.casefold() in ("kaikki", "all"):
        return  # the page's filter menu and list headings: structure, not content
    area = vocab.service_area(text) if len(text.split()) <= 3 else None
    if area and not lib.area:
        lib.area, lib.title, lib.title_where = area.iri, text, b
        return
    lib.notes.append(Note(text, b, ("sivun navigointi- tai johdantoteksti ennen luetteloa",
                                    "the page's navigation or introduction before the list")))
