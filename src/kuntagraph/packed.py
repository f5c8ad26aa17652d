"""Many strings kept for long (the search index's items, the harvest feed's listing) in one buffer each.

A Python string costs 50 bytes beyond its text, and millions of them, made among the temporary objects of the
read that found them, keep the heap around them from being given back when those go: at national scale the
search index's items took 164 MB as objects and left the server at 490 MB; packed they take about 60 MB.
"""

import numpy as np


class Packed:
    """Strings by number, in one UTF-8 buffer."""

    def __init__(self, strings: list[str]):
        encoded = [s.encode() for s in strings]
        self._start = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=self._start[1:])
        self._blob = b"".join(encoded)

    def __len__(self) -> int:
        return len(self._start) - 1

    def raw(self, i: int) -> bytes:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._blob[self._start[i]:self._start[i + 1]]

    def __getitem__(self, i: int) -> str:
        return self.raw(i).decode()

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def find(self, s: str) -> int | None:
        """The number of `s` when the strings are sorted (UTF-8 bytes sort as the code points do), else None."""
        key, lo, hi = s.encode(), 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.raw(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self.raw(lo) == key else None


def codes(values: list) -> tuple[list, np.ndarray]:
    """(the distinct values in order of first appearance, each value's number among them): a column of values
    that recur (a graph, a kind, a set of municipalities) as small numbers."""
    number: dict = {}
    found = np.fromiter((number.setdefault(v, len(number)) for v in values), dtype=np.int32, count=len(values))
    return list(number), found
