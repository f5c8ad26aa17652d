"""The SPARQL endpoint's queries, run within their deadline by a bounded number of workers.

pyoxigraph cannot cancel a query. In a thread, a query abandoned at its deadline would go on holding a core and
a slot until it ends by itself, which for a cross join is never: four such queries would stop the endpoint for
good. So on the embedded store each query runs in a worker process, and a worker still busy at the deadline is
killed and replaced. A worker never opens the store the server writes (undefined behaviour in pyoxigraph): each
query is sent with the checkpoint it is to read (kuntagraph.checkpoints), the newest, holding every write made
before the query came, and a worker opens a checkpoint read-only when it is not the one it has open. A worker idle
for IDLE_CLOSE_S closes it: the idle ones no longer hold RocksDB's caches (about 100 MB each at national scale)
nor keep an old checkpoint on disk. An in-memory store never changes (writes need --store), so it is copied once
to a private directory for them.

A remote store needs none of this: the SPARQL server enforces its own limits and the HTTP request can be
abandoned; its queries run in threads, as many at once as there are slots.
"""

import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from contextlib import nullcontext

from .checkpoints import Hold
from .memory import give_back
from .processes import SPAWN, exit_with_parent
from .store import Answer, OxigraphStore, QueryError, QueryTimeout, ResultTooLarge, Store

log = logging.getLogger("kuntagraph.querypool")

# What a worker may send back instead of an answer: the exception to raise in the server, by name.
_ERRORS = {e.__name__: e for e in (QueryError, QueryTimeout, ResultTooLarge)}
# A worker gets this much past the deadline to send what it has before it is killed (it checks the deadline
# itself while it serialises a streaming answer, and that answer is a clean QueryTimeout).
GRACE_S = 0.25
# A worker idle this long closes its checkpoint; its next query opens one again (0.1 s at national scale).
IDLE_CLOSE_S = 600.0


class WorkerLost(Exception):
    """A worker process ended without answering (killed from outside, or out of memory)."""


class NoCheckpoint(Exception):
    """No checkpoint of the store could be made for the workers to read (a full or read-only disk, before the
    first one): refused with a 503; the next query tries again."""


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

    def close(self):
        pass


class QueryPool:
    """`workers` processes, each running one query at a time on a read-only view of the store."""

    def __init__(self, store: OxigraphStore, workers: int, idle_close_s: float = IDLE_CLOSE_S):
        self.store, self.size, self.idle_close_s = store, workers, idle_close_s
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
            if self.store.path is None:
                self._copy = tempfile.mkdtemp(prefix="kuntagraph-queries-")
                self.store.copy_to(os.path.join(self._copy, "store"))
            elif self.store.checkpoints is not None:
                try:
                    self.store.checkpoints.start()  # the first checkpoint, which the first query then need not wait for
                except OSError as e:
                    log.warning("no checkpoint of the store could be made for the SPARQL query workers: %s", e)
            for _ in range(self.size):
                self._idle.put(self._spawn())
            self._started = True

    def _spawn(self) -> "_Worker":
        return _Worker(self.idle_close_s)

    def _checkpoint(self):
        """The view of the store a query reads: the newest checkpoint, or the private copy of an in-memory store."""
        if self._copy:
            return nullcontext(os.path.join(self._copy, "store"))
        return self.store.checkpoint()

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
            with self._checkpoint() as path:  # held until the worker answers; the worker holds it while it has it open
                status, value = worker.ask((path, bool(self._copy), sparql, dict(kw, deadline=deadline)), deadline + GRACE_S)
        except OSError as e:  # from the checkpoint: the worker was not asked
            log.warning("no checkpoint of the store could be made for a query: %s", e)
            raise NoCheckpoint(str(e)) from None
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
    def __init__(self, idle_close_s: float):
        self.conn, child = SPAWN.Pipe()
        self.process = SPAWN.Process(target=_serve, args=(child, os.getpid(), idle_close_s), daemon=True)
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


def _serve(conn, parent: int, idle_close_s: float):
    """A worker's loop: answer queries on the checkpoint each names, opened read-only and held (a shared lock on it)
    until another is named or the worker is idle for idle_close_s."""
    exit_with_parent(parent)
    store, path, hold = None, None, None
    while True:
        try:
            if store is not None and not conn.poll(idle_close_s):
                store, path = None, None  # closed before its lock is let go
                hold = _release(hold)
                give_back()  # what RocksDB's caches of the store took
                continue
            want, private, sparql, kw = conn.recv()
        except (EOFError, OSError):
            return
        if want != path:
            store = None  # the previous checkpoint closed before its lock is let go
            hold = _release(hold)
            hold = None if private else Hold(want)  # (a private copy is nobody else's to remove)
            store, path = OxigraphStore(want, read_only=True), want
        try:
            reply = ("ok", store.execute(sparql, **kw))
        except (QueryError, QueryTimeout, ResultTooLarge) as e:
            reply = (type(e).__name__, str(e))
        conn.send(reply)
        reply = None  # not held while idle


def _release(hold: Hold | None) -> None:
    if hold is not None:
        hold.release()
