"""The ledger (`tblaccounthistory1`), the legacy global rate (`tblconfig`) and the tariff schedule."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ccportal import bounds
from ccportal.data_quality import PlausibleRangesModel
from ccportal.display import date_text, datetime_text

MONEY = {"max_digits": 14, "decimal_places": 2}
ENERGY = {"max_digits": 14, "decimal_places": 3}
RATE = {"max_digits": 10, "decimal_places": 4}


class AccountHistory(PlausibleRangesModel, models.Model):
    """`tblaccounthistory1`: one ledger row. Payments (vends) add kWh; consumption rows (payment false) carry
    negative kWh. `current balance` is the account's kWh balance after this row.

    `accountnumber` is deliberately not a foreign key: legacy rows may name accounts that have no
    `tblaccountnumbers` row, and they are kept."""

    id = models.AutoField(primary_key=True, db_column="ID")
    accountnumber = models.CharField(max_length=10, db_column="accountnumber")
    meterid = models.CharField(max_length=50, blank=True, default="", db_column="meterid")
    transaction_date = models.DateTimeField(db_column="transaction date", db_index=True)
    transaction_amount = models.DecimalField(**MONEY, default=0, db_column="transaction amount")
    rate_used = models.DecimalField(**RATE, null=True, blank=True, db_column="rate used")
    kwh_value = models.DecimalField(**ENERGY, default=0, db_column="kwh value")
    payment = models.BooleanField(default=False, db_column="payment")
    current_balance = models.DecimalField(**ENERGY, null=True, blank=True, db_column="current balance")

    history = HistoricalRecords()

    plausible_ranges = {  # ccportal.bounds, checked by `manage.py check_data`
        "transaction_date": bounds.EVENT,
        "transaction_amount": bounds.MONEY_SIGNED,
        "rate_used": bounds.RATE_OR_ZERO,
        "kwh_value": bounds.KWH_SIGNED,
    }

    class Meta:
        db_table = "tblaccounthistory1"
        ordering = ["-transaction_date", "-id"]
        verbose_name = "ledger row"
        indexes = [
            models.Index(fields=["payment", "transaction_date"], name="tblah1_payment_date"),
            # Customer Data and the balance carried forward read an account's newest rows first.
            models.Index(fields=["accountnumber", "-transaction_date", "-id"], name="tblah1_account_recent"),
            # Reports by period over payment rows only (SPEC §4 sales and energy): index-only on PostgreSQL and
            # SQL Server (INCLUDE); a plain partial index elsewhere.
            models.Index(
                fields=["transaction_date"],
                include=["accountnumber", "kwh_value", "transaction_amount"],
                condition=models.Q(payment=True),
                name="tblah1_payments",
            ),
        ]

    def __str__(self):
        kind = "payment" if self.payment else "consumption"
        return f"{self.accountnumber} {date_text(self.transaction_date)} {kind} {self.transaction_amount}"

    @property
    def site_code(self):
        return self.accountnumber[-3:].upper()


class LedgerMonth(models.Model):
    """The ledger summed per site, local month (Africa/Maseru) and kind (payment or consumption row).

    A derived table, not ACDB's: reports read ~15 sites x a few hundred months here instead of millions of
    ledger rows. billing.rollup keeps it equal to the ledger in the same transaction as every ledger write
    (signals for single rows, explicit calls for bulk paths) and rebuilds it (`manage.py ledger_rollup`)."""

    site_code = models.CharField(max_length=3)
    month = models.DateField(help_text="first day of the month, Africa/Maseru")
    payment = models.BooleanField()
    row_count = models.BigIntegerField(default=0)
    kwh = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lsl = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    plausible_ranges = {"month": None}  # derived from the ledger, which is checked

    class Meta:
        db_table = "cc_ledger_month"
        ordering = ["site_code", "month", "payment"]
        verbose_name = "ledger month (derived)"
        constraints = [models.UniqueConstraint(fields=["site_code", "month", "payment"], name="cc_ledger_month_key")]
        indexes = [models.Index(fields=["month", "payment"], name="cc_ledger_month_time")]

    def __str__(self):
        kind = "payments" if self.payment else "consumption"
        return f"{self.site_code} {self.month:%Y-%m} {kind}: {self.kwh} kWh, M {self.lsl} ({self.row_count} rows)"


class LedgerAccountQuarter(models.Model):
    """Payment rows of the ledger summed per account and quarter (Africa/Maseru): the reports by customer type
    join these ~10x fewer cells to the account's meter and customer instead of every payment. Derived, like
    LedgerMonth, and kept by billing.rollup. `account` is the row's account number; legacy ledger rows may name
    accounts that have no tblaccountnumbers row, hence no database constraint."""

    account = models.ForeignKey(
        "customers.AccountNumber", on_delete=models.DO_NOTHING, db_constraint=False, db_column="accountnumber", related_name="+"
    )
    quarter = models.DateField(help_text="first day of the quarter, Africa/Maseru")
    payments = models.BigIntegerField(default=0)
    kwh = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lsl = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    plausible_ranges = {"quarter": None}  # derived from the ledger, which is checked

    class Meta:
        db_table = "cc_ledger_account_quarter"
        ordering = ["account_id", "quarter"]  # not "account": ordering by it would join, dropping legacy rows
        verbose_name = "ledger account quarter (derived)"
        constraints = [models.UniqueConstraint(fields=["account", "quarter"], name="cc_ledger_account_quarter_key")]
        indexes = [models.Index(fields=["quarter"], name="cc_ledger_acctq_quarter")]

    def __str__(self):
        return f"{self.account_id} {self.quarter}: {self.kwh} kWh, M {self.lsl} ({self.payments} payments)"


class Config(PlausibleRangesModel, models.Model):
    """`tblconfig`: legacy single-row configuration; `therate` mirrors the global tariff in force."""

    id = models.AutoField(primary_key=True, db_column="ID")
    therate = models.DecimalField(**RATE, db_column="therate")

    history = HistoricalRecords()

    plausible_ranges = {"therate": bounds.RATE_OR_ZERO}

    class Meta:
        db_table = "tblconfig"
        verbose_name = "legacy configuration"

    def __str__(self):
        return f"therate = {self.therate}"


class TariffRate(PlausibleRangesModel, models.Model):
    """One rate in the tariff schedule. The rate for an account at a moment is the latest effective
    customer rate, else site rate, else global rate (see billing.selectors.tariff_rate_for)."""

    class Scope(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        SITE = "site", "Site"
        GLOBAL = "global", "Global"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    # Customer ID (as text) for customer scope, site code for site scope, "" for global.
    scope_key = models.CharField(max_length=20, blank=True, default="")
    rate_lsl = models.DecimalField("rate (LSL/kWh)", **RATE)
    effective_from = models.DateTimeField()
    # An ended rate stops applying at this moment (the next rate down the cascade takes over).
    effective_to = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    plausible_ranges = {"rate_lsl": bounds.RATE}

    class Meta:
        db_table = "cc_tariff_rate"
        ordering = ["scope", "scope_key", "-effective_from"]
        indexes = [models.Index(fields=["scope", "scope_key", "effective_from"], name="cc_tariff_lookup")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate_lsl__gt=0), name="cc_tariff_rate_positive"),
            models.UniqueConstraint(fields=["scope", "scope_key", "effective_from"], name="cc_tariff_unique_start"),
        ]

    def __str__(self):
        key = f" {self.scope_key}" if self.scope_key else ""
        return f"{self.scope}{key}: {self.rate_lsl} LSL/kWh from {datetime_text(self.effective_from)}"


class Provider(models.TextChoices):
    MPESA = "mpesa", "M-Pesa"
    ECOCASH = "ecocash", "EcoCash"


class PaymentImport(models.Model):
    """One uploaded mobile-money statement: previewed first, then confirmed (posted) as a whole."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Previewed, not posted"
        POSTING = "posting", "Being posted"
        POSTED = "posted", "Posted"

    provider = models.CharField(max_length=10, choices=Provider.choices)
    filename = models.CharField(max_length=255)
    # Kept in private storage (MEDIA_ROOT, never served) between preview and confirm.
    statement = models.FileField(upload_to="payment-imports/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    posted_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    ignored_count = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_payment_import"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_provider_display()} {self.filename} ({self.get_status_display()})"


class IncomingSms(models.Model):
    """A confirmation SMS the company's gateway forwarded to the payment intake (`POST /api/payments/incoming`),
    kept verbatim whatever became of it. `gateway_id` is unique: the same SMS is never taken twice."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        WAITING = "waiting", "Waiting in the unmatched queue"
        DUPLICATE = "duplicate", "Already received"
        IGNORED = "ignored", "Not a payment"
        UNREADABLE = "unreadable", "Unreadable"
        DISMISSED = "dismissed", "Dismissed by a person"

    gateway_id = models.CharField(max_length=100, unique=True)
    sender = models.CharField(max_length=40)
    text = models.TextField()
    received_at = models.DateTimeField(help_text="when the gateway received the SMS (its own clock)")
    arrived_at = models.DateTimeField(auto_now_add=True, db_index=True)
    provider = models.CharField(max_length=10, choices=Provider.choices, blank=True, default="")
    template = models.CharField(max_length=60, blank=True, default="", help_text="the layout that read it")
    status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    note = models.CharField(max_length=255, blank=True, default="")
    # Who decided an unreadable or ignored text (posted it by hand or dismissed it), and when.
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_incoming_sms"
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["status", "arrived_at"], name="cc_insms_status_time")]
        verbose_name = "incoming payment SMS"
        verbose_name_plural = "incoming payment SMS"

    def __str__(self):
        return f"SMS {self.gateway_id} from {self.sender} ({self.status or 'received'})"


class ImportedPayment(PlausibleRangesModel, models.Model):
    """One payment from a statement row or an intake SMS, and its fate. A receipt is posted once, ever:
    (provider, receipt) is unique among every row that is not itself a duplicate of an earlier one, whichever
    way it came."""

    class Source(models.TextChoices):
        STATEMENT = "statement", "Statement"
        INTAKE = "intake", "Payment intake (SMS)"

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        UNMATCHED = "unmatched", "Unmatched"
        DISMISSED = "dismissed", "Dismissed"
        DUPLICATE = "duplicate", "Duplicate"
        IGNORED = "ignored", "Ignored"

    class Match(models.TextChoices):
        ACCOUNT = "account", "Account number in the details"
        PHONE = "phone", "Payer phone"
        MANUAL = "manual", "Assigned by a person"
        NONE = "", "None"

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STATEMENT)
    payment_import = models.ForeignKey(PaymentImport, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    incoming_sms = models.OneToOneField(IncomingSms, null=True, blank=True, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    receipt = models.CharField(max_length=40)
    row_number = models.PositiveIntegerField()
    paid_at = models.DateTimeField()
    amount = models.DecimalField(**MONEY)
    payer_phone = models.CharField(max_length=20, blank=True, default="", db_index=True)
    payer_name = models.CharField(max_length=150, blank=True, default="")
    details = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices)
    match_method = models.CharField(max_length=10, choices=Match.choices, blank=True, default="")
    accountnumber = models.CharField(max_length=10, blank=True, default="", db_index=True)
    ledger_row = models.ForeignKey(
        AccountHistory, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_payments"
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    note = models.CharField(max_length=255, blank=True, default="")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    plausible_ranges = {"paid_at": bounds.EVENT, "amount": bounds.MONEY_SIGNED}

    class Meta:
        db_table = "cc_imported_payment"
        ordering = ["-paid_at", "-id"]
        indexes = [
            models.Index(fields=["receipt"], name="cc_impay_receipt"),
            models.Index(fields=["status", "paid_at"], name="cc_impay_status_time"),
            models.Index(fields=["amount", "paid_at"], name="cc_impay_amount_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "receipt"], condition=~models.Q(status="duplicate"), name="cc_impay_receipt_once"
            ),
            models.CheckConstraint(
                condition=models.Q(source="statement", payment_import__isnull=False)
                | models.Q(source="intake", incoming_sms__isnull=False),
                name="cc_impay_source_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} {self.receipt} M {self.amount} ({self.get_status_display()})"
