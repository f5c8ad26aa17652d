"""Work done in processes of its own: the §28 check (pySHACL), the search index of an on-disk store. The SPARQL
query workers (querypool.py) are processes too, with deadlines of their own.

A thread that computes for long holds the interpreter lock that every page needs; a process does not. These are
spawned (a clean interpreter: no threads, locks or sockets of the server's are copied), and they are daemons that
also watch for the server's end: a server that stops, or is killed, does not wait for them nor leave them behind.
"""

import multiprocessing
import os
import threading
import time

SPAWN = multiprocessing.get_context("spawn")
# An on-disk store at least this big (about ten municipalities) is read by work in a process of its own; a smaller
# one's work is done in a thread, because starting a process alone takes 0.7 s (data/'s search index: 0.15 s).
OWN_PROCESS_FROM_BYTES = 32 * 2**20


def big_on_disk(store) -> bool:
    """Whether work that reads the whole of `store` goes to a process of its own: an on-disk store written here (the
    process reads a checkpoint of it: kuntagraph.checkpoints), big enough."""
    path = getattr(store, "path", None)  # None: in memory, or a remote store
    if path is None or getattr(store, "checkpoints", None) is None:
        return False
    size = 0
    with os.scandir(path) as entries:  # RocksDB keeps its files in one directory
        for e in entries:
            try:
                size += e.stat().st_size if e.is_file() else 0
            except FileNotFoundError:  # compacted away meanwhile
                pass
    return size >= OWN_PROCESS_FROM_BYTES


class ProcessLost(Exception):
    """A worker process ended without an answer (killed, or out of memory)."""


# The niceness of background work nobody waits for (the §28 check and the search index after writes): under load the
# CPU goes to the pages first. Each of them holds a core for tens of seconds at national scale, and under `make load`
# (a write every 20 s) they together asked for more than the machine's two cores.
BACKGROUND = 10


class Worker:
    """A process that runs calls one at a time: `call(fn, *args)` is fn(*args) there, its result pickled back here,
    or what it raised raised here. Ends with close() (or the with block). `nice`: its niceness (BACKGROUND for work
    nobody waits for)."""

    def __init__(self, nice: int = 0):
        self._conn, child = SPAWN.Pipe()
        self._process = SPAWN.Process(target=_serve, args=(child, os.getpid(), nice), daemon=True)
        self._process.start()
        child.close()

    def call(self, fn, *args):
        try:
            self._conn.send((fn, args))
            ok, value = self._conn.recv()
        except (EOFError, OSError):
            raise ProcessLost(f"the process running {fn.__name__} ended without an answer (killed, or out of memory)") from None
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self._conn.close()  # the process's loop ends when it reads the end of the pipe
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def call(fn, *args, nice: int = 0):
    """fn(*args) in a process that ends with the call (see Worker)."""
    with Worker(nice) as worker:
        return worker.call(fn, *args)


def _serve(conn, parent: int, nice: int = 0) -> None:
    exit_with_parent(parent)
    if nice:
        os.nice(nice)
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            answer = (True, fn(*args))
        except Exception as e:  # to be raised in the server
            answer = (False, e)
        try:
            conn.send(answer)
        except Exception as e:  # an exception that cannot be pickled: say what it was
            conn.send((False, RuntimeError(f"{type(e).__name__}: {answer[1]!r}"[:2000])))


def exit_with_parent(parent: int) -> None:
    """In a worker: exit when the server is gone. A worker busy with long work does not read its pipe, so it
    watches for that itself."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
