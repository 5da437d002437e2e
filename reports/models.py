"""Report-side tables: daily site generation readings (for generation vs consumption) and the readings rollup."""

from django.db import models
from simple_history.models import HistoricalRecords

from ccportal import bounds
from ccportal.data_quality import PlausibleRangesModel
from customers.models import Site


class SiteGeneration(PlausibleRangesModel, models.Model):
    """kWh a site's plant generated on one day (Africa/Maseru), imported from the site's generation export."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="generation", db_column="site_code")
    day = models.DateField()
    kwh_generated = models.DecimalField("kWh generated", max_digits=14, decimal_places=3)
    source = models.CharField(max_length=200, blank=True, default="", help_text="File or system the figure came from.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    plausible_ranges = {"day": bounds.EVENT, "kwh_generated": bounds.GENERATION_KWH}

    class Meta:
        db_table = "cc_site_generation"
        ordering = ["site", "-day"]
        verbose_name = "site generation (day)"
        verbose_name_plural = "site generation (days)"
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="cc_site_generation_one_per_day"),
            models.CheckConstraint(condition=models.Q(kwh_generated__gte=0), name="cc_site_generation_not_negative"),
        ]

    def __str__(self):
        return f"{self.site_id} {self.day:%Y-%m-%d}: {self.kwh_generated} kWh"


class ReadingHour(models.Model):
    """`tblmeterdata1` summed per meter, site, month and hour of day (Africa/Maseru): load profiles and metered
    energy read these cells (a few hundred thousand at 100x today's data) instead of every 10-minute reading.
    Derived, kept by reports.rollup. `meter` is the reading's meter serial; readings may name meters missing
    from tblmeter, hence no database constraint."""

    meter = models.ForeignKey(
        "customers.Meter", on_delete=models.DO_NOTHING, db_constraint=False, db_column="meterid", related_name="+"
    )
    community = models.CharField(max_length=50, blank=True, default="")
    month = models.DateField(help_text="first day of the month, Africa/Maseru")
    hour = models.PositiveSmallIntegerField()
    readings = models.BigIntegerField(default=0)
    kw_sum = models.DecimalField(max_digits=24, decimal_places=4, default=0)

    plausible_ranges = {"month": None}  # derived from the readings, which are checked

    class Meta:
        db_table = "cc_reading_hour"
        ordering = ["meter_id", "month", "hour"]  # not "meter": ordering by it would join, dropping unknown meters
        verbose_name = "reading hour (derived)"
        constraints = [models.UniqueConstraint(fields=["meter", "community", "month", "hour"], name="cc_reading_hour_key")]
        indexes = [models.Index(fields=["month", "community"], name="cc_reading_hour_month")]

    def __str__(self):
        return f"{self.meter_id} {self.month:%Y-%m} {self.hour:02d}h: {self.readings} readings"


class _TypedCell(models.Model):
    customer_type = models.CharField(max_length=20, help_text="meter type, else customer type, else Unknown")

    class Meta:
        abstract = True


class LedgerTypeQuarter(_TypedCell):
    """Payment rows summed per customer type (the account's meter type, else its customer's type) and quarter: the
    load curves by type read these few cells. Derived from LedgerAccountQuarter by reports.rollup, moved between
    types when a meter's or customer's type (or an account's meter or customer) changes."""

    quarter = models.DateField(help_text="first day of the quarter, Africa/Maseru")
    payments = models.BigIntegerField(default=0)
    kwh = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lsl = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        db_table = "cc_ledger_type_quarter"
        ordering = ["customer_type", "quarter"]
        verbose_name = "ledger type quarter (derived)"
        constraints = [models.UniqueConstraint(fields=["customer_type", "quarter"], name="cc_ledger_type_quarter_key")]


class LedgerTypeCustomerQuarter(_TypedCell):
    """Payment rows counted per customer type, quarter and customer: the customers with payments of a type in a
    quarter are the cells of that quarter (distinct counts cannot be summed from per-quarter counts, hence the
    customer in the key). Derived like LedgerTypeQuarter."""

    quarter = models.DateField(help_text="first day of the quarter, Africa/Maseru")
    customer_id = models.IntegerField()
    payments = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cc_ledger_type_customer_quarter"
        ordering = ["quarter", "customer_type", "customer_id"]
        verbose_name = "ledger type customer quarter (derived)"
        constraints = [models.UniqueConstraint(fields=["quarter", "customer_type", "customer_id"], name="cc_ledger_tcq_key")]


class LedgerTypeCustomer(_TypedCell):
    """Payment rows counted per customer type and customer over all time: the customers with payments of a type."""

    customer_id = models.IntegerField()
    payments = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cc_ledger_type_customer"
        ordering = ["customer_type", "customer_id"]
        verbose_name = "ledger type customer (derived)"
        constraints = [models.UniqueConstraint(fields=["customer_type", "customer_id"], name="cc_ledger_tc_key")]
        indexes = [models.Index(fields=["customer_type", "payments"], name="cc_ledger_tc_count")]


class AccountTypeCount(_TypedCell):
    """Accounts of tblaccountnumbers counted per customer type (the account's meter type, else its customer's type):
    the O&M report's typed accounts read these few cells instead of joining every account to its meter and customer.
    Kept by reports.rollup's TypeMoves, in the transaction that adds, moves or removes an account or changes a type."""

    accounts = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cc_account_type_count"
        ordering = ["customer_type"]
        verbose_name = "account type count (derived)"
        constraints = [models.UniqueConstraint(fields=["customer_type"], name="cc_account_type_key")]


class ReadingTypeHour(_TypedCell):
    """Readings summed per meter type (the meter's type, else its customer's type), site, month and hour of day: the
    daily load profiles read these cells. Derived from ReadingHour by reports.rollup (readings of meters missing
    from tblmeter are left out), moved when a meter's or its customer's type changes."""

    community = models.CharField(max_length=50, blank=True, default="")
    month = models.DateField(help_text="first day of the month, Africa/Maseru")
    hour = models.PositiveSmallIntegerField()
    readings = models.BigIntegerField(default=0)
    kw_sum = models.DecimalField(max_digits=24, decimal_places=4, default=0)

    class Meta:
        db_table = "cc_reading_type_hour"
        ordering = ["customer_type", "community", "month", "hour"]
        verbose_name = "reading type hour (derived)"
        constraints = [
            models.UniqueConstraint(fields=["customer_type", "community", "month", "hour"], name="cc_reading_type_hour_key")
        ]


class ReadingTypeMeter(_TypedCell):
    """Readings counted per meter type, site, month and meter: the meters of a type with readings."""

    community = models.CharField(max_length=50, blank=True, default="")
    month = models.DateField(help_text="first day of the month, Africa/Maseru")
    meter_id = models.CharField(max_length=50)
    readings = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cc_reading_type_meter"
        ordering = ["customer_type", "community", "month", "meter_id"]
        verbose_name = "reading type meter (derived)"
        constraints = [
            models.UniqueConstraint(fields=["customer_type", "community", "month", "meter_id"], name="cc_reading_type_meter_key")
        ]
