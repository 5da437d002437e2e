"""Spreadsheets in and out: text cells neutralised against formula injection in every CSV and XLSX the portal
writes, and the bounds an uploaded .xlsx or CSV must keep before and while it is parsed (decompression bombs).

Writing: ``spreadsheet_text`` is the one rule (OWASP "CSV injection"): a text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading single quote, so that neither Excel nor LibreOffice reads it as a
formula; numbers (int, Decimal, float) and dates pass untouched, and so does a text that is only a signed number
(``+26658123456``, ``-12.5``), which a spreadsheet reads as a number, never as a formula. It is writer-agnostic:
csv.writer, openpyxl and XlsxWriter all take its result. With openpyxl, ``xlsx_value`` also forces the string type
(openpyxl would type ``#N/A`` as an error); with XlsxWriter, write text with ``write_string``.

Reading: ``xlsx_rows`` checks the zip's central directory (members, each member's and the total uncompressed
size, the compression ratio) before openpyxl unpacks anything, then the sheet's declared dimension, and streams
the rows in read-only mode with a column cap and a cell-length cap; ``csv_rows`` bounds lines and their length.
Python's zipfile never inflates a member past its declared size (a lying header fails its CRC), so the declared
sizes are the real bound. Every refusal quotes at most ``QUOTE_CHARS`` characters of the value at fault."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE_CHARS = 40
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_XLSX_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def spreadsheet_text(value):
    """``value`` safe to put in a spreadsheet cell: a text that a spreadsheet would run as a formula gets a
    leading ``'``; anything that is not a text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cells(row):
    """A database row as CSV fields: None as an empty field, text neutralised (spreadsheet_text)."""
    return ["" if value is None else spreadsheet_text(value) for value in row]


def xlsx_value(value):
    """``value`` for openpyxl (``sheet.append``, normal or write-only): text neutralised and written as a string
    whatever it looks like; a cell object only where openpyxl would guess another type (``#N/A`` as an error),
    so that big exports stay cheap. (A neutralised text never starts with ``=``, openpyxl's formula sign.)"""
    value = spreadsheet_text(value)
    if isinstance(value, str) and value in _XLSX_ERROR_CODES:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(None, value=value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_row(values):
    return [xlsx_value(value) for value in values]


# --- Reading uploads -------------------------------------------------------------------------------------


class SpreadsheetRefused(ValueError):
    """An uploaded spreadsheet is outside the bounds below; the message says which, for people."""


class TooManyRows(SpreadsheetRefused):
    """More rows than the caller's ``max_rows`` (callers word this one in their own terms)."""


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on what an uploaded spreadsheet may expand to (settings CC_UPLOAD_*, see README "Uploads")."""

    xlsx_members: int = 100
    xlsx_member_bytes: int = 32 * 1024 * 1024
    xlsx_total_bytes: int = 64 * 1024 * 1024
    xlsx_ratio: int = 100  # uncompressed / compressed, for members over 1 MB uncompressed
    xlsx_shared_strings: int = 300_000
    xlsx_columns: int = 64
    xlsx_cells: int = 2_000_000  # as the sheet's dimension declares them
    cell_chars: int = 2_000
    csv_line_chars: int = 10_000


def upload_limits():
    return UploadLimits(
        xlsx_members=getattr(settings, "CC_UPLOAD_XLSX_MAX_MEMBERS", UploadLimits.xlsx_members),
        xlsx_member_bytes=getattr(settings, "CC_UPLOAD_XLSX_MAX_MEMBER_MB", 32) * 1024 * 1024,
        xlsx_total_bytes=getattr(settings, "CC_UPLOAD_XLSX_MAX_TOTAL_MB", 64) * 1024 * 1024,
        xlsx_ratio=getattr(settings, "CC_UPLOAD_XLSX_MAX_RATIO", UploadLimits.xlsx_ratio),
        xlsx_shared_strings=getattr(settings, "CC_UPLOAD_XLSX_MAX_SHARED_STRINGS", UploadLimits.xlsx_shared_strings),
        xlsx_columns=getattr(settings, "CC_UPLOAD_XLSX_MAX_COLUMNS", UploadLimits.xlsx_columns),
        xlsx_cells=getattr(settings, "CC_UPLOAD_XLSX_MAX_CELLS", UploadLimits.xlsx_cells),
        cell_chars=getattr(settings, "CC_UPLOAD_MAX_CELL_CHARS", UploadLimits.cell_chars),
        csv_line_chars=getattr(settings, "CC_UPLOAD_CSV_MAX_LINE_CHARS", UploadLimits.csv_line_chars),
    )


def quote(value, limit=QUOTE_CHARS):
    """A short, printable quotation of an outside value for a message: at most ``limit`` characters."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        return repr(text[:limit]) + f"… ({len(text):,} characters)"
    return repr(text)


def _megabytes(size):
    return f"{size / (1024 * 1024):,.0f} MB"


def xlsx_archive_check(source, limits=None):
    """Refuse a .xlsx whose zip directory promises too much, or with more shared strings than openpyxl should hold;
    ``source`` is bytes, a path or a binary file."""
    limits = limits or upload_limits()
    unreadable = SpreadsheetRefused("The .xlsx file cannot be read (it is not a zip archive); export it again.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    with archive:
        members = archive.infolist()
        _directory_check(members, limits)
        # openpyxl holds every shared string in memory before the first row (about 150 bytes each, however short):
        # count them in the unpacked parts, streamed, before it does (within the size bounds above this is fast).
        count = 0
        for member in members:
            try:
                with archive.open(member) as handle:
                    count += _shared_strings_in(handle, limits.xlsx_shared_strings - count)
            except Exception:  # a bad CRC, an encrypted part, an unknown compression method, a truncated stream
                raise unreadable from None
            if count > limits.xlsx_shared_strings:
                raise SpreadsheetRefused(
                    f"The workbook has more than {limits.xlsx_shared_strings:,} distinct texts; split the file."
                )


def _directory_check(members, limits):
    if len(members) > limits.xlsx_members:
        raise SpreadsheetRefused(f"The workbook has {len(members):,} parts; at most {limits.xlsx_members} are accepted.")
    total = 0
    for member in members:
        name = quote(member.filename)
        if member.file_size > limits.xlsx_member_bytes:
            raise SpreadsheetRefused(
                f"The workbook part {name} unpacks to {_megabytes(member.file_size)}; "
                f"at most {_megabytes(limits.xlsx_member_bytes)} is accepted."
            )
        if member.file_size > 1024 * 1024 and member.file_size > limits.xlsx_ratio * max(member.compress_size, 1):
            raise SpreadsheetRefused(
                f"The workbook part {name} is compressed {member.file_size // max(member.compress_size, 1):,} times; "
                "a spreadsheet is not (this looks like a decompression bomb)."
            )
        total += member.file_size
    if total > limits.xlsx_total_bytes:
        raise SpreadsheetRefused(
            f"The workbook unpacks to {_megabytes(total)}; at most {_megabytes(limits.xlsx_total_bytes)} is accepted."
        )


# The start of a shared string: <si>, <si/>, <si attr…>, <x:si> (any namespace prefix of up to 20 characters).
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?si[\s/>]")


def _shared_strings_in(handle, budget=None):
    """How many shared-string elements the binary stream holds, read 1 MB at a time (stopping once past
    ``budget``). A match holds one "<", at its start, so none crosses the last "<" of a block: the text from
    there waits for the next block."""
    count, pending = 0, b""
    while (budget is None or count <= budget) and (chunk := handle.read(1024 * 1024)):
        data = pending + chunk
        cut = data.rfind(b"<")
        if cut == -1 or len(data) - cut > 64:  # longer than any match: whatever starts there is complete
            count, pending = count + len(_SHARED_STRING.findall(data)), b""
        else:
            count, pending = count + len(_SHARED_STRING.findall(data, 0, cut)), data[cut:]
    return count + len(_SHARED_STRING.findall(pending))


def xlsx_rows(source, *, max_rows, limits=None):
    """The rows (lists of values, header first) of the first sheet of an uploaded .xlsx, after the checks above.

    Raises SpreadsheetRefused for a workbook out of bounds: more than ``max_rows`` rows, a declared dimension
    wider than the column cap or with more cells than the cell cap, a cell longer than the length cap. Anything
    openpyxl cannot read is refused with one message too (it raises many kinds of errors for a damaged file)."""
    from openpyxl import load_workbook

    limits = limits or upload_limits()
    xlsx_archive_check(source, limits)
    try:
        workbook = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes | bytearray) else source, read_only=True, data_only=True
        )
    except Exception:
        raise SpreadsheetRefused("The .xlsx workbook cannot be read; export it again.") from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetRefused("The workbook has no sheet.")
        sheet = workbook.worksheets[0]
        _dimension_check(sheet, limits)
        # An explicit column cap: read-only openpyxl pads every row to the widest column a sheet names.
        rows = []
        try:
            for number, row in enumerate(sheet.iter_rows(max_col=limits.xlsx_columns, values_only=True), start=1):
                if number > max_rows:
                    raise TooManyRows(f"The sheet has more than {max_rows:,} rows; split the file.")
                for value in row:
                    if isinstance(value, str) and len(value) > limits.cell_chars:
                        raise SpreadsheetRefused(
                            f"Row {number}: a cell holds {len(value):,} characters (at most {limits.cell_chars:,}): "
                            f"{quote(value)}."
                        )
                rows.append(list(row))
        except SpreadsheetRefused:
            raise
        except Exception:
            raise SpreadsheetRefused("The .xlsx workbook cannot be read; export it again.") from None
        return rows
    finally:
        workbook.close()


def _dimension_check(sheet, limits):
    """Refuse a sheet whose declared dimension (<dimension ref="A1:XFD20100">) is out of bounds, then forget the
    claim, so that iterating pads neither rows nor columns up to it (xlsx_rows caps the columns itself)."""
    from openpyxl.utils import get_column_letter

    columns, last_row = sheet.max_column, sheet.max_row
    sheet.reset_dimensions()
    if columns is None or last_row is None:
        return
    claimed = quote(f"{get_column_letter(sheet.min_column)}{sheet.min_row}:{get_column_letter(min(columns, 18278))}{last_row}")
    if columns > limits.xlsx_columns:
        raise SpreadsheetRefused(f"The sheet claims {columns:,} columns ({claimed}); at most {limits.xlsx_columns} are accepted.")
    if columns * last_row > limits.xlsx_cells:
        raise SpreadsheetRefused(
            f"The sheet claims {columns * last_row:,} cells ({claimed}); at most {limits.xlsx_cells:,} are accepted."
        )


def csv_rows(text, *, max_rows, limits=None, dialect=csv.excel):
    """The rows of a CSV text, refusing a line longer than the cap or more than ``max_rows`` rows."""
    limits = limits or upload_limits()

    def lines():
        for number, line in enumerate(io.StringIO(text), start=1):
            if len(line) > limits.csv_line_chars:
                raise SpreadsheetRefused(
                    f"Line {number} has {len(line):,} characters (at most {limits.csv_line_chars:,}): {quote(line)}."
                )
            yield line

    rows = []
    try:
        for row in csv.reader(lines(), dialect):
            if len(rows) >= max_rows:
                raise TooManyRows(f"The file has more than {max_rows:,} rows; split the file.")
            rows.append(row)
    except csv.Error as exc:
        raise SpreadsheetRefused(f"The CSV file cannot be read: {quote(exc, 120)}.") from None
    return rows
