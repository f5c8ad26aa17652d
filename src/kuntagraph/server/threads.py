"""The server's threads. Pages are computed in anyio's default pool (Starlette runs each page function there), limited
to --page-threads; the other kinds of blocking work have pools of their own, so that under load none of them waits
behind busy page threads, nor the readiness probe behind slow SPARQL queries. Pages that read much of the store
queue in a lane of their own before they take a page thread (HeavyPages)."""

import functools
import re

import anyio
from fastapi import FastAPI, Request


def limit_page_threads(app: FastAPI) -> None:
    """At the start, in the running event loop. Anyio's default pool allows 40 threads. Pages are Python work under one
    interpreter lock, and each call into pyoxigraph or numpy gives the lock up and waits for it again behind every
    other busy thread: with 40 at once a page that needs 0.5 s of CPU took a minute under load. With fewer threads
    the other pages wait their turn, in order (/metrics: kuntagraph_page_threads)."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = app.state.settings.page_threads
    app.state.page_threads = limiter
    app.state.heavy_pages = anyio.CapacityLimiter(max(1, app.state.settings.page_threads // 2))


# A municipality's or consortium's own page (/id/491, .json, .csv), the side-by-side comparison and its merger
# draft, the harvest feed: each reads thousands of rows when it is not in the page cache (0.1-0.5 s of CPU at
# national scale); a resource page or a lookup reads a few.
HEAVY = re.compile(r"/id/[^/]+|/compare(\.json|\.csv|/merge\.ttl)?|/catalog([./].*)?")


class HeavyPages:
    """ASGI middleware: the HEAVY pages wait, on the event loop and in order, for one of half the page threads before
    they take one. Under load the other pages then find a thread free rather than queueing behind them (make load,
    2026-12-03: a resource page, 5 ms of work, waited 3.5 s at p50 behind municipality pages). Inside the page cache,
    so that an answer from the cache waits for nothing."""

    def __init__(self, app, state):
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send):
        lane = getattr(self.state, "heavy_pages", None)  # made when the server starts, in its event loop
        if scope["type"] != "http" or lane is None or not HEAVY.fullmatch(scope["path"]):
            return await self.app(scope, receive, send)
        await lane.acquire()
        held = True

        async def send_and_leave_the_lane(message):
            # The page is computed once its answer starts: a client slow to read it does not hold the lane.
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                lane.release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_leave_the_lane)
        finally:
            if held:
                lane.release()


def pool(request: Request, name: str) -> anyio.CapacityLimiter:
    """'queries': threads that wait for the SPARQL query runner (one per query worker, and a few more to queue);
    'writes': writes, which parse and validate (one at a time is stored anyway, under the publisher's lock);
    'probes': /health/ready's store check. Made on first use: a limiter belongs to the running event loop."""
    pools = request.app.state.__dict__.setdefault("thread_pools", {})
    if name not in pools:
        sizes = {"queries": request.app.state.settings.query_workers + 4, "writes": 2, "probes": 2}
        pools[name] = anyio.CapacityLimiter(sizes[name])
    return pools[name]


async def in_thread(request: Request, name: str, fn, *args, **kw):
    """fn(*args, **kw) in a thread of the pool `name`."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kw), limiter=pool(request, name))
