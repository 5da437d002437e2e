"""Reading M-Pesa and EcoCash statement files (CSV or XLSX) into plain rows, and writing the sample of each from
the same column definitions; no database access here."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from billing.models import Provider
from ccportal import bounds
from ccportal.normalize import NormalisationError, account_number_or_none, control_characters_strip, phone_normalise
from ccportal.spreadsheet import SpreadsheetRefused, TooManyRows, csv_cells, csv_rows, quote, xlsx_row, xlsx_rows
from ccportal.units import money


@dataclass(frozen=True)
class Column:
    """A column a provider's statement must have: its header exactly as the provider writes it, what the importer
    reads in it (the import page lists both) and two example values (the sample file the page offers)."""

    name: str
    holds: str
    examples: tuple


# SPEC §6. Extra columns are allowed; the importer finds the header row among the first lines. The examples are
# made up (no site SMP, no phone starting +266 0): a sample uploaded by mistake previews as two unmatched payments.
COLUMNS = {
    Provider.MPESA: (
        Column("Receipt No", "the receipt number (each is paid once)", ("SMP0000001", "SMP0000002")),
        Column(
            "Completion Time",
            "date and time, e.g. 2025-03-01 10:15:22 or 01/03/2025 10:15",
            ("2025-03-01 10:15:22", "01/03/2025 11:00"),
        ),
        Column(
            "Details",
            "the payer's reference: the account number (0045MAK) is read from it",
            ("Customer Pay Bill Online 0001SMP", "Customer Pay Bill Online 0002SMP"),
        ),
        Column("Transaction Status", "only Completed rows are payments", ("Completed", "Completed")),
        Column("Paid in", "the amount received, LSL", ("50.00", "40.00")),
        Column("Withdrawn", "a payout (the row is ignored); may be blank", ("", "")),
        Column("Balance", "not read", ("1050.00", "1090.00")),
        Column("Reason Type", "not read", ("Pay Bill Online", "Pay Bill Online")),
        Column(
            "Other Party Info",
            "payer phone and name (a payment without an account is matched by phone)",
            ("26600000001 - SAMPLE PAYER", "26600000002 - SAMPLE PAYER"),
        ),
    ),
    Provider.ECOCASH: (
        Column(
            "Transaction Date",
            "date and time, e.g. 2025-03-02 08:05:00 or 02/03/2025 08:05",
            ("2025-03-02 08:05:00", "02/03/2025 09:00"),
        ),
        Column("Approval Code", "the approval code (each is paid once)", ("SMP250302.0805.A00001", "SMP250302.0900.A00002")),
        Column("Amount", "the amount received, LSL", ("25.00", "15.50")),
        Column("Type", "withdrawals, reversals, refunds and failures are ignored", ("Bill Payment", "Bill Payment")),
        Column("Details", "the payer's reference: the account number (0045MAK) is read from it", ("Ref 0001SMP", "Ref 0002SMP")),
        Column(
            "Sender MSISDN",
            "payer phone (a payment without an account is matched by phone)",
            ("+266 0000 0001", "+266 0000 0002"),
        ),
    ),
}
HEADERS = {provider: [column.name for column in columns] for provider, columns in COLUMNS.items()}
EXTENSIONS = (".csv", ".xlsx")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
)
# Account numbers written inside free text: 0045MAK, 45 MAK, MAK0045, MAK-45, 11235MAK.
_ACCOUNT_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])(\d{1,7}\s?-?\s?[A-Za-z]{3}|[A-Za-z]{3}\s?-?\s?\d{1,7})(?![A-Za-z0-9])")
_PHONE_IN_TEXT = re.compile(r"\+?\d[\d ]{7,14}\d")
# The first three DATE_FORMATS written with two-digit fields, which datetime.fromisoformat reads the same way.
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?|T\d{2}:\d{2}:\d{2})")
_HEADER_SEARCH_ROWS = 15  # statements may start with a few lines of title before the header


def max_bytes():
    return getattr(settings, "CC_PAYMENT_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def max_rows():
    return getattr(settings, "CC_PAYMENT_IMPORT_MAX_ROWS", 20_000)


class StatementError(Exception):
    """The file cannot be imported; ``errors`` is a list of (row number or None, message)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"row {n}: {m}" if n else m for n, m in errors))


@dataclass
class StatementRow:
    row_number: int
    receipt: str
    paid_at: datetime
    amount: Decimal
    payer_phone: str = ""
    payer_name: str = ""
    details: str = ""
    ignore_reason: str = ""  # set for withdrawals, failed transactions and the like
    account_candidates: list = field(default_factory=list)


def statement_read(*, content, filename, provider):
    """Read a statement's bytes into StatementRows. Raises StatementError naming the rows at fault; a file
    with any bad row gives no rows at all (the import is all or nothing)."""
    if provider not in HEADERS:
        raise StatementError([(None, "Choose the provider: M-Pesa or EcoCash.")])
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        raise StatementError([(None, "Upload a .csv or .xlsx statement file.")])
    limit = max_bytes()
    if len(content) > limit:
        raise StatementError([(None, f"The file is larger than {limit // (1024 * 1024)} MB; split the statement.")])
    if not content:
        raise StatementError([(None, "The file is empty.")])
    records = _xlsx_records(content) if name.endswith(".xlsx") else _csv_records(content)
    header_index, columns = _find_header(records, HEADERS[provider])
    rows, errors = [], []
    for offset, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        if all(_text(v) == "" for v in record):
            continue
        values = {name: (record[i] if i < len(record) else None) for name, i in columns.items()}
        try:
            rows.append((_mpesa_row if provider == Provider.MPESA else _ecocash_row)(offset, values))
        except ValueError as exc:
            errors.append((offset, str(exc)))
        if len(rows) > max_rows():
            raise StatementError([(None, f"More than {max_rows():,} rows; split the statement.")])
    if errors:
        raise StatementError(errors)
    if not rows:
        raise StatementError([(None, "The statement has a header but no transactions.")])
    # A receipt listed twice (a re-export) is not an error: the import classifies the second as a duplicate.
    return rows


def _records_cap():
    return max_rows() + _HEADER_SEARCH_ROWS + 1


def _refused(exc):
    if isinstance(exc, TooManyRows):
        return StatementError([(None, f"More than {max_rows():,} rows; split the statement.")])
    return StatementError([(None, str(exc))])


def _csv_records(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # older exports; a stray byte must not crash the page
    if "\x00" in text:
        raise StatementError([(None, "This is not a CSV text file; upload the statement as .csv or .xlsx.")])
    try:
        return csv_rows(text, max_rows=_records_cap())
    except SpreadsheetRefused as exc:
        raise _refused(exc) from None


def _xlsx_records(content):
    try:
        return xlsx_rows(content, max_rows=_records_cap())
    except SpreadsheetRefused as exc:
        raise _refused(exc) from None


def _find_header(records, expected):
    for index, record in enumerate(records[:_HEADER_SEARCH_ROWS]):
        names = [_text(v).lower() for v in record]
        if sum(1 for e in expected if e.lower() in names) >= 2:
            missing = [e for e in expected if e.lower() not in names]
            if missing:
                raise StatementError(
                    [(index + 1, "missing columns: " + ", ".join(missing) + f". Expected: {', '.join(expected)}.")]
                )
            return index, {e: names.index(e.lower()) for e in expected}
    raise StatementError([(None, "No header row found. The statement needs the columns: " + ", ".join(expected) + ".")])


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return control_characters_strip(str(value), multiline=False).strip()


def _amount(value, column, *, blank_ok=False):
    text = _text(value).replace(",", "").replace("M", "").replace("LSL", "").strip()
    if text == "" and blank_ok:
        return None
    try:
        amount = money(text)
    except ValueError:
        raise ValueError(f"{column} {quote(_text(value))} is not an amount") from None
    bounds.number_check(amount, label=column, within=bounds.MONEY_SIGNED)
    return amount


def _when(value, column):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _text(value)
        moment = _iso_moment(text)
        for fmt in DATE_FORMATS if moment is None else ():
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(f"{column} {quote(text)} is not a date and time (e.g. 2025-03-01 10:15:00)")
    bounds.moment_check(moment, label=column, within=bounds.EVENT)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _iso_moment(text):
    """The providers' usual form read without strptime's cost per row; None for any other text."""
    if not _ISO_MOMENT.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # e.g. month 13: the formats below say it in the row's error
        return None


def receipt_read(value, column):
    text = _text(value).upper()
    if not text or len(text) > 40 or not re.fullmatch(r"[A-Z0-9./_-]+", text):
        raise ValueError(f"{column} {quote(_text(value))} is not a receipt number")
    return text


def phone_in_text(text):
    """The first phone number in ``text`` in international form, or "" (payer phones are best-effort)."""
    for match in _PHONE_IN_TEXT.finditer(text or ""):
        try:
            return phone_normalise(match.group(0))
        except NormalisationError:
            continue
    return ""


def account_candidates(*texts):
    """Every distinct account number written in the texts, normalised, in order of appearance."""
    found = []
    for text in texts:
        for match in _ACCOUNT_IN_TEXT.finditer(text or ""):
            number = account_number_or_none(match.group(0))
            if number and number not in found:
                found.append(number)
    return found


def _mpesa_row(number, v):
    receipt = receipt_read(v["Receipt No"], "Receipt No")
    paid_at = _when(v["Completion Time"], "Completion Time")
    paid_in = _amount(v["Paid in"], "Paid in", blank_ok=True)
    withdrawn = _amount(v["Withdrawn"], "Withdrawn", blank_ok=True)
    status = _text(v["Transaction Status"])
    details = _text(v["Details"])[:255]
    other = _text(v["Other Party Info"])
    name = other.split("-", 1)[1].strip() if "-" in other else ""
    ignore = ""
    if status.lower() != "completed":
        ignore = f"status {status or 'blank'}"
    elif not paid_in or paid_in <= 0:
        ignore = "withdrawal" if withdrawn else "no amount paid in"
    return StatementRow(
        row_number=number,
        receipt=receipt,
        paid_at=paid_at,
        amount=paid_in if paid_in and paid_in > 0 else (-abs(withdrawn) if withdrawn else money(0)),
        payer_phone=phone_in_text(other),
        payer_name=name[:150],
        details=details,
        ignore_reason=ignore,
        account_candidates=account_candidates(details),
    )


_ECOCASH_IGNORED_TYPES = ("withdraw", "reversal", "refund", "fail", "cash out", "transfer out")


def _ecocash_row(number, v):
    receipt = receipt_read(v["Approval Code"], "Approval Code")
    paid_at = _when(v["Transaction Date"], "Transaction Date")
    amount = _amount(v["Amount"], "Amount")
    kind = _text(v["Type"])
    details = _text(v["Details"])[:255]
    ignore = ""
    if any(word in kind.lower() for word in _ECOCASH_IGNORED_TYPES):
        ignore = kind.lower()
    elif amount <= 0:
        ignore = "no amount paid in"
    return StatementRow(
        row_number=number,
        receipt=receipt,
        paid_at=paid_at,
        amount=amount,
        payer_phone=phone_in_text(_text(v["Sender MSISDN"])),
        details=details,
        ignore_reason=ignore,
        account_candidates=account_candidates(details),
    )


def statement_sample(*, provider, file_format):
    """A sample statement (bytes) for ``provider`` as .csv or .xlsx: the header of COLUMNS and its two example
    rows, which statement_read accepts."""
    columns = COLUMNS[provider]
    rows = [[column.name for column in columns]] + [[column.examples[i] for column in columns] for i in range(2)]
    if file_format == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(csv_cells(row) for row in rows)
        return out.getvalue().encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(Provider(provider).label)
    for row in rows:
        sheet.append(xlsx_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
