"""Faults: a server killed with SIGKILL in the middle of writes, a disk that fills up or turns read-only under
the store, and a remote triple store that goes away and comes back. Afterwards every graph is one whole version,
the history agrees with the store, and the service answers; while it lasts, people get words, not a 500."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

import virtuoso
from conftest import BASE, DATA, Server, run_cli
from test_publish import auth, token

G491 = BASE + "graph/491"
BULK = BASE + "graph/491/bulk"
RECORDS = BASE + "graph/records"  # every write's date: it changes with each write, by design
LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"


def bulk(n: int, count: int) -> str:
    """`count` labelled things of Mikkeli, all marked with `n`: which write a graph came from, line by line."""
    return "".join(f'<{BASE}id/491/bulk/{n}/{i}> {LABEL} "kohde {i}"@fi .\n' for i in range(count))


def graphs_of(server) -> dict[str, str]:
    """Every graph the server's store holds, as a digest of its triples (graph/records left out)."""
    from kuntagraph.publish import digest

    by_graph: dict[str, list] = {}
    for q in ox.parse(httpx.get(server.url + "/dumps/all.nq", timeout=120).content, format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(q.graph_name.value, []).append(q.triple)
    return {g: digest(ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES)) for g, ts in by_graph.items() if g != RECORDS}


def history_agrees(server, store: Path, graph: str, admin: str) -> list[dict]:
    """The graph's versions (GET /store/history): the latest is exactly what the store holds, none is left pending."""
    from kuntagraph.publish import digest

    versions = httpx.get(server.url + "/store/history", params={"graph": graph}, headers=auth(admin)).json()["versions"]
    if versions:
        held = httpx.get(server.url + "/store", params={"graph": graph}, headers={"accept": "application/n-triples"})
        latest = httpx.get(server.url + "/store/version", params={"graph": graph, "version": versions[-1]["version"]},
                           headers=auth(admin))
        assert latest.status_code == 200
        assert digest(latest.content) == digest(held.content if held.status_code == 200 else b"")
    assert _pending(store) == []
    return versions


def put(server, graph: str, body: str, admin: str, ctype="application/n-triples", timeout=120) -> httpx.Response:
    return httpx.put(server.url + "/store", params={"graph": graph}, content=body.encode(), timeout=timeout,
                     headers={**auth(admin), "content-type": ctype})


# --- SIGKILL in the middle of writes -------------------------------------------------------------------------

TRIALS, TRIPLES = 20, 3000


def test_sigkill_during_http_writes_leaves_every_graph_whole_and_the_history_true(tmp_path):
    """20 times: a server takes a PUT of a new version of a 3000-triple graph and is killed with SIGKILL, at a random
    moment of the request (odd trials) or while the store is being written (even trials: once the version is recorded
    as pending). After each restart the graph is exactly the old or the new version, the other graphs are as loaded,
    the history's latest version is what the store holds (a version the kill left pending is kept or dropped by
    Publisher.recover()), and the service is ready."""
    store = tmp_path / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    admin = token(store, "--admin")
    server = Server("--store", store)
    try:
        started = time.monotonic()
        assert put(server, BULK, bulk(0, TRIPLES), admin).status_code == 201
        duration = time.monotonic() - started  # the first write of a fresh server, as in each trial
        loaded = {g: d for g, d in graphs_of(server).items() if g != BULK}
        held, rng = 0, random.Random(28)
        seen = {"new": 0, "old": 0, "pending": 0, "recovered": 0, "discarded": 0, "graphs lost": 0}
        for trial in range(1, TRIALS + 1):
            writer = threading.Thread(target=_put_and_ignore_the_kill, args=(server, bulk(trial, TRIPLES), admin))
            writer.start()
            if trial % 2:
                time.sleep(rng.uniform(0.0, duration * 1.2))  # anywhere: receiving, validating, writing, answering
            else:
                _wait_until_pending(store, time.monotonic() + 10 * duration)  # the store is being written now
                time.sleep(rng.uniform(0.0, 0.2))
            os.kill(server.proc.pid, signal.SIGKILL)
            server.proc.wait()
            writer.join()
            pending = [v.version for v in _pending(store) if v.graph == BULK]

            server = Server("--store", store)  # Publisher.recover() settles what the kill left pending
            assert httpx.get(server.url + "/health/ready").status_code == 200
            text = httpx.get(server.url + "/store", params={"graph": BULK}, headers={"accept": "application/n-triples"}).text
            marks = set(re.findall(r"/bulk/(\d+)/", text))
            assert len(marks) == 1 and len(text.strip().splitlines()) == TRIPLES, (trial, marks)  # one version, whole
            now = int(marks.pop())
            assert now in (held, trial), (trial, now, held)
            graphs = graphs_of(server)
            lost = [g for g, d in loaded.items() if graphs.get(g) != d]
            seen["graphs lost"] += len(lost)
            assert not lost, (trial, lost)
            versions = history_agrees(server, store, BULK, admin)
            seen["new" if now == trial else "old"] += 1
            if pending:
                seen["pending"] += 1
                recovered = now == trial and versions[-1]["version"] == pending[0]
                seen["recovered" if recovered else "discarded"] += 1
            held = now
    finally:
        server.stop()
    print(f"\n{TRIALS} SIGKILLs during PUTs of {TRIPLES} triples: {seen}")
    assert seen["pending"] >= 1  # kills did fall between the version's record and the store's commit


def _pending(store: Path) -> list:
    from kuntagraph.auth import connect, state_path
    from kuntagraph.history import History

    db = connect(state_path(store))
    try:
        return History(db).pending()
    finally:
        db.close()


def _wait_until_pending(store: Path, deadline: float):
    while not _pending(store) and time.monotonic() < deadline:
        time.sleep(0.005)


def _put_and_ignore_the_kill(server, body: str, admin: str):
    try:
        put(server, BULK, body, admin)
    except httpx.HTTPError:
        pass


# --- a full or read-only disk under the store -------------------------------------------------------------------

class SmallDisk:
    """A real ext4 filesystem of a few megabytes on a loop device, mounted under tmp_path: filled up with a file,
    or turned read-only the way a failing disk is (errors=remount-ro, after an error raised through ext4's sysfs)."""

    def __init__(self, tmp_path: Path, mb: int = 48):
        if os.geteuid() != 0:
            pytest.skip("mounting a small filesystem on a loop device needs root (make test runs as root in CI)")
        for tool in ("losetup", "mkfs.ext4", "e2fsck", "mount", "umount"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} is not installed (util-linux, e2fsprogs): it makes the small disk")
        self.image, self.mnt = tmp_path / "disk.img", tmp_path / "disk"
        self.mnt.mkdir()
        with open(self.image, "wb") as f:
            f.truncate(mb * 2**20)
        _run("mkfs.ext4", "-q", "-F", "-m", "0", self.image)
        made = subprocess.run(["losetup", "-f", "--show", str(self.image)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"no loop device: losetup says {made.stderr.strip()!r}")
        self.device = made.stdout.strip()
        self.mounted = False
        self.mount()

    def mount(self):
        mounted = subprocess.run(["mount", "-o", "errors=remount-ro", self.device, str(self.mnt)], capture_output=True, text=True)
        if mounted.returncode != 0:
            self.close()
            pytest.skip(f"cannot mount a loop device here: mount says {mounted.stderr.strip()!r}")
        self.mounted = True

    def fill(self, leave: int = 0):
        """Fill the disk to the last byte, then give back `leave` bytes."""
        fd = os.open(self.mnt / "filler", os.O_WRONLY | os.O_CREAT)
        chunk = 2**20
        while chunk:
            try:
                os.write(fd, bytes(chunk))
            except OSError:
                chunk //= 2
        os.fsync(fd)
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave))
        os.fsync(fd)
        os.close(fd)

    def free(self):
        (self.mnt / "filler").unlink()

    def turn_read_only(self):
        """What ext4 does on a disk error with errors=remount-ro: no more writes, even to files already open."""
        trigger = Path("/sys/fs/ext4") / Path(self.device).name / "trigger_fs_error"
        if not trigger.exists():
            pytest.skip(f"this kernel has no {trigger}: ext4 cannot be made to fail on purpose here")
        os.sync()  # what was written so far is on the disk, as on a disk that ran well until now
        trigger.write_text("kuntagraph test: the disk turns read-only\n")
        with pytest.raises(OSError):
            (self.mnt / "probe").write_text("x")

    def repair(self):
        """What the operator does: unmount, check the filesystem, mount it again."""
        self.unmount()
        checked = subprocess.run(["e2fsck", "-f", "-y", self.device], capture_output=True, text=True)
        assert checked.returncode in (0, 1), checked.stdout + checked.stderr  # 1: errors corrected
        self.mount()

    def unmount(self):
        for _ in range(50):  # a process that just ended may still hold it for a moment
            if subprocess.run(["umount", str(self.mnt)], capture_output=True).returncode == 0:
                self.mounted = False
                return
            time.sleep(0.2)
        raise AssertionError(f"{self.mnt} stays busy")

    def close(self):
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.mnt)])
        subprocess.run(["losetup", "-d", self.device])


def _run(*args):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def disk(tmp_path):
    d = SmallDisk(tmp_path)
    yield d
    d.close()


@pytest.fixture
def published(disk, tmp_path):
    """The data loaded into a store on the small disk, an admin credential, and a new version of Mikkeli's graph
    (a 5000-triple Turtle file: larger than what the disk has left in the `nearly` case, so the store fails, not
    the history beside it)."""
    store = disk.mnt / "store"
    assert run_cli("load", DATA, "--store", store).returncode == 0
    new = tmp_path / "491.ttl"
    new.write_text((DATA / "491.ttl").read_text(encoding="utf-8") + "\n" + bulk(1, 5000), encoding="utf-8")
    return store, token(store, "--admin"), new


def history_of_a_write(server, store: Path, admin: str) -> list[dict]:
    """Mikkeli's graph written once (as it is): its history then has the loaded version and this one."""
    same = (DATA / "491.ttl").read_text(encoding="utf-8")
    assert put(server, G491, same, admin, "text/turtle").status_code == 200
    history = history_agrees(server, store, G491, admin)
    assert [v["action"] for v in history] == ["initial", "put"]
    return history


def refused_in_words(r: httpx.Response, status: int, code: str):
    assert r.status_code == status, r.text[:500]
    body = r.json()
    assert body["error"] == code and body["message"]["fi"] and body["message"]["en"]
    return body["message"]["en"]


def cli_refuses_in_one_line(store: Path, new: Path, words: str):
    r = run_cli("load", new, "--store", store)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert words in lines[0] and str(store) in lines[0], lines[0]


def unchanged_then_written(store: Path, admin: str, new: Path, before: dict, history: list):
    """After the disk is fixed: the store opens, every graph is as it was, the history agrees; a retry succeeds."""
    server = Server("--store", store)
    try:
        assert httpx.get(server.url + "/health/ready").status_code == 200
        assert graphs_of(server) == before
        assert history_agrees(server, store, G491, admin) == history
        assert put(server, G491, new.read_text(encoding="utf-8"), admin, "text/turtle").status_code == 200
        assert "/bulk/1/4999>" in httpx.get(server.url + "/store", params={"graph": G491}).text
        history_agrees(server, store, G491, admin)
    finally:
        server.stop()
    assert run_cli("load", new, "--store", store).returncode == 0  # and so does the command line


@pytest.mark.parametrize("leave", [0, 2**20], ids=["full", "nearly-full"])
def test_a_full_disk_refuses_the_write_in_words_and_corrupts_nothing(disk, published, leave):
    store, admin, new = published
    server = Server("--store", store)
    try:
        before, history = graphs_of(server), history_of_a_write(server, store, admin)
        disk.fill(leave)
        r = put(server, G491, new.read_text(encoding="utf-8"), admin, "text/turtle")
        assert "disk is full" in refused_in_words(r, 507, "disk-full")
        assert graphs_of(server) == before
        assert httpx.get(server.url + "/health/ready").status_code == 200  # reading goes on
        assert httpx.get(server.url + "/id/491", headers={"accept": "text/html"}).status_code == 200
    finally:
        server.stop()
    server.log.seek(0)
    assert "the disk is full" in server.log.read()  # and the operator's line is in the server's log
    cli_refuses_in_one_line(store, new, "the disk is full")
    disk.free()
    unchanged_then_written(store, admin, new, before, history)


def test_a_read_only_disk_refuses_the_write_in_words_and_corrupts_nothing(disk, published):
    store, admin, new = published
    server = Server("--store", store)
    try:
        before, history = graphs_of(server), history_of_a_write(server, store, admin)
        disk.turn_read_only()
        r = put(server, G491, new.read_text(encoding="utf-8"), admin, "text/turtle")
        assert "read-only" in refused_in_words(r, 503, "disk-read-only")
        assert graphs_of(server) == before
        assert httpx.get(server.url + "/health/ready").status_code == 200
    finally:
        server.stop()
    cli_refuses_in_one_line(store, new, "the disk is read-only")
    disk.repair()
    unchanged_then_written(store, admin, new, before, history)


# --- a remote store that goes away ------------------------------------------------------------------------------

# Each asks the store (the home page would not: it is kept per data version, and stays up while the store is down).
DOWN = {"/id/491": "text/html", "/search?q=kirjasto": "text/html", "/catalog": "text/turtle",
        "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D": "application/sparql-results+json",
        "/health/ready": "application/json"}


def test_a_remote_store_that_goes_away_gives_503_in_words_and_comes_back(monkeypatch):
    virtuoso.require()
    vt = virtuoso.Virtuoso()
    try:
        with monkeypatch.context() as m:
            for k, v in vt.env().items():
                m.setenv(k, v)
            server = Server("--endpoint", vt.endpoint, timeout=300)  # an empty Virtuoso: the server loads the data into it
        try:
            _wait_for_the_compliance_check(server)  # pages show its progress: they change until it is done
            get = lambda path: httpx.get(server.url + path, headers={"accept": DOWN.get(path, "*/*")}, timeout=60)  # noqa: E731
            up = {path: get(path) for path in DOWN}
            assert {path: r.status_code for path, r in up.items()} == {path: 200 for path in DOWN}
            vt.halt()
            for path in DOWN:
                if path == "/health/ready":
                    continue
                r = get(path)
                assert r.status_code == 503 and r.headers["retry-after"], (path, r.status_code, r.text[:300])
                assert "Yritä hetken kuluttua uudelleen" in r.text and "Try again shortly" in r.text, path
            ready = get("/health/ready")
            assert ready.status_code == 503 and f"the triple store at {vt.endpoint} does not answer" in ready.json()["message"]
            assert get("/health").status_code == 200  # alive: a supervisor must not restart it for this
            vt.start()  # the same port and database
            for path in DOWN:
                r = get(path)
                assert r.status_code == 200, (path, r.status_code, r.text[:300])
                assert r.text == up[path].text, path
        finally:
            server.stop()
    finally:
        vt.stop()


def _wait_for_the_compliance_check(server):
    for _ in range(600):
        if httpx.get(server.url + "/compare/compliance.json", timeout=60).json()["complete"]:
            return
        time.sleep(0.2)
    raise AssertionError("the background §28 check did not finish in 2 minutes")



def test_a_check_whose_store_does_not_answer_never_reads_as_complete(monkeypatch):
    # Until the background §28 check has counted the graphs it has checked 0 of them: it must not say "0 of 0,
    # complete", or every scorecard would read "nothing missing". Here the store goes away before it can count.
    from kuntagraph.store import open_store
    from kuntagraph.remote import StoreUnavailable
    from kuntagraph.views import ComplianceChecker, compliance

    virtuoso.require()
    vt = virtuoso.Virtuoso()
    try:
        for k, v in vt.env().items():
            monkeypatch.setenv(k, v)
        store = open_store(endpoint=vt.endpoint)
        store.load_defaults()
        vt.halt()
        checker = ComplianceChecker(store)
        checker.ensure("v1")
        assert checker.progress() == (0, None)
        checker.wait(60)
        assert checker.progress() == (0, None)  # stopped, and still not complete
        with pytest.raises(StoreUnavailable):
            compliance(store, "fi", checker)  # the page cannot list the municipalities either: a 503
        vt.start()
        checker.ensure("v1")  # the check had stopped: the same version starts again when a page asks for it
        checker.wait(120)
        cards, done, total = compliance(store, "fi", checker)
        described = [g for g in store.graphs() if g != store.iris.graph("ontology") and not g.startswith(store.iris.graph("vocab/"))]
        assert done == total == len(described) >= 14 and any(c.status("28.4") == "warn" for c in cards)
    finally:
        vt.stop()
