"""Coverage-guided fuzzing (atheris: libFuzzer for Python) of the parsers that take what people send, in process:

  importer  bytes -> import_file, the function `kuntagraph import` and the clerks' upload use (format detected
            from the content: text, HTML, CSV/TSV, markdown, XLSX, ODS; UTF-8, cp1252, UTF-16)
  rdf       first byte: a media type of graphstore.PARSE_FORMATS, the rest: a body -> graphstore.parse (/store)
            and, for the formats a file can have, upload._triples (/publish: the same parse, then rdffiles.read)
  sparql    a query string or form body -> the endpoint's lexer checks (uses_service, has_dataset_clause,
            _is_describe) and the dataset parameters (query_options); rdflib's SPARQL parser is the oracle: a
            query it finds SERVICE or FROM in must be one the lexers flag

The kuntagraph package is instrumented, so libFuzzer keeps the inputs that reach new code. A failure is any
exception that is not a clear refusal (test_fuzz.clear_refusal), an input slower than -timeout, or more memory
than -rss_limit_mb. Seeds are the real files: ../shared/seeds, seed 002 in every importable format, an
`kuntagraph export` workbook, data/*.ttl (and in the other RDF formats), the query examples and the W3C protocol
tests' requests.

tests/test_fuzz.py runs every target (run(), RUNS x the weights); one target, with libFuzzer's command line:

  .venv/bin/python tests/fuzz_atheris.py importer CRASH_FILE     # replay one input
  .venv/bin/python tests/fuzz_atheris.py sparql -runs=100000 .cache/fuzz/sparql/corpus .cache/fuzz/sparql/seeds
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".cache" / "fuzz"  # seeds, the corpus grown in a run, crash files
# Inputs per target for RUNS=1: an import costs 0.1-1.5 s instrumented (most of it the alignment), a parse or the
# lexers about 2-3 ms.
WEIGHTS = {"importer": 0.03, "rdf": 3.0, "sparql": 1.0}
MAX_LEN = {"importer": 8 * 1024, "rdf": 32 * 1024, "sparql": 8 * 1024}  # longer seeds are cut (libFuzzer)
TIMEOUT_S = 30  # for one input


# --- the targets (in the fuzzing process; their imports find the modules fuzz() instrumented) ------------------

SCRATCH = OUT / "importer" / "input.dat"  # the importer reads a file


def importer(data: bytes) -> None:
    from kuntagraph.importers import import_file
    from test_fuzz import clear_refusal

    SCRATCH.write_bytes(data)
    try:
        import_file(SCRATCH, "fuzz-3", validate=False).turtle()
    except Exception as e:
        if not clear_refusal(e):
            raise


def rdf(data: bytes) -> None:
    from kuntagraph.iris import Iris
    from kuntagraph.server import graphstore, upload
    from test_fuzz import clear_refusal

    media_types = list(graphstore.PARSE_FORMATS)
    if not data:
        return
    media, body = media_types[data[0] % len(media_types)], data[1:]
    suffix = next((s for s, m in graphstore.SUFFIX_FORMATS.items() if m == media), None)
    graph = "https://w3id.org/kuntagraph/graph/491"
    try:
        graphstore.parse(body, media, graph, "body")
        if suffix:
            upload._triples(SimpleNamespace(iris=Iris()), "491", "kuvaus" + suffix, media, body, graph)
    except Exception as e:
        if not clear_refusal(e):
            raise


def sparql(data: bytes) -> None:
    from kuntagraph.remote import _is_describe
    from kuntagraph.server.sparql import uses_service
    from kuntagraph.store import has_dataset_clause, query_options
    from test_fuzz import clear_refusal

    # As the endpoint reads a query string or a form body (a raw application/sparql-query body is `query=` + it).
    params = parse_qs(data.decode("latin-1"), keep_blank_values=True)
    for query in params.get("query", []):
        service, dataset = uses_service(query), has_dataset_clause(query)
        _is_describe(query)
        names = _rule_names(query)
        if "ServiceGraphPattern" in names and not service:
            raise AssertionError(f"SERVICE not refused: {query!r}")
        if "DatasetClause" in names and not dataset:
            raise AssertionError(f"FROM not seen, so the union default graph would replace it: {query!r}")
        try:
            query_options(query, params.get("default-graph-uri") or None, params.get("named-graph-uri") or None,
                          base_iri="https://w3id.org/kuntagraph/")
        except Exception as e:
            if not clear_refusal(e):
                raise


def _rule_names(query: str) -> set[str]:
    """The grammar rules rdflib's SPARQL parser (the oracle) finds in the query; none when it cannot parse it."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        stack = [parseQuery(query)]
    except Exception:  # the oracle does not understand it: nothing to compare
        return set()
    names = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):  # rdflib's CompValue: a rule, with a name
            names.add(node.name)
            stack += node.values()
        elif isinstance(node, (list, ParseResults)):
            stack += list(node)
    return names


def fuzz(target: str, argv: list[str]) -> None:
    import atheris

    # Guide through str.startswith/endswith (the importers' format sniffing). Not atheris's "RegEx" hook: its
    # stand-in for re.Pattern drops pos/endpos and breaks pyparsing (rdflib's SPARQL parser).
    atheris.enabled_hooks.add("str")
    with atheris.instrument_imports(include=["kuntagraph"]):
        import importlib
        import pkgutil

        import kuntagraph

        # Every module now, so that those imported lazily inside functions are instrumented too.
        for m in pkgutil.walk_packages(kuntagraph.__path__, "kuntagraph."):
            importlib.import_module(m.name)
    SCRATCH.parent.mkdir(parents=True, exist_ok=True)
    atheris.Setup([sys.argv[0], *argv], TARGETS[target])
    atheris.Fuzz()


TARGETS = {"importer": importer, "rdf": rdf, "sparql": sparql}


# --- seeds (in the driver) ------------------------------------------------------------------------------------

def importer_seeds() -> dict[str, bytes]:
    from kuntagraph import cli
    from test_import import SEEDS, SEED2, write_csv, write_html, write_ods, write_xlsx

    seeds = {p.name: p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))}
    with tempfile.TemporaryDirectory() as tmp:
        if SEED2 is not None:  # seed 002 in every format the importer reads, by test_import.py's writers
            text = SEED2.read_text(encoding="utf-8")
            seeds["002-cp1252.txt"] = text.encode("cp1252")
            seeds["002-utf16.txt"] = text.encode("utf-16")
            seeds["002.md"] = "\n".join("| " + " | ".join(line.split("\t")) + " |" if "\t" in line else line
                                        for line in text.split("\n")).encode()
            for name, write in [("002.html", write_html), ("002.csv", write_csv), ("002.xlsx", write_xlsx), ("002.ods", write_ods)]:
                write(Path(tmp) / name)
                seeds[name] = (Path(tmp) / name).read_bytes()
            seeds["002.ods"] = _deflated(seeds["002.ods"])  # as spreadsheet programs write it, and within MAX_LEN
        with contextlib.redirect_stderr(io.StringIO()):  # `kuntagraph export`'s workbook, styles and all
            cli.main(["export", "--kunta", "unnamed-001", "-o", f"{tmp}/export.xlsx"])
        seeds["unnamed-001-export.xlsx"] = Path(tmp, "export.xlsx").read_bytes()
    return seeds


def _deflated(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            w.writestr(info.filename, z.read(info))
    return out.getvalue()


def rdf_seeds() -> dict[str, bytes]:
    import pyoxigraph as ox

    from kuntagraph.server.graphstore import PARSE_FORMATS

    media = list(PARSE_FORMATS)
    seeds = {p.name: bytes([media.index("text/turtle")]) + p.read_bytes() for p in sorted((ROOT / "data").glob("*.ttl"))}
    for p in sorted((ROOT.parent / "shared" / "reference" / "sparql11-protocol" / "protocol").glob("*.nt")):
        seeds[p.name] = bytes([media.index("application/n-triples")]) + p.read_bytes()
    # Real data in the other formats: Mikkeli and the LUMME consortium, converted by pyoxigraph.
    for name in ("491", "lumme"):
        quads = list(ox.parse((ROOT / "data" / f"{name}.ttl").read_bytes(), format=ox.RdfFormat.TURTLE,
                              base_iri="https://w3id.org/kuntagraph/"))
        for m in ("application/ld+json", "application/rdf+xml", "application/n-triples"):
            seeds[f"{name}.{PARSE_FORMATS[m].file_extension}"] = bytes([media.index(m)]) + ox.serialize(
                [q.triple for q in quads], format=PARSE_FORMATS[m])
        graph = ox.NamedNode(f"https://w3id.org/kuntagraph/graph/{name}")
        for m in ("application/n-quads", "application/trig"):
            seeds[f"{name}.{PARSE_FORMATS[m].file_extension}"] = bytes([media.index(m)]) + ox.serialize(
                [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads], format=PARSE_FORMATS[m])
    return seeds


def sparql_seeds() -> dict[str, bytes]:
    from kuntagraph.server.examples import EXAMPLES

    seeds = {f"example-{e['id']}": urlencode({"query": e["query"]}).encode() for e in EXAMPLES}
    tests = ROOT.parent / "shared" / "reference" / "sparql11-protocol" / "protocol" / "tests.json"
    for test in json.loads(tests.read_text()) if tests.exists() else []:
        for n, r in enumerate(test["requests"]):
            params = urlsplit(r["path"]).query
            body = r.get("body") or ""
            if r.get("headers", {}).get("content-type", "").startswith("application/sparql-query"):
                body = urlencode({"query": body})
            seeds[f"{test['id']}-{n}"] = "&".join(x for x in (params, body) if x).encode("utf-8", "replace")
    return seeds


SEED_MAKERS = {"importer": importer_seeds, "rdf": rdf_seeds, "sparql": sparql_seeds}


# --- the driver -----------------------------------------------------------------------------------------------

@dataclass
class Result:
    target: str
    inputs: int  # inputs executed, libFuzzer's count
    seconds: int  # fuzzing, without starting up
    failure: str | None  # what failed, the input that did and how to replay it


def run(runs: int) -> list[Result]:
    """Every target for RUNS x its weight inputs, each in its own process (libFuzzer ends the process when done),
    all at once: the importer is slow (3-10 inputs a second) and gets a core while the parsers share the other."""
    started = [(target, _start(target, max(20, int(runs * weight)))) for target, weight in WEIGHTS.items()]
    return [_result(target, proc.wait()) for target, proc in started]


def _start(target: str, runs: int) -> subprocess.Popen:
    base = OUT / target
    seeds, corpus, crashes = base / "seeds", base / "corpus", OUT / "crashes"
    for d in (seeds, corpus, crashes):
        d.mkdir(parents=True, exist_ok=True)
    for f in [*seeds.iterdir(), *corpus.iterdir()]:  # every run starts from the seeds alone
        f.unlink()
    for name, data in SEED_MAKERS[target]().items():
        (seeds / re.sub(r"[^\w.-]", "_", name)).write_bytes(data)
    with (base / "log.txt").open("w") as log:
        return subprocess.Popen([sys.executable, __file__, target, f"-runs={runs}", f"-max_len={MAX_LEN[target]}",
                                 f"-timeout={TIMEOUT_S}", "-rss_limit_mb=3072", "-print_final_stats=1",
                                 f"-artifact_prefix={crashes}/{target}-", str(corpus), str(seeds)],
                                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def _result(target: str, rc: int) -> Result:
    log = OUT / target / "log.txt"
    text = log.read_text(errors="replace")
    inputs = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
    done = re.search(r"Done \d+ runs in (\d+) second", text)
    inputs, seconds = int(inputs.group(1)) if inputs else 0, int(done.group(1)) if done else 0
    if rc == 0 and done:
        return Result(target, inputs, seconds, None)
    crash = (re.findall(r"Test unit written to (\S+)", text) or ["(none written)"])[-1]
    detail = text[text.find("=== Uncaught Python exception"):] if "Uncaught Python exception" in text else text[-3000:]
    return Result(target, inputs, seconds, f"exit {rc}, input {crash}, log {log}\n"
                                           f"replay: .venv/bin/python tests/fuzz_atheris.py {target} {crash}\n{detail[:4000]}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    fuzz(sys.argv[1], sys.argv[2:])
