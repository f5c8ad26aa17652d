"""Checkpoints of an on-disk store (kuntagraph.checkpoints), through the store interface: a reader in another
process gets an immutable copy with every write made before it asked; a copy stays while any process holds it and
goes once a newer one exists and nobody does; what a killed server left behind goes at the next start."""

import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox

from kuntagraph import checkpoints
from kuntagraph.store import OxigraphStore

G = "https://w3id.org/kuntagraph/graph/test-checkpoints"
HOLD = """import sys, time
from kuntagraph.checkpoints import Hold
hold = Hold(sys.argv[1])
print("held", flush=True)
time.sleep(600)
"""


def triples(n: int) -> list:
    return [ox.Triple(ox.NamedNode(f"urn:x-test:s{i}"), ox.NamedNode("urn:x-test:p"), ox.Literal(str(n))) for i in range(n)]


def count_in(path: str) -> int:
    """The graph's size in the checkpoint at `path`, read by another process, as the query workers do."""
    code = f"import pyoxigraph as ox; s = ox.Store.read_only({path!r}); print(len(list(s.quads_for_pattern(None, None, None, ox.NamedNode({G!r})))))"
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def names(store) -> set[str]:
    return {p.name for p in (store.path / checkpoints.DIRECTORY).iterdir()}


def held_elsewhere(path: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, path], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_checkpoint_holds_every_write_before_it_and_goes_when_nobody_holds_it(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(G, triples(3))
    with store.checkpoint() as first:
        assert count_in(first) == 3
        with store.checkpoint() as again:
            assert again == first  # no write in between: the same one
        store.replace_graph(G, triples(5))
        with store.checkpoint() as second:
            assert second != first and count_in(second) == 5
            assert count_in(first) == 3  # the older one is unchanged, and still there while leased
    holder = held_elsewhere(second)  # another process has the newest open
    try:
        store.replace_graph(G, triples(7))
        with store.checkpoint() as third:
            assert count_in(third) == 7
        time.sleep(checkpoints.SWEEP_EVERY_S)
        with store.checkpoint():
            pass
        left = names(store)
        assert os.path.basename(first) not in left, "a checkpoint nobody holds was kept"
        assert os.path.basename(second) in left, "a checkpoint another process holds was removed"
    finally:
        holder.send_signal(signal.SIGKILL)  # the kernel lets go of a killed process's lock
        holder.wait()
    time.sleep(checkpoints.SWEEP_EVERY_S)
    with store.checkpoint():
        pass
    assert names(store) == {os.path.basename(third), os.path.basename(third) + ".lock"}


def test_what_a_killed_server_left_behind_goes_at_the_next_start(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(G, triples(2))
    with store.checkpoint():
        pass
    (tmp_path / "store" / checkpoints.DIRECTORY / "99").mkdir()  # half made: no lock file
    del store  # as if the server was killed: nothing swept
    store = OxigraphStore(tmp_path / "store")
    with store.checkpoint() as new:
        assert count_in(new) == 2
    assert names(store) == {os.path.basename(new), os.path.basename(new) + ".lock"}  # the old one and the half-made one gone


def test_a_compound_write_is_in_a_checkpoint_whole_or_not_at_all(tmp_path):
    """A checkpoint asked for while a write of two graphs is under way (a graph and its record) waits for it."""
    import threading

    store = OxigraphStore(tmp_path / "store")
    other = G + "-record"
    started, paths = threading.Event(), []

    def ask():
        started.wait()
        with store.checkpoint() as path:
            paths.append(path)

    reader = threading.Thread(target=ask)
    reader.start()
    with store.writing():
        store.replace_graph(G, triples(4))
        started.set()
        time.sleep(0.3)  # the reader asks meanwhile
        store.replace_graph(other, triples(4))
    reader.join()
    code = (f"import pyoxigraph as ox; s = ox.Store.read_only({paths[0]!r}); "
            f"print(sorted(g.value for g in s.named_graphs()))")
    graphs = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert G in graphs and other in graphs
