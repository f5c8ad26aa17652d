"""The `kuntagraph` command: validate, load, query, serve. Thin: the work is in the modules it calls."""

import argparse
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

from . import __version__, config, rdffiles
from .faults import storage_fault
from .iris import Iris
from .rdffiles import ORGANISATION_KINDS, InputError
from .store import QueryError, open_store

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

TEXT = {
    "fi": {"violation": "VIRHE", "warning": "VAROITUS", "info": "HUOM",
           "summary": "{files} tiedosto(a): {v} virhettä, {w} varoitusta",
           "refused": "Ei ladattu: tiedoissa on {v} virhettä. Korjaa ne tai käytä valitsinta --skip-validation.",
           "loaded": "Ladattu {n} tiedostoa, {q} kolmikkoa kaikkiaan: {store}",
           "exported": "Kirjoitettu {out}: {n} tietovarantoa {a} otsikon alla"},
    "en": {"violation": "VIOLATION", "warning": "WARNING", "info": "INFO",
           "summary": "{files} file(s): {v} violation(s), {w} warning(s)",
           "refused": "Not loaded: the data has {v} violation(s). Fix them or use --skip-validation.",
           "loaded": "Loaded {n} file(s), {q} triples in all: {store}",
           "exported": "Written {out}: {n} information resource(s) under {a} heading(s)"},
}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as e:
        if getattr(args, "format", None) == "json" and args.run is cmd_import:  # a JSON report, also when refused
            print(json.dumps({"error": {"file": e.path, "line": e.line, "message": str(e)}}, ensure_ascii=False, indent=2),
                  file=sys.stderr)
        else:
            print(f"kuntagraph: {e}", file=sys.stderr)
        return EXIT_INPUT
    except QueryError as e:
        print(f"kuntagraph: the query cannot be run: {e}", file=sys.stderr)
        return EXIT_INPUT
    except (OSError, sqlite3.Error) as e:  # a full or read-only disk is said in words; anything else is a bug
        fault = storage_fault(e, getattr(args, "store", None))
        if fault is None:
            raise
        print(f"kuntagraph: {fault}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


def _at_least_one(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kuntagraph", description="Finnish municipal information-management descriptions as linked data.")
    p.add_argument("--version", action="version", version=f"kuntagraph {__version__}")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check RDF files against the §28, §5 and hygiene shapes")
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    v.add_argument("--lang", choices=["fi", "en"], default="fi", help="language of the messages (default fi)")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--no-warnings", action="store_true", help="list violations only (the summary still counts warnings)")
    v.set_defaults(run=cmd_validate)

    ld = sub.add_parser("load", help="validate files and load them into an on-disk store, one named graph per municipality")
    ld.add_argument("paths", nargs="+", metavar="PATH")
    ld.add_argument("--store", metavar="DIR", help="the on-disk store (or give --endpoint)")
    ld.add_argument("--endpoint", metavar="URL",
                    help="load into a SPARQL 1.1 server instead (default $KUNTAGRAPH_ENDPOINT; credentials: README)")
    ld.add_argument("--skip-validation", action="store_true", help="load even when the shapes report violations")
    ld.add_argument("--bulk", action="store_true",
                    help="fill a new on-disk store with pyoxigraph's bulk loader: about 3x faster, but a load that is "
                         "interrupted may leave a graph half written (default: each graph in one transaction)")
    ld.add_argument("--graph", metavar="IRI", help="put every file in this named graph (default: one graph per municipality, from the content)")
    ld.add_argument("--lang", choices=["fi", "en"], default="fi")
    ld.set_defaults(run=cmd_load)

    q = sub.add_parser("query", help="run a SPARQL query (over the union of all graphs)")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("--file", type=Path, help="read the query from a file")
    q.add_argument("--store", metavar="DIR", help="on-disk store (default: the embedded data, in memory)")
    q.add_argument("--endpoint", metavar="URL",
                   help="query a SPARQL 1.1 server instead (default $KUNTAGRAPH_ENDPOINT)")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")
    q.set_defaults(run=cmd_query)

    im = sub.add_parser("import", help="turn a published description (a web page, text, HTML, CSV/TSV, XLSX, ODS, DOCX, "
                                       "PDF) into Turtle")
    im.add_argument("files", nargs="+", metavar="FILE|URL",
                    help="the description as published (format detected from the content), or the https:// address "
                         "of its page on the organisation's site; several files are parts of one description (its "
                         "sector pages, its Finnish and Swedish pages), merged into one graph")
    im.add_argument("--kunta", "--org", dest="kunta", required=True, metavar="KEY",
                    help="the publisher's key: a municipality's code (491), otherwise a lower-case key "
                         "(pohjanmaan-hyvinvointialue)")
    im.add_argument("--org-type", choices=sorted(ORGANISATION_KINDS), metavar="KIND",
                    help="what kind of organisation publishes it: " + ", ".join(sorted(ORGANISATION_KINDS))
                         + " (default municipality)")
    im.add_argument("--business-id", metavar="1234567-8", help="the organisation's Business ID (Y-tunnus), checked")
    im.add_argument("--name", metavar="NAME", help="the organisation's name in Finnish, as it calls itself")
    im.add_argument("--name-sv", metavar="NAMN", help="the organisation's name in Swedish, as it calls itself")
    im.add_argument("--partial", action="store_true",
                    help="the file is only part of the published description (its opening, a section copied): the "
                         "output says so, and what the rest could complete is reported as a warning")
    im.add_argument("-o", "--output", metavar="OUT.ttl", help="write the Turtle here (default: standard output)")
    im.add_argument("--lang", choices=["fi", "en"], default="fi", help="language of the report (default fi)")
    im.add_argument("--format", choices=["text", "json"], default="text", help="format of the report on standard error")
    im.add_argument("--no-validate", action="store_true",
                    help="do not check the output against the shapes (by default the report lists what is missing, "
                         "and the exit status is 1 when the output has violations)")
    im.add_argument("--align", action="store_true",
                    help="store the best reference-library match of each item as kg:reference (suggestions with "
                         "scores are always in the report)")
    im.add_argument("--align-threshold", type=float, metavar="SCORE",
                    help="lowest score (0-1) --align stores (default: importers.align.THRESHOLD, 0.6)")
    im.add_argument("--max-pages", type=_at_least_one, metavar="N",
                    help="with a URL: fetch at most N pages of the site (default 20)")
    im.add_argument("--delay", type=float, metavar="SECONDS",
                    help="with a URL: wait this long between requests to the site (default 1)")
    im.set_defaults(run=cmd_import)

    ex = sub.add_parser("export", help="write a municipality's description to XLSX in the four-column layout (import reads it back)")
    ex.add_argument("files", nargs="*", metavar="FILE.ttl", help="read the graph from these files (default: data/KEY.ttl)")
    ex.add_argument("--kunta", required=True, metavar="KEY", help="municipality code (491) or key (unnamed-002) of the publisher")
    ex.add_argument("--store", metavar="DIR", help="read the municipality's graph from this on-disk store instead")
    ex.add_argument("-o", "--output", metavar="OUT.xlsx", help="write the workbook here (default: KEY.xlsx)")
    ex.add_argument("--lang", choices=["fi", "en"], default="fi", help="language of the messages (default fi)")
    ex.set_defaults(run=cmd_export)

    store_help = "the on-disk store whose credentials and history these are (default: $KUNTAGRAPH_STORE or ./kuntagraph-store)"
    tk = sub.add_parser("token", help="create, list and revoke the credentials that may publish (per municipality, or admin)")
    tks = tk.add_subparsers(required=True, metavar="ACTION")
    tc = tks.add_parser("create", help="create a credential; the secret is printed once, alone on the last line")
    who = tc.add_mutually_exclusive_group(required=True)
    who.add_argument("--kunta", metavar="KEY", help="the municipality (491) or other publisher (lumme) it may write for")
    who.add_argument("--admin", action="store_true", help="an admin credential: any graph, the ontology and vocabularies")
    tc.add_argument("--note", help="what the credential is for (shown by list)")
    tc.set_defaults(run=cmd_token_create)
    tl = tks.add_parser("list", help="list credentials (never their secrets)")
    tl.add_argument("--kunta", metavar="KEY")
    tl.set_defaults(run=cmd_token_list)
    tr = tks.add_parser("revoke", help="revoke a credential by its id (see list)")
    tr.add_argument("token_id", metavar="ID")
    tr.add_argument("--kunta", metavar="KEY", help="only if it is this municipality's")
    tr.set_defaults(run=cmd_token_revoke)
    for parser in (tc, tl, tr):
        parser.add_argument("--store", metavar="DIR", default=None, help=store_help)

    h = sub.add_parser("history", help="list the versions of a municipality's graph")
    rb = sub.add_parser("rollback", help="restore an earlier version of a municipality's graph (as a new version)")
    rb.add_argument("--to", type=int, required=True, metavar="VERSION", help="the version to restore (see history)")
    for parser in (h, rb):
        parser.add_argument("--kunta", required=True, metavar="KEY")
        parser.add_argument("--graph", metavar="IRI", help="another graph of the municipality (default graph/KEY)")
        parser.add_argument("--store", metavar="DIR", default=None, help=store_help)
    h.set_defaults(run=cmd_history)
    rb.set_defaults(run=cmd_rollback)

    g = sub.add_parser("generate", help="write synthetic municipalities for benchmarks and load tests (never into data/)")
    g.add_argument("--municipalities", type=int, required=True, metavar="N", help="how many municipalities")
    g.add_argument("--out", required=True, metavar="DIR", help="directory for KEY.ttl files (and products.ttl)")
    g.add_argument("--seed", type=int, default=1, help="the same seed gives the same files (default 1)")
    g.add_argument("--scale", type=float, default=1.0, help="size of each municipality (default 1: about 10,000 triples)")
    g.set_defaults(run=cmd_generate)

    du = sub.add_parser("dump", help="back up an on-disk store: every graph, the credentials and the history, in one .tar.gz")
    du.add_argument("--store", required=True, metavar="DIR")
    du.add_argument("-o", "--output", required=True, metavar="BACKUP.tar.gz")
    du.set_defaults(run=cmd_dump)
    re_ = sub.add_parser("restore", help="restore a backup made by dump into a new, empty store directory")
    re_.add_argument("backup", metavar="BACKUP.tar.gz")
    re_.add_argument("--store", required=True, metavar="DIR", help="a directory that does not exist yet or is empty")
    re_.set_defaults(run=cmd_restore)

    s = sub.add_parser("serve", help="run the linked-data server")
    s.add_argument("--store", metavar="DIR", help="on-disk store (default: the embedded data, in memory)")
    s.add_argument("--endpoint", metavar="URL",
                   help="serve from a SPARQL 1.1 server instead (Virtuoso, Fuseki, GraphDB; default $KUNTAGRAPH_ENDPOINT; credentials: README)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--base-uri", default=config.CANONICAL_BASE, metavar="IRI", help=f"base of the IRIs (default {config.CANONICAL_BASE})")
    s.add_argument("--query-timeout", type=float, default=10.0, metavar="SECONDS", help="SPARQL query timeout (default 10)")
    s.add_argument("--max-result-mb", type=int, default=50, metavar="MB", help="cap on one SPARQL answer (default 50)")
    s.add_argument("--page-cache-mb", type=int, default=64, metavar="MB",
                   help="memory for whole answers of the read-only pages, dropped on every write (default 64; 0: none)")
    s.add_argument("--page-threads", type=_at_least_one, default=8, metavar="N",
                   help="pages computed at once; more wait their turn (default 8; more only for a slow --endpoint)")
    s.add_argument("--forwarded-allow-ips", metavar="IPS",
                   help="behind a reverse proxy: the proxy's address(es), whose X-Forwarded-For/-Proto are trusted "
                        "(client addresses in logs and rate limits, https links); see docs/DEPLOYMENT.md")
    s.set_defaults(run=cmd_serve)
    return p


def cmd_validate(args) -> int:
    from .validate import validate_files

    report = validate_files(args.paths)
    if args.format == "json":
        print(json.dumps(report.to_json(args.lang), ensure_ascii=False, indent=2))
    else:
        t = TEXT[args.lang]
        for r in report.results:
            if args.no_warnings and r.severity != "violation":
                continue
            print(f"{r.file}: {t[r.severity]} [{r.check}] <{r.focus}>" + (f" {r.path}" if r.path else ""))
            print(f"    {r.message(args.lang)}" + (f" ({r.value})" if r.value and r.severity == "violation" else ""))
        print(t["summary"].format(files=len(report.files), v=len(report.violations), w=len(report.warnings)))
    return EXIT_OK if report.conforms else EXIT_FAILED


def cmd_load(args) -> int:
    from .validate import validate_files

    t = TEXT[args.lang]
    if not args.skip_validation:
        report = validate_files(args.paths)
        if not report.conforms:
            for r in report.violations:
                print(f"{r.file}: {t['violation']} [{r.check}] <{r.focus}> {r.path or ''}\n    {r.message(args.lang)}", file=sys.stderr)
            print(t["refused"].format(v=len(report.violations)), file=sys.stderr)
            return EXIT_FAILED
    # Every file parses before the store is opened or touched; then each graph is loaded from its file(s), so that
    # loading 309 municipalities never holds 3 million triples in Python.
    endpoint = _endpoint(args)
    if bool(args.store) == bool(endpoint):
        raise InputError("load", "give either --store DIR or --endpoint URL")
    by_graph = rdffiles.files_by_graph(args.paths, Iris(), args.graph)
    store = _open_remote_store(endpoint) if endpoint else _open_disk_store(args.store)
    if store.iris.graph("ontology") not in store.graphs():
        store.load_files(config.ontology_files())
    store.load_graphs(by_graph, bulk=args.bulk)
    store.flush()
    print(t["loaded"].format(n=sum(map(len, by_graph.values())), q=store.count(), store=args.store or endpoint))
    return EXIT_OK


def _endpoint(args) -> str | None:
    """--endpoint, or $KUNTAGRAPH_ENDPOINT when no --store is given."""
    return args.endpoint or (None if args.store else os.environ.get("KUNTAGRAPH_ENDPOINT") or None)


def _open_remote_store(endpoint, iris=None):
    from .remote import RemoteStoreError

    try:
        return open_store(iris=iris, endpoint=endpoint)
    except RemoteStoreError as e:
        raise InputError(endpoint, str(e)) from None


def _store_for(args):
    endpoint = _endpoint(args) if hasattr(args, "endpoint") else None
    if endpoint:
        if args.store:
            raise InputError(args.store, "give either --store DIR or --endpoint URL")
        return _open_remote_store(endpoint)
    if args.store:
        if not Path(args.store).exists():
            raise InputError(args.store, "no such store; create it with 'kuntagraph load PATH --store DIR'")
        return _open_disk_store(args.store)
    store = open_store()
    store.load_defaults()
    return store


def _open_disk_store(path, iris=None):
    try:
        return open_store(path, iris)
    except OSError as e:
        if storage_fault(e, path):
            raise  # main() says what is wrong with the disk
        raise InputError(path, f"the store cannot be opened ({e}); is a server or another command using it?") from None


def cmd_query(args) -> int:
    if args.file:
        try:
            sparql = args.file.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(args.file, f"cannot be read: {e.strerror}") from None
    elif args.sparql:
        sparql = args.sparql
    else:
        print("kuntagraph query: give the query as an argument or with --file", file=sys.stderr)
        return EXIT_INPUT
    store = _store_for(args)
    if args.format == "table":
        answer = store.execute(sparql, result_format="tsv", with_prefixes=True)
        if answer.kind == "bindings":
            print(_table(answer.body.decode()))
        else:
            sys.stdout.write(answer.body.decode())
    else:
        answer = store.execute(sparql, result_format=args.format, with_prefixes=True)
        sys.stdout.write(answer.body.decode())
    return EXIT_OK


def _table(tsv: str) -> str:
    rows = [line.split("\t") for line in tsv.rstrip("\n").split("\n")]
    rows[0] = [h.lstrip("?") for h in rows[0]]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    lines.append(f"({len(rows) - 1} rows)")
    return "\n".join(lines)


def cmd_import(args) -> int:
    from .importers import import_file
    from .importers.graph import Organisation, check_business_id
    from .importers.report import render_text

    organisation = None
    if args.org_type or args.business_id or args.name or args.name_sv:
        if args.business_id and (problem := check_business_id(args.business_id)):
            raise InputError("--business-id", problem)
        kind = ORGANISATION_KINDS[args.org_type or "municipality"]
        if kind == "Municipality" and args.business_id:
            raise InputError("--business-id", "a municipality is identified by its code: give it as --kunta 491, "
                                              "not as a Business ID")
        organisation = Organisation(kind, (args.name or "").strip() or None, args.business_id,
                                    (args.name_sv or "").strip() or None)

    url = next((f for f in args.files if re.match(r"^https?://", f)), None)
    if url and len(args.files) > 1:
        raise InputError(url, "give one address, or files: the pages of a site are fetched from its address")
    if args.align and len(args.files) > 1:
        raise InputError(args.files[1], "--align works on one file; align the merged output file afterwards")
    if url and args.align:
        raise InputError(url, "--align works on a file; import the page first, then align its output file")
    if args.delay is not None and not 0 <= args.delay <= 60:
        raise InputError("--delay", "give the wait between requests in seconds, from 0 to 60")
    try:
        if url:
            from .importers import import_url

            result = import_url(url, args.kunta, args.output, validate=not args.no_validate,
                                max_pages=args.max_pages, delay=args.delay, organisation=organisation)
        elif len(args.files) > 1:
            from .importers import import_files

            result = import_files(args.files, args.kunta, args.output, validate=not args.no_validate,
                                  organisation=organisation, partial=args.partial)
        else:
            result = import_file(args.files[0], args.kunta, args.output, validate=not args.no_validate, align=args.align,
                                 align_threshold=args.align_threshold, organisation=organisation, partial=args.partial)
        turtle = result.turtle()
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as e:  # a clean message, never a traceback, whatever the input
        raise InputError(" ".join(args.files), f"cannot be imported ({type(e).__name__}: {e}); please report this file") from None
    if args.output:
        try:
            tmp = Path(args.output).with_name(Path(args.output).name + ".part")
            tmp.write_text(turtle, encoding="utf-8")
            tmp.replace(args.output)
        except OSError as e:
            raise InputError(args.output, f"cannot be written: {e.strerror}") from None
    else:
        sys.stdout.write(turtle)
    if args.format == "json":
        print(json.dumps(result.report, ensure_ascii=False, indent=2), file=sys.stderr)
    elif "pages" in result.report:
        from .importers.report import render_parts

        print(render_parts(result.report, args.lang), file=sys.stderr)
    else:
        print(render_text(result.report, args.lang), file=sys.stderr)
    # like `validate`: 1 when the output was written but has violations to fix before it can be loaded
    return EXIT_FAILED if result.report.get("validation", {}).get("violations") else EXIT_OK


def cmd_export(args) -> int:
    import pyoxigraph as ox
    import rdflib

    from .importers import KEY
    from .importers.export import to_xlsx

    if not KEY.match(args.kunta):
        raise InputError("--kunta", f"'{args.kunta}' is not a key: use the three-digit municipality code (491) or a "
                                    "lower-case key of letters, digits and hyphens (unnamed-002)")
    if args.store and args.files:
        raise InputError(args.store, "give either --store or Turtle files, not both")
    if args.store:
        where = args.store
        store = _store_for(args)
        graph = store.iris.graph(args.kunta)
        if graph not in store.graphs():
            raise InputError(where, f"has no graph for --kunta {args.kunta} ({graph})")
        ntriples = store.dump("ntriples", graph)
    else:
        paths = [Path(f) for f in args.files] or [config.DATA_DIR / f"{args.kunta}.ttl"]
        where = ", ".join(map(str, paths))
        if not args.files and not paths[0].exists():
            raise InputError(where, f"no graph for --kunta {args.kunta}: give its Turtle file(s) or --store DIR")
        triples = [t for p in rdffiles.expand(paths) for t in rdffiles.read(p, Iris()).triples]
        ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph().parse(data=ntriples, format="nt")
    out = Path(args.output or f"{args.kunta}.xlsx")
    tmp = out.with_name(out.name + ".part")
    try:
        result = to_xlsx(g, args.kunta, tmp)
        tmp.replace(out)
    except ValueError as e:
        raise InputError(where, str(e)) from None
    except OSError as e:
        raise InputError(out, f"cannot be written: {e.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    for fi, en in result.warnings:
        print(f"{TEXT[args.lang]['warning']}: {fi if args.lang == 'fi' else en}", file=sys.stderr)
    print(TEXT[args.lang]["exported"].format(out=out, n=result.resources, a=result.headings), file=sys.stderr)
    return EXIT_OK


def _state_dir(args) -> Path:
    return Path(args.store or os.environ.get("KUNTAGRAPH_STORE") or "kuntagraph-store")


def _tokens(args):
    from .auth import Tokens, state_path

    directory = _state_dir(args)
    if not directory.is_dir():
        raise InputError(directory, "no such store; create it with 'kuntagraph load PATH --store DIR' (or give --store)")
    return Tokens(state_path(directory))


def cmd_token_create(args) -> int:
    from .auth import ADMIN

    if args.kunta is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", args.kunta):
        raise InputError(args.kunta, "is not a key: use the municipality code (491) or a lower-case key (lumme)")
    kunta = ADMIN if args.admin else args.kunta
    token_id, secret = _tokens(args).create(kunta, args.note)
    print(f"credential {token_id} for {'the admin' if args.admin else kunta} created; keep the secret below, it is not shown again",
          file=sys.stderr)
    print(secret)
    return EXIT_OK


def cmd_token_list(args) -> int:
    rows = _tokens(args).list(args.kunta)
    print(_table("id\tkunta\tcreated\trevoked\tnote\n" + "".join(
        f"{r['id']}\t{'admin' if r['kunta'] == '*' else r['kunta']}\t{r['created']}\t{r['revoked'] or ''}\t{r['note'] or ''}\n" for r in rows)))
    return EXIT_OK


def cmd_token_revoke(args) -> int:
    if not _tokens(args).revoke(args.token_id, args.kunta):
        raise InputError(args.token_id, "no such credential that is not revoked already" + (f" for {args.kunta}" if args.kunta else ""))
    print(f"credential {args.token_id} revoked", file=sys.stderr)
    return EXIT_OK


def _publisher(args):
    from .publish import Publisher

    directory = _state_dir(args)
    if not directory.is_dir():
        raise InputError(directory, "no such store; give --store DIR")
    return Publisher(_open_disk_store(directory), directory)


def cmd_history(args) -> int:
    from .auth import Tokens, state_path
    from .history import History
    from .iris import Iris

    directory = _state_dir(args)
    if not directory.is_dir():
        raise InputError(directory, "no such store; give --store DIR")
    graph = args.graph or Iris().graph(args.kunta)
    versions = History(Tokens(state_path(directory)).db).versions(graph)
    print(_table("version\tat\twho\taction\tadded\tremoved\ttriples\n" + "".join(
        f"{v.version}\t{v.at}\t{v.who}\t{v.action}\t{v.summary.get('added', '')}\t{v.summary.get('removed', '')}\t{v.summary.get('triples', '')}\n"
        for v in versions)))
    return EXIT_OK


def cmd_rollback(args) -> int:
    from .publish import WriteRefused

    publisher = _publisher(args)
    graph = args.graph or publisher.iris.graph(args.kunta)
    if publisher.owner_key(graph) != args.kunta:
        raise InputError(graph, f"is not a graph of {args.kunta}")
    try:
        outcome = publisher.rollback(f"cli:{os.environ.get('USER', 'rollback')}", graph, args.to)
    except WriteRefused as e:
        raise InputError(graph, e.messages["en"]) from None
    print(f"{graph}: version {args.to} restored as version {outcome.version} "
          f"({outcome.summary['added']} triples added, {outcome.summary['removed']} removed)", file=sys.stderr)
    return EXIT_OK


def cmd_generate(args) -> int:
    from .generate import generate

    if args.municipalities < 0:
        raise InputError("--municipalities", "must be 0 or more")
    try:
        files = generate(args.municipalities, args.out, args.seed, args.scale)
    except ValueError as e:
        raise InputError(args.out, str(e)) from None
    print(f"{args.out}: {args.municipalities} synthetic municipalities and the long-tail product scheme ({len(files)} files, seed {args.seed})",
          file=sys.stderr)
    return EXIT_OK


def cmd_dump(args) -> int:
    from .backup import dump

    m = dump(args.store, args.output)
    print(f"{args.output}: {m['graphs']} graphs, {m['quads']} quads" + (", credentials and history" if m["state"] else ""),
          file=sys.stderr)
    return EXIT_OK


def cmd_restore(args) -> int:
    from .backup import restore

    m = restore(args.backup, args.store)
    print(f"{args.store}: {m['graphs']} graphs, {m['quads']} quads restored from the backup of {m['created']}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args) -> int:
    import uvicorn

    from .server.app import Settings, create_app

    iris = Iris(args.base_uri)
    if _endpoint(args):
        if args.store and args.endpoint:
            raise InputError(args.store, "give either --store DIR or --endpoint URL")
        store = _open_remote_store(_endpoint(args), iris)
        if not store.graphs():
            store.load_defaults()
    elif args.store:
        store = _open_disk_store(args.store, iris)
        if not store.graphs():
            store.load_defaults()
    else:
        store = open_store(iris=iris)
        store.load_defaults()
    settings = Settings(query_timeout=args.query_timeout, max_result_bytes=args.max_result_mb * 2**20,
                        state_dir=args.store, page_cache_mb=args.page_cache_mb, page_threads=args.page_threads)
    import logging

    access = logging.getLogger("kuntagraph.access")  # one JSON object a line on standard error
    access.addHandler(logging.StreamHandler())
    access.setLevel(logging.INFO)
    access.propagate = False
    uvicorn.run(create_app(store, settings), host=args.host, port=args.port, log_level="warning", access_log=False,
                proxy_headers=bool(args.forwarded_allow_ips), forwarded_allow_ips=args.forwarded_allow_ips or None)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
