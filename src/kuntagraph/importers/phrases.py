"""The language of published descriptions, as the general reader (prose.py) needs it: tokens and sentences,
the kinds of boilerplate sentence, a phrase's head and its modifiers, and lists split into their items.

A word's kind comes from the lemma of its head (morphology.py) against the words of terms.py; Swedish words by
their ending. The rules are general: none names an organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import terms
from .model import clean_item, split_top
from .morphology import Word, finnish, is_verb, swedish_head
from .reading import Block

# --- boilerplate -----------------------------------------------------------------------------------------

NAVIGATION = re.compile(
    r"^(siirry|hyppää|suoraan)\s+(sisältöön|pääsisältöön)|^till\s+innehållet|^skip\s+to\s+(main\s+)?content|^murupolku$|"
    r"^brödsmulor$|^hae\s+sivustolta|^sök\s+på\s+webbplatsen|^generic selectors$|^exact matches only$|^search in (title|content)$|"
    r"^post type selectors$|^(valikko|meny|menu|etusivu|startsida|home|suosikit|favoriter|favourites)$|^ohita\s+(valikko|navigaatio|sisällysluettelo)|"
    r"^hoppa\s+(till|över)\b|^gå\s+till\s+(huvud)?innehållet|^asiasanat$|^ämnesord$|\(siirryt toiseen palveluun\)$|^jaa sivu|^tulosta$|"
    r"^päivitetty\b|^uppdaterad\b|^julkaistu\b|^publicerad\b", re.I)
IMAGE_TEXT = re.compile(r"(_|\s)(pää|sivun\s)?kuva$|^(valo)?kuva\b|^kuvituskuva|^bild\b|^foto\b|"
                    r"^(kirja|en hand|käsi|ihmisiä|henkilö)\b.*\b(tekstiä|stämplar|dokument|kirjoittaa|papereita)\b", re.I)
URL_LINE = re.compile(r"^https?://\S+$")
_STATUTE = re.compile(r"\b\d{1,4}\s?/\s?(19|20)\d{2}\b|§|\bTiHL\b|\bJulkL\b|\bMyndOffL\b|\bHE\s+\d+/\d{4}|\(\d{1,2}\.\d{1,2}\.\d{4}/\d+\)")
_DUTY = re.compile(r"\bon\s+(\S+\s+){0,6}?(ylläpidettävä|pidettävä|yksilöitävä|annettava|huolehdittava|julkaistava|laadittava)\b|"
                   r"\bvelvollisuus\b|\bskyldighet\b|\bska\s+(\w+\s+){0,6}(upprätthålla|individualiseras)|"
                   r"\b(lain|lakiin|lagen|lag)\s+(mukaan|mukaisesti|edellyttämällä)|\benligt\s+(\w+\s+){0,3}lag|"
                   r"^(julkisuus|tiedonhallinta|informationshanterings|offentlighets)la", re.I)
_DEFINITION = re.compile(r"\btarkoitetaan\b|\btarkoittaa\b|\bavses\b|\bmerkitsee\b|\bbetyder\b|\bmeans\b|"
                         r"\b(is|are)\s+defined\b|\bkäsite\b", re.I)
_INDIRECT = re.compile(r"\b(onko|ovatko|huruvida|whether)\b", re.I)
_ABOUT = re.compile(r"^(kerromme|kerrotaan|tällä\s+sivu|täällä|här\b|på\s+denna\s+sida|tämä\s+asiakirja)", re.I)

# --- words ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"-?[^\W_](?:[\w'’]|[-:](?=\w))*-?", re.U)
FUNCTION_WORDS = {"ja", "sekä", "tai", "eli", "tahi", "och", "eller", "samt", "and", "or"}
ORG_WORDS = {"kaupunki", "kunta", "liitto", "hyvinvointialue", "kuntayhtymä", "virasto", "organisaatio", "kaupunginkirjasto",
              "stad", "stads", "stadens", "kommun", "kommuns", "kommunens", "välfärdsområde", "välfärdsområdets"}
GENERIC_MODIFIERS = {"operatiivinen", "muu", "eri", "keskeinen", "sähköinen", "erillinen", "useat", "kyseinen",
                      "kaikki", "nämä", "tämä", "se", "fyysinen", "looginen", "oma", "operativa", "övriga", "andra", "olika",
                      "yksi", "usea", "useampi", "viranomainen", "myndighet", "myndighetens", "tiedonhallintayksikkö"}
RELATIVE = {"joka", "jotka", "jota", "joita", "jossa", "joissa", "josta", "joista", "johon", "joihin", "jonka", "joiden",
             "mikä", "mitkä", "jolla", "joilla", "som", "vilka", "vilket", "which", "that"}
COPULA_FI = {"olla", "kuulua", "koostua", "muodostua", "sisältää", "sisältyä", "käsittää"}
COPULA_SV = re.compile(r"\b(är|utgörs av|består av|omfattar|hör|ingår|innehåller|inrymmer)\b", re.I)
_LIST_LEAD = re.compile(r"^(?:mm\.?|muun\s+muassa|esimerkiksi|esim\.?|seuraav\w+(\s+\w+){0,2}\s*:|bland\s+annat|t\.ex\.?|till\s+exempel|"
                        r"bl\.a\.?|kuten)\s*", re.I)


def tokens_of(text: str) -> list[str]:
    return [m.group(0) for m in _TOKEN.finditer(text)]


def lower_caps(w: str) -> str:
    return w.lower() if w.isupper() and len(w) > 1 else w


class Lang:
    def __init__(self, sv: bool):
        self.sv = sv

    def word(self, w: str) -> Word:
        if self.sv:
            return Word(w, w.casefold(), (w.casefold(),), known=False)
        return finnish(lower_caps(w))

    def kind(self, w: str) -> str | None:
        """The kind of item a word names by its head: resource, case_register, dataset, system, search."""
        return _kind(w, self.sv)

    def _kind(self, w: str) -> str | None:
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
        lemma = self.word(w).lemma
        # "it-järjestelmä", "atk-järjestelmä": a prefix that names no system
        return lemma in terms.heads(kind) | {"tieto", "rekisteri"} or re.sub(r"^(it|atk|ict|tvt)-?", "", lemma) in terms.heads(kind)

    def genitive(self, w: str) -> bool:
        if self.sv:
            return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us"))
        a = self.word(w)
        return a.case == "omanto" or (not a.known and w.endswith("n") and w[:1].isupper())

    def case(self, w: str) -> str:
        return "" if self.sv else self.word(w).case

    def verb(self, w: str) -> bool:
        return False if self.sv else is_verb(lower_caps(w))



@lru_cache(maxsize=100_000)
def _kind(word: str, sv: bool) -> str | None:
    return Lang(sv)._kind(word)

def is_swedish(blocks: list[Block]) -> bool:
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
            tail = text[max(start, i - 12):i + 1]  # only the end of the piece: a long paragraph is not rescanned
            if _ABBREVIATIONS.search(tail) or re.search(r"\b\d{1,2}\.$", tail):
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
    first = tokens_of(s)[:4]
    if lang.sv:
        if any(re.match(r"beskrivning", w, re.I) for w in tokens_of(s)[:6]):
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
        if prev.casefold() in FUNCTION_WORDS or lang.verb(prev):
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
    mods = [t for t in tokens[start:head] if t.casefold() not in FUNCTION_WORDS]
    for m in mods:
        lemma = lang.word(m).lemma
        if lemma in ORG_WORDS or m.casefold() in ORG_WORDS or lemma in GENERIC_MODIFIERS or m[:1].isupper() and lang.genitive(m) and not lang.sv and not lang.word(m).known:
            continue
        return True
    return False


def phrase_text(tokens: list[str], start: int, end: int, text: str) -> str:
    """The phrase as the source writes it (its own spacing and hyphens)."""
    words = tokens[start:end]
    pattern = r"[\s/]*".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return clean_item(m.group(0) if m else " ".join(words))


CONJUNCTION = re.compile(r"\s+(ja|sekä|tai|och|samt|eller|ja/tai|och/eller)\s+", re.I)


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
    pieces = split_top(text)
    if not pieces:
        return []
    if lang.sv:
        return _swedish_items(pieces)
    # the last piece's conjunction
    last = pieces[-1]
    conj = [m for m in CONJUNCTION.finditer(last) if not last[:m.start()].endswith("-")]
    if conj:
        m = conj[-1]
        left, right = last[:m.start()], last[m.end():]
        lw = tokens_of(left)
        if lw and not lang.genitive(lw[-1]) and right.strip():
            pieces[-1:] = [left, right]
    joined: list[tuple[str, bool]] = []  # (piece, made of joined genitives)
    buf, distributed = [], False
    list_case = lang.case(tokens_of(pieces[-1])[-1]) if tokens_of(pieces[-1]) else ""
    for p in pieces:
        w = tokens_of(p)
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


def split_after_kind(text: str, lang: Lang, kind: str) -> list[str]:
    """"sopimusten hallintajärjestelmä sekä taloushallinnon järjestelmä": split at a conjunction that follows a
    word of the kind, not inside "työvuorosuunnittelun ja työajan raportoinnin järjestelmä"."""
    chunks, start = [], 0
    for m in CONJUNCTION.finditer(text):
        left = text[start:m.start()]
        lw = tokens_of(left)
        if lw and lang.kind(lw[-1]) == kind and not left.rstrip().endswith("-") and tokens_of(text[m.end():]):
            rw = tokens_of(text[m.end():])
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
        lw = tokens_of(left)
        if lw and lang.kind(lw[-1]) == "resource" and not left.rstrip().endswith("-"):
            chunks.append(left)
            start = m.end()
    chunks.append(text[start:])
    return [c.strip() for c in chunks if c.strip()]


def _swedish_items(pieces: list[str]) -> list[str]:
    last = re.split(r"\s+(?:och|eller|samt)\s+", pieces[-1])
    pieces = [*pieces[:-1], *last] if all(len(tokens_of(p)) <= 4 for p in last) else pieces
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
    parts = split_top(piece)
    tail = parts[-1]
    m = list(CONJUNCTION.finditer(tail))
    if not m:
        return [piece]
    last_gen, rest = tail[:m[-1].start()], tail[m[-1].end():]
    rw = tokens_of(rest)
    if len(rw) < 2:
        return [piece]
    head = rw[-1]
    mods = [*parts[:-1], last_gen]
    out = []
    first = mods[0]
    fm = list(CONJUNCTION.finditer(first))
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
    tokens = tokens_of(piece)
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
                mods = phrase_text(tokens, s, h, piece)
                return [f"{clean_item(m)} {tokens[h]}" for m in re.split(r"\s+(?:ja|sekä)\s+", mods)]
            if h <= 5 and "," not in piece:  # a short name ends with its head: the source's words, whole
                s = 0
            return [phrase_text(tokens, s, len(tokens), piece)]
        out.append(phrase_text(tokens, s, e, piece))
    return out


# --- the reader -------------------------------------------------------------------------------------------

def is_kind_word(label: str) -> bool:
    """"Tietovarannot", "Informationslager": nothing but the word for a kind of item."""
    tokens = tokens_of(label)
    if len(tokens) != 1:
        return False
    lang = Lang(not Lang(False).word(tokens[0]).known)
    return any(lang.kind(tokens[0]) == k and lang.bare(tokens[0], k) for k in ("resource", "dataset", "system", "case_register"))


def system_items(text: str, lang: Lang) -> list[str]:
    """Systems in a list item or cell: "Primus, Wilma" is two; "MultiPrimus, opiskelijahallinnon
    kokonaisjärjestelmä" is one (after the comma, a lower-case description of the system); "a sekä b järjestelmä"
    is two when both name systems."""
    out: list[str] = []
    for piece in split_top(text):
        w = tokens_of(piece)
        if out and piece[:1].islower() and w and lang.kind(w[-1]) == "system" and not lang.kind(tokens_of(out[-1])[-1] if tokens_of(out[-1]) else ""):
            out[-1] = f"{out[-1]}, {piece}"
            continue
        out.append(piece)
    return [p for piece in out for p in split_after_kind(piece, lang, "system")]



PURPOSE_WORDS = re.compile(r"käyttötarkoitu|användningsändamål|purpose", re.I)
LABELLED = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:\s*(?P<value>.*)$")
