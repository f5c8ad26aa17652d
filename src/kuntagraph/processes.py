"""Work done in processes of its own (pySHACL's check, the search index of an on-disk store, SPARQL queries).

A thread that computes for long holds the interpreter lock that every page needs; a process does not. These are
spawned (a clean interpreter: no threads, locks or sockets of the server's are copied) and end when the server
does, even when it is killed.
"""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

SPAWN = multiprocessing.get_context("spawn")


def one_worker() -> ProcessPoolExecutor:
    """A pool of one spawned process that exits with the server: use it in a `with` block, which ends it."""
    return ProcessPoolExecutor(max_workers=1, mp_context=SPAWN, initializer=exit_with_parent, initargs=(os.getpid(),))


def exit_with_parent(parent: int) -> None:
    """In the worker: exit when the server is gone. A worker busy with long work does not read its pipe, so it
    watches for that itself."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
