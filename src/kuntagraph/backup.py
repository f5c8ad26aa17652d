"""Backups of an on-disk store: every named graph (N-Quads) and the state beside it (credentials and the
history of versions, SQLite), in one .tar.gz. `dump` runs while the server runs (the store is opened read-only,
the state copied with SQLite's online backup); `restore` fills an empty directory and checks what it wrote.
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

from .auth import STATE_FILE
from .rdffiles import InputError

GRAPHS, STATE, MANIFEST = "graphs.nq", STATE_FILE, "manifest.json"


def dump(store_dir, out) -> dict:
    store_dir, out = Path(store_dir), Path(out)
    if not store_dir.is_dir():
        raise InputError(store_dir, "no such store")
    try:
        store = ox.Store.read_only(str(store_dir))
    except OSError as e:
        raise InputError(store_dir, f"the store cannot be opened ({e})") from None
    quads = store.dump(format=ox.RdfFormat.N_QUADS)
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / STATE
        source = store_dir / STATE
        if source.exists():
            with sqlite3.connect(source) as src, sqlite3.connect(state) as dst:
                src.backup(dst)  # consistent even while the server writes
        manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quads": quads.count(b"\n"),
                    "graphs": len(list(store.named_graphs())), "sha256": hashlib.sha256(quads).hexdigest(),
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
