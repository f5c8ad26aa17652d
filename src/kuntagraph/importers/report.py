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
    }


TEXT = {
    "fi": {"read": "Luettu {file} ({format}{enc}, {blocks} riviä/lohkoa), muoto: {shape}",
           "shape": {"table": "taulukko", "sections": "tietovarannoittaiset osiot", "library": "sisältökirjaston luettelo",
                     "form": "tietojärjestelmän kuvauslomake", "systems": "järjestelmäkohtainen luettelo"},
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
           "line": "rivi", "wrote": "Kirjoitettu: {out}"},
    "en": {"read": "Read {file} ({format}{enc}, {blocks} lines/blocks), shape: {shape}",
           "shape": {"table": "table", "sections": "per-resource sections", "library": "content-library list",
                     "form": "system description form", "systems": "system-centric list"},
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
           "line": "line", "wrote": "Written: {out}"},
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
