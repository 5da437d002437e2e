"""The ACDB import: read a legacy ACDB through datatools.acdb.reader and upsert it into the portal's tables.

One transaction for the whole import (all or nothing); rows are compared with what the portal holds, so a
second run of the same source changes nothing. Every row read is accounted for in the report: new,
updated, unchanged, merged (folded into another source row) or rejected with its reason."""

import re

from django.core.management.color import no_style
from django.db import connection as db_connection
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from billing.models import AccountHistory, Config
from ccportal import units
from ccportal.batches import chunks
from ccportal.history import history_baseline, history_bulk_create
from ccportal.rollup import rollups_rebuild
from customers.models import AccountNumber, Customer, Meter, MeterReading
from datatools.acdb import reader, values
from datatools.acdb import rows as build
from datatools.acdb.report import REPORT_TABLES, ImportReport, TableCounts
from datatools.acdb.values import RowRejected

__all__ = ["REPORT_TABLES", "ImportReport", "NotAnAcdb", "RowRejected", "TableCounts", "acdb_import", "source_tables"]
# Every source table read, lower-case (the two meter tables report as tblmeter, the two ledgers as tblaccounthistory1).
READ_TABLES = (
    "tblcustomer",
    "copy of tblmeter",
    "tblmeter",
    "tblaccountnumbers",
    "tblaccounthistory1",
    "tblaccounthistoryoriginal",
    "tblconfig",
    "tblmeterdata1",
)
CHUNK = 500  # rows compared and written per round trip (also bounds every IN list)


class NotAnAcdb(reader.AcdbSourceError):
    """The source opens but is not an ACDB (it has no tblcustomer table)."""


# --- the upsert engine ------------------------------------------------------------------------------


def _compared_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


class _Importer:
    def __init__(self, connection, tables, *, by, reason, report, progress):
        self.source = connection
        self.tables = tables  # lower-case name -> the source's own spelling
        self.by = by
        self.reason = reason
        self.report = report
        self.on_progress = progress
        self.total = None  # rows of every table read, counted first so progress can say "done of total"

    def progress(self, table):
        if self.on_progress is not None:
            done = sum(counts.read for counts in self.report.tables.values())
            self.on_progress(table, self.report.tables[table].read, done, self.total)

    def count(self):
        self.total = sum(reader.count_rows(self.source, self.tables[name]) for name in READ_TABLES if name in self.tables)

    def rows(self, table):
        """(row reference, lower-cased row) for every row of a source table; nothing if the table is absent."""
        name = self.tables.get(table.lower())
        if name is None:
            return
        for number, row in enumerate(reader.read_rows(self.source, name), start=1):
            yield f"{name} row {number}", build.lower_keys(row)

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
                self.progress(table)

    def upsert(self, table, model, objects, *, history=True, check=None):
        """Insert new rows, update changed ones (with history), count unchanged ones; by primary key."""
        counts = self.report.tables[table]
        fields = _compared_fields(model)
        names = [f.name for f in fields]
        for chunk in chunks(objects, CHUNK):
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
        self.progress(table)

    # --- per table ---

    def customers(self):
        rows = self.built("tblcustomer", self.rows("tblcustomer"), build.customer_from, seen=set())
        self.upsert("tblcustomer", Customer, rows)

    def meters(self):
        """`Copy Of tblmeter` (the real registry) merged with `tblmeter`: a meter in both keeps the Copy's
        values, with its empty fields filled from tblmeter."""
        merged = {}
        refs = {}
        for table in ("Copy Of tblmeter", "tblmeter"):
            for ref, obj in self.built("tblmeter", self.rows(table), build.meter_from, seen=set()):
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
        rows = self.built("tblaccountnumbers", self.rows("tblaccountnumbers"), build.account_from, seen=set())
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
                keys.add(build.ledger_key(obj))
                yield ref, obj

        rows = self.built("tblaccounthistory1", self.rows("tblaccounthistory1"), build.ledger_from, seen=ids)
        self.upsert("tblaccounthistory1", AccountHistory, remember(rows))

        clashing = []

        def lacking(rows):
            for ref, obj in rows:
                if build.ledger_key(obj) in keys:
                    self.report.tables["tblaccounthistory1"].merged += 1
                elif obj.pk in ids:
                    clashing.append((ref, obj))  # same ID as a different tblaccounthistory1 row
                else:
                    ids.add(obj.pk)
                    keys.add(build.ledger_key(obj))
                    yield ref, obj

        original = self.built("tblaccounthistory1", self.rows("tblaccounthistoryOriginal"), build.ledger_from)
        self.upsert("tblaccounthistory1", AccountHistory, lacking(original))
        counts = self.report.tables["tblaccounthistory1"]
        for _ref, obj in clashing:
            # Idempotent without its ID: look the transaction up by what it is.
            account, when, amount, kwh, payment = build.ledger_key(obj)
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
            rate = values.number(row, "therate", units.rate, max_digits=10, required=True)
            if rate <= 0:
                raise RowRejected(f"therate {rate} is not a positive rate")
            return Config(id=values.integer(row, "id"), therate=rate)

        def numbered(rows):
            for number, (ref, obj) in enumerate(rows, start=1):
                obj.id = obj.id or number  # ACDB's tblconfig may have no ID column: its rows in order
                yield ref, obj

        self.upsert("tblconfig", Config, numbered(self.built("tblconfig", self.rows("tblconfig"), build)))

    def readings(self):
        """Machine data keyed by (meterid, whdatetime); no history (nobody edits readings)."""
        counts = self.report.tables["tblmeterdata1"]
        rows = self.built("tblmeterdata1", self.rows("tblmeterdata1"), build.reading_from)
        for chunk in chunks(rows, CHUNK):
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
        self.progress("tblmeterdata1")

    def run(self):
        if self.on_progress is not None:
            self.count()
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
    ``progress(table, rows_read, rows_read_in_all, rows_in_all)`` is called as rows are read. Raises reader.AcdbSourceError (NotAnAcdb
    for a source without tblcustomer); any other error rolls everything back and propagates."""
    own_connection = connection is None
    if own_connection:
        connection = reader.open_source(source)
    try:
        tables = source_tables(connection)
        report = ImportReport(source=str(source), dry_run=dry_run)
        reason = reason or f"ACDB import from {display_source(source)}"
        with transaction.atomic():
            _Importer(connection, tables, by=by, reason=reason, report=report, progress=progress).run()
            if dry_run:
                transaction.set_rollback(True)
        return report
    finally:
        if own_connection:
            connection.close()


def display_source(source):
    """A source for people and logs, without any password in a connection string."""
    return re.sub(r"(?i)(pwd|password)=[^;]*", r"\1=***", str(source))
