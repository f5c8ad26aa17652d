"""The W3C Graph Store Protocol at /store, indirect identification (`?graph=IRI`), as Oxigraph's server has it.

GET and HEAD read any graph (it is published anyway). PUT (replace), POST (merge; without `graph`, a new
graph of the caller's) and DELETE need `Authorization: Bearer SECRET` (kuntagraph token create): a
municipality's credential writes only graph/KEY and graph/KEY/..., an admin's any graph. Every write is
validated first (422 with the report; nothing changes), checked against If-Match (412), recorded as a version
(GET /store/history, /store/version, POST /store/rollback for the admin) and applied in one transaction.
The default graph is the union of all graphs: readable, never written (405).
"""

from __future__ import annotations

import logging
import secrets
import time

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from .. import rdffiles
from ..auth import Credential
from ..iris import is_safe_iri
from ..publish import Publisher, WriteRefused
from . import negotiate, threads

router = APIRouter()
log = logging.getLogger("kuntagraph.auth")
MAX_BODY = 20 * 2**20
PARSE_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG,
}
SUFFIX_FORMATS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
                  ".rdf": "application/rdf+xml", ".owl": "application/rdf+xml"}
READ_ONLY_DEFAULT = ("The default graph is the union of all published graphs: it can be read but not written. "
                     "Write a municipality's graph with ?graph=IRI.")


def refusal(request: Request, e: WriteRefused, headers: dict | None = None) -> Response:
    """JSON by default; readable text (fi, or en with ?lang=en / Accept-Language) for Accept: text/plain."""
    accept = (request.headers.get("accept") or "").lower()
    if "text/plain" in accept and "json" not in accept:
        return PlainTextResponse(text_of(e, _lang(request)), status_code=e.status, headers=headers)
    return JSONResponse(e.to_json(), status_code=e.status, headers=headers)


def text_of(e: WriteRefused, lang: str) -> str:
    lines = [e.messages[lang]]
    for severity in ("violations", "warnings"):
        for f in (e.report or {}).get(severity, []):
            lines.append(f"  {f['severity'].upper()} [{f['check']}] {f['focus']} {f['path'] or ''}\n    {f[lang]}")
    return "\n".join(lines) + "\n"


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or ""
    if lang in ("fi", "en"):
        return lang
    accept = (request.headers.get("accept-language") or "fi").lower()
    return "en" if accept.startswith("en") else "fi"


def publisher(request: Request) -> Publisher:
    p = getattr(request.app.state, "publisher", None)
    if p is None:
        raise WriteRefused(405, "read-only", "Tämä palvelin on vain luettava: käynnistä se valitsimella --store DIR, jotta kunnat voivat julkaista.",
                           "This server is read-only: start it with --store DIR for municipalities to publish.")
    return p


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def credential(request: Request, secret: str | None = None) -> Credential:
    """The caller's credential, from `Authorization: Bearer SECRET` (or a secret the upload page got)."""
    p = publisher(request)
    client = client_of(request)
    wait = p.failures.blocked(client)
    if wait:
        raise WriteRefused(429, "too-many-failures", f"Liian monta epäonnistunutta tunnistautumista; yritä {int(wait) + 1} s kuluttua.",
                           f"Too many failed authentications; try again in {int(wait) + 1} s.")
    if secret is None:
        header = request.headers.get("authorization") or ""
        scheme, _, secret = header.partition(" ")
        if not header or scheme.lower() != "bearer":
            raise WriteRefused(401, "unauthenticated", "Kirjoittaminen vaatii tunnuksen: Authorization: Bearer TUNNUS.",
                               "Writing needs a credential: Authorization: Bearer SECRET.")
    cred, why = p.tokens.check(secret.strip())
    if cred is None:
        p.failures.fail(client)
        log.warning("authentication failed from %s on %s %s: %s", client, request.method, request.url.path, why)
        raise WriteRefused(401, "unauthenticated", "Tunnus ei kelpaa (tuntematon, väärä tai peruttu).",
                           "The credential is not valid (unknown, wrong or revoked).")
    return cred


def _graph_param(request: Request) -> str | None:
    """The graph IRI of ?graph= (percent-decoded once, as the query string is), or None for ?default."""
    params = request.query_params
    if "graph" in params and "default" in params:
        raise WriteRefused(400, "bad-request", "Anna joko graph tai default, ei molempia.", "Give either graph or default, not both.")
    if "graph" in params:
        iri = params["graph"]
        if not iri or not is_safe_iri(iri):
            raise WriteRefused(400, "bad-request", "graph ei ole kelvollinen IRI.", "graph is not a valid IRI.")
        return iri
    if "default" in params:
        return None
    raise WriteRefused(400, "bad-request", "Anna ?graph=IRI tai ?default.", "Give ?graph=IRI or ?default.")


def changed(request: Request):
    """After a write: every cache keyed on the data version (pages, aggregates, search, scorecards) starts again."""
    state = request.app.state
    state.data_modified = time.time()
    state.compliance.ensure(state.data_modified, after_write=True)
    state.search_indexes.ensure(state.data_modified, after_write=True)
    state.aggregates.ensure(state.data_modified, after_write=True)


# --- reading -------------------------------------------------------------------------------------------------

@router.api_route("/store", methods=["GET", "HEAD"])
async def read(request: Request):
    try:
        graph = _graph_param(request)
    except WriteRefused as e:
        return refusal(request, e)
    fmt = negotiate.choose(request.headers.get("accept"), negotiate.RDF_FORMATS)
    if fmt is None:
        return PlainTextResponse("Not acceptable: Turtle, N-Triples, JSON-LD or RDF/XML.\n", status_code=406)
    store = request.app.state.store
    if graph is not None and graph not in store.graphs():
        return PlainTextResponse(f"No graph <{graph}>.\n", status_code=404)
    body = store.dump(fmt.key, graph=graph) if graph else store.execute(DEFAULT_GRAPH, graph_format=fmt.key).body
    p = getattr(request.app.state, "publisher", None)
    headers = {"Vary": "Accept"}
    if p is not None and graph:
        headers["ETag"] = p.etag(graph) or ""
    media = fmt.media_type + ("; charset=utf-8" if fmt.key in ("turtle", "ntriples") else "")
    if request.method == "HEAD":
        return Response(status_code=200, media_type=media, headers={**headers, "Content-Length": str(len(body))})
    return Response(body, media_type=media, headers=headers)


# The default graph is the union of the named graphs: each triple once, though it is in several.
DEFAULT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


# --- writing -------------------------------------------------------------------------------------------------

async def _body(request: Request, base: str) -> list:
    """The request's triples: one RDF document, or the parts of a multipart/form-data upload."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY:
        raise WriteRefused(413, "too-large", f"Pyyntö on yli {MAX_BODY // 2**20} Mt.", f"The request is over {MAX_BODY // 2**20} MB.")
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=20, max_fields=20)
        triples = []
        for _, part in form.multi_items():
            if isinstance(part, str):
                continue
            data = await part.read(MAX_BODY + 1)
            part_type = (part.content_type or "").split(";")[0].strip().lower()
            if part_type not in PARSE_FORMATS:
                part_type = next((m for s, m in SUFFIX_FORMATS.items() if (part.filename or "").endswith(s)), part_type)
            triples += parse(data, part_type, base, part.filename or "part")
        return triples
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise WriteRefused(413, "too-large", f"Pyyntö on yli {MAX_BODY // 2**20} Mt.", f"The request is over {MAX_BODY // 2**20} MB.")
    return parse(bytes(data), ctype, base, "body")


def parse(data: bytes, ctype: str, base: str, name: str) -> list:
    fmt = PARSE_FORMATS.get(ctype)
    if fmt is None:
        raise WriteRefused(415, "unsupported-media-type",
                           f"Muoto '{ctype or '(ei annettu)'}' ei käy: lähetä Turtle, N-Triples, JSON-LD tai RDF/XML.",
                           f"The format '{ctype or '(none given)'}' is not accepted: send Turtle, N-Triples, JSON-LD or RDF/XML.")
    try:
        rdffiles.refuse_xml_declarations(data, fmt, name)
    except rdffiles.InputError as e:
        raise WriteRefused(400, "xml-declarations", f"{name}: RDF/XML:ää, jossa on DOCTYPE- tai ENTITY-määrittely, ei hyväksytä.",
                           str(e)) from None
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=base))
    except (SyntaxError, ValueError, OSError) as e:
        raise WriteRefused(400, "syntax-error", f"{name} ei ole kelvollista RDF:ää: {e}", f"{name} is not valid RDF: {e}") from None
    return [q.triple for q in quads]


async def _write(request: Request, merge: bool):
    p = publisher(request)
    graph = _graph_param(request) if ("graph" in request.query_params or "default" in request.query_params or not merge) else "new"
    if graph is None:
        raise WriteRefused(405, "read-only-default", "Oletusgraafi on kaikkien graafien yhdiste: sitä ei kirjoiteta.", READ_ONLY_DEFAULT)
    cred = credential(request)
    if graph == "new":  # POST to the store itself: a new graph of the caller's
        if cred.admin:
            raise WriteRefused(400, "bad-request", "Anna ylläpitäjänä graafi: ?graph=IRI.", "As the admin, name the graph: ?graph=IRI.")
        graph = p.iris.graph(f"{cred.kunta}/{secrets.token_hex(8)}")
    triples = await _body(request, graph)
    outcome = await threads.in_thread(request, "writes", p.write, cred, graph, triples, merge=merge, action="post" if merge else "put",
                               if_match=request.headers.get("if-match"), if_none_match=request.headers.get("if-none-match"))
    changed(request)
    headers = {"ETag": outcome.etag} if outcome.etag else {}
    if outcome.created:
        headers["Location"] = graph
    return JSONResponse(outcome.to_json(), status_code=201 if outcome.created else 200, headers=headers)


def guarded(route):
    """A route whose WriteRefused becomes its answer (JSON or text, with WWW-Authenticate / Allow)."""
    async def run(request: Request):
        try:
            return await route(request)
        except WriteRefused as e:
            return refusal(request, e, _allow(e))
    run.__name__ = route.__name__
    return run


@router.put("/store")
@guarded
async def put(request: Request):
    return await _write(request, merge=False)


@router.post("/store")
@guarded
async def post(request: Request):
    return await _write(request, merge=True)


@router.delete("/store")
@guarded
async def delete(request: Request):
    p = publisher(request)
    graph = _graph_param(request)
    if graph is None:
        raise WriteRefused(405, "read-only-default", "Oletusgraafi on kaikkien graafien yhdiste: sitä ei kirjoiteta.", READ_ONLY_DEFAULT)
    cred = credential(request)
    outcome = await threads.in_thread(request, "writes", p.delete, cred, graph, if_match=request.headers.get("if-match"))
    changed(request)
    return JSONResponse(outcome.to_json(), status_code=200)


def _allow(e: WriteRefused) -> dict | None:
    if e.status == 401:
        return {"WWW-Authenticate": 'Bearer realm="kuntagraph"'}
    if e.status == 405 and e.code == "read-only-default":
        return {"Allow": "GET, HEAD"}
    return None


# --- history -------------------------------------------------------------------------------------------------

def _history_of(request: Request) -> tuple[Publisher, str]:
    """The publisher and the graph whose history the caller (its owner or the admin) may read."""
    p = publisher(request)
    graph = _graph_param(request)
    cred = credential(request)
    if not cred.admin and p.owner_key(graph) != cred.kunta:
        raise WriteRefused(403, "forbidden", "Voit katsoa vain oman kuntasi graafien historiaa.",
                           "You may see the history of your own municipality's graphs only.")
    return p, graph


@router.get("/store/history")
@guarded
async def history(request: Request):
    p, graph = _history_of(request)
    return JSONResponse({"graph": graph, "versions": [v.to_json() for v in p.history.versions(graph)]})


@router.get("/store/version")
@guarded
async def version(request: Request):
    p, graph = _history_of(request)
    n = request.query_params.get("version", "")
    data = p.history.data(graph, int(n)) if n.isdigit() else None
    if data is None:
        raise WriteRefused(404, "no-such-version", "Versiota ei ole.", "There is no such version.")
    return Response(data, media_type="application/n-triples; charset=utf-8")


@router.post("/store/rollback")
@guarded
async def rollback(request: Request):
    p = publisher(request)
    graph = _graph_param(request)
    cred = credential(request)
    if not cred.admin:
        raise WriteRefused(403, "forbidden", "Vain ylläpitäjä voi palauttaa version.", "Only the admin may restore a version.")
    n = request.query_params.get("version", "")
    if not n.isdigit():
        raise WriteRefused(400, "bad-request", "Anna palautettava versio: ?version=N.", "Give the version to restore: ?version=N.")
    outcome = await threads.in_thread(request, "writes", p.rollback, cred.who, graph, int(n))
    changed(request)
    return JSONResponse(outcome.to_json())
