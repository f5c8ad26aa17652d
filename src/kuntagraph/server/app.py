"""The FastAPI application: the routes of each concern live in their own module."""

import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..querypool import query_runner
from ..store import Store
from . import threads

STATIC_DIR = Path(__file__).parent / "static"
# Paths that only read: they answer any origin (DESIGN §5). Write endpoints never get CORS headers.
CORS_READ_PREFIXES = ("/sparql", "/id/", "/def", "/vocab/", "/graph/", "/source/", "/dumps/", "/.well-known/void",
                      "/catalog", "/compare", "/search", "/finder")
PREFLIGHT_HEADERS = [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
                     (b"access-control-allow-headers", b"Accept, Content-Type, If-None-Match"), (b"access-control-max-age", b"86400")]
READ_HEADERS = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag, Link, Content-Location, Vary")]


class ReadOnlyCORS:
    """CORS for the read-only paths, as plain ASGI (Starlette's BaseHTTPMiddleware costs a task and a
    stream per request). Preflights are answered here; write endpoints never get these headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(CORS_READ_PREFIXES):
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS" and any(k == b"access-control-request-method" for k, _ in scope["headers"]):
            await send({"type": "http.response.start", "status": 204, "headers": PREFLIGHT_HEADERS})
            return await send({"type": "http.response.body", "body": b""})

        async def with_cors(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *READ_HEADERS]
            await send(message)

        await self.app(scope, receive, with_cors)


@dataclass
class Settings:
    query_timeout: float = 10.0  # seconds
    max_result_bytes: int = 50 * 2**20
    max_query_bytes: int = 100 * 1024
    query_workers: int = 4
    state_dir: str | None = None  # the on-disk store's directory: writes, credentials and history (else read-only)
    page_cache_mb: int = 64  # whole answers of the read-only pages per data version (server/cache.py); 0: none
    page_threads: int = 8  # pages computed at once (Starlette's default is 40; see threads.limit_page_threads)


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="kuntagraph", docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store
    app.state.settings = settings or Settings()
    # The SPARQL endpoint's queries: worker processes killed at the deadline on the embedded store (querypool).
    app.state.queries = query_runner(store, app.state.settings.query_workers)
    app.router.on_startup.append(app.state.queries.start_soon)
    app.router.on_shutdown.append(app.state.queries.close)
    app.router.on_startup.append(lambda: threads.limit_page_threads(app))
    app.state.data_modified = time.time()  # Last-Modified of every representation; set again on each write
    # The §28 scorecards of every municipality, checked in the background so that no page waits for it.
    from ..views import ComplianceChecker
    app.state.compliance = ComplianceChecker(store)
    app.state.compliance.ensure(app.state.data_modified)
    # The search index, built in the background too: at the start, and again after each write (server/find.py).
    from .find import SearchIndexes
    app.state.search_indexes = SearchIndexes(store)
    app.state.search_indexes.ensure(app.state.data_modified)
    # The aggregates that compare every municipality, materialised in the background too (server/aggregates.py).
    from .aggregates import Materialiser
    app.state.aggregates = Materialiser(app.state)
    app.state.aggregates.ensure(app.state.data_modified)

    if app.state.settings.state_dir:
        from ..publish import Publisher
        app.state.publisher = Publisher(store, app.state.settings.state_dir)

    from . import catalog, comparisons, find, graphstore, operations, pages, resources, sparql, upload

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(sparql.router)
    app.include_router(pages.router)
    app.include_router(resources.router)
    app.include_router(comparisons.router)
    app.include_router(find.router)
    app.include_router(catalog.router)
    app.include_router(graphstore.router)
    app.include_router(upload.router)
    app.include_router(operations.router)

    from ..remote import RemoteStore
    from .cache import PageCache
    app.state.page_cache_counts = {"hit": 0, "miss": 0, "bypass": 0}
    app.add_middleware(threads.HeavyPages, state=app.state)  # inside the page cache: its answers wait for nothing
    if app.state.settings.page_cache_mb and not isinstance(store, RemoteStore):
        app.add_middleware(PageCache, state=app.state, max_bytes=app.state.settings.page_cache_mb * 2**20,
                           counts=app.state.page_cache_counts)
    app.add_middleware(ReadOnlyCORS)
    from .security import SecurityHeaders
    app.add_middleware(SecurityHeaders)
    app.state.metrics = operations.Metrics(app.state.queries, app.state.page_cache_counts, app.state)
    app.add_middleware(operations.Observe, metrics=app.state.metrics)  # outermost: sees every answer
    operations.answer_503_while_the_store_is_down(app)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return pages.not_found(request)
        from fastapi.responses import PlainTextResponse
        return PlainTextResponse(str(exc.detail) + "\n", status_code=exc.status_code, headers=getattr(exc, "headers", None))

    return app
