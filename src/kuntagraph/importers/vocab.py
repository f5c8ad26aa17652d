"""Linking free text to the shared concept schemes, tolerant of inflection, case, spelling and versions.

Words are normalised and stemmed with the search index's Finnish analysis (`kuntagraph.search`), so
"henkilön nimeä" finds the concept "Henkilön nimi" and "Hallintopalveluiden tietovarannot" the service area
whose alternative label is "Hallintopalvelut". Labels and alternative labels come from ontology/vocab/.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from .. import config
from ..search import STOPWORDS, _Analyzer, words

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_AN = _Analyzer()
_VOWELS = "aeiouyäöå"


@dataclass(frozen=True)
class Concept:
    iri: str
    label_fi: str
    labels: tuple[str, ...]  # prefLabel and altLabel, every language


@lru_cache(maxsize=None)
def scheme(name: str) -> tuple[Concept, ...]:
    path = config.VOCAB_DIR / f"{name}.ttl"
    pref: dict[str, dict[str, str]] = {}
    alt: dict[str, list[str]] = {}
    concepts = []
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = q.subject, q.predicate.value, q.object
        if p == RDF_TYPE and o.value == SKOS + "Concept":
            concepts.append(s.value)
        elif p == SKOS + "prefLabel":
            pref.setdefault(s.value, {})[o.language or ""] = o.value
        elif p == SKOS + "altLabel":
            alt.setdefault(s.value, []).append(o.value)
    return tuple(Concept(c, pref.get(c, {}).get("fi", c.rsplit("/", 1)[-1]),
                         tuple([*pref.get(c, {}).values(), *alt.get(c, [])])) for c in concepts)


def keys(text: str) -> list[str]:
    return [_AN.key("fi", w) for _, _, w in words(text) if w not in STOPWORDS]


def word_match(a: str, b: str) -> float:
    """How surely two keys name the same word: equal (1), equal but for final vowels (nimi / nimeä: 0.95),
    one an inflection of the other (0.9), else 0."""
    if a == b:
        return 1.0
    sa, sb = a.rstrip(_VOWELS), b.rstrip(_VOWELS)
    if len(sa) >= 3 and sa == sb:
        return 0.95
    short, long_ = sorted((a, b), key=len)
    return 0.9 if len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 2 else 0.0


def phrase_score(label: str, text_keys: list[str]) -> float:
    """The sum of how surely each of the label's words is in the text, or 0 when one of them is not."""
    lk = keys(label)
    if not lk:
        return 0.0
    total = 0.0
    for k in lk:
        best = max((word_match(k, t) for t in text_keys), default=0.0)
        if not best:
            return 0.0
        total += best
    return total


@lru_cache(maxsize=4096)
def service_area(text: str) -> Concept | None:
    """The service area a heading names (the most specific label that fully matches), or None."""
    tk = keys(text)
    best, best_score = None, 0
    for c in scheme("service-area"):
        for label in c.labels:
            score = phrase_score(label, tk)
            if score > best_score:
                best, best_score = c, score
    return best


def search_criteria(text: str) -> list[Concept]:
    tk = keys(text)
    return [c for c in scheme("search-criterion") if any(phrase_score(label, tk) for label in c.labels)]


# --- system products -------------------------------------------------------------------------------------

_SYSTEM_WORDS = ("jarjestelm", "tietokan", "ohjelm", "palvelu", "sovellu", "portaal", "kanta", "rekister")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def _distance1(a: str, b: str) -> bool:
    """At most one edit (insert, delete, substitute, or swap of neighbours)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def _product_names(c: Concept) -> tuple[list[str], list[str]]:
    """(single-word names, multi-word names) of a product, folded to ASCII lower case."""
    single, multi = [], []
    for label in c.labels:
        f = fold(label)
        ws = re.findall(r"[a-z0-9]+", f)
        (single if len(ws) == 1 else multi).append(ws[0] if len(ws) == 1 else " ".join(ws))
    return sorted(set(single)), sorted(set(multi))


def product(system_label: str) -> Concept | None:
    """The product a system's name refers to: "MultiPrimus" is Primus, "Asianhallintajärjestelmä (Dynasty)"
    is Dynasty, "Lupapistejärjestelmä" is Lupapiste, "Dynasti 5.2" is Dynasty."""
    folded = fold(system_label)
    ws = re.findall(r"[a-z0-9]+", folded)
    joined = " ".join(ws)
    for c in scheme("system-product"):
        single, multi = _product_names(c)
        if any(f" {m} " in f" {joined} " for m in multi):
            return c
        for p in single:
            for w in ws:
                if w == p:
                    return c
                if len(p) >= 4 and w.startswith(p) and w[len(p):].startswith(_SYSTEM_WORDS):
                    return c  # Lupapistejärjestelmä
                if len(p) >= 5 and w.endswith(p) and len(w) - len(p) >= 3:
                    return c  # MultiPrimus
                if len(p) >= 6 and _distance1(w, p):
                    return c  # Dynasti, Primsu
    return None


# --- open interface --------------------------------------------------------------------------------------

OPEN_INTERFACE = "https://w3id.org/kuntagraph/vocab/open-interface/"
_PARTLY = re.compile(r"\b(osittain|osa\s+tie[td]o\w*|osa\s+aineisto\w*|joiltakin\s+osin|eräi\w+|tietyt|partly|partially|some\s+of)\b", re.I)
_NO = re.compile(r"\b(ei|eivät|eikä|emme|ole\s+saatavilla\s+vain|not|no|none|cannot)\b", re.I)
URL = re.compile(r"https?://[^\s<>\"')\]]+")


def is_interface_statement(text: str) -> bool:
    """A sentence about open availability through a technical interface (not the heading that announces it)."""
    t = text.casefold()
    if "rajapin" not in t and "interface" not in t and "api" not in re.findall(r"[a-z]+", t):
        return False
    return bool(re.search(r"\b(ole|ovat|on|ei|eivät|saatavilla|saatavissa|julkaistaan|is|are|available)\b", t))


def open_interface(text: str) -> str:
    """yes / no / partly from an open-interface sentence."""
    if _PARTLY.search(text):
        return "partly"
    if _NO.search(text):
        return "no"
    return "yes"
