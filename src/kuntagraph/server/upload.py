"""The clerks' publishing page, /publish: log in with the municipality's credential, upload what the
municipality has (XLSX, CSV, ODS, HTML, text: the importers; or Turtle / JSON-LD / RDF/XML), read what the
import found and what the shapes say is missing, see the change against what is published, publish.

The credential is posted once in a form and never appears in a URL; the session is a random id in an
HttpOnly, SameSite=Strict cookie, and every form carries the session's CSRF token. Publishing goes through
publish.Publisher like every other write (validation, If-Match against the previewed version, history).
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from .. import rdffiles
from ..publish import WriteRefused, _summary, finding
from . import threads
from .graphstore import PARSE_FORMATS, SUFFIX_FORMATS, changed, credential, parse, publisher
from .pages import render

router = APIRouter()
COOKIE = "kg_session"
SESSION_SECONDS = 8 * 3600
MAX_UPLOAD = 20 * 2**20
MAX_SESSIONS = 1000


def _sessions(request: Request) -> dict:
    state = request.app.state
    if not hasattr(state, "sessions"):
        state.sessions = {}
    return state.sessions


def _session(request: Request) -> tuple[str, dict]:
    sessions = _sessions(request)
    now = time.time()
    for sid in [s for s, v in sessions.items() if now - v["created"] > SESSION_SECONDS]:
        del sessions[sid]
    sid = request.cookies.get(COOKIE)
    if sid in sessions:
        return sid, sessions[sid]
    while len(sessions) >= MAX_SESSIONS:  # bounded: forget the oldest
        del sessions[next(iter(sessions))]
    sid = secrets.token_urlsafe(32)
    sessions[sid] = {"created": now, "csrf": secrets.token_urlsafe(32), "cred": None, "uploads": {}}
    return sid, sessions[sid]


def _page(request: Request, sid: str, session: dict, status: int = 200, **context) -> Response:
    response = render(request, "publish.html", status=status, csrf=session["csrf"], cred=session["cred"],
                      writable=getattr(request.app.state, "publisher", None) is not None, **context)
    response.set_cookie(COOKIE, sid, max_age=SESSION_SECONDS, httponly=True, samesite="strict", path="/publish",
                        secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_ok(session: dict, form) -> bool:
    return secrets.compare_digest(str(form.get("csrf", "")), session["csrf"])


def _lang(request: Request) -> str:
    return request.query_params.get("lang") if request.query_params.get("lang") in ("fi", "sv", "en") else "fi"


@router.get("/publish")
async def publish_page(request: Request):
    sid, session = _session(request)
    history = []
    if session["cred"] is not None and getattr(request.app.state, "publisher", None) is not None:
        p = request.app.state.publisher
        history = [v.to_json() for v in p.history.versions(p.iris.graph(session["cred"].kunta))][-10:][::-1]
    return _page(request, sid, session, step="upload" if session["cred"] else "login", history=history)


@router.post("/publish/login")
async def login(request: Request):
    sid, session = _session(request)
    form = await request.form(max_files=0, max_fields=5)
    if not _csrf_ok(session, form):
        return _page(request, sid, session, status=403, step="login", error="csrf")
    try:
        cred = credential(request, secret=str(form.get("secret", "")))
    except WriteRefused as e:
        return _page(request, sid, session, status=e.status, step="login", error=e.messages)
    if cred.admin:
        return _page(request, sid, session, status=403, step="login",
                     error={"fi": "Ylläpitäjän tunnuksella julkaistaan rajapinnan /store kautta.",
                            "sv": "Med administratörens nyckel publicerar man via /store.",
                            "en": "The admin credential publishes through /store."})
    session["cred"] = cred
    session["csrf"] = secrets.token_urlsafe(32)  # a new token after logging in
    return RedirectResponse(f"/publish?lang={_lang(request)}", status_code=303)


@router.post("/publish/logout")
async def logout(request: Request):
    sid, session = _session(request)
    form = await request.form(max_files=0, max_fields=5)
    if _csrf_ok(session, form):
        _sessions(request).pop(sid, None)
    return RedirectResponse(f"/publish?lang={_lang(request)}", status_code=303)


@router.post("/publish/upload")
async def upload(request: Request):
    sid, session = _session(request)
    if session["cred"] is None:
        return _page(request, sid, session, status=401, step="login")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_UPLOAD + 65536:
        return _page(request, sid, session, status=413, step="upload", error=_too_large())
    form = await request.form(max_files=1, max_fields=5)
    if not _csrf_ok(session, form):
        return _page(request, sid, session, status=403, step="upload", error="csrf")
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return _page(request, sid, session, status=400, step="upload",
                     error={"fi": "Valitse ladattava tiedosto.", "sv": "Välj en fil.", "en": "Choose a file to upload."})
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _page(request, sid, session, status=413, step="upload", error=_too_large())
    p = publisher(request)
    cred = session["cred"]
    graph = p.iris.graph(cred.kunta)
    try:
        triples, import_report = _triples(p, cred.kunta, file.filename, file.content_type, data, graph)
        before = p.read(graph)
        report = p.validate(graph, triples)
    except WriteRefused as e:
        return _page(request, sid, session, status=e.status, step="upload", error=e.messages)
    from pyoxigraph import RdfFormat, serialize
    after = serialize(triples, format=RdfFormat.N_TRIPLES) if triples else b""
    uid = secrets.token_urlsafe(16)
    session["uploads"] = {uid: {"triples": triples, "etag": p.etag(graph), "filename": file.filename}}  # the latest only
    return _page(request, sid, session, step="preview", upload_id=uid, filename=file.filename, graph=graph,
                 import_report=import_report, violations=[finding(r) for r in report.violations],
                 warnings=[finding(r) for r in report.warnings], change=_summary(before, after))


@router.post("/publish/confirm")
async def confirm(request: Request):
    sid, session = _session(request)
    if session["cred"] is None:
        return _page(request, sid, session, status=401, step="login")
    form = await request.form(max_files=0, max_fields=5)
    if not _csrf_ok(session, form):
        return _page(request, sid, session, status=403, step="upload", error="csrf")
    pending = session["uploads"].pop(str(form.get("upload", "")), None)
    if pending is None:
        return _page(request, sid, session, status=409, step="upload",
                     error={"fi": "Esikatseltua latausta ei löydy; lataa tiedosto uudelleen.",
                            "sv": "Den förhandsgranskade filen finns inte; ladda upp den igen.",
                            "en": "The previewed upload is gone; upload the file again."})
    p = publisher(request)
    try:
        outcome = await threads.in_thread(request, "writes", p.write, session["cred"], p.iris.graph(session["cred"].kunta), pending["triples"],
                                          action="upload", if_match=pending["etag"] or None,
                                          if_none_match=None if pending["etag"] else "*")
    except WriteRefused as e:
        return _page(request, sid, session, status=e.status, step="upload", error=e.messages)
    changed(request)
    return _page(request, sid, session, step="done", outcome=outcome.to_json(), filename=pending["filename"],
                 home=p.iris.thing(session["cred"].kunta))


def _too_large() -> dict:
    mb = MAX_UPLOAD // 2**20
    return {"fi": f"Tiedosto on yli {mb} Mt.", "sv": f"Filen är över {mb} MB.", "en": f"The file is over {mb} MB."}


def _triples(p, kunta: str, filename: str, content_type: str | None, data: bytes, graph: str):
    """The upload as triples under the server's base, with the importer's report when it was imported."""
    suffix = Path(filename).suffix.lower()
    media = (content_type or "").split(";")[0].strip().lower()
    with tempfile.TemporaryDirectory(prefix="kuntagraph-upload-") as tmp:
        if suffix in SUFFIX_FORMATS or (media in PARSE_FORMATS and media != "text/plain"):
            parse(data, SUFFIX_FORMATS.get(suffix, media), graph, filename)  # a clear message on a syntax error
            path = Path(tmp) / ("upload" + (suffix if suffix in SUFFIX_FORMATS else ".ttl"))
            path.write_bytes(data)
            report = None
        else:
            from ..importers import import_file

            source = Path(tmp) / ("upload" + (suffix if suffix.isascii() and len(suffix) <= 6 else ""))
            source.write_bytes(data)
            try:
                result = import_file(source, kunta, validate=False)
            except rdffiles.InputError as e:
                message = str(e).replace(str(source), filename)  # the clerk's file name, not our temporary one
                raise WriteRefused(400, "not-imported", f"Tiedostoa ei voitu tuoda: {message}",
                                   f"The file could not be imported: {message}") from None
            path = Path(tmp) / "imported.ttl"
            path.write_text(result.turtle(), encoding="utf-8")
            report = result.report
        try:
            return rdffiles.read(path, p.iris).triples, report  # moved under this server's base like any load
        except rdffiles.InputError as e:
            message = str(e).replace(str(path), filename)
            raise WriteRefused(400, "syntax-error", f"Tiedosto ei ole kelvollista RDF:ää: {message}",
                               f"The file is not valid RDF: {message}") from None
