"""Versions of the published graphs: every accepted write is a version (who, when, what changed, the graph
as it then was), kept in the state file beside the on-disk store, so any earlier version can be restored.

A version is recorded as *pending* before the store is written and marked *done* after; at start-up a pending
version is kept if the store holds exactly its graph (the write finished before a crash) and dropped if not.
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
  graph TEXT NOT NULL, version INTEGER NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL,
  summary TEXT NOT NULL, digest TEXT NOT NULL, data BLOB NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY (graph, version)
);
"""


@dataclass
class Version:
    graph: str
    version: int
    who: str
    at: str
    action: str  # initial, put, post, delete, rollback, upload
    summary: dict
    digest: str
    state: str

    def to_json(self) -> dict:
        return {"graph": self.graph, "version": self.version, "who": self.who, "at": self.at, "action": self.action,
                "summary": self.summary}


class History:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        db.executescript(SCHEMA)

    def _row(self, r) -> Version:
        return Version(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])

    _COLUMNS = "graph, version, who, at, action, summary, digest, state"

    def versions(self, graph: str) -> list[Version]:
        rows = self.db.execute(f"SELECT {self._COLUMNS} FROM versions WHERE graph = ? AND state = 'done' ORDER BY version",
                               (graph,)).fetchall()
        return [self._row(r) for r in rows]

    def latest(self, graph: str) -> Version | None:
        found = self.versions(graph)
        return found[-1] if found else None

    def data(self, graph: str, version: int) -> bytes | None:
        """The graph as N-Triples as it was at that version, or None."""
        r = self.db.execute("SELECT data FROM versions WHERE graph = ? AND version = ? AND state = 'done'",
                            (graph, version)).fetchone()
        return zlib.decompress(r[0]) if r else None

    def begin(self, graph: str, who: str, action: str, summary: dict, digest: str, ntriples: bytes) -> int:
        with self.db:
            n = self.db.execute("SELECT COALESCE(MAX(version), 0) FROM versions WHERE graph = ?", (graph,)).fetchone()[0] + 1
            self.db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                            (graph, n, who, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), action,
                             json.dumps(summary, ensure_ascii=False), digest, zlib.compress(ntriples, 6)))
        return n

    def finish(self, graph: str, version: int):
        self.db.execute("UPDATE versions SET state = 'done' WHERE graph = ? AND version = ?", (graph, version))

    def abandon(self, graph: str, version: int):
        self.db.execute("DELETE FROM versions WHERE graph = ? AND version = ? AND state = 'pending'", (graph, version))

    def pending(self) -> list[Version]:
        rows = self.db.execute(f"SELECT {self._COLUMNS} FROM versions WHERE state = 'pending'").fetchall()
        return [self._row(r) for r in rows]
