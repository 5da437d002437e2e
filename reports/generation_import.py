"""Reading a site generation file (CSV or XLSX: site code, date, kWh) into validated rows, with row-level errors."""

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from ccportal import bounds
from ccportal.normalize import control_characters_strip
from ccportal.spreadsheet import SpreadsheetRefused, csv_rows, quote, upload_limits, xlsx_rows
from ccportal.units import energy

HEADERS = {
    "site": {"site", "site code", "site_code", "sitecode", "code", "concession"},
    "day": {"date", "day", "reading date"},
    "kwh": {"kwh", "kwh generated", "kwh_generated", "generated kwh", "generation kwh", "energy kwh", "generated"},
    "source": {"source"},
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


@dataclass(frozen=True)
class GenerationRow:
    line: int
    site: str
    day: date
    kwh: Decimal
    source: str = ""


@dataclass
class GenerationFile:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _header_key(text):
    text = " ".join(str(text or "").replace("(", " ").replace(")", " ").split()).lower()
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def _parse_day(value):
    """The reading's day: a past day (today at most) from 2000 on, ccportal.bounds.EVENT."""
    return bounds.date_check(_day(value), label="date", within=bounds.EVENT)


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if form == "%Y-%m-%d" else text, form).date()
        except ValueError:
            continue
    raise ValueError(f"date {quote(text)} is not a date (use YYYY-MM-DD)")


def _parse_kwh(value):
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        raise ValueError("kWh is empty")
    try:
        kwh = energy(text)
    except ValueError:
        raise ValueError(f"kWh {quote(text)} is not a number") from None
    return bounds.number_check(kwh, label="kWh", within=bounds.GENERATION_KWH)


def _cell(cells, columns, key):
    index = columns.get(key)
    return cells[index] if index is not None and index < len(cells) else None


def max_rows():
    return getattr(settings, "CC_GENERATION_IMPORT_MAX_ROWS", 200_000)


def _records(path):
    """(line number, [cells]) of the file's first sheet or CSV, header first, within the upload bounds
    (ccportal.spreadsheet): a file out of bounds raises SpreadsheetRefused, a ValueError."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = xlsx_rows(path, max_rows=max_rows() + 1)
    elif suffix in (".csv", ".txt"):
        limit = upload_limits().xlsx_total_bytes
        if Path(path).stat().st_size > limit:
            raise SpreadsheetRefused(f"the file is larger than {limit // (1024 * 1024)} MB; split it")
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig", errors="replace")
        dialect = csv.excel
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            pass
        rows = csv_rows(text, max_rows=max_rows() + 1, dialect=dialect)
    else:
        raise ValueError(f"{Path(path).name}: use a .csv or .xlsx file")
    yield from enumerate(rows, start=1)


def generation_file_read(path, *, known_sites):
    """Read and validate every row; ``known_sites`` is the set of site codes. Never raises for bad rows."""
    result = GenerationFile()
    columns = None
    seen = {}
    try:
        for line, cells in _records(path):
            if columns is None:
                columns = {}
                for index, cell in enumerate(cells):
                    key = _header_key(cell)
                    if key and key not in columns:
                        columns[key] = index
                missing = [k for k in ("site", "day", "kwh") if k not in columns]
                if missing:
                    result.errors.append(
                        f"line {line}: the header must name the columns site code, date and kWh (missing: {', '.join(missing)})"
                    )
                    return result
                continue
            if not any(str(c).strip() for c in cells if c is not None):
                continue

            problems = []
            site = str(_cell(cells, columns, "site") or "").strip().upper()
            if site not in known_sites:
                problems.append(f"site {quote(site)} is not a known site code" if site else "site code is empty")
            try:
                day = _parse_day(_cell(cells, columns, "day"))
            except ValueError as exc:
                problems.append(str(exc))
                day = None
            try:
                kwh = _parse_kwh(_cell(cells, columns, "kwh"))
            except ValueError as exc:
                problems.append(str(exc))
                kwh = None
            if not problems and (site, day) in seen:
                problems.append(f"{site} {day:%Y-%m-%d} is also on line {seen[(site, day)]}")
            if problems:
                result.errors.append(f"line {line}: " + "; ".join(problems))
                continue
            seen[(site, day)] = line
            source = control_characters_strip(str(_cell(cells, columns, "source") or ""), multiline=False).strip()[:200]
            result.rows.append(GenerationRow(line=line, site=site, day=day, kwh=kwh, source=source))
    except (OSError, ValueError, KeyError, csv.Error) as exc:
        result.errors.append(f"{Path(path).name}: cannot read the file ({exc})")
    except Exception as exc:  # openpyxl raises assorted errors for a file that is not a workbook
        result.errors.append(f"{Path(path).name}: cannot read the file ({exc.__class__.__name__})")
    if columns is None and not result.errors:
        result.errors.append("the file is empty")
    return result
