"""A throw-away Virtuoso for the remote-store tests and the benchmarks: Debian's virtuoso-opensource, on
127.0.0.1 with free ports, its own virtuoso.ini and a temporary database directory, stopped after use.

`make test-virtuoso` installs the package when it is missing (root). Without it: `require()` fails loudly
when it could have been installed (root, or CI) and skips with the reason otherwise.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

BINARY = "virtuoso-t"
VSP = "/var/lib/virtuoso-opensource-7/vsp"
USER = PASSWORD = "dba"  # a fresh database's administrator; the database lives only as long as the test run

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
MaxClientConnections = 40
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {vsp}
MaxClientConnections = 40
ServerThreads = 40
MaxKeepAlives = 40
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; The default (10000) silently truncates answers: kuntagraph's whole-graph reads need more.
ResultSetMaxRows = 5000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 0
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child: SIGTERM when the process that started it dies (a killed test run leaves no Virtuoso behind)."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def available() -> bool:
    return shutil.which(BINARY) is not None


def require():
    """Skip (not root, not CI: installing is not possible here) or fail (it should have been installed)."""
    import pytest

    if available():
        return
    if os.geteuid() == 0 or os.environ.get("CI"):
        pytest.fail(f"{BINARY} is not installed: `make test-virtuoso` installs Debian's virtuoso-opensource "
                    "(apt-get, as root) before running these tests", pytrace=False)
    pytest.skip(f"{BINARY} is not installed and this user is not root: run `make test-virtuoso` as root "
                "(it installs Debian's virtuoso-opensource)")


class Virtuoso:
    """One virtuoso-t process in the foreground of its own temporary directory."""

    def __init__(self, memory_mb: int = 2000):
        self.dir = Path(tempfile.mkdtemp(prefix="kuntagraph-virtuoso-"))
        self.http_port, self.sql_port = free_port(), free_port()
        buffers = max(10_000, memory_mb * 1024 * 1024 // 8700 * 2 // 3)
        (self.dir / "virtuoso.ini").write_text(INI.format(d=self.dir, sql_port=self.sql_port, http_port=self.http_port,
                                                          vsp=VSP if Path(VSP).is_dir() else self.dir,
                                                          buffers=buffers, dirty=buffers * 3 // 4))
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.endpoint = self.url + "/sparql"
        self.log = open(self.dir / "stdout.log", "w")
        self.start()

    def start(self):
        """Start virtuoso-t and wait until it answers (again after halt(): the same ports and database)."""
        self.proc = subprocess.Popen([shutil.which(BINARY) or BINARY, "+foreground", "+configfile", str(self.dir / "virtuoso.ini")],
                                     cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                r = httpx.post(self.endpoint, data={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("virtuoso did not start in 120 s:\n" + self.log_text()[-3000:])

    def env(self) -> dict:
        """The environment a kuntagraph process needs to use this server (README: remote store)."""
        return {"KUNTAGRAPH_ENDPOINT_USER": USER, "KUNTAGRAPH_ENDPOINT_PASSWORD": PASSWORD}

    def store(self, **kw):
        from kuntagraph.remote import RemoteStore
        return RemoteStore(self.endpoint, user=USER, password=PASSWORD, **kw)

    def clear(self):
        """Drop every graph but Virtuoso's own."""
        s = self.store()
        for g in s.graphs():
            s.replace_graph(g, [])
        s.close()

    def log_text(self) -> str:
        parts = []
        for name in ("stdout.log", "virtuoso.log"):
            p = self.dir / name
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def halt(self):
        """Stop the process and keep its database, for start() to bring back (a store that goes away)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        self.halt()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
