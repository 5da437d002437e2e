"""Sync: a superadmin starts an ACDB import from an upload or the configured source; runs are listed."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from datatools.acdb.runs import import_run_create, import_run_start
from datatools.models import ImportRun
from tests.datatools.acdb_source import build_acdb

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "access"


@pytest.fixture
def inline(settings):
    settings.CC_SYNC_INLINE = True
    return settings


@pytest.fixture
def acdb(tmp_path):
    return build_acdb(tmp_path / "acdb.sqlite3")


def access_upload(name="ASampleDatabase.accdb"):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="application/octet-stream")


def test_only_a_superadmin_may_sync(onm_client, finance_client, generic_client, admin_client):
    url = reverse("datatools:sync")
    for client in (onm_client, finance_client, generic_client):
        assert client.get(url).status_code == 403
        assert client.post(url, {"source": "upload"}).status_code == 403
    assert admin_client.get(url).status_code == 200


def test_the_configured_source_imports(inline, acdb, admin_client, superadmin):
    inline.CC_ACDB_SOURCE = acdb
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"}, follow=True)
    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.SUCCEEDED and run.started_by == superadmin
    assert Customer.objects.count() == 3
    assert b"tblcustomer" in response.content and b"Import #" in response.content


def test_a_dry_run_saves_nothing(inline, acdb, admin_client):
    inline.CC_ACDB_SOURCE = acdb
    admin_client.post(reverse("datatools:sync"), {"source": "configured", "dry_run": "on"})
    run = ImportRun.objects.get()
    assert run.dry_run and run.counts["tblcustomer"]["new"] == 3
    assert not Customer.objects.exists()


def test_an_uploaded_access_file_that_is_not_an_acdb_is_refused_and_removed(inline, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = admin_client.post(reverse("datatools:sync"), {"source": "upload", "file": access_upload()}, follow=True)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and "not an ACDB" in run.message
    assert run.source_label == "ASampleDatabase.accdb"
    assert b"not an ACDB" in response.content
    assert list((tmp_path / "acdb-uploads").iterdir()) == []


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("notes.txt", b"hello"), b"Only Access files"),
        (SimpleUploadedFile("fake.accdb", b"\x00\x01\x00\x00Not an Access file at all"), b"not an Access database"),
        (None, b"Choose an .accdb or .mdb file"),
    ],
)
def test_bad_uploads_re_render_with_errors(upload, message, inline, admin_client):
    data = {"source": "upload"}
    if upload is not None:
        data["file"] = upload
    response = admin_client.post(reverse("datatools:sync"), data)
    assert response.status_code == 200 and message in response.content
    assert not ImportRun.objects.exists()


def test_uploads_over_the_limit_are_refused(inline, admin_client, settings):
    settings.CC_ACDB_UPLOAD_MAX_MB = 0
    response = admin_client.post(reverse("datatools:sync"), {"source": "upload", "file": access_upload()})
    assert b"larger than" in response.content and not ImportRun.objects.exists()


def test_the_configured_option_needs_a_configured_source(inline, admin_client, settings):
    settings.CC_ACDB_SOURCE = ""
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"})
    assert response.status_code == 200 and not ImportRun.objects.exists()


def test_one_import_at_a_time(admin_client, superadmin, acdb, settings):
    settings.CC_ACDB_SOURCE = acdb
    import_run_create(source=acdb, by=superadmin)  # queued, not finished
    response = admin_client.post(reverse("datatools:sync"), {"source": "configured"}, follow=True)
    assert b"already running" in response.content and ImportRun.objects.count() == 1


def test_the_run_partial_polls_while_active_and_stops_when_done(admin_client, superadmin, acdb, inline):
    run = import_run_create(source=acdb, by=superadmin)
    url = reverse("datatools:sync_run", args=[run.pk])
    assert b'hx-trigger="every 2s"' in admin_client.get(url).content
    import_run_start(run, source=acdb)
    done = admin_client.get(url)
    assert b"every 2s" not in done.content and b"Succeeded" in done.content
    assert admin_client.get(reverse("datatools:sync_run", args=[9999])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_a_background_thread(acdb, make_employee):
    from accounts.models import Role

    employee = make_employee(Role.SUPERADMIN, employee_id="9101")
    run = import_run_create(source=acdb, by=employee)
    thread = import_run_start(run, source=acdb)
    thread.join(timeout=60)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.counts["tblcustomer"]["new"] == 3


def test_a_run_cut_off_by_a_restart_is_marked_failed(admin_client, superadmin, acdb):
    from datetime import timedelta

    from django.utils import timezone

    run = import_run_create(source=acdb, by=superadmin)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, created_at=timezone.now() - timedelta(days=1))
    response = admin_client.get(reverse("datatools:sync"))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and b"Interrupted" in response.content
    assert response.context["active"] is None
