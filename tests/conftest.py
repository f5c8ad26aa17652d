import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
KG = "https://w3id.org/kuntagraph/def#"
BASE = "https://w3id.org/kuntagraph/"
CLI = [sys.executable, "-m", "kuntagraph.cli"]
LUMME_CODES = ["046", "090", "171", "491", "507", "593", "740", "915"]


def run_cli(*args, cwd=ROOT, timeout=120):
    """Run the real `kuntagraph` command; returns the CompletedProcess (text)."""
    return subprocess.run([*CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real `kuntagraph serve` process on 127.0.0.1."""

    def __init__(self, *extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The log goes to a file, not a pipe nobody reads (a full pipe would block the server).
        self.log = tempfile.NamedTemporaryFile("w+", prefix="kuntagraph-server-", suffix=".log")
        self.proc = subprocess.Popen([*CLI, "serve", "--port", str(self.port), *map(str, extra)], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("server exited:\n" + self.log.read())
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start in 60 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def store():
    """The embedded store with the default data, through the Python API."""
    from kuntagraph.store import open_store

    s = open_store()
    s.load_defaults()
    return s


def validate_json(*paths, lang="en"):
    r = run_cli("validate", *paths, "--format", "json", "--lang", lang)
    return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r


def synthetic_copies(n: int):
    """n renamed copies of each municipality graph in data/ (IRIs id/491 -> id/x001-491): more municipalities
    of the same shape, for checking that work per page does not grow with their number."""
    import pyoxigraph as ox

    out = []
    for path in sorted(DATA.glob("*.ttl")):
        if path.stem in ("reference", "lumme"):
            continue
        text = path.read_text(encoding="utf-8")
        for i in range(1, n + 1):
            key = f"x{i:03d}-{path.stem}"
            copy = text.replace(f"{BASE}id/{path.stem}", f"{BASE}id/{key}").replace(f"id:{path.stem} ", f"<{BASE}id/{key}> ")
            copy = copy.replace(f'dcterms:identifier "{path.stem}"', f'dcterms:identifier "{key}"')
            triples = [q.triple for q in ox.parse(copy.encode(), format=ox.RdfFormat.TURTLE)]
            out.append((f"{BASE}graph/{key}", triples))
    return out


class CountingStore:
    """Wraps a Store and counts the queries it is asked (the N+1 check)."""

    QUERIES = ("select", "ask", "execute", "dump")

    def __init__(self, store):
        self._store, self.calls = store, []

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name in self.QUERIES:
            def counted(*a, **kw):
                self.calls.append(name)
                return attr(*a, **kw)
            return counted
        return attr
