"""The Tables browser: every ACDB and portal table, read-only, with paging, sort, search and a filter.

Table and column names from the request are only ever looked up in a whitelist built from the models;
the queries are the ORM's, so no name from a request reaches SQL."""

import csv
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ccportal import bounds
from ccportal.fields import date_read
from ccportal.keyset import Key, keyset_page
from ccportal.spreadsheet import csv_cells

PORTAL_APPS = ("customers", "billing", "contracts", "reports", "accounts", "datatools")
HIDDEN_COLUMNS = {"cc_employee": {"password"}}  # secrets never leave the database
TEXT_FIELDS = (models.CharField, models.TextField)
COUNT_CACHE_SECONDS = 300
PER_PAGE = 50
MAX_PAGE = 100  # offset paging (a sort on another column) stops at 5,000 rows; the key order pages by cursor


class TableQueryError(ValueError):
    """A sort, filter or page the table cannot take; the message is shown, the rest of the view still works."""


@dataclass(frozen=True)
class Column:
    name: str  # the column as the database (and ACDB) names it
    field: models.Field

    @property
    def type(self):
        return self.field.get_internal_type().removesuffix("Field") or "Auto"

    @property
    def is_text(self):
        return isinstance(self.field, TEXT_FIELDS) and not self.field.choices

    @property
    def size(self):
        return getattr(self.field, "max_length", None)


@dataclass(frozen=True)
class Table:
    name: str
    model: type

    @property
    def label(self):
        return str(self.model._meta.verbose_name).capitalize()

    @property
    def is_acdb(self):
        return self.name.startswith("tbl")

    @property
    def columns(self):
        hidden = HIDDEN_COLUMNS.get(self.name, set())
        return [Column(f.column, f) for f in self.model._meta.concrete_fields if f.name not in hidden]

    def column(self, name):
        for column in self.columns:
            if column.name == name:
                return column
        return None


def browsable_tables():
    """{db_table: Table}: ACDB tables first, then portal tables; audit history has its own page."""
    found = [
        Table(model._meta.db_table, model)
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS and getattr(model, "instance_type", None) is None
    ]
    found.sort(key=lambda t: (not t.is_acdb, t.name.lower()))
    return {t.name: t for t in found}


def table_get(name):
    """The Table called ``name`` (exactly), or None."""
    return browsable_tables().get(name)


def table_row_count(table):
    """Rows in the table, counted at most every few minutes (COUNT(*) on a large table is not free)."""
    return cache.get_or_set(f"cc:tables:rows:{table.name}", table.model._default_manager.count, COUNT_CACHE_SECONDS)


def table_summaries():
    return [{"table": t, "rows": table_row_count(t), "columns": len(t.columns)} for t in browsable_tables().values()]


@dataclass
class TableQuery:
    sort: Column
    descending: bool
    search: str
    filter_column: Column | None
    filter_value: str
    page: int
    messages: list
    after: str = ""
    before: str = ""

    @property
    def by_key(self):
        """Sorted on the primary key: paged by cursor (keyset), however deep."""
        return self.sort.field.primary_key


def table_query(table, params):
    """Read sort/order/q/col/val/page from ``params``; anything unknown becomes a message and a safe default."""
    messages = []
    pk_column = table.column(table.model._meta.pk.column)
    sort = pk_column
    sort_name = params.get("sort", "")
    if sort_name:
        sort = table.column(sort_name)
        if sort is None:
            messages.append(f"There is no column {sort_name!r} in {table.name}: sorted by {pk_column.name}.")
            sort = pk_column
    descending = params.get("order", "asc") == "desc"
    filter_column = None
    filter_name = params.get("col", "")
    filter_value = params.get("val", "")
    if filter_name:
        filter_column = table.column(filter_name)
        if filter_column is None:
            messages.append(f"There is no column {filter_name!r} in {table.name}: filter ignored.")
    try:
        page = max(1, min(int(params.get("page", "1")), MAX_PAGE))
    except ValueError:
        page = 1
    return TableQuery(
        sort,
        descending,
        params.get("q", "").strip()[:200],
        filter_column,
        filter_value,
        page,
        messages,
        after=params.get("after", ""),
        before=params.get("before", ""),
    )


def table_queryset(table, query):
    """Rows (as value tuples in column order) for the query; filter values that the column cannot hold
    become a message and no rows."""
    columns = table.columns
    queryset = table.model._default_manager.all()
    if query.search:
        condition = Q()
        for column in columns:
            if column.is_text:
                condition |= Q(**{f"{column.field.attname}__icontains": query.search})
        queryset = queryset.filter(condition) if condition else queryset.none()
    if query.filter_column is not None:
        field = query.filter_column.field
        typed = query.filter_value
        if isinstance(field, models.DateField):  # DateTimeField too: a day typed day-first is read as the forms do
            try:
                typed = date_read(typed).isoformat()
            except ValueError:
                pass  # a moment, or something to_python explains
        try:
            value = field.to_python(typed) if query.filter_value != "" or not field.null else None
            if value is not None and not query.filter_column.is_text:
                field.run_validators(value)  # digits of a decimal, the range of an integer column
                if isinstance(value, date):
                    bounds.date_check(value, label="The date", within=bounds.EFFECTIVE)
        except bounds.BoundsError as exc:
            query.messages.append(f"{query.filter_column.name}: {exc}")
            queryset = queryset.none()
        except ValidationError as exc:
            query.messages.append(f"{query.filter_column.name}: {' '.join(exc.messages)}")
            queryset = queryset.none()
        else:
            if value is None:
                queryset = queryset.filter(**{f"{field.attname}__isnull": True})
            elif isinstance(field, models.DateTimeField) and len(query.filter_value.strip()) <= 10:
                queryset = queryset.filter(**{f"{field.attname}__date": value.date()})
            elif query.filter_column.is_text:
                queryset = queryset.filter(**{f"{field.attname}__iexact": value})
            else:
                queryset = queryset.filter(**{field.attname: value})
    order = f"-{query.sort.field.attname}" if query.descending else query.sort.field.attname
    pk = table.model._meta.pk.attname
    ordering = [order] if query.sort.field.primary_key else [order, f"-{pk}" if query.descending else pk]
    return queryset.order_by(*ordering).values_list(*(c.field.attname for c in columns))


MATCH_COUNT_CAP = 10_000  # a filtered view counts its matches up to here ("more than 10,000" beyond)


def table_match_count(table, query):
    """How many rows the query's search and filter leave: (count, capped). Counted over at most
    MATCH_COUNT_CAP + 1 rows, so a broad search on a big table stays cheap."""
    found = table_queryset(table, query).order_by()[: MATCH_COUNT_CAP + 1].count()
    return min(found, MATCH_COUNT_CAP), found > MATCH_COUNT_CAP


@dataclass
class OffsetPage:
    """A page of a sort on a non-key column, for the shared pager (numbers, no total)."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1

    @property
    def label(self):
        return f"Page {self.number}"

    def has_other_pages(self):
        return self.has_next or self.has_previous


def table_page(table, query, per_page=PER_PAGE):
    """One page of rows. In the primary key's order (the default) the page starts after (or ends before) a
    cursor holding the key of the row shown last (first): an index range, whatever the depth, with neither
    OFFSET nor COUNT(*). Sorted on another column it is LIMIT/OFFSET, one row more to know if there is a
    next, up to MAX_PAGE pages."""
    queryset = table_queryset(table, query)
    if query.by_key:
        pk = table.model._meta.pk
        position = [c.field for c in table.columns].index(pk)
        return keyset_page(
            queryset,
            [Key(pk.attname, descending=query.descending)],
            key_of=lambda row: [row[position]],
            after=query.after,
            before=query.before,
            per_page=per_page,
        )
    start = (query.page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return OffsetPage(object_list=rows[:per_page], number=query.page, has_next=len(rows) > per_page and query.page < MAX_PAGE)


class _Echo:
    def write(self, value):
        return value


def table_csv_lines(table, query):
    """The CSV lines of every row the query selects (the browser view's search, filter and sort), header first."""
    writer = csv.writer(_Echo())
    yield writer.writerow([c.name for c in table.columns])
    for row in table_queryset(table, query).iterator(chunk_size=2000):
        yield writer.writerow(csv_cells(row))  # text neutralised: no formula reaches a spreadsheet
