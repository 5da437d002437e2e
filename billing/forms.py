"""Forms of the billing pages: statement upload, tariff changes, unmatched-payment decisions, account lookup
and ledger rows."""

from decimal import Decimal

from django import forms

from billing.models import Provider, TariffRate
from billing.statements import EXTENSIONS
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
    rate_lsl = forms.DecimalField(label="Rate (LSL per kWh)", min_value=0.0001, max_digits=10, decimal_places=4)
    effective_from = forms.DateTimeField(
        required=False,
        help_text="Blank for now. A future moment schedules the change; it applies by itself.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(max_length=255)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=255)


class AssignPaymentForm(forms.Form):
    accountnumber = forms.CharField(label="Account number", max_length=20, help_text="e.g. 0045MAK or MAK 45")
    reason = forms.CharField(max_length=255, required=False)


class TariffHistoryFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[("", "All scopes"), *TariffRate.Scope.choices], required=False)
    key = forms.CharField(required=False, max_length=20)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AccountLookupForm(forms.Form):
    account = forms.CharField(label="Account number", max_length=20)

    def clean_account(self):
        try:
            return account_number_normalise(self.cleaned_data["account"])
        except NormalisationError as error:
            raise forms.ValidationError(str(error)) from None


class LedgerEntryForm(forms.Form):
    KINDS = [("payment", "Payment"), ("consumption", "Consumption")]

    when = forms.DateTimeField(
        label="Date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    kind = forms.ChoiceField(choices=KINDS)
    amount = forms.DecimalField(
        label="Amount (LSL)",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text="Paid; for consumption, empty means kWh × rate.",
    )
    kwh = forms.DecimalField(
        label="kWh",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=3,
        help_text="Consumed kWh; for a payment, empty means amount ÷ rate.",
    )
    rate = forms.DecimalField(
        label="Rate (LSL/kWh)",
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=8,
        decimal_places=4,
        help_text="Empty: the tariff in force at that time.",
    )
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
