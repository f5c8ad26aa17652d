"""A disk that is full or has turned read-only, recognised however it is reported, and said in words a clerk and an
operator can act on. This is the one place that knows how the stores report it:

- RocksDB (the on-disk store, through pyoxigraph) raises OSError with the system's words in the message and no
  errno: "IO error: No space left on device: While appending to file: …/000022.log".
- sqlite3 (the credentials and history beside it) raises OperationalError: "database or disk is full"
  (SQLITE_FULL), or only "disk I/O error" when the filesystem has turned read-only; then the directory itself
  is asked, by writing a byte into it.

The server refuses the write with 507 (full) or 503 (read-only) and the messages below; the CLI prints the
operator's line and exits with 2. The stores keep every graph whole either way (a transaction per graph).
"""

from __future__ import annotations

import errno
import sqlite3
import tempfile

FULL, READ_ONLY = "full", "read-only"
_WORDS = {FULL: ("No space left on device", "Disk quota exceeded"), READ_ONLY: ("Read-only file system",)}
_ERRNOS = {FULL: (errno.ENOSPC, errno.EDQUOT), READ_ONLY: (errno.EROFS,)}
_SQLITE = {FULL: sqlite3.SQLITE_FULL, READ_ONLY: sqlite3.SQLITE_READONLY}


class StorageFault(Exception):
    """The disk under `directory` is full or read-only: a write stopped there."""

    def __init__(self, kind: str, directory):
        self.kind, self.directory = kind, str(directory) if directory else "the store"
        super().__init__(self.operator_line())

    @property
    def status(self) -> int:
        return 507 if self.kind == FULL else 503  # 507 Insufficient Storage; read-only: unavailable until fixed

    @property
    def code(self) -> str:
        return "disk-full" if self.kind == FULL else "disk-read-only"

    @property
    def messages(self) -> dict:
        """For the person whose write was refused (over HTTP): what happened, and whom to tell what."""
        if self.kind == FULL:
            return {"fi": "Palvelimen levy on täynnä, joten mitään ei tallennettu. Yritä myöhemmin uudelleen ja kerro "
                          "asiasta palvelun ylläpitäjälle: levyltä on vapautettava tilaa ja palvelu käynnistettävä uudelleen.",
                    "en": "The server's disk is full, so nothing was saved. Try again later, and tell the service's "
                          "administrator: space must be freed on the disk and the service restarted."}
        return {"fi": "Palvelimen levy on muuttunut vain luettavaksi (yleensä levyvirheen vuoksi), joten mitään ei "
                      "tallennettu. Yritä myöhemmin uudelleen ja kerro asiasta palvelun ylläpitäjälle: levy on "
                      "tarkistettava ja liitettävä uudelleen kirjoitettavaksi.",
                "en": "The server's disk has become read-only (usually after a disk error), so nothing was saved. Try "
                      "again later, and tell the service's administrator: the disk must be checked and mounted "
                      "writable again."}

    def operator_line(self) -> str:
        """One line for the command line and the server's log: where, what, and what to do."""
        where = self.directory
        if self.kind == FULL:
            return (f"{where}: the disk is full, so the write stopped (every graph is still whole, as it was or as "
                    f"written). Free space on it (df -h {where}) and try again; a server using this store must be "
                    "restarted once there is space.")
        return (f"{where}: the disk is read-only (mounted so, or turned read-only after a disk error), so the write "
                "stopped (every graph is still whole, as it was or as written). Stop what uses it, check the "
                "filesystem (fsck), mount it read-write again and try again.")


def storage_fault(error: BaseException, directory=None) -> StorageFault | None:
    """The StorageFault `error` means (a write under `directory` failed on it), or None when it is something else."""
    text = str(error)
    code = getattr(error, "sqlite_errorcode", None)
    for kind in (FULL, READ_ONLY):
        if getattr(error, "errno", None) in _ERRNOS[kind] or any(w in text for w in _WORDS[kind]) \
                or (code is not None and code & 0xFF == _SQLITE[kind]):
            return StorageFault(kind, directory)
    if directory and isinstance(error, (OSError, sqlite3.Error)):
        return _ask_the_disk(directory)
    return None


def _ask_the_disk(directory) -> StorageFault | None:
    """sqlite's "disk I/O error" does not say why: write a byte into the directory and see what the system says."""
    try:
        with tempfile.TemporaryFile(dir=directory) as f:
            f.write(b"\0")
            f.flush()
    except OSError as e:
        for kind in (FULL, READ_ONLY):
            if e.errno in _ERRNOS[kind]:
                return StorageFault(kind, directory)
    return None
