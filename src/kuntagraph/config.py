"""Where the project's files are, and the settings shared by the CLI and the server."""

import os
from pathlib import Path

# The repository root holds ontology/, shapes/ and data/ beside src/.
PROJECT_DIR = Path(os.environ.get("KUNTAGRAPH_HOME", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = PROJECT_DIR / "ontology"
VOCAB_DIR = ONTOLOGY_DIR / "vocab"
SHAPES_DIR = PROJECT_DIR / "shapes"
DATA_DIR = PROJECT_DIR / "data"

# The IRIs in ontology/, shapes/ and data/ are written under this base.
CANONICAL_BASE = "https://w3id.org/kuntagraph/"


def ontology_files() -> list[Path]:
    """The ontology and every concept scheme."""
    return [ONTOLOGY_DIR / "kuntagraph.ttl", *sorted(VOCAB_DIR.glob("*.ttl"))]


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))
