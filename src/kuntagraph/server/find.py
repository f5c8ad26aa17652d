"""Search (/search) and the resident's finder (/finder), each with .json and .csv twins."""

import logging
import threading
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import finder, processes, views
from ..search import SearchIndex
from ..store import OxigraphStore
from . import i18n
from .aggregates import aggregate
from .pages import render
from .tables import split_suffix, twin, twin_links

router = APIRouter()
MAX_QUERY = 200
log = logging.getLogger("kuntagraph")


class SearchIndexBuilding(Exception):
    """No search index yet: the first one is being built (at national scale about a minute after a start)."""


class SearchIndexes:
    """The search index of the data version, built in the background (a thread of its own, which builds an on-disk
    store's in a process of its own: see build()): at the server's start and after each write.

    At national scale a build takes a minute or more. A search waits for the index of the current version, but only
    during the first `WAIT` seconds after that version came (on small data the index is there by then, so a write is
    searchable at once; at national scale no page thread waits longer than that); after that it gets the previous
    version's index, and the page says that the results are from before the latest change. Before the first index
    exists, a search is a 503 with Retry-After, and /health/ready says "starting". One build runs at a time; writes
    during a build make one more build, of the newest version. After writes the build starts when views.AfterWrites
    says (2 s after the last of a burst, at most 30 s after its first), or at once when a search asks for it. Versions
    only move forward: a request that read the version before a write takes the newer index as its own."""

    WAIT = 5.0

    def __init__(self, store):
        self.store = store
        self._cond = threading.Condition()
        self._wanted = None  # the newest version asked for
        self._built: tuple | None = None  # (version, index)
        self._building = False
        self._started = 0.0  # time.monotonic() when _wanted was asked for
        self._after = views.AfterWrites()
        self._error: Exception | None = None

    def ensure(self, version, after_write: bool = False) -> None:
        """Build the index of `version` unless it, or a newer one, is built or being built; `after_write`: when
        AfterWrites says, else now."""
        with self._cond:
            if self._wanted is not None and version < self._wanted:
                return
            if version != self._wanted:
                self._wanted, self._started = version, time.monotonic()
            if after_write:
                self._after.wrote()
            else:
                self._after.act_now()
            self._cond.notify_all()
            if not self._building and not self._fresh(version):
                self._building, self._error = True, None
                self._started = time.monotonic()
                threading.Thread(target=self._run, daemon=True, name="search-index").start()

    def _fresh(self, version) -> bool:
        return self._built is not None and self._built[0] >= version

    @property
    def ready(self) -> bool:
        with self._cond:
            return self._built is not None

    def get(self, version, wait: float | None = None) -> tuple[SearchIndex, bool]:
        """(index, whether it is of `version` or newer); raises SearchIndexBuilding when there is none yet, or what
        the store raised when the build failed (a remote store that went away: the next search tries again)."""
        self.ensure(version)
        with self._cond:
            deadline = self._started + (self.WAIT if wait is None else wait)
            while not self._fresh(version):
                if self._error is not None and not self._building:
                    error, self._error = self._error, None
                    raise error
                left = deadline - time.monotonic()
                if left <= 0:
                    if self._built is None:
                        raise SearchIndexBuilding()
                    return self._built[1], False
                self._cond.wait(left)
            return self._built[1], True

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while self._after.due > time.monotonic():
                        self._cond.wait(self._after.due - time.monotonic())
                    self._after.act_now()
                    version = self._wanted
                try:
                    index = build(self.store)
                except Exception as e:  # a remote store that does not answer, say: reported to the searches waiting
                    log.warning("building the search index failed: %s", e)
                    with self._cond:  # not building from here on: in the same hold of the lock, so that an
                        self._error, self._building = e, False  # ensure() after it starts a build of its own
                    return
                with self._cond:
                    self._built = (version, index)
                    self._cond.notify_all()
                    if self._wanted == version:
                        self._building = False  # likewise
                        return
                    self._started = time.monotonic()  # a write came during the build: build the newest version
        finally:
            with self._cond:
                self._building = False
                self._cond.notify_all()


def build(store, own_process: bool | None = None) -> SearchIndex:
    """The search index of the store as it is now. A big on-disk store's is built in a process of its own, which
    opens the store read-only and ends with the build: at national scale the build holds a core for 45 s, which in
    a thread would also hold the interpreter lock that every page needs, and it leaves 250 MB behind in the process
    that made it (RocksDB's caches of the whole store it read, and a heap its temporary objects were scattered
    over). The index comes back pickled, about 70 MB. A small store's is built in the calling thread
    (processes.big_on_disk). `own_process` overrides that rule. The process reads a checkpoint of the store, never
    the store that this process writes."""
    if not (processes.big_on_disk(store) if own_process is None else own_process):
        return SearchIndex.build(store)
    with store.checkpoint() as checkpoint:
        return processes.call(_build_on_disk, checkpoint, store.iris, nice=processes.BACKGROUND)


def _build_on_disk(path: str, iris) -> SearchIndex:
    return SearchIndex.build(OxigraphStore(path, iris, read_only=True))


BUILDING = ("Hakua valmistellaan: hakemisto rakennetaan palvelimen käynnistyttyä. Yritä uudelleen hetken kuluttua.\n"
            "Sökningen förbereds: sökindexet byggs upp efter att servern startat. Försök igen om en stund.\n"
            "Search is being prepared: the search index is built after the server starts. Try again shortly.\n")


def search_index(request: Request) -> tuple[SearchIndex, bool]:
    """The index of the data version (and True), or, while that is being built, the previous one (and False)."""
    state = request.app.state
    return state.search_indexes.get(state.data_modified)


def _building() -> Response:
    return Response(BUILDING, status_code=503, media_type="text/plain; charset=utf-8",
                    headers={"Retry-After": "30", "Cache-Control": "no-store"})


def _stale(response: Response, fresh: bool) -> Response:
    """An answer from the previous version's index must not be kept as the answer of this version."""
    if not fresh:
        response.headers["Cache-Control"] = "no-store"
    return response


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
    try:
        index, fresh = search_index(request)
    except SearchIndexBuilding:
        return _building()
    result = index.search(q, lang=lang, municipality=_municipality(store, kunta), area=_area(store, area),
                          kind=kind or None, limit=100)
    if fmt:
        return _stale(twin(fmt, [{"iri": h.iri, "kind": h.kind, "label": h.label, "snippet": h.snippet, "score": round(h.score, 3),
                           "municipalities": h.municipalities, "areas": h.areas} for h in result.hits],
                    {"query": q, "total": result.total, "up_to_date": fresh,
                     "facets": {k: [{"value": f.value, "label": f.label, "count": f.count} for f in fs] for k, fs in result.facets.items()}},
                    "search"), fresh)
    names = views.labels(store, {m for h in result.hits for m in h.municipalities}, lang)
    state = {"q": q, "kunta": kunta or "", "area": area or "", "kind": kind or "", "lang": lang}
    return _stale(render(request, "search.html", q=q, result=result, names=names, state=state, stale=not fresh,
                         key_of=lambda iri: iri.rsplit("/", 1)[-1], twins=twin_links(request, "/search")), fresh)


@router.get("/finder", include_in_schema=False)
@router.get("/finder.json", include_in_schema=False)
@router.get("/finder.csv", include_in_schema=False)
def find(request: Request):
    _, fmt = split_suffix(request.url.path)
    store = request.app.state.store
    lang = i18n.pick_language(request.query_params.get("lang"))
    q = (request.query_params.get("q") or "")[:MAX_QUERY]
    kunta = request.query_params.get("kunta") or None
    answers, total, fresh = [], 0, True
    if q.strip():
        try:
            index, fresh = search_index(request)
        except SearchIndexBuilding:
            return _building()
        answers, total = finder.find(store, index, q, lang, _municipality(store, kunta))
    if fmt:
        return _stale(twin(fmt, [{"municipality": a.municipality, "municipality_label": a.municipality_label, "resource": a.resource,
                           "resource_label": a.resource_label, "matches": [label for _, label, _ in a.matches],
                           "publicity": [label for _, label in a.publicity], "secrecy_bases": a.secrecy_bases,
                           "authorities": [c.authority_label for c in a.contacts],
                           "contacts": [", ".join(filter(None, [c.person, *[x[4:] for x in c.telephones], *[x[7:] for x in c.emails], c.address])) for c in a.contacts],
                           "search_criteria": a.search_criteria, "open_interface": a.open_interface, "request_text": a.request_text}
                          for a in answers], {"query": q, "municipality": kunta, "total": total, "up_to_date": fresh}, "finder"), fresh)
    return _stale(render(request, "finder.html", q=q, kunta=kunta or "", answers=answers, total=total, stale=not fresh,
                         municipalities=aggregate(request.app.state, "municipalities", lang), twins=twin_links(request, "/finder")), fresh)
