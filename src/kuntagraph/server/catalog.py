"""The harvest feed: /catalog (everything) and /catalog/{kunta}, DCAT-AP 3 with Hydra paging."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import catalog
from . import negotiate
from .negotiate import RDF_FORMATS
from .aggregates import aggregate
from .resources import serialize

router = APIRouter()
FEED_FORMATS = [f for f in RDF_FORMATS if f.key in ("turtle", "rdfxml", "jsonld")]


@router.api_route("/catalog", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/catalog{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def feed(request: Request, rest: str = ""):
    path, fmt = negotiate.by_suffix(request.url.path, FEED_FORMATS)
    fmt = fmt or negotiate.choose(request.headers.get("accept"), FEED_FORMATS) or FEED_FORMATS[0]
    kunta = path[len("/catalog/"):] if path.startswith("/catalog/") else None
    if path not in ("/catalog",) and not kunta:
        return _problem(404, "No such catalogue. The feed is /catalog; one municipality's is /catalog/{code}, e.g. /catalog/491.")
    store = request.app.state.store
    if kunta and store.iris.graph(kunta) not in store.graphs():
        return _problem(404, f"No municipality or publisher '{kunta}' here. The whole feed is /catalog.")
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        return _problem(400, "page must be a whole number, e.g. /catalog?page=2")
    try:
        listed = aggregate(request.app.state, "catalog-listing")
        result = catalog.page(store, str(request.base_url).rstrip("/"), kunta=kunta, number=number,
                              modified_since=request.query_params.get("modified_since"), path=path, listed=listed)
    except catalog.CatalogError as e:
        return _problem(400, str(e))
    body = serialize(result.triples, fmt)
    return Response(b"" if request.method == "HEAD" else body, media_type=fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else ""),
                    headers={"Vary": "Accept", "Cache-Control": "public, max-age=60"})


def _problem(status: int, message: str) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")
