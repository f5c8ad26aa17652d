"""Hardening: what every response carries, whatever the page."""

import httpx
import pytest

PATHS = ["/", "/id/491", "/id/491.ttl", "/compare/matrix", "/finder?q=kirjasto", "/search?q=koha", "/catalog",
         "/sparql", "/sparql?query=ASK%7B%7D", "/store?graph=https://w3id.org/kuntagraph/graph/491", "/publish",
         "/static/style.css", "/id/no-such-thing", "/.well-known/void"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(server, path):
    r = httpx.get(server.url + path, headers={"accept": "text/html"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "same-origin"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert "script-src 'self';" in csp  # never inline script, never eval
    inline_style = "style-src 'self' 'unsafe-inline'" in csp
    assert inline_style == (path.split("?")[0] == "/sparql")  # only the query editor (YASGUI inserts <style> for its column grips)


# --- no outbound requests on anyone's behalf ---------------------------------------------------------------

class Listener:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        import socket
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE<http://127.0.0.1:{port}/>{ ?s ?p ?o } } LIMIT 1",
])
def test_sparql_service_is_refused_and_nothing_is_fetched(server, query):
    listener = Listener()
    try:
        q = query.replace("{port}", str(listener.port))
        for r in (httpx.get(server.url + "/sparql", params={"query": q}),
                  httpx.post(server.url + "/sparql", content=q, headers={"content-type": "application/sparql-query"})):
            assert r.status_code == 403 and "SERVICE" in r.text
        assert listener.connections == 0
    finally:
        listener.close()
    ok = httpx.get(server.url + "/sparql", params={"query": 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) }'})
    assert ok.status_code == 200  # the word in a string or a variable is no federated query


def test_importers_never_fetch_what_a_document_links_to(tmp_path):
    from conftest import run_cli
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}"
        page = tmp_path / "kuvaus.html"
        page.write_text(f"""<html><head><link rel="stylesheet" href="{url}/a.css"><script src="{url}/a.js"></script></head>
<body><h1>Sivistyspalvelut</h1><img src="{url}/logo.png"><iframe src="{url}/frame"></iframe>
<h2>Perusopetuksen tietovaranto</h2><p>Tietoaineistot</p><ul><li><a href="{url}/oppilaat">Oppilaiden tiedot</a></li></ul>
<p>Tietojärjestelmät</p><ul><li>Primus</li></ul>
<p>Tiedot ovat saatavilla avoimen rajapinnan kautta: {url}/api</p></body></html>""", encoding="utf-8")
        r = run_cli("import", page, "--kunta", "unnamed-009", "-o", tmp_path / "out.ttl", "--no-validate")
        assert r.returncode == 0, r.stderr
        assert f"{url}/api" in (tmp_path / "out.ttl").read_text()  # kept as the interface's address, not fetched
        assert listener.connections == 0
    finally:
        listener.close()
