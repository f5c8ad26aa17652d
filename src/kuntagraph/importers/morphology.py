"""Finnish morphology with Voikko (lemma, case, number, compound parts), and the same questions of Swedish words.

The importer recognises a label by the lemma of its head: "Tietovarannon toteuttavat tietojärjestelmät" and
"asianhallintajärjestelmään" are systems because their last compound part is *järjestelmä*. Voikko (Debian
`libvoikko1` + `voikko-fi`, Python `libvoikko`) gives the lemma and the compound parts. There is no Swedish
Voikko: a Swedish word's head is the vocabulary word it ends with, after its inflection endings
(ärenderegistret -> register, informationssystemen -> system).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from ..rdffiles import InputError

INSTALL = ("Voikko, the Finnish morphological analyser, is not installed: run `make install` (it installs the "
           "Debian packages libvoikko1 and voikko-fi and the Python package libvoikko), or "
           "`apt-get install libvoikko1 voikko-fi`")


@dataclass(frozen=True)
class Word:
    text: str
    lemma: str  # lower case; the text itself when the word is unknown
    parts: tuple[str, ...]  # compound parts' lemmas, lower case (("tieto", "järjestelmä")); (lemma,) when simple
    pos: str = ""  # Voikko's CLASS: nimisana, laatusana, teonsana, sidesana, nimi, paikannimi, ...
    case: str = ""  # Voikko's SIJAMUOTO: nimento, omanto, osanto, sisatulento, sisaeronto, ...
    plural: bool = False
    known: bool = True

    @property
    def head(self) -> str:
        return self.parts[-1] if self.parts else self.lemma


_LOCK = threading.Lock()  # a Voikko handle is not safe to share between threads: one analysis at a time


def _analyze(word: str) -> list:
    with _LOCK:
        return _voikko().analyze(word)


@lru_cache(maxsize=1)
def _voikko():
    try:
        import libvoikko
    except ImportError:
        raise InputError("Voikko", INSTALL) from None
    try:
        return libvoikko.Voikko("fi")
    except (OSError, libvoikko.VoikkoException) as e:  # the library or the Finnish dictionary is missing
        raise InputError("Voikko", f"{INSTALL} ({e})") from None


def _parts(structure: str | None, lemma: str) -> tuple[str, ...]:
    """The compound parts from Voikko's STRUCTURE ("=pppp=ppppppppp": a part begins at each "="): the parts
    before the last are as written (they are not inflected), the last is the rest of the lemma
    (hakutekijöinä -> ("haku", "tekijä")); a word Voikko does not split is one part."""
    if not structure or structure.count("=") < 2:
        return (lemma,)
    lengths = [len(re.sub(r"[^pqij]", "", seg)) for seg in structure.split("=")[1:]]
    if any(n == 0 for n in lengths):
        return (lemma,)
    parts, at = [], 0
    for n in lengths[:-1]:
        parts.append(lemma[at:at + n])
        at += n
    head = lemma[at:]
    return (*parts, head) if len(head) >= 2 else (lemma,)


@lru_cache(maxsize=200_000)
def finnish(word: str) -> Word:
    """The most likely analysis of a Finnish word: common nouns before proper names, nouns before adjectives."""
    w = word.strip("-–")
    analyses = _analyze(w) if w else []
    if not analyses and "-" in w:  # "VARDA-rekisteri", "Läsnä-sovellus": the part after the last hyphen
        head = finnish(w.rsplit("-", 1)[1])
        return Word(word, head.lemma, (*[p.casefold() for p in w.split("-")[:-1]], *head.parts), head.pos, head.case,
                    head.plural, head.known)
    if not analyses:
        return Word(word, w.casefold(), (w.casefold(),), known=False)
    order = {"nimisana": 0, "nimisana_laatusana": 1, "laatusana": 2, "teonsana": 3}
    a = min(analyses, key=lambda a: order.get(a.get("CLASS", ""), 4))
    lemma = (a.get("BASEFORM") or w).casefold()
    return Word(word, lemma, _parts(a.get("STRUCTURE"), lemma), a.get("CLASS", ""), a.get("SIJAMUOTO", "") or "",
                a.get("NUMBER") == "plural")


@lru_cache(maxsize=100_000)
def verb_lemma(word: str) -> str | None:
    """The lemma of a finite verb ("koostuvat" -> koostua, "ovat" -> olla), by any of Voikko's analyses; None
    when the word is no finite verb."""
    w = word.strip("-–")
    for a in (_analyze(w) if w else []):
        if a.get("CLASS") == "teonsana" and a.get("MOOD") in ("indicative", "conditional", "imperative", "potential") \
                and a.get("PARTICIPLE") is None:
            return (a.get("BASEFORM") or w).casefold()
    return None


def is_verb(word: str) -> bool:
    return verb_lemma(word) is not None


# --- Swedish ---------------------------------------------------------------------------------------------

_SV_ENDINGS = ("arna", "erna", "orna", "ens", "ets", "en", "et", "na", "ar", "er", "or", "s", "n")


def swedish_head(word: str, heads: tuple[str, ...]) -> str | None:
    """The vocabulary word (from heads, lower case) that a Swedish word ends with, inflection endings
    removed: ärenderegistret -> register, informationslagren -> informationslager / lager."""
    w = word.casefold().strip("-–")
    forms = [w] + [w[: -len(e)] for e in _SV_ENDINGS if w.endswith(e) and len(w) - len(e) >= 3]
    forms += [f[:-2] + f[-1] for f in list(forms) if len(f) > 3 and f[-2] == "e" and f[-1] in "rn"]  # registr(et)
    for h in sorted(heads, key=len, reverse=True):
        for f in forms:
            if f.endswith(h) or (h.endswith("er") and f.endswith(h[:-2] + "r")) or (h.endswith("ium") and f.endswith(h[:-2])):
                return h  # sökkriterier -> sökkriterium
    return None
