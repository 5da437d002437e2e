"""Forms of the billing pages: statement upload, tariff changes, unmatched-payment decisions."""

from django import forms

from billing.models import Provider, TariffRate
from billing.statements import EXTENSIONS
from ccportal import bounds
from ccportal.fields import PlausibleDateField, PlausibleDateTimeField, rate_field


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


class TariffHistoryFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=[("", "All scopes"), *TariffRate.Scope.choices], required=False)
    key = forms.CharField(required=False, max_length=20)
    since = PlausibleDateField(required=False)
    until = PlausibleDateField(required=False)
