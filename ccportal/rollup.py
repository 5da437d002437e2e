"""Rollups: small derived tables that hold a big table's sums per group, kept equal to it in the same transaction.

A `Rollup` names a source model, the fields of a source row that feed it, how a row maps to a group (``key``)
and what it adds there (``values``), and the same grouping as a database aggregate (``db_group``/``db_values``)
for a rebuild. Single rows saved or deleted through the ORM (services, the admin, audit reverts) move the rollup
through signals; bulk writers call `add` or `rebuild` themselves. `differences` compares rollup and source (the
tests check it after every test that touched the database)."""

from collections import defaultdict
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from ccportal.batches import chunks

ROLLUPS = []
# ``add`` writes group by group up to BULK_FROM groups, in bulk beyond: a SELECT covers KEYS_PER_QUERY groups (about
# 1,000 parameters, below SQL Server's 2,100); bulk_update and bulk_create size their batches for the backend.
BULK_FROM = 20
KEYS_PER_QUERY = 500
REBUILD_BATCH = 5000


def rollups_rebuild():
    """Rebuild every rollup from its source: for writers that went past the ORM (COPY, loaddata, bulk imports).
    A rollup of another rollup's cells is rebuilt after that rollup."""
    targets = {rollup.target_label for rollup in ROLLUPS}
    for rollup in sorted(ROLLUPS, key=lambda rollup: rollup.source_label in targets):
        rollup.rebuild()


def rollup_rebuild_operation(module, name, *, target=None):
    """The migration operation that fills rollup ``module.name`` from the rows already there, with the
    migration's historical models. ``target``: the target model's label at that migration, when the model
    has moved app since (the rollup names where it lives now)."""
    from django.db import migrations

    def rebuild(apps, schema_editor):
        rollup = getattr(import_module(module), name)
        rollup.rebuild(source=apps.get_model(rollup.source_label), target=apps.get_model(target or rollup.target_label))

    return migrations.RunPython(rebuild, migrations.RunPython.noop)


def rollups_differences():
    """{rollup name: differences} for every rollup that no longer equals its source."""
    return {rollup.name: found for rollup in ROLLUPS if (found := rollup.differences())}


class Rollup:
    """A rollup of a table, or of another rollup's cells (``source`` is that rollup's target): such a rollup is fed
    the other's changes (each changed cell as a row with its key fields and the amounts it moved by) in the same
    transaction, needs no signals, and is rebuilt after it. ``resolve``: rows -> the same rows with what ``key``
    needs beyond them (e.g. the type of an account, read once per batch); `add` with ``resolved`` skips it (a
    caller moving rows between groups resolves them itself)."""

    def __init__(self, *, name, source, target, watched, key, values, db_group, db_values, db_key=None, where=None, resolve=None):
        ROLLUPS.append(self)
        self.name = name
        # Only source rows matching ``where`` count: (a Q for the database, a predicate for Python rows).
        self.where_q, self.where = where if where else (None, None)
        self.source_label, self.target_label = source, target
        self.watched = tuple(watched)
        self.key = key  # source row -> tuple of the target's key values (its fields named by db_group, in order)
        self.values = values  # {target field: source row -> value it adds}
        self.db_group = db_group  # {target key field: expression over the source}
        self.db_values = db_values  # {target field: aggregate over the source}
        self.db_key = db_key or (lambda values: tuple(values))  # database group values -> the key ``key`` gives
        self.resolve = resolve

    @property
    def source(self):
        return apps.get_model(self.source_label)

    @property
    def target(self):
        return apps.get_model(self.target_label)

    # --- writes -----------------------------------------------------------------------------------------------

    @property
    def fed(self):
        """The rollups of this rollup's cells."""
        return [rollup for rollup in ROLLUPS if rollup.source_label == self.target_label]

    def add(self, rows, *, sign=1, resolved=False):
        """Add (``sign`` 1) or take away (-1) source ``rows`` (objects with the watched fields): one UPDATE per
        group touched, an INSERT for a new group, then the same change in the rollups of this one's cells. Call it
        inside the transaction that writes the rows."""
        if self.resolve is not None and not resolved:
            rows = self.resolve(list(rows))
        deltas = defaultdict(lambda: dict.fromkeys(self.values, 0))
        for row in rows:
            if self.where is not None and not self.where(row):
                continue
            delta = deltas[self.key(row)]
            for field, value_of in self.values.items():
                delta[field] += sign * value_of(row)
        deltas = {key: delta for key, delta in deltas.items() if any(delta.values())}
        if len(deltas) > BULK_FROM:
            self._apply_many(deltas)
        else:
            # A fixed order (by key), so that two transactions touching the same groups never deadlock.
            for key, delta in sorted(deltas.items(), key=lambda item: repr(item[0])):
                self._apply(dict(zip(self.db_group, key, strict=True)), delta)
        if deltas and (fed := self.fed):
            changed = [SimpleNamespace(**dict(zip(self.db_group, key, strict=True)), **delta) for key, delta in deltas.items()]
            resolved = {}  # rollups sharing a resolver resolve the cells once
            for rollup in fed:
                if rollup.resolve is not None and rollup.resolve not in resolved:
                    resolved[rollup.resolve] = rollup.resolve(changed)
                rollup.add(resolved.get(rollup.resolve, changed), resolved=True)

    def _apply_many(self, deltas, attempts=3):
        """Many groups at once (bulk imports): lock and read the cells that exist, then replace them and add the
        missing ones with their new sums: a fixed number of statements per KEYS_PER_QUERY groups. (Replacing is
        several times cheaper than bulk_update's CASE per row; the cells are derived, their IDs mean nothing.)"""
        target = self.target
        names = list(self.db_group)
        keys = sorted(deltas, key=repr)
        for attempt in range(attempts):
            try:
                with transaction.atomic():
                    cells = {}
                    for chunk in chunks(keys, KEYS_PER_QUERY):
                        # Each key part among the chunk's values: a superset of the chunk's cells, narrowed below.
                        wanted = {f"{name}__in": {key[i] for key in chunk} for i, name in enumerate(names)}
                        for cell in target.objects.select_for_update().filter(**wanted).order_by("pk"):
                            key = tuple(getattr(cell, name) for name in names)
                            if key in deltas:
                                cells[key] = cell
                    replaced = []
                    for key in keys:
                        values = dict(deltas[key])
                        cell = cells.get(key)
                        if cell is not None:
                            replaced.append(cell.pk)
                            values = {field: getattr(cell, field) + value for field, value in values.items()}
                        cells[key] = target(**dict(zip(names, key, strict=True)), **values)
                    for chunk in chunks(replaced, KEYS_PER_QUERY):
                        target.objects.filter(pk__in=chunk).delete()
                    target.objects.bulk_create([cells[key] for key in keys])
                return
            except IntegrityError:  # another transaction created some of the groups meanwhile: read them again
                if attempt == attempts - 1:
                    raise

    def _apply(self, key, delta):
        target = self.target
        cell = target.objects.filter(**key)
        if cell.update(**{field: F(field) + value for field, value in delta.items()}):
            return
        try:
            with transaction.atomic():
                target.objects.create(**key, **delta)
        except IntegrityError:  # another transaction created the group between our UPDATE and INSERT
            cell.update(**{field: F(field) + value for field, value in delta.items()})

    def _groups(self, source=None):
        """(key, {field: value}) per group of the source, aggregated in the database and streamed."""
        source = source or self.source
        rows = source.objects.filter(self.where_q) if self.where_q is not None else source.objects.all()
        rows = (
            rows.annotate(**{f"g_{name}": expression for name, expression in self.db_group.items()})
            .values(*(f"g_{name}" for name in self.db_group))
            .annotate(**{f"v_{name}": expression for name, expression in self.db_values.items()})
            .order_by()
        )
        # SQLite sums decimals in floating point (9.3947 comes back as 9.39470000000001): round each sum to its
        # column's places, which hold any sum of the source's values exactly.
        places = {}
        for name in self.db_values:
            field = self.target._meta.get_field(name)
            if isinstance(field, DecimalField):
                places[name] = Decimal(1).scaleb(-field.decimal_places)
        for row in rows.iterator(chunk_size=REBUILD_BATCH):
            values = {name: row[f"v_{name}"] or 0 for name in self.db_values}
            for name, unit in places.items():
                if isinstance(values[name], Decimal):
                    values[name] = values[name].quantize(unit)
            yield self.db_key([row[f"g_{name}"] for name in self.db_group]), values

    def totals(self, source=None):
        """{key: {field: value}} of the source, aggregated in the database."""
        totals = defaultdict(lambda: dict.fromkeys(self.db_values, 0))
        for key, values in self._groups(source):
            for name, value in values.items():
                totals[key][name] += value
        return totals

    def rebuild(self, *, source=None, target=None):
        """Recompute the whole rollup from the source: one GROUP BY, streamed into the table in batches (a million
        cells at 100x today's data never sit in memory at once). Models may be a migration's historical ones.
        Each database group maps to its own key (a clash would break the unique key and fail the rebuild loudly)."""
        target = target or self.target
        with transaction.atomic():
            target.objects.all().delete()
            batch = []
            for key, values in self._groups(source):
                batch.append(target(**dict(zip(self.db_group, key, strict=True)), **values))
                if len(batch) == REBUILD_BATCH:
                    target.objects.bulk_create(batch)
                    batch = []
            target.objects.bulk_create(batch)

    def differences(self):
        """[(key, rollup values, source values)] where the two disagree; [] when equal."""
        want = self.totals()
        have = {}
        for cell in self.target.objects.all():
            values = {name: getattr(cell, name) for name in self.db_values}
            if any(values.values()):
                have[tuple(getattr(cell, name) for name in self.db_group)] = values
        zero = dict.fromkeys(self.db_values, 0)
        return [
            (key, have.get(key, zero), want.get(key, zero))
            for key in sorted(set(want) | set(have), key=repr)
            if have.get(key, zero) != want.get(key, zero)
        ]

    # --- signals: single rows saved or deleted through the ORM ------------------------------------------------

    def connect(self):
        uid = f"rollup_{self.name}"
        pre_save.connect(self._before_save, sender=self.source_label, dispatch_uid=f"{uid}_pre_save")
        post_save.connect(self._after_save, sender=self.source_label, dispatch_uid=f"{uid}_post_save")
        post_delete.connect(self._after_delete, sender=self.source_label, dispatch_uid=f"{uid}_post_delete")

    def _attribute(self):
        return f"_rollup_{self.name}_before"

    def _before_save(self, sender, instance, raw=False, update_fields=None, **kwargs):
        setattr(instance, self._attribute(), None)
        if raw or instance.pk is None:
            return
        if update_fields is not None and not set(update_fields) & set(self.watched):
            return  # a save of fields the rollup does not read costs nothing
        before = sender.objects.filter(pk=instance.pk).values(*self.watched).first()
        setattr(instance, self._attribute(), SimpleNamespace(**before) if before else None)

    def _after_save(self, sender, instance, created, raw=False, update_fields=None, **kwargs):
        if raw:
            return
        before = getattr(instance, self._attribute(), None)
        setattr(instance, self._attribute(), None)
        if created:
            self.add([instance])
            return
        if before is None:
            return
        written = set(self.watched) if update_fields is None else set(update_fields) & set(self.watched)
        after = SimpleNamespace(**{f: getattr(instance if f in written else before, f) for f in self.watched})
        if any(getattr(before, f) != getattr(after, f) for f in self.watched):
            self.add([before], sign=-1)
            self.add([after])

    def _after_delete(self, sender, instance, **kwargs):
        self.add([instance], sign=-1)


def count_one(row):
    return 1


def sum_of(attribute):
    return lambda row: getattr(row, attribute) or 0


def _local(moment):
    # The portal's zone (settings.TIME_ZONE, Africa/Maseru), which is never switched per request: the database
    # truncates in the same zone. Looked up once (timezone.localtime's per-call lookup was a tenth of an import).
    return moment.astimezone(timezone.get_default_timezone()) if moment.tzinfo is not None else moment


def local_date(moment):
    """The date of ``moment`` in the portal's time zone (Africa/Maseru); a date is returned as it is."""
    return _local(moment).date() if hasattr(moment, "hour") else moment


def month_start(moment):
    return local_date(moment).replace(day=1)


def quarter_start(moment):
    day = local_date(moment)
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def local_hour(moment):
    return _local(moment).hour
