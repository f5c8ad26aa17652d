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

    def __init__(self, *extra, timeout: float = 60):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The log goes to a file, not a pipe nobody reads (a full pipe would block the server).
        self.log = tempfile.NamedTemporaryFile("w+", prefix="kuntagraph-server-", suffix=".log")
        self.proc = subprocess.Popen([*CLI, "serve", "--port", str(self.port), *map(str, extra)], cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("server exited:\n" + self.log.read())
            try:
                if httpx.get(self.url + "/health/ready", timeout=10).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout:g} s")

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
    """n times as many municipalities as data/ has, made by kuntagraph.generate at a small scale:
    more municipalities of the same shape, for checking that work per page does not grow with their number.
    Returns (graph IRI, triples) pairs, the long-tail product scheme's graph included."""
    from kuntagraph.generate import generated_graphs

    return generated_graphs(n * shipped_municipalities(), scale=0.05)


def shipped_municipalities() -> int:
    """How many kg:Municipality the store holds once data/ is loaded (a municipality may span several files)."""
    from kuntagraph.store import open_store

    store = open_store()
    store.load_defaults()
    return len(store.select("SELECT DISTINCT ?m WHERE { ?m a kg:Municipality }"))


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
