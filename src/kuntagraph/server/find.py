"""Search (/search) and the resident's finder (/finder), each with .json and .csv twins."""

import threading

from fastapi import APIRouter, Request

from .. import finder, views
from ..search import SearchIndex
from . import i18n
from .pages import render
from .tables import split_suffix, twin, twin_links

router = APIRouter()
_index_lock = threading.Lock()
MAX_QUERY = 200


def search_index(request: Request) -> SearchIndex:
    """Built once per data version (a write to the store makes a new version)."""
    state = request.app.state
    with _index_lock:
        cached = getattr(state, "search_index", None)
        if cached is None or cached[0] != state.data_modified:
            state.search_index = (state.data_modified, SearchIndex.build(state.store))
        return state.search_index[1]


def _area(store, value: str | None) -> str | None:
    if not value:
        return None
    return value if value.startswith(("http://", "https://")) else store.iris.vocab("service-area", value)


def _municipality(store, key: str | None) -> str | None:
    return store.iris.thing(key) if key else None


@router.get("/search", include_in_schema=False)
@router.get("/search.json", include_in_schema=False)
@router.get("/search.csv", include_in_schema=False)
def search(request: Request):
    _, fmt = split_suffix(request.url.path)
    store = request.app.state.store
    lang = i18n.pick_language(request.query_params.get("lang"))
    q = (request.query_params.get("q") or "")[:MAX_QUERY]
    kunta, area, kind = request.query_params.get("kunta"), request.query_params.get("area"), request.query_params.get("kind")
    result = search_index(request).search(q, lang=lang, municipality=_municipality(store, kunta), area=_area(store, area),
                                          kind=kind or None, limit=100)
    if fmt:
        return twin(fmt, [{"iri": h.iri, "kind": h.kind, "label": h.label, "snippet": h.snippet, "score": round(h.score, 3),
                           "municipalities": h.municipalities, "areas": h.areas} for h in result.hits],
                    {"query": q, "total": result.total,
                     "facets": {k: [{"value": f.value, "label": f.label, "count": f.count} for f in fs] for k, fs in result.facets.items()}},
                    "search")
    names = views.labels(store, {m for h in result.hits for m in h.municipalities}, lang)
    state = {"q": q, "kunta": kunta or "", "area": area or "", "kind": kind or "", "lang": lang}
    return render(request, "search.html", q=q, result=result, names=names, state=state,
                  key_of=lambda iri: iri.rsplit("/", 1)[-1], twins=twin_links(request, "/search"))


@router.get("/finder", include_in_schema=False)
@router.get("/finder.json", include_in_schema=False)
@router.get("/finder.csv", include_in_schema=False)
def find(request: Request):
    _, fmt = split_suffix(request.url.path)
    store = request.app.state.store
    lang = i18n.pick_language(request.query_params.get("lang"))
    q = (request.query_params.get("q") or "")[:MAX_QUERY]
    kunta = request.query_params.get("kunta") or None
    answers, total = finder.find(store, search_index(request), q, lang, _municipality(store, kunta)) if q.strip() else ([], 0)
    if fmt:
        return twin(fmt, [{"municipality": a.municipality, "municipality_label": a.municipality_label, "resource": a.resource,
                           "resource_label": a.resource_label, "matches": [label for _, label, _ in a.matches],
                           "publicity": [label for _, label in a.publicity], "secrecy_bases": a.secrecy_bases,
                           "authorities": [c.authority_label for c in a.contacts],
                           "contacts": [", ".join(filter(None, [c.person, *[x[4:] for x in c.telephones], *[x[7:] for x in c.emails], c.address])) for c in a.contacts],
                           "search_criteria": a.search_criteria, "open_interface": a.open_interface, "request_text": a.request_text}
                          for a in answers], {"query": q, "municipality": kunta, "total": total}, "finder")
    return render(request, "finder.html", q=q, kunta=kunta or "", answers=answers, total=total,
                  municipalities=views.municipalities(store, lang), twins=twin_links(request, "/finder"))
