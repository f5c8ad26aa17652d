"""Comparison views: matrix, system products, reference coverage, §28 compliance, side by side, merger."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import views
from . import i18n
from .aggregates import aggregate, memo
from .pages import render
from .tables import split_suffix, twin, twin_links

router = APIRouter()


def _lang(request: Request) -> str:
    return i18n.pick_language(request.query_params.get("lang"))


@router.get("/compare/merge.ttl", include_in_schema=False)
def merge(request: Request):
    store = request.app.state.store
    chosen = [store.iris.thing(k) for k in request.query_params.getlist("m")[:12]]
    lang = _lang(request)
    triples = views.merger_draft(store, chosen, lang, aggregate(request.app.state, "municipalities", lang))
    if triples is None:
        return Response("Choose at least two municipalities: /compare/merge.ttl?m=491&m=593\n", status_code=400,
                        media_type="text/plain; charset=utf-8")
    from .resources import serialize
    from .negotiate import RDF_FORMATS
    body = serialize(triples, RDF_FORMATS[0])
    return Response(body, media_type="text/turtle; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="yhdistyva-kunta-luonnos.ttl"'})


@router.get("/compare/{name}", include_in_schema=False)
def comparison(request: Request, name: str):
    name, fmt = split_suffix(name)
    handler = {"matrix": matrix, "products": products, "reference": reference, "compliance": compliance}.get(name)
    if handler is None:
        from .pages import not_found
        return not_found(request)
    return handler(request, fmt, _lang(request))


def matrix(request, fmt, lang):
    m = aggregate(request.app.state, "matrix", lang)
    if fmt:
        return twin(fmt, list(m.rows()), {"view": "matrix"}, "matrix")
    return render(request, "matrix.html", m=m, heat=lambda n: min(5, (5 * n + m.max_resources - 1) // max(1, m.max_resources)),
                  twins=twin_links(request, "/compare/matrix"))


def products(request, fmt, lang):
    rows = aggregate(request.app.state, "products", lang)
    if fmt:
        return twin(fmt, [{"product": r.product, "product_label": r.label, "instances": len(r.instances),
                           "municipalities": len(r.municipalities), "municipality_codes": [m.code or m.key for m in r.municipalities],
                           "municipality_labels": [m.label for m in r.municipalities], "systems": r.instances} for r in rows],
                    {"view": "products"}, "products")
    return render(request, "products.html", rows=rows, twins=twin_links(request, "/compare/products"))


def reference(request, fmt, lang):
    rows = aggregate(request.app.state, "reference", lang)
    if fmt:
        return twin(fmt, [{"item": r.item, "label": r.label, "kind": r.kind, "municipalities": len(r.municipalities),
                           "municipality_labels": [m.label for m in r.municipalities]} for r in rows], {"view": "reference"}, "reference")
    return render(request, "reference.html", rows=rows, twins=twin_links(request, "/compare/reference"))


def scorecards(request: Request, lang: str):
    """Every municipality's scorecard, grouped once per language and per step of the background check."""
    state = request.app.state
    state.compliance.ensure(state.data_modified)  # starts it again if it stopped (a remote store that went away)
    progress = state.compliance.progress()
    return memo(state, ("scorecards", lang), lambda: views.compliance(state.store, lang, state.compliance), token=progress)


def compliance(request, fmt, lang):
    cards, done, total = scorecards(request, lang)
    if fmt:
        return twin(fmt, [{"municipality": c.municipality.iri, "code": c.municipality.code, "label": c.municipality.label,
                           **{f"{check}_status": c.status(check) for check in views.CHECKS},
                           **{f"{check}_violations": c.counts[check]["violation"] for check in views.CHECKS},
                           **{f"{check}_warnings": c.counts[check]["warning"] for check in views.CHECKS}} for c in cards],
                    {"view": "compliance", "checks": views.CHECKS, "complete": done == total, "graphs_checked": done, "graphs": total},
                    "compliance")
    return render(request, "compliance.html", cards=cards, checks=views.CHECKS, done=done, total=total,
                  twins=twin_links(request, "/compare/compliance"))


@router.get("/compare", include_in_schema=False)
@router.get("/compare.json", include_in_schema=False)
@router.get("/compare.csv", include_in_schema=False)
def side_by_side(request: Request):
    _, fmt = split_suffix(request.url.path)
    lang = _lang(request)
    store = request.app.state.store
    chosen = [store.iris.thing(k) for k in request.query_params.getlist("m")[:12]]
    everyone = aggregate(request.app.state, "municipalities", lang)
    cmp = views.compare(store, chosen, lang, everyone)
    if fmt:
        return twin(fmt, [{"kind": r["kind"], "value": r["value"], "label": r["label"],
                           **{m.key: p for m, p in zip(cmp.municipalities, r["present"])}} for r in cmp.rows],
                    {"view": "compare", "municipalities": [m.iri for m in cmp.municipalities]}, "compare")
    return render(request, "compare.html", cmp=cmp, everyone=everyone, chosen={m.key for m in cmp.municipalities},
                  kinds=views.FEATURE_KINDS, query=request.url.query, twins=twin_links(request, "/compare"))
