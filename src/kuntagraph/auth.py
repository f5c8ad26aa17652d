"""Credentials: per-municipality tokens and admin tokens, kept beside the on-disk store.

A secret looks like `kg_<id>_<random>`: the id finds the token without scanning (and is what lists and logs
show), the random part is checked against a slow hash (scrypt), so a copy of the state file gives no secrets.
A municipality's token may write only its own graphs (graph/KEY and graph/KEY/...); an admin token may write
any graph, the ontology and the vocabularies included.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

ADMIN = "*"  # the key of admin tokens
STATE_FILE = "kuntagraph-state.sqlite"
_SECRET = re.compile(r"^kg_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~50 ms and 16 MB per check: slow for a guesser, fine for a request

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, kunta TEXT NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL,
  note TEXT, created TEXT NOT NULL, revoked TEXT
);
"""


@dataclass(frozen=True)
class Credential:
    token_id: str
    kunta: str  # a municipality key, or ADMIN

    @property
    def admin(self) -> bool:
        return self.kunta == ADMIN

    @property
    def who(self) -> str:
        return f"admin:{self.token_id}" if self.admin else f"{self.kunta}:{self.token_id}"


def state_path(store_dir) -> Path:
    return Path(store_dir) / STATE_FILE


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    return db


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, maxmem=64 * 2**20, dklen=32, **_SCRYPT)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Tokens:
    def __init__(self, path: Path):
        self.db = connect(path)

    def create(self, kunta: str, note: str | None = None) -> tuple[str, str]:
        """(token id, secret). The secret is shown once and never stored."""
        token_id = secrets.token_hex(6)
        secret = f"kg_{token_id}_{secrets.token_urlsafe(32)}"
        salt = secrets.token_bytes(16)
        self.db.execute("INSERT INTO tokens (id, kunta, salt, hash, note, created) VALUES (?, ?, ?, ?, ?, ?)",
                        (token_id, kunta, salt, _hash(secret, salt), note, _now()))
        return token_id, secret

    def list(self, kunta: str | None = None) -> list[dict]:
        rows = self.db.execute("SELECT id, kunta, note, created, revoked FROM tokens "
                               + ("WHERE kunta = ? " if kunta else "") + "ORDER BY created, id",
                               (kunta,) if kunta else ()).fetchall()
        return [dict(zip(("id", "kunta", "note", "created", "revoked"), r)) for r in rows]

    def revoke(self, token_id: str, kunta: str | None = None) -> bool:
        cur = self.db.execute("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL"
                              + (" AND kunta = ?" if kunta else ""), (_now(), token_id, *([kunta] if kunta else [])))
        return cur.rowcount == 1

    def check(self, secret: str) -> tuple[Credential | None, str]:
        """(the credential, "") or (None, why: malformed / unknown / revoked / wrong) for the log."""
        m = _SECRET.match(secret or "")
        if not m:
            return None, "malformed"
        row = self.db.execute("SELECT kunta, salt, hash, revoked FROM tokens WHERE id = ?", (m.group(1),)).fetchone()
        if row is None:
            _hash(secret, b"0" * 16)  # the same time for an unknown id as for a wrong secret
            return None, f"unknown token {m.group(1)}"
        kunta, salt, digest, revoked = row
        if not hmac.compare_digest(_hash(secret, salt), digest):
            return None, f"wrong secret for token {m.group(1)}"
        if revoked:
            return None, f"revoked token {m.group(1)}"
        return Credential(m.group(1), kunta), ""


class FailureLimiter:
    """At most `limit` failed authentications per client in `window` seconds; then 429 until the window passes."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit, self.window = limit, window
        self.failures: dict[str, list[float]] = {}

    def blocked(self, client: str) -> float:
        """Seconds the client must wait, or 0."""
        now = time.monotonic()
        recent = [t for t in self.failures.get(client, []) if now - t < self.window]
        self.failures[client] = recent
        return self.window - (now - recent[0]) if len(recent) >= self.limit else 0.0

    def fail(self, client: str):
        self.failures.setdefault(client, []).append(time.monotonic())
        if len(self.failures) > 10_000:  # bounded: forget the oldest clients
            for key in list(self.failures)[:5_000]:
                del self.failures[key]
