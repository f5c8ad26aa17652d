"""The one place that builds IRIs and maps them to local paths (DESIGN §2)."""

from dataclasses import dataclass

from .config import CANONICAL_BASE

KG = CANONICAL_BASE + "def#"


@dataclass(frozen=True)
class Iris:
    """IRIs under one base. The server answers each of them at the same path on its own host."""

    base: str = CANONICAL_BASE

    def __post_init__(self):
        if not self.base.endswith("/"):
            raise ValueError(f"the base IRI must end with '/': {self.base}")

    @property
    def ontology(self) -> str:
        return self.base + "def"

    def term(self, local: str) -> str:
        return self.base + "def#" + local

    def graph(self, key: str) -> str:
        """Named graph of one municipality (or of 'ontology', 'vocab/{scheme}', 'reference', ...)."""
        return self.base + "graph/" + key

    def thing(self, kunta: str, kind: str | None = None, slug: str | None = None) -> str:
        return self.base + "id/" + kunta + (f"/{kind}/{slug}" if kind else "")

    def vocab(self, scheme: str, concept: str | None = None) -> str:
        return self.base + "vocab/" + scheme + (f"/{concept}" if concept else "")

    def rebase(self, iri: str) -> str:
        """An IRI written under the canonical base, moved under this base."""
        if self.base != CANONICAL_BASE and iri.startswith(CANONICAL_BASE):
            return self.base + iri[len(CANONICAL_BASE):]
        return iri

    def path_of(self, iri: str) -> str | None:
        """The local path ('/id/491') that dereferences an IRI under the base, or None."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base):]
        return None

    def key_of_graph(self, graph_iri: str) -> str | None:
        prefix = self.base + "graph/"
        return graph_iri[len(prefix):] if graph_iri.startswith(prefix) else None
