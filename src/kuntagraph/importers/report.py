"""The import report: what was read, what was placed where, what could not be placed, what looks cut off."""

from __future__ import annotations

from rdflib import RDF, URIRef

from .. import config

KG = config.CANONICAL_BASE + "def#"
FORMAT_NAMES = {"text": "plain text", "tsv": "tab-separated text", "csv": "CSV", "markdown": "markdown table",
                "html": "HTML", "xlsx": "XLSX workbook", "ods": "ODS spreadsheet"}


def _loc(b) -> dict:
    if b is None or b.line is None:
        return {}
    return {"line": b.line, **({"sheet": b.sheet} if b.sheet else {})}


def build_report(result, kunta: str, iris, output: str | None) -> dict:
    g, d, doc = result.graph, result.description, result.document
    resources = getattr(d, "resources", [])
    sectors = getattr(d, "sectors", [])

    def of_type(t):
        return sorted(set(g.subjects(RDF.type, URIRef(KG + t))))

    systems = of_type("SystemInstance")
    linked = [s for s in systems if (s, URIRef(KG + "instanceOf"), None) in g]
    unplaced = []
    holders = [("description", d.notes), *[(getattr(r, "iri", r.label), r.notes) for r in resources],
               *[(e.label, e.notes) for e in getattr(d, "systems", [])]]
    if getattr(d, "system", None) is not None:
        holders.append((d.system.label, d.system.notes))
    for holder, notes in holders:
        for n in notes:
            unplaced.append({**_loc(n.where), "text": n.text, "why": {"fi": n.why[0], "en": n.why[1]},
                             "kept_as": "skos:note", "on": holder})
    unplaced.sort(key=lambda u: u.get("line") or 0)
    warnings = [{**_loc(b), "fi": fi, "en": en} for b, fi, en in d.warnings]
    statements = [("description", d.st)] if hasattr(d, "st") else []
    statements += [(s.label, s.st) for s in sectors] + [(r.label, r.st) for r in resources]
    for _, st in statements:
        if st.open_interface == "yes" and not st.interface_urls:
            warnings.append({**_loc(st.open_interface_where), "fi": "Lähteen mukaan tiedot ovat avoimesti saatavilla rajapinnan kautta, mutta rajapinnan osoitetta ei kerrota.",
                             "en": "The source says the data is open through an interface but gives no address."})
    open_statements = [{"on": holder, "value": st.open_interface, "text": st.open_interface_text, **_loc(st.open_interface_where)}
                       for holder, st in statements if st.open_interface]
    return {
        "file": str(doc.path),
        "format": doc.format,
        "encoding": doc.encoding,
        "shape": d.shape,
        "kunta": kunta,
        "municipality": iris.thing(kunta),
        "output": output or "-",
        "blocks": len(doc.blocks),
        "title": d.title,
        "sectors": [{"label": s.label, **_loc(s.where), "service_area": s.area,
                     "resources": sum(1 for r in resources if r.sector is s)} for s in sectors],
        "counts": {
            "resources": len(resources) or len(of_type("InformationResource")),
            "datasets": len(of_type("Dataset")),
            "data_groups": len(of_type("DataGroup")),
            "purposes": len(of_type("Purpose")),
            "systems": len(systems),
            "systems_linked_to_product": len(linked),
            "reference_items": len(of_type("ReferenceItem")),
            "search_criteria": len(set(g.objects(None, URIRef(KG + "searchCriterion")))),
            "open_interface_statements": len(open_statements),
            "notes": len(unplaced),
            "triples": len(g),
        },
        "resources": [{"label": r.label, **_loc(r.where), "iri": getattr(r, "iri", None), "datasets": len(r.datasets),
                       "systems": [s.label for s in r.systems], "purposes": [p.label for p in [*d.purposes, *r.purposes]]}
                      for r in resources],
        "systems_without_product": sorted(str(g.value(s, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
                                          for s in systems if s not in linked),
        "open_interface": open_statements,
        "unplaced": unplaced,
        "skipped_rows": d.skipped,
        "warnings": warnings,
        "cut_off": [{**_loc(b), "fi": fi, "en": en} for b, fi, en in d.truncated],
        **_section28(d, doc),
    }


# what §28 asks a description to state, in the report's words, and how to tell that the import found it
LACKS = [
    ("resources", "tietovarannot (28 § 1 mom. 1 k.)", "information resources (section 28(1)(1))"),
    ("systems", "tietojärjestelmät (28 § 1 mom. 1 k.)", "information systems (section 28(1)(1))"),
    ("case_register", "asiarekisteri (28 § 1 mom. 1 k.)", "the case register (section 28(1)(1))"),
    ("authority", "tietojen luovuttamisesta päättävä tai vastaava viranomainen (28 § 1 mom. 2 k.)",
     "the authority deciding on disclosure or responsible (section 28(1)(2))"),
    ("contact", "yhteystiedot tietopyyntöä varten (28 § 1 mom. 2 k.)", "contact details for information requests (section 28(1)(2))"),
    ("datasets", "tietoaineistot (28 § 1 mom. 3 k.)", "datasets (section 28(1)(3))"),
    ("search_criteria", "hakutekijät (28 § 1 mom. 4 k.)", "search criteria (section 28(1)(4))"),
    ("open_interface", "tieto saatavuudesta avoimesti teknisen rajapinnan avulla (28 § 1 mom. 5 k.)",
     "whether the data is open through a technical interface (section 28(1)(5))"),
]


def _section28(d, doc) -> dict:
    """What the general reader found of §28 beyond resources: the case register, the responsible and deciding
    bodies, the contact channels; what the description lacks; and where every line of the source went."""
    if getattr(d, "shape", "") != "prose":
        return {}
    resources = d.resources
    statements = [d.st, *(s.st for s in d.sectors), *(r.st for r in resources)]
    parties = [*d.parties, *(p for r in resources for p in r.parties)]
    found = {
        "resources": bool(resources), "case_register": d.case_register is not None,
        "systems": bool(d.systems or d.case_register_systems or any(r.systems for r in resources)),
        "authority": bool(parties), "contact": bool(d.contacts),
        "datasets": any(r.datasets for r in resources),
        "search_criteria": any(st.search_criteria or st.search_notes for st in statements),
        "open_interface": any(st.open_interface for st in statements),
    }
    lines = _line_account(d, doc)
    return {
        "source_url": d.source_url,
        "case_register": None if d.case_register is None else {
            "label": d.case_register.label, **_loc(d.case_register.where),
            "systems": [s.label for s in d.case_register_systems]},
        "authorities": [{"label": p.label, "role": p.role, **_loc(p.where)} for p in parties],
        "contacts": [{"kind": c.kind, "value": c.value, **_loc(c.where)} for c in d.contacts],
        "lacks": [{"item": k, "fi": fi, "en": en} for k, fi, en in LACKS if not found[k]],
        "lines": lines,
    }


def _line_account(d, doc) -> dict:
    """Every non-blank line (text) or block (HTML, Word, PDF) of the source in exactly one place: an item, a
    description text, a note, or boilerplate of a named kind."""
    counts: dict[str, int] = {}
    for _, w in d.placed:
        counts[w] = counts.get(w, 0) + 1
    return {"total": len(d.placed), "by_place": dict(sorted(counts.items())),
            "each": [{"line": b.line, **({"page": b.page} if b.page else {}), "place": w} for b, w in d.placed]}


TEXT = {
    "fi": {"read": "Luettu {file} ({format}{enc}, {blocks} riviä/lohkoa), muoto: {shape}",
           "shape": {"table": "taulukko", "sections": "tietovarannoittaiset osiot", "library": "sisältökirjaston luettelo",
                     "form": "tietojärjestelmän kuvauslomake", "systems": "järjestelmäkohtainen luettelo",
                     "prose": "vapaa teksti, otsikot ja luettelot"},
           "count": {"resources": "{n} tietovarantoa", "datasets": "{n} tietoaineistoa", "data_groups": "{n} tietoryhmää",
                     "purposes": "{n} käyttötarkoitusta", "systems": "{n} tietojärjestelmää ({systems_linked_to_product} tunnistettu tuotteeksi)",
                     "reference_items": "{n} sisältökirjaston kohdetta", "search_criteria": "{n} hakutekijää",
                     "open_interface_statements": "{n} rajapintalausetta", "notes": "{n} huomautusta", "nothing": "ei mitään"},
           "missing_violations": "Kuvauksesta puuttuu tai ei riitä ({n} virhettä, korjattava ennen julkaisua):",
           "missing_warnings": "Kuvauksesta ei käy ilmi ({n} varoitusta, lisättävä jos tieto on olemassa):",
           "valid": "Tarkistus: kuvaus täyttää kaikki muodot.",
           "sector": "  toimiala: {label} -> {area} ({resources} tietovarantoa)",
           "no_area": "ei palvelualuetta",
           "noprod": "Tuotteeksi tunnistamattomat järjestelmät: {names}",
           "open": "Rajapintatieto ({on}): {value}",
           "unplaced": "Ei voitu sijoittaa ({n}), säilytetty huomautuksena (skos:note):",
           "warnings": "Huomioita:",
           "cut": "LÄHDE VAIKUTTAA KATKENNEELTA:",
           "skipped": "Ohitettu {n} sisällötöntä taulukkoriviä (esim. --|--)",
           "alignment": "Sisältökirjaston vastineet ({n} kohdetta, pisteet 0–1):",
           "aligned": "Tallennettu {n} linkkiä kg:reference (paras vastine, kun pisteet ≥ {threshold}).",
           "not_aligned": "Linkkejä ei tallennettu: --align tallentaa parhaan vastineen, kun pisteet ≥ {threshold}.",
           "kinds": {"Process": "toimintaprosessi", "InformationResource": "tietovaranto", "Dataset": "tietoaineisto",
                     "Purpose": "käyttötarkoitus"},
           "line": "rivi", "wrote": "Kirjoitettu: {out}",
           "case_register": "Asiarekisteri: {label} (rivi {line}); järjestelmät: {systems}",
           "authority": "Viranomainen ({role}): {label} (rivi {line})",
           "roles": {"responsible": "vastaa", "deciding": "päättää luovuttamisesta", "unit": "vastuuyksikkö"},
           "contacts": "Yhteystiedot:",
           "channels": {"registry": "kirjaamo tai vastaanottaja", "email": "sähköposti", "phone": "puhelin",
                        "address": "osoite", "url": "verkko-osoite"},
           "lacks": "Lähteestä ei löytynyt (28 §):",
           "account": "Lähteen {n} riviä: {places}",
           "places": {"item": "kohteina", "description": "kuvausteksteinä", "note": "huomautuksina",
                      "boilerplate": "ohitettu"},
           "boilerplate": {"source address": "sivun osoite", "navigation": "navigointi", "image text": "kuvan teksti",
                           "law quoted or paraphrased": "lakiteksti tai sen mukaelma", "definition": "määritelmä",
                           "about the description": "kuvausta itseään koskeva", "group heading": "ryhmän otsikko",
                           "cut-off fragment": "katkennut loppu"}},
    "en": {"read": "Read {file} ({format}{enc}, {blocks} lines/blocks), shape: {shape}",
           "shape": {"table": "table", "sections": "per-resource sections", "library": "content-library list",
                     "form": "system description form", "systems": "system-centric list",
                     "prose": "prose, headings and lists"},
           "count": {"resources": "{n} information resources", "datasets": "{n} datasets", "data_groups": "{n} data groups",
                     "purposes": "{n} purposes", "systems": "{n} systems ({systems_linked_to_product} linked to a product)",
                     "reference_items": "{n} reference items", "search_criteria": "{n} search criteria",
                     "open_interface_statements": "{n} open-interface statements", "notes": "{n} notes", "nothing": "nothing"},
           "missing_violations": "Missing or insufficient ({n} violations, to be fixed before publishing):",
           "missing_warnings": "Not stated ({n} warnings, to be added where the information exists):",
           "valid": "Check: the description meets every shape.",
           "sector": "  sector: {label} -> {area} ({resources} resources)",
           "no_area": "no service area",
           "noprod": "Systems not linked to a product: {names}",
           "open": "Open interface ({on}): {value}",
           "unplaced": "Could not be placed ({n}), kept as skos:note:",
           "warnings": "Warnings:",
           "cut": "THE SOURCE LOOKS CUT OFF:",
           "skipped": "Skipped {n} table rows without content (e.g. --|--)",
           "alignment": "Reference library matches ({n} items, scores 0–1):",
           "aligned": "Stored {n} kg:reference links (the best match, when it scores ≥ {threshold}).",
           "not_aligned": "No links stored: --align stores the best match when it scores ≥ {threshold}.",
           "kinds": {"Process": "process", "InformationResource": "information resource", "Dataset": "dataset",
                     "Purpose": "purpose"},
           "line": "line", "wrote": "Written: {out}",
           "case_register": "Case register: {label} (line {line}); systems: {systems}",
           "authority": "Authority ({role}): {label} (line {line})",
           "roles": {"responsible": "responsible", "deciding": "decides on disclosure", "unit": "responsible unit"},
           "contacts": "Contact:",
           "channels": {"registry": "registry or addressee", "email": "e-mail", "phone": "telephone",
                        "address": "address", "url": "web address"},
           "lacks": "Not found in the source (section 28):",
           "account": "The source's {n} lines: {places}",
           "places": {"item": "as items", "description": "as description text", "note": "as notes",
                      "boilerplate": "skipped"},
           "boilerplate": {}},
}


def _counts(t: dict, counts: dict) -> str:
    """"3 tietovarantoa, 16 tietoaineistoa, ...": only what the import found (a form has no resources)."""
    parts = [t["count"][k].format(n=n, **counts) for k, n in counts.items() if n and k in t["count"]]
    return ", ".join(parts) or t["count"]["nothing"]


def _missing(t: dict, validation: dict, lang: str) -> list[str]:
    """The shapes' findings on the output, grouped by message: what the clerk should add or correct."""
    out = []
    for severity in ("violations", "warnings"):
        groups: dict[str, list[str]] = {}
        for f in validation[severity]:
            groups.setdefault(f[lang], []).append(f["focus"].rstrip("/").rsplit("/", 1)[-1])
        if groups:
            out.append(t["missing_" + severity].format(n=len(validation[severity])))
        for message, focus in groups.items():
            more = f" (+{len(focus) - 3})" if len(focus) > 3 else ""
            out.append(f"  {len(focus)} × {message}  [{', '.join(focus[:3])}{more}]")
    return out


def render_text(report: dict, lang: str = "fi") -> str:
    t = TEXT[lang]
    out = [t["read"].format(file=report["file"], format=FORMAT_NAMES.get(report["format"], report["format"]),
                            enc=f", {report['encoding']}" if report["encoding"] else "", blocks=report["blocks"],
                            shape=t["shape"].get(report["shape"], report["shape"])),
           _counts(t, report["counts"])]
    for s in report["sectors"]:
        area = s["service_area"].rsplit("/", 1)[-1] if s["service_area"] else t["no_area"]
        out.append(t["sector"].format(label=s["label"], area=area, resources=s["resources"]))
    for o in report["open_interface"]:
        out.append(t["open"].format(on=o["on"], value=o["value"]))
    if report["systems_without_product"]:
        out.append(t["noprod"].format(names=", ".join(report["systems_without_product"])))
    if report["skipped_rows"]:
        out.append(t["skipped"].format(n=report["skipped_rows"]))

    def where(x):
        if "line" not in x:
            return ""
        return (f"{x['sheet']}, " if x.get("sheet") else "") + f"{t['line']} {x['line']}: "

    if report["unplaced"]:
        out.append(t["unplaced"].format(n=len(report["unplaced"])))
        out += [f"  {where(u)}{u['text']}  [{u['why'][lang]}]" for u in report["unplaced"]]
    if report["warnings"]:
        out.append(t["warnings"])
        out += [f"  {where(w)}{w[lang]}" for w in report["warnings"]]
    if report.get("case_register"):
        cr = report["case_register"]
        out.append(t["case_register"].format(label=cr["label"], line=cr.get("line", "?"),
                                             systems=", ".join(cr["systems"]) or "–"))
    for a in report.get("authorities", []):
        out.append(t["authority"].format(label=a["label"], role=t["roles"][a["role"]], line=a.get("line", "?")))
    if report.get("contacts"):
        out.append(t["contacts"] + " " + "; ".join(f"{c['value']} ({t['channels'][c['kind']]})" for c in report["contacts"]))
    if report.get("lacks"):
        out.append(t["lacks"])
        out += [f"  {x[lang]}" for x in report["lacks"]]
    if report.get("lines"):
        places = ", ".join(f"{t['places'].get(k.split(':', 1)[0], k)}"
                           f"{(' (' + t['boilerplate'].get(k.split(':', 1)[1], k.split(':', 1)[1]) + ')') if ':' in k else ''}: {n}"
                           for k, n in report["lines"]["by_place"].items())
        out.append(t["account"].format(n=report["lines"]["total"], places=places))
    if report["cut_off"]:
        out.append(t["cut"])
        out += [f"  {where(w)}{w[lang]}" for w in report["cut_off"]]
    if report.get("alignment"):
        out.append(t["alignment"].format(n=len(report["alignment"])))
        out += [f"  {a['label']} [{t['kinds'][a['kind']]}] -> "
                + "; ".join(f"{c['label']} {c['score']:.2f}" for c in a["suggestions"]) for a in report["alignment"]]
        stored = report["alignment_stored"]
        out.append((t["not_aligned"] if stored is None else t["aligned"]).format(n=stored, threshold=report["alignment_threshold"]))
    if "validation" in report:
        out += _missing(t, report["validation"], lang) or [t["valid"]]
    out.append(t["wrote"].format(out=report["output"]))
    return "\n".join(out)


PARTS = {"fi": {"fetched": "Haettu {n} sivua osoitteesta {url} ({bytes} tavua)", "read": "Luettu {n} tiedostoa yhdeksi kuvaukseksi",
                "page": "== {url} (haettu {retrieved})", "file": "== {url}", "skipped": "Ohitettu:"},
         "en": {"fetched": "Fetched {n} pages from {url} ({bytes} bytes)", "read": "Read {n} files as one description",
                "page": "== {url} (retrieved {retrieved})", "file": "== {url}", "skipped": "Skipped:"}}


def render_parts(report: dict, lang: str = "fi") -> str:
    """The report of a description in parts (`kuntagraph import URL`, or several files): what was fetched or read
    and skipped, then each part's report."""
    t = PARTS[lang]
    c = report.get("crawl")
    if c:
        out = [t["fetched"].format(n=len(c["pages"]), url=report["url"], bytes=c["bytes"])]
        retrieved, skipped = {p["url"]: p["retrieved"] for p in c["pages"]}, c["skipped"]
    else:
        out, retrieved, skipped = [t["read"].format(n=len(report["files"]))], None, report["skipped"]
    for page in report["pages"]:
        out.append(t["page"].format(url=page["file"], retrieved=retrieved.get(page["file"], "?")) if retrieved is not None
                   else t["file"].format(url=page["file"]))
        out.append(render_text({**page, "output": page["output"]}, lang).rsplit("\n", 1)[0])
    if skipped:
        out.append(t["skipped"])
        out += [f"  {s['url']}: {s['why']}" for s in skipped]
    if "validation" in report:
        out += _missing(TEXT[lang], report["validation"], lang) or [TEXT[lang]["valid"]]
    out.append(TEXT[lang]["wrote"].format(out=report["output"]))
    return "\n".join(out)
