"""make audit's verdicts (.ci/audit.py), with a stand-in pip-audit and a stand-in PyPI on 127.0.0.1: a known
vulnerability fails whichever source reported it; a partial audit or none at all passes, with a banner that
says what was not checked."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT, free_port

LOCK = "foo==1.0\n    # via kuntagraph (pyproject.toml)\nbar==2.0\n"
VULN = {"id": "PYSEC-2099-1", "fix_versions": ["1.1"]}
# pip-audit's JSON report per service, or None for a service it cannot reach.
FAKE_PIP_AUDIT = """import json, os, sys
args = sys.argv[1:]
report = json.loads(os.environ["FAKE_REPORTS"])[args[args.index("-s") + 1]]
if report is None:
    sys.exit("requests.exceptions.ConnectionError: cannot resolve the service")
open(args[args.index("-o") + 1], "w").write(json.dumps(report))
"""


def report(*deps):
    return {"dependencies": list(deps), "fixes": []}


ALL_SKIPPED = report(*({"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}"}
                       for n in ("foo", "bar")))


@pytest.fixture
def pypi():
    """PyPI's project pages for foo (latest 1.0, with an advisory) and bar (latest 3.0, beyond the pin)."""
    pages = {"foo": {"info": {"version": "1.0"}, "vulnerabilities": [{"id": "GHSA-xxxx", "fixed_in": [], "withdrawn": None}]},
             "bar": {"info": {"version": "3.0"}, "vulnerabilities": []}}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.split("/")[2]
            body = json.dumps(pages[name]).encode() if name in pages else b""
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def audit(tmp_path, reports: dict, pypi_url: str):
    (tmp_path / "pip-audit").write_text(f"#!{sys.executable}\n{FAKE_PIP_AUDIT}")
    (tmp_path / "pip-audit").chmod(0o755)
    (tmp_path / "requirements.lock").write_text(LOCK)
    return subprocess.run([sys.executable, ROOT / ".ci" / "audit.py", tmp_path / "pip-audit", tmp_path / "requirements.lock",
                           "--pypi", pypi_url], capture_output=True, text=True, timeout=120,
                          env={"FAKE_REPORTS": json.dumps(reports), "PATH": "/usr/bin:/bin"})


def test_a_vulnerability_reported_by_pip_audit_fails(tmp_path, pypi):
    r = audit(tmp_path, {"pypi": report({"name": "foo", "version": "1.0", "vulns": [VULN]},
                                        {"name": "bar", "version": "2.0", "vulns": []}), "osv": None}, pypi)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2 pins checked, 1 known vulnerabilities" in r.stdout and "VULNERABLE foo==1.0: PYSEC-2099-1, fixed in 1.1" in r.stdout


def test_osv_is_asked_when_pypi_checks_nothing(tmp_path, pypi):
    r = audit(tmp_path, {"pypi": ALL_SKIPPED, "osv": report({"name": "foo", "version": "1.0", "vulns": []},
                                                            {"name": "bar", "version": "2.0", "vulns": []})}, pypi)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "-s pypi" in r.stdout and "no pin could be checked" in r.stdout and "-s osv (OSV): 2 pins checked, 0 known" in r.stdout
    assert "PARTIAL" not in r.stdout and "NOT DONE" not in r.stdout


def test_the_project_pages_check_the_latest_pins_and_name_the_others(tmp_path, pypi):
    r = audit(tmp_path, {"pypi": ALL_SKIPPED, "osv": None}, pypi)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "VULNERABLE foo==1.0: GHSA-xxxx, fixed in no release yet" in r.stdout
    assert "PARTIAL DEPENDENCY AUDIT: 1 of 2 pins were NOT checked" in r.stdout and "not checked: bar==2.0: pinned 2.0, latest 3.0" in r.stdout


def test_no_source_at_all_is_said_plainly_and_passes(tmp_path):
    r = audit(tmp_path, {"pypi": None, "osv": None}, f"http://127.0.0.1:{free_port()}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "DEPENDENCY AUDIT NOT DONE: no vulnerability database reachable from this machine" in r.stdout
    assert "was NOT checked for known vulnerabilities. This is not a pass." in r.stdout
