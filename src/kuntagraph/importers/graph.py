"""The RDF an import produces, one builder per shape, with the provenance they share: the source file, the
import activity, and the owner (a municipality, a consortium or a reference library) under `--kunta KEY`.
The shape of the output follows the hand-made graphs in data/ (unnamed-001.ttl, unnamed-002.ttl, lumme.ttl,
reference.ttl), so re-importing a seed gives its graph back.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, XSD, Literal, Namespace, URIRef

from .. import config
from ..iris import Iris
from ..rdffiles import PUBLISHER_TYPES, slugify
from . import vocab
from .form import SystemForm
from .library import Library
from .model import Description, Note, Statements, capitalize
from .phrases import is_swedish
from .reading import Block, Document

KG = Namespace(config.CANONICAL_BASE + "def#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ORG = Namespace("http://www.w3.org/ns/org#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
OI = "https://w3id.org/kuntagraph/vocab/open-interface/"


# --- to RDF ----------------------------------------------------------------------------------------------

class _Slugs:
    def __init__(self):
        self.used: set[str] = set()

    def take(self, kind: str, *candidates: str) -> str:
        for c in candidates:
            if c and (kind, c) not in self.used:
                self.used.add((kind, c))
                return c
        base, n = candidates[-1] or "item", 2
        while (kind, f"{base}-{n}") in self.used:
            n += 1
        self.used.add((kind, f"{base}-{n}"))
        return f"{base}-{n}"


def _iri(text: str) -> URIRef:
    """An address from a page as an IRI that any RDF tool reads: spaces and the characters IRIs forbid
    (<>"{}|\\^`) are percent-encoded, as a browser does."""
    return URIRef(urllib.parse.quote(text.strip(), safe=":/?#[]@!$&'()*+,;=%-._~"))


def _where(b: Block | None) -> str:
    return f" (lähteen {b.where('fi')})" if b is not None and b.line is not None else ""


def _title_label(title: str) -> str:
    t = re.sub(r"\s*/\s*", ": ", title.strip())
    if t.isupper():
        t = t.lower()
    return t[:1].upper() + t[1:]


class Builder:
    """The graph being built, with what every shape shares: the source file and the import activity (PROV),
    the owner under `--kunta KEY`, and IRIs for things (unique slugs per kind)."""

    def __init__(self, doc: Document, kunta: str, slugs: "_Slugs | None" = None, page=None, organisation=None,
                 output: str | None = None):
        self.iris, self.kunta, self.doc = Iris(), kunta, doc
        self.output = output  # the file the import writes: what it holds now is being replaced, not known
        self.organisation = organisation  # Organisation: what kind, its name and Business ID, as the user gave them
        self.slugs = slugs or _Slugs()  # shared by the pages of one description, so that their IRIs never collide
        # the language of what is taken from the source (names, descriptions, notes): a Swedish page's names are
        # Swedish; what kuntagraph writes itself is in Finnish and English
        self.lang = "sv" if is_swedish(doc.blocks) else "fi"
        g = self.g = rdflib.Graph()
        for p, ns in (("kg", KG), ("skos", SKOS), ("dcterms", DCTERMS), ("prov", PROV), ("foaf", FOAF),
                      ("dcat", DCAT), ("org", ORG), ("vcard", VCARD), ("id", Namespace(self.iris.thing(""))), ("xsd", XSD)):
            g.bind(p, ns)
        digest = hashlib.sha256(doc.data).hexdigest()
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", doc.path.stem).strip("-") or "source"
        # under the owner (id/KEY/source/...): a municipality publishes statements about its own things only
        source = self.source = self.thing("source", f"{stem}-{digest[:8]}")
        g.add((source, RDF.type, PROV.Entity))
        g.add((source, RDF.type, FOAF.Document))
        g.add((source, DCTERMS.identifier, Literal(doc.path.name)))
        g.add((source, SKOS.prefLabel, Literal(f"Tuotu tiedosto {doc.path.name}", lang="fi")))
        g.add((source, SKOS.prefLabel, Literal(f"Imported file {doc.path.name}", lang="en")))
        g.add((source, DCTERMS["format"], Literal(doc.format)))
        if page is not None:  # fetched from the organisation's site: where, and when
            g.add((source, PROV.hadPrimarySource, _iri(page.url)))
            g.add((source, FOAF.page, _iri(page.url)))
            g.add((source, PROV.generatedAtTime, Literal(page.retrieved.isoformat(), datatype=XSD.dateTime)))
        activity = self.activity = self.thing("activity", f"import-{digest[:8]}")
        g.add((activity, RDF.type, PROV.Activity))
        g.add((activity, SKOS.prefLabel, Literal(f"Tuonti linkitetyksi dataksi tiedostosta {doc.path.name}", lang="fi")))
        g.add((activity, SKOS.prefLabel, Literal(f"Import to linked data from the file {doc.path.name}", lang="en")))
        g.add((activity, PROV.used, source))
        g.add((activity, PROV.endedAtTime, Literal(datetime.now(timezone.utc).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
        g.add((activity, PROV.wasAssociatedWith, URIRef(config.CANONICAL_BASE)))

    def thing(self, kind: str, slug: str) -> URIRef:
        return URIRef(self.iris.thing(self.kunta, kind, slug))

    def new(self, kind: str, rdf_type, label: str, *slug_candidates: str) -> URIRef:
        """A new thing of a kind, labelled in Finnish and derived from the source."""
        node = self.thing(kind, self.slugs.take(kind, *(slug_candidates or (slugify(label),))))
        self.g.add((node, RDF.type, rdf_type))
        self.g.add((node, SKOS.prefLabel, Literal(label, lang=self.lang)))
        self.derived(node)
        return node

    def derived(self, node):
        self.g.add((node, PROV.wasDerivedFrom, self.source))

    def note(self, node, n: Note):
        self.g.add((node, SKOS.note, Literal(n.text + _where(n.where), lang=self.lang)))

    def owner(self, rdf_type, members=()) -> URIRef:
        """The owner of the graph, `id:KEY`: its type and names as data/KEY.ttl has them when it exists (the
        import replaces a description, not the municipality) and is not the file this import writes, else the
        given type and name (--org-type, --name), else named after the key."""
        m = URIRef(self.iris.thing(self.kunta))
        known = {t: labels for t, labels in _existing_owner(self.kunta, str(m), self.output)}
        if known:
            rdf_type, labels = next(iter(known.items()))
        else:
            labels = {}
        g = self.g
        org = self.organisation
        if org is not None and not known:
            rdf_type = KG[org.kind]
            labels = {lang: name for lang, name in (("fi", org.name), ("sv", org.name_sv)) if name}
        g.add((m, RDF.type, URIRef(rdf_type)))
        for lang, v in labels.items():
            g.add((m, SKOS.prefLabel, Literal(v, lang=lang)))
        if org is not None and (org.name or org.name_sv) and not known:
            g.add((m, SKOS.editorialNote, Literal("Nimi on tuonnissa annettu (--name), ei lähteestä.", lang="fi")))
            g.add((m, SKOS.editorialNote, Literal("The name was given to the import (--name), not read from the source.", lang="en")))
        if org is not None and org.business_id:
            g.add((m, KG.businessId, Literal(org.business_id)))
            g.add((m, DCTERMS.identifier, Literal(org.business_id)))
        if not labels:
            fi, en = _OWNER_NAMES[str(rdf_type)]
            g.add((m, SKOS.prefLabel, Literal(f"{fi} {self.kunta}", lang="fi")))
            g.add((m, SKOS.prefLabel, Literal(f"{en} {self.kunta}", lang="en")))
            g.add((m, SKOS.editorialNote, Literal("Tuotu lähde ei nimeä omistajaansa; nimi on tuonnissa annettu avain, ei keksitty nimi.", lang="fi")))
            g.add((m, SKOS.editorialNote, Literal("The imported source does not name its owner; the name is the key given to the import, not an invented name.", lang="en")))
            self.derived(m)
        for member in members:
            g.add((m, ORG.hasMember, member))
        if re.fullmatch(r"[0-9]{3}", self.kunta):
            g.add((m, DCTERMS.identifier, Literal(self.kunta)))
        return m


OWNER_TYPES = tuple(KG[t] for t in PUBLISHER_TYPES)
_OWNER_NAMES = {str(KG.Municipality): ("Kunta", "Municipality"), str(KG.Consortium): ("Yhteistyöryhmä", "Consortium"),
                str(KG.ReferenceLibrary): ("Sisältökirjasto", "Reference library"),
                str(KG.WellbeingServicesCounty): ("Hyvinvointialue", "Wellbeing services county"),
                str(KG.JointMunicipalAuthority): ("Kuntayhtymä", "Joint municipal authority"),
                str(KG.RegionalCouncil): ("Maakunnan liitto", "Regional council"),
                str(KG.StateAgency): ("Valtion virasto", "State agency"),
                str(KG.HigherEducationInstitution): ("Korkeakoulu", "Higher education institution")}


@dataclass(frozen=True)
class Organisation:
    """The publisher as the user describes it to the import: its kind (a class of the ontology), its name and
    Business ID. A municipality is identified by its code, the key itself."""

    kind: str = "Municipality"
    name: str | None = None  # in Finnish
    business_id: str | None = None
    name_sv: str | None = None


def check_business_id(value: str) -> str | None:
    """None when the Business ID (Y-tunnus) is well formed with a right check digit, else what is wrong."""
    m = re.fullmatch(r"(\d{7})-(\d)", value.strip())
    if not m:
        return "a Business ID (Y-tunnus) has seven digits, a hyphen and a check digit, as 0209602-6"
    r = sum(int(d) * w for d, w in zip(m.group(1), (7, 9, 10, 5, 8, 4, 2))) % 11
    if r == 1 or (0 if r == 0 else 11 - r) != int(m.group(2)):
        return f"the check digit of the Business ID {value} is wrong: check it in the Business Information System (ytj.fi)"
    return None


def _existing_owner(kunta: str, iri: str, output: str | None = None):
    """(type, {lang: label}) of id:KEY in data/KEY.ttl, or nothing; nothing too when that file is the import's own
    output (an earlier import of the same pages: reading its owner back would make a second run differ from the first)."""
    path = config.DATA_DIR / f"{kunta}.ttl"
    if not path.exists() or (output and output != "-" and Path(output).resolve() == path.resolve()):
        return []
    types, labels = [], {}
    try:
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if q.subject.value != iri:
                continue
            if q.predicate.value == str(RDF.type) and q.object.value in map(str, OWNER_TYPES):
                types.append(q.object.value)
            elif q.predicate.value == str(SKOS.prefLabel):
                labels[q.object.language] = q.object.value
    except (SyntaxError, OSError):
        return []
    return [(types[0], labels)] if types else []


@lru_cache(maxsize=1)
def known_municipalities() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(IRI, Finnish and Swedish names) of every municipality in data/, to recognise owners named in a form."""
    found: dict[str, list[str]] = {}
    types = set()
    for path in config.data_files():
        try:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                if q.predicate.value == str(RDF.type) and q.object.value == str(KG.Municipality):
                    types.add(q.subject.value)
                elif q.predicate.value == str(SKOS.prefLabel) and q.object.language in ("fi", "sv"):
                    found.setdefault(q.subject.value, []).append(q.object.value)
        except (SyntaxError, OSError):
            continue
    return tuple((iri, tuple(found.get(iri, ()))) for iri in sorted(types))


Slugs = _Slugs


UNITS_FI = {"line": "rivi", "row": "rivi", "paragraph": "kappale"}


def build(doc: Document, d, kunta: str, slugs: _Slugs | None = None, page=None,
          organisation: Organisation | None = None, output: str | None = None) -> tuple[rdflib.Graph, Iris]:
    b = Builder(doc, kunta, slugs, page, organisation, output)
    if isinstance(d, Library):
        library_graph(b, d)
    elif isinstance(d, SystemForm):
        form_graph(b, d)
    else:
        description_graph(b, d)
    if getattr(d, "truncated", None):  # the source ends before the description does: said on the source, with where
        b.g.add((b.source, KG.partial, Literal(True)))
        for block, fi, en in d.truncated:
            line = getattr(block, "line", None)
            unit = getattr(block, "unit", "line")
            b.g.add((b.source, SKOS.editorialNote, Literal(fi + (f" ({UNITS_FI.get(unit, unit)} {line})" if line else ""), lang="fi")))
            b.g.add((b.source, SKOS.editorialNote, Literal(en + (f" ({unit} {line})" if line else ""), lang="en")))
    return b.g, b.iris


def description_graph(b: Builder, d: Description):
    g, source, activity, slugs = b.g, b.source, b.activity, b.slugs
    muni = b.owner(KG.Municipality)
    thing, derived = b.thing, b.derived

    title = _title_label(d.title) if d.title else f"Asiakirjajulkisuuskuvaus ({b.doc.path.name})"
    desc_slug_text = re.sub(r"(?i)^asiakirjajulkisuuskuvaus\s*:?\s*", "", title) or title
    area_concept = next((c for c in vocab.scheme("service-area") if c.iri == d.area), None)
    desc = b.new("description", KG.AccessDescription, title,
                 slugify(area_concept.label_fi) if area_concept else slugify(desc_slug_text))
    g.add((desc, DCTERMS.publisher, muni))
    g.add((desc, DCTERMS.source, source))
    g.add((desc, PROV.wasGeneratedBy, activity))
    if d.descriptions:
        g.add((desc, DCTERMS.description, Literal(" ".join(d.descriptions), lang=b.lang)))
    if d.area:
        g.add((desc, KG.serviceArea, URIRef(d.area)))
    for n in d.notes:
        b.note(desc, n)
    if getattr(d, "source_url", None):
        g.add((source, FOAF.page, _iri(d.source_url)))
    interfaces = {}

    def statements(node, st: Statements, holder_kind: str):
        if st.open_interface:
            g.add((node, KG.openInterface, URIRef(OI + st.open_interface)))
            if st.open_interface in ("yes", "partly"):
                for url in st.interface_urls:
                    if url not in interfaces:
                        iface = thing("interface", slugs.take("interface", slugify(re.sub(r"^https?://", "", url))))
                        g.add((iface, RDF.type, KG.TechnicalInterface))
                        g.add((iface, SKOS.prefLabel, Literal(f"Avoin rajapinta {url}", lang="fi")))
                        g.add((iface, DCAT.endpointURL, _iri(url)))
                        derived(iface)
                        interfaces[url] = iface
                    g.add((node, KG.interface, interfaces[url]))
        for c in st.search_criteria:
            g.add((node, KG.searchCriterion, URIRef(c)))
        for note in dict.fromkeys(st.search_notes):
            g.add((node, KG.searchCriteriaNote, Literal(note, lang=b.lang)))

    statements(desc, d.st, "description")

    purposes: dict[str, URIRef] = {}

    def purpose(label: str) -> URIRef:
        key = label.casefold()
        if key not in purposes:
            purposes[key] = b.new("purpose", KG.Purpose, label)
        return purposes[key]

    systems: dict[str, URIRef] = {}

    def system(label: str) -> URIRef:
        key = re.sub(r"\s+", " ", label.casefold())
        if key not in systems:
            node = systems[key] = b.new("system", KG.SystemInstance, label[:1].upper() + label[1:], slugify(label))
            g.add((node, KG.owner, muni))
            prod = vocab.product(label)
            if prod:
                g.add((node, KG.instanceOf, URIRef(prod.iri)))
        return systems[key]

    for r in d.resources:
        res = b.new("resource", KG.InformationResource, r.label)
        r.iri = str(res)
        g.add((desc, DCTERMS.hasPart, res))
        if r.area:
            g.add((res, KG.serviceArea, URIRef(r.area)))
        if r.descriptions:
            g.add((res, DCTERMS.description, Literal(" ".join(r.descriptions), lang=b.lang)))
        for p in [*d.purposes, *r.purposes]:
            g.add((res, KG.purpose, purpose(p.label)))
        own = r.st
        inherited = r.sector.st if r.sector else Statements()
        merged = Statements(
            open_interface=own.open_interface or inherited.open_interface,
            interface_urls=own.interface_urls if own.open_interface else inherited.interface_urls,
            search_criteria=own.search_criteria or inherited.search_criteria,
            search_notes=own.search_notes or inherited.search_notes)
        statements(res, merged, "resource")
        prefix = slugify(r.label).split("-")[0]
        for ds in r.datasets:
            base = slugify(ds.label)
            node = b.new("dataset", KG.Dataset, ds.label, base, f"{prefix}-{base}", f"{slugify(r.label)}-{base}")
            g.add((res, DCTERMS.hasPart, node))
            if r.area:
                g.add((node, KG.serviceArea, URIRef(r.area)))
        for s in r.systems:
            g.add((res, KG.heldIn, system(s.label)))
        for n in r.notes:
            b.note(res, n)
    _section28_items(b, d, desc, system)
    for entry in d.systems:  # a system-centric list: the systems themselves
        node = system(entry.label)
        if entry.descriptions:
            g.add((node, DCTERMS.description, Literal(" ".join(entry.descriptions), lang=b.lang)))
        for p in entry.purposes:
            g.add((node, KG.purpose, purpose(p.label)))
        for n in entry.notes:
            b.note(node, n)



def _section28_items(b: Builder, d: Description, desc, system):
    """The case register, the responsible and deciding bodies and the contact channels a description states."""
    g = b.g
    if d.case_register is not None:
        cr = b.new("resource", KG.CaseRegister, d.case_register.label, slugify(d.case_register.label), "asiarekisteri")
        g.add((cr, RDF.type, KG.InformationResource))  # stated, not left to inference: plain SPARQL and the views find it
        g.add((desc, DCTERMS.hasPart, cr))
        for s in d.case_register_systems:
            g.add((cr, KG.heldIn, system(s.label)))
    parties: dict[str, URIRef] = {}

    def party(p, holder):
        key = p.label.casefold()
        if key not in parties:
            parties[key] = b.new("authority", KG.Authority, capitalize(p.label))
        prop = {"deciding": KG.decidingAuthority, "unit": KG.responsibleUnit}.get(p.role, KG.responsibleAuthority)
        g.add((holder, prop, parties[key]))

    for p in d.parties:
        party(p, desc)
    for r in d.resources:
        for p in getattr(r, "parties", []):
            party(p, URIRef(r.iri))
    # One contact point per section of the source (contacts under the same heading): the registry named there
    # gives its name; channels of another section are not attached to it.
    cards: list[URIRef] = []
    by_group: dict[int, URIRef] = {}
    for c in d.contacts:
        if c.kind == "registry":
            card = b.new("contact", VCARD.Organization, capitalize(c.value))
            g.remove((card, SKOS.prefLabel, None))
            g.add((card, VCARD.fn, Literal(capitalize(c.value))))
            cards.append(card)
            by_group.setdefault(c.group, card)
            continue
        current = by_group.get(c.group)
        if current is None:
            current = by_group[c.group] = b.thing("contact", b.slugs.take("contact", "yhteystiedot"))
            g.add((current, RDF.type, VCARD.Kind))
            b.derived(current)
            cards.append(current)
        if c.kind == "email":
            g.add((current, VCARD.hasEmail, _iri("mailto:" + re.sub(r"\s+", "", c.value))))
        elif c.kind == "phone":
            digits = re.sub(r"[^\d+]", "", c.value)
            digits = "+358" + digits[1:] if digits.startswith("0") else digits
            g.add((current, VCARD.hasTelephone, URIRef("tel:" + digits)))
        elif c.kind == "url":
            g.add((current, VCARD.hasURL, _iri(c.value)))
        elif c.kind == "address":
            adr = rdflib.BNode()
            g.add((adr, RDF.type, VCARD.Address))
            if c.parts.get("street"):
                g.add((adr, VCARD["street-address"], Literal(c.parts["street"])))
            g.add((adr, VCARD["postal-code"], Literal(c.parts["postal_code"])))
            g.add((adr, VCARD.locality, Literal(c.parts["locality"])))
            g.add((current, VCARD.hasAddress, adr))
    for card in cards:
        g.add((desc, DCAT.contactPoint, card))


# --- content-library lists -------------------------------------------------------------------------------

_KIND_SLUGS = {"Process": "process", "InformationResource": "resource", "Dataset": "dataset", "Purpose": "purpose"}


def library_graph(b: Builder, lib: Library):
    g = b.g
    owner = b.owner(KG.ReferenceLibrary)
    for item in lib.items:
        node = b.new(_KIND_SLUGS[item.kind], KG.ReferenceItem, item.label)
        g.add((node, KG.referenceKind, KG[item.kind]))
        g.add((node, DCTERMS.isPartOf, owner))
        if lib.area:
            g.add((node, KG.serviceArea, URIRef(lib.area)))
        if item.description:
            g.add((node, DCTERMS.description, Literal(item.description, lang=b.lang)))
        for law in item.laws:
            g.add((node, KG.legalBasis, URIRef(law)))
    for n in lib.notes:
        b.note(owner, n)


# --- system description forms ----------------------------------------------------------------------------

FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
PUBLICITY = Namespace("https://w3id.org/kuntagraph/vocab/publicity/")
_CONTINUOUS = re.compile(r"^(jatkuva|jatkuvasti|reaaliai)", re.I)


def owner_municipality(genitive: str) -> str | None:
    """The municipality a form names as an owner ("Pieksämäen kaupunki" -> Pieksämäki), among those in data/:
    the genitive and the name share all but the name's last two letters (Varkaus/Varkauden,
    Heinävesi/Heinäveden, Joroinen/Joroisten); the longest such match wins."""
    wanted = vocab.fold(genitive)
    best, best_len = None, 0
    for iri, names in known_municipalities():
        for name in names:
            n = vocab.fold(name)
            common = len(os.path.commonprefix([n, wanted]))
            if common >= max(4, len(n) - 2) and common > best_len:
                best, best_len = iri, common
    return best


def form_graph(b: Builder, f: SystemForm):
    g = b.g
    members, unknown = [], []
    for name in f.owners:
        iri = owner_municipality(name)
        (members if iri else unknown).append(URIRef(iri) if iri else name)
    members = list(dict.fromkeys(members))
    owner = b.owner(KG.Consortium if len(members) > 1 else KG.Municipality, members=members if len(members) > 1 else ())
    if (owner, RDF.type, KG.Municipality) in g or not members:
        members = members or [owner]
    for name in unknown:
        f.warnings.append((f.owner_where, f"Omistajaa \"{name} kunta/kaupunki\" ei tunneta (ei kuntaa data/-hakemistossa); se säilytetään huomautuksena.",
                           f"The owner \"{name} kunta/kaupunki\" is not a known municipality (none in data/); it is kept as a note."))
    s = f.system
    label = s.label or f"Tietojärjestelmä ({b.doc.path.name})"
    product = vocab.product(label)
    system = b.new("system", KG.SystemInstance, label, *([product.iri.rsplit("/", 1)[-1]] if product else []), slugify(label))
    if product:
        g.add((system, KG.instanceOf, URIRef(product.iri)))
    for m in members:
        g.add((system, KG.owner, m))
    area = vocab.service_area(label) or (vocab.service_area(f.texts["purpose"][0]) if "purpose" in f.texts else None)
    continuous = "update" in f.texts and _CONTINUOUS.match(f.texts["update"][0])
    if f.created:
        g.add((system, DCTERMS.created, Literal(f.created, datatype=XSD.date)))
    if f.creator:
        g.add((system, DCTERMS.creator, Literal(f.creator)))
    for key, prop in (("sources", KG.dataSource), ("coverage", KG.coverageNote), ("update", KG.updateNote),
                      ("address", SKOS.note)):
        if key in f.texts:
            g.add((system, prop, Literal(f.texts[key][0], lang=b.lang)))
    if continuous:
        g.add((system, DCTERMS.accrualPeriodicity, FREQ.CONT))
    for url in f.urls:
        g.add((system, KG.publicAddress, URIRef(url)))
    if s.descriptions:
        g.add((system, DCTERMS.description, Literal(" ".join(s.descriptions), lang=b.lang)))
    for p in s.purposes:
        purpose = b.new("purpose", KG.Purpose, p.label)
        g.add((purpose, DCTERMS.description, Literal(f.texts["purpose"][0], lang=b.lang)))
        if area:
            g.add((purpose, KG.serviceArea, URIRef(area.iri)))
        g.add((system, KG.purpose, purpose))
    if f.contact:
        contact = b.thing("contact", b.slugs.take("contact", "yhteyshenkilo"))
        g.add((contact, RDF.type, VCARD.Individual))
        b.derived(contact)
        g.add((contact, VCARD.fn, Literal(f.contact["name"] or f.contact["text"])))
        if f.contact["title"]:
            g.add((contact, VCARD.title, Literal(f.contact["title"], lang=b.lang)))
        if f.contact["phone"]:
            g.add((contact, VCARD.hasTelephone, URIRef(f"tel:{f.contact['phone']}")))
        g.add((system, DCAT.contactPoint, contact))

    datasets = {True: [], False: []}
    for st in f.statements:
        ds = b.new("dataset", KG.Dataset, st.label)
        g.add((ds, DCTERMS.description, Literal(st.sentence, lang=b.lang)))
        g.add((ds, KG.publicity, PUBLICITY.public if st.public else PUBLICITY.secret))
        g.add((ds, KG.heldIn, system))
        if area:
            g.add((ds, KG.serviceArea, URIRef(area.iri)))
        if continuous:
            g.add((ds, DCTERMS.accrualPeriodicity, FREQ.CONT))
        datasets[st.public].append(ds)
    for group in f.groups:
        node = b.new("data-group", KG.DataGroup, group.label)
        g.add((node, KG.publicity, PUBLICITY.public if group.public else PUBLICITY.secret))
        for x in group.fields:
            g.add((node, KG.includesField, Literal(x, lang=b.lang)))
        if not datasets[group.public]:
            fi, en = ("Julkiset tiedot", "public data") if group.public else ("Salassa pidettävät tiedot", "secret data")
            ds = b.new("dataset", KG.Dataset, fi)
            g.add((ds, KG.publicity, PUBLICITY.public if group.public else PUBLICITY.secret))
            g.add((ds, KG.heldIn, system))
            datasets[group.public].append(ds)
            f.warnings.append((group.where, f"Lomake ryhmittelee tietoja ({fi.lower()}), mutta julkisuuskenttä ei nimeä niitä; ryhmät liitettiin tietoaineistoon \"{fi}\".",
                               f"The form groups {en} but its publicity field names no such data; the groups were put under a dataset \"{fi}\"."))
        g.add((datasets[group.public][0], KG.dataGroup, node))
    for n in [*f.notes, *s.notes]:
        b.note(system, n)
    for name in unknown:
        g.add((system, SKOS.note, Literal(f"Omistaja: {name} kunta/kaupunki", lang="fi")))
