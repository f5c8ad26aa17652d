"""Content negotiation: the Accept header with q-values (RFC 9110 §12.5.1) and file-name suffixes."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    key: str  # the store's name for it
    media_type: str
    suffix: str
    label: str


HTML = Format("html", "text/html", ".html", "HTML")
RDF_FORMATS = [
    Format("turtle", "text/turtle", ".ttl", "Turtle"),
    Format("jsonld", "application/ld+json", ".jsonld", "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", ".rdf", "RDF/XML"),
    Format("ntriples", "application/n-triples", ".nt", "N-Triples"),
]
RESULT_FORMATS = [
    Format("json", "application/sparql-results+json", ".srj", "JSON"),
    Format("xml", "application/sparql-results+xml", ".srx", "XML"),
    Format("csv", "text/csv", ".csv", "CSV"),
    Format("tsv", "text/tab-separated-values", ".tsv", "TSV"),
]
# Other names clients use for the same formats.
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json-ld": "application/ld+json",
    "application/xhtml+xml": "text/html",
}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """[(media range, q, position)], highest preference first. An absent header accepts anything."""
    if not header:
        return [("*/*", 1.0, 0)]
    out = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        out.append((ALIASES.get(media, media), q, pos))
    return out


def choose(header: str | None, offered: list[Format]) -> Format | None:
    """The offered format the client prefers: highest q, then most specific range, then the client's
    order, then ours. None when the client accepts none of them (q=0 or not listed)."""
    ranges = parse_accept(header)
    best, best_key = None, None
    for rank, fmt in enumerate(offered):
        major = fmt.media_type.split("/")[0]
        q, specificity, pos = _match(ranges, fmt.media_type, major)
        if q <= 0:
            continue
        key = (q, specificity, -pos, -rank)
        if best_key is None or key > best_key:
            best, best_key = fmt, key
    return best


def _match(ranges, media, major):
    found = (0.0, -1, 0)
    for rng, q, pos in ranges:
        spec = 2 if rng == media else 1 if rng == f"{major}/*" else 0 if rng == "*/*" else -1
        if spec > found[1]:
            found = (q, spec, pos)
    return found


def by_suffix(path: str, offered: list[Format]) -> tuple[str, Format | None]:
    """Split a '.ttl'-style suffix off a path: (path without it, format) or (path, None)."""
    for fmt in offered:
        if path.endswith(fmt.suffix):
            return path[: -len(fmt.suffix)], fmt
    return path, None
