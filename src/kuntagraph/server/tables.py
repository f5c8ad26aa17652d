"""The .json and .csv twins of every view: the one place these two formats are written."""

import csv
import io
import json

from fastapi.responses import Response

from .negotiate import Format

JSON = Format("json", "application/json", ".json", "JSON")
CSV = Format("csv", "text/csv", ".csv", "CSV")
TWINS = [JSON, CSV]


def split_suffix(name: str):
    """'matrix.csv' -> ('matrix', CSV); 'matrix' -> ('matrix', None)."""
    for fmt in TWINS:
        if name.endswith(fmt.suffix):
            return name[: -len(fmt.suffix)], fmt
    return name, None


def twin(fmt: Format, rows: list[dict], meta: dict | None = None, filename: str = "kuntagraph") -> Response:
    if fmt is JSON:
        body = json.dumps({**(meta or {}), "rows": rows}, ensure_ascii=False, indent=1, default=str)
        return Response(body, media_type="application/json; charset=utf-8")
    out = io.StringIO()
    columns = list(dict.fromkeys(k for r in rows for k in r))
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in r.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}.csv"'})


def twin_links(request, path: str) -> list[tuple[str, str]]:
    """Links to the twins of the current view, keeping its query string (its state)."""
    query = request.url.query
    return [(fmt.label, path + fmt.suffix + (f"?{query}" if query else "")) for fmt in TWINS]
