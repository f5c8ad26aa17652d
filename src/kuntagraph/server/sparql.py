"""SPARQL 1.1 Protocol endpoint at /sparql: query by GET, POST form and POST application/sparql-query.

Read-only: updates are refused with 403 (writes come through the Graph Store Protocol, with credentials).
GET without a query: the query UI for browsers, a SPARQL Service Description for RDF clients.
"""

import functools
import re
import time
from urllib.parse import parse_qs

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..querypool import NoCheckpoint, WorkersStarting
from ..store import QueryError, QueryTimeout, ResultTooLarge
from . import negotiate, threads
from .negotiate import HTML, RDF_FORMATS, RESULT_FORMATS

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
SD = "http://www.w3.org/ns/sparql-service-description#"
READ_ONLY = ("This SPARQL endpoint is read-only: updates are refused. "
             "Municipalities publish through the Graph Store Protocol with their credentials.")


# SPARQL's lexical pieces that can hold the word SERVICE without being the keyword: strings, IRIs, comments and
# prefixed names; what is left are keywords and variables.
_LEXEMES = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\s]*>', r"#[^\n]*", r"[?$]\w+", r"[A-Za-z_][\w.-]*:[\w.:%-]*",  # IRIs, comments, variables, names
    r"(?P<word>[A-Za-z_]\w*)"]), re.S)
NO_SERVICE = ("Federated queries (SERVICE) are refused: this server does not send requests to other servers on "
              "anyone's behalf. Query each endpoint yourself.")


def uses_service(query: str) -> bool:
    """Whether the query has the SERVICE keyword (pyoxigraph would otherwise fetch the remote endpoint)."""
    return any(m.group("word") and m.group("word").upper() == "SERVICE" for m in _LEXEMES.finditer(query))


def problem(status: int, message: str, headers: dict | None = None) -> Response:
    """A refusal a person can read: plain text, one or two sentences."""
    return Response(message.rstrip() + "\n", status_code=status, media_type="text/plain; charset=utf-8", headers=headers)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def wrong_method(request: Request):
    # Otherwise the router's bare "Method Not Allowed" would not say what to do instead.
    response = problem(405, f"{request.method} is not a SPARQL Protocol method: send queries with GET or POST.")
    response.headers["Allow"] = "GET, HEAD, POST"
    return response


@router.api_route("/sparql", methods=["GET", "POST", "HEAD"], include_in_schema=True)
async def sparql(request: Request):
    settings = request.app.state.settings
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            return problem(400, "SPARQL Update is not accepted with GET. This endpoint is read-only.")
        if "query" not in params:
            return await _no_query(request)
        queries = params["query"]
    else:
        body = await request.body()
        if len(body) > settings.max_query_bytes:
            return problem(413, f"The request body is larger than {settings.max_query_bytes} bytes.")
        ctype, charset = _content_type(request.headers.get("content-type"))
        if ctype == UPDATE:  # refused whatever its encoding: the honest answer to any update
            return problem(403, READ_ONLY)
        if charset not in (None, "utf-8", "utf8"):
            return problem(415, f"The query must be sent in UTF-8, not in {charset}.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return problem(400, "The request body is not valid UTF-8.")
        if ctype == FORM:
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return problem(403, READ_ONLY)
            queries = form.get("query", [])
            for key in ("default-graph-uri", "named-graph-uri"):
                params.setdefault(key, []).extend(form.get(key, []))
        elif ctype == QUERY:
            queries = [text]
        elif ctype is None:
            return problem(415, f"Say what the body is: Content-Type {FORM} or {QUERY}.")
        else:
            return problem(415, f"Content-Type {ctype} is not accepted: use {FORM} or {QUERY}.")
    if len(queries) != 1:
        return problem(400, "Send exactly one query (the 'query' parameter was given %d times)." % len(queries))
    query = queries[0]
    if not query.strip():
        return problem(400, "The query is empty.")
    if len(query.encode()) > settings.max_query_bytes:
        return problem(413, f"The query is longer than {settings.max_query_bytes} bytes.")
    if uses_service(query):
        return problem(403, NO_SERVICE)
    return await run_query(request, query, params.get("default-graph-uri") or None, params.get("named-graph-uri") or None)


async def run_query(request: Request, query: str, default_graph=None, named_graphs=None) -> Response:
    settings = request.app.state.settings
    accept = request.headers.get("accept")
    # The query form is known only once parsed, so negotiate both kinds of answer up front.
    result_fmt = _requested(request, RESULT_FORMATS) or negotiate.choose(accept, RESULT_FORMATS) or RESULT_FORMATS[0]
    graph_fmt = _requested(request, RDF_FORMATS) or negotiate.choose(accept, RDF_FORMATS) or RDF_FORMATS[0]
    deadline = time.monotonic() + settings.query_timeout
    # A query with no BASE resolves relative IRIs (`<s>`, `<id/491>`) against the base of our IRIs,
    # so it means the same on every host.
    run = functools.partial(request.app.state.queries.execute, query, result_format=result_fmt.key,
                            graph_format=graph_fmt.key, default_graph=default_graph, named_graphs=named_graphs,
                            base_iri=request.app.state.store.iris.base, deadline=deadline,
                            max_bytes=settings.max_result_bytes)
    try:
        # The runner keeps the deadline itself; this is the last resort should a remote store not answer.
        with anyio.fail_after(settings.query_timeout + 5):
            answer = await anyio.to_thread.run_sync(run, abandon_on_cancel=True, limiter=threads.pool(request, "queries"))
    except QueryError as e:
        return problem(400, f"The query cannot be run: {e}")
    except WorkersStarting:
        return problem(503, "The query service is starting (its workers are getting their copy of the data). "
                            "Try again in half a minute.", {"Retry-After": "30"})
    except NoCheckpoint:
        return problem(503, "The query service cannot make its read-only copy of the data: the server's disk is full "
                            "or read-only (its log says which). Try again later.", {"Retry-After": "60"})
    except (QueryTimeout, TimeoutError):
        return problem(503, f"The query timed out after {settings.query_timeout:g} seconds. Narrow it down, or add a LIMIT.")
    except ResultTooLarge:
        return problem(413, f"The answer is larger than the result cap of {settings.max_result_bytes // 2**20} MB. Add a LIMIT or select fewer variables.")
    fmt = graph_fmt if answer.kind == "graph" else result_fmt
    return Response(answer.body, media_type=_with_charset(fmt.media_type), headers={"Vary": "Accept"})


def _requested(request: Request, offered):
    """An explicit ?format=json (as many endpoints accept), else None."""
    wanted = request.query_params.get("format")
    return next((f for f in offered if f.key == wanted), None) if wanted else None


def _content_type(header: str | None):
    if not header:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset


def _with_charset(media_type: str) -> str:
    return media_type + "; charset=utf-8" if media_type.startswith("text/") or media_type.endswith("json") else media_type


async def _no_query(request: Request) -> Response:
    """Browsers get the query UI; RDF clients a SPARQL Service Description."""
    fmt = negotiate.choose(request.headers.get("accept"), [*RDF_FORMATS, HTML])
    if fmt is None or fmt is HTML:
        from .pages import query_ui
        return query_ui(request)
    body = ox.serialize(service_description(request), format=_rdf_format(fmt.key))
    return Response(body, media_type=_with_charset(fmt.media_type), headers={"Vary": "Accept"})


def _rdf_format(key: str):
    from ..store import GRAPH_FORMATS
    return GRAPH_FORMATS[key]


def service_description(request: Request) -> list:
    endpoint = ox.NamedNode(str(request.url_for("sparql")))
    service = ox.BlankNode()
    dataset = ox.BlankNode()
    t = lambda s, p, o: ox.Triple(s, ox.NamedNode(p), o)  # noqa: E731
    sd = lambda local: ox.NamedNode(SD + local)  # noqa: E731
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    triples = [
        t(service, rdf_type, sd("Service")),
        t(service, SD + "endpoint", endpoint),
        t(service, SD + "supportedLanguage", sd("SPARQL11Query")),
        t(service, SD + "feature", sd("UnionDefaultGraph")),
        t(service, SD + "defaultDataset", dataset),
        t(dataset, rdf_type, sd("Dataset")),
        t(service, "http://purl.org/dc/terms/title", ox.Literal("kuntagraph SPARQL endpoint", language="en")),
        t(service, "http://purl.org/dc/terms/title", ox.Literal("kuntagraphin SPARQL-rajapinta", language="fi")),
    ]
    for fmt in [*RESULT_FORMATS, *RDF_FORMATS]:
        triples.append(t(service, SD + "resultFormat", ox.NamedNode(_FORMAT_IRIS[fmt.key])))
    default_graph = ox.BlankNode()
    triples += [t(dataset, SD + "defaultGraph", default_graph), t(default_graph, rdf_type, sd("Graph"))]
    for g in request.app.state.store.graphs():
        named = ox.BlankNode()
        triples += [t(dataset, SD + "namedGraph", named), t(named, rdf_type, sd("NamedGraph")),
                    t(named, SD + "name", ox.NamedNode(g))]
    return triples


_FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
}
