"""Forms of the billing pages: statement upload, tariff changes, unmatched-payment decisions, account lookup
and ledger rows."""

from django import forms

from billing.models import Provider, TariffRate
from billing.statements import EXTENSIONS
from ccportal import bounds
from ccportal.fields import PlausibleDateField, PlausibleDateTimeField, kwh_field, money_field, rate_field
from ccportal.normalize import NormalisationError, account_number_normalise


class StatementUploadForm(forms.Form):
    provider = forms.ChoiceField(choices=Provider.choices)
    statement = forms.FileField(
        help_text="The statement as exported by the provider: .csv or .xlsx, up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )


class TariffRateForm(forms.Form):
    scope = forms.ChoiceField(choices=TariffRate.Scope.choices)
    scope_key = forms.CharField(
        label="Site code or customer ID", required=False, max_length=20, help_text="Blank for the global rate."
    )
    rate_lsl = rate_field(label="Rate (LSL per kWh)")
    effective_from = PlausibleDateTimeField(
        within=bounds.EFFECTIVE,
        required=False,
        help_text="Blank for now. A future moment schedules the change; it applies by itself.",
    )
    reason = forms.CharField(max_length=255)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=255)


class AssignPaymentForm(forms.Form):
    accountnumber = forms.CharField(label="Account number", max_length=20, help_text="e.g. 0045MAK or MAK 45")
    reason = forms.CharField(max_length=255, required=False)


class IncomingSmsFilterForm(forms.Form):
    STATUSES = [
        ("", "To decide (unreadable and not payments)"),
        ("unreadable", "Unreadable"),
        ("ignored", "Not a payment"),
        ("dismissed", "Dismissed"),
    ]

    status = forms.ChoiceField(choices=STATUSES, required=False)
    since = PlausibleDateField(label="Arrived from", required=False)
    until = PlausibleDateField(label="Arrived until", required=False)
    sender = forms.CharField(required=False, max_length=40)


class IncomingSmsResolveForm(forms.Form):
    """What a person read in an intake text: the payment to post."""

    provider = forms.ChoiceField(choices=Provider.choices)
    receipt = forms.CharField(label="Receipt or approval code", max_length=40)
    amount = money_field(label="Amount (LSL)")
    accountnumber = forms.CharField(label="Account number", max_length=20, help_text="e.g. 0045MAK or MAK 45")
    paid_at = PlausibleDateTimeField(
        label="Paid at", within=bounds.EVENT, required=False, help_text="Blank: when the gateway received the text."
    )
    reason = forms.CharField(max_length=200, help_text="How you read it, e.g. a new EcoCash layout.")


class TariffHistoryFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[("", "All scopes"), *TariffRate.Scope.choices], required=False)
    key = forms.CharField(required=False, max_length=20)
    since = PlausibleDateField(required=False)
    until = PlausibleDateField(required=False)


class AccountLookupForm(forms.Form):
    account = forms.CharField(label="Account number", max_length=20)

    def clean_account(self):
        try:
            return account_number_normalise(self.cleaned_data["account"])
        except NormalisationError as error:
            raise forms.ValidationError(str(error)) from None


class LedgerEntryForm(forms.Form):
    KINDS = [("payment", "Payment"), ("consumption", "Consumption")]

    when = PlausibleDateTimeField(label="Date and time", within=bounds.EVENT)
    kind = forms.ChoiceField(choices=KINDS)
    amount = money_field(label="Amount (LSL)", required=False, help_text="Paid; for consumption, empty means kWh × rate.")
    kwh = kwh_field(label="kWh", required=False, help_text="Consumed kWh; for a payment, empty means amount ÷ rate.")
    rate = rate_field(label="Rate (LSL/kWh)", required=False, max_digits=8, help_text="Empty: the tariff in force at that time.")
    reason = forms.CharField(max_length=200)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "payment" and not cleaned.get("amount"):
            self.add_error("amount", "A payment needs an amount above 0.")
        if kind == "consumption" and not cleaned.get("kwh"):
            self.add_error("kwh", "A consumption row needs the kWh consumed, above 0.")
        return cleaned

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "when": data["when"],
            "is_payment": data["kind"] == "payment",
            "amount": data.get("amount"),
            "kwh": data.get("kwh"),
            "rate_lsl": data.get("rate"),
        }


def errors_of(exc):
    """A ValidationError's messages as {field: [messages]}."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def add_errors(form, exc):
    """A service's ValidationError shown on the form: on its field when the form has it, else on the form."""
    for field, problems in errors_of(exc).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
