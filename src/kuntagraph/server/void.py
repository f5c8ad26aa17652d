"""VoID (https://www.w3.org/TR/void/) for /.well-known/void: the whole dataset and one subset per graph."""

import pyoxigraph as ox
from fastapi import Request

VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def void_triples(request: Request) -> list:
    store = request.app.state.store
    root = str(request.base_url).rstrip("/")
    ds = ox.NamedNode(store.iris.base + "void#dataset")
    n = ox.NamedNode
    t = lambda s, p, o: ox.Triple(s, n(p), o)  # noqa: E731
    out = [
        t(ds, RDF_TYPE, n(VOID + "Dataset")),
        t(ds, DCT + "title", ox.Literal("kuntagraph: kuntien tiedonhallinnan kuvaukset", language="fi")),
        t(ds, DCT + "title", ox.Literal("kuntagraph: Finnish municipal information-management descriptions", language="en")),
        t(ds, DCT + "license", n("https://creativecommons.org/licenses/by/4.0/")),
        t(ds, VOID + "sparqlEndpoint", n(root + "/sparql")),
        t(ds, VOID + "dataDump", n(root + "/dumps/all.nq")),
        # The DCAT-AP 3 harvest feed of the same data, for national catalogues.
        t(ds, "http://www.w3.org/2000/01/rdf-schema#seeAlso", n(root + "/catalog")),
        t(n(root + "/catalog"), DCT + "conformsTo", n("http://data.europa.eu/r5r/")),
        t(ds, VOID + "uriSpace", ox.Literal(store.iris.base + "id/")),
        t(ds, VOID + "vocabulary", n(store.iris.ontology)),
        t(ds, VOID + "triples", ox.Literal(str(store.count()), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    for g in store.graphs():
        key = store.iris.key_of_graph(g)
        sub = ox.NamedNode(g)
        out += [t(ds, VOID + "subset", sub), t(sub, RDF_TYPE, n(VOID + "Dataset")),
                t(sub, VOID + "triples", ox.Literal(str(store.count(g)), datatype=n("http://www.w3.org/2001/XMLSchema#integer")))]
        if key:
            out.append(t(sub, VOID + "dataDump", n(f"{root}/dumps/{key}.ttl")))
    return out
