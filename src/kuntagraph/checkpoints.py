"""Immutable checkpoints of an on-disk store, for the processes that read it beside the server.

pyoxigraph lets a process open a store read-only while another writes it, but documents that as undefined
behaviour, and so it is: query workers failed on files that RocksDB had compacted away under them ("No such file
or directory: While open a file for random read"), and a writer hung for good beside two such readers. So no
process opens the store that the server writes. Every reader in another process (the SPARQL query workers, the
§28 check, the aggregates, the search index build, `kuntagraph dump` while a server runs) opens a checkpoint
instead: RocksDB's copy of the store at one moment (pyoxigraph's Store.backup), made of hard links to the store's
immutable files, so cheap (0.1 s at national scale) and never changed afterwards.

A checkpoint lives in `<store>/checkpoints/<n>/`, with a lock file `<n>.lock` beside it. A process that opens a
checkpoint holds a shared flock on its lock file while it has it open (Hold); the server counts its own leases in
memory, one per query or background run. A checkpoint is removed once it is not the newest, no lease is under way
and no process holds it (an exclusive flock then succeeds). The kernel drops the locks of a process that dies, so
a killed worker or server holds nothing; what a killed server left behind is removed at the next start.

A checkpoint is made when a reader asks for the store after a write (lease), and by the server in the background
a moment after writes (so that `kuntagraph dump` finds a recent one). A reader therefore sees every write
acknowledged before it asked, and each checkpoint holds whole writes: one made while a compound write (a graph and
its record) is under way waits for it (writing).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("kuntagraph.checkpoints")

DIRECTORY = "checkpoints"
# The background checkpoint waits this long after a write, so that a burst of writes makes one checkpoint.
BACKGROUND_AFTER_S = 1.0
# Checkpoints older than the newest are looked for at most this often (each look lists the directory).
SWEEP_EVERY_S = 1.0


class Hold:
    """A shared lock on one checkpoint: while it is held, nobody removes the checkpoint."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd = os.open(_lock_file(self.path), os.O_RDONLY)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def made(self) -> float:
        """When the checkpoint was complete (time.time())."""
        return os.stat(_lock_file(self.path)).st_mtime

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops its lock
            self._fd = None


def _lock_file(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + ".lock")


class Checkpoints:
    """The checkpoints of one on-disk store, kept by the process that writes it (OxigraphStore). Nothing is made
    on disk until a reader asks for one (lease) or the server starts keeping them (start). This process's own
    leases are counted in memory (no file is touched per query); other processes' are their flocks (Hold)."""

    def __init__(self, store, store_dir: Path):
        self._store = store  # the pyoxigraph Store
        self.directory = Path(store_dir) / DIRECTORY
        self.writing = threading.RLock()  # held by each write; a checkpoint waits for the write under way
        self._lock = threading.Lock()  # guards what follows; one checkpoint made, or the directory swept, at a time
        self._writes = 0  # writes begun so far (one that failed may have landed: it counts)
        self._newest: tuple[int, Path] | None = None  # (writes it holds, its directory)
        self._leased: dict[str, int] = {}  # checkpoint name -> leases of this process under way
        self._older = False  # whether checkpoints older than the newest may be left to remove
        self._swept = 0.0  # time.monotonic() of the last sweep
        self._next: int | None = None  # the number of the next checkpoint, once the directory is open
        self._wake = threading.Event()
        self._background: threading.Thread | None = None

    def start(self) -> None:
        """In the server: make the first checkpoint (the query workers' first query need not wait for it), then one
        a moment after each burst of writes."""
        with self.lease():
            pass
        if self._background is None:
            self._background = threading.Thread(target=self._follow_writes, daemon=True, name="checkpoints")
            self._background.start()

    @contextmanager
    def write(self) -> Iterator[None]:
        """Around every write of the store: no checkpoint is taken in its middle, and the next one holds it."""
        with self.writing:
            self._writes += 1
            try:
                yield
            finally:
                self._wake.set()

    @contextmanager
    def lease(self) -> Iterator[str]:
        """The directory of a checkpoint holding every write made before the call, kept while the block runs (and
        while any process that opened it holds it: Hold)."""
        with self._lock:
            self._open()
            if self._newest is None or self._newest[0] < self._writes:
                try:
                    self._make()
                except OSError as e:  # a full or read-only disk: the newest checkpoint there is, not the live store
                    if self._newest is None:
                        raise
                    log.warning("a new checkpoint of the store could not be made (%s); readers go on with the "
                                "previous one, which lacks the latest writes", e)
            path = self._newest[1]
            self._leased[path.name] = self._leased.get(path.name, 0) + 1
        try:
            yield str(path)
        finally:
            with self._lock:
                self._leased[path.name] -= 1
                if not self._leased[path.name]:
                    del self._leased[path.name]
                # Older checkpoints go once their readers have moved on: looked for at most once a second.
                if self._older and time.monotonic() - self._swept >= SWEEP_EVERY_S:
                    self._collect()

    def _open(self) -> None:
        """Before the first checkpoint: sweep what a server that was killed left behind (all that nobody holds)."""
        if self._next is None:
            self.directory.mkdir(exist_ok=True)
            self._collect(everything=True)
            self._next = 1 + max((int(p.name.removesuffix(".lock")) for p in self.directory.iterdir()
                                  if p.name.removesuffix(".lock").isdigit()), default=0)

    def _make(self) -> None:
        path = self.directory / str(self._next)
        self._next += 1
        _lock_file(path).touch()
        with self.writing:
            writes = self._writes
            try:
                self._store.backup(str(path))
            except OSError:
                shutil.rmtree(path, ignore_errors=True)
                _lock_file(path).unlink(missing_ok=True)
                raise
        os.utime(_lock_file(path))  # the lock file's time says when the checkpoint was complete (made())
        self._older = self._newest is not None
        self._newest = (writes, path)
        self._collect()

    def _collect(self, everything: bool = False) -> None:
        """Remove every checkpoint that no lease of this process and no other process holds, but the newest
        (unless `everything`: before the first one). A failure is logged: it never costs a reader its answer."""
        self._swept = time.monotonic()
        try:
            self._older = self._remove_unheld(everything)
        except OSError as e:
            log.warning("old checkpoints of the store could not be removed (they are tried again): %s", e)

    def _remove_unheld(self, everything: bool) -> bool:
        """_collect's sweep; whether checkpoints older than the newest are left (held)."""
        newest = None if everything or self._newest is None else self._newest[1].name
        left = False
        for entry in list(self.directory.iterdir()):
            name = entry.name.removesuffix(".lock")
            if name == newest or (entry.is_dir() and _lock_file(entry).exists()):
                continue  # the newest, or a checkpoint seen through its lock file
            if name in self._leased:
                left = True
                continue
            if entry.is_dir():  # no lock file: left half made (or half removed) by a process that was killed
                shutil.rmtree(entry, ignore_errors=True)
                continue
            try:
                fd = os.open(entry, os.O_RDONLY)
            except OSError:
                continue  # removed meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                left = True  # held by another process
                continue
            else:
                shutil.rmtree(entry.with_name(name), ignore_errors=True)
                entry.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return left

    def _follow_writes(self) -> None:
        """A checkpoint a moment after writes, when no reader has asked for one meanwhile; and older ones removed
        once their readers have let go, though no lease comes to look."""
        while True:
            woken = self._wake.wait(SWEEP_EVERY_S * 10)
            time.sleep(BACKGROUND_AFTER_S if woken else 0)
            self._wake.clear()
            try:
                if woken:
                    with self.lease():
                        pass
                with self._lock:
                    if self._older:
                        self._collect()
            except Exception as e:  # the next lease says it again, to its reader
                log.warning("a checkpoint of the store could not be made: %s", e)


def hold_newest(store_dir: str | Path) -> Hold | None:
    """From another process (`kuntagraph dump` while a server runs): a hold on the newest complete checkpoint of
    the store that a server keeps, or None when there is none."""
    directory = Path(store_dir) / DIRECTORY
    names = sorted((int(p.stem) for p in directory.glob("*.lock") if p.stem.isdigit()), reverse=True) \
        if directory.is_dir() else []
    for n in names:
        try:
            hold = Hold(directory / str(n))
        except FileNotFoundError:
            continue  # removed meanwhile
        if hold.path.is_dir() and (hold.path / "CURRENT").exists():
            return hold
        hold.release()
    return None
