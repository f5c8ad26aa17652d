"""The SPARQL endpoint's queries, run within their deadline by a bounded number of workers.

pyoxigraph cannot cancel a query. In a thread, a query abandoned at its deadline would go on holding a core and
a slot until it ends by itself, which for a cross join is never: four such queries would stop the endpoint for
good. So on the embedded store each query runs in a worker process, and a worker still busy at the deadline is
killed and replaced. Workers open the on-disk store read-only (RocksDB lets readers open it beside the writer)
and open it again after each write. A worker idle for IDLE_CLOSE_S closes the store: the idle ones no longer hold
RocksDB's caches (about 100 MB each at national scale) nor files of the store that the writer has since compacted
away. An in-memory store never changes (writes need --store), so it is copied once to a private directory for them.

A remote store needs none of this: the SPARQL server enforces its own limits and the HTTP request can be
abandoned; its queries run in threads, as many at once as there are slots.
"""

import os
import queue
import shutil
import tempfile
import threading
import time

from .memory import give_back
from .processes import SPAWN, exit_with_parent
from .store import Answer, OxigraphStore, QueryError, QueryTimeout, ResultTooLarge, Store

# What a worker may send back instead of an answer: the exception to raise in the server, by name.
_ERRORS = {e.__name__: e for e in (QueryError, QueryTimeout, ResultTooLarge)}
# A worker gets this much past the deadline to send what it has before it is killed (it checks the deadline
# itself while it serialises a streaming answer, and that answer is a clean QueryTimeout).
GRACE_S = 0.25
# A worker idle this long closes its view of the store; its next query opens it again (40 ms at national scale).
IDLE_CLOSE_S = 600.0


class WorkerLost(Exception):
    """A worker process ended without answering (killed from outside, or out of memory)."""


class WorkersStarting(Exception):
    """The workers are not ready yet: an in-memory store is being copied for them (half a minute at 309
    municipalities). The query is refused with a 503 and Retry-After rather than charged for the start."""


def query_runner(store: Store, workers: int):
    """The runner for this store: worker processes for the embedded store, threads for a remote one."""
    return QueryPool(store, workers) if isinstance(store, OxigraphStore) else QuerySlots(store, workers)


class QuerySlots:
    """At most `workers` queries at once, each in the calling thread (for a remote store)."""

    killed = 0  # nothing to kill: a remote query ends with its HTTP request
    ready = True

    def __init__(self, store: Store, workers: int):
        self.store, self.slots = store, threading.BoundedSemaphore(workers)

    def start_soon(self):
        pass

    def execute(self, sparql: str, *, deadline: float, **kw) -> Answer:
        if not self.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise QueryTimeout()
        try:
            return self.store.execute(sparql, deadline=deadline, **kw)
        finally:
            self.slots.release()

    def changed(self):
        pass

    def close(self):
        pass


class QueryPool:
    """`workers` processes, each running one query at a time on a read-only view of the store."""

    def __init__(self, store: OxigraphStore, workers: int, idle_close_s: float = IDLE_CLOSE_S):
        self.store, self.size, self.idle_close_s = store, workers, idle_close_s
        self.version = 0  # bumped by changed(); a worker reopens the store when its version is older
        # The idle worker used last goes first: its caches of the store are the warm ones (in turn, each query met
        # a worker whose caches the three before it had not warmed: analyst queries took 1.9x raw pyoxigraph, now 1.05x).
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = False
        self._copy = None  # the private copy of an in-memory store
        self.killed = 0  # workers stopped at a deadline, for /metrics

    @property
    def ready(self) -> bool:
        return self._started

    def start_soon(self):
        """Start the workers in the background (the server calls this when it starts): a copy of an in-memory
        store takes long enough that the first query would otherwise time out waiting for it."""
        threading.Thread(target=self._start, daemon=True, name="query-workers").start()

    def _start(self):
        with self._lock:
            if self._started:
                return
            path = self.store.path
            if path is None:
                self._copy = tempfile.mkdtemp(prefix="kuntagraph-queries-")
                path = os.path.join(self._copy, "store")
                self.store.copy_to(path)
            self.path = str(path)
            for _ in range(self.size):
                self._idle.put(self._spawn())
            self._started = True

    def _spawn(self) -> "_Worker":
        return _Worker(self.path, self.idle_close_s)

    def execute(self, sparql: str, *, deadline: float, **kw) -> Answer:
        if not self._started:
            if self._lock.locked():  # being started: a copy can take longer than any query's deadline
                raise WorkersStarting()
            self._start()
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout() from None
        try:
            status, value = worker.ask((self.version, sparql, dict(kw, deadline=deadline)), deadline + GRACE_S)
        except (QueryTimeout, WorkerLost):
            worker.kill()
            self.killed += 1
            worker = self._spawn()
            raise QueryTimeout() from None
        finally:
            self._idle.put(worker)
        if status == "ok":
            return value
        raise _ERRORS[status](value)

    def changed(self):
        """After a write: the next query of each worker opens the store again, to see it."""
        self.version += 1

    def close(self):
        with self._lock:
            while True:
                try:
                    self._idle.get_nowait().kill()
                except queue.Empty:
                    break
            if self._copy:
                shutil.rmtree(self._copy, ignore_errors=True)
                self._copy = None
            self._started = False


class _Worker:
    def __init__(self, path: str, idle_close_s: float):
        self.conn, child = SPAWN.Pipe()
        self.process = SPAWN.Process(target=_serve, args=(child, path, os.getpid(), idle_close_s), daemon=True)
        self.process.start()
        child.close()

    def ask(self, request, until: float):
        try:
            self.conn.send(request)
            if not self.conn.poll(max(0.0, until - time.monotonic())):
                raise QueryTimeout()
            return self.conn.recv()
        except (EOFError, OSError):
            raise WorkerLost() from None

    def kill(self):
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _serve(conn, path: str, parent: int, idle_close_s: float):
    """A worker's loop: open the store read-only, answer queries, reopen it when the data version moves on, close
    it when idle."""
    exit_with_parent(parent)
    store, version = None, None
    while True:
        try:
            if store is not None and not conn.poll(idle_close_s):
                store, version = None, None
                give_back()  # what RocksDB's caches of the store took
                continue
            want, sparql, kw = conn.recv()
        except (EOFError, OSError):
            return
        if want != version:
            store, version = OxigraphStore(path, read_only=True), want
        try:
            reply = ("ok", store.execute(sparql, **kw))
        except (QueryError, QueryTimeout, ResultTooLarge) as e:
            reply = (type(e).__name__, str(e))
        conn.send(reply)
        reply = None  # not held while idle
