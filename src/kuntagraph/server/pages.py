"""HTML views. Each view issues a bounded number of queries (no query per row)."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates

from ..iris import linkable
from ..rdffiles import PUBLISHER_TYPES
from . import i18n
from .aggregates import aggregate

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["t"] = i18n.t
templates.env.globals["LANGUAGES"] = i18n.LANGUAGES
templates.env.globals["linkable"] = linkable  # an IRI from the data becomes a link only if it is web, mail or phone


def render(request: Request, name: str, status: int = 200, **context):
    lang = i18n.pick_language(request.query_params.get("lang"))
    iris = request.app.state.store.iris
    # local(iri): the path on this server of an IRI under the base (the one URL builder), else the IRI.
    local = lambda iri: (iris.path_of(iri) or iri) if iri else ""  # noqa: E731
    return templates.TemplateResponse(request, name, {"lang": lang, "local": local, **context}, status_code=status)


def labels_by_node(rows, lang: str) -> dict[str, str]:
    """rows of {'node', 'label', 'lang'} -> {node: label in the best language}."""
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["node"], {}).setdefault(r.get("lang") or "", r["label"])
    return {node: i18n.best_label(labels, lang) for node, labels in found.items()}


PUBLISHERS = """
SELECT ?node ?type ?code ?label (lang(?label) AS ?lang) WHERE {
  VALUES ?type { """ + " ".join(f"kg:{t}" for t in PUBLISHER_TYPES) + """ }
  ?node a ?type ; skos:prefLabel ?label .
  OPTIONAL { ?node dcterms:identifier ?code }
}"""

# One count a query: the three OPTIONALs of one query multiplied resources by datasets, 35 s at national scale.
PUBLISHER_COUNTS = {
    "resources": """SELECT ?node (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher ?node ; dcterms:hasPart ?x . ?x a kg:InformationResource
} GROUP BY ?node""",
    "systems": """SELECT ?node (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher ?node ; dcterms:hasPart ?r . ?r a kg:InformationResource ; kg:heldIn ?x
} GROUP BY ?node""",
    "datasets": """SELECT ?node (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?desc a kg:AccessDescription ; dcterms:publisher ?node .
  { ?desc dcterms:hasPart ?x } UNION { ?desc dcterms:hasPart ?r . ?r dcterms:hasPart ?x }
  ?x a kg:Dataset
} GROUP BY ?node""",
}


def publisher_counts(store) -> dict[str, dict[str, int]]:
    """publisher -> {"resources": n, "datasets": n, "systems": n}"""
    out: dict[str, dict[str, int]] = {}
    for kind, sparql in PUBLISHER_COUNTS.items():
        for r in store.select(sparql):
            out.setdefault(r["node"], {})[kind] = int(r["n"])
    return out


@router.get("/", include_in_schema=False)
def home(request: Request):
    lang = i18n.pick_language(request.query_params.get("lang"))
    store = request.app.state.store
    rows = aggregate(request.app.state, "publishers")
    counts = aggregate(request.app.state, "publisher-counts")
    names = labels_by_node(rows, lang)
    publishers = {}
    for r in rows:
        publishers.setdefault(r["node"], {"iri": r["node"], "type": r["type"].rsplit("#", 1)[1], "code": r["code"],
                                          "name": names[r["node"]], "path": store.iris.path_of(r["node"]),
                                          **{k: counts.get(r["node"], {}).get(k, 0) for k in PUBLISHER_COUNTS}})
    municipalities = sorted((p for p in publishers.values() if p["type"] == "Municipality"),
                            key=lambda p: (p["code"] is None, p["code"] or "", p["name"]))
    others = sorted((p for p in publishers.values() if p["type"] != "Municipality"),
                    key=lambda p: (PUBLISHER_TYPES.index(p["type"]), p["name"]))
    for p in others:  # what kind of organisation it is, in the page's language
        p["kind"] = i18n.t("kind_" + p["type"], lang)
    return render(request, "home.html", municipalities=municipalities, others=others)


def query_ui(request: Request):
    from urllib.parse import quote

    from .examples import EXAMPLES

    lang = i18n.pick_language(request.query_params.get("lang"))
    examples = [{"id": e["id"], "title": e["title"][lang], "query": e["query"].strip(),
                 "href": "/sparql?query=" + quote(e["query"].strip())} for e in EXAMPLES]
    return render(request, "query.html", examples=examples)


# The terms in use are made distinct before anything else is done with them: a FILTER or a DISTINCT over every quad
# that uses them took 8 s at national scale, this takes 1.7 s.
COMPLETION_TERMS = """
SELECT ?term ?kind WHERE {
  { { ?term a ?kind . VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty rdf:Property } }
    UNION { { SELECT DISTINCT ?term WHERE { [] a ?term } } BIND(owl:Class AS ?kind) }
    UNION { { SELECT DISTINCT ?term WHERE { [] ?term [] } } BIND(rdf:Property AS ?kind) } }
  BIND(isIRI(?term) AS ?iri)
  FILTER(?iri)
}"""


@router.get("/sparql/completions", include_in_schema=False)
def completions(request: Request):
    """What the query editor completes: the project's prefixes, and the classes and properties in use."""
    return aggregate(request.app.state, "completions")


def completion_terms(store) -> dict:
    from ..store import PREFIXES

    classes, properties = set(), set()
    for r in store.select(COMPLETION_TERMS):
        (classes if r["kind"].endswith("Class") else properties).add(r["term"])
    return {"prefixes": [f"{p}: <{ns}>" for p, ns in sorted(PREFIXES.items())],
            "classes": sorted(classes), "properties": sorted(properties)}


def not_found(request: Request):
    return render(request, "404.html", status=404, path=request.url.path)
