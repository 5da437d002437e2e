"""Audit helpers: every save or delete made by a person records who and why (django-simple-history)."""

from datetime import timedelta

from django.db import connection
from django.db.models import DateField, Exists, OuterRef  # DateField: DateTimeField included
from django.utils import timezone

from ccportal.batches import chunks

BASELINE_REASON = "baseline (row predates history)"
# A baseline is dated this much before the change that needed it, so that it sorts before it (prev_record
# compares dates strictly) whatever the database's clock resolution.
BASELINE_LEAD = timedelta(seconds=1)


def history_save(instance, *, by, reason, after_update=False, **save_kwargs):
    """Save ``instance`` and record ``by`` (an Employee or None for the system) and ``reason`` in its history.

    A row that has no history yet (written without it: by seed_demo, a restore of a database that had none,
    another tool writing the tables) first gets a baseline record of the row as the database holds it (history_baseline), so that this
    change has a "before" to diff against and revert to. That costs one query on the first save of an
    instance read from the database; an instance saved through here once is known to have history.
    ``after_update``: the caller has already changed the row in SQL (a conditional UPDATE) and called
    history_baseline on it before, while the database still held the state the UPDATE replaced."""
    if not (after_update or instance._state.adding or save_kwargs.get("force_insert") or instance.pk is None):
        if not getattr(instance, "_history_known", False):
            history_baseline(instance.__class__._default_manager.filter(pk=instance.pk))
    instance._history_user = by
    instance._change_reason = reason
    instance.save(**save_kwargs)
    instance._history_known = True
    return instance


def history_baseline(queryset):
    """Record, for each row of ``queryset`` that has no history yet, a "~" history record of the row as the
    database holds it now (by the system, reason BASELINE_REASON), dated just before now. Call it before
    changing rows that may predate their history. One query when every row has history (rows and the
    NOT EXISTS test in one SELECT), one more to insert the baselines. Returns the number written."""
    model = queryset.model
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if not attribute:
        return 0
    history = getattr(model, attribute).model
    attname = model._meta.pk.attname
    rows = list(queryset.filter(~Exists(history.objects.filter(**{attname: OuterRef("pk")}))).order_by())
    if not rows:
        return 0
    when = timezone.now() - BASELINE_LEAD
    recorded = [f.attname for f in history.tracked_fields]
    history.objects.bulk_create(
        [
            history(
                history_date=when,
                history_type="~",
                history_user=None,
                history_change_reason=BASELINE_REASON,
                **{name: getattr(row, name) for name in recorded},
            )
            for row in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def history_delete(instance, *, by, reason):
    """Delete ``instance`` leaving a "-" history record with who and why."""
    instance._history_user = by
    instance._change_reason = reason
    instance.delete()


def history_bulk_create(model, objects, *, by, reason, batch_size=2000):
    """Insert ``objects`` (unsaved instances of ``model``) and their "+" history records (who, when, why) for
    imports, in a fixed number of statements per ``batch_size`` rows; returns them with their primary keys.

    Django's bulk_create compiles every value of every row through the field (get_db_prep_save); for rows
    our own code built with the right Python types only the backend's adaptation of dates and decimals is
    needed, done once per column, and each row's values serve both its insert and its history record's.
    PostgreSQL (psycopg 3): keys drawn from the table's sequence in one query, then COPY. SQLite: an
    executemany INSERT, the new keys read back (a writing SQLite transaction holds the database's only write
    lock, so the newest keys are ours). Other databases: django-simple-history's bulk_create_with_history."""
    objects = list(objects)
    if not objects:
        return objects
    writer = _writer()
    if writer is None:
        from simple_history.utils import bulk_create_with_history

        return bulk_create_with_history(objects, model, batch_size=batch_size, default_user=by, default_change_reason=reason)
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    for field in fields:
        if isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
            for obj in objects:
                field.pre_save(obj, add=True)
    history_model = model.history.model
    fixed = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": getattr(by, "pk", None),
    }
    history_fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    for batch in chunks(objects, batch_size):
        new = [obj for obj in batch if obj.pk is None]
        if new and writer == "copy":
            _keys_from_sequence(model, new)
        # Each row once as database values, in ``fields`` order, the primary key first.
        adapt = [_adapter(f) for f in [pk, *fields]]
        rows = [[a(getattr(obj, f.attname)) for a, f in zip(adapt, [pk, *fields], strict=True)] for obj in batch]
        if writer == "copy":
            _copy(model, [pk, *fields], rows)
        else:
            keyed = [row for row, obj in zip(rows, batch, strict=True) if obj.pk is not None]
            unkeyed = [row[1:] for row, obj in zip(rows, batch, strict=True) if obj.pk is None]
            _insert(model, [pk, *fields], keyed)
            _insert(model, fields, unkeyed)
            if new:
                _keys_read_back(model, new)
                for row, obj in zip(rows, batch, strict=True):
                    row[0] = obj.pk
        for obj in batch:
            obj._state.adding = False
            obj._state.db = connection.alias
        position = {f.attname: i for i, f in enumerate([pk, *fields])}
        picks = []
        for field in history_fields:
            if field.attname in fixed:
                picks.append((None, _adapter(field)(fixed[field.attname])))
            elif field.attname in position:
                picks.append((position[field.attname], None))
            else:
                picks.append((None, _adapter(field)(field.get_default())))
        history_rows = [[row[i] if i is not None else value for i, value in picks] for row in rows]
        (_copy if writer == "copy" else _insert)(history_model, history_fields, history_rows)
    return objects


def _writer():
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        if type(connection.connection).__module__.split(".")[0] == "psycopg":
            return "copy"
    if connection.vendor == "sqlite" and connection.features.can_return_rows_from_bulk_insert:
        return "insert"
    return None


def _adapter(field):
    """The backend's adaptation of one field's values. Values built by our code already have their Python
    type, so get_db_prep_save's per-value validation and coercion is kept only for the kinds not listed."""
    kind = field.get_internal_type()
    ops = connection.ops
    if connection.vendor == "postgresql" and kind in ("DateTimeField", "DecimalField", "DateField"):
        return _same  # psycopg adapts datetimes, dates and decimals itself
    if kind == "DateTimeField":
        return _memo(ops.adapt_datetimefield_value)  # a statement repeats its moments (paid at = ledger date)
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if kind in (
        "CharField",
        "TextField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "ForeignKey",
        "AutoField",
        "BigAutoField",
    ):
        return _same
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value):
    return value


def _memo(convert):
    seen = {}

    def adapted(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = convert(value)
            return result

    return adapted


def _keys_from_sequence(model, objects):
    """Draw the primary keys of ``objects`` from the table's sequence (PostgreSQL), in the objects' order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, len(objects)],
        )
        keys = sorted(key for (key,) in cursor.fetchall())
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key


def _keys_read_back(model, objects):
    """The keys SQLite gave the rows just inserted: the newest ones, in insert order (see history_bulk_create)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT {pk} FROM {table} ORDER BY {pk} DESC LIMIT %s".format(
                pk=quote(model._meta.pk.column), table=quote(model._meta.db_table)
            ),
            [len(objects)],
        )
        keys = sorted(key for (key,) in cursor.fetchall())
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key


def _columns(model, fields):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)


def _insert(model, fields, rows):
    if not rows:
        return
    table, columns = _columns(model, fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def _copy(model, fields, rows):
    table, columns = _columns(model, fields)
    # The raw cursor's errors pass Django's wrapper by: translate them (a unique violation is an IntegrityError).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
