"""Backups of an on-disk store: every named graph (N-Quads) and the state beside it (credentials and the
history of versions, SQLite), in one .tar.gz. `restore` fills an empty directory and checks what it wrote.

`dump` also runs while a server runs. It then never opens the store the server writes (undefined behaviour in
pyoxigraph): it copies the state with SQLite's online backup first, then reads the newest checkpoint the server
made after that copy (kuntagraph.checkpoints; the server makes one within about a second of each burst of writes).
So every version the copied history calls done is in the graphs; a version still pending in it is settled at the
restored store's first start, as after a crash (Publisher.recover). A write begun after the state was copied may
be in the graphs without being in the history.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from . import checkpoints
from .auth import STATE_FILE
from .rdffiles import InputError

GRAPHS, STATE, MANIFEST = "graphs.nq", STATE_FILE, "manifest.json"


# How long dump waits for a running server's checkpoint newer than the state it copied.
WAIT_FOR_CHECKPOINT_S = 30.0


def dump(store_dir, out) -> dict:
    store_dir, out = Path(store_dir), Path(out)
    if not (store_dir / "CURRENT").is_file():
        raise InputError(store_dir, "no such store")
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / STATE
        source = store_dir / STATE
        if source.exists():
            with sqlite3.connect(source) as src, sqlite3.connect(state) as dst:
                src.backup(dst)  # consistent even while the server writes
        copied = time.time()
        try:
            store, hold = ox.Store(str(store_dir)), None  # nobody has the store open
        except OSError as e:
            if "lock" not in str(e).lower():
                raise InputError(store_dir, f"the store cannot be opened ({e})") from None
            hold = _checkpoint_after(store_dir, state, copied)
            store = ox.Store.read_only(str(hold.path))
        try:
            quads = store.dump(format=ox.RdfFormat.N_QUADS)
            graphs = len(list(store.named_graphs()))
        finally:
            del store
            if hold is not None:
                hold.release()
        manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quads": quads.count(b"\n"),
                    "graphs": graphs, "sha256": hashlib.sha256(quads).hexdigest(),
                    "state": source.exists()}
        part = out.with_name(out.name + ".part")
        try:
            with tarfile.open(part, "w:gz") as tar:
                _add(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
                _add(tar, GRAPHS, quads)
                if state.exists():
                    tar.add(state, arcname=STATE)
            part.replace(out)
        except OSError as e:
            part.unlink(missing_ok=True)
            raise InputError(out, f"cannot be written: {e.strerror}") from None
    return manifest


def _checkpoint_after(store_dir: Path, state: Path, copied: float) -> checkpoints.Hold:
    """A running server's newest checkpoint that holds every version the copied `state` calls done: one made after
    the copy (`copied`), or an older one whose graphs are those versions (nothing was written since). Waited for:
    the server makes one about a second after writes."""
    give_up = time.monotonic() + WAIT_FOR_CHECKPOINT_S
    while True:
        hold = checkpoints.hold_newest(store_dir)
        if hold is not None:
            if hold.made() >= copied or _holds_history(hold.path, state):
                return hold
            hold.release()
        if time.monotonic() > give_up:
            raise InputError(store_dir, "is in use by a server, and the server made no checkpoint of it for "
                                        f"{WAIT_FOR_CHECKPOINT_S:.0f} s (kuntagraph.checkpoints); is that server "
                                        "answering? Try again, or stop the server and dump then")
        time.sleep(0.2)


def _holds_history(checkpoint: Path, state: Path) -> bool:
    """Whether each graph of the checkpoint is the newest done version of it in the history `state`."""
    from .publish import digest

    if not state.exists():
        return True
    with sqlite3.connect(state) as db:
        newest = db.execute("SELECT graph, digest FROM versions v WHERE state = 'done' AND version = "
                            "(SELECT MAX(version) FROM versions WHERE graph = v.graph AND state = 'done')").fetchall()
    store = ox.Store.read_only(str(checkpoint))
    return all(digest(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
                      if store.contains_named_graph(ox.NamedNode(g)) else b"") == d for g, d in newest)


def _add(tar: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(time.time())
    tar.addfile(info, io.BytesIO(data))


def restore(archive, store_dir) -> dict:
    archive, store_dir = Path(archive), Path(store_dir)
    if store_dir.exists() and any(store_dir.iterdir()):
        raise InputError(store_dir, "is not empty: restore into a new directory, then point the server at it")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            if MANIFEST not in members or GRAPHS not in members:
                raise InputError(archive, "is not a kuntagraph backup (manifest.json and graphs.nq are missing)")
            manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
            quads = tar.extractfile(members[GRAPHS]).read()
            state = tar.extractfile(members[STATE]).read() if STATE in members else None
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as e:
        raise InputError(archive, f"cannot be read as a backup ({e})") from None
    if hashlib.sha256(quads).hexdigest() != manifest.get("sha256"):
        raise InputError(archive, "is damaged: the graphs do not match the checksum in its manifest")
    store_dir.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(store_dir))
    store.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    if state is not None:
        (store_dir / STATE).write_bytes(state)
    restored = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
    if restored != manifest["quads"]:
        raise InputError(archive, f"restored {restored} quads, the backup has {manifest['quads']}")
    return manifest
