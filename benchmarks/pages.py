"""Page times at national scale: every HTML view with 309 synthetic municipalities loaded.

Baselines measured in the same run: the same pages on the seed data (11 municipalities), and a static
file from the same server (the HTTP floor). Prints p50/p95 per page and the ratios; the first request of
the compliance and search pages is reported apart ("cold"), since they build their caches then.

    .venv/bin/python benchmarks/pages.py [--municipalities 309] [--repeat 20]
"""

import argparse
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BASE = "https://w3id.org/kuntagraph/"
CLI = [sys.executable, "-m", "kuntagraph.cli"]
PAGES = ["/", "/compare/matrix", "/compare/products", "/compare/reference", "/compare/compliance", "/compare?m={a}&m={b}",
         "/id/{a}", "/search?q=kirjasto", "/search?q=kirjaston+asiakastiedot&kunta={a}", "/finder?q=kirjaston+asiakastiedot",
         "/id/lumme/system/koha", "/sparql"]
FLOOR = "/static/style.css"


def synthetic(out: Path, n: int) -> list[str]:
    """n generated municipalities (kuntagraph.generate, seed 1) written into out. Returns their keys."""
    from kuntagraph.generate import generate, municipality_key

    generate(n, out, seed=1)
    return [municipality_key(i) for i in range(1, n + 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(store: Path | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [*CLI, "serve", "--port", str(port), *(["--store", str(store)] if store else [])]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + FLOOR, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def checked_after(url: str, started: float) -> float:
    """Seconds from the server's start until its background §28 check of every graph is complete."""
    while True:
        d = httpx.get(url + "/compare/compliance.json", timeout=60).json()
        if d["complete"]:
            return time.perf_counter() - started
        time.sleep(0.5)


def measure(url: str, pages: list[str], repeat: int) -> dict:
    out = {}
    with httpx.Client(timeout=600) as client:
        for page in pages:
            t0 = time.perf_counter()
            r = client.get(url + page, headers={"Accept": "text/html"})
            cold = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                raise SystemExit(f"{page}: HTTP {r.status_code}")
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                client.get(url + page, headers={"Accept": "text/html"})
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[page] = {"cold": cold, "p50": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)], "bytes": len(r.content)}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--municipalities", type=int, default=309)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kuntagraph-pages-"))
    try:
        (tmp / "data").mkdir()
        keys = synthetic(tmp / "data", args.municipalities)
        t0 = time.perf_counter()
        subprocess.run([*CLI, "load", str(tmp / "data"), "--store", str(tmp / "store"), "--skip-validation"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        load_s = time.perf_counter() - t0
        results, checks = {}, {}
        for name, store, a, b in [("seed (11)", None, "491", "046"), (f"synthetic ({args.municipalities})", tmp / "store", keys[3], keys[0])]:
            t0 = time.perf_counter()
            proc, url = start(store)
            try:
                checks[name] = checked_after(url, t0)
                pages = [p.format(a=a, b=b) for p in PAGES]
                results[name] = (measure(url, [FLOOR, *pages], args.repeat), pages)
            finally:
                proc.terminate()
                proc.wait()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seed_name, big_name = list(results)
    seed, _ = results[seed_name]
    big, big_pages = results[big_name]
    lines = [f"# Page times at national scale ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"machine: {platform.processor() or platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, Python {platform.python_version()}",
             f"data: {args.municipalities} generated municipalities (`kuntagraph generate`, seed 1) loaded with `kuntagraph load` in {load_s:.1f} s; "
             f"{args.repeat} sequential requests per page after one cold request; baseline: the same page on the seed data (11 municipalities) and a static file (HTTP floor)",
             "background §28 check of every graph complete after: " + ", ".join(f"{k} {v:.1f} s" for k, v in checks.items()) + " (pages answer meanwhile)", "",
             f"| page | cold ms ({big_name}) | p50 ms | p95 ms | p50 seed ms | p50 ratio big/seed | p50 / static floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    floor = big[FLOOR]["p50"]
    for page, seed_page in zip([FLOOR, *big_pages], [FLOOR, *[p.format(a="491", b="046") for p in PAGES]]):
        r, s = big[page], seed[seed_page]
        lines.append(f"| `{page}` | {r['cold']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {s['p50']:.1f} | {r['p50'] / s['p50']:.1f}× | {r['p50'] / floor:.0f}× |")
    html = [big[p]["p50"] for p in big_pages]
    lines += ["", f"All pages at {args.municipalities} municipalities: p50 of page medians {statistics.median(html):.1f} ms, "
                  f"worst page p95 {max(big[p]['p95'] for p in big_pages):.1f} ms."]
    text = "\n".join(lines)
    print(text)
    (ROOT / "benchmarks" / "PAGES.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
