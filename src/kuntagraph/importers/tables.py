"""Tables (seed 002): Tietovaranto | Tietojen käyttötarkoitus | Keskeiset tietoaineistot | Tietojärjestelmät,
in any column order and with other column names, grouped under sector headings (lines, or rows with one
filled cell). Cells hold comma-separated lists; a row whose first column is empty continues the row above.
"""

from __future__ import annotations

import re

from . import vocab
from .model import Description, Item, Note, Resource, Sector, capitalize, clean_item, split_list
from .reading import Block

# Column roles by header text, tried in order ("Keskeiset tietovarannot" is a dataset column).
COLUMNS = [
    ("datasets", re.compile(r"keskeiset|tietoaineist|tietoryhm|aineistot|datasets?|data groups?", re.I)),
    ("systems", re.compile(r"järjestelm|jarjestelm|systems?\b|sovellu", re.I)),
    ("purpose", re.compile(r"käyttötarkoitu|kayttotarkoitu|tarkoitus|purpose", re.I)),
    ("search", re.compile(r"hakutekij|search", re.I)),
    ("interface", re.compile(r"rajapin|interface", re.I)),
    ("description", re.compile(r"^(kuvaus|lisätiedot|description)$", re.I)),
    ("area", re.compile(r"toimiala|palvelualue|tehtäväala|sektori|service area|sector", re.I)),
    ("resource", re.compile(r"tietovarant|rekisteri|^nimi$|information resource|^resource|register", re.I)),
]
_RULE = re.compile(r"^[\s\-=:_|+.]*$")


def column_role(text: str) -> str | None:
    t = text.strip()
    if not t or len(t) > 60:
        return None
    for role, rx in COLUMNS:
        if rx.search(t):
            return role
    return None


def is_header(cells: list[str]) -> bool:
    roles = [column_role(c) for c in cells if c.strip()]
    known = {r for r in roles if r}
    return len(known) >= 2 and ("resource" in known or {"datasets", "systems"} <= known) \
        and len(known) >= len([c for c in cells if c.strip()]) - 1


def parse(blocks: list[Block]) -> Description:
    d = Description(shape="table")
    header: list[str | None] | None = None
    header_texts: list[str] = []
    sector: Sector | None = None
    rows: list[tuple[Block, dict[str, str], dict[str, str]]] = []  # (where, role -> text, other column -> text)
    first_header_at = next((i for i, b in enumerate(blocks) if b.is_row and is_header(b.cells)), None)

    for i, b in enumerate(blocks):
        if not b.is_row:
            text = b.text.strip()
            if d.title is None and first_header_at is not None and i < first_header_at and not d.sectors \
                    and not _heads_table(blocks, i):
                d.title, d.title_where = text, b
                area = vocab.service_area(text)
                d.area = area.iri if area else None
                continue
            area = vocab.service_area(text)
            if area or _heads_table(blocks, i):
                sector = Sector(text, b, area.iri if area else None)
                d.sectors.append(sector)
                if not area:
                    d.warnings.append((b, f"Toimialaotsikko \"{text}\" ei vastaa yhteisen palvelualueluettelon aluetta.",
                                       f"The sector heading \"{text}\" matches no service area of the shared scheme."))
                continue
            if vocab.is_interface_statement(text):
                st = sector.st if sector else d.st
                st.open_interface, st.open_interface_text, st.open_interface_where = vocab.open_interface(text), text, b
                st.interface_urls += vocab.URL.findall(text)
                continue
            if re.search(r"hakutekij", text, re.I):
                st = sector.st if sector else d.st
                st.search_notes.append(text)
                st.search_criteria += [c.iri for c in vocab.search_criteria(text) if c.iri not in st.search_criteria]
                continue
            d.notes.append(Note(text, b, ("teksti taulukon ulkopuolella", "text outside the table")))
            continue
        cells = b.cells
        if all(_RULE.match(c) for c in cells):
            d.skipped += 1
            continue
        if is_header(cells):
            header = [column_role(c) for c in cells]
            header_texts = cells
            if "resource" not in header:  # the first unnamed column names the resource
                for k, r in enumerate(header):
                    if r is None:
                        header[k] = "resource"
                        break
            continue
        if header is None:
            d.notes.append(Note(" | ".join(c for c in cells if c), b, ("taulukon rivi ennen otsikkoriviä", "a table row before any header row")))
            continue
        by_role: dict[str, str] = {}
        other: dict[str, str] = {}
        for k, c in enumerate(cells):
            if not c:
                continue
            role = header[k] if k < len(header) else None
            if role:
                by_role[role] = (by_role[role] + "\n" + c) if role in by_role else c
            else:
                name = header_texts[k] if k < len(header_texts) and header_texts[k] else f"sarake {k + 1}"
                other[name] = c
        if not by_role.get("resource"):
            if rows and (by_role or other):
                _continue_row(rows[-1], by_role, other, b, d)
            else:
                d.notes.append(Note(" | ".join(c for c in cells if c), b, ("rivi ilman tietovarannon nimeä", "a row without a resource name")))
            continue
        rows.append((b, by_role, other, sector))

    for b, by_role, other, sec in rows:
        d.resources.append(_resource(b, by_role, other, sec, d))
    if header is None:
        d.truncated.append((None, "Taulukosta ei löytynyt otsikkoriviä.", "No header row was found in the table."))
    _check_cut_off(d, blocks, header)
    return d


def _heads_table(blocks: list[Block], i: int) -> bool:
    """A line directly followed by a header row (maybe after other lines) is a sector heading."""
    return i + 1 < len(blocks) and blocks[i + 1].is_row and is_header(blocks[i + 1].cells)


def _continue_row(row, by_role, other, b, d: Description):
    _, prev, prev_other, _ = row
    for role, text in by_role.items():
        if role in prev and prev[role]:
            # "…rakennuttamistehtävien" + "tietoaineistot, …": a phrase left open (a genitive or a hyphen at the
            # end, a lower-case start below) continues the same item; otherwise the row adds new items
            open_end = re.search(r"(ien|jen|den|ten|-)$", prev[role].rstrip(), re.I)
            sep = " " if text[:1].islower() and open_end else "\n"
            prev[role] = prev[role].rstrip() + sep + text
        else:
            prev[role] = text
    for name, text in other.items():
        prev_other[name] = (prev_other[name] + "\n" + text) if name in prev_other else text
    d.warnings.append((b, "Rivi ilman tietovarannon nimeä liitettiin edellisen rivin jatkoksi.",
                       "A row without a resource name was joined to the row above."))


def _resource(b: Block, by_role: dict, other: dict, sector: Sector | None, d: Description) -> Resource:
    name = clean_item(by_role["resource"].replace("\n", " "))
    area = None
    if by_role.get("area"):
        c = vocab.service_area(by_role["area"])
        area = c.iri if c else None
    r = Resource(name, b, area=area or (sector.area if sector else None) or d.area, sector=sector)
    if by_role.get("description"):
        r.descriptions.append(by_role["description"].strip())
    purposes, guessed = _split_lines(by_role.get("purpose", ""), missing_commas=True)
    datasets, guessed2 = _split_lines(by_role.get("datasets", ""), missing_commas=True)
    for g in guessed + guessed2:
        d.warnings.append((b, f"Jaettu kahdeksi kohdaksi puuttuvan pilkun kohdalta: {g}",
                           f"Split into two items where a comma seems to be missing: {g}"))
    for p in purposes:
        if not any(x.label.casefold() == p.casefold() for x in r.purposes):
            r.purposes.append(Item(capitalize(p), b))
    for ds in datasets:
        if not any(x.label.casefold() == ds.casefold() for x in r.datasets):
            r.datasets.append(Item(capitalize(ds), b))
    for s in _split_lines(by_role.get("systems", ""))[0]:
        if not any(x.label.casefold() == s.casefold() for x in r.systems):
            r.systems.append(Item(s, b))
    if by_role.get("search"):
        r.st.search_notes.append(by_role["search"].strip())
        r.st.search_criteria += [c.iri for c in vocab.search_criteria(by_role["search"])]
    if by_role.get("interface"):
        text = by_role["interface"].strip()
        r.st.open_interface, r.st.open_interface_text, r.st.open_interface_where = vocab.open_interface(text), text, b
        r.st.interface_urls += vocab.URL.findall(text)
    for col, text in other.items():
        r.notes.append(Note(f"{col}: {text}", b, ("sarake, jolle ei ole paikkaa mallissa", "a column the model has no place for")))
    return r


def _split_lines(text: str, missing_commas: bool = False) -> tuple[list[str], list[str]]:
    """split_list line by line: a line break in a cell ends an item (rows are joined with one), so a list of
    genitive modifiers is not joined across it ("Hoitotapahtumien kirjaaminen" / "Lasten, huoltajien ja …")."""
    items, guessed = [], []
    for line in text.split("\n"):
        found, g = split_list(line, missing_commas)
        items += found
        guessed += g
    return items, guessed


def _check_cut_off(d: Description, blocks: list[Block], header):
    if not blocks or header is None:
        return
    last = blocks[-1]
    if last.is_row:
        filled = [c for c in last.cells if c and not _RULE.match(c)]
        if filled and (filled[-1].rstrip().endswith(("-", "(")) or filled[-1].count("(") > filled[-1].count(")")):
            d.truncated.append((last, "Taulukon viimeinen rivi näyttää katkenneen kesken.",
                                "The last row of the table looks cut off."))
    elif last.text.rstrip().endswith((",", "-", "(", ":")):
        d.truncated.append((last, "Lähteen viimeinen rivi näyttää katkenneen kesken.", "The last line of the source looks cut off."))
