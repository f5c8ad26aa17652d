"""Benchmark of the kuntagraph SPARQL endpoint against two baselines, all measured in one run.

    .venv/bin/python benchmarks/run.py [--quick] [--copies N] [--seconds T] [--concurrency C]

Targets, each asked the same queries over the same files:
  ours      `kuntagraph serve` as a subprocess, over HTTP (what users get)
  raw       pyoxigraph.Store in this process, union default graph, answers serialised to SPARQL JSON
            (the floor: what the HTTP layer costs is ours - raw)
  rdflib    rdflib-endpoint over HTTP (a common Python alternative)

Datasets: the project's data/ (small), and a scaled copy with N synthetic copies of every municipality
and consortium graph (IRIs and codes rewritten), generated in a temp dir outside the repository.

Stages: prepare data -> start servers and load baselines -> check the answers agree -> per query and target,
sequential latency then throughput under C concurrent clients -> table, RESULTS.md, out/latest.json.
See benchmarks/README.md for how to read the numbers.
"""

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import multiprocessing
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT_DIR = HERE / "out"
REQUIREMENTS = HERE / "requirements.txt"
BASE = "https://w3id.org/kuntagraph/"
JSON_RESULTS = "application/sparql-results+json"

PREFIXES = """PREFIX kg: <https://w3id.org/kuntagraph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# The typical queries. The union default graph of pyoxigraph keeps a triple once per graph that holds it
# (rdflib's merges them), so the queries use DISTINCT wherever a shared triple could be counted twice:
# otherwise the targets would not give the same answers and the comparison would mean nothing.
_QUERIES = {
    "resources_per_area": ("counts of information resources per municipality and service area", """
SELECT ?municipality ?area (COUNT(DISTINCT ?resource) AS ?resources) WHERE {
  ?description dcterms:hasPart ?resource ; dcterms:publisher ?municipality .
  ?municipality a kg:Municipality .
  ?resource a kg:InformationResource ; kg:serviceArea ?area .
} GROUP BY ?municipality ?area ORDER BY ?municipality ?area"""),
    "shared_products": ("system products owned by >= 3 municipalities, with the municipalities' names", """
SELECT ?product ?name (COUNT(DISTINCT ?municipality) AS ?municipalities)
       (GROUP_CONCAT(DISTINCT STR(?mname); separator="|") AS ?names) WHERE {
  ?system kg:instanceOf ?product ; kg:owner ?municipality .
  ?product skos:prefLabel ?name . FILTER(lang(?name) = "fi")
  ?municipality a kg:Municipality ; skos:prefLabel ?mname . FILTER(lang(?mname) = "fi")
} GROUP BY ?product ?name HAVING (COUNT(DISTINCT ?municipality) >= 3)
ORDER BY DESC(?municipalities) ?product"""),
    "pic_searchable": ("resources searchable by personal identity code", """
SELECT DISTINCT ?resource ?label ?municipality WHERE {
  ?resource kg:searchCriterion <https://w3id.org/kuntagraph/vocab/search-criterion/personal-identity-code> ;
            skos:prefLabel ?label .
  ?description dcterms:hasPart ?resource ; dcterms:publisher ?municipality .
} ORDER BY ?municipality ?resource"""),
    "label_lookup": ("one municipality's label by IRI (the cheap query)", """
SELECT ?label WHERE { <https://w3id.org/kuntagraph/id/491> skos:prefLabel ?label }"""),
    "label_search": ("case-insensitive substring search over skos:prefLabel, first 100", """
SELECT DISTINCT ?thing ?label WHERE {
  ?thing skos:prefLabel ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "asiakas"))
} ORDER BY ?thing ?label LIMIT 100"""),
}
QUERIES = {k: (desc, PREFIXES + text.strip()) for k, (desc, text) in _QUERIES.items()}
CONCAT_VARS = {"names"}  # GROUP_CONCAT order is not defined: compare its parts as a set
CHEAP_QUERY = "label_lookup"
# Long: a slow baseline must be measured, not cut. A client giving up would not stop the server's work
# anyway, and the next measurement would queue behind it.
CLIENT_TIMEOUT = 900.0


# ---------------------------------------------------------------- options, machine

def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Throughput and latency of the kuntagraph SPARQL endpoint vs raw pyoxigraph and rdflib-endpoint.")
    p.add_argument("--copies", type=int, default=None, help="synthetic copies of the municipality graphs in the scaled dataset (default 50; --quick 3)")
    p.add_argument("--seconds", type=float, default=None, help="length of each throughput window (default 10; --quick 0.4)")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent clients in the throughput windows (default 8)")
    p.add_argument("--reps", type=int, default=None, help="sequential repetitions for p50/p95 (default 100; --quick 10)")
    p.add_argument("--client-procs", type=int, default=None, help="client processes sharing the concurrent clients (default min(2, C))")
    p.add_argument("--quick", action="store_true", help="a small fast run for smoke testing (< 60 s)")
    p.add_argument("--no-rdflib", action="store_true", help="leave the rdflib-endpoint baseline out")
    p.add_argument("--no-install", action="store_true", help="do not pip-install rdflib-endpoint when it is missing")
    p.add_argument("--keep", action="store_true", help="keep the temp dir with the generated data and stores")
    p.add_argument("--settle-max", type=float, default=None, help="wait at most this long for a server to go idle after it starts (default 600 s; --quick 20)")
    # Internal modes: run.py starts itself as the rdflib-endpoint server and as the null server.
    p.add_argument("--_serve-rdflib", dest="serve_rdflib", nargs=2, metavar=("PORT", "FILELIST"), help=argparse.SUPPRESS)
    p.add_argument("--_serve-null", dest="serve_null", metavar="PORT", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.copies = a.copies if a.copies is not None else (3 if a.quick else 50)
    a.seconds = a.seconds if a.seconds is not None else (0.4 if a.quick else 10.0)
    a.reps = a.reps if a.reps is not None else (10 if a.quick else 100)
    a.warmup = 2 if a.quick else 5
    # Sequential latency stops after this many seconds even short of --reps (a slow target is still measured, fewer times).
    a.latency_budget = 1.0 if a.quick else max(5.0, a.seconds)
    a.client_procs = a.client_procs or min(2, a.concurrency)
    a.settle_max = a.settle_max if a.settle_max is not None else (20.0 if a.quick else 600.0)
    return a


def machine_info() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = {}
    for mod in ("pyoxigraph", "rdflib", "rdflib_endpoint", "fastapi", "starlette", "uvicorn", "httpx"):
        try:
            from importlib.metadata import version
            versions[mod] = version(mod.replace("_", "-"))
        except Exception:
            versions[mod] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "cores": os.cpu_count(), "cpu": cpu,
            "memory": mem, "python": platform.python_version(), "platform": platform.platform(),
            "git": commit + (" (uncommitted changes)" if dirty else ""), "versions": versions}


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat."""
    try:
        v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return sum(v) - v[3] - v[4], sum(v)


def machine_cpu_pct(j0, j1, seconds: float | None = None) -> float:
    """CPU the whole machine used between two machine_jiffies(), in % of one core: per `seconds` of wall
    time when given (to compare with a process's CPU over a window), else per the time between them."""
    busy, total = j1[0] - j0[0], j1[1] - j0[1]
    if seconds:
        return 100 * busy / os.sysconf("SC_CLK_TCK") / seconds
    return 100 * (os.cpu_count() or 1) * busy / total if total else float("nan")


def background_load(seconds=2.0) -> float:
    """What other processes keep busy while this one sleeps: a busy machine makes every number noisy."""
    j0 = machine_jiffies()
    time.sleep(seconds)
    return machine_cpu_pct(j0, machine_jiffies())


def log(msg: str):
    print(msg, flush=True)


# ---------------------------------------------------------------- data

def project_files():
    """What `kuntagraph serve` loads by default: the ontology, its concept schemes, and data/."""
    return [ROOT / "ontology" / "kuntagraph.ttl", *sorted((ROOT / "ontology" / "vocab").glob("*.ttl"))], sorted((ROOT / "data").glob("*.ttl"))


def make_scaled_data(copies: int, out: Path) -> list[Path]:
    """data/ plus `copies` synthetic copies of every municipality and consortium graph.

    In copy i, every IRI under id/KEY/ (KEY a municipality or consortium) moves to id/sNNNN-KEY/, so the
    LUMME consortium's shared Koha instance stays shared among the copies of its own members; the
    municipalities' dcterms:identifier codes become sNNNN-CODE and their names get a ' [sNNNN]' suffix so
    that names stay distinct, as real ones are. The reference library, sources and vocabularies are shared.
    """
    import pyoxigraph as ox

    rdf_type, dct_id = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://purl.org/dc/terms/identifier")
    pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    publishers = {ox.NamedNode(BASE + "def#Municipality"), ox.NamedNode(BASE + "def#Consortium")}
    out.mkdir(parents=True, exist_ok=True)
    _, data = project_files()
    parsed, keys = {}, set()
    for f in data:
        shutil.copy(f, out / f.name)
        triples = [q.triple for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        owners = {t.subject.value for t in triples if t.predicate == rdf_type and t.object in publishers}
        file_keys = {o[len(BASE + "id/"):] for o in owners if o.startswith(BASE + "id/") and "/" not in o[len(BASE + "id/"):]}
        if file_keys:  # a municipality's or consortium's graph; the reference library is not copied
            parsed[f] = (triples, owners)
            keys |= file_keys
    key_re = re.compile("^" + re.escape(BASE + "id/") + "(" + "|".join(map(re.escape, sorted(keys, key=len, reverse=True))) + ")(?=/|$)")
    written = sorted(out.glob("*.ttl"))
    for i in range(1, copies + 1):
        tag = f"s{i:04d}"

        def term(t):
            if isinstance(t, ox.NamedNode):
                return ox.NamedNode(key_re.sub(lambda m: f"{BASE}id/{tag}-{m.group(1)}", t.value))
            if isinstance(t, ox.BlankNode):
                return ox.BlankNode(t.value + tag)
            return t

        for f, (triples, owners) in parsed.items():
            new = []
            for t in triples:
                s, p, o = term(t.subject), t.predicate, term(t.object)
                if t.subject.value in owners and isinstance(o, ox.Literal):
                    if p == dct_id and o.value in keys:
                        o = ox.Literal(f"{tag}-{o.value}")
                    elif p == pref:
                        o = ox.Literal(f"{o.value} [{tag}]", language=o.language)
                new.append(ox.Triple(s, p, o))
            path = out / f"{tag}-{f.name}"
            ox.serialize(new, output=str(path), format=ox.RdfFormat.TURTLE)
            written.append(path)
    return written


# ---------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A server subprocess on 127.0.0.1, its output kept in a log file to look at for errors afterwards."""

    def __init__(self, name, cmd, port: int, ready_path: str, log_path: Path, timeout=600.0, accept="*/*"):
        import httpx

        self.name, self.log_path, self.port = name, log_path, port
        ready_url = f"http://127.0.0.1:{port}{ready_path}"
        self.logf = open(log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.logf, stderr=subprocess.STDOUT, text=True)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(ready_url, timeout=5, headers={"Accept": accept}).status_code == 200:
                    self.startup_s = time.monotonic() - t0
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} did not answer {ready_url} within {timeout:.0f} s:\n{self.log()[-3000:]}")

    def cpu_seconds(self) -> float:
        """user+system CPU of the process (all its threads), from /proc: how busy the server was."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def rss_mb(self) -> float:
        try:
            kb = next(int(line.split()[1]) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines() if line.startswith("VmRSS"))
            return kb / 1024
        except (OSError, StopIteration):
            return float("nan")

    def log(self) -> str:
        if not self.logf.closed:
            self.logf.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


def start_ours(work: Path, store_dir: Path | None, tag: str) -> Proc:
    port = free_port()
    cmd = [sys.executable, "-m", "kuntagraph.cli", "serve", "--port", str(port)] + (["--store", str(store_dir)] if store_dir else [])
    return Proc(f"kuntagraph serve ({tag})", cmd, port, "/", work / f"ours-{tag}.log")


def load_ours(data_dir: Path, store_dir: Path) -> float:
    """`kuntagraph load DIR --store STOREDIR --skip-validation`: the on-disk store the scaled server serves."""
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "kuntagraph.cli", "load", str(data_dir), "--store", str(store_dir), "--skip-validation", "--lang", "en"],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"kuntagraph load failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    log(f"    {r.stdout.strip()}")
    return time.monotonic() - t0


def start_rdflib(work: Path, files: list[Path], tag: str) -> Proc:
    port = free_port()
    listing = work / f"rdflib-{tag}.files"
    listing.write_text("\n".join(map(str, files)))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_serve-rdflib", str(port), str(listing)]
    ask = quote("ASK {}")
    return Proc(f"rdflib-endpoint ({tag})", cmd, port, f"/sparql?query={ask}", work / f"rdflib-{tag}.log", accept=JSON_RESULTS)


def serve_rdflib(port: int, listing: Path):
    """Internal mode: rdflib-endpoint over an rdflib Dataset with a union default graph, one named graph per file."""
    import uvicorn
    from rdflib import Dataset, URIRef
    from rdflib_endpoint import SparqlEndpoint

    ds = Dataset(default_union=True)
    for f in listing.read_text().split("\n"):
        ds.graph(URIRef(Path(f).resolve().as_uri())).parse(f, format="turtle")
    print(f"rdflib-endpoint: {len(ds)} triples in the union", flush=True)
    uvicorn.run(SparqlEndpoint(graph=ds, path="/sparql"), host="127.0.0.1", port=port, log_level="warning")


def serve_null(port: int):
    """Internal mode: an HTTP server that answers every request at once with a fixed small SPARQL JSON body.
    Throughput against it is the ceiling of the client setup on this machine (see README)."""
    import asyncio

    body = b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":{"type":"literal","value":"Mikkeli","xml:lang":"fi"}}]}}'
    resp = (b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\ncontent-length: %d\r\n\r\n" % len(body)) + body

    class Http(asyncio.Protocol):
        def connection_made(self, transport):
            self.t, self.buf = transport, b""

        def data_received(self, data):
            self.buf += data
            while b"\r\n\r\n" in self.buf:  # GET requests only: no body to skip
                _, self.buf = self.buf.split(b"\r\n\r\n", 1)
                self.t.write(resp)

    async def main():
        server = await asyncio.get_running_loop().create_server(Http, "127.0.0.1", port)
        await server.serve_forever()

    asyncio.run(main())


def ensure_rdflib_endpoint(allow_install: bool) -> str | None:
    """None when rdflib-endpoint imports; otherwise why not. Installs the pinned version into this venv when allowed."""
    try:
        import rdflib_endpoint  # noqa: F401
        return None
    except ImportError:
        pass
    hint = f"{sys.executable} -m pip install --no-deps -r {REQUIREMENTS.relative_to(ROOT)}"
    if not allow_install:
        return f"rdflib-endpoint is not installed (install it with: {hint})"
    log(f"  rdflib-endpoint is missing: installing it into this venv ({hint})")
    # --no-deps: its dependencies (fastapi, rdflib) are the project's own, pinned in requirements.lock; never change them.
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-r", str(REQUIREMENTS)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return f"rdflib-endpoint could not be installed: {(r.stderr or r.stdout).strip()[-500:]}"
    import importlib
    importlib.invalidate_caches()
    try:
        import rdflib_endpoint  # noqa: F401,F811
        return None
    except ImportError as e:
        return f"rdflib-endpoint was installed but does not import: {e}"


# ---------------------------------------------------------------- targets

class RawTarget:
    """pyoxigraph in this process: query with the union default graph, serialise to SPARQL JSON."""

    name = "raw pyoxigraph"

    def __init__(self, files: list[Path], path: Path | None):
        import pyoxigraph as ox

        self.ox = ox
        t0 = time.monotonic()
        # The same backend as the server's: in memory for data/, on disk (RocksDB) for the scaled store.
        self.store = ox.Store(str(path)) if path else ox.Store()
        for f in files:
            self.store.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f.resolve().as_uri()))
        self.load_s = time.monotonic() - t0
        self.triples = len(self.store)

    def run(self, query: str) -> bytes:
        res = self.store.query(query, use_default_graph_as_union=True)
        return res.serialize(format=self.ox.QueryResultsFormat.JSON)


class HttpTarget:
    """A SPARQL endpoint over HTTP: GET ?query=..., Accept SPARQL JSON, a keep-alive connection."""

    def __init__(self, name: str, endpoint: str, proc: Proc | None):
        import httpx

        self.name, self.endpoint, self.proc = name, endpoint, proc
        self.client = httpx.Client(timeout=CLIENT_TIMEOUT, headers={"Accept": JSON_RESULTS})

    def url(self, query: str) -> str:
        return self.endpoint + "?query=" + quote(query)

    def run(self, query: str) -> bytes:
        r = self.client.get(self.url(query))
        if r.status_code != 200:
            raise RuntimeError(f"{self.name}: HTTP {r.status_code}: {r.text[:300]}")
        return r.content


def normalise(body: bytes):
    """An answer as a sorted list of rows, each a sorted tuple of (variable, value): ordering and
    term-type details (xsd:integer spelled differently) do not make two answers differ."""
    doc = json.loads(body)
    rows = []
    for b in doc["results"]["bindings"]:
        row = []
        for var, term in b.items():
            v = term["value"]
            if var in CONCAT_VARS:
                v = "|".join(sorted(v.split("|")))
            row.append((var, v, term.get("xml:lang")))
        rows.append(tuple(sorted(row)))
    return sorted(rows)


# ---------------------------------------------------------------- measurement

def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def measure_latency(target, query: str, reps: int, warmup: int, budget: float, first_s: float) -> dict:
    """One client, one request at a time: what a single user waits, without queueing.
    A slow target (first_s: how long the answer check took) gets fewer warm-up runs and repetitions,
    down to none and one, so that the run ends in time; the answer check already warmed it up."""
    t_end = time.monotonic() + budget / 4
    for _ in range(warmup if first_s < budget / 4 else 0):
        target.run(query)
        if time.monotonic() > t_end:
            break
    min_reps = 3 if 3 * first_s < budget else 1
    lat, t_end = [], time.monotonic() + budget
    while len(lat) < reps and (len(lat) < min_reps or time.monotonic() < t_end):
        t0 = time.perf_counter()
        target.run(query)
        lat.append(time.perf_counter() - t0)
    return {"n": len(lat), "p50_ms": pct(lat, 50) * 1e3, "p95_ms": pct(lat, 95) * 1e3, "mean_ms": statistics.fmean(lat) * 1e3}


def _warm_client_proc(_):
    """Import httpx in a client process before any window starts: a cold import would eat the window."""
    import httpx  # noqa: F401
    time.sleep(0.2)  # keep this worker busy so the pool hands the next warm-up to another one
    return os.getpid()


def _client_proc(url: str, threads: int, start_at: float, seconds: float) -> dict:
    """In a client process: `threads` threads, each with its own keep-alive httpx.Client, requesting
    back to back from start_at until start_at + seconds. Latencies are kept to report p50 under load."""
    import httpx

    deadline = start_at + seconds
    out = {"ok": 0, "errors": 0, "error": None, "lat": [], "last_end": start_at}
    lock = threading.Lock()
    # Clients are made before the window opens: making one costs milliseconds of CPU (an SSL context),
    # which would otherwise come out of the window. Plain HTTP on loopback: no CA bundle to load.
    clients = [httpx.Client(timeout=CLIENT_TIMEOUT, headers={"Accept": JSON_RESULTS}, verify=False) for _ in range(threads)]
    late = time.time() > start_at

    def loop(c):
        ok = err = 0
        lat, first_error = [], None
        while time.time() < start_at:
            time.sleep(0.001)
        with c:
            while time.time() < deadline:
                t0 = time.perf_counter()
                try:
                    r = c.get(url)
                    good = r.status_code == 200
                    if not good and first_error is None:
                        first_error = f"HTTP {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as e:
                    good = False
                    first_error = first_error or f"{type(e).__name__}: {e}"
                lat.append(time.perf_counter() - t0)
                ok, err = ok + good, err + (not good)
        with lock:
            out["ok"] += ok
            out["errors"] += err
            out["error"] = out["error"] or first_error
            out["lat"] += lat
            out["last_end"] = max(out["last_end"], time.time())

    cpu0 = time.process_time()
    ts = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out["cpu_s"] = time.process_time() - cpu0
    out["late"] = late
    return out


def measure_http_throughput(pool, procs: int, url: str, concurrency: int, seconds: float, server: Proc | None) -> dict:
    """C clients spread over `procs` client processes (so the client is not one GIL), for `seconds`.
    A client still waiting at the deadline finishes its request; throughput is completed requests over
    the time until the last one ended, so a target slower than the window is measured, not zeroed."""
    shares = [concurrency // procs + (i < concurrency % procs) for i in range(procs)]
    start_at = time.time() + 0.2  # every client starts at once; the processes are already warm
    futs = [pool.submit(_client_proc, url, n, start_at, seconds) for n in shares if n]
    time.sleep(max(0.0, start_at - time.time()))  # sample the machine over the window itself
    cpu0 = server.cpu_seconds() if server else None
    j0 = machine_jiffies()
    parts = [f.result() for f in futs]
    j1 = machine_jiffies()
    elapsed = max(p["last_end"] for p in parts) - start_at
    machine = machine_cpu_pct(j0, j1, elapsed)
    ok, errors = sum(p["ok"] for p in parts), sum(p["errors"] for p in parts)
    lat = [x for p in parts for x in p["lat"]]
    res = {"concurrency": concurrency, "seconds": elapsed, "ok": ok, "errors": errors, "rps": ok / elapsed if elapsed > 0 else 0.0,
           "p50_ms_loaded": pct(lat, 50) * 1e3, "p95_ms_loaded": pct(lat, 95) * 1e3,
           "client_cpu_pct": 100 * sum(p["cpu_s"] for p in parts) / elapsed,
           "first_error": next((p["error"] for p in parts if p["error"]), None),
           "late_start": any(p["late"] for p in parts)}  # a client process not ready when the window opened
    if server:
        res["server_cpu_pct"] = 100 * (server.cpu_seconds() - cpu0) / elapsed
        # Everything else the machine did meanwhile (other people's tests, say): it competes with the server.
        res["other_cpu_pct"] = max(0.0, machine - res["server_cpu_pct"] - res["client_cpu_pct"])
    res["machine_cpu_pct"] = machine
    return res


def measure_raw_throughput(target: RawTarget, query: str, concurrency: int, seconds: float) -> dict:
    """C threads in this process calling pyoxigraph directly (it releases the GIL while it evaluates)."""
    start = time.monotonic()
    deadline = start + seconds
    counts, ends = [0] * concurrency, [start] * concurrency

    def loop(i):
        while time.monotonic() < deadline:
            target.run(query)
            counts[i] += 1
        ends[i] = time.monotonic()

    cpu0, j0 = time.process_time(), machine_jiffies()
    ts = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = max(ends) - start
    return {"concurrency": concurrency, "seconds": elapsed, "ok": sum(counts), "errors": 0, "rps": sum(counts) / elapsed,
            "process_cpu_pct": 100 * (time.process_time() - cpu0) / elapsed, "machine_cpu_pct": machine_cpu_pct(j0, machine_jiffies(), elapsed)}


def settle(target: "HttpTarget", max_s: float, window_s: float) -> dict:
    """Wait until the server is idle before measuring: work it does by itself after starting (ours checks
    every graph's compliance in a background thread) would otherwise be counted as query time. Meanwhile,
    probe the cheap query every second: that is what users get during that time."""
    query = QUERIES[CHEAP_QUERY][1]
    t0, quiet, probes, busy_cpu = time.monotonic(), 0, [], []
    settled = False
    while time.monotonic() - t0 < max_s:
        w0, c0 = time.monotonic(), target.proc.cpu_seconds()
        window = []
        for _ in range(3):
            p0 = time.perf_counter()
            target.run(query)
            window.append(time.perf_counter() - p0)
        time.sleep(max(0.0, window_s - (time.monotonic() - w0)))
        cpu = (target.proc.cpu_seconds() - c0) / (time.monotonic() - w0)
        if cpu < 0.10:  # the probes themselves cost a few % of a core
            quiet += 1
            if quiet >= 2:
                settled = True
                break
        else:
            quiet = 0
            probes += window
            busy_cpu.append(cpu)
    busy_s = time.monotonic() - t0 - (2 * window_s if settled else 0.0)
    return {"settled": settled, "busy_s": max(0.0, busy_s), "busy_probes": len(probes),
            "busy_probe_p50_ms": pct(probes, 50) * 1e3, "busy_probe_max_ms": max(probes, default=float("nan")) * 1e3,
            "busy_cpu_pct": 100 * statistics.fmean(busy_cpu) if busy_cpu else 0.0}


def check_answers(targets: dict, queries: dict) -> dict:
    """Every target must give the same answer (as a set of rows) before its speed is worth comparing."""
    out = {}
    for q, (_, text) in queries.items():
        answers, took = {}, {}
        for key, t in targets.items():
            t0 = time.monotonic()
            try:
                answers[key] = normalise(t.run(text))
            except Exception as e:  # noqa: BLE001 - report whatever a target does, keep going
                answers[key] = f"error: {type(e).__name__}: {e}"
            took[key] = time.monotonic() - t0
        ref = answers.get("raw")
        rows = len(ref) if isinstance(ref, list) else None
        agree = {k: (a == ref) for k, a in answers.items() if k != "raw"}
        out[q] = {"rows": rows, "agree": agree, "took": took,
                  "errors": {k: a for k, a in answers.items() if isinstance(a, str)}}
        for k, a in answers.items():
            if k != "raw" and a != ref:
                detail = a if isinstance(a, str) else f"{len(a)} rows vs {rows}"
                log(f"    ! {q}: {targets[k].name} answers differently from raw pyoxigraph ({detail[:300]})")
    return out


def bench_dataset(targets: dict, args, pool) -> dict:
    """Stage per dataset: answers agree?, then latency and throughput per query and target."""
    log(f"  checking that the targets give the same answers ({', '.join(t.name for t in targets.values())})")
    checks = check_answers(targets, QUERIES)
    results = {}
    for q, (desc, text) in QUERIES.items():
        results[q] = {"description": desc, "rows": checks[q]["rows"], "agree": checks[q]["agree"], "targets": {}}
        for key, t in targets.items():
            if key in checks[q]["errors"]:
                results[q]["targets"][key] = {"error": checks[q]["errors"][key]}
                continue
            try:
                lat = measure_latency(t, text, args.reps, args.warmup, args.latency_budget, checks[q]["took"][key])
                if lat["p50_ms"] / 1e3 * args.concurrency > 2 * args.seconds:
                    # C requests in flight would take longer than two windows to drain: the window would
                    # measure a queue. Estimate instead (exact for a server that answers one at a time).
                    thr = {"skipped": f"p50 x C > 2 x {args.seconds:g} s", "rps": None, "rps_est": 1e3 / lat["p50_ms"]}
                elif key == "raw":
                    thr = measure_raw_throughput(t, text, args.concurrency, args.seconds)
                else:
                    thr = measure_http_throughput(pool, args.client_procs, t.url(text), args.concurrency, args.seconds, t.proc)
            except Exception as e:  # noqa: BLE001 - one failing target must not lose the rest of the run
                results[q]["targets"][key] = {"error": f"{type(e).__name__}: {e}"}
                log(f"    {q:<19} {t.name:<16} FAILED: {type(e).__name__}: {e}")
                continue
            results[q]["targets"][key] = {"latency": lat, "throughput": thr}
            extra = f", {thr['errors']} errors ({thr['first_error']})" if thr.get("errors") else ""
            if thr.get("late_start"):
                extra += " [a client process was late for the window]"
            if "server_cpu_pct" in thr:
                extra += (f"  (CPU, % of a core: server {thr['server_cpu_pct']:.0f}, client {thr['client_cpu_pct']:.0f}, "
                          f"other processes {thr['other_cpu_pct']:.0f})")
            rps = f"{thr['rps']:9.1f} req/s" if thr["rps"] is not None else f"~{thr['rps_est']:.3g} req/s (estimated, window skipped: {thr['skipped']})"
            log(f"    {q:<19} {t.name:<16} p50 {lat['p50_ms']:9.2f} ms  p95 {lat['p95_ms']:9.2f} ms  n={lat['n']:<4} {rps}{extra}")
    return results


# ---------------------------------------------------------------- report

def ratio(a, b):
    return a / b if a and b and a == a and b == b else None


def fmt_ratio(r):
    return "—" if r is None else (f"{r:.2f}×" if r < 10 else f"{r:.0f}×")


def fmt_ms(v):
    return "—" if v is None or v != v else (f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}")


def table(results: dict) -> str:
    head = ("| query | target | p50 ms | p95 ms | req/s | p50 under load ms | lat. p50 ratio | throughput ratio |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for q, r in results.items():
        t = r["targets"]
        raw, ours, rdf = (t.get(k, {}) for k in ("raw", "ours", "rdflib"))

        def get(x, *path):
            for p in path:
                x = x.get(p) if isinstance(x, dict) else None
            return x

        for key, name in (("raw", "raw pyoxigraph"), ("ours", "ours (HTTP)"), ("rdflib", "rdflib-endpoint")):
            x = t.get(key)
            if x is None:
                continue
            if "error" in x:
                lines.append(f"| {q} | {name} | error: {x['error'][:60]} | | | | | |")
                continue
            lr = tr = ""
            if key == "ours":
                lr = "ours/raw " + fmt_ratio(ratio(get(ours, "latency", "p50_ms"), get(raw, "latency", "p50_ms")))
                tr = "ours/raw " + fmt_ratio(ratio(get(ours, "throughput", "rps"), get(raw, "throughput", "rps")))
            elif key == "rdflib":
                lr = "rdflib/ours " + fmt_ratio(ratio(get(rdf, "latency", "p50_ms"), get(ours, "latency", "p50_ms")))
                tr = "rdflib/ours " + fmt_ratio(ratio(get(rdf, "throughput", "rps"), get(ours, "throughput", "rps")))
            thr = x["throughput"]
            if thr["rps"] is None:
                rps = f"~{thr['rps_est']:.3g} (est.)"
            else:
                rps = f"{thr['rps']:.1f}" + (f" ({thr['errors']} err)" if thr.get("errors") else "")
            lines.append(f"| {q if key == 'raw' else ''} | {name} | {fmt_ms(x['latency']['p50_ms'])} | "
                         f"{fmt_ms(x['latency']['p95_ms'])}{'' if x['latency']['n'] >= 20 else ' (n=%d)' % x['latency']['n']} | "
                         f"{rps} | {fmt_ms(thr.get('p50_ms_loaded'))} | {lr} | {tr} |")
    return "\n".join(lines)


def report(doc: dict) -> str:
    m, a = doc["machine"], doc["args"]
    out = [f"# kuntagraph SPARQL benchmark\n",
           f"- date: {m['date']}; git {m['git']}",
           f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, Python {m['python']}, {m['platform']}; "
           f"other processes used {m['background_cpu_pct']:.0f}% of one core just before the run",
           f"- versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v),
           f"- command: `{doc['command']}`",
           f"- sequential latency: {a['reps']} repetitions after {a['warmup']} warm-up ones (fewer when a target is slow: "
           f"at most {a['latency_budget']:g} s, at least 3); throughput: {a['concurrency']} concurrent clients for {a['seconds']:g} s",
           f"- client: {doc['client']['setup']}",
           f"- client ceiling: {doc['client']['ceiling']}",
           ""]
    if doc.get("rdflib_note"):
        out += [f"**rdflib-endpoint: {doc['rdflib_note']}**", ""]
    for ds in doc["datasets"]:
        out += [f"## {ds['label']}", "", ds["summary"], "", table(ds["results"]), ""]
        disagree = [f"{q} ({', '.join(k for k, ok in r['agree'].items() if not ok)})" for q, r in ds["results"].items() if not all(r["agree"].values())]
        out += [("Answers: every target gave the same rows for every query." if not disagree
                 else "Answers DIFFER for: " + "; ".join(disagree)), ""]
        srv = []
        for q, r in ds["results"].items():
            for k in ("ours", "rdflib"):
                thr = r["targets"].get(k, {}).get("throughput")
                if thr and "server_cpu_pct" in thr:
                    srv.append(f"{q}/{k} {thr['server_cpu_pct']:.0f}/{thr['client_cpu_pct']:.0f}/{thr['other_cpu_pct']:.0f}")
        out += ["CPU during the throughput windows, server/client/other processes, in % of one core "
                f"({doc['machine']['cores']} cores = {100 * doc['machine']['cores']}%): " + ", ".join(srv), ""]
        out += [client_headroom(doc, ds["results"]), ""]
    out += ["## Server logs", ""]
    for name, text in doc["server_logs"].items():
        out.append(f"- {name}: " + ("nothing logged" if not text.strip() else f"{len(text.splitlines())} line(s); last:\n\n```\n{text[-1500:].rstrip()}\n```"))
    out += ["", "How to read this: benchmarks/README.md. Machine-readable: benchmarks/out/latest.json.", ""]
    return "\n".join(out)


def client_headroom(doc: dict, results: dict) -> str:
    """Is the client what limits the cheap query? Compare the fastest HTTP target with the client ceiling."""
    # Measured at the start and at the end of the run: other processes may have taken CPU from one of them.
    ceiling = max(doc["client"][k]["throughput"]["rps"] for k in ("calibration", "calibration_end") if k in doc["client"])
    best = max((x["throughput"]["rps"] or 0.0 for k, x in results.get(CHEAP_QUERY, {}).get("targets", {}).items()
                if k != "raw" and "throughput" in x), default=0.0)
    if not best or not ceiling:
        return "Client headroom: not measured."
    h = ceiling / best
    verdict = "the targets, not the client, set the pace" if h >= 2 else "WARNING: the client may be what limits the cheap query"
    return f"Client headroom on {CHEAP_QUERY}: the client ceiling is {h:.1f}× the fastest HTTP target's throughput ({verdict})."


# ---------------------------------------------------------------- main

def calibrate_client(pool, args, work: Path) -> dict:
    """Throughput of the same client setup against a server that does no work: the most the client can
    drive here. If a target's cheap-query throughput is well below it, the target is the bottleneck."""
    port = free_port()
    null = Proc("null server", [sys.executable, str(Path(__file__).resolve()), "--_serve-null", str(port)], port, "/", work / "null.log")
    try:
        target = HttpTarget("null server", f"http://127.0.0.1:{port}/sparql", null)
        lat = measure_latency(target, "x", args.reps, args.warmup, args.latency_budget, first_s=0.0)
        target.client.close()
        thr = measure_http_throughput(pool, args.client_procs, target.url("x"), args.concurrency, args.seconds, null)
        return {"latency": lat, "throughput": thr}
    finally:
        null.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.serve_rdflib:
        serve_rdflib(int(args.serve_rdflib[0]), Path(args.serve_rdflib[1]))
        return 0
    if args.serve_null:
        serve_null(int(args.serve_null))
        return 0
    try:
        import httpx  # noqa: F401
        import kuntagraph  # noqa: F401
    except ImportError as e:
        print(f"run this with the project's venv (.venv/bin/python benchmarks/run.py; `make install` first): {e}", file=sys.stderr)
        return 2

    t_start = time.monotonic()
    machine = machine_info()
    log(f"kuntagraph SPARQL benchmark — {machine['date']}")
    log(f"  {machine['cores']} cores ({machine['cpu']}), Python {machine['python']}, git {machine['git']}")
    machine["background_cpu_pct"] = background_load()
    log(f"  other processes keep {machine['background_cpu_pct']:.0f}% of one core busy before the run"
        + ("  — WARNING: a busy machine makes the numbers noisy" if machine["background_cpu_pct"] > 20 else ""))
    rdflib_note = None if args.no_rdflib else ensure_rdflib_endpoint(not args.no_install)
    if args.no_rdflib:
        rdflib_note = "left out (--no-rdflib)"
    if rdflib_note:
        log(f"  rdflib-endpoint baseline: NOT MEASURED — {rdflib_note}")
    machine["versions"]["rdflib_endpoint"] = machine["versions"].get("rdflib_endpoint") or _version("rdflib-endpoint")

    # Client processes start before anything big is loaded, and stay warm for every window.
    pool = cf.ProcessPoolExecutor(args.client_procs, mp_context=multiprocessing.get_context("spawn"))
    pids = set(pool.map(_warm_client_proc, range(args.client_procs)))
    log(f"  {len(pids)} client process(es) ready")
    work = Path(tempfile.mkdtemp(prefix="kuntagraph-bench-"))
    procs: list[Proc] = []
    doc = {"command": " ".join([os.path.relpath(sys.executable, ROOT), os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]), "machine": machine,
           "args": {k: v for k, v in vars(args).items() if k not in ("serve_rdflib", "serve_null")},
           "rdflib_note": rdflib_note, "datasets": [], "server_logs": {}}
    try:
        log(f"  calibrating the client against a null server ({args.concurrency} clients in {args.client_procs} processes)")
        cal = calibrate_client(pool, args, work)
        doc["client"] = {
            "setup": f"httpx {machine['versions']['httpx']} sync clients, one keep-alive connection each, GET ?query=, "
                     f"{args.concurrency} clients as threads in {args.client_procs} separate process(es) on the same machine; "
                     "raw pyoxigraph: the same number of threads in the benchmark process",
            "ceiling": f"against a null HTTP server that answers at once: {cal['throughput']['rps']:.0f} req/s with {args.concurrency} clients "
                       f"(client CPU {cal['throughput']['client_cpu_pct']:.0f}% of one core), sequential p50 {cal['latency']['p50_ms']:.2f} ms",
            "calibration": cal}
        log(f"    client ceiling: {doc['client']['ceiling']}")

        onto, data = project_files()
        log("  generating the scaled dataset")
        scaled_dir = work / "data"
        scaled_files = make_scaled_data(args.copies, scaled_dir)
        datasets = [("small", f"the project's data/ ({len(data)} files) + ontology/", data, None),
                    ("scaled", f"data/ + {args.copies} synthetic copies of every municipality and consortium graph ({len(scaled_files)} files) + ontology/",
                     scaled_files, scaled_dir)]
        for tag, desc, files, ddir in datasets:
            log(f"\n== dataset '{tag}': {desc}")
            targets, timings = {}, {}
            raw = RawTarget(onto + files, work / f"raw-store-{tag}" if ddir else None)
            targets["raw"] = raw
            timings["raw load s"] = raw.load_s
            log(f"    raw pyoxigraph: {raw.triples} quads, loaded in {raw.load_s:.1f} s")
            if ddir:
                store_dir = work / f"store-{tag}"
                timings["kuntagraph load s"] = load_ours(ddir, store_dir)
                ours = start_ours(work, store_dir, tag)
            else:
                ours = start_ours(work, None, tag)
            procs.append(ours)
            timings["ours startup s"] = ours.startup_s
            targets["ours"] = HttpTarget("ours (HTTP)", f"http://127.0.0.1:{ours.port}/sparql", ours)
            log(f"    {ours.name}: up in {ours.startup_s:.1f} s, RSS {ours.rss_mb():.0f} MB")
            if not rdflib_note:
                try:
                    rdf = start_rdflib(work, onto + files, tag)
                    procs.append(rdf)
                    timings["rdflib startup s"] = rdf.startup_s
                    targets["rdflib"] = HttpTarget("rdflib-endpoint", f"http://127.0.0.1:{rdf.port}/sparql", rdf)
                    log(f"    {rdf.name}: up in {rdf.startup_s:.1f} s (parsing included), RSS {rdf.rss_mb():.0f} MB")
                except Exception as e:  # noqa: BLE001 - the baseline is optional: say so and go on
                    rdflib_note = doc["rdflib_note"] = f"could not be started: {str(e)[:500]}"
                    log(f"    rdflib-endpoint baseline: NOT MEASURED — {rdflib_note}")
            settling = {}
            for key in ("ours", "rdflib"):
                if key in targets:
                    settling[key] = st = settle(targets[key], args.settle_max, 0.5 if args.quick else 1.0)
                    if st["busy_s"] >= 2:
                        timings[f"{key} busy after start s"] = st["busy_s"]
                        log(f"    {targets[key].name}: busy for {st['busy_s']:.0f} s after start"
                            + ("" if st["settled"] else f" and STILL BUSY after --settle-max {args.settle_max:g} s: measuring anyway")
                            + f"; meanwhile {CHEAP_QUERY} p50 {st['busy_probe_p50_ms']:.1f} ms (max {st['busy_probe_max_ms']:.0f} ms, "
                            f"{st['busy_probes']} probes), server CPU {st['busy_cpu_pct']:.0f}% of a core")
            results = bench_dataset(targets, args, pool)
            summary = (f"{desc}: {raw.triples} quads. Load/start: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()) +
                       f". RSS after the run: ours {ours.rss_mb():.0f} MB" +
                       (f", rdflib-endpoint {targets['rdflib'].proc.rss_mb():.0f} MB" if "rdflib" in targets else "") + ".")
            for key, st in settling.items():
                if st["busy_s"] >= 2:
                    summary += (f" {targets[key].name} was busy for {st['busy_s']:.0f} s after start (work of its own, no requests)"
                                + ("" if st["settled"] else ", and had not settled when measuring began")
                                + f": meanwhile {CHEAP_QUERY} took p50 {st['busy_probe_p50_ms']:.1f} ms, max {st['busy_probe_max_ms']:.0f} ms "
                                f"({st['busy_probes']} probes; compare the settled p50 in the table). Measurements start once it is idle.")
            doc["datasets"].append({"label": f"dataset '{tag}'", "tag": tag, "triples": raw.triples, "timings": timings,
                                    "settling": settling, "summary": summary, "results": results})
            for key in ("ours", "rdflib"):
                if key in targets:
                    targets[key].client.close()
                    targets[key].proc.stop()
                    doc["server_logs"][targets[key].proc.name] = targets[key].proc.log()
            del raw, targets
        log("\n  calibrating the client again, at the end of the run")
        end = doc["client"]["calibration_end"] = calibrate_client(pool, args, work)
        doc["client"]["ceiling"] += f"; at the end of the run: {end['throughput']['rps']:.0f} req/s (client CPU {end['throughput']['client_cpu_pct']:.0f}%)"
        log(f"    client ceiling: {doc['client']['ceiling']}")
    finally:
        for p in procs:
            p.stop()
        pool.shutdown()
        if args.keep:
            log(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    doc["total_seconds"] = time.monotonic() - t_start
    text = report(doc)
    log("\n" + text)
    OUT_DIR.mkdir(exist_ok=True)
    (HERE / "RESULTS.md").write_text(text)
    (OUT_DIR / "latest.json").write_text(json.dumps(doc, indent=2, default=str))
    log(f"written: {HERE / 'RESULTS.md'}, {OUT_DIR / 'latest.json'} (total {doc['total_seconds']:.0f} s)")
    return 0


def _version(dist: str):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return None


if __name__ == "__main__":
    sys.exit(main())
