"""The FastAPI application: the routes of each concern live in their own module."""

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import Store

STATIC_DIR = Path(__file__).parent / "static"
# Paths that only read: they answer any origin (DESIGN §5). Write endpoints never get CORS headers.
CORS_READ_PREFIXES = ("/sparql", "/id/", "/def", "/vocab/", "/graph/", "/dumps/", "/.well-known/void", "/catalog")


@dataclass
class Settings:
    query_timeout: float = 10.0  # seconds
    max_result_bytes: int = 50 * 2**20
    max_query_bytes: int = 100 * 1024
    query_workers: int = 4


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="kuntagraph", docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store
    app.state.settings = settings or Settings()
    app.state.query_slots = threading.BoundedSemaphore(app.state.settings.query_workers)
    app.state.data_modified = time.time()  # Last-Modified of every representation; set again on each write
    # The §28 scorecards of every municipality, checked in the background so that no page waits for it.
    from ..views import ComplianceChecker
    app.state.compliance = ComplianceChecker(store)
    app.state.compliance.ensure(app.state.data_modified)

    from . import comparisons, find, pages, resources, sparql

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(sparql.router)
    app.include_router(pages.router)
    app.include_router(resources.router)
    app.include_router(comparisons.router)
    app.include_router(find.router)

    @app.middleware("http")
    async def cors_for_reads(request: Request, call_next):
        readable = request.url.path.startswith(CORS_READ_PREFIXES)
        if readable and request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            from fastapi.responses import Response
            return Response(status_code=204, headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
                "Access-Control-Max-Age": "86400",
            })
        response = await call_next(request)
        if readable:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Vary"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return pages.not_found(request)
        from fastapi.responses import PlainTextResponse
        return PlainTextResponse(str(exc.detail) + "\n", status_code=exc.status_code, headers=getattr(exc, "headers", None))

    return app
