"""What operators need: /health (liveness), /health/ready (the store answers), /metrics (Prometheus), a
structured access log (one JSON object a line on the `kuntagraph.access` logger, never a header, cookie or
request body, so no credential can end up in it), and a 503 for every request while a remote store is down."""

from __future__ import annotations

import json
import logging
import time

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from . import threads

router = APIRouter()
access_log = logging.getLogger("kuntagraph.access")
log = logging.getLogger("kuntagraph.server")
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """One registry per application (a test may run several)."""

    def __init__(self, queries, page_cache_counts: dict, state):
        self.registry = CollectorRegistry()
        self.registry.register(_WorkersKilled(queries))
        self.registry.register(_PageCache(page_cache_counts))
        self.registry.register(_PageThreads(state))
        self.registry.register(_ComplianceBatches(state))
        self.requests = Counter("kuntagraph_requests", "HTTP requests answered", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("kuntagraph_request_duration_seconds", "Time to answer a request", ["route"],
                                 buckets=BUCKETS, registry=self.registry)
        self.timeouts = Counter("kuntagraph_query_timeouts", "SPARQL queries cut off by the timeout", registry=self.registry)
        self.refusals = Counter("kuntagraph_refusals", "Requests refused with a 4xx status", ["status"], registry=self.registry)


class _WorkersKilled:
    """The query runner's own count of workers stopped at a deadline (kuntagraph.querypool)."""

    def __init__(self, queries):
        self.queries = queries

    def collect(self):
        family = CounterMetricFamily("kuntagraph_query_workers_killed",
                                     "Query worker processes stopped at a query's deadline and replaced")
        family.add_metric([], self.queries.killed)
        yield family


class _PageCache:
    """Answers of read-only pages served from the page cache (hit) or computed (miss): server/cache.py."""

    def __init__(self, counts: dict):
        self.counts = counts

    def collect(self):
        family = CounterMetricFamily("kuntagraph_page_cache", "Read-only page requests by page cache outcome", labels=["outcome"])
        for outcome, n in self.counts.items():
            family.add_metric([outcome], n)
        yield family


class _ComplianceBatches:
    """Batches of graphs the background §28 check validated, or kept from an earlier check because their graphs and
    context had not changed (views.ComplianceChecker)."""

    def __init__(self, state):
        self.state = state

    def collect(self):
        family = CounterMetricFamily("kuntagraph_compliance_batches", "Batches of graphs the §28 check validated or kept unchanged",
                                     labels=["outcome"])
        checker = getattr(self.state, "compliance", None)
        for outcome, n in (checker.batches.items() if checker is not None else ()):
            family.add_metric([outcome], n)
        yield family


class _PageThreads:
    """The threads that compute pages (threads.limit_page_threads): how many there may be, are busy, and how many
    requests wait for one. Waiting requests for long: the server needs more CPU, or the pages less."""

    def __init__(self, state):
        self.state = state

    def collect(self):
        family = GaugeMetricFamily("kuntagraph_page_threads", "Threads computing pages, by state", labels=["state"])
        limiter = getattr(self.state, "page_threads", None)  # set when the server starts
        if limiter is not None:
            family.add_metric(["limit"], limiter.total_tokens)
            family.add_metric(["busy"], limiter.borrowed_tokens)
            family.add_metric(["waiting"], limiter.statistics().tasks_waiting)
        yield family
        family = GaugeMetricFamily("kuntagraph_heavy_pages", "Pages that read much of the store, in their lane "
                                   "(threads.HeavyPages), by state", labels=["state"])
        lane = getattr(self.state, "heavy_pages", None)
        if lane is not None:
            family.add_metric(["limit"], lane.total_tokens)
            family.add_metric(["busy"], lane.borrowed_tokens)
            family.add_metric(["waiting"], lane.statistics().tasks_waiting)
        yield family


def _route(scope) -> str:
    """The route's path template (/id/{path:path}), so that the labels stay few whatever the URLs."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    return "/static" if scope["path"].startswith("/static/") else "other"


class Observe:
    """Plain ASGI middleware: metrics and the access log for every HTTP request."""

    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status, size = 500, 0

        async def observed(message):
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            m = self.metrics
            m.requests.labels(scope["method"], route, str(status)).inc()
            m.latency.labels(route).observe(elapsed)
            if 400 <= status < 500:
                m.refusals.labels(str(status)).inc()
            if status == 503 and route == "/sparql":
                m.timeouts.inc()
            client = scope.get("client") or ("?", 0)
            access_log.info(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "client": client[0],
                "method": scope["method"], "path": scope["path"], "query_bytes": len(scope.get("query_string", b"")),
                "route": route, "status": status, "bytes": size, "ms": round(elapsed * 1000, 1)}))


STORE_DOWN = ("Tietokanta, josta palvelu lukee tietonsa, ei juuri nyt vastaa. Yritä hetken kuluttua uudelleen.\n"
              "The triple store this service reads does not answer just now. Try again shortly.\n")


def answer_503_while_the_store_is_down(app):
    """Pages, queries and feeds answer 503 with words (and Retry-After) while a remote store does not answer, instead
    of a 500; each request asks the store again, so they answer once it is back. The public text does not name the
    store's address: the log and /health/ready do, for the operator."""
    from ..remote import StoreUnavailable

    async def store_down(request: Request, exc: StoreUnavailable):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return Response(STORE_DOWN, status_code=503, media_type="text/plain; charset=utf-8", headers={"Retry-After": "10"})

    app.add_exception_handler(StoreUnavailable, store_down)


@router.get("/health")
async def health():
    return JSONResponse({"status": "ok"})


@router.get("/health/ready")
async def ready(request: Request):
    """Ready when the store answers a trivial query within 5 seconds, the SPARQL query workers have started and the
    first search index is built (after a write, the previous one answers while the next is built)."""
    store = request.app.state.store
    try:
        with anyio.fail_after(5):
            await anyio.to_thread.run_sync(lambda: store.ask("ASK { ?s ?p ?o }"), abandon_on_cancel=True,
                                           limiter=threads.pool(request, "probes"))
    except Exception as e:  # any failure of the store is "not ready", with what it said
        return JSONResponse({"status": "unavailable", "store": type(e).__name__, "message": str(e)[:300]}, status_code=503)
    if not request.app.state.queries.ready:
        return JSONResponse({"status": "starting", "store": "ok", "message": "the SPARQL query workers are starting"},
                            status_code=503, headers={"Retry-After": "10"})
    if not request.app.state.search_indexes.ready:
        request.app.state.search_indexes.ensure(request.app.state.data_modified)  # again, if a build failed
        return JSONResponse({"status": "starting", "store": "ok", "message": "the search index is being built"},
                            status_code=503, headers={"Retry-After": "10"})
    return JSONResponse({"status": "ok", "store": "ok"})


@router.get("/metrics")
async def metrics(request: Request):
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
