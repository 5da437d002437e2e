"""A thin pyodbc reader for Access and other ODBC sources: open, list tables, read rows with coerced types.

The MDBTools driver returns some values as text (COUNT(*) comes back as '91'); callers coerce with
the helpers here rather than trusting the driver's types."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

SYSTEM_TABLE_PREFIXES = ("MSys", "~", "f_")


class AcdbSourceError(Exception):
    """The source cannot be opened or read; the message is one line for the operator."""


def connection_string_for(source):
    """An ODBC connection string for a path to .accdb/.mdb, or ``source`` itself if it already is one
    (``DSN=…`` or ``DRIVER=…``)."""
    text = str(source)
    if "=" in text and (text.upper().startswith(("DSN=", "DRIVER="))):
        return text
    path = Path(text)
    if path.suffix.lower() not in (".accdb", ".mdb"):
        raise AcdbSourceError(f"{text}: expected an .accdb or .mdb file, or an ODBC connection string (DSN=… or DRIVER=…)")
    if not path.is_file():
        raise AcdbSourceError(f"{text}: no such file")
    return f"DRIVER={{MDBTools}};DBQ={path.resolve()}"


def open_source(source):
    import pyodbc

    try:
        return pyodbc.connect(connection_string_for(source), autocommit=True)
    except pyodbc.Error as exc:
        message = str(exc.args[-1] if exc.args else exc).splitlines()[0]
        raise AcdbSourceError(f"{source}: cannot open ({message})") from None


def list_tables(connection):
    """User tables of the source, without Access system tables."""
    cursor = connection.cursor()
    names = [row.table_name for row in cursor.tables() if (row.table_type or "TABLE").upper() == "TABLE"]
    return [n for n in names if not n.startswith(SYSTEM_TABLE_PREFIXES)]


def quote_name(name):
    """Bracket-quote an identifier that came from the source's own catalogue (never from user input)."""
    if "]" in name:
        raise AcdbSourceError(f"refusing table or column name with ']': {name!r}")
    return f"[{name}]"


def read_rows(connection, table, columns=None):
    """Yield dicts for every row of ``table`` (a name listed by list_tables)."""
    if table not in list_tables(connection):
        raise AcdbSourceError(f"table {table!r} is not in the source")
    cursor = connection.cursor()
    select = ", ".join(quote_name(c) for c in columns) if columns else "*"
    cursor.execute(f"SELECT {select} FROM {quote_name(table)}")
    names = [d[0] for d in cursor.description]
    # Iterate the cursor itself: the MDBTools driver answers fetchmany() past the end with stale rows.
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def count_rows(connection, table):
    if table not in list_tables(connection):
        raise AcdbSourceError(f"table {table!r} is not in the source")
    cursor = connection.cursor()
    cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")
    return as_int(cursor.fetchone()[0])


def as_int(value):
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return int(Decimal(str(value).strip()))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a whole number") from None


def as_decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def as_text(value):
    return "" if value is None else str(value).strip()
