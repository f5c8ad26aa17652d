"""UI languages. Everything a person reads is in Finnish, Swedish and English; data labels fall back
fi -> sv -> en (the order the sources are written in), starting from the chosen language."""

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"

STRINGS = {
    "site_title": {"fi": "kuntagraph", "sv": "kuntagraph", "en": "kuntagraph"},
    "tagline": {
        "fi": "Kuntien tiedonhallinnan kuvaukset linkitettynä tietona: mitä tietoja kunta pitää, kuka niistä päättää ja miten niitä pyydetään.",
        "sv": "Kommunernas beskrivningar av informationshanteringen som länkade data: vilka uppgifter kommunen har, vem som beslutar om dem och hur man begär dem.",
        "en": "Finnish municipalities' information-management descriptions as linked data: what data a municipality holds, who decides on it and how to ask for it.",
    },
    "intro": {
        "fi": "Tiedonhallintalain (906/2019) 28 §:n mukaan jokaisen kunnan on julkaistava asiakirjajulkisuuskuvaus: tietojärjestelmät, tietojen luovuttamisesta päättävä viranomainen yhteystietoineen, tietoaineistot tietoryhmittäin, hakutekijät ja tieto siitä, ovatko tiedot saatavilla avoimen rajapinnan kautta. Täällä kuvaukset ovat vertailtavissa ja haettavissa.",
        "sv": "Enligt 28 § i informationshanteringslagen (906/2019) ska varje kommun publicera en beskrivning för att genomföra handlingsoffentligheten: informationssystem, den myndighet som beslutar om utlämnande med kontaktuppgifter, datamaterial per datagrupp, sökkriterier och om uppgifterna finns tillgängliga via ett öppet gränssnitt. Här kan beskrivningarna jämföras och sökas.",
        "en": "Under section 28 of the Act on Information Management in Public Administration (906/2019), every municipality must publish a description of its information: its systems, the authority that decides on disclosure with contact details, its datasets by data group, the search criteria, and whether the data is open through a technical interface. Here those descriptions can be compared and searched.",
    },
    "municipalities": {"fi": "Kunnat", "sv": "Kommuner", "en": "Municipalities"},
    "publishers": {"fi": "Kuvausten julkaisijat", "sv": "Utgivare av beskrivningar", "en": "Publishers of descriptions"},
    "code": {"fi": "Kuntanumero", "sv": "Kommunkod", "en": "Code"},
    "name": {"fi": "Nimi", "sv": "Namn", "en": "Name"},
    "resources": {"fi": "Tietovarannot", "sv": "Informationsresurser", "en": "Information resources"},
    "datasets": {"fi": "Tietoaineistot", "sv": "Datamaterial", "en": "Datasets"},
    "systems": {"fi": "Tietojärjestelmät", "sv": "Informationssystem", "en": "Information systems"},
    "source": {"fi": "Lähde", "sv": "Källa", "en": "Source"},
    "no_code": {"fi": "ei kuntanumeroa", "sv": "ingen kommunkod", "en": "no code"},
    "sparql": {"fi": "SPARQL-kyselyt", "sv": "SPARQL-frågor", "en": "SPARQL queries"},
    "sparql_intro": {
        "fi": "Kysy mitä tahansa kaikista kuvauksista SPARQL 1.1 -kielellä. Esimerkkikyselyt vastaavat analyytikoiden tavallisiin kysymyksiin.",
        "sv": "Fråga vad som helst om alla beskrivningar med SPARQL 1.1. Exempelfrågorna svarar på analytikernas vanliga frågor.",
        "en": "Ask anything of all the descriptions in SPARQL 1.1. The example queries answer analysts' usual questions.",
    },
    "vocabulary": {"fi": "Sanasto ja luokitukset", "sv": "Vokabulär och klassificeringar", "en": "Vocabulary and schemes"},
    "downloads": {"fi": "Lataukset", "sv": "Nedladdningar", "en": "Downloads"},
    "language": {"fi": "Kieli", "sv": "Språk", "en": "Language"},
    "not_found": {"fi": "Ei löytynyt", "sv": "Hittades inte", "en": "Not found"},
    "not_found_text": {
        "fi": "Tällä tunnisteella ei ole kuvattu mitään. Tarkista osoite tai aloita etusivulta.",
        "sv": "Ingenting har beskrivits med den här identifieraren. Kontrollera adressen eller börja från startsidan.",
        "en": "Nothing has been described under this identifier. Check the address or start from the home page.",
    },
    "home": {"fi": "Etusivu", "sv": "Startsida", "en": "Home"},
    "query_ui_noscript": {
        "fi": "Kyselyeditori tarvitsee JavaScriptin. Ilman sitä voit lähettää kyselyn tällä lomakkeella.",
        "sv": "Frågeeditorn behöver JavaScript. Utan det kan du skicka frågan med det här formuläret.",
        "en": "The query editor needs JavaScript. Without it you can send a query with this form.",
    },
    "run": {"fi": "Suorita", "sv": "Kör", "en": "Run"},
    "examples": {"fi": "Esimerkkikyselyt", "sv": "Exempelfrågor", "en": "Example queries"},
}


def pick_language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT


def t(key: str, lang: str) -> str:
    entry = STRINGS[key]
    return entry.get(lang) or entry["en"]


def fallback_order(lang: str) -> list[str]:
    """The chosen language first, then fi -> sv -> en, then untagged."""
    return [lang] + [x for x in LANGUAGES if x != lang] + [""]


def best_label(labels: dict[str, str], lang: str) -> str | None:
    """labels: {language tag: text}."""
    for candidate in fallback_order(lang):
        if candidate in labels:
            return labels[candidate]
    return next(iter(labels.values()), None)


# Labels of terms from other vocabularies, for the property tables of the HTML pages.
EXTERNAL_TERMS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"fi": "tyyppi", "sv": "typ", "en": "type"},
    "http://www.w3.org/2004/02/skos/core#prefLabel": {"fi": "nimi", "sv": "namn", "en": "name"},
    "http://www.w3.org/2004/02/skos/core#altLabel": {"fi": "muu nimi", "sv": "annat namn", "en": "other name"},
    "http://www.w3.org/2004/02/skos/core#definition": {"fi": "määritelmä", "sv": "definition", "en": "definition"},
    "http://www.w3.org/2004/02/skos/core#note": {"fi": "huomautus", "sv": "anmärkning", "en": "note"},
    "http://www.w3.org/2004/02/skos/core#editorialNote": {"fi": "toimituksellinen huomautus", "sv": "redaktionell anmärkning", "en": "editorial note"},
    "http://www.w3.org/2004/02/skos/core#broader": {"fi": "laajempi käsite", "sv": "överordnat begrepp", "en": "broader concept"},
    "http://www.w3.org/2004/02/skos/core#narrower": {"fi": "suppeampi käsite", "sv": "underordnat begrepp", "en": "narrower concept"},
    "http://www.w3.org/2004/02/skos/core#related": {"fi": "lähikäsite", "sv": "relaterat begrepp", "en": "related concept"},
    "http://www.w3.org/2004/02/skos/core#inScheme": {"fi": "sanasto", "sv": "vokabulär", "en": "in scheme"},
    "http://www.w3.org/2004/02/skos/core#topConceptOf": {"fi": "sanaston yläkäsite", "sv": "toppbegrepp i", "en": "top concept of"},
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": {"fi": "yläkäsite", "sv": "toppbegrepp", "en": "top concept"},
    "http://www.w3.org/2000/01/rdf-schema#label": {"fi": "nimi", "sv": "namn", "en": "label"},
    "http://www.w3.org/2000/01/rdf-schema#comment": {"fi": "kommentti", "sv": "kommentar", "en": "comment"},
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": {"fi": "yläluokka", "sv": "överklass", "en": "subclass of"},
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": {"fi": "yläominaisuus", "sv": "överegenskap", "en": "subproperty of"},
    "http://www.w3.org/2000/01/rdf-schema#domain": {"fi": "kohdeluokka", "sv": "domän", "en": "domain"},
    "http://www.w3.org/2000/01/rdf-schema#range": {"fi": "arvoalue", "sv": "värdemängd", "en": "range"},
    "http://www.w3.org/2000/01/rdf-schema#isDefinedBy": {"fi": "määritelty", "sv": "definierad i", "en": "defined by"},
    "http://purl.org/dc/terms/description": {"fi": "kuvaus", "sv": "beskrivning", "en": "description"},
    "http://purl.org/dc/terms/identifier": {"fi": "tunnus", "sv": "identifierare", "en": "identifier"},
    "http://purl.org/dc/terms/hasPart": {"fi": "sisältää", "sv": "innehåller", "en": "has part"},
    "http://purl.org/dc/terms/isPartOf": {"fi": "osa kokonaisuutta", "sv": "del av", "en": "part of"},
    "http://purl.org/dc/terms/publisher": {"fi": "julkaisija", "sv": "utgivare", "en": "publisher"},
    "http://purl.org/dc/terms/source": {"fi": "lähdeasiakirja", "sv": "källdokument", "en": "source document"},
    "http://purl.org/dc/terms/created": {"fi": "laadittu", "sv": "upprättad", "en": "created"},
    "http://purl.org/dc/terms/creator": {"fi": "laatija", "sv": "upprättad av", "en": "creator"},
    "http://purl.org/dc/terms/title": {"fi": "otsikko", "sv": "titel", "en": "title"},
    "http://purl.org/dc/terms/license": {"fi": "lisenssi", "sv": "licens", "en": "licence"},
    "http://purl.org/dc/terms/accrualPeriodicity": {"fi": "päivitystiheys", "sv": "uppdateringsfrekvens", "en": "update frequency"},
    "http://www.w3.org/ns/dcat#contactPoint": {"fi": "yhteystiedot", "sv": "kontaktuppgifter", "en": "contact point"},
    "http://www.w3.org/ns/dcat#endpointURL": {"fi": "rajapinnan osoite", "sv": "gränssnittets adress", "en": "endpoint address"},
    "http://www.w3.org/ns/org#unitOf": {"fi": "organisaatio", "sv": "organisation", "en": "unit of"},
    "http://www.w3.org/ns/org#memberOf": {"fi": "jäsenenä", "sv": "medlem i", "en": "member of"},
    "http://www.w3.org/ns/org#hasMember": {"fi": "jäsenet", "sv": "medlemmar", "en": "members"},
    "http://www.w3.org/ns/prov#wasDerivedFrom": {"fi": "lähde", "sv": "källa", "en": "derived from"},
    "http://www.w3.org/ns/prov#wasGeneratedBy": {"fi": "tuotettu", "sv": "skapad genom", "en": "generated by"},
    "http://www.w3.org/ns/prov#used": {"fi": "käytetty lähde", "sv": "använd källa", "en": "used"},
    "http://www.w3.org/ns/prov#endedAtTime": {"fi": "valmistunut", "sv": "avslutad", "en": "ended at"},
    "http://www.w3.org/ns/prov#wasAssociatedWith": {"fi": "tekijä", "sv": "utförd av", "en": "associated with"},
    "http://xmlns.com/foaf/0.1/homepage": {"fi": "kotisivu", "sv": "webbplats", "en": "home page"},
    "http://www.w3.org/2006/vcard/ns#fn": {"fi": "nimi", "sv": "namn", "en": "name"},
    "http://www.w3.org/2006/vcard/ns#title": {"fi": "tehtävänimike", "sv": "befattning", "en": "job title"},
    "http://www.w3.org/2006/vcard/ns#hasTelephone": {"fi": "puhelin", "sv": "telefon", "en": "telephone"},
    "http://www.w3.org/2006/vcard/ns#hasEmail": {"fi": "sähköposti", "sv": "e-post", "en": "e-mail"},
    "http://www.w3.org/2006/vcard/ns#hasURL": {"fi": "verkko-osoite", "sv": "webbadress", "en": "web address"},
    "http://www.w3.org/2006/vcard/ns#hasAddress": {"fi": "osoite", "sv": "adress", "en": "address"},
    "http://www.w3.org/2006/vcard/ns#organization-name": {"fi": "yksikkö", "sv": "enhet", "en": "organisation"},
    "http://www.w3.org/2006/vcard/ns#street-address": {"fi": "katuosoite", "sv": "gatuadress", "en": "street address"},
    "http://www.w3.org/2006/vcard/ns#postal-code": {"fi": "postinumero", "sv": "postnummer", "en": "postal code"},
    "http://www.w3.org/2006/vcard/ns#locality": {"fi": "postitoimipaikka", "sv": "postort", "en": "locality"},
    "http://www.w3.org/2002/07/owl#Class": {"fi": "luokka", "sv": "klass", "en": "class"},
    "http://www.w3.org/2002/07/owl#ObjectProperty": {"fi": "suhdeominaisuus", "sv": "objektegenskap", "en": "object property"},
    "http://www.w3.org/2002/07/owl#DatatypeProperty": {"fi": "arvo-ominaisuus", "sv": "dataegenskap", "en": "datatype property"},
    "http://www.w3.org/2004/02/skos/core#Concept": {"fi": "käsite", "sv": "begrepp", "en": "concept"},
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": {"fi": "sanasto", "sv": "vokabulär", "en": "concept scheme"},
    "http://www.w3.org/ns/prov#Activity": {"fi": "toiminto", "sv": "aktivitet", "en": "activity"},
    "http://www.w3.org/ns/prov#Entity": {"fi": "entiteetti", "sv": "entitet", "en": "entity"},
    "http://xmlns.com/foaf/0.1/Document": {"fi": "asiakirja", "sv": "dokument", "en": "document"},
    "http://www.w3.org/2006/vcard/ns#Individual": {"fi": "yhteyshenkilö", "sv": "kontaktperson", "en": "contact person"},
    "http://www.w3.org/2006/vcard/ns#Address": {"fi": "osoite", "sv": "adress", "en": "address"},
}

STRINGS.update({
    "properties": {"fi": "Tiedot", "sv": "Uppgifter", "en": "Details"},
    "used_by": {"fi": "Viittaukset tähän", "sv": "Hänvisningar hit", "en": "Used by"},
    "provenance": {"fi": "Alkuperä", "sv": "Ursprung", "en": "Provenance"},
    "formats": {"fi": "Muut muodot", "sv": "Andra format", "en": "Other formats"},
    "iri": {"fi": "Tunniste (IRI)", "sv": "Identifierare (IRI)", "en": "Identifier (IRI)"},
    "classes": {"fi": "Luokat", "sv": "Klasser", "en": "Classes"},
    "object_properties": {"fi": "Suhdeominaisuudet", "sv": "Objektegenskaper", "en": "Object properties"},
    "datatype_properties": {"fi": "Arvo-ominaisuudet", "sv": "Dataegenskaper", "en": "Datatype properties"},
    "schemes": {"fi": "Sanastot", "sv": "Vokabulärer", "en": "Concept schemes"},
    "concepts": {"fi": "Käsitteet", "sv": "Begrepp", "en": "Concepts"},
    "labels_all": {"fi": "Nimet kaikilla kielillä", "sv": "Namn på alla språk", "en": "Names in every language"},
    "superclasses": {"fi": "Yläluokat", "sv": "Överklasser", "en": "Superclasses"},
    "subclasses": {"fi": "Alaluokat", "sv": "Underklasser", "en": "Subclasses"},
    "domain": {"fi": "Kohdeluokka", "sv": "Domän", "en": "Domain"},
    "range": {"fi": "Arvoalue", "sv": "Värdemängd", "en": "Range"},
    "instances": {"fi": "Kuvattuja kohteita", "sv": "Beskrivna objekt", "en": "Described things"},
    "more_links": {"fi": "Viittauksia on enemmän kuin tässä näytetään; hae kaikki SPARQL-kyselyllä.", "sv": "Det finns fler hänvisningar än som visas här; hämta alla med en SPARQL-fråga.", "en": "There are more links than shown here; get them all with a SPARQL query."},
    "dumps": {"fi": "Koko aineisto ladattavana", "sv": "Hela materialet att ladda ner", "en": "Full dumps"},
    "dump_all": {"fi": "Kaikki graafit (N-Quads)", "sv": "Alla grafer (N-Quads)", "en": "All graphs (N-Quads)"},
    "graph": {"fi": "Graafi", "sv": "Graf", "en": "Graph"},
    "triples": {"fi": "Kolmikoita", "sv": "Tripler", "en": "Triples"},
    "ontology_doc": {"fi": "kuntagraph-ontologia", "sv": "kuntagraph-ontologin", "en": "The kuntagraph ontology"},
})
