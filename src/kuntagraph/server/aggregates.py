"""Aggregates over the whole store, materialised once per data version: the views that compare every municipality
(the home page's counts, the matrix, the products, the reference coverage), the harvest feed's listing, the query
editor's completions and the list of municipalities that every page with a municipality picker shows.

At national scale they take from tens of milliseconds to seconds each (the completions scan every quad). A write
makes a new data version, which drops them all; the Materialiser computes them again in the background, after the
start and after writes (when views.AfterWrites says), so that the first visitor after a write does not wait for
them: for a big on-disk store in a process of its own (processes.big_on_disk), which reads the store read-only and
sends each aggregate back pickled, so that neither the work nor RocksDB's caches of the whole store it reads stay
in the server. A page that needs one before it is there computes it (on a big store, in a process of its own as
well), or waits for the computation under way."""

import threading
import time
from concurrent.futures import Future

from .. import processes, views
from ..languages import LANGUAGES


def _publishers(store, lang):
    from .pages import PUBLISHERS
    return store.select(PUBLISHERS)


def _publisher_counts(store, lang):
    from .pages import publisher_counts
    return publisher_counts(store)


def _completions(store, lang):
    from .pages import completion_terms
    return completion_terms(store)


def _listing(store, lang):
    from .. import catalog
    return catalog.listing(store)


# name -> (per language, compute(store, lang)). The ones per language are kept for each of LANGUAGES.
AGGREGATES = {
    "municipalities": (True, views.municipalities),
    "publishers": (False, _publishers),
    "publisher-counts": (False, _publisher_counts),
    "matrix": (True, views.matrix),
    "products": (True, views.products),
    "reference": (True, views.reference_coverage),
    "catalog-listing": (False, _listing),
    "completions": (False, _completions),
}

_lock = threading.Lock()


def aggregate(state, name: str, lang: str | None = None):
    """The aggregate `name` (in `lang` if it is per language) of the current data version."""
    materialiser = getattr(state, "aggregates", None)
    if materialiser is not None:
        materialiser.retry(state.data_modified)
    return memo(state, _key(name, lang), lambda: _compute(state.store, name, lang))


def _compute(store, name: str, lang: str | None):
    """For a page that needs an aggregate the materialiser has not started yet. On a big on-disk store, in a process
    of its own too: computed among the page threads, under 50 clients the catalog's listing (4 s alone) took over a
    minute for the interpreter lock."""
    if not processes.big_on_disk(store):
        return AGGREGATES[name][1](store, lang)
    with store.checkpoint() as checkpoint:
        return processes.call(_compute_on_disk, checkpoint, store.iris, name, lang)


def _key(name: str, lang: str | None):
    return (name, lang) if AGGREGATES[name][0] else name


def memo(state, key, compute, token=None, only_at=None):
    """compute() once per data version (and per `token`: a new token computes it again, replacing the old one).
    Concurrent callers of a key share one computation. A write empties the cache, so a result computed while it
    came is not kept as the new version's. `only_at`: compute only if the data version is still that one (else
    None), for a computation that reads a snapshot of it."""
    with _lock:
        version = state.data_modified  # read in the lock: a caller that read it before a write cannot go back to it
        if only_at is not None and version != only_at:
            return None
        cache = state.__dict__.setdefault("_memo", {})
        if cache.get("version") != version:
            cache.clear()
            cache["version"] = version
        entry = cache.get(key)
        if entry is None or entry[0] != token:
            entry = cache[key] = (token, Future())
            mine = True
        else:
            mine = False
    future = entry[1]
    if not mine:
        return future.result()
    try:
        future.set_result(compute())
    except BaseException as e:
        future.set_exception(e)
        with _lock:
            if cache.get(key) is entry:  # the next caller tries again
                del cache[key]
        raise
    return future.result()


class Materialiser(views.FollowsWrites):
    """Computes every aggregate of a data version in a background thread: at the start, and after writes when
    views.AfterWrites says (a burst of uploads makes one run). A newer version stops the run of an older one; a run
    that failed starts again when a page next asks for an aggregate (retry)."""

    thread_name = "aggregates"
    what = "Materialising the aggregates"
    RETRY_AFTER_S = 10.0  # while a remote store is away, pages do not start a failing run (and log it) each

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.done = threading.Event()  # set when every aggregate of the newest version asked for is there

    def _starting(self) -> None:
        self.done.clear()

    def retry(self, version) -> None:
        """Start again the run of `version` if it failed, RETRY_AFTER_S or more ago. Only then: a page asking for an
        aggregate between a write and the write's own ensure() must not start a run before AfterWrites says, nor
        one of the version before the write (checked and started in one hold of the lock)."""
        with self._lock:
            if self._failed and version == self._version and time.monotonic() - self._failed_at >= self.RETRY_AFTER_S:
                self._start(version, 0.0)

    def _work(self, version) -> None:
        store = self.state.store
        if not processes.big_on_disk(store):
            for name, lang in _every_aggregate():
                if self.state.data_modified != version:
                    return
                aggregate(self.state, name, lang)
        else:  # read by a process of its own from a checkpoint of the store, never the store this process writes
            # not niced, unlike the §28 check and the search index: a page that needs an aggregate waits for this
            # run's computation of it (make load: the feed's requests waited over 60 s behind a niced run)
            with store.checkpoint() as checkpoint, processes.Worker() as worker:
                for name, lang in _every_aggregate():
                    if self.state.data_modified != version:
                        return
                    # in the cache while it is computed, so that a page asking meanwhile waits for it
                    memo(self.state, _key(name, lang), lambda: worker.call(_compute_on_disk, checkpoint, store.iris, name, lang),
                         only_at=version)  # the checkpoint holds this version, or a newer one
        with self._lock:
            if self.current(version):
                self.done.set()


def _every_aggregate():
    for name, (per_language, _) in AGGREGATES.items():
        for lang in LANGUAGES if per_language else [None]:
            yield name, lang


# In the materialiser's worker: path -> the checkpoint opened read-only. A worker lives for one run, that is for one
# checkpoint.
_opened: dict = {}


def _compute_on_disk(path: str, iris, name: str, lang: str | None):
    if path not in _opened:
        from ..store import OxigraphStore

        _opened[path] = OxigraphStore(path, iris, read_only=True)
    return AGGREGATES[name][1](_opened[path], lang)
