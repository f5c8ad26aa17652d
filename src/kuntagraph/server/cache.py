"""Whole answers of the read-only pages, materialised once per data version (plain ASGI middleware).

Every page, comparison view, IRI representation and harvest-feed page is a function of the store's data
version, the §28 check's progress and the request (path, query string, Accept, Accept-Language). The first
request computes it; the same request again, until the next write, is answered from memory, with an ETag and
304 for a matching If-None-Match. A write makes a new version (graphstore.py sets data_modified), which
drops every entry. Bounded by bytes, least recently used first out.

Only on the embedded store: there kuntagraph is the only writer, so the version is exact. A remote store can
be written behind our back (and when it goes away, pages must say so, not answer from memory).
SPARQL queries sent by GET are kept the same way (the answer is a function of the data), unless they call NOW,
RAND, UUID, STRUUID or BNODE. Never cached: anything but GET, answers other than 200 (a timeout, a refusal),
answers that set a cookie or say Cache-Control: no-store (search results from the previous
version's index while the new one is built), and the paths that write or authenticate (/store, /publish, /health, /metrics, /api).
A request with Cache-Control: no-cache is computed anew (and kept); with no-store, computed and not kept.
"""

import hashlib
import re
import threading
from collections import OrderedDict
from urllib.parse import unquote_to_bytes

CACHED_PREFIXES = ("/id/", "/def", "/vocab/", "/compare", "/search", "/finder", "/catalog", "/graph/", "/source/",
                   "/.well-known/void")
MAX_ENTRY_BYTES = 4 * 2**20  # a bigger answer (a whole-graph dump, say) is computed each time


# A query whose answer is not a function of the data: asked again, it must be evaluated again.
_NOT_REPEATABLE = re.compile(rb"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cacheable(scope) -> bool:
    path = scope["path"]
    if scope["method"] != "GET":
        return False
    if path == "/sparql":  # a GET query (the SPARQL Protocol's cacheable form), unless its answer can change
        q = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
        return not _NOT_REPEATABLE.search(q)
    return path == "/" or path.startswith(CACHED_PREFIXES)


def _shows_scorecards(path: str) -> bool:
    return path.startswith("/compare/compliance") or (path.startswith("/id/") and "/" not in path[len("/id/"):])


class _Entry:
    __slots__ = ("status", "headers", "body", "etag", "route")

    def __init__(self, status, headers, body, etag, route):
        self.status, self.headers, self.body, self.etag, self.route = status, headers, body, etag, route

    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200  # + the entry's own


class PageCache:
    def __init__(self, app, state, max_bytes: int, counts: dict):
        self.app, self.state, self.max_bytes, self.counts = app, state, max_bytes, counts
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._version = None
        self._lock = threading.Lock()

    def _key(self, scope):
        headers, path = dict(scope["headers"]), scope["path"]
        # The pages with §28 scorecards (a municipality's page and its twins, the compliance view) change as the
        # background check goes on, without a write: their key has its progress too.
        progress = self.state.compliance.progress() if _shows_scorecards(path) else None
        return (path, scope.get("query_string", b""), headers.get(b"accept", b""),
                headers.get(b"accept-language", b""), progress)

    def _get(self, key, version):
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes, self._version = 0, version
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def _put(self, key, version, entry):
        size = entry.size()
        with self._lock:
            if version != self._version or size > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:  # a fresh answer asked for with no-cache replaces the one kept
                self._bytes -= old.size()
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= old.size()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not cacheable(scope):
            return await self.app(scope, receive, send)
        # A client that asks for a fresh answer (Cache-Control: no-cache, as a browser's reload sends, or
        # no-store) gets one computed now; no-cache keeps it for the next request, no-store does not.
        directives = dict(scope["headers"]).get(b"cache-control", b"").lower()
        if b"no-store" in directives:
            self.counts["bypass"] += 1
            return await self.app(scope, receive, send)
        version, key = self.state.data_modified, self._key(scope)
        entry = None if b"no-cache" in directives else self._get(key, version)
        if entry is not None:
            self.counts["hit"] += 1
            if entry.route is not None:
                scope["route"] = entry.route  # for the metrics' route label
            return await self._answer(scope, send, entry)
        self.counts["miss"] += 1
        # The answer is held until it is complete (it gets an ETag before it leaves); one that grows past
        # MAX_ENTRY_BYTES, or that may not be kept, goes on as it comes.
        start, parts, flushed = {}, [], False

        async def keep(message):
            nonlocal flushed
            if message["type"] == "http.response.start":
                return start.update(message)
            if flushed or message["type"] != "http.response.body":
                return await send(message)
            parts.append(message.get("body", b""))
            more, headers, size = message.get("more_body", False), list(start.get("headers", [])), sum(map(len, parts))
            storable = start.get("status") == 200 and not any(
                k.lower() == b"set-cookie" or (k.lower() == b"cache-control" and b"no-store" in v.lower()) for k, v in headers)
            if storable and size <= MAX_ENTRY_BYTES:
                if more:
                    return  # the rest is still to come
                body = b"".join(parts)
                etag = next((v for k, v in headers if k.lower() == b"etag"), None)
                if etag is None:
                    etag = b'"p' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
                    headers.append((b"etag", etag))
                entry = _Entry(200, headers, body, etag, scope.get("route"))
                self._put(key, version, entry)
                return await self._answer(scope, send, entry)
            flushed = True
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(parts), "more_body": more})

        await self.app(scope, receive, keep)

    @staticmethod
    async def _answer(scope, send, entry):
        inm = dict(scope["headers"]).get(b"if-none-match")
        if inm and (inm.strip() == b"*" or entry.etag in [x.strip() for x in inm.split(b",")]):
            keep = {b"etag", b"cache-control", b"vary", b"last-modified", b"content-location", b"link"}
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k, v) for k, v in entry.headers if k.lower() in keep]})
            return await send({"type": "http.response.body", "body": b""})
        await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body})
