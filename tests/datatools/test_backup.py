"""Backup and restore: the data and the private files come back exactly; a bad archive is refused."""

import io
import tarfile

import pytest
from django.core.management import CommandError, call_command

from billing.models import AccountHistory
from customers.models import AccountNumber, Customer, Site
from customers.sites import SITES


@pytest.fixture
def private_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "contracts").mkdir(parents=True)
    (settings.MEDIA_ROOT / "contracts" / "0001MAK-en-v1.pdf").write_bytes(b"%PDF-1.7 contract bytes")
    return settings.MEDIA_ROOT


def _flush_portal_data():
    for model in [AccountHistory, AccountNumber]:
        model.objects.all().delete()
    from customers.models import Meter, MeterReading

    MeterReading.objects.all().delete()
    Meter.objects.all().delete()
    Customer.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_and_restores_data_and_files(tmp_path, private_root):
    # Transactional tests flush the tables, data-migration rows included: put the sites back.
    for code, name, district, kind in SITES:
        Site.objects.update_or_create(code=code, defaults={"name": name, "district": district, "kind": kind})
    call_command("seed_demo", "--scale", "0.02", "--today", "2026-06-30", stdout=io.StringIO())
    before = (
        Customer.objects.count(),
        AccountHistory.objects.count(),
        list(AccountHistory.objects.order_by("id").values_list("id", "current_balance")[:50]),
    )
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    call_command("flush", "--noinput", verbosity=0)
    (private_root / "contracts" / "0001MAK-en-v1.pdf").unlink()
    assert Customer.objects.count() == 0

    call_command("restore", str(archive), stdout=io.StringIO())
    after = (
        Customer.objects.count(),
        AccountHistory.objects.count(),
        list(AccountHistory.objects.order_by("id").values_list("id", "current_balance")[:50]),
    )
    assert after == before
    assert (private_root / "contracts" / "0001MAK-en-v1.pdf").read_bytes() == b"%PDF-1.7 contract bytes"
    # New rows after a restore get fresh ids (sequences were reset).
    customer = Customer.objects.create(first_name="After", site_code="MAK")
    assert customer.pk > max(c for c in Customer.objects.exclude(pk=customer.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_it_refuses_a_non_backup_and_a_tampered_one(tmp_path, private_root):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a readable"):
        call_command("restore", str(junk))
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "data.json":
                data = data.replace(b"Ha Makebe", b"Ha Tampered")
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(tampered), "--force")
