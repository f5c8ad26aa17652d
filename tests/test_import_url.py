"""`kuntagraph import https://…`: a description published over several pages of the organisation's site, fetched
from a site served on 127.0.0.1 (Savonlinna's three pages, from ../shared/corpus/, as HTML).

The crawler follows the description's own sub-pages, not the site's other pages nor other sites, obeys robots.txt,
waits between requests, caps the pages, names itself, and keeps each page's address and retrieval time (PROV).
"""

import html
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rdflib

from conftest import run_cli

KG = rdflib.Namespace("https://w3id.org/kuntagraph/def#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def page(title, paragraphs, links=()):
    body = "".join(f"<p>{html.escape(p)}</p>" if not p.startswith("# ") else f"<h2>{html.escape(p[2:])}</h2>" for p in paragraphs)
    nav = "".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in links)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            f"<nav><ul>{nav}</ul></nav><main><h1>{html.escape(title)}</h1>{body}</main></body></html>").encode()


START = page("Asiakirjajulkisuuskuvaus", [
    "Savonlinnan kaupungin on tiedonhallintalain (906/2019) 28 §:n mukaisesti julkisuusperiaatteen toteuttamista "
    "varten ylläpidettävä kuvausta hallinnoimistaan tietovarannoista ja asiarekisteristä.",
    "Savonlinnan kaupungin tietoaineistot eivät pääsääntöisesti ole saatavilla avoimesti teknisen rajapinnan avulla.",
    "# Tietopyynnöt",
    "Tietopyynnöt pyydetään toimittamaan kirjaamoon, missä ne rekisteröidään määräaikojen seuraamiseksi.",
], links=[("/asiakirjajulkisuuskuvaus/asiarekisteri-ja-tietovarannot/", "Asiarekisteri ja tietovarannot"),
          ("/asiakirjajulkisuuskuvaus/varhaiskasvatus/", "Varhaiskasvatus"),
          ("/uutiset/", "Uutiset"), ("/private/tietovarannot/", "Salaiset tietovarannot"),
          ("http://192.0.2.1/asiakirjajulkisuuskuvaus/", "Toisen sivuston kuvaus"),
          ("/kuva.jpg", "Kuva")])
REGISTER = page("Asiarekisteri ja tietovarannot", [
    "# Asiarekisteri",
    "Savonlinnan kaupunki ylläpitää tiedonhallintalain 25 §:n mukaisesti asiarekisteriä. Asiarekisteri on looginen "
    "kokonaisuus vireille pannuista asioista, näiden käsittelyvaiheista ja niihin liittyvistä asiakirjoista. "
    "Asiarekisteriin kuuluvia tietoja käsitellään asianhallintajärjestelmässä, operatiivisissa tietojärjestelmissä ja "
    "paperiaineistossa.",
])
EARLY = page("Varhaiskasvatus", [
    "Tietovarannon käyttötarkoitus: varhaiskasvatuspalvelujen järjestäminen ja ohjaus.",
    "Keskeiset tietoaineistot: varhaiskasvatushakemukset, tuloselvitykset, valvontaraportit, päätökset.",
    "Keskeiset tietojärjestelmät: Effica Varhaiskasvatus, Muksunetti, Dynasty-asianhallintajärjestelmä.",
    "Hakutekijät, joilla tietoja voidaan hakea järjestelmästä: nimi, henkilötunnus, asianumero.",
])
PAGES = {"/asiakirjajulkisuuskuvaus/": START, "/asiakirjajulkisuuskuvaus/asiarekisteri-ja-tietovarannot/": REGISTER,
         "/asiakirjajulkisuuskuvaus/varhaiskasvatus/": EARLY, "/uutiset/": page("Uutiset", ["Tietovarannot uutisissa."]),
         "/private/tietovarannot/": page("Salainen", ["Tätä ei saa hakea."])}


@pytest.fixture
def site():
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append((time.monotonic(), self.path, self.headers.get("User-Agent")))
            if self.path == "/robots.txt":
                body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
            elif self.path in PAGES:
                body, ctype = PAGES[self.path], "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_a_description_over_three_pages_is_one_graph_with_each_pages_provenance(site, tmp_path):
    base, requests = site
    out = tmp_path / "savonlinna.ttl"
    r = run_cli("import", f"{base}/asiakirjajulkisuuskuvaus/", "--kunta", "savonlinna", "-o", out,
                "--format", "json", "--delay", "0.3")
    assert r.returncode in (0, 1), r.stderr
    report = json.loads(r.stderr)
    fetched = [p["url"] for p in report["crawl"]["pages"]]
    assert fetched == [f"{base}/asiakirjajulkisuuskuvaus/", f"{base}/asiakirjajulkisuuskuvaus/asiarekisteri-ja-tietovarannot/",
                       f"{base}/asiakirjajulkisuuskuvaus/varhaiskasvatus/"]
    paths = [p for _, p, _ in requests]
    assert "/uutiset/" not in paths and "/private/tietovarannot/" not in paths and "/kuva.jpg" not in paths
    assert any(s["url"].endswith("/private/tietovarannot/") and "robots.txt" in s["why"] for s in report["crawl"]["skipped"]) \
        or "/private/tietovarannot/" not in paths
    # named, and waiting between requests
    assert all(ua.startswith("kuntagraph/") for _, _, ua in requests)
    times = [t for t, p, _ in requests if p != "/robots.txt"]
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:])), times

    g = rdflib.Graph().parse(out)
    assert [str(g.value(c, SKOS.prefLabel)) for c in g.subjects(rdflib.RDF.type, KG.CaseRegister)] == ["Asiarekisteri"]
    assert sorted(str(g.value(x, SKOS.prefLabel)) for x in g.subjects(rdflib.RDF.type, KG.InformationResource)) == \
        ["Asiarekisteri", "Varhaiskasvatus"]  # a case register is an information resource too
    assert str(next(g.objects(None, KG.openInterface))).endswith("/no")
    # each item says which page it came from, and that page when it was fetched
    resource = next(x for x in g.subjects(rdflib.RDF.type, KG.InformationResource) if str(g.value(x, SKOS.prefLabel)) == "Varhaiskasvatus")
    source = g.value(resource, PROV.wasDerivedFrom)
    assert str(g.value(source, PROV.hadPrimarySource)) == f"{base}/asiakirjajulkisuuskuvaus/varhaiskasvatus/"
    assert g.value(source, PROV.generatedAtTime) is not None
    assert len(set(g.subjects(rdflib.RDF.type, KG.AccessDescription))) == 3


def test_the_page_cap_and_robots_txt(site, tmp_path):
    base, requests = site
    r = run_cli("import", f"{base}/asiakirjajulkisuuskuvaus/", "--kunta", "savonlinna", "-o", tmp_path / "o.ttl",
                "--format", "json", "--delay", "0", "--max-pages", "1")
    report = json.loads(r.stderr)
    assert len(report["crawl"]["pages"]) == 1
    assert any("cap of 1 pages" in s["why"] for s in report["crawl"]["skipped"])
    r = run_cli("import", f"{base}/private/tietovarannot/", "--kunta", "savonlinna", "--delay", "0")
    assert r.returncode == 2 and "robots.txt" in r.stderr and "Traceback" not in r.stderr


def test_an_unreachable_site_and_a_missing_page_are_said_in_words(site, tmp_path):
    base, _ = site
    r = run_cli("import", f"{base}/ei-ole/", "--kunta", "savonlinna", "--delay", "0")
    assert r.returncode == 2 and "404" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("import", "http://127.0.0.1:9/asiakirjajulkisuuskuvaus/", "--kunta", "savonlinna", "--delay", "0")
    assert r.returncode == 2 and "cannot be reached" in r.stderr and "Traceback" not in r.stderr
