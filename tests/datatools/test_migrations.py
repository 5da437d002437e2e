"""A database migrated at the head before the data tools had their own app (main at 88b5e79) migrates forward
with no data change: the moved models (ImportRun: ccportal -> datatools; CustomerTally: reports -> customers)
keep their tables and rows, and their content types follow them."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The leaf migrations of 88b5e79 that differ from today's: ImportRun was still ccportal's, CustomerTally still
# reports', datatools did not exist. Every other app's leaf is today's.
OLD_LEAVES = {"ccportal": "0001_initial", "customers": "0004_cell_phone_2_index", "reports": "0003_reading_hour"}
NEW_APPS = {"datatools"}

# Rows are written with the historical models, which no rollup signal follows.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.skip_rollup_check]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _new_head():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_head():
    return [(app, OLD_LEAVES.get(app, name)) for app, name in _new_head() if app not in NEW_APPS]


@pytest.fixture
def old_apps():
    """The historical models of a database at the old head; the database is back at today's head afterwards."""
    executor = _migrate(_old_head() + [(app, None) for app in NEW_APPS])
    yield executor.loader.project_state(_old_head()).apps
    _migrate(_new_head())


def test_import_runs_written_at_the_old_head_are_read_after_migrating(old_apps):
    OldImportRun = old_apps.get_model("ccportal", "ImportRun")
    OldEmployee = old_apps.get_model("accounts", "Employee")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    assert OldImportRun._meta.db_table == "cc_import_run"
    assert not any(model._meta.app_label == "datatools" for model in old_apps.get_models())
    ContentType.objects.get_or_create(app_label="ccportal", model="importrun")
    employee = OldEmployee.objects.create(employee_id="7001", name="Palesa Mokoena", role="superadmin")
    written = [
        OldImportRun.objects.create(
            started_by_id=employee.pk,
            source="/srv/acdb/live.accdb",
            source_label="configured",
            status="succeeded",
            progress_table="tblcustomer",
            progress_rows=1234,
            counts={"tblcustomer": {"new": 3, "updated": 1, "unchanged": 0, "rejected": 1}},
            errors=[{"table": "tblcustomer", "row": "45", "reason": "no name"}],
            message="done",
        ),
        OldImportRun.objects.create(source="upload.accdb", dry_run=True, status="refused", message="not an ACDB"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cc_import_run ORDER BY id")
        before = cursor.fetchall()

    _migrate(_new_head())

    from django.contrib.contenttypes.models import ContentType as LiveContentType

    from datatools.models import ImportRun

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cc_import_run ORDER BY id")
        after = cursor.fetchall()
    width = len(before[0])  # columns added since (the run's job) come after, empty
    assert [row[:width] for row in after] == before and all(set(row[width:]) <= {None} for row in after)
    runs = {run.pk: run for run in ImportRun.objects.select_related("started_by")}
    assert set(runs) == {run.pk for run in written}
    first, second = runs[written[0].pk], runs[written[1].pk]
    assert first.started_by.employee_id == "7001" and first.rejected_total == 1 and first.progress_rows == 1234
    assert first.errors == [{"table": "tblcustomer", "row": "45", "reason": "no name"}]
    assert second.dry_run and second.status == ImportRun.Status.REFUSED and second.started_by is None
    assert LiveContentType.objects.get_for_model(ImportRun).app_label == "datatools"
    assert not LiveContentType.objects.filter(app_label="ccportal", model="importrun").exists()


def test_customer_tally_cells_written_at_the_old_head_are_read_after_migrating(old_apps):
    OldTally = old_apps.get_model("reports", "CustomerTally")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    assert OldTally._meta.db_table == "cc_customer_tally"
    assert "customertally" not in {model._meta.model_name for model in old_apps.get_app_config("customers").get_models()}
    ContentType.objects.get_or_create(app_label="reports", model="customertally")
    OldTally.objects.create(site_code="MAK", connected_quarter=date(2024, 1, 1), terminated_on=date.max, customers=41)
    OldTally.objects.create(site_code="", connected_quarter=date.max, terminated_on=date(2025, 3, 9), customers=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cc_customer_tally ORDER BY id")
        before = cursor.fetchall()

    _migrate(_new_head())

    from django.contrib.contenttypes.models import ContentType as LiveContentType

    from customers.models import CustomerTally
    from customers.rollup import NOT_YET, customers_sum

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cc_customer_tally ORDER BY id")
        assert cursor.fetchall() == before
    assert CustomerTally.objects.aggregate(n=customers_sum())["n"] == 43
    assert CustomerTally.objects.get(site_code="MAK").terminated_on == NOT_YET
    assert LiveContentType.objects.get_for_model(CustomerTally).app_label == "customers"
    assert not LiveContentType.objects.filter(app_label="reports", model="customertally").exists()
