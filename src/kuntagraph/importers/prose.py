"""The general reader: a published description as people write it, in Finnish or Swedish prose, headings,
bullets and "label: value" lines, read by meaning.

Every line is one of: boilerplate (the page address, skip links and navigation, the law quoted or paraphrased,
definitions, sentences about the description itself), an item, text placed as a description, or a note. Items
are recognised by the lemma of a phrase's head word (morphology.py) against the words of terms.py:

- headings: a resource ("Perusopetuksen tietovaranto", "Förvaltningens informationslager"), a group of
  resources ("Fyysiset tietovarannot"), a section of a resource's datasets or systems, the case register
  ("Kangasalan kaupungin asiarekisteri"), a systems heading, search criteria ("HAKUPERUSTEET");
- "label: value" lines and bullets under them, and lists a sentence announces ("…seuraaviin tietojärjestelmiin:");
- sentences: lists after a verb ("Kaupunkiympäristön tietovarantoihin kuuluvat A, B sekä C", "Hakutekijöinä
  voivat olla …"), the case register and systems named in own-voice sentences, the responsible or deciding
  body ("Vastuuhenkilönä toimii …", "… fungerar som ansvarig myndighet"), the registry and each contact
  channel, and open-interface statements about the organisation's own data.

A source that ends mid-word or mid-sentence is reported as cut off and its last fragment gives no item.
"""

from __future__ import annotations

import re

from . import terms, vocab
from .model import Contact, Description, Item, Note, Party, Resource, Sector, capitalize, clean_item, strip_bullet
from .morphology import Word, finnish, is_verb, swedish_head, verb_lemma
from .reading import Block

# --- boilerplate -----------------------------------------------------------------------------------------

_NAVIGATION = re.compile(
    r"^(siirry|hyppää|suoraan)\s+(sisältöön|pääsisältöön)|^till\s+innehållet|^skip\s+to\s+(main\s+)?content|^murupolku$|"
    r"^brödsmulor$|^hae\s+sivustolta|^sök\s+på\s+webbplatsen|^generic selectors$|^exact matches only$|^search in (title|content)$|"
    r"^post type selectors$|^(valikko|meny|menu|etusivu|startsida|home)$|^ohita\s+(valikko|navigaatio|sisällysluettelo)|"
    r"^hoppa\s+(till|över)\b|^gå\s+till\s+(huvud)?innehållet|^asiasanat$|^ämnesord$|.*\(siirryt toiseen palveluun\)$|^jaa sivu|^tulosta$|"
    r"^päivitetty\b|^uppdaterad\b|^julkaistu\b|^publicerad\b", re.I)
_IMAGE = re.compile(r"(_|\s)(pää|sivun\s)?kuva$|^(valo)?kuva\b|^kuvituskuva|^bild\b|^foto\b|"
                    r"^(kirja|en hand|käsi|ihmisiä|henkilö)\b.*\b(tekstiä|stämplar|dokument|kirjoittaa|papereita)\b", re.I)
_URL_LINE = re.compile(r"^https?://\S+$")
_STATUTE = re.compile(r"\b\d{1,4}\s?/\s?(19|20)\d{2}\b|§|\bTiHL\b|\bJulkL\b|\bMyndOffL\b|\bHE\s+\d+/\d{4}|\(\d{1,2}\.\d{1,2}\.\d{4}/\d+\)")
_DUTY = re.compile(r"\bon\s+(\S+\s+){0,6}?(ylläpidettävä|pidettävä|yksilöitävä|annettava|huolehdittava|julkaistava|laadittava)\b|"
                   r"\bvelvollisuus\b|\bskyldighet\b|\bska\s+(\w+\s+){0,6}(upprätthålla|individualiseras)|"
                   r"\b(lain|lakiin|lagen|lag)\s+(mukaan|mukaisesti|edellyttämällä)|\benligt\s+(\w+\s+){0,3}lag|"
                   r"^(julkisuus|tiedonhallinta|informationshanterings|offentlighets)la", re.I)
_DEFINITION = re.compile(r"\btarkoitetaan\b|\btarkoittaa\b|\bavses\b|\bmerkitsee\b|\bbetyder\b|\bmeans\b|"
                         r"\b(is|are)\s+defined\b|\bkäsite\b", re.I)
_INDIRECT = re.compile(r"\b(onko|ovatko|huruvida|whether)\b", re.I)
_ABOUT = re.compile(r"^(kerromme|kerrotaan|tällä\s+sivu|täällä|här\b|på\s+denna\s+sida|tämä\s+asiakirja)", re.I)
_LAW_WORDS_SV = re.compile(r"\b(beskrivning\w*)\b", re.I)

# --- words ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"-?[^\W_](?:[\w'’]|[-:](?=\w))*-?", re.U)
_FUNCTION = {"ja", "sekä", "tai", "eli", "tahi", "och", "eller", "samt", "and", "or"}
_ORG_WORDS = {"kaupunki", "kunta", "liitto", "hyvinvointialue", "kuntayhtymä", "virasto", "organisaatio", "kaupunginkirjasto",
              "stad", "stads", "stadens", "kommun", "kommuns", "kommunens", "välfärdsområde", "välfärdsområdets"}
_GENERIC_MODIFIERS = {"operatiivinen", "muu", "eri", "keskeinen", "sähköinen", "erillinen", "useat", "useampi", "kyseinen",
                      "kaikki", "nämä", "tämä", "se", "fyysinen", "looginen", "oma", "operativa", "övriga", "andra", "olika",
                      "yksi", "usea", "useampi", "viranomainen", "myndighet", "myndighetens", "tiedonhallintayksikkö"}
_RELATIVE = {"joka", "jotka", "jota", "joita", "jossa", "joissa", "josta", "joista", "johon", "joihin", "jonka", "joiden",
             "mikä", "mitkä", "jolla", "joilla", "som", "vilka", "vilket", "which", "that"}
_COPULA_FI = {"olla", "kuulua", "koostua", "muodostua", "sisältää", "sisältyä", "käsittää"}
_COPULA_SV = re.compile(r"\b(är|utgörs av|består av|omfattar|hör|ingår|innehåller|inrymmer)\b", re.I)
_LIST_LEAD = re.compile(r"^(?:mm\.?|muun\s+muassa|esimerkiksi|esim\.?|seuraav\w+(\s+\w+){0,2}\s*:|bland\s+annat|t\.ex\.?|till\s+exempel|"
                        r"bl\.a\.?|kuten)\s*", re.I)
_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\]|\(a\)|\[a\])\s?[\w-]+(?:\.[\w-]+)+", re.I)
_PHONE = re.compile(r"(?<![\w/])(?:\+358|\(?0\d{1,3}\)?)[\s-]?\d[\d\s-]{3,}\d")
_POSTCODE_PLACE = re.compile(r"\b(\d{5})\s+([A-ZÄÖÅ][\wäöå-]+(?:\s+[A-ZÄÖÅ][\wäöå-]+)?)")
_ADDRESS_LEAD = re.compile(r"\b(osoitteeseen|osoitteella|osoitteessa|osoite|postiosoite|käyntiosoite|kirjeitse|kirjeenä|"
                           r"till\s+adressen|adressen|adress|postadress|besöksadress|address)\b[:\s]*", re.I)
_SEND_VERB = re.compile(r"\b(osoitetaan|toimitetaan|lähetetään|osoittaa|toimittaa|lähettää|skickas|sänds|sändas|riktas|lämnas)\b", re.I)
_REQUEST = re.compile(r"\b(tietopyyn\w*|tiedustel\w*|pyynnö\w*|pyyntö\w*|begäran|förfrågning\w*)\b", re.I)


def _words(text: str) -> list[str]:
    return [m.group(0) for m in _TOKEN.finditer(text)]


def _lower(w: str) -> str:
    return w.lower() if w.isupper() and len(w) > 1 else w


class Lang:
    def __init__(self, sv: bool):
        self.sv = sv

    def word(self, w: str) -> Word:
        if self.sv:
            return Word(w, w.casefold(), (w.casefold(),), known=False)
        return finnish(_lower(w))

    def kind(self, w: str) -> str | None:
        """The kind of item a word names by its head: resource, case_register, dataset, system, search."""
        w = w.strip("-–:")
        if not w:
            return None
        for k in ("case_register", "search", "system", "dataset", "resource"):
            if self.sv:
                if swedish_head(w, terms.swedish(k)):
                    return k
            else:
                lemma = self.word(w).lemma
                if any(lemma.endswith(h) for h in terms.heads(k)):
                    if k == "dataset" and lemma.endswith("tietoaineisto") is False and lemma.endswith("aineisto") and \
                            lemma != "aineisto" and self.word(w).head != "aineisto":
                        continue
                    return k
        return None

    def bare(self, w: str, kind: str) -> bool:
        """A word that is nothing but the kind word itself: "tietojärjestelmät", "järjestelmä", "informationssystem"."""
        w = w.strip("-–:").casefold()
        if self.sv:
            return w in terms.swedish(kind) or any(w.startswith(h) and len(w) - len(h) <= 4 for h in terms.swedish(kind))
        return self.word(w).lemma in terms.heads(kind) | {"tieto", "rekisteri"}

    def genitive(self, w: str) -> bool:
        if self.sv:
            return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us"))
        a = self.word(w)
        return a.case == "omanto" or (not a.known and w.endswith("n") and w[:1].isupper())

    def case(self, w: str) -> str:
        return "" if self.sv else self.word(w).case

    def verb(self, w: str) -> bool:
        return False if self.sv else is_verb(_lower(w))


def _is_swedish(blocks: list[Block]) -> bool:
    text = " ".join(b.text for b in blocks[:80]).casefold()
    sv = len(re.findall(r"\b(och|att|som|är|för|av|med|den|det)\b", text))
    fi = len(re.findall(r"\b(ja|on|että|sekä|tai|ovat|joka|kuin|myös)\b", text))
    return sv > fi


# --- sentences --------------------------------------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"\b(mm|esim|ko|ns|yms|ts|jne|ym|ks|n|t\.ex|bl\.a|dvs|s\.k|mom|kpl|nro|puh|p|tel|vrt|ca)\.$", re.I)


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph: split after . ! ? before a capital letter or digit, not inside parentheses nor
    after an abbreviation (mm., esim., t.ex.)."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ".!?" and depth == 0 and i + 2 < len(text) and text[i + 1] == " " and (text[i + 2].isupper() or text[i + 2].isdigit()):
            piece = text[start:i + 1]
            if _ABBREVIATIONS.search(piece) or re.search(r"\b\d{1,2}\.$", piece):
                continue
            out.append(piece.strip())
            start = i + 2
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def boilerplate_kind(sentence: str, lang: Lang) -> str | None:
    """law / definition / about (a sentence about the description itself), or None for the source's own voice."""
    s = sentence.strip()
    if _STATUTE.search(s) or _DUTY.search(s):
        return "law"
    if _DEFINITION.search(s):
        return "definition"
    if _INDIRECT.search(s) or _ABOUT.match(s):
        return "about"
    first = _words(s)[:4]
    if lang.sv:
        if any(re.match(r"beskrivning", w, re.I) for w in _words(s)[:6]):
            return "about"
    elif any(lang.word(w).lemma in terms.heads("description") for w in first):
        return "about"
    return None


# --- phrases and lists --------------------------------------------------------------------------------------

def noun_phrase(tokens: list[str], i: int, lang: Lang) -> tuple[int, int]:
    """The phrase around the head token i: its genitive modifiers, suspended compounds ("asiakas- ja
    potilastietojärjestelmissä"), coordinated genitives ("ruotsinkielisten palvelujen ja hallintopalvelujen
    tietovarannot") and a product name before a hyphenated head ("Tweb -asianhallintajärjestelmään").
    Returns (start, end) token indices, end exclusive."""
    j = i
    if tokens[i].startswith("-") and j > 0 and tokens[j - 1][:1].isupper():
        j -= 1
    while j > 0:
        prev = tokens[j - 1]
        if prev.endswith("-"):  # "asiakas-" before "ja potilastietojärjestelmissä" or directly
            j -= 1
            continue
        if prev.casefold() in ("ja", "och", "tai", "eller") and j >= 2 and (tokens[j - 2].endswith("-") or
                                                                            (lang.genitive(tokens[j - 2]) and lang.genitive(tokens[j]) and j < i)):
            j -= 2
            continue
        if prev.casefold() in _FUNCTION or lang.verb(prev):
            break
        if lang.genitive(prev) and lang.word(prev).pos not in ("teonsana",) and prev.casefold() not in ("sen", "niiden", "jonka", "joiden", "tämän", "näiden"):
            j -= 1
            continue
        break
    return j, i + 1


def specific(tokens: list[str], start: int, head: int, kind: str, lang: Lang) -> bool:
    """Does the phrase name one thing rather than the kind? A compound more specific than the kind word
    (asianhallintajärjestelmä), or a genitive modifier that is not only the organisation (henkilöstöhallinnon
    tietojärjestelmät), or a product name."""
    if not lang.bare(tokens[head], kind):
        return True
    mods = [t for t in tokens[start:head] if t.casefold() not in _FUNCTION]
    for m in mods:
        lemma = lang.word(m).lemma
        if lemma in _ORG_WORDS or m.casefold() in _ORG_WORDS or lemma in _GENERIC_MODIFIERS or m[:1].isupper() and lang.genitive(m) and not lang.sv and not lang.word(m).known:
            continue
        return True
    return False


def _label(tokens: list[str], start: int, end: int, text: str) -> str:
    """The phrase as the source writes it (its own spacing and hyphens)."""
    words = tokens[start:end]
    pattern = r"[\s/]*".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return clean_item(m.group(0) if m else " ".join(words))


def _split_top(text: str, seps=(",", ";")) -> list[str]:
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0 and not "".join(buf).rstrip().endswith("-"):
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


_CONJ = re.compile(r"\s+(ja|sekä|tai|och|samt|eller|ja/tai|och/eller)\s+", re.I)


def split_items(text: str, lang: Lang, kind: str | None = None) -> list[str]:
    """A list written in a sentence or a cell: split at commas and semicolons; pieces that end in a genitive
    join the next ("hankkeen, yrityksen, yhteisön tai henkilön nimi"), and are then given the shared head
    (four names); the last piece is split at its conjunction when both sides are complete ("… tiedot ja
    päivähoitajatiedot"), not inside a suspended compound ("työajansuunnittelu- ja hallintajärjestelmät").
    For resources (kind="resource") a piece without the resource word joins the next: "kaupunkiympäristön
    asianhallinta, sopimus ja päätöstieto -tietovaranto" is one."""
    text = clean_item(_LIST_LEAD.sub("", text.strip()))
    if kind == "resource":
        return [p for chunk in _after_heads(text, lang) for p in _resource_conjuncts(chunk, lang)]
    pieces = _split_top(text)
    if not pieces:
        return []
    if lang.sv:
        return _swedish_items(pieces)
    # the last piece's conjunction
    last = pieces[-1]
    conj = [m for m in _CONJ.finditer(last) if not last[:m.start()].endswith("-")]
    if conj:
        m = conj[-1]
        left, right = last[:m.start()], last[m.end():]
        lw = _words(left)
        if lw and not lang.genitive(lw[-1]) and right.strip():
            pieces[-1:] = [left, right]
    joined: list[tuple[str, bool]] = []  # (piece, made of joined genitives)
    buf, distributed = [], False
    list_case = lang.case(_words(pieces[-1])[-1]) if _words(pieces[-1]) else ""
    for p in pieces:
        w = _words(p)
        if w and lang.genitive(w[-1]) and p is not pieces[-1] and not lang.sv and list_case != "omanto":
            buf.append(p)
            distributed = True
            continue
        if w and p is not pieces[-1] and not lang.sv and lang.case(w[-1]) not in ("", "nimento", "omanto", list_case) \
                and lang.word(w[-1]).pos == "nimisana":
            buf.append(p)  # "varhaiskasvatuksessa, koululaisten … toiminnassa tarvittavista tiedoista": one item
            continue
        joined.append((", ".join([*buf, p]), distributed and bool(buf)))
        buf, distributed = [], False
    out = []
    for p, dist in joined:
        if dist:
            out += _distribute(p, lang)
        else:
            out.append(p)
    return [clean_item(p) for p in out if clean_item(p)]


_BOUNDARY = re.compile(r",\s*|\s+(?:ja|sekä|tai|och|samt|eller)\s+", re.I)


def _after_kind(text: str, lang: Lang, kind: str) -> list[str]:
    """"sopimusten hallintajärjestelmä sekä taloushallinnon järjestelmä": split at a conjunction that follows a
    word of the kind, not inside "työvuorosuunnittelun ja työajan raportoinnin järjestelmä"."""
    chunks, start = [], 0
    for m in _CONJ.finditer(text):
        left = text[start:m.start()]
        lw = _words(left)
        if lw and lang.kind(lw[-1]) == kind and not left.rstrip().endswith("-") and _words(text[m.end():]):
            rw = _words(text[m.end():])
            if any(lang.kind(t) == kind for t in rw):
                chunks.append(left)
                start = m.end()
    chunks.append(text[start:])
    return [c.strip() for c in chunks if c.strip()]


def _after_heads(text: str, lang: Lang) -> list[str]:
    """A list of resources is split only where the text before the comma or conjunction ends with a resource
    word: "luvat ja valvonta -tietovaranto sekä kaupunkiympäristön asianhallinta, sopimus ja päätöstieto
    -tietovaranto" is two."""
    chunks, start = [], 0
    for m in _BOUNDARY.finditer(text):
        left = text[start:m.start()]
        lw = _words(left)
        if lw and lang.kind(lw[-1]) == "resource" and not left.rstrip().endswith("-"):
            chunks.append(left)
            start = m.end()
    chunks.append(text[start:])
    return [c.strip() for c in chunks if c.strip()]


def _swedish_items(pieces: list[str]) -> list[str]:
    last = re.split(r"\s+(?:och|eller|samt)\s+", pieces[-1])
    pieces = [*pieces[:-1], *last] if all(len(_words(p)) <= 4 for p in last) else pieces
    out, shared = [], None
    for p in pieces:
        m = re.match(r"^(?P<head>.+?\s(?:på|av|för|om))\s+(?:ett|en)\s+\S", p)
        if m:
            shared = m.group("head")
        elif shared and re.match(r"^(ett|en)\s+\S", p):
            p = f"{shared} {p}"
        else:
            shared = None
        out.append(p)
    return [clean_item(p) for p in out if clean_item(p)]


def _distribute(piece: str, lang: Lang) -> list[str]:
    """"hankkeen, yrityksen, yhteisön tai henkilön nimi" -> each genitive with the head; the first element may be
    a complete item of its own ("ajankohta tai hankkeen, …": "ajankohta")."""
    parts = _split_top(piece)
    tail = parts[-1]
    m = list(_CONJ.finditer(tail))
    if not m:
        return [piece]
    last_gen, rest = tail[:m[-1].start()], tail[m[-1].end():]
    rw = _words(rest)
    if len(rw) < 2:
        return [piece]
    head = rw[-1]
    mods = [*parts[:-1], last_gen]
    out = []
    first = mods[0]
    fm = list(_CONJ.finditer(first))
    if fm:  # "ajankohta tai hankkeen": the item before the conjunction is complete
        out.append(first[:fm[-1].start()])
        mods[0] = first[fm[-1].end():]
    for g in mods:
        out.append(f"{g.strip()} {head}")
    out.append(rest)
    return out


def _resource_conjuncts(piece: str, lang: Lang) -> list[str]:
    """"päätearkistosta ja toimiston käsiarkistoista ja niiden sisältämistä asiakirjoista" -> the conjuncts
    that are resources; "ruotsinkielisten palvelujen ja hallintopalvelujen tietovarannot" -> two."""
    tokens = _words(piece)
    heads = [i for i, t in enumerate(tokens) if lang.kind(t) == "resource"]
    if not heads:
        return []
    out = []
    for h in heads:
        s, e = noun_phrase(tokens, h, lang)
        if tokens[h].startswith("-") and h == len(tokens) - 1:  # "luvat ja valvonta -tietovaranto": the whole name
            return [clean_item(piece)]
        if len(heads) == 1 and tokens[-1] == tokens[h] and not lang.sv:
            # the whole piece ends with its head: keep the source's words (modifiers and all) unless a
            # coordination of genitives before a plural kind word is to be distributed
            w = lang.word(tokens[h])
            if lang.bare(tokens[h], "resource") and w.plural and any(t.casefold() in ("ja", "sekä") for t in tokens[s:h]):
                mods = _label(tokens, s, h, piece)
                return [f"{clean_item(m)} {tokens[h]}" for m in re.split(r"\s+(?:ja|sekä)\s+", mods)]
            if h <= 5 and "," not in piece:  # a short name ends with its head: the source's words, whole
                s = 0
            return [_label(tokens, s, len(tokens), piece)]
        out.append(_label(tokens, s, e, piece))
    return out


# --- the reader -------------------------------------------------------------------------------------------

_SECTION_WORDS_PURPOSE = re.compile(r"käyttötarkoitu|användningsändamål|purpose", re.I)
_LABEL = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:\s*(?P<value>.*)$")


class Reader:
    def __init__(self, blocks: list[Block]):
        self.blocks = [b for b in blocks if b.text.strip()]
        self.lang = Lang(_is_swedish(self.blocks))
        self.d = Description(shape="prose")
        self.resource: Resource | None = None
        self.group = False  # under a heading of several resources ("X:n tietovarannot")
        self.section: str | None = None  # datasets / systems / search / purpose / contact / description
        self.pending: str | None = None  # the kind a sentence ending with ":" announced
        self.purposes_heading = False
        self.seen_title = False
        self.cut: Block | None = None
        self.sector: Sector | None = None
        self.last_kind: str | None = None
        self.continued_list: tuple | None = None  # (block, kind) of the last list read from a sentence  # the boilerplate kind of the sentence before
        self.pairs: set[int] = set()  # blocks that are "Resource: purpose" pairs (when there are several)

    # -- accounting
    def mark(self, b: Block, where: str):
        """Where a block of the source went; an item outranks description text, which outranks a note."""
        old = self.d.lines.get(id(b))
        rank = {"item": 3, "description": 2, "note": 1}
        if old is None or rank.get(where, 0) > rank.get(old[1], 0):
            self.d.lines[id(b)] = (b, where)

    def note(self, text: str, b: Block, why=("teksti, jota ei voitu liittää", "text that could not be placed")):
        holder = self.resource.notes if self.resource else self.d.notes
        holder.append(Note(text, b, why))
        self.mark(b, "note")

    # -- kinds of phrases
    def phrase_kind(self, text: str) -> tuple[str | None, list[str], int]:
        """The kind of a heading or label by its head word: the last word of its first part ("Hakutekijät,
        joilla …" -> search), or for Swedish its first or last word."""
        first = _split_top(text)[0] if text else ""
        tokens = _words(first)
        if not tokens:
            return None, tokens, -1
        if self.lang.sv:
            for i in (len(tokens) - 1, 0):
                k = self.lang.kind(tokens[i])
                if k:
                    return k, tokens, i
            return None, tokens, -1
        k = self.lang.kind(tokens[-1])
        return k, tokens, len(tokens) - 1

    def is_heading(self, b: Block) -> bool:
        text = b.text.strip()
        if b.heading:
            return True
        _, bulleted = strip_bullet(text)
        if bulleted or b.item or text.endswith((".", "!", "?", ",", ";")) or len(text) > 120 or len(text.split()) > 14:
            return False
        if text.endswith(":"):
            return self.phrase_kind(text.rstrip(":"))[0] in ("resource",)
        return not _LABEL.match(text) or bool(re.match(r"^\S+\s*\(.*:", text))

    def run(self) -> Description:
        blocks = self.blocks
        if blocks and _URL_LINE.match(blocks[0].text.strip()) and blocks[0].line == 1:
            self.d.source_url = blocks[0].text.strip()
            self.mark(blocks[0], "boilerplate:source address")
            blocks = blocks[1:]
        self.cut = self._cut_off(blocks)
        if self.cut is not None:
            self.d.truncated.append((self.cut, "Lähde päättyy kesken (sana, lause tai otsikko ilman sisältöä); viimeisestä katkelmasta ei tehty kohdetta.",
                                     "The source ends unfinished (mid-word, mid-sentence, or a heading with nothing under it); its last fragment was not made an item."))
        pairs = {i for i, b in enumerate(blocks) if self._pair(b.text)}
        self.pairs = pairs if len(pairs) >= 2 else set()
        text_all = " ".join(b.text for b in blocks).casefold()
        self.d.about_section28 = bool(re.search(r"asiakirjajulkisuu|tiedonhallintala|handlingsoffentlighet|handlingars offentlighet|"
                                                r"informationshanteringslag|906/2019|document publicity|tietovarant|informationslager", text_all))
        consumed = self._address_blocks(blocks)
        for i, b in enumerate(blocks):
            text = b.text.strip()
            if i in consumed:
                continue
            if i + 1 < len(blocks) and self._breadcrumb(text, blocks[i + 1].text.strip()):
                self.mark(b, "boilerplate:navigation")
                continue
            if _NAVIGATION.search(text):
                self.mark(b, "boilerplate:navigation")
                continue
            if _IMAGE.search(text) and not _LABEL.match(text) and len(text.split()) <= 10 and self.lang.kind(_words(text)[-1] if _words(text) else "") is None:
                self.mark(b, "boilerplate:image text")
                continue
            last = b is self.cut
            if self.is_heading(b):
                if last:
                    self.mark(b, "boilerplate:cut-off fragment")
                    continue
                self.heading(b, text, blocks, i)
                continue
            if i in self.pairs and not last:
                label, value = _LABEL.match(text).group("label", "value")
                r = self.new_resource(clean_item(label), b)
                r.purposes += [Item(capitalize(clean_item(p)), b) for p in value.split(";") if clean_item(p)]
                continue
            self.paragraph(b, text, last)
        self._finish()
        return self.d

    # -- cut-off
    def _cut_off(self, blocks: list[Block]) -> Block | None:
        content = [b for b in blocks if not _NAVIGATION.search(b.text.strip())]
        if not content:
            return None
        b = content[-1]
        text = b.text.strip()
        item, bulleted = strip_bullet(text)
        words = _words(item)
        if not words:
            return b
        if text.endswith((",", ";", ":", "-", "(", "–")):
            return b
        lastword = words[-1]
        if bulleted or b.item:
            if len(lastword) <= 2 and not lastword.isdigit():
                return b
            if not self.lang.sv and not text.endswith((".", "!", "?", ")")) and not self.lang.word(lastword).known and not lastword[:1].isupper():
                return b
            return None
        if self.is_heading(b) and len(content) > 1 and not self._pair(text):
            return b  # a heading with nothing under it: an unfinished section
        if not text.endswith((".", "!", "?", ")", "\"", "”", "»")):
            # unfinished, unless the document's lines of this kind end without a full stop anyway ("Rekisteri: purpose")
            peers = [p.text.strip() for p in content[:-1] if not self.is_heading(p) and not strip_bullet(p.text)[1]
                     and bool(_LABEL.match(p.text.strip())) == bool(_LABEL.match(text))]
            bare = sum(1 for p in peers if not p.endswith((".", "!", "?", ")", ":")))
            if len(peers) >= 2 and bare * 2 > len(peers) and len(lastword) > 2:
                return None
            return b
        return None

    # -- headings
    def heading(self, b: Block, text: str, blocks, i):
        lang = self.lang
        text = text.rstrip(":").strip()
        self.pending = None
        kind, tokens, h = self.phrase_kind(text)
        conj = self._coordinated(text)
        if kind is not None:
            self.purposes_heading = False
        if kind == "case_register" or any(self.phrase_kind(c)[0] == "case_register" for c in conj):
            for c in conj:
                ck, ct, ch = self.phrase_kind(c)
                if ck == "case_register" and not (lang.word(ct[ch]).plural and lang.bare(ct[ch], "case_register") and not lang.sv):
                    self.case_register(c, b)
                elif ck == "system" and specific(ct, 0, ch, "system", lang):
                    self.system(c, b, for_case_register=True)
            self.resource, self.section, self.group = None, "case_register", False
            self.mark(b, "item" if self.d.case_register else "note")
            return
        if kind == "resource" and len(conj) == 1:
            w = lang.word(tokens[h])
            plural_nominative = (not lang.sv and w.plural and w.case == "nimento") or (lang.sv and not specific(tokens, 0, h, "resource", lang))
            if plural_nominative or not specific(tokens, 0, h, "resource", lang) and len(tokens) == 1:
                self.group, self.resource, self.section = True, None, None
                self._title_or(b, text, "boilerplate:group heading")
                return
            self.new_resource(text, b)
            self.section = None
            return
        if kind in ("dataset", "system", "search") and h == len(tokens) - 1:
            # "Varhaiskasvatuksen ja esiopetuksen tietovarannon tietoaineistot": a section of that resource
            owner = [j for j, t in enumerate(tokens[:h]) if lang.kind(t) == "resource"]
            if owner and not lang.sv:
                label = _label(tokens, 0, owner[-1] + 1, text)
                self.resource = self.find_resource(label) or self.resource
            self.section = {"dataset": "datasets", "system": "systems", "search": "search"}[kind]
            self.mark(b, "description")
            return
        if i + 1 in self.pairs:  # a sector heading over "Resource: purpose" pairs
            area = vocab.service_area(text)
            if area is None:
                self.d.warnings.append((b, f"Toimialaotsikko \"{text}\" ei vastaa yhteisen palvelualueluettelon aluetta.",
                                        f"The sector heading \"{text}\" matches no service area of the shared scheme."))
            self.sector = Sector(text, b, area.iri if area else None)
            self.d.sectors.append(self.sector)
            self.resource, self.section, self.group = None, None, False
            self.mark(b, "description")
            return
        # a heading followed by labelled datasets or systems names a resource ("Varhaiskasvatus")
        if self._fields_follow(blocks, i):
            self.new_resource(text, b)
            self.section = None
            return
        if _SECTION_WORDS_PURPOSE.search(text):
            self.purposes_heading = True
        area = vocab.service_area(text) if self.seen_title and len(_words(text)) <= 4 else None
        if area is not None:  # a sector's heading ("Varhaiskasvatus", "Konsernipalvelut"): what follows is of it
            self.sector = Sector(text, b, area.iri)
            self.d.sectors.append(self.sector)
            self.resource, self.section, self.group = None, None, False
            self.mark(b, "description")
            return
        self.resource, self.section, self.group = None, ("contact" if re.search(r"yhteystie|kontakt|tietopyyn|begäran", text, re.I) else None), False
        self._title_or(b, text, "note")

    @staticmethod
    def _breadcrumb(text: str, following: str) -> bool:
        """"Om Pedersöre Pedersöres kommunikation Dataskydd Beskrivning av handlingsoffentligheten" before the page's
        title: a trail of links that ends with the title itself."""
        return (len(following) >= 8 and text != following and text.endswith(following) and len(text) - len(following) >= 8
                and not text.endswith((".", ":")) and len(text.split()) <= 20)

    def _address_blocks(self, blocks: list[Block]) -> set[int]:
        """An address written on lines of its own ("Mustasaaren kunta" / "Kirjaamo" / "Keskustie 4" / "65610
        Mustasaari"): one address; its lines are used up."""
        used: set[int] = set()
        for i, b in enumerate(blocks):
            m = re.fullmatch(r"(?:PL\s+\d+,?\s*)?\d{5}\s+[A-ZÄÖÅ][\wäöå-]+(?:\s+[A-ZÄÖÅ][\wäöå-]+)?", b.text.strip())
            if not m or b is self.cut:
                continue
            start = i
            while start > 0 and i - start < 4:
                prev = blocks[start - 1]
                t = prev.text.strip()
                if prev.line is None or b.line is None or b.line - prev.line > 2 * (i - start + 1) or len(t.split()) > 6 \
                        or t.endswith((".", ":", ",", "!", "?")) or strip_bullet(t)[1] or _LABEL.match(t):
                    break
                start -= 1
            if start == i:
                continue
            parts = [blocks[j].text.strip() for j in range(start, i)]
            value = ", ".join([*parts, b.text.strip()])
            self.address(value, b)
            for j in range(start, i + 1):
                used.add(j)
                self.mark(blocks[j], "item")
        return used

    def _pair(self, text: str) -> bool:
        """"Henkilöstörekisteri: palvelussuhteiden hoitaminen; palkanlaskenta": a register named before its
        purpose, on a line of its own."""
        m = _LABEL.match(text.strip())
        if not m or not m.group("value").strip() or ":" in m.group("value") or vocab.URL.search(text) or strip_bullet(text)[1]:
            return False
        label = clean_item(m.group("label"))
        if not label[:1].isupper() or len(label.split()) > 8 or label.endswith((".", "!", "?")):
            return False
        if self._contact_kind(label) or _SECTION_WORDS_PURPOSE.search(label) or re.search(r"vastuu|ansvar", label, re.I):
            return False
        kind = self.phrase_kind(label)[0]
        tokens = _words(label)
        return kind in (None, "case_register", "resource") and bool(re.search(r"rekister|register|tietovarant|informationslager", label, re.I)) \
            and len(tokens) >= 1

    def _st(self):
        """Where a statement belongs: the resource being read, else its sector, else the whole description."""
        return self.resource.st if self.resource else self.sector.st if self.sector else self.d.st

    def _group_words(self, tokens: list[str], h: int) -> bool:
        """"Fyysiset tietovarannot": the kind word in the plural nominative, a group of resources."""
        w = self.lang.word(tokens[h])
        return not self.lang.sv and w.plural and w.case == "nimento"

    def _title_or(self, b: Block, text: str, where: str):
        if not self.seen_title and self.d.title is None:
            self.d.title, self.d.title_where, self.seen_title = text, b, True
            self.mark(b, "description")
            return
        if where == "note":
            self.note(text, b, ("otsikko", "a heading"))
        else:
            self.mark(b, where)

    def _coordinated(self, text: str) -> list[str]:
        """Top-level conjuncts of a heading: "X asiarekisteri ja päätöksentekojärjestelmä" -> two; not between
        genitives ("Varhaiskasvatuksen ja esiopetuksen tietovaranto") nor in a suspended compound."""
        parts, start = [], 0
        for m in _CONJ.finditer(text):
            left = text[start:m.start()]
            lw = _words(left)
            if not lw or left.rstrip().endswith("-") or (self.lang.genitive(lw[-1]) and not self.lang.sv):
                continue
            parts.append(text[start:m.start()])
            start = m.end()
        parts.append(text[start:])
        return [p.strip() for p in parts if p.strip()]

    def _fields_follow(self, blocks, i) -> bool:
        for b in blocks[i + 1:i + 12]:
            t = b.text.strip()
            if self.is_heading(b) or b.item or strip_bullet(t)[1]:
                return False
            m = _LABEL.match(strip_bullet(t)[0])
            if m and m.group("value").strip() and self.phrase_kind(m.group("label"))[0] in ("dataset", "system"):
                return True
        return False

    # -- items
    def new_resource(self, label: str, b: Block) -> Resource:
        r = self.find_resource(label)
        if r is None:
            area = vocab.service_area(label)
            r = Resource(capitalize(clean_item(label)), b, sector=self.sector,
                         area=area.iri if area else (self.sector.area if self.sector else None))
            self.d.resources.append(r)
        self.resource, self.group = r, False
        self.mark(b, "item")
        return r

    def find_resource(self, label: str) -> Resource | None:
        key = self._key(label)
        return next((r for r in self.d.resources if self._key(r.label) == key), None)

    def _key(self, label: str) -> str:
        return " ".join(self.lang.word(w).lemma for w in _words(label) if w.casefold() not in _FUNCTION)

    def case_register(self, label: str, b: Block):
        if self.d.case_register is None:
            tokens = _words(label)
            self.d.case_register = Item(self._nominative(label, tokens), b)
        self.mark(b, "item")

    def _nominative(self, label: str, tokens: list[str]) -> str:
        """The phrase with its head in the base form: "Museoviraston kirjaamosta" -> "Museoviraston kirjaamo"."""
        if self.lang.sv or not tokens:
            return capitalize(clean_item(label))
        w = self.lang.word(tokens[-1])
        if not w.known or w.case in ("nimento", ""):
            return capitalize(clean_item(label))
        head = tokens[-1]
        lemma = w.lemma
        prefix = head[: len(head) - len(head.lstrip("-"))]
        base = prefix + (lemma[:1].upper() + lemma[1:] if head.lstrip("-")[:1].isupper() else lemma)
        idx = label.rfind(head)
        return capitalize(clean_item(label[:idx] + base))

    def system(self, label: str, b: Block, for_case_register: bool = False, whole: bool = False):
        label = clean_item(label)
        if not label:
            return
        tokens = _words(label)
        name = label if whole else self._nominative(label, tokens)
        name = self._known_system(name)
        target = self.resource.systems if (self.resource and not for_case_register) else self.d.case_register_systems if for_case_register else None
        if target is None:
            from .model import SystemEntry
            if not any(self._key(e.label) == self._key(name) for e in self.d.systems) and \
                    not any(self._key(s.label) == self._key(name) for s in self.d.case_register_systems):
                self.d.systems.append(SystemEntry(name, b))
        elif not any(self._key(s.label) == self._key(name) for s in target):
            target.append(Item(name, b))
        self.mark(b, "item")

    def _system_key(self, label: str) -> frozenset[str]:
        return frozenset(k for k in self._key(label).split() if k not in _ORG_WORDS)

    def _known_system(self, name: str) -> str:
        """The name this document already gave the same system: "asianhallintajärjestelmä" is
        "kaupungin asianhallintajärjestelmä" met earlier (once per document)."""
        key = self._system_key(name)
        entries = [*self.d.systems, *self.d.case_register_systems, *(s for r in self.d.resources for s in r.systems)]
        for e in entries:
            k = self._system_key(e.label)
            if k and key and key <= k:
                return e.label
            if k and key and k < key:  # the more specific name met later ("Tweb -asianhallintajärjestelmä") wins
                old = e.label
                for x in entries:
                    if x.label == old:
                        x.label = name
                return name
        return name

    def dataset(self, label: str, b: Block):
        r = self.resource
        if r is None:
            self.note(label, b, ("tietoaineisto, jolle ei löytynyt tietovarantoa", "a dataset listed under no information resource"))
            return
        label = capitalize(clean_item(label).rstrip(",."))
        if label and not any(self._key(x.label) == self._key(label) for x in r.datasets):
            r.datasets.append(Item(label, b))
        self.mark(b, "item")

    def criteria(self, items: list[str], b: Block):
        st = self._st()
        for it in items:
            it = clean_item(it)
            if not it:
                continue
            found = vocab.search_criteria(it)
            exact = [c for c in found if any(self._key(l) == self._key(it) for l in c.labels)]
            if exact:  # the shared scheme's concept when the source's words are its label
                if exact[0].iri not in st.search_criteria:
                    st.search_criteria.append(exact[0].iri)
            elif it not in st.search_notes:  # otherwise the source's words, one note per criterion
                st.search_notes.append(it)
        self.mark(b, "item")

    def party(self, label: str, b: Block, role: str):
        label = clean_item(re.sub(r"^(den|det|de)\s+", "", label.strip(), flags=re.I))
        if not label or len(label.split()) > 14:
            return
        holder = self.resource.parties if self.resource else self.d.parties
        if not any(p.label.casefold() == label.casefold() for p in holder):
            holder.append(Party(label, b, role))
        self.mark(b, "item")

    def contact(self, kind: str, value: str, b: Block, parts=None):
        value = clean_item(value)
        if not value:
            return
        if not any(c.kind == kind and c.value.casefold() == value.casefold() for c in self.d.contacts):
            self.d.contacts.append(Contact(kind, value, b, parts or {}))
        self.mark(b, "item")

    # -- paragraphs, bullets, labelled lines
    def paragraph(self, b: Block, text: str, last: bool):
        item, bulleted = strip_bullet(text)
        bulleted = bulleted or b.item
        parts = sentences(item)
        if last:
            parts = parts[:-1]
            self.mark(b, "boilerplate:cut-off fragment")
            if not parts:
                return
        if bulleted and self.pending and len(parts) <= 1:
            self.list_item(item, b, self.pending)
            return
        if bulleted and not _LABEL.match(item) and self.pending is None:
            k, tokens, h = self.phrase_kind(item)
            if k == "resource":
                if not self._group_words(tokens, h) and specific(tokens, 0, h, "resource", self.lang):
                    self.new_resource(clean_item(item.rstrip(",;.")), b)
                else:
                    self.group, self.resource = True, None
                    self.mark(b, "boilerplate:group heading")
                return
        if bulleted and not _LABEL.match(item):
            kind = self.pending or self.section or ("resources" if self.group else ("datasets" if self.resource else None))
            if kind:
                self.list_item(item, b, kind)
                return
        if not bulleted:
            self.pending = None
            if self.group and self.resource is not None and self.resource.where is not None and \
                    self.resource.where.item is False and strip_bullet(self.resource.where.text)[1]:
                self.resource = None  # a list of resources ended: what follows is not of its last one
        for s in parts:
            self.sentence(s, b, bulleted)

    def list_item(self, item: str, b: Block, kind: str):
        item = clean_item(item.rstrip(",;."))
        if not item:
            return
        if kind == "datasets":
            self.dataset(item, b)
        elif kind == "systems":
            for piece in _system_items(item, self.lang):
                self.system(piece, b, whole=True)
        elif kind == "search":
            self.criteria([item], b)
        elif kind == "resources":
            self.new_resource(item, b)
            self.group = True
        elif kind == "contact":
            for s in sentences(item):
                self.sentence(s, b, True)
        else:
            self.note(item, b, ("luettelon kohta", "a list item"))

    def sentence(self, s: str, b: Block, bulleted: bool = False):
        lang = self.lang
        kind = boilerplate_kind(s, lang)
        if kind is None and self.last_kind == "about" and re.match(r"^(se|ne|sen|den|det|denna|it)\b", s, re.I):
            kind = "about"  # "Se kattaa tietojärjestelmät, …" after a sentence about the description: about it too
        self.last_kind = kind
        m = _LABEL.match(s)
        if m and kind is None and not vocab.URL.match(s):
            if self.labelled(m.group("label").strip(), m.group("value").strip(), b, s):
                return
        self.contacts_in(s, b)
        if kind is not None:
            self.mark(b, f"boilerplate:{ {'law': 'law quoted or paraphrased', 'definition': 'definition', 'about': 'about the description'}[kind]}")
            return
        if s.rstrip().endswith(":"):
            k = self.announced(s)
            if k:
                self.pending = k
                self.mark(b, "description")
                return
        if self.continued_list and self.continued_list[0] is b and not any(lang.verb(t) for t in _words(s)) \
                and len(_words(s)) <= 24:
            # "Keskeisiä tietoja ovat mm. A, B. C sekä D.": a sentence without a verb goes on with the list
            for it in split_items(s.rstrip("."), lang):
                self.list_item(it, b, self.continued_list[1])
            return
        if self.copula_list(s, b):
            return
        if self.parties_in(s, b):
            return
        if self.search_in(s, b):
            return
        self.mentions(s, b)
        if vocab.is_interface_statement(s) or re.search(r"rajapin\w*", s, re.I) and re.search(r"\blöyt|\btarjo", s, re.I):
            st = self._st()
            if st.open_interface is None:
                st.open_interface, st.open_interface_text, st.open_interface_where = vocab.open_interface(s), s, b
                st.interface_urls += [u for u in vocab.URL.findall(s) if u not in st.interface_urls]
                self.mark(b, "item")
                return
        if self.d.lines.get(id(b), (None, ""))[1] == "item":
            return
        if self.resource is not None and self.section in (None, "datasets", "description"):
            self.resource.descriptions.append(s)
            self.mark(b, "description")
        elif self.section == "case_register" or (self.resource is None and not self.d.resources):
            self.d.descriptions.append(s)
            self.mark(b, "description")
        else:
            self.note(s, b)

    def announced(self, s: str) -> str | None:
        """"… sisältyy mm. seuraaviin tietojärjestelmiin:" -> systems; "… seuraavilla hakuperusteilla:" -> search;
        "… saat Museoviraston kirjaamosta:" -> contact."""
        tokens = _words(re.sub(r"\([^)]*\)", "", s))[-1:]
        for t in tokens:
            k = self.lang.kind(t)
            if k in ("system", "search", "dataset"):
                return {"system": "systems", "search": "search", "dataset": "datasets"}[k]
            if k == "resource":
                return "resources"
            if self._registry_word(t) or re.match(r"yhteystie|kontaktuppgift", t, re.I):
                return "contact"
        return None

    def labelled(self, label: str, value: str, b: Block, s: str) -> bool:
        lang = self.lang
        kind, tokens, h = self.phrase_kind(label)
        ck = self._contact_kind(label)
        if ck:
            if value:
                self.contact_value(ck, value, b)
            else:
                self.pending = "contact"
                self.mark(b, "description")
            return True
        if re.search(r"vastuuhenkilö|vastuuyksikkö|vastuutaho|ansvarig|ansvarsenhet|päättävä", label, re.I) and value:
            self.party(value, b, "unit" if re.search(r"yksikkö|enhet", label, re.I) else "responsible")
            return True
        if kind is None and _SECTION_WORDS_PURPOSE.search(label):
            if self.resource:
                self.resource.purposes.append(Item(capitalize(clean_item(value)), b))
                self.mark(b, "item")
            else:
                self.d.descriptions.append(value)
                self.mark(b, "description")
            return True
        if kind == "resource" and value and len(tokens) <= 8:
            r = self.new_resource(label, b)
            items = split_items(value, lang)
            if self.purposes_heading or len(items) < 2:
                r.purposes += [Item(capitalize(clean_item(value)), b)]
            else:
                for it in items:
                    self.dataset(it, b)
            self.section = None
            return True
        if kind in ("dataset", "system", "search"):
            if not value:
                self.pending = {"dataset": "datasets", "system": "systems", "search": "search"}[kind]
                self.mark(b, "description")
                return True
            items = split_items(value, lang)
            if kind == "dataset":
                for it in items:
                    self.dataset(it, b)
            elif kind == "system":
                for it in items:
                    for piece in _after_kind(it, lang, "system"):
                        self.system(piece, b, whole=True)
            else:
                self.criteria(items, b)
            return True
        return False

    def _contact_kind(self, label: str) -> str | None:
        t = label.strip().casefold()
        for k in ("email", "phone", "address", "url"):
            w = terms.words(k)
            if t in w.sv or t in w.en or (not self.lang.sv and len(t.split()) <= 2 and
                                           self.lang.word(_words(t)[-1] if _words(t) else t).lemma in w.fi):
                return k
        return None

    def contact_value(self, kind: str, value: str, b: Block):
        if kind == "email":
            for m in _EMAIL.finditer(value):
                self.contact("email", re.sub(r"\s?(\(at\)|\[at\]|\(a\)|\[a\])\s?", "@", m.group(0), flags=re.I), b)
        elif kind == "phone":
            for m in _PHONE.finditer(value):
                self.contact("phone", m.group(0).strip(), b)
        elif kind == "address":
            self.address(value, b)
        elif kind == "url":
            for u in vocab.URL.findall(value):
                self.contact("url", u, b)

    def address(self, value: str, b: Block):
        m = _POSTCODE_PLACE.search(value)
        if not m:
            return
        street = clean_item(value[:m.start()].rstrip(", "))
        self.contact("address", clean_item(value[:m.end()]), b,
                     {"street": street, "postal_code": m.group(1), "locality": m.group(2)})

    def _registry_word(self, t: str) -> bool:
        if self.lang.sv:
            return bool(swedish_head(t, terms.swedish("registry")))
        return self.lang.word(t).lemma.endswith(tuple(terms.heads("registry")))

    def contacts_in(self, s: str, b: Block):
        """The registry named as the addressee, e-mail addresses, and addresses after "osoitteeseen"."""
        tokens = _words(s)
        for i, t in enumerate(tokens):
            if self._registry_word(t) and not (i > 0 and tokens[i - 1].endswith(",")):
                st, e = noun_phrase(tokens, i, self.lang)
                label = self._nominative(_label(tokens, st, e, s), tokens[st:e])
                if not any(c.kind == "registry" for c in self.d.contacts):
                    self.contact("registry", label, b)
                break
        else:
            if _SEND_VERB.search(s) and _REQUEST.search(s) and not self.lang.sv:
                v = _SEND_VERB.search(s)
                after = _words(s[v.end():])
                for i, t in enumerate(after[:4]):
                    w = self.lang.word(t)
                    if w.case in ("ulkotulento", "sisatulento") and w.pos == "nimisana" and not re.search(
                            r"(minen|ly|lu|ntä|nta|taho|käsittely|osoite)$", w.lemma):
                        st, e = noun_phrase(after, i, self.lang)
                        self.contact("registry", self._nominative(_label(after, st, e, s), after[st:e]), b)
                        break
        for m in _EMAIL.finditer(s):
            self.contact("email", re.sub(r"\s?(\(at\)|\[at\]|\(a\)|\[a\])\s?", "@", m.group(0), flags=re.I), b)
        code = _POSTCODE_PLACE.search(s)
        leads = [m for m in _ADDRESS_LEAD.finditer(s) if code and m.end() <= code.start()]
        if leads:  # the address begins after the last "osoitteeseen" / "adressen" before its postal code
            self.address(s[leads[-1].end():], b)

    def parties_in(self, s: str, b: Block) -> bool:
        """"Vastuuhenkilönä toimii X", "vastaava viranomainen on X", "X päättää tietojen luovuttamisesta",
        "Den X som svarar för tjänsten fungerar som ansvarig"."""
        lang = self.lang
        if lang.sv:
            m = re.search(r"^(?:.*\boch\s+)?(?P<x>.+?)\s+fungerar\s+(?:alltid\s+)?som\s+ansvarig", s, re.I)
            if m:
                self.party(m.group("x"), b, "responsible")
                return True
            m = re.search(r"(?P<x>[^,]+?)\s+beslutar\s+om\s+utlämnande", s, re.I)
            if m:
                self.party(m.group("x"), b, "deciding")
                return True
            return False
        tokens = _words(s)
        lemmas = [lang.word(t).lemma for t in tokens]
        for i, t in enumerate(tokens):
            if lemmas[i] in terms.heads("responsible") and lang.word(t).case == "olento" and i + 1 < len(tokens) and lemmas[i + 1] in ("toimia", "olla"):
                self.party(_label(tokens, i + 2, len(tokens), s), b, "responsible")
                return True
        for phrase in terms.words("responsible").fi_phrases:
            n = len(phrase)
            for i in range(len(tokens) - n):
                if tuple(lemmas[i:i + n]) == phrase and lemmas[i + n] == "olla":
                    self.party(_label(tokens, i + n + 1, len(tokens), s), b, "responsible")
                    return True
        for i, t in enumerate(tokens):
            if lemmas[i] == "päättää" and any(l.startswith("luovutta") or l == "luovutus" for l in lemmas[i + 1:i + 4]):
                st = max([j + 1 for j in range(i) if tokens[j].casefold() in _FUNCTION or tokens[j].endswith(",")] or [0])
                self.party(_label(tokens, st, i, s), b, "deciding")
                return True
        return False

    def copula_list(self, s: str, b: Block) -> bool:
        """"X:n tietovarantoihin kuuluvat A, B sekä C", "Hakutekijöinä voivat olla …", "… arkistot koostuvat A ja B",
        "Keskeisiä tietoja ovat mm. …" under a datasets heading."""
        lang = self.lang
        tokens = _words(s)
        verb_at = None
        if lang.sv:
            m = _COPULA_SV.search(s)
            if not m:
                return False
            before, after = s[:m.start()], s[m.end():]
        else:
            for i, t in enumerate(tokens[:12]):
                if t.casefold() in _RELATIVE:
                    return False  # "tietojärjestelmät, jotka sisältävät …": the verb of a relative clause
                v = verb_lemma(_lower(t))
                if v in _COPULA_FI:
                    verb_at = i
                    break
                if v and i + 1 < len(tokens) and lang.word(tokens[i + 1]).lemma == "olla":  # "voivat olla"
                    verb_at = i + 1
                    break
            if verb_at is None:
                return False
            idx = 0
            for t in tokens[:verb_at + 1]:
                idx = s.find(t, idx) + len(t)
            before, after = s[:idx - len(tokens[verb_at])], s[idx:]
        # the subject's kind: a kind word before the verb, not one in the genitive ("tietovarannon yhteydessä")
        subject_kinds = [None if (lang.genitive(t) and not lang.sv) else lang.kind(t) for t in _words(before)]
        subject = next((k for k in reversed(subject_kinds) if k), None)
        after = re.split(r",\s*(?:jotka|joita|joiden|joissa|joista|joilla|jossa|joka|mikä|som)\b", after)[0]
        after = clean_item(after.rstrip("."))
        if not after:
            return False
        if subject == "resource":
            items = split_items(after, lang, kind="resource")
            items = [it for it in items if not (len(_words(it)) == 1 and lang.bare(_words(it)[0], "resource"))]
            items = [it for it in items if self._specific_resource(it)]
            if not items:
                return False
            holder, group = self.resource, self.group
            for it in items:
                self.new_resource(self._nominative(it, _words(it)) if not lang.sv else it, b)
            self.resource, self.group = holder, group
            return True
        section = self.section if self.section in ("datasets", "systems", "search") else None
        kind = {"dataset": "datasets", "system": "systems", "search": "search"}.get(subject) or section
        if kind is None or (kind == "datasets" and self.resource is None):
            return False
        items = split_items(after, lang)
        if not items or any(len(_words(it)) > 12 for it in items):
            return False
        if kind == "datasets" and subject == "dataset" and len(items) == 1 and lang.bare(_words(items[0])[-1], "dataset"):
            return False
        for it in items:
            self.list_item(it, b, kind)
        self.continued_list = (b, kind)
        return True

    def search_in(self, s: str, b: Block) -> bool:
        """"Tietopyynnöissä voidaan käyttää hakutekijöinä esimerkiksi henkilön nimeä ja henkilötunnusta": the
        criteria after the search word in the essive ("as search criteria")."""
        if self.lang.sv:
            return False
        tokens = _words(s)
        for i, t in enumerate(tokens[:-1]):
            w = self.lang.word(t)
            if self.lang.kind(t) == "search" and w.case == "olento":
                idx = 0
                for x in tokens[:i + 1]:
                    idx = s.find(x, idx) + len(x)
                rest = clean_item(s[idx:].rstrip("."))
                items = split_items(rest, self.lang)
                if items and all(len(_words(it)) <= 6 for it in items):
                    self.criteria(items, b)
                    return True
        return False

    def _specific_resource(self, label: str) -> bool:
        tokens = _words(label)
        heads = [i for i, t in enumerate(tokens) if self.lang.kind(t) == "resource"]
        return bool(heads) and specific(tokens, 0, heads[-1], "resource", self.lang)

    def mentions(self, s: str, b: Block):
        """The case register and specific systems named in an own-voice sentence."""
        lang = self.lang
        tokens = _words(s)
        in_cr = False
        for i, t in enumerate(tokens):
            k = lang.kind(t)
            if k == "case_register":
                in_cr = True
                st, e = noun_phrase(tokens, i, lang)
                if self.d.case_register is None:
                    self.case_register(_label(tokens, st, e, s), b)
                self.mark(b, "item")
            elif k == "system":
                st, e = noun_phrase(tokens, i, lang)
                if specific(tokens, st, i, "system", lang):
                    self.system(_label(tokens, st, e, s), b, for_case_register=in_cr or self.section == "case_register")

    def _finish(self):
        d = self.d
        # a resource heading followed by nothing keeps its place only when it has something
        if self.cut is not None and d.resources:
            r = d.resources[-1]
            if r.where is self.cut:
                d.resources.pop()


def is_kind_word(label: str) -> bool:
    """"Tietovarannot", "Informationslager": nothing but the word for a kind of item."""
    tokens = _words(label)
    if len(tokens) != 1:
        return False
    lang = Lang(not Lang(False).word(tokens[0]).known)
    return any(lang.kind(tokens[0]) == k and lang.bare(tokens[0], k) for k in ("resource", "dataset", "system", "case_register"))


def _system_items(text: str, lang: Lang) -> list[str]:
    """Systems in a list item or cell: "Primus, Wilma" is two; "MultiPrimus, opiskelijahallinnon
    kokonaisjärjestelmä" is one (after the comma, a lower-case description of the system); "a sekä b järjestelmä"
    is two when both name systems."""
    out: list[str] = []
    for piece in _split_top(text):
        w = _words(piece)
        if out and piece[:1].islower() and w and lang.kind(w[-1]) == "system" and not lang.kind(_words(out[-1])[-1] if _words(out[-1]) else ""):
            out[-1] = f"{out[-1]}, {piece}"
            continue
        out.append(piece)
    return [p for piece in out for p in _after_kind(piece, lang, "system")]


def parse(blocks: list[Block]) -> Description:
    reader = Reader([_flatten(b) for b in blocks])
    d = reader.run()
    d.placed = [(b, d.lines.get(id(b), (b, "note"))[1]) for b in reader.blocks]  # every block, in the source's order
    return d


def _flatten(b: Block) -> Block:
    if b.is_row:
        return Block(b.line, " | ".join(c for c in b.cells if c), sheet=b.sheet)
    return b
