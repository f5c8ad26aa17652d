"""What an importer finds, before it becomes RDF: a description with its resources, and the lists people write."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .reading import Block


@dataclass
class Note:
    text: str
    where: Block | None
    why: tuple[str, str] = ("", "")  # fi, en: why it could not be placed


@dataclass
class Item:
    label: str
    where: Block | None


@dataclass
class Statements:
    """What §28 allows once for a whole description or a service area, and per resource."""

    open_interface: str | None = None  # yes / no / partly
    open_interface_text: str | None = None
    open_interface_where: Block | None = None
    interface_urls: list[str] = field(default_factory=list)
    search_criteria: list[str] = field(default_factory=list)  # concept IRIs
    search_notes: list[str] = field(default_factory=list)


@dataclass
class Party:
    """A body or office-holder the source makes responsible for, or deciding on, the data (its own words)."""

    label: str
    where: Block | None
    role: str = "responsible"  # responsible / deciding / unit


@dataclass
class Contact:
    """One channel where information requests go: the registry or office named as the addressee, an e-mail
    address, a telephone number, a postal or visiting address, a web form."""

    kind: str  # registry / email / phone / address / url
    value: str
    where: Block | None
    parts: dict = field(default_factory=dict)  # an address: street, postal_code, locality
    group: int = 0  # the section of the source it is in (a heading starts a new one)


@dataclass
class Resource:
    label: str
    where: Block | None
    area: str | None = None  # service-area concept IRI
    descriptions: list[str] = field(default_factory=list)
    purposes: list[Item] = field(default_factory=list)
    datasets: list[Item] = field(default_factory=list)
    systems: list[Item] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    st: Statements = field(default_factory=Statements)
    sector: "Sector | None" = None
    parties: list[Party] = field(default_factory=list)


@dataclass
class Sector:
    label: str
    where: Block | None
    area: str | None
    st: Statements = field(default_factory=Statements)


@dataclass
class Parsed:
    """What every shape's parser returns, and the report reads."""

    shape: str = ""
    title: str | None = None
    title_where: Block | None = None
    notes: list[Note] = field(default_factory=list)
    warnings: list[tuple[Block | None, str, str]] = field(default_factory=list)
    truncated: list[tuple[Block | None, str, str]] = field(default_factory=list)
    skipped: int = 0  # rows without content (table rules such as "--|--")

    def empty(self) -> bool:
        return True


@dataclass
class SystemEntry:
    """A system as a system-centric list or a system description form gives it."""

    label: str
    where: Block | None
    descriptions: list[str] = field(default_factory=list)
    purposes: list[Item] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    area: str | None = None  # service-area concept IRI
    resources: list["Resource"] = field(default_factory=list)  # resources the list names for the system


@dataclass
class Description(Parsed):
    """An access description: per-resource sections, labelled bullets, pairs, tables, system-centric lists."""

    area: str | None = None
    descriptions: list[str] = field(default_factory=list)
    purposes: list[Item] = field(default_factory=list)  # stated for every resource of the description
    resources: list[Resource] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    systems: list[SystemEntry] = field(default_factory=list)  # systems not under any resource
    st: Statements = field(default_factory=Statements)
    case_register: Item | None = None  # the organisation's own case register, where the text describes it
    case_register_systems: list[Item] = field(default_factory=list)  # the systems the text says hold it
    parties: list[Party] = field(default_factory=list)  # for the whole description
    contacts: list[Contact] = field(default_factory=list)
    source_url: str | None = None  # a browser copy's first line, the page's address
    lines: dict = field(default_factory=dict)  # id(block) -> (block, where it went: item, description, note, boilerplate:<kind>)
    placed: list = field(default_factory=list)  # (block, where it went) for every block of the source, in order
    about_section28: bool = False  # the text is a §28 description even when it lists no item (the report says what it lacks)

    def empty(self) -> bool:
        return not (self.resources or self.systems or self.case_register or self.parties or self.contacts
                    or self.st.search_criteria or self.st.search_notes or self.st.open_interface or self.about_section28)


# --- lists in cells and paragraphs ---------------------------------------------------------------------

_MISSING_COMMA = re.compile(r"(?<=[a-zäöå]) (?=[A-ZÄÖÅ][a-zäöå])")
_BULLET = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|[-–—•*·▪●◦‣]|\(?[a-zA-Z][.)])\s+")


def strip_bullet(text: str) -> tuple[str, bool]:
    m = _BULLET.match(text)
    return (text[m.end():].strip(), True) if m else (text.strip(), False)


def split_list(text: str, missing_commas: bool = False) -> tuple[list[str], list[str]]:
    """Split a list written in one cell or sentence at commas, semicolons and line breaks, but not at the comma
    of a suspended compound ("Opettaja-, henkilökunta- ja sijaisrekisterit") nor inside parentheses.
    With missing_commas, also before a capitalised word after a lower-case one (a comma left out:
    "oppilashuollon kirjaukset Opettajarekisteri"). Returns (items, the places split at a missing comma)."""
    parts = split_top(text, newlines=True)
    parts = [q for q in (clean_item(p) for p in parts) if q]
    if missing_commas:
        parts = _join_modifier_lists(parts)
    out, guessed = [], []
    for p in parts:
        p = clean_item(p)
        if not p:
            continue
        if missing_commas and _MISSING_COMMA.search(p):
            pieces = [clean_item(x) for x in _MISSING_COMMA.split(p)]
            guessed.append(" | ".join(pieces))
            out += [x for x in pieces if x]
        else:
            out.append(p)
    return out, guessed


def split_top(text: str, newlines: bool = False) -> list[str]:
    """The parts of a list at its top level: at semicolons and commas outside parentheses, not at the comma of a
    suspended compound ("Opettaja-, henkilökunta- ja sijaisrekisterit"); with newlines, at every line break too."""
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if (newlines and ch == "\n") or (ch in ",;" and depth == 0 and not (ch == "," and "".join(buf).rstrip().endswith("-"))):
            parts.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


_GENITIVE_CHAIN = re.compile(r"^(?:[\wäöåÄÖÅ-]+n\s+){0,2}[\wäöåÄÖÅ-]+n$")
_STARTS_GENITIVE_AND = re.compile(r"^[\wäöåÄÖÅ-]+n\b.*\s(?:ja|sekä|tai)\s", re.I)


def _join_modifier_lists(parts: list[str]) -> list[str]:
    """Keep a list of genitive modifiers whole: "Kansalaisopiston oppilaiden, huoltajien ja opettajien
    yhteystiedot" is one dataset (the comma joins the modifiers), not "Kansalaisopiston oppilaiden" and
    "huoltajien ja opettajien yhteystiedot"."""
    parts = list(parts)
    i = len(parts) - 2
    while i >= 0:
        if _GENITIVE_CHAIN.match(parts[i]) and _STARTS_GENITIVE_AND.match(parts[i + 1]):
            parts[i:i + 2] = [parts[i] + ", " + parts[i + 1]]
        i -= 1
    return parts


def clean_item(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip().strip(",;").strip()
    text = re.sub(r"\s*\.+$", "", text)
    return text.strip()


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_PURPOSE = re.compile(r"^(?:[\wäöåÄÖÅ-]+\s+){0,3}käyttötarkoitu\w*\s*(?:on\s+|:\s*|,\s*|-\s*|–\s*)?(?P<rest>.+)$", re.I)


def purpose_sentence(text: str) -> str | None:
    """"Rekisterien käyttötarkoitus on X." / "Tietojärjestelmien käyttötarkoitus, X" -> X."""
    m = _PURPOSE.match(text.strip())
    if not m:
        return None
    rest = clean_item(m.group("rest"))
    return capitalize(rest) if len(rest) >= 3 else None
