"""Aggregates over the whole store (server/aggregates.py) are materialised per data version in the background: at the
start and after writes, so that the first visitor after a write does not wait for the national comparison views.
A page that needs one meanwhile computes it once, however many ask at the same time, and a result computed while a
write came is never kept as the new version's."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from conftest import DATA, run_cli
from test_publish import auth, token

from kuntagraph import processes
from kuntagraph.server.aggregates import memo
from kuntagraph.server.app import Settings, create_app
from kuntagraph.store import open_store

G491 = "https://w3id.org/kuntagraph/graph/491"
NEW_NAME = "Mikkelin testikaupunki"


class WatchedStore:
    """The real store; it notes which thread issued each query (pages run in AnyIO's worker threads, the
    materialiser in "aggregates"). Without `path`, work that reads the whole store is done in the server."""

    def __init__(self, store, path=None):
        self._store, self.path = store, path
        self.queries: list[tuple[str, str]] = []  # (thread name, query)

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, sparql):
        self.queries.append((threading.current_thread().name, sparql))
        return self._store.select(sparql)


@pytest.mark.parametrize("own_process", [False, True], ids=["in-the-server", "in-a-process"])
def test_after_a_write_the_comparisons_are_ready_before_anyone_asks(tmp_path, monkeypatch, own_process):
    """In a process of its own for a big on-disk store (here: any size), in a thread of the server otherwise."""
    path = tmp_path / "store"
    assert run_cli("load", DATA, "--store", path).returncode == 0
    admin = token(path, "--admin")
    if own_process:
        monkeypatch.setattr(processes, "OWN_PROCESS_FROM_BYTES", 0)
    store = WatchedStore(open_store(path), path if own_process else None)
    app = create_app(store, Settings(state_dir=str(path)))
    with TestClient(app) as client:
        assert app.state.aggregates.done.wait(60), "the aggregates of the start were not materialised"
        before = client.get("/compare/matrix.json").json()
        assert "Mikkeli" in str(before) and NEW_NAME not in str(before)

        body = (DATA / "491.ttl").read_text(encoding="utf-8")
        assert body.count('"Mikkeli"@fi') == 1
        r = client.put("/store", params={"graph": G491}, content=body.replace('"Mikkeli"@fi', f'"{NEW_NAME}"@fi').encode(),
                       headers={**auth(admin), "content-type": "text/turtle"})
        assert r.status_code in (200, 204), r.text
        assert app.state.aggregates.done.wait(60), "the aggregates of the write were not materialised"
        in_background = [q for thread, q in store.queries if thread == "aggregates"]
        assert bool(in_background) is not own_process, "the aggregates were computed in the wrong place"
        store.queries.clear()
        for path_ in ("/compare/matrix.json", "/compare/products.json", "/compare/reference.json", "/"):
            assert client.get(path_).status_code == 200
        matrix = client.get("/compare/matrix.json").json()
        assert NEW_NAME in str(matrix), "the matrix is of the data before the write"
        by_pages = [q for thread, q in store.queries if thread.startswith("AnyIO worker thread")]
        assert not by_pages, f"a page computed an aggregate itself: {by_pages[0][:200]}"


def test_on_a_big_store_a_page_that_cannot_wait_computes_an_aggregate_in_a_process_of_its_own(tmp_path, monkeypatch):
    """With nothing materialised yet (the materialiser held back), the harvest feed and the matrix are still
    answered, whole, but their aggregates are not computed among the page threads: under load the catalog's listing
    done there waited over a minute for the interpreter lock (the load test's ReadTimeout)."""
    from kuntagraph import catalog
    from kuntagraph.server.aggregates import Materialiser

    path = tmp_path / "store"
    assert run_cli("load", DATA, "--store", path).returncode == 0
    monkeypatch.setattr(processes, "OWN_PROCESS_FROM_BYTES", 0)
    monkeypatch.setattr(Materialiser, "_work", lambda self, version: None)
    store = WatchedStore(open_store(path), path)
    items = {r["item"] for r in store.select(catalog.ITEMS) if not r["g"].endswith("/reference")}
    store.queries.clear()
    app = create_app(store, Settings(state_dir=str(path)))
    with TestClient(app) as client:
        feed = client.get("/catalog", headers={"accept": "text/turtle"})
        assert feed.status_code == 200, feed.text
        assert f"hydra:totalItems {len(items)}" in feed.text or f"totalItems> {len(items)}" in feed.text, feed.text[:2000]
        assert "Mikkeli" in str(client.get("/compare/matrix.json").json())
    by_pages = [q for thread, q in store.queries if not thread.startswith("aggregates")]
    assert catalog.ITEMS not in by_pages, "a page thread read the whole store for the catalog's listing"
    assert by_pages, "the pages issued no query at all: the watch sees nothing"


def test_callers_at_the_same_time_share_one_computation():
    state = SimpleNamespace(data_modified=1.0)
    calls, gate = [], threading.Event()

    def slow():
        calls.append(1)
        gate.wait(10)
        return "value"

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo(state, "k", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    gate.set()
    for t in threads:
        t.join(10)
    assert results == ["value"] * 4 and len(calls) == 1


def test_a_result_computed_while_a_write_came_is_not_kept():
    state = SimpleNamespace(data_modified=1.0)

    def during_a_write():
        state.data_modified = 2.0  # the write lands while the aggregate is being computed
        return "old"

    assert memo(state, "k", during_a_write) == "old"  # the caller gets what it computed
    assert memo(state, "k", lambda: "new") == "new"  # the new version's is computed again
    assert memo(state, "k", lambda: "again") == "new"  # and then kept


def test_a_failed_computation_is_tried_again():
    state = SimpleNamespace(data_modified=1.0)

    def fails():
        raise ConnectionError("the remote store went away")

    try:
        memo(state, "k", fails)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the failure was not raised")
    assert memo(state, "k", lambda: "back") == "back"


def test_a_new_token_computes_again_and_replaces_the_old():
    state = SimpleNamespace(data_modified=1.0)
    assert memo(state, "k", lambda: "step 1", token=1) == "step 1"
    assert memo(state, "k", lambda: "step 2", token=2) == "step 2"
    assert memo(state, "k", lambda: "again", token=2) == "step 2"
    assert [k for k in state._memo if k != "version"] == ["k"]  # one entry, not one per step


def test_a_snapshot_of_an_older_version_is_not_kept_as_the_newer_ones():
    """The materialiser's worker reads a snapshot of the store: what it computes is kept only while the data
    version it was started for is the current one."""
    state = SimpleNamespace(data_modified=2.0)
    computed = []
    assert memo(state, "k", lambda: computed.append(1) or "of version 1", only_at=1.0) is None
    assert not computed
    assert memo(state, "k", lambda: "of version 2", only_at=2.0) == "of version 2"
    assert memo(state, "k", lambda: "again") == "of version 2"


class AwayAtFirst(WatchedStore):
    """The real store, away (as a remote store that went down) for the materialiser's queries until `back` is set."""

    def __init__(self, store):
        super().__init__(store)
        self.back = threading.Event()

    def select(self, sparql):
        if threading.current_thread().name == "aggregates" and not self.back.is_set():
            raise ConnectionError("the store went away")
        return super().select(sparql)


def test_a_failed_run_starts_again_when_a_page_asks(store, monkeypatch):
    """A run that failed is not left failed until the next write: the next page that needs an aggregate starts it
    again (RETRY_AFTER_S after the failure). A run that did not fail is not started again by pages."""
    from kuntagraph.server.aggregates import Materialiser

    monkeypatch.setattr(Materialiser, "RETRY_AFTER_S", 3600)
    away = AwayAtFirst(store)
    app = create_app(away)
    materialiser = app.state.aggregates
    with TestClient(app) as client:
        materialiser.wait(60)
        assert not materialiser.done.is_set(), "the run did not fail"
        away.back.set()
        assert client.get("/compare/matrix.json").status_code == 200  # too soon after the failure: the page computes it
        materialiser.wait(60)
        assert not materialiser.done.is_set(), "a failed run was started again at once"
        monkeypatch.setattr(Materialiser, "RETRY_AFTER_S", 0)
        assert client.get("/compare/products.json").status_code == 200  # late enough: the run starts again
        assert materialiser.done.wait(60), "the failed run was not started again"
        runs = []
        work = materialiser._work
        monkeypatch.setattr(materialiser, "_work", lambda version: runs.append(version) or work(version))
        assert client.get("/compare/reference.json").status_code == 200
        materialiser.wait(60)
        assert not runs, "a page started a run that had not failed"


def test_after_a_write_the_check_validates_only_the_batch_of_the_graph_written(tmp_path, monkeypatch):
    """The §28 check keeps the results of a batch whose graphs and context are unchanged: after a write to one graph
    only its batch is validated again (/metrics counts them), and the scorecards are those of a check from scratch."""
    from kuntagraph import views

    monkeypatch.setattr(views.ComplianceChecker, "BATCH", 4)  # several batches of data/'s graphs
    path = tmp_path / "store"
    assert run_cli("load", DATA, "--store", path).returncode == 0
    admin = token(path, "--admin")
    app = create_app(open_store(path), Settings(state_dir=str(path)))

    def batches(client):
        text = client.get("/metrics").text
        return {o: float(next(line.split()[-1] for line in text.splitlines()
                              if line.startswith(f'kuntagraph_compliance_batches_total{{outcome="{o}"}}')))
                for o in ("validated", "unchanged")}

    with TestClient(app) as client:
        app.state.compliance.wait(120)
        first = batches(client)
        n = int(first["validated"])
        assert n >= 3 and first["unchanged"] == 0, first
        body = (DATA / "491.ttl").read_text(encoding="utf-8").replace('"Mikkeli"@fi', f'"{NEW_NAME}"@fi')
        r = client.put("/store", params={"graph": G491}, content=body.encode(),
                       headers={**auth(admin), "content-type": "text/turtle"})
        assert r.status_code in (200, 204), r.text
        for _ in range(600):
            if client.get("/compare/compliance.json").json()["complete"]:
                break
            time.sleep(0.1)
        after = batches(client)
        assert (after["validated"] - n, after["unchanged"]) == (1, n - 1), after
        kept = client.get("/compare/compliance.json").json()
        fresh, _, _ = views.compliance(app.state.store, "fi")  # a whole check of the same data, from scratch
    assert len(fresh) == len(kept["rows"]) > 10
    assert {c.municipality.iri: {k: dict(v) for k, v in c.counts.items()} for c in fresh} == {
        r["municipality"]: {c: {"violation": r[f"{c}_violations"], "warning": r[f"{c}_warnings"]} for c in views.CHECKS}
        for r in kept["rows"]}
