"""A municipality's page: its description by service area, and its §28 scorecard. Twins: /id/{key}.json|.csv."""

from fastapi import Request

from .. import views
from . import i18n
from .aggregates import aggregate
from .pages import not_found, render
from .tables import split_suffix, twin, twin_links


def twin_format(path: str):
    return split_suffix(path)[1]


def _scorecard(request: Request, iri: str, lang: str):
    from .comparisons import scorecards

    cards, done, total = scorecards(request, lang)
    card = next((c for c in cards if c.municipality.iri == iri), None)
    return card if done == total else None  # a partial scorecard would say "nothing missing" too early


def municipality_page(request: Request, iri: str, lang: str, alternates):
    view = views.municipality_view(request.app.state.store, iri, lang, _scorecard(request, iri, lang),
                                   aggregate(request.app.state, "municipalities", lang))
    key = view.municipality.key
    return render(request, "municipality.html", v=view, checks=views.CHECKS, alternates=alternates,
                  twins=twin_links(request, f"/id/{key}"))


def municipality_twin(request: Request):
    path, fmt = split_suffix(request.url.path)
    store = request.app.state.store
    iri = store.iris.iri_of_path(path)
    lang = i18n.pick_language(request.query_params.get("lang"))
    view = views.municipality_view(store, iri, lang, _scorecard(request, iri, lang), aggregate(request.app.state, "municipalities", lang))
    if view is None:
        return not_found(request)
    card = view.scorecard
    meta = {"municipality": iri, "label": view.municipality.label, "code": view.municipality.code,
            "scorecard": {c: {"status": card.status(c), **card.counts[c]} for c in views.CHECKS} if card else None,
            "findings": [{"check": f.check, "severity": f.severity, "message": f.message, "items": f.focus} for f in card.findings] if card else []}
    return twin(fmt, list(view.rows()), meta, f"kunta-{view.municipality.key}")
