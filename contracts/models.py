"""Commissioning records and contract versions: who commissioned whom, and every contract PDF ever issued."""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ccportal import bounds
from ccportal.data_quality import PlausibleRangesModel
from ccportal.display import date_text
from customers.models import AccountNumber, Customer, CustomerType, Meter

# No location given: it follows settings.MEDIA_ROOT (tests move it). Never served as a URL: the files are
# read only by contracts.views, after a login or a signed link.
_PRIVATE_STORAGE = FileSystemStorage()


def private_storage():
    return _PRIVATE_STORAGE


def _signature_path(instance, filename):
    return f"signatures/{instance.customer.site_code or 'XXX'}/{uuid.uuid4().hex}.png"


def _provider_signature_path(instance, filename):
    return f"signatures/provider/{uuid.uuid4().hex}.png"


def _contract_path(instance, filename):
    # Unguessable and never reused: a new version is a new file, an old file is never overwritten.
    return f"contracts/{instance.account.site_code}/{instance.account.accountnumber}/{uuid.uuid4().hex}-{instance.language}.pdf"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SESOTHO = "st", "Sesotho"


class Commissioning(PlausibleRangesModel, models.Model):
    """One commissioning of a customer's account: the details confirmed on site and the customer's signature."""

    class Phase(models.TextChoices):
        SINGLE = "Single", "Single-phase"
        THREE = "Three", "Three-phase"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="commissionings")
    account = models.ForeignKey(AccountNumber, on_delete=models.PROTECT, related_name="commissionings")
    meter = models.ForeignKey(Meter, null=True, blank=True, on_delete=models.PROTECT, related_name="commissionings")
    commissioned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commissioned_at = models.DateTimeField(default=timezone.now, db_index=True)

    connection_date = models.DateField()
    customer_type = models.CharField(max_length=20, choices=CustomerType.choices)
    national_id = models.CharField("national ID", max_length=50)
    phone = models.CharField(max_length=20)
    gps_lat = models.DecimalField("latitude", max_digits=9, decimal_places=6, null=True, blank=True)
    gps_lng = models.DecimalField("longitude", max_digits=9, decimal_places=6, null=True, blank=True)
    service_phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.SINGLE)
    ampacity = models.CharField(max_length=30, default="Standard")
    tariff_rate_lsl = models.DecimalField("tariff (LSL/kWh)", max_digits=10, decimal_places=4)
    tariff_source = models.CharField(max_length=20, blank=True, default="")

    signature = models.FileField(storage=private_storage, upload_to=_signature_path, max_length=200)
    signature_sha256 = models.CharField(max_length=64)

    # The form's one-time key: a second submit of the same form returns the first commissioning.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    plausible_ranges = {"gps_lat": bounds.LATITUDE, "gps_lng": bounds.LONGITUDE, "tariff_rate_lsl": bounds.RATE}

    class Meta:
        db_table = "cc_commissioning"
        ordering = ["-commissioned_at", "-id"]
        verbose_name = "commissioning"

    def __str__(self):
        return f"{self.account_id} commissioned {date_text(self.commissioned_at)}"


class ContractVersion(models.Model):
    """One issued contract PDF. Versions are numbered per account and language and never overwritten."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contract_versions")
    account = models.ForeignKey(AccountNumber, on_delete=models.PROTECT, related_name="contract_versions")
    commissioning = models.ForeignKey(
        Commissioning, null=True, blank=True, on_delete=models.PROTECT, related_name="contract_versions"
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    version = models.PositiveIntegerField()
    file = models.FileField(storage=private_storage, upload_to=_contract_path, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    tariff_rate_lsl = models.DecimalField("tariff (LSL/kWh)", max_digits=10, decimal_places=4)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_contract_version"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "language", "version"], name="cc_contract_version_unique"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.language} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A contract version is never changed: issue a new version instead.")
        super().save(*args, **kwargs)

    @property
    def download_name(self):
        return f"{self.account_id}-contract-{self.language}-v{self.version}.pdf"


class ProviderSignatory(models.Model):
    """Who signs every contract for the company (one row, set by a superadmin): name, capacity, signature."""

    name = models.CharField(max_length=120)
    title = models.CharField("capacity (English)", max_length=120)
    title_st = models.CharField("capacity (Sesotho)", max_length=120)
    signature = models.FileField(storage=private_storage, upload_to=_provider_signature_path, max_length=200)
    signature_sha256 = models.CharField("signature SHA-256", max_length=64)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_provider_signatory"
        verbose_name = "provider signatory"

    def __str__(self):
        return f"{self.name}, {self.title}"
