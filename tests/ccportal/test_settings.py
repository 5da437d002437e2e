"""Start-up configuration: DATABASE_URL parsing and the refusals that keep production safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccportal.database import DatabaseUrlError, database_from_url

BASE = Path(__file__).resolve().parents[2]


def test_it_defaults_sqlite_to_the_project_folder():
    config = database_from_url("sqlite:///db.sqlite3", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(BASE / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"  # concurrent writers wait for each other


def test_it_reads_postgres_urls():
    config = database_from_url("postgres://postgres:s%40cret@127.0.0.1:5432/cc", base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "postgres",
        "s@cret",
        "127.0.0.1",
        "5432",
        "cc",
    )


def test_it_reads_mssql_urls_with_driver_options():
    config = database_from_url(
        "mssql://sa:pw@db.local:1433/ACDB?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes", base_dir=BASE
    )
    assert config["ENGINE"] == "mssql"
    assert config["OPTIONS"] == {"driver": "ODBC Driver 18 for SQL Server", "extra_params": "TrustServerCertificate=yes"}


@pytest.mark.parametrize(
    "url", ["mysql://x@h/db", "postgres://h:notaport/db", "postgres://host-only", "sqlite://relative", "nonsense"]
)
def test_it_refuses_malformed_urls(url):
    with pytest.raises(DatabaseUrlError) as exc:
        database_from_url(url, base_dir=BASE)
    assert "DATABASE_URL" in str(exc.value) and "\n" not in str(exc.value)


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_it_stops_start_up_on_a_malformed_database_url_with_one_line():
    result = _manage("check", DATABASE_URL="postgres://:bad@/", DEBUG="true")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "DATABASE_URL" in result.stderr


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check")
    assert result.returncode == 1 and "SECRET_KEY" in result.stderr
