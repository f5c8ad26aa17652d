"""The words by which the importer recognises each kind of §28 item, read from the ontology.

Each kind's words are the rdfs:label and skos:hiddenLabel of its term in ontology/kuntagraph.ttl, in Finnish,
Swedish and English. A Finnish word is reduced to the lemma of its head (Voikko); a phrase ("vastaava
viranomainen") is kept as a sequence of lemmas. Adding a synonym is a line of Turtle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from .. import config

KG = config.CANONICAL_BASE + "def#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCAT = "http://www.w3.org/ns/dcat#"
VCARD = "http://www.w3.org/2006/vcard/ns#"

# kind -> the term whose words name it
KINDS = {
    "resource": KG + "InformationResource",
    "case_register": KG + "CaseRegister",
    "dataset": KG + "Dataset",
    "system": KG + "SystemInstance",
    "search": KG + "SearchCriterion",
    "responsible": KG + "responsibleAuthority",
    "unit": KG + "responsibleUnit",
    "deciding": KG + "decidingAuthority",
    "description": KG + "AccessDescription",
    "registry": DCAT + "contactPoint",
    "email": VCARD + "hasEmail",
    "phone": VCARD + "hasTelephone",
    "address": VCARD + "hasAddress",
    "url": VCARD + "hasURL",
}


@dataclass(frozen=True)
class Words:
    fi: frozenset[str]  # Finnish single words, as lemmas (lower case)
    fi_phrases: tuple[tuple[str, ...], ...]  # Finnish phrases, as lemma sequences
    sv: tuple[str, ...]  # Swedish words and phrases, lower case
    en: tuple[str, ...]


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    wanted = set(KINDS.values())
    for q in ox.parse(path=str(config.ONTOLOGY_DIR / "kuntagraph.ttl"), format=ox.RdfFormat.TURTLE):
        if q.subject.value in wanted and q.predicate.value in (RDFS + "label", SKOS + "hiddenLabel"):
            out.setdefault(q.subject.value, {}).setdefault(q.object.language or "", []).append(q.object.value.casefold())
    return out


@lru_cache(maxsize=None)
def words(kind: str) -> Words:
    from .morphology import finnish

    labels = _labels().get(KINDS[kind], {})
    fi, phrases = set(), []
    for label in dict.fromkeys(labels.get("fi", [])):
        parts = label.split()
        if len(parts) == 1:
            fi.add(finnish(label).lemma)
        else:
            phrases.append(tuple(finnish(p).lemma for p in parts))
    return Words(frozenset(fi), tuple(phrases), tuple(dict.fromkeys(labels.get("sv", []))),
                 tuple(dict.fromkeys(labels.get("en", []))))


def heads(kind: str) -> frozenset[str]:
    """The Finnish head lemmas of a kind: "järjestelmä" and "tietojärjestelmä" for systems."""
    return words(kind).fi


def swedish(kind: str) -> tuple[str, ...]:
    return tuple(w for w in words(kind).sv if " " not in w)
