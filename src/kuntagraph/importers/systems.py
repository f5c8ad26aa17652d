"""System-centric lists: "System – description" lines, each followed by key-value lines such as
"käyttötarkoitus: …", "seloste: …", "vastuuyksikkö: …", "tietovarannot: …", "tietoaineistot: …".

    Lupapiste – sähköinen lupapalvelu
    käyttötarkoitus: rakennuslupien hakeminen ja käsittely
    seloste: https://www.example.fi/tietosuoja/lupapiste
    vastuuyksikkö: Rakennusvalvonta

Each system becomes a kg:SystemInstance of the municipality, linked to its purposes; resources and datasets
named for it are held in it. Keys the model has no place for are kept as notes.
"""

from __future__ import annotations

import re

from . import vocab
from .model import Description, Item, Note, Resource, SystemEntry, capitalize, clean_item, split_list
from .reading import Block

_SYSTEM = re.compile(r"^(?P<name>[^:–—]{2,60}?)\s+[–—-]\s+(?P<description>.+)$")
_KEY_VALUE = re.compile(r"^(?P<key>[\wäöåÄÖÅ -]{3,40}?)\s*:\s*(?P<value>.*)$")
KEYS = [
    ("purpose", re.compile(r"^(tietojen\s+)?käyttötarkoitu", re.I)),
    ("resources", re.compile(r"^tietovaran", re.I)),
    ("datasets", re.compile(r"^(keskeiset\s+)?tietoaineist|^tietoryhm", re.I)),
    ("area", re.compile(r"^(toimiala|palvelualue|tehtäväala)", re.I)),
    ("notice", re.compile(r"seloste", re.I)),
    ("unit", re.compile(r"^vastuu|^yhteyshenkilö|^omistaja", re.I)),
]


def key_of(text: str) -> tuple[str, str, str] | None:
    """(role, key as written, value) of a key-value line, the role None for an unknown key."""
    m = _KEY_VALUE.match(text.strip())
    if not m or vocab.URL.match(text.strip()):
        return None
    key = m.group("key").strip()
    return next((role for role, rx in KEYS if rx.search(key)), "other"), key, m.group("value").strip()


def _is_system(blocks: list[Block], i: int) -> bool:
    """A "Name – description" line followed by a key-value line with a known key."""
    if not _SYSTEM.match(blocks[i].text.strip()) or blocks[i].is_row:
        return False
    nxt = next((b for b in blocks[i + 1:i + 3] if b.text.strip()), None)
    kv = key_of(nxt.text) if nxt is not None and not nxt.is_row else None
    return bool(kv and kv[0] != "other")


def looks_like(blocks: list[Block]) -> bool:
    return sum(1 for i in range(len(blocks)) if _is_system(blocks, i)) >= 2


def parse(blocks: list[Block]) -> Description:
    d = Description(shape="systems")
    current: SystemEntry | None = None
    area = None
    for i, b in enumerate(blocks):
        text = b.text.strip() if not b.is_row else " | ".join(c for c in b.cells if c)
        if not text:
            continue
        if _is_system(blocks, i):
            m = _SYSTEM.match(text)
            current = SystemEntry(clean_item(m.group("name")), b, [capitalize(clean_item(m.group("description")))])
            current.area = area
            d.systems.append(current)
            continue
        kv = key_of(text) if current is not None else None
        if kv:
            _put(d, current, kv, b)
            continue
        if current is None and d.title is None and not d.systems:
            d.title, d.title_where = text, b
            found = vocab.service_area(text)
            area = d.area = found.iri if found else None
            continue
        heading_area = vocab.service_area(text) if len(text.split()) <= 6 and not text.endswith(".") else None
        if heading_area:
            area, current = heading_area.iri, None
            continue
        if current is not None and not text.endswith(":"):
            current.descriptions.append(text)
        else:
            d.notes.append(Note(text, b, ("teksti, jota ei voitu liittää järjestelmään", "text that could not be placed under a system")))
    for system in d.systems:
        for r in system.resources:
            r.purposes = list(system.purposes)  # what the system is used for, its resources are used for
    if d.systems and not any((s.descriptions[1:] or s.purposes or s.notes) for s in d.systems[-1:]):
        last = d.systems[-1]
        d.truncated.append((last.where, f"Viimeisellä järjestelmällä \"{last.label}\" ei ole tietoja: lähde voi olla katkennut.",
                            f"The last system \"{last.label}\" has no details: the source may be cut off."))
    return d


def _put(d: Description, s: SystemEntry, kv: tuple[str, str, str], b: Block):
    role, key, value = kv
    if not value:
        d.warnings.append((b, f"Kohdassa \"{key}\" ei ole arvoa.", f"\"{key}\" has no value."))
        return
    if role == "purpose":
        # one purpose, unless several are separated by semicolons (commas join the parts of one purpose)
        s.purposes += [Item(capitalize(clean_item(p)), b) for p in value.split(";") if clean_item(p)]
    elif role == "resources":
        for name in split_list(value)[0]:
            r = Resource(capitalize(name), b, area=s.area or d.area)
            r.systems.append(Item(s.label, b))
            d.resources.append(r)
            s.resources.append(r)
    elif role == "datasets":
        holder = s.resources[-1] if s.resources else None
        if holder is None:
            holder = Resource(s.label, b, area=s.area or d.area)
            holder.systems.append(Item(s.label, b))
            holder.descriptions.append(f"Järjestelmän {s.label} tiedot")
            d.warnings.append((b, f"Järjestelmälle \"{s.label}\" luetellaan tietoaineistoja mutta ei tietovarantoa; ne koottiin tietovarannoksi \"{s.label}\".",
                               f"The system \"{s.label}\" lists datasets but no information resource; they were gathered in a resource \"{s.label}\"."))
            d.resources.append(holder)
            s.resources.append(holder)
        holder.datasets += [Item(capitalize(x), b) for x in split_list(value)[0]]
    elif role == "area":
        found = vocab.service_area(value)
        if found:
            s.area = found.iri
        else:
            s.notes.append(Note(f"{key}: {value}", b, ("palvelualue, jota ei löydy yhteisestä luettelosta", "a service area not in the shared scheme")))
    elif role == "notice":
        s.notes.append(Note(f"{key}: {value}", b, ("selosteelle ei ole ominaisuutta mallissa", "the model has no property for a privacy notice")))
    elif role == "unit":
        s.notes.append(Note(f"{key}: {value}", b, ("vastuuyksikön tai -henkilön tekstiä ei tuoda rakenteisena",
                                                    "responsible unit or person text is not imported as structured data")))
    else:
        s.notes.append(Note(f"{key}: {value}", b, ("kohta, jolle ei ole paikkaa mallissa", "a key the model has no place for")))
