"""SHACL shapes compiled to SPARQL, one query per constraint over every focus node at once (pyoxigraph).

Why: pySHACL spent its time (profiled on one generated municipality of 10,000 triples, 23 s) in two places:
  - 67 %: the one SPARQL-based constraint (ks:SecretNotPublished): rdflib re-parses and re-translates the
    query text for every focus node (pyparsing: 11 s parsing, 3.7 s algebra);
  - most of the rest: rdflib's term-by-term triple lookups, node by node, constraint by constraint.
At national scale (309 municipalities, 3 million triples) that is about 40 minutes, and most of it is the
same work repeated per node. Here each constraint is one set-at-a-time query that returns only the
violations, so the cost grows with the data, not with data x shapes x Python calls.

What compiles: node shapes with sh:targetClass / sh:targetSubjectsOf / sh:targetNode / sh:targetObjectsOf;
property shapes with predicate, inverse, sequence and alternative paths; sh:minCount, sh:maxCount, sh:class,
sh:datatype, sh:nodeKind, sh:pattern (+ sh:flags), sh:languageIn, sh:hasValue, sh:uniqueLang, sh:in,
sh:node, sh:or, sh:and, sh:not, sh:qualifiedValueShape + sh:qualifiedMinCount / MaxCount, and SPARQL-based
constraints (sh:select with $this). A node shape using anything else is left to pySHACL (`fallback_shapes`),
so a new shape feature never silently goes unchecked. Results carry what pySHACL's carry (focus node,
source shape and constraint, path, value node, severity); validate.py turns them into Results the same way.
"""

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
VALUE_PARAMS = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.languageIn, SH.node, SH["or"], SH["and"], SH["not"], SH["in"]}
COUNT_PARAMS = {SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang, SH.qualifiedValueShape}
IGNORED = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.flags, SH.qualifiedMinCount,
           SH.qualifiedMaxCount, SH.property, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
           SH.sparql, SH.order, SH.group, SH.deactivated, SH.prefixes, SH.declare}


class Unsupported(Exception):
    pass


@dataclass
class Finding:
    focus: str
    source: object  # the shape (rdflib node) the result comes from
    constraint: object  # the SPARQL constraint node, or None
    path: object  # rdflib path node, or None
    value: str | None
    severity: object  # sh:Violation ...


def _term(node) -> str:
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        return node.n3()
    raise Unsupported(f"blank node {node} as a constant")


def _string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Compiler:
    def __init__(self, g: rdflib.Graph):
        self.g = g
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"?v{self.n}"

    def path(self, p) -> str:
        g = self.g
        if isinstance(p, rdflib.URIRef):
            return f"<{p}>"
        inv = g.value(p, SH.inversePath)
        if inv is not None:
            return f"^({self.path(inv)})"
        alt = g.value(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in Collection(g, alt)) + ")"
        if (p, RDF.first, None) in g:
            return "(" + "/".join(self.path(x) for x in Collection(g, p)) + ")"
        raise Unsupported(f"path {p}")

    def params(self, shape) -> set:
        """The SHACL parameters of a shape (other predicates, like ks:check or rdfs:comment, do not constrain)."""
        return {p for p in self.g.predicates(shape, None) if str(p).startswith(str(SH))}

    # A SPARQL expression: does node `v` conform to `shape` (node shape, or property shape with sh:path)?
    def conforms(self, shape, v: str) -> str:
        g = self.g
        unknown = self.params(shape) - VALUE_PARAMS - COUNT_PARAMS - IGNORED
        if unknown or (shape, SH.sparql, None) in g:
            raise Unsupported(f"{shape}: {sorted(map(str, unknown)) or 'sh:sparql'}")
        parts = []
        path = g.value(shape, SH.path)
        if path is not None:
            p = self.path(path)
            for c in self.params(shape) & COUNT_PARAMS:
                parts.append(self.count_condition(shape, c, v, p))
            for c in self.params(shape) & VALUE_PARAMS:
                x = self.var()
                parts.append(f"NOT EXISTS {{ {v} {p} {x} FILTER(!({self.value_condition(shape, c, x)})) }}")
        else:
            if self.params(shape) & COUNT_PARAMS:
                raise Unsupported(f"{shape}: count constraint without a path")
            for c in self.params(shape) & VALUE_PARAMS:
                parts.append(self.value_condition(shape, c, v))
        for ps in g.objects(shape, SH.property):
            parts.append(self.conforms(ps, v))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def count_condition(self, shape, c, v, p) -> str:
        g = self.g
        if c == SH.minCount:
            n = int(g.value(shape, SH.minCount))
            if n == 0:
                return "true"
            if n != 1:
                raise Unsupported("minCount > 1 nested")
            return f"EXISTS {{ {v} {p} {self.var()} }}"
        if c == SH.maxCount:
            n = int(g.value(shape, SH.maxCount))
            if n != 1:
                raise Unsupported("maxCount != 1 nested")
            a, b = self.var(), self.var()
            return f"NOT EXISTS {{ {v} {p} {a} . {v} {p} {b} FILTER({a} != {b}) }}"
        if c == SH.hasValue:
            return " && ".join(f"EXISTS {{ {v} {p} {_term(x)} }}" for x in g.objects(shape, SH.hasValue))
        raise Unsupported(f"{c} nested")

    def value_condition(self, shape, c, x: str) -> str:
        g = self.g
        vals = list(g.objects(shape, c))
        out = []
        for val in vals:
            if c == SH["class"]:
                out.append(f"EXISTS {{ {x} {TYPE_PATH} {_term(val)} }}")
            elif c == SH.datatype:
                out.append(f"(isLiteral({x}) && datatype({x}) = {_term(val)})")
            elif c == SH.nodeKind:
                kinds = {SH.IRI: f"isIRI({x})", SH.BlankNode: f"isBlank({x})", SH.Literal: f"isLiteral({x})",
                         SH.BlankNodeOrIRI: f"(isBlank({x}) || isIRI({x}))", SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
                         SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))"}
                out.append(kinds[val])
            elif c == SH.pattern:
                flags = g.value(shape, SH.flags)
                out.append(f"(!isBlank({x}) && REGEX(STR({x}), {_string(val)}{', ' + _string(flags) if flags else ''}))")
            elif c == SH.languageIn:
                langs = [str(lang) for lang in Collection(g, val)]
                out.append(f"(isLiteral({x}) && (" + " || ".join(f"LANGMATCHES(LANG({x}), {_string(lang)})" for lang in langs) + "))")
            elif c == SH["in"]:
                out.append(f"({x} IN (" + ", ".join(_term(m) for m in Collection(g, val)) + "))")
            elif c == SH.node:
                out.append(self.conforms(val, x))
            elif c == SH["not"]:
                out.append(f"!({self.conforms(val, x)})")
            elif c == SH["or"]:
                out.append("(" + " || ".join(self.conforms(m, x) for m in Collection(g, val)) + ")")
            elif c == SH["and"]:
                out.append("(" + " && ".join(self.conforms(m, x) for m in Collection(g, val)) + ")")
            else:
                raise Unsupported(str(c))
        return " && ".join(out) if out else "true"


@dataclass
class _Query:
    sparql: str
    source: object
    constraint: object
    path: object
    severity: object
    value_var: str | None  # "v" (a value node), "this" (the focus node) or None


class CompiledShapes:
    def __init__(self, queries: list[_Query], fallback_shapes: rdflib.Graph | None):
        self.queries, self.fallback_shapes = queries, fallback_shapes

    def run(self, store: ox.Store, owner: dict) -> list[Finding]:
        """Every finding whose focus node is in `owner` (the nodes of the files under validation)."""
        out = []
        for q in self.queries:
            for row in store.query(q.sparql):
                focus = row["this"]
                if focus.value not in owner:
                    continue
                value = None
                if q.value_var:
                    term = row[q.value_var]
                    value = term.value if term is not None else None
                out.append(Finding(focus.value, q.source, q.constraint, q.path, value, q.severity))
        return out


def _targets(g, shape) -> str | None:
    parts = [f"{{ ?this {TYPE_PATH} {_term(c)} }}" for c in g.objects(shape, SH.targetClass)]
    parts += [f"{{ ?this {_term(p)} ?_t }}" for p in g.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ ?_t {_term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
    parts += [f"{{ VALUES ?this {{ {_term(n)} }} }}" for n in g.objects(shape, SH.targetNode)]
    if (shape, RDF.type, rdflib.RDFS.Class) in g:
        parts.append(f"{{ ?this {TYPE_PATH} {_term(shape)} }}")
    return " UNION ".join(parts) if parts else None


def _compile_node_shape(g, shape) -> list[_Query]:
    target = _targets(g, shape)
    if target is None:
        return []
    c = _Compiler(g)
    focus = f"{{ SELECT DISTINCT ?this WHERE {{ {target} }} }}"
    severity = g.value(shape, SH.severity) or SH.Violation
    queries = []
    unknown = c.params(shape) - VALUE_PARAMS - COUNT_PARAMS - IGNORED
    if unknown or c.params(shape) & COUNT_PARAMS:
        raise Unsupported(f"{shape}: {sorted(map(str, unknown))}")
    if (shape, SH.deactivated, rdflib.Literal(True)) in g:
        return []
    # Node-level constraints: the focus node is the value node.
    for p in c.params(shape) & VALUE_PARAMS:
        cond = c.value_condition(shape, p, "?this")
        queries.append(_Query(f"SELECT ?this WHERE {{ {focus} FILTER(!({cond})) }}", shape, None, None, severity, "this"))
    for sq in g.objects(shape, SH.sparql):
        queries.append(_sparql_constraint(g, shape, sq, focus, severity))
    for ps in g.objects(shape, SH.property):
        queries += _compile_property_shape(g, c, ps, focus)
    return queries


def _compile_property_shape(g, c: _Compiler, ps, focus: str) -> list[_Query]:
    path_node = g.value(ps, SH.path)
    if path_node is None:
        raise Unsupported(f"{ps}: property shape without a path")
    unknown = c.params(ps) - VALUE_PARAMS - COUNT_PARAMS - IGNORED - {SH.property}
    if unknown or (ps, SH.property, None) in g or (ps, SH.deactivated, rdflib.Literal(True)) in g:
        raise Unsupported(f"{ps}: {sorted(map(str, unknown))}")
    p = c.path(path_node)
    severity = g.value(ps, SH.severity) or SH.Violation
    queries = []

    def q(sparql, value_var=None):
        queries.append(_Query(sparql, ps, None, path_node, severity, value_var))

    for param in c.params(ps) & COUNT_PARAMS:
        if param == SH.minCount:
            n = int(g.value(ps, SH.minCount))
            if n >= 1:
                q(f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
        elif param == SH.maxCount:
            n = int(g.value(ps, SH.maxCount))
            q(f"SELECT ?this WHERE {{ {focus} ?this {p} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
        elif param == SH.hasValue:
            for val in g.objects(ps, SH.hasValue):
                q(f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {p} {_term(val)} }} }}")
        elif param == SH.uniqueLang:
            if g.value(ps, SH.uniqueLang) == rdflib.Literal(True):
                q(f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {p} ?a . ?this {p} ?b "
                  f"FILTER(isLiteral(?a) && isLiteral(?b) && LANG(?a) != \"\" && LCASE(LANG(?a)) = LCASE(LANG(?b)) && ?a != ?b) "
                  f"BIND(LCASE(LANG(?a)) AS ?lang) }}")
        elif param == SH.qualifiedValueShape:
            if (ps, SH.qualifiedValueShapesDisjoint, None) in g:
                raise Unsupported("qualifiedValueShapesDisjoint")
            cond = c.conforms(g.value(ps, SH.qualifiedValueShape), "?v")
            lo, hi = g.value(ps, SH.qualifiedMinCount), g.value(ps, SH.qualifiedMaxCount)
            having = " || ".join(x for x in (f"COUNT(DISTINCT ?v) < {int(lo)}" if lo is not None else "",
                                             f"COUNT(DISTINCT ?v) > {int(hi)}" if hi is not None else "") if x)
            if having:
                q(f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {p} ?v FILTER({cond}) }} }} GROUP BY ?this HAVING ({having})")
    for param in c.params(ps) & VALUE_PARAMS:
        cond = c.value_condition(ps, param, "?v")
        q(f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {p} ?v FILTER(!({cond})) }}", "v")
    return queries


def _sparql_constraint(g, shape, sq, focus, severity) -> _Query:
    select = g.value(sq, SH.select)
    if select is None:
        raise Unsupported("SPARQL constraint without sh:select")
    prefixes = []
    for pfx in g.objects(sq, SH.prefixes):
        for decl in g.objects(pfx, SH.declare):
            prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
    body = str(select).replace("$this", "?this")
    if "$" in body or "?path" in body:
        raise Unsupported("pre-bound variables other than $this")
    # The constraint's query, joined with the focus nodes (its ?this ranges over them all at once).
    sparql = "\n".join(prefixes) + f"\nSELECT DISTINCT ?this ?value WHERE {{ {focus} {{ {_inner(body)} }} }}"
    return _Query(sparql, shape, sq, None, g.value(sq, SH.severity) or severity, "value")


def _inner(select: str) -> str:
    """The SELECT as a sub-query (its PREFIX lines moved out by the caller)."""
    return select.strip()


@lru_cache(maxsize=4)
def _compiled(key: int, g: rdflib.Graph) -> CompiledShapes:
    queries, fallback = [], []
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                                                              for s in g.subjects(p, None)}
    for shape in sorted(node_shapes, key=str):
        try:
            queries += _compile_node_shape(g, shape)
        except Unsupported:
            fallback.append(shape)
    rest = None
    if fallback:
        # pySHACL gets the whole shapes graph with only the shapes that did not compile keeping their targets.
        rest = rdflib.Graph()
        for t in g:
            if t[1] in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode) and t[0] not in fallback:
                continue
            rest.add(t)
    return CompiledShapes(queries, rest)


def compiled(g: rdflib.Graph) -> CompiledShapes:
    return _compiled(id(g), g)
