"""Synthetic municipalities for benchmarks and load tests: `kuntagraph generate --municipalities N --out DIR`.

Deterministic (the same seed gives the same bytes, and municipality i is the same whatever N is), shaped
like the real descriptions in data/: the same ontology and concept schemes, one Turtle file per
municipality named KEY.ttl (so `load`, `serve --store` and rdffiles.graph_for treat them like data/),
about 10,000 triples each, and every graph conforms to the shapes in shapes/ (0 violations; warnings
appear as they do for real descriptions, e.g. a resource handled on paper has no system).

What varies between municipalities, as it does between real ones:
- size: small municipalities describe a few dozen information resources, cities over a hundred;
- service areas: administration and welfare everywhere, records management or ICT services in some;
- bilingual municipalities (about one in six) label everything in Finnish and Swedish;
- systems: the products of the shared scheme and a long tail of synthetic products (a scheme of their own,
  written to products.ttl beside the municipalities) used with Zipf-like frequencies: a few products run
  almost everywhere, most only in a handful of municipalities; plus local systems linked to no product;
- the §28 items stated per resource or once per description, open interfaces yes / partly / no.

Never written into data/: the generated municipalities are not real (their names are made up; their
three-digit codes avoid the codes used in data/) and exist only to measure the product at national scale.
"""

import random
import zlib
from functools import lru_cache
from pathlib import Path

from . import config

BASE = config.CANONICAL_BASE
ID = BASE + "id/"
VOCAB = BASE + "vocab/"
SYNTHETIC_SCHEME = "system-product-synthetic"
PRODUCTS_FILE = "products.ttl"
RESERVED_CODES = {"046", "090", "171", "491", "507", "593", "740", "915"}  # the codes data/ uses
GENERATED_AT = "2026-01-01T00:00:00+00:00"

PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kg: <https://w3id.org/kuntagraph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sa: <https://w3id.org/kuntagraph/vocab/service-area/> .
@prefix sc: <https://w3id.org/kuntagraph/vocab/search-criterion/> .
@prefix pub: <https://w3id.org/kuntagraph/vocab/publicity/> .
@prefix oi: <https://w3id.org/kuntagraph/vocab/open-interface/> .
@prefix aa: <https://w3id.org/kuntagraph/vocab/archival-action/> .
@prefix sp: <https://w3id.org/kuntagraph/vocab/system-product/> .
@prefix sps: <https://w3id.org/kuntagraph/vocab/system-product-synthetic/> .
"""

# ---------------------------------------------------------------- names

_STEMS = ["Kivi", "Mänty", "Lampi", "Koivu", "Haapa", "Salmi", "Kuusi", "Leppä", "Pihlaja", "Karhu", "Hirvi", "Kontio",
          "Ilves", "Joutsen", "Kotka", "Sorsa", "Kurki", "Tammi", "Vaskio", "Honka", "Paju", "Pyhä", "Kallio", "Suo",
          "Routa", "Talvi", "Kesä", "Aalto", "Hiekka", "Kulta", "Rauta", "Helmi", "Tuuli", "Virta", "Uusi", "Vanha",
          "Ala", "Ylä", "Keski", "Itä", "Länsi", "Pohjois", "Etelä", "Sini", "Valko", "Musta", "Punka", "Kaski"]
_ENDS = [("järvi", "träsk"), ("lahti", "vik"), ("koski", "fors"), ("niemi", "näs"), ("saari", "ö"), ("joki", "å"),
         ("vesi", "vatten"), ("mäki", "backa"), ("harju", "ås"), ("vaara", "berg"), ("salo", "holm"), ("ranta", "strand"),
         ("kylä", "by"), ("linna", "borg"), ("lampi", "tjärn"), ("kangas", "mo")]

# Service areas: weight (share of municipalities that describe it), the authority that decides, products
# that serve it, and the resources a municipality typically keeps there (fi, sv).
AREAS = {
    "administration": (1.0, ("Kunnanhallitus", "Kommunstyrelsen"), [
        ("Asianhallinnan tietovaranto", "Ärendehanteringens informationsresurs"),
        ("Kunnanhallituksen ja valtuuston tietovaranto", "Kommunstyrelsens och fullmäktiges informationsresurs"),
        ("Henkilöstöhallinnon tietovaranto", "Personalförvaltningens informationsresurs"),
        ("Taloushallinnon tietovaranto", "Ekonomiförvaltningens informationsresurs"),
        ("Keskusvaalilautakunnan tietovaranto", "Centralvalnämndens informationsresurs"),
        ("Tarkastuslautakunnan tietovaranto", "Revisionsnämndens informationsresurs"),
        ("Hankintojen tietovaranto", "Upphandlingarnas informationsresurs"),
        ("Sopimushallinnan tietovaranto", "Avtalshanteringens informationsresurs"),
        ("Palkanlaskennan tietovaranto", "Löneräkningens informationsresurs"),
        ("Työllisyydenhoidon tietovaranto", "Sysselsättningsvårdens informationsresurs"),
        ("Kameravalvonnan tietovaranto", "Kameraövervakningens informationsresurs"),
        ("Elinvoimapalveluiden tietovaranto", "Livskraftstjänsternas informationsresurs"),
    ]),
    "welfare": (0.95, ("Hyvinvointilautakunta", "Välfärdsnämnden"), [
        ("Aikuissosiaalityön tietovaranto", "Vuxensocialarbetets informationsresurs"),
        ("Lastensuojelun tietovaranto", "Barnskyddets informationsresurs"),
        ("Vammaispalveluiden tietovaranto", "Handikappservicens informationsresurs"),
        ("Ikääntyneiden palveluiden tietovaranto", "Äldreomsorgens informationsresurs"),
        ("Perheoikeudellisten palvelujen tietovaranto", "Familjerättsliga tjänsternas informationsresurs"),
        ("Terveydenhuollon tietovaranto", "Hälso- och sjukvårdens informationsresurs"),
        ("Opiskeluhuollon tietovaranto", "Elevvårdens informationsresurs"),
        ("Toimeentulotuen tietovaranto", "Utkomststödets informationsresurs"),
    ]),
    "early-childhood-education": (0.9, ("Varhaiskasvatuslautakunta", "Nämnden för småbarnspedagogik"), [
        ("Varhaiskasvatuksen tietovaranto", "Småbarnspedagogikens informationsresurs"),
        ("Varhaiskasvatuksen asiakasmaksujen tietovaranto", "Klientavgifternas informationsresurs"),
        ("Esiopetuksen tietovaranto", "Förskoleundervisningens informationsresurs"),
        ("Kerhotoiminnan tietovaranto", "Klubbverksamhetens informationsresurs"),
    ]),
    "basic-education": (0.95, ("Sivistyslautakunta", "Bildningsnämnden"), [
        ("Perusopetuksen tietovaranto", "Grundläggande utbildningens informationsresurs"),
        ("Lukiokoulutuksen tietovaranto", "Gymnasieutbildningens informationsresurs"),
        ("Koulukuljetusten tietovaranto", "Skolskjutsarnas informationsresurs"),
        ("Oppilashuollon tietovaranto", "Elevhälsans informationsresurs"),
        ("Aamu- ja iltapäivätoiminnan tietovaranto", "Morgon- och eftermiddagsverksamhetens informationsresurs"),
        ("Opettajarekisteri", "Lärarregistret"),
    ]),
    "education-and-culture": (0.5, ("Sivistystoimen johtaja", "Bildningsdirektören"), [
        ("Sivistyspalveluiden hallinnon tietovaranto", "Bildningstjänsternas förvaltnings informationsresurs"),
        ("Kansalaisopiston tietovaranto", "Medborgarinstitutets informationsresurs"),
        ("Musiikkiopiston tietovaranto", "Musikinstitutets informationsresurs"),
    ]),
    "culture-and-leisure": (0.85, ("Vapaa-aikalautakunta", "Fritidsnämnden"), [
        ("Kulttuuripalveluiden tietovaranto", "Kulturtjänsternas informationsresurs"),
        ("Liikuntapalveluiden tietovaranto", "Idrottstjänsternas informationsresurs"),
        ("Nuorisopalveluiden tietovaranto", "Ungdomstjänsternas informationsresurs"),
        ("Museon kokoelmatietovaranto", "Museets samlingsinformationsresurs"),
        ("Tilavarausten tietovaranto", "Lokalbokningarnas informationsresurs"),
    ]),
    "technical-services": (0.95, ("Tekninen lautakunta", "Tekniska nämnden"), [
        ("Kaavoituksen tietovaranto", "Planläggningens informationsresurs"),
        ("Rakennusvalvonnan tietovaranto", "Byggnadstillsynens informationsresurs"),
        ("Ympäristönsuojelun tietovaranto", "Miljövårdens informationsresurs"),
        ("Tilapalveluiden tietovaranto", "Lokaltjänsternas informationsresurs"),
        ("Kiinteistöjen tietovaranto", "Fastigheternas informationsresurs"),
        ("Vesihuollon tietovaranto", "Vattentjänsternas informationsresurs"),
        ("Jätehuollon tietovaranto", "Avfallshanteringens informationsresurs"),
        ("Katu- ja viheralueiden tietovaranto", "Gatu- och grönområdenas informationsresurs"),
        ("Maankäytön tietovaranto", "Markanvändningens informationsresurs"),
        ("Ruokapalveluiden tietovaranto", "Kosttjänsternas informationsresurs"),
    ]),
    "library": (0.9, ("Kirjastotoimi", "Biblioteksväsendet"), [
        ("Kirjaston asiakasrekisteri", "Bibliotekets kundregister"),
        ("Kirjaston kokoelmatietovaranto", "Bibliotekets samlingsinformationsresurs"),
        ("Omatoimikirjaston käyttörekisteri", "Meröppet-bibliotekets användarregister"),
    ]),
    "records-management": (0.35, ("Kirjaamo", "Registratorskontoret"), [
        ("Arkistonmuodostuksen tietovaranto", "Arkivbildningens informationsresurs"),
        ("Tietopyyntöjen tietovaranto", "Informationsbegärans informationsresurs"),
        ("Päätösarkiston tietovaranto", "Beslutsarkivets informationsresurs"),
    ]),
    "ict-services": (0.3, ("Tietohallinto", "IT-förvaltningen"), [
        ("Käyttäjähallinnan tietovaranto", "Användarhanteringens informationsresurs"),
        ("Lokitietojen tietovaranto", "Loggdatans informationsresurs"),
        ("Laitehallinnan tietovaranto", "Enhetshanteringens informationsresurs"),
    ]),
}

AREA_LABELS = {
    "administration": ("Hallinto", "Förvaltning"), "welfare": ("Hyvinvointipalvelut", "Välfärdstjänster"),
    "early-childhood-education": ("Varhaiskasvatus", "Småbarnspedagogik"), "basic-education": ("Perusopetus", "Grundläggande utbildning"),
    "education-and-culture": ("Sivistyspalvelut", "Bildningstjänster"), "culture-and-leisure": ("Kulttuuri- ja vapaa-aikapalvelut", "Kultur- och fritidstjänster"),
    "technical-services": ("Tekniset palvelut", "Tekniska tjänster"), "library": ("Kirjasto", "Bibliotek"),
    "records-management": ("Asiakirjahallinto", "Dokumentförvaltning"), "ict-services": ("Tietohallinto", "IT-förvaltning"),
}

# Datasets a resource typically holds: (fi, sv, publicity, personal data).
DATASETS = [
    ("Asiakkaan yksilöinti- ja yhteystiedot", "Klientens identifierings- och kontaktuppgifter", "secret", True),
    ("Hakemukset ja liitteet", "Ansökningar och bilagor", "partly-secret", True),
    ("Päätökset", "Beslut", "partly-secret", True),
    ("Päätöksenteon valmisteluasiakirjat", "Beredningshandlingar", "public", False),
    ("Pöytäkirjat", "Protokoll", "public", False),
    ("Sopimukset", "Avtal", "partly-secret", False),
    ("Laskutus- ja maksutiedot", "Fakturerings- och betalningsuppgifter", "secret", True),
    ("Tilastot ja raportit", "Statistik och rapporter", "public", False),
    ("Asiakaskertomukset", "Klientjournaler", "secret", True),
    ("Palveluntarpeen arvioinnit", "Bedömningar av servicebehov", "secret", True),
    ("Lausunnot", "Utlåtanden", "public", False),
    ("Kuulutukset ja ilmoitukset", "Kungörelser och meddelanden", "public", False),
    ("Valitukset ja oikaisuvaatimukset", "Besvär och omprövningsbegäranden", "partly-secret", True),
    ("Suunnitelmat ja selvitykset", "Planer och utredningar", "public", False),
    ("Kirjeenvaihto", "Korrespondens", "partly-secret", True),
    ("Henkilöstön tiedot", "Personaluppgifter", "secret", True),
    ("Kartta- ja paikkatiedot", "Kart- och geodata", "public", False),
    ("Tarkastuspöytäkirjat", "Inspektionsprotokoll", "public", False),
    ("Varaus- ja ilmoittautumistiedot", "Boknings- och anmälningsuppgifter", "partly-secret", True),
    ("Lokitiedot", "Loggdata", "secret", True),
]
DATA_GROUPS = [
    ("Henkilötiedot", ["nimi", "henkilötunnus", "osoite", "puhelinnumero", "sähköpostiosoite"]),
    ("Asian käsittelytiedot", ["diaarinumero", "vireilletulopäivä", "käsittelijä", "käsittelyvaihe"]),
    ("Päätöstiedot", ["päätöspäivä", "päättäjä", "päätösteksti", "muutoksenhakuohje"]),
    ("Taloustiedot", ["laskun numero", "summa", "eräpäivä", "maksutilanne"]),
    ("Palvelutiedot", ["palvelun alkamispäivä", "palvelupaikka", "palvelun tila"]),
    ("Terveystiedot", ["diagnoosi", "hoitosuunnitelma", "lääkitys"]),
    ("Kiinteistötiedot", ["kiinteistötunnus", "osoite", "pinta-ala", "omistaja"]),
    ("Yhteystiedot", ["yhteyshenkilö", "puhelinnumero", "sähköpostiosoite"]),
    ("Asiakirjan metatiedot", ["asiakirjatyyppi", "julkisuusluokka", "säilytysaika"]),
    ("Suoritustiedot", ["arvosana", "suorituspäivä", "opintopisteet"]),
]
PURPOSES = ["{r} ylläpito ja hallinta", "Lakisääteisten tehtävien hoitaminen: {a}", "Asiakassuhteen hoitaminen ({a})",
            "Päätöksenteko ja sen valmistelu ({a})", "Tilastointi ja raportointi ({a})", "Palvelujen suunnittelu ja kehittäminen ({a})"]
PROCESSES = ["Palvelun järjestäminen", "Asiakkuuden hoitaminen", "Päätöksenteko", "Valvonta ja tarkastus", "Suunnittelu ja kehittäminen",
             "Talouden ja hankintojen hallinta"]
LOCAL_SYSTEMS = ["Sähköinen arkisto", "Verkkolomakepalvelu", "Asiakasrekisteri (Excel)", "Tilavarausjärjestelmä", "Intranet",
                 "Paikkatietojärjestelmä", "Palautejärjestelmä", "Kokoushallinta", "Laskutusjärjestelmä", "Sähköinen allekirjoitus"]

# The products of the shared scheme and the service area each serves, most used first.
REAL_PRODUCTS = [("dynasty", "administration"), ("wilma", "basic-education"), ("primus", "basic-education"),
                 ("daisy", "early-childhood-education"), ("koha", "library"), ("lupapiste", "technical-services"),
                 ("koski", "basic-education"), ("hellewi", "education-and-culture"), ("eepos", "culture-and-leisure"),
                 ("parent", "welfare")]
_PRODUCT_SYLLABLES = ["Tieto", "Data", "Asio", "Kunta", "Lupa", "Sote", "Visio", "Netti", "Opus", "Aria", "Certia", "Facta",
                      "Mirra", "Pro", "Effi", "Regi", "Sampo", "Helmi", "Kaari", "Linkki", "Polku", "Silta", "Vakka", "Kide"]
_PRODUCT_ENDS = ["Desk", "Suite", "Hallinta", "Pro", "Online", "Core", "Plus", "Manager", "Palvelu", "Flow", "Base", "One"]
SYNTHETIC_PRODUCTS = 120
ZIPF_EXPONENT = 0.9


def _rng(seed: int, *parts) -> random.Random:
    return random.Random(zlib.crc32(repr((seed, *parts)).encode()))


@lru_cache(maxsize=4)
def synthetic_products(seed: int = 1) -> list[tuple[str, str, str]]:
    """(slug, label, service area) of the long-tail products, in order of popularity."""
    rng = _rng(seed, "products")
    names, out = set(), []
    areas = list(AREAS)
    while len(out) < SYNTHETIC_PRODUCTS:
        name = rng.choice(_PRODUCT_SYLLABLES) + rng.choice(_PRODUCT_SYLLABLES).lower() + " " + rng.choice(_PRODUCT_ENDS)
        if name in names:
            continue
        names.add(name)
        out.append((_slug(name), name, rng.choice(areas)))
    return out


@lru_cache(maxsize=4)
def products(seed: int = 1) -> list[tuple[str, str, str | None, str]]:
    """Every product a generated municipality may run: (IRI, label or None for the real scheme, area, slug),
    most used first (real products first, then the synthetic long tail)."""
    out = [(VOCAB + "system-product/" + slug, None, area, slug) for slug, area in REAL_PRODUCTS]
    out += [(VOCAB + SYNTHETIC_SCHEME + "/" + slug, label, area, slug) for slug, label, area in synthetic_products(seed)]
    return out


def usage_probability(rank: int) -> float:
    """Share of municipalities running the product of this popularity rank (1 = most used): Zipf-like."""
    return min(0.92, 1.1 / rank ** ZIPF_EXPONENT)


@lru_cache(maxsize=4096)
def _slug(label: str) -> str:
    from .rdffiles import slugify
    return slugify(label, 120)


def municipality_code(i: int) -> str | None:
    """The three-digit code of the i-th generated municipality (1-based), skipping the codes in data/."""
    codes = [f"{c:03d}" for c in range(1, 1000) if f"{c:03d}" not in RESERVED_CODES]
    return codes[i - 1] if i <= len(codes) else None


def municipality_key(i: int) -> str:
    return f"s{i:03d}"


def municipality_name(seed: int, i: int) -> tuple[str, str | None]:
    """A made-up Finnish name, distinct for every i, and a Swedish one for bilingual municipalities (about one in six)."""
    combos = _name_combos(seed)
    stem, (end_fi, end_sv) = combos[(i - 1) % len(combos)]
    suffix = f" {(i - 1) // len(combos) + 1}" if i > len(combos) else ""
    sv = stem + end_sv + suffix if _rng(seed, "bilingual", i).random() < 0.17 else None
    return stem + end_fi + suffix, sv


@lru_cache(maxsize=4)
def _name_combos(seed: int) -> list:
    combos = [(s, e) for s in _STEMS for e in _ENDS]
    _rng(seed, "names").shuffle(combos)
    return combos


# ---------------------------------------------------------------- writing Turtle

def _lit(text: str, lang: str | None = "fi") -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{esc}"@{lang}' if lang else f'"{esc}"'


class _Doc:
    """Turtle written statement by statement (fast, and readable like the files in data/)."""

    def __init__(self):
        self.parts = [PREFIXES]

    def node(self, subject: str, *pairs):
        lines = [f"{subject}"]
        body = []
        for p, objs in pairs:
            if objs is None or objs == []:
                continue
            if not isinstance(objs, (list, tuple)):
                objs = [objs]
            body.append(f"    {p} " + ",\n        ".join(objs))
        self.parts.append(lines[0] + "\n" + " ;\n".join(body) + " .\n")

    def text(self) -> str:
        return "\n".join(self.parts)


def _iri(s: str) -> str:
    return f"<{s}>"


def _labels(fi: str, sv: str | None, bilingual: bool) -> list[str]:
    return [_lit(fi)] + ([_lit(sv, "sv")] if bilingual and sv else [])


def municipality_turtle(i: int, seed: int = 1, scale: float = 1.0) -> tuple[str, str]:
    """(key, Turtle) of the i-th generated municipality (1-based). `scale` below 1 makes smaller ones (fewer
    service areas, resources and datasets; 0.05 gives a few hundred triples) for tests that need many quickly."""
    rng = _rng(seed, "municipality", i)
    key, code = municipality_key(i), municipality_code(i)
    name_fi, name_sv = municipality_name(seed, i)
    bilingual = name_sv is not None
    m = ID + key
    act = f"{m}/activity/generation"
    slug = _slug(name_fi)
    doc = _Doc()
    # Size: most municipalities are small, a few are cities (log-normal, like real population sizes).
    size = min(3.0, max(0.5, 1.3 * rng.lognormvariate(0, 0.4)))

    doc.node(_iri(m), ("a", "kg:Municipality"), ("dcterms:identifier", _lit(code, None) if code else None),
             ("skos:prefLabel", [_lit(name_fi)] + ([_lit(name_sv, "sv")] if name_sv else [])),
             ("skos:editorialNote", [_lit("Synteettinen kunta suorituskykymittauksia varten; ei todellinen.", "fi"),
                                     _lit("A synthetic municipality for benchmarks; not a real one.", "en")]),
             ("prov:wasGeneratedBy", _iri(act)))
    doc.node(_iri(act), ("a", "prov:Activity"),
             ("skos:prefLabel", [_lit(f"Synteettinen aineisto (kuntagraph generate, siemen {seed})"),
                                 _lit(f"Synthetic data (kuntagraph generate, seed {seed})", "en")]),
             ("prov:endedAtTime", f'"{GENERATED_AT}"^^xsd:dateTime'),
             ("prov:wasAssociatedWith", _iri(BASE)))

    areas = [a for a, (w, _, _) in AREAS.items() if a == "administration" or rng.random() < w]
    if scale < 1:
        areas = areas[:max(2, round(len(areas) * scale))]
    small = min(1.0, scale)
    # Products this municipality runs: each product by its popularity, in the areas it describes.
    systems: dict[str, list[str]] = {a: [] for a in areas}
    for rank, (product, _label, area, pslug) in enumerate(products(seed), start=1):
        if area in systems and rng.random() < usage_probability(rank):
            s = f"{m}/system/{pslug}"
            systems[area].append(s)
            doc.node(_iri(s), ("a", "kg:SystemInstance"), ("skos:prefLabel", _lit(_product_label(product, _label))),
                     ("kg:instanceOf", _iri(product)), ("kg:owner", _iri(m)), ("kg:serviceArea", f"sa:{area}"),
                     ("prov:wasGeneratedBy", _iri(act)))
    for area in areas:
        if not systems[area] or rng.random() < 0.5:
            label = rng.choice(LOCAL_SYSTEMS)
            s = f"{m}/system/{area}-{_slug(label)}"
            systems[area].append(s)
            doc.node(_iri(s), ("a", "kg:SystemInstance"), ("skos:prefLabel", _lit(f"{label} ({AREA_LABELS[area][0].lower()})")),
                     ("kg:owner", _iri(m)), ("kg:serviceArea", f"sa:{area}"), ("prov:wasGeneratedBy", _iri(act)))
    used_systems: set[str] = set()
    # Municipality-wide search criteria (one style) or per resource (the other), as in the seeds.
    wide_criteria = rng.random() < 0.3

    for area in areas:
        _, (auth_fi, auth_sv), resources = AREAS[area]
        area_fi, area_sv = AREA_LABELS[area]
        authority, contact = f"{m}/authority/{area}", f"{m}/contact/{area}"
        doc.node(_iri(authority), ("a", "kg:Authority"), ("skos:prefLabel", _labels(auth_fi, auth_sv, bilingual)),
                 ("dcat:contactPoint", _iri(contact)), ("org:unitOf", _iri(m)), ("kg:serviceArea", f"sa:{area}"),
                 ("prov:wasGeneratedBy", _iri(act)))
        postal = f"{rng.randint(10, 99)}{rng.randint(0, 9)}00"
        doc.node(_iri(contact), ("a", "vcard:Organization"), ("vcard:fn", _lit(f"{name_fi}: {auth_fi}", None)),
                 ("vcard:hasEmail", _iri(f"mailto:kirjaamo.{area}@{slug}.example")),
                 ("vcard:hasTelephone", _iri(f"tel:+3584{rng.randint(0, 99999999):08d}")),
                 ("vcard:hasAddress", f"[ a vcard:Address ; vcard:street-address {_lit(f'PL {rng.randint(1, 99)}', None)} ; "
                                      f"vcard:postal-code {_lit(postal, None)} ; vcard:locality {_lit(name_fi, None)} ]"))
        processes = []
        for p_label in rng.sample(PROCESSES, rng.randint(1, 3)):
            proc = f"{m}/process/{area}-{_slug(p_label)}"
            processes.append(proc)
            doc.node(_iri(proc), ("a", "kg:Process"), ("skos:prefLabel", _lit(f"{area_fi}: {p_label.lower()}")),
                     ("kg:serviceArea", f"sa:{area}"), ("kg:responsibleAuthority", _iri(authority)),
                     ("prov:wasGeneratedBy", _iri(act)))
        n_res = max(1, min(len(resources) * 3, round(len(resources) * size * scale * rng.uniform(0.6, 1.2))))
        res_iris = []
        open_iface = rng.choices(["no", "partly", "yes"], [0.6, 0.3, 0.1])[0]
        for r in range(n_res):
            r_fi, r_sv = resources[r % len(resources)]
            if r >= len(resources):
                part = r // len(resources) + 1
                r_fi, r_sv = f"{r_fi} {part}", f"{r_sv} {part}"
            rslug = _slug(r_fi)
            res = f"{m}/resource/{rslug}"
            res_iris.append(res)
            purpose = f"{m}/purpose/{rslug}"
            doc.node(_iri(purpose), ("a", "kg:Purpose"),
                     ("skos:prefLabel", _lit(rng.choice(PURPOSES).format(r=r_fi, a=area_fi.lower()))),
                     ("kg:serviceArea", f"sa:{area}"), ("prov:wasGeneratedBy", _iri(act)))
            held = [] if rng.random() < 0.06 else rng.sample(systems[area], min(len(systems[area]), rng.choice([1, 1, 2])))
            used_systems.update(held)
            datasets = []
            for d, (d_fi, d_sv, publicity, personal) in enumerate(rng.sample(DATASETS, max(1, round(rng.randint(4, 8) * small)))):
                ds = f"{m}/dataset/{rslug}-{_slug(d_fi)}"
                datasets.append(ds)
                groups = []
                for g_label, fields in rng.sample(DATA_GROUPS, max(1, round(rng.randint(1, 3) * small))):
                    g = f"{m}/data-group/{rslug}-{_slug(d_fi)}-{_slug(g_label)}"
                    groups.append(g)
                    doc.node(_iri(g), ("a", "kg:DataGroup"), ("skos:prefLabel", _lit(g_label)),
                             ("kg:publicity", f"pub:{'secret' if publicity == 'secret' else rng.choice(['public', 'secret'])}"),
                             ("kg:includesField", [_lit(f) for f in rng.sample(fields, rng.randint(2, len(fields)))]))
                doc.node(_iri(ds), ("a", "kg:Dataset"), ("skos:prefLabel", _labels(d_fi, d_sv, bilingual)),
                         ("dcterms:description", _lit(f"{d_fi}: {r_fi.lower()}, {name_fi}.")),
                         ("kg:dataGroup", [_iri(g) for g in groups]), ("kg:publicity", f"pub:{publicity}"),
                         ("kg:personalData", "true" if personal else "false"),
                         ("kg:archivalAction", "aa:archive-permanently" if rng.random() < 0.3 else "aa:destroy"),
                         ("kg:serviceArea", f"sa:{area}"), ("prov:wasGeneratedBy", _iri(act)))
            criteria = None if wide_criteria else [f"sc:{c}" for c in rng.sample(
                ["person-name", "personal-identity-code", "record-number", "property-identifier", "date"], rng.randint(1, 3))]
            doc.node(_iri(res), ("a", ["kg:CaseRegister", "kg:InformationResource"] if area == "administration" and r == 0 else "kg:InformationResource"),
                     ("skos:prefLabel", _labels(r_fi, r_sv, bilingual)),
                     ("dcterms:description", _lit(f"{r_fi}: {name_fi}n kunnan {area_fi.lower()} -palvelualueen tiedot.")),
                     ("dcterms:hasPart", [_iri(d) for d in datasets]), ("kg:heldIn", [_iri(s) for s in held]),
                     ("kg:purpose", _iri(purpose)), ("kg:process", _iri(rng.choice(processes))),
                     ("kg:responsibleAuthority", _iri(authority)), ("kg:searchCriterion", criteria),
                     ("kg:serviceArea", f"sa:{area}"), ("prov:wasGeneratedBy", _iri(act)))
        description = f"{m}/description/{area}"
        interface = f"{description}/interface" if open_iface == "yes" else None
        if interface:
            doc.node(_iri(interface), ("a", "kg:TechnicalInterface"), ("skos:prefLabel", _lit(f"{area_fi}: avoin rajapinta")),
                     ("dcat:endpointURL", _iri(f"https://rajapinnat.{slug}.example/{area}")))
        doc.node(_iri(description), ("a", "kg:AccessDescription"),
                 ("skos:prefLabel", _labels(f"Asiakirjajulkisuuskuvaus: {area_fi}", f"Beskrivning av handlingsoffentlighet: {area_sv}", bilingual)),
                 ("dcterms:publisher", _iri(m)), ("kg:decidingAuthority", _iri(authority)),
                 ("dcterms:hasPart", [_iri(r) for r in res_iris]), ("kg:serviceArea", f"sa:{area}"),
                 ("kg:openInterface", f"oi:{open_iface}"), ("kg:interface", _iri(interface) if interface else None),
                 ("kg:searchCriterion", ["sc:person-name", "sc:record-number", "sc:date"] if wide_criteria else None),
                 ("prov:wasGeneratedBy", _iri(act)))
    # A system instance must hold something (§28 item 1): one no resource uses goes into a resource of its area.
    text = doc.text()
    unused = [s for a in areas for s in systems[a] if s not in used_systems]
    if unused:
        extra = _Doc()
        extra.parts = []
        for s in unused:
            area = next(a for a in areas if s in systems[a])
            extra.node(_iri(f"{m}/resource/{_slug(AREAS[area][2][0][0])}"), ("kg:heldIn", _iri(s)))
        text += "\n" + extra.text()
    return key, text


def _product_label(product: str, label: str | None) -> str:
    if label:
        return label
    return product.rsplit("/", 1)[1].capitalize()


def products_turtle(seed: int = 1) -> str:
    """The concept scheme of the synthetic long-tail products (its own graph, vocab/system-product-synthetic)."""
    scheme = VOCAB + SYNTHETIC_SCHEME
    doc = _Doc()
    items = synthetic_products(seed)
    doc.node(_iri(scheme), ("a", "skos:ConceptScheme"),
             ("skos:prefLabel", [_lit("Synteettiset tietojärjestelmätuotteet"), _lit("Syntetiska informationssystemprodukter", "sv"),
                                 _lit("Synthetic information system products", "en")]),
             ("skos:definition", _lit("Keksittyjä tuotteita suorituskykymittauksia varten (kuntagraph generate).")),
             ("skos:hasTopConcept", [f"sps:{slug}" for slug, _, _ in items]))
    for slug, label, _area in items:
        doc.node(f"sps:{slug}", ("a", ["skos:Concept", "kg:SystemProduct"]), ("skos:inScheme", _iri(scheme)),
                 ("skos:topConceptOf", _iri(scheme)), ("skos:prefLabel", [_lit(label), _lit(label, "sv"), _lit(label, "en")]))
    return doc.text()


def generate(n: int, out: Path | str, seed: int = 1, scale: float = 1.0) -> list[Path]:
    """Write n municipalities (KEY.ttl each) and the long-tail product scheme (products.ttl) into out."""
    out = Path(out).resolve()
    if out == config.DATA_DIR.resolve() or config.DATA_DIR.resolve() in out.parents:
        raise ValueError(f"{out}: generated municipalities are for benchmarks and load tests, never for data/")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    p = out / PRODUCTS_FILE
    p.write_text(products_turtle(seed), encoding="utf-8")
    written.append(p)
    for i in range(1, n + 1):
        key, text = municipality_turtle(i, seed, scale)
        p = out / f"{key}.ttl"
        p.write_text(text, encoding="utf-8")
        written.append(p)
    return written


def generated_graphs(n: int, seed: int = 1, iris=None, scale: float = 1.0) -> list[tuple[str, list]]:
    """The same content as (graph IRI, pyoxigraph triples) pairs, without files: for tests and benchmarks."""
    import pyoxigraph as ox

    from .iris import Iris
    from .rdffiles import _rebase, graph_for

    iris = iris or Iris()
    out = []
    sources = [(Path(PRODUCTS_FILE), products_turtle(seed))]
    sources += [(Path(f"{key}.ttl"), text) for key, text in (municipality_turtle(i, seed, scale) for i in range(1, n + 1))]
    for path, text in sources:
        triples = [_rebase(q.triple, iris) for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=iris.base)]
        out.append((graph_for(path, triples, iris), triples))
    return out
