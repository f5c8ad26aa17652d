"""System description forms (seed 004): numbered fields such as "1 Tietojärjestelmän nimi", "2 Tietojärjestelmän
vastuutaho (omistaja)", "8 Tietojen julkisuus / salassa pidettävyys", "10 Julkiset tiedot ryhmittäin", each
followed by its value on the lines below (or in the next cell of a two-column table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Item, Note, Parsed, SystemEntry, capitalize, clean_item, split_list, strip_bullet
from .reading import Block

# Field names, tried in order: the more specific first ("Julkiset tiedot ryhmittäin" before "julkisuus").
FIELDS = [
    ("created", re.compile(r"^laadittu\b", re.I)),
    ("structure", re.compile(r"^(laatijan tiedot|tietojärjestelmä ja vastuuhenkilöiden yhteystiedot)$", re.I)),
    ("name", re.compile(r"(tieto)?järjestelmän nimi", re.I)),
    ("owner", re.compile(r"vastuutaho|omistaja", re.I)),
    ("unit", re.compile(r"vastuuyksikkö|vastuuhenkilö", re.I)),
    ("contact", re.compile(r"yhteyshenkilö", re.I)),
    ("purpose", re.compile(r"käyttötarkoitu", re.I)),
    ("sources", re.compile(r"tietolähtee", re.I)),
    ("coverage", re.compile(r"vuosilta|alkaen vuodesta", re.I)),
    ("update", re.compile(r"päivitystiheys|päivittäminen", re.I)),
    ("address", re.compile(r"julkinen osoite|www-osoite", re.I)),
    ("public_groups", re.compile(r"julkiset tiedot", re.I)),
    ("secret_groups", re.compile(r"salaiset tiedot|salassa pidettävät tiedot", re.I)),
    ("publicity", re.compile(r"julkisuus|salassa ?pidettävyys", re.I)),
]
_NUMBER = re.compile(r"^\**\s*(\d{1,2}[a-z]?)\.?\s+")
_SECRET = re.compile(r"\b(salassa\s+pidettäv\w*|salai\w+|luottamuksellis\w*)\b", re.I)
_PUBLIC = re.compile(r"\b(julki\w+)\b", re.I)
_SUBJECT = re.compile(r"^(?P<subject>.+?)\s+(?:ovat|on)\s+(?P<rest>.+)$")
_OWNER = re.compile(r"\b([A-ZÄÖÅ][\wäöå-]+n)\s+(kaupunki|kunta)\b")
_CONTACT = re.compile(r"^(?P<title>.*?)\s*(?P<name>[A-ZÄÖÅ][\wäöå-]+(?:\s+[A-ZÄÖÅ][\wäöå-]+)+)\s+p\.?\s*(?P<phone>[+\d][\d\s-]{5,})")
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_PURPOSE = re.compile(r"^\S+?(?:llä|lla)\s+(?:hoidetaan|käsitellään|hallitaan|ylläpidetään|tuetaan|toteutetaan)\s+", re.I)
URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass
class DataGroup:
    label: str
    where: Block
    public: bool
    fields: list[str] = field(default_factory=list)


@dataclass
class PublicityStatement:
    label: str  # the data it is about: "Asiakkaita koskevat tiedot"
    sentence: str
    where: Block
    public: bool


@dataclass
class SystemForm(Parsed):
    system: SystemEntry | None = None
    created: str | None = None  # ISO date
    creator: str | None = None
    owners: list[str] = field(default_factory=list)  # genitive names as written: "Mikkelin"
    owner_text: str | None = None
    owner_where: Block | None = None
    contact: dict | None = None  # title, name, phone (+358...), text
    texts: dict[str, tuple[str, Block]] = field(default_factory=dict)  # sources, coverage, update, address
    urls: list[str] = field(default_factory=list)
    statements: list[PublicityStatement] = field(default_factory=list)
    groups: list[DataGroup] = field(default_factory=list)

    def empty(self) -> bool:
        return self.system is None


def field_of(text: str) -> str | None:
    t = re.sub(r"\*+", " ", text).strip()
    numbered = bool(_NUMBER.match(t))
    t = _NUMBER.sub("", t).strip().rstrip(":").split("\t")[0].strip()
    if not t or len(t.split()) > 8 or (t.endswith(".") and not numbered):
        return None
    for name, rx in FIELDS:
        if rx.search(t):
            return name
    return "unknown" if numbered and not re.search(r"\d{3,}", t) else None


def looks_like(blocks: list[Block]) -> bool:
    found = {field_of(b.cells[0] if b.is_row and b.cells else b.text) for b in blocks}
    return len(found & {"name", "owner", "purpose", "publicity", "public_groups", "secret_groups", "contact"}) >= 3


def parse(blocks: list[Block]) -> SystemForm:
    f = SystemForm(shape="form")
    values: list[tuple[str, Block, list[tuple[str, Block]]]] = []  # (field, its line, [(value line, block)])
    for b in blocks:
        if b.is_row and b.cells and field_of(b.cells[0]):
            values.append((field_of(b.cells[0]), b, []))
            rest = [c for c in b.cells[1:] if c.strip()]
            values[-1][2].extend((c, b) for c in rest)
            continue
        text = b.text.strip() if not b.is_row else " | ".join(c for c in b.cells if c)
        name = field_of(text)
        if name:
            values.append((name, b, []))
        elif values:
            values[-1][2].append((text, b))
        else:
            f.notes.append(Note(text, b, ("teksti ennen lomakkeen ensimmäistä kenttää", "text before the form's first field")))
    for name, b, lines in values:
        if name == "structure":
            continue
        if not lines:
            if name not in ("created",):
                f.warnings.append((b, f"Kenttä \"{_label(b)}\" on tyhjä.", f"The field \"{_label(b)}\" is empty."))
            continue
        _field(f, name, b, lines)
    if values and not values[-1][2] and values[-1][0] != "structure":
        f.truncated.append((values[-1][1], "Lähde vaikuttaa katkenneelta: viimeisellä kentällä ei ole arvoa.",
                            "The source looks cut off: its last field has no value."))
    return f


def _label(b: Block) -> str:
    return _NUMBER.sub("", re.sub(r"\*+", " ", b.cells[0] if b.is_row and b.cells else b.text)).strip().split("\t")[0]


def _field(f: SystemForm, name: str, b: Block, lines: list[tuple[str, Block]]):
    joined = " ".join(t for t, _ in lines).strip()
    first = lines[0][1]
    if name == "name":
        f.system = SystemEntry(clean_item(lines[0][0]), first)
        for t, lb in lines[1:]:
            f.system.descriptions.append(t)
    elif name == "created":
        m = _DATE.search(joined)
        if m:
            d, mo, y = m.groups()
            f.created = f"{y}-{int(mo):02d}-{int(d):02d}"
            f.creator = clean_item(joined[m.end():]) or None
        else:
            f.notes.append(Note(joined, first, ("laatimistieto ilman päivämäärää", "authorship without a date")))
    elif name == "owner":
        f.owner_text, f.owner_where = joined, first
        f.owners = list(dict.fromkeys(m.group(1) for m in _OWNER.finditer(joined)))
    elif name == "contact":
        m = _CONTACT.match(joined)
        if m:
            phone = re.sub(r"[\s-]", "", m.group("phone"))
            phone = "+358" + phone[1:] if phone.startswith("0") else phone
            f.contact = {"title": clean_item(m.group("title")) or None, "name": m.group("name"), "phone": phone,
                         "text": joined}
        else:
            f.contact = {"title": None, "name": None, "phone": None, "text": joined}
    elif name == "purpose":
        label = _purpose_label(joined)
        if f.system is None:
            f.system = SystemEntry("", None)
        f.system.purposes.append(Item(label, first))
        f.texts["purpose"] = (joined, first)
    elif name in ("sources", "coverage", "update"):
        f.texts[name] = (joined, first)
    elif name == "address":
        f.urls += [u for u in URL.findall(joined) if u not in f.urls]
        f.texts["address"] = (re.sub(r"<(https?://[^>]+)>", r"\1", joined), first)
    elif name == "publicity":
        for text, lb in lines:
            for sentence in re.split(r"(?<=\.)\s+", text):
                _statement(f, sentence.strip(), lb)
    elif name in ("public_groups", "secret_groups"):
        _groups(f, lines, public=name == "public_groups")
    elif name == "unit":
        f.notes.append(Note(f"{_label(b)}: {joined}", first, ("vastuuyksiköiden ja -henkilöiden tekstiä ei tuoda rakenteisena",
                                                              "the responsible units and persons are not imported as structured data")))
    else:
        f.notes.append(Note(f"{_label(b)}: {joined}", first, ("lomakkeen kenttä, jolle ei ole paikkaa mallissa",
                                                              "a field of the form the model has no place for")))


def _purpose_label(text: str) -> str:
    """"Kirjastojärjestelmällä hoidetaan kirjastopalveluiden järjestäminen ja asiakassuhteiden hallinta Mikkelin
    seutukirjastossa, ..." -> "Kirjastopalveluiden järjestäminen ja asiakassuhteiden hallinta"."""
    first = re.split(r"(?<=\.)\s+", text.strip())[0]
    rest = _PURPOSE.sub("", first)
    if rest != first:
        m = re.search(r"(?<=[a-zäöå,]) (?=[A-ZÄÖÅ])", rest)  # where the places it is done in begin
        rest = rest[:m.start()] if m else rest
    label = clean_item(rest)
    return capitalize(label if len(label) <= 120 else label[:117].rsplit(" ", 1)[0] + "…")


def _statement(f: SystemForm, sentence: str, b: Block):
    if not sentence:
        return
    m = _SUBJECT.match(sentence)
    secret, public = _SECRET.search(sentence), _PUBLIC.search(m.group("rest") if m else sentence)
    if m and (secret or public):
        f.statements.append(PublicityStatement(capitalize(clean_item(m.group("subject"))), sentence, b, public=not secret))
    else:
        f.notes.append(Note(sentence, b, ("julkisuuslause, josta ei tunnistettu tietoja ja julkisuutta",
                                          "a publicity sentence whose data and publicity were not recognised")))


def _groups(f: SystemForm, lines: list[tuple[str, Block]], public: bool):
    """"Kokoelmatiedot:" + bullets, "Asiakkaan tiedot: nimi, syntymäaika, ...", or a group named on its own line."""
    current: DataGroup | None = None
    for text, b in lines:
        item, bulleted = strip_bullet(text)
        bulleted = bulleted or b.item
        if bulleted and current is not None:
            current.fields += [x for x in split_list(item)[0] if x not in current.fields]
            continue
        label, sep, value = item.partition(":")
        if sep and len(label.split()) <= 8:
            current = DataGroup(capitalize(clean_item(label)), b, public)
            current.fields += split_list(value)[0]
        else:
            current = DataGroup(capitalize(clean_item(item)), b, public)
        f.groups.append(current)
