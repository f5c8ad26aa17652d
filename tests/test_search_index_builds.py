"""The search index is built in the background (server/find.py, SearchIndexes): at the start and after each write,
never inside a page. At national scale a build takes a minute or more; until the first index exists a search is a 503
in words, and while the next one is built the previous one answers, with a notice and Cache-Control: no-store.

A build is made slow here by a gate on the real embedded store's full-store reads (Store.statements: only the index
build reads the whole store that way), so that the test sees each state for as long as it needs."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from conftest import DATA, run_cli
from test_publish import auth, token

from kuntagraph.server import find
from kuntagraph.server.app import Settings, create_app
from kuntagraph.server.find import SearchIndexBuilding, SearchIndexes
from kuntagraph.views import AfterWrites
from kuntagraph.store import open_store

G491 = "https://w3id.org/kuntagraph/graph/491"
OLD_LABEL = "Kirjaston asiakas- ja kokoelmatiedot (LUMME-kirjastojen Koha)"
NEW_WORD = "Vesihuoltolaitoksen"


class GatedStore:
    """The real store; its row-by-row reads of the whole store wait while the gate is shut. It has no `path`, so
    that the index is built here, through the gate: an on-disk store's is otherwise built in a process of its own
    that reads the store directly (find.build; test_a_stopping_server_does_not_wait_for_an_index_build)."""

    path = None

    def __init__(self, store):
        self._store, self._gate = store, threading.Event()
        self._gate.set()
        self.reads = 0
        self.fail: Exception | None = None

    def __getattr__(self, name):
        return getattr(self._store, name)

    def shut(self):
        self._gate.clear()

    def open(self):
        self._gate.set()

    def statements(self, *args, **kw):
        self.reads += 1
        assert self._gate.wait(120), "the gate stayed shut"
        if self.fail:
            raise self.fail
        return self._store.statements(*args, **kw)


def test_a_search_waits_for_the_new_index_and_then_answers_from_the_previous_one(store):
    gated = GatedStore(store)
    indexes = SearchIndexes(gated)
    first, fresh = indexes.get("version 1")
    assert fresh and indexes.ready and first.search("kirjasto").total > 0
    gated.shut()
    started = time.monotonic()
    index, fresh = indexes.get("version 2", wait=0.3)
    assert index is first and not fresh and time.monotonic() - started >= 0.3
    gated.open()
    index, fresh = indexes.get("version 2")
    assert fresh and index is not first
    assert [h.iri for h in index.search("kirjasto").hits] == [h.iri for h in first.search("kirjasto").hits]


def test_a_request_that_read_the_version_before_a_write_takes_the_newer_index(store):
    gated = GatedStore(store)
    indexes = SearchIndexes(gated)
    first, _ = indexes.get(1.0)
    second, fresh = indexes.get(2.0)
    assert fresh and second is not first
    gated.shut()
    reads = gated.reads
    index, fresh = indexes.get(1.0, wait=0)
    assert index is second and fresh
    assert gated.reads == reads  # no build of an older version was started
    gated.open()


def test_a_burst_of_writes_makes_one_build_and_a_search_does_not_wait_for_the_quiet(store, monkeypatch):
    monkeypatch.setattr(AfterWrites, "QUIET", 1.0)
    gated = GatedStore(store)
    indexes = SearchIndexes(gated)
    first, _ = indexes.get(1.0)
    reads = gated.reads  # what one build reads
    for version in range(2, 10):  # 8 writes 0.2 s apart: longer than QUIET in all, each closer than QUIET to the last
        indexes.ensure(float(version), after_write=True)
        time.sleep(0.2)
    assert gated.reads == reads  # nothing built yet: the writes went on
    assert until(lambda: indexes.get(1.0, wait=0)[0] is not first)  # then, QUIET after the last write, one build
    index, fresh = indexes.get(9.0, wait=0)
    assert fresh and gated.reads == 2 * reads  # of the newest version, for the eight writes

    monkeypatch.setattr(AfterWrites, "QUIET", 60.0)
    indexes.ensure(10.0, after_write=True)
    started = time.monotonic()
    index, fresh = indexes.get(10.0, wait=30)  # a search builds it now, not in a minute
    assert fresh and time.monotonic() - started < 30 and gated.reads == 3 * reads


def test_writes_that_never_pause_still_get_a_build(store, monkeypatch):
    monkeypatch.setattr(AfterWrites, "QUIET", 1.0)
    monkeypatch.setattr(AfterWrites, "LONGEST", 1.5)
    gated = GatedStore(store)
    indexes = SearchIndexes(gated)
    first, _ = indexes.get(1.0)
    reads, version, started = gated.reads, 2.0, time.monotonic()
    while gated.reads == reads and time.monotonic() - started < 30:  # a write every 0.2 s, until a build starts
        indexes.ensure(version, after_write=True)
        version += 1
        time.sleep(0.2)
    assert gated.reads > reads and time.monotonic() - started < 10  # LONGEST after the first write, not never


def until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_failed_build_is_reported_and_the_next_search_builds_again(store):
    gated = GatedStore(store)
    gated.fail = RuntimeError("the triple store does not answer")
    indexes = SearchIndexes(gated)
    with pytest.raises(RuntimeError, match="does not answer"):
        indexes.get(1.0)
    assert not indexes.ready
    gated.fail = None
    index, fresh = indexes.get(1.0)
    assert fresh and indexes.ready and index.search("kirjasto").total > 0


def test_no_index_yet_is_said_so():
    gated = GatedStore(open_store())
    gated.load_defaults()
    gated.shut()
    indexes = SearchIndexes(gated)
    with pytest.raises(SearchIndexBuilding):
        indexes.get("version 1", wait=0.2)
    assert not indexes.ready
    gated.open()
    assert indexes.get("version 1")[1] and indexes.ready


def _search(client, q, **params):
    return client.get("/search", params={"q": q, **params}, headers={"accept": "text/html"})


def test_through_http_a_503_before_the_first_index_and_the_previous_index_with_a_notice_after_a_write(tmp_path, monkeypatch):
    monkeypatch.setattr(find.SearchIndexes, "WAIT", 0.5)
    path = tmp_path / "store"
    assert run_cli("load", DATA, "--store", path).returncode == 0
    admin = token(path, "--admin")
    gated = GatedStore(open_store(path))
    gated.shut()
    app = create_app(gated, Settings(state_dir=str(path)))
    with TestClient(app) as client:
        # Before the first index: a 503 in words, with Retry-After, never kept by the page cache; not ready.
        for _ in range(2):
            r = _search(client, "kirjasto")
            assert r.status_code == 503 and r.headers["retry-after"] == "30", r.text
            assert "Hakua valmistellaan" in r.text and "Search is being prepared" in r.text and "Sökningen" in r.text
        assert client.get("/finder", params={"q": "kirjasto"}).status_code == 503
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["message"] == "the search index is being built"
        gated.open()
        for _ in range(600):
            if client.get("/health/ready").status_code == 200:
                break
            time.sleep(0.1)
        before = _search(client, "kirjasto")
        assert before.status_code == 200 and "is being updated" not in _search(client, "kirjasto", lang="en").text
        assert client.get("/search.json", params={"q": NEW_WORD}).json()["total"] == 0

        # A write while the next build cannot finish: the previous index answers, says so, and is not kept.
        gated.shut()
        body = (DATA / "491.ttl").read_text(encoding="utf-8").replace(OLD_LABEL, f"{NEW_WORD} asiakastiedot")
        assert OLD_LABEL not in body
        r = client.put("/store", params={"graph": G491}, content=body.encode(),
                       headers={**auth(admin), "content-type": "text/turtle"})
        assert r.status_code in (200, 204), r.text
        stale = _search(client, NEW_WORD, lang="en")
        assert stale.status_code == 200 and "The search index is being updated after the latest change" in stale.text
        assert stale.headers["cache-control"] == "no-store"
        assert "Hakemistoa päivitetään" in _search(client, NEW_WORD).text
        as_json = client.get("/search.json", params={"q": NEW_WORD}).json()
        assert as_json["up_to_date"] is False and as_json["total"] == 0

        # Once built, the same URL answers from the new index (the stale answer was not kept).
        gated.open()
        for _ in range(600):
            fresh = client.get("/search.json", params={"q": NEW_WORD}).json()
            if fresh["up_to_date"]:
                break
            time.sleep(0.1)
        assert fresh["up_to_date"] is True and fresh["total"] >= 1
        assert any(NEW_WORD in h["label"] for h in fresh["rows"])
        page = _search(client, NEW_WORD, lang="en")
        assert "is being updated" not in page.text and NEW_WORD in page.text and "no-store" not in page.headers.get("cache-control", "")


def test_a_stopping_server_does_not_wait_for_an_index_build(tmp_path):
    """An on-disk store's index is built in a process of its own (find.build), as the §28 check and the queries run
    in theirs. A server told to stop during a build stops at once, and no process of its outlives it."""
    import signal
    import subprocess

    import httpx

    from conftest import CLI, ROOT, free_port

    data, path = tmp_path / "data", tmp_path / "store"
    assert run_cli("generate", "--municipalities", 80, "--out", data, "--seed", 3).returncode == 0
    assert run_cli("load", data, "--store", path, "--bulk", "--skip-validation").returncode == 0  # a build of ~10 s
    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen([*CLI, "serve", "--port", str(port), "--store", str(path)], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        message = None
        for _ in range(600):  # until the server answers, with the query workers started and the index being built
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
                message = ready.json().get("message")
                if message != "the SPARQL query workers are starting":
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        assert message == "the search index is being built", message  # the build takes longer than the start
        # The build holds a core, but not the server's: its process does the work. RocksDB's own threads are not
        # counted: after a bulk load the store compacts its files when the server first opens it.
        before = _python_cpu_seconds(server.pid)
        time.sleep(2)
        assert _python_cpu_seconds(server.pid) - before < 0.6, "the index is built in the server's own process"
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5).json()["message"] == message
        children = _children(server.pid)
        assert len(children) >= 2, children  # the query workers and the builder, at least
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        assert time.monotonic() - started < 5, "the server waited for the build"
        for _ in range(50):
            if not any(_alive(p) for p in children):
                break
            time.sleep(0.1)
        assert not [p for p in children if _alive(p)], "processes outlived the server"
    finally:
        if server.poll() is None:
            server.kill()


def _python_cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of a process's threads but RocksDB's (from /proc)."""
    import os
    from pathlib import Path

    total = 0
    for thread in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (thread / "comm").read_text().startswith("rocksdb"):
                continue
            fields = (thread / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a thread that ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    """Running: a process that ended but was not yet reaped (a zombie) is not."""
    from pathlib import Path

    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return found
