"""Keyset paging: the page of rows after (or before) a row's sort key, with neither COUNT(*) nor OFFSET.

A cursor is the sort key of the last (or first) row shown, as URL-safe base64 JSON. It only ever reaches
the database as ORM filter values, parsed by each key's model field; an unreadable cursor means page one.
NULLs sort as the largest value in both directions (PostgreSQL's default, so its indexes serve the order;
other backends get NULLS FIRST/LAST from the ORM)."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q


@dataclass(frozen=True)
class Key:
    """One column of the sort: a concrete field's name (attname) and its direction."""

    name: str
    descending: bool = False


@dataclass
class KeysetPage:
    """What the shared pager (`templates/_pagination.html`) needs: the rows and the two cursors."""

    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    label: str = ""

    def has_other_pages(self):
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def keyset_ordering(model, keys):
    """ORDER BY expressions for ``keys`` (NULLs last ascending, first descending: NULL is the largest)."""
    order = []
    for key in keys:
        nullable = model._meta.get_field(key.name).null
        if key.descending:
            order.append(F(key.name).desc(nulls_first=True) if nullable else F(key.name).desc())
        else:
            order.append(F(key.name).asc(nulls_last=True) if nullable else F(key.name).asc())
    return order


def _beyond(model, key, value, descending):
    """Rows strictly past ``value`` on one key in the given direction; None when nothing can be."""
    nullable = model._meta.get_field(key.name).null
    if value is None:
        # NULL is the largest value: only a descending walk has anything past it.
        return Q(**{f"{key.name}__isnull": False}) if descending else None
    if descending:
        return Q(**{f"{key.name}__lt": value})
    past = Q(**{f"{key.name}__gt": value})
    return past | Q(**{f"{key.name}__isnull": True}) if nullable else past


def _equal(key, value):
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def keyset_filter(model, keys, values, *, backwards=False):
    """Rows after the key ``values`` in the order of ``keys`` (before them with ``backwards``)."""
    match = Q(pk__in=[])
    for i, key in enumerate(keys):
        past = _beyond(model, key, values[i], key.descending != backwards)
        if past is None:
            continue
        term = past
        for earlier, value in zip(keys[:i], values[:i], strict=False):
            term &= _equal(earlier, value)
        match |= term
    first, value = keys[0], values[0]
    if value is not None and not model._meta.get_field(first.name).null:
        # A bound on the leading key alone lets the database start its index scan there.
        match &= Q(**{f"{first.name}__{'lte' if first.descending != backwards else 'gte'}": value})
    return match


def _encode(value):
    if isinstance(value, datetime | date | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    return value


def cursor_encode(values):
    text = json.dumps([_encode(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(model, keys, cursor):
    """The key values a cursor holds, parsed by their fields; None for anything unreadable."""
    if not cursor or len(cursor) > 2000:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(keys):
        return None
    values = []
    for key, value in zip(keys, raw, strict=True):
        if value is not None and not isinstance(value, str | int | float):
            return None
        try:
            values.append(None if value is None else model._meta.get_field(key.name).to_python(value))
        except (ValidationError, ValueError, TypeError):
            return None
    return values


def keyset_page(queryset, keys, *, key_of, after="", before="", per_page=50):
    """One page of ``queryset`` in the order of ``keys`` (the last one unique, e.g. the primary key).

    ``key_of(row)`` gives a row's key values (rows may be instances, dicts or tuples). At most
    ``per_page + 1`` rows are read, so the cost does not grow with the table or the page reached."""
    model = queryset.model
    values = cursor_decode(model, keys, before) if before else None
    backwards = values is not None
    if not backwards:
        values = cursor_decode(model, keys, after) if after else None
    reversed_keys = [Key(k.name, not k.descending) for k in keys]
    if values is not None:
        queryset = queryset.filter(keyset_filter(model, keys, values, backwards=backwards))
    queryset = queryset.order_by(*keyset_ordering(model, reversed_keys if backwards else keys))
    rows = list(queryset[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = values is not None, more
    return KeysetPage(
        object_list=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        next_cursor=cursor_encode(key_of(rows[-1])) if rows else "",
        previous_cursor=cursor_encode(key_of(rows[0])) if rows else "",
    )
