"""The resident's finder: "I want information about …" -> where the data is, whether it is public,
who decides and how to reach them, the search criteria to name, and a ready information request
(julkisuuslaki 621/1999 13 §). A fixed number of queries, whatever the number of hits."""

from dataclasses import dataclass, field

from .search import SearchIndex
from .store import Store
from .views import labels

FINDER_KINDS = {"InformationResource", "Dataset", "DataGroup"}

# Each UNION branch starts from VALUES: an unanchored branch would be evaluated over the whole store. The patterns
# all branches share are repeated in each, not joined after the UNION: pyoxigraph evaluated those first, over every
# resource of every municipality (0.4-0.6 s at 309 municipalities; so, 0.006-0.09 s).
RESOURCES_OF_HITS = """
SELECT DISTINCT ?hit ?r ?m WHERE {
  { VALUES ?hit { %(hits)s } ?r dcterms:hasPart ?hit . ?r a kg:InformationResource .
    ?desc dcterms:hasPart ?r ; dcterms:publisher ?m }
  UNION { VALUES ?hit { %(hits)s } ?d kg:dataGroup ?hit . ?r dcterms:hasPart ?d . ?r a kg:InformationResource .
    ?desc dcterms:hasPart ?r ; dcterms:publisher ?m }
  UNION { VALUES ?hit { %(hits)s } ?hit a kg:InformationResource . ?desc dcterms:hasPart ?hit ; dcterms:publisher ?m .
    BIND(?hit AS ?r) }
}"""
RESOURCE_DETAILS = """
SELECT DISTINCT ?r ?p ?o WHERE {
  { VALUES ?r { %(rs)s } ?r ?p ?o }
  UNION { VALUES ?r { %(rs)s } ?desc dcterms:hasPart ?r ; ?p ?o }
  FILTER(?p IN (kg:decidingAuthority, kg:searchCriterion, kg:searchCriteriaNote, kg:openInterface, kg:heldIn, kg:personalData))
}"""
CONTACTS = """
SELECT DISTINCT ?a ?c ?p ?o WHERE {
  { VALUES ?r { %(rs)s } ?r kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c ?p ?o }
  UNION { VALUES ?r { %(rs)s } ?desc dcterms:hasPart ?r ; kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c ?p ?o }
  UNION { VALUES ?r { %(rs)s } ?r kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c vcard:hasAddress ?addr . ?addr ?p ?o }
  UNION { VALUES ?r { %(rs)s } ?desc dcterms:hasPart ?r ; kg:decidingAuthority ?a . ?a dcat:contactPoint ?c . ?c vcard:hasAddress ?addr . ?addr ?p ?o }
  FILTER(?p IN (vcard:fn, vcard:title, vcard:hasTelephone, vcard:hasEmail, vcard:hasURL, vcard:street-address, vcard:postal-code, vcard:locality))
}"""
PUBLICITY = """
SELECT DISTINCT ?x ?pub ?basis WHERE {
  { VALUES ?x { %(xs)s } ?x kg:publicity ?pub }
  UNION { VALUES ?x { %(xs)s } ?x kg:dataGroup ?g . ?g kg:publicity ?pub }
  UNION { VALUES ?x { %(xs)s } ?x kg:secrecyBasis ?basis }
}"""


@dataclass
class Contact:
    authority: str
    authority_label: str
    person: str | None = None
    title: str | None = None
    telephones: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    address: str | None = None


@dataclass
class Answer:
    municipality: str
    municipality_label: str
    resource: str
    resource_label: str
    matches: list  # [(iri, label, kind)] the datasets / data groups that matched
    publicity: list  # [(iri, label)]
    secrecy_bases: list
    contacts: list  # [Contact]
    search_criteria: list  # labels
    search_criteria_note: str | None
    open_interface: str | None
    personal_data: bool
    request_text: str = ""

    @property
    def has_secret(self) -> bool:
        return any(p.endswith(("/secret", "/partly-secret")) for p, _ in self.publicity)


def find(store: Store, index: SearchIndex, text: str, lang: str, municipality: str | None = None, limit: int = 20) -> tuple[list[Answer], int]:
    result = index.search(text, lang=lang, municipality=municipality, kinds=FINDER_KINDS, limit=100)
    hits = {h.iri: h for h in result.hits}
    if not hits:
        return [], 0
    values = " ".join(f"<{i}>" for i in hits)
    by_resource: dict = {}
    for row in store.select(RESOURCES_OF_HITS % {"hits": values}):
        if municipality and row["m"] != municipality:
            continue
        entry = by_resource.setdefault((row["m"], row["r"]), {"hits": [], "score": 0.0})
        if row["hit"] != row["r"]:
            entry["hits"].append(row["hit"])
        entry["score"] = max(entry["score"], hits[row["hit"]].score)
    ranked = sorted(by_resource.items(), key=lambda kv: -kv[1]["score"])[:limit]
    if not ranked:
        return [], 0
    rs = {r for (_, r), _ in ranked}
    rvalues = " ".join(f"<{r}>" for r in rs)
    details: dict = {}
    for row in store.select(RESOURCE_DETAILS % {"rs": rvalues}):
        details.setdefault(row["r"], {}).setdefault(row["p"].rsplit("#", 1)[-1], set()).add(row["o"])
    contacts: dict = {}
    for row in store.select(CONTACTS % {"rs": rvalues}):
        c = contacts.setdefault(row["a"], {}).setdefault(row["c"], {})
        c.setdefault(row["p"].rsplit("#", 1)[-1], []).append(row["o"])
    matched = {h for _, e in ranked for h in e["hits"]}
    publicity: dict = {}
    for row in store.select(PUBLICITY % {"xs": " ".join(f"<{x}>" for x in matched | rs)}):
        p = publicity.setdefault(row["x"], {"pub": set(), "basis": set()})
        if row["pub"]:
            p["pub"].add(row["pub"])
        if row["basis"]:
            p["basis"].add(row["basis"])
    every = rs | matched | {m for (m, _), _ in ranked} | set(contacts)
    for d in details.values():
        for p in ("searchCriterion", "openInterface"):
            every |= d.get(p, set())
    every |= {x for p in publicity.values() for x in p["pub"]}
    names = labels(store, every, lang)
    answers = []
    for (m, r), entry in ranked:
        d = details.get(r, {})
        pubs = set().union(*(publicity.get(x, {}).get("pub", set()) for x in [r, *entry["hits"]]))
        bases = set().union(*(publicity.get(x, {}).get("basis", set()) for x in [r, *entry["hits"]]))
        people = []
        for a in sorted(d.get("decidingAuthority", ())):
            for c in contacts.get(a, {}).values():
                address = ", ".join(x for x in [(c.get("street-address") or [None])[0],
                                                " ".join(y for y in [(c.get("postal-code") or [""])[0], (c.get("locality") or [""])[0]] if y)] if x)
                people.append(Contact(a, names.get(a, a), (c.get("fn") or [None])[0], (c.get("title") or [None])[0],
                                      sorted(c.get("hasTelephone", [])), sorted(c.get("hasEmail", [])), sorted(c.get("hasURL", [])), address or None))
            if a not in contacts:
                people.append(Contact(a, names.get(a, a)))
        answer = Answer(
            municipality=m, municipality_label=names.get(m, m), resource=r, resource_label=names.get(r, r),
            matches=[(x, names.get(x, x), hits[x].kind) for x in dict.fromkeys(entry["hits"]) if x in hits],
            publicity=sorted((p, names.get(p, p)) for p in pubs), secrecy_bases=sorted(bases), contacts=people,
            search_criteria=sorted(names.get(x, x) for x in d.get("searchCriterion", ())),
            search_criteria_note=next(iter(d.get("searchCriteriaNote", ())), None),
            open_interface=next((names.get(x, x) for x in d.get("openInterface", ())), None),
            personal_data="true" in d.get("personalData", set()) or any(p.endswith("/secret") for p in pubs),
        )
        answer.request_text = request_text(answer, lang)
        answers.append(answer)
    return answers, len(by_resource)


TEMPLATES = {
    "fi": {
        "title": "TIETOPYYNTÖ",
        "to": "Vastaanottaja: {to}",
        "ask": "Pyydän julkisuuslain (621/1999) 13 §:n nojalla saada tiedon seuraavista asiakirjoista tai tiedoista:",
        "what": "– {what}, tietovaranto \"{resource}\" ({municipality})",
        "criteria": "Asiakirjat voi hakea seuraavilla hakutekijöillä: {criteria}",
        "criteria_blank": "Hakutekijät (esim. henkilön nimi, päivämäärä, diaarinumero): ____________",
        "own": "Jos pyyntö koskee omia tietojani, pyydän ne myös EU:n yleisen tietosuoja-asetuksen 15 artiklan nojalla.",
        "secret": "Tiedot ovat kuvauksen mukaan osittain salassa pidettäviä. Pyydän ne siltä osin kuin minulla on oikeus saada ne.",
        "form": "Toivon tiedot sähköisesti osoitteeseen: ____________",
        "decision": "Jos pyyntöä ei voida kokonaan toteuttaa, pyydän asian saattamista viranomaisen ratkaistavaksi ja valituskelpoista päätöstä (julkisuuslaki 14 §).",
        "sign": "Päiväys, nimi ja yhteystiedot: ____________",
        "unknown": "kunnan kirjaamo",
    },
    "sv": {
        "title": "BEGÄRAN OM UPPGIFTER",
        "to": "Mottagare: {to}",
        "ask": "Jag begär med stöd av 13 § i offentlighetslagen (621/1999) att få uppgifter om följande handlingar eller uppgifter:",
        "what": "– {what}, informationsresursen \"{resource}\" ({municipality})",
        "criteria": "Handlingarna kan sökas med följande sökkriterier: {criteria}",
        "criteria_blank": "Sökkriterier (t.ex. personens namn, datum, diarienummer): ____________",
        "own": "Om begäran gäller mina egna uppgifter begär jag dem också med stöd av artikel 15 i EU:s allmänna dataskyddsförordning.",
        "secret": "Enligt beskrivningen är uppgifterna delvis sekretessbelagda. Jag begär dem till den del jag har rätt att få dem.",
        "form": "Jag önskar få uppgifterna elektroniskt till adressen: ____________",
        "decision": "Om begäran inte kan uppfyllas helt ber jag att ärendet förs till myndigheten för avgörande och om ett överklagbart beslut (offentlighetslagen 14 §).",
        "sign": "Datum, namn och kontaktuppgifter: ____________",
        "unknown": "kommunens registratorskontor",
    },
    "en": {
        "title": "INFORMATION REQUEST",
        "to": "To: {to}",
        "ask": "Under section 13 of the Act on the Openness of Government Activities (621/1999) I request information on the following documents or data:",
        "what": "– {what}, information resource \"{resource}\" ({municipality})",
        "criteria": "The documents can be found with these search criteria: {criteria}",
        "criteria_blank": "Search criteria (e.g. person's name, date, record number): ____________",
        "own": "If the request concerns my own data, I also request it under Article 15 of the EU General Data Protection Regulation.",
        "secret": "According to the description, the data is partly secret. I request it to the extent I am entitled to it.",
        "form": "I would like the information electronically at: ____________",
        "decision": "If the request cannot be met in full, I ask that the matter be referred to the authority for a decision open to appeal (section 14 of the Act).",
        "sign": "Date, name and contact details: ____________",
        "unknown": "the municipality's registry office",
    },
}


def request_text(a: Answer, lang: str) -> str:
    t = TEMPLATES.get(lang, TEMPLATES["fi"])
    to = "; ".join(filter(None, [c.authority_label + (f" ({', '.join(x[4:] if x.startswith('tel:') else x for x in [*c.emails, *c.telephones])})" if c.emails or c.telephones else "")
                                 for c in a.contacts])) or t["unknown"]
    whats = [label for _, label, _ in a.matches] or [a.resource_label]
    lines = [t["title"], "", t["to"].format(to=to), "", t["ask"]]
    lines += [t["what"].format(what=w, resource=a.resource_label, municipality=a.municipality_label) for w in whats]
    lines += ["", t["criteria"].format(criteria=", ".join(a.search_criteria)) + ": ____________" if a.search_criteria else t["criteria_blank"]]
    if a.has_secret:
        lines += ["", t["secret"]]
    if a.personal_data:
        lines += [t["own"]]
    lines += ["", t["form"], t["decision"], "", t["sign"]]
    return "\n".join(lines)
