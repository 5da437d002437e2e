"""Customer messages: the outbox (one row per SMS, with its fate), customers' message preferences, the message
templates per kind and language, and the low-balance alert rules and per-account alert state."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

ENERGY = {"max_digits": 14, "decimal_places": 3}


class Language(models.TextChoices):
    SESOTHO = "st", "Sesotho"
    ENGLISH = "en", "English"


class Kind(models.TextChoices):
    RECEIPT = "receipt", "Payment receipt"
    LOW_BALANCE = "low_balance", "Low balance"
    CONTRACT_LINK = "contract_link", "Contract link"
    MANUAL = "manual", "Manual"


class Message(models.Model):
    """One SMS to one number. `trigger_key` names what caused it (a ledger payment row, an alert episode, a
    commissioning): it is unique, so one trigger never gives two messages, whoever creates them at once.

    Status: queued (waiting for a send, from `next_attempt_at`) → sending (claimed by exactly one worker) →
    sent to gateway → delivered (the gateway's delivery report), or failed with a reason; "not sent:
    development backend" when the portal runs without a gateway; cancelled (never sent: opted out, no or
    invalid number) with a reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent to gateway"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        NOT_SENT_DEVELOPMENT = "not_sent_dev", "Not sent: development backend"
        CANCELLED = "cancelled", "Not sent"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.SESOTHO)
    number = models.CharField(max_length=20, blank=True, default="", help_text="E.164, e.g. +26657755403")
    number_given = models.CharField(max_length=40, blank=True, default="", help_text="the number as it was found")
    text = models.TextField()
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages", db_constraint=False
    )
    accountnumber = models.CharField(max_length=10, blank=True, default="", db_index=True)
    site_code = models.CharField(max_length=3, blank=True, default="")
    trigger_key = models.CharField(max_length=100, unique=True, help_text="what caused it; one message per trigger")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    gateway = models.CharField(max_length=40, blank=True, default="")
    provider_message_id = models.CharField(max_length=100, blank=True, default="", db_index=True)

    history = HistoricalRecords(excluded_fields=["claimed_at"])

    class Meta:
        db_table = "cc_message"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="cc_message_due"),
            models.Index(fields=["customer", "-created_at"], name="cc_message_customer"),
            models.Index(fields=["number", "-created_at"], name="cc_message_number"),
            models.Index(fields=["kind", "-created_at"], name="cc_message_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.number or self.number_given or '?'} ({self.get_status_display()})"

    @property
    def can_be_resent(self):
        return self.status in (self.Status.FAILED, self.Status.CANCELLED, self.Status.NOT_SENT_DEVELOPMENT)

    @property
    def status_label(self):
        """What every page shows: the status and, when it was not sent or failed, why."""
        label = self.get_status_display()
        if self.status_reason and self.status in (self.Status.FAILED, self.Status.CANCELLED, self.Status.QUEUED):
            return f"{label}: {self.status_reason}"
        return label


class CustomerPreference(models.Model):
    """The portal's own table beside ACDB's `tblcustomer` (left untouched): the language a customer's messages
    are written in and whether they want messages at all."""

    customer = models.OneToOneField(
        "customers.Customer", primary_key=True, on_delete=models.CASCADE, related_name="message_preference", db_constraint=False
    )
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.SESOTHO)
    opted_out = models.BooleanField(default=False)
    opt_out_reason = models.CharField(max_length=255, blank=True, default="")
    opted_out_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_customer_preference"

    def __str__(self):
        state = f"opted out ({self.opt_out_reason})" if self.opted_out else "receives messages"
        return f"Customer {self.customer_id}: {self.get_language_display()}, {state}"


class MessageTemplate(models.Model):
    """The text of one kind of message in one language, with {placeholders} (messaging.texts lists them).
    A kind and language without a row uses the built-in text of messaging.texts."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    text = models.TextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_message_template"
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="cc_message_template_once")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_language_display()})"


class LowBalanceRule(models.Model):
    """When to warn a customer that their credit is running out. The row with an empty site code is the global
    rule (also holding the daily limit and the quiet hours); a row per site overrides its two levels."""

    site_code = models.CharField(max_length=3, unique=True, blank=True, default="", help_text="empty: every site")
    threshold_kwh = models.DecimalField(**ENERGY, help_text="warn when the balance falls below this")
    clear_kwh = models.DecimalField(**ENERGY, help_text="warn again only after the balance has risen above this")
    max_per_day = models.PositiveSmallIntegerField(default=2)
    quiet_start = models.TimeField(null=True, blank=True, help_text="no alerts from (Africa/Maseru)")
    quiet_end = models.TimeField(null=True, blank=True, help_text="until")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_low_balance_rule"
        ordering = ["site_code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold_kwh__gte=0), name="cc_low_balance_threshold_ok"),
            models.CheckConstraint(
                condition=models.Q(clear_kwh__gt=models.F("threshold_kwh")), name="cc_low_balance_clear_above"
            ),
        ]

    def __str__(self):
        where = self.site_code or "every site"
        return f"{where}: below {self.threshold_kwh} kWh, clear above {self.clear_kwh} kWh"


class LowBalanceState(models.Model):
    """Per account: whether an alert may be sent (armed: the balance has been above the clear level since the
    last alert), which alert episode it is in, and how many alerts went out on its last alert day."""

    accountnumber = models.CharField(max_length=10, primary_key=True)
    armed = models.BooleanField(default=True)
    episode = models.PositiveIntegerField(default=0)
    alerts_day = models.DateField(null=True, blank=True)
    alerts_that_day = models.PositiveSmallIntegerField(default=0)
    last_alert_at = models.DateTimeField(null=True, blank=True)
    last_balance_kwh = models.DecimalField(
        **ENERGY, default=Decimal("0.000"), help_text="the balance at the last change of state"
    )

    class Meta:
        db_table = "cc_low_balance_state"

    def __str__(self):
        return f"{self.accountnumber}: {'armed' if self.armed else 'alerted'} (episode {self.episode})"


class PendingDeliveryReport(models.Model):
    """A delivery report for a provider message id no message has yet. The gateway may call back before the send's
    own transaction has saved the id it answered with; the report waits here (CC_SMS_PENDING_REPORT_HOURS) and is
    applied when the id is saved (messaging.services.sending) or by the worker's sweep."""

    provider_message_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=40)
    failure_reason = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "cc_pending_delivery_report"

    def __str__(self):
        return f"report {self.status} for {self.provider_message_id}"
