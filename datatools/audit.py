"""The audit trail (Mutations): every django-simple-history entry across tables, its diff, and a safe revert.

An entry is named by its tracked table (the model's db_table, e.g. ``tblcustomer``) and its history_id.
A revert refuses when the record changed after the entry, and is itself an entry with who and why."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, ProtectedError, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import Employee
from ccportal.display import date_text, datetime_text
from ccportal.history import BASELINE_REASON, history_delete, history_save

REVERT_PREFIX = "Revert of "
ACTIONS = {"create": "+", "update": "~", "delete": "-"}
ACTION_NAMES = {"+": "create", "~": "update", "-": "delete"}
ACTION_CHOICES = [("create", "Create"), ("update", "Update"), ("delete", "Delete"), ("revert", "Revert")]


class RevertRefused(Exception):
    """A revert that would be unsafe; the message says why, for the person who asked."""


def audited_models():
    """{db_table: model} for every model whose changes django-simple-history records."""
    found = {}
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute:
            found[model._meta.db_table] = model
    return dict(sorted(found.items()))


def table_label(table):
    """What people call the records of ``table`` ("Customer", "Tariff rate"), its name when it is unknown."""
    model = audited_models().get(table)
    return capfirst(model._meta.verbose_name) if model is not None else table


def table_choices():
    """(table, plain name) of every audited table, by name, for the Mutations filter."""
    return sorted(((table, table_label(table)) for table in audited_models()), key=lambda choice: choice[1].lower())


def is_baseline(entry):
    """Whether ``entry`` is the baseline written before the first change of a row that predates its history."""
    return entry.history_change_reason == BASELINE_REASON


def audited_model(table):
    """The audited model for ``table``, or None (the caller answers 404)."""
    return audited_models().get(table)


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def tracked_fields(model):
    """The model's concrete fields that its history records (excluded fields such as passwords are not)."""
    recorded = {f.attname for f in history_model(model)._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.attname in recorded]


def action_of(history_type, reason):
    if (reason or "").startswith(REVERT_PREFIX):
        return "revert"
    return ACTION_NAMES.get(history_type, history_type)


# --- selectors ---------------------------------------------------------------------------------------


def mutation_list(*, table="", employee=None, action="", date_from=None, date_to=None, record=""):
    """One queryset over the history of every audited table (UNION ALL), newest first, as dicts with
    history_id, history_date, history_type, history_user_id, history_change_reason, table and record."""
    models = audited_models()
    if table:
        models = {table: models[table]} if table in models else {}
    parts = []
    for name, model in models.items():
        history = history_model(model)
        pk = model._meta.pk
        queryset = history.objects.all()
        if record:
            try:
                queryset = queryset.filter(**{pk.attname: pk.to_python(record.strip())})
            except ValidationError:
                continue  # this table's keys cannot take that value
        if employee is not None:
            queryset = queryset.filter(history_user_id=employee.pk if hasattr(employee, "pk") else employee)
        if action == "revert":
            queryset = queryset.filter(history_change_reason__startswith=REVERT_PREFIX)
        elif action in ACTIONS:
            queryset = queryset.filter(history_type=ACTIONS[action])
        if date_from:
            queryset = queryset.filter(history_date__gte=_start_of(date_from))
        if date_to:
            queryset = queryset.filter(history_date__lt=_start_of(date_to) + timedelta(days=1))
        parts.append(
            queryset.annotate(
                table=Value(name, output_field=CharField()),
                record=Cast(pk.attname, output_field=CharField()),
            )
            .values("history_id", "history_date", "history_type", "history_user_id", "history_change_reason", "table", "record")
            .order_by()
        )
    if not parts:
        return history_model(Employee).objects.none().values("history_id")
    queryset = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return queryset.order_by("-history_date", "-history_id")


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def mutation_rows(entries):
    """Decorate one page of mutation_list with the employee and the action name (one query)."""
    entries = list(entries)
    users = Employee.objects.in_bulk({e["history_user_id"] for e in entries if e["history_user_id"]})
    labels = {table: table_label(table) for table in {e["table"] for e in entries}}
    for entry in entries:
        entry["table_label"] = labels[entry["table"]]
        entry["user"] = users.get(entry["history_user_id"])
        entry["action"] = action_of(entry["history_type"], entry["history_change_reason"])
    return entries


@dataclass
class Change:
    field: str
    column: str
    old: object
    new: object
    changed: bool

    @property
    def old_text(self):
        return _value_text(self.old)

    @property
    def new_text(self):
        return _value_text(self.new)


def _value_text(value):
    """A field's value as the rest of the portal writes it: moments in local time (2027-01-01 00:00)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return datetime_text(value)
    if isinstance(value, date):
        return date_text(value)
    return value


def mutation_get(table, history_id):
    """The history entry, or None."""
    model = audited_model(table)
    if model is None:
        return None
    return history_model(model).objects.select_related("history_user").filter(history_id=history_id).first()


def mutation_changes(table, entry):
    """Old and new value of each field: every field for a create or delete, the changed ones first for an update."""
    model = audited_model(table)
    fields = tracked_fields(model)
    if entry.history_type == "+":
        return [Change(f.verbose_name, f.column, None, getattr(entry, f.attname), True) for f in fields]
    if entry.history_type == "-":
        return [Change(f.verbose_name, f.column, getattr(entry, f.attname), None, True) for f in fields]
    previous = entry.prev_record
    changes = []
    for f in fields:
        new = getattr(entry, f.attname)
        old = getattr(previous, f.attname) if previous is not None else None
        changes.append(Change(f.verbose_name, f.column, old, new, previous is None or old != new))
    return sorted(changes, key=lambda c: not c.changed)


def mutation_record_history(table, entry, limit=20):
    """The latest entries of the same record, newest first (to see what came after this one)."""
    model = audited_model(table)
    attname = model._meta.pk.attname
    return list(
        history_model(model)
        .objects.filter(**{attname: getattr(entry, attname)})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


# --- services ----------------------------------------------------------------------------------------


@transaction.atomic
def mutation_revert(*, table, history_id, by, reason=""):
    """Undo one entry: a create by deleting, an update by restoring the values before it, a delete by
    recreating the record. Refuses (RevertRefused) when the record has changed since the entry.
    Returns the history entry the revert wrote."""
    model = audited_model(table)
    if model is None:
        raise RevertRefused(f"{table!r} is not an audited table.")
    history = history_model(model)
    entry = history.objects.filter(history_id=history_id).first()
    if entry is None:
        raise RevertRefused("No such entry.")
    attname = model._meta.pk.attname
    key = getattr(entry, attname)
    current = model._default_manager.select_for_update().filter(pk=key).first()
    latest = history.objects.filter(**{attname: key}).order_by("-history_date", "-history_id").first()
    if latest.history_id != entry.history_id:
        who = latest.history_user or "the system"
        when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
        raise RevertRefused(
            f"Not reverted: {model._meta.verbose_name} {key} was changed after this entry "
            f"(by {who} on {when}). Revert the later entries first, newest first."
        )
    fields = tracked_fields(model)
    if entry.history_type in ("+", "~"):
        if current is None:
            raise RevertRefused(f"Not reverted: {model._meta.verbose_name} {key} no longer exists.")
        if any(getattr(current, f.attname) != getattr(entry, f.attname) for f in fields):
            raise RevertRefused(
                f"Not reverted: {model._meta.verbose_name} {key} has changed since this entry (outside the audit trail)."
            )
    elif current is not None:
        raise RevertRefused(f"Not reverted: a {model._meta.verbose_name} with key {key} exists again.")

    action = action_of(entry.history_type, entry.history_change_reason)
    text = f"{REVERT_PREFIX}{table} entry {entry.history_id} ({action} of {key})"
    if reason.strip():
        text = f"{text}: {reason.strip()}"
    try:
        with transaction.atomic():
            if entry.history_type == "+":
                history_delete(current, by=by, reason=text)
            elif entry.history_type == "~":
                previous = entry.prev_record
                if previous is None:
                    raise RevertRefused("Not reverted: there is no earlier state of this record to restore.")
                for f in fields:
                    setattr(current, f.attname, getattr(previous, f.attname))
                history_save(current, by=by, reason=text)
            else:
                restored = entry.instance
                restored._state.adding = True
                history_save(restored, by=by, reason=text, force_insert=True)
    except ProtectedError as exc:
        names = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise RevertRefused(f"Not reverted: other records depend on it ({', '.join(names)}).") from None
    except IntegrityError as exc:
        raise RevertRefused(f"Not reverted: the database refused it ({str(exc).splitlines()[0]}).") from None
    return history.objects.filter(**{attname: key}).order_by("-history_date", "-history_id").first()
