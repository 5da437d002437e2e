"""Streaming XLSX: a workbook written sheet after sheet, a batch of rows at a time, straight into its zip as
SpreadsheetML with inline strings. Memory stays flat whatever the row count, and a row costs a few string
operations per cell instead of a cell object: about 15× XlsxWriter's constant_memory mode and openpyxl's
write-only mode on the same rows (bench/RESULTS.md). Text is always written as text (t="inlineStr"), never
as a formula or a number, so a value starting with "=" stays a string."""

import operator
import re
import zipfile
from datetime import datetime
from itertools import chain, repeat
from xml.sax.saxutils import escape, quoteattr

TEXT, NUMBER, DATETIME, DATE, BOOL = "text", "number", "datetime", "date", "bool"
MAX_ROWS = 1_048_576  # a sheet's limit, header included
SHEET_TITLE_MAX = 31
# Characters XML 1.0 cannot hold (control characters other than tab, newline and carriage return).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_EPOCH_DAY = _EXCEL_EPOCH.date()
_STYLE = {DATETIME: 1, DATE: 2}  # cellXfs indexes in _STYLES; 3 is the bold header
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _text(value):
    if value is None or value == "":
        return "<c/>"
    value = str(value)
    if _SPECIAL.search(value):  # most values need neither: one search instead of four replaces
        value = escape(_ILLEGAL.sub("", value))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def _number(value):
    # str() of an int or a Decimal is a valid xsd:double ("50.00" keeps the places the database gave); a float's
    # repr is the shortest text that reads back as the same double.
    return "<c/>" if value is None else f"<c><v>{value}</v></c>" if not isinstance(value, float) else f"<c><v>{value!r}</v></c>"


def _datetime(value):
    if value is None:
        return "<c/>"
    delta = (value if value.tzinfo is None else value.replace(tzinfo=None)) - _EXCEL_EPOCH
    return f'<c s="1"><v>{delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400!r}</v></c>'


def _date(value):
    if value is None:
        return "<c/>"
    if isinstance(value, datetime):
        return _datetime(value)
    return f'<c s="2"><v>{(value - _EXCEL_EPOCH_DAY).days}</v></c>'


def _bool(value):
    return "<c/>" if value is None else '<c t="b"><v>1</v></c>' if value else '<c t="b"><v>0</v></c>'


CELL = {TEXT: _text, NUMBER: _number, DATETIME: _datetime, DATE: _date, BOOL: _bool}


class XlsxStream:
    """with XlsxStream(target) as book: book.sheet(title, headers, kinds); book.write_columns(columns); ...

    ``target`` is a path or a binary file; ``kinds`` gives each column's kind (TEXT, NUMBER, DATETIME, DATE,
    BOOL); write_columns takes a batch as columns (one sequence per column, equally long)."""

    def __init__(self, target):
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles = []
        self._handle = None
        self._cells = ()
        self.rows_in_sheet = 0

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self._zip.close()

    def sheet(self, title, headers, kinds):
        """Start a sheet (closing the one before) with a bold header row."""
        self._end_sheet()
        self._titles.append(re.sub(r"[\[\]:*?/\\]", " ", title)[:SHEET_TITLE_MAX])  # characters Excel refuses
        self._handle = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        header = "".join(_text(h).replace("<c ", '<c s="3" ', 1) for h in headers)
        self._handle.write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData><row>{header}</row>'.encode()
        )
        self._cells = tuple(CELL[kind] for kind in kinds)
        self.rows_in_sheet = 1

    def write_columns(self, columns):
        out = [map(cell, column) for cell, column in zip(self._cells, columns, strict=True)]
        # The row tags ride on the first and last cells, so the whole batch is one join over its cells.
        out[0] = map("<row>".__add__, out[0])
        out[-1] = map(operator.add, out[-1], repeat("</row>"))
        self._handle.write("".join(chain.from_iterable(zip(*out, strict=True))).encode())
        self.rows_in_sheet += len(columns[0])

    def _end_sheet(self):
        if self._handle is not None:
            self._handle.write(b"</sheetData></worksheet>")
            self._handle.close()
            self._handle = None

    def close(self):
        self._end_sheet()
        sheets = range(1, len(self._titles) + 1)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in sheets
        )
        parts = {
            "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
            "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
                for n, title in zip(sheets, self._titles, strict=True)
            )
            + "</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>' for n in sheets)
            + f'<Relationship Id="rId{len(self._titles) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
            "xl/styles.xml": _STYLES,
        }
        for name, xml in parts.items():
            self._zip.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
        self._zip.close()


_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
