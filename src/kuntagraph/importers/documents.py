"""Word (DOCX, python-docx) and PDF (pdfplumber) into the same blocks as text and HTML: headings with their
level, paragraphs, list items and table rows, in reading order. Bounded like every input: at most MAX_PAGES
pages and MAX_BLOCKS blocks; a damaged file is refused in words.
"""

from __future__ import annotations

import io
from collections import Counter
import re
import statistics

from ..rdffiles import InputError
from .reading import MAX_CELLS, Block, Document

MAX_PAGES = 500
MAX_BLOCKS = 200_000
_HEADING_STYLE = re.compile(r"^(heading|otsikko|rubrik|überschrift)\s*(\d)?$|^title$|^otsikko$|^rubrik$", re.I)
_LIST_STYLE = re.compile(r"^(list|luettelo|lista|liste)", re.I)


# --- Word -----------------------------------------------------------------------------------------------

def read_docx(path, data: bytes) -> Document:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise InputError(path, "is a Word document (DOCX); reading it needs the Python package python-docx (make install)") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds on damaged files
        raise InputError(path, f"is a damaged Word document ({type(e).__name__}); save it again from the word processor") from None
    blocks: list[Block] = []
    n = 0
    cells = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            n += 1
            b = _paragraph_block(Paragraph(element, document), n)
            if b:
                blocks.append(b)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                n += 1
                texts = [_cell_text(c) for c in row.cells]
                cells += len(texts)
                if cells > MAX_CELLS:
                    raise InputError(path, f"has more than {MAX_CELLS} table cells; refused")
                texts = _dedupe_merged(texts)
                filled = [t for t in texts if t]
                if not filled:
                    continue
                if len(filled) == 1:
                    blocks.append(Block(n, filled[0], unit="paragraph"))
                else:
                    blocks.append(Block(n, " | ".join(texts), cells=texts, unit="paragraph"))
        if len(blocks) > MAX_BLOCKS:
            raise InputError(path, f"has more than {MAX_BLOCKS} paragraphs; refused")
    return Document(path, "docx", None, blocks, data)


def _paragraph_block(p, n: int) -> Block | None:
    text = re.sub(r"[ \t\u00a0]+", " ", p.text).strip()
    if not text:
        return None
    style = (p.style.name if p.style is not None else "") or ""
    level = 0
    m = _HEADING_STYLE.match(style.strip())
    if m:
        level = int(m.group(2) or 1)
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    item = bool(_LIST_STYLE.match(style)) or numbered
    if not level and not item and len(text) <= 120 and p.runs and all(r.bold for r in p.runs if r.text.strip()):
        level = 3  # a bold short paragraph is how many Word documents make a heading
    return Block(n, text, heading=level, item=item and not level, unit="paragraph")


def _cell_text(cell) -> str:
    return "\n".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _dedupe_merged(texts: list[str]) -> list[str]:
    """A merged cell is repeated by python-docx in every column it spans: keep it once."""
    out = []
    for t in texts:
        out.append("" if out and t and t == out[-1] else t)
    return out


# --- PDF ------------------------------------------------------------------------------------------------

def read_pdf(path, data: bytes) -> Document:
    try:
        import pdfplumber
    except ImportError:
        raise InputError(path, "is a PDF; reading it needs the Python package pdfplumber (make install)") from None
    blocks: list[Block] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise InputError(path, f"has {len(pdf.pages)} pages, more than {MAX_PAGES}; split it or save only the description")
            lines_by_page = []
            for number, page in enumerate(pdf.pages, 1):
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]
                lines = [ln for ln in page.extract_text_lines(strip=True) if not _inside(ln, boxes)]
                lines_by_page.append((number, page, lines, tables))
            sizes = [c["size"] for _, _, lines, _ in lines_by_page for ln in lines for c in ln["chars"][:40]]
            body = statistics.median(sizes) if sizes else 0
            lefts = [round(ln["x0"]) for _, _, lines, _ in lines_by_page for ln in lines]
            counts = Counter(lefts)
            margin = min(counts, key=lambda x: (-counts[x], x)) if counts else 0  # the body text's left edge
            line_no = 0  # counted through the document, so that every line has its own number; the page is kept too
            for number, page, lines, tables in lines_by_page:
                items = [(ln["top"], "line", ln) for ln in lines] + [(t.bbox[1], "table", t) for t in tables]
                prev = None
                for _, kind, x in sorted(items, key=lambda i: i[0]):
                    line_no += 1
                    if kind == "table":
                        prev = None
                        for row in x.extract():
                            texts = [re.sub(r"\s+", " ", c or "").strip() for c in row]
                            filled = [t for t in texts if t]
                            if len(filled) == 1:
                                blocks.append(Block(line_no, filled[0], page=number))
                            elif filled:
                                blocks.append(Block(line_no, " | ".join(texts), cells=texts, page=number))
                            line_no += 1
                        continue
                    b = _pdf_line(x, number, line_no, body, margin)
                    if b is None:
                        continue
                    if prev is not None and _continues(prev, x, blocks[-1], b):
                        last = blocks[-1]
                        if last.text.endswith(" -"):  # "Tweb -" + "asianhallintajärjestelmään": a name's hyphen
                            joined = last.text + b.text
                        elif last.text.endswith("-") and b.text[:1].islower():  # a word broken at the line's end
                            joined = last.text[:-1] + b.text
                        else:
                            joined = f"{last.text} {b.text}"
                        blocks[-1] = Block(last.line, joined, item=last.item, page=number)
                    else:
                        blocks.append(b)
                    prev = x
                if len(blocks) > MAX_BLOCKS:
                    raise InputError(path, f"has more than {MAX_BLOCKS} lines; refused")
    except InputError:
        raise
    except Exception as e:  # pdfminer raises many kinds on damaged or encrypted files
        raise InputError(path, f"is a PDF that cannot be read ({type(e).__name__}); if it is protected, save an "
                               "unprotected copy, or save the description as text") from None
    if not blocks:
        raise InputError(path, "is a PDF without text (a scanned image?); save the description as text, or run OCR first")
    return Document(path, "pdf", None, blocks, data)


def _inside(line, boxes) -> bool:
    return any(x0 - 1 <= line["x0"] and line["x1"] <= x1 + 1 and top - 1 <= line["top"] and line["bottom"] <= bottom + 1
               for x0, top, x1, bottom in boxes)


def _continues(prev_line, line, prev: Block, b: Block) -> bool:
    """A PDF breaks a paragraph into lines: the next line continues it when it follows closely (a gap under
    half a line), starts at the same left edge or further left, and neither is a heading."""
    if prev.heading or b.heading or prev.is_row or (b.item and not prev.item) or (b.item and prev.item):
        return b.item and prev.item and abs(line["x0"] - prev_line["x0"]) > 4 and line["x0"] > prev_line["x0"]
    height = max(prev_line["bottom"] - prev_line["top"], 1)
    return line["top"] - prev_line["bottom"] < height * 0.6 and line["x0"] <= prev_line["x0"] + 4


def _pdf_line(ln, page: int, n: int, body: float, margin: float) -> Block | None:
    text = re.sub(r"\s+", " ", ln["text"]).strip()
    if not text:
        return None
    size = max((c["size"] for c in ln["chars"]), default=body)
    bold = all("Bold" in (c.get("fontname") or "") for c in ln["chars"] if c["text"].strip())
    heading = 0
    if body and size >= body * 1.15 and len(text) <= 120:
        heading = 1 if size >= body * 1.6 else 2
    elif bold and len(text) <= 120 and not text.endswith((".", ",")):
        heading = 3
    # a list item: indented from the body text's left edge (a drawn bullet is not in the text), or a bullet character
    item = not heading and (ln["x0"] > margin + 8 or bool(re.match(r"^[•◦▪‣●–-]\s", text)))
    return Block(n, text, heading=heading, item=item, page=page)
