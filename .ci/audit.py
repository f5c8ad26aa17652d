"""make audit: the pins of requirements.lock against known vulnerabilities, from the first advisory source that answers.

1. pip-audit with PyPI's per-version vulnerability data, else with OSV: every pin checked.
2. Else PyPI's project pages (/pypi/NAME/json), which list the advisories of a project's *latest* release only:
   the pins at their latest release are checked, the others are named as not checked.
3. Else nothing could be checked, and the audit says so.

Exit 1 on a known vulnerability. Exit 0 otherwise, also when the audit was partial or not done at all (a machine
that reaches no advisory database must still pass CI), but then with a banner that says what was not checked.

    python .ci/audit.py PIP_AUDIT LOCK [--pypi URL]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BANNER = "!" * 100


def pins(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Za-z0-9][\w.-]*)==(\S+)", lock.read_text(), re.M))


def pip_audit(command: str, lock: Path, service: str):
    """(findings, not checked) from pip-audit, or (None, why) when the service checked no pin at all."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        r = subprocess.run([command, "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off",
                            "-s", service, "-f", "json", "-o", str(report)], capture_output=True, text=True)
        if not report.exists():  # pip-audit stopped: the service did not answer
            lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
            return None, lines[-1][:300] if lines else f"pip-audit exited {r.returncode}"
        deps = json.loads(report.read_text())["dependencies"]
    skipped = {d["name"]: d["skip_reason"] for d in deps if "skip_reason" in d}
    if len(skipped) == len(deps):
        # PyPI's per-version API answering 404 for everything: pip-audit itself calls that "No known vulnerabilities".
        return None, f"no pin could be checked ({next(iter(skipped.values()), 'no pins')}, and so on for all {len(deps)})"
    findings = [(d["name"], d["version"], v["id"], v.get("fix_versions", [])) for d in deps for v in d.get("vulns", [])]
    return findings, skipped


def latest_pages(pinned: dict[str, str], pypi: str):
    """(findings, not checked) from the project pages, or (None, why) when none answered."""
    def page(name):
        try:
            with urllib.request.urlopen(f"{pypi}/pypi/{name}/json", timeout=60) as r:
                return name, json.load(r), None
        except (OSError, ValueError) as e:
            return name, None, str(e)

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(page, pinned))
    if all(doc is None for _, doc, _ in pages):
        return None, f"no project page could be read ({pages[0][2] if pages else 'no pins'})"
    findings, skipped = [], {}
    for name, doc, error in pages:
        if doc is None:
            skipped[name] = f"project page not read: {error}"
        elif doc["info"]["version"] != pinned[name]:
            skipped[name] = f"pinned {pinned[name]}, latest {doc['info']['version']}: PyPI lists the latest's advisories only"
        else:
            findings += [(name, pinned[name], v["id"], v.get("fixed_in") or []) for v in doc.get("vulnerabilities", [])
                         if not v.get("withdrawn")]
    return findings, skipped


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pip_audit")
    ap.add_argument("lock", type=Path)
    ap.add_argument("--pypi", default="https://pypi.org")
    args = ap.parse_args()
    pinned = pins(args.lock)
    print(f"dependency audit of {args.lock} ({len(pinned)} pins):")
    tried = []
    for source, run in [("pip-audit -s pypi (PyPI's vulnerability data per version)", lambda: pip_audit(args.pip_audit, args.lock, "pypi")),
                        ("pip-audit -s osv (OSV)", lambda: pip_audit(args.pip_audit, args.lock, "osv")),
                        ("PyPI project pages (advisories of each project's latest release)", lambda: latest_pages(pinned, args.pypi))]:
        findings, skipped = run()
        if findings is None:
            print(f"  {source}: not usable: {skipped}")
            tried.append(f"{source}: {skipped}")
            continue
        print(f"  {source}: {len(pinned) - len(skipped)} pins checked, {len(findings)} known vulnerabilities")
        for name, version, vuln, fixed in findings:
            print(f"  VULNERABLE {name}=={version}: {vuln}, fixed in {', '.join(fixed) or 'no release yet'}")
        if skipped:
            print(f"{BANNER}\nPARTIAL DEPENDENCY AUDIT: {len(skipped)} of {len(pinned)} pins were NOT checked against any "
                  "vulnerability database:")
            for name, why in sorted(skipped.items()):
                print(f"  not checked: {name}=={pinned.get(name, '?')}: {why}")
            print(BANNER)
        return 1 if findings else 0
    print(f"{BANNER}\nDEPENDENCY AUDIT NOT DONE: no vulnerability database reachable from this machine ("
          + "; ".join(tried) + f").\n{args.lock} was NOT checked for known vulnerabilities. This is not a pass.\n{BANNER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
