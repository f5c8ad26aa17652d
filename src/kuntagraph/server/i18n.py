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
