"""Turns DATABASE_URL into Django's DATABASES entry (SQLite, PostgreSQL or SQL Server); PostgreSQL dates Python cannot hold."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

SUPPORTED_SCHEMES = ("sqlite", "postgres", "postgresql", "mssql")


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be understood; the message is one line for the operator."""


def database_from_url(url, *, base_dir):
    """Return a DATABASES["default"] dict for ``url``.

    sqlite:///relative.sqlite3 (relative to the project folder), sqlite:////abs/path,
    postgres://user:pass@host:port/name, and
    mssql://user:pass@host:port/name?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes
    (any query parameter other than driver goes to the ODBC connection string via
    OPTIONS["extra_params"]).
    """
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port  # raises ValueError for a non-numeric port
    except ValueError as exc:
        raise DatabaseUrlError(f"DATABASE_URL is malformed ({exc})") from None
    if scheme not in SUPPORTED_SCHEMES:
        raise DatabaseUrlError(
            f"DATABASE_URL must start with one of {', '.join(s + '://' for s in SUPPORTED_SCHEMES)}; got {url.split(':', 1)[0]!r}"
        )
    if scheme == "sqlite":
        raw = unquote(parts.path)
        if parts.netloc or not raw.startswith("/") or raw == "/":
            raise DatabaseUrlError("DATABASE_URL for SQLite must look like sqlite:///file.sqlite3 or sqlite:////abs/path")
        path = raw[1:]
        name = path if path.startswith("/") else str(base_dir / path)
        # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers (several gunicorn
        # workers) wait up to ``timeout`` for each other instead of failing at once when a read upgrades to a write.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    name = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not name:
        raise DatabaseUrlError(f"DATABASE_URL for {scheme} needs a host and a database name: {scheme}://user@host:port/name")
    config = {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    query = dict(parse_qsl(parts.query))
    if scheme in ("postgres", "postgresql"):
        config["ENGINE"] = "django.db.backends.postgresql"
        if query:
            config["OPTIONS"] = query
        return config
    # SQL Server through mssql-django; the backend is imported by Django only when it is configured.
    driver = query.pop("driver", "ODBC Driver 18 for SQL Server")
    config["ENGINE"] = "mssql"
    config["OPTIONS"] = {"driver": driver}
    if query:
        config["OPTIONS"]["extra_params"] = ";".join(f"{k}={v}" for k, v in query.items())
    return config


def unreadable_dates_tolerate(sender, connection, **kwargs):
    """On PostgreSQL, read a date or timestamp Python cannot hold (a BC year, 'infinity', after 9999) as the
    smallest or largest one instead of raising (connection_created receiver). One such row, stored before
    ccportal.bounds checked input, otherwise made every page that reads it answer 500 for every user;
    `manage.py check_data` lists it so that it can be corrected."""
    if connection.vendor != "postgresql":
        return
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    adapters = connection.connection.adapters
    for type_name, low, high in (("date", _DATE_LOW, _DATE_HIGH), ("timestamptz", _MOMENT_LOW, _MOMENT_HIGH)):
        oid = adapters.types[type_name].oid
        for fmt in (Format.TEXT, Format.BINARY):
            inner = adapters.get_loader(oid, fmt)
            if inner is None or getattr(inner, "lenient", False):
                continue
            adapters.register_loader(type_name, _lenient_loader(Loader, inner, low, high))


def _lenient_loader(base, inner_class, low, high):
    from psycopg import DataError

    class LenientLoader(base):
        lenient = True
        format = inner_class.format
        timezone = getattr(inner_class, "timezone", None)  # Django compares it to choose its own loader

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.inner = inner_class(oid, context)

        def load(self, data):
            try:
                return self.inner.load(data)
            except DataError:
                raw = bytes(data)
                small = raw.endswith(b"BC") or raw.startswith(b"-") or (self.format == 1 and raw[:1] >= b"\x80")
                value = low if small else high
                return value if self.timezone is None or not hasattr(value, "tzinfo") else value.astimezone(self.timezone)

    return LenientLoader


_DATE_LOW, _DATE_HIGH = date.min, date.max
# A day inside the ends, so that showing them in Africa/Maseru (UTC+2) cannot overflow.
_MOMENT_LOW = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_MOMENT_HIGH = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
