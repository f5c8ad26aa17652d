"""The DCAT-AP 3 projection of the same graphs, for national harvesters (avoindata.fi / ckanext-dcat,
data.europa.eu / piveau). Nothing is copied: each page is computed from the store.

- Information resources and datasets are dcat:Dataset under their own, stable IRIs; the publisher is the
  owner of the graph that holds them (a municipality, or a consortium for what its members share).
- Theme from the service area, access rights from the publicity class, contact point from the deciding
  authority, applicable legislation 906/2019 (and a purpose's legal basis where known), dct:modified from
  the graph's provenance.
- Secret data (906/2019 28 § 2 mom.): a secret dataset is named, NON_PUBLIC, and has no distribution.
- Paged with Hydra: the page node is both hydra:PagedCollection and hydra:PartialCollectionView, with
  hydra:totalItems and first/last/next/previous in both spellings; every page is self-contained.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pyoxigraph as ox

from .memory import give_back
from .packed import Packed, codes
from .rdffiles import ORGANISATION_TYPES
from .publish import RECORDS
from .store import Store
from .languages import best_label
from .views import membership

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
DCATAP = "http://data.europa.eu/r5r/"
ELI = "http://data.europa.eu/eli/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
EU = "http://publications.europa.eu/resource/authority/"
KG = "https://w3id.org/kuntagraph/def#"
VOCAB = "https://w3id.org/kuntagraph/vocab/"
ACT_906 = "http://data.finlex.fi/eli/sd/2019/906"
PAGE_SIZE = 100

# Service area -> EU data theme (https://op.europa.eu/en/web/eu-vocabularies/concept-scheme/-/resource?uri=http://publications.europa.eu/resource/authority/data-theme)
THEMES = {
    "administration": "GOVE", "records-management": "GOVE", "ict-services": "GOVE",
    "welfare": "SOCI", "education-and-culture": "EDUC", "culture-and-leisure": "EDUC", "library": "EDUC",
    "early-childhood-education": "EDUC", "basic-education": "EDUC", "technical-services": "REGI",
}
ACCESS = {"public": "PUBLIC", "partly-secret": "RESTRICTED", "secret": "NON_PUBLIC"}
LANGUAGES = {"fi": "FIN", "sv": "SWE", "en": "ENG"}
THEME_LABELS = {"GOVE": "Government and public sector", "SOCI": "Population and society",
                "EDUC": "Education, culture and sport", "REGI": "Regions and cities"}


class CatalogError(ValueError):
    """A request the feed cannot answer (a bad page number or instant); the message says why."""


@dataclass
class Page:
    triples: list
    total: int
    page: int
    last: int


# VALUES, not FILTER IN, here too: 1.7 s instead of 3.1 s at national scale (133,000 items).
ITEMS = """
SELECT ?item ?g WHERE { VALUES ?kind { kg:InformationResource kg:CaseRegister kg:Dataset } GRAPH ?g { ?item a ?kind } }"""
# A graph's last change: its import or transcription activity, a dct:modified inside it, or the time the
# publishing service recorded for it in graph/records on its last write (publish.py).
GRAPH_MODIFIED = """
SELECT ?g (MAX(?t) AS ?modified) WHERE {
  { GRAPH ?g { { ?a a prov:Activity ; prov:endedAtTime ?t } UNION { ?x dcterms:modified ?t } } FILTER(?g != <RECORDS>) }
  UNION { GRAPH <RECORDS> { ?g dcterms:modified ?t } }
} GROUP BY ?g"""
# VALUES, not FILTER IN: the filter was applied to every typed node of the store (220 ms at national scale; 3.5 ms).
OWNERS = """
SELECT ?g ?owner WHERE { VALUES ?kind { """ + " ".join(f"kg:{t}" for t in (*ORGANISATION_TYPES, "Consortium")) + """ }
  GRAPH ?g { ?owner a ?kind } }"""


class Listing:
    """Every item of the feed with its graph and that graph's last change, [(item, graph, modified)] in the feed's
    stable order (by IRI), and which municipalities each graph describes. Reads the whole store: the server keeps
    it once per data version, packed (packed.py): at national scale 133,000 items took 120 MB as tuples."""

    def __init__(self, items: list[tuple[str, str, str | None]], members: dict):
        self._iris = Packed([item for item, _, _ in items])
        graphs, self._graph = codes([(g, modified or "") for _, g, modified in items])
        # Packed too, though there are only as many as graphs: a few hundred strings made among the read's
        # temporary objects would each keep a megabyte of the heap from being given back.
        self._graph_iris, self._modified = Packed([g for g, _ in graphs]), Packed([m for _, m in graphs])
        self.members = members

    def of(self, store: Store, kunta: str | None) -> Sequence[tuple[str, str, str | None]]:
        """All items, or one publisher's: its own graph's and those of the shared graphs it is a member of."""
        if not kunta:
            return _Rows(self, range(len(self._iris)))
        own, wanted = store.iris.graph(kunta), store.iris.thing(kunta)
        theirs = [c for c, g in enumerate(self._graph_iris) if g == own or wanted in self.members.get(g, ())]
        return _Rows(self, np.flatnonzero(np.isin(self._graph, theirs)))

    def row(self, number: int) -> tuple[str, str, str | None]:
        g = int(self._graph[number])
        return self._iris[number], self._graph_iris[g], self._modified[g] or None


class _Rows(Sequence):
    """Some of a listing's items, made into tuples only when asked for (a page at a time)."""

    def __init__(self, listing: Listing, numbers):
        self.listing, self.numbers = listing, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.listing.row(int(n)) for n in self.numbers[i]]
        return self.listing.row(int(self.numbers[i]))


def listing(store: Store) -> Listing:
    members = membership(store)  # before the large read, so that what it keeps is not scattered among that read's
    records = store.iris.graph(RECORDS)
    modified = {r["g"]: r["modified"] for r in store.select(GRAPH_MODIFIED.replace("RECORDS", records))}
    reference = store.iris.graph("reference")
    items = {(r["item"], r["g"], modified.get(r["g"])) for r in store.select(ITEMS) if r["g"] != reference}
    listed = Listing(sorted(items), members)
    del items
    give_back()
    return listed


def parse_instant(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CatalogError(f"modified_since must be an ISO 8601 date or date-time, e.g. 2026-11-01T00:00:00Z (got {text!r})") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def page(store: Store, root: str, *, kunta: str | None = None, number: int = 1, modified_since: str | None = None,
         page_size: int = PAGE_SIZE, path: str = "/catalog", listed: Listing | None = None) -> Page:
    """One self-contained page of the feed. `root` is the server's own URL (for page and landing-page links);
    `listed`: listing(store) if the caller has it already."""
    items = (listed or listing(store)).of(store, kunta)
    if modified_since:
        since = parse_instant(modified_since)
        items = [i for i in items if i[2] and parse_instant(i[2]) > since]
    last = max(1, -(-len(items) // page_size))
    if number < 1 or number > last:
        raise CatalogError(f"page must be between 1 and {last}")
    chosen = items[(number - 1) * page_size: number * page_size]
    triples = _page_triples(store, root, kunta, chosen, number, last, len(items), page_size, path, modified_since)
    return Page(triples, len(items), number, last)


DETAILS = """
SELECT DISTINCT ?item ?p ?o WHERE {
  { VALUES ?item { %(items)s } ?item ?p ?o
    FILTER(?p IN (skos:prefLabel, dcterms:description, kg:serviceArea, kg:publicity, kg:openInterface, kg:decidingAuthority,
                  dcterms:accrualPeriodicity, kg:interface, dcterms:isPartOf)) }
  UNION { VALUES ?item { %(items)s } ?r dcterms:hasPart ?item . BIND(dcterms:isPartOf AS ?p) BIND(?r AS ?o) }
  UNION { VALUES ?item { %(items)s } ?r dcterms:hasPart ?item . ?r ?p ?o FILTER(?p IN (kg:serviceArea, kg:openInterface, kg:decidingAuthority)) }
  UNION { VALUES ?item { %(items)s } ?desc dcterms:hasPart ?item . ?desc ?p ?o FILTER(?p IN (kg:openInterface, kg:decidingAuthority)) }
  UNION { VALUES ?item { %(items)s } ?r dcterms:hasPart ?item . ?desc dcterms:hasPart ?r . ?desc ?p ?o FILTER(?p = kg:decidingAuthority) }
  UNION { VALUES ?item { %(items)s } ?item kg:dataGroup ?grp . ?grp skos:prefLabel ?o . BIND(kg:dataGroup AS ?p) }
  UNION { VALUES ?item { %(items)s } ?item kg:dataGroup ?grp . ?grp kg:publicity ?o . BIND(kg:publicity AS ?p) }
  UNION { VALUES ?item { %(items)s } ?item kg:purpose ?pp . ?pp kg:legalBasis ?o . BIND(kg:legalBasis AS ?p) }
  UNION { VALUES ?item { %(items)s } ?item dcterms:hasPart ?part . BIND(dcterms:hasPart AS ?p) BIND(?part AS ?o) }
}"""
CONTACTS = """
SELECT DISTINCT ?a ?c ?p ?o WHERE {
  VALUES ?a { %(authorities)s }
  ?a dcat:contactPoint ?c . ?c ?p ?o
  FILTER(?p IN (vcard:fn, vcard:hasTelephone, vcard:hasEmail, vcard:hasURL, vcard:organization-name))
}"""
LABELS = """
SELECT ?s ?l (lang(?l) AS ?lang) WHERE { VALUES ?s { %(iris)s } ?s skos:prefLabel ?l }"""


def _values(iris) -> str:
    return " ".join(f"<{i}>" for i in sorted(set(iris)))


def _page_triples(store, root, kunta, chosen, number, last, total, page_size, path, modified_since):
    N, L = ox.NamedNode, ox.Literal
    out: list = []

    def add(s, p, o):
        out.append(ox.Triple(s if not isinstance(s, str) else N(s), N(p), o if not isinstance(o, str) else N(o)))

    details: dict = {}
    if chosen:
        for r in store.select(DETAILS % {"items": _values(i for i, _, _ in chosen)}):
            details.setdefault(r["item"], {}).setdefault(r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], set()).add(r["o"])
    owners: dict = {}
    for r in store.select(OWNERS):
        owners.setdefault(r["g"], r["owner"])
    authorities = {a for d in details.values() for a in d.get("decidingAuthority", ())}
    contacts: dict = {}
    if authorities:
        for r in store.select(CONTACTS % {"authorities": _values(authorities)}):
            contacts.setdefault(r["a"], {}).setdefault(r["c"], {}).setdefault(r["p"].rsplit("#", 1)[-1], []).append(r["o"])
    to_label = {i for i, _, _ in chosen} | {owners.get(g) for _, g, _ in chosen if owners.get(g)} | authorities
    if kunta:
        to_label.add(store.iris.thing(kunta))
    to_label |= {x for d in details.values() for x in d.get("isPartOf", ())}
    labels: dict = {}
    for r in store.select(LABELS % {"iris": _values(x for x in to_label if x)}) if to_label else []:
        labels.setdefault(r["s"], {})[r["lang"] or ""] = r["l"]

    catalog = N(store.iris.base + ("catalog" if not kunta else f"catalog/{kunta}"))
    publisher = N(store.iris.thing(kunta)) if kunta else N(store.iris.base)
    add(catalog, RDF_TYPE, DCAT + "Catalog")
    if kunta:
        name = best_label(labels.get(publisher.value, {})) or kunta
        titles = {"fi": f"{name}: tietovarannot ja tietoaineistot", "en": f"{name}: information resources and datasets"}
    else:
        titles = {"fi": "Kuntien tietovarannot ja tietoaineistot (kuntagraph)", "sv": "Kommunernas informationsresurser och datamaterial (kuntagraph)",
                  "en": "Finnish municipalities' information resources and datasets (kuntagraph)"}
    for lang, text in titles.items():
        add(catalog, DCT + "title", L(text, language=lang))
    add(catalog, DCT + "description", L("Kuntien asiakirjajulkisuuskuvausten (tiedonhallintalaki 906/2019 28 §) tietovarannot ja tietoaineistot. "
                                         "Salassa pidettävät aineistot on nimetty, mutta niiden sisältöä ei julkaista.", language="fi"))
    add(catalog, DCT + "description", L("The information resources and datasets of municipalities' document publicity descriptions "
                                         "(Act 906/2019, section 28). Secret datasets are named; their content is never published.", language="en"))
    add(catalog, DCT + "publisher", publisher)
    add(catalog, DCT + "language", EU + "language/FIN")
    add(catalog, DCT + "license", EU + "licence/CC_BY_4_0")
    add(catalog, FOAF + "homepage", N(root + "/"))
    add(catalog, DCAT + "themeTaxonomy", EU + "data-theme")
    times = [t for _, _, t in chosen if t]
    if times:
        add(catalog, DCT + "modified", L(max(times), datatype=N(XSD + "dateTime")))
    agents = set()
    if kunta:
        agents.add(publisher.value)
    else:
        add(publisher, RDF_TYPE, FOAF + "Agent")
        add(publisher, FOAF + "name", L("kuntagraph", language="en"))
    for item, graph, modified in chosen:
        d = details.get(item, {})
        node = N(item)
        add(catalog, DCAT + "dataset", node)
        add(node, RDF_TYPE, DCAT + "Dataset")
        add(node, RDF_TYPE, DCAT + "Resource")
        own = labels.get(item, {})
        for lang, text in own.items():
            add(node, DCT + "title", L(text, language=lang or "fi"))
        owner = owners.get(graph)
        owner_name = best_label(labels.get(owner, {})) if owner else None
        descriptions = [o for o in d.get("description", ())]
        if descriptions:
            for text in descriptions:
                add(node, DCT + "description", L(text, language="fi"))
        else:  # DCAT-AP requires a description; the source gives none, so say what the item is and where from.
            parent = next(iter(d.get("isPartOf", ())), None)
            within = f", osa tietovarantoa \"{best_label(labels.get(parent, {}))}\"" if parent and labels.get(parent) else ""
            add(node, DCT + "description", L(f"{best_label(own) or item}{within}. Lähteen kuvauksessa ei ole sisällön kuvausta "
                                             f"({owner_name or 'kunta'}, asiakirjajulkisuuskuvaus, tiedonhallintalaki 906/2019 28 §).", language="fi"))
            add(node, DCT + "description", L(f"{best_label(own, 'en') or item}: listed in the document publicity description of "
                                             f"{owner_name or 'a municipality'} (Act 906/2019, section 28), which gives no description of its content.", language="en"))
        add(node, DCT + "identifier", L(item))
        if owner:
            add(node, DCT + "publisher", owner)
            agents.add(owner)
        add(node, DCAT + "landingPage", N(root + (store.iris.path_of(item) or "")))
        out.append(ox.Triple(N(root + (store.iris.path_of(item) or "")), N(RDF_TYPE), N(FOAF + "Document")))
        add(node, DCT + "language", EU + "language/FIN")
        if modified:
            add(node, DCT + "modified", L(modified, datatype=N(XSD + "dateTime")))
        themes = {THEMES.get(a.rsplit("/", 1)[-1]) for a in d.get("serviceArea", ())} - {None}
        for theme in sorted(themes):
            add(node, DCAT + "theme", EU + f"data-theme/{theme}")
        for keyword in sorted(d.get("dataGroup", ())):
            add(node, DCAT + "keyword", L(keyword, language="fi"))
        publicity = {p.rsplit("/", 1)[-1] for p in d.get("publicity", ())}
        access = "NON_PUBLIC" if "secret" in publicity and "public" not in publicity else \
                 "RESTRICTED" if "secret" in publicity or "partly-secret" in publicity else \
                 "PUBLIC" if "public" in publicity else None
        if access:
            add(node, DCT + "accessRights", EU + f"access-right/{access}")
        add(node, DCATAP + "applicableLegislation", ACT_906)
        for law in sorted(d.get("legalBasis", ())):
            add(node, DCATAP + "applicableLegislation", law)
        for freq in d.get("accrualPeriodicity", ()):
            add(node, DCT + "accrualPeriodicity", freq)
        for parent in sorted(d.get("isPartOf", ())):
            add(node, DCT + "isPartOf", parent)
        for part in sorted(d.get("hasPart", ())):
            add(node, DCT + "hasPart", part)
        for a in sorted(d.get("decidingAuthority", ())):
            for c, props in contacts.get(a, {}).items():
                add(node, DCAT + "contactPoint", c)
                add(c, RDF_TYPE, VCARD + "Kind")
                names = props.get("organization-name", []) + props.get("fn", [])
                add(c, VCARD + "fn", L(best_label(labels.get(a, {})) or (names[0] if names else a), language="fi"))
                for p in ("hasTelephone", "hasEmail", "hasURL"):
                    for v in props.get(p, []):
                        add(c, VCARD + p, v)
    for agent in agents:
        add(agent, RDF_TYPE, FOAF + "Agent")
        name = labels.get(agent, {})
        for lang, text in name.items():
            add(agent, FOAF + "name", L(text, language=lang or "fi"))
        add(agent, DCT + "type", "http://purl.org/adms/publishertype/LocalAuthority")

    _hydra(out, root, path, kunta, number, last, total, page_size, modified_since)
    _controlled_values(out)
    return list(dict.fromkeys(out))


def _hydra(out, root, path, kunta, number, last, total, page_size, modified_since):
    from urllib.parse import urlencode

    N, L = ox.NamedNode, ox.Literal

    def url(n):
        query = {"page": n, **({"modified_since": modified_since} if modified_since else {})}
        return N(f"{root}{path}?{urlencode(query)}")

    view = url(number)
    integer = N(XSD + "integer")
    out += [ox.Triple(view, N(RDF_TYPE), N(HYDRA + "PagedCollection")),
            ox.Triple(view, N(RDF_TYPE), N(HYDRA + "PartialCollectionView")),
            ox.Triple(view, N(HYDRA + "totalItems"), L(str(total), datatype=integer)),
            ox.Triple(view, N(HYDRA + "itemsPerPage"), L(str(page_size), datatype=integer))]
    links = {"first": 1, "last": last}
    if number > 1:
        links["previous"] = number - 1
    if number < last:
        links["next"] = number + 1
    for name, n in links.items():
        out.append(ox.Triple(view, N(HYDRA + name), url(n)))
        out.append(ox.Triple(view, N(HYDRA + name + "Page"), url(n)))


def _controlled_values(out):
    """The official shapes check the class of every controlled value: type them in each page (self-contained)."""
    N, L = ox.NamedNode, ox.Literal
    types = {
        "language/": DCT + "LinguisticSystem", "licence/": DCT + "LicenseDocument", "frequency/": DCT + "Frequency",
        "access-right/": DCT + "RightsStatement", "data-theme/": SKOS + "Concept",
    }
    used = {t.object.value for t in out if isinstance(t.object, ox.NamedNode)}
    for iri in sorted(used):
        for prefix, cls in types.items():
            if iri.startswith(EU + prefix):
                out.append(ox.Triple(N(iri), N(RDF_TYPE), N(cls)))
                out.append(ox.Triple(N(iri), N(SKOS + "inScheme"), N(EU + prefix.rstrip("/"))))
                if prefix == "data-theme/":
                    code = iri.rsplit("/", 1)[-1]
                    out.append(ox.Triple(N(iri), N(SKOS + "prefLabel"), L(THEME_LABELS.get(code, code), language="en")))
        if iri.startswith("http://data.finlex.fi/eli/"):
            out.append(ox.Triple(N(iri), N(RDF_TYPE), N(ELI + "LegalResource")))
        if iri == EU + "data-theme":
            out.append(ox.Triple(N(iri), N(RDF_TYPE), N(SKOS + "ConceptScheme")))
            out.append(ox.Triple(N(iri), N(DCT + "title"), L("Data theme", language="en")))
        if iri == "http://purl.org/adms/publishertype/LocalAuthority":
            out.append(ox.Triple(N(iri), N(RDF_TYPE), N(SKOS + "Concept")))
            out.append(ox.Triple(N(iri), N(SKOS + "prefLabel"), L("Local Authority", language="en")))
            out.append(ox.Triple(N(iri), N(SKOS + "inScheme"), N("http://purl.org/adms/publishertype/1.0")))
    homepages = [t.object for t in out if t.predicate.value == FOAF + "homepage"]
    out += [ox.Triple(h, N(RDF_TYPE), N(FOAF + "Document")) for h in homepages]
