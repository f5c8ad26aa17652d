"""Every IRI under the base dereferences (DESIGN §2, §5): /id/…, /def, /vocab/…, /source/…, /graph/….

Answers are 200 with Content-Location naming the format-specific document (/id/491.ttl); the suffixes
.html .ttl .jsonld .rdf .nt choose a format directly. Strong ETags are hashes of each representation.
"""

import hashlib
from email.utils import formatdate

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..iris import linkable
from ..store import GRAPH_FORMATS, PREFIXES
from . import describe, i18n, negotiate
from .negotiate import HTML, RDF_FORMATS
from .pages import render

router = APIRouter()
OFFERED = [HTML, *RDF_FORMATS]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"  # HTML first: a browser, or curl's */*, gets the page


def term_labels(request: Request):
    """Labels of ontology terms (rdfs:label) and of the external terms the pages show."""
    from .aggregates import memo

    cache = memo(request.app.state, "term-labels", dict)
    if not cache:
        store = request.app.state.store
        # From the ontology's own graph and the concept schemes: a filter over every label in the store took
        # seconds at national scale.
        rows = store.select(
            "SELECT ?t ?l (lang(?l) AS ?lang) WHERE {"
            f" {{ GRAPH <{store.iris.graph('ontology')}> {{ ?t rdfs:label|skos:prefLabel ?l }} FILTER(STRSTARTS(STR(?t), STR(kg:))) }}"
            " UNION { ?t a skos:ConceptScheme ; rdfs:label|skos:prefLabel ?l } }")
        for r in rows:
            cache.setdefault(r["t"], {})[r["lang"] or ""] = r["l"]
        cache.update(i18n.EXTERNAL_TERMS)
    return lambda iri, lang: i18n.best_label(cache[iri], lang) if iri in cache else None


def respond(request: Request, body: bytes, fmt, path: str, alternates: bool = True) -> Response:
    """The one place that sets the caching and negotiation headers of a representation."""
    etag = '"' + hashlib.sha256(fmt.media_type.encode() + b"\0" + body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Vary": "Accept",
        "Last-Modified": formatdate(request.app.state.data_modified, usegmt=True),
        "Content-Location": path + fmt.suffix,
        "Cache-Control": "public, max-age=60",
    }
    if alternates:
        headers["Link"] = ", ".join(f'<{path}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in OFFERED if f is not fmt)
    inm = request.headers.get("if-none-match")
    if inm and (inm.strip() == "*" or etag in [x.strip() for x in inm.split(",")]):
        return Response(status_code=304, headers=headers)
    media = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(b"" if request.method == "HEAD" else body, media_type=media, headers=headers)


def serialize(triples, fmt) -> bytes:
    kw = {"prefixes": {**PREFIXES, "vocab": PREFIXES["kg"].replace("def#", "vocab/")}} if fmt.key in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt.key], **kw)


def negotiated(request: Request, path: str):
    """(path without suffix, format) or a 406 response."""
    bare, fmt = negotiate.by_suffix(path, OFFERED)
    if fmt is None:
        fmt = negotiate.choose(request.headers.get("accept"), OFFERED)
        if fmt is None:
            types = ", ".join(f.media_type for f in OFFERED)
            return bare, Response(f"None of the requested formats is available. Available: {types}.\n", status_code=406,
                                  media_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})
    return bare, fmt


@router.api_route("/id/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/vocab/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/source/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def thing(request: Request, rest: str):
    from .municipality import municipality_page, municipality_twin, twin_format

    if twin_format(request.url.path):
        return municipality_twin(request)
    path, fmt = negotiated(request, request.url.path)
    if isinstance(fmt, Response):
        return fmt
    store = request.app.state.store
    iri = store.iris.iri_of_path(path)
    scheme = path.startswith("/vocab/") and path.count("/") == 2
    triples = describe.graph_triples(store, store.iris.graph(path.lstrip("/"))) if scheme else describe.bounded_description(store, iri)
    if not any(t.subject == ox.NamedNode(iri) for t in triples):
        return not_found(request, fmt)
    if fmt is not HTML:
        return respond(request, serialize(triples, fmt), fmt, path)
    lang = i18n.pick_language(request.query_params.get("lang"))
    if scheme:
        page = render(request, "scheme.html", **scheme_view(request, iri, lang), alternates=_alternates(path))
    elif ox.Triple(ox.NamedNode(iri), ox.NamedNode(RDF_TYPE), ox.NamedNode(store.iris.term("Municipality"))) in triples:
        page = municipality_page(request, iri, lang, _alternates(path))
    else:
        view = describe.build(iri, triples, lang, term_labels(request), store.iris.path_of)
        page = render(request, "resource.html", r=view, alternates=_alternates(path))
    return respond(request, page.body, fmt, path)


@router.api_route("/def", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/def{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
def ontology(request: Request, suffix: str = ""):
    if suffix and suffix not in {f.suffix for f in OFFERED}:
        return not_found(request, HTML)
    path, fmt = negotiated(request, request.url.path)
    if isinstance(fmt, Response):
        return fmt
    store = request.app.state.store
    if fmt is not HTML:
        return respond(request, serialize(describe.graph_triples(store, store.iris.graph("ontology")), fmt), fmt, path)
    lang = i18n.pick_language(request.query_params.get("lang"))
    page = render(request, "ontology.html", **ontology_view(request, lang), alternates=_alternates(path))
    return respond(request, page.body, fmt, path)


@router.api_route("/graph/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def graph(request: Request, rest: str):
    """A named graph's IRI dereferences to the graph itself."""
    path, fmt = negotiated(request, request.url.path)
    if isinstance(fmt, Response):
        return fmt
    store = request.app.state.store
    name = store.iris.base + path.lstrip("/")
    if name not in store.graphs():
        return not_found(request, fmt)
    if fmt is not HTML:
        return respond(request, serialize(describe.graph_triples(store, name), fmt), fmt, path)
    page = render(request, "graph.html", graph_iri=name, key=path[len("/graph/"):], count=store.count(name), alternates=_alternates(path))
    return respond(request, page.body, fmt, path)


@router.api_route("/dumps/all.nq", methods=["GET", "HEAD"], include_in_schema=False)
def dump_all(request: Request):
    from .negotiate import Format
    fmt = Format("nquads", "application/n-quads", ".nq", "N-Quads")
    return respond(request, request.app.state.store.dump("nquads"), fmt, "/dumps/all", alternates=False)


@router.api_route("/dumps/{key:path}.ttl", methods=["GET", "HEAD"], include_in_schema=False)
def dump_graph(request: Request, key: str):
    store = request.app.state.store
    name = store.iris.graph(key)
    if name not in store.graphs():
        return not_found(request, RDF_FORMATS[0])
    return respond(request, serialize(describe.graph_triples(store, name), RDF_FORMATS[0]), RDF_FORMATS[0], f"/dumps/{key}", alternates=False)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], include_in_schema=False)
def void(request: Request):
    """VoID description of the dataset and of each named graph (a subset)."""
    from .void import void_triples
    path, fmt = "/.well-known/void", negotiate.choose(request.headers.get("accept"), RDF_FORMATS) or RDF_FORMATS[0]
    return respond(request, serialize(void_triples(request), fmt), fmt, path, alternates=False)


def _alternates(path):
    return [(f.label, path + f.suffix, f.media_type) for f in RDF_FORMATS]


def not_found(request: Request, fmt):
    if fmt is HTML:
        from .pages import not_found as page
        return page(request)
    return Response(f"Nothing is described at {request.url.path}.\n", status_code=404, media_type="text/plain; charset=utf-8",
                    headers={"Vary": "Accept"})


def _pick(rows, key, lang):
    found: dict = {}
    for r in rows:
        if r.get(key) is not None:
            found.setdefault(r["t"], {}).setdefault(r.get(key + "_lang") or "", r[key])
    return {t: i18n.best_label(v, lang) for t, v in found.items()}


ONTOLOGY_TERMS = """
SELECT ?t ?kind ?label (lang(?label) AS ?label_lang) ?definition (lang(?definition) AS ?definition_lang) WHERE {
  GRAPH <%s> {
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
    ?t a ?kind ; rdfs:label ?label . OPTIONAL { ?t skos:definition ?definition FILTER(lang(?definition) = lang(?label)) }
  }
}"""
ONTOLOGY_LINKS = """
SELECT ?t ?p ?o WHERE { GRAPH <%s> {
  ?t ?p ?o . VALUES ?p { rdfs:subClassOf rdfs:subPropertyOf rdfs:domain rdfs:range owl:inverseOf } FILTER(isIRI(?o)) } }"""
UNION_MEMBERS = """
SELECT ?t ?p ?o WHERE { GRAPH <%s> { ?t ?p ?u . VALUES ?p { rdfs:domain rdfs:range } ?u owl:unionOf/rdf:rest*/rdf:first ?o } }"""


def ontology_view(request: Request, lang: str) -> dict:
    store = request.app.state.store
    g = store.iris.graph("ontology")
    rows = store.select(ONTOLOGY_TERMS % g)
    labels, definitions = _pick(rows, "label", lang), _pick(rows, "definition", lang)
    links: dict = {}
    for r in store.select(ONTOLOGY_LINKS % g) + store.select(UNION_MEMBERS % g):
        links.setdefault(r["t"], {}).setdefault(r["p"].rsplit("#", 1)[1], []).append(r["o"])
    name = term_labels(request)
    kinds: dict = {}
    for r in rows:
        kinds[r["t"]] = r["kind"].rsplit("#", 1)[1]

    def ref(iri):
        local = iri.rsplit("#", 1)[1] if iri.startswith(store.iris.term("")) else None
        return {"text": name(iri, lang) or describe._short(iri), "href": f"#{local}" if local else linkable(iri), "curie": _curie(iri)}

    terms = []
    for t, kind in kinds.items():
        own = links.get(t, {})
        terms.append({"iri": t, "local": t.rsplit("#", 1)[1], "kind": kind, "label": labels.get(t), "definition": definitions.get(t),
                      "super": [ref(o) for o in own.get("subClassOf", []) + own.get("subPropertyOf", [])],
                      "sub": [ref(s) for s, ls in links.items() for o in ls.get("subClassOf", []) if o == t],
                      "domain": [ref(o) for o in own.get("domain", []) if not o.startswith("_")],
                      "range": [ref(o) for o in own.get("range", []) if not o.startswith("_")]})
    terms.sort(key=lambda x: x["local"])
    meta = store.select(f"SELECT ?p ?o (lang(?o) AS ?l) WHERE {{ GRAPH <{g}> {{ <{store.iris.ontology}> ?p ?o }} }}")
    title = i18n.best_label({m["l"] or "": m["o"] for m in meta if m["p"].endswith("/title")}, lang)
    abstract = i18n.best_label({m["l"] or "": m["o"] for m in meta if m["p"].endswith("/description")}, lang)
    schemes = store.select("SELECT ?s ?l (lang(?l) AS ?lang) WHERE { ?s a skos:ConceptScheme ; skos:prefLabel ?l }")
    scheme_labels: dict = {}
    for s in schemes:
        scheme_labels.setdefault(s["s"], {})[s["lang"] or ""] = s["l"]
    return {"title": title, "abstract": abstract, "iri": store.iris.ontology, "terms": terms,
            "schemes": sorted(((i18n.best_label(v, lang), store.iris.path_of(k)) for k, v in scheme_labels.items())),
            "prefix": store.iris.term("")}


SCHEME_CONCEPTS = """
SELECT ?t ?label (lang(?label) AS ?label_lang) ?definition (lang(?definition) AS ?definition_lang) ?broader ?top
       (COUNT(DISTINCT ?user) AS ?uses) WHERE {
  ?t skos:inScheme <%s> ; skos:prefLabel ?label .
  OPTIONAL { ?t skos:definition ?definition FILTER(lang(?definition) = lang(?label)) }
  OPTIONAL { ?t skos:broader ?broader }
  OPTIONAL { ?t skos:topConceptOf ?top }
  OPTIONAL { ?user ?used ?t FILTER(STRSTARTS(STR(?used), STR(kg:))) }
} GROUP BY ?t ?label ?definition ?broader ?top"""


def scheme_view(request: Request, iri: str, lang: str) -> dict:
    store = request.app.state.store
    rows = store.select(SCHEME_CONCEPTS % iri)
    labels, definitions = _pick(rows, "label", lang), _pick(rows, "definition", lang)
    broader: dict = {}
    uses: dict = {}
    tops = set()
    for r in rows:
        if r["broader"]:
            broader.setdefault(r["t"], set()).add(r["broader"])
        if r["top"]:
            tops.add(r["t"])
        uses[r["t"]] = int(r["uses"] or 0)
    children: dict = {}
    for t, bs in broader.items():
        for b in bs:
            children.setdefault(b, set()).add(t)

    def node(t, depth=0):
        kids = sorted(children.get(t, ()), key=lambda k: labels.get(k, ""))
        return {"iri": t, "path": store.iris.path_of(t), "label": labels.get(t), "definition": definitions.get(t),
                "uses": uses.get(t, 0), "children": [node(k, depth + 1) for k in kids] if depth < 5 else []}

    roots = sorted(tops or (set(labels) - set(broader)), key=lambda k: labels.get(k, ""))
    meta = store.select(f"SELECT ?p ?o (lang(?o) AS ?l) WHERE {{ <{iri}> ?p ?o FILTER(isLiteral(?o)) }}")
    title = i18n.best_label({m["l"] or "": m["o"] for m in meta if m["p"].endswith("#prefLabel")}, lang)
    definition = i18n.best_label({m["l"] or "": m["o"] for m in meta if m["p"].endswith("#definition")}, lang)
    return {"title": title, "definition": definition, "iri": iri, "concepts": [node(t) for t in roots], "count": len(labels)}


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
