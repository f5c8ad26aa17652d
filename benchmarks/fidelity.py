"""Fidelity of `kuntagraph import`: what it finds in real published descriptions against what a careful reader finds.

    .venv/bin/python benchmarks/fidelity.py [--verbose] [--json [PATH]] [--cli] [--only STEM ...]

For every expected-items file benchmarks/fidelity/<stem>.json (written by reading the source by hand; the format and
the judgement rules are in benchmarks/fidelity/README.md) it imports the source (../shared/corpus/<stem>.txt or
../shared/seeds/<stem>.txt) with the importer's Python API (or, with --cli, `kuntagraph import ... --format json`),
takes the items of each kind out of the output graph with SPARQL (pyoxigraph), matches them to the expected items by
normalised label, and prints per kind the expected and found counts, precision and recall, for the corpus and the
seeds separately; plus the documents the importer refused and the cut-offs it reported against those expected.

A refused document (the importer's exit 2, an InputError, any exception, a timeout, no graph) counts as nothing found;
it is never a crash of the benchmark. No network is used. About 15-30 s on 2 cores (--cli: about a minute).

Options: --verbose lists, per document, the expected items missed, the found items matching nothing (false positives)
and the found items that matched an optional item; --json writes the figures as JSON (to PATH, or to stdout when no
PATH is given: then the tables go to stderr); --cli runs the CLI in a subprocess per document instead of the API;
--only limits the run to the given file stems; --shared DIR is where corpus/ and seeds/ are (default ../shared);
--check only checks the expected files against their sources (each label's words on its line) and exits 1 on a problem.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = ROOT / "benchmarks" / "fidelity"
VOCAB_DIR = ROOT / "ontology" / "vocab"
DEFAULT_SHARED = ROOT.parent / "shared"
KINDS = ("resource", "dataset", "system", "search_criterion", "authority", "contact", "case_register", "open_interface")
SETS = ("corpus", "seeds")
TIMEOUT_S = 60  # per document

KG = "https://w3id.org/kuntagraph/def#"
OI = "https://w3id.org/kuntagraph/vocab/open-interface/"
PREFIXES = f"""
PREFIX kg: <{KG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
"""


# --- label matching ----------------------------------------------------------------------------------------------
# Documented in benchmarks/fidelity/README.md ("How labels are matched"). Kept independent of the importer's own
# matching (kuntagraph.importers.vocab), so that the benchmark does not share its biases.

STOPWORDS = {
    # Finnish function words and abbreviations
    "ja", "sekä", "tai", "eli", "sen", "niiden", "mm", "esim", "kuten", "yms", "tms", "jne", "myös", "muut", "muu",
    # Swedish
    "och", "eller", "samt", "i", "av", "inom", "som", "för", "till", "om", "på", "med", "den", "det", "de",
    # English
    "the", "and", "or", "of", "for", "in",
}
# Words that say what kind of item it is, not which one: a label of nothing but these never matches a longer label
GENERIC = ("tietovaran", "tietoainei", "tietojärjestelm", "järjestelm", "rekister", "tiedot", "tieto", "aineisto",
           "informationslag", "informationsmaterial", "informationssystem", "material", "system", "register",
           "uppgifter", "kaupungin", "kunnan", "stadens", "kommunens", "resurs", "dataset", "resource")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[a-z]{2,}", re.I)


def _fold_at(s: str) -> str:
    """"kirjaamo(at)ouka.fi" and "kirjaamo [at] ouka.fi" are the address kirjaamo@ouka.fi."""
    return re.sub(r"\s*[\(\[]\s*at\s*[\)\]]\s*", "@", s, flags=re.I)


def normalise(label: str) -> str:
    """Case-folded, NFKC, every run of whitespace and punctuation one space."""
    s = _fold_at(unicodedata.normalize("NFKC", label or "")).casefold()
    s = re.sub(r"^(mailto|tel):", "", s.strip())
    return " ".join(re.findall(r"[^\W_]+", s))


def tokens(label: str) -> list[str]:
    return [t for t in normalise(label).split() if t not in STOPWORDS and not (len(t) == 1 and t.isalpha())]


def _generic(t: str) -> bool:
    return t.startswith(GENERIC)


def token_eq(a: str, b: str) -> bool:
    """The same word, tolerant of Finnish and Swedish inflection: equal, or sharing a long enough beginning
    (nimi / nimeä, päätökset / päätöksistä, kirjaamo / kirjaamoon, ärenderegister / ärenderegistret)."""
    if a == b:
        return True
    s, l = sorted((a, b), key=len)
    if len(s) < 4 or s.isdigit() or l.isdigit():
        return False
    p = len(os.path.commonprefix([s, l]))
    if p < max(3, len(s) - 3) or p < 0.6 * len(s) or len(l) - p > 6:
        return False
    if p == len(s) and len(l) - len(s) > (2 if len(s) <= 4 else 5):  # asia / asiakas, kunta / kuntayhtymä
        return False
    return True


def _digits(label: str) -> str | None:
    """The digits of a telephone-like label (+358 as 0), or None."""
    label = re.sub(r"^\s*tel:", "", label)
    alnum = re.sub(r"\W", "", label)
    d = re.sub(r"\D", "", label)
    if len(d) < 6 or len(d) < 0.6 * max(1, len(alnum)):
        return None
    return "0" + d[3:] if d.startswith("358") and label.strip().startswith("+") else d


def label_score(a: str, b: str) -> float:
    """1 for equal normalised labels; 0.6-1 when every word of the shorter label is in the longer one (and the
    shorter has a word that is not generic); up to 0.5 for a Dice token overlap >= 0.6 that includes a word that is
    not generic; 0 for no match.
    E-mail addresses only match e-mail addresses, and telephone numbers match by their digits."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    ea, eb = bool(EMAIL.search(_fold_at(a))), bool(EMAIL.search(_fold_at(b)))
    if ea != eb:
        return 0.0
    if ea and eb:
        return 1.0 if EMAIL.search(_fold_at(a)).group().casefold() == EMAIL.search(_fold_at(b)).group().casefold() else 0.0
    da, db = _digits(a), _digits(b)
    if da and db:
        return 1.0 if da == db else 0.0
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    short, long_ = sorted((ta, tb), key=len)
    free = list(long_)
    hits = []
    for t in short:
        hit = next((i for i, u in enumerate(free) if token_eq(t, u)), None)
        if hit is not None:
            hits.append(t)
            free.pop(hit)
    content = any(not _generic(t) for t in hits)
    if len(hits) == len(short) and (content or len(short) == len(long_)):
        return 0.6 + 0.4 * len(short) / len(long_)
    dice = 2 * len(hits) / (len(ta) + len(tb))
    return 0.5 * dice if dice >= 0.6 and content else 0.0


# --- expected items ----------------------------------------------------------------------------------------------

@dataclass
class Item:
    label: str
    line: int | None = None
    value: tuple[str, ...] = ()  # open_interface: yes / no / partly (any of them)
    alt: tuple[str, ...] = ()    # other labels of the same found item (a concept's labels)
    extra: dict = field(default_factory=dict)

    def labels(self):
        return (self.label, *self.alt)


def _items(raw) -> list[Item]:
    out = []
    for x in raw or []:
        v = x.get("value", ())
        out.append(Item(x["label"], x.get("line"), tuple([v] if isinstance(v, str) else v),
                        extra={k: w for k, w in x.items() if k not in ("label", "line", "value")}))
    return out


@dataclass
class Expected:
    stem: str
    path: Path
    set: str
    source_file: Path
    key: str
    data: dict
    expected: dict[str, list[Item]]
    optional: dict[str, list[Item]]


def kunta_key(stem: str) -> str:
    """A --kunta key from a file stem: ASCII, lower case, hyphens (ita-uudenmaan-hyvinvointialue)."""
    s = unicodedata.normalize("NFKD", stem.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:63].strip("-")
    return s if s and s[0].isalnum() else f"doc-{s}".strip("-")


def load_expected(shared: Path, only=None, problems: list | None = None) -> list[Expected]:
    """The expected files; one that cannot be read is named in `problems` and left out (never a crash)."""
    out = []
    problems = [] if problems is None else problems
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        if only and path.stem not in only:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            rel = data.get("file") or f"corpus/{path.stem}.txt"
            unknown = sorted((set(data.get("expected", {})) | set(data.get("optional", {}))) - set(KINDS))
            if unknown:
                problems.append(f"{path.name}: unknown kinds {unknown} (ignored)")
            which = "seeds" if rel.startswith("seeds/") else "corpus"
            out.append(Expected(path.stem, path, which, shared / rel, data.get("kunta") or kunta_key(path.stem), data,
                                {k: _items(data.get("expected", {}).get(k)) for k in KINDS},
                                {k: _items(data.get("optional", {}).get(k)) for k in KINDS}))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            problems.append(f"{path.name}: not a valid expected file, left out ({type(e).__name__}: {e})")
    return out


def check_expected(exps: list[Expected]) -> list[str]:
    """For whoever edits the files: each item's line exists and holds the label's words (the tolerant word match),
    a corpus file's "source" is its line 1, and cut_off and the header fields are there."""
    problems = []
    for e in exps:
        if not e.source_file.exists():
            problems.append(f"{e.stem}: no source file {e.source_file}")
            continue
        lines = e.source_file.read_text(encoding="utf-8", errors="replace").split("\n")
        for f in ("file", "organisation", "kind_of_organisation", "language", "cut_off", "notes"):
            if f not in e.data:
                problems.append(f"{e.stem}: no \"{f}\"")
        if e.set == "corpus" and e.data.get("source") != lines[0].strip():
            problems.append(f"{e.stem}: \"source\" is not line 1 of the file ({lines[0].strip()!r})")
        for part, items in (("expected", e.expected), ("optional", e.optional)):
            for kind, its in items.items():
                for it in its:
                    if not isinstance(it.line, int) or not 0 < it.line <= len(lines):
                        problems.append(f"{e.stem}: {part}.{kind} {it.label!r}: no line {it.line}")
                        continue
                    last = it.extra.get("to_line", it.line)  # a label continued on a later line (a cell broken)
                    words = tokens(" ".join(lines[it.line - 1:max(it.line, min(last, len(lines)))]))
                    missing = [t for t in tokens(it.label) if not any(token_eq(t, w) for w in words)]
                    if missing:
                        problems.append(f"{e.stem}: {part}.{kind} {it.label!r} line {it.line}: words not on the line: "
                                        + ", ".join(missing))
                    if kind == "open_interface" and not set(it.value) <= {"yes", "no", "partly"}:
                        problems.append(f"{e.stem}: {part}.open_interface {it.label!r}: value must be yes/no/partly")
                    if kind == "open_interface" and not it.value:
                        problems.append(f"{e.stem}: {part}.open_interface {it.label!r}: no value")
    return problems


# --- running the importer ----------------------------------------------------------------------------------------

@dataclass
class Outcome:
    status: str  # ok / refused / error / timeout / missing
    reason: str = ""
    turtle: str | None = None
    report: dict = field(default_factory=dict)
    seconds: float = 0.0


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds: int):
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def fire(*_):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _api():
    try:
        from kuntagraph.importers import import_file
        from kuntagraph.rdffiles import InputError
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
        from kuntagraph.importers import import_file
        from kuntagraph.rdffiles import InputError
    return import_file, InputError


def run_api(path: Path, key: str) -> Outcome:
    t0 = time.perf_counter()
    try:
        import_file, InputError = _api()
    except Exception as e:  # noqa: BLE001 - the benchmark reports, never crashes
        return Outcome("error", f"cannot load the importer: {type(e).__name__}: {e}")
    try:
        with _alarm(TIMEOUT_S):
            result = import_file(str(path), key, None, validate=False)
            turtle = result.turtle()
        return Outcome("ok", turtle=turtle, report=result.report, seconds=time.perf_counter() - t0)
    except _Timeout:
        return Outcome("timeout", f"no result in {TIMEOUT_S} s", seconds=time.perf_counter() - t0)
    except InputError as e:
        return Outcome("refused", str(e), seconds=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001
        return Outcome("error", f"{type(e).__name__}: {e}", seconds=time.perf_counter() - t0)


def run_cli(path: Path, key: str) -> Outcome:
    exe = ROOT / ".venv" / "bin" / "kuntagraph"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "kuntagraph"]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fidelity-") as tmp:
        out = Path(tmp) / "out.ttl"
        try:
            r = subprocess.run([*cmd, "import", str(path), "--kunta", key, "-o", str(out), "--format", "json",
                                "--no-validate"], capture_output=True, text=True, timeout=TIMEOUT_S * 2, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return Outcome("timeout", f"no result in {TIMEOUT_S * 2} s", seconds=time.perf_counter() - t0)
        except OSError as e:
            return Outcome("error", f"cannot run the CLI: {e}")
        secs = time.perf_counter() - t0
        if r.returncode == 2:
            return Outcome("refused", r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "exit 2", seconds=secs)
        if r.returncode not in (0, 1) or not out.exists():
            return Outcome("error", f"exit {r.returncode}, no graph: {r.stderr.strip()[-300:]}", seconds=secs)
        report = {}
        with contextlib.suppress(ValueError):
            text = r.stderr
            report = json.loads(text[text.index("{"):])
        return Outcome("ok", turtle=out.read_text(encoding="utf-8"), report=report, seconds=secs)


# --- what the importer found, from its graph ------------------------------------------------------------------------

def _vocab_labels() -> dict[str, list[str]]:
    """Every concept's prefLabels and altLabels (all languages), from ontology/vocab/*.ttl."""
    import pyoxigraph as ox

    labels: dict[str, list[str]] = {}
    for path in sorted(VOCAB_DIR.glob("*.ttl")):
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if q.predicate.value in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                                     "http://www.w3.org/2004/02/skos/core#altLabel"):
                labels.setdefault(q.subject.value, []).append(q.object.value)
    return labels


def _typed(kind_classes: list[str], ref_kinds: list[str], exclude: list[str] = ()) -> str:
    union = " UNION ".join([f"{{ ?s a {c} }}" for c in kind_classes]
                           + [f"{{ ?s a kg:ReferenceItem ; kg:referenceKind {k} }}" for k in ref_kinds])
    minus = "".join(f" FILTER NOT EXISTS {{ ?s a {c} }}" for c in exclude)
    return PREFIXES + f"""SELECT ?s ?l WHERE {{ {union}{minus}
        OPTIONAL {{ ?s skos:prefLabel|rdfs:label|foaf:name ?l }} }}"""


QUERIES = {
    "resource": _typed(["kg:InformationResource"], ["kg:InformationResource"], exclude=["kg:CaseRegister"]),
    "case_register": _typed(["kg:CaseRegister"], ["kg:CaseRegister"]),
    "dataset": _typed(["kg:Dataset"], ["kg:Dataset"]),
    "system": _typed(["kg:SystemInstance"], ["kg:SystemInstance"]),
    "authority": PREFIXES + """SELECT ?s ?l WHERE {
        { ?s a kg:Authority } UNION { ?x kg:decidingAuthority|kg:responsibleAuthority|kg:responsibleUnit ?s }
        OPTIONAL { ?s skos:prefLabel|rdfs:label|foaf:name|vcard:fn ?l } }""",
    "search_criterion": PREFIXES + "SELECT DISTINCT ?s WHERE { ?x kg:searchCriterion ?s }",
    "search_criteria_note": PREFIXES + "SELECT DISTINCT ?n WHERE { ?x kg:searchCriteriaNote ?n }",
    "open_interface": PREFIXES + "SELECT DISTINCT ?s WHERE { ?x kg:openInterface ?s }",
    # contact channels: every value of a vCard, wherever it hangs (dcat:contactPoint, or an authority's own)
    "contact": PREFIXES + """SELECT ?c ?p ?v ?sub ?sv WHERE {
        { ?x dcat:contactPoint ?c } UNION { ?c a ?t FILTER(?t IN (vcard:Kind, vcard:Individual, vcard:Organization,
          vcard:Group, vcard:Location)) } UNION { ?c vcard:hasEmail|vcard:hasTelephone ?any }
        ?c ?p ?v
        FILTER(?p IN (vcard:fn, vcard:organization-name, vcard:hasEmail, vcard:hasTelephone, vcard:hasURL,
                      vcard:hasAddress, vcard:email, vcard:tel, vcard:url, foaf:mbox, foaf:phone, foaf:homepage))
        OPTIONAL { ?v ?sp ?sv FILTER(?sp IN (vcard:street-address, vcard:post-office-box, vcard:postal-code,
                                              vcard:locality, vcard:hasValue, vcard:country-name)) BIND(?sp AS ?sub) } }""",
}
_ADDRESS_ORDER = ["post-office-box", "street-address", "postal-code", "locality", "country-name", "hasValue"]


def found_items(turtle: str, report: dict, vocab: dict[str, list[str]]) -> tuple[dict[str, list[Item]], str]:
    """The imported items per kind; a graph that cannot be read gives nothing (and the reason)."""
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    except Exception as e:  # noqa: BLE001
        return {k: [] for k in KINDS}, f"output graph unreadable: {type(e).__name__}: {e}"
    found: dict[str, list[Item]] = {}

    def rows(q):
        return list(store.query(q))

    for kind in ("resource", "case_register", "dataset", "system", "authority"):
        labels: dict[str, list[tuple[str, str]]] = {}
        for r in rows(QUERIES[kind]):
            s = r["s"].value
            labels.setdefault(s, [])
            if r["l"] is not None:
                labels[s].append((getattr(r["l"], "language", "") or "", r["l"].value))
        items = []
        for s, ls in labels.items():
            ls.sort(key=lambda x: (x[0] != "fi", x[0] != "sv", x[0] != "", x[1]))
            names = list(dict.fromkeys(v for _, v in ls)) or [s.rstrip("/").rsplit("/", 1)[-1]]
            items.append(Item(names[0], alt=tuple(names[1:]), extra={"iri": s}))
        found[kind] = items

    found["search_criterion"] = []
    for r in rows(QUERIES["search_criterion"]):
        c = r["s"].value
        names = vocab.get(c) or [c.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")]
        found["search_criterion"].append(Item(names[0], alt=tuple(names[1:]), extra={"iri": c}))

    for r in rows(QUERIES["search_criteria_note"]):  # a criterion outside the shared scheme, in the source's words
        text = r["n"].value
        if len(text.split()) <= 10 and ":" not in text and not text.rstrip().endswith((".", "!", "?")):
            found["search_criterion"].append(Item(text, extra={"note": True}))

    values = [r["s"].value[len(OI):] if r["s"].value.startswith(OI) else r["s"].value
              for r in rows(QUERIES["open_interface"])]
    oi, seen = [], set()
    for st in report.get("open_interface") or []:  # the source's sentences, to tell statements apart
        key = (st.get("line"), st.get("value"))
        if st.get("value") in values and key not in seen:
            seen.add(key)
            oi.append(Item(st.get("text") or st["value"], st.get("line"), (st["value"],)))
    for v in values:
        if not any(v in i.value for i in oi):
            oi.append(Item((vocab.get(OI + v) or [v])[0], None, (v,)))
    found["open_interface"] = oi

    channels: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in rows(QUERIES["contact"]):
        c, p, v = r["c"].value, r["p"].value, r["v"]
        if r["sub"] is not None:
            channels.setdefault((c, p, v.value), {})[r["sub"].value.rsplit("#", 1)[-1]] = r["sv"].value
        elif isinstance(v, (ox.Literal, ox.NamedNode)):
            channels.setdefault((c, p, v.value), {})
    contacts = []
    for (c, p, v), parts in channels.items():
        if parts:
            text = ", ".join(parts[k] for k in _ADDRESS_ORDER if k in parts)
        else:
            text = re.sub(r"^(mailto|tel):", "", v)
        if text and not text.startswith("_:"):
            contacts.append(Item(text, extra={"node": c, "property": p.rsplit("#", 1)[-1]}))
    found["contact"] = contacts
    return found, ""


# --- matching ----------------------------------------------------------------------------------------------------

def pair_score(kind: str, e: Item, f: Item) -> float:
    if kind == "open_interface":
        if e.value and f.value and not set(e.value) & set(f.value):
            return 0.0
        if e.line is not None and e.line == f.line:
            return 1.0
        s = max(label_score(e.label, lf) for lf in f.labels())
        return s if s else 0.3  # the same value, stated somewhere: still the statement
    return max(label_score(le, lf) for le in e.labels() for lf in f.labels())


def assign(kind: str, expected: list[Item], found: list[Item]) -> list[tuple[int, int, float]]:
    """One-to-one, best pairs first (ties: source order)."""
    pairs = sorted(((pair_score(kind, e, f), i, j) for i, e in enumerate(expected) for j, f in enumerate(found)),
                   key=lambda x: (-x[0], x[1], x[2]))
    used_e, used_f, out = set(), set(), []
    for s, i, j in pairs:
        if s <= 0:
            break
        if i not in used_e and j not in used_f:
            used_e.add(i)
            used_f.add(j)
            out.append((i, j, s))
    return out


@dataclass
class KindResult:
    expected: int = 0
    found: int = 0
    matched: int = 0
    optional_hits: int = 0
    missed: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)
    optional: list = field(default_factory=list)
    pairs: list = field(default_factory=list)

    @property
    def counted(self) -> int:  # found items that count for precision
        return self.found - self.optional_hits


def compare(kind: str, expected: list[Item], optional: list[Item], found: list[Item]) -> KindResult:
    r = KindResult(expected=len(expected), found=len(found))
    pairs = assign(kind, expected, found)
    r.matched = len(pairs)
    hit_e = {i for i, _, _ in pairs}
    hit_f = {j for _, j, _ in pairs}
    r.pairs = [(expected[i].label, found[j].label, round(s, 2)) for i, j, s in pairs]
    rest = [f for j, f in enumerate(found) if j not in hit_f]
    opt = assign(kind, optional, rest)
    r.optional_hits = len(opt)
    hit_o = {j for _, j, _ in opt}
    r.optional = [(optional[i].label, rest[j].label) for i, j, _ in opt]
    r.false_positives = [f.label for j, f in enumerate(rest) if j not in hit_o]
    r.missed = [(e.label, e.line) for i, e in enumerate(expected) if i not in hit_e]
    return r


# --- the run -----------------------------------------------------------------------------------------------------

@dataclass
class DocResult:
    exp: Expected
    outcome: Outcome
    kinds: dict[str, KindResult]
    cut_reported: bool | None  # None: no report (refused)
    note: str = ""

    @property
    def imported(self) -> bool:
        return self.outcome.status == "ok"


def run_one(exp: Expected, use_cli: bool, vocab) -> DocResult:
    if not exp.source_file.exists():
        outcome = Outcome("missing", f"no source file {exp.source_file}")
    else:
        outcome = (run_cli if use_cli else run_api)(exp.source_file, exp.key)
    found = {k: [] for k in KINDS}
    note = ""
    if outcome.status == "ok" and outcome.turtle:
        try:
            found, note = found_items(outcome.turtle, outcome.report or {}, vocab)
        except Exception as e:  # noqa: BLE001
            found, note = {k: [] for k in KINDS}, f"extraction failed: {type(e).__name__}: {e}"
    elif outcome.status == "ok":
        outcome = Outcome("error", "no graph", seconds=outcome.seconds)
    kinds = {k: compare(k, exp.expected[k], exp.optional[k], found.get(k, [])) for k in KINDS}
    cut = bool(outcome.report.get("cut_off")) if outcome.status == "ok" else None
    return DocResult(exp, outcome, kinds, cut, note)


def _ratio(a: int, b: int):
    return round(a / b, 3) if b else None


def totals(docs: list[DocResult]) -> dict:
    t = {"documents": len(docs), "imported": sum(d.imported for d in docs),
         "refused": [{"file": d.exp.stem, "status": d.outcome.status, "reason": d.outcome.reason}
                     for d in docs if not d.imported], "kinds": {}}
    allk = KindResult()
    for k in KINDS:
        s = KindResult()
        for d in docs:
            r = d.kinds[k]
            s.expected += r.expected
            s.found += r.found
            s.matched += r.matched
            s.optional_hits += r.optional_hits
        for a in ("expected", "found", "matched", "optional_hits"):
            setattr(allk, a, getattr(allk, a) + getattr(s, a))
        t["kinds"][k] = _kind_json(s)
    t["all"] = _kind_json(allk)
    exp_cut = [d for d in docs if d.exp.data.get("cut_off")]
    imp = [d for d in docs if d.imported]
    t["cut_off"] = {
        "expected": len(exp_cut),
        "reported": sum(1 for d in imp if d.cut_reported),
        "imported_documents": len(imp),
        "agree_on_imported": sum(1 for d in imp if bool(d.exp.data.get("cut_off")) == d.cut_reported),
        "missed_on_imported": [d.exp.stem for d in imp if d.exp.data.get("cut_off") and not d.cut_reported],
        "wrongly_reported": [d.exp.stem for d in imp if d.cut_reported and not d.exp.data.get("cut_off")],
        "expected_but_refused": sum(1 for d in exp_cut if not d.imported),
    }
    return t


def _kind_json(s: KindResult) -> dict:
    return {"expected": s.expected, "found": s.found, "matched": s.matched, "optional_hits": s.optional_hits,
            "false_positives": s.counted - s.matched, "precision": _ratio(s.matched, s.counted),
            "recall": _ratio(s.matched, s.expected)}


def _pct(x) -> str:
    return "     –" if x is None else f"{100 * x:5.1f}%"


def render(docs: list[DocResult], tot: dict, seconds: float, mode: str, verbose: bool) -> str:
    out = [f"Fidelity of `kuntagraph import` ({mode}) against hand-read expected items, benchmarks/fidelity/*.json",
           f"{len(docs)} documents in {seconds:.1f} s", ""]
    w = max([len(d.exp.stem) for d in docs] + [8])
    out.append(f"{'document':<{w}}  set     status    exp found match  opt    P       R     cut exp/rep")
    for d in docs:
        e = sum(r.expected for r in d.kinds.values())
        f = sum(r.found for r in d.kinds.values())
        m = sum(r.matched for r in d.kinds.values())
        o = sum(r.optional_hits for r in d.kinds.values())
        cut_e = "yes" if d.exp.data.get("cut_off") else "no"
        cut_r = "–" if d.cut_reported is None else ("yes" if d.cut_reported else "no")
        status = "skipped" if d.exp.data.get("skip") else d.outcome.status
        out.append(f"{d.exp.stem:<{w}}  {d.exp.set:<6}  {status:<8} {e:4d} {f:5d} {m:5d} {o:4d} "
                   f"{_pct(_ratio(m, f - o))}  {_pct(_ratio(m, e))}   {cut_e}/{cut_r}")
    for name in SETS:
        if name not in tot:
            continue
        t = tot[name]
        out += ["", f"{name.upper()}: {t['documents']} documents, {t['imported']} imported, {len(t['refused'])} refused",
                f"{'kind':<17} {'expected':>8} {'found':>6} {'matched':>7} {'optional':>8} {'false+':>6} "
                f"{'precision':>9} {'recall':>7}"]
        for k in (*KINDS, "all"):
            r = t["all"] if k == "all" else t["kinds"][k]
            out.append(f"{('all kinds' if k == 'all' else k):<17} {r['expected']:8d} {r['found']:6d} {r['matched']:7d} "
                       f"{r['optional_hits']:8d} {r['false_positives']:6d} {_pct(r['precision']):>9} {_pct(r['recall']):>7}")
        c = t["cut_off"]
        out.append(f"cut-offs: expected in {c['expected']} of {t['documents']} documents; of the {c['imported_documents']} "
                   f"imported, reported in {c['reported']}, agreeing with the expectation in {c['agree_on_imported']}"
                   + (f" (missed: {', '.join(c['missed_on_imported'])})" if c["missed_on_imported"] else "")
                   + (f" (wrongly reported: {', '.join(c['wrongly_reported'])})" if c["wrongly_reported"] else "")
                   + f"; {c['expected_but_refused']} expected cut-offs are in refused documents (not reported)")
        if t["refused"]:
            out.append("refused: " + ", ".join(f"{r['file']} ({r['status']})" for r in t["refused"]))
    if verbose:
        out += ["", "DETAILS (misses, false positives, optional hits per document)"]
        for d in docs:
            out.append(f"\n{d.exp.stem} [{d.exp.set}, --kunta {d.exp.key}] {d.outcome.status}"
                       + (f": {d.outcome.reason}" if d.outcome.reason else "") + (f" ({d.note})" if d.note else ""))
            if d.exp.data.get("skip"):
                out.append(f"  skipped: {d.exp.data['skip']}")
            for k, r in d.kinds.items():
                if not (r.missed or r.false_positives or r.optional):
                    continue
                out.append(f"  {k}: {r.matched}/{r.expected} matched, {r.found} found")
                out += [f"    missed    line {ln}: {lab}" for lab, ln in r.missed]
                out += [f"    false +   {lab}" for lab in r.false_positives]
                out += [f"    optional  {f} (~ {e})" for e, f in r.optional]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="misses and false positives per document")
    ap.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write the figures as JSON (stdout without PATH)")
    ap.add_argument("--cli", action="store_true", help="run `kuntagraph import` in a subprocess instead of the API")
    ap.add_argument("--only", nargs="+", metavar="STEM", help="only these expected files (file stems)")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the directory holding corpus/ and seeds/")
    ap.add_argument("--check", action="store_true",
                    help="only check the expected files against their sources (labels on their lines); exit 1 on a problem")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    problems: list[str] = []
    exps = load_expected(args.shared, set(args.only) if args.only else None, problems)
    if args.check:
        problems += check_expected(exps)
        print("\n".join(problems) if problems else f"{len(exps)} expected files: every label is on its line")
        return 1 if problems else 0
    if not exps:
        print("no expected files (benchmarks/fidelity/*.json) selected", file=sys.stderr)
        return 2
    vocab = _vocab_labels()
    docs = []
    for e in exps:
        if e.data.get("skip"):
            docs.append(DocResult(e, Outcome("skipped", e.data["skip"]), {k: KindResult() for k in KINDS}, None))
            continue
        docs.append(run_one(e, args.cli, vocab))
    seconds = time.perf_counter() - t0
    counted = [d for d in docs if not d.exp.data.get("skip")]
    tot = {name: totals([d for d in counted if d.exp.set == name]) for name in SETS
           if any(d.exp.set == name for d in counted)}
    mode = "CLI" if args.cli else "Python API"
    text = render(docs, tot, seconds, mode, args.verbose)
    if problems:
        text = "\n".join(f"warning: {p}" for p in problems) + "\n" + text
    print(text, file=sys.stderr if args.json == "-" else sys.stdout)
    if args.json:
        figures = {
            "generated": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "mode": mode, "seconds": round(seconds, 1), "totals": tot,
            "documents": [{
                "file": d.exp.stem, "set": d.exp.set, "kunta": d.exp.key,
                "status": "skipped" if d.exp.data.get("skip") else d.outcome.status, "reason": d.outcome.reason,
                "import_seconds": round(d.outcome.seconds, 2), "shape": (d.outcome.report or {}).get("shape"),
                "cut_off_expected": bool(d.exp.data.get("cut_off")), "cut_off_reported": d.cut_reported,
                "kinds": {k: {**_kind_json(r), "missed": r.missed, "false_positive_labels": r.false_positives,
                              "matches": r.pairs, "optional_matches": r.optional} for k, r in d.kinds.items()},
            } for d in docs],
        }
        blob = json.dumps(figures, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(blob)
        else:
            Path(args.json).write_text(blob + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
