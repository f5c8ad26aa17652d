"""Hostile input, generated: every input path of the server and the importers gets arbitrary and near-valid
input; each answer is a result or a clear 4xx, never a 5xx and never an exception (the app runs in-process
with exceptions raised, so a traceback fails the test).

`make test` runs a few hundred examples per target; `make fuzz` (called by .ci/run) runs
KUNTAGRAPH_FUZZ_EXAMPLES per target, by default enough for more than 100,000 inputs in all. Then atheris fuzzes
the parsers in process, guided by coverage (tests/fuzz_atheris.py), KUNTAGRAPH_ATHERIS_RUNS x its weights.
"""

from __future__ import annotations

import io
import os
import string
import time
import zipfile

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from starlette.testclient import TestClient

from conftest import DATA, SHARED

EXAMPLES = int(os.environ.get("KUNTAGRAPH_FUZZ_EXAMPLES", "150"))
ATHERIS_RUNS = int(os.environ.get("KUNTAGRAPH_ATHERIS_RUNS", "100"))


def fuzz(weight: float):
    """EXAMPLES x weight examples: cheap targets get more (a validated write costs ~80 ms, a lookup ~5 ms); with
    the weights below, EXAMPLES=18000 (make fuzz) is 92,500 inputs. Only generation: no shrinking phase, no example database."""
    return settings(max_examples=max(20, int(EXAMPLES * weight)), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])

COUNT = {"inputs": 0}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from kuntagraph.publish import Publisher
    from kuntagraph.server.app import Settings, create_app
    from kuntagraph.store import open_store

    directory = tmp_path_factory.mktemp("fuzz") / "store"
    store = open_store(directory)
    store.load_defaults()
    app = create_app(store, Settings(state_dir=str(directory), query_timeout=5))
    publisher: Publisher = app.state.publisher
    _, secret = publisher.tokens.create("491")
    publisher.failures.limit = 10**9  # the fuzzer is one client: do not rate-limit it
    with TestClient(app, raise_server_exceptions=True) as c:
        # The SPARQL query workers start in the background; "starting" is a true 503, not what is fuzzed here.
        for _ in range(600):
            if c.get("/health/ready").status_code == 200:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the query workers did not start within a minute")
        c.secret = secret
        yield c
    print(f"\nfuzzed inputs: {COUNT['inputs']}")


def ok(r) -> bool:
    COUNT["inputs"] += 1
    return r.status_code < 500 or (r.status_code == 503 and "timed out" in r.text)


def clear_refusal(e: Exception) -> bool:
    """Refusing an input in process, the way the answers above do over HTTP: an InputError says what and where
    (the file and line, for a clerk), a WriteRefused carries its 4xx answer, a QueryError becomes a 400."""
    from kuntagraph.publish import WriteRefused
    from kuntagraph.rdffiles import InputError
    from kuntagraph.store import QueryError

    return isinstance(e, (InputError, QueryError)) or (isinstance(e, WriteRefused) and 400 <= e.status < 500)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
SPARQL_WORDS = ["SELECT", "*", "WHERE", "{", "}", "?s", "?p", "?o", "ASK", "CONSTRUCT", "DESCRIBE", "<id/491>",
                "FILTER(", ")", "REGEX(", "\"a\"", "GRAPH", "OPTIONAL", "UNION", "LIMIT 5", "ORDER BY", "COUNT(*)",
                "GROUP BY", "PREFIX x: <http://x/>", "x:y", "BIND(", "AS", "VALUES", "skos:prefLabel", "kg:heldIn",
                ".", ";", ",", "SERVICE", "<http://127.0.0.1:1/>", "INSERT DATA", "DELETE", "@fi", "^^xsd:int", "1e9999"]
sparql = st.one_of(text, st.lists(st.sampled_from(SPARQL_WORDS), max_size=25).map(" ".join))
MEDIA = ["*/*", "text/html", "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
         "application/sparql-results+json", "text/csv", "application/json", "text/plain", "image/png", ""]
accept = st.one_of(st.sampled_from(MEDIA), text, st.lists(
    st.tuples(st.sampled_from(MEDIA), st.one_of(st.floats(-1, 2), st.just(float("nan")))), max_size=5).map(
    lambda xs: ", ".join(f"{m};q={q}" for m, q in xs)))
header_safe = st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=120)


GRAPHS = st.lists(st.tuples(st.sampled_from(["default-graph-uri", "named-graph-uri"]), st.one_of(
    st.sampled_from(["https://w3id.org/kuntagraph/graph/491", "https://w3id.org/kuntagraph/graph/lumme"]), text)), max_size=2)


@fuzz(1.5)
@given(query=sparql, accept=st.sampled_from(MEDIA), fmt=st.sampled_from(["", "json", "xml", "csv", "tsv", "x"]), graphs=GRAPHS)
def test_sparql_get(client, query, accept, fmt, graphs):
    params = [("query", query), *graphs, *([("format", fmt)] if fmt else [])]
    r = client.get("/sparql", params=params, headers={"accept": accept})
    assert ok(r), (params, r.status_code, r.text[:300])


@pytest.mark.parametrize("param, value", [("default-graph-uri", "%\u0439"), ("named-graph-uri", "not an iri")])
def test_graph_parameters_that_are_not_iris_are_refused(client, param, value):
    # atheris found these reaching pyoxigraph as a ValueError: a 500, then (query workers) a 503 after the timeout.
    r = client.get("/sparql", params={"query": "ASK {}", param: value})
    assert r.status_code == 400 and f"{param} {value!r} is not an absolute IRI" in r.text, (r.status_code, r.text)


@fuzz(1.0)
@given(body=st.one_of(sparql.map(str.encode), st.binary(max_size=300)),
       ctype=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
                              "text/plain", "", "application/sparql-query; charset=latin-1", "multipart/form-data"]))
def test_sparql_post(client, body, ctype):
    assert ok(client.post("/sparql", content=body, headers={"content-type": ctype} if ctype else {}))


PATHS = ["/", "/search", "/finder", "/compare", "/compare/matrix", "/compare/products", "/compare/reference",
         "/compare/compliance", "/compare/matrix.json", "/compare/products.csv", "/compare/merge.ttl", "/catalog",
         "/catalog/491", "/catalog.jsonld", "/id/491", "/id/491.json", "/id/491.csv", "/vocab/service-area", "/def",
         "/graph/491", "/dumps/491.ttl", "/.well-known/void", "/store", "/publish", "/search.json", "/finder.csv"]
PARAMS = ["q", "kunta", "area", "kind", "lang", "m", "page", "modified_since", "graph", "default", "format", "limit"]


@fuzz(1.25)
@given(path=st.one_of(st.sampled_from(PATHS), st.text(alphabet=string.ascii_letters + string.digits + "/._-%~", max_size=60).map(
           lambda p: "/" + p), st.sampled_from(PATHS).flatmap(lambda p: text.map(lambda t: p + "/" + t.replace("?", "").replace("#", "")))),
       params=st.lists(st.tuples(st.sampled_from(PARAMS), text), max_size=5), accept=accept)
def test_every_view_with_any_query_string_and_accept(client, path, params, accept):
    try:
        r = client.get(path, params=params, headers={"accept": accept.encode("latin-1", "replace").decode("latin-1")})
    except (UnicodeEncodeError, httpx.InvalidURL):
        return  # not sendable as an HTTP request; nothing reaches the server
    assert ok(r), (path, params, r.status_code, r.text[:300])


TURTLE_PIECES = ["@prefix kg: <https://w3id.org/kuntagraph/def#> .", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
                 "<https://w3id.org/kuntagraph/id/491>", "<https://w3id.org/kuntagraph/id/491/resource/x>", "a", "kg:Municipality",
                 "kg:InformationResource", "skos:prefLabel", '"Mikkeli"@fi', '"x"', ".", ";", ",", "[", "]", "(", ")",
                 "<https://w3id.org/kuntagraph/id/740>", "_:b", "kg:heldIn", '"""long"""', "<javascript:alert(1)>", "1.5e3"]


@fuzz(0.15)
@given(body=st.one_of(st.lists(st.sampled_from(TURTLE_PIECES), max_size=30).map(" ".join), text),
       ctype=st.sampled_from(["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
                              "text/plain", "application/octet-stream", "multipart/form-data; boundary=x"]),
       method=st.sampled_from(["PUT", "POST"]), graph=st.sampled_from(["https://w3id.org/kuntagraph/graph/491/fuzz",
                                                                      "https://w3id.org/kuntagraph/graph/740", "", "not an iri"]))
def test_graph_store_writes(client, body, ctype, method, graph):
    r = client.request(method, "/store", params={"graph": graph} if graph else {}, content=body.encode(),
                       headers={"content-type": ctype, "authorization": f"Bearer {client.secret}"})
    assert ok(r) and r.status_code in (200, 201, 400, 403, 405, 413, 415, 422), (r.status_code, r.text[:300])


SEED_LINES = [line for p in sorted((SHARED / "seeds").glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()
              if line.strip()] if (SHARED / "seeds").exists() else ["Tietoaineistot"]


@fuzz(0.75)
@given(lines=st.lists(st.one_of(st.sampled_from(SEED_LINES), text), max_size=40),
       wrap=st.sampled_from(["txt", "html", "csv", "md"]), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_importers_on_near_valid_documents(tmp_path_factory, lines, wrap, encoding):
    from kuntagraph.importers import import_file
    from kuntagraph.rdffiles import InputError

    body = "\n".join(lines)
    if wrap == "html":
        body = "<html><body>" + "".join(f"<p>{x}</p>" if i % 3 else f"<h2>{x}</h2>" for i, x in enumerate(lines)) + "</body></html>"
    elif wrap == "csv":
        body = "\n".join(";".join(x.split(" ")[:4]) for x in lines)
    elif wrap == "md":
        body = "\n".join("| " + " | ".join(x.split(" ")[:4]) + " |" for x in lines)
    path = tmp_path_factory.mktemp("imp") / f"in.{wrap}"
    path.write_bytes(body.encode(encoding, "replace"))
    COUNT["inputs"] += 1
    try:
        result = import_file(path, "fuzz-1", validate=False)
        result.turtle()
    except InputError:
        pass


@fuzz(0.5)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".ods", ".txt", ".html", ".csv", ""]),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b"<?xml"]))
def test_importers_on_arbitrary_bytes(tmp_path_factory, data, suffix, prefix):
    from kuntagraph.importers import import_file
    from kuntagraph.rdffiles import InputError

    path = tmp_path_factory.mktemp("bytes") / f"in{suffix}"
    path.write_bytes(prefix + data)
    COUNT["inputs"] += 1
    try:
        import_file(path, "fuzz-2", validate=False).turtle()
    except InputError:
        pass


def test_damaged_spreadsheet_parts_are_refused_by_name(tmp_path):
    """atheris found ODS files whose parts zipfile cannot unpack (a failed CRC, offsets before the start of the
    file) escaping the importer as BadZipFile and ValueError: a traceback for `import`, a 500 on the upload page."""
    from kuntagraph.importers import import_file
    from kuntagraph.rdffiles import InputError

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    data = out.getvalue()
    at = data.index(b"<office")
    for damaged, part in [(data[:at] + b"X" + data[at + 1:], "content.xml"), (data[:40] + data[60:], "mimetype")]:
        path = tmp_path / "kuvaus.ods"
        path.write_bytes(damaged)
        with pytest.raises(InputError, match=f"kuvaus.ods: is a damaged ZIP/Office file: its part {part} cannot be unpacked"):
            import_file(path, "fuzz-4", validate=False)


def test_a_zip_directory_zipfile_cannot_read_is_refused_by_name(tmp_path):
    """atheris found a ZIP whose directory names a format version from the future (11.1): zipfile raised
    NotImplementedError, which escaped the importer as a traceback."""
    from kuntagraph.importers import import_file
    from kuntagraph.rdffiles import InputError

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(out.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6:central + 8] = (111).to_bytes(2, "little")  # "version needed to extract": 11.1
    path = tmp_path / "kuvaus.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"kuvaus.xlsx: is a damaged ZIP/Office file \(zip file version 11.1\)"):
        import_file(path, "fuzz-5", validate=False)


def test_atheris_coverage_guided():
    """Every atheris target (importer formats, RDF uploads, the SPARQL lexers and dataset parameters): inputs
    executed and failures, per target. A failure names the input it saved and how to replay it."""
    pytest.importorskip("atheris")
    import fuzz_atheris

    results = fuzz_atheris.run(ATHERIS_RUNS)
    for r in results:
        print(f"\natheris {r.target}: {r.inputs} inputs in {r.seconds} s, {1 if r.failure else 0} failures", end="")
    print(f"\natheris: {sum(r.inputs for r in results)} inputs, {sum(1 for r in results if r.failure)} failures")
    assert not [r for r in results if r.failure], "\n\n".join(r.failure for r in results if r.failure)
