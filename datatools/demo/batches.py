"""The demo's rows written in batches: COPY on PostgreSQL (psycopg 3), a portable executemany INSERT elsewhere."""

from django.db import connection

BATCH = 20000


class Table:
    """Rows (tuples of database-ready values, in ``fields`` order) for one table, written in batches:
    COPY on PostgreSQL, a portable executemany INSERT elsewhere (SQLite, SQL Server)."""

    def __init__(self, model, fields, *, use_copy):
        self.model = model
        self.columns = [model._meta.get_field(name).column for name in fields]
        self.rows = []
        self.written = 0
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        column_list = ", ".join(quote(column) for column in self.columns)
        self.copy_sql = f"COPY {table} ({column_list}) FROM STDIN" if use_copy else None
        self.insert_sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(self.columns))})"

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.copy_sql:
                # COPY's text format, built here: every value is already text with no tab, newline or
                # backslash in it (NULL is already "\\N"), and str(True) is a valid boolean.
                text = "\n".join(["\t".join(map(str, row)) for row in self.rows]) + "\n"
                with cursor.cursor.copy(self.copy_sql) as copy:
                    copy.write(text.encode())
            else:
                cursor.executemany(self.insert_sql, self.rows)
        self.written += len(self.rows)
        self.rows = []


def can_copy():
    """PostgreSQL through psycopg 3 takes COPY FROM STDIN; every other database (or psycopg2) gets INSERTs."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return type(connection.connection).__module__.split(".")[0] == "psycopg"
