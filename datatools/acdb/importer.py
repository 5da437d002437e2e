"""The ACDB import: read a legacy ACDB through datatools.acdb.reader and upsert it into the portal's tables.

One transaction for the whole import (all or nothing); rows are compared with what the portal holds, so a
second run of the same source changes nothing. Every row read is accounted for in the report: new,
updated, unchanged, merged (folded into another source row) or rejected with its reason."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.core.management.color import no_style
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from billing.models import AccountHistory, Config
from ccportal import bounds, units
from ccportal.history import history_baseline, history_bulk_create
from ccportal.normalize import NormalisationError, account_number_normalise, phone_normalise
from ccportal.rollup import rollups_rebuild
from customers.models import AccountNumber, Customer, Meter, MeterReading
from datatools.acdb import reader

# The order matters: customers before the meters and accounts that point at them.
REPORT_TABLES = ("tblcustomer", "tblmeter", "tblaccountnumbers", "tblaccounthistory1", "tblconfig", "tblmeterdata1")
CHUNK = 500  # rows compared and written per round trip (also bounds every IN list)
MAX_ERRORS_KEPT = 500
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
)


class NotAnAcdb(reader.AcdbSourceError):
    """The source opens but is not an ACDB (it has no tblcustomer table)."""


class RowRejected(ValueError):
    """A source row that cannot be imported; the message is the reason shown in the report."""


@dataclass
class TableCounts:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0

    def as_dict(self):
        return {
            "read": self.read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged": self.merged,
            "rejected": self.rejected,
        }


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    tables: dict = field(default_factory=lambda: {name: TableCounts() for name in REPORT_TABLES})
    errors: list = field(default_factory=list)
    error_count: int = 0

    def note(self, table, row, reason, level="rejected"):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"table": table, "row": str(row), "reason": str(reason), "level": level})

    def reject(self, table, row, reason):
        self.tables[table].rejected += 1
        self.note(table, row, reason)

    def counts(self):
        return {name: counts.as_dict() for name, counts in self.tables.items()}

    @property
    def changed(self):
        return sum(c.new + c.updated for c in self.tables.values())


# --- value coercion (the MDBTools driver returns some numbers and dates as text) ---------------------


def _text(row, column, max_length, *, required=False):
    value = reader.as_text(row.get(column))
    if value.endswith(".0") and value[:-2].isdigit() and isinstance(row.get(column), float):
        value = value[:-2]
    if required and not value:
        raise RowRejected(f"{column} is empty")
    if len(value) > max_length:
        raise RowRejected(f"{column} is longer than {max_length} characters")
    return value


def _phone(row, column):
    try:
        return phone_normalise(row.get(column))
    except NormalisationError as exc:
        raise RowRejected(f"{column}: {exc}") from None


def _account(row, column, *, required=True):
    value = reader.as_text(row.get(column))
    if not value:
        if required:
            raise RowRejected(f"{column} is empty")
        return ""
    try:
        return account_number_normalise(value)
    except NormalisationError as exc:
        raise RowRejected(f"{column}: {exc}") from None


def _int(row, column, *, required=False):
    try:
        value = reader.as_int(row.get(column))
    except ValueError as exc:
        raise RowRejected(f"{column}: {exc}") from None
    if value is None and required:
        raise RowRejected(f"{column} is empty")
    return value


def _number(row, column, quantize=None, *, max_digits=14, required=False, default=None, within=None):
    try:
        value = reader.as_decimal(row.get(column))
    except ValueError as exc:
        raise RowRejected(f"{column}: {exc}") from None
    if value is None:
        if required:
            raise RowRejected(f"{column} is empty")
        return default
    if not value.is_finite():
        raise RowRejected(f"{column}: {row.get(column)!r} is not a number")
    if quantize is not None:
        try:
            value = quantize(value)
        except (ValueError, ArithmeticError):
            raise RowRejected(f"{column}: {str(row.get(column))[:40]!r} is out of range") from None
        if len(value.as_tuple().digits) > max_digits:
            raise RowRejected(f"{column}: {value} is out of range")
    if within is not None and not within.contains(value):
        raise RowRejected(f"{column}: {value} is out of range; it must be {within.describe()}")
    return value


def _float(row, column):
    value = _number(row, column)
    return None if value is None else float(value)


def _datetime(row, column, *, required=False, within=bounds.EFFECTIVE):
    value = row.get(column)
    if isinstance(value, str):
        text = value.strip()
        value = None
        for fmt in _DATETIME_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None and text:
            raise RowRejected(f"{column}: {text!r} is not a date")
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    elif value is not None and not isinstance(value, datetime):
        raise RowRejected(f"{column}: {value!r} is not a date")
    if value is None:
        if required:
            raise RowRejected(f"{column} is empty")
        return None
    try:
        bounds.moment_check(value, label=column, within=within)
    except bounds.BoundsError as exc:
        raise RowRejected(str(exc)) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _date(row, column):
    value = _datetime(row, column)
    return None if value is None else timezone.localtime(value, timezone.get_default_timezone()).date()


def _bool(row, column):
    value = row.get(column)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return value != 0  # Access stores True as -1
    text = str(value).strip().lower()
    if text in ("1", "-1", "true", "yes", "y", "t", "on"):
        return True
    if text in ("0", "false", "no", "n", "f", "off"):
        return False
    raise RowRejected(f"{column}: {value!r} is not yes/no")


# --- building portal rows from source rows ----------------------------------------------------------


class _Row(dict):
    """A source row whose columns are found whatever their case (Access does not care; neither do we)."""

    def get(self, column, default=None):
        return super().get(column.lower(), default)


def _lower_keys(row):
    return _Row((str(k).strip().lower(), v) for k, v in row.items())


def _customer_from(row):
    return Customer(
        customer_id=_int(row, "CUSTOMER ID", required=True),
        first_name=_text(row, "FIRST NAME", 100),
        middle_name=_text(row, "MIDDLE NAME", 100),
        last_name=_text(row, "LAST NAME", 100),
        phone=_phone(row, "PHONE"),
        cell_phone_1=_phone(row, "CELL PHONE 1"),
        cell_phone_2=_phone(row, "CELL PHONE 2"),
        email=_text(row, "EMAIL", 254),
        plot_number=_text(row, "PLOT NUMBER", 50),
        street_address=_text(row, "STREET ADDRESS", 200),
        city=_text(row, "CITY", 100),
        district=_text(row, "DISTRICT", 80),
        site_code=_text(row, "Concession name", 50).upper(),
        date_service_connected=_date(row, "DATE SERVICE CONNECTED"),
        date_service_terminated=_date(row, "DATE SERVICE TERMINATED"),
        national_id=_text(row, "ID NUMBER", 50),
        customer_type=_text(row, "CUSTOMER POSITION", 20).upper(),
        gps_x=_float(row, "GPS X"),
        gps_y=_float(row, "GPS Y"),
        gender=_text(row, "GENDER", 10),
        country=_text(row, "COUNTRY", 40),
        record_create_date=_datetime(row, "RECORD CREATE DATE"),
        record_created_by=_text(row, "RECORD CREATED BY", 100),
    )


def _meter_from(row):
    return Meter(
        meterid=_text(row, "meterid", 50, required=True),
        customer_id=_int(row, "customer id"),
        accountnumber=_account(row, "accountnumber", required=False),
        customer_type=_text(row, "customer type", 20).upper(),
        latitude=_float(row, "latitude"),
        longitude=_float(row, "longitude"),
        community=_text(row, "community", 50).upper(),
        village_name=_text(row, "Village name", 100),
        current_status=_text(row, "current status", 30),
        customer_connect_date=_date(row, "customer connect date"),
        record_create_date=_datetime(row, "RECORD CREATE DATE"),
        record_created_by=_text(row, "RECORD CREATED BY", 100),
    )


def _account_from(row):
    return AccountNumber(
        accountnumber=_account(row, "accountnumber"),
        customer_id=_int(row, "customerid", required=True),
        meter_id=_text(row, "meterid", 50) or None,
        community=_text(row, "community", 50).upper(),
        opened_date=_datetime(row, "opened date"),
        created_by=_text(row, "created by", 100),
    )


def _ledger_from(row):
    return AccountHistory(
        id=_int(row, "ID", required=True),
        accountnumber=_account(row, "accountnumber"),
        meterid=_text(row, "meterid", 50),
        transaction_date=_datetime(row, "transaction date", required=True, within=bounds.EVENT),
        transaction_amount=_number(row, "transaction amount", units.money, default=units.money(0), within=bounds.MONEY_SIGNED),
        rate_used=_number(row, "rate used", units.rate, max_digits=10, within=bounds.RATE_OR_ZERO),
        kwh_value=_number(row, "kwh value", units.energy, default=units.energy(0), within=bounds.KWH_SIGNED),
        payment=_bool(row, "payment"),
        current_balance=_number(row, "current balance", units.energy),
    )


def _ledger_key(obj):
    """What makes two ledger rows the same transaction, whatever their IDs (for tblaccounthistoryOriginal)."""
    return (obj.accountnumber, obj.transaction_date, obj.transaction_amount, obj.kwh_value, obj.payment)


def _reading_from(row):
    return MeterReading(
        meterid=_text(row, "meterid", 50, required=True),
        whdatetime=_datetime(row, "whdatetime", required=True, within=bounds.EVENT),
        power_kw=_number(row, "powerkW", lambda v: v.quantize(Decimal("0.0001")), max_digits=12, required=True),
        community=_text(row, "community", 50).upper(),
    )


# --- the upsert engine ------------------------------------------------------------------------------


def _chunks(iterable, size=CHUNK):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _compared_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


class _Importer:
    def __init__(self, connection, tables, *, by, reason, report, progress):
        self.source = connection
        self.tables = tables  # lower-case name -> the source's own spelling
        self.by = by
        self.reason = reason
        self.report = report
        self.progress = progress or (lambda table, rows: None)

    def rows(self, table):
        """(row reference, lower-cased row) for every row of a source table; nothing if the table is absent."""
        name = self.tables.get(table.lower())
        if name is None:
            return
        for number, row in enumerate(reader.read_rows(self.source, name), start=1):
            yield f"{name} row {number}", _lower_keys(row)

    def built(self, table, rows, build, *, seen=None):
        """Yield (reference, portal object) for valid rows, rejecting the others and source duplicates."""
        counts = self.report.tables[table]
        for ref, row in rows:
            counts.read += 1
            try:
                obj = build(row)
            except RowRejected as exc:
                self.report.reject(table, ref, exc)
                continue
            if seen is not None:
                if obj.pk in seen:
                    self.report.reject(table, ref, f"duplicate key {obj.pk!r} (an earlier row has it)")
                    continue
                seen.add(obj.pk)
            yield ref, obj
            if counts.read % CHUNK == 0:
                self.progress(table, counts.read)

    def upsert(self, table, model, objects, *, history=True, check=None):
        """Insert new rows, update changed ones (with history), count unchanged ones; by primary key."""
        counts = self.report.tables[table]
        fields = _compared_fields(model)
        names = [f.name for f in fields]
        for chunk in _chunks(objects):
            if check is not None:
                chunk = check(chunk)
            # Tuples, not model instances: comparing is most of an unchanged re-run's work.
            attnames = [f.attname for f in fields]
            existing = {
                row[0]: row[1:]
                for row in model._default_manager.filter(pk__in=[obj.pk for _, obj in chunk]).values_list(
                    model._meta.pk.attname, *attnames
                )
            }
            new, changed = [], []
            for _, obj in chunk:
                old = existing.get(obj.pk)
                if old is None:
                    new.append(obj)
                elif old != tuple(getattr(obj, a) for a in attnames):
                    changed.append(obj)
                else:
                    counts.unchanged += 1
            if new:
                if history:
                    history_bulk_create(model, new, by=self.by, reason=self.reason)
                else:
                    model._default_manager.bulk_create(new)
            if changed:
                if history:
                    # Rows written before there was history (seed, restore) get a baseline of what this replaces.
                    history_baseline(model._default_manager.filter(pk__in=[obj.pk for obj in changed]))
                    bulk_update_with_history(changed, model, names, default_user=self.by, default_change_reason=self.reason)
                else:
                    model._default_manager.bulk_update(changed, names)
            counts.new += len(new)
            counts.updated += len(changed)
        self.progress(table, counts.read)

    # --- per table ---

    def customers(self):
        rows = self.built("tblcustomer", self.rows("tblcustomer"), _customer_from, seen=set())
        self.upsert("tblcustomer", Customer, rows)

    def meters(self):
        """`Copy Of tblmeter` (the real registry) merged with `tblmeter`: a meter in both keeps the Copy's
        values, with its empty fields filled from tblmeter."""
        merged = {}
        refs = {}
        for table in ("Copy Of tblmeter", "tblmeter"):
            for ref, obj in self.built("tblmeter", self.rows(table), _meter_from, seen=set()):
                earlier = merged.get(obj.pk)
                if earlier is None:
                    merged[obj.pk] = obj
                    refs[obj.pk] = ref
                    continue
                for f in _compared_fields(Meter):
                    if getattr(earlier, f.attname) in (None, "") and getattr(obj, f.attname) not in (None, ""):
                        setattr(earlier, f.attname, getattr(obj, f.attname))
                self.report.tables["tblmeter"].merged += 1
        self.upsert("tblmeter", Meter, [(refs[k], obj) for k, obj in merged.items()], check=self.meter_customers)

    def meter_customers(self, chunk):
        wanted = {obj.customer_id for _, obj in chunk if obj.customer_id is not None}
        known = set(Customer.objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
        for ref, obj in chunk:
            if obj.customer_id is not None and obj.customer_id not in known:
                self.report.note(
                    "tblmeter", ref, f"customer {obj.customer_id} not found: meter kept without a customer", "warning"
                )
                obj.customer_id = None
        return chunk

    def accounts(self):
        rows = self.built("tblaccountnumbers", self.rows("tblaccountnumbers"), _account_from, seen=set())
        self.upsert("tblaccountnumbers", AccountNumber, rows, check=self.account_links)

    def account_links(self, chunk):
        customers = {obj.customer_id for _, obj in chunk}
        meters = {obj.meter_id for _, obj in chunk if obj.meter_id}
        known_customers = set(Customer.objects.filter(pk__in=customers).values_list("pk", flat=True))
        known_meters = set(Meter.objects.filter(pk__in=meters).values_list("pk", flat=True)) if meters else set()
        kept = []
        for ref, obj in chunk:
            if obj.customer_id not in known_customers:
                self.report.reject("tblaccountnumbers", ref, f"customerid {obj.customer_id} is not a customer")
                continue
            if obj.meter_id and obj.meter_id not in known_meters:
                self.report.note(
                    "tblaccountnumbers", ref, f"meter {obj.meter_id} not found: account kept without a meter", "warning"
                )
                obj.meter_id = None
            kept.append((ref, obj))
        return kept

    def ledger(self):
        """tblaccounthistory1, then the rows of tblaccounthistoryOriginal it lacks (same account, date, amount,
        kWh and kind). Legacy rows naming accounts without a tblaccountnumbers row are kept."""
        ids, keys = set(), set()

        def remember(rows):
            for ref, obj in rows:
                keys.add(_ledger_key(obj))
                yield ref, obj

        rows = self.built("tblaccounthistory1", self.rows("tblaccounthistory1"), _ledger_from, seen=ids)
        self.upsert("tblaccounthistory1", AccountHistory, remember(rows))

        clashing = []

        def lacking(rows):
            for ref, obj in rows:
                if _ledger_key(obj) in keys:
                    self.report.tables["tblaccounthistory1"].merged += 1
                elif obj.pk in ids:
                    clashing.append((ref, obj))  # same ID as a different tblaccounthistory1 row
                else:
                    ids.add(obj.pk)
                    keys.add(_ledger_key(obj))
                    yield ref, obj

        original = self.built("tblaccounthistory1", self.rows("tblaccounthistoryOriginal"), _ledger_from)
        self.upsert("tblaccounthistory1", AccountHistory, lacking(original))
        counts = self.report.tables["tblaccounthistory1"]
        for _ref, obj in clashing:
            # Idempotent without its ID: look the transaction up by what it is.
            account, when, amount, kwh, payment = _ledger_key(obj)
            found = AccountHistory.objects.filter(
                accountnumber=account, transaction_date=when, transaction_amount=amount, kwh_value=kwh, payment=payment
            ).exists()
            if found:
                counts.unchanged += 1
            else:
                obj.id = None
                obj._history_user = self.by
                obj._change_reason = self.reason
                obj.save(force_insert=True)
                counts.new += 1

    def config(self):
        def build(row):
            rate = _number(row, "therate", units.rate, max_digits=10, required=True)
            if rate <= 0:
                raise RowRejected(f"therate {rate} is not a positive rate")
            return Config(id=_int(row, "id"), therate=rate)

        def numbered(rows):
            for number, (ref, obj) in enumerate(rows, start=1):
                obj.id = obj.id or number  # ACDB's tblconfig may have no ID column: its rows in order
                yield ref, obj

        self.upsert("tblconfig", Config, numbered(self.built("tblconfig", self.rows("tblconfig"), build)))

    def readings(self):
        """Machine data keyed by (meterid, whdatetime); no history (nobody edits readings)."""
        counts = self.report.tables["tblmeterdata1"]
        rows = self.built("tblmeterdata1", self.rows("tblmeterdata1"), _reading_from)
        for chunk in _chunks(rows):
            batch = {}
            for ref, obj in chunk:
                key = (obj.meterid, obj.whdatetime)
                if key in batch:
                    self.report.reject("tblmeterdata1", ref, f"duplicate reading for {obj.meterid} at {obj.whdatetime}")
                    continue
                batch[key] = obj
            existing = {
                (meterid, when): (pk, power, community)
                for pk, meterid, when, power, community in MeterReading.objects.filter(
                    meterid__in={k[0] for k in batch}, whdatetime__in={k[1] for k in batch}
                ).values_list("id", "meterid", "whdatetime", "power_kw", "community")
            }
            new, changed = [], []
            for key, obj in batch.items():
                old = existing.get(key)
                if old is None:
                    new.append(obj)
                elif old[1:] != (obj.power_kw, obj.community):
                    obj.id = old[0]
                    changed.append(obj)
                else:
                    counts.unchanged += 1
            MeterReading.objects.bulk_create(new)
            MeterReading.objects.bulk_update(changed, ["power_kw", "community"])
            counts.new += len(new)
            counts.updated += len(changed)
        self.progress("tblmeterdata1", counts.read)

    def run(self):
        self.customers()
        self.meters()
        self.accounts()
        self.ledger()
        self.config()
        self.readings()
        rollups_rebuild()  # customers and ledger rows went in through bulk writes, past the rollups' signals
        # Explicit IDs were inserted: move the databases' ID sequences past them (no-op on SQLite).
        statements = db_connection.ops.sequence_reset_sql(no_style(), [Customer, AccountHistory, Config, MeterReading])
        with db_connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def source_tables(connection):
    """The source's tables by lower-case name; NotAnAcdb unless it has tblcustomer."""
    tables = {name.lower(): name for name in reader.list_tables(connection)}
    if "tblcustomer" not in tables:
        raise NotAnAcdb("not an ACDB: the source has no tblcustomer table")
    return tables


def acdb_import(*, source, by, reason=None, dry_run=False, progress=None, connection=None):
    """Import an ACDB (a path to .accdb/.mdb or an ODBC connection string) into the portal's tables.

    All or nothing; ``dry_run`` does the whole import and rolls it back, so its report is exact.
    ``progress(table, rows_read)`` is called as rows are read. Raises reader.AcdbSourceError (NotAnAcdb
    for a source without tblcustomer); any other error rolls everything back and propagates."""
    own_connection = connection is None
    if own_connection:
        connection = reader.open_source(source)
    try:
        tables = source_tables(connection)
        report = ImportReport(source=str(source), dry_run=dry_run)
        reason = reason or f"ACDB import from {_display_source(source)}"
        with transaction.atomic():
            _Importer(connection, tables, by=by, reason=reason, report=report, progress=progress).run()
            if dry_run:
                transaction.set_rollback(True)
        return report
    finally:
        if own_connection:
            connection.close()


def _display_source(source):
    """A source for people and logs, without any password in a connection string."""
    return re.sub(r"(?i)(pwd|password)=[^;]*", r"\1=***", str(source))
