"""Per-resource sections (seed 001) and labelled bullets: heading, description, then "Tietoaineistot",
"Tietojärjestelmät", "Hakutekijät, joilla asiakirjoja on mahdollista hakea" and an open-interface sentence,
per resource, per service area or once for the whole page.

A heading names an information resource when, before the next heading, the text under it has one of the
field headings (or a labelled line such as "Keskeiset tietoaineistot: a, b."). A heading that names a
service area and is followed by resources opens a service area. Everything else is kept as a note.
"""

from __future__ import annotations

import re

from . import vocab
from .model import (Description, Item, Note, Resource, Sector, capitalize, clean_item,
                    purpose_sentence, split_list, strip_bullet)
from .reading import Block

# Field headings, in the order they are tried (the interface heading also starts with "Tietoaineistojen").
FIELDS = [
    ("interface", re.compile(r"(saatavuus|saatavilla|avoimuus).*rajapin|^(avoimet\s+)?(tekniset\s+)?rajapinna?t?$|^open (technical )?interfaces?$", re.I)),
    ("search", re.compile(r"^hakutekij|^search criteria", re.I)),
    ("datasets", re.compile(r"^(keskeiset\s+|tietovarannon\s+|sisältyvät\s+)?(tietoaineisto(t|jen)?|tietoryhmät|aineistot)\b|^datasets?$", re.I)),
    ("systems", re.compile(r"^(tietovarannon\s+|käytettävät\s+|käytössä\s+olevat\s+)?(tieto)?järjestelmä(t|n)?\b|^(information\s+)?systems?$", re.I)),
    ("purpose", re.compile(r"^(tietojen\s+|tietovarannon\s+|rekisterin\s+)?käyttötarkoitu(s|kset)$|^purposes?$", re.I)),
    ("description", re.compile(r"^(kuvaus|tietovarannon kuvaus|description)$", re.I)),
    ("authority", re.compile(r"^(vastuu\w*|päättävä\s+viranomainen|viranomainen|rekisterinpitäjä|yhteystiedot|tietopyynnöt|lisätietoja)\b", re.I)),
]
_LABELLED = re.compile(r"^(?P<label>[^:]{3,60}?)\s*:\s*(?P<value>.+)$")
_SEE = re.compile(r"^(katso|ks\.|see)\b", re.I)
_TERMINAL = (".", "!", "?", ":")


def field_of(text: str) -> str | None:
    t = text.strip().rstrip(":").strip()
    if not t or t.endswith((".", "!", "?")) or len(t.split()) > 10 or vocab.URL.search(t) or vocab.is_interface_statement(t):
        return None
    for name, rx in FIELDS:
        if rx.search(t):
            return name
    return None


def labelled(text: str) -> tuple[str, str] | None:
    m = _LABELLED.match(text.strip())
    if not m:
        return None
    f = field_of(m.group("label"))
    return (f, m.group("value").strip()) if f else None


_PAIR = re.compile(r"^(?P<label>[^:]{3,80}?)\s*:\s*(?P<value>[^:]{3,})$")


def pair(text: str) -> tuple[str, str] | None:
    """"Asiakasrekisteri: sosiaalihuollon asiakkuuksien hoitaminen" -> (resource, purpose)."""
    m = _PAIR.match(text.strip())
    if not m or vocab.URL.search(text) or _SEE.match(text.strip()):
        return None
    label = clean_item(m.group("label"))
    if len(label.split()) > 8 or not label[:1].isupper() or field_of(label) or label.endswith((".", "!", "?")):
        return None
    return label, clean_item(m.group("value"))


def is_heading(b: Block) -> bool:
    if b.is_row:
        return False
    if b.heading:
        return True
    text = b.text.strip()
    _, bulleted = strip_bullet(text)
    return (not bulleted and not b.item and not text.endswith(_TERMINAL) and len(text) <= 120
            and len(text.split()) <= 14 and not vocab.is_interface_statement(text))


def parse(blocks: list[Block]) -> Description:
    blocks = [_flatten(b) for b in blocks]
    kinds = []  # per block: "field", "labelled", "heading", "text"
    for b in blocks:
        if field_of(b.text) and not b.item:
            kinds.append("field")
        elif labelled(b.text):
            kinds.append("labelled")
        elif is_heading(b):
            kinds.append("heading")
        else:
            kinds.append("text")
    # "Tietovaranto: käyttötarkoitus" pairs: lines "Label: value" whose label is no field, when there are several
    pair_at = {i for i, (b, k) in enumerate(zip(blocks, kinds)) if k in ("text", "heading") and pair(b.text)}
    if len(pair_at) >= 2 and not any(k == "field" for k in kinds):
        for i in pair_at:
            kinds[i] = "pair"
    # A heading names a resource when datasets or systems follow it before the next heading.
    lists = [(field_of(b.text) if k == "field" else (labelled(b.text) or (None,))[0] if k == "labelled" else None)
             in ("datasets", "systems") for b, k in zip(blocks, kinds)]
    resource_at = set()
    for i, k in enumerate(kinds):
        if k != "heading":
            continue
        for j in range(i + 1, len(blocks)):
            if lists[j]:
                resource_at.add(i)
                break
            if kinds[j] == "heading" or (blocks[j].item and kinds[j] == "text"):
                break

    d = Description(shape="sections")
    current: Resource | None = None
    sector: Sector | None = None
    field: str | None = None
    seen_content = False
    last_note: Note | None = None

    def keep(text, b, why):
        nonlocal last_note
        holder = current.notes if current else d.notes
        if last_note is not None and _SEE.match(text) and last_note in holder:
            last_note.text = f"{last_note.text}: {text[:1].lower()}{text[1:]}"
            last_note.why = why
            return
        last_note = Note(text, b, why)
        holder.append(last_note)

    for i, (b, k) in enumerate(zip(blocks, kinds)):
        text = b.text.strip()
        if i in resource_at:
            area = vocab.service_area(text)
            current = Resource(text, b, area=area.iri if area else (sector.area if sector and sector.area else d.area),
                               sector=sector)
            d.resources.append(current)
            field, last_note, seen_content = None, None, True
            continue
        if k == "field":
            field = field_of(text)
            last_note = None
            nxt = kinds[i + 1] if i + 1 < len(kinds) else None
            if nxt in ("field", "heading", "labelled") and i + 1 < len(kinds):
                d.warnings.append((b, f"Otsikon \"{text}\" alla ei ole mitään.", f"Nothing under the heading \"{text}\"."))
            continue
        if k == "pair":
            label, value = pair(text)
            area = sector.area if sector and sector.area else d.area
            current = Resource(label, b, area=area, sector=sector)
            current.purposes += [Item(capitalize(clean_item(p)), b) for p in value.split(";") if clean_item(p)]
            d.resources.append(current)
            field, last_note, seen_content = None, None, True
            continue
        if k == "labelled":
            field, value = labelled(text)
            last_note = None
            if field == "authority":
                keep(text, b, ("viranomaisen tai yhteystietojen tekstiä ei tuoda rakenteisena",
                               "authority or contact text is not imported as structured data"))
            elif field == "description":
                (current.descriptions if current else d.descriptions).append(value)
            else:
                _put(d, current, sector, field, value, b, labelled_line=True)
            continue
        if k == "heading":
            field = None
            if d.title is None and not seen_content:
                d.title, d.title_where = text, b
                area = vocab.service_area(text)
                d.area = area.iri if area else None
                seen_content = True
                continue
            area = None if _SEE.match(text) else vocab.service_area(text)
            follows_resource = any(j in resource_at for j in range(i + 1, min(len(blocks), i + 40)))
            opens_pairs = i + 1 < len(kinds) and kinds[i + 1] == "pair"
            if opens_pairs and not area:
                d.warnings.append((b, f"Toimialaotsikko \"{text}\" ei vastaa yhteisen palvelualueluettelon aluetta.",
                                   f"The sector heading \"{text}\" matches no service area of the shared scheme."))
            if opens_pairs or (area and follows_resource and _next_heading_is_resource(i, kinds, resource_at)):
                sector = Sector(text, b, area.iri if area else None)
                d.sectors.append(sector)
                current, last_note = None, None
                continue
            keep(text, b, ("otsikko, jota ei voitu liittää tietovarantoon", "a heading that could not be placed"))
            continue
        seen_content = True
        if field in ("datasets", "systems", "search", "interface", "purpose"):
            _put(d, current, sector, field, text, b)
            continue
        if field == "authority":
            keep(text, b, ("viranomaisen tai yhteystietojen tekstiä ei tuoda rakenteisena",
                           "authority or contact text is not imported as structured data"))
            continue
        # description text (after a resource heading, a description heading or the title)
        if vocab.is_interface_statement(text):
            _put(d, current, sector, "interface", text, b)
        elif purpose_sentence(text):
            _put(d, current, sector, "purpose", text, b)
        elif re.search(r"hakutekij", text, re.I):
            _put(d, current, sector, "search", text, b)
        elif strip_bullet(text)[1] or b.item:
            keep(strip_bullet(text)[0], b, ("luettelon kohta ilman otsikkoa", "a list item under no field heading"))
        elif current is not None:
            current.descriptions.append(text)
        elif sector is None:
            d.descriptions.append(text)
        else:
            keep(text, b, ("palvelualueen kuvaus", "text describing a service area"))
    _check_cut_off(d, blocks, kinds)
    return d


def _next_heading_is_resource(i, kinds, resource_at) -> bool:
    for j in range(i + 1, len(kinds)):
        if kinds[j] == "heading":
            return j in resource_at
    return False


def _flatten(b: Block) -> Block:
    if b.is_row:
        return Block(b.line, " | ".join(c for c in b.cells if c), sheet=b.sheet)
    return b


def _put(d: Description, current: Resource | None, sector: Sector | None, field: str, text: str, b: Block,
         labelled_line: bool = False):
    st = current.st if current else (sector.st if sector else d.st)
    holder_notes = current.notes if current else d.notes
    item, bulleted = strip_bullet(text)
    bulleted = bulleted or b.item
    if field == "datasets":
        if current is None:
            holder_notes.append(Note(item, b, ("tietoaineisto, jolle ei löytynyt tietovarantoa",
                                               "a dataset listed under no information resource")))
            return
        names = [clean_item(item)] if bulleted and not labelled_line else split_list(item)[0]
        for n in names:
            if n and not any(x.label.casefold() == capitalize(n).casefold() for x in current.datasets):
                current.datasets.append(Item(capitalize(n), b))
    elif field == "systems":
        if current is None:
            holder_notes.append(Note(item, b, ("tietojärjestelmä, jolle ei löytynyt tietovarantoa",
                                               "a system listed under no information resource")))
            return
        for n in split_list(item)[0]:
            if n and not any(x.label.casefold() == n.casefold() for x in current.systems):
                current.systems.append(Item(n, b))
    elif field == "search":
        found = vocab.search_criteria(item)
        st.search_notes.append(item if item.endswith(".") or not text.endswith(".") else text)
        for c in found:
            if c.iri not in st.search_criteria:
                st.search_criteria.append(c.iri)
    elif field == "interface":
        if not vocab.is_interface_statement(item) and not re.search(r"\b(kyllä|ei|osittain|yes|no|partly)\b", item, re.I):
            holder_notes.append(Note(item, b, ("rajapintaotsikon alla oleva teksti ilman saatavuustietoa",
                                               "text under the interface heading that states no availability")))
            return
        value = vocab.open_interface(item)
        if st.open_interface and st.open_interface != value:
            d.warnings.append((b, f"Rajapintatieto annettu uudelleen eri arvolla ({st.open_interface} -> {value}); käytetään ensimmäistä.",
                               f"Open-interface availability stated again with another value ({st.open_interface} -> {value}); the first is kept."))
            holder_notes.append(Note(item, b, ("toinen rajapintalause", "a second open-interface statement")))
            return
        st.open_interface, st.open_interface_text, st.open_interface_where = value, item, b
        st.interface_urls += [u for u in vocab.URL.findall(item) if u not in st.interface_urls]
    elif field == "purpose":
        p = purpose_sentence(item) or capitalize(clean_item(item))
        if current is not None:
            current.purposes.append(Item(p, b))
            if purpose_sentence(item) is None and not labelled_line:
                pass
        else:
            d.purposes.append(Item(p, b))
            if sector is None:
                d.descriptions.append(item)


def _check_cut_off(d: Description, blocks: list[Block], kinds: list[str]):
    if not blocks:
        return
    last, k = blocks[-1], kinds[-1]
    text = last.text.strip()
    if k == "field":
        d.truncated.append((last, f"Lähde vaikuttaa katkenneelta: se päättyy otsikkoon \"{text}\" ilman sisältöä.",
                            f"The source looks cut off: it ends with the heading \"{text}\" and nothing under it."))
    elif text.endswith((",", "-", ";", ":", "(")) or (k == "text" and not last.item and not strip_bullet(text)[1]
                                                      and not text.endswith((".", "!", "?", ")")) and len(text.split()) > 14):
        d.truncated.append((last, "Lähteen viimeinen rivi näyttää katkenneen kesken.",
                            "The last line of the source looks cut off."))
    if d.resources:
        r = d.resources[-1]
        if not (r.datasets or r.systems or r.descriptions or r.purposes or r.st.search_notes):
            d.truncated.append((r.where, f"Viimeisellä tietovarannolla \"{r.label}\" ei ole sisältöä: lähde voi olla katkennut.",
                                f"The last information resource \"{r.label}\" has no content: the source may be cut off."))
