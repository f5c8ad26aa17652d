"""The one place that builds IRIs and maps them to local paths (DESIGN §2)."""

from dataclasses import dataclass

import pyoxigraph as ox

from .config import CANONICAL_BASE

KG = CANONICAL_BASE + "def#"
# The ontology and the concept schemes are shared vocabulary: their IRIs stay canonical in every
# deployment (code, shapes and other publishers rely on them). A deployment's own base applies to what
# it describes: id/, graph/, source/.
VOCABULARY_PATHS = ("def", "vocab/")


def is_safe_iri(iri: str) -> bool:
    """An IRI is spliced into queries: only an absolute IRI the SPARQL parser accepts (RFC 3987, checked by
    pyoxigraph's own IRI parser: no spaces, no <>"{}|^`\\, no control characters, no ']' in a path, no bad %)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


LINKABLE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def linkable(iri: str | None) -> str | None:
    """The IRI if a page may make it a link (web, mail, phone), else None: data may hold any IRI, and a
    javascript: or data: IRI must never become a clickable link."""
    return iri if iri and iri.lower().startswith(LINKABLE_SCHEMES) else None


@dataclass(frozen=True)
class Iris:
    """IRIs under one base. The server answers each of them at the same path on its own host."""

    base: str = CANONICAL_BASE

    def __post_init__(self):
        if not self.base.endswith("/"):
            raise ValueError(f"the base IRI must end with '/': {self.base}")

    @property
    def ontology(self) -> str:
        return CANONICAL_BASE + "def"

    def term(self, local: str) -> str:
        return CANONICAL_BASE + "def#" + local

    def graph(self, key: str) -> str:
        """Named graph of one municipality (or of 'ontology', 'vocab/{scheme}', 'reference', ...)."""
        return self.base + "graph/" + key

    def thing(self, kunta: str, kind: str | None = None, slug: str | None = None) -> str:
        return self.base + "id/" + kunta + (f"/{kind}/{slug}" if kind else "")

    def vocab(self, scheme: str, concept: str | None = None) -> str:
        return CANONICAL_BASE + "vocab/" + scheme + (f"/{concept}" if concept else "")

    def rebase(self, iri: str) -> str:
        """An IRI written under the canonical base, moved under this base (vocabulary IRIs stay)."""
        if self.base != CANONICAL_BASE and iri.startswith(CANONICAL_BASE):
            rest = iri[len(CANONICAL_BASE):]
            if not rest.startswith(VOCABULARY_PATHS):
                return self.base + rest
        return iri

    def iri_of_path(self, path: str) -> str:
        """The IRI that a local path ('/id/491', '/vocab/service-area') dereferences."""
        rest = path.lstrip("/")
        return (CANONICAL_BASE if rest.startswith(VOCABULARY_PATHS) else self.base) + rest

    def path_of(self, iri: str) -> str | None:
        """The local path ('/id/491') that dereferences an IRI under the base, or None."""
        if iri.startswith(CANONICAL_BASE) and iri[len(CANONICAL_BASE):].startswith(VOCABULARY_PATHS):
            return "/" + iri[len(CANONICAL_BASE):]
        if iri.startswith(self.base):
            return "/" + iri[len(self.base):]
        return None

    def key_of_graph(self, graph_iri: str) -> str | None:
        prefix = self.base + "graph/"
        return graph_iri[len(prefix):] if graph_iri.startswith(prefix) else None
