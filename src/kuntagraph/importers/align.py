"""Alignment: which reference-library item (KuntaDNA-style, data/reference.ttl) each imported item corresponds to.

`suggest(graph)` gives, for each kg:Process, kg:InformationResource (and kg:CaseRegister), kg:Dataset and
kg:Purpose of a municipality's graph, at most `MAX_SUGGESTIONS` reference items of the same kind
(kg:referenceKind) scoring at least `MIN_SCORE`, best first. `apply(graph, suggestions)` stores the best one
as `item kg:reference refItem` when it scores at least `THRESHOLD`.

The score (0..1) is a soft word overlap of the two labels, the same in both directions:

* Words are keyed like the search index (vocab.keys: Finnish stems folded for consonant gradation) and two
  words match by vocab.word_match or by the search index's compound rules (search._whole_word_keys and
  _modifier_keys): "asiakkaiden" is the head of "asiakasrekisteri" (0.7), "rekisteri" its tail (0.7), and
  "asiakasrekisteri" splits into words of "asiakkaiden rekisteri" (0.6). A compound that only contains the
  other word ("Kirjastopalveluiden" for "kirjasto") is covered in proportion to the length of that part.
* Each word of both labels gets the strength of its best match in the other label, or `DESCRIPTION_FACTOR`
  times its best match in the other item's description. The score is the weighted mean over the words of
  both labels; labels without a common word score 0.
* Words every description uses ("tiedot", "liittyvät", "tietovaranto", "yhteinen") weigh `GENERIC_WEIGHT`,
  and being matched by one counts that much less: "Tilavarauksiin liittyvät tiedot" is not "Lainauksiin
  liittyvät tiedot" (0.33), while "Kirjaston asiakasrekisteri" is "Kirjastojen yhteinen asiakasrekisteri"
  ((1 + 1 + 1 + 0 × 0.25 + 1) / 4.25 = 0.94).
* Service areas: the score is multiplied by `AREA_AGREE` (capped at 1) when the two share an area, by
  `AREA_DIFFER` when their areas are unrelated, and left alone when one area is broader than the other
  (culture-and-leisure may or may not be the library) or either has none (a dataset or purpose without an
  area takes those of the resources it belongs to).

Calibration (tests/test_align.py): Mantajärvi's 21 items, stripped of their kg:reference links, get them all
back at `THRESHOLD` (precision 1, recall 1). On 24 reworded library items (inflections, compounds written
apart or together), 12 made-up items without a counterpart and the 172 items of seeds 001, 002 and LUMME
(judged by eye: one has a clear counterpart), 0.6 stores 24 links, 23 of them right (precision 0.96), and
finds 23 of the 25 (recall 0.92). The wrong one is seed 001's "Kirjaston asiakkaan tiedot" -> "Kirjaston
asiakkaan kiinnostuksen kohteet" (0.73), the missed ones "Käyttäjätuki" (0.41) and "Kirjalainojen maksut" (0.52).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import rdflib
from rdflib import RDF, Literal, URIRef

from .. import config
from ..search import MIN_PART, MIN_REST, SPLIT, STOPWORDS, _modifier_keys, _Terms, _whole_word_keys, fold_fi, words
from .vocab import keys, word_match

KG = rdflib.Namespace(config.CANONICAL_BASE + "def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")

MAX_SUGGESTIONS = 3
MIN_SCORE = 0.3           # below this a suggestion is noise (one shared word among four or more)
THRESHOLD = 0.6           # `apply` stores the best suggestion from this score up (calibrated, see above)
DESCRIPTION_FACTOR = 0.5  # a label word found only in the other item's description
GENERIC_WEIGHT = 0.25
GENERIC = frozenset(keys("tieto tiedot liittyvät koskevat tietovaranto tietovarannot tietoaineisto "
                         "tietoaineistot aineisto aineistot muu muut yhteinen yleinen"))
AREA_AGREE, AREA_DIFFER = 1.1, 0.5

# An item's class -> the kg:referenceKind it is compared with.
KINDS = {KG.Process: KG.Process, KG.InformationResource: KG.InformationResource,
         KG.CaseRegister: KG.InformationResource, KG.Dataset: KG.Dataset, KG.Purpose: KG.Purpose}


@dataclass(frozen=True)
class _Word:
    key: str
    surface: str  # the word folded but not stemmed, as compound modifiers are written (search.py, rule 3)
    weight: float


class _Text:
    """The content words of a label or description, and the term table the search rules look keys up in."""

    def __init__(self, text: str):
        ws = [w for _, _, w in words(text) if w not in STOPWORDS]
        self.words = [_Word(k, fold_fi(w), GENERIC_WEIGHT if k in GENERIC else 1.0) for w, k in zip(ws, keys(text))]
        self.terms = _Terms()
        for w in self.words:
            self.terms.add(w.key, 0, 1.0)
        self.terms.freeze()
        self.at: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.at.setdefault(w.key, []).append(i)


def _links(a: _Text, b: _Text) -> list[tuple[int, int, float, float]]:
    """(word of a, word of b, how well each is covered by the other) for each match of a word of a, as a query
    word, in b. A compound of b that only contains the word of a ("kirjasto" in "Kirjastopalveluiden") is
    covered in proportion to the length of that part."""
    found = []
    for i, w in enumerate(a.words):
        for j, v in enumerate(b.words):
            s = word_match(w.key, v.key)
            if s:
                found.append((i, j, s, s))
        for k, s in _whole_word_keys(b.terms, w.key, w.surface).items():
            part = len(k) - len(w.key) >= MIN_REST  # rules 3 and 4: a head or tail of a longer word
            found += [(i, j, s, s * len(w.key) / len(k) if part else s) for j in b.at[k]]
        # A compound of a whose two parts are words of b: asiakasrekisteri ~ asiakkaiden rekisteri.
        for cut in range(MIN_PART, len(w.key) - MIN_PART + 1):
            left, right = _modifier_keys(b.terms, w.key[:cut]), _whole_word_keys(b.terms, w.key[cut:], w.key[cut:])
            if left and right:
                found += [(i, j, SPLIT, SPLIT) for k in [*left, *right] for j in b.at[k]]
    return found


def _both_ways(a: _Text, b: _Text) -> list[tuple[int, int, float, float]]:
    return _links(a, b) + [(i, j, sa, sb) for j, i, sb, sa in _links(b, a)]


def _credits(a: _Text, b: _Text) -> tuple[list[float], list[float]]:
    """How well each word of a and of b is matched in the other; a word matched only by a lighter (generic)
    word gets that much less."""
    ca, cb = [0.0] * len(a.words), [0.0] * len(b.words)
    for i, j, sa, sb in _both_ways(a, b):
        wa, wb = a.words[i].weight, b.words[j].weight
        ca[i] = max(ca[i], sa * min(1.0, wb / wa))
        cb[j] = max(cb[j], sb * min(1.0, wa / wb))
    return ca, cb


def _in_description(label: _Text, description: _Text | None) -> list[float]:
    """How well each label word is found in the other item's description."""
    found = [0.0] * len(label.words)
    if description is None:
        return found
    for i, j, s, _ in _both_ways(label, description):
        found[i] = max(found[i], DESCRIPTION_FACTOR * s * min(1.0, description.words[j].weight / label.words[i].weight))
    return found


@dataclass(frozen=True)
class _Item:
    iri: URIRef
    kind: URIRef          # the kg:referenceKind it compares with
    label: str            # Finnish prefLabel (for the report)
    labels: tuple[_Text, ...]
    description: _Text | None
    areas: frozenset[str]


def _label_similarity(a: _Text, b: _Text, a_desc: _Text | None, b_desc: _Text | None) -> float:
    total = sum(w.weight for w in a.words) + sum(w.weight for w in b.words)
    if not total:
        return 0.0
    ca, cb = _credits(a, b)
    da, db = _in_description(a, b_desc), _in_description(b, a_desc)
    got = sum(w.weight * max(c, d) for w, c, d in zip(a.words, ca, da)) + \
        sum(w.weight * max(c, d) for w, c, d in zip(b.words, cb, db))
    return got / total


def _score(item: _Item, ref: _Item) -> float:
    base = max((_label_similarity(a, b, item.description, ref.description) for a in item.labels for b in ref.labels),
               default=0.0)
    if not base or not item.areas or not ref.areas:
        return round(base, 3)
    if item.areas & ref.areas:
        return round(min(1.0, base * AREA_AGREE), 3)
    related = any(y in _broader(x) or x in _broader(y) for x in item.areas for y in ref.areas)
    return round(base if related else base * AREA_DIFFER, 3)


@lru_cache(maxsize=None)
def _broader_map() -> dict[str, frozenset[str]]:
    """Service area -> every area broader than it (transitively), from ontology/vocab/service-area.ttl."""
    g = rdflib.Graph().parse(config.VOCAB_DIR / "service-area.ttl")
    up: dict[str, set[str]] = {}
    for s, o in g.subject_objects(SKOS.broader):
        up.setdefault(str(s), set()).add(str(o))
    for s, o in g.subject_objects(SKOS.narrower):
        up.setdefault(str(o), set()).add(str(s))

    def closure(a, seen):
        for b in up.get(a, ()):
            if b not in seen:
                seen.add(b)
                closure(b, seen)
        return seen

    return {a: frozenset(closure(a, set())) for a in up}


def _broader(area: str) -> frozenset[str]:
    return _broader_map().get(area, frozenset())


def _finnish(values) -> list[str]:
    return [str(v) for v in values if isinstance(v, Literal) and (v.language or "fi").split("-")[0] == "fi"]


def _item(g: rdflib.Graph, s, kind, areas) -> _Item | None:
    pref = _finnish(g.objects(s, SKOS.prefLabel))
    labels = [_Text(t) for t in [*pref, *_finnish(g.objects(s, SKOS.altLabel))]]
    labels = tuple(t for t in labels if t.words)
    if not labels:
        return None
    description = " ".join(_finnish(g.objects(s, DCTERMS.description)))
    return _Item(s, kind, pref[0] if pref else str(s), labels, _Text(description) if description else None,
                 frozenset(areas))


def _items(g: rdflib.Graph) -> list[_Item]:
    found = {}
    for cls, kind in KINDS.items():
        for s in g.subjects(RDF.type, cls):
            if s in found or not isinstance(s, URIRef):
                continue
            areas = {str(a) for a in g.objects(s, KG.serviceArea)}
            if not areas:  # a purpose or dataset without its own area: that of the resources stating it
                holders = {*g.subjects(KG.purpose, s), *g.subjects(DCTERMS.hasPart, s)}
                areas = {str(a) for h in holders for a in g.objects(h, KG.serviceArea)}
            item = _item(g, s, kind, areas)
            if item:
                found[s] = item
    return sorted(found.values(), key=lambda i: (str(i.kind), i.label.casefold(), str(i.iri)))


def _references(g: rdflib.Graph) -> list[_Item]:
    refs = []
    for s in g.subjects(RDF.type, KG.ReferenceItem):
        kind = g.value(s, KG.referenceKind)
        item = _item(g, s, kind, {str(a) for a in g.objects(s, KG.serviceArea)}) if kind in set(KINDS.values()) else None
        if item:
            refs.append(item)
    return refs


@lru_cache(maxsize=1)
def _default_library() -> tuple[_Item, ...]:
    return tuple(_references(rdflib.Graph().parse(config.DATA_DIR / "reference.ttl")))


@dataclass(frozen=True)
class Candidate:
    reference: str
    label: str
    score: float


@dataclass(frozen=True)
class Suggestion:
    item: str
    label: str
    kind: str  # Process, InformationResource, Dataset or Purpose
    candidates: tuple[Candidate, ...]

    def as_dict(self) -> dict:
        return {"item": self.item, "label": self.label, "kind": self.kind,
                "suggestions": [{"reference": c.reference, "label": c.label, "score": c.score} for c in self.candidates]}


def suggest(graph: rdflib.Graph, library: rdflib.Graph | None = None) -> list[Suggestion]:
    """The items of `graph` that have at least one candidate in the library (data/reference.ttl by default)."""
    refs = _default_library() if library is None else _references(library)
    out = []
    for item in _items(graph):
        scored = [(_score(item, r), r) for r in refs if r.kind == item.kind]
        scored = sorted(((s, r) for s, r in scored if s >= MIN_SCORE), key=lambda x: (-x[0], x[1].label))
        if scored:
            out.append(Suggestion(str(item.iri), item.label, item.kind.rsplit("#", 1)[-1],
                                  tuple(Candidate(str(r.iri), r.label, s) for s, r in scored[:MAX_SUGGESTIONS])))
    return out


def apply(graph: rdflib.Graph, suggestions: list[Suggestion], threshold: float = THRESHOLD) -> int:
    """Store `item kg:reference best` for each suggestion whose best candidate scores at least `threshold`,
    unless the item already has a kg:reference (a link someone stated is not overridden). Returns how many."""
    stored = 0
    for s in suggestions:
        item = URIRef(s.item)
        if s.candidates and s.candidates[0].score >= threshold and (item, KG.reference, None) not in graph:
            graph.add((item, KG.reference, URIRef(s.candidates[0].reference)))
            stored += 1
    return stored
