"""Fetching a published description from the organisation's site, for `kuntagraph import https://…` (the CLI
only: the server fetches nothing on anyone's behalf).

From the start page it follows the links on the same site that belong to the description: pages under the start
page's path (Savonlinna's /asiakirjajulkisuuskuvaus/asiarekisteri-ja-tietovarannot/), and links whose address or
text names a part of a §28 description (Helsinki's sector pages, a PDF of the description). It obeys robots.txt,
waits between requests (a second by default), caps the pages and the bytes, names itself in the User-Agent, and
keeps each page's address and retrieval time for the provenance of what is imported from it.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser

from .. import __version__
from ..rdffiles import InputError

USER_AGENT = f"kuntagraph/{__version__} (import of a published description under 906/2019 section 28; +https://w3id.org/kuntagraph/)"
MAX_PAGES = 20
MAX_PAGE_BYTES = 10 * 2**20
MAX_TOTAL_BYTES = 40 * 2**20
DELAY = 1.0
TIMEOUT = 30
# words in a link's address or text that say it is a part of the description
_PART = re.compile(r"asiakirjajulkisuu|tietovarant|asiarekister|asianhallintarekister|tietojärjestelm|tietopyyn|hakutekij|"
                   r"handlingsoffentlig|handlingars.offentlig|informationslager|ärenderegister|informationssystem|"
                   r"tiedonhallinta|informationshantering|document.publicity", re.I)
_DOCUMENT = re.compile(r"\.(pdf|docx|xlsx|ods|csv|txt)$", re.I)
_SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|svg|webp|css|js|ico|zip|mp4|mp3|xml|rss|json|woff2?)$", re.I)


@dataclass
class Page:
    url: str
    data: bytes
    content_type: str
    retrieved: datetime


@dataclass
class Crawl:
    start: str
    pages: list[Page] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {url, why}
    bytes: int = 0

    def as_dict(self) -> dict:
        return {"start": self.start, "user_agent": USER_AGENT,
                "pages": [{"url": p.url, "bytes": len(p.data), "content_type": p.content_type,
                           "retrieved": p.retrieved.isoformat()} for p in self.pages],
                "skipped": self.skipped, "bytes": self.bytes}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links(base: str, html: str) -> list[tuple[str, str]]:
    p = _Links()
    try:
        p.feed(html)
    except Exception:  # noqa: BLE001 - a broken page still gives the links read so far
        pass
    out = []
    for href, text in p.links:
        try:
            url, _ = urllib.parse.urldefrag(urllib.parse.urljoin(base, href.strip()))
        except ValueError:  # "http://[oops": not an address
            continue
        if url.startswith(("http://", "https://")):
            out.append((url, text))
    return out


def belongs(start: str, url: str, text: str) -> bool:
    """A link of the description: on the start page's site, and under its path or named as a part of it."""
    s, u = urllib.parse.urlsplit(start), urllib.parse.urlsplit(url)
    if (u.scheme, u.netloc.lower()) != (s.scheme, s.netloc.lower()) or _SKIP_EXT.search(u.path):
        return False
    base = s.path if s.path.endswith("/") else s.path.rsplit("/", 1)[0] + "/"
    under = u.path.startswith(base) and u.path != s.path and base != "/"
    return under or bool(_PART.search(urllib.parse.unquote(u.path)) or _PART.search(text or ""))


class _SameSiteRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, site: tuple[str, str]):
        self.site = site

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        u = urllib.parse.urlsplit(newurl)
        if (u.scheme, u.netloc.lower()) != self.site:
            raise urllib.error.HTTPError(newurl, code, f"redirected to another site ({u.netloc})", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def crawl(start: str, max_pages: int = MAX_PAGES, delay: float = DELAY, max_bytes: int = MAX_TOTAL_BYTES,
          timeout: float = TIMEOUT) -> Crawl:
    parts = urllib.parse.urlsplit(start)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(start, "is not an http(s) address of a published description")
    site = (parts.scheme, parts.netloc.lower())
    opener = urllib.request.build_opener(_SameSiteRedirects(site))
    robots = _robots(opener, start, timeout)
    result = Crawl(start)
    queue, seen = [start], {start}
    last, attempts = 0.0, 0
    while queue and len(result.pages) < max_pages and attempts < 3 * max_pages:  # failed fetches count too
        url = queue.pop(0)
        if not robots.can_fetch(USER_AGENT, url):
            result.skipped.append({"url": url, "why": "robots.txt disallows it"})
            if url == start:
                raise InputError(start, "the site's robots.txt does not allow kuntagraph to fetch this page")
            continue
        wait = last + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        last = time.monotonic()
        attempts += 1
        try:
            page = _get(opener, url, min(MAX_PAGE_BYTES, max_bytes - result.bytes), timeout)
        except InputError as e:
            if url == start:
                raise
            result.skipped.append({"url": url, "why": str(e).split(": ", 1)[-1]})
            continue
        result.pages.append(page)
        result.bytes += len(page.data)
        if result.bytes >= max_bytes:
            result.skipped += [{"url": u, "why": f"the cap of {max_bytes} bytes was reached"} for u in queue]
            break
        if "html" in page.content_type:
            for link, text in links(page.url, page.data.decode("utf-8", "replace")):
                if link not in seen and belongs(start, link, text):
                    seen.add(link)
                    queue.append(link)
    result.skipped += [{"url": u, "why": f"the cap of {max_pages} pages was reached"} for u in queue]
    return result


def _robots(opener, start: str, timeout: float) -> urllib.robotparser.RobotFileParser:
    parts = urllib.parse.urlsplit(start)
    rp = urllib.robotparser.RobotFileParser()
    url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        with opener.open(urllib.request.Request(url, headers={"User-Agent": USER_AGENT}), timeout=timeout) as r:
            rp.parse(r.read(512 * 1024).decode("utf-8", "replace").splitlines())
    except urllib.error.HTTPError as e:
        if e.code in (401, 403) or e.code >= 500 or e.code == 429:
            rp.disallow_all = True  # the site forbids robots, or cannot say now: fetch nothing (RFC 9309)
        else:
            rp.allow_all = True  # no robots.txt (404, or moved off the site): nothing is disallowed
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        raise InputError(start, f"cannot be reached ({getattr(e, 'reason', e)})") from None
    return rp


def _get(opener, url: str, limit: int, timeout: float) -> Page:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf,*/*;q=0.5"})
    try:
        with opener.open(req, timeout=timeout) as r:
            data = r.read(limit + 1)
            ctype = (r.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            final = r.geturl()
    except urllib.error.HTTPError as e:
        raise InputError(url, f"the site answered {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        raise InputError(url, f"cannot be fetched ({getattr(e, 'reason', e)})") from None
    if len(data) > limit:
        raise InputError(url, f"is larger than {limit} bytes, the cap for one page")
    return Page(final, data, ctype, datetime.now(timezone.utc).replace(microsecond=0))


def file_name(page: Page, n: int) -> str:
    """A file name for the page's copy: its path's last part, with an extension from its content type."""
    stem = urllib.parse.unquote(urllib.parse.urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[-1]) or "index"
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-.")[:60] or "page"
    ext = {"text/html": ".html", "application/pdf": ".pdf", "text/plain": ".txt", "text/csv": ".csv",
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}.get(page.content_type, "")
    if _DOCUMENT.search(stem):
        ext = ""
    return f"{n:02d}-{stem}{ext}"
