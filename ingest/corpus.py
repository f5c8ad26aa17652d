"""The real organisations of ../shared/corpus/ into data/: one graph per organisation (organisations.csv), its
pages merged (sector sub-pages, Finnish and Swedish pages), through `kuntagraph import` as anyone would run it.

    .venv/bin/python ingest/corpus.py [CORPUS_DIR] [DATA_DIR]      (make corpus)

Each row of organisations.csv is read from the pages by eye: the key (a municipality code only where data/
already has one: 046 Enonkoski and 740 Savonlinna, from seed 004), the kind, and the name as the pages call the
organisation (in Finnish and/or Swedish; a page in Swedish only gives no Finnish name, and none is made up).
A graph whose organisation has a file in data/ already (046, 740) is written beside it, as
data/KEY-asiakirjajulkisuuskuvaus.ttl, and loads into the same graph. Every graph must validate: a violation stops
the run with the organisation, the check and the message. The source's address is in each graph (foaf:page), a
page is kg:partial (the corpus keeps each page's opening only, as its README says, so every file is imported with
--partial); the corpus keeps no retrieval time, so none is stated.
"""

import csv
import sys
from pathlib import Path

from kuntagraph.importers import import_files
from kuntagraph.importers.graph import Organisation
from kuntagraph.rdffiles import ORGANISATION_KINDS

HERE = Path(__file__).parent
ROOT = HERE.parent


def organisations(path: Path = HERE / "organisations.csv") -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def output_for(key: str, data: Path) -> Path:
    """data/KEY.ttl, unless data/ has that file from another source (a seed's transcription): then beside it."""
    own = data / f"{key}.ttl"
    if own.exists() and "Import to linked data from the file" not in own.read_text(encoding="utf-8"):
        return data / f"{key}-asiakirjajulkisuuskuvaus.ttl"
    return own


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else ROOT.parent / "shared" / "corpus"
    data = Path(argv[1]) if len(argv) > 1 else ROOT / "data"
    if not corpus.is_dir():
        print(f"{corpus}: no such directory (the corpus of real published pages, ../shared/corpus)", file=sys.stderr)
        return 2
    failed = 0
    for row in organisations():
        files = [corpus / name for name in row["files"].split()]
        kind = ORGANISATION_KINDS[row["kind"]]
        organisation = Organisation(kind, row["name_fi"] or None, None, row["name_sv"] or None) \
            if row["name_fi"] or row["name_sv"] else None
        out = output_for(row["key"], data)
        # the corpus keeps each page's opening only (its README): every file is part of its page
        result = import_files(files, row["key"], str(out), organisation=organisation, partial=True)
        violations = result.report["validation"]["violations"]
        for v in violations:
            print(f"{row['key']}: [{v['check']}] <{v['focus']}> {v['en']}", file=sys.stderr)
        failed += bool(violations)
        if not violations:
            out.write_text(result.turtle(), encoding="utf-8")
        print(f"{row['key']}: {len(files)} page(s) -> {out}" + (f": NOT WRITTEN, {len(violations)} violation(s)" if violations else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
