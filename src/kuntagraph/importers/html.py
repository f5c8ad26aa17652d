"""HTML to blocks with the standard library's parser: headings, paragraphs, list items and table rows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .reading import Block

_SKIP = {"script", "style", "head", "template", "noscript", "svg", "nav", "button", "select", "iframe"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "dl", "dt", "dd",
          "blockquote", "pre", "figure", "figcaption", "caption", "form", "fieldset", "hr", "address", "body",
          "html", "details", "summary"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "param", "source", "track", "wbr"}
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.skip = 0
        self.heading = 0
        self.li = 0
        self.table = 0  # nesting depth
        self.row: list[str] | None = None
        self.row_line: int | None = None
        self.cell: list[str] | None = None
        self.open_tags: list[str] = []
        self.saw = set()

    # text outside tables

    def flush(self):
        text = _WS.sub(" ", "".join(self.buf)).strip()
        if text:
            for part in (p.strip() for p in text.split("\n")):
                if part:
                    self.blocks.append(Block(self.buf_line, part, heading=self.heading, item=self.li > 0))
        self.buf, self.buf_line = [], None

    def handle_starttag(self, tag, attrs):
        self.saw.add(tag)
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag not in _VOID:
            self.open_tags.append(tag)
        if self.table:
            if tag == "table":
                self.table += 1
            elif tag == "tr" and self.table == 1:
                self._end_row()
                self.row, self.row_line = [], self.getpos()[0]
            elif tag in ("td", "th") and self.table == 1:
                if self.row is None:
                    self.row, self.row_line = [], self.getpos()[0]
                self._end_cell()
                self.cell = []
            elif tag in ("br", "p", "li", "div") and self.cell is not None:
                self.cell.append("\n")
            return
        if tag == "table":
            self.flush()
            self.table = 1
            return
        if tag in _HEADINGS:
            self.flush()
            self.heading = _HEADINGS[tag]
        elif tag == "li":
            self.flush()
            self.li += 1
        elif tag == "br":
            self.buf.append("\n")
        elif tag in _BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag in self.open_tags:
            while self.open_tags and self.open_tags.pop() != tag:
                pass
        if self.table:
            if tag == "table":
                self.table -= 1
                if self.table == 0:
                    self._end_row()
            elif tag in ("td", "th") and self.table == 1:
                self._end_cell()
            elif tag == "tr" and self.table == 1:
                self._end_row()
            return
        if tag in _HEADINGS:
            self.flush()
            self.heading = 0
        elif tag == "li":
            self.flush()
            self.li = max(0, self.li - 1)
        elif tag in _BLOCK:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.table:
            if self.cell is not None:
                self.cell.append(data)
            elif data.strip():  # text in a table outside any cell: keep it as a one-cell row
                if self.row is None:
                    self.row, self.row_line = [], self.getpos()[0]
                self.cell = [data]
            return
        if self.buf_line is None and data.strip():
            self.buf_line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        self.buf.append(data)

    def _end_cell(self):
        if self.cell is not None and self.row is not None:
            text = "\n".join(_WS.sub(" ", p).strip() for p in "".join(self.cell).split("\n"))
            self.row.append(re.sub(r"\n{2,}", "\n", text).strip())
        self.cell = None

    def _end_row(self):
        self._end_cell()
        if self.row is not None:
            cells = self.row
            while cells and not cells[-1]:
                cells.pop()
            filled = [c for c in cells if c]
            if len(filled) == 1 and cells[0]:
                self.blocks.append(Block(self.row_line, cells[0]))
            elif filled:
                self.blocks.append(Block(self.row_line, " | ".join(cells), cells=cells))
        self.row = None


def html_blocks(text: str) -> tuple[list[Block], list]:
    p = _Parser()
    p.feed(text)
    warnings = []
    open_at_end = set(p.open_tags)
    truncated = p.table > 0 or ("html" in p.saw and "html" in open_at_end) or p.cell is not None
    p._end_row()
    p.flush()
    p.close()
    if truncated:
        warnings.append((None, "HTML-tiedosto näyttää katkenneen: taulukko tai dokumentti jäi sulkematta.",
                         "The HTML file looks cut off: a table or the document was not closed."))
    return p.blocks, warnings
