"""Reading an input file into blocks: format detected from the content, bounded size, UTF-8 / cp1252 / UTF-16.

A *block* is one line of text (a heading, a paragraph, a list item) or one table row, with where it came
from. The shape parsers (sections, tables) work on blocks, whatever the file format was.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..rdffiles import InputError

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a spreadsheet's XML may be larger than the file, not without bound
MAX_CELLS = 2_000_000


@dataclass
class Block:
    line: int | None  # line in the file (text formats) or row number (spreadsheets)
    text: str = ""  # a line (for a row: the cells joined, for messages)
    cells: list[str] | None = None  # a table row
    heading: int = 0  # HTML heading level (1-6), 0 when not known
    item: bool = False  # a list item (HTML <li>, a Word list paragraph)
    sheet: str | None = None  # spreadsheet name
    page: int | None = None  # PDF page (line is then the line on that page)
    unit: str = "line"  # what `line` counts: line (text, PDF), row (spreadsheets), paragraph (Word)

    @property
    def is_row(self) -> bool:
        return self.cells is not None

    def where(self, lang: str = "fi") -> str:
        if self.line is None:
            return ""
        word = {("fi", "paragraph"): "kappale", ("en", "paragraph"): "paragraph"}.get((lang, self.unit),
                                                                                    {"fi": "rivi", "en": "line"}[lang])
        if self.page is not None:
            return f"{'sivu' if lang == 'fi' else 'page'} {self.page} ({word} {self.line})"
        if self.sheet:
            return f"{'taulukko' if lang == 'fi' else 'sheet'} {self.sheet}, {word} {self.line}"
        return f"{word} {self.line}"


@dataclass
class Document:
    path: Path
    format: str  # text, tsv, csv, markdown, html, xlsx, ods, docx, pdf
    encoding: str | None
    blocks: list[Block]
    data: bytes = b""
    warnings: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, fi, en)


def read_document(path) -> Document:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputError(path, f"is larger than {MAX_IMPORT_BYTES // 2**20} MB ({size // 2**20} MB); split it or save only the description")
        with path.open("rb") as f:
            data = f.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a file") from None
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise InputError(path, f"is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    if not data.strip():
        raise InputError(path, "is empty")

    if data.startswith(b"PK\x03\x04"):
        return _read_zip(path, data)
    if data.startswith(b"%PDF"):
        from .documents import read_pdf

        return read_pdf(path, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(path, "is an old Office file (.xls/.doc); save it as XLSX, CSV, HTML or text")
    if data.startswith(b"{\\rtf"):
        raise InputError(path, "is RTF; save it as text or HTML")

    text, encoding = decode(path, data)
    stripped = text.lstrip()
    if _looks_like_html(stripped):
        from .html import html_blocks

        blocks, warnings = html_blocks(text)
        doc = Document(path, "html", encoding, blocks, data)
        doc.warnings += warnings
        return doc
    if stripped.startswith(("<?xml", "<rdf:", "<")) and re.match(r"<[?!A-Za-z]", stripped):
        raise InputError(path, "is XML but not HTML; supported formats: text, HTML, CSV, TSV, XLSX, ODS, DOCX, PDF")
    if stripped.startswith(("{", "[")) and stripped.rstrip().endswith(("}", "]")):
        raise InputError(path, "looks like JSON; supported formats: text, HTML, CSV, TSV, XLSX, ODS, DOCX, PDF")
    return _text_document(path, text, encoding, data)


def decode(path, data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252; binary is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data)]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data)]
    else:
        candidates = [("utf-8", data), ("cp1252", data)]
    for enc, raw in candidates:
        if enc != "utf-16" and b"\x00" in raw:
            break  # NUL bytes: UTF-16 without a BOM or binary
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError as e:
            if enc == "utf-16":
                raise InputError(path, f"is marked UTF-16 but cannot be decoded at byte {e.start}") from None
            continue
        _refuse_binary(path, text)
        return text.replace("\r\n", "\n").replace("\r", "\n"), enc
    raise InputError(path, "is binary or in an unknown encoding (readable: UTF-8, cp1252, UTF-16 with BOM; "
                           "formats: text, HTML, CSV, TSV, XLSX, ODS, DOCX, PDF)")


def _refuse_binary(path, text: str):
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f\v") or 0x7f <= ord(c) < 0xa0 or c == "\ufffd")
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise InputError(path, "looks like binary data, not text (readable: UTF-8, cp1252, UTF-16 with BOM; "
                               "formats: text, HTML, CSV, TSV, XLSX, ODS, DOCX, PDF)")


_HTML = re.compile(r"<(!doctype\s+html|html|body|table|p|h[1-6]|ul|ol|li|div|tr|td|th)\b", re.I)


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head[:1000]:
        return True
    return text.startswith("<") and len(_HTML.findall(text[:200_000])) >= 2


# --- text: plain lines, tab-separated rows, CSV, markdown tables -----------------------------------------

_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def _text_document(path, text: str, encoding: str, data: bytes) -> Document:
    from .tables import is_header

    lines = text.split("\n")
    if any("\t" in ln for ln in lines):
        blocks = []
        for n, ln in enumerate(lines, 1):
            if not ln.strip():
                continue
            if "\t" in ln:
                blocks.append(Block(n, ln.strip(), cells=[c.strip() for c in ln.split("\t")]))
            else:
                blocks.append(Block(n, ln.strip()))
        if any(b.is_row and is_header(b.cells) for b in blocks):
            return Document(path, "tsv", encoding, blocks, data)
    piped = [ln for ln in lines if ln.strip().startswith("|") and ln.count("|") >= 3]
    if piped:
        blocks = []
        for n, ln in enumerate(lines, 1):
            s = ln.strip()
            if not s:
                continue
            if s.startswith("|") and s.count("|") >= 3:
                if _MD_RULE.match(s):
                    continue
                blocks.append(Block(n, s, cells=[c.strip() for c in s.strip("|").split("|")]))
            else:
                blocks.append(Block(n, s))
        if any(b.is_row and is_header(b.cells) for b in blocks):
            return Document(path, "markdown", encoding, blocks, data)
    csv_blocks = _csv_blocks(text)
    if csv_blocks is not None:
        return Document(path, "csv", encoding, csv_blocks, data)
    blocks = [Block(n, ln.strip()) for n, ln in enumerate(lines, 1) if ln.strip()]
    return Document(path, "text", encoding, blocks, data)


def _csv_blocks(text: str) -> list[Block] | None:
    from .tables import is_header

    sample = "\n".join(text.split("\n")[:50])
    delimiters = [d for d in (";", ",") if d in sample]
    for delim in delimiters:
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delim)
            rows, start = [], 1
            for cells in reader:
                rows.append((start, cells))
                start = reader.line_num + 1
        except csv.Error:
            continue
        headers = [cells for _, cells in rows[:200] if _short_cells(cells) and is_header([c.strip() for c in cells])]
        if not headers:
            continue
        # delimited data, not prose with commas: most multi-field rows have the header's number of fields
        width = len(headers[0])
        multi = [cells for _, cells in rows if len([c for c in cells if c.strip()]) >= 2]
        if sum(1 for cells in multi if len(cells) == width) * 2 < len(multi):
            continue
        blocks = []
        for line, cells in rows:
            cells = [c.strip() for c in cells]
            filled = [c for c in cells if c]
            if not filled:
                continue
            if len(filled) == 1 and cells[0]:
                blocks.append(Block(line, cells[0]))
            else:
                blocks.append(Block(line, " | ".join(cells), cells=cells))
        return blocks
    return None


def _short_cells(cells: list[str]) -> bool:
    """A header row's cells are column names: short, and no sentence."""
    return all(len(c.strip()) <= 60 and len(c.split()) <= 5 and not c.strip().endswith((".", "!", "?")) for c in cells)


# --- spreadsheets ---------------------------------------------------------------------------------------

def _read_zip(path, data: bytes) -> Document:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
        if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED_BYTES:
            raise InputError(path, f"unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB; refused")
    except InputError:
        raise
    except Exception as e:  # a damaged directory raises BadZipFile, NotImplementedError (a version from the future), ...
        raise InputError(path, f"is a damaged ZIP/Office file ({e}); save it again from the spreadsheet program") from None
    if "xl/workbook.xml" in names:
        return Document(path, "xlsx", None, _xlsx_blocks(path, data), data)
    mimetype = _member(path, z, "mimetype")[:100] if "mimetype" in names else b""
    if "content.xml" in names and b"opendocument.spreadsheet" in mimetype:
        return Document(path, "ods", None, _ods_blocks(path, z), data)
    if "word/document.xml" in names:
        from .documents import read_docx

        return read_docx(path, data)
    raise InputError(path, "is a ZIP archive but not a spreadsheet or a Word document (XLSX, ODS, DOCX)")


def _member(path, z: zipfile.ZipFile, name: str) -> bytes:
    try:
        return z.read(name)
    except Exception as e:  # zipfile raises many kinds on a damaged member: BadZipFile, zlib.error, ValueError, ...
        raise InputError(path, f"is a damaged ZIP/Office file: its part {name} cannot be unpacked ({e}); "
                               "save it again from the spreadsheet program") from None


def _cell_text(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\r\n", "\n").strip()


def _row_block(cells: list[str], line: int, sheet: str | None) -> Block | None:
    while cells and not cells[-1]:
        cells.pop()
    filled = [c for c in cells if c]
    if not filled:
        return None
    if len(filled) == 1 and cells[0]:
        return Block(line, cells[0], sheet=sheet)
    return Block(line, " | ".join(cells), cells=cells, sheet=sheet)


def _xlsx_blocks(path, data: bytes) -> list[Block]:
    try:
        import openpyxl
    except ImportError:
        raise InputError(path, "is an XLSX workbook; reading it needs the Python package openpyxl (pip install openpyxl)") from None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on damaged files
        raise InputError(path, f"is a damaged XLSX workbook ({type(e).__name__})") from None
    blocks, count = [], 0
    many = len(wb.worksheets) > 1
    try:
        for ws in wb.worksheets:
            for n, row in enumerate(ws.iter_rows(values_only=True), 1):
                count += len(row)
                if count > MAX_CELLS:
                    raise InputError(path, f"has more than {MAX_CELLS} cells; refused")
                b = _row_block([_cell_text(v) for v in row], n, ws.title if many else None)
                if b:
                    blocks.append(b)
    except InputError:
        raise
    except Exception as e:
        raise InputError(path, f"is a damaged XLSX workbook ({type(e).__name__})") from None
    finally:
        wb.close()
    return blocks


_ODS_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_X = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _ods_blocks(path, z: zipfile.ZipFile) -> list[Block]:
    """ODS without a dependency: table:table-row / table:table-cell / text:p in content.xml."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(_member(path, z, "content.xml"))
    except ET.ParseError as e:
        raise InputError(path, f"is a damaged ODS file (content.xml: {e})") from None
    tables = root.iter(f"{{{_ODS_T}}}table")
    blocks, count = [], 0
    tables = list(tables)
    for table in tables:
        name = table.get(f"{{{_ODS_T}}}name") if len(tables) > 1 else None
        n = 0
        for row in table.iter(f"{{{_ODS_T}}}table-row"):
            rep_rows = min(int(row.get(f"{{{_ODS_T}}}number-rows-repeated", "1") or 1), 1000)
            cells = []
            for cell in row:
                if cell.tag not in (f"{{{_ODS_T}}}table-cell", f"{{{_ODS_T}}}covered-table-cell"):
                    continue
                text = "\n".join("".join(p.itertext()).strip() for p in cell.iter(f"{{{_ODS_X}}}p")).strip()
                rep = int(cell.get(f"{{{_ODS_T}}}number-columns-repeated", "1") or 1)
                cells += [text] * min(rep, 64)
            count += len(cells) * rep_rows
            if count > MAX_CELLS:
                raise InputError(path, f"has more than {MAX_CELLS} cells; refused")
            if not any(cells):
                n += rep_rows
                continue
            for _ in range(rep_rows):
                n += 1
                b = _row_block(list(cells), n, name)
                if b:
                    blocks.append(b)
    return blocks
