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
