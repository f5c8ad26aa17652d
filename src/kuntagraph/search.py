"""In-memory full-text search over the labels and descriptions of everything described, in every language.

Build once from a store (`SearchIndex.build(store)`: exactly three reads (Store.statements), whatever the data
size; no query per item), then `search()` as often as wanted; the index is read-only after the build, so one
index can serve many threads.

What is indexed
---------------
Items are the things a municipality (or the reference library, or a concept scheme) describes: subjects
typed with one of `ITEM_KINDS` in any named graph, and the `skos:Concept`s of the concept schemes. Each item
has weighted text fields (all languages):

=========== =============================================================================== ======
field       source                                                                          weight
=========== =============================================================================== ======
label       skos:prefLabel (rdfs:label when there is none)                                  3.0
altLabel    skos:altLabel                                                                   2.0
product     for a kg:SystemInstance: prefLabel and altLabel of its kg:instanceOf product    1.5
text        dcterms:description, skos:definition, kg:includesField (data-group fields)       1.0
context     prefLabel and altLabel of the item's service areas (see *areas* below)          0.5
=========== =============================================================================== ======

The *context* field is what lets "kirjaston asiakastiedot" find the LUMME dataset "Asiakkaita koskevat
tiedot": the dataset never says "kirjasto", but its service area is called so.

Words and keys
--------------
Text is cut into words (runs of letters and digits; "LUMME-kirjastojen" is two words). A word is
case-folded and stripped of diacritics **except å, ä and ö**: these are letters of their own in Finnish
and Swedish (and the Finnish stemmer needs them to read vowel harmony: -ssa/-ssä), so "päätös" is not
folded to "paatos" in the index. Then each word is stemmed by the language of its literal: Snowball
Finnish for `fi` and for untagged literals, Swedish for `sv`, English for `en`; words of any other
language are not stemmed; numbers are kept as they are. Finnish stems are further *folded* for consonant
gradation, which the stemmer leaves alone: ng→nk, d→t, double consonants→single, nt→n, final ks→s
(tieto/tiedot, hoito/hoidon, päätös/päätöksen, hallinto/hallinnon, kaupunki/kaupungin come out equal).
The result is the word's **key**. Every key also has an *ascii key* (å→a, ä→a, ö→o) used only for queries
typed without any å/ä/ö (see below).

A query is cut and normalised the same way; common function words (ja, och, and, …) are dropped unless the
query has nothing else. The query's language is not known, so each query word is keyed with all three
stemmers and looked up in the words of the matching language.

The matching rule
-----------------
A query word *q* matches an item when one of the item's words *d* relates to it by one of these rules
(keys compared; the strongest rule that holds counts):

1. **exact** (1.0): the keys are equal — kirjasto = kirjaston = kirjastossa.
2. **inflection** (0.9): one key extends the other by one or two letters and the shorter has at least 5
   letters — asiakas/asiak(kaan), oppilas/oppil(aan): forms the stemmer does not reduce to one stem.
3. **compound head** (0.7): *d* begins with the key of *q* (or with the unstemmed word, folded, as compound
   modifiers are written: lapsi → lapsiasiakas, where the stem "lap" is too short), which has at least 5
   letters, and at least 3 letters follow — kirjasto → Kirjastopalveluiden.
4. **compound tail** (0.7): *d* ends with the key of *q*, which has at least 4 letters, and at least 3
   letters precede — kirjasto → kaupunginkirjasto, tieto → kokoelmatiedot.
5. **split compound** (0.6): the key of *q* splits into two parts of at least 4 letters each, and each part
   matches a (possibly different) word of the same item: the first part by rules 1-3 (asiakas ~ asiakkaita),
   the second by rules 1-4 (tieto ~ tiedot) — asiakastiedot → "Asiakkaan tiedot". The score uses the weaker
   of the two fields.

A query word typed without å/ä/ö is also compared on the ascii keys, at 0.9 times the strength: "paatos"
finds "päätös" (ranked below a "paatos" spelled so). A query word with å/ä/ö is compared only as written.
Numbers match only exactly. So do keys shorter than the minimum lengths above.

Every query word must match (AND). An item's score is the sum, over the query words, of the best
strength × field weight that word reaches in the item, so label matches outrank description matches and
exact matches outrank partial ones. Ties: shorter label first, then alphabetical.

Limits: a query is cut to `MAX_QUERY_CHARS` (200) characters (a word cut in two there is dropped), its
words to `MAX_TOKEN_CHARS` (40), and only the first `MAX_QUERY_TOKENS` (10) distinct words are used; `limit`
is capped at `MAX_LIMIT` (1000). An empty (or whitespace, or punctuation-only) query without filters has
no hits and `total` 0, but its facets count every item (a facet browser); with a municipality, area or
kind filter it lists every item the filters allow, by label (browsing, e.g. from the comparison matrix).

Municipalities, areas, facets
-----------------------------
An item belongs to the municipality (kg:Municipality) whose named graph `graph/{key}` holds its rdf:type
(`id/{key}`); an item in a consortium's graph (kg:Consortium, e.g. `lumme`) belongs to the consortium's
members (org:hasMember). A kg:Dataset or kg:DataGroup belongs more precisely to the municipalities of the
information resources that have it as dcterms:hasPart (for a data group also: that have, as dcterms:hasPart,
a dataset with kg:dataGroup it), when there are such resources. Reference items and concepts belong to none.
The `municipality` filter takes a municipality IRI (or its key: "491").

An item's areas are its own kg:serviceArea values; a dataset without any takes those of the resources it is
part of, a data group without any those of its datasets (or, failing that, of its resources). The `area`
filter matches the given area and every area narrower than it (skos:broader / skos:narrower, transitively):
area=education-and-culture finds items of the library.

Facets (`municipality`, `area`, `kind`) count every match, not only the first `limit`, honouring the other
active filters but not their own (Solr's multi-select faceting): the kind facet of a query filtered by
kind still shows the other kinds. An item with several municipalities (or areas) counts once under each.
Facets are sorted by count, then label.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import snowballstemmer

from .rdffiles import ORGANISATION_TYPES
from .iris import Iris
from .memory import give_back
from .packed import Packed, codes

# --- limits and weights --------------------------------------------------------------------------------

MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 10
MAX_TOKEN_CHARS = 40
MAX_LIMIT = 1000
SNIPPET_CHARS = 200

WEIGHTS = {"label": 3.0, "altLabel": 2.0, "product": 1.5, "text": 1.0, "context": 0.5}
EXACT, INFLECTION, HEAD, TAIL, SPLIT = 1.0, 0.9, 0.7, 0.7, 0.6
ASCII_FACTOR = 0.9
MIN_HEAD = 5        # rules 2 and 3: the shorter key / the query key has at least this many letters
MIN_TAIL = 4        # rule 4
MIN_PART = 4        # rule 5: each part of a split query compound
MIN_REST = 3        # rules 3, 4: letters the document word has beyond the query key
MAX_INFLECTION = 2  # rule 2: letters one key may extend the other

# Classes whose instances are indexed, in order of preference when a subject has several of them.
ITEM_KINDS = ["CaseRegister", "InformationResource", "Dataset", "DataGroup", "Purpose", "Process",
              "SystemInstance", "TechnicalInterface", "Authority", "AccessDescription", "Municipality",
              "WellbeingServicesCounty", "JointMunicipalAuthority", "RegionalCouncil", "StateAgency",
              "HigherEducationInstitution", "Consortium", "ReferenceItem", "ReferenceLibrary"]
ORGANISATIONS = set(ORGANISATION_TYPES)  # an item of their graph is theirs
CONCEPT = "Concept"
RESOURCE_KINDS = {"InformationResource", "CaseRegister"}
KIND_LABELS = {CONCEPT: {"fi": "käsite", "sv": "begrepp", "en": "concept"}}  # the others come from the ontology

LANGUAGES = ("fi", "sv", "en")
STOPWORDS = {
    "ja", "tai", "sekä", "on", "ovat", "ei", "että", "kuin", "myös", "se", "ne",
    "och", "eller", "i", "på", "av", "för", "med", "som", "till", "ett", "det", "den", "är",
    "and", "or", "the", "a", "an", "of", "for", "in", "on", "to", "with", "by", "is", "are",
}

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ORG = "http://www.w3.org/ns/org#"
TEXT_PREDICATES = {SKOS + "prefLabel": "label", SKOS + "altLabel": "altLabel", RDFS + "label": "rdfsLabel",
                   DCTERMS + "description": "text", SKOS + "definition": "text"}  # + kg:includesField: "field"


# --- words and keys ------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_KEEP = set("åäö")
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o"})
_GEMINATE = re.compile(r"([bcdfghjklmnpqrstvwxz])\1")


def normalize(word: str) -> str:
    """Case-fold and drop diacritics, except that å, ä and ö stay letters of their own."""
    word = unicodedata.normalize("NFC", word.casefold())
    if word.isascii():
        return word
    out = []
    for ch in word:
        if ch in _KEEP or ch.isascii():
            out.append(ch)
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
    return "".join(out)


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, normalised word) for each word of a text; positions in the original text."""
    for m in _WORD.finditer(text):
        w = normalize(m.group())
        if w:
            yield m.start(), m.end(), w


def fold_fi(key: str) -> str:
    """Fold Finnish consonant gradation out of a stem (see the module docstring)."""
    key = key.replace("ng", "nk").replace("d", "t")
    key = _GEMINATE.sub(r"\1", key)
    key = key.replace("nt", "n")
    if key.endswith("ks"):
        key = key[:-2] + "s"
    return key


def group_of(lang: str | None) -> str:
    """The stemming group of a language tag: fi (also untagged), sv, en, or xx (not stemmed)."""
    primary = (lang or "").lower().split("-", 1)[0]
    if not primary:
        return "fi"
    return primary if primary in LANGUAGES else "xx"


class _Analyzer:
    """Words to keys, per language group; cached. Snowball stemmers keep state, hence the lock."""

    def __init__(self):
        self._stemmers = {"fi": snowballstemmer.stemmer("finnish"), "sv": snowballstemmer.stemmer("swedish"),
                          "en": snowballstemmer.stemmer("english")}
        self._cache: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def __getstate__(self):  # an index built in another process comes back pickled (server/find.py)
        return {"_cache": self._cache}

    def __setstate__(self, state):
        self.__init__()
        self._cache.update(state["_cache"])

    def key(self, group: str, word: str) -> str:
        if word.isdigit() or group == "xx":
            return word
        with self._lock:
            k = self._cache.get((group, word))
            if k is None:
                k = self._stemmers[group].stemWord(word)
                if group == "fi":
                    k = fold_fi(k)
                if len(self._cache) < 200_000:
                    self._cache[(group, word)] = k
        return k

    def surface(self, group: str, word: str) -> str:
        """The word itself, folded like a key but not stemmed: how a compound modifier is written."""
        return fold_fi(word) if group == "fi" and not word.isdigit() else word


# --- the term tables -----------------------------------------------------------------------------------

# Postings are kept as arrays of `item << 3 | weight code` (4 bytes each, one per item and key) instead of dicts
# (about 70 bytes an entry): at national scale (1.9 million postings) 168 MB -> 8 MB. The codes are ordered by
# weight, so that of an item's entries for a key, sorted, the last has the highest weight.
WEIGHT_CODES = tuple(sorted(set(WEIGHTS.values())))
_CODE = {w: c for c, w in enumerate(WEIGHT_CODES)}
_WEIGHT_OF = np.array(WEIGHT_CODES + (0.0,) * (8 - len(WEIGHT_CODES)))  # code -> weight, as an array
_NOTHING = (np.zeros(0, dtype=np.int64), np.zeros(0))


def _last_of_each(items: np.ndarray) -> np.ndarray:
    """Of sorted items, where each item's last entry is (its best weight, when sorted by item then weight)."""
    last = np.ones(len(items), dtype=bool)
    last[:-1] = items[:-1] != items[1:]
    return last


def _postings(values) -> np.ndarray:
    """One entry per item, with its highest weight; sorted by item."""
    a = np.sort(np.asarray(values, dtype=np.uint32))
    return a[_last_of_each(a >> 3)]


class _Terms:
    """key -> postings (item, best field weight), with sorted keys (prefix lookups) and reversed keys (suffix).

    The labels of linked nodes (an item's service areas, a system's product) are indexed once per node, not once
    per item that links to it: `linked` is key -> postings of nodes, and `members[node]` the items linking to it.
    posting() merges the two, so that matching sees the same postings either way.

    While building, add() and link() append; freeze() sorts and keeps one entry per item (the best weight)."""

    def __init__(self, members: list | None = None):
        self.post: dict[str, array | np.ndarray] = {}  # array while building, np.ndarray once frozen
        self.linked: dict[str, array | np.ndarray] = {}
        self.members = members if members is not None else []
        self.keys: list[str] = []
        self.rkeys: list[str] = []

    def add(self, key: str, item: int, weight: float):
        a = self.post.get(key)
        if a is None:
            a = self.post[key] = array("I")
        a.append(item << 3 | _CODE[weight])

    def link(self, key: str, node: int, weight: float):
        a = self.linked.get(key)
        if a is None:
            a = self.linked[key] = array("I")
        a.append(node << 3 | _CODE[weight])

    def has(self, key: str) -> bool:
        return key in self.post or key in self.linked

    def posting(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(items, their weights) of `key`: sorted by item, one entry per item (its best weight)."""
        items, weights = [], []
        own = self.post.get(key)
        if own is not None:
            items.append((own >> 3).astype(np.int64))
            weights.append(_WEIGHT_OF[own & 7])
        for v in self.linked.get(key, ()):
            members = self.members[int(v) >> 3]
            items.append(members.astype(np.int64))
            weights.append(np.full(len(members), _WEIGHT_OF[int(v) & 7]))
        if len(items) <= 1:
            return (items[0], weights[0]) if items else _NOTHING
        items, weights = np.concatenate(items), np.concatenate(weights)
        order = np.lexsort((weights, items))  # by item, then weight: an item's best weight comes last
        items, weights = items[order], weights[order]
        last = _last_of_each(items)
        return items[last], weights[last]

    def freeze(self):
        for table in (self.post, self.linked):
            for key, values in table.items():
                table[key] = _postings(values)
        self.keys = sorted(self.post.keys() | self.linked.keys())
        self.rkeys = sorted(k[::-1] for k in self.keys)

    def folded(self) -> "_Terms":
        """The same postings under the keys' ASCII forms (å→a, ä→a, ö→o): the table of queries typed without å/ä/ö.
        A key that folds to itself shares its postings array; keys that fold together are merged."""
        out = _Terms(self.members)
        for table, target in ((self.post, out.post), (self.linked, out.linked)):
            for key, values in table.items():
                ascii_key = key.translate(_ASCII)
                have = target.get(ascii_key)
                target[ascii_key] = values if have is None else _postings(np.concatenate([have, values]))
        out.keys = sorted(out.post.keys() | out.linked.keys())
        out.rkeys = sorted(k[::-1] for k in out.keys)
        return out

    def starting(self, prefix: str) -> Iterator[str]:
        i = bisect_left(self.keys, prefix)
        while i < len(self.keys) and self.keys[i].startswith(prefix):
            yield self.keys[i]
            i += 1

    def ending(self, suffix: str) -> Iterator[str]:
        r = suffix[::-1]
        i = bisect_left(self.rkeys, r)
        while i < len(self.rkeys) and self.rkeys[i].startswith(r):
            yield self.rkeys[i][::-1]
            i += 1


def _whole_word_keys(t: _Terms, q: str, surface: str) -> dict[str, float]:
    """Rules 1-4: the keys of `t` that match the query key q, with their strength."""
    found: dict[str, float] = {}

    def put(k, s):
        if s > found.get(k, 0.0):
            found[k] = s

    if t.has(q):
        put(q, EXACT)
    if q.isdigit():
        return found
    if len(q) >= MIN_HEAD:
        for k in t.starting(q):
            extra = len(k) - len(q)
            if 0 < extra <= MAX_INFLECTION:
                put(k, INFLECTION)
            elif extra >= MIN_REST:
                put(k, HEAD)
        for j in range(1, MAX_INFLECTION + 1):
            if len(q) - j >= MIN_HEAD and t.has(q[:-j]):
                put(q[:-j], INFLECTION)
    if surface != q and len(surface) >= MIN_HEAD:
        for k in t.starting(surface):
            if len(k) - len(surface) >= MIN_REST:
                put(k, HEAD)
    if len(q) >= MIN_TAIL:
        for k in t.ending(q):
            if len(k) - len(q) >= MIN_REST:
                put(k, TAIL)
    return found


def _modifier_keys(t: _Terms, left: str) -> set[str]:
    """Rule 5, first part: keys equal to `left`, beginning with it, or `left` less an inflection."""
    found = set(t.starting(left))
    for j in range(1, MAX_INFLECTION + 1):
        if len(left) - j >= MIN_HEAD and t.has(left[:-j]):
            found.add(left[:-j])
    return found


# --- the public types ----------------------------------------------------------------------------------

@dataclass
class Hit:
    iri: str
    kind: str
    label: str
    snippet: str | None
    municipalities: list[str]
    areas: list[str]
    score: float


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, list[Facet]]


@dataclass(slots=True)
class _Item:
    """One item, as _Items.__getitem__ gives it."""
    iri: str
    kind: str
    municipalities: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    passages: tuple[tuple[str, str], ...] = ()  # (lang, text) from the *text* field: see _passages


def _pack_pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    """(lang, text) pairs as one string: lang, the text's length, the text (a text may hold any character)."""
    return "".join(f"{lang}\x1f{len(text)}\x1f{text}" for lang, text in pairs)


def _unpack_pairs(s: str) -> tuple[tuple[str, str], ...]:
    out, i = [], 0
    while i < len(s):
        j = s.index("\x1f", i)
        k = s.index("\x1f", j + 1)
        end = k + 1 + int(s[j + 1:k])
        out.append((s[i:j], s[k + 1:end]))
        i = end
    return tuple(out)


class _Items:
    """The items, numbered in IRI order, column by column: a few arrays and buffers rather than an object per
    item (see packed.py)."""

    def __init__(self, iris: list[str], kinds: list[str], municipalities: list[tuple], areas: list[tuple],
                 passages: dict[int, tuple], names: list[tuple | None]):
        assert iris == sorted(iris), "find() needs the items in IRI order"
        self.iris = Packed(iris)
        self.kind_names, self.kind = codes(kinds)
        self.municipality_sets, self.municipality = codes(municipalities)
        self.area_sets, self.area = codes(areas)
        texts, self._passage = codes([passages.get(i, ()) for i in range(len(iris))])
        self._passages = Packed([_pack_pairs(t) for t in texts])
        texts, self._name = codes(names)
        self._names = Packed([_pack_pairs(t or ()) for t in texts])

    def __len__(self) -> int:
        return len(self.iris)

    def __getitem__(self, i: int) -> _Item:
        return _Item(self.iris[i], self.kind_names[self.kind[i]], self.municipality_sets[self.municipality[i]],
                     self.area_sets[self.area[i]], _unpack_pairs(self._passages[self._passage[i]]))

    def name(self, i: int) -> tuple[tuple[str, str], ...]:
        return _unpack_pairs(self._names[self._name[i]])

    def find(self, iri: str) -> int | None:
        return self.iris.find(iri)

    def where(self, column: np.ndarray, values: list, wanted) -> np.ndarray:
        """Of some items' codes in a column (kind, municipality, area), which stand for a value that wanted(value)."""
        return np.isin(column, [c for c, v in enumerate(values) if wanted(v)])


def _passages(texts: list[tuple[str, str, str]]) -> tuple[tuple[str, str], ...]:
    """An item's (lang, text) passages for snippets, from its (field, lang, text): each description, in order
    of language (as first met) and text, then per language its data-group fields joined by commas."""
    descriptions: dict[str, list[str]] = {}
    fields: dict[str, list[str]] = {}
    for fname, lang, text in texts:
        (fields if fname == "field" else descriptions).setdefault(lang, []).append(text)
    out = [(lang, " ".join(t.split())) for lang, ts in descriptions.items() for t in sorted(ts)]
    out += [(lang, " ".join(", ".join(sorted(ts)).split())) for lang, ts in fields.items()]
    return tuple(out)


# --- the reads build() makes (three Store.statements calls, whatever the data) --------------------------

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _link_predicates(kg: str) -> list[str]:
    return [DCTERMS + "hasPart", kg + "dataGroup", kg + "serviceArea", kg + "instanceOf", ORG + "hasMember",
            SKOS + "broader", SKOS + "narrower"]


BUILD_QUERIES = 3


@functools.lru_cache(maxsize=64)
def _fallback(lang: str) -> tuple[str, ...]:
    return (lang, *(x for x in LANGUAGES if x != lang), "")


def _pick(by_lang: tuple[tuple[str, str], ...], lang: str) -> str | None:
    """The text in `lang`, falling back fi -> sv -> en -> untagged -> any."""
    for cand in _fallback(lang):
        for tag, text in by_lang:
            if tag == cand and text:
                return text
    return by_lang[0][1] if by_lang else None


LABEL_FIELDS = ("label", "rdfsLabel", "altLabel")  # what names a node, in order of preference (label())


class SearchIndex:
    """The search index; see the module docstring for what it indexes and how it matches."""

    def __init__(self):
        self._an = _Analyzer()
        self._items = _Items([], [], [], [], {}, [])
        self._tables: dict[tuple[str, str], _Terms] = {}  # (space "k" or "a", group) -> terms
        self._names: dict[str, tuple[tuple[str, str], ...]] = {}  # iri -> (lang, text) of its name, if not an item's
        self._kind_labels: dict[str, tuple[tuple[str, str], ...]] = {}
        self._narrower: dict[str, set[str]] = {}
        self._iris = Iris()
        self._keys_of_text: dict[tuple[str, str], tuple] = {}  # while building only
        self._members: list[list[int]] = []  # linked node -> the items that link to it (see _Terms)

    # --- build -------------------------------------------------------------------------------------------

    @classmethod
    def build(cls, store) -> "SearchIndex":
        """Read everything needed in `BUILD_QUERIES` (3) reads of the store (Store.statements) and index it.

        The texts (a million rows at national scale) are read row by row and indexed as they come; what is
        kept of them is each node's name per language and the items' descriptions (for snippets). Strings that
        recur (IRIs, the same label in 309 municipalities) are kept once."""
        self = cls()
        iris: Iris = getattr(store, "iris", None) or Iris()
        self._iris = iris
        kg = iris.term("")
        once: dict = {}  # equal strings and tuples stored once

        def share(x):
            return once.setdefault(x, x)

        # Links.
        links: dict[str, dict[str, set[str]]] = {}
        for s, p, o, _, _ in store.statements(_link_predicates(kg)):
            links.setdefault(p, {}).setdefault(share(s), set()).add(share(o))
        has_part = links.get(DCTERMS + "hasPart", {})
        data_group = links.get(kg + "dataGroup", {})
        service_area = links.get(kg + "serviceArea", {})
        instance_of = links.get(kg + "instanceOf", {})
        members = links.get(ORG + "hasMember", {})
        for s, objs in links.get(SKOS + "broader", {}).items():
            for o in objs:
                self._narrower.setdefault(o, set()).add(s)
        for s, objs in links.get(SKOS + "narrower", {}).items():
            self._narrower.setdefault(s, set()).update(objs)
        part_of: dict[str, set[str]] = {}
        for s, objs in has_part.items():
            for o in objs:
                part_of.setdefault(o, set()).add(s)
        datasets_of: dict[str, set[str]] = {}
        for s, objs in data_group.items():
            for o in objs:
                datasets_of.setdefault(o, set()).add(s)

        # Items, their kinds and graphs.
        types: dict[str, set[str]] = {}
        graphs: dict[str, set[str]] = {}
        for s, _, t, _, g in store.statements([RDF_TYPE], objects=[kg + k for k in ITEM_KINDS] + [SKOS + "Concept"]):
            subject = share(s)
            local = CONCEPT if t == SKOS + "Concept" else t[len(kg):]
            types.setdefault(subject, set()).add(share(local))
            graphs.setdefault(subject, set()).add(share(g))
        kinds: dict[str, str] = {}
        for s, ts in types.items():
            kinds[s] = CONCEPT if CONCEPT in ts else next(k for k in ITEM_KINDS if k in ts)

        def graph_munis(s: str) -> set[str]:
            out: set[str] = set()
            for g in graphs.get(s, ()):
                key = iris.key_of_graph(g)
                if not key:
                    continue
                owner = iris.thing(key)
                owner_types = types.get(owner, set())
                if owner_types & ORGANISATIONS:
                    out.add(owner)
                elif "Consortium" in owner_types:
                    out.update(m for m in members.get(owner, ()) if "Municipality" in types.get(m, ()))
            return out

        def resources_of(s: str) -> set[str]:
            found = {r for r in part_of.get(s, ()) if kinds.get(r) in RESOURCE_KINDS}
            if kinds.get(s) == "DataGroup":
                for d in datasets_of.get(s, ()):
                    found |= {r for r in part_of.get(d, ()) if kinds.get(r) in RESOURCE_KINDS}
            return found

        def areas_of(s: str) -> set[str]:
            own = service_area.get(s, set())
            if own or kinds.get(s) not in ("Dataset", "DataGroup"):
                return set(own)
            if kinds[s] == "DataGroup":
                found = set().union(*(areas_of(d) for d in datasets_of.get(s, ())))
                if found:
                    return found
            return set().union(*(service_area.get(r, set()) for r in resources_of(s)))

        link_ids: dict[tuple[str, float], int] = {}  # (linked node, field weight) -> its number in _members

        def link(node: str, weight: float, idx: int):
            nid = link_ids.get((node, weight))
            if nid is None:
                nid = link_ids[node, weight] = len(self._members)
                self._members.append([])
            self._members[nid].append(idx)

        index_of: dict[str, int] = {}
        item_iris, item_kinds, item_munis, item_areas = [], [], [], []  # the columns of _Items
        for s in sorted(kinds):
            kind = kinds[s]
            if kind in (CONCEPT, "ReferenceItem", "ReferenceLibrary"):
                munis: set[str] = set()
            else:
                munis = graph_munis(s)
                if kind in ("Dataset", "DataGroup"):
                    precise = set().union(*(graph_munis(r) for r in resources_of(s)))
                    munis = precise or munis
            areas = areas_of(s)
            index_of[s] = idx = len(item_iris)
            item_iris.append(s)
            item_kinds.append(kind)
            item_munis.append(share(tuple(sorted(munis))))
            item_areas.append(share(tuple(sorted(areas))))
            for product in sorted(instance_of.get(s, ())):
                link(product, WEIGHTS["product"], idx)
            for a in sorted(areas):
                link(a, WEIGHTS["context"], idx)
        del links, has_part, data_group, service_area, part_of, datasets_of, types, graphs, kinds
        linked_as: dict[str, list[tuple[int, float]]] = {}  # linked node -> its (number in _members, weight)
        for (node, weight), nid in link_ids.items():
            linked_as.setdefault(node, []).append((nid, weight))

        # Texts, row by row.
        first: dict[tuple[str, str, str], str] = {}  # (iri, name field, lang) -> its first text in sort order
        described: dict[int, list[tuple[str, str, str]]] = {}  # item -> (field, lang, text) of its passages
        rdfs_only: dict[int, list[tuple[str, str]]] = {}  # item -> (lang, text) of its rdfs:labels
        has_label: set[int] = set()
        for subject, p, text, lang, _ in store.statements([*TEXT_PREDICATES, kg + "includesField"], literals=True):
            fname = TEXT_PREDICATES.get(p, "field")
            if fname in LABEL_FIELDS:
                k = (share(subject), fname, share(lang))
                if k not in first or text < first[k]:
                    first[k] = share(text)
            idx = index_of.get(subject)
            if idx is not None:
                if fname == "label":
                    has_label.add(idx)
                    self._index_text(idx, lang, text, WEIGHTS["label"])
                elif fname == "rdfsLabel":  # indexed as the label only when there is no skos:prefLabel
                    rdfs_only.setdefault(idx, []).append((lang, text))
                elif fname == "altLabel":
                    self._index_text(idx, lang, text, WEIGHTS["altLabel"])
                else:
                    self._index_text(idx, lang, text, WEIGHTS["text"])
                    described.setdefault(idx, []).append((fname, share(lang), text))
            if fname in ("label", "altLabel"):
                for nid, weight in linked_as.get(subject, ()):
                    self._index_text(nid, lang, text, weight, linked=True)
        for idx, texts in rdfs_only.items():
            if idx not in has_label:
                for lang, text in texts:
                    self._index_text(idx, lang, text, WEIGHTS["label"])
        passages = {idx: _passages(list(dict.fromkeys(texts)))  # (a text stated in two graphs is read twice)
                    for idx, texts in described.items()}

        # Names: of each node, the texts of its first name field, per language.
        by_node: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for (subject, fname, lang), text in first.items():
            by_node.setdefault(subject, {}).setdefault(fname, []).append((lang, text))
        del first
        for subject, fields in by_node.items():
            name = next(fields[f] for f in LABEL_FIELDS if f in fields)
            self._names[subject] = share(tuple(sorted(name)))
        self._items = _Items(item_iris, item_kinds, item_munis, item_areas, passages,
                             [self._names.pop(s, None) for s in item_iris])
        for kind in ITEM_KINDS:
            rl = by_node.get(kg + kind, {}).get("rdfsLabel")
            if rl:
                self._kind_labels[kind] = tuple(sorted(rl))
        self._kind_labels.update({k: tuple(sorted(v.items())) for k, v in KIND_LABELS.items()})
        self._members[:] = [np.array(m, dtype=np.uint32) for m in self._members]  # sorted: items were numbered in order
        for group in [g for space, g in self._tables]:
            self._tables["k", group].freeze()
            self._tables["a", group] = self._tables["k", group].folded()
        self._keys_of_text = {}
        del by_node, once, described, rdfs_only, linked_as, index_of, item_iris, passages
        give_back()
        return self

    def _index_text(self, target: int, lang: str, text: str, weight: float, linked: bool = False):
        """The words of a text as postings of an item, or (linked) of a linked node: see _Terms."""
        group = group_of(lang)
        table = self._tables.get(("k", group))
        if table is None:  # the ASCII table ("a") is derived from it at the end of the build (_Terms.folded)
            table = self._tables["k", group] = _Terms(self._members)
        put = table.link if linked else table.add
        for k in self._text_keys(group, text):
            put(k, target, weight)

    def _text_keys(self, group: str, text: str) -> tuple[str, ...]:
        """The distinct keys of a text's words. Kept per text: at national scale the same labels recur in every
        municipality (a fifth of the build time was analysing them again)."""
        found = self._keys_of_text.get((group, text))
        if found is None:
            found = tuple(dict.fromkeys(self._an.key(group, w) for _, _, w in words(text)))
            if len(self._keys_of_text) < 500_000:
                self._keys_of_text[(group, text)] = found
        return found

    # --- search ------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def _query_words(self, text: str) -> list[str]:
        found = []
        for _, _, w in words(text):
            w = w[:MAX_TOKEN_CHARS]
            if w not in found:
                found.append(w)
        content = [w for w in found if w not in STOPWORDS]
        return (content or found)[:MAX_QUERY_TOKENS]

    def _match_word(self, word: str, decoded: dict) -> tuple[np.ndarray, list]:
        """(each item's best score for this query word, 0 where it does not match; what matched:
        [(space, group, table, keys, splits)]).

        Which words of an item matched is worked out later, for the snippets of the hits shown only (_terms): at
        national scale a word matches 100,000 items, and keeping a set of terms for each was most of a search."""
        best = np.zeros(len(self._items))
        matched = []
        ascii_query = not any(c in _KEEP for c in word)

        def posting(t: _Terms, k: str) -> tuple[np.ndarray, np.ndarray]:
            found = decoded.get((id(t), k))
            if found is None:
                found = decoded[id(t), k] = t.posting(k)
            return found

        for (space, group), t in self._tables.items():
            if space == "a" and not ascii_query:
                continue
            factor = ASCII_FACTOR if space == "a" else 1.0
            q = self._an.key(group, word)
            surface = self._an.surface(group, word)
            if space == "a":
                q, surface = q.translate(_ASCII), surface.translate(_ASCII)
            keys = _whole_word_keys(t, q, surface)
            for k, strength in keys.items():
                items, weights = posting(t, k)
                best[items] = np.maximum(best[items], strength * weights * factor)  # one entry per item: no collisions
            splits = []
            if not q.isdigit() and len(q) >= 2 * MIN_PART:
                for i in range(MIN_PART, len(q) - MIN_PART + 1):
                    lkeys = _modifier_keys(t, q[:i])
                    if not lkeys:
                        continue
                    rkeys = _whole_word_keys(t, q[i:], q[i:])
                    if not rkeys:
                        continue
                    splits.append((lkeys, rkeys))
                    left = np.zeros(len(self._items))
                    for k in lkeys:
                        items, weights = posting(t, k)
                        left[items] = np.maximum(left[items], weights)
                    for k in rkeys:
                        items, weights = posting(t, k)
                        lw = left[items]
                        has = lw > 0
                        items, score = items[has], SPLIT * np.minimum(lw[has], weights[has]) * factor
                        best[items] = np.maximum(best[items], score)
            if keys or splits:
                matched.append((space, group, t, keys, splits))
        return best, matched

    def _terms(self, item: _Item, j: int, matched: list, weights: "_HitWeights") -> set[tuple[str, str, str]]:
        """The (space, group, key) terms of the j-th hit shown among what query words matched (see _match_word), as
        far as its snippet can tell: terms whose key is not a word of its passages are left out (they cannot be
        shown)."""
        shown: dict[str, set[str]] = {}  # group -> the keys of the passages' words, and their ASCII forms
        for plang, text in item.passages:
            group = group_of(plang)
            keys = shown.setdefault(group, set())
            for _, _, w in words(text):
                k = self._an.key(group, w)
                keys.update((k, k.translate(_ASCII)))
        terms = set()
        for space, group, t, keys, splits in matched:
            present = shown.get(group, set())
            terms.update((space, group, k) for k in keys if k in present and weights.of(t, k)[j])
            for lkeys, rkeys in splits:
                if present.isdisjoint(lkeys) and present.isdisjoint(rkeys):
                    continue
                lbest = max(((weights.of(t, k)[j], k) for k in lkeys), default=(0.0, ""))
                if lbest[0]:
                    right = [(space, group, k) for k in rkeys if weights.of(t, k)[j]]
                    if right:
                        terms.add((space, group, lbest[1]))
                        terms.update(right)
        return terms

    def search(self, text: str, *, lang: str = "fi", municipality: str | None = None, area: str | None = None,
               kind: str | None = None, kinds: set[str] | None = None, limit: int = 50) -> SearchResult:
        query = _cap(text or "").strip()
        limit = max(0, min(int(limit), MAX_LIMIT))
        qwords = self._query_words(query)

        matched_words = []
        decoded: dict = {}  # (table, key) -> its posting: the splits of a compound, and the snippets, ask again
        items = self._items
        if not qwords:
            hit, score_of = np.arange(len(items)), np.zeros(len(items))
        else:
            total = every = None  # the sum of the words' scores; the items every word matches
            for w in qwords:
                found, matched = self._match_word(w, decoded)
                matched_words += matched
                if total is None:
                    total, every = found, found > 0
                else:
                    total, every = total + found, every & (found > 0)
                if not every.any():
                    break
            hit, score_of = np.flatnonzero(every), total

        # Filters, as masks over the hits.
        if municipality and ":" not in municipality:  # a key ("491") rather than an IRI
            municipality = self._iris.thing(municipality)
        allowed_kinds = None
        if kind:
            allowed_kinds = {kind}
        if kinds is not None:
            allowed_kinds = set(kinds) if allowed_kinds is None else allowed_kinds & set(kinds)
        area_set = self._area_and_narrower(area) if area else None
        every_hit = np.ones(len(hit), dtype=bool)
        k = every_hit if allowed_kinds is None else items.where(items.kind[hit], items.kind_names, allowed_kinds.__contains__)
        m = every_hit if municipality is None else items.where(items.municipality[hit], items.municipality_sets,
                                                               lambda ms: municipality in ms)
        a = every_hit if area_set is None else items.where(items.area[hit], items.area_sets,
                                                           lambda areas: any(x in area_set for x in areas))

        # Facets: each counts the hits the other filters allow.
        def tally(column: np.ndarray, values: list, each) -> dict[str, int]:
            counts: dict[str, int] = {}
            for code, n in enumerate(np.bincount(column, minlength=len(values)).tolist()):
                for v in each(values[code]) if n else ():
                    counts[v] = counts.get(v, 0) + n
            return counts

        facets = {
            "municipality": self._facet(tally(items.municipality[hit[k & a]], items.municipality_sets, iter), lang, self.label),
            "area": self._facet(tally(items.area[hit[k & m]], items.area_sets, iter), lang, self.label),
            "kind": self._facet(tally(items.kind[hit[m & a]], items.kind_names, lambda v: (v,)), lang, self.kind_label),
        }
        # An empty query with a filter browses: everything the filters allow (the matrix links here).
        browsing = qwords or allowed_kinds is not None or municipality or area_set is not None
        selected = hit[k & m & a] if browsing else hit[:0]
        # Labels (the tie-breakers) only for what can make the first `limit`: the items scoring at least the limit-th.
        if len(selected) > limit:
            floor = np.sort(score_of[selected])[-limit] if limit else float("inf")
            selected = selected[score_of[selected] >= floor]
        scores = dict(zip(selected.tolist(), score_of[selected].tolist()))
        labels = {i: _pick(items.name(i), lang) or _last_segment(items.iris[i]) for i in scores}
        candidates = sorted(scores, key=lambda i: (-scores[i], len(labels[i]), labels[i].casefold(), items.iris[i]))
        hits = []
        shown = candidates[:limit]
        weights = _HitWeights(shown, decoded)
        for j, i in enumerate(shown):
            it = items[i]
            snippet = self._snippet(it, self._terms(it, j, matched_words, weights), lang) if it.passages and matched_words else None
            hits.append(Hit(iri=it.iri, kind=it.kind, label=labels[i], snippet=snippet,
                            municipalities=list(it.municipalities), areas=list(it.areas), score=round(scores[i], 4)))
        total = int(np.count_nonzero(k & m & a)) if browsing else 0
        return SearchResult(query=query, hits=hits, total=total, facets=facets)

    # --- helpers -----------------------------------------------------------------------------------------

    def _area_and_narrower(self, area: str) -> set[str]:
        found, todo = {area}, [area]
        while todo:
            for n in self._narrower.get(todo.pop(), ()):
                if n not in found:
                    found.add(n)
                    todo.append(n)
        return found

    def label(self, iri: str, lang: str = "fi") -> str:
        """The item's (or any labelled node's) label in `lang`, falling back fi -> sv -> en."""
        i = self._items.find(iri)
        return _pick(self._items.name(i) if i is not None else self._names.get(iri, ()), lang) or _last_segment(iri)

    def kind_label(self, kind: str, lang: str = "fi") -> str:
        return _pick(self._kind_labels.get(kind, ()), lang) or kind

    @staticmethod
    def _facet(counts: dict[str, int], lang: str, labeller) -> list[Facet]:
        facets = [Facet(value=v, label=labeller(v, lang), count=n) for v, n in counts.items()]
        facets.sort(key=lambda f: (-f.count, f.label.casefold(), f.value))
        return facets

    def _snippet(self, item: _Item, matched: set[tuple[str, str, str]], lang: str) -> str | None:
        """The part of the item's description around its first matched word, <= SNIPPET_CHARS characters."""
        if not item.passages or not matched:
            return None
        order = {l: n for n, l in enumerate(_fallback(lang))}
        for plang, text in sorted(item.passages, key=lambda p: order.get(p[0], len(order))):
            group = group_of(plang)
            for start, end, w in words(text):
                k = self._an.key(group, w)
                if ("k", group, k) in matched or ("a", group, k.translate(_ASCII)) in matched:
                    return _window(text, start, end)
        return None


class _HitWeights:
    """Each matched key's weight for each hit shown: one lookup per key over all the hits, not one per key and hit
    (100 hits of a compound word made 40,000 lookups, most of a search)."""

    def __init__(self, hits: list[int], postings: dict):
        self.hits, self.postings, self._found = np.asarray(hits, dtype=np.int64), postings, {}

    def of(self, table: "_Terms", key: str) -> np.ndarray:
        found = self._found.get((id(table), key))
        if found is None:
            items, weights = self.postings.get((id(table), key)) or table.posting(key)
            found = np.zeros(len(self.hits))
            if len(items):
                at = np.minimum(np.searchsorted(items, self.hits), len(items) - 1)
                has = items[at] == self.hits
                found[has] = weights[at[has]]
            self._found[id(table), key] = found
        return found


def _last_segment(iri: str) -> str:
    """What names a node without a label: the last segment of its IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _cap(text: str) -> str:
    """The first MAX_QUERY_CHARS characters, without a word cut in two at the end."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    if _WORD.match(text, MAX_QUERY_CHARS) and _WORD.match(cut, len(cut) - 1):
        last = list(_WORD.finditer(cut))[-1]
        if last.start() > 0:
            cut = cut[: last.start()]
    return cut


def _window(text: str, start: int, end: int, size: int = SNIPPET_CHARS) -> str:
    """At most `size` characters of `text` around text[start:end], cut at spaces, with … where cut."""
    if len(text) <= size:
        return text
    lo = max(0, start - size // 3)
    if lo > 0:
        sp = text.rfind(" ", 0, lo + 1)
        if sp >= 0:
            lo = sp + 1
    prefix = "…" if lo > 0 else ""
    room = size - len(prefix)
    if lo + room >= len(text):
        return prefix + text[lo:]
    hi = lo + room - 1  # keep one character for the closing …
    sp = text.rfind(" ", lo, hi + 1)
    if sp >= end:
        hi = sp
    return prefix + text[lo:hi].rstrip() + "…"
